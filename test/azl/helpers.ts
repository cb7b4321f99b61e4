// Test helpers for azl: an in-memory IO and a runner.
import { run } from "../../src/cli/azl/main.js";
import type { AzlIO } from "../../src/cli/azl/context.js";

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

export function fakeIO(env: NodeJS.ProcessEnv = {}, cwd = process.cwd()): AzlIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (s) => void out.push(s),
    stderr: (s) => void err.push(s),
    color: false,
    stdinIsTTY: false,
    env,
    cwd,
  };
}

export async function azl(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Captured> {
  const io = fakeIO(env);
  const code = await run(argv, io);
  return { code, stdout: io.out.join(""), stderr: io.err.join("") };
}
