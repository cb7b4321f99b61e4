// The console's Cluster, DNS, Resources and Activity views, read from the store in one pass:
// clusters from their records (the emulatorView facts) and their Kubernetes nodes and pods,
// private DNS zones with records and links beside the clusters' public records, every
// subscription's resource groups, resources, provider and feature registrations, and the
// activity log's latest requests with their operations' state.
import type { Store, Txn } from "../store/store.js";
import type { ResourceRecord } from "../arm/types.js";
import { listByType, listChildren, listInGroup } from "../arm/repo.js";
import { idKey, nameOf } from "../arm/resource-id.js";
import type { ProviderRegistration, SubscriptionRecord } from "../arm/state.js";
import { emulatorView } from "../providers/containerservice/views.js";
import { activityRecords } from "../providers/insights/activity-store.js";
import type { ActivityRow, ClusterView, DnsZoneView, NodeView, PublicRecordView, SubscriptionView, Views } from "./view-types.js";

type Reader = Pick<Txn, "get" | "list">;

const CLUSTER = "Microsoft.ContainerService/managedClusters";
const ZONE = "Microsoft.Network/privateDnsZones";
const RG = "Microsoft.Resources/resourceGroups";
/** The Activity view shows the latest requests (the API serves them all). */
export const ACTIVITY_ROWS = 300;

/** Every subscription the store knows, the default one first. */
export function subscriptionsOf(reader: Reader, defaultSubscription: string): string[] {
  return [...new Set([defaultSubscription.toLowerCase(), ...reader.list<SubscriptionRecord>("sub:").map((e) => e.value.subscriptionId.toLowerCase())])];
}

function rgOf(id: string): string {
  return id.split("/")[4] ?? "";
}

function clusterView(reader: Reader, rec: ResourceRecord): ClusterView {
  const v = emulatorView(rec) as any;
  const p = rec.properties ?? {};
  const priv = p.apiServerAccessProfile?.enablePrivateCluster === true;
  const integrated = p.apiServerAccessProfile?.enableVnetIntegration === true;
  const api = v.apiServer as { mode?: string; address?: string; publicAddress?: string | null; subnetId?: string | null } | null;
  const vnet = api?.subnetId ? api.subnetId.replace(/\/subnets\/[^/]+$/i, "") : undefined;
  const endpoints: ClusterView["endpoints"] = [];
  if (p.fqdn) endpoints.push({ what: "public FQDN", value: p.fqdn, reach: priv ? "resolves to the private address; reachable only from networks that reach it" : `resolves to ${api?.publicAddress ?? "the public address"}; reachable from the internet` });
  if (p.privateFQDN) endpoints.push({ what: "private FQDN", value: p.privateFQDN, reach: "resolves in the VNets linked to the cluster's private DNS zone" });
  if (api?.address) {
    const what = api.mode === "ilb" ? "kube-apiserver ILB VIP" : api.mode === "privateEndpoint" ? "API server private endpoint" : "API server address";
    endpoints.push({ what, value: api.address, reach: vnet ? `reachable from ${nameOf(vnet)} and networks peered with it (nodes reach it directly)` : "reachable from the cluster's network" });
  }
  // The cluster's Kubernetes objects (cluster/kube-host.ts keeps them under kube/{lower-cased id}/r/).
  const base = `kube/${idKey(rec.id)}/r/core/`;
  const ready = new Map<string, boolean>();
  for (const e of reader.list<any>(`${base}nodes/`)) {
    const c = (e.value?.status?.conditions ?? []).find((x: any) => x?.type === "Ready");
    ready.set(String(e.value?.metadata?.name), c?.status === "True");
  }
  const podsByNode = new Map<string, NodeView["pods"]>();
  for (const e of reader.list<any>(`${base}pods/`)) {
    const node = String(e.value?.spec?.nodeName ?? "");
    const list = podsByNode.get(node) ?? [];
    list.push({ namespace: String(e.value?.metadata?.namespace ?? ""), name: String(e.value?.metadata?.name ?? ""), ip: e.value?.status?.podIP, phase: e.value?.status?.phase });
    podsByNode.set(node, list);
  }
  const pools = new Map<string, ClusterView["pools"][number]>();
  for (const ap of (p.agentPoolProfiles ?? []) as any[]) pools.set(String(ap.name), { name: String(ap.name), count: ap.count, vmSize: ap.vmSize, nodes: [] });
  for (const n of v.nodes as Array<{ name: string; pool: string; internalIP: string; subnetId?: string }>) {
    const pool = pools.get(n.pool) ?? { name: n.pool, nodes: [] };
    pools.set(n.pool, pool);
    pool.nodes.push({ name: n.name, pool: n.pool, ip: n.internalIP, subnetId: n.subnetId, ready: ready.get(n.name), pods: (podsByNode.get(n.name) ?? []).sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`)) });
  }
  return {
    id: rec.id,
    name: rec.name,
    resourceGroup: rgOf(rec.id),
    provisioningState: p.provisioningState,
    powerState: p.powerState?.code,
    privateCluster: priv,
    vnetIntegration: integrated,
    apiServerMode: api?.mode,
    vip: api?.mode === "ilb" ? api.address : undefined,
    apiServerSubnetId: api?.subnetId ?? undefined,
    endpoints,
    kubeletServer: String(v.nodes[0]?.kubeletServer ?? ""),
    pools: [...pools.values()],
    warnings: v.warnings as string[],
  };
}

function zoneView(reader: Reader, z: ResourceRecord): DnsZoneView {
  const records: DnsZoneView["records"] = [];
  for (const t of ["A", "AAAA", "CNAME", "TXT"]) {
    for (const r of listChildren(reader, z.id, `${ZONE}/${t}`)) {
      const q = r.properties ?? {};
      const values = t === "A" ? (q.aRecords ?? []).map((a: any) => String(a.ipv4Address)) : t === "AAAA" ? (q.aaaaRecords ?? []).map((a: any) => String(a.ipv6Address)) : t === "CNAME" ? [String(q.cnameRecord?.cname ?? "")] : (q.txtRecords ?? []).map((x: any) => (x.value ?? []).join(""));
      records.push({ name: r.name, type: t, values, ttl: q.ttl });
    }
  }
  const links = listChildren(reader, z.id, `${ZONE}/virtualNetworkLinks`).map((l) => ({ name: l.name, vnetId: String(l.properties?.virtualNetwork?.id ?? ""), registrationEnabled: l.properties?.registrationEnabled === true }));
  return { id: z.id, name: z.name, resourceGroup: rgOf(z.id), records: records.sort((a, b) => a.name.localeCompare(b.name)), links };
}

function subscriptionView(reader: Reader, sub: string): SubscriptionView | undefined {
  const rec = reader.get<SubscriptionRecord>(`sub:${sub}`)?.value;
  if (!rec) return undefined;
  const groups = listByType(reader, sub, RG)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((g) => ({
      name: g.name,
      id: g.id,
      location: g.location,
      provisioningState: g.properties?.provisioningState,
      resources: listInGroup(reader, sub, g.name)
        .map((r) => ({ id: r.id, name: r.name, type: r.type, provisioningState: r.properties?.provisioningState }))
        .sort((a, b) => a.id.toLowerCase().localeCompare(b.id.toLowerCase())),
    }));
  const providers = reader.list<ProviderRegistration>(`prov:${sub}:`).map((e) => ({ namespace: e.value.namespace, registrationState: e.value.registrationState }));
  const features = reader.list<{ namespace: string; name: string; state: string }>(`feat:${sub}:`).map((e) => ({ name: `${e.value.namespace}/${e.value.name}`, state: e.value.state }));
  return { subscriptionId: rec.subscriptionId, displayName: rec.displayName, groups, providers, features };
}

function activityRows(reader: Reader, sub: string): ActivityRow[] {
  return activityRecords(reader, sub, ACTIVITY_ROWS).map(({ record: r, operation: op }) => {
    const failed = r.statusCode >= 400;
    const status = failed ? "Failed" : r.asyncOperation && op ? (op.status === "InProgress" ? "Accepted" : op.status) : "Succeeded";
    const endAt = !failed && op?.endTime ? op.endTime : op?.status === "InProgress" ? undefined : r.end;
    return {
      time: r.begin,
      operationName: r.operationName,
      method: r.method,
      resourceId: r.resourceId,
      caller: r.principal.objectId,
      correlationId: r.correlationId,
      statusCode: r.statusCode,
      status,
      stage: op?.status === "InProgress" ? op.stage : undefined,
      durationMs: endAt ? Date.parse(endAt) - Date.parse(r.begin) : undefined,
      error: failed ? r.error?.message ?? r.error?.code : op?.error?.message,
    };
  });
}

const byId = (a: ResourceRecord, b: ResourceRecord) => a.id.toLowerCase().localeCompare(b.id.toLowerCase());

/** Each view on its own (reads only: the data API never writes), so a write re-reads only the views it can change. */
export const VIEW_READERS = {
  clusters: (r: Reader, subs: string[]): Views["clusters"] => subs.flatMap((s) => listByType(r, s, CLUSTER)).sort(byId).map((c) => clusterView(r, c)),
  dns: (r: Reader, subs: string[]): Views["dns"] => {
    const zones = subs.flatMap((s) => listByType(r, s, ZONE)).sort(byId).map((z) => zoneView(r, z));
    const publicRecords: PublicRecordView[] = [];
    for (const c of subs.flatMap((s) => listByType(r, s, CLUSTER)).sort(byId)) {
      for (const rec of (emulatorView(c) as any).dns as Array<{ zone: string; name: string; address: string }>) {
        if (rec.zone === "public") publicRecords.push({ cluster: c.name, name: rec.name, address: rec.address });
      }
    }
    return { zones, publicRecords };
  },
  resources: (r: Reader, subs: string[]): Views["resources"] => subs.map((s) => subscriptionView(r, s)).filter((x): x is SubscriptionView => !!x),
  activity: (r: Reader, subs: string[]): Views["activity"] => subs.flatMap((s) => activityRows(r, s)).sort((a, b) => b.time.localeCompare(a.time)).slice(0, ACTIVITY_ROWS),
};

export type ViewName = keyof typeof VIEW_READERS;

/** One view with the store revision it was read at. */
export function readView<K extends ViewName>(store: Store, defaultSubscription: string, name: K): { revision: number; view: ReturnType<(typeof VIEW_READERS)[K]> } {
  const revision = store.revision();
  return { revision, view: VIEW_READERS[name](store, subscriptionsOf(store, defaultSubscription)) as ReturnType<(typeof VIEW_READERS)[K]> };
}

/** Every view at once (GET /aksemu/console/views). */
export function readViews(store: Store, defaultSubscription: string): Views {
  const subs = subscriptionsOf(store, defaultSubscription);
  return {
    revision: store.revision(),
    clusters: VIEW_READERS.clusters(store, subs),
    dns: VIEW_READERS.dns(store, subs),
    resources: VIEW_READERS.resources(store, subs),
    activity: VIEW_READERS.activity(store, subs),
  };
}
