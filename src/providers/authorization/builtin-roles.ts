// Built-in Azure role definitions as data. GUIDs, names, descriptions and permissions are
// copied from the public role JSON (learn.microsoft.com "Azure built-in roles",
// MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles*.md, and the
// raw role JSON mirrored by azure-rbac-catalog.org / azadvertizer.net). A built-in role is
// readable at every scope: /{scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}.
// createdOn/updatedOn are informational: taken from the public JSON where it was seen
// (Contributor, Network Contributor, RBAC Administrator, AKS roles), approximated otherwise.

export interface Permission {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export interface BuiltInRole {
  /** GUID (the role definition's `name`). */
  name: string;
  roleName: string;
  description: string;
  permissions: Permission[];
  createdOn: string;
  updatedOn: string;
}

function perm(actions: string[], notActions: string[] = [], dataActions: string[] = [], notDataActions: string[] = []): Permission[] {
  return [{ actions, notActions, dataActions, notDataActions }];
}

export const BUILTIN_ROLES: readonly BuiltInRole[] = [
  {
    name: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    roleName: "Owner",
    description: "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
    permissions: perm(["*"]),
    createdOn: "2015-02-02T21:55:09.88Z",
    updatedOn: "2021-11-11T20:13:45.8978856Z",
  },
  {
    name: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    roleName: "Contributor",
    description: "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
    permissions: perm(
      ["*"],
      [
        "Microsoft.Authorization/*/Delete",
        "Microsoft.Authorization/*/Write",
        "Microsoft.Authorization/elevateAccess/Action",
        "Microsoft.Blueprint/blueprintAssignments/write",
        "Microsoft.Blueprint/blueprintAssignments/delete",
        "Microsoft.Compute/galleries/share/action",
        "Microsoft.Purview/consents/write",
        "Microsoft.Purview/consents/delete",
        "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
        "Microsoft.Subscription/cancel/action",
        "Microsoft.Subscription/enable/action",
      ],
    ),
    createdOn: "2015-02-02T21:55:09.88Z",
    updatedOn: "2024-11-21T20:29:48.368Z",
  },
  {
    name: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    roleName: "Reader",
    description: "View all resources, but does not allow you to make any changes.",
    permissions: perm(["*/read"]),
    createdOn: "2015-02-02T21:55:09.88Z",
    updatedOn: "2021-11-11T20:13:47.8628684Z",
  },
  {
    name: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    roleName: "User Access Administrator",
    description: "Lets you manage user access to Azure resources.",
    permissions: perm(["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"]),
    createdOn: "2015-02-02T21:55:09.88Z",
    updatedOn: "2021-11-11T20:13:48.8144457Z",
  },
  {
    name: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    roleName: "Role Based Access Control Administrator",
    description: "Manage access to Azure resources by assigning roles using Azure RBAC. This role does not allow you to manage access using other ways, such as Azure Policy.",
    permissions: perm(["Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/delete", "*/read", "Microsoft.Support/*"]),
    createdOn: "2022-09-06T22:26:26.407Z",
    updatedOn: "2023-11-10T21:06:25.701Z",
  },
  {
    name: "4d97b98b-1d4f-4787-a291-c67834d212e7",
    roleName: "Network Contributor",
    description: "Lets you manage networks, but not access to them.",
    permissions: perm([
      "Microsoft.Authorization/*/read",
      "Microsoft.Insights/alertRules/*",
      "Microsoft.Network/*",
      "Microsoft.ResourceHealth/availabilityStatuses/read",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Support/*",
    ]),
    createdOn: "2015-06-02T00:18:27.354Z",
    updatedOn: "2021-11-11T20:13:44.632Z",
  },
  {
    name: "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
    roleName: "Private DNS Zone Contributor",
    description: "Lets you manage private DNS zone resources, but not the virtual networks they are linked to.",
    permissions: perm([
      "Microsoft.Insights/alertRules/*",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Support/*",
      "Microsoft.Network/privateDnsZones/*",
      "Microsoft.Network/privateDnsOperationResults/*",
      "Microsoft.Network/privateDnsOperationStatuses/*",
      "Microsoft.Network/virtualNetworks/read",
      "Microsoft.Network/virtualNetworks/join/action",
      "Microsoft.Authorization/*/read",
    ]),
    createdOn: "2019-07-10T19:31:15.5645518Z",
    updatedOn: "2021-11-11T20:13:46.4000000Z",
  },
  {
    name: "f1a07417-d97a-45cb-824c-7a7467783830",
    roleName: "Managed Identity Operator",
    description: "Read and Assign User Assigned Identity",
    permissions: perm([
      "Microsoft.ManagedIdentity/userAssignedIdentities/*/read",
      "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
      "Microsoft.Authorization/*/read",
      "Microsoft.Insights/alertRules/*",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Support/*",
    ]),
    createdOn: "2017-12-14T19:52:04.3924594Z",
    updatedOn: "2021-11-11T20:13:38.8300000Z",
  },
  {
    name: "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
    roleName: "Managed Identity Contributor",
    description: "Create, Read, Update, and Delete User Assigned Identity",
    permissions: perm([
      "Microsoft.ManagedIdentity/userAssignedIdentities/read",
      "Microsoft.ManagedIdentity/userAssignedIdentities/write",
      "Microsoft.ManagedIdentity/userAssignedIdentities/delete",
      "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read",
      "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
      "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/delete",
      "Microsoft.ManagedIdentity/userAssignedIdentities/revokeTokens/action",
      "Microsoft.Authorization/*/read",
      "Microsoft.Insights/alertRules/*",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Support/*",
    ]),
    createdOn: "2017-12-14T19:53:42.8804692Z",
    updatedOn: "2021-11-11T20:13:38.4000000Z",
  },
  {
    name: "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
    roleName: "Azure Kubernetes Service Cluster User Role",
    description: "List cluster user credential action.",
    permissions: perm(["Microsoft.ContainerService/managedClusters/listClusterUserCredential/action", "Microsoft.ContainerService/managedClusters/read"]),
    createdOn: "2018-08-15T22:04:53.403Z",
    updatedOn: "2021-11-11T20:13:20.435Z",
  },
  {
    name: "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8",
    roleName: "Azure Kubernetes Service Cluster Admin Role",
    description: "List cluster admin credential action.",
    permissions: perm([
      "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action",
      "Microsoft.ContainerService/managedClusters/accessProfiles/listCredential/action",
      "Microsoft.ContainerService/managedClusters/read",
      "Microsoft.ContainerService/managedClusters/runcommand/action",
    ]),
    createdOn: "2018-08-15T21:38:18.595Z",
    updatedOn: "2022-05-16T21:40:14.045Z",
  },
  {
    name: "ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8",
    roleName: "Azure Kubernetes Service Contributor Role",
    description: "Grants access to read and write Azure Kubernetes Service clusters",
    permissions: perm([
      "Microsoft.Authorization/*/read",
      "Microsoft.ContainerService/locations/*",
      "Microsoft.ContainerService/managedClusters/*",
      "Microsoft.ContainerService/managedclustersnapshots/*",
      "Microsoft.ContainerService/snapshots/*",
      "Microsoft.Insights/alertRules/*",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.ContainerService/deploymentSafeguards/*",
    ]),
    createdOn: "2020-02-27T19:27:15.073Z",
    updatedOn: "2025-07-24T15:33:32.577Z",
  },
  {
    name: "3498e952-d568-435e-9b2c-8d77e338d7f7",
    roleName: "Azure Kubernetes Service RBAC Admin",
    description: "Lets you manage all resources under cluster/namespace, except update or delete resource quotas and namespaces.",
    permissions: perm(
      [
        "Microsoft.Authorization/*/read",
        "Microsoft.Resources/subscriptions/operationresults/read",
        "Microsoft.Resources/subscriptions/read",
        "Microsoft.Resources/subscriptions/resourceGroups/read",
        "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
      ],
      [],
      ["Microsoft.ContainerService/managedClusters/*"],
      [
        "Microsoft.ContainerService/managedClusters/resourcequotas/write",
        "Microsoft.ContainerService/managedClusters/resourcequotas/delete",
        "Microsoft.ContainerService/managedClusters/namespaces/write",
        "Microsoft.ContainerService/managedClusters/namespaces/delete",
      ],
    ),
    createdOn: "2020-07-02T17:50:30.402Z",
    updatedOn: "2023-05-09T20:26:01.376Z",
  },
  {
    name: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    roleName: "Azure Kubernetes Service RBAC Cluster Admin",
    description: "Lets you manage all resources in the cluster.",
    permissions: perm(
      [
        "Microsoft.Authorization/*/read",
        "Microsoft.Resources/subscriptions/operationresults/read",
        "Microsoft.Resources/subscriptions/read",
        "Microsoft.Resources/subscriptions/resourceGroups/read",
        "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
      ],
      [],
      ["Microsoft.ContainerService/managedClusters/*"],
    ),
    createdOn: "2020-07-02T17:47:24.407Z",
    updatedOn: "2022-10-12T23:29:33.829Z",
  },
];

const BY_GUID = new Map(BUILTIN_ROLES.map((r) => [r.name.toLowerCase(), r]));

export function findBuiltInRole(guid: string): BuiltInRole | undefined {
  return BY_GUID.get(guid.toLowerCase());
}
