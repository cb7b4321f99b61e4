// Private addresses of IP configurations (NIC ipConfigurations, LB frontendIPConfigurations) and of
// LB backend addresses, assigned from subnet pools inside the writing transaction:
//   1. release what the previous version of the resource held;
//   2. Static configs claim their address (PrivateIPAddressIsAllocated / NotInSubnet / InReservedRange);
//   3. Dynamic configs that already had an address in the same subnet keep it when still free;
//   4. other Dynamic configs take the lowest free address (SubnetIsFull when none).
// Each touched subnet is loaded once and written once (SubnetCache), so several configs in one
// subnet see each other's allocations.
import type { Txn } from "../../store/store.js";
import type { ArmEnv, ResourceRecord } from "../../arm/types.js";
import type { Caller } from "../../arm/caller.js";
import { idKey } from "../../arm/resource-id.js";
import { listChildren } from "../../arm/repo.js";
import { NetErrors } from "./errors.js";
import { T, getTyped } from "./common.js";
import { SubnetHandle, subnetsOfOwner } from "./ipam-store.js";

export class SubnetCache {
  private readonly handles = new Map<string, SubnetHandle>();
  constructor(private readonly tx: Txn, private readonly env: ArmEnv, private readonly caller?: Caller) {}

  /** A subnet to join (busy while being deleted); undefined when it does not exist. */
  join(subnetId: string): SubnetHandle | undefined {
    const k = idKey(subnetId);
    const cached = this.handles.get(k);
    if (cached) return cached;
    const h = SubnetHandle.load(this.tx, this.env, subnetId, this.caller);
    if (h) this.handles.set(k, h);
    return h;
  }

  /** A subnet to leave (never busy); undefined when it is gone already. */
  leave(subnetId: string): SubnetHandle | undefined {
    const k = idKey(subnetId);
    const cached = this.handles.get(k);
    if (cached) return cached;
    const rec = getTyped(this.tx, subnetId, T.subnet);
    if (!rec) return undefined;
    const h = SubnetHandle.fromRecord(this.tx, rec);
    this.handles.set(k, h);
    return h;
  }

  saveAll(): void {
    for (const h of this.handles.values()) h.save();
  }
}

export interface IpConfigWant {
  /** Id of the ip configuration: the address owner and the subnet's ipConfigurations entry. */
  id: string;
  subnetId?: string;
  method: "Static" | "Dynamic";
  address?: string;
}

export interface IpConfigHeld {
  id: string;
  subnetId?: string;
  address?: string;
}

/** Assign addresses to `want` (previous holdings `held` are released first); returns id-key → address. */
export function assignIpConfigs(cache: SubnetCache, resourceId: string, held: IpConfigHeld[], want: IpConfigWant[]): Map<string, string> {
  for (const h of held) {
    if (!h.subnetId) continue;
    const s = cache.leave(h.subnetId);
    if (!s) continue;
    s.release(h.id);
    s.detachIpConfiguration(h.id);
  }
  const out = new Map<string, string>();
  const subnetOf = (w: IpConfigWant) => {
    const s = cache.join(w.subnetId!);
    if (!s) throw NetErrors.invalidResourceReference.make({ ref: w.subnetId!, id: resourceId });
    return s;
  };
  const withSubnet = want.filter((w) => w.subnetId);
  for (const w of withSubnet) subnetOf(w);
  for (const w of withSubnet.filter((x) => x.method === "Static" && x.address)) {
    out.set(idKey(w.id), subnetOf(w).allocateAddress(w.id, w.address!, w.id));
  }
  const dynamic = withSubnet.filter((x) => !out.has(idKey(x.id)));
  const later: IpConfigWant[] = [];
  for (const w of dynamic) {
    const prev = held.find((h) => idKey(h.id) === idKey(w.id) && h.subnetId && idKey(h.subnetId) === idKey(w.subnetId!) && h.address);
    const s = subnetOf(w);
    if (prev && s.ownerOf(prev.address!) === undefined && !s.isReserved(prev.address!) && s.holdsAddress(prev.address!)) {
      out.set(idKey(w.id), s.allocateAddress(w.id, prev.address!, w.id));
    } else later.push(w);
  }
  for (const w of later) out.set(idKey(w.id), subnetOf(w).allocate(w.id, 1)[0]!);
  for (const w of withSubnet) subnetOf(w).attachIpConfiguration(w.id);
  return out;
}

/**
 * LB backend addresses given by IP: an address inside a subnet of the referenced VNet (or the
 * referenced subnet) is allocated there for `owner` so subnet capacity counts it; an address
 * another owner already holds (e.g. API server pod IPs allocated through the NetworkModel) or a
 * platform-reserved one is accepted as is, without a second allocation.
 */
export function claimBackendAddress(cache: SubnetCache, tx: Txn, resourceId: string, owner: string, ip: string, vnetId?: string, subnetId?: string): void {
  let candidates: string[] = [];
  if (subnetId) {
    if (!getTyped(tx, subnetId, T.subnet)) throw NetErrors.invalidResourceReference.make({ ref: subnetId, id: resourceId });
    candidates = [subnetId];
  } else if (vnetId) {
    if (!getTyped(tx, vnetId, T.vnet)) throw NetErrors.invalidResourceReference.make({ ref: vnetId, id: resourceId });
    candidates = listChildren(tx, vnetId, T.subnet).map((s) => s.id);
  }
  for (const id of candidates) {
    const s = cache.join(id);
    if (!s || !s.holdsAddress(ip)) continue;
    const cur = s.ownerOf(ip);
    if (cur === undefined && !s.isReserved(ip)) s.allocateAddress(owner, ip, owner);
    return;
  }
}

/** Release backend-address owners (wherever the owner index says they hold addresses). */
export function releaseOwners(cache: SubnetCache, tx: Txn, owners: string[]): void {
  for (const o of owners) {
    for (const sid of subnetsOfOwner(tx, o)) {
      const s = cache.leave(sid);
      if (s) s.release(o);
      else tx.delete(`netown:${encodeURIComponent(o.toLowerCase())}|${idKey(sid)}`);
    }
  }
}

/** Held ip configurations of a stored resource, from its rendered-form property list. */
export function heldIpConfigs(rec: ResourceRecord | undefined, listKey: string): IpConfigHeld[] {
  if (!rec) return [];
  const list = rec.properties?.[listKey];
  if (!Array.isArray(list)) return [];
  return list.map((c: any) => ({ id: String(c.id), subnetId: c.properties?.subnet?.id, address: c.properties?.privateIPAddress }));
}
