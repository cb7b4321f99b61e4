// The data directory is private (0700, files 0600, tightened on start for older directories),
// and one process owns it: a second start refuses, a stale PID in aksemu.json is not trusted.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { AKSEMU_BIN, startEmulator, SUBSCRIPTION_ID, tempDir } from "../helpers/emulator.js";

function modes(dir: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = fs.lstatSync(p);
    const want = st.isDirectory() ? 0o700 : 0o600;
    if ((st.mode & 0o777) !== want) out.push(`${path.relative(dir, p) || "."} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
  };
  walk(dir);
  return out;
}

/** As root (CI is): can the unprivileged `nobody` read the file? */
function nobodyCanRead(file: string): boolean {
  const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "cat", file], { encoding: "utf8" });
  if (r.error) throw r.error;
  return r.status === 0;
}

const isRoot = process.getuid?.() === 0;

test("data directory 0700, every file 0600, unreadable by other users; older directories are tightened once", async () => {
  const parent = tempDir();
  fs.chmodSync(parent, 0o755); // so only the data directory's own modes stand between `nobody` and state.db
  const dataDir = path.join(parent, "data");
  let emu = await startEmulator({ dataDir });
  try {
    assert.equal((await emu.request("PUT", `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/rg1?api-version=2021-04-01`, { location: "westeurope" })).status, 201);
    const files = fs.readdirSync(dataDir);
    for (const f of ["state.db", "state.db-wal", "ca.pem", "aksemu.json", "aksemu.lock"]) assert.ok(files.includes(f), `${f} in ${files}`);
    // The keys live in the store (shared by every process over it); only the CA's certificate is a file, for clients.
    for (const f of ["ca-key.pem", "entra-signing-key.pem", "server.pem", "server-key.pem"]) assert.ok(!files.includes(f), `${f} not in ${files}`);
    assert.deepEqual(modes(dataDir), [], "every path in the data directory is owner-only");
    if (isRoot) {
      assert.equal(nobodyCanRead(path.join(dataDir, "state.db")), false, "nobody cannot read state.db");
    } else console.log("data-dir test: not root, so the read-as-nobody check is left to CI (which runs as root)");
    await emu.stop();

    // What an older version left behind: world-readable directory and files.
    fs.chmodSync(dataDir, 0o755);
    for (const f of fs.readdirSync(dataDir)) fs.chmodSync(path.join(dataDir, f), 0o644);
    fs.mkdirSync(path.join(dataDir, "azure-cli"), { mode: 0o755 });
    fs.writeFileSync(path.join(dataDir, "azure-cli", "msal_token_cache.json"), "{}", { mode: 0o644 });
    fs.chmodSync(path.join(dataDir, "azure-cli"), 0o755);
    fs.chmodSync(path.join(dataDir, "azure-cli", "msal_token_cache.json"), 0o644);
    if (isRoot) assert.equal(nobodyCanRead(path.join(dataDir, "state.db")), true, "the loosened copy is readable (the check can fail)");
    emu = await startEmulator({ dataDir });
    assert.deepEqual(modes(dataDir), [], "tightened on start");
    const said = emu.output().split("\n").filter((l) => /tightened permissions/.test(l));
    assert.equal(said.length, 1, emu.output());
    assert.match(said[0]!, new RegExp(`tightened permissions in ${dataDir.replace(/[/.]/g, "\\$&")}`));
    if (isRoot) assert.equal(nobodyCanRead(path.join(dataDir, "state.db")), false);
    assert.equal((await emu.request("GET", `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/rg1?api-version=2021-04-01`)).status, 200, "state kept");
    await emu.stop();
    emu = await startEmulator({ dataDir });
    assert.doesNotMatch(emu.output(), /tightened permissions/, "said once: nothing to tighten the next time");
  } finally {
    await emu.stop();
  }
});

function runCli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [AKSEMU_BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (c) => (out += c));
    p.stderr.on("data", (c) => (out += c));
    const timer = setTimeout(() => p.kill("SIGKILL"), 30_000);
    p.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

test("one owner per data directory: a second start refuses; a stale PID is not trusted; kill -9 frees the directory", async () => {
  const dataDir = tempDir();
  let emu = await startEmulator({ dataDir });
  const bystander = spawn("sleep", ["120"], { stdio: "ignore" });
  try {
    const second = await runCli(["start", "--port", "0", "--data-dir", dataDir]);
    assert.equal(second.code, 1, second.out);
    assert.match(second.out, new RegExp(`already running with data directory .* on ${emu.endpoint.replace(/[/.]/g, "\\$&")} \\(pid ${emu.proc.pid}\\)`));
    assert.doesNotMatch(second.out, /READY/);
    assert.equal((await emu.request("GET", "/aksemu/health")).status, 200, "the first keeps serving");
    const status = await runCli(["status", "--data-dir", dataDir]);
    assert.equal(status.code, 0, status.out);
    assert.match(status.out, /running on/);

    // kill -9: the OS drops the lock; aksemu.json now names a dead PID, then a live unrelated one.
    await emu.kill9();
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, "aksemu.json"), "utf8"));
    info.pid = bystander.pid;
    fs.writeFileSync(path.join(dataDir, "aksemu.json"), JSON.stringify(info));
    const st = await runCli(["status", "--data-dir", dataDir]);
    assert.equal(st.code, 3, `a live but unrelated PID is not an aksemu: ${st.out}`);
    assert.match(st.out, /not running/);
    emu = await startEmulator({ dataDir });
    assert.equal((await emu.request("GET", "/aksemu/health")).status, 200, "starts despite the stale PID");
  } finally {
    bystander.kill("SIGKILL");
    await emu.stop();
  }
});
