// Test helper: configure a real Azure CLI for a started test emulator through
// `aksemu setup az`, and run az commands with the right environment and a timeout.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { AKSEMU_BIN, type RunningEmulator } from "./emulator.js";

export interface AzResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type Az = (args: string[], opts?: { timeoutMs?: number }) => Promise<AzResult>;

/** Where an az binary is (AKSEMU_AZ, /usr/bin/az, or `az` on PATH), or undefined. */
export function findAz(): string | undefined {
  const candidates = [process.env.AKSEMU_AZ, "/usr/bin/az", ...(process.env.PATH ?? "").split(path.delimiter).map((d) => path.join(d, "az"))];
  for (const c of candidates) {
    if (!c) continue;
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return c;
    } catch {
      /* next */
    }
  }
  return undefined;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<AzResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c) => (stderr += c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: stderr + String(e) });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? -2 : code ?? (signal ? 128 : -1), stdout, stderr: timedOut ? `${stderr}\n[timed out after ${timeoutMs} ms]` : stderr });
    });
  });
}

/**
 * Run `aksemu setup az` for `emu` (config dir <dataDir>/azure-cli) and return an `az` runner.
 * Throws with the set-up output when it fails.
 */
export async function setupAz(emu: RunningEmulator, opts: { azPath?: string; timeoutMs?: number } = {}): Promise<{ az: Az; setupOutput: string; env: Record<string, string> }> {
  const azPath = opts.azPath ?? findAz();
  if (!azPath) throw new Error("az not found");
  const setup = await run(process.execPath, [AKSEMU_BIN, "setup", "az", "--data-dir", emu.dataDir, "--az", azPath], { ...process.env }, opts.timeoutMs ?? 150_000);
  if (setup.code !== 0) throw new Error(`aksemu setup az failed (${setup.code}):\n${setup.stdout}\n${setup.stderr}`);
  const env: Record<string, string> = {
    AZURE_CONFIG_DIR: path.join(emu.dataDir, "azure-cli"),
    REQUESTS_CA_BUNDLE: path.join(emu.dataDir, "ca-bundle.pem"),
    AZURE_CORE_COLLECT_TELEMETRY: "false",
    AZURE_CORE_NO_COLOR: "true",
  };
  const az: Az = (args, o = {}) => run(azPath, args, { ...process.env, ...env }, o.timeoutMs ?? 90_000);
  return { az, setupOutput: setup.stdout, env };
}
