// A real single-member etcd for tests and benchmarks: the pinned binary scripts/clients.mjs builds
// (.tools/bin/etcd), on free loopback ports, in a private temporary data directory (0700, which
// etcd requires), with the limits the Kv interface assumes (ETCD_LIMITS). Stopped with SIGKILL
// and its directory removed.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { ETCD_LIMITS } from "../../src/store/kv.js";
import { ETCD } from "./clients.js";

export interface EtcdServer {
  endpoint: string;
  stop(): Promise<void>;
}

/** A free loopback port (the etcd helpers share it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Start etcd and wait until /health says so (bounded: 30 s). */
export async function startEtcd(opts: { bin?: string; fsync?: boolean } = {}): Promise<EtcdServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aksemu-etcd-"));
  fs.chmodSync(dir, 0o700);
  const data = path.join(dir, "data");
  fs.mkdirSync(data, { mode: 0o700 });
  const [client, peer] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const log = fs.openSync(path.join(dir, "etcd.log"), "a");
  const args = [
    "--name", "aksemu-test",
    "--data-dir", data,
    "--listen-client-urls", endpoint,
    "--advertise-client-urls", endpoint,
    "--listen-peer-urls", peerUrl,
    "--initial-advertise-peer-urls", peerUrl,
    "--initial-cluster", `aksemu-test=${peerUrl}`,
    "--initial-cluster-token", `aksemu-test-${process.pid}-${client}`,
    "--max-txn-ops", String(ETCD_LIMITS.maxTxnOps),
    "--max-request-bytes", String(ETCD_LIMITS.maxRequestBytes),
    "--log-level", "warn",
    "--log-outputs", "stderr",
    ...(opts.fsync ? [] : ["--unsafe-no-fsync"]),
  ];
  const proc: ChildProcess = spawn(opts.bin ?? ETCD, args, { stdio: ["ignore", log, log] });
  fs.closeSync(log);
  let exited: string | undefined;
  const gone = new Promise<void>((resolve) =>
    proc.once("exit", (code, sig) => {
      exited = `exited (${sig ?? code})`;
      resolve();
    }),
  );
  const stop = async () => {
    if (!exited) {
      proc.kill("SIGKILL");
      await gone;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) {
      const tail = fs.readFileSync(path.join(dir, "etcd.log"), "utf8").slice(-2000);
      await stop();
      throw new Error(`etcd ${exited} before it was healthy:\n${tail}`);
    }
    try {
      const res = await fetch(`${endpoint}/health`);
      if (res.ok && ((await res.json()) as { health?: string }).health === "true") break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`etcd at ${endpoint} not healthy within 30 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { endpoint, stop };
}
