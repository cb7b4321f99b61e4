// The seed walkthrough's ARM steps the console tests build their picture with (test/aks/helpers.ts).
export { NRP, clusterBody, createCluster, identity, networkContributor, registerVnetIntegrationFeature, resourceGroup, subnet, vnet } from "../aks/helpers.js";
export const DELEGATION = "Microsoft.ContainerService/managedClusters";
