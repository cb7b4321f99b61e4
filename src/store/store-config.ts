// Which store engine `aksemu start` runs on (--store / AKSEMU_STORE), and opening the etcd one
// with start-up errors that say what is wrong: a wrong scheme names the accepted ones, an
// unreachable etcd names its endpoints and the timeout, a data-version mismatch names both.
import { EtcdKv } from "./kv-etcd.js";
import { DEFAULT_PREFIX, DataVersionMismatchError, KvStore } from "./kv-store.js";

export type StoreLocation = { kind: "sqlite" } | { kind: "etcd"; endpoints: string[]; prefix: string };

export const ACCEPTED_STORES = "sqlite (the default: state.db in the data directory) or etcd://host:port[,host:port...][/prefix/] (an etcd v3 cluster)";

/** A --store value (or the environment's) that cannot be used; the message says why and what would do. */
export class StoreConfigError extends Error {}

/** How long start-up waits for etcd to answer before giving up (ms). */
export const ETCD_CONNECT_TIMEOUT_MS = 5000;
/**
 * How long a request, once running, keeps moving between members while none can take it (ms):
 * longer than an election after a leader's death plus etcd 3.4's request timeout (7 s at the
 * default election timeout), within which a read at a leaderless member fails.
 */
export const ETCD_FAILOVER_MS = 30_000;

/**
 * Parse a store location: undefined/"" or "sqlite" = the embedded default; etcd://h:p[,h:p...]
 * with an optional path as the key prefix (default /aksemu/). Pure: no I/O.
 */
export function parseStoreLocation(raw: string | undefined, source = "--store"): StoreLocation {
  const v = (raw ?? "").trim();
  if (v === "" || v === "sqlite" || v === "sqlite:") return { kind: "sqlite" };
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/]*)(\/.*)?$/.exec(v);
  if (!m) throw new StoreConfigError(`${source} '${v}' is not a store location; accepted: ${ACCEPTED_STORES}`);
  const scheme = m[1]!.toLowerCase();
  if (scheme !== "etcd") throw new StoreConfigError(`${source} '${v}': unsupported scheme '${scheme}://'; accepted: ${ACCEPTED_STORES}`);
  const hosts = m[2]!.split(",").map((h) => h.trim());
  const endpoints: string[] = [];
  for (const h of hosts) {
    // host:port, [v6]:port
    const hm = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(h);
    const port = hm ? Number(hm[2]) : NaN;
    if (!hm || port < 1 || port > 65535) {
      throw new StoreConfigError(`${source} '${v}': '${h}' is not host:port (each etcd endpoint needs a host and a port, e.g. etcd://127.0.0.1:2379)`);
    }
    endpoints.push(`http://${hm[1]}:${port}`);
  }
  let prefix = m[3] ?? DEFAULT_PREFIX;
  if (prefix === "/") prefix = DEFAULT_PREFIX;
  if (!prefix.endsWith("/")) prefix += "/";
  return { kind: "etcd", endpoints, prefix };
}

/**
 * Connect to etcd, check it answers within the timeout and that the data under the prefix is of
 * this aksemu's data version, and load the replica. StoreConfigError when not.
 */
export async function openEtcdStore(loc: Extract<StoreLocation, { kind: "etcd" }>, timeoutMs = ETCD_CONNECT_TIMEOUT_MS): Promise<KvStore> {
  const kv = new EtcdKv({ endpoints: loc.endpoints, dialTimeoutMs: timeoutMs, failoverMs: ETCD_FAILOVER_MS });
  const unreachable = (cause: string) =>
    new StoreConfigError(`cannot reach etcd at ${loc.endpoints.join(", ")} (timeout ${timeoutMs / 1000} s): ${cause}; is it running, and are these its client URLs?`);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      kv.range(`${loc.prefix}meta/data-version`),
      // The range moves between members until one answers; if none does, say why the last one did not.
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(unreachable(kv.lastFailure ?? "no answer")), timeoutMs))),
    ]).catch((e: unknown) => {
      throw e instanceof StoreConfigError ? e : unreachable((e as Error).message.split("\n")[0]!.replace(/\.?\s*Resolution note:.*$/, ""));
    });
    return await KvStore.open(kv, { prefix: loc.prefix });
  } catch (e) {
    await kv.close().catch(() => undefined);
    if (e instanceof DataVersionMismatchError) throw new StoreConfigError(`etcd at ${loc.endpoints.join(", ")}: ${e.message}`);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
