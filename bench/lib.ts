// Shared benchmark helpers: bounded load generation over keep-alive HTTPS, percentiles,
// and output as JSON lines plus a table.
import { spawn } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import autocannon from "autocannon";
import os from "node:os";
import YAML from "yaml";
import { CaPki, issueListenerCert } from "../src/server/pki.js";
import { tempDir, SUBSCRIPTION_ID } from "../test/helpers/emulator.js";

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function median(xs: number[]): number {
  return percentile([...xs].sort((a, b) => a - b), 50);
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50ms: number;
  p99ms: number;
}

/** Run `concurrency` workers issuing requests until `total` are done (bounded) or `maxSeconds` pass. */
export async function load(opts: {
  url: string;
  method: string;
  ca: string;
  headers?: Record<string, string>;
  body?: string;
  concurrency: number;
  total: number;
  maxSeconds?: number;
  expect?: number[];
}): Promise<LoadResult> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: opts.concurrency, ca: opts.ca });
  const lat: number[] = [];
  let issued = 0;
  let errors = 0;
  const deadline = Date.now() + (opts.maxSeconds ?? 30) * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = process.hrtime.bigint();
      const req = https.request(opts.url, { method: opts.method, agent, headers: { ...opts.headers, ...(opts.body ? { "content-length": String(Buffer.byteLength(opts.body)) } : {}) } }, (res) => {
        res.resume();
        res.on("end", () => {
          lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
          if (opts.expect && !opts.expect.includes(res.statusCode ?? 0)) errors++;
          resolve();
        });
      });
      req.on("error", () => {
        errors++;
        resolve();
      });
      if (opts.body) req.write(opts.body);
      req.end();
    });
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (issued < opts.total && Date.now() < deadline) {
        issued++;
        await one();
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  lat.sort((a, b) => a - b);
  return { requests: lat.length, errors, seconds, rps: lat.length / seconds, p50ms: percentile(lat, 50), p99ms: percentile(lat, 99) };
}

export function machine(): Record<string, unknown> {
  return { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()}`, loadAverage: loadAverage() };
}

export function emit(bench: string, data: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench, ...data }));
}

export function table(title: string, head: string[], rows: Array<Array<string | number>>): void {
  const fmt = (v: string | number) => (typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v);
  const cells = [head, ...rows.map((r) => r.map(fmt))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? "").length)));
  console.log(`\n${title}`);
  for (const r of cells) console.log(r.map((c, i) => String(c).padEnd(widths[i]!)).join("  "));
}

/**
 * Drive one URL with autocannon (the load generator every ARM figure uses: one Node client with
 * pipelined-free keep-alive connections is not the bottleneck, unlike `load` above). Bounded by
 * `seconds`. Any non-2xx answer or connection error fails the benchmark instead of counting.
 */
export async function cannon(opts: {
  url: string;
  method?: "GET" | "PUT" | "POST" | "PATCH" | "DELETE";
  ca: string;
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  seconds: number;
  warmupSeconds?: number;
  /** Request paths taken in turn (instead of the url's path), e.g. several resources to spread writes over. */
  paths?: string[];
  /** Non-2xx statuses counted in `errors` instead of failing the run (e.g. 503 for a store conflict the server gave up on). */
  tolerate?: readonly number[];
}): Promise<LoadResult> {
  let next = 0;
  const paths = opts.paths;
  const run = (duration: number) =>
    autocannon({
      url: opts.url,
      method: opts.method ?? "GET",
      headers: opts.headers,
      body: opts.body,
      connections: opts.connections,
      duration,
      tlsOptions: { ca: opts.ca },
      ...(paths ? { requests: [{ setupRequest: (req: { path: string }) => ({ ...req, path: paths[next++ % paths.length]! }) }] } : {}),
    } as autocannon.Options);
  if (opts.warmupSeconds) await run(opts.warmupSeconds);
  const r = await run(opts.seconds);
  const tolerated = Object.entries(r.statusCodeStats ?? {}).filter(([code]) => opts.tolerate?.includes(Number(code))).reduce((n, [, v]) => n + (v as { count: number }).count, 0);
  if (r.errors || r.non2xx > tolerated || r["2xx"] === 0) throw new Error(`${opts.method ?? "GET"} ${opts.url}: ${r["2xx"]} ok, ${r.non2xx} non-2xx, ${r.errors} errors (${r.timeouts} timeouts)`);
  return { requests: r["2xx"], errors: r.errors + r.non2xx, seconds: r.duration, rps: r["2xx"] / r.duration, p50ms: r.latency.p50, p99ms: r.latency.p99 };
}

/** The 1-minute load average, printed beside every run (the machine is shared; ratios are the figure). */
export function loadAverage(): string {
  return os.loadavg().map((x) => x.toFixed(2)).join(" ");
}

/** A tool a benchmark needs: missing means the benchmark fails, never a row of zeros. */
export function requireFile(file: string, how: string): string {
  if (!fs.existsSync(file)) throw new Error(`${file} missing (${how}); this benchmark needs it`);
  return file;
}

/**
 * CPU time (user + system, every thread) a process has used so far, in seconds, from /proc (Linux).
 * Missing /proc fails the benchmark rather than reporting 0.
 */
export function processCpuSeconds(pid: number): number {
  return cpuSecondsOf(`/proc/${pid}/stat`);
}

/** CPU time of one thread of a process (the main thread's id is the process id), from /proc. */
export function threadCpuSeconds(pid: number, tid: number): number {
  return cpuSecondsOf(`/proc/${pid}/task/${tid}/stat`);
}

function cpuSecondsOf(file: string): number {
  const stat = fs.readFileSync(file, "utf8");
  // Fields after the command name (which may hold spaces) in parentheses: utime is the 12th, stime the 13th.
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(f[11]) + Number(f[12]);
  if (!Number.isFinite(ticks)) throw new Error(`${file}: no CPU times in ${JSON.stringify(stat.slice(0, 80))}`);
  return ticks / CLOCK_TICKS;
}

/** USER_HZ: /proc reports CPU times in these ticks; 100 on every Linux Node.js supports. */
const CLOCK_TICKS = 100;

/** What lro needs of a client: the test helpers' `request` (status, text, headers, parsed body). */
export interface ArmRequester {
  request(method: string, path: string, body?: unknown): Promise<{ status: number; text: string; headers: Record<string, unknown>; body?: any }>;
}

/** Send an ARM request and, if it answers with Azure-AsyncOperation, poll it every `pollMs` until Succeeded. */
export async function lro(emu: ArmRequester, method: string, path: string, body?: unknown, pollMs = 5): Promise<void> {
  const r = await emu.request(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  const url = r.headers["azure-asyncoperation"] as string | undefined;
  if (!url) return;
  const u = new URL(url);
  for (;;) {
    const s = await emu.request("GET", u.pathname + u.search);
    if (s.body?.status === "Succeeded") return;
    if (s.body?.status && s.body.status !== "InProgress") throw new Error(`${path}: ${JSON.stringify(s.body)}`);
    await new Promise((res) => setTimeout(res, pollMs));
  }
}

/**
 * A bare Node.js HTTPS server in its own process (like the emulator, so both pay the same IPC and
 * scheduling costs) answering every request with the bytes the emulator sent for a resource-group
 * GET: same status, headers and body, so the load generator parses the same answer from both.
 */
export async function bareServer(answer: { headers: Record<string, string>; body: string }): Promise<{ url: string; ca: string; pid: number; stop: () => void }> {
  // Its own CA and an ECDSA P-256 certificate like the emulator's listener (the emulator's CA key is in its store).
  const pki = await CaPki.create();
  const cert = await issueListenerCert(pki, ["localhost", "127.0.0.1"]);
  const certDir = tempDir("aksemu-bench-bare-");
  fs.writeFileSync(path.join(certDir, "server.pem"), cert.certPem);
  fs.writeFileSync(path.join(certDir, "server-key.pem"), cert.keyPem, { mode: 0o600 });
  const code = `
    const https = require("node:https"); const fs = require("node:fs");
    const a = ${JSON.stringify(answer)};
    const s = https.createServer({ cert: fs.readFileSync(${JSON.stringify(path.join(certDir, "server.pem"))}), key: fs.readFileSync(${JSON.stringify(path.join(certDir, "server-key.pem"))}) },
      (req, res) => { req.resume(); req.on("end", () => { res.writeHead(200, a.headers); res.end(a.body); }); });
    s.keepAliveTimeout = 65000; s.listen(0, "127.0.0.1", () => console.log("PORT " + s.address().port));`;
  const p = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve) => p.stdout!.on("data", (c) => { const m = /PORT (\d+)/.exec(String(c)); if (m) resolve(Number(m[1])); }));
  return { url: `https://127.0.0.1:${port}/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/bench`, ca: pki.caPem, pid: p.pid!, stop: () => p.kill() };
}


/** The AKS API version the benchmarks create clusters with. */
export const AKS_API = "2026-06-01";
const NRP = "2024-05-01";

/** A VNet for BYO, VNet-integrated clusters: a delegated /18 for API servers, a /16 for nodes (1000 clusters fit both). */
export async function byoNetwork(emu: ArmRequester, vnet: string): Promise<void> {
  await lro(emu, "PUT", `${vnet}?api-version=${NRP}`, { location: "westus2", properties: { addressSpace: { addressPrefixes: ["10.0.0.0/14"] } } });
  // 1000 clusters x 9 addresses fit a /18; 1000 x 31 (Azure CNI, 1 node) fit the /16.
  await lro(emu, "PUT", `${vnet}/subnets/apiserver?api-version=${NRP}`, { properties: { addressPrefix: "10.0.0.0/18", delegations: [{ name: "aks", properties: { serviceName: "Microsoft.ContainerService/managedClusters" } }] } });
  await lro(emu, "PUT", `${vnet}/subnets/nodes?api-version=${NRP}`, { properties: { addressPrefix: "10.1.0.0/16" } });
}

/** A BYO, VNet-integrated cluster of one node in byoNetwork's subnets. */
export function byoClusterBody(vnet: string) {
  return {
    location: "westus2",
    identity: { type: "SystemAssigned" },
    properties: {
      agentPoolProfiles: [{ name: "nodepool1", count: 1, mode: "System", vmSize: "Standard_DS2_v2", vnetSubnetID: `${vnet}/subnets/nodes` }],
      networkProfile: { networkPlugin: "azure" },
      apiServerAccessProfile: { enableVnetIntegration: true, subnetId: `${vnet}/subnets/apiserver` },
    },
  };
}

/** The emulator process's CPU time so far, ms (Linux /proc). */
function cpuMs(pid: number): number {
  return processCpuSeconds(pid) * 1000;
}

/** Wait until the emulator is idle (CPU < 10% over 200 ms), at most 60 s: earlier clusters' simulations settled. */
export async function settle(pid: number): Promise<void> {
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    const c0 = cpuMs(pid);
    await new Promise((r) => setTimeout(r, 200));
    if (cpuMs(pid) - c0 < 20) return;
  }
  throw new Error("the emulator did not settle in 60 s");
}

/** The cluster's Kubernetes API, reached as kubectl would: admin kubeconfig from ARM, then GET /api/v1/nodes. */
export async function kubeReady(emu: ArmRequester, clusterPath: string): Promise<void> {
  const r = await emu.request("POST", `${clusterPath}/listClusterAdminCredential?api-version=${AKS_API}`);
  if (r.status !== 200) throw new Error(`listClusterAdminCredential: ${r.status} ${r.text}`);
  const kc = YAML.parse(Buffer.from(r.body.kubeconfigs[0].value, "base64").toString("utf8"));
  const cluster = kc.clusters[0].cluster;
  const user = kc.users[0].user;
  const u = new URL(cluster.server);
  const nodes = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const q = https.request(
      {
        host: u.hostname, port: u.port, path: "/api/v1/nodes", method: "GET",
        ca: Buffer.from(cluster["certificate-authority-data"], "base64"),
        servername: cluster["tls-server-name"] ?? u.hostname,
        ...(user.token ? { headers: { authorization: `Bearer ${user.token}` } } : { cert: Buffer.from(user["client-certificate-data"], "base64"), key: Buffer.from(user["client-key-data"], "base64") }),
      },
      (res) => {
        let t = "";
        res.on("data", (c) => (t += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: t }));
      },
    );
    q.on("error", reject);
    q.end();
  });
  if (nodes.status !== 200 || !(JSON.parse(nodes.text).items?.length > 0)) throw new Error(`GET /api/v1/nodes: ${nodes.status} ${nodes.text.slice(0, 300)}`);
}

