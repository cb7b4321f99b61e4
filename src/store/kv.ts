// The etcd-shaped store: an async key-value interface with etcd v3's semantics (KV, Txn,
// Watch, Lease, Compact), so that an embedded SQLite engine (kv-sqlite.ts) and an etcd v3
// client can stand behind the same calls. Step 1 of issue 11's "one write path": nothing in
// the emulator uses it yet; the synchronous store.ts stays until providers migrate.
//
// Semantics (etcd v3.4, see docs/architecture.md "The etcd-shaped store"):
// - One global revision, a bigint; revision 1 is the empty store, the first write takes 2.
// - Every write is a Txn (put/delete are one-op Txns); a Txn that writes takes exactly ONE new
//   revision, shared by all its events; a Txn that writes nothing takes none.
// - Each key carries createRevision, modRevision and version (1 at creation, +1 per put,
//   a delete ends the key's life and resets it).
// - Ranges are [key, end) in byte order; `prefix: true` means every key starting with key.
// - Reads and watches below the compaction revision fail with CompactedError (Kubernetes
//   answers 410 Gone); above the current revision with FutureRevisionError.
// - Keys attached to a lease are deleted (with delete events) when it expires or is revoked.

export type Revision = bigint;
/** Decimal int64 as etcd sends it; "0" = no lease. */
export type LeaseId = string;

export interface KeyValue {
  key: string;
  /** Empty when the range asked for keysOnly. */
  value: Uint8Array;
  createRevision: Revision;
  modRevision: Revision;
  /** 1 at creation, +1 per put; 0 in a delete event. */
  version: bigint;
  lease: LeaseId;
}

export interface RangeOptions {
  /** Exclusive end key; "\0" = every key ≥ key. */
  end?: string;
  /** Every key that starts with key (etcd's WithPrefix). */
  prefix?: boolean;
  /** At most this many kvs (0 or absent = no limit). `more` says if some were left out. */
  limit?: number;
  /** Read the state as of this revision (≤ 0 or absent = current). */
  revision?: Revision;
  keysOnly?: boolean;
  countOnly?: boolean;
}

export interface RangeResult {
  kvs: KeyValue[];
  /** More keys matched than `limit` let through. */
  more: boolean;
  /** Number of keys in the range (ignoring limit). */
  count: number;
  /** Store revision the read was served at (the header revision). */
  revision: Revision;
}

export type CompareResult = "=" | "!=" | "<" | ">";

/**
 * One condition of a Txn. An absent key compares as a zero KeyValue (version, create and mod
 * revisions 0, lease "0"), so "create if absent" is { target: "mod", result: "=", value: 0n };
 * a value compare on an absent key is always false (etcd's rule).
 */
export type Compare = { key: string; result: CompareResult } & (
  | { target: "version" | "create" | "mod"; value: bigint }
  | { target: "value"; value: Uint8Array }
  | { target: "lease"; value: LeaseId }
);

export interface PutOp {
  put: { key: string; value: Uint8Array; lease?: LeaseId; prevKv?: boolean };
}
export interface DeleteOp {
  delete: { key: string; end?: string; prefix?: boolean; prevKv?: boolean };
}
export interface RangeOp {
  range: { key: string } & Omit<RangeOptions, "revision">;
}
export type Op = PutOp | DeleteOp | RangeOp;

export type OpResult =
  | { put: { prevKv?: KeyValue } }
  | { delete: { deleted: number; prevKvs?: KeyValue[] } }
  | { range: RangeResult };

export interface TxnRequest {
  compare: Compare[];
  success: Op[];
  failure?: Op[];
}

export interface TxnResult {
  succeeded: boolean;
  /** Revision after the Txn: its own new revision if it wrote, else the current one. */
  revision: Revision;
  /** One result per op of the branch that ran. */
  responses: OpResult[];
}

export interface WatchEvent {
  type: "put" | "delete";
  /** For delete: key and modRevision (= the deletion's revision) only, as etcd sends it. */
  kv: KeyValue;
  /** The key's previous state, when asked for and not compacted away. */
  prevKv?: KeyValue;
}

/** Events of whole revisions, in revision order (a revision is never split across batches). */
export interface WatchBatch {
  /** Store revision when the batch was read (≥ every event's modRevision). */
  revision: Revision;
  events: WatchEvent[];
}

export interface WatchOptions {
  end?: string;
  prefix?: boolean;
  /** First revision to deliver (inclusive). Absent = only changes after now. */
  startRevision?: Revision;
  prevKv?: boolean;
}

/**
 * An open watch. Iterate it for batches; the iteration throws CompactedError when the watch
 * starts (or falls) below the compaction revision, and ends when cancelled or the store closes.
 * Resume after a break with startRevision = last delivered event's modRevision + 1.
 */
export interface Watch extends AsyncIterable<WatchBatch> {
  cancel(): void;
  /**
   * Ask for a progress batch (etcd's WatchProgressRequest): one with no events whose revision
   * says every event up to it was delivered. A replica of a key range needs it to know it has
   * caught up with a revision that wrote only outside its range (kube-apiserver's consistent
   * reads from cache do the same).
   */
  requestProgress(): void;
}

export interface LeaseGrant {
  id: LeaseId;
  /** Granted TTL in seconds (may be raised to the engine's minimum). */
  ttl: number;
}

export interface LeaseStatus {
  id: LeaseId;
  /** Seconds left (rounded up). */
  ttl: number;
  grantedTtl: number;
  keys: string[];
}

export interface KvLimits {
  /** etcd --max-txn-ops: ops per branch (and compares). */
  maxTxnOps: number;
  /** etcd --max-request-bytes: keys + values of one request. */
  maxRequestBytes: number;
  /** etcd's minimum lease TTL at default election timeouts. */
  minLeaseTtl: number;
}

/** etcd 3.4 defaults; engines enforce them so code that passes on SQLite passes on etcd. */
export const ETCD_LIMITS: KvLimits = { maxTxnOps: 128, maxRequestBytes: 1_572_864, minLeaseTtl: 2 };

export interface Kv {
  readonly engine: string;
  readonly limits: KvLimits;
  range(key: string, opts?: RangeOptions): Promise<RangeResult>;
  put(key: string, value: Uint8Array, opts?: { lease?: LeaseId; prevKv?: boolean }): Promise<{ revision: Revision; prevKv?: KeyValue }>;
  delete(key: string, opts?: { end?: string; prefix?: boolean; prevKv?: boolean }): Promise<{ revision: Revision; deleted: number; prevKvs?: KeyValue[] }>;
  /** Atomic: every compare holds → success ops, else failure ops; one new revision if it wrote. */
  txn(req: TxnRequest): Promise<TxnResult>;
  watch(key: string, opts?: WatchOptions): Watch;
  /** Forget history below revision: reads and watches below it fail with CompactedError. */
  compact(revision: Revision): Promise<{ revision: Revision }>;
  grant(ttlSeconds: number): Promise<LeaseGrant>;
  /** Renew to the full TTL; returns it. LeaseNotFoundError if expired or revoked. */
  keepAlive(id: LeaseId): Promise<{ ttl: number }>;
  /** Delete the lease and every key attached to it (one revision, delete events). */
  revoke(id: LeaseId): Promise<{ revision: Revision }>;
  /** undefined if the lease does not exist (any more). */
  timeToLive(id: LeaseId): Promise<LeaseStatus | undefined>;
  close(): Promise<void>;
}

// ---- errors: typed, with etcd's messages (gRPC code in `grpcCode` for the etcd engine) ----

export abstract class KvError extends Error {
  abstract readonly grpcCode: number;
}

/** Kubernetes maps this to 410 Gone ("The resourceVersion for the provided watch is too old."). */
export class CompactedError extends KvError {
  readonly grpcCode = 11; // OutOfRange
  constructor(readonly requested: Revision, readonly compactRevision: Revision) {
    super("etcdserver: mvcc: required revision has been compacted");
  }
}
export class FutureRevisionError extends KvError {
  readonly grpcCode = 11;
  constructor(readonly requested: Revision, readonly current: Revision) {
    super("etcdserver: mvcc: required revision is a future revision");
  }
}
export class LeaseNotFoundError extends KvError {
  readonly grpcCode = 5; // NotFound
  constructor(readonly lease: LeaseId) {
    super("etcdserver: requested lease not found");
  }
}
export class DuplicateKeyError extends KvError {
  readonly grpcCode = 3; // InvalidArgument
  constructor(readonly key: string) {
    super("etcdserver: duplicate key given in txn request");
  }
}
export class TooManyOpsError extends KvError {
  readonly grpcCode = 3;
  constructor() {
    super("etcdserver: too many operations in txn request");
  }
}
export class RequestTooLargeError extends KvError {
  readonly grpcCode = 3;
  constructor(readonly bytes: number) {
    super("etcdserver: request is too large");
  }
}
export class EmptyKeyError extends KvError {
  readonly grpcCode = 3;
  constructor() {
    super("etcdserver: key is not provided");
  }
}
/** The store was closed before the request was committed: the request had no effect. */
export class KvClosedError extends KvError {
  readonly grpcCode = 1; // Cancelled
  constructor() {
    super("store is closed");
  }
}

// ---- helpers shared by engines and callers ----

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();
export const bytes = (s: string): Uint8Array => utf8.encode(s);
export const text = (b: Uint8Array): string => utf8d.decode(b);

/**
 * The range [from, to) a key/end/prefix selects; `to` undefined = single key, `to` "" = no upper
 * bound (etcd's "\0" end). Keys compare as UTF-8 bytes, as in etcd (SQLite's BINARY collation).
 */
export function keyRange(key: string, opts: { end?: string; prefix?: boolean }): { from: string; to?: string } {
  if (opts.prefix) return { from: key, to: prefixEnd(key) };
  if (opts.end === undefined || opts.end === "") return { from: key };
  if (opts.end === "\0") return { from: key, to: "" };
  return { from: key, to: opts.end };
}

/**
 * The smallest string above every string that starts with prefix: its last code point + 1
 * (UTF-8 is prefix-free and keeps code point order, so this is etcd's GetPrefixRangeEnd on
 * valid UTF-8); "" = no end.
 */
export function prefixEnd(prefix: string): string {
  const cps = [...prefix].map((c) => c.codePointAt(0)!);
  while (cps.length > 0) {
    let last = cps.pop()! + 1;
    if (last === 0xd800) last = 0xe000; // skip the surrogate range
    if (last <= 0x10ffff) return String.fromCodePoint(...cps, last);
  }
  return "";
}

/** Whether key lies in a keyRange(). */
export function inKeyRange(key: string, r: { from: string; to?: string }): boolean {
  const k = Buffer.from(key);
  const from = Buffer.from(r.from);
  if (r.to === undefined) return k.equals(from);
  return Buffer.compare(k, from) >= 0 && (r.to === "" || Buffer.compare(k, Buffer.from(r.to)) < 0);
}
