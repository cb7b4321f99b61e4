#!/usr/bin/env node
// azl: the az-syntax client bundled with aksemu. It accepts az's command line for the
// API Server VNet Integration walkthrough and talks to the emulator only through the Azure SDK
// for JS (AKSEMU_ENDPOINT, default https://127.0.0.1:8443; CA from <AKSEMU_DATA_DIR>/ca.pem).
import { isatty } from "node:tty";
import { run } from "./azl/main.js";

const io = {
  stdout: (s: string) => process.stdout.write(s),
  stderr: (s: string) => process.stderr.write(s),
  // isatty, not process.stdin.isTTY: that getter opens a stream on stdin (a file stream loads a
  // dozen of Node's modules) for commands that never read it
  color: isatty(1) && isatty(2) && !process.env.NO_COLOR && process.env.AZURE_CORE_NO_COLOR !== "true",
  stdinIsTTY: isatty(0),
  stderrIsTTY: isatty(2),
  env: process.env,
  cwd: process.cwd(),
  // readline is loaded only when a command asks (it costs start-up time otherwise)
  prompt: async (q: string) => {
    const { createInterface } = await import("node:readline");
    return new Promise<string>((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      rl.question(q, (ans) => {
        rl.close();
        resolve(ans);
      });
    });
  },
};

run(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`ERROR: The command failed with an unexpected error. Here is the traceback:\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
