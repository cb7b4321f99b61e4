// AKS Automatic (sku.name Automatic): mostly server-side defaulting. A create that sends only sku,
// identity and location (and, on a custom VNet, the subnets) comes back with the preconfigured
// profile of reference/aks-automatic.md §6; settings that contradict it are refused (§2.5). With
// managed system node pools (hostedSystemProfile.enabled) the system pool is AKS's own: stored as
// the pool `hostedpool` so nodes and addresses are modelled, but never rendered or listed.
// Pure: the caller passes the request, the stored cluster and the subnet facts.
import { AksErrors } from "./errors.js";
import { hasAutomaticSku } from "./api-versions.js";
import { DELEGATION_SERVICE } from "./names.js";
import { sameId, vnetOfSubnet } from "./spec.js";
import type { SubnetFacts } from "./validate.js";

export const AUTOMATIC = "Automatic";
export const HOSTED_POOL = "hostedpool";

export function isAutomatic(sku: any): boolean {
  return String(sku?.name ?? "").toLowerCase() === AUTOMATIC.toLowerCase();
}

/** The AKS-owned system pool of a cluster with managed system node pools (hidden from agentPoolProfiles and agentPools). */
export function isHostedPool(pool: any, props: Record<string, any> | undefined): boolean {
  return pool?.name === HOSTED_POOL && props?.hostedSystemProfile?.enabled === true;
}

/** The sku as stored: Automatic only on the api-versions that have it, its tier Standard by default; no Base → Automatic. */
export function resolveSku(bodySku: any, existingSku: any, apiVersion: string): Record<string, any> {
  const sku = bodySku && typeof bodySku === "object" ? { ...bodySku } : existingSku ? { ...existingSku } : { name: "Base", tier: "Free" };
  if (isAutomatic(sku)) {
    if (bodySku && !hasAutomaticSku(apiVersion)) throw AksErrors.automaticNotInApiVersion.make({ v: apiVersion }, { target: "sku.name" });
    if (existingSku && !isAutomatic(existingSku)) throw AksErrors.automaticConversion.make({ from: String(existingSku.name ?? "Base"), to: AUTOMATIC }, { target: "sku.name" });
    sku.name = AUTOMATIC;
    sku.tier = sku.tier ?? existingSku?.tier ?? "Standard";
  } else {
    sku.name = sku.name ?? "Base";
    sku.tier = sku.tier ?? existingSku?.tier ?? "Free";
  }
  return sku;
}

/** Properties Automatic owns; an update that leaves them out keeps them. */
const OWNED = [
  "hostedSystemProfile", "nodeProvisioningProfile", "aadProfile", "oidcIssuerProfile", "securityProfile", "autoUpgradeProfile",
  "workloadAutoScalerProfile", "ingressProfile", "addonProfiles", "nodeResourceGroupProfile", "safeguardsProfile", "disableLocalAccounts",
] as const;

export interface AutomaticCtx {
  isCreate: boolean;
  tenantId: string;
  /** OIDC issuer URL of the cluster. */
  issuerURL: string;
  existing?: Record<string, any>;
}

function refuse(prop: string, value: unknown, expected: string): never {
  throw AksErrors.automaticConflict.make({ prop, value: String(value), expected }, { target: prop });
}

const obj = (v: unknown): Record<string, any> => (v && typeof v === "object" && !Array.isArray(v) ? { ...(v as Record<string, any>) } : {});

/** The request's properties with Automatic's preconfiguration filled in (before the generic normalization in spec.ts). */
export function applyAutomaticDefaults(bodyProps: any, ctx: AutomaticCtx): Record<string, any> {
  const p: Record<string, any> = obj(bodyProps);
  const ex = ctx.existing;
  if (ex) {
    for (const k of OWNED) if (p[k] === undefined || p[k] === null) { if (ex[k] !== undefined) p[k] = structuredClone(ex[k]); }
    // The AKS-owned pool stays whatever pools an update sends (az sends none on such clusters).
    const hosted = (ex.agentPoolProfiles ?? []).find((x: any) => isHostedPool(x, ex));
    if (hosted && Array.isArray(p.agentPoolProfiles) && !p.agentPoolProfiles.some((x: any) => x?.name === HOSTED_POOL)) p.agentPoolProfiles = [...p.agentPoolProfiles, hosted];
  }

  // API Server VNet Integration is implied.
  const asp = obj(p.apiServerAccessProfile);
  if (asp.enableVnetIntegration === false) refuse("apiServerAccessProfile.enableVnetIntegration", false, "API Server VNet Integration (true)");
  asp.enableVnetIntegration = true;
  p.apiServerAccessProfile = asp;

  // Managed system node pools: explicit, implied by the subnet trio, or by a create without pools.
  const visiblePools = (Array.isArray(p.agentPoolProfiles) ? p.agentPoolProfiles : []).filter((x: any) => x?.name !== HOSTED_POOL);
  if (ctx.isCreate) {
    const hsp = obj(p.hostedSystemProfile);
    const subnets = !!hsp.systemNodeSubnetID || !!hsp.nodeSubnetID;
    const hosted = hsp.enabled === true || subnets || (hsp.enabled !== false && visiblePools.length === 0);
    if (subnets || (hosted && asp.subnetId)) {
      if (!hsp.systemNodeSubnetID || !hsp.nodeSubnetID || !asp.subnetId) throw AksErrors.hostedSystemSubnets.make({}, { target: "properties.hostedSystemProfile" });
    }
    if (hosted) {
      p.hostedSystemProfile = { enabled: true, ...(hsp.systemNodeSubnetID ? { systemNodeSubnetID: hsp.systemNodeSubnetID } : {}), ...(hsp.nodeSubnetID ? { nodeSubnetID: hsp.nodeSubnetID } : {}) };
      const pool: Record<string, any> = {
        name: HOSTED_POOL, mode: "System", count: 3, vmSize: "Standard_DS4_v2", osType: "Linux", osSKU: "AzureLinux",
        nodeTaints: ["CriticalAddonsOnly=true:NoSchedule"], type: "VirtualMachineScaleSets",
      };
      if (hsp.systemNodeSubnetID) pool.vnetSubnetID = hsp.systemNodeSubnetID;
      // User-visible pools in a managed-system cluster run user workloads (NAP makes the rest).
      p.agentPoolProfiles = [pool, ...visiblePools.map((x: any) => ({ ...x, mode: x.mode === "System" ? "User" : x.mode ?? "User", vnetSubnetID: x.vnetSubnetID ?? hsp.nodeSubnetID }))];
      for (const x of p.agentPoolProfiles) if (!x.vnetSubnetID) delete x.vnetSubnetID;
    } else if (p.hostedSystemProfile !== undefined) {
      delete p.hostedSystemProfile;
    }
  }
  for (const x of (p.agentPoolProfiles ?? []) as any[]) if (String(x?.osType ?? "").toLowerCase() === "windows") throw AksErrors.automaticWindowsPool.make({ name: String(x.name) });

  // Azure CNI Overlay with Cilium.
  const np = obj(p.networkProfile);
  if (ctx.isCreate) {
    if (np.networkPlugin !== undefined && np.networkPlugin !== null && np.networkPlugin !== "azure") refuse("networkProfile.networkPlugin", np.networkPlugin, "Azure CNI Overlay with Cilium (networkPlugin azure)");
    if (np.networkPluginMode !== undefined && np.networkPluginMode !== null && np.networkPluginMode !== "overlay") refuse("networkProfile.networkPluginMode", np.networkPluginMode, "Azure CNI Overlay (networkPluginMode overlay)");
    if (np.networkPolicy !== undefined && np.networkPolicy !== null && np.networkPolicy !== "cilium") refuse("networkProfile.networkPolicy", np.networkPolicy, "Cilium (networkPolicy cilium)");
    if (np.networkDataplane !== undefined && np.networkDataplane !== null && np.networkDataplane !== "cilium") refuse("networkProfile.networkDataplane", np.networkDataplane, "Cilium (networkDataplane cilium)");
    const byo = (p.agentPoolProfiles ?? []).some((x: any) => x?.vnetSubnetID) || !!p.hostedSystemProfile?.nodeSubnetID;
    np.networkPlugin = "azure";
    np.networkPluginMode = "overlay";
    np.networkPolicy = "cilium";
    np.networkDataplane = "cilium";
    // az sends loadBalancer unless it forces managedNATGateway itself (no subnet given).
    np.outboundType = np.outboundType ?? (byo ? "loadBalancer" : "managedNATGateway");
    if (np.outboundType === "userAssignedNATGateway" && p.hostedSystemProfile?.enabled && !p.hostedSystemProfile.systemNodeSubnetID) {
      throw AksErrors.userAssignedNatGatewayWithManagedVnet.make({}, { target: "networkProfile.outboundType" });
    }
    p.networkProfile = np;
  }

  // Node auto-provisioning.
  const nap = obj(p.nodeProvisioningProfile);
  if (nap.mode !== undefined && nap.mode !== null && nap.mode !== "Auto") refuse("nodeProvisioningProfile.mode", nap.mode, "node auto-provisioning (mode Auto)");
  p.nodeProvisioningProfile = { ...nap, mode: "Auto", defaultNodePools: nap.defaultNodePools ?? "Auto" };

  // Microsoft Entra ID with Azure RBAC, no local accounts.
  if (p.enableRBAC === false) refuse("enableRBAC", false, "Kubernetes RBAC (true)");
  p.enableRBAC = true;
  if (p.disableLocalAccounts === false) refuse("disableLocalAccounts", false, "Microsoft Entra ID only (disableLocalAccounts true)");
  p.disableLocalAccounts = true;
  const aad = obj(p.aadProfile);
  if (aad.enableAzureRBAC === false) refuse("aadProfile.enableAzureRBAC", false, "Azure RBAC for Kubernetes authorization (true)");
  p.aadProfile = { ...aad, managed: true, enableAzureRBAC: true, tenantID: aad.tenantID ?? ctx.tenantId };

  // Workload identity, OIDC issuer, image cleaner, upgrades, autoscalers, ingress, policy, lockdown.
  p.oidcIssuerProfile = { ...obj(p.oidcIssuerProfile), enabled: true, issuerURL: p.oidcIssuerProfile?.issuerURL ?? ctx.issuerURL };
  const sec = obj(p.securityProfile);
  p.securityProfile = {
    ...sec,
    workloadIdentity: { ...obj(sec.workloadIdentity), enabled: true },
    imageCleaner: { enabled: true, intervalHours: 168, ...obj(sec.imageCleaner) },
  };
  const up = obj(p.autoUpgradeProfile);
  p.autoUpgradeProfile = { ...up, upgradeChannel: up.upgradeChannel ?? "stable", nodeOSUpgradeChannel: up.nodeOSUpgradeChannel ?? "NodeImage" };
  const wa = obj(p.workloadAutoScalerProfile);
  p.workloadAutoScalerProfile = { ...wa, keda: { ...obj(wa.keda), enabled: true }, verticalPodAutoscaler: { ...obj(wa.verticalPodAutoscaler), enabled: true } };
  const ing = obj(p.ingressProfile);
  p.ingressProfile = { ...ing, webAppRouting: { ...obj(ing.webAppRouting), enabled: true } };
  const addons = obj(p.addonProfiles);
  p.addonProfiles = { ...addons, azurepolicy: { ...obj(addons.azurepolicy), enabled: true } };
  const sg = obj(p.safeguardsProfile);
  if (sg.level !== undefined && sg.level !== "Enforce") refuse("safeguardsProfile.level", sg.level, "deployment safeguards with baseline Pod Security Standards enforced (level Enforce)");
  p.safeguardsProfile = { ...sg, level: "Enforce" };
  const nrg = obj(p.nodeResourceGroupProfile);
  if (nrg.restrictionLevel !== undefined && nrg.restrictionLevel !== "ReadOnly") refuse("nodeResourceGroupProfile.restrictionLevel", nrg.restrictionLevel, "node resource group lockdown (restrictionLevel ReadOnly)");
  p.nodeResourceGroupProfile = { ...nrg, restrictionLevel: "ReadOnly" };
  return p;
}

/** Subnet rules of managed system node pools on a custom VNet (after the generic subnet rules passed). */
export function validateHostedSubnets(props: Record<string, any>, subnet: (id: string) => SubnetFacts | undefined): void {
  const hsp = props.hostedSystemProfile;
  if (!hsp?.enabled || !hsp.systemNodeSubnetID) return;
  const sys = String(hsp.systemNodeSubnetID);
  const node = String(hsp.nodeSubnetID ?? "");
  const api = String(props.apiServerAccessProfile?.subnetId ?? "");
  const vnet = vnetOfSubnet(sys);
  if (!vnet || !sameId(vnetOfSubnet(node), vnet) || !sameId(vnetOfSubnet(api), vnet)) throw AksErrors.hostedSystemSubnets.make({}, { target: "properties.hostedSystemProfile" });
  if (sameId(sys, node)) throw AksErrors.systemNodeSubnetIsNodeSubnet.make({}, { target: "hostedSystemProfile.systemNodeSubnetID" });
  const facts = subnet(sys);
  if (!facts) throw AksErrors.subnetNotFound.make({ id: sys, prop: "hostedSystemProfile.systemNodeSubnetID" }, { target: "hostedSystemProfile.systemNodeSubnetID" });
  const prefix = facts.addressPrefixes[0] ?? "";
  const len = Number(/\/(\d+)$/.exec(prefix)?.[1] ?? 0);
  if (len > 26) throw AksErrors.systemNodeSubnetTooSmall.make({ id: sys, prefix }, { target: "hostedSystemProfile.systemNodeSubnetID" });
  const other = facts.delegations.find((d) => d.toLowerCase() !== DELEGATION_SERVICE.toLowerCase());
  if (other) throw AksErrors.systemNodeSubnetDelegated.make({ id: sys, service: other }, { target: "hostedSystemProfile.systemNodeSubnetID" });
  if (!subnet(node)) throw AksErrors.subnetNotFound.make({ id: node, prop: "hostedSystemProfile.nodeSubnetID" }, { target: "hostedSystemProfile.nodeSubnetID" });
}
