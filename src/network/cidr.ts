// IPv4 / IPv6 addresses and CIDR prefixes as bigints. Pure: no I/O, no exceptions
// for user input (parse results are values the ARM layer turns into Azure errors).

export type IpFamily = 4 | 6;

/** An address; `value` is the unsigned integer (0 ≤ value < 2^32 or 2^128). */
export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

/** A normalized prefix: host bits of `network` are always zero. */
export interface Cidr {
  readonly family: IpFamily;
  readonly network: bigint;
  readonly prefixLength: number;
}

export type CidrParseResult =
  | { readonly ok: true; readonly cidr: Cidr }
  /** Not CIDR at all (bad address, missing or out-of-range `/n`). */
  | { readonly ok: false; readonly code: "InvalidAddressPrefixFormat"; readonly input: string; readonly reason: string }
  /** Well-formed but host bits set; `normalized` is what Azure suggests, e.g. 10.216.52.0/21 → 10.216.48.0/21. */
  | {
      readonly ok: false;
      readonly code: "InvalidCIDRNotation";
      readonly input: string;
      readonly normalized: string;
      readonly cidr: Cidr;
    };

export function addressBits(family: IpFamily): 32 | 128 {
  return family === 4 ? 32 : 128;
}

function allOnes(family: IpFamily): bigint {
  return (1n << BigInt(addressBits(family))) - 1n;
}

function hostMask(family: IpFamily, prefixLength: number): bigint {
  return (1n << BigInt(addressBits(family) - prefixLength)) - 1n;
}

// ---------------------------------------------------------------- parsing

// Strict decimal: no leading zeros, so "010" (octal in some parsers) is rejected rather than misread.
const DECIMAL = /^(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!DECIMAL.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

/** Splits a `:`-separated run into 16-bit groups; the last one may be embedded IPv4 when `allowIPv4Tail`. */
function parseGroups(text: string, allowIPv4Tail: boolean): number[] | undefined {
  if (text === "") return [];
  const parts = text.split(":");
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (allowIPv4Tail && i === parts.length - 1 && part.includes(".")) {
      const v4 = parseIPv4(part);
      if (v4 === undefined) return undefined;
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else {
      if (!HEX_GROUP.test(part)) return undefined;
      groups.push(parseInt(part, 16));
    }
  }
  return groups;
}

function parseIPv6(text: string): bigint | undefined {
  const gap = text.indexOf("::");
  let groups: number[];
  if (gap === -1) {
    const all = parseGroups(text, true);
    if (all === undefined || all.length !== 8) return undefined;
    groups = all;
  } else {
    if (text.indexOf("::", gap + 1) !== -1) return undefined; // only one "::" (also rejects ":::")
    const tailText = text.slice(gap + 2);
    const head = parseGroups(text.slice(0, gap), false);
    const tail = parseGroups(tailText, true);
    if (head === undefined || tail === undefined) return undefined;
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined; // "::" stands for at least one zero group
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  }
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

/** Parses dotted IPv4 or IPv6 (with `::` and embedded IPv4). No zone ids, no whitespace. */
export function parseAddress(text: string): IpAddress | undefined {
  if (text.includes(":")) {
    const value = parseIPv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIPv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

/** Parses `address/prefixLength`. Host bits set is reported (with the normalized prefix), not silently fixed. */
export function parseCidr(text: string): CidrParseResult {
  const invalid = (reason: string): CidrParseResult => ({
    ok: false,
    code: "InvalidAddressPrefixFormat",
    input: text,
    reason,
  });
  const slash = text.indexOf("/");
  if (slash === -1) return invalid("missing prefix length");
  if (text.indexOf("/", slash + 1) !== -1) return invalid("more than one '/'");
  const address = parseAddress(text.slice(0, slash));
  if (address === undefined) return invalid("not an IPv4 or IPv6 address");
  const lengthText = text.slice(slash + 1);
  if (!DECIMAL.test(lengthText)) return invalid("prefix length is not a decimal number");
  const prefixLength = Number(lengthText);
  if (prefixLength > addressBits(address.family)) return invalid("prefix length out of range");
  const cidr = toCidr(address, prefixLength);
  if (cidr.network !== address.value) {
    return { ok: false, code: "InvalidCIDRNotation", input: text, normalized: formatCidr(cidr), cidr };
  }
  return { ok: true, cidr };
}

/**
 * A prefix that was validated before it was stored (configuration such as a cluster's service
 * CIDR): its value, or a TypeError naming it. Not for user input; use parseCidr there.
 */
export function requireCidr(text: string): Cidr {
  const r = parseCidr(text);
  if (!r.ok) throw new TypeError(`${JSON.stringify(text)} is not a normalized CIDR prefix (${r.code})`);
  return r.cidr;
}

/** An IPv4 address in dotted decimal, or undefined (IPv6 and malformed text alike). */
export function parseIPv4Address(text: string): IpAddress | undefined {
  const a = parseAddress(text);
  return a?.family === 4 ? a : undefined;
}

/** A normalized IPv4 prefix ("10.244.0.0/16"), or undefined (host bits set, IPv6 and malformed text alike). */
export function parseIPv4Cidr(text: unknown): Cidr | undefined {
  if (typeof text !== "string") return undefined;
  const r = parseCidr(text);
  return r.ok && r.cidr.family === 4 ? r.cidr : undefined;
}

/** The prefix of the given length holding `address` (host bits cleared). Throws RangeError on a bad length. */
export function toCidr(address: IpAddress, prefixLength: number): Cidr {
  const bits = addressBits(address.family);
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > bits) {
    throw new RangeError(`prefix length ${prefixLength} out of range for IPv${address.family}`);
  }
  const network = address.value & (allOnes(address.family) ^ hostMask(address.family, prefixLength));
  return { family: address.family, network, prefixLength };
}

// ---------------------------------------------------------------- formatting

function formatIPv4(value: bigint): string {
  const n = Number(value); // < 2^32, exact; `>>>` keeps the top octet unsigned
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

// RFC 5952: lowercase, no leading zeros, longest run (≥2) of zero groups → "::" (first one on a tie),
// and IPv4-mapped addresses (::ffff:0:0/96) in mixed notation (§5), as .NET and inet_ntop print them.
function formatIPv6(value: bigint): string {
  if (value >> 32n === 0xffffn) return `::ffff:${formatIPv4(value & 0xffffffffn)}`;
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1; // a single zero group is never compressed
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(":");
  if (bestStart === -1) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

export function formatAddress(address: IpAddress): string {
  return address.family === 4 ? formatIPv4(address.value) : formatIPv6(address.value);
}

export function formatCidr(prefix: Cidr): string {
  return `${formatAddress({ family: prefix.family, value: prefix.network })}/${prefix.prefixLength}`;
}

// ---------------------------------------------------------------- arithmetic

/** Number of addresses in the prefix (2^(bits-length)); bigint because /0 IPv6 is 2^128. */
export function size(prefix: Cidr): bigint {
  return 1n << BigInt(addressBits(prefix.family) - prefix.prefixLength);
}

export function firstAddress(prefix: Cidr): IpAddress {
  return { family: prefix.family, value: prefix.network };
}

export function lastAddress(prefix: Cidr): IpAddress {
  return { family: prefix.family, value: prefix.network + size(prefix) - 1n };
}

/** The address `offset` places into the prefix, or undefined when outside it. */
export function addressAt(prefix: Cidr, offset: bigint | number): IpAddress | undefined {
  const o = BigInt(offset);
  if (o < 0n || o >= size(prefix)) return undefined;
  return { family: prefix.family, value: prefix.network + o };
}

/** The offset of `address` in the prefix, or undefined when outside it (or another family). */
export function offsetOf(prefix: Cidr, address: IpAddress): bigint | undefined {
  if (address.family !== prefix.family) return undefined;
  const o = address.value - prefix.network;
  return o >= 0n && o < size(prefix) ? o : undefined;
}

function isCidr(x: Cidr | IpAddress): x is Cidr {
  return "prefixLength" in x;
}

/** Whether `inner` (a prefix or a single address) lies entirely inside `outer`. Families never mix. */
export function contains(outer: Cidr, inner: Cidr | IpAddress): boolean {
  if (outer.family !== inner.family) return false;
  if (isCidr(inner)) {
    return inner.prefixLength >= outer.prefixLength && toCidr(firstAddress(inner), outer.prefixLength).network === outer.network;
  }
  return offsetOf(outer, inner) !== undefined;
}

/** Whether two prefixes share at least one address (for CIDR blocks: one contains the other). */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return contains(a, b) || contains(b, a);
}

export function compareAddresses(a: IpAddress, b: IpAddress): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

// ---------------------------------------------------------------- carving a prefix into subnets

/** How many prefixes of `length` fit in `prefix` (0 when `length` is shorter than the prefix or too long for the family). */
export function subnetCount(prefix: Cidr, length: number): bigint {
  if (!Number.isInteger(length) || length < prefix.prefixLength || length > addressBits(prefix.family)) return 0n;
  return 1n << BigInt(length - prefix.prefixLength);
}

/** The `index`-th prefix of `length` inside `prefix` (0 is the first), or undefined past the last one. */
export function subnetAt(prefix: Cidr, length: number, index: bigint | number): Cidr | undefined {
  const i = BigInt(index);
  if (i < 0n || i >= subnetCount(prefix, length)) return undefined;
  return { family: prefix.family, network: prefix.network + (i << BigInt(addressBits(prefix.family) - length)), prefixLength: length };
}

/** Which of `prefix`'s subnets of `sub`'s length `sub` is (inverse of subnetAt), or undefined when outside. */
export function subnetIndex(prefix: Cidr, sub: Cidr): bigint | undefined {
  if (!contains(prefix, sub)) return undefined;
  return (sub.network - prefix.network) >> BigInt(addressBits(prefix.family) - sub.prefixLength);
}
