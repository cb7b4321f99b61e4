// The durable SqliteStore's group commit: commits append to the WAL, one fdatasync covers every
// commit made before it, and synced() (what every HTTP answer waits for) resolves only after an
// fsync that started after the commit. Acknowledged commits survive kill -9 of the writer.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { SqliteStore } from "../../src/store/sqlite-store.js";

function tempFile(): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aksemu-gc-"));
  return { dir, file: path.join(dir, "state.db") };
}

test("commits in one event-loop turn share one fsync; synced() resolves after it and is then undefined", async () => {
  const { dir, file } = tempFile();
  const store = SqliteStore.open(file);
  try {
    assert.equal(store.synced(), undefined, "nothing committed, nothing to wait for");
    // SqliteStore commits inside txn() itself: all 100 land in this turn, before any fsync starts.
    for (let i = 0; i < 100; i++) void store.txn((tx) => tx.put(`k/${i}`, { i }));
    const waiting = store.synced();
    assert.ok(waiting instanceof Promise, "100 commits not yet on disk: answers must wait");
    await waiting;
    assert.equal(store.synced(), undefined, "after the fsync every commit so far is durable");
    const { commits, fsyncs } = store.syncStats();
    assert.equal(commits, 100);
    assert.ok(fsyncs >= 1 && fsyncs < commits, `one fsync shared by the turn's commits, not one each: ${fsyncs} for ${commits}`);
    // A read-only transaction commits nothing and leaves nothing to wait for.
    await store.txn((tx) => tx.get("k/1"));
    assert.equal(store.synced(), undefined);
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a commit made while an fsync runs waits for a later fsync, not the one in flight", async () => {
  const { dir, file } = tempFile();
  const store = SqliteStore.open(file);
  try {
    await store.txn((tx) => tx.put("a", 1));
    const first = store.synced()!;
    await new Promise((r) => setImmediate(r)); // the first fsync has started now
    assert.equal(store.syncStats().fsyncs, 1);
    await store.txn((tx) => tx.put("b", 2));
    const second = store.synced()!;
    assert.ok(second instanceof Promise, "b is not covered by the fsync that started before it");
    await Promise.all([first, second]);
    assert.equal(store.syncStats().fsyncs, 2, "b's commit got an fsync of its own turn");
    assert.equal(store.synced(), undefined);
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("an in-memory store has nothing to sync; a reopened file store has everything committed", async () => {
  const mem = SqliteStore.open(":memory:");
  await mem.txn((tx) => tx.put("x", 1));
  assert.equal(mem.synced(), undefined);
  mem.close();
  const { dir, file } = tempFile();
  try {
    const s1 = SqliteStore.open(file);
    await s1.txn((tx) => tx.put("kept", { v: 1 }));
    await s1.synced();
    await s1.txn((tx) => tx.put("closed-before-sync", { v: 2 }));
    s1.close(); // closing checkpoints the WAL into the synced database file
    const s2 = SqliteStore.open(file);
    assert.deepEqual(s2.get("kept")?.value, { v: 1 });
    assert.deepEqual(s2.get("closed-before-sync")?.value, { v: 2 });
    assert.equal(s2.synced(), undefined);
    s2.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("commits acknowledged after synced() survive kill -9 of the writing process", async () => {
  const { dir, file } = tempFile();
  const child = fileURLToPath(new URL("./group-commit-child.js", import.meta.url));
  try {
    const proc = spawn(process.execPath, [child, file], { stdio: ["ignore", "pipe", "inherit"] });
    const acked: { key: string; rev: number }[] = [];
    let buf = "";
    const KILL_AT = 500;
    const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on("exit", (_code, sig) => resolve(sig)));
    proc.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split("\n");
      buf = lines.pop()!;
      for (const line of lines) {
        const [tag, key, rev] = line.split(" ");
        if (tag !== "ack") continue;
        acked.push({ key: key!, rev: Number(rev) });
        if (acked.length === KILL_AT) proc.kill("SIGKILL");
      }
    });
    assert.equal(await exited, "SIGKILL", "the writer was killed mid-run, not finished");
    assert.ok(acked.length >= KILL_AT);
    const store = SqliteStore.open(file);
    try {
      const missing = acked.filter((a) => store.get(a.key)?.modRevision !== a.rev).map((a) => `${a.key}@${a.rev}`);
      assert.deepEqual(missing, [], "every acknowledged commit is there at its revision");
      assert.ok(store.revision() >= Math.max(...acked.map((a) => a.rev)), "the revision counter did not go back");
    } finally {
      store.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("cached reads (soleWriter): a write or a rollback is seen at once; without soleWriter another connection's commit is seen", async () => {
  const { dir, file } = tempFile();
  const a = SqliteStore.open(file, { leaseCheckMs: 0, soleWriter: true });
  try {
    await a.txn((tx) => tx.put("k", { v: 1 }));
    assert.deepEqual(a.get("k")?.value, { v: 1 });
    await a.txn((tx) => tx.put("k", { v: 3 }));
    assert.deepEqual(a.get("k")?.value, { v: 3 }, "own write drops the key");
    await assert.rejects(
      a.txn((tx) => {
        tx.put("k", { v: 4 });
        throw new Error("abort");
      }),
    );
    assert.deepEqual(a.get("k")?.value, { v: 3 }, "rolled back: the committed value, not the aborted one");
    assert.equal(a.get("missing"), undefined);
    await a.txn((tx) => tx.put("missing", 1));
    assert.equal(a.get("missing")?.value, 1, "a cached miss is dropped too");
    await a.txn((tx) => tx.delete("missing"));
    assert.equal(a.get("missing"), undefined, "a delete drops the key");
    const e = a.get<{ v: number }>("k")!;
    e.value.v = 99;
    assert.deepEqual(a.get("k")?.value, { v: 3 }, "callers get their own copy");
  } finally {
    a.close();
  }
  const b = SqliteStore.open(file, { leaseCheckMs: 0 });
  const c = SqliteStore.open(file, { leaseCheckMs: 0 });
  try {
    assert.deepEqual(b.get("k")?.value, { v: 3 });
    await c.txn((tx) => tx.put("k", { v: 5 }));
    assert.deepEqual(b.get("k")?.value, { v: 5 }, "shared file: reads go to the table");
  } finally {
    b.close();
    c.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
