// Leases in the main store (src/store/sqlite-store.ts, kv.ts's lease semantics) and ownership
// claims on them (src/store/ownership.ts): attached keys vanish with their lease (revoke, expiry,
// with delete events); of two claimers of the same work exactly one wins, also when they are two
// threads with their own connections to one database file, racing.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { LeaseNotFoundError, type WatchEvent } from "../../src/store/store.js";
import { Member, OwnershipLostError, type OwnerValue } from "../../src/store/ownership.js";
import { eventually, tempDir } from "../helpers/emulator.js";

test("store leases: attach, keep alive, revoke and expiry delete attached keys with delete events; unknown leases refused", async () => {
  const file = path.join(tempDir("aksemu-lease-"), "state.db");
  const store = SqliteStore.open(file, { leaseCheckMs: 50 });
  try {
    const events: WatchEvent[] = [];
    store.watch("l/", undefined, (evs) => events.push(...evs));
    const l1 = await store.grantLease(1);
    assert.equal(l1.ttl, 2, "raised to etcd's minimum TTL");
    const l2 = await store.grantLease(60);
    await store.txn((tx) => {
      tx.put("l/a", 1, { lease: l1.id });
      tx.put("l/b", 2, { lease: l1.id });
      tx.put("l/c", 3, { lease: l2.id });
      tx.put("l/d", 4);
    });
    assert.equal(store.get("l/a")!.lease, l1.id);
    assert.equal(store.get("l/d")!.lease, "0");
    assert.deepEqual((await store.leaseTimeToLive(l1.id))!.keys, ["l/a", "l/b"]);
    await assert.rejects(store.txn((tx) => tx.put("l/e", 5, { lease: "999999" })), LeaseNotFoundError);
    assert.equal(store.get("l/e"), undefined);
    // a put without the lease detaches the key, as in etcd
    await store.txn((tx) => tx.put("l/b", 22));
    assert.equal(store.get("l/b")!.lease, "0");
    assert.equal((await store.keepAliveLease(l1.id)).ttl, 2);

    const before = store.revision();
    await store.revokeLease(l2.id);
    assert.equal(store.get("l/c"), undefined);
    assert.equal(store.revision(), before + 1, "one revision for the revoke");
    await assert.rejects(store.revokeLease(l2.id), LeaseNotFoundError);
    await assert.rejects(store.keepAliveLease(l2.id), LeaseNotFoundError);

    // l1 is no longer kept alive: it expires, and its key goes with a delete event
    await eventually(() => store.get("l/a") === undefined, "l/a deleted at expiry", 30_000);
    assert.equal(await store.leaseTimeToLive(l1.id), undefined);
    assert.ok(events.some((e) => e.type === "delete" && e.key === "l/a"));
    assert.ok(events.some((e) => e.type === "delete" && e.key === "l/c"));
    assert.deepEqual(store.get("l/b")!.value, 22);
    assert.deepEqual(store.get("l/d")!.value, 4);

    // leases survive a reopen (renewed); revokeAllLeases frees everything they held
    const l3 = await store.grantLease(60);
    await store.txn((tx) => tx.put("l/f", 6, { lease: l3.id }));
    store.close();
    const again = SqliteStore.open(file, { leaseCheckMs: 0 });
    try {
      assert.equal(again.get("l/f")!.lease, l3.id);
      assert.ok(await again.leaseTimeToLive(l3.id));
      assert.equal(again.revokeAllLeases(), 1);
      assert.equal(again.get("l/f"), undefined);
      assert.notEqual((await again.grantLease(60)).id, l3.id, "lease ids are never reused");
    } finally {
      again.close();
    }
  } finally {
    store.close();
  }
});

test("ownership: a claim is exclusive while its lease lives, fenced by its token, and free again when the lease expires", async () => {
  const store = SqliteStore.open(path.join(tempDir("aksemu-own-"), "state.db"), { leaseCheckMs: 50 });
  const a = new Member(store, { ttlSeconds: 2 });
  const b = new Member(store, { ttlSeconds: 2 });
  try {
    await a.start();
    await b.start();
    const key = "owner/op/x";
    const ta = await store.txn((tx) => a.claim(tx, key));
    assert.ok(ta !== undefined);
    assert.equal(await store.txn((tx) => b.claim(tx, key)), undefined, "B cannot claim what A holds");
    assert.equal(await store.txn((tx) => a.claim(tx, key)), ta, "claiming again is idempotent");
    await store.txn((tx) => a.fence(tx, key, ta!));
    assert.equal(Member.owner(store, key)!.member, a.id);

    a.halt(); // A dies: no keep-alives, nothing revoked
    await eventually(() => Member.owner(store, key) === undefined, "A's claim gone with its lease", 30_000);
    const tb = await store.txn((tx) => b.claim(tx, key));
    assert.ok(tb !== undefined && tb > ta!, "B's token is newer");
    // A's late write is refused by the fence
    await assert.rejects(store.txn((tx) => a.fence(tx, key, ta!)), OwnershipLostError);
    // release by B frees it; close revokes B's lease and its member key
    await store.txn((tx) => b.release(tx, key, tb!));
    assert.equal(Member.owner(store, key), undefined);
    await b.close();
    assert.equal(store.get(`member/${b.id}`), undefined);
  } finally {
    a.halt();
    b.halt();
    store.close();
  }
});

test("claim race: two threads with their own connections claim the same 200 orphans at once; each is won exactly once", async () => {
  const file = path.join(tempDir("aksemu-race-"), "state.db");
  SqliteStore.open(file, { leaseCheckMs: 0 }).close(); // schema first, so neither racer creates it
  const keys = Array.from({ length: 200 }, (_, i) => `owner/op/${String(i).padStart(3, "0")}`);
  const barrier = new SharedArrayBuffer(8);
  const gate = new Int32Array(barrier);
  const worker = fileURLToPath(new URL("./claim-race-worker.js", import.meta.url));
  const results = [0, 1].map(
    () =>
      new Promise<{ member: string; won: string[] }>((resolve, reject) => {
        // both walk the keys in the same order, so they contend for every one
        const w = new Worker(worker, { workerData: { file, keys, barrier } });
        w.once("message", resolve);
        w.once("error", reject);
      }),
  );
  await eventually(() => Atomics.load(gate, 0) === 2, "both claimers ready", 60_000, 5);
  Atomics.store(gate, 1, 1);
  Atomics.notify(gate, 1);
  const [r1, r2] = await Promise.all(results);
  const w1 = new Set(r1!.won);
  const both = r2!.won.filter((k) => w1.has(k));
  assert.deepEqual(both, [], "no key won twice");
  assert.equal(r1!.won.length + r2!.won.length, keys.length, "every key won once");
  const store = SqliteStore.open(file, { leaseCheckMs: 0 });
  try {
    for (const k of r1!.won) assert.equal(store.get<OwnerValue>(k)!.value.member, r1!.member);
    for (const k of r2!.won) assert.equal(store.get<OwnerValue>(k)!.value.member, r2!.member);
    const revs = keys.map((k) => store.get(k)!.createRevision);
    assert.equal(new Set(revs).size, keys.length, "each claim took its own revision (tokens never shared)");
  } finally {
    store.close();
  }
});
