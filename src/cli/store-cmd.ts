// `aksemu status` and `aksemu reset` on an etcd store (--store etcd://… or AKSEMU_STORE): what the
// store holds (data version, revision, keys, live processes), and clearing it — only the keys
// under aksemu's prefix, never the rest of the etcd, with the rules `reset` keeps on SQLite:
// refused while a process uses it, --yes needed when the prefix does not look like aksemu's.
import { EtcdKv } from "../store/kv-etcd.js";
import { text } from "../store/kv.js";
import { ETCD_CONNECT_TIMEOUT_MS, StoreConfigError, type StoreLocation } from "../store/store-config.js";
import { MEMBER_PREFIX } from "../store/ownership.js";

type EtcdLocation = Extract<StoreLocation, { kind: "etcd" }>;

/** A reset the rules refuse (exit 1). */
export class ResetRefused extends Error {}

export const describeStore = (loc: StoreLocation, dataDir: string): string =>
  loc.kind === "sqlite" ? `sqlite (${dataDir}/state.db)` : `etcd://${loc.endpoints.map((e) => e.replace(/^http:\/\//, "")).join(",")}${loc.prefix}`;

interface EtcdFacts {
  dataVersion: string | undefined;
  revision: bigint;
  keys: number;
  /** Processes with a live ownership lease on the store (their member keys). */
  members: number;
  endpoint: string;
}

async function withEtcd<T>(loc: EtcdLocation, fn: (kv: EtcdKv) => Promise<T>): Promise<T> {
  const kv = new EtcdKv({ endpoints: loc.endpoints, dialTimeoutMs: ETCD_CONNECT_TIMEOUT_MS, failoverMs: ETCD_CONNECT_TIMEOUT_MS });
  try {
    return await fn(kv);
  } catch (e) {
    if (e instanceof StoreConfigError || e instanceof ResetRefused) throw e;
    const cause = (kv.lastFailure ?? (e as Error).message).split("\n")[0];
    throw new StoreConfigError(`cannot reach etcd at ${loc.endpoints.join(", ")} (timeout ${ETCD_CONNECT_TIMEOUT_MS / 1000} s): ${cause}; is it running, and are these its client URLs?`);
  } finally {
    await kv.close().catch(() => undefined);
  }
}

async function facts(kv: EtcdKv, loc: EtcdLocation): Promise<EtcdFacts> {
  const all = await kv.range(loc.prefix, { prefix: true, countOnly: true });
  const dv = (await kv.range(`${loc.prefix}meta/data-version`)).kvs[0];
  // Member keys are attached to their process's lease: etcd deletes them when it expires.
  const members = (await kv.range(`${loc.prefix}data/${MEMBER_PREFIX}`, { prefix: true, countOnly: true })).count;
  return { dataVersion: dv ? text(dv.value) : undefined, revision: all.revision, keys: all.count, members, endpoint: kv.endpoint };
}

/** The lines `aksemu status` prints about an etcd store. */
export async function etcdStatus(loc: EtcdLocation): Promise<string> {
  const f = await withEtcd(loc, (kv) => facts(kv, loc));
  if (f.keys === 0) return `  store: ${describeStore(loc, "")} (empty: no aksemu state under ${loc.prefix}; answered by ${f.endpoint})`;
  return (
    `  store: ${describeStore(loc, "")} (data version ${f.dataVersion ?? "(none)"}, revision ${f.revision}, ${f.keys} keys under ${loc.prefix}, ` +
    `${f.members} live aksemu process${f.members === 1 ? "" : "es"}; answered by ${f.endpoint})`
  );
}

/** `aksemu reset --store etcd://…`: delete every key under the prefix, if the rules allow. Returns the message; throws a ResetRefused. */
export async function etcdReset(loc: EtcdLocation, yes: boolean): Promise<string> {
  return withEtcd(loc, async (kv) => {
    const f = await facts(kv, loc);
    const where = describeStore(loc, "");
    if (f.keys === 0) return `aksemu: nothing to reset (no keys under ${loc.prefix} in ${where})`;
    if (f.members > 0) throw new ResetRefused(`aksemu: refusing to reset ${where} while ${f.members} aksemu process${f.members === 1 ? " uses" : "es use"} it; stop ${f.members === 1 ? "it" : "them"} first`);
    if (!yes && f.dataVersion === undefined) {
      throw new ResetRefused(`aksemu: ${loc.prefix} in ${where} does not look like an aksemu store (no ${loc.prefix}meta/data-version); pass --yes to delete its ${f.keys} keys anyway`);
    }
    const r = await kv.delete(loc.prefix, { prefix: true });
    return `aksemu: removed ${r.deleted} keys under ${loc.prefix} from ${where} (state, CA and keys; the rest of the etcd is untouched); the next start creates a new CA`;
  });
}
