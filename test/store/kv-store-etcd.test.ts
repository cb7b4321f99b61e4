// KvStore (src/store/kv-store.ts) over a real etcd v3.6 (.tools/bin/etcd): the Store conformance
// suite that SqliteStore passes, with several replicas (each its own etcd client) on one etcd,
// then what is particular to the replica: loading in pages, the data-version check, etcd's
// --max-txn-ops, the history window, lease expiry racing a txn, writes outside its prefix.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { EtcdKv } from "../../src/store/kv-etcd.js";
import { bytes, type Kv, type TxnRequest, type TxnResult, type Watch, type WatchOptions } from "../../src/store/kv.js";
import { DATA_VERSION, DataVersionMismatchError, KvStore, StoreTxnTooLargeError, StoreUnavailableError } from "../../src/store/kv-store.js";
import { StoreCompactedError } from "../../src/store/store.js";
import { ETCD, needClient } from "../helpers/clients.js";
import { startEtcd, type EtcdServer } from "../helpers/etcd-server.js";
import { storeConformance, type StoreHarness } from "./store-conformance.js";

let prefixes = 0;

/**
 * A real Kv whose watch batches can be held back (hold = true) until the next txn has been
 * answered: makes "the replica is behind etcd when fn runs" happen on purpose.
 */
class GatedKv implements Kv {
  hold = false;
  private readonly release = new Set<() => void>();
  constructor(private readonly inner: Kv) {}
  get engine() {
    return this.inner.engine;
  }
  get limits() {
    return this.inner.limits;
  }
  range: Kv["range"] = (k, o) => this.inner.range(k, o);
  put: Kv["put"] = (k, v, o) => this.inner.put(k, v, o);
  delete: Kv["delete"] = (k, o) => this.inner.delete(k, o);
  compact: Kv["compact"] = (r) => this.inner.compact(r);
  grant: Kv["grant"] = (t) => this.inner.grant(t);
  keepAlive: Kv["keepAlive"] = (id) => this.inner.keepAlive(id);
  revoke: Kv["revoke"] = (id) => this.inner.revoke(id);
  timeToLive: Kv["timeToLive"] = (id) => this.inner.timeToLive(id);
  close: Kv["close"] = () => this.inner.close();
  async txn(req: TxnRequest): Promise<TxnResult> {
    const r = await this.inner.txn(req);
    this.hold = false;
    for (const go of [...this.release]) go();
    return r;
  }
  /** New watches wait until this is false before they reach etcd. */
  blockWatches = false;
  private readonly breakers = new Set<() => void>();
  /** Break every open watch as a lost connection would. */
  breakWatches(): void {
    for (const b of [...this.breakers]) b();
  }
  watch(key: string, opts?: WatchOptions): Watch {
    const self = this;
    let inner: Watch | undefined;
    let broken = false;
    let cancelled = false;
    const breaker = () => {
      broken = true;
      inner?.cancel();
    };
    this.breakers.add(breaker);
    return {
      cancel: () => {
        cancelled = true;
        self.breakers.delete(breaker);
        inner?.cancel();
      },
      requestProgress: () => inner?.requestProgress(),
      async *[Symbol.asyncIterator]() {
        while (self.blockWatches && !cancelled) await new Promise((r) => setTimeout(r, 20));
        if (cancelled) return;
        inner = self.inner.watch(key, opts);
        for await (const batch of inner) {
          while (self.hold) await new Promise<void>((r) => self.release.add(r));
          yield batch;
        }
        self.breakers.delete(breaker);
        if (broken) throw new Error("connection lost (test)");
      },
    };
  }
}

/** A Kv that counts the Txns sent to it. */
class CountingKv extends GatedKv {
  txns = 0;
  override txn(req: TxnRequest): Promise<TxnResult> {
    this.txns++;
    return super.txn(req);
  }
}

describe("KvStore over etcd", { skip: needClient(ETCD, "etcd v3.6") }, () => {
  let server: EtcdServer;
  before(async () => {
    server = await startEtcd();
  });
  after(async () => {
    await server?.stop();
  });
  const kv = () => new EtcdKv({ endpoints: [server.endpoint] });
  const fresh = () => `/aksemu-test-${++prefixes}/`;

  storeConformance("kv-store/etcd", async (): Promise<StoreHarness> => {
    const prefix = fresh();
    return {
      open: () => KvStore.open(kv(), { prefix }),
      cleanup: async () => {
        const k = kv();
        try {
          await k.delete(prefix, { prefix: true });
        } finally {
          await k.close();
        }
      },
    };
  });

  test("a replica opened on existing data loads it in pages at one revision and follows from there", async () => {
    const prefix = fresh();
    const a = await KvStore.open(kv(), { prefix });
    await a.txn((tx) => {
      for (let i = 0; i < 25; i++) tx.put(`k/${String(i).padStart(2, "0")}`, i);
    });
    const b = await KvStore.open(kv(), { prefix, pageSize: 4 });
    try {
      assert.equal(b.count("k/"), 25);
      assert.deepEqual(b.list<number>("k/").map((e) => e.value), Array.from({ length: 25 }, (_, i) => i));
      assert.equal(b.revision(), a.revision());
      assert.equal(b.get("k/07")?.modRevision, a.get("k/07")?.modRevision);
      await a.txn((tx) => void tx.delete("k/00"));
      await b.fresh();
      assert.equal(b.count("k/"), 24);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("data version: written at first start, checked at open; a mismatch names both versions", async () => {
    const prefix = fresh();
    const s = await KvStore.open(kv(), { prefix });
    await s.close();
    const k = kv();
    try {
      assert.equal(new TextDecoder().decode((await k.range(`${prefix}meta/data-version`)).kvs[0]!.value), DATA_VERSION);
      await assert.rejects(KvStore.open(k, { prefix, dataVersion: "999", ownsKv: false }), (e: unknown) => {
        assert.ok(e instanceof DataVersionMismatchError);
        assert.match(e.message, new RegExp(`data version is ${DATA_VERSION} .*reads data version 999`));
        return true;
      });
    } finally {
      await k.close();
    }
  });

  test("group commit: txns queued while a commit is in flight share one etcd Txn; one rewriting a key of the batch, or overflowing --max-txn-ops, waits for the next", async () => {
    const prefix = fresh();
    const counting = new CountingKv(kv());
    const s = await KvStore.open(counting, { prefix });
    try {
      const before = counting.txns;
      const first = s.txn((tx) => void tx.put("g/first", 0)); // in flight alone; the rest queue behind it
      const independent = Array.from({ length: 10 }, (_, i) => s.txn((tx) => void tx.put(`g/${i}`, i)));
      const max = s.kv.limits.maxTxnOps - 1;
      const big = s.txn((tx) => {
        for (let i = 0; i < max - 5; i++) tx.put(`big/${i}`, i); // fits alone, not beside the ten
      });
      const again = s.txn((tx) => void tx.put("g/3", "again")); // behind big; would rewrite g/3 of the ten
      await Promise.all([first, ...independent, again, big]);
      const rev = (k: string) => s.get(k)!.modRevision;
      const batchRev = rev("g/0");
      for (let i = 0; i < 10; i++) if (i !== 3) assert.equal(rev(`g/${i}`), batchRev, `g/${i} committed with the batch`);
      assert.ok(batchRev > rev("g/first"));
      assert.equal(s.get("g/3")?.value, "again");
      assert.ok(rev("g/3") > batchRev, "the rewrite commits after the batch");
      assert.equal(s.count("big/"), max - 5);
      assert.equal(rev("big/0"), rev("g/3"), "the big one and the rewrite share the next commit");
      assert.equal(counting.txns - before, 3, "first alone, the ten together, then the big one with the rewrite");
    } finally {
      await s.close();
    }
  });

  test("a txn writing more keys than one etcd Txn carries is refused whole (StoreTxnTooLargeError); the limit itself commits", async () => {
    const prefix = fresh();
    const s = await KvStore.open(kv(), { prefix });
    try {
      const max = s.kv.limits.maxTxnOps - 1; // one op is the fence
      await assert.rejects(
        s.txn((tx) => {
          for (let i = 0; i <= max; i++) tx.put(`big/${i}`, i);
        }),
        (e: unknown) => e instanceof StoreTxnTooLargeError && /128 one etcd transaction allows|127 one etcd/.test(e.message),
      );
      assert.equal(s.count("big/"), 0);
      await s.txn((tx) => {
        for (let i = 0; i < max; i++) tx.put(`big/${i}`, i);
      });
      assert.equal(s.count("big/"), max);
      // deletePrefix is one ranged delete however many keys (a cluster's teardown deletes hundreds).
      await s.txn((tx) => {
        for (let i = 0; i < max; i++) tx.put(`big/x${i}`, i);
      });
      const w: string[] = [];
      const stop = s.watch("big/", undefined, (evs) => w.push(`${evs.length} ${evs[0]!.type}`));
      assert.equal(await s.txn((tx) => tx.deletePrefix("big/")), 2 * max);
      stop();
      assert.equal(s.count("big/"), 0);
      assert.deepEqual(w, [`${2 * max} delete`], "one revision");
      // ... unless the txn puts into the range again: then key by key, atomically.
      await s.txn((tx) => {
        for (let i = 0; i < 3; i++) tx.put(`big/${i}`, i);
        tx.put("keep", 1);
      });
      await s.txn((tx) => {
        tx.deletePrefix("big/");
        tx.put("big/1", "again");
      });
      assert.deepEqual(s.list("big/").map((e) => [e.key, e.value]), [["big/1", "again"]]);
      assert.equal(s.get("keep")?.value, 1);
    } finally {
      await s.close();
    }
  });

  test("the watch history is a window: replay within it, StoreCompactedError (410) before it", async () => {
    const prefix = fresh();
    const s = await KvStore.open(kv(), { prefix, historyLimit: 5 });
    try {
      const r0 = s.revision();
      for (let i = 0; i < 8; i++) await s.txn((tx) => void tx.put("h", i));
      assert.ok(s.compactedRevision() > r0);
      assert.throws(() => s.watch("h", r0, () => undefined), StoreCompactedError);
      const got: number[] = [];
      s.watch("h", s.revision() - 3, (evs) => got.push(...evs.map((e) => e.value as number)))();
      assert.deepEqual(got, [5, 6, 7]);
    } finally {
      await s.close();
    }
  });

  test("a txn that read a lease-attached key reruns when the lease went under it (revoke and expiry do not touch the fence)", async () => {
    const prefix = fresh();
    const gated = new GatedKv(kv());
    const a = await KvStore.open(gated, { prefix });
    const other = kv();
    try {
      const l = await a.grantLease(10);
      await a.txn((tx) => void tx.put("owner", "me", { lease: l.id }));
      // The replica stops hearing etcd; the lease goes (as on expiry: the key is deleted, the
      // fence is not touched). The first run of fn decides on the stale owner key; its commit
      // must fail on that key's mod revision, and fn runs again on the caught-up replica.
      gated.hold = true;
      await other.revoke(l.id);
      const seen: Array<string | undefined> = [];
      await a.txn((tx) => {
        seen.push(tx.get<string>("owner")?.value);
        if (tx.get("owner")) tx.put("acted-as-owner", true);
        else tx.put("owner-gone", true);
      });
      assert.deepEqual(seen, ["me", undefined], "first run on the stale replica, second after catching up");
      assert.equal(a.get("acted-as-owner"), undefined);
      assert.equal(a.get("owner-gone")?.value, true);
    } finally {
      await other.close();
      await a.close();
    }
  });

  test("fresh() returns when etcd's newest revision wrote only outside the prefix (watch progress)", async () => {
    const prefix = fresh();
    const s = await KvStore.open(kv(), { prefix });
    const k = kv();
    try {
      const r = await k.put("/not-aksemu/x", bytes("1"));
      await s.fresh();
      assert.ok(s.revision() >= Number(r.revision));
      assert.equal(s.count(""), 0);
    } finally {
      await k.close();
      await s.close();
    }
  });

  test("etcd gone: reads answer from the replica; fresh(), txn and leases fail as StoreUnavailableError (503) within the timeout", async () => {
    const own = await startEtcd();
    const s = await KvStore.open(new EtcdKv({ endpoints: [own.endpoint], dialTimeoutMs: 1000 }), { catchUpTimeoutMs: 1500 });
    try {
      await s.txn((tx) => void tx.put("k", 1));
      await own.stop();
      assert.equal(s.get("k")?.value, 1);
      await assert.rejects(s.fresh(), StoreUnavailableError);
      await assert.rejects(s.txn((tx) => void tx.put("k", 2)), StoreUnavailableError);
      await assert.rejects(s.grantLease(5), StoreUnavailableError);
      assert.equal(s.get("k")?.value, 1);
    } finally {
      await s.close();
      await own.stop();
    }
  });

  test("a watch that resumes below etcd's compaction re-reads the replica and tells watchers the difference", async () => {
    const prefix = fresh();
    const gated = new GatedKv(kv());
    const s = await KvStore.open(gated, { prefix });
    const other = kv();
    try {
      await s.txn((tx) => {
        tx.put("a", 1);
        tx.put("b", 1);
      });
      const seen: string[] = [];
      s.watch("", undefined, (evs) => seen.push(...evs.map((e) => `${e.type} ${e.key}=${JSON.stringify(e.value)}`)));
      gated.blockWatches = true;
      gated.breakWatches();
      // While the replica is cut off: b changes, a goes, c comes, and etcd compacts that history away.
      await other.put(`${prefix}data/b`, bytes("2"));
      await other.delete(`${prefix}data/a`);
      const last = await other.put(`${prefix}data/c`, bytes("3"));
      await other.compact(last.revision);
      gated.blockWatches = false;
      await s.fresh();
      assert.deepEqual(s.list("").map((e) => [e.key, e.value]), [["b", 2], ["c", 3]]);
      assert.deepEqual(seen.sort(), ["delete a=1", "put b=2", "put c=3"]);
      assert.throws(() => s.watch("", Number(last.revision) - 2, () => undefined), StoreCompactedError);
      await s.txn((tx) => void tx.put("d", 4));
      assert.equal(s.get("d")?.value, 4, "writes go on after the re-read");
    } finally {
      await other.close();
      await s.close();
    }
  });
});
