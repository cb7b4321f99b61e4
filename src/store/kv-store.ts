// The Store (store.ts) over the etcd-shaped Kv (kv.ts): kube-apiserver's "cacher over storage".
// On open, a replica of every key under the engine's prefix is read (paged, at one revision) and
// then kept current from one Kv watch; reads are served synchronously from it and revision() is
// its revision. Writes are optimistic: fn runs on an overlay of the replica, and one Kv Txn
// commits its writes only if nothing else committed since the replica's state (a fence key that
// every commit rewrites, plus the mod revisions of lease-attached keys read, which lease expiry
// deletes without touching the fence); on conflict fn runs again on the caught-up replica, as
// kube-apiserver's GuaranteedUpdate does. Over EtcdKv several processes share one state; over
// SqliteKv it is tested without a server.
//
// Layout under the prefix (default /aksemu/): data/<store key> = JSON value bytes; meta/fence;
// meta/data-version (written at first start, checked at every open).
import { randomUUID } from "node:crypto";
import type { Entry, KeyRevision, LeaseGrant, LeaseId, LeaseStatus, ListOptions, Store, Txn, WatchCallback, WatchEvent } from "./store.js";
import { NestedTxnError, StoreCompactedError, replayByRevision } from "./store.js";
import { CompactedError, KvError, bytes, prefixEnd, text, type Compare, type KeyValue, type Kv, type Op, type Watch, type WatchBatch } from "./kv.js";

/** Layout of the keys under the prefix; bump when it changes incompatibly. */
export const DATA_VERSION = "1";
export const DEFAULT_PREFIX = "/aksemu/";
const HISTORY_LIMIT = 20000;
const PAGE = 1000;

export interface KvStoreOptions {
  /** Every key of this store lives under it (default /aksemu/). */
  prefix?: string;
  /** Compute-and-commit attempts of one txn before StoreConflictError (default 100). */
  maxAttempts?: number;
  /** Watch history kept for Store.watch replay, in events (default 20000). */
  historyLimit?: number;
  /** Close the Kv with the store (default true). */
  ownsKv?: boolean;
  /** How long fresh() and a commit wait for the replica to reach a revision, ms (default 30 s). */
  catchUpTimeoutMs?: number;
  /** Keys per range page when loading the replica (default 1000). */
  pageSize?: number;
  /** Expected data version (tests of the mismatch); default DATA_VERSION. */
  dataVersion?: string;
}

/** The store under the prefix was written by an incompatible aksemu. */
export class DataVersionMismatchError extends Error {
  constructor(readonly found: string, readonly expected: string, readonly key: string) {
    super(`the store's data version is ${found} (key ${key}) but this aksemu reads data version ${expected}; ` +
      `use another --store prefix or an aksemu of data version ${found}`);
  }
}

/** Other writers won every attempt of a txn: nothing was written; the caller may retry (503). */
export class StoreConflictError extends Error {
  constructor(readonly attempts: number) {
    super(`the state store's transaction conflicted with other writers ${attempts} times in a row; nothing was written, retry the request`);
  }
}

/**
 * A txn writes more keys than one etcd Txn may carry (--max-txn-ops, less the fence) or compares
 * more: nothing was written. Splitting it would break atomicity, so it is refused.
 */
export class StoreTxnTooLargeError extends Error {
  constructor(readonly what: "writes" | "compares", readonly count: number, readonly limit: number) {
    super(`a state store transaction has ${count} ${what}, more than the ${limit} one etcd transaction allows (--max-txn-ops); nothing was written`);
  }
}

/** The replica could not reach a revision in time (etcd unreachable or its watch broken): retryable (503). */
export class StoreUnavailableError extends Error {
  constructor(detail: string) {
    super(`the state store is unavailable: ${detail}`);
  }
}

interface Row {
  json: string;
  createRevision: number;
  modRevision: number;
  lease: LeaseId;
}

type Write = { json: string; lease: LeaseId } | null;

/** A queued txn: its fn, how to settle its promise, and how many batches it was in that conflicted. */
interface Pending {
  fn: (tx: Txn) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  attempts: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class KvStore implements Store {
  private readonly prefix: string;
  private readonly dataPrefix: string;
  private readonly fenceKey: string;
  private readonly versionKey: string;
  private readonly maxAttempts: number;
  private readonly historyLimit: number;
  private readonly catchUpMs: number;
  private readonly ownsKv: boolean;
  private readonly pageSize: number;
  /** Store keys in sorted order, and their rows. */
  private keys: string[] = [];
  private readonly rows = new Map<string, Row>();
  /** Keys attached to a lease: a txn that read one compares its mod revision (expiry skips the fence). */
  private readonly leased = new Set<string>();
  private fenceMod = 0;
  private rev = 0;
  /**
   * The last revision whose events were applied (or loaded). rev may run ahead of it on a
   * progress answer: etcd before 3.4.25/3.5.8 (Debian's 3.4.23 included) may answer a progress
   * request with a revision whose events it has not sent yet (etcd issue 15220); those events
   * must still be applied when they come, so dedup and watch resumption go by this, not rev.
   */
  private applied = 0;
  private history: WatchEvent[] = [];
  private compacted = 0;
  private readonly watchers = new Set<{ prefix: string; cb: WatchCallback }>();
  private waiters: Array<{ target: number; resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout }> = [];
  private kvWatch: Watch | undefined;
  private progressAsked = false;
  private following: Promise<void> | undefined;
  /** Txns waiting for the next commit (group commit: see txn()). */
  private pending: Pending[] = [];
  private committing = false;
  private revInFlight: Promise<number> | undefined;
  private revQueued: Promise<number> | undefined;
  private active: OverlayTxn | undefined;
  private closed = false;
  private readonly id = randomUUID();
  private seq = 0;

  private constructor(readonly kv: Kv, opts: KvStoreOptions) {
    this.prefix = opts.prefix ?? DEFAULT_PREFIX;
    this.dataPrefix = `${this.prefix}data/`;
    this.fenceKey = `${this.prefix}meta/fence`;
    this.versionKey = `${this.prefix}meta/data-version`;
    this.maxAttempts = opts.maxAttempts ?? 100;
    this.historyLimit = opts.historyLimit ?? HISTORY_LIMIT;
    this.catchUpMs = opts.catchUpTimeoutMs ?? 30_000;
    this.ownsKv = opts.ownsKv ?? true;
    this.pageSize = opts.pageSize ?? PAGE;
  }

  /**
   * Check the data version (write it into an empty store), load the replica at one revision and
   * follow the Kv's watch from the next. DataVersionMismatchError if another layout is there.
   */
  static async open(kv: Kv, opts: KvStoreOptions = {}): Promise<KvStore> {
    const s = new KvStore(kv, opts);
    const expected = opts.dataVersion ?? DATA_VERSION;
    const r = await kv.txn({
      compare: [{ key: s.versionKey, target: "create", result: "=", value: 0n }],
      success: [{ put: { key: s.versionKey, value: bytes(expected) } }],
      failure: [{ range: { key: s.versionKey } }],
    });
    if (!r.succeeded) {
      const got = r.responses[0];
      const found = got && "range" in got && got.range.kvs[0] ? text(got.range.kvs[0].value) : "(none)";
      if (found !== expected) throw new DataVersionMismatchError(found, expected, s.versionKey);
    }
    await s.load();
    s.following = s.follow();
    return s;
  }

  // ---------------- replica ----------------

  private storeKey(kvKey: string): string | undefined {
    return kvKey.startsWith(this.dataPrefix) ? kvKey.slice(this.dataPrefix.length) : undefined;
  }

  /** Every key under the prefix at one revision, in pages. */
  private async load(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        let at: bigint | undefined;
        let from = this.prefix;
        const rows: KeyValue[] = [];
        for (;;) {
          const page = await this.kv.range(from, { end: prefixEnd(this.prefix), limit: this.pageSize, ...(at !== undefined ? { revision: at } : {}) });
          at ??= page.revision;
          rows.push(...page.kvs);
          if (!page.more || page.kvs.length === 0) break;
          from = `${page.kvs[page.kvs.length - 1]!.key}\0`;
        }
        this.keys = [];
        this.rows.clear();
        this.leased.clear();
        this.fenceMod = 0;
        for (const kv of rows) this.setKv(kv);
        this.keys.sort(); // kvs came in byte order; keep JS order, which binary search uses
        this.rev = Number(at);
        this.applied = this.rev;
        this.compacted = this.rev;
        this.history = [];
        return;
      } catch (e) {
        // Compacted between pages: read again at a newer revision.
        if (!(e instanceof CompactedError) || attempt >= 5) throw e;
      }
    }
  }

  /** Put a key's state into the replica during load (no events). */
  private setKv(kv: KeyValue): void {
    if (kv.key === this.fenceKey) this.fenceMod = Number(kv.modRevision);
    const k = this.storeKey(kv.key);
    if (k === undefined) return;
    this.keys.push(k);
    this.rows.set(k, { json: text(kv.value), createRevision: Number(kv.createRevision), modRevision: Number(kv.modRevision), lease: kv.lease });
    if (kv.lease !== "0") this.leased.add(k);
  }

  /** Follow the Kv's watch; resume after a break, re-read everything after a compaction. */
  private async follow(): Promise<void> {
    let backoff = 100;
    while (!this.closed) {
      const w = this.kv.watch(this.prefix, { prefix: true, startRevision: BigInt(this.applied + 1) });
      this.kvWatch = w;
      this.progressAsked = false;
      if (this.waiters.length > 0) this.askProgress();
      try {
        for await (const batch of w) {
          this.apply(batch);
          backoff = 100;
        }
        if (this.closed) return;
      } catch (e) {
        if (this.closed) return;
        if (e instanceof CompactedError) {
          await this.relist().catch((err) => console.error("store: re-reading the replica after compaction failed:", err));
          continue;
        }
        console.error(`store: watch of ${this.prefix} broke (${(e as Error).message}); resuming from revision ${this.applied + 1}`);
      }
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 5000);
    }
  }

  /**
   * The watch fell below etcd's compaction: read everything again and tell watchers the
   * difference as one revision (kube-apiserver's cacher re-lists the same way).
   */
  private async relist(): Promise<void> {
    const before = new Map(this.rows);
    await this.load();
    const events: WatchEvent[] = [];
    for (const [key, old] of before) {
      if (!this.rows.has(key)) events.push({ type: "delete", key, value: JSON.parse(old.json), prev: JSON.parse(old.json), revision: this.rev, createRevision: old.createRevision });
    }
    for (const [key, row] of this.rows) {
      const old = before.get(key);
      if (old && old.modRevision === row.modRevision) continue;
      events.push({ type: "put", key, value: JSON.parse(row.json), prev: old ? JSON.parse(old.json) : undefined, revision: this.rev, createRevision: row.createRevision });
    }
    events.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (events.length > 0) this.publish(events);
    this.settle();
  }

  private apply(batch: WatchBatch): void {
    let group: WatchEvent[] = [];
    let groupRev = 0;
    const flush = () => {
      if (groupRev > this.applied) this.applied = groupRev;
      if (groupRev > this.rev) this.rev = groupRev;
      if (group.length > 0) this.publish(group);
      group = [];
    };
    for (const e of batch.events) {
      const rev = Number(e.kv.modRevision);
      if (rev !== groupRev) {
        flush();
        groupRev = rev;
      }
      if (rev <= this.applied) continue; // already applied (a resumed watch repeats nothing, but be safe)
      if (e.kv.key === this.fenceKey) {
        this.fenceMod = e.type === "put" ? rev : 0;
        continue;
      }
      const key = this.storeKey(e.kv.key);
      if (key === undefined) continue;
      const old = this.rows.get(key);
      if (e.type === "delete") {
        if (!old) continue;
        this.removeKey(key);
        const value = JSON.parse(old.json);
        group.push({ type: "delete", key, value, prev: value, revision: rev, createRevision: old.createRevision });
      } else {
        const row: Row = { json: text(e.kv.value), createRevision: Number(e.kv.createRevision), modRevision: rev, lease: e.kv.lease };
        if (!old) this.insertKey(key);
        this.rows.set(key, row);
        if (row.lease !== "0") this.leased.add(key);
        else this.leased.delete(key);
        group.push({ type: "put", key, value: JSON.parse(row.json), prev: old ? JSON.parse(old.json) : undefined, revision: rev, createRevision: row.createRevision });
      }
    }
    flush();
    if (batch.events.length === 0) {
      // A progress answer: every event up to its revision has been applied.
      this.progressAsked = false;
      const r = Number(batch.revision);
      if (r > this.rev) this.rev = r;
    }
    this.settle();
  }

  private insertKey(key: string): void {
    this.keys.splice(this.lowerBound(key), 0, key);
  }

  private removeKey(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] === key) this.keys.splice(i, 1);
    this.rows.delete(key);
    this.leased.delete(key);
  }

  /** Index of the first key ≥ key. */
  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private publish(events: WatchEvent[]): void {
    for (const e of events) this.history.push(e);
    if (this.history.length > this.historyLimit) {
      const drop = this.history.length - this.historyLimit;
      this.compacted = this.history[drop - 1]!.revision;
      this.history.splice(0, drop);
    }
    for (const w of [...this.watchers]) {
      const mine = events.filter((e) => e.key.startsWith(w.prefix));
      if (mine.length === 0) continue;
      try {
        w.cb(mine);
      } catch (err) {
        console.error("store watcher failed:", err);
      }
    }
  }

  /** Resolves once the replica applied every write up to target (asks the watch for progress). */
  private caughtUp(target: number): Promise<void> {
    if (this.rev >= target) return Promise.resolve();
    if (this.closed) return Promise.reject(new StoreUnavailableError("the store is closed"));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new StoreUnavailableError(`the replica did not reach revision ${target} within ${this.catchUpMs} ms (at ${this.rev})`));
      }, this.catchUpMs);
      this.waiters.push({ target, resolve, reject, timer });
      this.askProgress();
    });
  }

  private askProgress(): void {
    if (this.progressAsked || !this.kvWatch) return;
    this.progressAsked = true;
    this.kvWatch.requestProgress();
  }

  private settle(): void {
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.target <= this.rev) {
        clearTimeout(w.timer);
        w.resolve();
      } else still.push(w);
    }
    this.waiters = still;
    if (still.length > 0) this.askProgress();
  }

  /**
   * A Kv request bounded by the catch-up timeout; a failure of the connection (not one of etcd's
   * typed answers) becomes StoreUnavailableError, which the HTTP layers answer with 503.
   */
  private async ask<T>(what: string, call: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        call(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new StoreUnavailableError(`etcd did not answer ${what} within ${this.catchUpMs} ms`)), this.catchUpMs);
        }),
      ]);
    } catch (e) {
      if (e instanceof KvError || e instanceof StoreUnavailableError) throw e;
      throw new StoreUnavailableError(`${what} failed: ${(e as Error).message.split("\n")[0]}`);
    } finally {
      clearTimeout(timer);
    }
  }

  // ---------------- reads (from the replica) ----------------

  /** @internal */ row(key: string): Row | undefined {
    return this.rows.get(key);
  }
  /** @internal */ isLeased(key: string): boolean {
    return this.leased.has(key);
  }
  /** @internal */ leasedUnder(prefix: string): string[] {
    return [...this.leased].filter((k) => k.startsWith(prefix));
  }

  /** @internal keys under prefix in order, after `after` (exclusive), read lazily. */
  *keysFrom(prefix: string, after: string | undefined): Generator<string> {
    let i = this.lowerBound(after ?? prefix);
    if (after !== undefined && this.keys[i] === after) i++;
    for (; i < this.keys.length; i++) {
      const k = this.keys[i]!;
      if (!k.startsWith(prefix)) return;
      yield k;
    }
  }

  /** @internal keys under prefix in order, after startAfter, at most limit. */
  keysUnder(prefix: string, opts: ListOptions = {}): string[] {
    const after = opts.startAfter !== undefined && opts.startAfter >= prefix ? opts.startAfter : undefined;
    let i = this.lowerBound(after ?? prefix);
    if (after !== undefined && this.keys[i] === after) i++;
    const out: string[] = [];
    const max = opts.limit ?? Infinity;
    for (; i < this.keys.length && out.length < max; i++) {
      const k = this.keys[i]!;
      if (!k.startsWith(prefix)) break;
      out.push(k);
    }
    return out;
  }

  get<T = unknown>(key: string): Entry<T> | undefined {
    if (this.active) return this.active.get<T>(key);
    const r = this.rows.get(key);
    return r ? toEntry<T>(key, r) : undefined;
  }

  list<T = unknown>(prefix: string, opts: ListOptions = {}): Entry<T>[] {
    if (this.active) return this.active.list<T>(prefix, opts);
    return this.keysUnder(prefix, opts).map((k) => toEntry<T>(k, this.rows.get(k)!));
  }

  count(prefix: string): number {
    if (this.active) return this.active.count(prefix);
    return this.replicaCount(prefix);
  }

  /** @internal keys under prefix in the replica. */
  replicaCount(prefix: string): number {
    if (prefix === "") return this.keys.length;
    return this.lowerBound(prefixEnd(prefix)) - this.lowerBound(prefix);
  }

  listRevisions(prefix: string, opts: ListOptions = {}): KeyRevision[] {
    return this.keysUnder(prefix, opts).map((k) => {
      const r = this.rows.get(k)!;
      return { key: k, createRevision: r.createRevision, modRevision: r.modRevision };
    });
  }

  rawValue(key: string): string | undefined {
    return this.rows.get(key)?.json;
  }

  modRevision(key: string): number | undefined {
    if (this.active) return undefined;
    return this.rows.get(key)?.modRevision ?? 0;
  }

  revision(): number {
    return this.rev;
  }

  compactedRevision(): number {
    return this.compacted;
  }

  watch(prefix: string, fromRevision: number | undefined, cb: WatchCallback): () => void {
    if (fromRevision !== undefined && fromRevision < this.rev) {
      if (fromRevision < this.compacted) throw new StoreCompactedError(fromRevision, this.compacted);
      const replay = this.history.filter((e) => e.revision > fromRevision && e.key.startsWith(prefix));
      replayByRevision(replay, cb);
    }
    const w = { prefix, cb };
    this.watchers.add(w);
    return () => {
      this.watchers.delete(w);
    };
  }

  /**
   * Read barrier (kube-apiserver's consistent reads from cache): resolves once the replica has
   * applied every write committed anywhere before the call — the current revision comes from a
   * cheap range's header, the proof of having seen everything up to it from a watch progress answer.
   */
  fresh(): Promise<void> {
    if (this.closed) return Promise.reject(new StoreUnavailableError("the store is closed"));
    return this.currentRevision().then((r) => this.caughtUp(r));
  }

  /**
   * etcd's current revision from a range that STARTED after this call. Concurrent callers share
   * ranges: while one is in flight, later callers wait for the next one, which starts when it
   * ends (at most one in flight, one queued, however many requests).
   */
  private currentRevision(): Promise<number> {
    if (!this.revInFlight) return this.startRevisionRange();
    if (!this.revQueued) {
      this.revQueued = this.revInFlight
        .catch(() => undefined)
        .then(() => {
          this.revQueued = undefined;
          return this.startRevisionRange();
        });
    }
    return this.revQueued;
  }

  private startRevisionRange(): Promise<number> {
    const r = this.ask("a range", () => this.kv.range(this.fenceKey, { keysOnly: true })).then((x) => Number(x.revision));
    this.revInFlight = r;
    const done = () => {
      if (this.revInFlight === r) this.revInFlight = undefined;
    };
    r.then(done, done);
    return r;
  }

  // ---------------- writes ----------------

  /**
   * Run fn on an overlay of the replica and commit its writes in one Kv Txn if nothing else
   * committed since; otherwise catch up and run fn again (so fn may run more than once). Resolves
   * after the replica applied the commit, so the caller reads its own writes. If fn throws,
   * nothing of it is written and the error propagates.
   *
   * Group commit: txns queued while a commit is in flight go out together in the next one. Their
   * fns run one after another on one overlay (each sees the writes of those before it: a serial
   * order), and one Kv Txn carries all their writes under one fence compare, so the batch commits
   * whole or reruns whole. Each outcome (value or error) is settled only once the batch committed
   * (or wrote nothing): a result computed on an earlier fn's writes never escapes a batch that
   * failed. A fn that writes a key an earlier fn of the batch wrote waits for the next batch (one
   * revision holds one value per key: no watcher or caller may miss an intermediate value), as
   * does one that would push the batch past etcd's --max-txn-ops.
   */
  txn<R>(fn: (tx: Txn) => R): Promise<R> {
    if (this.active) throw new NestedTxnError(); // the Store contract: pass tx down instead
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (v: unknown) => void, reject, attempts: 0 });
      if (!this.committing) void this.drain();
    });
  }

  /** Commit queued txns, a batch at a time, until none is left (one batch in flight per process). */
  private async drain(): Promise<void> {
    this.committing = true;
    try {
      while (this.pending.length > 0) {
        const queued = this.pending;
        this.pending = [];
        let deferred: Pending[] = [];
        try {
          deferred = await this.commitBatch(queued);
        } catch (e) {
          // Not a txn's own failure (that is settled per txn): the store is unusable for all of them.
          for (const p of queued) p.reject(e);
        }
        this.pending = [...deferred, ...this.pending];
      }
    } finally {
      this.committing = false;
    }
  }

  /**
   * Run the batch's fns in order on one overlay and commit what they wrote; rerun on conflict.
   * Settles every txn it took; returns those deferred to the next batch.
   */
  private async commitBatch(batch: Pending[]): Promise<Pending[]> {
    let members = batch;
    for (;;) {
      if (this.closed) {
        for (const p of members) p.reject(new StoreUnavailableError("the store is closed"));
        return [];
      }
      const tx = new OverlayTxn(this, this.rev + 1);
      const taken: Array<{ p: Pending; ok: boolean; value: unknown }> = [];
      const deferred: Pending[] = [];
      let plan: { ops: Op[]; compare: Compare[] } = { ops: [], compare: [] };
      for (const p of members) {
        if (deferred.length > 0) {
          deferred.push(p); // keep the callers' order: once one waits, the rest wait behind it
          continue;
        }
        const mark = tx.mark();
        let ok = true;
        let value: unknown;
        this.active = tx;
        try {
          value = p.fn(tx);
        } catch (e) {
          ok = false;
          value = e;
        } finally {
          this.active = undefined;
        }
        if (!ok) {
          tx.rollback(mark); // nothing of a failed fn is written; its reads still count (it failed on them)
          taken.push({ p, ok, value });
          continue;
        }
        if (taken.length > 0 && tx.rewrote(mark)) {
          tx.rollback(mark);
          deferred.push(p);
          continue;
        }
        const next = this.plan(tx);
        if (next instanceof StoreTxnTooLargeError) {
          tx.rollback(mark);
          if (taken.length > 0) deferred.push(p);
          else taken.push({ p, ok: false, value: next }); // too large on its own: refused, nothing written
          continue;
        }
        plan = next;
        taken.push({ p, ok, value });
      }
      let committed = plan.ops.length === 0;
      if (!committed) {
        plan.ops.push({ put: { key: this.fenceKey, value: bytes(`${this.id}:${++this.seq}`) } });
        // Unanswered, the commit may or may not have applied: the next txn's fence compare tells.
        let r;
        try {
          r = await this.ask("a transaction (it may or may not have been applied)", () => this.kv.txn({ compare: plan.compare, success: plan.ops }));
          await this.caughtUp(Number(r.revision));
        } catch (e) {
          for (const t of taken) t.p.reject(e);
          return deferred;
        }
        committed = r.succeeded;
      }
      if (committed) {
        for (const t of taken) (t.ok ? t.p.resolve(t.value) : t.p.reject(t.value));
        return deferred;
      }
      // Conflict: every fn of the batch runs again on the caught-up replica.
      const again: Pending[] = [];
      for (const t of taken) {
        if (++t.p.attempts >= this.maxAttempts) t.p.reject(new StoreConflictError(this.maxAttempts));
        else again.push(t.p);
      }
      members = [...again, ...deferred];
      if (again.length === 0) return deferred;
    }
  }

  /** The Kv ops and compares of the overlay's writes so far, or the limit they exceed. */
  private plan(tx: OverlayTxn): { ops: Op[]; compare: Compare[] } | StoreTxnTooLargeError {
    const ops: Op[] = [];
    // A deletePrefix is one ranged delete (as kube-apiserver's cluster teardown is not, but one
    // etcd op however many keys), unless the txn also puts into that range (etcd refuses a put
    // inside a delete range of the same txn): then its keys are deleted one by one. Exact under
    // the fence: the range holds just the keys fn saw.
    const prefixes = [...new Set(tx.prefixDeletes)];
    const puts = [...tx.writes].filter(([, w]) => w !== null).map(([k]) => k);
    const ranged = prefixes.filter((p) => !puts.some((k) => k.startsWith(p)));
    const covered = (k: string) => ranged.some((p) => k.startsWith(p));
    for (const p of ranged) if (!ranged.some((q) => q !== p && p.startsWith(q))) ops.push({ delete: { key: this.dataPrefix + p, prefix: true } });
    for (const [key, w] of tx.writes) {
      if (w === null) {
        if (this.rows.has(key) && !covered(key)) ops.push({ delete: { key: this.dataPrefix + key } });
      } else {
        ops.push({ put: { key: this.dataPrefix + key, value: bytes(w.json), ...(w.lease !== "0" ? { lease: w.lease } : {}) } });
      }
    }
    const maxOps = this.kv.limits.maxTxnOps;
    if (ops.length + 1 > maxOps) return new StoreTxnTooLargeError("writes", ops.length, maxOps - 1);
    const compare: Compare[] = [{ key: this.fenceKey, target: "mod", result: "=", value: BigInt(this.fenceMod) }];
    for (const [key, mod] of tx.leasedReads) compare.push({ key: this.dataPrefix + key, target: "mod", result: "=", value: BigInt(mod) });
    if (compare.length > maxOps) return new StoreTxnTooLargeError("compares", compare.length, maxOps);
    return { ops, compare };
  }

  // ---------------- leases (etcd's) ----------------

  grantLease(ttlSeconds: number): Promise<LeaseGrant> {
    return this.ask("a lease grant", () => this.kv.grant(Math.max(this.kv.limits.minLeaseTtl, Math.ceil(ttlSeconds))));
  }

  keepAliveLease(id: LeaseId): Promise<{ ttl: number }> {
    return this.ask("a lease keep-alive", () => this.kv.keepAlive(id));
  }

  /** Revoke, then wait until the replica dropped the lease's keys (read-your-writes). */
  async revokeLease(id: LeaseId): Promise<void> {
    const r = await this.ask("a lease revoke", () => this.kv.revoke(id));
    await this.caughtUp(Number(r.revision));
  }

  async leaseTimeToLive(id: LeaseId): Promise<LeaseStatus | undefined> {
    const st = await this.ask("a lease time-to-live", () => this.kv.timeToLive(id));
    if (!st) return undefined;
    const keys = st.keys.map((k) => this.storeKey(k)).filter((k): k is string => k !== undefined).sort();
    return { ...st, keys };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.kvWatch?.cancel();
    this.watchers.clear();
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new StoreUnavailableError("the store is closed"));
    }
    this.waiters = [];
    await this.following?.catch(() => undefined);
    if (this.ownsKv) await this.kv.close();
  }
}

/**
 * fn's view: the replica at the attempt's revision plus fn's own writes. Records which
 * lease-attached keys it read, with their mod revisions, for the commit's compares.
 */
class OverlayTxn implements Txn {
  readonly writes = new Map<string, Write>();
  /** Prefixes fn deleted whole (with deletePrefix). */
  readonly prefixDeletes: string[] = [];
  readonly leasedReads = new Map<string, number>();

  /**
   * The revision the commit takes if no other write reaches etcd first. Provisional: on a shared
   * etcd the commit's revision is known only after it (read createRevision/modRevision then).
   */
  constructor(private readonly s: KvStore, readonly revision: number) {}

  /** Keys written by the fn running now (for rewrote). */
  private touched = new Set<string>();

  /** A point to roll back to before the next fn of a batch runs. */
  mark(): { writes: Map<string, Write>; prefixDeletes: number } {
    this.touched = new Set();
    return { writes: new Map(this.writes), prefixDeletes: this.prefixDeletes.length };
  }

  /** Undo the writes made since mark (lease-attached reads stay compared: harmless, and a failed fn did read them). */
  rollback(m: { writes: Map<string, Write>; prefixDeletes: number }): void {
    this.writes.clear();
    for (const [k, w] of m.writes) this.writes.set(k, w);
    this.prefixDeletes.length = m.prefixDeletes;
  }

  /** Whether the fn since mark wrote a key an earlier fn of the batch had written. */
  rewrote(m: { writes: Map<string, Write> }): boolean {
    for (const k of this.touched) if (m.writes.has(k)) return true;
    return false;
  }

  private base(key: string): Row | undefined {
    const r = this.s.row(key);
    if (r && r.lease !== "0") this.leasedReads.set(key, r.modRevision);
    return r;
  }

  get<T = unknown>(key: string): Entry<T> | undefined {
    const w = this.writes.get(key);
    if (w === null) return undefined;
    const b = this.base(key);
    if (w) return { key, value: JSON.parse(w.json) as T, createRevision: b?.createRevision ?? this.revision, modRevision: this.revision, lease: w.lease };
    return b ? toEntry<T>(key, b) : undefined;
  }

  list<T = unknown>(prefix: string, opts: ListOptions = {}): Entry<T>[] {
    const after = opts.startAfter !== undefined && opts.startAfter >= prefix ? opts.startAfter : undefined;
    const mine = [...this.writes.keys()].filter((k) => k.startsWith(prefix) && (after === undefined || k > after)).sort();
    if (mine.length === 0) {
      return this.s.keysUnder(prefix, opts).map((k) => this.get<T>(k)!);
    }
    // Merge the replica's keys (in order, read only as far as the limit needs: a capped log's
    // trim lists one key of thousands) with this txn's own, in order.
    const out: Entry<T>[] = [];
    const max = opts.limit ?? Infinity;
    const take = (k: string) => {
      const e = this.get<T>(k);
      if (e) out.push(e);
      return out.length >= max;
    };
    let j = 0;
    for (const k of this.s.keysFrom(prefix, after)) {
      while (j < mine.length && mine[j]! < k) if (take(mine[j++]!)) return out;
      if (j < mine.length && mine[j] === k) j++;
      if (take(k)) return out;
    }
    while (j < mine.length) if (take(mine[j++]!)) return out;
    return out;
  }

  count(prefix: string): number {
    for (const k of this.s.leasedUnder(prefix)) this.base(k);
    let n = this.s.replicaCount(prefix);
    for (const [k, w] of this.writes) {
      if (!k.startsWith(prefix)) continue;
      const existed = this.s.row(k) !== undefined;
      if (w === null && existed) n--;
      else if (w !== null && !existed) n++;
    }
    return n;
  }

  put<T = unknown>(key: string, value: T, opts: { lease?: LeaseId } = {}): number {
    const json = JSON.stringify(value);
    if (json === undefined) throw new Error(`store: value for ${key} is not JSON-serialisable`);
    this.writes.set(key, { json, lease: opts.lease ?? "0" });
    this.touched.add(key);
    return this.revision;
  }

  delete(key: string): boolean {
    const existed = this.get(key) !== undefined;
    if (existed) {
      this.writes.set(key, null);
      this.touched.add(key);
    }
    return existed;
  }

  deletePrefix(prefix: string): number {
    const keys = this.list(prefix).map((e) => e.key);
    for (const k of keys) {
      this.writes.set(k, null);
      this.touched.add(k);
    }
    if (keys.some((k) => this.s.row(k) !== undefined) && prefix !== "") this.prefixDeletes.push(prefix);
    return keys.length;
  }
}

function toEntry<T>(key: string, r: Row): Entry<T> {
  return { key, value: JSON.parse(r.json) as T, createRevision: r.createRevision, modRevision: r.modRevision, lease: r.lease };
}
