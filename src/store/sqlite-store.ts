// Durable Store on SQLite (better-sqlite3, WAL): every committed transaction survives kill -9
// (it is in the WAL when txn()'s promise is settled, which is before txn() returns), and every ACKNOWLEDGED one survives power loss too:
// answers wait for synced() (server/context.ts, kube/http.ts).
// Chosen over a hand-written log because SQLite gives atomic multi-key transactions,
// crash recovery and indexed prefix scans for free (see docs/architecture.md).
//
// Group commit: COMMIT appends to the WAL without an fsync (synchronous=NORMAL); one fdatasync
// of the WAL file, run on libuv's thread pool after the event-loop turn, makes every commit made
// before it durable at once. With synchronous=FULL each commit paid its own fsync (~5 ms on this
// project's machines) on the event loop, so concurrent writers queued behind each other's fsyncs.
// Checkpoints stay safe on their own: with NORMAL, SQLite syncs the WAL before and the database
// after each checkpoint, and the WAL header when the file is reused.
import fs from "node:fs";
import Database from "better-sqlite3";
import type { Entry, KeyRevision, LeaseGrant, LeaseId, LeaseStatus, ListOptions, Store, Txn, WatchCallback, WatchEvent } from "./store.js";
import { LeaseNotFoundError, NestedTxnError, StoreBusyError, StoreCompactedError, replayByRevision } from "./store.js";
import { ETCD_LIMITS } from "./kv.js";

interface KeyRow {
  key: string;
  create_rev: number;
  mod_rev: number;
}

interface Row {
  key: string;
  value: string;
  create_rev: number;
  mod_rev: number;
  lease: number;
}

const HISTORY_LIMIT = 20000;
/**
 * Watch history is also bounded by the JSON text it holds (values and previous values): 20,000
 * events of a record that grows with its users (a subnet shared by 1,000 AKS clusters is hundreds
 * of kB) would otherwise keep gigabytes. Older events are compacted (410 Gone to a watch from before).
 */
const HISTORY_CHARS = 64 * 1024 * 1024;
/** Dropped history entries are removed from the array once this many have gathered. */
const HISTORY_CUT = 4096;
const ROW_CACHE_ENTRIES = 4096;
const ROW_CACHE_CHARS = 16 * 1024 * 1024;
/** etcd's MaxLeaseTTL (lease/lessor.go). */
const MAX_LEASE_TTL = 9_000_000_000;

export interface SqliteStoreOptions {
  /** No other connection writes this file (the data directory's lock holder): committed rows may be cached. */
  soleWriter?: boolean;
  /** How often expired leases are revoked, ms (default 500; 0 = only on expireLeases()). */
  leaseCheckMs?: number;
  /** JSON text the watch history may hold, chars (default HISTORY_CHARS). */
  historyChars?: number;
}

/**
 * How long a write waits for another process's lock before giving up with StoreBusyError. Short,
 * because better-sqlite3 waits synchronously (the event loop stalls for that long).
 */
export const BUSY_TIMEOUT_MS = 1000;

function isLockError(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

/** Smallest string greater than every string starting with prefix. */
function prefixEnd(prefix: string): string {
  return prefix + "\uffff";
}

export class SqliteStore implements Store {
  private rev: number;
  /** Watch history: events from `historyHead` on (dropped ones are cut off the front in chunks, not one splice per commit). */
  private history: Array<WatchEvent | undefined> = [];
  private historyHead = 0;
  /** JSON text held by history[historyHead..]. */
  private historyChars = 0;
  private readonly historyMaxChars: number;
  private compacted: number;
  private watchers = new Set<Watcher>();
  /**
   * Watchers by prefix, and how many prefixes there are of each length: a commit looks up each
   * event key's prefixes of those lengths instead of testing every watcher (each running cluster
   * watches its own prefixes, so testing them all made every commit O(clusters)).
   */
  private byPrefix = new Map<string, Set<Watcher>>();
  private prefixLengths = new Map<number, number>();
  private watcherSeq = 0;
  private active: SqlTxn | undefined;
  private readonly stmts;
  /** While another process keeps the lock, further writes fail fast instead of each stalling the event loop. */
  private lockedUntil = 0;
  private readonly durability: GroupCommit | undefined;
  /**
   * Committed rows (null: no such key) read outside transactions, so hot keys (the subscription,
   * a resource group) skip the table on every request. A write drops its key before touching the
   * table, so neither a commit nor a rollback leaves a stale row. Only with `soleWriter` (the
   * emulator, holding the data directory's lock): another connection's commits would not be seen
   * (checking PRAGMA data_version on every read cost more than the cache saved). Bounded; a full
   * cache is dropped and refilled.
   */
  private readonly rows = new Map<string, Row | null>();
  private rowBytes = 0;
  private readonly soleWriter: boolean;

  /**
   * Lease deadlines (monotonic ms) live in memory, as on etcd's leader; the leases themselves are
   * rows, so attachments survive a restart and a restart renews every lease to a full TTL.
   */
  private readonly leaseExpiry = new Map<string, { ttl: number; expiresAt: number }>();
  private leaseTimer?: NodeJS.Timeout;

  private constructor(private readonly db: Database.Database, file: string, opts: SqliteStoreOptions) {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma("journal_mode = WAL");
    const onDisk = file !== ":memory:" && file !== "";
    db.pragma(`synchronous = ${onDisk ? "NORMAL" : "FULL"}`);
    this.durability = onDisk ? new GroupCommit(`${file}-wal`) : undefined;
    this.soleWriter = opts.soleWriter === true;
    this.historyMaxChars = opts.historyChars ?? HISTORY_CHARS;
    db.exec(`
      CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, create_rev INTEGER NOT NULL, mod_rev INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
      INSERT OR IGNORE INTO meta (k, v) VALUES ('revision', 1);
      CREATE TABLE IF NOT EXISTS leases (id INTEGER PRIMARY KEY AUTOINCREMENT, ttl INTEGER NOT NULL);
    `);
    // Data directories from before leases: every key starts unattached.
    if (!db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('kv')").all().some((c) => c.name === "lease")) {
      db.exec("ALTER TABLE kv ADD COLUMN lease INTEGER NOT NULL DEFAULT 0");
    }
    db.exec("CREATE INDEX IF NOT EXISTS kv_lease ON kv (lease) WHERE lease != 0");
    this.stmts = {
      get: db.prepare<[string], Row>("SELECT key, value, create_rev, mod_rev, lease FROM kv WHERE key = ?"),
      list: db.prepare<[string, string], Row>("SELECT key, value, create_rev, mod_rev, lease FROM kv WHERE key > ? AND key < ? ORDER BY key"),
      listFrom: db.prepare<[string, string], Row>("SELECT key, value, create_rev, mod_rev, lease FROM kv WHERE key >= ? AND key < ? ORDER BY key"),
      listLimit: db.prepare<[string, string, number], Row>("SELECT key, value, create_rev, mod_rev, lease FROM kv WHERE key > ? AND key < ? ORDER BY key LIMIT ?"),
      listFromLimit: db.prepare<[string, string, number], Row>("SELECT key, value, create_rev, mod_rev, lease FROM kv WHERE key >= ? AND key < ? ORDER BY key LIMIT ?"),
      keys: db.prepare<[string, string], KeyRow>("SELECT key, create_rev, mod_rev FROM kv WHERE key > ? AND key < ? ORDER BY key"),
      keysFrom: db.prepare<[string, string], KeyRow>("SELECT key, create_rev, mod_rev FROM kv WHERE key >= ? AND key < ? ORDER BY key"),
      keysLimit: db.prepare<[string, string, number], KeyRow>("SELECT key, create_rev, mod_rev FROM kv WHERE key > ? AND key < ? ORDER BY key LIMIT ?"),
      keysFromLimit: db.prepare<[string, string, number], KeyRow>("SELECT key, create_rev, mod_rev FROM kv WHERE key >= ? AND key < ? ORDER BY key LIMIT ?"),
      value: db.prepare<[string], { value: string }>("SELECT value FROM kv WHERE key = ?"),
      count: db.prepare<[string, string], { n: number }>("SELECT count(*) AS n FROM kv WHERE key >= ? AND key < ?"),
      put: db.prepare("INSERT INTO kv (key, value, create_rev, mod_rev, lease) VALUES (?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, mod_rev = excluded.mod_rev, lease = excluded.lease"),
      leaseKeys: db.prepare<[number], { key: string }>("SELECT key FROM kv WHERE lease = ? ORDER BY key"),
      leaseExists: db.prepare<[number], { ttl: number }>("SELECT ttl FROM leases WHERE id = ?"),
      insertLease: db.prepare<[number]>("INSERT INTO leases (ttl) VALUES (?)"),
      deleteLease: db.prepare<[number]>("DELETE FROM leases WHERE id = ?"),
      allLeases: db.prepare<[], { id: number; ttl: number }>("SELECT id, ttl FROM leases"),
      del: db.prepare("DELETE FROM kv WHERE key = ?"),
      getRev: db.prepare<[], { v: number }>("SELECT v FROM meta WHERE k = 'revision'"),
      maxModRev: db.prepare<[], { v: number | null }>("SELECT max(mod_rev) AS v FROM kv"),
      setRev: db.prepare("UPDATE meta SET v = ? WHERE k = 'revision'"),
      begin: db.prepare("BEGIN IMMEDIATE"),
      commit: db.prepare("COMMIT"),
      rollback: db.prepare("ROLLBACK"),
    };
    // The sole writer stores the revision in `meta` only when a transaction deletes (see commit):
    // otherwise the newest row's mod_rev holds it. One scan at open, none per commit.
    this.rev = Math.max(this.stmts.getRev.get()!.v, this.stmts.maxModRev.get()!.v ?? 0);
    this.compacted = this.rev;
    const now = performance.now();
    for (const l of this.stmts.allLeases.all()) this.leaseExpiry.set(String(l.id), { ttl: l.ttl, expiresAt: now + l.ttl * 1000 });
    const every = opts.leaseCheckMs ?? 500;
    if (every > 0) {
      this.leaseTimer = setInterval(() => this.expireLeases(), every);
      this.leaseTimer.unref();
    }
  }

  static open(file: string, opts: SqliteStoreOptions = {}): SqliteStore {
    return new SqliteStore(new Database(file), file, opts);
  }

  /**
   * Undefined when every committed transaction is on disk; otherwise a promise that resolves once
   * they are (one fsync shared by all commits so far). Anything a client is told waits for it.
   */
  synced(): Promise<void> | undefined {
    return this.durability?.synced();
  }

  /** Commits made and fsyncs started to cover them (group commit at work; for benchmarks and tests). */
  syncStats(): { commits: number; fsyncs: number } {
    return this.durability ? { commits: this.durability.commits, fsyncs: this.durability.fsyncs } : { commits: 0, fsyncs: 0 };
  }

  get<T>(key: string): Entry<T> | undefined {
    if (this.active) return this.active.get<T>(key);
    if (!this.soleWriter) {
      const row = this.stmts.get.get(key);
      return row ? toEntry<T>(row) : undefined;
    }
    let r = this.rows.get(key);
    if (r === undefined) {
      r = this.stmts.get.get(key) ?? null;
      this.cacheRow(key, r);
    }
    return r ? toEntry<T>(r) : undefined;
  }

  list<T>(prefix: string, opts: ListOptions = {}): Entry<T>[] {
    if (this.active) return this.active.list<T>(prefix, opts);
    return this.rawList<T>(prefix, opts);
  }

  /** @internal reads committed + current-transaction rows (SQLite sees its own writes). */
  rawList<T>(prefix: string, opts: ListOptions): Entry<T>[] {
    const hi = prefixEnd(prefix);
    const after = opts.startAfter !== undefined && opts.startAfter >= prefix ? opts.startAfter : undefined;
    let rows: Row[];
    if (after !== undefined) {
      rows = opts.limit !== undefined ? this.stmts.listLimit.all(after, hi, opts.limit) : this.stmts.list.all(after, hi);
    } else {
      rows = opts.limit !== undefined ? this.stmts.listFromLimit.all(prefix, hi, opts.limit) : this.stmts.listFrom.all(prefix, hi);
    }
    return rows.map((r) => toEntry<T>(r));
  }

  /** Keys and revisions under prefix, in key order, without reading their values (list() options). */
  listRevisions(prefix: string, opts: ListOptions = {}): KeyRevision[] {
    const hi = prefixEnd(prefix);
    const after = opts.startAfter !== undefined && opts.startAfter >= prefix ? opts.startAfter : undefined;
    let rows: KeyRow[];
    if (after !== undefined) rows = opts.limit !== undefined ? this.stmts.keysLimit.all(after, hi, opts.limit) : this.stmts.keys.all(after, hi);
    else rows = opts.limit !== undefined ? this.stmts.keysFromLimit.all(prefix, hi, opts.limit) : this.stmts.keysFrom.all(prefix, hi);
    return rows.map((r) => ({ key: r.key, createRevision: r.create_rev, modRevision: r.mod_rev }));
  }

  /** A key's value as the JSON text stored (no parse), or undefined. */
  rawValue(key: string): string | undefined {
    return this.stmts.value.get(key)?.value;
  }

  modRevision(key: string): number | undefined {
    if (this.active) return undefined;
    if (!this.soleWriter) return this.stmts.get.get(key)?.mod_rev ?? 0;
    let r = this.rows.get(key);
    if (r === undefined) {
      r = this.stmts.get.get(key) ?? null;
      this.cacheRow(key, r);
    }
    return r ? r.mod_rev : 0;
  }

  count(prefix: string): number {
    return this.stmts.count.get(prefix, prefixEnd(prefix))!.n;
  }

  revision(): number {
    return this.rev;
  }

  compactedRevision(): number {
    return this.compacted;
  }

  /**
   * fn runs exactly once, under SQLite's write lock, so it never conflicts; the promise is settled
   * when this returns (the commit is already in the WAL).
   */
  txn<R>(fn: (tx: Txn) => R): Promise<R> {
    if (this.active) throw new NestedTxnError();
    try {
      return Promise.resolve(this.commit(fn));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private commit<R>(fn: (tx: Txn) => R): R {
    if (this.active) throw new NestedTxnError();
    let tx: SqlTxn | undefined;
    const failFast = Date.now() < this.lockedUntil;
    if (failFast) this.db.pragma("busy_timeout = 0");
    let result: R;
    try {
      // IMMEDIATE: take the write lock up front, so a lock held elsewhere is met (and waited for)
      // at BEGIN rather than half-way through the strategy's work. The revision is read under
      // that lock: another connection to the same file (tests of ownership races) may have moved it;
      // the sole writer knows it already. Statements prepared once (better-sqlite3's
      // db.transaction() builds a new wrapper per call).
      this.stmts.begin.run();
      try {
        tx = new SqlTxn(this, (this.soleWriter ? this.rev : Math.max(this.rev, this.stmts.getRev.get()!.v)) + 1);
        this.active = tx;
        result = fn(tx);
        if (result instanceof Promise) throw new Error("store.txn: fn must be synchronous (it returned a promise); await outside it");
        // The revision is max(meta, every row's mod_rev) (read at open). A transaction that only
        // puts leaves rows at its revision, so the sole writer skips `meta` (its page was one WAL
        // frame of every commit); one that deletes may remove the newest row, so it records it.
        // Connections that share the file read meta under the lock, so they always write it.
        if (tx.events.length > 0 && (tx.deleted || !this.soleWriter)) this.stmts.setRev.run(tx.revision);
        this.stmts.commit.run();
      } catch (e) {
        if (this.db.inTransaction) this.stmts.rollback.run();
        if (tx) this.forget(tx);
        throw e;
      }
      this.lockedUntil = 0;
    } catch (e) {
      if (isLockError(e)) {
        this.lockedUntil = Date.now() + BUSY_TIMEOUT_MS;
        throw new StoreBusyError(e as Error);
      }
      throw e;
    } finally {
      this.active = undefined;
      if (failFast) this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
    if (tx.events.length > 0) {
      this.rev = tx.revision;
      this.remember(tx);
      this.durability?.committed();
      this.publish(tx.events);
    }
    return result;
  }

  /** A committed transaction's rows become the cached ones (write-through: the next read skips the table). */
  private remember(tx: SqlTxn): void {
    if (!this.soleWriter) return;
    for (const [key, row] of tx.written) this.cacheRow(key, row);
  }

  /** After a rollback, nothing the transaction wrote may be served from the cache. */
  private forget(tx: SqlTxn): void {
    for (const key of tx.written.keys()) this.rows.delete(key);
  }

  private cacheRow(key: string, r: Row | null): void {
    const size = r ? r.value.length : 0;
    if (this.rows.size >= ROW_CACHE_ENTRIES || this.rowBytes + size > ROW_CACHE_CHARS) {
      this.rows.clear();
      this.rowBytes = 0;
    }
    this.rows.set(key, r);
    this.rowBytes += size;
  }

  // ---------------- leases (kv.ts's semantics; done at once, the promises only carry the outcome) ----------------

  grantLease(ttlSeconds: number): Promise<LeaseGrant> {
    return settle(() => this.grantLeaseNow(ttlSeconds));
  }

  keepAliveLease(id: LeaseId): Promise<{ ttl: number }> {
    return settle(() => this.keepAliveLeaseNow(id));
  }

  revokeLease(id: LeaseId): Promise<void> {
    return settle(() => this.revokeLeaseNow(id));
  }

  leaseTimeToLive(id: LeaseId): Promise<LeaseStatus | undefined> {
    return settle(() => this.leaseTimeToLiveNow(id));
  }

  private grantLeaseNow(ttlSeconds: number): LeaseGrant {
    const ttl = Math.min(MAX_LEASE_TTL, Math.max(ETCD_LIMITS.minLeaseTtl, Math.ceil(ttlSeconds)));
    const id = this.commit(() => String(this.stmts.insertLease.run(ttl).lastInsertRowid));
    this.durability?.committed(); // a write without key events: it still needs its fsync
    this.leaseExpiry.set(id, { ttl, expiresAt: performance.now() + ttl * 1000 });
    return { id, ttl };
  }

  private keepAliveLeaseNow(id: LeaseId): { ttl: number } {
    const l = this.leaseExpiry.get(id);
    if (!l || l.expiresAt <= performance.now() || !this.stmts.leaseExists.get(Number(id))) throw new LeaseNotFoundError(id);
    l.expiresAt = performance.now() + l.ttl * 1000;
    return { ttl: l.ttl };
  }

  private revokeLeaseNow(id: LeaseId): void {
    const n = Number(id);
    this.commit((tx) => {
      if (!Number.isSafeInteger(n) || n <= 0 || !this.stmts.leaseExists.get(n)) throw new LeaseNotFoundError(id);
      for (const { key } of this.stmts.leaseKeys.all(n)) tx.delete(key);
      this.stmts.deleteLease.run(n);
    });
    this.durability?.committed(); // the lease row went, with or without attached keys
    this.leaseExpiry.delete(id);
  }

  private leaseTimeToLiveNow(id: LeaseId): LeaseStatus | undefined {
    const l = this.leaseExpiry.get(id);
    if (!l || !this.stmts.leaseExists.get(Number(id))) return undefined;
    const keys = this.stmts.leaseKeys.all(Number(id)).map((r) => r.key);
    return { id, ttl: Math.max(0, Math.ceil((l.expiresAt - performance.now()) / 1000)), grantedTtl: l.ttl, keys };
  }

  /** Revoke every lease past its deadline; returns how many. */
  expireLeases(): number {
    if (!this.db.open) return 0;
    const now = performance.now();
    let n = 0;
    for (const [id, l] of [...this.leaseExpiry]) {
      if (l.expiresAt > now) continue;
      try {
        this.revokeLeaseNow(id);
        n++;
      } catch (e) {
        if (e instanceof LeaseNotFoundError) this.leaseExpiry.delete(id);
        else if (!(e instanceof StoreBusyError)) console.error("store: lease expiry failed:", e);
      }
    }
    return n;
  }

  /**
   * Revoke every lease in the file. Only for the holder of the data directory's exclusive lock:
   * it proves every process that held one of these leases is gone, so their work is free to
   * claim at once instead of a TTL later.
   */
  revokeAllLeases(): number {
    const ids = this.stmts.allLeases.all().map((l) => String(l.id));
    for (const id of ids) this.revokeLeaseNow(id);
    return ids.length;
  }

  /**
   * @internal A row as the current transaction sees it. A cached row is committed and untouched by
   * this transaction (its writes drop their keys from the cache until it commits).
   */
  rawGet(key: string): Row | undefined {
    const c = this.rows.get(key);
    if (c !== undefined) return c ?? undefined;
    return this.stmts.get.get(key);
  }
  /** @internal */ rawPut(key: string, value: string, createRev: number, modRev: number, lease: number): void {
    this.rows.delete(key);
    this.stmts.put.run(key, value, createRev, modRev, lease);
  }
  /** @internal */ leaseRow(id: number): boolean {
    return this.stmts.leaseExists.get(id) !== undefined;
  }
  /** @internal */ rawDelete(key: string): void {
    this.rows.delete(key);
    this.stmts.del.run(key);
  }

  private publish(events: WatchEvent[]): void {
    for (const e of events) {
      this.history.push(e);
      this.historyChars += charsOf(e);
    }
    const end = this.history.length;
    const maxChars = this.historyMaxChars;
    if (end - this.historyHead > HISTORY_LIMIT || this.historyChars > maxChars) {
      // Moving 20,000 entries on every commit cost more than the rest of a commit's bookkeeping:
      // dropped slots are cleared (their text freed now) and cut off the front in chunks.
      while (this.historyHead < end - 1 && (end - this.historyHead > HISTORY_LIMIT || this.historyChars > maxChars)) {
        const e = this.history[this.historyHead]!;
        this.historyChars -= charsOf(e);
        this.compacted = e.revision;
        this.history[this.historyHead++] = undefined;
      }
      if (this.historyHead >= HISTORY_CUT) {
        this.history.splice(0, this.historyHead);
        this.historyHead = 0;
      }
    }
    if (this.watchers.size === 0) return;
    const batches = new Map<Watcher, WatchEvent[]>();
    for (const e of events) {
      for (const len of this.prefixLengths.keys()) {
        if (len > e.key.length) continue;
        const ws = this.byPrefix.get(len === e.key.length ? e.key : e.key.slice(0, len));
        if (!ws) continue;
        for (const w of ws) {
          const b = batches.get(w);
          if (b) b.push(e);
          else batches.set(w, [e]);
        }
      }
    }
    // In the order the watchers were registered, as one pass over them would call them.
    const order = batches.size > 1 ? [...batches.keys()].sort((a, b) => a.seq - b.seq) : [...batches.keys()];
    for (const w of order) {
      const mine = batches.get(w)!;
      try {
        w.cb(mine);
      } catch (err) {
        // A failing watcher must never break the writer that committed.
        console.error("store watcher failed:", err);
      }
    }
  }

  watch(prefix: string, fromRevision: number | undefined, cb: WatchCallback): () => void {
    if (fromRevision !== undefined && fromRevision < this.rev) {
      if (fromRevision < this.compacted) throw new StoreCompactedError(fromRevision, this.compacted);
      const replay: WatchEvent[] = [];
      for (let i = this.historyHead; i < this.history.length; i++) {
        const e = this.history[i]!;
        if (e.revision > fromRevision && e.key.startsWith(prefix)) replay.push(e);
      }
      replayByRevision(replay, cb);
    }
    const w: Watcher = { prefix, cb, seq: this.watcherSeq++ };
    this.watchers.add(w);
    let ws = this.byPrefix.get(prefix);
    if (!ws) {
      this.byPrefix.set(prefix, (ws = new Set()));
      this.prefixLengths.set(prefix.length, (this.prefixLengths.get(prefix.length) ?? 0) + 1);
    }
    ws.add(w);
    return () => {
      if (!this.watchers.delete(w)) return;
      const set = this.byPrefix.get(prefix)!;
      set.delete(w);
      if (set.size > 0) return;
      this.byPrefix.delete(prefix);
      const n = this.prefixLengths.get(prefix.length)! - 1;
      if (n > 0) this.prefixLengths.set(prefix.length, n);
      else this.prefixLengths.delete(prefix.length);
    };
  }

  close(): void {
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    this.watchers.clear();
    this.byPrefix.clear();
    this.prefixLengths.clear();
    // The last connection's close checkpoints the WAL into the database file and syncs it.
    if (this.db.open) this.db.close();
    this.durability?.closed();
  }
}

class SqlTxn implements Txn {
  readonly events: WatchEvent[] = [];
  /** Whether it deleted a key (then the revision goes to `meta`: the newest row may be gone). */
  deleted = false;
  /** Rows this transaction wrote (null: deleted), cached once it commits. */
  readonly written = new Map<string, Row | null>();
  constructor(private readonly s: SqliteStore, readonly revision: number) {}

  get<T>(key: string): Entry<T> | undefined {
    const r = this.s.rawGet(key);
    return r ? toEntry<T>(r) : undefined;
  }

  list<T>(prefix: string, opts: ListOptions = {}): Entry<T>[] {
    return this.s.rawList<T>(prefix, opts);
  }

  count(prefix: string): number {
    return this.s.count(prefix);
  }

  put<T>(key: string, value: T, opts: { lease?: LeaseId } = {}): number {
    const prev = this.s.rawGet(key);
    const createRev = prev ? prev.create_rev : this.revision;
    const json = JSON.stringify(value);
    if (json === undefined) throw new Error(`store: value for ${key} is not JSON-serialisable`);
    const lease = opts.lease && opts.lease !== "0" ? Number(opts.lease) : 0;
    if (lease && (!Number.isSafeInteger(lease) || !this.s.leaseRow(lease))) throw new LeaseNotFoundError(opts.lease!);
    this.s.rawPut(key, json, createRev, this.revision, lease);
    this.written.set(key, { key, value: json, create_rev: createRev, mod_rev: this.revision, lease });
    // The event keeps the stored text, so later mutation by the caller cannot alter it.
    this.events.push(new StoredEvent("put", key, json, prev?.value, this.revision, createRev));
    return this.revision;
  }

  delete(key: string): boolean {
    const prev = this.s.rawGet(key);
    if (!prev) return false;
    this.s.rawDelete(key);
    this.deleted = true;
    this.written.set(key, null);
    this.events.push(new StoredEvent("delete", key, prev.value, prev.value, this.revision, prev.create_rev));
    return true;
  }

  deletePrefix(prefix: string): number {
    const rows = this.s.rawList(prefix, {});
    for (const r of rows) this.delete(r.key);
    return rows.length;
  }
}

/** The outcome of synchronous work as a promise (a throw becomes a rejection). */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * A watch event over the stored JSON text, parsed on first read and then shared by every watcher
 * (as one parsed copy was before). Most events are never read (ARM writes, the 20,000 kept for
 * replay): two JSON.parse per put and the history's parsed copies were a commit's largest cost
 * after SQLite's own.
 */
class StoredEvent implements WatchEvent {
  // The text until first read, then the parsed value only (the history keeps one or the other).
  private v: unknown;
  private p: unknown;
  private vText: string | undefined;
  private pText: string | undefined;
  private readonly hasPrev: boolean;
  /** JSON text this event was made from (what it holds, as text or parsed): the history's budget. */
  readonly chars: number;
  constructor(
    readonly type: "put" | "delete",
    readonly key: string,
    json: string,
    prevJson: string | undefined,
    readonly revision: number,
    readonly createRevision: number,
  ) {
    this.vText = json;
    // A delete's value is its previous value: one object, as before.
    this.pText = type === "delete" ? undefined : prevJson;
    this.hasPrev = prevJson !== undefined;
    this.chars = json.length + (this.pText?.length ?? 0);
  }

  get value(): unknown {
    if (this.vText !== undefined) {
      this.v = JSON.parse(this.vText);
      this.vText = undefined;
    }
    return this.v;
  }

  get prev(): unknown {
    if (!this.hasPrev) return undefined;
    if (this.type === "delete") return this.value;
    if (this.pText !== undefined) {
      this.p = JSON.parse(this.pText);
      this.pText = undefined;
    }
    return this.p;
  }
}

interface Watcher {
  prefix: string;
  cb: WatchCallback;
  /** Registration order. */
  seq: number;
}

function charsOf(e: WatchEvent): number {
  return e instanceof StoredEvent ? e.chars : 0;
}

function toEntry<T>(r: Row): Entry<T> {
  return { key: r.key, value: JSON.parse(r.value) as T, createRevision: r.create_rev, modRevision: r.mod_rev, lease: String(r.lease ?? 0) };
}

/**
 * Group commit for one WAL file: counts commits and runs fdatasyncs off the event loop, each
 * covering every commit made before it started. Up to two run at once, so commits that arrive
 * while one is in flight need not wait for it to finish before their own starts.
 */
const MAX_SYNCS_IN_FLIGHT = 2;

class GroupCommit {
  commits = 0;
  fsyncs = 0;
  private durable = 0;
  /** Commits covered by the newest fsync started. */
  private started = 0;
  private inFlight = 0;
  private scheduled = false;
  private fd: number | undefined;
  private ino: number | undefined;
  private isClosed = false;
  /** After a failed fsync nothing later can be trusted (Linux marks the lost pages clean): every wait fails. */
  private broken: Error | undefined;
  private waiters: Array<{ upTo: number; resolve: () => void; reject: (e: Error) => void }> = [];

  constructor(private readonly walFile: string) {}

  committed(): void {
    this.commits++;
    this.schedule(); // durable soon even if nobody waits (controllers' writes)
  }

  synced(): Promise<void> | undefined {
    if (this.broken) return Promise.reject(this.broken);
    if (this.durable >= this.commits || this.isClosed) return undefined;
    const upTo = this.commits;
    return new Promise((resolve, reject) => {
      this.waiters.push({ upTo, resolve, reject });
      this.schedule();
    });
  }

  closed(): void {
    this.isClosed = true;
    this.durable = this.commits;
    this.settle();
    if (this.fd !== undefined && this.inFlight === 0) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private schedule(): void {
    if (this.scheduled || this.isClosed || this.broken || this.started >= this.commits || this.inFlight >= MAX_SYNCS_IN_FLIGHT) return;
    this.scheduled = true;
    // After this turn of the event loop: every request handled in it commits first and shares the fsync.
    setImmediate(() => {
      this.scheduled = false;
      this.run();
    });
  }

  private run(): void {
    if (this.isClosed || this.broken || this.started >= this.commits || this.inFlight >= MAX_SYNCS_IN_FLIGHT) return;
    const target = this.commits;
    let fd: number | undefined;
    try {
      fd = this.walFd();
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    if (fd === undefined) {
      // No WAL file: nothing is waiting in one (a checkpoint moved it all into the synced database).
      this.started = this.durable = target;
      this.settle();
      return;
    }
    this.started = target;
    this.inFlight++;
    this.fsyncs++;
    fs.fdatasync(fd, (err) => {
      this.inFlight--;
      if (this.isClosed) {
        if (this.inFlight === 0) fs.close(fd!, () => undefined);
        return;
      }
      if (err) return this.fail(err);
      // An fsync that started after a commit was written covers it, whichever finishes first.
      this.durable = Math.max(this.durable, target);
      this.settle();
      this.schedule();
    });
  }

  /** The WAL's descriptor, reopened if SQLite replaced the file; undefined when there is none. */
  private walFd(): number | undefined {
    let st: fs.Stats;
    try {
      st = fs.statSync(this.walFile);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
    if (this.fd !== undefined && this.ino !== st.ino) {
      // Only when no fsync uses it: SQLite keeps its WAL while the connection is open, so this is rare.
      if (this.inFlight === 0) fs.closeSync(this.fd);
      this.fd = undefined;
    }
    if (this.fd === undefined) {
      this.fd = fs.openSync(this.walFile, "r");
      this.ino = fs.fstatSync(this.fd).ino;
    }
    return this.fd;
  }

  private settle(): void {
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.upTo <= this.durable) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  /** An fsync that fails leaves nothing known durable: everyone waiting hears it, nobody is told "done". */
  private fail(err: Error): void {
    console.error("store: fsync of the write-ahead log failed; no further write can be acknowledged:", err);
    this.broken = err;
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w.reject(err);
  }
}
