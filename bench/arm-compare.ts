// Before/after for the ARM front door: this build's emulator and another build's (BENCH_OTHER=<a
// worktree with its own `npm run build`, e.g. `git worktree add /tmp/before main`), started side
// by side, and a bare Node.js HTTPS server answering the emulator's bytes, measured alternately in
// the same rounds under the same autocannon load, so that both builds see the same machine.
// Reports req/s and each server's CPU per request from /proc (all threads, and the main thread
// alone), warm-up excluded; the order of the two builds alternates between rounds.
// BENCH_CASES=get (default) or get,put; BENCH_SECONDS per case (default 4) x BENCH_ROUNDS (default 4).
// Run: npm run build && BENCH_OTHER=/tmp/before node dist/bench/arm-compare.js
import path from "node:path";
import { startEmulator, SUBSCRIPTION_ID, type RunningEmulator } from "../test/helpers/emulator.js";
import { bareServer, cannon, emit, loadAverage, machine, median, processCpuSeconds, requireFile, table, threadCpuSeconds } from "./lib.js";

const OTHER = process.env.BENCH_OTHER;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const CASES = (process.env.BENCH_CASES ?? "get").split(",").map((c) => c.trim()) as Array<"get" | "put">;

interface Build {
  label: string;
  emu: RunningEmulator;
  token: string;
}

async function main() {
  if (!OTHER) throw new Error("BENCH_OTHER=<worktree of the other build, built with npm run build> is required");
  const otherHelpers = requireFile(path.join(path.resolve(OTHER), "dist/test/helpers/emulator.js"), `run npm run build in ${OTHER}`);
  const other = (await import(otherHelpers)) as { startEmulator: typeof startEmulator };
  emit("arm-compare", { case: "machine", ...machine(), date: new Date().toISOString(), other: OTHER });
  const builds: Build[] = [];
  for (const [label, start] of [["other", other.startEmulator], ["this", startEmulator]] as const) {
    const emu = await start({ latency: "instant" });
    const token = await emu.token();
    const put = await emu.request("PUT", `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/bench?api-version=2022-09-01`, { location: "westus2" });
    if (put.status >= 300) throw new Error(`${label}: resource group PUT ${put.status} ${put.text}`);
    builds.push({ label, emu, token });
  }
  const sample = await builds[1]!.emu.request("GET", `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/bench?api-version=2022-09-01`);
  if (sample.status !== 200) throw new Error(`resource group GET: ${sample.status} ${sample.text}`);
  const headers = Object.fromEntries(Object.entries(sample.headers).filter(([k]) => !["date", "connection", "keep-alive", "transfer-encoding"].includes(k)).map(([k, v]) => [k, String(v)]));
  const bare = await bareServer({ headers, body: sample.text });
  type Row = { rps: number; cpuUs: number; mainUs: number };
  const results = new Map<string, Row[]>();
  const add = (k: string, r: Row) => results.set(k, [...(results.get(k) ?? []), r]);
  try {
    const measure = async (pid: number, o: Parameters<typeof cannon>[0], warm: boolean): Promise<Row> => {
      if (warm) await cannon({ ...o, seconds: 1 });
      const cpu0 = processCpuSeconds(pid);
      const main0 = threadCpuSeconds(pid, pid);
      const r = await cannon(o);
      return { rps: r.rps, cpuUs: ((processCpuSeconds(pid) - cpu0) / r.requests) * 1e6, mainUs: ((threadCpuSeconds(pid, pid) - main0) / r.requests) * 1e6 };
    };
    const putBody = JSON.stringify({ location: "westus2", tags: { bench: "1" } });
    for (let round = 0; round < ROUNDS; round++) {
      const warm = round === 0;
      const base = await measure(bare.pid, { url: bare.url, ca: bare.ca, connections: CONNECTIONS, seconds: SECONDS }, warm);
      add("bare", base);
      emit("arm-compare", { case: "bare-https-get", round, loadAverage: loadAverage(), ...base });
      const order = round % 2 === 0 ? builds : [...builds].reverse();
      for (const kind of CASES) {
        for (const b of order) {
          const url = `${b.emu.endpoint}/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/bench?api-version=2022-09-01`;
          const o = { url, ca: b.emu.caPem, headers: { authorization: `Bearer ${b.token}`, "content-type": "application/json" }, connections: CONNECTIONS, seconds: SECONDS, ...(kind === "put" ? { method: "PUT" as const, body: putBody } : {}) };
          const r = await measure(b.emu.proc.pid!, o, warm);
          add(`${b.label} ${kind}`, r);
          emit("arm-compare", { case: `arm-rg-${kind}`, build: b.label, round, loadAverage: loadAverage(), ...r, rpsRatio: r.rps / base.rps, cpuRatio: base.cpuUs / r.cpuUs });
        }
      }
    }
  } finally {
    bare.stop();
    for (const b of builds) await b.emu.stop();
  }
  const rows = [...results].map(([k, rs]) => [
    k === "bare" ? "bare HTTPS GET (baseline)" : `${k.startsWith("other") ? `other build (${OTHER})` : "this build"}: resource group ${k.split(" ")[1]!.toUpperCase()}`,
    median(rs.map((r) => r.rps)),
    median(rs.map((r) => r.cpuUs)),
    median(rs.map((r) => r.mainUs)),
    rs.map((r) => r.cpuUs.toFixed(1)).join(" "),
    median(results.get("bare")!.map((b) => b.cpuUs)) / median(rs.map((r) => r.cpuUs)),
  ]);
  table(`ARM front door, two builds alternating (${ROUNDS} rounds x ${SECONDS} s, ${CONNECTIONS} connections; load average now ${loadAverage()})`, ["case", "req/s", "CPU µs/req", "main thread µs/req", "CPU µs/req per round", "CPU ratio bare ÷ case"], rows);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
