// `npm start` and signals: npm runs the server under `sh -c` and passes a SIGTERM on to that shell
// only. The server must not outlive npm (it would keep its port and data directory).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT, tempDir } from "../helpers/emulator.js";

const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, cond: () => boolean, log: () => string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}:\n${log()}`);
}

// SIGTERM to npm alone (a process manager stopping it); SIGHUP to npm's whole process group, as a
// terminal that closes sends it.
for (const [signal, group] of [["SIGTERM", false], ["SIGHUP", true]] as const) {
  test(`${signal} to \`npm start\`${group ? "'s process group (terminal closed)" : ""} stops the server it started`, async () => {
    const dataDir = tempDir("aksemu-npm-start-");
    const npm = spawn(NPM, ["start"], {
      cwd: REPO_ROOT,
      env: { ...process.env, AKSEMU_PORT: "0", AKSEMU_DATA_DIR: dataDir, AKSEMU_LATENCY: "instant" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, like a job in a terminal
    });
    let out = "";
    npm.stdout.on("data", (c) => (out += c));
    npm.stderr.on("data", (c) => (out += c));
    const runtime = path.join(dataDir, "aksemu.json");
    await until("READY", () => out.includes("READY "), () => out);
    const server = JSON.parse(fs.readFileSync(runtime, "utf8")) as { pid: number };
    assert.notEqual(server.pid, npm.pid, "the server is npm's grandchild, not npm");
    try {
      if (group) process.kill(-npm.pid!, signal);
      else npm.kill(signal);
      await until("the server to exit", () => !alive(server.pid), () => out);
      assert.ok(!fs.existsSync(runtime), "a graceful shutdown removes aksemu.json");
    } finally {
      if (alive(server.pid)) process.kill(server.pid, "SIGKILL");
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
