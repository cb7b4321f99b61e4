#!/usr/bin/env node
// `aksemu`: start the emulator, show its status, reset its data, set up clients.
import fs from "node:fs";
import path from "node:path";
import https from "node:https";
import { isIP } from "node:net";
import { Emulator, VERSION } from "../emulator.js";
import { Latency } from "../arm/latency.js";
import { describeIsolation, isolation } from "../kube/run-command.js";
import { DataDirLock, DataDirLockedError, LOCK_FILE, PRIVATE_UMASK } from "../store/data-dir.js";
import { ACCEPTED_STORES, StoreConfigError, parseStoreLocation, type StoreLocation } from "../store/store-config.js";
import { parseLeaseTtl } from "../store/ownership.js";
import { describeStore } from "./store-cmd.js";

const HELP = `aksemu ${VERSION} - local emulator of Azure Kubernetes Service with API Server VNet Integration

Usage:
  aksemu start [--port <n>] [--data-dir <dir>] [--latency instant|fast|realistic] [--host <addr>] [--advertise-address <addr>]
               [--allow-run-command] [--verbose]
                  (--host: the address the listeners bind to; --advertise-address: the address clients reach this
                   process at, named in its endpoint, operation URLs and the kubeconfigs of the clusters it runs;
                   default: --host unless 0.0.0.0 or ::, else 127.0.0.1)
               [--store sqlite|etcd://host:port[,host:port...][/prefix/]] [--lease-ttl <seconds>]
                  (--store: where the state lives; SQLite in the data directory by default)
                  (--lease-ttl: 2-3600 s, default 10: how long this process's ownership leases last; when it
                   dies, another process over the same store takes over its operations and clusters within it)
                  (--allow-run-command: let 'az aks command invoke' run commands on this machine; off by default
                   because any local user who reaches the port can get a token)
  aksemu status [--data-dir <dir>] [--store <location>]
  aksemu reset [--data-dir <dir>] [--store <location>] [--yes]
  aksemu kubeconfig -g <rg> -n <cluster> [--admin] [--vnet] [--file <path>] [--data-dir <dir>]
                  (--vnet: the cluster as a machine inside its VNet sees it, e.g. a private cluster)
  aksemu inspect [kubelet-kubeconfig|dns|nodes|apiserver|all] -g <rg> -n <cluster> [--data-dir <dir>]
                  (read-only node-level views: where kubelets reach the API server, DNS records)
  aksemu setup az [--data-dir <dir>] [--config-dir <dir>] [--print] [--profile <api-profile>] [--az <path>]
                  [--az-version <x.y.z>] [--client-id <id>] [--client-secret <s>] [--tenant <id>]

Environment: AKSEMU_PORT (default 8443), AKSEMU_DATA_DIR (default ./.aksemu), AKSEMU_LATENCY (default fast),
  AKSEMU_STORE (same as --store; default sqlite), AKSEMU_LEASE_TTL (same as --lease-ttl; default 10),
  AKSEMU_ALLOW_RUN_COMMAND=1 (same as --allow-run-command), AKSEMU_ADVERTISE_ADDRESS (same as --advertise-address),
  AKSEMU_TIME_SCALE (default 1; e.g. 60 runs the clusters' clock a minute per second for CronJobs, deadlines, TTLs, HPA syncs).
`;

interface Args {
  _: string[];
  flags: Record<string, string | true>;
}

function parse(argv: string[]): Args {
  const out: Args = { _: [], flags: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith("--")) {
      const [k, v] = a.slice(2).split("=", 2) as [string, string | undefined];
      if (v !== undefined) out.flags[k] = v;
      else if (i + 1 < argv.length && !argv[i + 1]!.startsWith("--")) out.flags[k] = argv[++i]!;
      else out.flags[k] = true;
    } else if (a === "-h") out.flags.help = true;
    else if (/^-[gnf]$/.test(a) && i + 1 < argv.length) out.flags[a.slice(1)] = argv[++i]!;
    else out._.push(a);
  }
  return out;
}

/** An address a client can connect to: an IP that is not a wildcard, or a DNS host name. */
function validAddress(a: string): boolean {
  if (isIP(a)) return !["0.0.0.0", "::"].includes(a);
  return /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(a);
}

export function dataDirOf(flags: Record<string, string | true>): string {
  const d = typeof flags["data-dir"] === "string" ? flags["data-dir"] : process.env.AKSEMU_DATA_DIR || ".aksemu";
  return path.resolve(d);
}

interface RuntimeInfo {
  pid: number;
  port: number;
  endpoint: string;
  startedAt: string;
  version: string;
  /** The console link with this run's key (the file is owner-only, like the rest of the data directory). */
  consoleUrl?: string;
  /** Where the state lives (describeStore). */
  store?: string;
}

function readRuntime(dir: string): RuntimeInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "aksemu.json"), "utf8")) as RuntimeInfo;
  } catch {
    return undefined;
  }
}

/** Running = some process holds the data directory's lock (a PID in aksemu.json may be stale or reused). */
function running(dir: string): RuntimeInfo | undefined {
  if (!DataDirLock.isHeld(dir)) return undefined;
  return readRuntime(dir) ?? { pid: 0, port: 0, endpoint: "(starting)", startedAt: "", version: VERSION };
}

async function start(flags: Record<string, string | true>): Promise<void> {
  const dataDir = dataDirOf(flags);
  const portRaw = typeof flags.port === "string" ? flags.port : process.env.AKSEMU_PORT ?? "8443";
  const port = Number(portRaw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`aksemu: invalid --port '${portRaw}'`);
    process.exit(2);
  }
  let latency;
  try {
    latency = Latency.parse(typeof flags.latency === "string" ? flags.latency : process.env.AKSEMU_LATENCY);
  } catch (e) {
    console.error(`aksemu: ${(e as Error).message}`);
    process.exit(2);
  }
  const envAllow = process.env.AKSEMU_ALLOW_RUN_COMMAND;
  if (envAllow !== undefined && !["", "0", "1", "true", "false"].includes(envAllow.toLowerCase())) {
    console.error(`aksemu: invalid AKSEMU_ALLOW_RUN_COMMAND '${envAllow}' (1 or 0)`);
    process.exit(2);
  }
  const advertiseAddress = typeof flags["advertise-address"] === "string" ? flags["advertise-address"] : process.env.AKSEMU_ADVERTISE_ADDRESS || undefined;
  if (flags["advertise-address"] === true || (advertiseAddress !== undefined && !validAddress(advertiseAddress))) {
    console.error(`aksemu: invalid --advertise-address '${advertiseAddress ?? ""}' (an IP address or a host name clients can resolve, e.g. 127.0.0.2; not 0.0.0.0 or ::)`);
    process.exit(2);
  }
  let store: StoreLocation;
  try {
    if (flags.store === true) throw new StoreConfigError(`--store needs a value; accepted: ${ACCEPTED_STORES}`);
    store = typeof flags.store === "string" ? parseStoreLocation(flags.store, "--store") : parseStoreLocation(process.env.AKSEMU_STORE, "AKSEMU_STORE");
  } catch (e) {
    console.error(`aksemu: ${(e as Error).message}`);
    process.exit(2);
  }
  let leaseTtlSeconds: number;
  try {
    if (flags["lease-ttl"] === true) throw new Error("--lease-ttl needs a value (whole seconds from 2 to 3600)");
    leaseTtlSeconds = typeof flags["lease-ttl"] === "string" ? parseLeaseTtl(flags["lease-ttl"], "--lease-ttl") : parseLeaseTtl(process.env.AKSEMU_LEASE_TTL, "AKSEMU_LEASE_TTL");
  } catch (e) {
    console.error(`aksemu: ${(e as Error).message}`);
    process.exit(2);
  }
  const allowRunCommand = flags["allow-run-command"] === true || ["1", "true"].includes((envAllow ?? "").toLowerCase());
  const t0 = process.hrtime.bigint();
  let emu: Emulator;
  try {
    emu = await Emulator.start({
      dataDir,
      port,
      host: typeof flags.host === "string" ? flags.host : undefined,
      advertiseAddress,
      latency,
      allowRunCommand,
      store,
      leaseTtlSeconds,
      log: flags.verbose ? (l) => console.log(l) : undefined,
    });
  } catch (e) {
    if (e instanceof StoreConfigError) {
      console.error(`aksemu: ${e.message}`);
      process.exit(1);
    }
    if (!(e instanceof DataDirLockedError)) throw e;
    const prev = readRuntime(dataDir);
    console.error(`aksemu: already running with data directory ${dataDir}${prev ? ` on ${prev.endpoint} (pid ${prev.pid})` : ""}; ` +
      `another aksemu holds its lock (${path.join(dataDir, LOCK_FILE)}). Stop it first, or pass another --data-dir.`);
    process.exit(1);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const info: RuntimeInfo = { pid: process.pid, port: emu.port, endpoint: emu.endpoint, startedAt: new Date().toISOString(), version: VERSION, consoleUrl: emu.consoleUrl, store: describeStore(store, dataDir) };
  fs.writeFileSync(path.join(dataDir, "aksemu.json"), JSON.stringify(info, null, 2));
  const ca = path.join(dataDir, "ca.pem");
  const runCommand = allowRunCommand
    ? `on: commands run on this machine ${describeIsolation(await isolation())}`
    : "off ('az aks command invoke' is refused; enable with --allow-run-command or AKSEMU_ALLOW_RUN_COMMAND=1)";
  console.log(`aksemu ${VERSION} listening on ${emu.endpoint} (started in ${ms.toFixed(0)} ms, latency profile ${latency})
  ARM + Entra + metadata: ${emu.endpoint}
  Cloud metadata:         ${emu.endpoint}/metadata/endpoints?api-version=2022-09-01
  Web console:            ${emu.consoleUrl}
                            (read-only; the link's key is this run's, for you alone: do not share it)
  Subscription / tenant:  ${emu.env.subscriptionId} / ${emu.env.tenantId}
  CA certificate:         ${ca}
  Data directory:         ${dataDir}
  Run command:            ${runCommand}
  Local socket:           ${"path" in emu.localSocket ? `${emu.localSocket.path} (same user only; azl uses it, tokens checked as on HTTPS)` : `none: ${emu.localSocket.skipped}`}

Connect:
  azl (bundled az syntax):  export AKSEMU_ENDPOINT=${emu.endpoint} AKSEMU_DATA_DIR=${dataDir}
  real az:                  aksemu setup az --data-dir ${dataDir}
  Azure SDK for JS:         NODE_EXTRA_CA_CERTS=${ca}; new ClientSecretCredential("${emu.env.tenantId}", "any-client", "any-secret",
                              { authorityHost: "${emu.endpoint}", disableInstanceDiscovery: true }) and { endpoint: "${emu.endpoint}" }
  Terraform azurerm:        SSL_CERT_FILE=${path.join(dataDir, "ca-bundle.pem")} ARM_METADATA_HOSTNAME=127.0.0.1:${emu.port}
                              (the bundle, system CAs + this CA, is written by 'aksemu setup az')
READY ${emu.endpoint}`);
  let closing = false;
  const shutdown = async (sig: string) => {
    if (closing) return;
    closing = true;
    console.log(`aksemu: ${sig}, shutting down`);
    await emu.close();
    try {
      const cur = readRuntime(dataDir);
      if (cur?.pid === process.pid) fs.unlinkSync(path.join(dataDir, "aksemu.json"));
    } catch {
      /* already gone */
    }
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGHUP", () => void shutdown("SIGHUP"));
  // `npm start` runs us under `sh -c`, and npm passes a SIGTERM on to that shell only: a server
  // started by npm stops when its parent goes away (the orphan is re-parented).
  if (process.env.npm_lifecycle_event) {
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) void shutdown("parent process exited");
    }, 250).unref();
  }
}

/** --store or AKSEMU_STORE for status and reset; exit 2 when it cannot be used. */
function storeOf(flags: Record<string, string | true>): StoreLocation {
  try {
    if (flags.store === true) throw new StoreConfigError(`--store needs a value; accepted: ${ACCEPTED_STORES}`);
    return typeof flags.store === "string" ? parseStoreLocation(flags.store, "--store") : parseStoreLocation(process.env.AKSEMU_STORE, "AKSEMU_STORE");
  } catch (e) {
    console.error(`aksemu: ${(e as Error).message}`);
    process.exit(2);
  }
}

async function status(flags: Record<string, string | true>): Promise<void> {
  const dataDir = dataDirOf(flags);
  const info = running(dataDir);
  const store = storeOf(flags);
  let storeLine = "";
  if (store.kind === "etcd") {
    const { etcdStatus } = await import("./store-cmd.js");
    try {
      storeLine = await etcdStatus(store);
    } catch (e) {
      storeLine = `  store: ${(e as Error).message}`;
    }
  }
  if (!info) {
    console.log(`aksemu: not running (data directory ${dataDir})${storeLine ? `\n${storeLine}` : ""}`);
    process.exit(3);
  }
  const ca = fs.readFileSync(path.join(dataDir, "ca.pem"));
  const health = await new Promise<string>((resolve, reject) => {
    https
      .get(`${info.endpoint}/aksemu/health`, { ca }, (res) => {
        let b = "";
        res.on("data", (c) => (b += c));
        res.on("end", () => resolve(b));
      })
      .on("error", reject);
  }).catch((e: Error) => `unreachable: ${e.message}`);
  if (!storeLine) storeLine = `  store: ${info.store ?? "sqlite"}`;
  console.log(`aksemu: running on ${info.endpoint} (pid ${info.pid}, since ${info.startedAt})\n  data directory: ${dataDir}\n${storeLine}\n  health: ${health}${info.consoleUrl ? `\n  web console: ${info.consoleUrl}` : ""}`);
}

async function reset(flags: Record<string, string | true>): Promise<void> {
  const dataDir = dataDirOf(flags);
  const store = storeOf(flags);
  if (store.kind === "etcd") {
    // The state is the etcd's: clear aksemu's prefix there; the data directory (one process's lock,
    // aksemu.json, a copy of the CA) is left as it is.
    const { etcdReset, ResetRefused } = await import("./store-cmd.js");
    try {
      console.log(await etcdReset(store, flags.yes === true));
    } catch (e) {
      if (!(e instanceof ResetRefused) && !(e instanceof StoreConfigError)) throw e;
      console.error(e instanceof StoreConfigError ? `aksemu: ${e.message}` : e.message);
      process.exit(1);
    }
    return;
  }
  const info = fs.existsSync(dataDir) ? running(dataDir) : undefined;
  if (info) {
    console.error(`aksemu: refusing to reset while running (pid ${info.pid}); stop it first`);
    process.exit(1);
  }
  if (!fs.existsSync(dataDir)) {
    console.log(`aksemu: nothing to reset (${dataDir} does not exist)`);
    return;
  }
  if (!flags.yes && !fs.existsSync(path.join(dataDir, "state.db"))) {
    console.error(`aksemu: ${dataDir} does not look like an aksemu data directory; pass --yes to delete it anyway`);
    process.exit(1);
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  console.log(`aksemu: removed ${dataDir} (state, CA and keys); the next start creates a new CA`);
}

async function main(): Promise<void> {
  // Files aksemu writes (data directory, az config directory, kubeconfigs) are owner-only.
  process.umask(PRIVATE_UMASK);
  const a = parse(process.argv.slice(2));
  const cmd = a._[0];
  if (!cmd || a.flags.help || cmd === "help") {
    process.stdout.write(HELP);
    return;
  }
  if (a.flags.version || cmd === "version") {
    console.log(VERSION);
    return;
  }
  switch (cmd) {
    case "start":
      return start(a.flags);
    case "status":
      return status(a.flags);
    case "reset":
      return reset(a.flags);
    case "kubeconfig": {
      const { kubeconfigCommand } = await import("./kubeconfig-cmd.js");
      return kubeconfigCommand(a.flags, dataDirOf(a.flags));
    }
    case "inspect": {
      const { inspectCommand } = await import("./inspect-cmd.js");
      return inspectCommand(a._.slice(1), a.flags, dataDirOf(a.flags));
    }
    case "setup": {
      if (a._[1] !== "az") {
        console.error("aksemu: usage: aksemu setup az [--data-dir <dir>] [--config-dir <dir>]");
        process.exit(2);
      }
      const { setupAz } = await import("./setup-az.js");
      return setupAz(a.flags);
    }
    default:
      console.error(`aksemu: unknown command '${cmd}'\n\n${HELP}`);
      process.exit(2);
  }
}

main().catch((e) => {
  console.error(`aksemu: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
