// Address bookkeeping on subnet records. A subnet record keeps, in `internal` (never rendered):
//   pools             SubnetAddressPool JSON, one per address prefix (src/network/ipam.ts)
//   ipConfigurations  ids of NIC ipConfigurations / LB frontends using the subnet (rendered read-only)
//   ownedIpConfigurations  (data from before: per address owner, ipConfigurations also listed above)
//   privateEndpoints  ids of private endpoints in the subnet
//   sals              service association links (rendered under serviceAssociationLinks)
// An owner index (`netown:<owner>|<subnet>` keys) finds the subnets an owner holds addresses in,
// so release(owner) does not scan. The ipConfigurations attached with an owner's allocation
// (scale-set instance NICs: ipconfig1..N per node, Azure CNI's pod addresses) live beside the
// record, one key per owner (`netipc:<subnet>|<owner>`), detached again when the owner releases:
// in the record they made every write of a subnet shared by N clusters O(N) (16 kB per AKS node). Everything runs inside the caller's store transaction, so an
// allocation commits or vanishes together with the write that needed it.
import type { Txn } from "../../store/store.js";
import type { ArmEnv, ResourceRecord } from "../../arm/types.js";
import { putRecord } from "../../arm/repo.js";
import { idKey, nameOf, parentId } from "../../arm/resource-id.js";
import { SubnetAddressPool, type SubnetPoolState } from "../../network/ipam.js";
import { contains, formatAddress, parseAddress } from "../../network/cidr.js";
import { NetErrors } from "./errors.js";
import { T, getTyped, throwIfBusy, uniqueIds, weakEtag } from "./common.js";
import type { Caller } from "../../arm/caller.js";

type Reader = Pick<Txn, "get" | "list">;

export interface SalState {
  name: string;
  linkedResourceType: string;
  link: string;
  allowDelete: boolean;
}

export interface SubnetInternal {
  pools?: SubnetPoolState[];
  ipConfigurations?: string[];
  ownedIpConfigurations?: Record<string, string[]>;
  privateEndpoints?: string[];
  sals?: SalState[];
  seq?: number;
  activeOperation?: string;
}

/** The prefixes of a subnet record as stored (validated, normalized at write time). */
export function subnetPrefixes(rec: ResourceRecord): string[] {
  const p = rec.properties ?? {};
  if (Array.isArray(p.addressPrefixes) && p.addressPrefixes.length > 0) return p.addressPrefixes.map(String);
  if (typeof p.addressPrefix === "string") return [p.addressPrefix];
  return [];
}

/** One pool per prefix, restored from the record (fresh pools for prefixes without state). */
export function loadPools(rec: ResourceRecord): SubnetAddressPool[] {
  const states = ((rec.internal as SubnetInternal | undefined)?.pools ?? []) as SubnetPoolState[];
  return subnetPrefixes(rec).map((prefix) => {
    const st = states.find((s) => s.addressPrefix === prefix);
    return st ? SubnetAddressPool.fromJSON(st) : new SubnetAddressPool(prefix);
  });
}

export function poolStates(pools: SubnetAddressPool[]): SubnetPoolState[] {
  return pools.map((p) => p.toJSON()).filter((s) => s.allocations.length > 0);
}

const OWN = "netown:";
function ownerPrefix(owner: string): string {
  return `${OWN}${encodeURIComponent(owner.toLowerCase())}|`;
}
function ownerKey(owner: string, subnetId: string): string {
  return ownerPrefix(owner) + idKey(subnetId);
}

/** Subnets in which owner holds addresses (per the owner index). */
export function subnetsOfOwner(tx: Reader, owner: string): string[] {
  return tx.list<{ subnetId: string }>(ownerPrefix(owner)).map((e) => e.value.subnetId);
}

const OWNED = "netipc:";
function ownedPrefix(subnetId: string): string {
  return `${OWNED}${idKey(subnetId)}|`;
}
function ownedKey(subnetId: string, owner: string): string {
  return ownedPrefix(subnetId) + encodeURIComponent(owner.toLowerCase());
}
interface OwnedIpConfigurations {
  owner: string;
  ids: string[];
}

/** Every ipConfiguration using the subnet: those attached to the record, then those attached with an owner's addresses. */
export function subnetIpConfigurations(tx: Reader, rec: ResourceRecord): string[] {
  const attached = (rec.internal as SubnetInternal | undefined)?.ipConfigurations ?? [];
  const owned = tx.list<OwnedIpConfigurations>(ownedPrefix(rec.id));
  if (owned.length === 0) return attached;
  return [...attached, ...owned.flatMap((e) => e.value.ids)];
}

/** Drop every owner-index entry pointing at a subnet, and the ipConfigurations owned there (the subnet is being deleted). */
export function forgetSubnetOwners(tx: Txn, rec: ResourceRecord): void {
  for (const pool of loadPools(rec)) for (const o of pool.owners()) tx.delete(ownerKey(o, rec.id));
  tx.deletePrefix(ownedPrefix(rec.id));
}

function canonicalOwner(pool: SubnetAddressPool, owner: string): string {
  const k = owner.toLowerCase();
  return pool.owners().find((o) => o.toLowerCase() === k) ?? owner;
}

/** The usage numbers of a set of pools (bigint → number; subnets beyond 2^53 addresses saturate). */
export function usageOf(pools: SubnetAddressPool[]): { total: number; reserved: number; used: number; free: number } {
  let total = 0n, reserved = 0n, used = 0n, free = 0n;
  for (const p of pools) {
    const u = p.usage();
    total += u.total;
    reserved += u.reserved;
    used += u.used;
    free += u.free;
  }
  const n = (b: bigint) => (b > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(b));
  return { total: n(total), reserved: n(reserved), used: n(used), free: n(free) };
}

/**
 * A subnet loaded for changes within a transaction: allocate/release addresses, attach/detach
 * ipConfigurations. `save()` writes the record back (once, at the end).
 */
export class SubnetHandle {
  private dirty = false;
  private constructor(
    private readonly tx: Txn,
    public rec: ResourceRecord,
    public readonly pools: SubnetAddressPool[],
  ) {}

  /** Load a subnet to change it; undefined when it does not exist. Busy while it is being deleted. */
  static load(tx: Txn, env: ArmEnv, subnetId: string, caller?: Caller): SubnetHandle | undefined {
    const rec = getTyped(tx, subnetId, T.subnet);
    if (!rec) return undefined;
    if (rec.properties?.provisioningState === "Deleting") throwIfBusy(env, tx, rec, caller);
    const vnet = getTyped(tx, parentId(subnetId) ?? "", T.vnet);
    if (vnet?.properties?.provisioningState === "Deleting") throwIfBusy(env, tx, vnet, caller);
    return new SubnetHandle(tx, rec, loadPools(rec));
  }

  /** Wrap an already-read subnet record (no busy check: releases must always work). */
  static fromRecord(tx: Txn, rec: ResourceRecord): SubnetHandle {
    return new SubnetHandle(tx, rec, loadPools(rec));
  }

  get id(): string {
    return this.rec.id;
  }

  private get internal(): SubnetInternal {
    return (this.rec.internal ?? {}) as SubnetInternal;
  }

  private prefixText(): string {
    return this.pools.map((p) => p.addressPrefix).join(", ");
  }

  /** `count` lowest free addresses across the subnet's prefixes, all or nothing (SubnetIsFull). */
  allocate(owner: string, count: number): string[] {
    let free = 0n;
    for (const p of this.pools) free += p.usage().free;
    if (BigInt(count) > free) {
      throw NetErrors.subnetIsFull.make({ name: this.rec.name, prefix: this.prefixText(), count });
    }
    const out: string[] = [];
    let left = count;
    for (const p of this.pools) {
      if (left === 0) break;
      const f = p.usage().free;
      const n = BigInt(left) < f ? left : Number(f);
      if (n === 0) continue;
      const r = p.allocate(canonicalOwner(p, owner), n);
      if (!r.ok) throw NetErrors.subnetIsFull.make({ name: this.rec.name, prefix: this.prefixText(), count });
      out.push(...r.addresses);
      left -= n;
    }
    this.tx.put(ownerKey(owner, this.rec.id), { owner, subnetId: this.rec.id });
    this.dirty = true;
    return out;
  }

  /** A given address for owner (static private IP). `ipConfig` names the requester in errors. */
  allocateAddress(owner: string, address: string, ipConfig: string): string {
    const parsed = parseAddress(address);
    if (!parsed) throw NetErrors.privateIPAddressInvalid.make({ address, id: ipConfig });
    const pool = this.pools.find((p) => contains(p.prefix, parsed));
    if (!pool) throw NetErrors.privateIPAddressNotInSubnet.make({ address, prefix: this.pools[0]?.addressPrefix ?? "" });
    const r = pool.allocateSpecific(canonicalOwner(pool, owner), formatAddress(parsed));
    if (!r.ok) {
      if (r.error === "InUse") throw NetErrors.privateIPAddressIsAllocated.make({ ipConfig, address: r.address, owner: r.owner });
      if (r.error === "Reserved") throw NetErrors.privateIPAddressInReservedRange.make({ address: r.address, prefix: pool.addressPrefix });
      if (r.error === "OutsideSubnet") throw NetErrors.privateIPAddressNotInSubnet.make({ address, prefix: pool.addressPrefix });
      throw NetErrors.privateIPAddressInvalid.make({ address, id: ipConfig });
    }
    this.tx.put(ownerKey(owner, this.rec.id), { owner, subnetId: this.rec.id });
    this.dirty = true;
    return r.address;
  }

  /** Is the address inside one of the subnet's prefixes? */
  holdsAddress(address: string): boolean {
    const parsed = parseAddress(address);
    return !!parsed && this.pools.some((p) => contains(p.prefix, parsed));
  }

  /** Owner of an address in this subnet, if allocated. */
  ownerOf(address: string): string | undefined {
    for (const p of this.pools) {
      const o = p.ownerOf(address);
      if (o !== undefined) return o;
    }
    return undefined;
  }

  isReserved(address: string): boolean {
    return this.pools.some((p) => p.isReserved(address));
  }

  /** Addresses owner holds here, ascending per prefix. */
  addressesOf(owner: string): string[] {
    return this.pools.flatMap((p) => p.addressesOf(canonicalOwner(p, owner)));
  }

  /** ipConfigurations that come and go with `owner`'s addresses (attached now, detached by release). */
  attachOwnedIpConfigurations(owner: string, ids: string[]): void {
    const key = ownedKey(this.rec.id, owner);
    const cur = this.tx.get<OwnedIpConfigurations>(key)?.value.ids ?? [];
    const have = new Set(cur.map(idKey));
    this.tx.put<OwnedIpConfigurations>(key, { owner, ids: [...cur, ...ids.filter((id) => !have.has(idKey(id)))] });
    this.dirty = true;
  }

  /** Release everything owner holds in this subnet; returns how many addresses. */
  release(owner: string): number {
    let n = 0;
    const k = owner.toLowerCase();
    if (this.tx.delete(ownedKey(this.rec.id, owner))) this.dirty = true;
    // Data from before kept them in the record (and in ipConfigurations).
    const owned = this.internal.ownedIpConfigurations ?? {};
    if (owned[k]) {
      for (const id of owned[k]!) this.detachIpConfiguration(id);
      const rest = { ...owned };
      delete rest[k];
      this.rec = { ...this.rec, internal: { ...this.internal, ownedIpConfigurations: rest } };
      this.dirty = true;
    }
    for (const p of this.pools) for (const o of p.owners()) if (o.toLowerCase() === k) n += p.release(o);
    this.tx.delete(ownerKey(owner, this.rec.id));
    if (n > 0) this.dirty = true;
    return n;
  }

  attachIpConfiguration(id: string): void {
    const cur = this.internal.ipConfigurations ?? [];
    if (cur.some((x) => idKey(x) === idKey(id))) return;
    this.rec = { ...this.rec, internal: { ...this.internal, ipConfigurations: [...cur, id] } };
    this.dirty = true;
  }

  detachIpConfiguration(id: string): void {
    const cur = this.internal.ipConfigurations ?? [];
    if (!cur.some((x) => idKey(x) === idKey(id))) return;
    this.rec = { ...this.rec, internal: { ...this.internal, ipConfigurations: cur.filter((x) => idKey(x) !== idKey(id)) } };
    this.dirty = true;
  }

  bumpEtag(): void {
    this.rec = { ...this.rec, etag: weakEtag() };
    this.dirty = true;
  }

  get sals(): SalState[] {
    return [...(this.internal.sals ?? [])];
  }

  setSals(sals: SalState[]): void {
    this.rec = { ...this.rec, internal: { ...this.internal, sals } };
    this.dirty = true;
  }

  save(): ResourceRecord {
    if (!this.dirty) return this.rec;
    this.rec = { ...this.rec, internal: { ...this.internal, pools: poolStates(this.pools), ipConfigurations: uniqueIds(this.internal.ipConfigurations ?? []) } };
    putRecord(this.tx, this.rec);
    this.dirty = false;
    return this.rec;
  }
}

/** Release owner's addresses in the given subnet, or in every subnet it holds addresses in. */
export function releaseOwner(tx: Txn, owner: string, subnetId?: string): number {
  const ids = subnetId ? [subnetId] : subnetsOfOwner(tx, owner);
  let n = 0;
  for (const id of ids) {
    const rec = getTyped(tx, id, T.subnet);
    if (!rec) {
      tx.delete(ownerKey(owner, id));
      continue;
    }
    const h = SubnetHandle.fromRecord(tx, rec);
    n += h.release(owner);
    h.save();
  }
  return n;
}

/** Subnet name for messages. */
export function subnetName(id: string): string {
  return nameOf(id);
}
