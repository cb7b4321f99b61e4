// Shared benchmark helpers: bounded load generation over keep-alive HTTPS, percentiles,
// and output as JSON lines plus a table.
import fs from "node:fs";
import https from "node:https";
import autocannon from "autocannon";
import os from "node:os";

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
}): Promise<LoadResult> {
  const run = (duration: number) =>
    autocannon({
      url: opts.url,
      method: opts.method ?? "GET",
      headers: opts.headers,
      body: opts.body,
      connections: opts.connections,
      duration,
      tlsOptions: { ca: opts.ca },
    } as autocannon.Options);
  if (opts.warmupSeconds) await run(opts.warmupSeconds);
  const r = await run(opts.seconds);
  if (r.errors || r.non2xx || r["2xx"] === 0) throw new Error(`${opts.method ?? "GET"} ${opts.url}: ${r["2xx"]} ok, ${r.non2xx} non-2xx, ${r.errors} errors (${r.timeouts} timeouts)`);
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
