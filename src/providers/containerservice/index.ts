// Microsoft.ContainerService provider plugin: managedClusters (+ agentPools) with API Server VNet
// Integration. Layout: api-versions / errors / names / spec (defaults) / validate / private-dns
// (pure rules) → cluster + agent-pools (strategies) → reconcile (operation stages) → topology
// (node RG, ILB, DNS through the Network provider) → credentials / kube (KubeBackend plug-in).
import type { ProviderPlugin } from "../plugin.js";
import { DEFAULT_API_VERSION, MANAGED_CLUSTER_API_VERSIONS } from "./api-versions.js";
import { managedClusterStrategy, removeKubeOfDeletedClusters } from "./cluster.js";
import { agentPoolStrategy } from "./agent-pools.js";
import { containerServiceRoutes } from "./routes.js";
import { restartRunningClusters } from "./restart.js";

export const containerServiceProvider: ProviderPlugin = {
  name: "Microsoft.ContainerService",
  register(h) {
    h.registerType({
      namespace: "Microsoft.ContainerService", type: "managedClusters", apiVersions: MANAGED_CLUSTER_API_VERSIONS,
      scope: "resourceGroup", tracked: true, strategy: managedClusterStrategy, defaultApiVersion: DEFAULT_API_VERSION,
    });
    h.registerType({
      namespace: "Microsoft.ContainerService", type: "managedClusters/agentPools", apiVersions: MANAGED_CLUSTER_API_VERSIONS,
      scope: "resourceGroup", tracked: false, strategy: agentPoolStrategy, defaultApiVersion: DEFAULT_API_VERSION,
    });
    h.addRoutes(containerServiceRoutes(h.env));
    const unwatch = removeKubeOfDeletedClusters(h.env);
    h.onStop(() => unwatch());
    h.onStart(() => restartRunningClusters(h.env).then(() => undefined));
    h.onClaim(() => restartRunningClusters(h.env, { unownedOnly: true }).then(() => undefined));
  },
};
