// Per-subnet IP address management the way NRP does it: the first 4 and the last address of every
// subnet are platform-reserved, allocation hands out the lowest free usable addresses.
//
// Style: a mutable class built from a JSON-able state (`SubnetAddressPool.fromJSON`) and written back
// with `toJSON()`; the caller loads, mutates and stores it within one request. Failures caused by
// request input (exhaustion, taken/reserved/outside addresses) are returned as values; misuse by
// code (bad count, owner or corrupted state) throws.
//
// Cost: allocations are kept as owner-tagged runs [start, end) of offsets in an ordered chunked
// index, plus a second index of merged "used" spans that ignores owners, so the lowest free address
// is found by looking at the first gap instead of scanning every allocation. Nothing is proportional
// to the subnet size, so /8 IPv4 and /0 IPv6 are fine; the stored state is one entry per run.
// Only `allocate` and `addressesOf` list addresses one by one: use `reserveBlock` for big counts.
// One pool covers one address prefix; a subnet with several `addressPrefixes` needs one pool each.

import { type Cidr, type IpAddress, formatAddress, formatCidr, offsetOf, parseAddress, parseCidr, size } from "./cidr.js";
import { IntervalIndex } from "./interval-index.js";

/** Smallest IPv4 subnet NRP accepts (/30 and longer are rejected). */
export const MIN_IPV4_SUBNET_PREFIX = 29;
/** IPv6 subnets must be exactly /64 (inferred; see arm-contract.md §8.4). */
export const IPV6_SUBNET_PREFIX = 64;
/** Azure keeps the network address, .1 (gateway), .2 and .3 (DNS) ... */
export const RESERVED_AT_START = 4;
/** ... and the last (broadcast) address. IPv6 subnets reserve the same positions (inferred: docs only state IPv4). */
export const RESERVED_AT_END = 1;

/** Whether NRP accepts a subnet of this size (IPv4 /29 or larger; IPv6 /64 (inferred)). */
export function isAllowedSubnetSize(prefix: Cidr): boolean {
  return prefix.family === 4 ? prefix.prefixLength <= MIN_IPV4_SUBNET_PREFIX : prefix.prefixLength === IPV6_SUBNET_PREFIX;
}

/** One contiguous run of addresses held by one owner. `count` is a JSON-safe integer. */
export interface AllocationRange {
  first: string;
  count: number;
  owner: string;
}

/** Stored form: plain JSON, allocations sorted by address, adjacent runs of one owner merged. */
export interface SubnetPoolState {
  addressPrefix: string;
  allocations: AllocationRange[];
}

export interface PoolUsage {
  /** Every address in the prefix. */
  total: bigint;
  /** Platform-reserved (total − usable). */
  reserved: bigint;
  used: bigint;
  free: bigint;
}

export type AllocateResult =
  | { ok: true; addresses: string[] }
  | { ok: false; error: "Exhausted"; requested: number; free: bigint };

export type AllocateSpecificResult =
  | { ok: true; address: string }
  | { ok: false; error: "InvalidAddress" | "OutsideSubnet" | "Reserved"; address: string }
  | { ok: false; error: "InUse"; address: string; owner: string };

export type ReserveBlockResult =
  | { ok: true; first: string; last: string; count: number }
  | { ok: false; error: "NoContiguousBlock"; requested: number; free: bigint; largestBlock: bigint };

interface Span {
  start: bigint;
  end: bigint; // exclusive
}

interface Run extends Span {
  owner: string;
}

function requireCount(count: number): bigint {
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
  return BigInt(count);
}

function requireOwner(owner: string): void {
  if (typeof owner !== "string" || owner === "") throw new TypeError("owner must be a non-empty string");
}

function corrupt(why: string): never {
  throw new TypeError(`invalid subnet pool state: ${why}`);
}

export class SubnetAddressPool {
  readonly prefix: Cidr;
  /** Normalized CIDR text, e.g. "172.19.0.0/28". */
  readonly addressPrefix: string;
  /** Usable offsets are [lo, hi); empty when the prefix is too small (/30 and longer). */
  private readonly lo: bigint;
  private readonly hi: bigint;
  private readonly runs = new IntervalIndex<Run>();
  private readonly spans = new IntervalIndex<Span>(); // merged used ranges, owners ignored
  private readonly byOwner = new Map<string, Run[]>(); // an owner usually holds one or a few runs
  private usedCount = 0n;

  /** An empty pool. Throws TypeError if `addressPrefix` is not a valid normalized CIDR (validate with parseCidr first). */
  constructor(addressPrefix: string | Cidr) {
    let prefix: Cidr;
    if (typeof addressPrefix === "string") {
      const parsed = parseCidr(addressPrefix);
      if (!parsed.ok) throw new TypeError(`${parsed.code}: ${addressPrefix}`);
      prefix = parsed.cidr;
    } else {
      prefix = addressPrefix;
    }
    this.prefix = prefix;
    this.addressPrefix = formatCidr(prefix);
    const total = size(prefix);
    this.lo = total < BigInt(RESERVED_AT_START) ? total : BigInt(RESERVED_AT_START);
    const hi = total - BigInt(RESERVED_AT_END);
    this.hi = hi > this.lo ? hi : this.lo;
  }

  static fromJSON(state: SubnetPoolState): SubnetAddressPool {
    if (typeof state !== "object" || state === null) corrupt("not an object");
    if (typeof state.addressPrefix !== "string") corrupt("addressPrefix");
    if (!Array.isArray(state.allocations)) corrupt("allocations");
    const pool = new SubnetAddressPool(state.addressPrefix);
    const runs: Run[] = state.allocations.map((a, i) => {
      if (typeof a !== "object" || a === null || typeof a.first !== "string") corrupt(`allocations[${i}].first`);
      if (!Number.isSafeInteger(a.count) || a.count < 1) corrupt(`allocations[${i}].count`);
      if (typeof a.owner !== "string" || a.owner === "") corrupt(`allocations[${i}].owner`);
      const start = pool.offsetOfText(a.first);
      if (typeof start !== "bigint" || !pool.isUsableOffset(start)) corrupt(`allocations[${i}] not a usable address`);
      const end = start + BigInt(a.count);
      if (end > pool.hi) corrupt(`allocations[${i}] runs past the usable range`);
      return { start, end, owner: a.owner };
    });
    runs.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    for (let i = 1; i < runs.length; i++) if (runs[i]!.start < runs[i - 1]!.end) corrupt("allocations overlap");
    for (const r of runs) pool.take(r.owner, r.start, r.end);
    return pool;
  }

  toJSON(): SubnetPoolState {
    const allocations: AllocationRange[] = [];
    const max = BigInt(Number.MAX_SAFE_INTEGER);
    for (const run of this.runs) {
      // Split only absurdly long IPv6 runs so every count stays a JSON-safe number.
      for (let s = run.start; s < run.end; s += max) {
        const n = run.end - s < max ? run.end - s : max;
        allocations.push({ first: this.format(s), count: Number(n), owner: run.owner });
      }
    }
    return { addressPrefix: this.addressPrefix, allocations };
  }

  // ------------------------------------------------------------ queries

  usage(): PoolUsage {
    const total = size(this.prefix);
    const usable = this.hi - this.lo;
    return { total, reserved: total - usable, used: this.usedCount, free: usable - this.usedCount };
  }

  /** The address `allocate(_, 1)` would return now (for an ILB frontend: 172.19.0.4 in a fresh 172.19.0.0/28). */
  firstFreeAddress(): string | undefined {
    const pieces = this.lowestFree(1n);
    return pieces === undefined ? undefined : this.format(pieces[0]!.start);
  }

  ownerOf(address: string): string | undefined {
    const o = this.offsetOfText(address);
    return typeof o === "bigint" ? this.runAt(o)?.owner : undefined;
  }

  /** Addresses held by `owner`, ascending. */
  addressesOf(owner: string): string[] {
    const runs = [...(this.byOwner.get(owner) ?? [])].sort((a, b) => (a.start < b.start ? -1 : 1));
    const out: string[] = [];
    for (const r of runs) for (let o = r.start; o < r.end; o++) out.push(this.format(o));
    return out;
  }

  owners(): string[] {
    return [...this.byOwner.keys()];
  }

  /** Usable (inside, not platform-reserved) and not allocated. */
  isFree(address: string): boolean {
    const o = this.offsetOfText(address);
    return typeof o === "bigint" && this.isUsableOffset(o) && this.runAt(o) === undefined;
  }

  /** Inside the prefix but platform-reserved (CheckIPAddressAvailability's `isPlatformReserved`). */
  isReserved(address: string): boolean {
    const o = this.offsetOfText(address);
    return typeof o === "bigint" && !this.isUsableOffset(o);
  }

  // ------------------------------------------------------------ mutations

  /** The `count` lowest free usable addresses (not necessarily contiguous), all or nothing. */
  allocate(owner: string, count: number): AllocateResult {
    requireOwner(owner);
    const need = requireCount(count);
    const pieces = this.lowestFree(need);
    if (pieces === undefined) return { ok: false, error: "Exhausted", requested: count, free: this.usage().free };
    const addresses: string[] = [];
    for (const p of pieces) {
      this.take(owner, p.start, p.end);
      for (let o = p.start; o < p.end; o++) addresses.push(this.format(o));
    }
    return { ok: true, addresses };
  }

  /** A given address (static private IP). Idempotent when `owner` already holds it. */
  allocateSpecific(owner: string, address: string): AllocateSpecificResult {
    requireOwner(owner);
    const o = this.offsetOfText(address);
    if (typeof o !== "bigint") return { ok: false, error: o, address };
    const canonical = this.format(o);
    if (!this.isUsableOffset(o)) return { ok: false, error: "Reserved", address: canonical };
    const run = this.runAt(o);
    if (run !== undefined) {
      return run.owner === owner ? { ok: true, address: canonical } : { ok: false, error: "InUse", address: canonical, owner: run.owner };
    }
    this.take(owner, o, o + 1n);
    return { ok: true, address: canonical };
  }

  /** The lowest contiguous block of `count` free addresses, held by `owner` for later use. */
  reserveBlock(owner: string, count: number): ReserveBlockResult {
    requireOwner(owner);
    const need = requireCount(count);
    let cursor = this.lo;
    let largest = 0n;
    let found: bigint | undefined;
    for (const span of this.spans.from(this.lo)) {
      if (span.start > cursor) {
        if (span.start - cursor >= need) {
          found = cursor;
          break;
        }
        if (span.start - cursor > largest) largest = span.start - cursor;
      }
      if (span.end > cursor) cursor = span.end;
    }
    if (found === undefined) {
      if (this.hi - cursor >= need) found = cursor;
      else if (this.hi - cursor > largest) largest = this.hi - cursor;
    }
    if (found === undefined) {
      return { ok: false, error: "NoContiguousBlock", requested: count, free: this.usage().free, largestBlock: largest };
    }
    this.take(owner, found, found + need);
    return { ok: true, first: this.format(found), last: this.format(found + need - 1n), count };
  }

  /** Frees everything `owner` holds; returns how many addresses were freed. */
  release(owner: string): number {
    const runs = this.byOwner.get(owner);
    if (runs === undefined) return 0;
    let freed = 0n;
    for (const run of runs) {
      this.runs.delete(run.start);
      this.freeSpan(run.start, run.end);
      freed += run.end - run.start;
    }
    this.byOwner.delete(owner);
    this.usedCount -= freed;
    return Number(freed);
  }

  /** Frees one address; returns its former owner, or undefined if it was not allocated. */
  releaseAddress(address: string): string | undefined {
    const o = this.offsetOfText(address);
    if (typeof o !== "bigint") return undefined;
    const run = this.runAt(o);
    if (run === undefined) return undefined;
    const owner = run.owner;
    const held = this.byOwner.get(owner)!;
    if (run.start === o && run.end === o + 1n) {
      this.runs.delete(o);
      held.splice(held.indexOf(run), 1);
      if (held.length === 0) this.byOwner.delete(owner);
    } else if (run.start === o) {
      run.start = o + 1n; // order unchanged: still before the next run
    } else if (run.end === o + 1n) {
      run.end = o;
    } else {
      const tail: Run = { start: o + 1n, end: run.end, owner };
      run.end = o;
      this.runs.insert(tail);
      held.push(tail);
    }
    this.freeSpan(o, o + 1n);
    this.usedCount -= 1n;
    return owner;
  }

  // ------------------------------------------------------------ internals

  private format(offset: bigint): string {
    return formatAddress({ family: this.prefix.family, value: this.prefix.network + offset });
  }

  private offsetOfText(address: string): bigint | "InvalidAddress" | "OutsideSubnet" {
    const parsed: IpAddress | undefined = parseAddress(address);
    if (parsed === undefined) return "InvalidAddress";
    return offsetOf(this.prefix, parsed) ?? "OutsideSubnet";
  }

  private isUsableOffset(o: bigint): boolean {
    return o >= this.lo && o < this.hi;
  }

  private runAt(o: bigint): Run | undefined {
    const run = this.runs.floor(o);
    return run !== undefined && o < run.end ? run : undefined;
  }

  /** The lowest `need` free offsets as spans, or undefined when fewer are free. Reads only. */
  private lowestFree(need: bigint): Span[] | undefined {
    if (this.hi - this.lo - this.usedCount < need) return undefined;
    const pieces: Span[] = [];
    let cursor = this.lo;
    for (const span of this.spans.from(this.lo)) {
      if (need === 0n) break;
      if (span.start > cursor) {
        const n = span.start - cursor < need ? span.start - cursor : need;
        pieces.push({ start: cursor, end: cursor + n });
        need -= n;
      }
      if (span.end > cursor) cursor = span.end;
    }
    if (need > 0n) pieces.push({ start: cursor, end: cursor + need }); // fits: the free count was checked
    return pieces;
  }

  /** Marks free offsets [start, end) as held by `owner`, merging with that owner's adjacent runs. */
  private take(owner: string, start: bigint, end: bigint): void {
    this.usedCount += end - start;
    this.useSpan(start, end);
    let held = this.byOwner.get(owner);
    if (held === undefined) this.byOwner.set(owner, (held = []));
    const prev = this.runs.floor(start - 1n);
    const next = this.runs.ceiling(end);
    const joinPrev = prev !== undefined && prev.end === start && prev.owner === owner;
    const joinNext = next !== undefined && next.start === end && next.owner === owner;
    if (joinPrev && joinNext) {
      prev.end = next.end;
      this.runs.delete(next.start);
      held.splice(held.indexOf(next), 1);
    } else if (joinPrev) {
      prev.end = end;
    } else if (joinNext) {
      next.start = start; // order unchanged: [start, end) was free
    } else {
      const run: Run = { start, end, owner };
      this.runs.insert(run);
      held.push(run);
    }
  }

  private useSpan(start: bigint, end: bigint): void {
    const prev = this.spans.floor(start - 1n);
    const next = this.spans.ceiling(end);
    const joinPrev = prev !== undefined && prev.end === start;
    const joinNext = next !== undefined && next.start === end;
    if (joinPrev && joinNext) {
      prev.end = next.end;
      this.spans.delete(next.start);
    } else if (joinPrev) {
      prev.end = end;
    } else if (joinNext) {
      next.start = start;
    } else {
      this.spans.insert({ start, end });
    }
  }

  /** [start, end) is fully used, so it lies inside one merged span. */
  private freeSpan(start: bigint, end: bigint): void {
    const span = this.spans.floor(start)!;
    if (span.start === start && span.end === end) this.spans.delete(start);
    else if (span.start === start) span.start = end;
    else if (span.end === end) span.end = start;
    else {
      this.spans.insert({ start: end, end: span.end });
      span.end = start;
    }
  }
}
