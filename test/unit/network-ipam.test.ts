import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCidr } from "../../src/network/cidr.js";
import {
  MIN_IPV4_SUBNET_PREFIX,
  SubnetAddressPool,
  type SubnetPoolState,
  isAllowedSubnetSize,
} from "../../src/network/ipam.js";

function roundTrip(pool: SubnetAddressPool): SubnetAddressPool {
  const state = JSON.parse(JSON.stringify(pool)) as SubnetPoolState;
  return SubnetAddressPool.fromJSON(state);
}

function allocateOk(pool: SubnetAddressPool, owner: string, count: number): string[] {
  const r = pool.allocate(owner, count);
  assert.ok(r.ok, `allocate(${owner}, ${count}) failed: ${JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? String(v) : v))}`);
  return r.addresses;
}

test("a fresh /28 hands out .4 first (kube-apiserver ILB frontend) and has 11 usable", () => {
  const pool = new SubnetAddressPool("172.19.0.0/28");
  assert.equal(pool.firstFreeAddress(), "172.19.0.4");
  assert.deepEqual(pool.usage(), { total: 16n, reserved: 5n, used: 0n, free: 11n });
  assert.deepEqual(allocateOk(pool, "ilb", 1), ["172.19.0.4"]);
  assert.equal(pool.firstFreeAddress(), "172.19.0.5");
});

test("reserved addresses: .0-.3 and broadcast are never handed out", () => {
  const pool = new SubnetAddressPool("10.0.1.0/24");
  for (const a of ["10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255"]) {
    assert.ok(pool.isReserved(a), a);
    assert.ok(!pool.isFree(a), a);
    assert.deepEqual(pool.allocateSpecific("x", a), { ok: false, error: "Reserved", address: a });
  }
  assert.ok(!pool.isReserved("10.0.1.4"));
  assert.ok(!pool.isReserved("10.0.2.0"), "outside is not 'reserved'");
  assert.ok(pool.isFree("10.0.1.254"));
  assert.equal(pool.usage().free, 251n);
  const all = allocateOk(pool, "x", 251);
  assert.equal(all[0], "10.0.1.4");
  assert.equal(all[250], "10.0.1.254");
  assert.ok(!pool.allocate("y", 1).ok);
});

test("usable counts per prefix length, including degenerate and huge prefixes", () => {
  const free = (p: string) => new SubnetAddressPool(p).usage();
  assert.equal(free("10.0.0.0/29").free, 3n);
  assert.equal(free("10.0.0.0/28").free, 11n);
  assert.equal(free("10.0.0.0/24").free, 251n);
  assert.equal(free("10.0.0.0/16").free, 65531n);
  assert.deepEqual(free("10.0.0.0/30"), { total: 4n, reserved: 4n, used: 0n, free: 0n });
  assert.deepEqual(free("10.0.0.0/31"), { total: 2n, reserved: 2n, used: 0n, free: 0n });
  assert.deepEqual(free("10.0.0.7/32"), { total: 1n, reserved: 1n, used: 0n, free: 0n });
  assert.equal(free("10.0.0.0/8").free, (1n << 24n) - 5n);
  assert.equal(free("0.0.0.0/0").free, (1n << 32n) - 5n);
  assert.equal(free("2001:db8::/64").free, (1n << 64n) - 5n);
  assert.equal(free("::/0").free, (1n << 128n) - 5n);
  assert.deepEqual(free("2001:db8::1/128"), { total: 1n, reserved: 1n, used: 0n, free: 0n });
});

test("a /32 has nothing to give; /0 allocates without materialising anything", () => {
  const host = new SubnetAddressPool("10.0.0.7/32");
  assert.equal(host.firstFreeAddress(), undefined);
  assert.deepEqual(host.allocate("a", 1), { ok: false, error: "Exhausted", requested: 1, free: 0n });
  assert.ok(host.isReserved("10.0.0.7"));
  const v4all = new SubnetAddressPool("0.0.0.0/0");
  assert.deepEqual(allocateOk(v4all, "a", 2), ["0.0.0.4", "0.0.0.5"]);
  assert.deepEqual(v4all.allocateSpecific("b", "255.255.255.254"), { ok: true, address: "255.255.255.254" });
  assert.ok(v4all.isReserved("255.255.255.255"));
  const v6all = new SubnetAddressPool("::/0");
  assert.deepEqual(allocateOk(v6all, "a", 1), ["::4"]);
  const block = v6all.reserveBlock("b", 1000);
  assert.ok(block.ok && block.first === "::5" && block.last === "::3ec");
  assert.equal(v6all.usage().used, 1001n);
});

test("exhaustion: a /28 yields exactly 11, then an error carrying how many are free", () => {
  const pool = new SubnetAddressPool("172.19.0.0/28");
  const got: string[] = [];
  for (let i = 0; i < 11; i++) got.push(...allocateOk(pool, `nic${i}`, 1));
  assert.equal(new Set(got).size, 11);
  assert.equal(got[10], "172.19.0.14");
  assert.deepEqual(pool.allocate("late", 1), { ok: false, error: "Exhausted", requested: 1, free: 0n });
  assert.equal(pool.firstFreeAddress(), undefined);
});

test("one AKS cluster takes 9 of a /28 and leaves 2; a second cluster does not fit", () => {
  const pool = new SubnetAddressPool("172.19.0.0/28");
  const aks = allocateOk(pool, "cluster-a", 9);
  assert.equal(aks[0], "172.19.0.4");
  assert.equal(aks[8], "172.19.0.12");
  assert.equal(pool.usage().free, 2n);
  assert.deepEqual(pool.allocate("cluster-b", 9), { ok: false, error: "Exhausted", requested: 9, free: 2n });
  assert.equal(pool.usage().used, 9n, "a failed allocation takes nothing");
  assert.equal(pool.addressesOf("cluster-b").length, 0);
});

test("allocate fills the lowest holes first and need not be contiguous", () => {
  const pool = new SubnetAddressPool("10.0.0.0/27");
  allocateOk(pool, "a", 6); // .4-.9
  assert.equal(pool.releaseAddress("10.0.0.5"), "a");
  assert.equal(pool.releaseAddress("10.0.0.7"), "a");
  assert.equal(pool.releaseAddress("10.0.0.7"), undefined, "already free");
  assert.deepEqual(allocateOk(pool, "b", 3), ["10.0.0.5", "10.0.0.7", "10.0.0.10"]);
  assert.deepEqual(pool.addressesOf("a"), ["10.0.0.4", "10.0.0.6", "10.0.0.8", "10.0.0.9"]);
  assert.equal(pool.ownerOf("10.0.0.7"), "b");
  assert.equal(pool.ownerOf("10.0.0.11"), undefined);
  assert.equal(pool.ownerOf("not-an-ip"), undefined);
});

test("release(owner) frees everything it holds and re-allocation returns the lowest again", () => {
  const pool = new SubnetAddressPool("172.19.0.0/28");
  allocateOk(pool, "ilb", 1);
  allocateOk(pool, "pods", 3);
  allocateOk(pool, "other", 1);
  assert.equal(pool.release("ilb"), 1);
  assert.equal(pool.release("ilb"), 0);
  assert.deepEqual(allocateOk(pool, "ilb2", 1), ["172.19.0.4"]);
  assert.equal(pool.release("pods"), 3);
  assert.deepEqual(pool.usage(), { total: 16n, reserved: 5n, used: 2n, free: 9n });
  assert.deepEqual(allocateOk(pool, "next", 4), ["172.19.0.5", "172.19.0.6", "172.19.0.7", "172.19.0.9"]);
  assert.deepEqual(pool.owners().sort(), ["ilb2", "next", "other"]);
});

test("allocateSpecific: taken, outside, invalid, idempotent for the same owner", () => {
  const pool = new SubnetAddressPool("10.0.0.0/29");
  assert.deepEqual(pool.allocateSpecific("nic1", "10.0.0.5"), { ok: true, address: "10.0.0.5" });
  assert.deepEqual(pool.allocateSpecific("nic1", "10.0.0.5"), { ok: true, address: "10.0.0.5" });
  assert.deepEqual(pool.allocateSpecific("nic2", "10.0.0.5"), { ok: false, error: "InUse", address: "10.0.0.5", owner: "nic1" });
  assert.deepEqual(pool.allocateSpecific("nic2", "10.0.0.8"), { ok: false, error: "OutsideSubnet", address: "10.0.0.8" });
  assert.deepEqual(pool.allocateSpecific("nic2", "2001:db8::5"), { ok: false, error: "OutsideSubnet", address: "2001:db8::5" });
  assert.deepEqual(pool.allocateSpecific("nic2", "10.0.0.256"), { ok: false, error: "InvalidAddress", address: "10.0.0.256" });
  assert.deepEqual(pool.allocateSpecific("nic2", "10.0.0.7"), { ok: false, error: "Reserved", address: "10.0.0.7" });
  assert.deepEqual(allocateOk(pool, "nic2", 2), ["10.0.0.4", "10.0.0.6"], "allocation skips the static address");
  assert.equal(pool.usage().free, 0n);
});

test("reserveBlock takes the lowest contiguous block and reports the largest one on failure", () => {
  const pool = new SubnetAddressPool("10.0.0.0/27"); // usable .4-.30
  pool.allocateSpecific("s1", "10.0.0.6");
  pool.allocateSpecific("s2", "10.0.0.12");
  const r = pool.reserveBlock("aks", 9);
  assert.deepEqual(r, { ok: true, first: "10.0.0.13", last: "10.0.0.21", count: 9 });
  assert.equal(pool.addressesOf("aks").length, 9);
  assert.deepEqual(pool.reserveBlock("small", 5), { ok: true, first: "10.0.0.7", last: "10.0.0.11", count: 5 });
  // free now: .4,.5 (2) and .22-.30 (9)
  assert.deepEqual(pool.reserveBlock("big", 10), { ok: false, error: "NoContiguousBlock", requested: 10, free: 11n, largestBlock: 9n });
  assert.deepEqual(pool.reserveBlock("fits", 2), { ok: true, first: "10.0.0.4", last: "10.0.0.5", count: 2 });
  const full = new SubnetAddressPool("10.0.0.0/30");
  assert.deepEqual(full.reserveBlock("x", 1), { ok: false, error: "NoContiguousBlock", requested: 1, free: 0n, largestBlock: 0n });
});

test("releaseAddress splits a run in the middle and keeps ownership of both halves", () => {
  const pool = new SubnetAddressPool("10.0.0.0/24");
  allocateOk(pool, "a", 5); // .4-.8
  assert.equal(pool.releaseAddress("10.0.0.6"), "a");
  assert.deepEqual(pool.addressesOf("a"), ["10.0.0.4", "10.0.0.5", "10.0.0.7", "10.0.0.8"]);
  assert.equal(pool.toJSON().allocations.length, 2);
  assert.equal(pool.release("a"), 4);
  assert.deepEqual(pool.toJSON().allocations, []);
  assert.equal(pool.usage().used, 0n);
});

test("pool state is compact JSON and round-trips exactly", () => {
  const pool = new SubnetAddressPool("172.19.0.0/16");
  allocateOk(pool, "ilb", 1);
  allocateOk(pool, "apiserver", 8);
  pool.allocateSpecific("static", "172.19.200.1");
  pool.reserveBlock("block", 300);
  pool.releaseAddress("172.19.0.7");
  const state = pool.toJSON();
  assert.deepEqual(state, {
    addressPrefix: "172.19.0.0/16",
    allocations: [
      { first: "172.19.0.4", count: 1, owner: "ilb" },
      { first: "172.19.0.5", count: 2, owner: "apiserver" },
      { first: "172.19.0.8", count: 5, owner: "apiserver" },
      { first: "172.19.0.13", count: 300, owner: "block" },
      { first: "172.19.200.1", count: 1, owner: "static" },
    ],
  });
  const again = roundTrip(pool);
  assert.deepEqual(again.toJSON(), state);
  assert.deepEqual(again.usage(), pool.usage());
  assert.equal(again.ownerOf("172.19.1.0"), "block");
  assert.deepEqual(allocateOk(again, "n", 1), ["172.19.0.7"]);
  // A nearly full /16 is still a handful of entries when owners are few.
  const big = new SubnetAddressPool("10.0.0.0/16");
  assert.ok(big.reserveBlock("one", 60000).ok);
  assert.deepEqual(big.toJSON().allocations, [{ first: "10.0.0.4", count: 60000, owner: "one" }]);
  assert.equal(roundTrip(big).usage().used, 60000n);
});

test("IPv6 pool: same reserved positions, canonical strings, round trip", () => {
  const pool = new SubnetAddressPool("2001:db8:0:1::/64");
  assert.equal(pool.firstFreeAddress(), "2001:db8:0:1::4");
  assert.ok(pool.isReserved("2001:db8:0:1::3"));
  assert.ok(pool.isReserved("2001:db8:0:1:ffff:ffff:ffff:ffff"));
  assert.deepEqual(pool.allocateSpecific("x", "2001:DB8:0:1:0:0:0:FFFE"), { ok: true, address: "2001:db8:0:1::fffe" });
  assert.deepEqual(allocateOk(pool, "y", 2), ["2001:db8:0:1::4", "2001:db8:0:1::5"]);
  assert.deepEqual(pool.allocateSpecific("z", "2001:db8:0:1:ffff:ffff:ffff:fffe"), { ok: true, address: "2001:db8:0:1:ffff:ffff:ffff:fffe" });
  const again = roundTrip(pool);
  assert.deepEqual(again.toJSON(), pool.toJSON());
  assert.equal(again.usage().free, (1n << 64n) - 5n - 4n);
  assert.deepEqual(new SubnetAddressPool("2001:db8::/127").usage().free, 0n);
  assert.deepEqual(new SubnetAddressPool("2001:db8::/125").usage().free, 3n);
});

test("fromJSON rejects corrupted state; constructor rejects non-CIDR; misuse throws", () => {
  const good: SubnetPoolState = { addressPrefix: "10.0.0.0/28", allocations: [{ first: "10.0.0.4", count: 2, owner: "a" }] };
  assert.equal(SubnetAddressPool.fromJSON(good).usage().used, 2n);
  const bad: unknown[] = [
    null,
    { addressPrefix: "10.0.0.1/28", allocations: [] },
    { addressPrefix: "10.0.0.0/28" },
    { addressPrefix: "10.0.0.0/28", allocations: [{ first: "10.0.0.2", count: 1, owner: "a" }] },
    { addressPrefix: "10.0.0.0/28", allocations: [{ first: "10.0.0.14", count: 2, owner: "a" }] },
    { addressPrefix: "10.0.0.0/28", allocations: [{ first: "10.0.0.4", count: 0, owner: "a" }] },
    { addressPrefix: "10.0.0.0/28", allocations: [{ first: "10.0.0.4", count: 1, owner: "" }] },
    { addressPrefix: "10.0.0.0/28", allocations: [{ first: "10.0.0.4", count: 3, owner: "a" }, { first: "10.0.0.6", count: 1, owner: "b" }] },
  ];
  for (const s of bad) assert.throws(() => SubnetAddressPool.fromJSON(s as SubnetPoolState), TypeError, JSON.stringify(s));
  // Unsorted but disjoint state is accepted and merged by owner.
  const merged = SubnetAddressPool.fromJSON({
    addressPrefix: "10.0.0.0/28",
    allocations: [{ first: "10.0.0.6", count: 1, owner: "a" }, { first: "10.0.0.4", count: 2, owner: "a" }],
  });
  assert.deepEqual(merged.toJSON().allocations, [{ first: "10.0.0.4", count: 3, owner: "a" }]);
  assert.throws(() => new SubnetAddressPool("10.0.0.1/28"), TypeError);
  assert.throws(() => new SubnetAddressPool("abc"), TypeError);
  const pool = new SubnetAddressPool("10.0.0.0/28");
  assert.throws(() => pool.allocate("a", 0), RangeError);
  assert.throws(() => pool.allocate("a", 1.5), RangeError);
  assert.throws(() => pool.allocate("", 1), TypeError);
  assert.throws(() => pool.reserveBlock("a", -1), RangeError);
});

test("subnet size rule: IPv4 /29 or larger, IPv6 /64", () => {
  assert.equal(MIN_IPV4_SUBNET_PREFIX, 29);
  const ok = (s: string) => {
    const r = parseCidr(s);
    assert.ok(r.ok);
    return isAllowedSubnetSize(r.cidr);
  };
  assert.ok(ok("10.0.0.0/29"));
  assert.ok(ok("10.0.0.0/16"));
  assert.ok(!ok("10.0.0.0/30"));
  assert.ok(!ok("10.0.0.0/32"));
  assert.ok(ok("2001:db8::/64"));
  assert.ok(!ok("2001:db8::/48"));
  assert.ok(!ok("2001:db8::/80"));
});

test("many single allocations with distinct owners, random releases, stay consistent", () => {
  // Deterministic LCG so failures reproduce.
  let seed = 12345;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  const pool = new SubnetAddressPool("10.0.0.0/21"); // 2043 usable
  const held = new Map<string, string>();
  for (let i = 0; i < 1500; i++) held.set(`o${i}`, allocateOk(pool, `o${i}`, 1)[0]!);
  for (let i = 0; i < 750; i++) {
    const owner = `o${rand(1500)}`;
    if (held.has(owner)) {
      assert.equal(pool.release(owner), 1);
      held.delete(owner);
    }
  }
  assert.equal(pool.usage().used, BigInt(held.size));
  // The next allocation must be the lowest free address: compare with a brute-force answer.
  const taken = new Set(held.values());
  let expected = "";
  for (let o = 4; o < 2043 + 4; o++) {
    const a = `10.0.${o >> 8}.${o & 255}`;
    if (!taken.has(a)) {
      expected = a;
      break;
    }
  }
  assert.equal(pool.firstFreeAddress(), expected);
  assert.deepEqual(allocateOk(pool, "late", 1), [expected]);
  assert.deepEqual(roundTrip(pool).toJSON(), pool.toJSON());
  for (const [owner, address] of held) assert.equal(pool.ownerOf(address), owner);
});
