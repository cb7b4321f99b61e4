// azl start-up benchmark: wall time of `azl group show -n bench` (a new Node.js process that
// acquires a token and makes one ARM call through the Azure SDK for JS) against a running
// emulator, beside `node -e 0` (bare Node.js start-up) measured in the same run; the ratio is the
// figure. Median of N runs each, interleaved. The bundled azl (dist/azl/azl.js, what `npm run
// build` and the `azl` bin give) runs beside tsc's unbundled output (dist/src/cli/azl.js), which
// Node's ESM loader resolves file by file. Run: node dist/bench/azl.bench.js
import { execFile } from "node:child_process";
import path from "node:path";
import { startEmulator, AZL_BIN, REPO_ROOT } from "../test/helpers/emulator.js";
import { emit, machine, median, table } from "./lib.js";

const N = Number(process.env.BENCH_RUNS ?? 15);
const AZL_UNBUNDLED = path.join(REPO_ROOT, "dist/src/cli/azl.js");

function timeRun(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    execFile(process.execPath, args, { env }, (err, _stdout, stderr) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (err) reject(new Error(`${args.join(" ")} failed: ${stderr}`));
      else resolve(ms);
    });
  });
}

async function main(): Promise<void> {
  const emu = await startEmulator({ latency: "instant" });
  try {
    const env = { PATH: process.env.PATH, HOME: emu.dataDir, AKSEMU_ENDPOINT: emu.endpoint, AKSEMU_DATA_DIR: emu.dataDir };
    await timeRun([AZL_BIN, "group", "create", "-n", "bench", "-l", "westus2", "-o", "none"], env);
    // warm the OS file cache for both commands
    await timeRun(["-e", "0"], env);
    await timeRun([AZL_BIN, "group", "show", "-n", "bench", "-o", "none"], env);
    const bare: number[] = [];
    const show: number[] = [];
    const help: number[] = [];
    const unbundled: number[] = [];
    for (let i = 0; i < N; i++) {
      bare.push(await timeRun(["-e", "0"], env));
      show.push(await timeRun([AZL_BIN, "group", "show", "-n", "bench", "-o", "none"], env));
      help.push(await timeRun([AZL_BIN, "group", "show", "--help"], env));
      unbundled.push(await timeRun([AZL_UNBUNDLED, "group", "show", "-n", "bench", "-o", "none"], env));
    }
    const mBare = median(bare);
    const mShow = median(show);
    const mHelp = median(help);
    const mUnbundled = median(unbundled);
    emit("azl-startup", {
      runs: N,
      nodeMedianMs: +mBare.toFixed(1),
      azlGroupShowMedianMs: +mShow.toFixed(1),
      azlHelpMedianMs: +mHelp.toFixed(1),
      ratioGroupShowToNode: +(mShow / mBare).toFixed(2),
      ratioHelpToNode: +(mHelp / mBare).toFixed(2),
      unbundledGroupShowMedianMs: +mUnbundled.toFixed(1),
      ratioUnbundledToNode: +(mUnbundled / mBare).toFixed(2),
      machine: machine(),
    });
    table(`azl start-up (median of ${N} runs, ms)`, ["case", "median ms", "x node -e 0"], [
      ["node -e 0", mBare, 1],
      ["azl group show --help (no network)", mHelp, mHelp / mBare],
      ["azl group show -n bench (token cached, 1 ARM GET)", mShow, mShow / mBare],
      ["unbundled (tsc output) azl group show -n bench", mUnbundled, mUnbundled / mBare],
    ]);
  } finally {
    await emu.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
