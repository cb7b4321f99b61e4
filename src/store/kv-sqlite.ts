// The embedded engine of the etcd-shaped store (kv.ts) on SQLite (better-sqlite3 12.x, WAL,
// synchronous=FULL). Layout after k3s's kine: every change is a row of the `log` table keyed
// by (key, revision), with the key's create revision, the revision of its previous row and a
// deleted flag, so "range at revision R" and "watch from revision R" are queries on the table and
// survive restarts; `live` holds a copy of the newest row of each existing key, so reads at the
// head are one scan (the copy costs a second write of the value; measured in bench/kv.bench.ts).
//
// Group commit: writes are queued and flushed on the next turn of the event loop; one flush runs
// every queued request in ONE SQLite transaction (one fsync), each in its own SAVEPOINT, in
// order, with its own compares and its own revision, and acknowledges them only after COMMIT.
// A request that throws rolls back its savepoint alone.
import Database from "better-sqlite3";
import {
  CompactedError,
  DuplicateKeyError,
  EmptyKeyError,
  ETCD_LIMITS,
  FutureRevisionError,
  KvClosedError,
  LeaseNotFoundError,
  RequestTooLargeError,
  TooManyOpsError,
  inKeyRange,
  keyRange,
  type Compare,
  type KeyValue,
  type Kv,
  type KvLimits,
  type LeaseGrant,
  type LeaseId,
  type LeaseStatus,
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

export interface SqliteKvOptions {
  /** Commit the requests queued in one event-loop turn together (default true). */
  groupCommit?: boolean;
  /** Milliseconds clock for lease expiry (injectable for tests; default Date.now). */
  clock?: () => number;
  /** How often to look for expired leases, ms (default 500; 0 = only on expireLeases()). */
  leaseCheckMs?: number;
  limits?: Partial<KvLimits>;
}

interface LogRow {
  key: string;
  rev: number;
  create_rev: number;
  version: number;
  deleted: number;
  lease: number;
  value: Buffer | null;
}
interface EventRow extends LogRow {
  p_rev: number | null;
  p_create: number | null;
  p_version: number | null;
  p_lease: number | null;
  p_value: Buffer | null;
}

interface Pending {
  run: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** Requests per flush: the flush blocks the event loop, so it stays bounded. */
const MAX_BATCH = 256;
/** etcd's watchBatchMaxRevs: at most this many revisions per watch batch. */
const WATCH_MAX_REVS = 1000;
const MAX_LEASE_TTL = 9_000_000_000;
const EMPTY = new Uint8Array(0);

export class SqliteKv implements Kv {
  readonly engine = "sqlite";
  readonly limits: KvLimits;
  private rev: number;
  private compactRev: number;
  private readonly groupCommit: boolean;
  private readonly clock: () => number;
  /** Lease expiry deadlines live in memory, as on etcd's leader; a restart renews them to a full TTL. */
  private readonly leaseExpiry = new Map<string, { ttl: number; expiresAt: number }>();
  /** Requests committed and SQLite transactions (fsyncs) they took: shows group commit at work. */
  readonly stats = { requests: 0, commits: 0 };
  private queue: Pending[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly watches = new Set<SqliteWatch>();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly stmts;
  private readonly rangeStmts = new Map<string, Database.Statement>();

  private constructor(private readonly db: Database.Database, opts: SqliteKvOptions) {
    this.limits = { ...ETCD_LIMITS, ...opts.limits };
    this.groupCommit = opts.groupCommit ?? true;
    this.clock = opts.clock ?? Date.now;
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec(`
      CREATE TABLE IF NOT EXISTS log (
        key TEXT NOT NULL, rev INTEGER NOT NULL, create_rev INTEGER NOT NULL, prev_rev INTEGER NOT NULL,
        version INTEGER NOT NULL, deleted INTEGER NOT NULL, lease INTEGER NOT NULL, value BLOB,
        PRIMARY KEY (key, rev)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS log_rev ON log (rev);
      CREATE TABLE IF NOT EXISTS live (
        key TEXT PRIMARY KEY, rev INTEGER NOT NULL, create_rev INTEGER NOT NULL, version INTEGER NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0, lease INTEGER NOT NULL, value BLOB) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS live_lease ON live (lease) WHERE lease != 0;
      CREATE TABLE IF NOT EXISTS leases (id INTEGER PRIMARY KEY AUTOINCREMENT, ttl INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
      INSERT OR IGNORE INTO meta (k, v) VALUES ('revision', 1), ('compact_revision', 0);
    `);
    const cols = "l.key, l.rev, l.create_rev, l.version, l.deleted, l.lease, l.value";
    this.stmts = {
      meta: db.prepare<[string], { v: number }>("SELECT v FROM meta WHERE k = ?"),
      setMeta: db.prepare<[number, string]>("UPDATE meta SET v = ? WHERE k = ?"),
      liveGet: db.prepare<[string], LogRow>(`SELECT ${cols} FROM live l WHERE l.key = ?`),
      liveMeta: db.prepare<[string], LogRow>(
        "SELECT key, rev, create_rev, version, deleted, lease, NULL AS value FROM live WHERE key = ?",
      ),
      insertLog: db.prepare<[string, number, number, number, number, number, number, Buffer | null]>(
        "INSERT INTO log (key, rev, create_rev, prev_rev, version, deleted, lease, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      upsertLive: db.prepare<[string, number, number, number, number, Buffer]>(
        "INSERT OR REPLACE INTO live (key, rev, create_rev, version, lease, value) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      deleteLive: db.prepare<[string]>("DELETE FROM live WHERE key = ?"),
      leaseKeys: db.prepare<[number], { key: string }>("SELECT key FROM live WHERE lease = ? ORDER BY key"),
      leaseExists: db.prepare<[number], { ttl: number }>("SELECT ttl FROM leases WHERE id = ?"),
      insertLease: db.prepare<[number]>("INSERT INTO leases (ttl) VALUES (?)"),
      deleteLease: db.prepare<[number]>("DELETE FROM leases WHERE id = ?"),
      allLeases: db.prepare<[], { id: number; ttl: number }>("SELECT id, ttl FROM leases"),
      compactSuperseded: db.prepare<[{ c: number }]>(
        "DELETE FROM log WHERE rev < @c AND EXISTS (SELECT 1 FROM log n WHERE n.key = log.key AND n.rev > log.rev AND n.rev <= @c)",
      ),
      compactTombstones: db.prepare<[number]>("DELETE FROM log WHERE rev < ? AND deleted = 1"),
      begin: db.prepare("BEGIN IMMEDIATE"),
      commit: db.prepare("COMMIT"),
      rollback: db.prepare("ROLLBACK"),
      savepoint: db.prepare("SAVEPOINT req"),
      release: db.prepare("RELEASE req"),
      rollbackTo: db.prepare("ROLLBACK TO req"),
    };
    this.rev = this.stmts.meta.get("revision")!.v;
    this.compactRev = this.stmts.meta.get("compact_revision")!.v;
    const now = this.clock();
    for (const l of this.stmts.allLeases.all()) this.leaseExpiry.set(String(l.id), { ttl: l.ttl, expiresAt: now + l.ttl * 1000 });
    const every = opts.leaseCheckMs ?? 500;
    if (every > 0) {
      this.timer = setInterval(() => void this.expireLeases().catch(() => undefined), every);
      this.timer.unref();
    }
  }

  static open(file: string, opts: SqliteKvOptions = {}): SqliteKv {
    return new SqliteKv(new Database(file), opts);
  }

  /** Current revision (committed). */
  currentRevision(): Revision {
    return BigInt(this.rev);
  }

  // ---------------- reads ----------------

  async range(key: string, opts: RangeOptions = {}): Promise<RangeResult> {
    this.assertOpen();
    if (key === "") throw new EmptyKeyError();
    let at = opts.revision !== undefined && opts.revision > 0n ? Number(opts.revision) : this.rev;
    if (at > this.rev) throw new FutureRevisionError(BigInt(at), BigInt(this.rev));
    if (at < this.compactRev) throw new CompactedError(BigInt(at), BigInt(this.compactRev));
    if (at === this.rev) at = -1; // head: served from `live`
    return this.rangeAt(key, opts, at);
  }

  /** at = -1 reads the head (also inside a write, where it sees the request's own writes). */
  private rangeAt(key: string, opts: Omit<RangeOptions, "revision">, at: number): RangeResult {
    const { from, to } = keyRange(key, opts);
    const shape = to === undefined ? "one" : to === "" ? "open" : "bounded";
    const args: unknown[] = [from];
    if (shape === "bounded") args.push(to);
    if (at >= 0) args.push(at);
    const count = (this.rangeStmt("count", shape, at >= 0, false).get(...args) as { n: number }).n;
    let kvs: KeyValue[] = [];
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    if (!opts.countOnly && count > 0) {
      const rows = this.rangeStmt("rows", shape, at >= 0, !!opts.keysOnly).all(...args, limit) as LogRow[];
      kvs = rows.map(toKv);
    }
    const more = opts.countOnly ? false : limit >= 0 && count > limit;
    return { kvs, more, count, revision: BigInt(this.rev) };
  }

  private rangeStmt(kind: "count" | "rows", shape: "one" | "open" | "bounded", past: boolean, keysOnly: boolean): Database.Statement {
    const id = `${kind}/${shape}/${past}/${keysOnly}`;
    let s = this.rangeStmts.get(id);
    if (s) return s;
    const where = (t: string) => (shape === "one" ? `${t}key = ?` : shape === "open" ? `${t}key >= ?` : `${t}key >= ? AND ${t}key < ?`);
    const value = keysOnly ? "NULL AS value" : "l.value";
    const cols = `l.key, l.rev, l.create_rev, l.version, l.deleted, l.lease, ${value}`;
    let sql: string;
    if (!past) {
      sql =
        kind === "count"
          ? `SELECT count(*) AS n FROM live WHERE ${where("")}`
          : `SELECT ${cols} FROM live l WHERE ${where("l.")} ORDER BY l.key LIMIT ?`;
    } else {
      // The newest row of each key at or below the revision, unless it is a tombstone.
      const newest = `SELECT key, max(rev) AS rev FROM log WHERE ${where("")} AND rev <= ? GROUP BY key`;
      sql =
        kind === "count"
          ? `SELECT count(*) AS n FROM (${newest}) m JOIN log l ON l.key = m.key AND l.rev = m.rev WHERE l.deleted = 0`
          : `SELECT ${cols} FROM (${newest}) m JOIN log l ON l.key = m.key AND l.rev = m.rev WHERE l.deleted = 0 ORDER BY l.key LIMIT ?`;
    }
    s = this.db.prepare(sql);
    this.rangeStmts.set(id, s);
    return s;
  }

  // ---------------- writes ----------------

  async put(key: string, value: Uint8Array, opts: { lease?: LeaseId; prevKv?: boolean } = {}): Promise<{ revision: Revision; prevKv?: KeyValue }> {
    const r = await this.txn({ compare: [], success: [{ put: { key, value, ...opts } }] });
    const res = r.responses[0] as { put: { prevKv?: KeyValue } };
    return { revision: r.revision, ...(res.put.prevKv ? { prevKv: res.put.prevKv } : {}) };
  }

  async delete(key: string, opts: { end?: string; prefix?: boolean; prevKv?: boolean } = {}): Promise<{ revision: Revision; deleted: number; prevKvs?: KeyValue[] }> {
    const r = await this.txn({ compare: [], success: [{ delete: { key, ...opts } }] });
    const res = r.responses[0] as { delete: { deleted: number; prevKvs?: KeyValue[] } };
    return { revision: r.revision, ...res.delete };
  }

  txn(req: TxnRequest): Promise<TxnResult> {
    try {
      this.assertOpen();
      this.validate(req);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.submit(() => this.applyTxn(req));
  }

  private validate(req: TxnRequest): void {
    const { maxTxnOps, maxRequestBytes } = this.limits;
    const failure = req.failure ?? [];
    if (req.compare.length > maxTxnOps || req.success.length > maxTxnOps || failure.length > maxTxnOps) throw new TooManyOpsError();
    let size = 0;
    for (const c of req.compare) {
      if (c.key === "") throw new EmptyKeyError();
      size += Buffer.byteLength(c.key) + (c.target === "value" ? c.value.byteLength : 8);
    }
    for (const branch of [req.success, failure]) {
      const puts = new Set<string>();
      const deletes: { from: string; to?: string }[] = [];
      for (const op of branch) {
        const key = "put" in op ? op.put.key : "delete" in op ? op.delete.key : op.range.key;
        if (key === "") throw new EmptyKeyError();
        size += Buffer.byteLength(key);
        if ("put" in op) {
          size += op.put.value.byteLength;
          if (puts.has(key)) throw new DuplicateKeyError(key);
          puts.add(key);
        } else if ("delete" in op) deletes.push(keyRange(key, op.delete));
      }
      // etcd refuses a put whose key a delete of the same branch covers.
      for (const k of puts) if (deletes.some((d) => inKeyRange(k, d))) throw new DuplicateKeyError(k);
    }
    if (size > maxRequestBytes) throw new RequestTooLargeError(size);
  }

  /** Runs inside the flush's SQLite transaction. */
  private applyTxn(req: TxnRequest): TxnResult {
    const succeeded = req.compare.every((c) => this.holds(c));
    const ops = succeeded ? req.success : (req.failure ?? []);
    let writeRev = 0;
    const takeRev = (): number => (writeRev ||= this.rev + 1);
    const responses: OpResult[] = [];
    for (const op of ops) {
      if ("put" in op) responses.push({ put: this.applyPut(op.put, takeRev) });
      else if ("delete" in op) responses.push({ delete: this.applyDelete(op.delete, takeRev) });
      else responses.push({ range: this.rangeAt(op.range.key, op.range, -1) });
    }
    if (writeRev) this.rev = writeRev;
    // Range results inside the txn report the revision after it.
    for (const r of responses) if ("range" in r) r.range.revision = BigInt(this.rev);
    return { succeeded, revision: BigInt(this.rev), responses };
  }

  private holds(c: Compare): boolean {
    const row = (c.target === "value" ? this.stmts.liveGet : this.stmts.liveMeta).get(c.key);
    if (c.target === "value") {
      if (!row) return false; // etcd: a value compare on an absent key always fails
      return cmp(Buffer.compare(row.value ?? Buffer.alloc(0), Buffer.from(c.value)), c.result);
    }
    let actual: bigint;
    let expected: bigint;
    if (c.target === "lease") {
      actual = BigInt(row?.lease ?? 0);
      expected = BigInt(c.value);
    } else {
      actual = BigInt(!row ? 0 : c.target === "version" ? row.version : c.target === "create" ? row.create_rev : row.rev);
      expected = c.value;
    }
    return cmp(actual < expected ? -1 : actual > expected ? 1 : 0, c.result);
  }

  private applyPut(p: { key: string; value: Uint8Array; lease?: LeaseId; prevKv?: boolean }, takeRev: () => number): { prevKv?: KeyValue } {
    const key = p.key;
    const lease = p.lease && p.lease !== "0" ? Number(p.lease) : 0;
    if (lease && !this.stmts.leaseExists.get(lease)) throw new LeaseNotFoundError(p.lease!);
    const prev = (p.prevKv ? this.stmts.liveGet : this.stmts.liveMeta).get(key);
    const rev = takeRev();
    const value = Buffer.from(p.value.buffer, p.value.byteOffset, p.value.byteLength);
    const createRev = prev ? prev.create_rev : rev;
    const version = prev ? prev.version + 1 : 1;
    this.stmts.insertLog.run(key, rev, createRev, prev ? prev.rev : 0, version, 0, lease, value);
    this.stmts.upsertLive.run(key, rev, createRev, version, lease, value);
    return p.prevKv && prev ? { prevKv: toKv(prev) } : {};
  }

  private applyDelete(d: { key: string; end?: string; prefix?: boolean; prevKv?: boolean }, takeRev: () => number): { deleted: number; prevKvs?: KeyValue[] } {
    const rows = this.rangeAt(d.key, d, -1).kvs;
    for (const kv of rows) this.tombstone(kv, takeRev());
    return d.prevKv ? { deleted: rows.length, prevKvs: rows } : { deleted: rows.length };
  }

  private tombstone(kv: KeyValue, rev: number): void {
    const key = kv.key;
    this.stmts.insertLog.run(key, rev, Number(kv.createRevision), Number(kv.modRevision), 0, 1, 0, null);
    this.stmts.deleteLive.run(key);
  }

  async compact(revision: Revision): Promise<{ revision: Revision }> {
    this.assertOpen();
    return this.submitDeferred(() => {
      const c = Number(revision);
      if (c <= this.compactRev) throw new CompactedError(revision, BigInt(this.compactRev));
      if (c > this.rev) throw new FutureRevisionError(revision, BigInt(this.rev));
      // Keep, per key, the newest row at or below c (unless a tombstone older than c) and all above.
      this.stmts.compactSuperseded.run({ c });
      this.stmts.compactTombstones.run(c);
      this.stmts.setMeta.run(c, "compact_revision");
      return () => {
        this.compactRev = c;
        return { revision: BigInt(this.rev) };
      };
    });
  }

  // ---------------- leases ----------------

  async grant(ttlSeconds: number): Promise<LeaseGrant> {
    this.assertOpen();
    const ttl = Math.min(MAX_LEASE_TTL, Math.max(this.limits.minLeaseTtl, Math.ceil(ttlSeconds)));
    return this.submitDeferred(() => {
      const id = String(this.stmts.insertLease.run(ttl).lastInsertRowid);
      return () => {
        this.leaseExpiry.set(id, { ttl, expiresAt: this.clock() + ttl * 1000 });
        return { id, ttl };
      };
    });
  }

  async keepAlive(id: LeaseId): Promise<{ ttl: number }> {
    this.assertOpen();
    const l = this.leaseExpiry.get(id);
    if (!l || l.expiresAt <= this.clock()) throw new LeaseNotFoundError(id);
    l.expiresAt = this.clock() + l.ttl * 1000;
    return { ttl: l.ttl };
  }

  async revoke(id: LeaseId): Promise<{ revision: Revision }> {
    this.assertOpen();
    return this.submitDeferred(() => {
      const n = Number(id);
      if (!Number.isSafeInteger(n) || !this.stmts.leaseExists.get(n)) throw new LeaseNotFoundError(id);
      const keys = this.stmts.leaseKeys.all(n);
      if (keys.length > 0) {
        const rev = this.rev + 1;
        for (const { key } of keys) this.tombstone(toKv(this.stmts.liveGet.get(key)!), rev);
        this.rev = rev;
      }
      this.stmts.deleteLease.run(n);
      return () => {
        this.leaseExpiry.delete(id);
        return { revision: BigInt(this.rev) };
      };
    });
  }

  async timeToLive(id: LeaseId): Promise<LeaseStatus | undefined> {
    this.assertOpen();
    const l = this.leaseExpiry.get(id);
    if (!l) return undefined;
    const left = Math.max(0, Math.ceil((l.expiresAt - this.clock()) / 1000));
    const keys = this.stmts.leaseKeys.all(Number(id)).map((r) => r.key);
    return { id, ttl: left, grantedTtl: l.ttl, keys };
  }

  /** Revoke every lease past its deadline on the store's clock; returns how many. */
  async expireLeases(): Promise<number> {
    if (this.closed) return 0;
    const now = this.clock();
    const due = [...this.leaseExpiry].filter(([, l]) => l.expiresAt <= now).map(([id]) => id);
    await Promise.all(due.map((id) => this.revoke(id).catch((e) => (e instanceof LeaseNotFoundError ? undefined : Promise.reject(e)))));
    return due.length;
  }

  // ---------------- watch ----------------

  watch(key: string, opts: WatchOptions = {}): Watch {
    this.assertOpen();
    if (key === "") throw new EmptyKeyError();
    const start = opts.startRevision !== undefined && opts.startRevision > 0n ? Number(opts.startRevision) : this.rev + 1;
    const w = new SqliteWatch(this, keyRange(key, opts), start, !!opts.prevKv);
    this.watches.add(w);
    return w;
  }

  /** @internal the next batch for a watch, or undefined if it is caught up. */
  readEvents(w: SqliteWatch): WatchBatch | undefined {
    if (w.next < this.compactRev) throw new CompactedError(BigInt(w.next), BigInt(this.compactRev));
    if (w.next > this.rev) return undefined;
    const upto = Math.min(this.rev, w.next + WATCH_MAX_REVS - 1);
    const shape = w.range.to === undefined ? "one" : w.range.to === "" ? "open" : "bounded";
    const args: unknown[] = [w.next, upto, w.range.from];
    if (shape === "bounded") args.push(w.range.to);
    const rows = this.eventStmt(shape).all(...args) as EventRow[];
    w.next = upto + 1;
    if (rows.length === 0) return this.readEvents(w);
    const events = rows.map((r): WatchEvent => {
      const kv: KeyValue = r.deleted
        ? { key: r.key, value: EMPTY, createRevision: 0n, modRevision: BigInt(r.rev), version: 0n, lease: "0" }
        : toKv(r);
      const e: WatchEvent = { type: r.deleted ? "delete" : "put", kv };
      if (w.prevKv && r.p_rev !== null) {
        e.prevKv = toKv({ key: r.key, rev: r.p_rev, create_rev: r.p_create!, version: r.p_version!, deleted: 0, lease: r.p_lease!, value: r.p_value });
      }
      return e;
    });
    return { revision: BigInt(this.rev), events };
  }

  private eventStmt(shape: "one" | "open" | "bounded"): Database.Statement {
    const id = `events/${shape}`;
    let s = this.rangeStmts.get(id);
    if (s) return s;
    const where = shape === "one" ? "l.key = ?" : shape === "open" ? "l.key >= ?" : "l.key >= ? AND l.key < ?";
    s = this.db.prepare(
      `SELECT l.key, l.rev, l.create_rev, l.version, l.deleted, l.lease, l.value,
              p.rev AS p_rev, p.create_rev AS p_create, p.version AS p_version, p.lease AS p_lease, p.value AS p_value
       FROM log l LEFT JOIN log p ON p.key = l.key AND p.rev = l.prev_rev
       WHERE l.rev >= ? AND l.rev <= ? AND ${where} ORDER BY l.rev, l.key`,
    );
    this.rangeStmts.set(id, s);
    return s;
  }

  /** @internal */
  dropWatch(w: SqliteWatch): void {
    this.watches.delete(w);
  }

  isClosed(): boolean {
    return this.closed;
  }

  // ---------------- the commit queue ----------------

  /** Queue a write; `run` executes inside the flush's SQLite transaction. */
  private submit<R>(run: () => R): Promise<R> {
    return this.submitDeferred(() => {
      const r = run();
      return () => r;
    });
  }

  /**
   * Queue a write whose `run` returns a function applied only after COMMIT, for in-memory
   * state (compaction mark, lease deadlines) that must never run ahead of the disk.
   */
  private submitDeferred<R>(run: () => () => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (v: unknown) => void, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.groupCommit ? MAX_BATCH : 1);
      this.commitBatch(batch);
    }
    for (const w of this.watches) w.wake();
  }

  private commitBatch(batch: Pending[]): void {
    const startRev = this.rev;
    const outcomes: ({ ok: true; after: () => unknown } | { ok: false; err: unknown })[] = [];
    try {
      this.stmts.begin.run();
      for (const p of batch) {
        const before = this.rev;
        this.stmts.savepoint.run();
        try {
          const after = p.run() as () => unknown;
          this.stmts.release.run();
          outcomes.push({ ok: true, after });
        } catch (err) {
          this.rev = before;
          this.stmts.rollbackTo.run();
          this.stmts.release.run();
          outcomes.push({ ok: false, err });
        }
      }
      if (this.rev !== startRev) this.stmts.setMeta.run(this.rev, "revision");
      this.stmts.commit.run();
      this.stats.commits++;
      this.stats.requests += batch.length;
    } catch (err) {
      // The batch did not commit (disk full, I/O error): nothing of it is acknowledged.
      if (this.db.inTransaction) this.stmts.rollback.run();
      this.rev = startRev;
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const o = outcomes[i]!;
      if (o.ok) {
        try {
          p.resolve(o.after());
        } catch (err) {
          p.reject(err);
        }
      } else p.reject(o.err);
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new KvClosedError();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.queue.length > 0) this.flush(); // everything submitted before close is committed
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const w of [...this.watches]) w.cancel();
    this.db.close();
  }
}

class SqliteWatch implements Watch {
  /** Next revision to deliver. */
  next: number;
  private done = false;
  private waiter: (() => void) | undefined;
  private progressWanted = false;

  constructor(
    private readonly kv: SqliteKv,
    readonly range: { from: string; to?: string },
    start: number,
    readonly prevKv: boolean,
  ) {
    this.next = start;
  }

  /** Called by the store after commits and on close. */
  wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  cancel(): void {
    this.done = true;
    this.kv.dropWatch(this);
    this.wake();
  }

  requestProgress(): void {
    this.progressWanted = true;
    this.wake();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchBatch> {
    try {
      while (!this.done && !this.kv.isClosed()) {
        // Pull-based: events are read from the log only as fast as the consumer takes them.
        const batch = this.kv.readEvents(this);
        if (batch) {
          yield batch;
          continue;
        }
        if (this.progressWanted) {
          // Caught up: every event up to the current revision was delivered.
          this.progressWanted = false;
          yield { revision: this.kv.currentRevision(), events: [] };
          continue;
        }
        await new Promise<void>((resolve) => (this.waiter = resolve));
      }
    } finally {
      this.done = true;
      this.kv.dropWatch(this);
    }
  }
}

function toKv(r: LogRow): KeyValue {
  return {
    key: r.key,
    value: r.value ? new Uint8Array(r.value.buffer, r.value.byteOffset, r.value.byteLength) : EMPTY,
    createRevision: BigInt(r.create_rev),
    modRevision: BigInt(r.rev),
    version: BigInt(r.version),
    lease: String(r.lease),
  };
}

function cmp(sign: number, result: Compare["result"]): boolean {
  switch (result) {
    case "=":
      return sign === 0;
    case "!=":
      return sign !== 0;
    case "<":
      return sign < 0;
    case ">":
      return sign > 0;
  }
}


