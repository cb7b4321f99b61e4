// SqliteStore's bookkeeping around SQLite: the sole writer's write-through row cache (reads in and
// out of transactions see exactly what is committed plus the transaction's own writes, across
// rollbacks), its revision counter without re-reading it per transaction, and the watch history
// trimmed in chunks (replay and compaction exactly as if trimmed one commit at a time).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { StoreCompactedError, type WatchEvent } from "../../src/store/store.js";

function tempFile(): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aksemu-ss-"));
  return { dir, file: path.join(dir, "state.db") };
}

test("sole writer: a committed write is what the next transaction and reader see; a rollback leaves no trace", async () => {
  const { dir, file } = tempFile();
  const s = SqliteStore.open(file, { leaseCheckMs: 0, soleWriter: true });
  try {
    const r1 = await s.txn((tx) => tx.put("k", { v: 1 }));
    assert.deepEqual(s.get("k"), { key: "k", value: { v: 1 }, createRevision: r1, modRevision: r1, lease: "0" });
    const r2 = await s.txn((tx) => {
      assert.deepEqual(tx.get("k")?.value, { v: 1 }, "a transaction reads the committed row");
      tx.put("k", { v: 2 });
      assert.deepEqual(tx.get("k")?.value, { v: 2 }, "and then its own write");
      return tx.revision;
    });
    assert.equal(r2, r1 + 1, "the revision counter moves by one per writing transaction");
    assert.deepEqual(s.get("k"), { key: "k", value: { v: 2 }, createRevision: r1, modRevision: r2, lease: "0" }, "createRevision kept, modRevision moved");
    const events: WatchEvent[] = [];
    s.watch("k", undefined, (evs) => events.push(...evs));
    await assert.rejects(
      s.txn((tx) => {
        tx.put("k", { v: 3 });
        tx.delete("k");
        tx.put("new", 1);
        throw new Error("abort");
      }),
    );
    assert.deepEqual(s.get("k")?.value, { v: 2 }, "rolled back: the committed value");
    assert.equal(s.get("new"), undefined);
    assert.equal(events.length, 0, "a rolled-back transaction publishes nothing");
    await s.txn((tx) => {
      assert.deepEqual(tx.get("k")?.value, { v: 2 }, "inside the next transaction too");
      assert.equal(tx.get("new"), undefined);
    });
    const r3 = await s.txn((tx) => {
      assert.equal(tx.delete("k"), true);
      return tx.revision;
    });
    assert.equal(s.get("k"), undefined, "a delete is seen at once");
    await s.txn((tx) => assert.equal(tx.get("k"), undefined));
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, "delete");
    assert.deepEqual(events[0]!.value, { v: 2 });
    const r4 = await s.txn((tx) => tx.put("k", { v: 4 }));
    assert.equal(s.get("k")?.createRevision, r4, "recreated after a delete: a new createRevision");
    assert.equal(s.revision(), r4);
    assert.ok(r3 < r4);
    await s.synced();
  } finally {
    s.close();
  }
  const again = SqliteStore.open(file, { leaseCheckMs: 0, soleWriter: true });
  try {
    assert.deepEqual(again.get("k")?.value, { v: 4 }, "what the cache served is what the file holds");
    const before = again.revision();
    assert.equal(await again.txn((tx) => tx.put("k2", 1)), before + 1, "the revision counter survives a reopen");
  } finally {
    again.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the revision survives reopening whichever write came last: puts only (kept in the rows), a delete of the newest row (kept in meta), a shared connection after the sole writer", async () => {
  const { dir, file } = tempFile();
  const open = (soleWriter = true) => SqliteStore.open(file, { leaseCheckMs: 0, soleWriter });
  let s = open();
  const seen: number[] = [];
  const check = async (what: string) => {
    const r = s.revision();
    assert.ok(seen.every((x) => x < r || x === r), `${what}: no revision goes back (${r} after ${seen.at(-1)})`);
    seen.push(r);
    s.close();
    s = open();
    assert.equal(s.revision(), r, `${what}: the same revision after a reopen`);
  };
  try {
    await s.txn((tx) => tx.put("a", 1));
    await s.txn((tx) => tx.put("b", 1));
    await check("puts only");
    await s.txn((tx) => tx.delete("b")); // the newest row goes: only meta can tell its revision
    await check("the newest row deleted");
    await s.txn((tx) => tx.put("c", 1));
    await s.txn((tx) => {
      tx.put("d", 1);
      tx.delete("d"); // put and deleted in one transaction: no row carries its revision
    });
    await check("a key put and deleted in one transaction");
    await s.txn((tx) => tx.deletePrefix(""));
    await check("every key deleted");
    await s.txn((tx) => tx.put("e", 1));
    const r = s.revision();
    s.close();
    // A connection that shares the file (not the sole writer) starts after it, and so does the next sole writer.
    const shared = open(false);
    assert.equal(shared.revision(), r);
    assert.equal(await shared.txn((tx) => tx.put("f", 1)), r + 1);
    shared.close();
    s = open();
    assert.equal(await s.txn((tx) => tx.put("g", 1)), r + 2);
  } finally {
    s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a shared file (not sole writer): each transaction starts from the revision another connection left", async () => {
  const { dir, file } = tempFile();
  const a = SqliteStore.open(file, { leaseCheckMs: 0 });
  const b = SqliteStore.open(file, { leaseCheckMs: 0 });
  try {
    const ra = await a.txn((tx) => tx.put("x", 1));
    const rb = await b.txn((tx) => tx.put("y", 1));
    assert.equal(rb, ra + 1, "b saw a's revision under the write lock");
    assert.equal(await a.txn((tx) => tx.put("x", 2)), rb + 1);
  } finally {
    a.close();
    b.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("watchers found by prefix: nested and equal prefixes each get their events once per commit, in registration order; an unsubscribed one nothing", async () => {
  const s = SqliteStore.open(":memory:", { leaseCheckMs: 0 });
  try {
    const calls: string[] = [];
    const seen = (name: string) => (evs: WatchEvent[]) => calls.push(`${name}:${evs.map((e) => e.key).join(",")}`);
    s.watch("kube/c1/", undefined, seen("c1"));
    s.watch("", undefined, seen("all"));
    const stop = s.watch("kube/c1/pods/", undefined, seen("pods"));
    s.watch("kube/c10/", undefined, seen("c10"));
    s.watch("kube/c1/", undefined, seen("c1-again"));
    await s.txn((tx) => {
      tx.put("kube/c1/pods/a", 1);
      tx.put("kube/c10/pods/b", 2);
      tx.put("kube/c1/", 3);
      tx.put("res:x", 4);
    });
    assert.deepEqual(calls, [
      "c1:kube/c1/pods/a,kube/c1/",
      "all:kube/c1/pods/a,kube/c10/pods/b,kube/c1/,res:x",
      "pods:kube/c1/pods/a",
      "c10:kube/c10/pods/b",
      "c1-again:kube/c1/pods/a,kube/c1/",
    ]);
    calls.length = 0;
    stop();
    stop();
    await s.txn((tx) => tx.put("kube/c1/pods/a", 5));
    assert.deepEqual(calls, ["c1:kube/c1/pods/a", "all:kube/c1/pods/a", "c1-again:kube/c1/pods/a"]);
  } finally {
    s.close();
  }
});

test("watch history is bounded by the text it holds: big values compact older revisions (410), the newest stay replayable", () => {
  // 1 MiB of JSON text: 8 events of 100 kchars (value, then value + previous value: 200 kchars each after the first).
  const s = SqliteStore.open(":memory:", { leaseCheckMs: 0, historyChars: 1024 * 1024 });
  try {
    const big = (i: number) => `${i}`.padEnd(100_000, "x");
    const first = s.revision() + 1;
    for (let i = 0; i < 40; i++) void s.txn((tx) => tx.put("subnet", big(i)));
    const last = s.revision();
    assert.equal(last, first + 39);
    // Each later event holds its value and the previous one (200,000 chars): 5 fit in 1 MiB.
    assert.equal(s.compactedRevision(), last - 5, "the newest 5 events kept");
    assert.throws(() => s.watch("subnet", s.compactedRevision() - 1, () => undefined), StoreCompactedError);
    const seen: WatchEvent[] = [];
    s.watch("subnet", s.compactedRevision(), (evs) => seen.push(...evs));
    assert.deepEqual(seen.map((e) => e.revision), [last - 4, last - 3, last - 2, last - 1, last]);
    assert.equal(seen.at(-1)!.value, big(39));
    assert.equal(seen.at(-1)!.prev, big(38));
  } finally {
    s.close();
  }
});

test("watch history: 30,000 commits keep the last 20,000 replayable; older revisions are compacted (410)", () => {
  const s = SqliteStore.open(":memory:", { leaseCheckMs: 0 });
  try {
    const first = s.revision() + 1;
    for (let i = 0; i < 30_000; i++) void s.txn((tx) => tx.put(`h/${i % 7}`, i)); // SqliteStore commits inside the call
    const last = s.revision();
    assert.equal(last, first + 29_999);
    assert.equal(s.compactedRevision(), last - 20_000, "exactly the newest 20,000 events kept");
    assert.throws(() => s.watch("h/", s.compactedRevision() - 1, () => undefined), StoreCompactedError);
    const seen: number[] = [];
    const stop = s.watch("h/", s.compactedRevision(), (evs) => seen.push(...evs.map((e) => e.revision)));
    assert.equal(seen.length, 20_000);
    assert.equal(seen[0], s.compactedRevision() + 1);
    assert.equal(seen.at(-1), last);
    stop();
    const some: WatchEvent[] = [];
    s.watch("h/3", last - 70, (evs) => some.push(...evs));
    // Revisions after last - 70 are the puts of i = 29,930 … 29,999; h/3 took those with i % 7 === 3.
    assert.deepEqual(some.map((e) => e.value), Array.from({ length: 70 }, (_, j) => 29_930 + j).filter((i) => i % 7 === 3));
  } finally {
    s.close();
  }
});
