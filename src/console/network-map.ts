// The console's network map: every VNet with its address space and subnets, each subnet's
// addresses as runs of holders. Pure: it reads records the caller loaded (VNets, subnets) and
// does no I/O. Address arithmetic goes through network/cidr.ts; the browser only draws offsets.
import type { ResourceRecord } from "../arm/types.js";
import { addressAt, firstAddress, formatAddress, offsetOf, parseAddress, parseCidr, size, type Cidr } from "../network/cidr.js";
import { RESERVED_AT_END, RESERVED_AT_START, type SubnetPoolState } from "../network/ipam.js";
import type { AddressRun, HolderKind, NetworkMap, PrefixView, SubnetMapView, VnetMapView } from "./network-map-types.js";

export type { AddressRun, HolderKind, NetworkMap, PrefixView, SubnetMapView, VnetMapView };

/** The largest prefix the strip draws address by address (a /16); larger ones are drawn by runs alone. */
const DRAWABLE = 1 << 16;

function cidrOf(text: string): Cidr | undefined {
  const r = parseCidr(text);
  return r.ok ? r.cidr : undefined;
}

function sizeOf(c: Cidr): number | undefined {
  const n = size(c);
  return n <= BigInt(Number.MAX_SAFE_INTEGER) && c.family === 4 ? Number(n) : undefined;
}

/** The segment after `type` in a lower-cased id ("managedclusters" → cluster name). */
function segmentAfter(id: string, type: string): string | undefined {
  const parts = id.split("/");
  const i = parts.findIndex((p) => p.toLowerCase() === type);
  return i >= 0 ? parts[i + 1] : undefined;
}

/**
 * Classify one allocation owner. Owners are what the providers pass to the network model: an
 * ipConfiguration id (NICs, load balancer frontends) or a cluster's own key
 * (`{cluster}/apiserver/frontend|backend|privateendpoint`, `{cluster}/agentpools/{pool}/nodes/{i}`).
 */
export function classifyOwner(owner: string): { kind: HolderKind; label: string; podsFollow?: boolean } {
  const o = owner.toLowerCase();
  const cluster = segmentAfter(o, "managedclusters");
  // A load balancer's frontend lives in the cluster's node resource group (MC_...), not under the cluster.
  const rg = segmentAfter(o, "resourcegroups");
  const of = cluster ? ` of ${cluster}` : rg ? ` in ${rg}` : "";
  if (/\/loadbalancers\/kube-apiserver\/frontendipconfigurations\//.test(o) || o.endsWith("/apiserver/frontend")) {
    return { kind: "apiserver-vip", label: `kube-apiserver ILB VIP${of}` };
  }
  if (o.endsWith("/apiserver/backend")) return { kind: "apiserver-reserved", label: `API server reserved block${of}` };
  if (o.endsWith("/apiserver/privateendpoint")) return { kind: "private-endpoint", label: `API server private endpoint${of}` };
  const node = /\/agentpools\/([^/]+)\/nodes\/(\d+)$/.exec(o);
  if (node) return { kind: "node", label: `node ${node[2]} of ${node[1]}${cluster ? ` (${cluster})` : ""}`, podsFollow: true };
  const lb = /\/loadbalancers\/([^/]+)\/frontendipconfigurations\/([^/]+)$/.exec(o);
  if (lb) return { kind: "lb-frontend", label: `load balancer ${lb[1]} frontend ${lb[2]}` };
  if (o.includes("/privateendpoints/")) return { kind: "private-endpoint", label: `private endpoint ${segmentAfter(o, "privateendpoints")}` };
  const nic = /\/networkinterfaces\/([^/]+)\/ipconfigurations\/([^/]+)$/.exec(o);
  if (nic) return { kind: "nic", label: `network interface ${nic[1]} ${nic[2]}` };
  return { kind: "other", label: owner };
}

/** Runs of one prefix: Azure's reserved addresses, then each allocation (a node's run splits into node + pods). */
export function prefixRuns(prefix: Cidr, state: SubnetPoolState | undefined): AddressRun[] {
  const total = size(prefix);
  const runs: AddressRun[] = [];
  const fmt = (off: bigint) => formatAddress(addressAt(prefix, off)!);
  runs.push({ offset: 0, count: RESERVED_AT_START, first: fmt(0n), last: fmt(BigInt(RESERVED_AT_START - 1)), kind: "azure-reserved", label: "reserved by Azure (network, gateway, 2 × DNS)" });
  for (const a of state?.allocations ?? []) {
    const first = parseAddress(a.first);
    const off = first ? offsetOf(prefix, first) : undefined;
    if (off === undefined) continue;
    const c = classifyOwner(a.owner);
    if (c.podsFollow && a.count > 1) {
      runs.push({ offset: Number(off), count: 1, first: a.first, last: a.first, kind: "node", label: c.label, owner: a.owner });
      runs.push({ offset: Number(off) + 1, count: a.count - 1, first: fmt(off + 1n), last: fmt(off + BigInt(a.count - 1)), kind: "pod", label: `pod addresses of ${c.label} (Azure CNI)`, owner: a.owner });
    } else runs.push({ offset: Number(off), count: a.count, first: a.first, last: fmt(off + BigInt(a.count - 1)), kind: c.kind, label: c.label, owner: a.owner });
  }
  runs.push({ offset: Number(total - 1n), count: RESERVED_AT_END, first: fmt(total - 1n), last: fmt(total - 1n), kind: "azure-reserved", label: "reserved by Azure (broadcast)" });
  return runs.sort((x, y) => x.offset - y.offset);
}

/** The lowest address no run covers (what the next allocation gets), if any. */
export function firstFree(prefix: Cidr, runs: AddressRun[]): string | undefined {
  let next = 0;
  for (const r of runs) {
    if (r.offset > next) break;
    next = Math.max(next, r.offset + r.count);
  }
  const total = size(prefix);
  return BigInt(next) < total ? formatAddress(addressAt(prefix, next)!) : undefined;
}

/** The network map of the given VNet and subnet records (any order; subnets find their VNet by id). */
export function networkMap(revision: number, vnets: ResourceRecord[], subnets: ResourceRecord[]): NetworkMap {
  const out: VnetMapView[] = [];
  for (const v of [...vnets].sort((a, b) => a.id.toLowerCase().localeCompare(b.id.toLowerCase()))) {
    const space: string[] = (v.properties?.addressSpace?.addressPrefixes ?? []).map(String);
    const spaceCidrs = space.map(cidrOf);
    const parts = v.id.split("/");
    const mine = subnets
      .filter((s) => s.id.toLowerCase().startsWith(v.id.toLowerCase() + "/subnets/"))
      .map((s) => subnetView(s, spaceCidrs))
      .sort((a, b) => (a.prefixes[0]?.spaceIndex ?? 0) - (b.prefixes[0]?.spaceIndex ?? 0) || (a.prefixes[0]?.spaceOffset ?? 0) - (b.prefixes[0]?.spaceOffset ?? 0));
    out.push({
      id: v.id,
      name: v.name,
      subscriptionId: parts[2] ?? "",
      resourceGroup: parts[4] ?? "",
      location: v.location,
      addressSpace: space.map((p, i) => ({ prefix: p, size: spaceCidrs[i] ? sizeOf(spaceCidrs[i]!) : undefined })),
      subnets: mine,
    });
  }
  return { revision, vnets: out };
}

function subnetView(s: ResourceRecord, space: Array<Cidr | undefined>): SubnetMapView {
  const p = s.properties ?? {};
  const texts: string[] = Array.isArray(p.addressPrefixes) && p.addressPrefixes.length > 0 ? p.addressPrefixes.map(String) : typeof p.addressPrefix === "string" ? [p.addressPrefix] : [];
  const states = ((s.internal?.pools ?? []) as SubnetPoolState[]);
  const prefixes: PrefixView[] = [];
  for (const text of texts) {
    const c = cidrOf(text);
    if (!c) continue;
    const n = sizeOf(c);
    const view: PrefixView = { prefix: text, size: n, runs: [] };
    const si = space.findIndex((sp) => sp && sp.family === c.family && offsetOf(sp, firstAddress(c)) !== undefined);
    if (si >= 0) {
      view.spaceIndex = si;
      view.spaceOffset = Number(offsetOf(space[si]!, firstAddress(c))!);
    }
    if (n !== undefined && n <= DRAWABLE) {
      view.runs = prefixRuns(c, states.find((st) => st.addressPrefix === text));
      view.firstFree = firstFree(c, view.runs);
    }
    prefixes.push(view);
  }
  return {
    id: s.id,
    name: s.name,
    prefixes,
    delegations: (p.delegations ?? []).map((d: any) => String(d?.properties?.serviceName ?? d?.serviceName ?? "")).filter(Boolean),
    serviceAssociationLinks: ((s.internal?.sals ?? []) as Array<{ name: string; linkedResourceType: string; link?: string }>).map((l) => ({ name: l.name, linkedResourceType: l.linkedResourceType, link: l.link })),
    provisioningState: p.provisioningState,
  };
}
