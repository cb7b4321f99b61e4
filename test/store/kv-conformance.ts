// Conformance suite for the etcd-shaped store (src/store/kv.ts): every engine must pass it.
// Written once against the interface; an engine's test file calls kvConformance(name, factory).
// SQLite runs it in test/store/kv-sqlite.test.ts; the etcd engine (issue 12) runs the same file.
//
// Tests never assume absolute revision numbers (a shared etcd has other history): they take a
// baseline and count from it, and each uses its own key prefix. They assume nothing else
// writes to the store while one test runs (node:test runs a file's tests one after another).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  CompactedError,
  DuplicateKeyError,
  EmptyKeyError,
  FutureRevisionError,
  LeaseNotFoundError,
  TooManyOpsError,
  bytes,
  text,
  type Compare,
  type KeyValue,
  type Kv,
  type Watch,
  type WatchEvent,
} from "../../src/store/kv.js";
import { guaranteedUpdate } from "../../src/store/kv-update.js";

export interface KvHarness {
  /** Open a client on the store; a second open() after close() sees the same data (a restart). */
  open(): Promise<Kv>;
  /**
   * Let `ms` of the store's lease clock pass and return once leases due by then are gone
   * (SQLite: an injected clock; an engine on a real clock waits, then polls).
   */
  advance(ms: number): Promise<void>;
  /** Remove the store's data (after every client closed). */
  cleanup(): Promise<void>;
}
export type KvFactory = () => Promise<KvHarness>;

const v = bytes;
const s = (kv: KeyValue | undefined): string | undefined => (kv ? text(kv.value) : undefined);
const keys = (kvs: KeyValue[]): string[] => kvs.map((k) => k.key);
let unique = 0;

/** Collect watch events until `n` arrived (guarded: rejects after 10 s instead of hanging). */
async function take(w: Watch, n: number): Promise<WatchEvent[]> {
  const got: WatchEvent[] = [];
  const it = w[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`watch delivered ${got.length} of ${n} events in 10 s`)), 10_000);
  });
  try {
    while (got.length < n) {
      const r = await Promise.race([it.next(), guard]);
      if (r.done) break;
      got.push(...r.value.events);
    }
  } finally {
    clearTimeout(timer);
  }
  return got;
}

/**
 * Events in revision order, and by key within one revision. etcd orders the events of one
 * revision by operation (a Txn's op order; a lease's keys in no defined order), the SQLite engine
 * by key: callers may rely on revision order only, so the suite compares within a revision as a set.
 */
function byRevision(events: WatchEvent[]): WatchEvent[] {
  return [...events].sort((a, b) => (a.kv.modRevision !== b.kv.modRevision ? (a.kv.modRevision < b.kv.modRevision ? -1 : 1) : Buffer.compare(Buffer.from(a.kv.key), Buffer.from(b.kv.key))));
}

function brief(e: WatchEvent): string {
  return `${e.type} ${e.kv.key}${e.type === "put" ? "=" + text(e.kv.value) : ""}${e.prevKv ? " prev=" + text(e.prevKv.value) : ""}`;
}

export function kvConformance(name: string, factory: KvFactory): void {
  describe(`kv conformance: ${name}`, () => {
    /** Runs body with an open client and a fresh key prefix; closes and cleans up after. */
    const withKv = (title: string, body: (kv: Kv, p: string, h: KvHarness) => Promise<void>) =>
      test(title, async () => {
        const h = await factory();
        const kv = await h.open();
        try {
          await body(kv, `/conf/${++unique}-${Date.now().toString(36)}/`, h);
        } finally {
          await kv.close();
          await h.cleanup();
        }
      });

    withKv("revisions: one per writing txn, create vs mod revision, version counting", async (kv, p) => {
      const base = (await kv.range(p + "none")).revision;
      const r1 = await kv.put(p + "a", v("1"));
      assert.equal(r1.revision, base + 1n);
      const r2 = await kv.put(p + "a", v("2"));
      assert.equal(r2.revision, base + 2n);
      let a = (await kv.range(p + "a")).kvs[0]!;
      assert.deepEqual([a.createRevision, a.modRevision, a.version, s(a)], [base + 1n, base + 2n, 2n, "2"]);
      // A txn with three writes takes ONE revision, shared by all its keys.
      const t = await kv.txn({ compare: [], success: [{ put: { key: p + "b", value: v("b") } }, { put: { key: p + "c", value: v("c") } }, { delete: { key: p + "a" } }] });
      assert.equal(t.succeeded, true);
      assert.equal(t.revision, base + 3n);
      const bc = await kv.range(p, { prefix: true });
      assert.deepEqual(keys(bc.kvs), [p + "b", p + "c"]);
      assert.ok(bc.kvs.every((k) => k.modRevision === base + 3n && k.createRevision === base + 3n && k.version === 1n));
      assert.equal(bc.revision, base + 3n);
      // A re-created key starts a new life: new create revision, version 1.
      await kv.put(p + "a", v("again"));
      a = (await kv.range(p + "a")).kvs[0]!;
      assert.deepEqual([a.createRevision, a.modRevision, a.version], [base + 4n, base + 4n, 1n]);
      // Writes that change nothing take no revision: a delete of an absent key, a failed compare with no failure ops.
      const d = await kv.delete(p + "absent");
      assert.deepEqual([d.deleted, d.revision], [0, base + 4n]);
      const f = await kv.txn({ compare: [{ key: p + "a", target: "version", result: "=", value: 99n }], success: [{ put: { key: p + "x", value: v("x") } }] });
      assert.deepEqual([f.succeeded, f.revision, f.responses.length], [false, base + 4n, 0]);
      // Revisions keep rising: concurrent writers each get their own, no two the same.
      const revs = await Promise.all(Array.from({ length: 20 }, (_, i) => kv.put(`${p}n/${i}`, v(String(i))).then((r) => r.revision)));
      assert.deepEqual([...revs].sort((x, y) => (x < y ? -1 : 1)), Array.from({ length: 20 }, (_, i) => base + 5n + BigInt(i)));
    });

    withKv("put prevKv, delete of a range and a prefix with prevKvs", async (kv, p) => {
      const first = await kv.put(p + "k", v("one"), { prevKv: true });
      assert.equal(first.prevKv, undefined);
      const second = await kv.put(p + "k", v("two"), { prevKv: true });
      assert.equal(s(second.prevKv), "one");
      assert.equal(second.prevKv!.modRevision, first.revision);
      for (const k of ["d/1", "d/2", "d/3", "e"]) await kv.put(p + k, v(k));
      const ranged = await kv.delete(p + "d/1", { end: p + "d/3", prevKv: true });
      assert.equal(ranged.deleted, 2);
      assert.deepEqual(keys(ranged.prevKvs!), [p + "d/1", p + "d/2"]);
      assert.deepEqual(ranged.prevKvs!.map(s), ["d/1", "d/2"]);
      const byPrefix = await kv.delete(p, { prefix: true });
      assert.equal(byPrefix.deleted, 3);
      assert.equal(byPrefix.prevKvs, undefined, "prevKvs only when asked");
      assert.equal((await kv.range(p, { prefix: true })).count, 0);
    });

    withKv("txn compare: each target and each result, success and failure branches", async (kv, p) => {
      await kv.put(p + "k", v("m"));
      const k = (await kv.range(p + "k")).kvs[0]!;
      await kv.put(p + "other", v("o"));
      const run = (c: Compare) =>
        kv.txn({ compare: [c], success: [{ range: { key: p + "k" } }], failure: [{ range: { key: p + "other" } }] }).then((r) => {
          const res = r.responses[0]!;
          assert.ok("range" in res, "the branch's range op answered");
          // The branch that ran is the one whose range answered.
          assert.equal(s(res.range.kvs[0]), r.succeeded ? "m" : "o");
          return r.succeeded;
        });
      const cases: [Compare, boolean][] = [
        [{ key: p + "k", target: "mod", result: "=", value: k.modRevision }, true],
        [{ key: p + "k", target: "mod", result: "=", value: k.modRevision - 1n }, false],
        [{ key: p + "k", target: "mod", result: "!=", value: k.modRevision }, false],
        [{ key: p + "k", target: "mod", result: "<", value: k.modRevision + 1n }, true],
        [{ key: p + "k", target: "mod", result: ">", value: k.modRevision }, false],
        [{ key: p + "k", target: "create", result: "=", value: k.createRevision }, true],
        [{ key: p + "k", target: "create", result: ">", value: 0n }, true],
        [{ key: p + "k", target: "version", result: "=", value: 1n }, true],
        [{ key: p + "k", target: "version", result: "<", value: 1n }, false],
        [{ key: p + "k", target: "version", result: "!=", value: 2n }, true],
        [{ key: p + "k", target: "value", result: "=", value: v("m") }, true],
        [{ key: p + "k", target: "value", result: "=", value: v("n") }, false],
        [{ key: p + "k", target: "value", result: "<", value: v("n") }, true],
        [{ key: p + "k", target: "value", result: ">", value: v("n") }, false],
        [{ key: p + "k", target: "value", result: "!=", value: v("n") }, true],
        [{ key: p + "k", target: "lease", result: "=", value: "0" }, true],
        // An absent key compares as a zero KeyValue, but a value compare on it always fails.
        [{ key: p + "absent", target: "mod", result: "=", value: 0n }, true],
        [{ key: p + "absent", target: "create", result: "=", value: 0n }, true],
        [{ key: p + "absent", target: "version", result: ">", value: 0n }, false],
        [{ key: p + "absent", target: "value", result: "!=", value: v("x") }, false],
        [{ key: p + "absent", target: "value", result: "=", value: v("") }, false],
      ];
      for (const [c, want] of cases) assert.equal(await run(c), want, `${c.key.slice(p.length)} ${c.target} ${c.result} ${typeof c.value === "bigint" ? c.value : String(c.value)}`);
      // Compares are a conjunction; the failure branch writes too.
      const r = await kv.txn({
        compare: [{ key: p + "k", target: "version", result: "=", value: 1n }, { key: p + "absent", target: "create", result: "!=", value: 0n }],
        success: [{ put: { key: p + "won", value: v("1") } }],
        failure: [{ put: { key: p + "lost", value: v("1") } }, { range: { key: p + "lost" } }],
      });
      assert.equal(r.succeeded, false);
      assert.equal((await kv.range(p + "won")).count, 0);
      const seen = r.responses[1]!;
      assert.ok("range" in seen && seen.range.kvs[0]?.modRevision === r.revision, "a range in the txn sees the txn's own write");
    });

    withKv("txn refuses: duplicate keys, too many ops, empty keys (nothing written)", async (kv, p) => {
      const base = (await kv.range(p + "x")).revision;
      await assert.rejects(kv.txn({ compare: [], success: [{ put: { key: p + "a", value: v("1") } }, { put: { key: p + "a", value: v("2") } }] }), DuplicateKeyError);
      await assert.rejects(kv.txn({ compare: [], success: [{ delete: { key: p, prefix: true } }, { put: { key: p + "a", value: v("2") } }] }), DuplicateKeyError);
      const many = Array.from({ length: kv.limits.maxTxnOps + 1 }, (_, i) => ({ put: { key: `${p}m/${i}`, value: v("1") } }));
      await assert.rejects(kv.txn({ compare: [], success: many }), TooManyOpsError);
      await assert.rejects(kv.put("", v("1")), EmptyKeyError);
      assert.equal((await kv.range(p, { prefix: true })).count, 0);
      assert.equal((await kv.range(p + "x")).revision, base, "refused requests took no revision");
      // Exactly the limit is fine.
      const ok = await kv.txn({ compare: [], success: many.slice(1) });
      assert.equal(ok.succeeded, true);
      assert.equal((await kv.range(p + "m/", { prefix: true, countOnly: true })).count, kv.limits.maxTxnOps);
    });

    withKv("range: prefix, end, limit with more and count, countOnly, keysOnly, past revisions", async (kv, p) => {
      for (let i = 0; i < 10; i++) await kv.put(`${p}r/${i}`, v(`v${i}`));
      await kv.put(p + "rz", v("outside the r/ prefix"));
      const all = await kv.range(p + "r/", { prefix: true });
      assert.equal(all.count, 10);
      assert.deepEqual(all.kvs.map(s), Array.from({ length: 10 }, (_, i) => `v${i}`), "ordered by key");
      const page = await kv.range(p + "r/", { prefix: true, limit: 3 });
      assert.deepEqual([page.kvs.length, page.more, page.count], [3, true, 10]);
      // Next page: start after the last key, same revision.
      const page2 = await kv.range(page.kvs[2]!.key + "\0", { end: p + "r0", limit: 100, revision: page.revision });
      assert.deepEqual([page2.kvs.length, page2.more, page2.count], [7, false, 7]);
      const between = await kv.range(`${p}r/2`, { end: `${p}r/5` });
      assert.deepEqual(between.kvs.map(s), ["v2", "v3", "v4"]);
      const counted = await kv.range(p + "r/", { prefix: true, countOnly: true });
      assert.deepEqual([counted.kvs.length, counted.count], [0, 10]);
      const keysOnly = await kv.range(p + "r/", { prefix: true, keysOnly: true, limit: 2 });
      assert.deepEqual(keysOnly.kvs.map((k) => k.value.byteLength), [0, 0]);
      assert.equal(keysOnly.kvs[0]!.key, `${p}r/0`);
      assert.ok(keysOnly.kvs[0]!.modRevision > 0n);
      const open = await kv.range(p + "r/5", { end: "\0" });
      assert.ok(keys(open.kvs).includes(p + "rz") && !keys(open.kvs).includes(`${p}r/4`), "end \\0 = every key from key on");
      // Reads at a past revision see the state as it was then.
      const before = await kv.put(`${p}r/0`, v("changed"));
      await kv.delete(`${p}r/1`);
      await kv.put(`${p}r/new`, v("new"));
      const then = await kv.range(p + "r/", { prefix: true, revision: before.revision - 1n });
      assert.equal(then.count, 10);
      assert.deepEqual([s(then.kvs[0]), s(then.kvs[1])], ["v0", "v1"]);
      assert.ok(!keys(then.kvs).includes(`${p}r/new`));
      const mid = await kv.range(p + "r/", { prefix: true, revision: before.revision });
      assert.deepEqual([s(mid.kvs[0]), s(mid.kvs[1])], ["changed", "v1"]);
      const now = await kv.range(p + "r/", { prefix: true });
      assert.deepEqual([now.count, s(now.kvs[0]), now.kvs[1]!.key], [10, "changed", `${p}r/2`]);
      const one = await kv.range(`${p}r/0`, { revision: before.revision - 1n });
      assert.equal(one.kvs[0]!.version, 1n);
      await assert.rejects(kv.range(p + "r/", { prefix: true, revision: now.revision + 10n }), FutureRevisionError);
      // Keys are UTF-8 and ordered by bytes, also past ASCII.
      for (const k of ["ü/a", "ü/b", "üz", "ý", "\u{10FFFF}"]) await kv.put(p + "u/" + k, v(k));
      assert.deepEqual(keys((await kv.range(p + "u/ü/", { prefix: true })).kvs), [p + "u/ü/a", p + "u/ü/b"]);
      assert.deepEqual(keys((await kv.range(p + "u/ü", { prefix: true })).kvs), [p + "u/ü/a", p + "u/ü/b", p + "u/üz"]);
      assert.equal((await kv.range(p + "u/\u{10FFFF}", { prefix: true })).count, 1);
      assert.equal((await kv.range(p + "u/", { prefix: true })).count, 5);
    });

    withKv("watch from a revision: replay, then live; prefix filter; delete events with prevKv; whole txns", async (kv, p) => {
      const start = (await kv.put(p + "w/a", v("1"))).revision;
      await kv.put(p + "other", v("not watched"));
      await kv.put(p + "w/a", v("2"));
      const w = kv.watch(p + "w/", { prefix: true, startRevision: start, prevKv: true });
      const replay = await take(w, 2);
      assert.deepEqual(replay.map(brief), [`put ${p}w/a=1`, `put ${p}w/a=2 prev=1`]);
      assert.equal(replay[0]!.kv.modRevision, start);
      // Live: a txn writing two watched keys and one other arrives whole, one revision.
      const t = await kv.txn({ compare: [], success: [{ put: { key: p + "w/b", value: v("b") } }, { put: { key: p + "x", value: v("x") } }, { delete: { key: p + "w/a" } }] });
      const live = byRevision(await take(w, 2));
      assert.deepEqual(live.map(brief), [`delete ${p}w/a prev=2`, `put ${p}w/b=b`]);
      assert.ok(live.every((e) => e.kv.modRevision === t.revision));
      assert.equal(live[0]!.kv.value.byteLength, 0);
      w.cancel();
      const after = await w[Symbol.asyncIterator]().next();
      assert.equal(after.done, true, "a cancelled watch ends");
      // Without startRevision: only changes after now; without prevKv: none.
      const now = kv.watch(p + "w/b");
      await kv.put(p + "w/b", v("b2"));
      const [e] = await take(now, 1);
      assert.equal(brief(e!), `put ${p}w/b=b2`);
      assert.equal(e!.kv.version, 2n);
      now.cancel();
    });

    withKv("watch progress: a requested progress batch has no events and says every event up to its revision was delivered", async (kv, p) => {
      const w = kv.watch(p + "w/", { prefix: true });
      try {
        await kv.put(p + "w/a", v("1"));
        const outside = await kv.put(p + "x", v("2"));
        const it = w[Symbol.asyncIterator]();
        const first = await it.next();
        assert.deepEqual(first.value!.events.map(brief), [`put ${p}w/a=1`]);
        w.requestProgress();
        const progress = await it.next();
        assert.deepEqual(progress.value!.events, []);
        assert.ok(progress.value!.revision >= outside.revision, "a write outside the range counts as seen");
      } finally {
        w.cancel();
      }
    });

    test("watch resumes from a revision after the store is closed and reopened", async () => {
      const h = await factory();
      const p = `/conf/${++unique}-resume/`;
      let kv = await h.open();
      try {
        const revs: bigint[] = [];
        for (let i = 0; i < 6; i++) revs.push((await kv.put(`${p}${i % 2}`, v(`e${i}`))).revision);
        await kv.delete(p + "0");
        await kv.close();
        kv = await h.open();
        const w = kv.watch(p, { prefix: true, startRevision: revs[3]!, prevKv: true });
        const got = await take(w, 4);
        assert.deepEqual(got.map(brief), [`put ${p}1=e3 prev=e1`, `put ${p}0=e4 prev=e2`, `put ${p}1=e5 prev=e3`, `delete ${p}0 prev=e4`]);
        await kv.put(p + "live", v("after reopen"));
        assert.equal(brief((await take(w, 1))[0]!), `put ${p}live=after reopen`);
        w.cancel();
      } finally {
        await kv.close();
        await h.cleanup();
      }
    });

    withKv("compaction: reads and watches below it fail with CompactedError; state at and above it stays", async (kv, p) => {
      const r1 = (await kv.put(p + "a", v("a1"))).revision;
      await kv.put(p + "b", v("b1"));
      await kv.put(p + "a", v("a2"));
      await kv.put(p + "gone", v("g"));
      await kv.delete(p + "gone");
      const mid = (await kv.put(p + "a", v("a3"))).revision;
      await kv.put(p + "a", v("a4"));
      await kv.compact(mid);
      // (etcd's Range error does not say the compaction revision; a watch's cancel does.)
      await assert.rejects(kv.range(p, { prefix: true, revision: r1 }), CompactedError);
      const atMid = await kv.range(p, { prefix: true, revision: mid });
      assert.deepEqual(atMid.kvs.map((k) => `${k.key.slice(p.length)}=${s(k)}`), ["a=a3", "b=b1"], "the state at the compaction revision is still readable");
      const head = await kv.range(p, { prefix: true });
      assert.deepEqual(head.kvs.map((k) => `${k.key.slice(p.length)}=${s(k)}`), ["a=a4", "b=b1"]);
      assert.equal(head.kvs[0]!.version, 4n, "version survives compaction");
      const w = kv.watch(p, { prefix: true, startRevision: r1 });
      await assert.rejects(take(w, 1), CompactedError);
      const ok = kv.watch(p, { prefix: true, startRevision: mid });
      assert.deepEqual((await take(ok, 2)).map(brief), [`put ${p}a=a3`, `put ${p}a=a4`]);
      ok.cancel();
      await assert.rejects(kv.compact(mid - 1n), CompactedError);
      await assert.rejects(kv.compact(head.revision + 5n), FutureRevisionError);
      // Writes go on after compaction.
      const next = await kv.put(p + "b", v("b2"));
      assert.equal(next.revision, head.revision + 1n);
    });

    withKv("leases: attached keys vanish on expiry and on revoke, with delete events; keepAlive renews", async (kv, p, h) => {
      const lease = await kv.grant(5);
      assert.ok(lease.ttl >= 5);
      const base = (await kv.put(p + "held/1", v("1"), { lease: lease.id })).revision;
      await kv.put(p + "held/2", v("2"), { lease: lease.id });
      await kv.put(p + "free", v("f"));
      const status = await kv.timeToLive(lease.id);
      assert.deepEqual([...(status?.keys ?? [])].sort(), [p + "held/1", p + "held/2"]);
      assert.equal(status?.grantedTtl, lease.ttl);
      assert.equal((await kv.range(p + "held/1")).kvs[0]!.lease, lease.id);
      const w = kv.watch(p, { prefix: true, startRevision: base + 3n, prevKv: true });
      // Renewed half-way, it outlives its first deadline.
      await h.advance((lease.ttl * 1000) / 2 + 500);
      assert.equal((await kv.keepAlive(lease.id)).ttl, lease.ttl);
      await h.advance((lease.ttl * 1000) / 2 + 500);
      assert.equal((await kv.range(p + "held/", { prefix: true })).count, 2, "kept alive");
      await h.advance(lease.ttl * 1000 + 1000);
      assert.equal((await kv.range(p + "held/", { prefix: true })).count, 0, "expired with its lease");
      assert.equal(s((await kv.range(p + "free")).kvs[0]), "f");
      const events = byRevision(await take(w, 2));
      assert.deepEqual(events.map(brief), [`delete ${p}held/1 prev=1`, `delete ${p}held/2 prev=2`]);
      assert.equal(events[0]!.kv.modRevision, events[1]!.kv.modRevision, "one revision for the lease's keys");
      w.cancel();
      assert.equal(await kv.timeToLive(lease.id), undefined);
      await assert.rejects(kv.keepAlive(lease.id), LeaseNotFoundError);
      await assert.rejects(kv.put(p + "late", v("x"), { lease: lease.id }), LeaseNotFoundError);
      // Revoke: at once, one revision, and a plain put detaches a key from its lease.
      const l2 = await kv.grant(60);
      await kv.put(p + "r/1", v("1"), { lease: l2.id });
      await kv.put(p + "r/2", v("2"), { lease: l2.id });
      await kv.put(p + "r/3", v("3"), { lease: l2.id });
      await kv.put(p + "r/3", v("3 detached"));
      const before = (await kv.range(p + "r/", { prefix: true })).revision;
      const rv = await kv.revoke(l2.id);
      assert.equal(rv.revision, before + 1n);
      assert.deepEqual(keys((await kv.range(p + "r/", { prefix: true })).kvs), [p + "r/3"]);
      await assert.rejects(kv.revoke(l2.id), LeaseNotFoundError);
    });

    withKv("guaranteedUpdate: read-modify-write with retries; no-op writes nothing", async (kv, p) => {
      const key = p + "counter";
      const inc = (cur: KeyValue | undefined) => v(String(Number(cur ? text(cur.value) : "0") + 1));
      const rs = await Promise.all(Array.from({ length: 30 }, () => guaranteedUpdate(kv, key, inc)));
      const after = (await kv.range(key)).kvs[0]!;
      assert.equal(s(after), "30", "no increment lost");
      assert.equal(after.version, 30n);
      assert.ok(rs.some((r) => r.attempts > 1), "concurrent updates conflicted and retried");
      const noop = await guaranteedUpdate(kv, key, () => undefined);
      assert.deepEqual([noop.written, noop.kv?.modRevision], [false, after.modRevision]);
      const same = await guaranteedUpdate(kv, key, (cur) => cur!.value);
      assert.equal(same.written, false, "same bytes: nothing written");
      // A stale cached copy costs a retry, not a lost update.
      const stale = { ...after, value: v("7"), modRevision: after.modRevision - 1n };
      const r = await guaranteedUpdate(kv, key, inc, { cached: stale });
      assert.deepEqual([r.attempts, s(r.kv)], [2, "31"]);
      const del = await guaranteedUpdate(kv, key, () => null);
      assert.equal(del.written, true);
      assert.equal((await kv.range(key)).count, 0);
    });

    test("contention: 50 workers × 20 optimistic address allocations in one subnet key, none twice, all durable", async () => {
      const h = await factory();
      const key = `/conf/${++unique}-ipam/subnets/s1`;
      let kv = await h.open();
      const WORKERS = 50;
      const EACH = 20;
      const acked: string[] = [];
      try {
        // The subnet 10.0.0.0/22 as a bitmap of 1024 addresses; Azure reserves the first four
        // and the last, which leaves 1019 ≥ 1000. A small value keeps the test about the store.
        await kv.put(key, new Uint8Array(128));
        const allocate = async () => {
          let chosen = -1;
          const r = await guaranteedUpdate(kv, key, (cur) => {
            const map = Uint8Array.from(cur!.value);
            for (let i = 4; i < 1023; i++) {
              if (!(map[i >> 3]! & (1 << (i & 7)))) {
                map[i >> 3]! |= 1 << (i & 7);
                chosen = i; // the attempt that commits is the last one computed
                return map;
              }
            }
            throw new Error("subnet full");
          });
          assert.equal(r.written, true);
          acked.push(`10.0.${chosen >> 8}.${chosen & 255}`);
        };
        await Promise.all(
          Array.from({ length: WORKERS }, async () => {
            for (let i = 0; i < EACH; i++) await allocate();
          }),
        );
        assert.equal(acked.length, WORKERS * EACH);
        assert.equal(new Set(acked).size, acked.length, "no address allocated twice");
        await kv.close();
        kv = await h.open();
        const map = (await kv.range(key)).kvs[0]!.value;
        const isSet = (ip: string) => {
          const [, , c, d] = ip.split(".").map(Number);
          const i = c! * 256 + d!;
          return (map[i >> 3]! & (1 << (i & 7))) !== 0;
        };
        assert.deepEqual(acked.filter((ip) => !isSet(ip)), [], "every acknowledged allocation is there after reopen");
        const total = map.reduce((n, byte) => n + [...byte.toString(2)].filter((bit) => bit === "1").length, 0);
        assert.equal(total, WORKERS * EACH, "and nothing else");
      } finally {
        await kv.close();
        await h.cleanup();
      }
    });
  });
}
