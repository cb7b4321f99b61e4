// Subnet delegations: the services a subnet can be delegated to and the read-only `actions` NRP
// fills in for each (reference/arm-contract.md §8.3). The table is the set Azure offered in
// 2024-25 as exercised by a public Terraform module's delegation test (one subnet per service,
// asserting the actions Azure returned); Microsoft.ContainerService/managedClusters → join/action
// is also in the AKS docs and TF's own AKS tests.

const J = "Microsoft.Network/virtualNetworks/subnets/join/action";
const A = "Microsoft.Network/virtualNetworks/subnets/action";
const P = "Microsoft.Network/virtualNetworks/subnets/prepareNetworkPolicies/action";
const U = "Microsoft.Network/virtualNetworks/subnets/unprepareNetworkPolicies/action";
const N = "Microsoft.Network/networkinterfaces/*";
const VR = "Microsoft.Network/virtualNetworks/read";

export const DELEGATION_ACTIONS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["GitHub.Network/networkSettings", [J]],
  ["Informatica.DataManagement/organizations", [J]],
  ["Microsoft.ApiManagement/service", [J, P]],
  ["Microsoft.Apollo/npu", [N, J]],
  ["Microsoft.App/environments", [J]],
  ["Microsoft.AVS/PrivateClouds", [N]],
  ["Microsoft.AzureCosmosDB/clusters", [J]],
  ["Microsoft.BareMetal/AzureHostedService", [N, J]],
  ["Microsoft.BareMetal/AzureVMware", [N, J]],
  ["Microsoft.BareMetal/CrayServers", [N, J]],
  ["Microsoft.Batch/batchAccounts", [A]],
  ["Microsoft.CloudTest/hostedpools", [J]],
  ["Microsoft.CloudTest/images", [J]],
  ["Microsoft.CloudTest/pools", [J]],
  ["Microsoft.ContainerInstance/containerGroups", [A]],
  ["Microsoft.ContainerService/managedClusters", [J]],
  ["Microsoft.Databricks/workspaces", [J, P, U]],
  ["Microsoft.DBforMySQL/flexibleServers", [J]],
  ["Microsoft.DBforMySQL/servers", [J]],
  ["Microsoft.DBforMySQL/serversv2", [J]],
  ["Microsoft.DBforPostgreSQL/flexibleServers", [J]],
  ["Microsoft.DBforPostgreSQL/serversv2", [J]],
  ["Microsoft.DBforPostgreSQL/singleServers", [J]],
  ["Microsoft.DelegatedNetwork/controller", [J]],
  ["Microsoft.DevCenter/networkConnection", [J]],
  ["Microsoft.DevOpsInfrastructure/pools", [J]],
  ["Microsoft.DocumentDB/cassandraClusters", [J]],
  ["Microsoft.Fidalgo/networkSettings", [J]],
  ["Microsoft.HardwareSecurityModules/dedicatedHSMs", [N, J]],
  ["Microsoft.Kusto/clusters", [J, P, U]],
  ["Microsoft.LabServices/labplans", [J]],
  ["Microsoft.Logic/integrationServiceEnvironments", [A]],
  ["Microsoft.MachineLearningServices/workspaces", [J]],
  ["Microsoft.MessagingConnectors/connectors", [J]],
  ["Microsoft.Netapp/volumes", [N, J]],
  ["Microsoft.Network/applicationGateways", [J]],
  ["Microsoft.Network/dnsResolvers", [J]],
  ["Microsoft.PowerAutomate/hostedRpa", [J]],
  ["Microsoft.PowerPlatform/enterprisePolicies", [J]],
  ["Microsoft.PowerPlatform/vnetaccesslinks", [J]],
  ["Microsoft.ServiceFabricMesh/networks", [A]],
  ["Microsoft.ServiceNetworking/trafficControllers", [J]],
  ["Microsoft.Singularity/accounts/networks", [N, J]],
  ["Microsoft.Singularity/accounts/npu", [N, J]],
  ["Microsoft.Sql/managedInstances", [J, P, U]],
  ["Microsoft.StoragePool/diskPools", [VR]],
  ["Microsoft.StreamAnalytics/streamingJobs", [J]],
  ["Microsoft.Synapse/workspaces", [J]],
  ["Microsoft.Web/hostingEnvironments", [A]],
  ["Microsoft.Web/serverFarms", [A]],
  ["NGINX.NGINXPLUS/nginxDeployments", [J]],
  ["Oracle.Database/networkAttachments", [J]],
  ["PaloAltoNetworks.Cloudngfw/firewalls", [J]],
  ["PureStorage.Block/storagePools", [J]],
  ["Qumulo.Storage/fileSystems", [J]],
];

const BY_SERVICE = new Map(DELEGATION_ACTIONS.map(([s, a]) => [s.toLowerCase(), { serviceName: s, actions: a }]));

/** The known service (canonical casing and actions), or undefined when Azure would reject the name. */
export function findDelegationService(serviceName: string): { serviceName: string; actions: readonly string[] } | undefined {
  return BY_SERVICE.get(serviceName.toLowerCase());
}

/** availableDelegations entry (spec availableDelegations.json): name is the service name with '/' → '.'. */
export function renderAvailableDelegation(scopeId: string, serviceName: string, actions: readonly string[]) {
  const name = serviceName.replace(/\//g, ".");
  return {
    name,
    id: `${scopeId}/providers/Microsoft.Network/availableDelegations/${name}`,
    type: "Microsoft.Network/availableDelegations",
    serviceName,
    actions: [...actions],
  };
}
