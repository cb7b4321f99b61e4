// The same-user Unix socket (server/local-socket.ts): the same pipeline and the same token checks
// as HTTPS, only for the emulator's user (0600 socket in a 0700 directory: `nobody` is refused by
// the kernel), gone when the emulator stops; azl uses it when it is there and falls back to HTTPS
// when it is not (or when told not to).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { startEmulator, SUBSCRIPTION_ID, tempDir } from "../helpers/emulator.js";
import { localSocketPath } from "../../src/server/socket-path.js";
import { run } from "../../src/cli/azl/main.js";
import { fakeIO } from "../azl/helpers.js";
import { CONSOLE_API, CONSOLE_KEY_HEADER } from "../../src/console/access.js";

function viaSocket(socketPath: string, method: string, p: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path: p, headers: { host: "127.0.0.1", ...headers } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function azl(env: NodeJS.ProcessEnv, ...argv: string[]) {
  const io = fakeIO(env);
  const code = await run(argv, io);
  return { code, stdout: io.out.join(""), stderr: io.err.join("") };
}

const isRoot = process.getuid?.() === 0;

test("the local socket: owner-only, same token checks as HTTPS, removed on stop", async () => {
  const parent = tempDir();
  fs.chmodSync(parent, 0o755); // only the data directory's own modes stand between `nobody` and the socket
  const dataDir = path.join(parent, "d");
  const emu = await startEmulator({ dataDir });
  const sock = localSocketPath(dataDir, emu.port);
  try {
    assert.ok(fs.statSync(sock).isSocket(), `${sock} is a socket`);
    assert.equal(fs.statSync(sock).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(sock)).mode & 0o777, 0o700);
    assert.match(emu.output(), new RegExp(`Local socket: +${sock.replace(/[/.]/g, "\\$&")} \\(same user only`));

    const list = `/subscriptions?api-version=2022-12-01`;
    const anon = await viaSocket(sock, "GET", list);
    assert.equal(anon.status, 401);
    assert.equal(anon.body.error.code, "AuthenticationFailed");
    const forged = await viaSocket(sock, "GET", list, { authorization: "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0." });
    assert.equal(forged.status, 401);
    const ok = await viaSocket(sock, "GET", list, { authorization: `Bearer ${await emu.token()}` });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.value[0].subscriptionId, SUBSCRIPTION_ID);
    const token = await emu.token();
    const put = await new Promise<{ status: number; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
      const req = http.request(
        { socketPath: sock, method: "PUT", path: `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/sockrg?api-version=2021-04-01`, headers: { host: `127.0.0.1:${emu.port}`, authorization: `Bearer ${token}`, "content-type": "application/json" } },
        (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify({ location: "westus2" }));
    });
    assert.equal(put.status, 201);
    // absolute URLs handed out (here the delete's Location) name the HTTPS endpoint, never the socket
    const del = await viaSocket(sock, "DELETE", `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/sockrg?api-version=2021-04-01`, { host: `127.0.0.1:${emu.port}`, authorization: `Bearer ${token}` });
    assert.equal(del.status, 202);
    assert.match(String(del.headers.location), new RegExp(`^https://127\\.0\\.0\\.1:${emu.port}/`));
    // the web console's data API is for browsers on loopback TCP only, even with this run's key
    const key = /#key=(\S+)/.exec(emu.output())![1]!;
    const consoleApi = await viaSocket(sock, "GET", `${CONSOLE_API}/network`, { [CONSOLE_KEY_HEADER]: key });
    assert.equal(consoleApi.status, 403);
    assert.match(consoleApi.body.error.message, /loopback clients only/);

    if (isRoot) {
      // the kernel refuses another uid: connect(2) needs search permission on the 0700 directory
      const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "-e",
        `require("net").connect(${JSON.stringify(sock)}).on("connect", () => { console.log("connected"); process.exit(0); }).on("error", (e) => { console.log(e.code); process.exit(3); })`], { encoding: "utf8" });
      if (r.error) throw r.error;
      assert.equal(r.stdout.trim(), "EACCES", r.stderr);
      assert.equal(r.status, 3);
    } else console.log("local-socket test: not root, so the connect-as-nobody check is left to CI (which runs as root)");
  } finally {
    await emu.stop();
  }
  assert.equal(fs.existsSync(sock), false, "the socket is removed when the emulator stops");
});

test("azl uses the local socket when it is there, HTTPS when told not to or when the socket is stale", async () => {
  const dataDir = tempDir();
  const emu = await startEmulator({ dataDir });
  const home = tempDir();
  const env = { HOME: home, AKSEMU_ENDPOINT: emu.endpoint, AKSEMU_DATA_DIR: dataDir };
  const sock = localSocketPath(dataDir, emu.port);
  try {
    const c = await azl(env, "group", "create", "-n", "viasock", "-l", "westus2", "--debug");
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stderr, new RegExp(`Using the emulator's local socket ${sock.replace(/[/.]/g, "\\$&")}`));
    assert.equal(JSON.parse(c.stdout).name, "viasock");

    const h = await azl({ ...env, AZL_NO_LOCAL_SOCKET: "1" }, "group", "show", "-n", "viasock", "--debug");
    assert.equal(h.code, 0, h.stderr);
    assert.doesNotMatch(h.stderr, /local socket/);
    assert.equal(JSON.parse(h.stdout).name, "viasock");

    // A socket file nobody listens on any more (an emulator killed with -9 leaves one): azl
    // notices the refused connection and sends the same request over HTTPS.
    const aside = `${sock}.aside`;
    fs.renameSync(sock, aside);
    const stale = spawn(process.execPath, ["-e", `require("net").createServer().listen(${JSON.stringify(sock)}, () => process.kill(process.pid, "SIGKILL"))`]);
    await new Promise((r) => stale.once("exit", r));
    assert.ok(fs.statSync(sock).isSocket(), "a stale socket file is left");
    const s = await azl(env, "group", "show", "-n", "viasock", "--debug");
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stderr, /local socket .*: ECONNREFUSED; using HTTPS/);
    assert.equal(JSON.parse(s.stdout).name, "viasock");
    fs.rmSync(sock);
    fs.renameSync(aside, sock);

    // errors keep az's text through the socket
    const missing = await azl(env, "group", "show", "-n", "nope");
    assert.equal(missing.code, 3, missing.stderr);
    assert.equal(missing.stderr, "ERROR: (ResourceGroupNotFound) Resource group 'nope' could not be found.\nCode: ResourceGroupNotFound\nMessage: Resource group 'nope' could not be found.\n");
  } finally {
    await emu.stop();
  }
});

test("a data directory too deep for a socket address: no socket, the banner says why, azl uses HTTPS", async () => {
  const dataDir = path.join(tempDir(), "a-data-directory-whose-path-is-long-enough", "that-its-socket-would-not-fit-in-sun-path");
  const emu = await startEmulator({ dataDir });
  try {
    assert.ok(Buffer.byteLength(localSocketPath(dataDir, emu.port)) > 103);
    assert.match(emu.output(), /Local socket: +none: its path would be longer than a socket address allows \(103 bytes\)/);
    assert.equal(fs.existsSync(path.join(dataDir, "run")), false);
    const r = await azl({ HOME: tempDir(), AKSEMU_ENDPOINT: emu.endpoint, AKSEMU_DATA_DIR: dataDir }, "group", "create", "-n", "deep", "-l", "westus2", "--debug");
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /local socket/);
  } finally {
    await emu.stop();
  }
});
