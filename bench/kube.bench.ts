// Kubernetes endpoint benchmark. Each measurement has a baseline taken in the same run, so
// results are ratios that survive machine noise:
//   - list latency (10,000 pods, JSON): KubeHost vs a bare Node https server answering the same bytes
//   - list as Table, first 500-item chunk: KubeHost vs a bare server answering that same chunk
//   - kubectl get pods: end-to-end vs `kubectl version --client` (process start cost)
//   - watch fan-out to 100 watchers: KubeHost vs a bare server writing the same lines
//   - pod creation through a Deployment: pods/s vs raw registry creates, one transaction each
//   - memory per idle cluster and per simulated node
// The store is the one the emulator ships: a durable SQLite file (WAL, group commit); BENCH_STORE=memory
// for an in-memory one. A missing tool (kubectl) fails the run; nothing is reported as 0.
// Bounded (sizes via env: BENCH_PODS, BENCH_WATCHERS, BENCH_DEPLOY); prints JSON lines then a table.
// Run: npm run build && node dist/bench/kube.bench.js
import { execFile } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { strategyFor } from "../src/kube/catalog.js";
import { KubeHost, type KubeClusterSpec, type KubeNodeSpec } from "../src/cluster/kube-host.js";
import { CaPki } from "../src/server/pki.js";
import { SqliteStore } from "../src/store/sqlite-store.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const KUBECTL = path.join(root, ".tools/kubectl-v32");
const N_PODS = Number(process.env.BENCH_PODS ?? 10_000);
const N_WATCHERS = Number(process.env.BENCH_WATCHERS ?? 100);
const N_EVENTS = 50;
const N_DEPLOY = Number(process.env.BENCH_DEPLOY ?? 500);
const instant = { delay: () => 0 };

interface Result {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  note?: string;
}
const results: Result[] = [];
function report(r: Result): void {
  // A zero or missing figure means something did not run: fail rather than print it.
  if (!(r.value > 0) || (r.baseline !== undefined && !(r.baseline > 0))) throw new Error(`benchmark "${r.name}" measured nothing: ${JSON.stringify(r)}`);
  if (r.baseline !== undefined) r.ratio = Number((r.value / r.baseline).toFixed(2));
  r.note = [r.note, `load ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`].filter(Boolean).join("; ");
  results.push(r);
  console.log(JSON.stringify(r));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timeIt(n: number, fn: () => Promise<unknown>): Promise<number> {
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

function nodes(count: number, ipsPerNode = 30): KubeNodeSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `aks-nodepool1-12345678-vmss${String(i).padStart(6, "0")}`,
    pool: "nodepool1",
    mode: "System" as const,
    internalIP: `10.${224 + Math.floor(i / 200)}.${i % 200}.4`,
    podIPs: Array.from({ length: ipsPerNode }, (_, j) => `10.${224 + Math.floor(i / 200)}.${i % 200}.${5 + j}`),
    vmSize: "Standard_D4s_v3",
    osSku: "Ubuntu",
    nodeImageVersion: "AKSUbuntu-2204gen2containerd-202411.12.0",
    providerID: `azure:///bench/${i}`,
    maxPods: ipsPerNode,
  }));
}

function spec(id: string, n: KubeNodeSpec[]): KubeClusterSpec {
  return {
    id,
    name: id,
    resourceGroup: "rg",
    location: "eastus",
    nodeResourceGroup: `MC_rg_${id}_eastus`,
    kubernetesVersion: "1.31.2",
    fqdn: `${id}.hcp.eastus.azmk8s.io`,
    apiServerAddress: "https://172.19.0.4:443",
    serviceCidr: "10.0.0.0/16",
    dnsServiceIP: "10.0.0.10",
    networkPlugin: "azure",
    nodes: n,
  };
}

function get(port: number, ca: string, p: string, headers: Record<string, string> = {}, keep?: Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = https.request({ host: "127.0.0.1", port, path: p, ca, servername: "localhost", headers, agent: false }, (res) => {
      let n = 0;
      if (res.statusCode !== 200) reject(new Error(`GET ${p}: ${res.statusCode}`));
      res.on("data", (c: Buffer) => {
        n += c.length;
        keep?.push(c);
      });
      res.on("end", () => resolve(n));
    });
    r.on("error", reject);
    r.end();
  });
}

function run(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => execFile(bin, args, { env, timeout: 60_000, maxBuffer: 64 << 20 }, (err) => (err ? reject(err) : resolve())));
}

function memMB(): number {
  global.gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aksemu-bench-"));
  const pki = await CaPki.create();
  if (!fs.existsSync(KUBECTL)) throw new Error(`${KUBECTL} missing (node scripts/tools.mjs): this benchmark needs it`);
  const store = process.env.BENCH_STORE === "memory" ? SqliteStore.open(":memory:") : SqliteStore.open(path.join(dir, "state.db"));
  console.log(JSON.stringify({ machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAverage: os.loadavg() }, store: process.env.BENCH_STORE === "memory" ? "memory" : "sqlite file", date: new Date().toISOString() }));
  const host = new KubeHost({ store, pki, latency: instant, events: false });
  const server = await pki.issueServerCert({ commonName: "localhost", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
  const t0 = performance.now();
  try {
    // --- memory per idle cluster / per node -----------------------------------------------
    const heap0 = memMB();
    const idleIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const s = spec(`idle${i}`, nodes(3));
      await host.ensureRunning(s);
      await host.idle(s.id);
      idleIds.push(s.id);
    }
    const heap1 = memMB();
    report({ name: "memory per idle cluster (3 nodes, AKS system pods)", value: Number(((heap1 - heap0) / 5).toFixed(2)), unit: "MB heap" });
    const big = spec("bignodes", nodes(53));
    await host.ensureRunning(big);
    await host.idle(big.id);
    const heap2 = memMB();
    report({ name: "memory per simulated node (+DaemonSet pods, lease)", value: Number((((heap2 - heap1) - (heap1 - heap0) / 5) / 50 * 1024).toFixed(1)), unit: "KB heap" });
    for (const id of [...idleIds, big.id]) await host.remove(id);

    // --- list 10,000 pods -------------------------------------------------------------------
    const listSpec = spec("list", nodes(3));
    const creds = await host.ensureRunning(listSpec);
    await host.idle(listSpec.id);
    const reg = host.registry(listSpec.id)!;
    const podS = strategyFor("pods");
    await reg.create(strategyFor("namespaces"), undefined, { metadata: { name: "bench" } }, { fieldManager: "bench" });
    await store.txn((tx) => {
      for (let i = 0; i < N_PODS; i++) {
        reg.createIn(tx, podS, "bench", { metadata: { name: `pod-${String(i).padStart(5, "0")}`, labels: { app: "bench", i: String(i % 10) } }, spec: { schedulerName: "bench-none", containers: [{ name: "c", image: "nginx:1.25" }] } }, { fieldManager: "bench", internal: true });
      }
    });
    await store.synced();
    await host.idle(listSpec.id);
    const auth = { Authorization: `Bearer ${creds.adminToken}` };
    const listPath = "/api/v1/namespaces/bench/pods";
    const tablePath = `${listPath}?limit=500`;
    const tableAccept = { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" };
    // The bare server answers each path with the exact bytes the emulator sent for it.
    const listBody: Buffer[] = [];
    const bytes = await get(creds.port, pki.caPem, listPath, auth, listBody);
    const tableBody: Buffer[] = [];
    const tableBytes = await get(creds.port, pki.caPem, tablePath, { ...auth, ...tableAccept }, tableBody);
    const payloads = new Map([["/list", Buffer.concat(listBody)], ["/table", Buffer.concat(tableBody)]]);
    if (JSON.parse(payloads.get("/list")!.toString()).items.length !== N_PODS) throw new Error("the list did not return every pod");
    const bare = https.createServer({ key: server.keyPem, cert: server.certPem }, (req, res) => {
      const payload = payloads.get(req.url ?? "")!;
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": String(payload.length) });
      res.end(payload);
    });
    await new Promise<void>((r) => bare.listen(0, "127.0.0.1", () => r()));
    const barePort = (bare.address() as { port: number }).port;
    // Interleaved, so load bursts on the shared machine hit both sides alike.
    const emuL: number[] = [];
    const baseL: number[] = [];
    for (let i = 0; i < 7; i++) {
      emuL.push(await timeIt(1, () => get(creds.port, pki.caPem, listPath, auth)));
      baseL.push(await timeIt(1, () => get(barePort, pki.caPem, "/list")));
    }
    report({ name: `list ${N_PODS} pods (JSON, ${(bytes / 1e6).toFixed(1)} MB)`, value: Number(median(emuL).toFixed(1)), unit: "ms", baseline: Number(median(baseL).toFixed(1)), note: "baseline: bare https server, same bytes; median of 7 interleaved" });
    const emuT: number[] = [];
    const baseT: number[] = [];
    for (let i = 0; i < 7; i++) {
      emuT.push(await timeIt(1, () => get(creds.port, pki.caPem, tablePath, { ...auth, ...tableAccept })));
      baseT.push(await timeIt(1, () => get(barePort, pki.caPem, "/table")));
    }
    report({ name: `list pods as Table, first 500-item chunk (${(tableBytes / 1e3).toFixed(0)} KB)`, value: Number(median(emuT).toFixed(1)), unit: "ms", baseline: Number(median(baseT).toFixed(1)), note: "baseline: bare server, the same 500-row Table bytes" });

    // --- kubectl get pods -------------------------------------------------------------------
    const kc = path.join(dir, "kubeconfig");
    fs.writeFileSync(kc, host.kubeconfig(listSpec.id, { user: "clusterAdmin", clusterName: "list", userName: "admin", contextName: "list", server: `https://127.0.0.1:${creds.port}`, tlsServerName: listSpec.fqdn }));
    const home = path.join(dir, "home");
    fs.mkdirSync(home);
    const env = { ...process.env, KUBECONFIG: kc, HOME: home };
    await run(KUBECTL, ["get", "pods", "-n", "kube-system"], env); // warm the discovery cache
    const getPods = await timeIt(5, () => run(KUBECTL, ["get", "pods", "-n", "kube-system"], env));
    const startup = await timeIt(5, () => run(KUBECTL, ["version", "--client"], env));
    report({ name: "kubectl get pods (kube-system)", value: Number(getPods.toFixed(0)), unit: "ms", baseline: Number(startup.toFixed(0)), note: "baseline: kubectl version --client (process start)" });
    const getAll = await timeIt(3, () => run(KUBECTL, ["get", "pods", "-n", "bench"], env));
    report({ name: `kubectl get pods (${N_PODS} pods, 500-item chunks)`, value: Number(getAll.toFixed(0)), unit: "ms", baseline: Number(startup.toFixed(0)) });
    bare.close();
    await host.remove(listSpec.id);

    // --- watch fan-out ------------------------------------------------------------------------
    const wSpec = spec("watch", nodes(1));
    const wc = await host.ensureRunning(wSpec);
    await host.idle(wSpec.id);
    const wreg = host.registry(wSpec.id)!;
    const cmS = strategyFor("configmaps");
    const fanout = async (port: number, p: string, headers: Record<string, string>, trigger: () => void | Promise<void>): Promise<number> => {
      let remaining = N_WATCHERS;
      const reqs: ReturnType<typeof https.request>[] = [];
      let started = 0;
      let startAll!: () => void;
      const ready = new Promise<void>((r) => (startAll = r));
      const done = new Promise<void>((resolve) => {
        for (let i = 0; i < N_WATCHERS; i++) {
          const r = https.request({ host: "127.0.0.1", port, path: p, ca: pki.caPem, servername: "localhost", headers, agent: false }, (res) => {
            if (++started === N_WATCHERS) startAll();
            let lines = 0;
            res.on("data", (c: Buffer) => {
              for (const b of c) if (b === 10) lines++;
              if (lines === N_EVENTS) {
                lines++;
                if (--remaining === 0) resolve();
              }
            });
            res.on("error", () => undefined);
          });
          r.on("error", () => undefined);
          r.end();
          reqs.push(r);
        }
      });
      await ready;
      const t = performance.now();
      await trigger();
      await done;
      const ms = performance.now() - t;
      for (const r of reqs) r.destroy();
      return ms;
    };
    const rv = String(store.revision());
    const emuFan = await fanout(wc.port, `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`, { Authorization: `Bearer ${wc.adminToken}` }, async () => {
      for (let i = 0; i < N_EVENTS; i++) await wreg.create(cmS, "default", { metadata: { name: `w-${i}` }, data: { i: String(i) } }, { fieldManager: "bench" });
    });
    const line = JSON.stringify({ type: "ADDED", object: wreg.get(cmS, "default", "w-0") }) + "\n";
    const streams = new Set<import("node:http").ServerResponse>();
    const bareW = https.createServer({ key: server.keyPem, cert: server.certPem }, (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.flushHeaders();
      streams.add(res);
    });
    await new Promise<void>((r) => bareW.listen(0, "127.0.0.1", () => r()));
    const baseFan = await fanout((bareW.address() as { port: number }).port, "/", {}, () => {
      for (let i = 0; i < N_EVENTS; i++) for (const s of streams) s.write(line);
    });
    report({ name: `watch fan-out: ${N_EVENTS} events to ${N_WATCHERS} watchers`, value: Number(emuFan.toFixed(1)), unit: "ms", baseline: Number(baseFan.toFixed(1)), note: "baseline: bare server writing the same lines" });
    for (const s of streams) s.end();
    bareW.close();
    await host.remove(wSpec.id);

    // --- pod creation through a Deployment ----------------------------------------------------
    const dSpec = spec("deploy", nodes(Math.ceil(N_DEPLOY / 100) + 1, 110));
    await host.ensureRunning(dSpec);
    await host.idle(dSpec.id);
    const dreg = host.registry(dSpec.id)!;
    // Baseline: the same number of unscheduled pods created one transaction each, straight into the registry.
    const tRaw = performance.now();
    for (let i = 0; i < N_DEPLOY; i++) {
      await dreg.create(podS, "default", { metadata: { name: `raw-${i}` }, spec: { schedulerName: "bench-none", containers: [{ name: "c", image: "nginx:1.25" }] } }, { fieldManager: "bench", internal: true });
    }
    await store.synced();
    const rawRate = N_DEPLOY / ((performance.now() - tRaw) / 1000);
    const tD = performance.now();
    await dreg.create(
      strategyFor("deployments", "apps"),
      "default",
      { metadata: { name: "rate" }, spec: { replicas: N_DEPLOY, selector: { matchLabels: { app: "rate" } }, template: { metadata: { labels: { app: "rate" } }, spec: { containers: [{ name: "c", image: "nginx:1.25" }] } } } },
      { fieldManager: "bench" },
    );
    for (;;) {
      await host.idle(dSpec.id);
      const d = dreg.get(strategyFor("deployments", "apps"), "default", "rate");
      if (d.status?.availableReplicas === N_DEPLOY) break;
      if (performance.now() - tD > 120_000) throw new Error("deployment did not converge in 120 s");
      await new Promise((r) => setTimeout(r, 10));
    }
    const rate = N_DEPLOY / ((performance.now() - tD) / 1000);
    report({ name: `pods Running via Deployment (${N_DEPLOY} replicas, scheduled + kubelet stages)`, value: Number(rate.toFixed(0)), unit: "pods/s", baseline: Number(rawRate.toFixed(0)), note: "baseline: raw registry creates of unscheduled pods, one transaction each, same store" });
    await host.remove(dSpec.id);
  } finally {
    await host.closeAll();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n${"benchmark".padEnd(72)} ${"value".padStart(10)} ${"baseline".padStart(10)} ${"ratio".padStart(7)}`);
  for (const r of results) {
    console.log(`${r.name.slice(0, 72).padEnd(72)} ${`${r.value} ${r.unit}`.padStart(10)} ${(r.baseline ?? "").toString().padStart(10)} ${(r.ratio ?? "").toString().padStart(7)}`);
  }
  console.log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
