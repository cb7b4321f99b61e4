// The current Azure CLI (pinned, .tools/az-venv) against the emulator: `az group show` wall time
// (5 runs, after `aksemu setup az`) beside `node -e 0` and Debian's az 2.45 when present, in the
// same run; then the seed walkthrough with the current az (the az-current test's step cases,
// steps 1-19, instant profile, emulator start-up and `aksemu setup az` included) and with azl
// (the walkthrough test's step cases), in the same run.
// Run: npm run build && node scripts/run-bench.mjs az-current   (needs `npm run clients`)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT, startEmulator } from "../test/helpers/emulator.js";
import { setupAz } from "../test/helpers/az.js";
import { CURRENT_AZ } from "../test/helpers/clients.js";
import { emit, machine, median, table } from "./lib.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WALK_RUNS = Number(process.env.BENCH_WALK_RUNS ?? 1);

function timeIt(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: REPO_ROOT, env, stdio: "pipe", timeout: timeoutMs, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`failed: ${cmd} ${args.join(" ")}\n${r.stdout}\n${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

if (!fs.existsSync(CURRENT_AZ)) {
  console.error(`${CURRENT_AZ} missing: npm run clients`);
  process.exit(1);
}
emit("az-current", { case: "machine", ...machine(), date: new Date().toISOString() });
const node: number[] = [];
for (let i = 0; i < 10; i++) node.push(timeIt(process.execPath, ["-e", "0"], process.env, 30_000));
const rows: Array<Array<string | number>> = [["node -e 0 (baseline)", median(node), 1]];
// One emulator (and so one az config dir) per az: their MSAL token caches are not compatible.
for (const [label, azPath] of [["current az: az group show", CURRENT_AZ], ["Debian az 2.45: az group show", "/usr/bin/az"]] as const) {
  if (!fs.existsSync(azPath)) continue;
  const emu = await startEmulator({ latency: "instant" });
  try {
    const s = await setupAz(emu, { azPath, timeoutMs: 600_000 });
    const env = { ...process.env, ...s.env };
    timeIt(azPath, ["group", "create", "-n", "bench-rg", "-l", "westus2", "-o", "none"], env, 300_000);
    const t: number[] = [];
    for (let i = 0; i < RUNS; i++) t.push(timeIt(azPath, ["group", "show", "-n", "bench-rg", "-o", "none"], env, 300_000));
    emit("az-current", { case: label, runsMs: t, medianMs: median(t) });
    rows.push([label, median(t), median(t) / median(node)]);
  } finally {
    await emu.stop();
  }
}
// the same steps with azl (test/walkthrough/walkthrough.test.ts), interleaved, so both walkthroughs share a run
const walk: number[] = [];
const walkAzl: number[] = [];
for (let i = 0; i < WALK_RUNS; i++) {
  walk.push(timeIt(process.execPath, ["--test", "--test-name-pattern=^steps? ", path.join("dist/test/walkthrough/az-current.test.js")], process.env, 3_600_000));
  walkAzl.push(timeIt(process.execPath, ["--test", "--test-name-pattern=^steps? ", path.join("dist/test/walkthrough/walkthrough.test.js")], process.env, 600_000));
}
if (walk.length > 0) {
  emit("az-current", { case: "walkthrough-steps-1-19", runsMs: walk, medianMs: median(walk) });
  emit("az-current", { case: "walkthrough-steps-1-19-azl", runsMs: walkAzl, medianMs: median(walkAzl) });
  rows.push(["seed walkthrough steps 1-19 (current az)", median(walk), median(walk) / median(node)]);
  rows.push(["seed walkthrough steps 1-19 (azl)", median(walkAzl), median(walkAzl) / median(node)]);
}
table(`Current az against the emulator (${RUNS} runs of group show, ${WALK_RUNS} walkthrough run(s))`, ["case", "median ms", "x node -e 0"], rows);
