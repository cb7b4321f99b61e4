// From a PUT body to the stored managedCluster properties: api-version filtering, defaults as
// AKS fills them (reference/aks-vnet-integration.md §2.3) and carry-over of fields an update
// leaves out. Pure: no store access; ids, hashes and identities come in as arguments.
import { acceptsHostedSystemProfile, hasVnetIntegrationFields } from "./api-versions.js";
import { AksErrors } from "./errors.js";
import { DEFAULT_KUBERNETES_VERSION, KUBERNETES_VERSIONS, nodeImageFor, resolveKubernetesVersion } from "./versions.js";
import { isValidDnsPrefix } from "./names.js";

/** Properties the service computes; a request's values for them are ignored. */
const READ_ONLY = ["provisioningState", "powerState", "fqdn", "azurePortalFQDN", "privateFQDN", "currentKubernetesVersion", "maxAgentPools", "identityProfile", "resourceUID"];
const POOL_READ_ONLY = ["provisioningState", "powerState", "nodeImageVersion", "currentOrchestratorVersion", "eTag"];

export interface ApiServerAccess {
  enableVnetIntegration?: boolean;
  subnetId?: string;
  enablePrivateCluster?: boolean;
  privateDNSZone?: string;
  enablePrivateClusterPublicFQDN?: boolean;
  authorizedIPRanges?: string[];
  disableRunCommand?: boolean;
  [k: string]: unknown;
}

/** Drop fields the api-version does not have (silently, as ARM does for unknown properties — inferred). */
export function filterForApiVersion(body: any, apiVersion: string): any {
  const out = structuredClone(body ?? {});
  const asp = out?.properties?.apiServerAccessProfile;
  if (asp && typeof asp === "object" && !hasVnetIntegrationFields(apiVersion)) {
    delete asp.enableVnetIntegration;
    delete asp.subnetId;
  }
  if (out?.properties && typeof out.properties === "object" && !acceptsHostedSystemProfile(apiVersion)) delete out.properties.hostedSystemProfile;
  return out;
}

export function defaultMaxPods(plugin: string, mode?: string): number {
  if (plugin === "azure" && mode !== "overlay") return 30;
  if (plugin === "azure" && mode === "overlay") return 250;
  return 110;
}

/**
 * The block of the cluster's podCidr each node gets (kubenet and Azure CNI Overlay): a /24.
 * learn.microsoft.com/azure/aks/azure-cni-overlay: "Each node is assigned a /24 address space
 * carved out from the same CIDR"; kubenet's node IPAM in kube-controller-manager and
 * cloud-provider-azure defaults to the same mask (DefaultNodeMaskCIDRIPv4 = 24).
 */
export const NODE_POD_CIDR_PREFIX_LENGTH = 24;

/** Addresses one node takes from its subnet: Azure CNI (no overlay) pre-allocates 1 + maxPods. */
export function addressesPerNode(net: { networkPlugin?: string; networkPluginMode?: string }, maxPods: number): number {
  return net.networkPlugin === "azure" && net.networkPluginMode !== "overlay" ? 1 + maxPods : 1;
}

export function normalizeNetworkProfile(np: any, existing: any): Record<string, any> {
  if (np === undefined || np === null) {
    if (existing) return existing;
    np = {};
  }
  if (typeof np !== "object") throw AksErrors.invalidNetworkProfile.make({ detail: "networkProfile must be an object" });
  const plugin = np.networkPlugin ?? (np.networkPluginMode === "overlay" ? "azure" : existing?.networkPlugin ?? "azure");
  if (!["azure", "kubenet", "none"].includes(plugin)) throw AksErrors.invalidNetworkProfile.make({ detail: `networkPlugin '${plugin}' must be azure, kubenet or none` });
  const mode = np.networkPluginMode ?? (np.networkPlugin === undefined && !existing ? "overlay" : existing?.networkPluginMode);
  if (mode !== undefined && mode !== null && mode !== "overlay") throw AksErrors.invalidNetworkProfile.make({ detail: `networkPluginMode '${mode}' must be overlay` });
  if (mode === "overlay" && plugin !== "azure") throw AksErrors.invalidNetworkProfile.make({ detail: "networkPluginMode overlay needs networkPlugin azure" });
  const out: Record<string, any> = { ...np, networkPlugin: plugin };
  if (mode) out.networkPluginMode = mode;
  else delete out.networkPluginMode;
  const needsPodCidr = plugin === "kubenet" || mode === "overlay";
  if (needsPodCidr) out.podCidr = np.podCidr ?? "10.244.0.0/16";
  else delete out.podCidr;
  out.serviceCidr = np.serviceCidr ?? "10.0.0.0/16";
  out.dnsServiceIP = np.dnsServiceIP ?? "10.0.0.10";
  out.outboundType = np.outboundType ?? "loadBalancer";
  const sku = (np.loadBalancerSku ?? "standard").toLowerCase();
  if (sku !== "standard" && sku !== "basic") throw AksErrors.invalidNetworkProfile.make({ detail: `loadBalancerSku '${np.loadBalancerSku}' must be standard or basic` });
  out.loadBalancerSku = sku;
  if (out.outboundType === "loadBalancer" && sku === "standard") {
    // Azure's defaults (ManagedClustersGet.json): 0 ports = allocated dynamically, 30 min idle timeout,
    // one managed outbound IP unless the user brings outboundIPs / outboundIPPrefixes.
    const lbp = np.loadBalancerProfile ?? existing?.loadBalancerProfile ?? {};
    const custom = lbp.outboundIPs?.publicIPs?.length || lbp.outboundIPPrefixes?.publicIPPrefixes?.length;
    out.loadBalancerProfile = {
      ...(custom ? {} : { managedOutboundIPs: { count: 1 } }),
      backendPoolType: "nodeIPConfiguration",
      ...lbp,
      allocatedOutboundPorts: lbp.allocatedOutboundPorts ?? 0,
      idleTimeoutInMinutes: lbp.idleTimeoutInMinutes ?? 30,
    };
  }
  out.podCidrs = needsPodCidr ? [out.podCidr] : undefined;
  if (out.podCidrs === undefined) delete out.podCidrs;
  out.serviceCidrs = [out.serviceCidr];
  out.ipFamilies = np.ipFamilies ?? ["IPv4"];
  if (plugin === "azure" && np.networkDataplane === undefined) out.networkDataplane = "azure";
  return out;
}

export interface PoolDefaultsCtx {
  kubernetesVersion: string;
  network: { networkPlugin?: string; networkPluginMode?: string };
  existing?: any;
  isFirst: boolean;
}

export function normalizeAgentPool(p: any, ctx: PoolDefaultsCtx): Record<string, any> {
  if (!p || typeof p !== "object") throw AksErrors.invalidAgentPool.make({ detail: "each agent pool profile must be an object" });
  const name = p.name ?? ctx.existing?.name;
  if (typeof name !== "string" || !/^[a-z][a-z0-9]{0,11}$/.test(name)) {
    throw AksErrors.invalidAgentPool.make({ detail: `name '${name}' must be 1 to 12 lowercase letters and digits, starting with a letter` });
  }
  const out: Record<string, any> = { ...p, name };
  for (const k of POOL_READ_ONLY) delete out[k];
  const ex = ctx.existing;
  out.count = p.count ?? ex?.count ?? 1;
  if (!Number.isInteger(out.count) || out.count < 0 || out.count > 1000) throw AksErrors.invalidAgentPool.make({ detail: `agentPoolProfiles '${name}'.count must be an integer from 0 to 1000` });
  // An empty vmSize (az >= 2.73 for --sku automatic) lets the service pick, as an absent one does.
  out.vmSize = p.vmSize || ex?.vmSize || "Standard_DS2_v2";
  out.osType = p.osType ?? ex?.osType ?? "Linux";
  out.osSKU = p.osSKU ?? ex?.osSKU ?? (out.osType === "Linux" ? "Ubuntu" : "Windows2022");
  // az sends osDiskSizeGB 0 for "not given" (its --node-osdisk-size defaults to 0): AKS resolves the default then.
  out.osDiskSizeGB = p.osDiskSizeGB || ex?.osDiskSizeGB || 128;
  out.osDiskType = p.osDiskType ?? ex?.osDiskType ?? "Managed";
  out.kubeletDiskType = p.kubeletDiskType ?? ex?.kubeletDiskType ?? "OS";
  out.type = p.type ?? ex?.type ?? "VirtualMachineScaleSets";
  out.mode = p.mode ?? ex?.mode ?? (ctx.isFirst ? "System" : "User");
  if (out.mode === "System" && out.count < 1) throw AksErrors.invalidAgentPool.make({ detail: `System pool '${name}' needs count >= 1` });
  out.maxPods = p.maxPods ?? ex?.maxPods ?? defaultMaxPods(ctx.network.networkPlugin ?? "azure", ctx.network.networkPluginMode);
  out.orchestratorVersion = (p.orchestratorVersion || undefined) ?? ex?.orchestratorVersion ?? ctx.kubernetesVersion;
  out.currentOrchestratorVersion = resolveKubernetesVersion(out.orchestratorVersion) ?? out.orchestratorVersion;
  out.enableAutoScaling = p.enableAutoScaling ?? ex?.enableAutoScaling ?? false;
  out.enableNodePublicIP = p.enableNodePublicIP ?? ex?.enableNodePublicIP ?? false;
  out.enableFIPS = p.enableFIPS ?? ex?.enableFIPS ?? false;
  out.enableEncryptionAtHost = p.enableEncryptionAtHost ?? ex?.enableEncryptionAtHost ?? false;
  out.scaleSetPriority = p.scaleSetPriority ?? ex?.scaleSetPriority ?? "Regular";
  out.upgradeSettings = p.upgradeSettings ?? ex?.upgradeSettings ?? { maxSurge: "10%" };
  out.nodeImageVersion = ex?.nodeImageVersion ?? nodeImageFor(out.osSKU, out.osType);
  const subnet = p.vnetSubnetID ?? ex?.vnetSubnetID;
  if (subnet) out.vnetSubnetID = subnet;
  else delete out.vnetSubnetID;
  if (ex && ex.vnetSubnetID && p.vnetSubnetID && ex.vnetSubnetID.toLowerCase() !== String(p.vnetSubnetID).toLowerCase()) {
    throw AksErrors.agentPoolImmutable.make({ prop: "vnetSubnetID" });
  }
  if (ex && p.maxPods !== undefined && p.maxPods !== ex.maxPods) throw AksErrors.agentPoolImmutable.make({ prop: "maxPods" });
  if (ex && p.vmSize && p.vmSize !== ex.vmSize) throw AksErrors.agentPoolImmutable.make({ prop: "vmSize" });
  return out;
}

export interface NormalizeCtx {
  name: string;
  resourceGroup: string;
  subscriptionId: string;
  location: string;
  apiVersion: string;
  defaultDnsPrefix: string;
  /** Existing stored properties on update. */
  existing?: Record<string, any>;
}

/**
 * The stored properties for a PUT (read-only and derived fields are filled later by the strategy).
 * apiServerAccessProfile fields left out (undefined or null) keep their current value on update;
 * an explicit `false` is a request to change.
 */
export function normalizeProperties(bodyProps: any, ctx: NormalizeCtx): Record<string, any> {
  const p: Record<string, any> = { ...(bodyProps ?? {}) };
  const ex = ctx.existing;
  for (const k of READ_ONLY) delete p[k];

  // kubernetesVersion
  // az 2.45 sends "" for "the default version" (its --kubernetes-version defaults to '').
  if (p.kubernetesVersion === "") delete p.kubernetesVersion;
  const kv = p.kubernetesVersion ?? ex?.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
  const current = resolveKubernetesVersion(String(kv));
  if (!current) throw AksErrors.versionNotSupported.make({ v: String(kv), list: KUBERNETES_VERSIONS.join(", ") });
  p.kubernetesVersion = kv;
  p.currentKubernetesVersion = current;

  // dnsPrefix / fqdnSubdomain
  if (ex) {
    if (p.dnsPrefix !== undefined && p.dnsPrefix !== null && ex.dnsPrefix !== undefined && String(p.dnsPrefix).toLowerCase() !== String(ex.dnsPrefix).toLowerCase()) {
      throw AksErrors.dnsPrefixChange.make({});
    }
    if (ex.dnsPrefix !== undefined) p.dnsPrefix = ex.dnsPrefix;
    if (ex.fqdnSubdomain !== undefined) p.fqdnSubdomain = ex.fqdnSubdomain;
  } else if (!p.fqdnSubdomain) {
    p.dnsPrefix = p.dnsPrefix ?? ctx.defaultDnsPrefix;
  }
  if (p.dnsPrefix !== undefined && !isValidDnsPrefix(String(p.dnsPrefix))) throw AksErrors.invalidDnsPrefix.make({ prefix: String(p.dnsPrefix) });

  // node resource group
  if (ex?.nodeResourceGroup) {
    if (p.nodeResourceGroup && String(p.nodeResourceGroup).toLowerCase() !== String(ex.nodeResourceGroup).toLowerCase()) {
      throw AksErrors.immutableProperty.make({ prop: "nodeResourceGroup" });
    }
    p.nodeResourceGroup = ex.nodeResourceGroup;
  }

  // network profile
  p.networkProfile = normalizeNetworkProfile(p.networkProfile, ex?.networkProfile);
  if (ex?.networkProfile) {
    for (const k of ["networkPlugin", "networkPluginMode", "serviceCidr", "dnsServiceIP", "podCidr", "outboundType"] as const) {
      if ((bodyProps?.networkProfile?.[k] ?? ex.networkProfile[k]) !== ex.networkProfile[k]) throw AksErrors.immutableProperty.make({ prop: `networkProfile.${k}` });
      if (ex.networkProfile[k] === undefined) delete p.networkProfile[k];
      else p.networkProfile[k] = ex.networkProfile[k];
    }
  }

  // agent pools
  const pools = p.agentPoolProfiles ?? ex?.agentPoolProfiles;
  if (!Array.isArray(pools) || pools.length === 0) throw AksErrors.agentPoolsRequired.make({});
  const names = new Set<string>();
  p.agentPoolProfiles = pools.map((ap: any, i: number) => {
    const exPool = ex?.agentPoolProfiles?.find((e: any) => e.name === ap?.name);
    const n = normalizeAgentPool(ap, { kubernetesVersion: p.kubernetesVersion, network: p.networkProfile, existing: exPool, isFirst: i === 0 && !ex });
    if (names.has(n.name)) throw AksErrors.invalidAgentPool.make({ detail: `duplicate agent pool name '${n.name}'` });
    names.add(n.name);
    return n;
  });
  if (!p.agentPoolProfiles.some((ap: any) => ap.mode === "System")) throw AksErrors.agentPoolsRequired.make({});

  // apiServerAccessProfile: carry over what the request leaves out
  const reqAsp: ApiServerAccess = p.apiServerAccessProfile && typeof p.apiServerAccessProfile === "object" ? { ...p.apiServerAccessProfile } : {};
  const exAsp: ApiServerAccess = ex?.apiServerAccessProfile ?? {};
  const asp: ApiServerAccess = { ...reqAsp };
  for (const k of ["enableVnetIntegration", "subnetId", "enablePrivateCluster", "privateDNSZone", "enablePrivateClusterPublicFQDN", "disableRunCommand", "authorizedIPRanges"] as const) {
    if ((asp[k] === undefined || asp[k] === null || (k === "subnetId" && asp[k] === "")) && exAsp[k] !== undefined && exAsp[k] !== null) asp[k] = exAsp[k] as never;
  }
  if (asp.subnetId === "" || asp.subnetId === null) delete asp.subnetId;
  for (const k of Object.keys(asp)) if (asp[k] === null || asp[k] === undefined) delete asp[k];
  p.apiServerAccessProfile = asp;

  p.enableRBAC = p.enableRBAC ?? ex?.enableRBAC ?? true;
  p.supportPlan = p.supportPlan ?? ex?.supportPlan ?? "KubernetesOfficial";
  p.servicePrincipalProfile = p.servicePrincipalProfile ?? ex?.servicePrincipalProfile ?? { clientId: "msi" };
  p.disableLocalAccounts = p.disableLocalAccounts ?? ex?.disableLocalAccounts ?? false;
  p.publicNetworkAccess = p.publicNetworkAccess ?? ex?.publicNetworkAccess;
  if (p.publicNetworkAccess === undefined) delete p.publicNetworkAccess;
  p.maxAgentPools = 100;
  return p;
}

/** The BYO node subnets of a cluster (agent pool vnetSubnetID values), de-duplicated. */
export function nodeSubnetIds(props: Record<string, any>): string[] {
  const seen = new Map<string, string>();
  for (const ap of props.agentPoolProfiles ?? []) if (ap.vnetSubnetID) seen.set(String(ap.vnetSubnetID).toLowerCase(), ap.vnetSubnetID);
  return [...seen.values()];
}

/** Is `x` (case-insensitively) the same ARM id as `y`? */
export function sameId(x: string | undefined, y: string | undefined): boolean {
  return !!x && !!y && x.toLowerCase().replace(/\/+$/, "") === y.toLowerCase().replace(/\/+$/, "");
}

/** The VNet id of a subnet id (`.../virtualNetworks/<v>/subnets/<s>` → `.../virtualNetworks/<v>`). */
export function vnetOfSubnet(subnetId: string): string | undefined {
  const m = /^(.*\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+)\/subnets\/[^/]+$/i.exec(subnetId);
  return m ? m[1] : undefined;
}

export function isSubnetId(id: unknown): id is string {
  return typeof id === "string" && /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+\/?$/i.test(id);
}
