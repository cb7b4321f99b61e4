// ARM front-door benchmark (issue: foundation): requests/s and p50/p99 of resource-group GET
// and PUT under autocannon (16 keep-alive connections by default), beside a bare Node.js HTTPS
// server answering the same resource-group JSON under the same generator, interleaved in rounds
// in the same run (the ratio is the figure), and start-up time to first answer. The bare server
// answers with the emulator's own response bytes (headers and body of a resource-group GET).
// Beside req/s, each case reports the server's CPU per request (user + system time of its process,
// all threads, from /proc: Linux): on a shared machine the generator's share of the CPU sets the
// bare server's rate, while CPU per request is what the server itself costs, so the ratio of CPU
// per request (bare ÷ emulator) is the capacity ratio with a core each.
// BENCH_PROFILE_DIR=<dir> writes the emulator's CPU profile (node --cpu-prof) there.
// Bounded: BENCH_SECONDS per case (default 5) x BENCH_ROUNDS (default 3).
// BENCH_CASES=get (or put, or get,put) runs only those cases beside the bare server, and skips the
// start-up runs: a quicker figure for one path (the bare baseline always runs in the same rounds).
// Run: npm run build && node dist/bench/arm.bench.js
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { startEmulator, tempDir, rawRequest, AKSEMU_BIN, SUBSCRIPTION_ID } from "../test/helpers/emulator.js";
import { bareServer, cannon, emit, loadAverage, machine, median, processCpuSeconds, table, type LoadResult } from "./lib.js";

const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? "16").split(",").map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CASES = new Set((process.env.BENCH_CASES ?? "get,put").split(",").map((c) => c.trim()));
const ALL_CASES = CASES.has("get") && CASES.has("put");

async function startupTimes(runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = tempDir("aksemu-bench-start-");
    const t0 = process.hrtime.bigint();
    const p = spawn(process.execPath, [AKSEMU_BIN, "start", "--port", "0", "--data-dir", dir, "--latency", "instant"], { stdio: ["ignore", "pipe", "pipe"] });
    const endpoint = await new Promise<string>((resolve, reject) => {
      let buf = "";
      p.stdout!.on("data", (c) => { buf += c; const m = /READY (\S+)/.exec(buf); if (m) resolve(m[1]!); });
      p.on("exit", (c) => reject(new Error(`exited ${c}`)));
    });
    const ca = fs.readFileSync(path.join(dir, "ca.pem"), "utf8");
    const r = await rawRequest(endpoint, ca, "GET", "/aksemu/health");
    if (r.status !== 200) throw new Error("health failed");
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
    p.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

async function main() {
  emit("arm", { case: "machine", ...machine(), date: new Date().toISOString() });
  const emu = await startEmulator({ latency: "instant", execArgv: process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [] });
  await emu.request("PUT", `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/bench?api-version=2022-09-01`, { location: "westus2" });
  const sample = await emu.request("GET", `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/bench?api-version=2022-09-01`);
  if (sample.status !== 200) throw new Error(`resource group GET: ${sample.status} ${sample.text}`);
  // Node adds date, connection and keep-alive itself.
  const headers = Object.fromEntries(Object.entries(sample.headers).filter(([k]) => !["date", "connection", "keep-alive", "transfer-encoding"].includes(k)).map(([k, v]) => [k, String(v)]));
  const bare = await bareServer({ headers, body: sample.text });
  try {
    const token = await emu.token();
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const rgUrl = `${emu.endpoint}/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/bench?api-version=2022-09-01`;
    const rows: Array<Array<string | number>> = [];
    const putBody = JSON.stringify({ location: "westus2", tags: { bench: "1" } });
    for (const c of CONNECTIONS) {
      // Rounds interleave the three cases so that a burst of other work on the shared machine
      // lands on all of them; the ratios are taken per round, and the median round is reported.
      const per: Record<"bare" | "get" | "put", Array<LoadResult & { cpuUs: number }>> = { bare: [], get: [], put: [] };
      /** One case under load, with the server's CPU per answered request (warm-up excluded). */
      const measured = async (pid: number, o: Parameters<typeof cannon>[0]) => {
        if (o.warmupSeconds) await cannon({ ...o, seconds: o.warmupSeconds, warmupSeconds: 0 });
        const cpu0 = processCpuSeconds(pid);
        const r = await cannon({ ...o, warmupSeconds: 0 });
        return { ...r, cpuUs: ((processCpuSeconds(pid) - cpu0) / r.requests) * 1e6 };
      };
      const emuPid = emu.proc.pid!;
      for (let round = 0; round < ROUNDS; round++) {
        const warm = round === 0 ? 1 : 0;
        const base = await measured(bare.pid, { url: bare.url, ca: bare.ca, connections: c, seconds: SECONDS, warmupSeconds: warm });
        per.bare.push(base);
        const load = loadAverage();
        emit("arm", { case: "bare-https-get", connections: c, round, loadAverage: load, ...base });
        const ratios: Record<string, number> = {};
        for (const kind of ["get", "put"] as const) {
          if (!CASES.has(kind)) continue;
          const r = kind === "get"
            ? await measured(emuPid, { url: rgUrl, ca: emu.caPem, headers: auth, connections: c, seconds: SECONDS, warmupSeconds: warm })
            : await measured(emuPid, { url: rgUrl, method: "PUT", ca: emu.caPem, headers: auth, body: putBody, connections: c, seconds: SECONDS, warmupSeconds: warm });
          per[kind].push(r);
          emit("arm", { case: `arm-rg-${kind}`, connections: c, round, loadAverage: loadAverage(), ...r });
          ratios[kind] = r.rps / base.rps;
          ratios[`${kind}Cpu`] = base.cpuUs / r.cpuUs;
        }
        emit("arm", { case: "ratios", connections: c, round, loadAverage: loadAverage(), ...ratios });
      }
      const getRatios = per.get.map((g, i) => g.rps / per.bare[i]!.rps);
      const putRatios = per.put.map((p, i) => p.rps / per.bare[i]!.rps);
      const getCpu = per.get.map((g, i) => per.bare[i]!.cpuUs / g.cpuUs);
      const putCpu = per.put.map((p, i) => per.bare[i]!.cpuUs / p.cpuUs);
      const med = (xs: Array<LoadResult & { cpuUs: number }>, f: (r: LoadResult & { cpuUs: number }) => number) => median(xs.map(f));
      const row = (name: string, xs: Array<LoadResult & { cpuUs: number }>, ratios: number[], cpuRatios: number[]) =>
        rows.push([c, name, med(xs, (r) => r.rps), med(xs, (r) => r.p50ms), med(xs, (r) => r.p99ms), median(ratios), ratios.map((x) => x.toFixed(2)).join(" "), med(xs, (r) => r.cpuUs), median(cpuRatios)]);
      row("bare HTTPS GET (baseline)", per.bare, per.bare.map(() => 1), per.bare.map(() => 1));
      if (per.get.length) row("ARM resource group GET", per.get, getRatios, getCpu);
      if (per.put.length) row("ARM resource group PUT", per.put, putRatios, putCpu);
      emit("arm", { case: "summary", connections: c, getRatioMedian: median(getRatios), putRatioMedian: median(putRatios), getCpuRatioMedian: median(getCpu), putCpuRatioMedian: median(putCpu), loadAverage: loadAverage() });
    }
    table(`ARM front door vs bare HTTPS under autocannon (${ROUNDS} rounds x ${SECONDS} s per case; load average now ${loadAverage()})`, ["conns", "case", "req/s", "p50 ms", "p99 ms", "req/s ratio (median round)", "per round", "server CPU µs/req", "CPU ratio bare ÷ case"], rows);
  } finally {
    bare.stop();
    await emu.stop();
  }
  if (!ALL_CASES) return;
  const starts = await startupTimes(5);
  emit("arm", { case: "startup-to-first-answer", runsMs: starts, medianMs: median(starts) });
  const nodeStarts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    await new Promise((r) => spawn(process.execPath, ["-e", "0"]).on("exit", r));
    nodeStarts.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  emit("arm", { case: "node-e-0-startup", runsMs: nodeStarts, medianMs: median(nodeStarts) });
  table("Start-up (fresh data directory, to first answered request), 5 runs", ["case", "median ms", "ratio"], [
    ["node -e 0 (baseline)", median(nodeStarts), 1],
    ["aksemu start → /aksemu/health 200", median(starts), median(starts) / median(nodeStarts)],
  ]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
