// Optimistic read-modify-write on the etcd-shaped store, as kube-apiserver's GuaranteedUpdate
// (apiserver pkg/storage/etcd3/store.go): read, compute, commit with a Txn that compares the
// key's modRevision with the one read, and on conflict take the fresh copy that the Txn's
// failure branch returned and compute again. A no-op update writes nothing.
import { KvError, type KeyValue, type Kv, type LeaseId, type Revision } from "./kv.js";

/**
 * The new value from the current one (undefined if the key is absent):
 * bytes = write them, null = delete the key, undefined = leave it as it is.
 */
export type UpdateFn = (current: KeyValue | undefined) => Uint8Array | null | undefined | Promise<Uint8Array | null | undefined>;

export interface GuaranteedUpdateOptions {
  /** Bound on compute-and-commit attempts (default 1000). */
  maxAttempts?: number;
  /** A copy believed current (e.g. from a watch cache): saves the first read; null = believed absent. */
  cached?: KeyValue | null;
  /** Lease for the written key (default: keep the current key's lease). */
  lease?: LeaseId;
}

export interface GuaranteedUpdateResult {
  /** The key after the update (undefined if deleted or absent). */
  kv: KeyValue | undefined;
  revision: Revision;
  /** false when fn asked for no change (nothing was written). */
  written: boolean;
  attempts: number;
}

export class ConflictRetriesExhaustedError extends KvError {
  readonly grpcCode = 10; // Aborted
  constructor(readonly key: string, readonly attempts: number) {
    super(`update of ${key} conflicted ${attempts} times in a row; giving up`);
  }
}

export async function guaranteedUpdate(kv: Kv, key: string, fn: UpdateFn, opts: GuaranteedUpdateOptions = {}): Promise<GuaranteedUpdateResult> {
  const maxAttempts = opts.maxAttempts ?? 1000;
  let fromCache = opts.cached !== undefined;
  let cur: KeyValue | undefined;
  let revision: Revision;
  if (opts.cached !== undefined) {
    cur = opts.cached ?? undefined;
    revision = cur?.modRevision ?? 0n;
  } else {
    const r = await kv.range(key);
    cur = r.kvs[0];
    revision = r.revision;
  }
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const next = await fn(cur);
    const noop = next === undefined || (next === null && !cur) || (next !== null && cur !== undefined && sameBytes(next, cur.value));
    if (noop) {
      if (!fromCache) return { kv: cur, revision, written: false, attempts: attempt };
      // Decided on a cached copy: confirm it is current before answering "nothing to do".
      const r = await kv.range(key);
      fromCache = false;
      revision = r.revision;
      if (r.kvs[0]?.modRevision === cur?.modRevision) return { kv: cur, revision, written: false, attempts: attempt };
      cur = r.kvs[0];
      continue;
    }
    const lease = opts.lease ?? cur?.lease ?? "0";
    const r = await kv.txn({
      compare: [{ key, target: "mod", result: "=", value: cur?.modRevision ?? 0n }],
      success: [next === null ? { delete: { key } } : { put: { key, value: next, lease } }],
      failure: [{ range: { key } }],
    });
    if (r.succeeded) {
      const written: KeyValue | undefined =
        next === null
          ? undefined
          : { key, value: next, createRevision: cur?.createRevision ?? r.revision, modRevision: r.revision, version: (cur?.version ?? 0n) + 1n, lease };
      return { kv: written, revision: r.revision, written: true, attempts: attempt };
    }
    const fresh = r.responses[0];
    cur = fresh && "range" in fresh ? fresh.range.kvs[0] : undefined;
    revision = r.revision;
    fromCache = false;
  }
  throw new ConflictRetriesExhaustedError(key, maxAttempts);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}
