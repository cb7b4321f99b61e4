// Runs every benchmark under dist/bench one after another (bounded each), printing their output.
// Usage: node scripts/run-bench.mjs [name-filter ...]   (after npm run build)
import { readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";

const filters = process.argv.slice(2);
const files = readdirSync("dist/bench").filter((f) => f.endsWith(".bench.js") && (filters.length === 0 || filters.some((x) => f.includes(x)))).sort();
let failed = 0;
for (const f of files) {
  console.log(`\n===== ${f} =====`);
  const r = spawnSync(process.execPath, ["--expose-gc", `dist/bench/${f}`], { stdio: "inherit", timeout: 15 * 60_000 });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
