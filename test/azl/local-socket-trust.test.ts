// Which socket azl trusts with a bearer token (cli/azl/local-socket.ts findLocalSocket): only one
// this user owns, in a run directory and a data directory this user owns and nobody else can
// write to. Otherwise another local user who can create files where azl looks (a `.aksemu` in a
// shared working directory, the default) would receive every token azl sends, without having to
// hold the emulator's port or a certificate its CA signed: azl must fall back to HTTPS, where the
// server still has to prove itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { tempDir } from "../helpers/emulator.js";
import { localSocketPath } from "../../src/server/socket-path.js";
import { findLocalSocket } from "../../src/cli/azl/local-socket.js";

const PORT = 48443;
const ENDPOINT = `https://127.0.0.1:${PORT}`;

async function withSocket(fn: (dataDir: string, sock: string) => void | Promise<void>): Promise<void> {
  const dataDir = tempDir();
  fs.chmodSync(dataDir, 0o700);
  const sock = localSocketPath(dataDir, PORT);
  fs.mkdirSync(path.dirname(sock), { mode: 0o700 });
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(sock, r));
  try {
    await fn(dataDir, sock);
  } finally {
    await new Promise((r) => server.close(r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

test("azl uses a socket of its own user in private directories", async () => {
  await withSocket((dataDir, sock) => {
    assert.equal(findLocalSocket({}, ENDPOINT, dataDir), sock);
  });
});

test("azl ignores a socket another user owns (its directories then are that user's too)", async () => {
  await withSocket((dataDir) => {
    const me = process.getuid!();
    assert.equal(findLocalSocket({}, ENDPOINT, dataDir, me + 1), undefined);
  });
});

test("azl ignores a socket in a run or data directory others can write to", async () => {
  await withSocket((dataDir, sock) => {
    fs.chmodSync(path.dirname(sock), 0o777);
    assert.equal(findLocalSocket({}, ENDPOINT, dataDir), undefined, "run directory writable by others");
    fs.chmodSync(path.dirname(sock), 0o700);
    fs.chmodSync(dataDir, 0o777);
    assert.equal(findLocalSocket({}, ENDPOINT, dataDir), undefined, "data directory writable by others");
    fs.chmodSync(dataDir, 0o770);
    assert.equal(findLocalSocket({}, ENDPOINT, dataDir), undefined, "data directory writable by its group");
  });
});

test("azl ignores a symbolic link where the socket should be", async () => {
  await withSocket((dataDir, sock) => {
    const real = `${sock}.real`;
    fs.renameSync(sock, real);
    fs.symlinkSync(real, sock);
    assert.equal(findLocalSocket({}, ENDPOINT, dataDir), undefined);
  });
});
