// The managedCluster and agentPool views per api-version (reference/aks-vnet-integration.md §2).
// Pure: the stored record in, the JSON body out.
import type { ResourceRecord } from "../../arm/types.js";
import { hasAutomaticSku, hasETag, hasHostedSystemProfile, hasVnetIntegrationFields } from "./api-versions.js";
import { isAutomatic, isHostedPool } from "./automatic.js";

const PROPERTY_ORDER = [
  "provisioningState", "powerState", "maxAgentPools", "kubernetesVersion", "currentKubernetesVersion", "dnsPrefix", "fqdnSubdomain", "fqdn",
  "azurePortalFQDN", "privateFQDN", "agentPoolProfiles", "linuxProfile", "windowsProfile", "servicePrincipalProfile", "addonProfiles",
  "nodeResourceGroup", "enableRBAC", "supportPlan", "networkProfile", "aadProfile", "apiServerAccessProfile", "identityProfile",
  "autoScalerProfile", "autoUpgradeProfile", "disableLocalAccounts", "securityProfile", "storageProfile", "oidcIssuerProfile", "publicNetworkAccess",
];

/** Access profile as the api-version shows it; managed-VNet integration renders subnetId "" (observed on the wire). */
export function renderApiServerAccessProfile(props: Record<string, any>, apiVersion: string, managedVnet: boolean): Record<string, any> | undefined {
  const asp = { ...(props.apiServerAccessProfile ?? {}) };
  if (hasVnetIntegrationFields(apiVersion)) {
    if (asp.enableVnetIntegration === true && managedVnet && !asp.subnetId) asp.subnetId = "";
  } else {
    delete asp.enableVnetIntegration;
    delete asp.subnetId;
  }
  const meaningful = Object.entries(asp).filter(([k, v]) => !(k === "enablePrivateCluster" && v === false));
  if (meaningful.length === 0) return undefined;
  return asp;
}

export function renderAgentPoolProfile(p: Record<string, any>, clusterProps: Record<string, any>, apiVersion: string): Record<string, any> {
  const out: Record<string, any> = { ...p };
  if (!hasETag(apiVersion)) delete out.eTag;
  out.provisioningState = clusterProps.provisioningState;
  out.powerState = clusterProps.powerState ?? { code: "Running" };
  return out;
}

export function renderManagedCluster(rec: ResourceRecord, apiVersion: string): Record<string, unknown> {
  const props = rec.properties;
  const managedVnet = !(props.agentPoolProfiles ?? []).some((p: any) => p.vnetSubnetID);
  const p: Record<string, any> = {};
  for (const k of PROPERTY_ORDER) if (props[k] !== undefined) p[k] = props[k];
  for (const [k, v] of Object.entries(props)) if (!(k in p) && v !== undefined) p[k] = v;
  // Managed system node pools are AKS's own: not listed (az reads no agentPoolProfiles then).
  const visible = (props.agentPoolProfiles ?? []).filter((ap: any) => !isHostedPool(ap, props));
  p.agentPoolProfiles = visible.map((ap: any) => renderAgentPoolProfile(ap, props, apiVersion));
  if (visible.length === 0 && props.hostedSystemProfile?.enabled) delete p.agentPoolProfiles;
  if (!hasHostedSystemProfile(apiVersion)) delete p.hostedSystemProfile;
  // A service principal's secret is write-only.
  if (p.servicePrincipalProfile?.secret !== undefined) p.servicePrincipalProfile = { clientId: p.servicePrincipalProfile.clientId };
  const asp = renderApiServerAccessProfile(props, apiVersion, managedVnet);
  if (asp) p.apiServerAccessProfile = asp;
  else delete p.apiServerAccessProfile;
  const out: Record<string, unknown> = {
    id: rec.id,
    location: rec.location,
    name: rec.name,
    type: "Microsoft.ContainerService/ManagedClusters",
  };
  if (rec.internal?.eTag && hasETag(apiVersion)) out.eTag = rec.internal.eTag;
  if (rec.tags) out.tags = rec.tags;
  if (rec.sku) {
    // `Automatic` exists only on the api-versions that have it; older ones know only Base.
    const sku: Record<string, unknown> = { ...rec.sku };
    if (isAutomatic(rec.sku) && !hasAutomaticSku(apiVersion)) delete sku.name;
    out.sku = sku;
  }
  if (rec.identity) out.identity = rec.identity;
  out.properties = p;
  if (rec.systemData) out.systemData = rec.systemData;
  return out;
}

export function renderAgentPool(rec: ResourceRecord, apiVersion: string): Record<string, unknown> {
  const { name: _n, eTag, ...rest } = rec.properties;
  return {
    ...(eTag && hasETag(apiVersion) ? { eTag } : {}),
    id: rec.id,
    name: rec.name,
    type: "Microsoft.ContainerService/managedClusters/agentPools",
    properties: rest,
  };
}
