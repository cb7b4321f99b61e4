import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type Cidr,
  addressAt,
  compareAddresses,
  contains,
  firstAddress,
  formatAddress,
  formatCidr,
  lastAddress,
  offsetOf,
  overlaps,
  parseAddress,
  parseCidr,
  parseIPv4Address,
  parseIPv4Cidr,
  requireCidr,
  size,
  subnetAt,
  subnetCount,
  subnetIndex,
  toCidr,
} from "../../src/network/cidr.js";

function cidr(text: string): Cidr {
  const r = parseCidr(text);
  assert.ok(r.ok, `${text} should parse: ${r.ok ? "" : r.code}`);
  return r.cidr;
}

function addr(text: string) {
  const a = parseAddress(text);
  assert.ok(a, `${text} should parse`);
  return a;
}

test("IPv4 addresses parse to bigints and format back", () => {
  assert.deepEqual(parseAddress("0.0.0.0"), { family: 4, value: 0n });
  assert.deepEqual(parseAddress("255.255.255.255"), { family: 4, value: 0xffffffffn });
  assert.deepEqual(parseAddress("172.19.0.4"), { family: 4, value: (172n << 24n) | (19n << 16n) | 4n });
  for (const s of ["10.0.0.1", "1.2.3.4", "255.255.255.255", "0.0.0.0", "128.0.0.1"]) {
    assert.equal(formatAddress(addr(s)), s);
  }
});

test("malformed addresses are rejected", () => {
  for (const s of ["", "abc", "1.2.3", "1.2.3.4.5", "256.0.0.1", "300.1.1.1", "1.2.3.-4", "01.2.3.4", "1.2.3.4 ", " 1.2.3.4", "1..3.4",
    ":", ":::", "1:2:3::4::5", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::1", "::1%eth0", ":1::2", "1::2:", "1.2.3.4::",
    "::1.2.3", "::256.1.1.1", "1:2:3:4:5:6:7:8::", "1:2:3:4:5:6:1.2.3.4:8", "::1.2.3.4:5"]) {
    assert.equal(parseAddress(s), undefined, JSON.stringify(s));
  }
});

test("IPv6 parses with :: compression and embedded IPv4", () => {
  assert.deepEqual(parseAddress("::"), { family: 6, value: 0n });
  assert.deepEqual(parseAddress("::1"), { family: 6, value: 1n });
  assert.deepEqual(parseAddress("1::"), { family: 6, value: 1n << 112n });
  assert.equal(addr("2001:db8::1").value, (0x2001n << 112n) | (0xdb8n << 96n) | 1n);
  assert.equal(addr("::ffff:1.2.3.4").value, (0xffffn << 32n) | 0x01020304n);
  assert.equal(addr("::ffff:1.2.3.4").value, addr("::ffff:102:304").value);
  assert.equal(addr("64:ff9b::192.0.2.33").value, addr("64:ff9b::c000:221").value);
  assert.equal(addr("1:2:3:4:5:6:7:8").value, addr("0001:0002:0003:0004:0005:0006:0007:0008").value);
  assert.equal(addr("1:2:3:4:5:6:1.2.3.4").value, addr("1:2:3:4:5:6:102:304").value);
  assert.equal(addr("1::2:3:4:5:6:7").value, addr("1:0:2:3:4:5:6:7").value);
  assert.equal(addr("1:2:3:4:5:6:7::").value, addr("1:2:3:4:5:6:7:0").value, ":: may stand for one group");
  assert.equal(addr("FFFF::ABCD").value, addr("ffff::abcd").value);
  assert.equal(addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").value, (1n << 128n) - 1n);
});

test("IPv6 formats in RFC 5952 canonical form", () => {
  const cases: Array<[string, string]> = [
    ["0:0:0:0:0:0:0:0", "::"],
    ["0:0:0:0:0:0:0:1", "::1"],
    ["2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"], // tie: first run
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"], // single zero group not compressed
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"], // longest run wins
    ["1:0:0:0:0:0:0:0", "1::"],
    ["fd00:0:0:0:0:0:0:0", "fd00::"],
    ["::ffff:1.2.3.4", "::ffff:1.2.3.4"], // IPv4-mapped in mixed notation
    ["::ffff:a00:1", "::ffff:10.0.0.1"],
    ["::1.2.3.4", "::102:304"], // deprecated IPv4-compatible: plain hex
    ["ABCD:EF01:2345:6789:ABCD:EF01:2345:6789", "abcd:ef01:2345:6789:abcd:ef01:2345:6789"],
  ];
  for (const [input, canonical] of cases) assert.equal(formatAddress(addr(input)), canonical, input);
});

test("parseCidr accepts valid IPv4 and IPv6 prefixes at every bound", () => {
  assert.deepEqual(parseCidr("10.0.0.0/16"), { ok: true, cidr: { family: 4, network: 0x0a000000n, prefixLength: 16 } });
  assert.deepEqual(cidr("0.0.0.0/0"), { family: 4, network: 0n, prefixLength: 0 });
  assert.equal(cidr("10.1.2.3/32").prefixLength, 32);
  assert.deepEqual(cidr("::/0"), { family: 6, network: 0n, prefixLength: 0 });
  assert.equal(cidr("2001:db8::1/128").prefixLength, 128);
  assert.equal(formatCidr(cidr("2001:DB8:0:0::/64")), "2001:db8::/64");
});

test("parseCidr reports host bits with the normalized prefix (InvalidCIDRNotation)", () => {
  const r = parseCidr("10.216.52.0/21");
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.code === "InvalidCIDRNotation");
  assert.equal(r.normalized, "10.216.48.0/21");
  assert.equal(r.input, "10.216.52.0/21");
  assert.deepEqual(r.cidr, cidr("10.216.48.0/21"));
  const one = parseCidr("10.0.0.1/0");
  assert.ok(!one.ok && one.code === "InvalidCIDRNotation" && one.normalized === "0.0.0.0/0");
  const v6 = parseCidr("2001:db8::1/64");
  assert.ok(!v6.ok && v6.code === "InvalidCIDRNotation" && v6.normalized === "2001:db8::/64");
  const v6b = parseCidr("2001:db8:0:0:8000::/65");
  assert.ok(v6b.ok, "bit 63 from the left is inside a /65");
  const v6c = parseCidr("2001:db8:0:0:4000::/65");
  assert.ok(!v6c.ok && v6c.code === "InvalidCIDRNotation" && v6c.normalized === "2001:db8::/65");
});

test("parseCidr rejects what is not CIDR at all (InvalidAddressPrefixFormat)", () => {
  for (const s of ["", "abc", "10.0.0.0", "300.1.1.1/24", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "/24", "10.0.0.0/24/1",
    "10.0.0.0/08", "10.0.0.0/2a", "10.0.0.0 /24", "10.0.0.0/24 ", "1:2:3::4::5/64", "::/129", "2001:db8::/1000", "abc/24", "10.0.0/24"]) {
    const r = parseCidr(s);
    assert.equal(r.ok, false, JSON.stringify(s));
    assert.ok(!r.ok && r.code === "InvalidAddressPrefixFormat", JSON.stringify(s));
    assert.equal(r.input, s);
  }
});

test("size, first and last address", () => {
  assert.equal(size(cidr("10.0.0.0/29")), 8n);
  assert.equal(size(cidr("10.0.0.0/32")), 1n);
  assert.equal(size(cidr("0.0.0.0/0")), 1n << 32n);
  assert.equal(size(cidr("::/0")), 1n << 128n);
  assert.equal(size(cidr("2001:db8::/64")), 1n << 64n);
  assert.equal(size(cidr("::1/128")), 1n);
  assert.equal(formatAddress(firstAddress(cidr("172.19.0.0/28"))), "172.19.0.0");
  assert.equal(formatAddress(lastAddress(cidr("172.19.0.0/28"))), "172.19.0.15");
  assert.equal(formatAddress(lastAddress(cidr("0.0.0.0/0"))), "255.255.255.255");
  assert.equal(formatAddress(lastAddress(cidr("2001:db8::/64"))), "2001:db8::ffff:ffff:ffff:ffff");
  assert.equal(formatAddress(lastAddress(cidr("::/0"))), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  assert.equal(formatAddress(lastAddress(cidr("10.1.2.3/32"))), "10.1.2.3");
});

test("addressAt and offsetOf are inverse and bounded", () => {
  const p = cidr("172.19.0.0/28");
  assert.equal(formatAddress(addressAt(p, 4)!), "172.19.0.4");
  assert.equal(formatAddress(addressAt(p, 15n)!), "172.19.0.15");
  assert.equal(addressAt(p, 16), undefined);
  assert.equal(addressAt(p, -1), undefined);
  assert.equal(offsetOf(p, addr("172.19.0.9")), 9n);
  assert.equal(offsetOf(p, addr("172.19.0.16")), undefined);
  assert.equal(offsetOf(p, addr("172.18.255.255")), undefined);
  assert.equal(offsetOf(p, addr("::ffff:172.19.0.9")), undefined, "families never mix");
  const v6 = cidr("2001:db8::/64");
  const big = (1n << 64n) - 1n;
  assert.equal(offsetOf(v6, addressAt(v6, big)!), big);
  assert.equal(addressAt(v6, 1n << 64n), undefined);
});

test("contains at exact boundaries", () => {
  const vnet = cidr("172.19.0.0/16");
  assert.ok(contains(vnet, cidr("172.19.0.0/28")));
  assert.ok(contains(vnet, cidr("172.19.255.240/28")));
  assert.ok(contains(vnet, vnet), "a prefix contains itself");
  assert.ok(!contains(vnet, cidr("172.20.0.0/28")));
  assert.ok(!contains(vnet, cidr("172.18.255.240/28")));
  assert.ok(!contains(cidr("172.19.0.0/28"), vnet), "smaller does not contain larger");
  assert.ok(!contains(vnet, cidr("172.0.0.0/8")));
  assert.ok(contains(cidr("0.0.0.0/0"), cidr("255.255.255.255/32")));
  assert.ok(contains(vnet, addr("172.19.255.255")));
  assert.ok(!contains(vnet, addr("172.20.0.0")));
  assert.ok(contains(cidr("::/0"), cidr("2001:db8::/64")));
  assert.ok(!contains(cidr("::/0"), cidr("0.0.0.0/0")), "families never mix");
  assert.ok(!contains(cidr("2001:db8::/64"), cidr("2001:db8:0:1::/64")));
});

test("overlaps: identical and nested overlap, adjacent do not", () => {
  assert.ok(overlaps(cidr("10.0.0.0/24"), cidr("10.0.0.0/24")));
  assert.ok(overlaps(cidr("10.0.0.0/16"), cidr("10.0.5.0/24")));
  assert.ok(overlaps(cidr("10.0.5.0/24"), cidr("10.0.0.0/16")));
  assert.ok(!overlaps(cidr("10.0.0.0/24"), cidr("10.0.1.0/24")), "adjacent");
  assert.ok(!overlaps(cidr("10.0.1.0/24"), cidr("10.0.0.0/24")), "adjacent, reversed");
  assert.ok(!overlaps(cidr("172.19.0.0/28"), cidr("172.19.0.16/28")));
  assert.ok(overlaps(cidr("172.19.0.0/27"), cidr("172.19.0.16/28")));
  assert.ok(overlaps(cidr("0.0.0.0/0"), cidr("10.0.0.0/8")));
  assert.ok(!overlaps(cidr("10.0.0.0/32"), cidr("10.0.0.1/32")));
  assert.ok(overlaps(cidr("2001:db8::/64"), cidr("2001:db8::/64")));
  assert.ok(!overlaps(cidr("2001:db8::/64"), cidr("2001:db8:0:1::/64")));
  assert.ok(!overlaps(cidr("::/0"), cidr("0.0.0.0/0")));
});

test("toCidr clears host bits and rejects bad lengths; compareAddresses orders", () => {
  assert.equal(formatCidr(toCidr(addr("10.216.52.7"), 21)), "10.216.48.0/21");
  assert.equal(formatCidr(toCidr(addr("2001:db8::ffff"), 112)), "2001:db8::/112");
  assert.throws(() => toCidr(addr("10.0.0.0"), 33), RangeError);
  assert.throws(() => toCidr(addr("::"), -1), RangeError);
  assert.equal(compareAddresses(addr("10.0.0.2"), addr("10.0.0.10")), -1);
  assert.equal(compareAddresses(addr("10.0.0.2"), addr("10.0.0.2")), 0);
  assert.equal(compareAddresses(addr("::"), addr("255.255.255.255")), 2);
});

test("requireCidr, parseIPv4Address and parseIPv4Cidr take only what they name", () => {
  assert.deepEqual(requireCidr("10.0.0.0/16"), cidr("10.0.0.0/16"));
  assert.throws(() => requireCidr("10.0.0.1/16"), TypeError);
  assert.throws(() => requireCidr("nope"), TypeError);
  assert.deepEqual(parseIPv4Address("10.0.0.10"), addr("10.0.0.10"));
  for (const bad of ["::1", "10.0.0", "010.0.0.1", "10.0.0.256", "10.0.0.0/8"]) assert.equal(parseIPv4Address(bad), undefined, bad);
  assert.deepEqual(parseIPv4Cidr("10.244.0.0/16"), cidr("10.244.0.0/16"));
  for (const bad of [17, undefined, "10.244.0.1/16", "fd00::/64", "10.244.0.0/33", "10.244.0.0"]) assert.equal(parseIPv4Cidr(bad), undefined, String(bad));
});

test("subnetAt, subnetIndex and subnetCount carve a prefix (AKS: a /24 per node from the pod CIDR)", () => {
  const pod = cidr("10.244.0.0/16");
  assert.equal(subnetCount(pod, 24), 256n);
  assert.equal(subnetCount(cidr("10.244.0.0/23"), 24), 2n);
  assert.equal(subnetCount(cidr("10.244.0.0/25"), 24), 0n, "a /25 holds no /24");
  assert.equal(subnetCount(pod, 33), 0n);
  assert.equal(formatCidr(subnetAt(pod, 24, 0)!), "10.244.0.0/24");
  assert.equal(formatCidr(subnetAt(pod, 24, 255)!), "10.244.255.0/24");
  assert.equal(subnetAt(pod, 24, 256), undefined);
  assert.equal(subnetAt(pod, 24, -1), undefined);
  // the index carries across octets: the 301st /24 of a /8
  assert.equal(formatCidr(subnetAt(cidr("10.0.0.0/8"), 24, 300)!), "10.1.44.0/24");
  assert.equal(subnetIndex(cidr("10.0.0.0/8"), cidr("10.1.44.0/24")), 300n);
  assert.equal(subnetIndex(pod, cidr("10.245.0.0/24")), undefined);
  assert.equal(formatCidr(subnetAt(cidr("fd00::/48"), 64, 3)!), "fd00:0:0:3::/64");
  assert.equal(subnetIndex(cidr("fd00::/48"), cidr("fd00:0:0:3::/64")), 3n);
});
