// Azure RBAC evaluation: the pure matching rules, then can() over a real store with role
// assignments written through the Authorization provider's own strategy.
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { actionMatches, evaluate, permissionAllows, roleAllows, scopeChain, scopeCovers } from "../../src/providers/authorization/matching.js";
import { BUILTIN_ROLES, findBuiltInRole } from "../../src/providers/authorization/builtin-roles.js";
import { parseAssignmentFilter, roleAssignmentStrategy, canPrincipal, listAssignmentsAt } from "../../src/providers/authorization/role-assignments.js";
import { filterRoleDefinitions, roleDefinitionGuid, builtInRoleRecordAt } from "../../src/providers/authorization/role-definitions.js";
import { authorizationProvider } from "../../src/providers/authorization/index.js";
import { can } from "../../src/arm/rbac.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { parseId } from "../../src/arm/resource-id.js";
import { putRecord } from "../../src/arm/repo.js";
import { putServicePrincipal } from "../../src/entra/directory.js";
import type { ArmEnv, WriteCtx } from "../../src/arm/types.js";
import type { ProviderHost } from "../../src/providers/plugin.js";
import { tempDir } from "../helpers/emulator.js";

const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000";
const RG = `${SUB}/resourceGroups/net-rg`;
const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet1`;
const SUBNET = `${VNET}/subnets/apiserver`;
const JOIN = "Microsoft.Network/virtualNetworks/subnets/join/action";
const role = (n: string) => BUILTIN_ROLES.find((r) => r.roleName === n)!.permissions;

describe("action patterns", () => {
  test("exact, case-insensitive", () => {
    assert.ok(actionMatches("Microsoft.Network/virtualNetworks/read", "microsoft.network/VIRTUALNETWORKS/read"));
    assert.ok(!actionMatches("Microsoft.Network/virtualNetworks/read", "Microsoft.Network/virtualNetworks/write"));
    assert.ok(!actionMatches("Microsoft.Network/virtualNetworks/read", "Microsoft.Network/virtualNetworks/readx"));
  });
  test("'*' alone matches everything", () => {
    assert.ok(actionMatches("*", JOIN));
    assert.ok(actionMatches("*", "Microsoft.Authorization/roleAssignments/write"));
  });
  test("namespace wildcard Microsoft.Network/*", () => {
    assert.ok(actionMatches("Microsoft.Network/*", JOIN));
    assert.ok(actionMatches("microsoft.network/*", JOIN));
    assert.ok(!actionMatches("Microsoft.Network/*", "Microsoft.NetworkFunction/x/read"));
    assert.ok(!actionMatches("Microsoft.Network/*", "Microsoft.Compute/virtualMachines/read"));
  });
  test("leading wildcard */read", () => {
    assert.ok(actionMatches("*/read", "Microsoft.Network/virtualNetworks/subnets/read"));
    assert.ok(!actionMatches("*/read", JOIN));
    assert.ok(!actionMatches("*/read", "Microsoft.Network/virtualNetworks/readonly/write"));
  });
  test("middle wildcard Microsoft.Authorization/*/Write", () => {
    assert.ok(actionMatches("Microsoft.Authorization/*/Write", "Microsoft.Authorization/roleAssignments/write"));
    assert.ok(!actionMatches("Microsoft.Authorization/*/Write", "Microsoft.Authorization/roleAssignments/read"));
  });
  test("'/*/' also matches a single '/' (Managed Identity Operator's userAssignedIdentities/*/read)", () => {
    assert.ok(actionMatches("Microsoft.ManagedIdentity/userAssignedIdentities/*/read", "Microsoft.ManagedIdentity/userAssignedIdentities/read"));
    assert.ok(actionMatches("Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action", "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action"));
    assert.ok(actionMatches("Microsoft.ManagedIdentity/userAssignedIdentities/*/read", "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read"));
    assert.ok(!actionMatches("Microsoft.ManagedIdentity/userAssignedIdentities/*/read", "Microsoft.ManagedIdentity/userAssignedIdentities/write"));
  });
  test("regex metacharacters in patterns are literal", () => {
    assert.ok(!actionMatches("Microsoft.Network/a.c/read", "Microsoft.Network/abc/read"));
    assert.ok(actionMatches("Microsoft.Network/a.c/read", "Microsoft.Network/a.c/read"));
  });
});

describe("roles: actions minus notActions per role", () => {
  test("Contributor: everything except Microsoft.Authorization writes/deletes", () => {
    const c = role("Contributor");
    assert.ok(roleAllows(c, JOIN));
    assert.ok(roleAllows(c, "Microsoft.ContainerService/managedClusters/write"));
    assert.ok(!roleAllows(c, "Microsoft.Authorization/roleAssignments/write"));
    assert.ok(!roleAllows(c, "microsoft.authorization/roleassignments/DELETE"));
    assert.ok(roleAllows(c, "Microsoft.Authorization/roleAssignments/read"));
  });
  test("Owner, Reader, Network Contributor, UAA, Private DNS Zone Contributor", () => {
    assert.ok(roleAllows(role("Owner"), "Microsoft.Authorization/roleAssignments/write"));
    assert.ok(roleAllows(role("Reader"), "Microsoft.Network/virtualNetworks/subnets/read"));
    assert.ok(!roleAllows(role("Reader"), JOIN));
    assert.ok(roleAllows(role("Network Contributor"), JOIN));
    assert.ok(roleAllows(role("Network Contributor"), "Microsoft.Network/virtualNetworks/subnets/read"));
    assert.ok(!roleAllows(role("Network Contributor"), "Microsoft.ContainerService/managedClusters/write"));
    assert.ok(roleAllows(role("User Access Administrator"), "Microsoft.Authorization/roleAssignments/write"));
    assert.ok(!roleAllows(role("User Access Administrator"), JOIN));
    assert.ok(roleAllows(role("Private DNS Zone Contributor"), "Microsoft.Network/privateDnsZones/write"));
    assert.ok(!roleAllows(role("Private DNS Zone Contributor"), JOIN));
  });
  test("AKS roles", () => {
    assert.ok(roleAllows(role("Azure Kubernetes Service Cluster User Role"), "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action"));
    assert.ok(!roleAllows(role("Azure Kubernetes Service Cluster User Role"), "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action"));
    assert.ok(roleAllows(role("Azure Kubernetes Service Cluster Admin Role"), "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action"));
    assert.ok(roleAllows(role("Azure Kubernetes Service Contributor Role"), "Microsoft.ContainerService/managedClusters/write"));
    assert.ok(!roleAllows(role("Azure Kubernetes Service Contributor Role"), JOIN));
  });
  test("a NotAction of one role does not deny what another role grants", () => {
    const contributor = { scope: SUB, permissions: role("Contributor") };
    const uaa = { scope: SUB, permissions: role("User Access Administrator") };
    assert.ok(!evaluate([contributor], "Microsoft.Authorization/roleAssignments/write", RG));
    assert.ok(evaluate([contributor, uaa], "Microsoft.Authorization/roleAssignments/write", RG));
  });
  test("a permission block with a matching NotAction denies within that block", () => {
    assert.ok(!permissionAllows({ actions: ["Microsoft.Network/*"], notActions: ["Microsoft.Network/*/join/action"] }, JOIN));
    assert.ok(permissionAllows({ actions: ["Microsoft.Network/*"], notActions: ["Microsoft.Network/*/join/action"] }, "Microsoft.Network/virtualNetworks/read"));
  });
});

describe("scope inheritance on segment boundaries", () => {
  test("at and below, not siblings with a common prefix", () => {
    assert.ok(scopeCovers(SUB, SUBNET));
    assert.ok(scopeCovers(RG, SUBNET));
    assert.ok(scopeCovers(VNET, SUBNET));
    assert.ok(scopeCovers(SUBNET, SUBNET));
    assert.ok(!scopeCovers(SUBNET, VNET));
    assert.ok(!scopeCovers(`${SUB}/resourceGroups/net`, SUBNET), "net is not a parent of net-rg");
    assert.ok(!scopeCovers(`${VNET}/subnets/api`, SUBNET));
  });
  test("case-insensitive, trailing slashes ignored, '/' covers all", () => {
    assert.ok(scopeCovers(RG.toUpperCase() + "/", SUBNET.toLowerCase()));
    assert.ok(scopeCovers("/", SUBNET));
    assert.ok(scopeCovers("", SUB));
  });
  test("scopeChain lists every ancestor up to the root", () => {
    const chain = scopeChain(SUBNET);
    assert.equal(chain[0], SUBNET.toLowerCase());
    assert.ok(chain.includes(RG.toLowerCase()));
    assert.ok(chain.includes(SUB.toLowerCase()));
    assert.equal(chain[chain.length - 1], "/");
  });
  test("a child resource (subnet) inherits from its VNet, RG, subscription and root", () => {
    for (const scope of ["/", SUB, RG, VNET, SUBNET]) {
      assert.ok(evaluate([{ scope, permissions: role("Network Contributor") }], JOIN, SUBNET), scope);
    }
    assert.ok(!evaluate([{ scope: `${RG}/providers/Microsoft.Network/virtualNetworks/vnet2`, permissions: role("Network Contributor") }], JOIN, SUBNET));
  });
});

describe("filters and ids", () => {
  test("role assignment $filter", () => {
    assert.deepEqual(parseAssignmentFilter("atScope()"), { atScope: true });
    assert.deepEqual(parseAssignmentFilter("principalId eq 'abc'"), { atScope: false, principalId: "abc" });
    assert.deepEqual(parseAssignmentFilter("atScope() and assignedTo('x')"), { atScope: true, principalId: "x" });
  });
  test("role definition $filter and ids", () => {
    const recs = BUILTIN_ROLES.map((r) => builtInRoleRecordAt(SUB, r.name)!);
    assert.deepEqual(filterRoleDefinitions(recs, "roleName eq 'Network Contributor'").map((r) => r.name), ["4d97b98b-1d4f-4787-a291-c67834d212e7"]);
    assert.equal(filterRoleDefinitions(recs, "type eq 'BuiltInRole'").length, recs.length);
    assert.equal(filterRoleDefinitions(recs, "type eq 'CustomRole'").length, 0);
    assert.equal(roleDefinitionGuid(`${SUB}/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7`), "4d97b98b-1d4f-4787-a291-c67834d212e7");
    assert.equal(roleDefinitionGuid("/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"), "acdd72a7-3385-48ef-bd42-f606fba81ae7");
    assert.equal(roleDefinitionGuid("/providers/Microsoft.Authorization/roleDefinitions/nope"), undefined);
    assert.equal(builtInRoleRecordAt(RG, "4d97b98b-1d4f-4787-a291-c67834d212e7")!.id, `${SUB}/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7`);
  });
  test("required built-in roles are present with their real GUIDs", () => {
    const want: Record<string, string> = {
      Owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
      Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
      Reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
      "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
      "Network Contributor": "4d97b98b-1d4f-4787-a291-c67834d212e7",
      "Private DNS Zone Contributor": "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
      "Managed Identity Operator": "f1a07417-d97a-45cb-824c-7a7467783830",
      "Azure Kubernetes Service Cluster User Role": "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
      "Azure Kubernetes Service Cluster Admin Role": "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8",
      "Azure Kubernetes Service Contributor Role": "ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8",
      "Azure Kubernetes Service RBAC Admin": "3498e952-d568-435e-9b2c-8d77e338d7f7",
      "Azure Kubernetes Service RBAC Cluster Admin": "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    };
    for (const [n, g] of Object.entries(want)) assert.equal(findBuiltInRole(g)?.roleName, n);
    assert.equal(new Set(BUILTIN_ROLES.map((r) => r.name)).size, BUILTIN_ROLES.length);
  });
});

describe("can() over a store", () => {
  const dir = tempDir("aksemu-rbac-");
  const store = SqliteStore.open(path.join(dir, "state.db"));
  after(() => store.close());
  const env = { store, tenantId: "00000000-0000-0000-0000-000000000001", subscriptionId: "00000000-0000-0000-0000-000000000000", now: () => new Date() } as unknown as ArmEnv;
  const caller = { objectId: "11111111-1111-1111-1111-111111111111", appId: "test", tenantId: env.tenantId };
  const identity = "22222222-2222-2222-2222-222222222222";
  // Register the provider so src/arm/rbac.ts can() delegates to it.
  authorizationProvider.register({ env, registerType() {}, addRoutes() {}, addReconciler() {}, onStart() {}, onStop() {} } as unknown as ProviderHost);

  async function assign(scope: string, guid: string, roleGuid: string, principalId = identity): Promise<void> {
    await store.txn((tx) => {
      const id = `${scope === "/" ? "" : scope}/providers/Microsoft.Authorization/roleAssignments/${guid}`;
      const ctx: WriteCtx = {
        env, tx, id, parsed: parseId(id)!, apiVersion: "2022-04-01", principal: caller, caller: { principal: caller, correlationId: "test", origin: "https://127.0.0.1" },
        body: { properties: { roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`, principalId } },
      };
      putRecord(tx, roleAssignmentStrategy.put(ctx));
    });
  }

  test("no assignment, no permission", async () => {
    await store.txn((tx) => putServicePrincipal(tx, { id: identity, appId: "33333333-3333-3333-3333-333333333333", displayName: "id", servicePrincipalType: "ManagedIdentity", createdDateTime: new Date().toISOString() }));
    assert.equal(can(store, identity, JOIN, SUBNET), false);
  });
  test("Reader on the RG does not allow join; Network Contributor on the VNet does", async () => {
    await assign(RG, "aaaaaaaa-0000-0000-0000-000000000001", "acdd72a7-3385-48ef-bd42-f606fba81ae7");
    assert.equal(can(store, identity, JOIN, SUBNET), false);
    assert.equal(can(store, identity, "Microsoft.Network/virtualNetworks/subnets/read", SUBNET), true);
    await assign(VNET, "aaaaaaaa-0000-0000-0000-000000000002", "4d97b98b-1d4f-4787-a291-c67834d212e7");
    assert.equal(can(store, identity, JOIN, SUBNET), true);
    assert.equal(can(store, identity, JOIN, `${RG}/providers/Microsoft.Network/virtualNetworks/other/subnets/s`), false);
    assert.equal(can(store, identity.toUpperCase(), JOIN, SUBNET.toUpperCase()), true, "ids compare case-insensitively");
    assert.equal(can(store, "44444444-4444-4444-4444-444444444444", JOIN, SUBNET), false, "other principals are unaffected");
  });
  test("listing semantics: atScope() is at-or-above, no filter adds below", () => {
    const atScope = listAssignmentsAt(store, VNET, "atScope()").map((r) => r.name).sort();
    assert.deepEqual(atScope, ["aaaaaaaa-0000-0000-0000-000000000001", "aaaaaaaa-0000-0000-0000-000000000002"]);
    assert.deepEqual(listAssignmentsAt(store, RG, "atScope()").map((r) => r.name), ["aaaaaaaa-0000-0000-0000-000000000001"]);
    assert.equal(listAssignmentsAt(store, RG, undefined).length, 2);
    assert.equal(listAssignmentsAt(store, SUB, `principalId eq '${identity}'`).length, 2);
    assert.equal(listAssignmentsAt(store, SUB, "principalId eq '55555555-5555-5555-5555-555555555555'").length, 0);
  });
  test("a record removed by a cascade (deleteRecordTree) no longer grants", async () => {
    await store.txn((tx) => tx.deletePrefix(`res:${VNET.toLowerCase()}`));
    assert.equal(can(store, identity, JOIN, SUBNET), false);
  });
});
