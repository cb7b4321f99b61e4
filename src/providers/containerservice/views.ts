// The emulator-specific read-only view of a cluster (GET .../managedClusters/{name}/emulatorView):
// where the API server lives, its DNS records (public and private), the nodes with the server
// their kubelet kubeconfig points at, and the addresses the cluster holds. Pure.
import type { ResourceRecord } from "../../arm/types.js";
import { apiServerPublicIp } from "./names.js";
import { internalOf } from "./model.js";
import { buildKubeletKubeconfig } from "./kubeconfig.js";

export interface DnsRecordView {
  zone: "public" | "private";
  name: string;
  type: "A";
  address: string;
  /** Private zone resource id and the VNets it resolves in. */
  zoneId?: string;
}

/** Public DNS (azmk8s.io, AKS-owned) and private zone records of a cluster. */
export function dnsRecords(rec: ResourceRecord): DnsRecordView[] {
  const props = rec.properties;
  const int = internalOf(rec);
  const out: DnsRecordView[] = [];
  const api = int.apiServer;
  if (!api) return out;
  const priv = props.apiServerAccessProfile?.enablePrivateCluster === true;
  // Public FQDN: the AKS-owned public endpoint; for a private cluster it resolves to the private address (§3.5, inferred).
  const publicTarget = priv ? api.address : apiServerPublicIp(int.hash);
  if (props.fqdn) out.push({ zone: "public", name: props.fqdn, type: "A", address: publicTarget });
  if (props.azurePortalFQDN) out.push({ zone: "public", name: props.azurePortalFQDN, type: "A", address: publicTarget });
  if (priv && props.privateFQDN && int.privateRecordId) {
    const zoneId = int.privateRecordId.replace(/\/A\/[^/]+$/i, "");
    out.push({ zone: "private", name: props.privateFQDN, type: "A", address: api.address, zoneId });
  }
  return out;
}

/** Where a node's kubelet reaches the API server: the ILB IP for integrated clusters, else the FQDN (§3.5). */
export function kubeletServer(rec: ResourceRecord): string {
  const props = rec.properties;
  const api = internalOf(rec).apiServer;
  if (api?.mode === "ilb") return `https://${api.address}:443`;
  const priv = props.apiServerAccessProfile?.enablePrivateCluster === true;
  const host = priv && props.privateFQDN ? props.privateFQDN : props.fqdn ?? props.privateFQDN;
  return `https://${host}:443`;
}

export function emulatorView(rec: ResourceRecord): Record<string, unknown> {
  const int = internalOf(rec);
  const api = int.apiServer;
  const server = kubeletServer(rec);
  const warnings: string[] = [];
  if (int.restartRequired) {
    warnings.push("API Server VNet Integration was enabled on this existing cluster: stop and start the cluster (az aks stop / az aks start) to complete the migration.");
  }
  const integrated = rec.properties.apiServerAccessProfile?.enableVnetIntegration === true;
  return {
    id: rec.id,
    provisioningState: rec.properties.provisioningState,
    powerState: rec.properties.powerState,
    apiServer: api
      ? {
          mode: api.mode,
          address: api.address,
          publicAddress: rec.properties.fqdn && rec.properties.apiServerAccessProfile?.enablePrivateCluster !== true ? apiServerPublicIp(int.hash) : null,
          subnetId: api.subnetId ?? null,
          loadBalancerId: api.loadBalancerId ?? null,
          frontendIPConfigurationId: api.loadBalancerId ? `${api.loadBalancerId}/frontendIPConfigurations/kube-apiserver-frontend` : null,
          backendAddresses: api.backend ?? [],
          reservedAddresses: api.mode === "ilb" ? [api.address, ...(api.reserved ?? [])] : api.mode === "privateEndpoint" ? [api.address] : [],
          konnectivity: !(integrated && rec.properties.networkProfile?.networkPlugin === "azure" && rec.properties.networkProfile?.networkPluginMode !== "overlay"),
        }
      : null,
    dns: dnsRecords(rec),
    nodes: (int.nodes ?? []).map((n) => ({
      name: n.name, pool: n.pool, internalIP: n.ip, subnetId: n.subnetId, podIPs: n.podIPs, podCIDR: n.podCIDR ?? null, kubeletServer: server,
    })),
    kubeletKubeconfig: buildKubeletKubeconfig({ server }),
    warnings,
  };
}
