// Conformance suite for the Store (src/store/store.ts) that every engine must pass: SqliteStore,
// and KvStore (src/store/kv-store.ts) over EtcdKv and over SqliteKv. Written against the store
// contract with txn and leases possibly async (awaiting a synchronous answer is harmless), so it
// runs unchanged before and after the store became async.
//
// Tests never assume absolute revisions (a shared etcd has other history) and each uses its own
// key prefix; a file's tests run one after another.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LeaseNotFoundError, NestedTxnError, StoreCompactedError, type Entry, type KeyRevision, type LeaseGrant, type LeaseId, type LeaseStatus, type ListOptions, type Store, type Txn, type WatchCallback, type WatchEvent } from "../../src/store/store.js";

export interface StoreHarness {
  /** A store instance; every instance of one harness shares the same data (two processes on one state). */
  open(): Promise<Store>;
  /** Remove the data (after every instance closed). */
  cleanup(): Promise<void>;
}

let unique = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll until cond holds (bounded: 15 s), for what a store's own clock decides (lease expiry). */
async function eventually(what: string, cond: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`not within 15 s: ${what}`);
    await sleep(100);
  }
}

/** Collect a watcher's batches. */
function recorder() {
  const batches: WatchEvent[][] = [];
  return { batches, cb: (evs: WatchEvent[]) => void batches.push(evs.map((e) => ({ type: e.type, key: e.key, value: e.value, prev: e.prev, revision: e.revision, createRevision: e.createRevision }))) };
}

export function storeConformance(name: string, harness: () => Promise<StoreHarness>): void {
  const withStores = (title: string, n: number, body: (stores: Store[], p: string) => Promise<void>) =>
    test(`${name}: ${title}`, async () => {
      const h = await harness();
      const stores: Store[] = [];
      try {
        for (let i = 0; i < n; i++) stores.push(await h.open());
        await body(stores, `t${process.pid}-${++unique}/`);
      } finally {
        for (const s of stores) await s.close();
        await h.cleanup();
      }
    });

  withStores("a txn takes one revision for all its writes; creation revisions stay; a txn that writes nothing takes none", 1, async ([s], p) => {
    const r0 = s.revision();
    await s.txn((tx) => {
      tx.put(`${p}a`, { n: 1 });
      tx.put(`${p}b`, { n: 2 });
    });
    const r1 = s.revision();
    assert.equal(r1, r0 + 1);
    const a = s.get<{ n: number }>(`${p}a`)!;
    assert.deepEqual(a.value, { n: 1 });
    assert.equal(a.modRevision, r1);
    assert.equal(a.createRevision, r1);
    assert.equal(s.get(`${p}b`)!.modRevision, r1);
    await s.txn((tx) => void tx.put(`${p}a`, { n: 3 }));
    const a2 = s.get<{ n: number }>(`${p}a`)!;
    assert.equal(a2.createRevision, r1, "an update keeps the creation revision");
    assert.equal(a2.modRevision, r1 + 1);
    const out = await s.txn((tx) => tx.get<{ n: number }>(`${p}a`)!.value.n);
    assert.equal(out, 3, "txn resolves to fn's result");
    assert.equal(await s.txn((tx) => tx.delete(`${p}nope`)), false);
    assert.equal(s.revision(), r1 + 1, "reads and no-op deletes take no revision");
  });

  withStores("reads: list in key order with limit and startAfter, count, listRevisions and rawValue", 1, async ([s], p) => {
    await s.txn((tx) => {
      for (const k of ["c", "a", "b", "d"]) tx.put(`${p}x/${k}`, k);
      tx.put(`${p}y`, "other");
    });
    assert.deepEqual(s.list(`${p}x/`).map((e) => e.value), ["a", "b", "c", "d"]);
    assert.deepEqual(s.list(`${p}x/`, { limit: 2 }).map((e) => e.value), ["a", "b"]);
    assert.deepEqual(s.list(`${p}x/`, { startAfter: `${p}x/b` }).map((e) => e.value), ["c", "d"]);
    assert.deepEqual(s.list(`${p}x/`, { startAfter: `${p}x/a`, limit: 1 }).map((e) => e.value), ["b"]);
    assert.equal(s.count(`${p}x/`), 4);
    assert.equal(s.count(`${p}`), 5);
    assert.equal(s.count(`${p}none/`), 0);
    if (s.listRevisions) assert.deepEqual(s.listRevisions(`${p}x/`, { limit: 3 }).map((r) => r.key), [`${p}x/a`, `${p}x/b`, `${p}x/c`]);
    if (s.rawValue) {
      assert.equal(s.rawValue(`${p}x/a`), '"a"');
      assert.equal(s.rawValue(`${p}x/zz`), undefined);
    }
    const got = s.get<string[]>(`${p}x/a`);
    assert.equal(got?.key, `${p}x/a`);
    assert.equal(got?.lease, "0");
  });

  withStores("modRevision: a key's committed mod revision without its value (0 when absent), undefined inside a txn, current in another instance", 2, async ([s, other], p) => {
    if (!s.modRevision || !other.modRevision) return assert.equal(s.modRevision, other.modRevision, "both instances of one engine offer it or neither");
    assert.equal(s.modRevision(`${p}k`), 0);
    await s.txn((tx) => void tx.put(`${p}k`, 1));
    assert.equal(s.modRevision(`${p}k`), s.get(`${p}k`)!.modRevision);
    await other.fresh?.();
    assert.equal(other.modRevision(`${p}k`), s.get(`${p}k`)!.modRevision, "another instance sees the write");
    await other.txn((tx) => void tx.put(`${p}k`, 2));
    await s.fresh?.();
    assert.equal(s.modRevision(`${p}k`), other.get(`${p}k`)!.modRevision, "a write through the other instance shows");
    assert.equal(s.get<number>(`${p}k`)!.value, 2);
    let inside: number | undefined = -1;
    await s.txn((tx) => {
      tx.put(`${p}k`, 3);
      inside = s.modRevision!(`${p}k`);
    });
    assert.equal(inside, undefined, "inside fn, where reads see uncommitted writes");
    assert.equal(s.modRevision(`${p}k`), s.get(`${p}k`)!.modRevision);
    await assert.rejects(s.txn((tx) => {
      tx.put(`${p}k`, 4);
      throw new Error("abort");
    }) as Promise<unknown>);
    assert.equal(s.get<number>(`${p}k`)!.value, 3, "the aborted write is gone");
    assert.equal(s.modRevision(`${p}k`), s.get(`${p}k`)!.modRevision, "and so is its revision");
    await s.txn((tx) => void tx.delete(`${p}k`));
    assert.equal(s.modRevision(`${p}k`), 0);
  });

  withStores("inside a txn reads see its own writes, deletes and deletePrefix", 1, async ([s], p) => {
    await s.txn((tx) => {
      tx.put(`${p}k/1`, 1);
      tx.put(`${p}k/2`, 2);
    });
    const seen = await s.txn((tx) => {
      tx.put(`${p}k/3`, 3);
      tx.delete(`${p}k/1`);
      const mid = { list: tx.list<number>(`${p}k/`).map((e) => e.value), count: tx.count(`${p}k/`), three: tx.get(`${p}k/3`)?.value, one: tx.get(`${p}k/1`) };
      return mid;
    });
    assert.deepEqual(seen, { list: [2, 3], count: 2, three: 3, one: undefined });
    assert.deepEqual(s.list(`${p}k/`).map((e) => e.value), [2, 3]);
    const n = await s.txn((tx) => tx.deletePrefix(`${p}k/`));
    assert.equal(n, 2);
    assert.equal(s.count(`${p}k/`), 0);
  });

  withStores("inside a txn list merges its own puts and deletes with the stored keys, in order, with limit and startAfter", 1, async ([s], p) => {
    await s.txn((tx) => {
      for (const k of ["b", "d", "f", "h"]) tx.put(`${p}m/${k}`, k);
    });
    const seen = await s.txn((tx) => {
      tx.put(`${p}m/a`, "a");
      tx.put(`${p}m/e`, "e");
      tx.put(`${p}m/d`, "d2");
      tx.delete(`${p}m/f`);
      const keys = (o?: { limit?: number; startAfter?: string }) => tx.list<string>(`${p}m/`, o).map((e) => `${e.key.slice(p.length + 2)}=${e.value}`);
      return { all: keys(), first2: keys({ limit: 2 }), afterB: keys({ startAfter: `${p}m/b`, limit: 3 }), afterE: keys({ startAfter: `${p}m/e` }) };
    });
    assert.deepEqual(seen.all, ["a=a", "b=b", "d=d2", "e=e", "h=h"]);
    assert.deepEqual(seen.first2, ["a=a", "b=b"]);
    assert.deepEqual(seen.afterB, ["d=d2", "e=e", "h=h"]);
    assert.deepEqual(seen.afterE, ["h=h"]);
  });

  withStores("store.txn inside a txn's fn throws NestedTxnError (pass tx down instead): the outer txn rejects, nothing is written", 1, async ([s], p) => {
    const r0 = s.revision();
    await assert.rejects(
      (async () =>
        s.txn((tx) => {
          tx.put(`${p}outer`, 1);
          void s.txn((inner) => inner.put(`${p}inner`, 2));
        }))(),
      NestedTxnError,
    );
    assert.equal(s.revision(), r0);
    assert.equal(s.get(`${p}outer`), undefined);
    assert.equal(s.get(`${p}inner`), undefined);
  });

  withStores("a txn whose fn throws writes nothing and rejects with fn's error; values are copies", 1, async ([s], p) => {
    await s.txn((tx) => void tx.put(`${p}keep`, { v: 1 }));
    const r0 = s.revision();
    const boom = new Error("boom");
    await assert.rejects(
      (async () =>
        s.txn((tx) => {
          tx.put(`${p}keep`, { v: 2 });
          tx.put(`${p}new`, { v: 3 });
          throw boom;
        }))(),
      (e) => e === boom,
    );
    assert.equal(s.revision(), r0);
    assert.deepEqual(s.get(`${p}keep`)!.value, { v: 1 });
    assert.equal(s.get(`${p}new`), undefined);
    const v = s.get<{ v: number }>(`${p}keep`)!.value;
    v.v = 99;
    assert.deepEqual(s.get(`${p}keep`)!.value, { v: 1 }, "mutating a read value does not change the store");
    await assert.rejects(async () => s.txn((tx) => void tx.put(`${p}bad`, undefined)), /not JSON-serialisable/);
  });

  withStores("watch: live events per txn in revision order with prev values; replay from a revision; older than the window is StoreCompactedError", 1, async ([s], p) => {
    await s.txn((tx) => void tx.put(`${p}w/a`, 1));
    const from = s.revision();
    const live = recorder();
    const stop = s.watch(`${p}w/`, undefined, live.cb);
    await s.txn((tx) => {
      tx.put(`${p}w/a`, 2);
      tx.put(`${p}w/b`, 1);
      tx.put(`${p}other`, 0);
    });
    await s.txn((tx) => void tx.delete(`${p}w/a`));
    await s.fresh?.();
    stop();
    assert.equal(live.batches.length, 2, "one batch per txn");
    const [b1, b2] = live.batches as [WatchEvent[], WatchEvent[]];
    assert.deepEqual(b1.map((e) => [e.type, e.key, e.value, e.prev]), [["put", `${p}w/a`, 2, 1], ["put", `${p}w/b`, 1, undefined]]);
    assert.equal(b1[0]!.revision, from + 1);
    assert.deepEqual(b2.map((e) => [e.type, e.key, e.value]), [["delete", `${p}w/a`, 2]]);
    assert.equal(b2[0]!.revision, from + 2);
    assert.ok(b2[0]!.createRevision < b2[0]!.revision);
    await s.txn((tx) => void tx.put(`${p}w/c`, 1)); // after unsubscribing: not delivered
    assert.equal(live.batches.length, 2);

    const replay = recorder();
    s.watch(`${p}w/`, from, replay.cb)();
    assert.deepEqual(replay.batches.map((b) => b.map((e) => `${e.type} ${e.key.slice(p.length)} @${e.revision - from}`)), [
      ["put w/a @1", "put w/b @1"],
      ["delete w/a @2"],
      ["put w/c @3"],
    ]);
    const c = s.compactedRevision();
    assert.throws(() => s.watch(`${p}w/`, c - 1, () => undefined), StoreCompactedError);
  });

  withStores("leases: keys attached vanish with revoke (delete events) and with expiry; keep-alive and timeToLive", 1, async ([s], p) => {
    const l = await s.grantLease(2);
    assert.ok(l.ttl >= 2);
    await s.txn((tx) => {
      tx.put(`${p}l/a`, 1, { lease: l.id });
      tx.put(`${p}l/b`, 2, { lease: l.id });
      tx.put(`${p}l/free`, 3);
    });
    assert.equal(s.get(`${p}l/a`)!.lease, l.id);
    const st = await s.leaseTimeToLive(l.id);
    assert.deepEqual(st?.keys, [`${p}l/a`, `${p}l/b`]);
    assert.equal(st?.grantedTtl, l.ttl);
    assert.ok((await s.keepAliveLease(l.id)).ttl >= 2);
    const w = recorder();
    const stop = s.watch(`${p}l/`, undefined, w.cb);
    await s.revokeLease(l.id);
    assert.equal(s.get(`${p}l/a`), undefined, "revoke's deletes are visible when it resolves");
    assert.equal(s.get(`${p}l/b`), undefined);
    assert.deepEqual(s.get(`${p}l/free`)?.value, 3);
    assert.deepEqual(w.batches.map((b) => b.map((e) => `${e.type} ${e.key.slice(p.length)}`)), [["delete l/a", "delete l/b"]]);
    assert.equal(await s.leaseTimeToLive(l.id), undefined);
    await assert.rejects(async () => s.keepAliveLease(l.id), LeaseNotFoundError);
    await assert.rejects(async () => s.revokeLease(l.id), LeaseNotFoundError);

    // Expiry: nobody keeps the lease alive.
    const e = await s.grantLease(2);
    await s.txn((tx) => void tx.put(`${p}l/exp`, 1, { lease: e.id }));
    await eventually("the expired lease's key is deleted", async () => {
      await s.fresh?.();
      return s.get(`${p}l/exp`) === undefined;
    });
    stop();
    assert.deepEqual(w.batches.at(-1)!.map((ev) => `${ev.type} ${ev.key.slice(p.length)}`), ["delete l/exp"]);
    await assert.rejects(async () => s.txn((tx) => void tx.put(`${p}l/late`, 1, { lease: e.id })), LeaseNotFoundError);
    assert.equal(s.get(`${p}l/late`), undefined);
  });

  withStores("two instances on one state: a write through one is read through the other after fresh()", 2, async ([a, b], p) => {
    for (let i = 0; i < 5; i++) {
      await a!.txn((tx) => void tx.put(`${p}ryw`, i));
      await b!.fresh?.();
      assert.equal(b!.get(`${p}ryw`)?.value, i);
      assert.equal(b!.get(`${p}ryw`)?.modRevision, a!.get(`${p}ryw`)?.modRevision);
      await b!.txn((tx) => void tx.put(`${p}back`, i));
      await a!.fresh?.();
      assert.equal(a!.get(`${p}back`)?.value, i);
    }
  });

  withStores("many txns at once: each resolves after its write is readable, a failing one writes nothing, every value of a key written by several reaches watchers", 1, async ([a], p) => {
    const seen: unknown[] = [];
    const stop = a!.watch(`${p}same`, undefined, (evs) => {
      for (const e of evs) seen.push(e.value);
    });
    const N = 24;
    const calls = Array.from({ length: N }, async (_, i) => {
      const s = a!;
      await s.txn((tx) => {
        tx.put(`${p}own/${i}`, { i });
        tx.put(`${p}same`, i); // the shared key: one value per commit, never merged away
      });
      assert.deepEqual(s.get(`${p}own/${i}`)?.value, { i }, "read-your-writes right after the txn resolved");
    });
    const failing = a!.txn((tx) => {
      tx.put(`${p}own/bad`, 1);
      throw new Error("refused");
    });
    await assert.rejects(Promise.resolve(failing), /refused/);
    await Promise.all(calls);
    stop();
    assert.equal(a!.count(`${p}own/`), N);
    assert.equal(a!.get(`${p}own/bad`), undefined);
    assert.deepEqual([...seen].sort((x, y) => Number(x) - Number(y)), Array.from({ length: N }, (_, i) => i), "every write of the shared key was seen by the watcher");
    assert.equal(a!.get(`${p}same`)?.value, seen.at(-1));
  });

  withStores("two instances racing read-modify-write increments on one key end with the exact sum", 2, async ([a, b], p) => {
    const key = `${p}counter`;
    await a!.txn((tx) => void tx.put(key, 0));
    await b!.fresh?.();
    let runs = 0;
    const inc = (s: Store) =>
      s.txn((tx) => {
        runs++;
        tx.put(key, (tx.get<number>(key)?.value ?? 0) + 1);
      });
    const N = 30;
    await Promise.all(Array.from({ length: N }, (_, i) => inc(i % 2 === 0 ? a! : b!)));
    await a!.fresh?.();
    await b!.fresh?.();
    assert.equal(a!.get(key)?.value, N);
    assert.equal(b!.get(key)?.value, N);
    assert.ok(runs >= N);
    // An optimistic engine (one with a read barrier) must have met the race: some fn ran again.
    if (a!.fresh) assert.ok(runs > N, `no conflict happened (${runs} runs for ${N} increments): the race was not exercised`);
  });
}
