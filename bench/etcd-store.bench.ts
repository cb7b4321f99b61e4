// ARM resource group GET and PUT through `aksemu start` on SQLite (the baseline) and on a 3-member
// etcd (Debian's etcd-server, test/helpers/etcd-cluster.ts), same run, rounds interleaved so that
// a burst of other work on the shared machine lands on both. BENCH_SECONDS, BENCH_ROUNDS,
// BENCH_CONNECTIONS as in arm.bench.ts.
import { startEmulator, SUBSCRIPTION_ID, type RunningEmulator } from "../test/helpers/emulator.js";
import { startEtcdCluster } from "../test/helpers/etcd-cluster.js";
import { cannon, emit, loadAverage, machine, median, table, type LoadResult } from "./lib.js";

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RG = `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/bench?api-version=2022-09-01`;

async function target(emu: RunningEmulator) {
  const put = await emu.request("PUT", RG, { location: "westus2" });
  if (put.status !== 201 && put.status !== 200) throw new Error(`resource group PUT: ${put.status} ${put.text}`);
  const headers = { authorization: `Bearer ${await emu.token()}`, "content-type": "application/json" };
  return { url: `${emu.endpoint}${RG}`, ca: emu.caPem, headers, connections: CONNECTIONS, seconds: SECONDS };
}

async function main() {
  emit("etcd-store", { case: "machine", ...machine(), date: new Date().toISOString() });
  const cluster = await startEtcdCluster();
  const sqlite = await startEmulator({ latency: "instant" });
  const etcd = await startEmulator({ latency: "instant", args: ["--store", cluster.storeUrl] });
  try {
    const targets = { sqlite: await target(sqlite), etcd: await target(etcd) };
    const body = JSON.stringify({ location: "westus2", tags: { bench: "1" } });
    const per: Record<string, LoadResult[]> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const [store, t] of Object.entries(targets)) {
        const get = await cannon({ ...t, warmupSeconds: round === 0 ? 1 : 0 });
        const put = await cannon({ ...t, method: "PUT", body, warmupSeconds: round === 0 ? 1 : 0 });
        (per[`${store} GET`] ??= []).push(get);
        (per[`${store} PUT`] ??= []).push(put);
        emit("etcd-store", { store, round, loadAverage: loadAverage(), get, put });
      }
    }
    const rows = Object.entries(per).map(([name, xs]) => {
      const base = per[`sqlite ${name.split(" ")[1]}`]!;
      return [name, median(xs.map((r) => r.rps)), median(xs.map((r) => r.p50ms)), median(xs.map((r) => r.p99ms)), median(xs.map((r, i) => r.rps / base[i]!.rps))];
    });
    table(`ARM resource group GET/PUT through aksemu, SQLite vs 3-member etcd (${CONNECTIONS} connections, ${ROUNDS} rounds x ${SECONDS} s; load average now ${loadAverage()})`, ["store / case", "req/s", "p50 ms", "p99 ms", "req/s ÷ SQLite (median round)"], rows);
  } finally {
    await etcd.stop();
    await sqlite.stop();
    await cluster.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
