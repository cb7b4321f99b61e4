// Name and FQDN generation for managed clusters (reference/aks-vnet-integration.md §2.3, §3.3–3.5).
// Pure functions: every random part (hash, GUID, digits) is an input, generated once at create
// and stored with the cluster, so the names survive restarts and updates.
import { createHash } from "node:crypto";

/** ResourceName pattern of the managedClusters spec (1–63 chars). */
const CLUSTER_NAME = /^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$/;
export function isValidClusterName(name: string): boolean {
  return CLUSTER_NAME.test(name);
}

const DNS_PREFIX = /^[a-zA-Z0-9]$|^[a-zA-Z0-9][-a-zA-Z0-9]{0,52}[a-zA-Z0-9]$/;
export function isValidDnsPrefix(p: string): boolean {
  return DNS_PREFIX.test(p);
}

/** az's default dnsPrefix: `<name[:10]>-<rg[:16]>-<sub[:6]>`, non-alphanumerics dropped (azure-cli acs/_helpers). */
export function defaultDnsPrefix(name: string, resourceGroup: string, subscriptionId: string): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9-]/g, "");
  let n = clean(name).slice(0, 10);
  if (n === "" || !/^[A-Za-z]/.test(n)) n = "a" + n;
  const prefix = `${n}-${clean(resourceGroup).slice(0, 16)}-${subscriptionId.slice(0, 6)}`;
  return prefix.replace(/-+/g, "-").replace(/^-|-$/g, "");
}

/** Stable 8 hex characters (the `<8 hex>` of the FQDN) from a seed string. */
export function hash8(seed: string): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, 8);
}

/** The 8 decimal digits AKS puts into node RG resource names (aks-vnet-<n>, aks-agentpool-<n>-nsg, VMSS). */
export function digits8(seed: string): string {
  const n = parseInt(createHash("sha256").update("digits:" + seed).digest("hex").slice(0, 12), 16) % 100_000_000;
  return String(n).padStart(8, "0");
}

/** A GUID-shaped label from a seed (the `<guid>` of private zones). */
export function guidFrom(seed: string): string {
  const h = createHash("sha256").update("guid:" + seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** `<label>-<8 hex>`: the first label of every cluster FQDN (fqdnSubdomain replaces dnsPrefix when set). */
export function fqdnLabel(dnsPrefixOrSubdomain: string, hash: string): string {
  return `${dnsPrefixOrSubdomain.toLowerCase()}-${hash}`;
}

export function publicFqdn(label: string, region: string): string {
  return `${label}.hcp.${region}.azmk8s.io`;
}

export function portalFqdn(label: string, region: string): string {
  return `${label}.portal.hcp.${region}.azmk8s.io`;
}

/** System private DNS zone: `<guid>.private.<region>.azmk8s.io` (integrated, inferred) or `<guid>.privatelink.<region>.azmk8s.io` (classic). */
export function systemPrivateZone(guid: string, region: string, vnetIntegrated: boolean): string {
  return `${guid}.${vnetIntegrated ? "private" : "privatelink"}.${region}.azmk8s.io`;
}

export function privateFqdn(label: string, zone: string): string {
  return `${label}.${zone}`;
}

/** Allowed custom private zone names (§5.3): `[<subzone>.]private(link).<region>.azmk8s.io`, subzone ≤ 32 chars. */
export function isAllowedCustomZoneName(zone: string, region: string, vnetIntegrated: boolean): boolean {
  const base = `${vnetIntegrated ? "private" : "privatelink"}.${region}.azmk8s.io`;
  const z = zone.toLowerCase();
  if (z === base) return true;
  if (!z.endsWith("." + base)) return false;
  const sub = z.slice(0, -base.length - 1);
  return sub.length > 0 && sub.length <= 32 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(sub);
}

/** `MC_<rg>_<cluster>_<location>`, cut to 80 characters as AKS does. */
export function nodeResourceGroupName(rg: string, cluster: string, location: string): string {
  return `MC_${rg}_${cluster}_${location}`.slice(0, 80);
}

export const vmssName = (pool: string, digits: string) => `aks-${pool}-${digits}-vmss`;
/** VMSS instance names: `<vmss>` + 6 base-36 digits (aks-nodepool1-12345678-vmss000000). */
export const nodeName = (pool: string, digits: string, index: number) => `${vmssName(pool, digits)}${index.toString(36).padStart(6, "0")}`;
export const nsgName = (digits: string) => `aks-agentpool-${digits}-nsg`;
export const managedVnetName = (digits: string) => `aks-vnet-${digits}`;
export const kubeletIdentityName = (cluster: string) => `${cluster}-agentpool`;

/** A stable public address for the (AKS-owned, customer-invisible) public API server endpoint. */
export function apiServerPublicIp(hash: string): string {
  const b = Buffer.from(hash.padEnd(8, "0").slice(0, 8), "hex");
  return `20.${(b[0]! % 200) + 20}.${b[1]!}.${(b[2]! % 250) + 4}`;
}

export const ILB_NAME = "kube-apiserver";
export const ILB_FRONTEND = "kube-apiserver-frontend";
export const ILB_BACKEND_POOL = "kube-apiserver-backendpool";
export const ILB_RULE = "kube-apiserver-rule";
export const ILB_PROBE = "kube-apiserver-health-probe";
export const SAL_NAME = "AzureKubernetesService";
export const DELEGATION_SERVICE = "Microsoft.ContainerService/managedClusters";
export const MANAGED_VNET_PREFIX = "10.224.0.0/12";
export const MANAGED_NODE_SUBNET = { name: "aks-subnet", prefix: "10.224.0.0/16" };
export const MANAGED_APISERVER_SUBNET = { name: "aks-apiserver-subnet", prefix: "10.226.0.0/28" };
/** "An AKS cluster reserves at least nine IPs in the subnet address space": 1 ILB frontend + 8 API server pod IPs. */
export const APISERVER_RESERVED_IPS = 9;
export const APISERVER_BACKEND_IPS = 8;

/** The cluster's OIDC issuer URL as AKS shows it (learn.microsoft.com/azure/aks/use-oidc-issuer: `https://<region>.oic.prod-aks.azure.com/<tenant>/<guid>/`). */
export const oidcIssuerUrl = (location: string, tenantId: string, guid: string) => `https://${location.toLowerCase()}.oic.prod-aks.azure.com/${tenantId}/${guid}/`;
