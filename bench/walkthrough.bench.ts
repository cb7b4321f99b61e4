// The seed walkthrough's wall time with azl (issue 6): runs the walkthrough test's step cases
// (steps 1-19, each step one or more real azl processes against a real emulator, instant
// profile, including emulator start-up), three times, and `node -e 0` in the same run as the
// baseline for process start-up. Run: node dist/bench/walkthrough.bench.js
import { spawnSync } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "../test/helpers/emulator.js";
import { emit, machine, median, table } from "./lib.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function timeIt(args: string[], timeoutMs: number): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: REPO_ROOT, stdio: "pipe", timeout: timeoutMs, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`failed: ${args.join(" ")}\n${r.stdout}\n${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

emit("walkthrough", { case: "machine", ...machine(), date: new Date().toISOString() });
const walk: number[] = [];
for (let i = 0; i < RUNS; i++) {
  walk.push(timeIt(["--test", "--test-name-pattern=^steps? ", path.join("dist/test/walkthrough/walkthrough.test.js")], 600_000));
}
const node: number[] = [];
for (let i = 0; i < 10; i++) node.push(timeIt(["-e", "0"], 30_000));
emit("walkthrough", { case: "walkthrough-steps-1-19", runsMs: walk, medianMs: median(walk) });
emit("walkthrough", { case: "node-e-0", runsMs: node, medianMs: median(node) });
table(`Seed walkthrough with azl, steps 1-19 (+ the extra commands steps 15-16 need), instant profile, ${RUNS} runs`, ["case", "median ms", "x node -e 0"], [
  ["node -e 0 (baseline)", median(node), 1],
  ["walkthrough steps 1-19", median(walk), median(walk) / median(node)],
]);
