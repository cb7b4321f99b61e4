// The distributed engine of the etcd-shaped store (kv.ts): the same Kv interface over a real etcd
// v3 cluster, so that several aksemu processes can share one state (issue 12). It speaks etcd's
// own gRPC API through the npm `etcd3` client's connection pool and raw RPC stubs (KV, Watch,
// Lease); etcd3's higher-level watch manager and lease objects are not used, because the
// interface's rules (compaction as a typed error, no silent resume, no retried writes) must hold
// exactly (docs/architecture.md "The etcd-shaped store" says why this client).
//
// Mapping: revisions, create/mod revisions and versions are etcd's int64s (strings on the wire →
// bigint); ranges and prefixes are etcd's [key, range_end); a Txn is one etcd Txn; watch is one
// etcd watch stream per Watch; compaction and lease errors come back as kv.ts's typed errors.
//
// Failover: the client talks to one member at a time (the first listed until it fails). A request
// that member cannot take moves to the next live one, as etcd's own clientv3 retries: reads (and
// other requests that are safe to repeat) on any unavailability, writes only when they cannot have
// reached a server (no connection, a dropped proposal), because a Txn whose answer was lost may
// have committed. A watch whose member dies breaks (no silent resume); its consumer re-creates it
// from its last revision + 1, and the new stream goes to a live member.
import { Etcd3, type IOptions } from "etcd3";
import type * as RPC from "etcd3/lib/rpc.js";
import { noop } from "cockatiel";
import {
  CompactedError,
  DuplicateKeyError,
  ETCD_LIMITS,
  EmptyKeyError,
  FutureRevisionError,
  KvClosedError,
  KvError,
  LeaseNotFoundError,
  RequestTooLargeError,
  TooManyOpsError,
  keyRange,
  type Compare,
  type KeyValue,
  type Kv,
  type KvLimits,
  type LeaseGrant,
  type LeaseId,
  type LeaseStatus,
  type Op,
  type OpResult,
  type RangeOptions,
  type RangeResult,
  type Revision,
  type TxnRequest,
  type TxnResult,
  type Watch,
  type WatchBatch,
  type WatchEvent,
  type WatchOptions,
} from "./kv.js";

export interface EtcdKvOptions {
  /** Client URLs of the cluster's members, e.g. ["http://127.0.0.1:2379"]. */
  endpoints: string[];
  /** The server's limits (etcd's --max-txn-ops, --max-request-bytes); etcd's defaults if absent. */
  limits?: Partial<KvLimits>;
  /** Milliseconds to wait for a connection before a request fails (default 10 s). */
  dialTimeoutMs?: number;
  /** How long a request keeps moving between members while none can take it (default dialTimeoutMs). */
  failoverMs?: number;
}

/** A member that failed is passed over for this long when choosing the next one. */
const DOWN_MS = 2000;

/** Whether a request may be sent again; "write" = it changes state, so only if it cannot have been applied. */
export type RequestKind = "read" | "write";

/** Failures that prove the request was not applied: no connection to send it on, or a proposal etcd dropped. */
const NOT_SENT = /No connection established|Channel closed before call started|connect ECONNREFUSED|Connection pool has no hosts|raft proposal dropped|etcdserver: too many requests|etcdserver: no leader|etcdserver: not capable/;
/** Failures after which the request may or may not have been applied (a lost connection, a timeout). */
const UNAVAILABLE = /\bUNAVAILABLE\b|\bDEADLINE_EXCEEDED\b|Connection dropped|ECONNRESET|etcdserver: request timed out|etcdserver: leader changed|etcdserver: server stopped/;

/**
 * Whether a failed request may go to another member (pure): a read on any unavailability, a write
 * only when it cannot have been applied. Typed answers of the server (compacted, lease not found…)
 * are never retried.
 */
export function mayRetry(kind: RequestKind, err: unknown): boolean {
  if (err instanceof KvError) return false;
  const msg = err instanceof Error ? err.message : String(err);
  if (NOT_SENT.test(msg)) return true;
  return kind === "read" && UNAVAILABLE.test(msg);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Largest response the client accepts: etcd sends up to MaxInt32; grpc-js would stop at 4 MiB. */
const MAX_RECEIVE_BYTES = 256 * 1024 * 1024;

/** The etcd server's error texts (rpctypes) → kv.ts's typed errors; anything else passes through. */
export function etcdError(err: unknown, ctx: { revision?: Revision; lease?: LeaseId; key?: string } = {}): Error {
  if (err instanceof KvError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (msg.includes("required revision has been compacted")) return new CompactedError(ctx.revision ?? 0n, 0n);
  if (msg.includes("required revision is a future revision")) return new FutureRevisionError(ctx.revision ?? 0n, 0n);
  if (msg.includes("requested lease not found")) return new LeaseNotFoundError(ctx.lease ?? "0");
  if (msg.includes("duplicate key given in txn request")) return new DuplicateKeyError(ctx.key ?? "");
  if (msg.includes("too many operations in txn request")) return new TooManyOpsError();
  if (msg.includes("key is not provided")) return new EmptyKeyError();
  // Over --max-request-bytes; over max-request-bytes + 512 KiB gRPC itself refuses the message.
  if (msg.includes("request is too large") || msg.includes("received message larger than max")) return new RequestTooLargeError(0);
  if (/client (has been|is) closed|ClientClosedError/i.test(msg) || (err instanceof Error && err.name === "ClientClosedError")) return new KvClosedError();
  return err instanceof Error ? err : new Error(msg);
}

const b = (s: string): Buffer => Buffer.from(s, "utf8");
const big = (s: string | number | undefined): bigint => BigInt(s ?? 0);

function toKv(kv: RPC.IKeyValue): KeyValue {
  return {
    key: kv.key.toString("utf8"),
    value: new Uint8Array(kv.value ?? Buffer.alloc(0)),
    createRevision: big(kv.create_revision),
    modRevision: big(kv.mod_revision),
    version: big(kv.version),
    lease: String(kv.lease ?? "0"),
  };
}

/** [key, range_end) as etcd wants it: no range_end = one key, "\0" = no upper bound. */
function wireRange(key: string, opts: { end?: string; prefix?: boolean }): { key: Buffer; range_end?: Buffer } {
  const r = keyRange(key, opts);
  if (r.to === undefined) return { key: b(r.from) };
  return { key: b(r.from), range_end: r.to === "" ? Buffer.from([0]) : b(r.to) };
}

function rangeRequest(key: string, opts: RangeOptions): RPC.IRangeRequest {
  return {
    ...wireRange(key, opts),
    limit: opts.limit ?? 0,
    revision: opts.revision !== undefined && opts.revision > 0n ? opts.revision.toString() : 0,
    keys_only: opts.keysOnly ?? false,
    count_only: opts.countOnly ?? false,
  };
}

function rangeResult(res: RPC.IRangeResponse): RangeResult {
  return { kvs: (res.kvs ?? []).map(toKv), more: res.more, count: Number(res.count ?? 0), revision: big(res.header?.revision) };
}

const COMPARE_RESULT = { "=": "Equal", "!=": "NotEqual", "<": "Less", ">": "Greater" } as const;

function wireCompare(c: Compare): RPC.ICompare {
  const base = { key: b(c.key), result: COMPARE_RESULT[c.result] };
  switch (c.target) {
    case "version":
      return { ...base, target: "Version", version: c.value.toString() };
    case "create":
      return { ...base, target: "Create", create_revision: c.value.toString() };
    case "mod":
      return { ...base, target: "Mod", mod_revision: c.value.toString() };
    case "value":
      return { ...base, target: "Value", value: Buffer.from(c.value) };
    case "lease":
      return { ...base, target: "Lease", lease: c.value };
  }
}

function wireOp(op: Op): RPC.IRequestOp {
  if ("put" in op) {
    const p = op.put;
    return { request_put: { key: b(p.key), value: Buffer.from(p.value), lease: p.lease ?? "0", prev_kv: p.prevKv ?? false } };
  }
  if ("delete" in op) {
    const d = op.delete;
    return { request_delete_range: { ...wireRange(d.key, d), prev_kv: d.prevKv ?? false } };
  }
  return { request_range: rangeRequest(op.range.key, op.range) };
}

function opResult(op: Op, res: RPC.IResponseOp): OpResult {
  if ("put" in op) {
    const prev = res.response_put?.prev_kv;
    return { put: op.put.prevKv && prev ? { prevKv: toKv(prev) } : {} };
  }
  if ("delete" in op) {
    const d = res.response_delete_range;
    return { delete: { deleted: Number(d?.deleted ?? 0), ...(op.delete.prevKv ? { prevKvs: (d?.prev_kvs ?? []).map(toKv) } : {}) } };
  }
  return { range: rangeResult(res.response_range) };
}

/** The first key a put or delete names twice, for DuplicateKeyError's detail. */
function firstWrittenKey(req: TxnRequest): string {
  const ops = [...req.success, ...(req.failure ?? [])];
  for (const op of ops) if ("put" in op) return op.put.key;
  return "";
}

interface Member {
  url: string;
  client: Etcd3;
  /** Passed over until then (ms since the epoch) after a failure. */
  downUntil: number;
}

export class EtcdKv implements Kv {
  readonly engine = "etcd";
  readonly limits: KvLimits;
  /** One client per member, so that this class (not the pool's random pick) chooses where a request goes. */
  private readonly members: Member[];
  private current = 0;
  private readonly failoverMs: number;
  /** The last failure that moved requests off a member (start-up errors name it). */
  lastFailure: string | undefined;
  private closed = false;
  /** Watches being created: a later request waits for them, so "watch from now" precedes it. */
  private readonly creating = new Set<Promise<unknown>>();
  private readonly watches = new Set<EtcdWatch>();

  constructor(opts: EtcdKvOptions) {
    if (opts.endpoints.length === 0) throw new Error("etcd: no endpoints given");
    this.limits = { ...ETCD_LIMITS, ...opts.limits };
    const dialTimeout = opts.dialTimeoutMs ?? 10_000;
    this.failoverMs = opts.failoverMs ?? dialTimeout;
    this.members = opts.endpoints.map((url) => {
      const options: IOptions = {
        hosts: [url],
        dialTimeout,
        grpcOptions: { "grpc.max_receive_message_length": MAX_RECEIVE_BYTES },
        // etcd3's own policies off: its retries would repeat writes whose answer was lost (a
        // Txn that committed would write twice); call() retries only what is safe.
        faultHandling: { host: () => noop, global: noop },
      };
      return { url, client: new Etcd3(options), downUntil: 0 };
    });
  }

  /** The client URL of the member requests go to now. */
  get endpoint(): string {
    return this.members[this.current]!.url;
  }

  /** Member i failed: pass it over for a while; if requests go to it, move them to the next live one. */
  private markDown(i: number, err: unknown): void {
    const now = Date.now();
    this.members[i]!.downUntil = now + DOWN_MS;
    this.lastFailure = (err instanceof Error ? err.message : String(err)).split("\n")[0]!.replace(/\.?\s*Resolution note:.*$/, "");
    if (this.current !== i) return;
    const n = this.members.length;
    let next = (i + 1) % n;
    for (let k = 1; k < n; k++) {
      const j = (i + k) % n;
      if (this.members[j]!.downUntil <= now) {
        next = j;
        break;
      }
    }
    this.current = next;
  }

  /**
   * Run an RPC on the current member after the watches this client started are established; on a
   * failure that mayRetry() allows, move to the next member and run it again (pausing between
   * rounds: an election takes a second or two), for at most failoverMs. Errors map to kv.ts's.
   */
  private async call<T>(kind: RequestKind, fn: (client: Etcd3) => Promise<T>, ctx: Parameters<typeof etcdError>[1] = {}): Promise<T> {
    if (this.closed) throw new KvClosedError();
    if (this.creating.size > 0) await Promise.allSettled([...this.creating]);
    const deadline = Date.now() + this.failoverMs;
    for (let tries = 1; ; tries++) {
      const i = this.current;
      try {
        return await fn(this.members[i]!.client);
      } catch (err) {
        if (this.closed) throw new KvClosedError();
        if (!mayRetry(kind, err) || Date.now() >= deadline) throw etcdError(err, ctx);
        this.markDown(i, err);
        if (tries % this.members.length === 0) await sleep(Math.min(100 * (tries / this.members.length), 500));
      }
    }
  }

  range(key: string, opts: RangeOptions = {}): Promise<RangeResult> {
    return this.call("read", async (c) => rangeResult(await c.kv.range(rangeRequest(key, opts))), { revision: opts.revision });
  }

  put(key: string, value: Uint8Array, opts: { lease?: LeaseId; prevKv?: boolean } = {}) {
    return this.call(
      "write",
      async (c) => {
        const res = await c.kv.put({ key: b(key), value: Buffer.from(value), lease: opts.lease ?? "0", prev_kv: opts.prevKv ?? false });
        return { revision: big(res.header.revision), ...(opts.prevKv && res.prev_kv ? { prevKv: toKv(res.prev_kv) } : {}) };
      },
      { lease: opts.lease, key },
    );
  }

  delete(key: string, opts: { end?: string; prefix?: boolean; prevKv?: boolean } = {}) {
    return this.call("write", async (c) => {
      const res = await c.kv.deleteRange({ ...wireRange(key, opts), prev_kv: opts.prevKv ?? false });
      return {
        revision: big(res.header.revision),
        deleted: Number(res.deleted ?? 0),
        ...(opts.prevKv ? { prevKvs: (res.prev_kvs ?? []).map(toKv) } : {}),
      };
    });
  }

  txn(req: TxnRequest): Promise<TxnResult> {
    const lease = [...req.success, ...(req.failure ?? [])].map((op) => ("put" in op ? op.put.lease : undefined)).find((l) => l && l !== "0");
    // A Txn that only reads is safe to repeat.
    const writes = [...req.success, ...(req.failure ?? [])].some((op) => !("range" in op));
    return this.call(
      writes ? "write" : "read",
      async (c) => {
        const res = await c.kv.txn({
          compare: req.compare.map(wireCompare),
          success: req.success.map(wireOp),
          failure: (req.failure ?? []).map(wireOp),
        });
        const ran = res.succeeded ? req.success : (req.failure ?? []);
        return { succeeded: res.succeeded, revision: big(res.header.revision), responses: (res.responses ?? []).map((r, i) => opResult(ran[i]!, r)) };
      },
      { key: firstWrittenKey(req), lease },
    );
  }

  watch(key: string, opts: WatchOptions = {}): Watch {
    if (this.closed) return closedWatch();
    const i = this.current;
    const w = new EtcdWatch(this.members[i]!.client, key, opts, (err) => {
      this.watches.delete(w);
      // Its member is gone: the consumer's next watch (from its last revision + 1) goes elsewhere.
      if (err && !this.closed && mayRetry("read", err)) this.markDown(i, err);
    });
    this.watches.add(w);
    const created = w.created;
    this.creating.add(created);
    void created.finally(() => this.creating.delete(created)).catch(() => undefined);
    return w;
  }

  compact(revision: Revision): Promise<{ revision: Revision }> {
    return this.call("write", async (c) => {
      const res = await c.kv.compact({ revision: revision.toString(), physical: false });
      return { revision: big(res.header.revision) };
    }, { revision });
  }

  grant(ttlSeconds: number): Promise<LeaseGrant> {
    // Repeated after a lost answer, a grant may leave one unused lease behind: it holds no keys
    // and expires by itself, so grants are retried like reads.
    return this.call("read", async (c) => {
      const res = await c.leaseClient.leaseGrant({ TTL: Math.max(1, Math.ceil(ttlSeconds)), ID: 0 });
      if (res.error) throw new Error(`etcdserver: ${res.error}`);
      return { id: String(res.ID), ttl: Number(res.TTL) };
    });
  }

  keepAlive(id: LeaseId): Promise<{ ttl: number }> {
    return this.call(
      "read",
      (c) =>
        new Promise<{ ttl: number }>((resolve, reject) => {
          // One keep-alive round trip on its own stream: send the ID, read the renewed TTL.
          c.leaseClient.leaseKeepAlive().then((stream) => {
            let done = false;
            const finish = (fn: () => void) => {
              if (done) return;
              done = true;
              stream.cancel();
              fn();
            };
            stream.on("data", (res: RPC.ILeaseKeepAliveResponse) =>
              finish(() => (Number(res.TTL) > 0 ? resolve({ ttl: Number(res.TTL) }) : reject(new LeaseNotFoundError(id)))),
            );
            stream.on("error", (err) => finish(() => reject(err)));
            stream.on("end", () => finish(() => reject(new Error("etcd: lease keep-alive stream ended without an answer"))));
            stream.write({ ID: id });
          }, reject);
        }),
      { lease: id },
    );
  }

  revoke(id: LeaseId): Promise<{ revision: Revision }> {
    return this.call("write", async (c) => {
      const res = await c.leaseClient.leaseRevoke({ ID: id });
      return { revision: big(res.header.revision) };
    }, { lease: id });
  }

  timeToLive(id: LeaseId): Promise<LeaseStatus | undefined> {
    return this.call("read", async (c) => {
      try {
        const res = await c.leaseClient.leaseTimeToLive({ ID: id, keys: true });
        // etcd answers an unknown lease with TTL -1 (older servers: NotFound).
        if (Number(res.TTL) < 0) return undefined;
        return { id, ttl: Number(res.TTL), grantedTtl: Number(res.grantedTTL), keys: (res.keys ?? []).map((k) => k.toString("utf8")) };
      } catch (err) {
        if (etcdError(err) instanceof LeaseNotFoundError) return undefined;
        throw err;
      }
    }, { lease: id });
  }

  /** Every lease the cluster holds (tests wait on expiry with it). */
  leases(): Promise<LeaseId[]> {
    return this.call("read", async (c) => {
      const res = await c.leaseClient.leaseLeases();
      return (res.leases ?? []).map((l) => String(l.ID));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.watches]) w.cancel();
    for (const m of this.members) m.client.close();
  }
}

function closedWatch(): Watch {
  return {
    cancel() {},
    requestProgress() {},
    async *[Symbol.asyncIterator]() {
      throw new KvClosedError();
    },
  };
}

/**
 * One etcd watch on its own gRPC stream. Responses become batches (etcd never splits a revision
 * across responses without `fragment`, which is not asked for); progress notifications carry no
 * events and are dropped. A cancel with compact_revision is etcd's "too old" → CompactedError.
 */
class EtcdWatch implements Watch {
  readonly created: Promise<void>;
  private readonly queue: WatchBatch[] = [];
  private wake: (() => void) | undefined;
  private failure: Error | undefined;
  private ended = false;
  private stream: RPC.IDuplexStream<RPC.IWatchRequest, RPC.IWatchResponse> | undefined;
  private watchId: string | undefined;

  constructor(client: Etcd3, key: string, private readonly opts: WatchOptions, private readonly onEnd: (failure: Error | undefined) => void) {
    this.created = new Promise<void>((resolve) => {
      client.watchClient.watch().then(
        (stream) => {
          if (this.ended) {
            stream.cancel();
            return resolve();
          }
          this.stream = stream;
          stream.on("data", (res: RPC.IWatchResponse) => {
            if (res.created) {
              this.watchId = res.watch_id;
              resolve();
            }
            this.receive(res);
          });
          stream.on("error", (err: Error) => {
            resolve();
            this.fail(err);
          });
          stream.on("end", () => {
            resolve();
            this.fail(new Error("etcd: watch stream ended"));
          });
          stream.write({
            create_request: {
              ...wireRange(key, opts),
              start_revision: opts.startRevision !== undefined && opts.startRevision > 0n ? opts.startRevision.toString() : 0,
              prev_kv: opts.prevKv ?? false,
            },
          });
        },
        (err: unknown) => {
          resolve();
          this.fail(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  private receive(res: RPC.IWatchResponse): void {
    if (res.canceled) {
      const compacted = big(res.compact_revision);
      this.fail(
        compacted > 0n
          ? new CompactedError(this.opts.startRevision ?? 0n, compacted)
          : new Error(`etcd: watch cancelled by the server${res.cancel_reason ? `: ${res.cancel_reason}` : ""}`),
      );
      return;
    }
    if (!res.events || res.events.length === 0) {
      // A progress response (the answer to requestProgress): every event up to its header
      // revision was sent on this stream. The creation response carries no news.
      if (!res.created && res.header?.revision) {
        this.queue.push({ revision: big(res.header.revision), events: [] });
        this.notify();
      }
      return;
    }
    const events: WatchEvent[] = res.events.map((e) => {
      const kv = toKv(e.kv);
      const event: WatchEvent = { type: e.type === "Delete" ? "delete" : "put", kv };
      if (this.opts.prevKv && e.prev_kv && e.prev_kv.key && e.prev_kv.key.length > 0) event.prevKv = toKv(e.prev_kv);
      return event;
    });
    this.queue.push({ revision: big(res.header?.revision), events });
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** The raw failure goes to onEnd (which decides whether the member is gone); the iteration throws it mapped. */
  private fail(err: Error): void {
    if (this.ended) return;
    this.failure ??= etcdError(err);
    this.close(err);
  }

  private close(raw?: Error): void {
    if (this.ended) return;
    this.ended = true;
    const s = this.stream;
    this.stream = undefined;
    if (s) {
      if (this.watchId !== undefined) s.write({ cancel_request: { watch_id: this.watchId } });
      s.end();
      s.cancel();
    }
    this.onEnd(raw);
    this.notify();
  }

  requestProgress(): void {
    if (this.ended) return;
    // Before the stream exists, ask once it is created (the request would otherwise be lost).
    if (!this.stream) {
      void this.created.then(() => this.requestProgress());
      return;
    }
    this.stream.write({ progress_request: {} });
  }

  /** Stop: undelivered batches are dropped and the iteration ends. */
  cancel(): void {
    this.queue.length = 0;
    this.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchBatch> {
    for (;;) {
      const next = this.queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.ended) {
        if (this.failure) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
