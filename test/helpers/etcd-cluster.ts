// A real 3-member etcd cluster on loopback for the scale-out tests: Debian's `etcd-server` package
// (/usr/bin/etcd, 3.4), each member with its own private data directory and client and peer ports,
// fsync on (the durability tests count what survives a member's kill -9). Members can be killed
// with SIGKILL and restarted on the same directory and ports; they rejoin and catch up from the
// others. Debian's package rather than the Go-module build of .tools/bin/etcd (v3.6, which the
// single-member conformance suite uses): the issue asks for the distribution's etcd, apt installs
// it in seconds where the Go build takes minutes, and 3.4 is the oldest etcd the store must work
// with (its limits are ETCD_LIMITS).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { freePort } from "./etcd-server.js";
import os from "node:os";
import path from "node:path";
import { ETCD_LIMITS } from "../../src/store/kv.js";

export const ETCD_SERVER = process.env.AKSEMU_ETCD_SERVER || "/usr/bin/etcd";

/** `skip` option for describe(): false when Debian's etcd is there; outside CI a reason naming the install command; in CI an error. */
export function needEtcdServer(): false | string {
  if (fs.existsSync(ETCD_SERVER)) return false;
  const reason = `etcd-server not installed (${ETCD_SERVER}); install it with: apt-get install etcd-server`;
  if (process.env.CI === "true") throw new Error(`CI=true: ${reason}`);
  return reason;
}

export interface EtcdMember {
  name: string;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  /** Whether its process is running. */
  readonly up: boolean;
  /** Its process id while it runs (benchmarks read its CPU time from /proc). */
  readonly pid: number | undefined;
  /** SIGKILL the member and wait for it to be gone. */
  kill9(): Promise<void>;
  /** Start it again on its data directory and ports (after kill9); resolves once it reports healthy. */
  restart(): Promise<void>;
  /** Its log so far (for failure messages). */
  log(): string;
}

export interface EtcdCluster {
  members: EtcdMember[];
  /** Client URLs of every member, as `--store etcd://` takes them: "127.0.0.1:p1,127.0.0.1:p2,...". */
  endpoints: string[];
  /** `etcd://host:port,host:port,...` */
  storeUrl: string;
  /** The member that is the raft leader now (asked of the running members' status; bounded: 30 s). */
  leader(): Promise<EtcdMember>;
  /** Make member the leader (etcd's MoveLeader, sent to the current leader); resolves once it is. */
  moveLeader(member: EtcdMember): Promise<void>;
  stop(): Promise<void>;
}

/** A member's status through its JSON gateway: its own id and the leader's it knows (0 = none). */
async function status(clientUrl: string): Promise<{ id: string; leader: string } | undefined> {
  try {
    const res = await fetch(`${clientUrl}/v3/maintenance/status`, { method: "POST", body: "{}", signal: AbortSignal.timeout(2000) });
    if (!res.ok) return undefined;
    const j = (await res.json()) as { header?: { member_id?: string }; leader?: string };
    return { id: String(j.header?.member_id ?? ""), leader: String(j.leader ?? "0") };
  } catch {
    return undefined;
  }
}

/** etcd's /health: true only when the member is part of a cluster with a leader. */
async function healthy(clientUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(2000) });
    return res.ok && ((await res.json()) as { health?: string }).health === "true";
  } catch {
    return false;
  }
}

/** Start `size` members (default 3) and wait until every one is healthy (bounded: 60 s). */
export async function startEtcdCluster(opts: { size?: number; bin?: string } = {}): Promise<EtcdCluster> {
  const size = opts.size ?? 3;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "aksemu-etcd-cluster-"));
  fs.chmodSync(root, 0o700);
  const specs: Array<{ name: string; client: string; peer: string; dataDir: string; logFile: string }> = [];
  for (let i = 0; i < size; i++) {
    const [client, peer] = [await freePort(), await freePort()];
    specs.push({ name: `m${i}`, client: `http://127.0.0.1:${client}`, peer: `http://127.0.0.1:${peer}`, dataDir: path.join(root, `m${i}`), logFile: path.join(root, `m${i}.log`) });
  }
  const initialCluster = specs.map((s) => `${s.name}=${s.peer}`).join(",");
  const token = `aksemu-test-${process.pid}-${path.basename(root)}`;

  const launches: Array<() => void> = [];
  const members: EtcdMember[] = specs.map((s) => {
    let proc: ChildProcess | undefined;
    let gone: Promise<void> = Promise.resolve();
    const launch = () => {
      // etcd refuses a data directory others can read.
      fs.mkdirSync(s.dataDir, { recursive: true, mode: 0o700 });
      const log = fs.openSync(s.logFile, "a");
      const p = spawn(opts.bin ?? ETCD_SERVER, [
        "--name", s.name,
        "--data-dir", s.dataDir,
        "--listen-client-urls", s.client,
        "--advertise-client-urls", s.client,
        "--listen-peer-urls", s.peer,
        "--initial-advertise-peer-urls", s.peer,
        "--initial-cluster", initialCluster,
        "--initial-cluster-state", "new", // ignored once the data directory holds a member (restart)
        "--initial-cluster-token", token,
        "--max-txn-ops", String(ETCD_LIMITS.maxTxnOps),
        "--max-request-bytes", String(ETCD_LIMITS.maxRequestBytes),
        "--logger", "zap",
        "--log-level", "warn",
        "--log-outputs", "stderr",
      ], { stdio: ["ignore", log, log] });
      fs.closeSync(log);
      proc = p;
      gone = new Promise<void>((resolve) => p.once("exit", () => resolve()));
    };
    const member: EtcdMember = {
      name: s.name,
      clientUrl: s.client,
      peerUrl: s.peer,
      dataDir: s.dataDir,
      get up() {
        return !!proc && proc.exitCode === null && proc.signalCode === null;
      },
      get pid() {
        return member.up ? proc!.pid : undefined;
      },
      async kill9() {
        if (member.up) proc!.kill("SIGKILL");
        await gone;
      },
      async restart() {
        if (member.up) throw new Error(`etcd member ${s.name} is still running`);
        launch();
        await waitHealthy([member], 60_000);
      },
      log: () => (fs.existsSync(s.logFile) ? fs.readFileSync(s.logFile, "utf8") : ""),
    };
    launches.push(launch);
    return member;
  });

  const stop = async () => {
    await Promise.all(members.map((m) => m.kill9()));
    fs.rmSync(root, { recursive: true, force: true });
  };
  // Members wait for each other to elect a leader: start all, then wait.
  for (const launch of launches) launch();
  try {
    await waitHealthy(members, 60_000);
  } catch (e) {
    await stop();
    throw e;
  }
  const endpoints = specs.map((s) => s.client.replace(/^http:\/\//, ""));
  const leader = async (): Promise<EtcdMember> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const st = await Promise.all(members.map((m) => (m.up ? status(m.clientUrl) : undefined)));
      const lead = st.find((x) => x && x.leader !== "0")?.leader;
      const i = st.findIndex((x) => x?.id === lead);
      if (i >= 0) return members[i]!;
      if (Date.now() > deadline) throw new Error("no etcd member is the leader after 30 s");
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const moveLeader = async (target: EtcdMember): Promise<void> => {
    const current = await leader();
    if (current === target) return;
    const id = (await status(target.clientUrl))?.id;
    if (!id) throw new Error(`etcd member ${target.name} does not answer its status`);
    const res = await fetch(`${current.clientUrl}/v3/maintenance/transfer-leadership`, { method: "POST", body: JSON.stringify({ targetID: id }), signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`MoveLeader to ${target.name}: ${res.status} ${await res.text()}`);
    const deadline = Date.now() + 30_000;
    while ((await leader()) !== target) {
      if (Date.now() > deadline) throw new Error(`etcd member ${target.name} did not become the leader in 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { members, endpoints, storeUrl: `etcd://${endpoints.join(",")}`, leader, moveLeader, stop };
}

async function waitHealthy(members: EtcdMember[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const down = members.filter((m) => !m.up);
    if (down.length) throw new Error(`etcd member ${down[0]!.name} exited before it was healthy:\n${down[0]!.log().slice(-2000)}`);
    const ok = await Promise.all(members.map((m) => healthy(m.clientUrl)));
    if (ok.every(Boolean)) return;
    if (Date.now() > deadline) {
      const bad = members.filter((_, i) => !ok[i]);
      throw new Error(`etcd members ${bad.map((m) => m.name).join(", ")} not healthy within ${timeoutMs / 1000} s:\n${bad[0]!.log().slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
