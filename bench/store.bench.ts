// The Store engines side by side, same run, same disk: SqliteStore (what the emulator runs on
// today) and KvStore, the replica engine, over a real single-member etcd v3.6 on loopback (fsync
// on) and over SqliteKv. Per engine: one-key read-modify-write txns from 1 and 16 concurrent
// callers (each resolves after the commit is durable and applied to the replica), get() from the
// replica, and the read barrier fresh() that every HTTP request awaits on etcd. ARM GET/PUT over
// HTTP on etcd needs the async Store contract in the emulator core (not merged yet).
// Run: npm run build && node dist/bench/store.bench.js
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { SqliteStore } from "../src/store/sqlite-store.js";
import { SqliteKv } from "../src/store/kv-sqlite.js";
import { EtcdKv } from "../src/store/kv-etcd.js";
import { KvStore } from "../src/store/kv-store.js";
import type { Store } from "../src/store/store.js";
import { ETCD } from "../test/helpers/clients.js";
import { startEtcd } from "../test/helpers/etcd-server.js";
import { emit, loadAverage, machine, requireFile, table } from "./lib.js";

const TXNS = 1000;
const GETS = 200_000;
const FRESH = 2000;
const VALUE = { id: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s", properties: { addressPrefix: "10.0.0.0/24", provisioningState: "Succeeded" } };

interface Row {
  engine: string;
  case: string;
  callers: number;
  ops: number;
  opsPerSec: number;
}

async function timed(engine: string, name: string, callers: number, ops: number, op: (i: number) => Promise<unknown> | unknown): Promise<Row> {
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < ops) await op(next++);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { engine, case: name, callers, ops, opsPerSec: ops / seconds };
}

async function cases(engine: string, s: Store): Promise<Row[]> {
  const out: Row[] = [];
  for (const callers of [1, 16]) {
    // Read-modify-write of one of 16 keys, durable (synced) when the caller goes on.
    out.push(
      await timed(engine, "txn read-modify-write", callers, TXNS, async (i) => {
        const key = `bench/k${i % 16}`;
        await s.txn((tx) => {
          const cur = tx.get<{ n?: number }>(key)?.value;
          tx.put(key, { ...VALUE, n: (cur?.n ?? 0) + 1 });
        });
        await s.synced?.();
      }),
    );
  }
  out.push(await timed(engine, "get (one key)", 1, GETS, (i) => s.get(`bench/k${i % 16}`)));
  if (s.fresh) {
    for (const callers of [1, 16]) out.push(await timed(engine, "fresh() read barrier", callers, FRESH, () => s.fresh!()));
  }
  return out;
}

requireFile(ETCD, "npm run clients");
console.log(`uptime before: ${execFileSync("uptime", { encoding: "utf8" }).trim()}`);
const rows: Row[] = [];
{
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aksemu-storebench-"));
  const s = SqliteStore.open(path.join(dir, "state.db"), { soleWriter: true });
  rows.push(...(await cases("SqliteStore", s)));
  s.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
{
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aksemu-storebench-"));
  const kv = SqliteKv.open(path.join(dir, "kv.db"), { leaseCheckMs: 0 });
  const s = await KvStore.open(kv);
  rows.push(...(await cases("KvStore/SqliteKv", s)));
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
{
  const server = await startEtcd({ fsync: true });
  const s = await KvStore.open(new EtcdKv({ endpoints: [server.endpoint] }));
  try {
    rows.push(...(await cases("KvStore/etcd", s)));
  } finally {
    await s.close();
    await server.stop();
  }
}
const load = loadAverage();
for (const r of rows) emit("store-engines", { ...r, loadavg: load, machine: machine() });
const base = (r: Row) => rows.find((x) => x.engine === "SqliteStore" && x.case === r.case && x.callers === r.callers)?.opsPerSec;
table(
  `Store engines, same run (load average after: ${load})`,
  ["case", "callers", "engine", "ops/s", "× SqliteStore"],
  rows.map((r) => [r.case, r.callers, r.engine, r.opsPerSec, base(r) ? r.opsPerSec / base(r)! : "-"]),
);
