// Microsoft.Network/virtualNetworks/subnets: one child record per subnet, rendered inline in the
// VNet too. buildSubnet() is the single validation path for a subnet PUT and for every entry of a
// VNet PUT's `subnets` (reference/arm-contract.md §8.4 check order): CIDR syntax → host bits →
// /29 minimum → inside the VNet → no overlap → references → delegation change vs users/SALs →
// removed prefixes vs allocations. Everything throws before anything is written.
import type { Txn } from "../../store/store.js";
import type { ActionDef, ArmEnv, DeleteCtx, ResourceRecord, ResourceTypeDef, WriteCtx } from "../../arm/types.js";
import { listChildren, putRecord } from "../../arm/repo.js";
import { idKey, nameOf, parentId } from "../../arm/resource-id.js";
import { type Cidr, contains, formatAddress, overlaps, parseAddress, parseCidr } from "../../network/cidr.js";
import { SubnetAddressPool, isAllowedSubnetSize } from "../../network/ipam.js";
import { NetErrors } from "./errors.js";
import { NRP_API_VERSIONS, NRP_DEFAULT_API_VERSION } from "./api-versions.js";
import { findDelegationService } from "./delegations.js";
import {
  NS, T, arr, blockingUsers, checkNrpName, getTyped, throwIfDeleting, nrpDeleteStage, nrpLifecycle, obj, pick, refId, throwIfBusy, weakEtag, PUT_STATE,
} from "./common.js";
import { type SalState, type SubnetInternal, forgetSubnetOwners, loadPools, poolStates, subnetIpConfigurations, subnetPrefixes } from "./ipam-store.js";

type Reader = Pick<Txn, "get" | "list">;

/** Parse prefixes of resource `id`, throwing Azure's format / notation errors. */
export function parsePrefixes(prefixes: string[], id: string): Cidr[] {
  return prefixes.map((p) => {
    const r = parseCidr(p);
    if (r.ok) return r.cidr;
    if (r.code === "InvalidCIDRNotation") throw NetErrors.invalidCidrNotation.make({ prefix: p, id, normalized: r.normalized });
    throw NetErrors.invalidAddressPrefixFormat.make({ prefix: p, id });
  });
}

/** Prefixes of a stored VNet (validated when written). */
export function vnetCidrs(vnet: ResourceRecord): Cidr[] {
  return arr(obj(vnet.properties?.addressSpace).addressPrefixes).flatMap((p) => {
    const r = parseCidr(String(p));
    return r.ok ? [r.cidr] : [];
  });
}

export function subnetCidrs(rec: ResourceRecord): Cidr[] {
  return subnetPrefixes(rec).flatMap((p) => {
    const r = parseCidr(p);
    return r.ok ? [r.cidr] : [];
  });
}

function servicesOf(delegations: unknown): string[] {
  return arr(delegations).map((d) => String(obj(obj(d).properties).serviceName ?? ""));
}

/** Who keeps the subnet from being deleted: ipConfigurations, private endpoints, SALs with allowDelete false, address holders. */
export function subnetUsers(tx: Reader, rec: ResourceRecord): Array<{ id: string; owner: string }> {
  const int = (rec.internal ?? {}) as SubnetInternal;
  const out: Array<{ id: string; owner: string }> = [];
  for (const c of subnetIpConfigurations(tx, rec)) out.push({ id: c, owner: c });
  for (const p of int.privateEndpoints ?? []) out.push({ id: p, owner: p });
  for (const sal of int.sals ?? []) if (!sal.allowDelete) out.push({ id: `${rec.id}/serviceAssociationLinks/${sal.name}`, owner: sal.link });
  // Addresses held by other owners (AKS nodes, API server endpoints): their owner keys start with the owning resource's id.
  const seen = new Set(out.map((u) => idKey(u.owner)));
  for (const pool of loadPools(rec)) {
    for (const o of pool.owners()) {
      if (seen.has(idKey(o)) || !o.startsWith("/")) continue;
      seen.add(idKey(o));
      out.push({ id: o, owner: o });
    }
  }
  return out;
}

/** Throws InUseSubnetCannotBeDeleted when the subnet is in use (by users outside the cascade's group, in an RG cascade). */
export function checkSubnetDeletable(tx: Reader, rec: ResourceRecord, ctx: Pick<DeleteCtx, "cascade" | "cascadeScope"> = { cascade: false }): void {
  const user = blockingUsers(ctx, subnetUsers(tx, rec), (u) => u.owner)[0];
  if (user) throw NetErrors.inUseSubnetCannotBeDeleted.make({ subnet: rec.name, user: user.id });
}

export interface BuildSubnetArgs {
  tx: Reader;
  vnet: { id: string; name: string; location?: string; prefixes: Cidr[] };
  subnetId: string;
  name: string;
  body: any;
  existing?: ResourceRecord;
  /** The other subnets the VNet will hold after this write. */
  siblings: Array<{ name: string; prefixes: Cidr[] }>;
  state: "Updating" | "Succeeded";
  seq: number;
}

const WRITABLE = [
  "routeTable", "natGateway", "serviceEndpointPolicies", "ipAllocations", "applicationGatewayIPConfigurations",
  "defaultOutboundAccess", "sharingScope",
] as const;

/** Validate one subnet and build its record (nothing is written). */
export function buildSubnet(a: BuildSubnetArgs): { rec: ResourceRecord; prefixes: Cidr[] } {
  const body = obj(a.body);
  const props = obj(body.properties);
  // 1. prefixes: addressPrefixes (plural form) wins when non-empty, else addressPrefix.
  let plural = false;
  let texts: string[];
  if (Array.isArray(props.addressPrefixes) && props.addressPrefixes.length > 0) {
    plural = true;
    texts = props.addressPrefixes.map(String);
  } else if (typeof props.addressPrefix === "string" && props.addressPrefix !== "") {
    texts = [props.addressPrefix];
  } else {
    throw NetErrors.invalidSubnet.make({ subnet: a.name, vnet: a.vnet.name });
  }
  const prefixes = parsePrefixes(texts, a.subnetId);
  // 2. size: IPv4 /29 or larger (IPv6 /64).
  if (prefixes.some((p) => !isAllowedSubnetSize(p))) throw NetErrors.invalidSubnet.make({ subnet: a.name, vnet: a.vnet.name });
  // 3. inside the VNet's address space.
  if (prefixes.some((p) => !a.vnet.prefixes.some((v) => contains(v, p)))) {
    throw NetErrors.subnetRangeOutsideVnet.make({ subnet: a.name, vnet: a.vnet.name });
  }
  // 4. no overlap with other subnets (nor between its own prefixes).
  for (let i = 0; i < prefixes.length; i++) {
    for (let j = i + 1; j < prefixes.length; j++) {
      if (overlaps(prefixes[i]!, prefixes[j]!)) throw NetErrors.subnetRangesOverlap.make({ subnet: a.name, vnet: a.vnet.name });
    }
  }
  for (const s of a.siblings) {
    if (s.prefixes.some((sp) => prefixes.some((p) => overlaps(sp, p)))) {
      throw NetErrors.subnetRangesOverlap.make({ subnet: a.name, vnet: a.vnet.name });
    }
  }
  // 5. references.
  const nsgId = refId(props.networkSecurityGroup);
  if (nsgId && !getTyped(a.tx, nsgId, T.nsg)) throw NetErrors.invalidResourceReference.make({ ref: nsgId, id: a.subnetId });
  // 6. delegations (actions are read-only: filled from the per-service table).
  const delegations = arr(props.delegations).map((d, i) => {
    const dd = obj(d);
    const name = typeof dd.name === "string" && dd.name !== "" ? dd.name : String(i);
    const svc = obj(dd.properties).serviceName ?? dd.serviceName;
    const known = typeof svc === "string" ? findDelegationService(svc) : undefined;
    if (!known) throw NetErrors.invalidServiceNameOnDelegation.make({ name, subnetId: a.subnetId, service: String(svc ?? "") });
    return { name, properties: { serviceName: String(svc), actions: [...known.actions] } };
  });
  const int = (a.existing?.internal ?? {}) as SubnetInternal;
  const oldServices = servicesOf(a.existing?.properties?.delegations);
  const newServices = servicesOf(delegations);
  const key = (xs: string[]) => xs.map((s) => s.toLowerCase()).sort().join(",");
  if (key(oldServices) !== key(newServices)) {
    const users = [...(a.existing ? subnetIpConfigurations(a.tx, a.existing) : []), ...(int.privateEndpoints ?? [])];
    if (users.length > 0) {
      throw NetErrors.delegationsCannotChange.make({ subnetId: a.subnetId, from: oldServices.join(", "), to: newServices.join(", "), user: users[0]! });
    }
    const want = new Set(newServices.map((s) => s.toLowerCase()));
    const sal = (int.sals ?? []).find((s) => !want.has(s.linkedResourceType.toLowerCase()));
    if (sal) {
      throw NetErrors.missingRequiredDelegation.make({ subnetId: a.subnetId, services: sal.linkedResourceType, salId: `${a.subnetId}/serviceAssociationLinks/${sal.name}` });
    }
  }
  // 7. address pools: keep the state of unchanged prefixes; allocations of removed prefixes must
  //    fit the new ones (growing a subnet in use is fine), else InUsePrefixCannotBeDeleted.
  const normalized = prefixes.map((p) => new SubnetAddressPool(p).addressPrefix);
  const pools = a.existing ? migratePools(loadPools(a.existing), normalized, a.name) : normalized.map((p) => new SubnetAddressPool(p));

  const properties: Record<string, any> = { provisioningState: a.state };
  if (plural) properties.addressPrefixes = normalized;
  else properties.addressPrefix = normalized[0];
  if (nsgId) properties.networkSecurityGroup = { id: nsgId };
  Object.assign(properties, pick(props, WRITABLE));
  if (Array.isArray(props.serviceEndpoints)) {
    properties.serviceEndpoints = props.serviceEndpoints.map((e: unknown) => {
      const ee = obj(e);
      return { service: ee.service, locations: Array.isArray(ee.locations) ? ee.locations : a.vnet.location ? [a.vnet.location] : [] };
    });
  }
  properties.delegations = delegations;
  properties.privateEndpointNetworkPolicies = typeof props.privateEndpointNetworkPolicies === "string" ? props.privateEndpointNetworkPolicies : "Disabled";
  properties.privateLinkServiceNetworkPolicies = typeof props.privateLinkServiceNetworkPolicies === "string" ? props.privateLinkServiceNetworkPolicies : "Enabled";

  const internal: SubnetInternal = { ...int, pools: poolStates(pools), seq: int.seq ?? a.seq };
  const rec: ResourceRecord = { id: a.subnetId, name: a.name, type: T.subnet, etag: weakEtag(), properties, internal };
  return { rec, prefixes };
}

function migratePools(old: SubnetAddressPool[], prefixes: string[], subnet: string): SubnetAddressPool[] {
  const next = prefixes.map((p) => old.find((o) => o.addressPrefix === p) ?? new SubnetAddressPool(p));
  for (const o of old) {
    if (next.includes(o)) continue;
    for (const run of o.toJSON().allocations) {
      const first = parseAddress(run.first)!;
      for (let i = 0; i < run.count; i++) {
        const addr = { family: first.family, value: first.value + BigInt(i) };
        const target = next.find((n) => contains(n.prefix, addr));
        const r = target?.allocateSpecific(run.owner, formatAddress(addr));
        if (!r || !r.ok) throw NetErrors.inUsePrefixCannotBeDeleted.make({ prefix: o.addressPrefix, subnet });
      }
    }
  }
  return next;
}

export function renderSal(subnetId: string, etag: string | undefined, s: SalState) {
  return {
    name: s.name,
    id: `${subnetId}/serviceAssociationLinks/${s.name}`,
    etag,
    type: T.sal,
    properties: { provisioningState: "Succeeded", linkedResourceType: s.linkedResourceType, link: s.link, allowDelete: s.allowDelete, locations: [] },
  };
}

export function renderSubnet(rec: ResourceRecord, tx: Reader): Record<string, unknown> {
  const p = rec.properties ?? {};
  const int = (rec.internal ?? {}) as SubnetInternal;
  const props: Record<string, unknown> = { provisioningState: p.provisioningState ?? "Succeeded" };
  if (p.addressPrefixes !== undefined) props.addressPrefixes = p.addressPrefixes;
  if (p.addressPrefix !== undefined) props.addressPrefix = p.addressPrefix;
  for (const k of ["networkSecurityGroup", ...WRITABLE]) if (p[k] !== undefined) props[k] = p[k];
  if (Array.isArray(p.serviceEndpoints)) {
    props.serviceEndpoints = p.serviceEndpoints.map((e: Record<string, unknown>) => ({ ...e, provisioningState: "Succeeded" }));
  }
  const ipConfigurations = subnetIpConfigurations(tx, rec);
  if (ipConfigurations.length) props.ipConfigurations = ipConfigurations.map((id) => ({ id }));
  if (int.privateEndpoints?.length) props.privateEndpoints = int.privateEndpoints.map((id) => ({ id }));
  if (int.sals?.length) props.serviceAssociationLinks = int.sals.map((s) => renderSal(rec.id, rec.etag, s));
  props.delegations = arr(p.delegations).map((d) => ({
    name: d.name,
    id: `${rec.id}/delegations/${d.name}`,
    etag: rec.etag,
    properties: { provisioningState: "Succeeded", serviceName: d.properties.serviceName, actions: d.properties.actions },
    type: T.delegation,
  }));
  // Read-only; a delegated subnet shows "" (VirtualNetworkGetWithSubnetDelegation.json).
  if (p.purpose !== undefined) props.purpose = p.purpose;
  else if (arr(p.delegations).length > 0) props.purpose = "";
  props.privateEndpointNetworkPolicies = p.privateEndpointNetworkPolicies ?? "Disabled";
  props.privateLinkServiceNetworkPolicies = p.privateLinkServiceNetworkPolicies ?? "Enabled";
  return { name: rec.name, id: rec.id, etag: rec.etag, properties: props, type: T.subnet };
}

/** Give the VNet holding a subnet a new etag (its document changed). */
export function touchVnet(tx: Txn, vnetId: string): void {
  const vnet = getTyped(tx, vnetId, T.vnet);
  if (vnet) putRecord(tx, { ...vnet, etag: weakEtag() });
}

function subnetPut(ctx: WriteCtx): ResourceRecord {
  const { tx, env, id, existing } = ctx;
  const vnetId = parentId(id)!;
  const vnet = getTyped(tx, vnetId, T.vnet);
  if (!vnet) throw NetErrors.notFound.make({ id: vnetId });
  throwIfBusy(env, ctx.tx, vnet, ctx.caller);
  const nsgRef = refId(obj(obj(ctx.body).properties).networkSecurityGroup);
  if (nsgRef) throwIfDeleting(env, tx, getTyped(tx, nsgRef, T.nsg), ctx.caller);
  const children = listChildren(tx, vnetId, T.subnet);
  const siblings = children.filter((s) => idKey(s.id) !== idKey(id)).map((s) => ({ name: s.name, prefixes: subnetCidrs(s) }));
  const seq = children.reduce((m, k) => Math.max(m, Number((k.internal as SubnetInternal | undefined)?.seq ?? 0)), 0) + 1;
  const { rec } = buildSubnet({
    tx, vnet: { id: vnet.id, name: vnet.name, location: vnet.location, prefixes: vnetCidrs(vnet) },
    subnetId: id, name: nameOf(id), body: ctx.body, existing, siblings, state: PUT_STATE, seq,
  });
  touchVnet(tx, vnetId);
  return rec;
}

function subnetFinalizeDelete(tx: Txn, _env: ArmEnv, rec: ResourceRecord): void {
  forgetSubnetOwners(tx, rec);
  touchVnet(tx, parentId(rec.id)!);
}

const subnetActions: Record<string, ActionDef> = {
  ServiceAssociationLinks: {
    method: "GET",
    run: ({ record }) => {
      const int = (record.internal ?? {}) as SubnetInternal;
      return { status: 200, body: { value: (int.sals ?? []).map((s) => renderSal(record.id, record.etag, s)) } };
    },
  },
  ResourceNavigationLinks: { method: "GET", run: () => ({ status: 200, body: { value: [] } }) },
};

export const subnetType: ResourceTypeDef = {
  namespace: NS,
  type: "virtualNetworks/subnets",
  apiVersions: NRP_API_VERSIONS,
  defaultApiVersion: NRP_DEFAULT_API_VERSION,
  scope: "resourceGroup",
  tracked: false,
  strategy: {
    checkId: checkNrpName,
    put: subnetPut,
    ...nrpLifecycle({ checkDelete: (tx, _env, rec) => checkSubnetDeletable(tx, rec), finalizeDelete: subnetFinalizeDelete }),
    asyncDelete: (ctx: DeleteCtx) => {
      const vnet = getTyped(ctx.tx, parentId(ctx.record.id)!, T.vnet);
      throwIfBusy(ctx.env, ctx.tx, vnet, ctx.caller);
      throwIfBusy(ctx.env, ctx.tx, ctx.record, ctx.caller);
      checkSubnetDeletable(ctx.tx, ctx.record);
      return nrpDeleteStage(ctx);
    },
    delete: (ctx: DeleteCtx) => {
      checkSubnetDeletable(ctx.tx, ctx.record, ctx);
      subnetFinalizeDelete(ctx.tx, ctx.env, ctx.record);
    },
    render: (rec, ctx) => renderSubnet(rec, ctx.tx),
    actions: subnetActions,
  },
};

/** First few free addresses after `address` in pools (CheckIPAddressAvailability). */
export function freeAddressesNear(pools: SubnetAddressPool[], max: number): string[] {
  const out: string[] = [];
  for (const p of pools) {
    const clone = SubnetAddressPool.fromJSON(p.toJSON());
    const free = clone.usage().free;
    const n = Math.min(max - out.length, free > BigInt(max) ? max : Number(free));
    if (n <= 0) continue;
    const r = clone.allocate("probe", n);
    if (r.ok) out.push(...r.addresses);
    if (out.length >= max) break;
  }
  return out;
}
