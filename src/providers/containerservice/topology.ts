// The node resource group and the API server endpoint of a cluster, converged from its stored
// properties. Every function is idempotent (it reads what exists and only adds what is missing),
// runs inside one store transaction, and writes other providers' resources through their ARM
// strategies (putResourceInternal), so the Network provider's rules and IPAM apply.
import { randomUUID } from "node:crypto";
import type { Txn } from "../../store/store.js";
import type { ArmEnv, ResourceRecord } from "../../arm/types.js";
import { getRecord, listByType, listByTypeInGroup } from "../../arm/repo.js";
import { ArmError } from "../../arm/errors.js";
import { resourceGroups } from "../../arm/resource-groups.js";
import { networkModel } from "../../arm/network-model.js";
import {
  APISERVER_BACKEND_IPS, DELEGATION_SERVICE, ILB_BACKEND_POOL, ILB_FRONTEND, ILB_NAME, ILB_PROBE, ILB_RULE, MANAGED_APISERVER_SUBNET,
  MANAGED_NODE_SUBNET, MANAGED_VNET_PREFIX, SAL_NAME, apiServerPublicIp, fqdnLabel, kubeletIdentityName, managedVnetName, nodeName, nsgName, guidFrom, vmssName,
} from "./names.js";
import { NODE_POD_CIDR_PREFIX_LENGTH, addressesPerNode, sameId, vnetOfSubnet } from "./spec.js";
import { formatCidr, parseIPv4Cidr, requireCidr, subnetAt, subnetCount, subnetIndex } from "../../network/cidr.js";
import { clusterParts, ensureResource, internalOf, owners, removeResource, type ClusterInternal, type NodeAlloc } from "./model.js";
import { zoneMode } from "./private-dns.js";

export const T = {
  lb: "Microsoft.Network/loadBalancers",
  nsg: "Microsoft.Network/networkSecurityGroups",
  vnet: "Microsoft.Network/virtualNetworks",
  subnet: "Microsoft.Network/virtualNetworks/subnets",
  pip: "Microsoft.Network/publicIPAddresses",
  zone: "Microsoft.Network/privateDnsZones",
  aRecord: "Microsoft.Network/privateDnsZones/A",
  link: "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
  mi: "Microsoft.ManagedIdentity/userAssignedIdentities",
  vmss: "Microsoft.Compute/virtualMachineScaleSets",
};

export function nodeRgId(rec: ResourceRecord): string {
  return `/subscriptions/${clusterParts(rec.id).sub}/resourceGroups/${rec.properties.nodeResourceGroup}`;
}

function inNodeRg(rec: ResourceRecord, ns: string, type: string, name: string): string {
  return `${nodeRgId(rec)}/providers/${ns}/${type}/${name}`;
}

export const ids = {
  lb: (rec: ResourceRecord) => inNodeRg(rec, "Microsoft.Network", "loadBalancers", ILB_NAME),
  outboundLb: (rec: ResourceRecord) => inNodeRg(rec, "Microsoft.Network", "loadBalancers", "kubernetes"),
  nsg: (rec: ResourceRecord) => inNodeRg(rec, "Microsoft.Network", "networkSecurityGroups", nsgName(internalOf(rec).digits)),
  vnet: (rec: ResourceRecord) => inNodeRg(rec, "Microsoft.Network", "virtualNetworks", managedVnetName(internalOf(rec).digits)),
  kubelet: (rec: ResourceRecord) => inNodeRg(rec, "Microsoft.ManagedIdentity", "userAssignedIdentities", kubeletIdentityName(rec.name)),
  zone: (rec: ResourceRecord, zoneName: string) => inNodeRg(rec, "Microsoft.Network", "privateDnsZones", zoneName),
};

type Mut = { props: Record<string, any>; internal: ClusterInternal };

/** Node resource group `MC_...` managed by the cluster, plus NSG and kubelet identity. */
export function ensureNodeResourceGroup(tx: Txn, env: ArmEnv, rec: ResourceRecord, m: Mut): void {
  const { sub } = clusterParts(rec.id);
  const existing = getRecord(tx, nodeRgId(rec));
  if (!existing || existing.managedBy !== rec.id) {
    resourceGroups(env).ensure(tx, env, sub, rec.properties.nodeResourceGroup, rec.location!, { managedBy: rec.id, tags: existing?.tags ?? undefined });
  }
  const nsgId = ids.nsg(rec);
  if (!getRecord(tx, nsgId)) ensureResource(tx, env, nsgId, T.nsg, { location: rec.location, properties: { securityRules: [] } });
  const kid = ids.kubelet(rec);
  let mi = getRecord(tx, kid);
  if (!mi) {
    const body: any = { location: rec.location, properties: {} };
    if (!env.registry.find(T.mi)) body.properties = { principalId: randomUUID(), clientId: randomUUID(), tenantId: env.tenantId };
    mi = ensureResource(tx, env, kid, T.mi, body);
  }
  m.props.identityProfile = {
    kubeletidentity: { resourceId: mi.id, clientId: mi.properties.clientId, objectId: mi.properties.principalId },
  };
}

/** Managed-VNet mode: aks-vnet-<digits> with aks-subnet and (integrated) aks-apiserver-subnet. */
export function ensureManagedVnet(tx: Txn, env: ArmEnv, rec: ResourceRecord, m: Mut): void {
  const byo = (m.props.agentPoolProfiles ?? []).some((p: any) => p.vnetSubnetID);
  const integrated = m.props.apiServerAccessProfile?.enableVnetIntegration === true;
  if (byo) {
    m.internal.managedVnetId = undefined;
    if (integrated) m.internal.apiServerSubnetId = m.props.apiServerAccessProfile.subnetId;
    return;
  }
  const vnetId = ids.vnet(rec);
  if (!getRecord(tx, vnetId)) {
    ensureResource(tx, env, vnetId, T.vnet, { location: rec.location, properties: { addressSpace: { addressPrefixes: [MANAGED_VNET_PREFIX] }, subnets: [] } });
  }
  const nodeSubnet = `${vnetId}/subnets/${MANAGED_NODE_SUBNET.name}`;
  if (!getRecord(tx, nodeSubnet)) {
    ensureResource(tx, env, nodeSubnet, T.subnet, { properties: { addressPrefix: MANAGED_NODE_SUBNET.prefix, networkSecurityGroup: { id: ids.nsg(rec) } } });
  }
  m.internal.managedVnetId = vnetId;
  if (integrated) {
    const apiSubnet = `${vnetId}/subnets/${MANAGED_APISERVER_SUBNET.name}`;
    if (!getRecord(tx, apiSubnet)) {
      ensureResource(tx, env, apiSubnet, T.subnet, {
        properties: {
          addressPrefix: MANAGED_APISERVER_SUBNET.prefix,
          delegations: [{ name: "aks-delegation", properties: { serviceName: DELEGATION_SERVICE } }],
          privateEndpointNetworkPolicies: "Disabled",
          networkSecurityGroup: { id: ids.nsg(rec) },
        },
      });
    }
    m.internal.apiServerSubnetId = apiSubnet;
  }
}

export function nodeSubnetOf(m: Mut, pool: any): string {
  if (pool.vnetSubnetID) return pool.vnetSubnetID;
  return `${m.internal.managedVnetId}/subnets/${MANAGED_NODE_SUBNET.name}`;
}

/** The VNet the cluster's nodes live in. */
export function clusterVnetId(m: Mut): string | undefined {
  const byo = (m.props.agentPoolProfiles ?? []).find((p: any) => p.vnetSubnetID);
  return byo ? vnetOfSubnet(byo.vnetSubnetID) : m.internal.managedVnetId;
}

function ilbBody(rec: ResourceRecord, subnetId: string, frontend: string | undefined, backend: string[]) {
  const lbId = ids.lb(rec);
  const vnetId = vnetOfSubnet(subnetId);
  return {
    location: rec.location,
    sku: { name: "Standard", tier: "Regional" },
    properties: {
      frontendIPConfigurations: [{
        name: ILB_FRONTEND,
        properties: frontend
          ? { privateIPAllocationMethod: "Static", privateIPAddress: frontend, privateIPAddressVersion: "IPv4", subnet: { id: subnetId } }
          : { privateIPAllocationMethod: "Dynamic", privateIPAddressVersion: "IPv4", subnet: { id: subnetId } },
      }],
      backendAddressPools: [{
        name: ILB_BACKEND_POOL,
        properties: { loadBalancerBackendAddresses: backend.map((ip) => ({ name: ip, properties: { ipAddress: ip, virtualNetwork: { id: vnetId } } })) },
      }],
      probes: [{ name: ILB_PROBE, properties: { protocol: "Tcp", port: 9988, intervalInSeconds: 5, numberOfProbes: 2, probeThreshold: 2 } }],
      loadBalancingRules: frontend ? [{
        name: ILB_RULE,
        properties: {
          frontendIPConfiguration: { id: `${lbId}/frontendIPConfigurations/${ILB_FRONTEND}` },
          backendAddressPool: { id: `${lbId}/backendAddressPools/${ILB_BACKEND_POOL}` },
          probe: { id: `${lbId}/probes/${ILB_PROBE}` },
          protocol: "Tcp", frontendPort: 443, backendPort: 443, enableFloatingIP: false, idleTimeoutInMinutes: 4,
          loadDistribution: "Default", disableOutboundSnat: true, enableTcpReset: false,
        },
      }] : [],
    },
  };
}

function frontendOf(lb: ResourceRecord | undefined): string | undefined {
  const f = (lb?.properties?.frontendIPConfigurations ?? []).find((c: any) => String(c.name).toLowerCase() === ILB_FRONTEND);
  return f?.properties?.privateIPAddress;
}

/**
 * Take the API server's addresses in its subnet (ILB frontend + the reserved block) for a cluster
 * whose PUT passed the capacity check, in that same transaction. Idempotent: a cluster that already
 * holds them there takes nothing more.
 */
export function reserveApiServer(tx: Txn, env: ArmEnv, clusterId: string, int: ClusterInternal, subnetId: string): void {
  const api = int.apiServer;
  if (api?.mode === "ilb" && sameId(api.subnetId, subnetId)) return;
  if (int.apiServerReservation && sameId(int.apiServerReservation.subnetId, subnetId)) return;
  const model = networkModel(env);
  const frontend = model.allocate(tx, subnetId, owners.frontend(clusterId), 1)[0]!;
  const reserved = model.allocate(tx, subnetId, owners.backend(clusterId), APISERVER_BACKEND_IPS);
  int.apiServerReservation = { subnetId, frontend, reserved };
}

/** API server endpoint: ILB + SAL in the delegated subnet (integrated), private endpoint address (classic private) or public. */
export function ensureApiServer(tx: Txn, env: ArmEnv, rec: ResourceRecord, m: Mut): void {
  const asp = m.props.apiServerAccessProfile ?? {};
  const model = networkModel(env);
  const prev = m.internal.apiServer;
  if (asp.enableVnetIntegration === true) {
    const subnetId = m.internal.apiServerSubnetId!;
    const lbId = ids.lb(rec);
    let frontend = prev?.mode === "ilb" ? prev.address : frontendOf(getRecord(tx, lbId));
    let by = prev?.mode === "ilb" ? prev.frontendAllocatedBy : frontend ? "loadBalancer" as const : undefined;
    const pending = m.internal.apiServerReservation && sameId(m.internal.apiServerReservation.subnetId, subnetId) ? m.internal.apiServerReservation : undefined;
    if (!frontend && pending) {
      // Reserved at PUT: hand the frontend address over to the load balancer in this one transaction.
      model.release(tx, owners.frontend(rec.id), subnetId);
      frontend = frontendOf(ensureResource(tx, env, lbId, T.lb, ilbBody(rec, subnetId, pending.frontend, [])));
      by = "loadBalancer";
    }
    if (!frontend) {
      // First time: let the Network provider's LB strategy pick the lowest free address (.4 in a fresh subnet).
      const lb = ensureResource(tx, env, lbId, T.lb, ilbBody(rec, subnetId, undefined, []));
      frontend = frontendOf(lb);
      by = "loadBalancer";
      if (!frontend) {
        frontend = model.allocate(tx, subnetId, owners.frontend(rec.id), 1)[0]!;
        by = "containerservice";
      }
    }
    // Allocations and this record are written in the same transaction, so what the record says it
    // holds is exactly what IPAM holds for its owner ids (no scan needed on a re-run).
    const backendOwner = owners.backend(rec.id);
    let reserved = prev?.mode === "ilb" && sameId(prev.subnetId, subnetId) ? [...(prev.reserved ?? [])] : pending ? [...pending.reserved] : [];
    if (reserved.length < APISERVER_BACKEND_IPS) reserved = [...reserved, ...model.allocate(tx, subnetId, backendOwner, APISERVER_BACKEND_IPS - reserved.length)];
    // Observed: 4 API server pod IPs in the backend pool; the rest stays reserved for scale-out.
    const backend = reserved.slice(0, 4);
    ensureResource(tx, env, lbId, T.lb, ilbBody(rec, subnetId, frontend, backend));
    const view = model.getSubnet(tx, subnetId);
    if (view && !view.serviceAssociationLinks.some((l) => l.name === SAL_NAME)) {
      model.addServiceAssociationLink(tx, subnetId, { name: SAL_NAME, linkedResourceType: DELEGATION_SERVICE, link: rec.id, allowDelete: false });
    }
    if (prev?.mode === "privateEndpoint") model.release(tx, owners.privateEndpoint(rec.id));
    m.internal.apiServer = { mode: "ilb", address: frontend, subnetId, loadBalancerId: lbId, frontendAllocatedBy: by, backend, reserved };
    delete m.internal.apiServerReservation;
    return;
  }
  if (asp.enablePrivateCluster === true) {
    if (prev?.mode === "privateEndpoint") return;
    const subnetId = nodeSubnetOf(m, m.props.agentPoolProfiles[0]);
    const address = model.allocate(tx, subnetId, owners.privateEndpoint(rec.id), 1)[0]!;
    m.internal.apiServer = { mode: "privateEndpoint", address, subnetId };
    return;
  }
  m.internal.apiServer = { mode: "public", address: apiServerPublicIp(m.internal.hash) };
}

/** The k-th node block (/24) of the cluster pod CIDR (k counts across octets: the 257th node of a /8 gets 10.1.0.0/24). */
export function podCidrFor(base: string, k: number): string {
  const block = subnetAt(requireCidr(base), NODE_POD_CIDR_PREFIX_LENGTH, k);
  if (!block) throw new RangeError(`${base} has no node block ${k}`);
  return formatCidr(block);
}

/** Index of a node block inside the cluster pod CIDR (inverse of podCidrFor); undefined when it is not one of them. */
export function podCidrIndex(base: string, cidr: string): number | undefined {
  const block = parseIPv4Cidr(cidr);
  if (!block || block.prefixLength !== NODE_POD_CIDR_PREFIX_LENGTH) return undefined;
  const i = subnetIndex(requireCidr(base), block);
  return i === undefined ? undefined : Number(i);
}

/** How many node blocks fit into the cluster pod CIDR. */
export function podCidrCapacity(base: string): number {
  return Number(subnetCount(requireCidr(base), NODE_POD_CIDR_PREFIX_LENGTH));
}

/** Node addresses per pool (Azure CNI: 1 + maxPods per node from the node subnet), releasing removed nodes. */
export function ensureNodes(tx: Txn, env: ArmEnv, rec: ResourceRecord, m: Mut): void {
  const model = networkModel(env);
  const net = m.props.networkProfile ?? {};
  const prev = m.internal.nodes ?? [];
  const next: NodeAlloc[] = [];
  const usedCidr = new Set<number>();
  const wanted = new Set<string>();
  for (const pool of m.props.agentPoolProfiles ?? []) {
    const subnetId = nodeSubnetOf(m, pool);
    for (let i = 0; i < pool.count; i++) {
      const owner = owners.node(rec.id, pool.name, i);
      wanted.add(owner);
      const have = prev.find((n) => n.owner === owner && sameId(n.subnetId, subnetId));
      if (have) {
        next.push(have);
        continue;
      }
      // The instance NIC's ipconfig1..N (node address, then Azure CNI's pod addresses) show in the subnet's ipConfigurations.
      const vmss = vmssName(pool.name, m.internal.digits);
      const nic = `${inNodeRg(rec, "Microsoft.Compute", "virtualMachineScaleSets", vmss)}/virtualMachines/${i}/networkInterfaces/${vmss}`;
      const ipconfigs = Array.from({ length: addressesPerNode(net, pool.maxPods) }, (_, k) => `${nic}/ipConfigurations/ipconfig${k + 1}`);
      const addrs = model.allocateForIpConfigurations(tx, subnetId, owner, ipconfigs);
      next.push({ pool: pool.name, index: i, name: nodeName(pool.name, m.internal.digits, i), owner, subnetId, ip: addrs[0]!, podIPs: addrs.slice(1) });
    }
  }
  for (const n of prev) if (!wanted.has(n.owner) || !next.includes(n)) model.release(tx, n.owner, n.subnetId);
  if (net.podCidr) {
    for (const n of next) {
      // A block from another pod CIDR (not one of this one's) is handed out again.
      const i = n.podCIDR ? podCidrIndex(String(net.podCidr), n.podCIDR) : undefined;
      if (i === undefined) delete n.podCIDR;
      else usedCidr.add(i);
    }
    const capacity = podCidrCapacity(String(net.podCidr));
    let k = 0;
    for (const n of next) {
      if (n.podCIDR) continue;
      while (usedCidr.has(k)) k++;
      if (k >= capacity) throw new ArmError(400, "InvalidParameter", `networkProfile.podCidr ${net.podCidr} has room for ${capacity} nodes (one /${NODE_POD_CIDR_PREFIX_LENGTH} each); the agent pools need more.`);
      n.podCIDR = podCidrFor(net.podCidr, k);
      usedCidr.add(k);
    }
  }
  m.internal.nodes = next;
  ensureScaleSets(tx, env, rec, m);
}

/** AKS's shared image gallery for a node image version ("AKSUbuntu-2204gen2containerd-202501.12.0"). */
function imageReference(nodeImageVersion: string | undefined): Record<string, string> {
  const parts = String(nodeImageVersion ?? "").split("-");
  if (parts.length < 3) return { id: "" };
  const [gallery, image, version] = [parts[0]!, parts.slice(1, -1).join("-"), parts[parts.length - 1]!];
  return { id: `/subscriptions/${AKS_IMAGE_SUBSCRIPTION}/resourceGroups/AKS-${gallery.replace(/^AKS/, "")}/providers/Microsoft.Compute/galleries/${gallery}/images/${image}/versions/${version}` };
}

/** The subscription of AKS's node image galleries (the imageReference.id of every AKS VMSS). */
const AKS_IMAGE_SUBSCRIPTION = "109a5e88-712a-48ae-9078-9ca8b3c81345";

/**
 * One `aks-<pool>-<digits>-vmss` per agent pool in the node RG, its instances a copy of the pool's
 * node allocations (written in the caller's transaction, so both always agree); scale sets of
 * removed pools go.
 */
export function ensureScaleSets(tx: Txn, env: ArmEnv, rec: ResourceRecord, m: Mut): void {
  if (!getRecord(tx, nodeRgId(rec))) return;
  const nodes = m.internal.nodes ?? [];
  const wanted = new Set<string>();
  for (const pool of m.props.agentPoolProfiles ?? []) {
    const name = vmssName(pool.name, m.internal.digits);
    const id = inNodeRg(rec, "Microsoft.Compute", "virtualMachineScaleSets", name);
    wanted.add(id.toLowerCase());
    const existing = getRecord(tx, id);
    const subnetId = nodeSubnetOf(m, pool);
    const version = pool.currentOrchestratorVersion ?? pool.orchestratorVersion ?? m.props.currentKubernetesVersion ?? m.props.kubernetesVersion;
    const instances = nodes.filter((n) => n.pool === pool.name).sort((a, b) => a.index - b.index)
      .map((n) => ({ instanceId: String(n.index), computerName: n.name, subnetId: n.subnetId, ip: n.ip, podIPs: [...n.podIPs] }));
    ensureResource(tx, env, id, T.vmss, {
      location: rec.location,
      tags: {
        "aks-managed-createOperationID": existing?.tags?.["aks-managed-createOperationID"] ?? String(m.internal.activeOperation ?? randomUUID()),
        "aks-managed-creationSource": `vmssclient-${name}`,
        "aks-managed-kubeletIdentityClientID": String(m.props.identityProfile?.kubeletidentity?.clientId ?? ""),
        "aks-managed-orchestrator": `Kubernetes:${version ?? ""}`,
        "aks-managed-poolName": pool.name,
        "aks-managed-resourceNameSuffix": m.internal.digits,
      },
      sku: { name: pool.vmSize, tier: "Standard", capacity: pool.count },
      properties: {
        orchestrationMode: "Uniform",
        singlePlacementGroup: false,
        overprovision: false,
        doNotRunExtensionsOnOverprovisionedVMs: false,
        platformFaultDomainCount: 1,
        upgradePolicy: { mode: "Manual" },
        virtualMachineProfile: {
          osProfile: { computerNamePrefix: name, adminUsername: "azureuser", linuxConfiguration: { disablePasswordAuthentication: true, provisionVMAgent: true } },
          storageProfile: {
            imageReference: imageReference(pool.nodeImageVersion),
            osDisk: { osType: "Linux", createOption: "FromImage", caching: "ReadOnly", diskSizeGB: pool.osDiskSizeGB ?? 128, managedDisk: { storageAccountType: "Premium_LRS" } },
          },
          networkProfile: {
            networkInterfaceConfigurations: [{
              name,
              properties: {
                primary: true, enableAcceleratedNetworking: false, enableIPForwarding: true, disableTcpStateTracking: false,
                ipConfigurations: [{ name: "ipconfig1", properties: { subnet: { id: subnetId }, primary: true, privateIPAddressVersion: "IPv4" } }],
              },
            }],
          },
        },
      },
      internal: { managedBy: rec.id, pool: pool.name, instances },
    });
  }
  const rgName = String(rec.properties.nodeResourceGroup);
  for (const s of listByTypeInGroup(tx, clusterParts(rec.id).sub, rgName, T.vmss)) {
    if (!wanted.has(s.id.toLowerCase()) && sameId(s.internal?.managedBy, rec.id)) removeResource(tx, env, s.id);
  }
}

/** Outbound: public IP + `kubernetes` Standard LB (outboundType loadBalancer, standard SKU). */
export function ensureOutbound(tx: Txn, env: ArmEnv, rec: ResourceRecord, m: Mut): void {
  const np = m.props.networkProfile ?? {};
  if (np.outboundType !== "loadBalancer" || np.loadBalancerSku !== "standard") return;
  const pipName = String(m.internal.outboundIpName ?? (m.internal.outboundIpName = guidFrom(m.internal.guid + "/outbound")));
  const pipId = inNodeRg(rec, "Microsoft.Network", "publicIPAddresses", pipName);
  if (!getRecord(tx, pipId)) {
    ensureResource(tx, env, pipId, T.pip, {
      location: rec.location, sku: { name: "Standard", tier: "Regional" },
      tags: { "aks-managed-type": "aks-slb-managed-outbound-ip" },
      properties: { publicIPAllocationMethod: "Static", publicIPAddressVersion: "IPv4" },
    });
  }
  const lbId = ids.outboundLb(rec);
  if (!getRecord(tx, lbId)) {
    ensureResource(tx, env, lbId, T.lb, {
      location: rec.location, sku: { name: "Standard", tier: "Regional" },
      properties: {
        frontendIPConfigurations: [{ name: pipName, properties: { publicIPAddress: { id: pipId } } }],
        backendAddressPools: [{ name: "kubernetes", properties: {} }, { name: "aksOutboundBackendPool", properties: {} }],
        outboundRules: [{
          name: "aksOutboundRule",
          properties: {
            frontendIPConfigurations: [{ id: `${lbId}/frontendIPConfigurations/${pipName}` }],
            backendAddressPool: { id: `${lbId}/backendAddressPools/aksOutboundBackendPool` },
            protocol: "All", idleTimeoutInMinutes: 30, allocatedOutboundPorts: 0, enableTcpReset: true,
          },
        }],
      },
    });
  }
  m.props.networkProfile = {
    ...np,
    // The user's own outbound IPs replace the managed one.
    loadBalancerProfile: { ...(np.loadBalancerProfile ?? {}), effectiveOutboundIPs: np.loadBalancerProfile?.outboundIPs?.publicIPs?.length ? np.loadBalancerProfile.outboundIPs.publicIPs.map((x: { id: string }) => ({ id: x.id })) : [{ id: pipId }] },
  };
}


/** Private DNS per §5.3: system zone in the node RG linked to the cluster VNet, a record in a custom zone, or nothing. */
export function ensurePrivateDns(tx: Txn, env: ArmEnv, rec: ResourceRecord, m: Mut): void {
  const asp = m.props.apiServerAccessProfile ?? {};
  const label = fqdnLabel(m.props.fqdnSubdomain ?? m.props.dnsPrefix, m.internal.hash);
  const address = m.internal.apiServer?.address;
  let wantZone: string | undefined;
  let wantRecord: string | undefined;
  if (asp.enablePrivateCluster === true && address) {
    const mode = zoneMode(asp.privateDNSZone);
    if (mode.kind === "system") {
      const zoneName = String(m.internal.privateZoneName);
      wantZone = ids.zone(rec, zoneName);
      wantRecord = `${wantZone}/A/${label}`;
      if (!getRecord(tx, wantZone)) ensureResource(tx, env, wantZone, T.zone, { location: "global", properties: {} });
      const vnetId = clusterVnetId(m);
      if (vnetId) {
        const linkId = `${wantZone}/virtualNetworkLinks/${vnetId.split("/").pop()}-link`;
        if (!getRecord(tx, linkId)) {
          ensureResource(tx, env, linkId, T.link, { location: "global", properties: { virtualNetwork: { id: vnetId }, registrationEnabled: false } });
        }
      }
    } else if (mode.kind === "custom") {
      wantRecord = `${mode.id}/A/${label}`;
    }
    if (wantRecord) {
      const cur = getRecord(tx, wantRecord);
      const ips = (cur?.properties?.aRecords ?? []).map((a: any) => a.ipv4Address);
      if (!cur || ips.length !== 1 || ips[0] !== address) {
        ensureResource(tx, env, wantRecord, T.aRecord, { properties: { ttl: 300, aRecords: [{ ipv4Address: address }] } });
      }
    }
  }
  if (m.internal.privateRecordId && !sameId(m.internal.privateRecordId, wantRecord)) removeResource(tx, env, m.internal.privateRecordId);
  if (m.internal.privateZoneId && !sameId(m.internal.privateZoneId, wantZone)) removeResource(tx, env, m.internal.privateZoneId);
  m.internal.privateZoneId = wantZone;
  m.internal.privateRecordId = wantRecord;
}

/** Everything a deleted cluster held: addresses, SAL, private records, node RG (inside tx). */
export function teardown(tx: Txn, env: ArmEnv, rec: ResourceRecord): void {
  const m: Mut = { props: rec.properties, internal: internalOf(rec) };
  let model: ReturnType<typeof networkModel> | undefined;
  try {
    model = networkModel(env);
  } catch {
    model = undefined;
  }
  if (m.internal.privateRecordId) removeResource(tx, env, m.internal.privateRecordId);
  if (model) {
    for (const n of m.internal.nodes ?? []) model.release(tx, n.owner, n.subnetId);
    model.release(tx, owners.backend(rec.id));
    model.release(tx, owners.frontend(rec.id));
    model.release(tx, owners.privateEndpoint(rec.id));
    const api = m.internal.apiServer;
    if (api?.mode === "ilb" && api.subnetId) {
      // The ILB lives in the node RG; deleting it (below) releases its frontend through the Network provider.
      if (api.loadBalancerId) removeResource(tx, env, api.loadBalancerId);
      const others = otherClustersOnSubnet(tx, env, rec, api.subnetId);
      const view = model.getSubnet(tx, api.subnetId);
      if (view?.serviceAssociationLinks.some((l) => l.name === SAL_NAME) && others === 0) model.removeServiceAssociationLink(tx, api.subnetId, SAL_NAME);
    }
  }
  const rgId = nodeRgId(rec);
  const rg = getRecord(tx, rgId);
  if (rg && (!rg.managedBy || sameId(rg.managedBy, rec.id))) {
    const { sub } = clusterParts(rec.id);
    // deleteNow cascades each resource's own delete hook (addresses, links).
    resourceGroups(env).deleteNow(tx, env, sub, rec.properties.nodeResourceGroup, undefined);
  }
}


/** How many other clusters have their API server ILB in this subnet (they keep the SAL alive). */
export function otherClustersOnSubnet(tx: Txn, env: ArmEnv, rec: ResourceRecord, subnetId: string): number {
  const { sub } = clusterParts(rec.id);
  return listByType(tx, sub, rec.type).filter((c) => !sameId(c.id, rec.id) && sameId((c.internal as ClusterInternal | undefined)?.apiServer?.subnetId, subnetId)).length;
}
