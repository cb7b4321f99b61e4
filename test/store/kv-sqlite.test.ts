// The SQLite engine of the etcd-shaped store: the shared conformance suite, then what is
// particular to this engine (group commit, a failing request inside a batch, kill -9).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { SqliteKv } from "../../src/store/kv-sqlite.js";
import { LeaseNotFoundError, bytes, text } from "../../src/store/kv.js";
import { kvConformance, type KvHarness } from "./kv-conformance.js";

function tempFile(): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aksemu-kv-"));
  return { dir, file: path.join(dir, "kv.db") };
}

{
  kvConformance("sqlite", async (): Promise<KvHarness> => {
    const { dir, file } = tempFile();
    let now = 1_000_000;
    const open = new Set<SqliteKv>();
    return {
      async open() {
        const kv = SqliteKv.open(file, { clock: () => now, leaseCheckMs: 0 });
        open.add(kv);
        const close = kv.close.bind(kv);
        kv.close = async () => {
          open.delete(kv);
          await close();
        };
        return kv;
      },
      async advance(ms) {
        now += ms;
        for (const kv of open) await kv.expireLeases();
      },
      async cleanup() {
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  });
}

test("sqlite: concurrent txns of one tick commit in one SQLite transaction, each with its own revision", async () => {
  const { dir, file } = tempFile();
  const kv = SqliteKv.open(file, { leaseCheckMs: 0 });
  try {
    const base = kv.currentRevision();
    const before = { ...kv.stats };
    // Same tick: 40 puts, one of them on a missing lease (fails alone), 9 compare-guarded creates of one key.
    const puts = Array.from({ length: 40 }, (_, i) => kv.put(`/g/${i}`, bytes(String(i)), i === 7 ? { lease: "424242" } : {}));
    const creates = Array.from({ length: 9 }, (_, i) =>
      kv.txn({ compare: [{ key: "/g/once", target: "create", result: "=", value: 0n }], success: [{ put: { key: "/g/once", value: bytes(String(i)) } }] }),
    );
    const settled = await Promise.allSettled(puts);
    const results = await Promise.all(creates);
    assert.equal(kv.stats.commits - before.commits, 1, "one SQLite commit (one fsync) for the tick");
    assert.equal(kv.stats.requests - before.requests, 49);
    assert.ok(settled[7]!.status === "rejected" && settled[7]!.reason instanceof LeaseNotFoundError);
    const revs = settled.filter((r) => r.status === "fulfilled").map((r) => (r as PromiseFulfilledResult<{ revision: bigint }>).value.revision);
    assert.deepEqual(revs, Array.from({ length: 39 }, (_, i) => base + 1n + BigInt(i)), "contiguous, in submission order, none for the failed one");
    // Each compare is evaluated after the earlier txns of the batch: exactly the first create wins.
    assert.deepEqual(results.map((r) => r.succeeded), [true, false, false, false, false, false, false, false, false]);
    assert.equal(text((await kv.range("/g/once")).kvs[0]!.value), "0");
    assert.equal((await kv.range("/g/", { prefix: true })).count, 40);
    assert.equal((await kv.range("/g/7")).count, 0, "the failed put left nothing");
  } finally {
    await kv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const { dir: dir2, file: file2 } = tempFile();
  const single = SqliteKv.open(file2, { leaseCheckMs: 0, groupCommit: false });
  try {
    await Promise.all(Array.from({ length: 10 }, (_, i) => single.put(`/s/${i}`, bytes("x"))));
    assert.equal(single.stats.commits, 10, "without group commit every txn is its own SQLite commit");
  } finally {
    await single.close();
    fs.rmSync(dir2, { recursive: true, force: true });
  }
});

test("sqlite: leases survive a restart with a renewed TTL; requests after close are refused", async () => {
  const { dir, file } = tempFile();
  let now = 0;
  let kv = SqliteKv.open(file, { clock: () => now, leaseCheckMs: 0 });
  try {
    const l = await kv.grant(10);
    await kv.put("/l/k", bytes("v"), { lease: l.id });
    now += 9_000;
    await kv.close();
    await assert.rejects(kv.put("/x", bytes("y")), /store is closed/);
    kv = SqliteKv.open(file, { clock: () => now, leaseCheckMs: 0 });
    now += 9_000; // past the first deadline, within the TTL renewed at open (etcd extends leases on a new leader)
    await kv.expireLeases();
    assert.equal((await kv.range("/l/k")).count, 1);
    now += 2_000;
    assert.equal(await kv.expireLeases(), 1);
    assert.equal((await kv.range("/l/k")).count, 0);
  } finally {
    await kv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("sqlite: acknowledged txns survive kill -9 of the writing process", async () => {
  const { dir, file } = tempFile();
  const child = fileURLToPath(new URL("./kv-kill-child.js", import.meta.url));
  try {
    const proc = spawn(process.execPath, [child, file], { stdio: ["ignore", "pipe", "inherit"] });
    const acked: { key: string; value: string; rev: bigint }[] = [];
    let buf = "";
    const KILL_AT = 600;
    const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on("exit", (_code, sig) => resolve(sig)));
    proc.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split("\n");
      buf = lines.pop()!;
      for (const line of lines) {
        const [tag, key, value, rev] = line.split(" ");
        if (tag !== "ack") continue;
        acked.push({ key: key!, value: value!, rev: BigInt(rev!) });
        if (acked.length === KILL_AT) proc.kill("SIGKILL");
      }
    });
    const sig = await exited;
    assert.equal(sig, "SIGKILL", "the writer was killed mid-run, not finished");
    console.log(`kv kill -9: ${acked.length} acknowledged before the kill`);
    assert.ok(acked.length >= KILL_AT);
    const kv = SqliteKv.open(file, { leaseCheckMs: 0 });
    try {
      const missing: string[] = [];
      for (const a of acked.filter((x) => x.key !== "/kill/counter")) {
        const got = (await kv.range(a.key)).kvs[0];
        if (!got || text(got.value) !== a.value || got.modRevision !== a.rev) missing.push(`${a.key}@${a.rev}`);
      }
      assert.deepEqual(missing, [], "every acknowledged write is there with its value and revision");
      const counter = (await kv.range("/kill/counter")).kvs[0];
      const highest = Math.max(0, ...acked.filter((a) => a.key === "/kill/counter").map((a) => Number(a.value)));
      assert.ok(highest > 0 && counter && Number(text(counter.value)) >= highest, "the guaranteedUpdate counter kept every acknowledged increment");
      // The store takes writes again at the next revision.
      const next = await kv.put("/kill/after", bytes("ok"));
      assert.equal(next.revision, (await kv.range("/kill/after")).kvs[0]!.modRevision);
    } finally {
      await kv.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
