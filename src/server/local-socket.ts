// The emulator's same-machine, same-user door: the ARM/Entra request pipeline (the same handler,
// the same bearer-token checks) served as plain HTTP on a Unix domain socket inside the private
// data directory, so a local client (azl) skips the TLS handshake and Node's root-store set-up.
// Who may connect is decided by the kernel: the socket is 0600 in a 0700 directory owned by the
// emulator's user, so connect(2) fails for every other uid (root excepted, who can read the CA
// key in the same directory anyway). Server authenticity rests on the same directory that
// holds ca.pem: whoever can place a socket there could replace the CA too.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { MAX_SOCKET_PATH } from "./socket-path.js";

export interface LocalSocket {
  path: string;
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * Serve `handler` on `socketPath`. The directory is created 0700 (or must already be a real
 * directory owned by this user; its mode is tightened to 0700); stale sockets in it are removed
 * (the data directory's lock is held, so no other emulator uses them). Returns why it is not
 * served instead when the path is too long for a socket address or the directory is not safe.
 */
export async function listenLocalSocket(socketPath: string, handler: Handler, checkContinue?: Handler): Promise<LocalSocket | { skipped: string }> {
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) return { skipped: `its path would be longer than a socket address allows (${MAX_SOCKET_PATH} bytes)` };
  const dir = path.dirname(socketPath);
  fs.mkdirSync(dir, { mode: 0o700, recursive: true });
  const st = fs.lstatSync(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) return { skipped: `${dir} is not a directory owned by this user` };
  if ((st.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
  for (const name of fs.readdirSync(dir)) if (name.endsWith(".sock")) fs.rmSync(path.join(dir, name), { force: true });
  const server = http.createServer(handler);
  if (checkContinue) server.on("checkContinue", checkContinue);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => {
      server.off("error", reject);
      resolve();
    });
  });
  fs.chmodSync(socketPath, 0o600);
  return {
    path: socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          fs.rmSync(socketPath, { force: true });
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
