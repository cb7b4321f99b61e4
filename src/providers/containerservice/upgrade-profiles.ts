// managedClusters/{name}/upgradeProfiles/default and agentPools/{pool}/upgradeProfiles/default
// (`az aks get-upgrades`, `az aks nodepool get-upgrades`), shaped as the REST spec's examples
// ManagedClustersGetUpgradeProfile.json / AgentPoolsGetUpgradeProfile.json. Pure: record in, body out.
import type { ResourceRecord } from "../../arm/types.js";
import { availableUpgrades, latestNodeImageFor } from "./versions.js";

const upgrades = (v: string) => availableUpgrades(v).map((kubernetesVersion) => ({ kubernetesVersion }));

export function clusterUpgradeProfile(cluster: ResourceRecord): Record<string, unknown> {
  const props = cluster.properties;
  const current = String(props.currentKubernetesVersion ?? props.kubernetesVersion);
  return {
    id: `${cluster.id}/upgradeprofiles/default`,
    name: "default",
    type: "Microsoft.ContainerService/managedClusters/upgradeprofiles",
    properties: {
      controlPlaneProfile: { kubernetesVersion: current, name: "master", osType: "Linux", upgrades: upgrades(current) },
      agentPoolProfiles: (props.agentPoolProfiles ?? []).map((p: any) => {
        const v = String(p.currentOrchestratorVersion ?? p.orchestratorVersion ?? current);
        return { kubernetesVersion: v, name: p.name, osType: p.osType ?? "Linux", upgrades: upgrades(v) };
      }),
    },
  };
}

export function agentPoolUpgradeProfile(cluster: ResourceRecord, poolName: string): Record<string, unknown> | undefined {
  const p = (cluster.properties.agentPoolProfiles ?? []).find((x: any) => String(x.name).toLowerCase() === poolName.toLowerCase());
  if (!p) return undefined;
  const v = String(p.currentOrchestratorVersion ?? p.orchestratorVersion ?? cluster.properties.currentKubernetesVersion);
  return {
    id: `${cluster.id}/agentPools/${p.name}/upgradeprofiles/default`,
    name: "default",
    type: "Microsoft.ContainerService/managedClusters/agentPools/upgradeProfiles",
    properties: { kubernetesVersion: v, osType: p.osType ?? "Linux", upgrades: upgrades(v), latestNodeImageVersion: latestNodeImageFor(p.osSKU ?? "Ubuntu", p.osType ?? "Linux") },
  };
}
