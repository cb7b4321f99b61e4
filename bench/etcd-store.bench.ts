// aksemu on etcd (issue 12), one command, one run, three parts (BENCH_PARTS=arm,scale,aks picks):
//   arm   - ARM resource group GET and PUT under autocannon: a bare Node.js HTTPS server (the
//           baseline, as bench/arm.bench.ts), `aksemu start` on SQLite, and `aksemu start --store
//           etcd://...` over a 3-member etcd (Debian's etcd-server, test/helpers/etcd-cluster.ts),
//           rounds interleaved so a burst of other work on the shared machine lands on all. PUT
//           twice: every connection on one resource group (each write conflicts with the last),
//           and spread over BENCH_RGS resource groups (independent writes, which the etcd
//           store's group commit can share a commit between).
//   scale - the same GET and spread PUT, with autocannon driving 1, 2, then 3 `aksemu start`
//           processes over one etcd (127.0.0.2, .3, .4, as test/helpers/fleet.ts), each process
//           its own BENCH_CONNECTIONS connections (and, for PUT, its own resource groups):
//           aggregate req/s.
//   aks   - AKS create (instant profile; a BYO, VNet-integrated cluster as bench/aks.bench.ts)
//           until the cluster's Kubernetes API lists its nodes, on SQLite and on etcd, samples
//           interleaved, each starting with the emulator idle; the resource group PUT beside it.
// Every load case reports the CPU per answered request (user + system, from /proc: Linux) of each
// aksemu process and of the three etcd members together: on a 2-core machine shared by the
// generator, the servers and etcd, req/s is what this machine gives, CPU per request is what it
// would cost with cores to spare (BENCHMARKS.md does the arithmetic for bigger machines).
// Knobs: BENCH_SECONDS (5), BENCH_ROUNDS (3), BENCH_CONNECTIONS (16), BENCH_RGS (32),
// BENCH_PROCESSES (3), BENCH_AKS_SAMPLES (5). Run: npm run build && node dist/bench/etcd-store.bench.js
import { startEmulator, SUBSCRIPTION_ID, type RunningEmulator } from "../test/helpers/emulator.js";
import { startEtcdCluster, type EtcdCluster } from "../test/helpers/etcd-cluster.js";
import { fleetAddress } from "../test/helpers/fleet.js";
import { AKS_API, bareServer, byoClusterBody, byoNetwork, cannon, emit, kubeReady, loadAverage, lro, machine, median, processCpuSeconds, settle, table, type LoadResult } from "./lib.js";

const PARTS = new Set((process.env.BENCH_PARTS ?? "arm,scale,aks").split(","));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RGS = Number(process.env.BENCH_RGS ?? 32);
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);
const AKS_SAMPLES = Number(process.env.BENCH_AKS_SAMPLES ?? 5);
const SUB = `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups`;
const RG_API = "api-version=2022-09-01";
const rgPath = (name: string) => `${SUB}/${name}?${RG_API}`;
const PUT_BODY = JSON.stringify({ location: "westus2", tags: { bench: "1" } });

type Row = Array<string | number>;
type Measured = LoadResult & { cpuUs: number; etcdCpuUs: number };

/** Sum of the CPU seconds of processes (etcd members, aksemu processes). */
const cpuOf = (pids: number[]) => pids.reduce((s, p) => s + processCpuSeconds(p), 0);

function etcdPids(cluster: EtcdCluster): number[] {
  return cluster.members.map((m) => {
    if (m.pid === undefined) throw new Error(`etcd member ${m.name} is not running`);
    return m.pid;
  });
}

/** An aksemu process ready for the load: token, the resource group "bench" and `rgs` more (updates, not creates, under load). */
async function prepare(emu: RunningEmulator, rgs: string[]) {
  for (const name of ["bench", ...rgs]) {
    const r = await emu.request("PUT", rgPath(name), { location: "westus2" });
    if (r.status !== 201 && r.status !== 200) throw new Error(`resource group PUT: ${r.status} ${r.text}`);
  }
  const headers = { authorization: `Bearer ${await emu.token()}`, "content-type": "application/json" };
  return { url: `${emu.endpoint}${rgPath("bench")}`, ca: emu.caPem, headers, connections: CONNECTIONS, seconds: SECONDS, pid: emu.proc.pid! };
}
type Target = Awaited<ReturnType<typeof prepare>>;

/**
 * Several loads at once (one per server), each with its server's CPU per answered request, plus
 * the etcd members' CPU per request of them all together (warm-up excluded).
 */
async function measuredAll(loads: Array<Parameters<typeof cannon>[0] & { pid: number }>, etcd: number[]): Promise<Measured[]> {
  const warm = loads.filter((o) => o.warmupSeconds);
  if (warm.length) await Promise.all(warm.map((o) => cannon({ ...o, seconds: o.warmupSeconds!, warmupSeconds: 0 })));
  const cpu0 = loads.map((o) => processCpuSeconds(o.pid));
  const e0 = cpuOf(etcd);
  const rs = await Promise.all(loads.map((o) => cannon({ ...o, warmupSeconds: 0 })));
  const etcdCpu = cpuOf(etcd) - e0;
  const total = rs.reduce((s, r) => s + r.requests, 0);
  return rs.map((r, i) => ({ ...r, cpuUs: ((processCpuSeconds(loads[i]!.pid) - cpu0[i]!) / r.requests) * 1e6, etcdCpuUs: (etcdCpu / total) * 1e6 }));
}

// ---------------- arm: bare vs SQLite vs etcd, one process each ----------------

async function armPart(cluster: EtcdCluster): Promise<void> {
  const etcd = etcdPids(cluster);
  const spread = Array.from({ length: RGS }, (_, i) => `bench-${i}`);
  const sqlite = await startEmulator({ latency: "instant" });
  const onEtcd = await startEmulator({ latency: "instant", args: ["--store", `${cluster.storeUrl}/bench-arm/`] });
  let bare: Awaited<ReturnType<typeof bareServer>> | undefined;
  try {
    const targets: Record<"sqlite" | "etcd", Target> = { sqlite: await prepare(sqlite, spread), etcd: await prepare(onEtcd, spread) };
    const sample = await sqlite.request("GET", rgPath("bench"));
    // Node adds date, connection and keep-alive itself.
    const headers = Object.fromEntries(Object.entries(sample.headers).filter(([k]) => !["date", "connection", "keep-alive", "transfer-encoding"].includes(k)).map(([k, v]) => [k, String(v)]));
    bare = await bareServer({ headers, body: sample.text });
    const per: Record<string, Measured[]> = {};
    const add = (name: string, r: Measured, round: number) => {
      (per[name] ??= []).push(r);
      emit("etcd-store", { part: "arm", case: name, round, loadAverage: loadAverage(), ...r });
    };
    for (let round = 0; round < ROUNDS; round++) {
      const warmupSeconds = round === 0 ? 1 : 0;
      const [b] = await measuredAll([{ url: bare.url, ca: bare.ca, connections: CONNECTIONS, seconds: SECONDS, warmupSeconds, pid: bare.pid }], etcd);
      add("bare HTTPS GET", b!, round);
      for (const [store, t] of Object.entries(targets)) {
        const paths = spread.map(rgPath);
        add(`${store} GET`, (await measuredAll([{ ...t, warmupSeconds }], etcd))[0]!, round);
        add(`${store} PUT, one RG`, (await measuredAll([{ ...t, method: "PUT", body: PUT_BODY, warmupSeconds }], etcd))[0]!, round);
        add(`${store} PUT, ${RGS} RGs`, (await measuredAll([{ ...t, method: "PUT", body: PUT_BODY, paths, warmupSeconds }], etcd))[0]!, round);
      }
    }
    const rows: Row[] = Object.entries(per).map(([name, xs]) => {
      const kind = name.replace(/^(sqlite|etcd|bare HTTPS) /, "");
      const sq = per[`sqlite ${kind}`];
      const ratio = (base: Measured[] | undefined) => (base ? median(xs.map((r, i) => r.rps / base[i]!.rps)) : "-");
      return [name, median(xs.map((r) => r.rps)), median(xs.map((r) => r.p50ms)), median(xs.map((r) => r.p99ms)), ratio(per["bare HTTPS GET"]), ratio(sq), median(xs.map((r) => r.cpuUs)), name.startsWith("etcd") ? median(xs.map((r) => r.etcdCpuUs)) : "-"];
    });
    table(`ARM resource group GET/PUT: bare HTTPS vs aksemu on SQLite vs aksemu on a 3-member etcd (${CONNECTIONS} connections, ${ROUNDS} rounds x ${SECONDS} s, medians; load average now ${loadAverage()})`,
      ["case", "req/s", "p50 ms", "p99 ms", "÷ bare", "÷ SQLite", "aksemu CPU µs/req", "etcd CPU µs/req (3 members)"], rows);
  } finally {
    bare?.stop();
    await onEtcd.stop();
    await sqlite.stop();
  }
}

// ---------------- scale: 1, 2, 3 aksemu processes over one etcd ----------------

async function scalePart(cluster: EtcdCluster): Promise<void> {
  const etcd = etcdPids(cluster);
  const store = `${cluster.storeUrl}/bench-scale/`;
  const procs: RunningEmulator[] = [];
  const targets: Target[] = [];
  const rows: Row[] = [];
  const base: Record<string, number> = {};
  try {
    for (let n = 1; n <= PROCESSES; n++) {
      // One at a time, as the fleet helper starts them; the new one's own resource groups.
      const emu = await startEmulator({ latency: "instant", args: ["--host", fleetAddress(n - 1), "--store", store] });
      procs.push(emu);
      const own = Array.from({ length: RGS }, (_, i) => `scale-p${n}-${i}`);
      targets.push({ ...(await prepare(emu, own)), paths: own.map(rgPath) } as Target);
      // Processes writing at once conflict on the store's fence; a txn that loses 100 times in a
      // row is answered 503 (retry): counted, not fatal, so the run shows the contention.
      for (const [kind, extra] of [["GET", {}], [`PUT, ${RGS} RGs per process`, { method: "PUT" as const, body: PUT_BODY, tolerate: [503] }]] as const) {
        const rounds: Measured[][] = [];
        for (let round = 0; round < ROUNDS; round++) {
          // GET reads "bench" through every process; PUT writes each process's own resource groups.
          const loads = targets.map((t) => ({ ...t, ...extra, ...(kind === "GET" ? { paths: undefined } : {}), warmupSeconds: round === 0 ? 1 : 0 }));
          const rs = await measuredAll(loads, etcd);
          rounds.push(rs);
          emit("etcd-store", { part: "scale", processes: n, case: kind, round, loadAverage: loadAverage(), aggregateRps: rs.reduce((s, r) => s + r.rps, 0), perProcess: rs });
        }
        const agg = median(rounds.map((rs) => rs.reduce((s, r) => s + r.rps, 0)));
        if (n === 1) base[kind] = agg;
        const allCpu = median(rounds.map((rs) => rs.reduce((s, r) => s + r.cpuUs * r.requests, 0) / rs.reduce((s, r) => s + r.requests, 0)));
        rows.push([n, kind, agg, agg / base[kind]!, Array.from({ length: n }, (_, i) => median(rounds.map((rs) => rs[i]!.rps)).toFixed(0)).join(" / "),
          median(rounds.map((rs) => Math.max(...rs.map((r) => r.p99ms)))), rounds.reduce((n, rs) => n + rs.reduce((m, r) => m + r.errors, 0), 0), allCpu, Array.from({ length: n }, (_, i) => median(rounds.map((rs) => rs[i]!.cpuUs)).toFixed(0)).join(" / "), median(rounds.map((rs) => rs[0]!.etcdCpuUs))]);
      }
    }
    table(`Scale-out: aggregate req/s of 1..${PROCESSES} aksemu processes over one 3-member etcd (${CONNECTIONS} connections per process, ${ROUNDS} rounds x ${SECONDS} s, medians; load average now ${loadAverage()})`,
      ["processes", "case", "aggregate req/s", "× 1 process", "req/s per process", "worst p99 ms", "503 answers (all rounds)", "aksemu CPU µs/req (all)", "CPU µs/req per process", "etcd CPU µs/req"], rows);
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

// ---------------- aks: create until the Kubernetes API lists nodes, SQLite vs etcd ----------------

async function aksPart(cluster: EtcdCluster): Promise<void> {
  const sqlite = await startEmulator({ latency: "instant" });
  const onEtcd = await startEmulator({ latency: "instant", args: ["--store", `${cluster.storeUrl}/bench-aks/`] });
  const RG = `${SUB}/bench`;
  const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet`;
  try {
    const emus = { sqlite, etcd: onEtcd };
    for (const emu of Object.values(emus)) {
      await emu.request("PUT", rgPath("bench"), { location: "westus2" });
      await byoNetwork(emu, VNET);
    }
    const creates: Record<string, number[]> = { sqlite: [], etcd: [] };
    const rgPuts: Record<string, number[]> = { sqlite: [], etcd: [] };
    for (let i = 0; i < AKS_SAMPLES; i++) {
      for (const [store, emu] of Object.entries(emus)) {
        await settle(emu.proc.pid!);
        const t0 = performance.now();
        await emu.request("PUT", rgPath("bench"), { location: "westus2", tags: { i: String(i) } });
        rgPuts[store]!.push(performance.now() - t0);
        const path = `${RG}/providers/Microsoft.ContainerService/managedClusters/c${i}`;
        const t1 = performance.now();
        await lro(emu, "PUT", `${path}?api-version=${AKS_API}`, byoClusterBody(VNET));
        await kubeReady(emu, path);
        creates[store]!.push(performance.now() - t1);
        emit("etcd-store", { part: "aks", store, sample: i, createMs: creates[store]!.at(-1), rgPutMs: rgPuts[store]!.at(-1), loadAverage: loadAverage() });
      }
    }
    const m = (xs: number[]) => median(xs);
    table(`AKS create (instant, BYO VNet-integrated, 1 node) until its Kubernetes API lists the node, median of ${AKS_SAMPLES} (load average now ${loadAverage()})`, ["store", "resource group PUT ms (baseline)", "AKS create ms", "create ÷ RG PUT", "create ÷ SQLite create"], [
      ["SQLite", m(rgPuts.sqlite!), m(creates.sqlite!), m(creates.sqlite!) / m(rgPuts.sqlite!), 1],
      ["etcd (3 members)", m(rgPuts.etcd!), m(creates.etcd!), m(creates.etcd!) / m(rgPuts.etcd!), m(creates.etcd!) / m(creates.sqlite!)],
    ]);
  } finally {
    await onEtcd.stop();
    await sqlite.stop();
  }
}

async function main() {
  emit("etcd-store", { case: "machine", ...machine(), date: new Date().toISOString() });
  const cluster = await startEtcdCluster();
  try {
    if (PARTS.has("arm")) await armPart(cluster);
    if (PARTS.has("scale")) await scalePart(cluster);
    if (PARTS.has("aks")) await aksPart(cluster);
  } finally {
    await cluster.stop();
  }
  emit("etcd-store", { case: "end", loadAverage: loadAverage(), date: new Date().toISOString() });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
