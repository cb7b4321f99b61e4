// azl start-up benchmark: wall time of `azl group show -n bench` (a new Node.js process that
// takes its cached token and makes one ARM call through the Azure SDK for JS) against a running
// emulator, beside `node -e 0` (bare Node.js start-up) and the current az's `az group show`
// (.tools/az-venv, when installed), all in the same run; the ratio to `node -e 0` is the figure.
// azl runs as users run it (dist/azl/azl.js, the `azl` bin) over the emulator's same-user Unix
// socket (its default when the data directory has one), and again with AZL_NO_LOCAL_SOCKET=1
// over HTTPS, plus tsc's unbundled output for comparison, and the floor for any Node.js client:
// a script that only reads the cached token and makes the same GET with node:http over the
// socket. Median of N runs each, interleaved (az: min(N, BENCH_AZ_RUNS=5) runs: each takes
// seconds). azl keeps a V8 code cache in $HOME/.azl (here the run's data directory), written by
// the first run: the warm-up runs make it, as a user's earlier commands do.
// BENCH_AZL_BASELINE=<another build's dist/azl/azl.js> times that build too, interleaved (before/after).
// Run: node dist/bench/azl.bench.js
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { startEmulator, AZL_BIN, REPO_ROOT } from "../test/helpers/emulator.js";
import { setupAz } from "../test/helpers/az.js";
import { CURRENT_AZ } from "../test/helpers/clients.js";
import { localSocketPath } from "../src/server/socket-path.js";
import { emit, machine, median, table } from "./lib.js";

const N = Number(process.env.BENCH_RUNS ?? 15);
const AZ_RUNS = Math.min(N, Number(process.env.BENCH_AZ_RUNS ?? 5));
const AZL_UNBUNDLED = path.join(REPO_ROOT, "dist/src/cli/azl.js");
const BASELINE = process.env.BENCH_AZL_BASELINE;

function timeRun(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    execFile(file, args, { env }, (err, _stdout, stderr) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (err) reject(new Error(`${file} ${args.join(" ")} failed: ${stderr}`));
      else resolve(ms);
    });
  });
}

async function main(): Promise<void> {
  const emu = await startEmulator({ latency: "instant" });
  try {
    // a minimal environment, as a fresh shell has (NODE_EXTRA_CA_CERTS, for one, costs every node start)
    const env = { PATH: process.env.PATH, HOME: emu.dataDir, AKSEMU_ENDPOINT: emu.endpoint, AKSEMU_DATA_DIR: emu.dataDir };
    const httpsEnv = { ...env, AZL_NO_LOCAL_SOCKET: "1" };
    const node = (args: string[], e: NodeJS.ProcessEnv = env) => timeRun(process.execPath, args, e);
    const show = ["group", "show", "-n", "bench", "-o", "none"];
    await node([AZL_BIN, "group", "create", "-n", "bench", "-l", "westus2", "-o", "none"]);
    const az = fs.existsSync(CURRENT_AZ) ? { ...env, ...(await setupAz(emu, { azPath: CURRENT_AZ, timeoutMs: 600_000 })).env } : undefined;
    if (!az) console.log(`${CURRENT_AZ} missing (npm run clients): the current az is not measured`);
    const sub = JSON.parse((await execFileText(process.execPath, [AZL_BIN, "account", "show", "--query", "id", "-o", "json"], env)).trim()) as string;
    const floorScript = path.join(emu.dataDir, "floor.cjs");
    fs.writeFileSync(floorScript, floorSource(localSocketPath(emu.dataDir, Number(new URL(emu.endpoint).port)), new URL(emu.endpoint).host, `/subscriptions/${sub}/resourcegroups/bench?api-version=2022-09-01`));
    // warm the OS file cache for every command
    await node(["-e", "0"]);
    await node([floorScript]);
    await node([AZL_BIN, ...show]);
    if (BASELINE) await node([BASELINE, ...show]);
    await node([AZL_BIN, ...show], httpsEnv);
    if (az) await timeRun(CURRENT_AZ, show, az);
    const s: Record<string, number[]> = { bare: [], floor: [], show: [], https: [], help: [], unbundled: [], az: [], baseline: [] };
    for (let i = 0; i < N; i++) {
      s.bare!.push(await node(["-e", "0"]));
      s.floor!.push(await node([floorScript]));
      s.show!.push(await node([AZL_BIN, ...show]));
      if (BASELINE) s.baseline!.push(await node([BASELINE, ...show]));
      s.https!.push(await node([AZL_BIN, ...show], httpsEnv));
      s.help!.push(await node([AZL_BIN, "group", "show", "--help"]));
      s.unbundled!.push(await node([AZL_UNBUNDLED, ...show]));
      if (az && i < AZ_RUNS) s.az!.push(await timeRun(CURRENT_AZ, show, az));
    }
    const m = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.length ? median(v) : NaN])) as Record<keyof typeof s, number>;
    const r = (x: number) => +(x / m.bare).toFixed(2);
    emit("azl-startup", {
      runs: N,
      nodeMedianMs: +m.bare.toFixed(1),
      floorHttpGetMedianMs: +m.floor.toFixed(1),
      ratioFloorToNode: r(m.floor),
      azlGroupShowMedianMs: +m.show.toFixed(1),
      ratioGroupShowToNode: r(m.show),
      azlGroupShowHttpsMedianMs: +m.https.toFixed(1),
      ratioGroupShowHttpsToNode: r(m.https),
      azlHelpMedianMs: +m.help.toFixed(1),
      ratioHelpToNode: r(m.help),
      unbundledGroupShowMedianMs: +m.unbundled.toFixed(1),
      ratioUnbundledToNode: r(m.unbundled),
      ...(BASELINE ? { baseline: BASELINE, baselineGroupShowMedianMs: +m.baseline.toFixed(1), ratioBaselineToNode: r(m.baseline) } : {}),
      ...(az ? { azRuns: AZ_RUNS, currentAzGroupShowMedianMs: +m.az.toFixed(1), ratioCurrentAzToNode: r(m.az) } : {}),
      machine: machine(),
    });
    table(`azl start-up (median of ${N} runs, ms)`, ["case", "median ms", "x node -e 0"], [
      ["node -e 0", m.bare, 1],
      ["floor: node:http GET over the socket with the cached token, no SDK", m.floor, r(m.floor)],
      ["azl group show --help (no network)", m.help, r(m.help)],
      ["azl group show -n bench (token cached, 1 ARM GET, local socket)", m.show, r(m.show)],
      ...(BASELINE ? [[`baseline build ${BASELINE} group show (local socket)`, m.baseline, r(m.baseline)]] : []),
      ["same over HTTPS (AZL_NO_LOCAL_SOCKET=1)", m.https, r(m.https)],
      ["unbundled (tsc output) azl group show -n bench", m.unbundled, r(m.unbundled)],
      ...(az ? [[`current az group show (${AZ_RUNS} runs)`, m.az, r(m.az)]] : []),
    ]);
  } finally {
    await emu.stop();
  }
}

function execFileText(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => execFile(file, args, { env }, (err, stdout, stderr) => (err ? reject(new Error(`${args.join(" ")}: ${stderr}`)) : resolve(stdout))));
}

/** The least a Node.js client does for `group show`: read azl's cached token, one GET over the socket, parse the JSON. */
function floorSource(socketPath: string, host: string, urlPath: string): string {
  return `const http = require("node:http"), fs = require("node:fs");
const cache = JSON.parse(fs.readFileSync(process.env.HOME + "/.azl/tokens.json", "utf8"));
const token = Object.values(cache).find((v) => v.token).token;
http.get({ socketPath: ${JSON.stringify(socketPath)}, path: ${JSON.stringify(urlPath)}, headers: { host: ${JSON.stringify(host)}, authorization: "Bearer " + token } }, (res) => {
  let body = "";
  res.on("data", (d) => (body += d));
  res.on("end", () => { JSON.parse(body); if (res.statusCode !== 200) { console.error(res.statusCode, body); process.exitCode = 1; } });
});
`;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
