// The etcd-shaped store's SQLite engine (src/store/kv-sqlite.ts) beside today's synchronous
// SqliteStore, in the same run, same disk: one-key write transactions per second from one writer
// and from 16 concurrent writers, with and without group commit, and a 10,000-key range read.
// Every write is durable when acknowledged (WAL, synchronous=FULL) in all cases.
// Then the two engines of the Kv interface side by side in the same run: SqliteKv (group commit)
// and EtcdKv against a real single-member etcd v3.6 on loopback (fsync on, so both acknowledge
// durable writes): put, compare-guarded create txn and 10,000-key range throughput. The etcd rows
// need .tools/bin/etcd (npm run clients); without it they are left out, saying so.
// Output: JSON lines on stdout, then a table. Bounded: fixed operation counts.
// Run: npm run build && node dist/bench/kv.bench.js
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SqliteStore } from "../src/store/sqlite-store.js";
import { SqliteKv } from "../src/store/kv-sqlite.js";
import { bytes } from "../src/store/kv.js";
import { execFileSync } from "node:child_process";
import { EtcdKv } from "../src/store/kv-etcd.js";
import type { Kv } from "../src/store/kv.js";
import { ETCD } from "../test/helpers/clients.js";
import { startEtcd } from "../test/helpers/etcd-server.js";
import { emit, machine, median, table } from "./lib.js";

const WRITES = 2000;
const RANGE_KEYS = 10_000;
const RANGE_REPEATS = 7;
const VALUE = JSON.stringify({ id: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s", properties: { addressPrefix: "10.0.0.0/24", provisioningState: "Succeeded" } });

function tempFile(): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aksemu-kvbench-"));
  return { dir, file: path.join(dir, "store.db") };
}

interface Row {
  engine: string;
  writers: number;
  ops: number;
  seconds: number;
  opsPerSec: number;
  commits?: number;
}

/** `writers` async workers share WRITES one-key writes; returns throughput. */
async function drive(engine: string, writers: number, write: (i: number) => Promise<unknown> | unknown, commits?: () => number): Promise<Row> {
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < WRITES) await write(next++);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { engine, writers, ops: WRITES, seconds, opsPerSec: WRITES / seconds, ...(commits ? { commits: commits() } : {}) };
}

const rows: Row[] = [];
for (const writers of [1, 16]) {
  {
    const { dir, file } = tempFile();
    const store = SqliteStore.open(file);
    // The store the emulator runs on: a write counts once synced() says it is on disk (group commit).
    rows.push(
      await drive("SqliteStore (txn, then synced())", writers, async (i) => {
        await store.txn((tx) => tx.put(`/bench/${i}`, VALUE));
        await store.synced();
      }, () => store.syncStats().fsyncs),
    );
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const groupCommit of [false, true]) {
    const { dir, file } = tempFile();
    const kv = SqliteKv.open(file, { groupCommit, leaseCheckMs: 0 });
    const value = bytes(VALUE);
    rows.push(await drive(`SqliteKv ${groupCommit ? "group commit" : "one commit per txn"}`, writers, (i) => kv.put(`/bench/${i}`, value), () => kv.stats.commits));
    await kv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
for (const r of rows) emit("kv-write", { ...r, machine: machine() });

// Range of 10,000 keys (values ~200 B), after the same keys were written once.
const reads: { engine: string; medianMs: number; keys: number }[] = [];
{
  const { dir, file } = tempFile();
  const store = SqliteStore.open(file);
  await store.txn((tx) => {
    for (let i = 0; i < RANGE_KEYS; i++) tx.put(`/range/${String(i).padStart(5, "0")}`, VALUE);
  });
  const times: number[] = [];
  let n = 0;
  for (let r = 0; r < RANGE_REPEATS; r++) {
    const t = performance.now();
    n = store.list("/range/").length;
    times.push(performance.now() - t);
  }
  reads.push({ engine: "SqliteStore list (parses JSON values)", medianMs: median(times), keys: n });
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
{
  const { dir, file } = tempFile();
  const kv = SqliteKv.open(file, { leaseCheckMs: 0 });
  const value = bytes(VALUE);
  for (let i = 0; i < RANGE_KEYS; i += 100) {
    await kv.txn({ compare: [], success: Array.from({ length: 100 }, (_, j) => ({ put: { key: `/range/${String(i + j).padStart(5, "0")}`, value } })) });
  }
  const past = kv.currentRevision();
  await kv.txn({ compare: [], success: Array.from({ length: 100 }, (_, j) => ({ put: { key: `/range/${String(j * 100).padStart(5, "0")}`, value: bytes(JSON.stringify({ changed: true })) } })) });
  for (const [label, opts] of [
    ["SqliteKv range, head (bytes, no parse)", {}],
    ["SqliteKv range, head + JSON.parse of each value", { parse: true }],
    ["SqliteKv range at a past revision", { revision: past }],
    ["SqliteKv range, countOnly", { countOnly: true }],
  ] as const) {
    const times: number[] = [];
    let n = 0;
    for (let r = 0; r < RANGE_REPEATS; r++) {
      const t = performance.now();
      const res = await kv.range("/range/", { prefix: true, ...("revision" in opts ? { revision: opts.revision } : {}), ...("countOnly" in opts ? { countOnly: true } : {}) });
      if ("parse" in opts) for (const k of res.kvs) JSON.parse(Buffer.from(k.value).toString("utf8"));
      n = res.count;
      times.push(performance.now() - t);
    }
    reads.push({ engine: label, medianMs: median(times), keys: n });
  }
  await kv.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
for (const r of reads) emit("kv-range", { ...r, machine: machine() });

const base = (w: number) => rows.find((r) => r.writers === w && r.engine.startsWith("SqliteStore"))!.opsPerSec;
table(
  `one-key write txns, ${WRITES} per case, each durable when acknowledged`,
  ["writers", "engine", "txn/s", "SQLite commits", "× SqliteStore"],
  rows.map((r) => [r.writers, r.engine, r.opsPerSec, r.commits ?? r.ops, r.opsPerSec / base(r.writers)]),
);
table(`range of ${RANGE_KEYS} keys, median of ${RANGE_REPEATS}`, ["case", "ms", "keys"], reads.map((r) => [r.engine, r.medianMs, r.keys]));

// ---- the two Kv engines in the same run: SqliteKv vs EtcdKv ----
const ENGINE_OPS = 2000;
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(" ");
console.log(`\nuptime before the engine comparison: ${execFileSync("uptime", { encoding: "utf8" }).trim()}`);

interface EngineRow {
  engine: string;
  case: string;
  writers: number;
  ops: number;
  opsPerSec: number;
}

async function engineCases(engine: string, kv: Kv): Promise<EngineRow[]> {
  const out: EngineRow[] = [];
  const value = bytes(VALUE);
  const timed = async (name: string, writers: number, ops: number, op: (i: number) => Promise<unknown>) => {
    let next = 0;
    const t0 = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: writers }, async () => {
        while (next < ops) await op(next++);
      }),
    );
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    out.push({ engine, case: name, writers, ops, opsPerSec: ops / seconds });
  };
  for (const writers of [1, 16]) {
    await timed("put (one key)", writers, ENGINE_OPS, (i) => kv.put(`/e${writers}/put/${i}`, value));
    // Create-if-absent, the optimistic-concurrency shape every create takes.
    await timed("txn mod==0 → put", writers, ENGINE_OPS, (i) => {
      const key = `/e${writers}/txn/${i}`;
      return kv.txn({ compare: [{ key, target: "mod", result: "=", value: 0n }], success: [{ put: { key, value } }] });
    });
  }
  for (let i = 0; i < RANGE_KEYS; i += 100) {
    await kv.txn({ compare: [], success: Array.from({ length: 100 }, (_, j) => ({ put: { key: `/erange/${String(i + j).padStart(5, "0")}`, value } })) });
  }
  const times: number[] = [];
  for (let r = 0; r < RANGE_REPEATS; r++) {
    const t = performance.now();
    const res = await kv.range("/erange/", { prefix: true });
    if (res.count !== RANGE_KEYS) throw new Error(`range returned ${res.count} keys`);
    times.push(performance.now() - t);
  }
  out.push({ engine, case: `range ${RANGE_KEYS} keys (median of ${RANGE_REPEATS})`, writers: 1, ops: RANGE_KEYS, opsPerSec: RANGE_KEYS / (median(times) / 1000) });
  await timed("range one key", 16, ENGINE_OPS, (i) => kv.range(`/e16/put/${i}`));
  return out;
}

const engines: EngineRow[] = [];
{
  const { dir, file } = tempFile();
  const kv = SqliteKv.open(file, { leaseCheckMs: 0 });
  engines.push(...(await engineCases("sqlite", kv)));
  await kv.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
if (fs.existsSync(ETCD)) {
  const server = await startEtcd({ fsync: true });
  const kv = new EtcdKv({ endpoints: [server.endpoint] });
  try {
    engines.push(...(await engineCases("etcd", kv)));
  } finally {
    await kv.close();
    await server.stop();
  }
} else {
  console.log(`etcd rows left out: ${ETCD} is missing (install it with: npm run clients)`);
}
for (const r of engines) emit("kv-engines", { ...r, loadavg: load(), machine: machine() });
const sqliteRate = (r: EngineRow) => engines.find((x) => x.engine === "sqlite" && x.case === r.case && x.writers === r.writers)!.opsPerSec;
table(
  `Kv engines, same run (load average after: ${load()})`,
  ["case", "writers", "engine", "ops/s", "× sqlite"],
  engines.map((r) => [r.case, r.writers, r.engine, r.opsPerSec, r.opsPerSec / sqliteRate(r)]),
);
