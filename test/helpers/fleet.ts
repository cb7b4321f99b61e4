// Several aksemu front doors over one store, each on its own loopback address (127.0.0.2,
// 127.0.0.3, ...), for the scale-out tests. With `store` (an etcd:// URL, e.g. an
// etcd-cluster.ts cluster's storeUrl): separate `aksemu start` processes, each with its own private
// data directory. Without: one child process running the emulators over one SQLite store
// (fleet-child.ts), the in-process stand-in for several processes: same listeners, members,
// claims and handovers, one engine (and one process to kill).
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { emulatorAt, startEmulator, tempDir, type RunningEmulator } from "./emulator.js";

export interface Fleet {
  members: RunningEmulator[];
  /** kill -9 member i (in one child: halt it, writing nothing, as a killed process would). */
  kill?(i: number): Promise<void>;
  stop(): Promise<void>;
}

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), "fleet-child.js");

export function fleetAddress(i: number): string {
  return `127.0.0.${2 + i}`;
}

export async function startFleet(o: { count: number; store?: string; latency?: "instant" | "fast" | "realistic"; allowRunCommand?: boolean; leaseTtlSeconds?: number }): Promise<Fleet> {
  const latency = o.latency ?? "instant";
  if (o.store) {
    // One after another: two processes started at once over a store that already ran clusters
    // intermittently missed the 30 s start timeout (seen before kv-store.ts's fix for etcd 3.4's
    // early progress answers; not re-checked since). The CA and signing key are the store's
    // either way (shared-secret.ts).
    const members: RunningEmulator[] = [];
    try {
      const ttl = o.leaseTtlSeconds ? ["--lease-ttl", String(o.leaseTtlSeconds)] : [];
      for (let i = 0; i < o.count; i++) members.push(await startEmulator({ latency, allowRunCommand: o.allowRunCommand, args: ["--host", fleetAddress(i), "--store", o.store, ...ttl] }));
    } catch (e) {
      await Promise.all(members.map((m) => m.stop()));
      throw e;
    }
    return { members, kill: (i) => members[i]!.kill9(), stop: async () => void (await Promise.all(members.map((m) => m.stop()))) };
  }
  const dataDir = tempDir("aksemu-fleet-");
  const proc = spawn(process.execPath, [CHILD, dataDir, String(o.count), latency, o.allowRunCommand ? "1" : "0", String(o.leaseTtlSeconds ?? "")], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (c) => (out += c));
  proc.stderr!.on("data", (c) => (out += c));
  const endpoints = await new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fleet did not start in 60 s:\n${out}`)), 60_000);
    proc.stdout!.on("data", () => {
      const found = [...out.matchAll(/^READY (\d+) (https:\/\/\S+)$/gm)].map((m) => m[2]!);
      if (found.length === o.count) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`fleet exited with ${code}:\n${out}`));
    });
  });
  // stop() of any member stops the one child, i.e. all of them.
  const members = endpoints.map((e) => emulatorAt(e, dataDir, proc, () => out));
  const kill = async (i: number) => {
    proc.stdin!.write(`halt ${i}\n`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`member ${i} not halted in 30 s:\n${out}`)), 30_000);
      const check = () => {
        if (new RegExp(`^HALTED ${i}$`, "m").test(out)) {
          clearTimeout(timer);
          proc.stdout!.off("data", check);
          resolve();
        }
      };
      proc.stdout!.on("data", check);
      check();
    });
  };
  return { members, kill, stop: () => members[0]!.stop() };
}
