// The state store: a key-value map with one global revision counter and watch.
// Every layer (ARM resources, operations, Kubernetes objects) keeps its state here,
// so one durable engine answers for everything the emulator acknowledged.
//
// Semantics follow etcd's: a transaction commits atomically and takes ONE new revision;
// every key written by it gets that revision as modRevision. Reads are synchronous; a
// transaction is asynchronous and may be OPTIMISTIC: an engine over etcd runs fn on its replica,
// commits only if nothing fn read changed since, and otherwise runs fn again (kube-apiserver's
// GuaranteedUpdate). So "validate, allocate and write" stays atomic, and fn must be rerun-safe.
//
// Leases follow kv.ts's (etcd's) lease API, asynchronous: grant a TTL, keep it alive, revoke it; keys put with
// a lease are deleted (with delete events, in one revision) when it is revoked or expires. The
// operation engine and the simulations own their work through them (store/ownership.ts).
import type { LeaseGrant, LeaseId, LeaseStatus } from "./kv.js";

export type { LeaseGrant, LeaseId, LeaseStatus };
export { LeaseNotFoundError } from "./kv.js";

export interface Entry<T = unknown> {
  key: string;
  value: T;
  /** Revision of the transaction that created the key. */
  createRevision: number;
  /** Revision of the transaction that last wrote the key. */
  modRevision: number;
  /** The lease the key is attached to ("0" = none). */
  lease: LeaseId;
}

// Engines may back value/prev with getters (parsed on first read): copy fields by name, not by spread.
export interface WatchEvent<T = unknown> {
  type: "put" | "delete";
  key: string;
  /** New value for put; last value for delete. */
  value: T;
  /** Value before this event, if the key existed. */
  prev?: T;
  revision: number;
  createRevision: number;
}

export interface ListOptions {
  /** Return at most this many entries (ordered by key). */
  limit?: number;
  /** Start strictly after this key (for paging). */
  startAfter?: string;
}

/** A key with its revisions, without the value. */
export interface KeyRevision {
  key: string;
  createRevision: number;
  modRevision: number;
}

/** What a transaction can do. Reads inside a transaction see its own writes. */
export interface Txn {
  get<T = unknown>(key: string): Entry<T> | undefined;
  list<T = unknown>(prefix: string, opts?: ListOptions): Entry<T>[];
  count(prefix: string): number;
  /**
   * Write a value (JSON-serialisable). Returns the revision this transaction will commit at.
   * With `lease`, the key is attached to it (LeaseNotFoundError if it does not exist); without,
   * any earlier attachment is dropped, as an etcd put without a lease does.
   */
  put<T = unknown>(key: string, value: T, opts?: { lease?: LeaseId }): number;
  /** Delete a key. Returns true if it existed. */
  delete(key: string): boolean;
  /** Delete every key under prefix; returns how many. */
  deletePrefix(prefix: string): number;
  /** Revision this transaction commits at. */
  readonly revision: number;
}

export type WatchCallback = (events: WatchEvent[]) => void;

export interface Store {
  get<T = unknown>(key: string): Entry<T> | undefined;
  list<T = unknown>(prefix: string, opts?: ListOptions): Entry<T>[];
  count(prefix: string): number;
  /**
   * Keys and revisions under prefix (same options and order as list) without reading values, and
   * one key's stored JSON text: lets a reader that caches serialized values by modRevision (the
   * Kubernetes list path) skip parsing what it already has. Optional: callers fall back to list.
   */
  listRevisions?(prefix: string, opts?: ListOptions): KeyRevision[];
  rawValue?(key: string): string | undefined;
  /**
   * One key's committed mod revision (0 when absent) without reading its value, so a reader that
   * keeps something derived from a value (arm/read-cache.ts: a rendered answer) can tell it is
   * still current. undefined while a transaction's fn runs (its reads see uncommitted writes).
   * Optional: callers fall back to get.
   */
  modRevision?(key: string): number | undefined;
  /**
   * Run fn as one atomic, serializable transaction; resolves with fn's result once committed
   * (the writes survive the process dying; they are durable against power loss once synced()
   * resolves). Watchers are notified after commit.
   * fn MAY RUN MORE THAN ONCE (an optimistic engine reruns it on conflict, as GuaranteedUpdate
   * does): it must only read and write through tx and have no other side effects (no timers, no
   * pushes to outer arrays/maps, no caches, no events); act on its result after the promise
   * resolves. fn is synchronous. If fn throws, nothing is written and the promise rejects with
   * that error. Calling store.txn inside fn is a programming error (pass tx down instead) and throws.
   */
  txn<R>(fn: (tx: Txn) => R): Promise<R>;
  /**
   * Read barrier for engines whose reads may lag other processes' writes (etcd: quorum-read the
   * current revision, wait until the replica has it: kv-store.ts). undefined when reads are always
   * current (SQLite). Request handlers await it first.
   */
  fresh?(): Promise<void> | undefined;
  /**
   * Undefined when every committed write is durable; else a promise that resolves when it is
   * (group commit: one fsync for all commits so far). Answers to clients wait for it, so what a
   * client was told survives power loss. Stores with nothing to sync (in memory) omit it.
   */
  synced?(): Promise<void> | undefined;
  /** Current (last committed) revision. */
  revision(): number;
  /**
   * Watch keys under prefix. Events with revision > fromRevision that are still in the
   * in-memory history are replayed first; if fromRevision is older than the history,
   * throws StoreCompactedError (Kubernetes answers 410 Expired). Returns an unsubscribe function.
   * Callback receives the events of one committed transaction that match the prefix.
   */
  watch(prefix: string, fromRevision: number | undefined, cb: WatchCallback): () => void;
  /** Oldest revision still replayable by watch (events after it are kept). */
  compactedRevision(): number;
  /** A lease of at least `ttlSeconds` (raised to etcd's 2 s minimum). */
  grantLease(ttlSeconds: number): Promise<LeaseGrant>;
  /** Renew to the full TTL. Rejects with LeaseNotFoundError once it expired or was revoked. */
  keepAliveLease(id: LeaseId): Promise<{ ttl: number }>;
  /** Delete the lease and every key attached to it (one transaction). LeaseNotFoundError if gone. */
  revokeLease(id: LeaseId): Promise<void>;
  /** undefined once the lease expired or was revoked. */
  leaseTimeToLive(id: LeaseId): Promise<LeaseStatus | undefined>;
  close(): void | Promise<void>;
}

export class StoreCompactedError extends Error {
  constructor(readonly requested: number, readonly compacted: number) {
    super(`too old resource version: ${requested} (${compacted})`);
  }
}

/**
 * Another process holds the database's write lock for longer than the busy timeout. Nothing was
 * written; the caller may retry (ARM answers 503 with Retry-After for that request only).
 */
export class StoreBusyError extends Error {
  constructor(cause: Error) {
    super(`the state store is locked by another process: ${cause.message}`);
  }
}

/** store.txn was called inside another transaction's fn: pass its tx down instead. */
export class NestedTxnError extends Error {
  constructor() {
    super("store.txn called inside a transaction's fn: pass its tx down instead (fn may run more than once and must not start transactions)");
  }
}

/**
 * Hand replayed events to a watcher one committed transaction at a time (events of one revision
 * together), as live events arrive. Shared by the engines' watch replay.
 */
export function replayByRevision(events: Iterable<WatchEvent>, cb: WatchCallback): void {
  let batch: WatchEvent[] = [];
  for (const e of events) {
    if (batch.length > 0 && batch[0]!.revision !== e.revision) {
      cb(batch);
      batch = [];
    }
    batch.push(e);
  }
  if (batch.length > 0) cb(batch);
}
