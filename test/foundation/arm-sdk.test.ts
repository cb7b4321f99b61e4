// Foundation over HTTPS with the real Azure SDKs for JavaScript: resource groups, providers,
// features, user-assigned identities (and their directory principals), role definitions and
// role assignments, against a real emulator process.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { ResourceManagementClient } from "@azure/arm-resources";
import { FeatureClient } from "@azure/arm-features";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { startEmulator, eventually, SUBSCRIPTION_ID, TENANT_ID, type RunningEmulator } from "../helpers/emulator.js";
import { shutdown } from "./util.js";

const SUB = `/subscriptions/${SUBSCRIPTION_ID}`;
const NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7";
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const roleDefId = (guid: string) => `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function rejects(p: Promise<unknown>): Promise<{ statusCode?: number; code?: string; message: string; details?: unknown }> {
  try {
    await p;
  } catch (e) {
    return e as { statusCode?: number; code?: string; message: string };
  }
  assert.fail("expected the call to fail");
}

describe("Azure SDK for JS against the emulator", () => {
  let emu: RunningEmulator;
  let resources: ResourceManagementClient;
  let msi: ManagedServiceIdentityClient;
  let authz: AuthorizationManagementClient;
  let features: FeatureClient;

  before(async () => {
    emu = await startEmulator();
    const cred = emu.credential();
    resources = new ResourceManagementClient(cred, SUBSCRIPTION_ID, emu.sdkOptions());
    msi = new ManagedServiceIdentityClient(cred, SUBSCRIPTION_ID, emu.sdkOptions());
    authz = new AuthorizationManagementClient(cred, SUBSCRIPTION_ID, emu.sdkOptions());
    features = new FeatureClient(cred, SUBSCRIPTION_ID, emu.sdkOptions());
  });
  after(async () => {
    await shutdown(emu);
  });

  const graphSp = async (appId: string) => (await emu.request("GET", `/v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${appId}'`)}`)).body.value as any[];

  test("resource groups: create, read (case-insensitive), update, list, delete", async () => {
    const created = await resources.resourceGroups.createOrUpdate("sdk-rg1", { location: "eastus", tags: { a: "1" } });
    assert.equal(created.id, `${SUB}/resourceGroups/sdk-rg1`);
    assert.equal(created.properties?.provisioningState, "Succeeded");
    const got = await resources.resourceGroups.get("SDK-RG1");
    assert.equal(got.name, "sdk-rg1");
    assert.deepEqual(got.tags, { a: "1" });
    await resources.resourceGroups.update("sdk-rg1", { tags: { b: "2" } });
    assert.deepEqual((await resources.resourceGroups.get("sdk-rg1")).tags, { b: "2" });
    assert.ok((await collect(resources.resourceGroups.list())).some((g) => g.name === "sdk-rg1"));
    assert.equal((await resources.resourceGroups.checkExistence("sdk-rg1")).body, true);
    await resources.resourceGroups.beginDeleteAndWait("sdk-rg1", { updateIntervalInMs: 20 });
    const e = await rejects(resources.resourceGroups.get("sdk-rg1"));
    assert.equal(e.statusCode, 404);
    assert.equal(e.code, "ResourceGroupNotFound");
  });

  test("user-assigned identities: create 201 / update 200, ids kept, principal in the directory, list, patch, delete", async () => {
    await resources.resourceGroups.createOrUpdate("sdk-id-rg", { location: "westeurope" });
    const raw = await emu.request("PUT", `${SUB}/resourceGroups/sdk-id-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/raw1?api-version=2023-01-31`, { location: "westeurope" });
    assert.equal(raw.status, 201);
    assert.equal((await emu.request("PUT", `${SUB}/resourceGroups/sdk-id-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/raw1?api-version=2023-01-31`, { location: "westeurope" })).status, 200);

    const id = await msi.userAssignedIdentities.createOrUpdate("sdk-id-rg", "uami1", { location: "westeurope", tags: { k: "v" } });
    assert.equal(id.id, `${SUB}/resourceGroups/sdk-id-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami1`);
    assert.equal(id.type, "Microsoft.ManagedIdentity/userAssignedIdentities");
    assert.equal(id.location, "westeurope");
    assert.equal(id.tenantId, TENANT_ID);
    assert.match(id.principalId!, /^[0-9a-f-]{36}$/);
    assert.match(id.clientId!, /^[0-9a-f-]{36}$/);
    const again = await msi.userAssignedIdentities.createOrUpdate("sdk-id-rg", "UAMI1", { location: "westeurope", tags: { k: "v2" } });
    assert.equal(again.principalId, id.principalId, "principalId kept on update");
    assert.equal(again.clientId, id.clientId, "clientId kept on update");
    assert.deepEqual(again.tags, { k: "v2" });
    assert.equal(again.name, "UAMI1", "the casing last supplied is kept");

    const sps = await graphSp(id.clientId!);
    assert.equal(sps.length, 1);
    assert.equal(sps[0].id, id.principalId);
    assert.equal(sps[0].servicePrincipalType, "ManagedIdentity");
    assert.ok((sps[0].alternativeNames as string[]).some((n) => n.toLowerCase() === id.id!.toLowerCase()));

    const patched = await msi.userAssignedIdentities.update("sdk-id-rg", "uami1", { tags: { p: "1" } });
    assert.deepEqual(patched.tags, { p: "1" });
    assert.equal(patched.principalId, id.principalId);

    assert.deepEqual((await collect(msi.userAssignedIdentities.listByResourceGroup("sdk-id-rg"))).map((x) => x.name!.toLowerCase()).sort(), ["raw1", "uami1"]);
    assert.ok((await collect(msi.userAssignedIdentities.listBySubscription())).some((x) => x.name === "UAMI1"));
    const old = await emu.request("GET", `${SUB}/resourceGroups/sdk-id-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami1?api-version=2018-11-30`);
    assert.equal(old.status, 200);
    assert.equal(old.body.properties.clientId, id.clientId);

    await msi.userAssignedIdentities.delete("sdk-id-rg", "uami1");
    assert.equal((await rejects(msi.userAssignedIdentities.get("sdk-id-rg", "uami1"))).statusCode, 404);
    assert.equal((await graphSp(id.clientId!)).length, 0, "the principal went with the identity");
    const del = await emu.request("DELETE", `${SUB}/resourceGroups/sdk-id-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami1?api-version=2023-01-31`);
    assert.equal(del.status, 204);
  });

  test("federated identity credentials (child of an identity)", async () => {
    await resources.resourceGroups.createOrUpdate("sdk-fic", { location: "eastus" });
    await msi.userAssignedIdentities.createOrUpdate("sdk-fic", "wid", { location: "eastus" });
    const fic = await msi.federatedIdentityCredentials.createOrUpdate("sdk-fic", "wid", "kube", {
      issuer: "https://oidc.example/issuer",
      subject: "system:serviceaccount:default:app",
      audiences: ["api://AzureADTokenExchange"],
    });
    assert.equal(fic.name, "kube");
    assert.equal(fic.type, "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials");
    assert.equal(fic.subject, "system:serviceaccount:default:app");
    assert.deepEqual((await collect(msi.federatedIdentityCredentials.list("sdk-fic", "wid"))).map((f) => f.name), ["kube"]);
    const noIssuer = await rejects(msi.federatedIdentityCredentials.createOrUpdate("sdk-fic", "wid", "bad", { subject: "s" } as never));
    assert.equal(noIssuer.statusCode, 400);
    const orphan = await rejects(msi.federatedIdentityCredentials.createOrUpdate("sdk-fic", "nope", "x", { issuer: "https://i", subject: "s", audiences: ["a"] }));
    assert.equal(orphan.statusCode, 404);
    assert.equal(orphan.code, "ParentResourceNotFound");
  });

  test("resource-group cascade delete removes identities and their principals", async () => {
    await resources.resourceGroups.createOrUpdate("sdk-cascade", { location: "eastus" });
    const a = await msi.userAssignedIdentities.createOrUpdate("sdk-cascade", "id-a", { location: "eastus" });
    const b = await msi.userAssignedIdentities.createOrUpdate("sdk-cascade", "id-b", { location: "eastus" });
    assert.equal((await graphSp(a.clientId!)).length, 1);
    await resources.resourceGroups.beginDeleteAndWait("sdk-cascade", { updateIntervalInMs: 20 });
    assert.equal((await graphSp(a.clientId!)).length, 0);
    assert.equal((await graphSp(b.clientId!)).length, 0);
    assert.ok(!(await collect(msi.userAssignedIdentities.listBySubscription())).some((x) => x.name === "id-a" || x.name === "id-b"));
    const sp = await emu.request("GET", `/v1.0/servicePrincipals/${a.principalId}`);
    assert.equal(sp.status, 404);
  });

  test("role definitions: built-ins readable at any scope and listable by name/type", async () => {
    await resources.resourceGroups.createOrUpdate("sdk-rd", { location: "eastus" });
    const atSub = await authz.roleDefinitions.get(SUB, NETWORK_CONTRIBUTOR);
    assert.equal(atSub.roleName, "Network Contributor");
    assert.equal(atSub.roleType, "BuiltInRole");
    assert.equal(atSub.id, roleDefId(NETWORK_CONTRIBUTOR));
    assert.ok(atSub.permissions![0]!.actions!.includes("Microsoft.Network/*"));
    const atRg = await authz.roleDefinitions.get(`${SUB}/resourceGroups/sdk-rd`, READER);
    assert.equal(atRg.roleName, "Reader");
    const byName = await collect(authz.roleDefinitions.list(`${SUB}/resourceGroups/sdk-rd`, { filter: "roleName eq 'Azure Kubernetes Service Cluster User Role'" }));
    assert.deepEqual(byName.map((r) => r.name), ["4abbcc35-e782-43d8-92c5-2d3f1bd2253f"]);
    const builtIns = await collect(authz.roleDefinitions.list(SUB, { filter: "type eq 'BuiltInRole'" }));
    assert.ok(builtIns.length >= 12);
    const root = await emu.request("GET", `/providers/Microsoft.Authorization/roleDefinitions/${NETWORK_CONTRIBUTOR}?api-version=2022-04-01`);
    assert.equal(root.status, 200);
    assert.equal(root.body.id, `/providers/Microsoft.Authorization/roleDefinitions/${NETWORK_CONTRIBUTOR}`);
    const missing = await rejects(authz.roleDefinitions.get(SUB, randomUUID()));
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.code, "RoleDefinitionDoesNotExist");
  });

  test("role assignments: create by object id, read, list, duplicates, errors, delete", async () => {
    await resources.resourceGroups.createOrUpdate("sdk-ra", { location: "eastus" });
    const ident = await msi.userAssignedIdentities.createOrUpdate("sdk-ra", "worker", { location: "eastus" });
    const scope = ident.id!;
    const name = randomUUID();
    const created = await authz.roleAssignments.create(scope, name, { roleDefinitionId: roleDefId(NETWORK_CONTRIBUTOR), principalId: ident.principalId! });
    assert.equal(created.name, name);
    assert.equal(created.id, `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`);
    assert.equal(created.type, "Microsoft.Authorization/roleAssignments");
    assert.equal(created.scope, scope);
    assert.equal(created.principalType, "ServicePrincipal", "principalType filled from the directory");
    assert.equal(created.roleDefinitionId, roleDefId(NETWORK_CONTRIBUTOR));
    assert.ok(created.createdOn && created.updatedOn && created.createdBy && created.updatedBy);

    // Identical PUT: 200; raw status codes.
    const body = { properties: { roleDefinitionId: roleDefId(NETWORK_CONTRIBUTOR), principalId: ident.principalId, principalType: "ServicePrincipal" } };
    const same = await emu.request("PUT", `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=2022-04-01`, body);
    assert.equal(same.status, 200);
    // Root-form roleDefinitionId is accepted and echoed in the subscription form.
    const rootForm = await emu.request("PUT", `${SUB}/resourceGroups/sdk-ra/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?api-version=2022-04-01`, {
      properties: { roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${READER}`, principalId: ident.principalId },
    });
    assert.equal(rootForm.status, 201);
    assert.equal(rootForm.body.properties.roleDefinitionId, roleDefId(READER));
    assert.equal(rootForm.body.properties.scope, `${SUB}/resourceGroups/sdk-ra`);

    const got = await authz.roleAssignments.get(scope, name);
    assert.equal(got.principalId, ident.principalId);
    const byId = await authz.roleAssignments.getById(created.id!);
    assert.equal(byId.name, name);

    // Duplicate principal+role+scope under another name → 409 RoleAssignmentExists.
    const dup = await rejects(authz.roleAssignments.create(scope, randomUUID(), { roleDefinitionId: roleDefId(NETWORK_CONTRIBUTOR), principalId: ident.principalId! }));
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.code, "RoleAssignmentExists");
    assert.equal(dup.message, "The role assignment already exists.");
    // Same name, other principal → RoleAssignmentUpdateNotPermitted.
    const other = await msi.userAssignedIdentities.createOrUpdate("sdk-ra", "other", { location: "eastus" });
    const upd = await rejects(authz.roleAssignments.create(scope, name, { roleDefinitionId: roleDefId(NETWORK_CONTRIBUTOR), principalId: other.principalId! }));
    assert.equal(upd.statusCode, 400);
    assert.equal(upd.code, "RoleAssignmentUpdateNotPermitted");
    // Same name at another scope → RoleAssignmentUpdateNotPermitted.
    const moved = await rejects(authz.roleAssignments.create(`${SUB}/resourceGroups/sdk-ra`, name, { roleDefinitionId: roleDefId(NETWORK_CONTRIBUTOR), principalId: ident.principalId! }));
    assert.equal(moved.code, "RoleAssignmentUpdateNotPermitted");

    // Lists: at scope (atScope()), for the principal, at subscription.
    const atScope = await collect(authz.roleAssignments.listForScope(scope, { filter: "atScope()" }));
    assert.deepEqual(atScope.map((a) => a.name).sort(), [name, rootForm.body.name].sort(), "the RG-level one is above the identity");
    const forPrincipal = await collect(authz.roleAssignments.listForScope(SUB, { filter: `principalId eq '${ident.principalId}'` }));
    assert.equal(forPrincipal.length, 2);
    const rgAtScope = await collect(authz.roleAssignments.listForScope(`${SUB}/resourceGroups/sdk-ra`, { filter: "atScope()" }));
    assert.deepEqual(rgAtScope.map((a) => a.name), [rootForm.body.name], "the identity-level one is below the RG");
    const all = await collect(authz.roleAssignments.listForSubscription());
    assert.ok(all.some((a) => a.name === name));
    const inRg = await collect(authz.roleAssignments.listForResourceGroup("sdk-ra"));
    assert.equal(inRg.length, 2);

    // Unknown principal without principalType → PrincipalNotFound (verbatim).
    const ghost = randomUUID();
    const pnf = await rejects(authz.roleAssignments.create(scope, randomUUID(), { roleDefinitionId: roleDefId(READER), principalId: ghost }));
    assert.equal(pnf.statusCode, 400);
    assert.equal(pnf.code, "PrincipalNotFound");
    assert.equal(
      pnf.message,
      `Principal ${ghost.replace(/-/g, "")} does not exist in the directory ${TENANT_ID}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
    );
    // ...but with a principalType it is accepted (replication-delay semantics).
    const withType = await authz.roleAssignments.create(scope, randomUUID(), { roleDefinitionId: roleDefId(READER), principalId: ghost, principalType: "User" });
    assert.equal(withType.principalType, "User");
    // Wrong principalType for a known principal.
    const unmatched = await rejects(authz.roleAssignments.create(`${SUB}/resourceGroups/sdk-ra`, randomUUID(), { roleDefinitionId: roleDefId(NETWORK_CONTRIBUTOR), principalId: ident.principalId!, principalType: "User" }));
    assert.equal(unmatched.code, "UnmatchedPrincipalType");

    // Bad names and ids.
    const badName = await emu.request("PUT", `${scope}/providers/Microsoft.Authorization/roleAssignments/not-a-guid?api-version=2022-04-01`, body);
    assert.equal(badName.status, 400);
    assert.deepEqual(badName.body, { error: { code: "InvalidRoleAssignmentId", message: "The role assignment ID 'not-a-guid' is not valid. The role assignment ID must be a GUID." } });
    assert.equal((await emu.request("DELETE", `${scope}/providers/Microsoft.Authorization/roleAssignments/not-a-guid?api-version=2022-04-01`)).body.error.code, "InvalidRoleAssignmentId");
    const badPrincipal = await emu.request("PUT", `${scope}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?api-version=2022-04-01`, { properties: { roleDefinitionId: roleDefId(READER), principalId: "bob" } });
    assert.equal(badPrincipal.status, 400);
    assert.equal(badPrincipal.body.error.code, "InvalidPrincipalId");
    assert.equal(badPrincipal.body.error.message, "The Principal ID 'bob' is not valid. Principal ID must be a GUID.");
    const noRole = await rejects(authz.roleAssignments.create(scope, randomUUID(), { roleDefinitionId: roleDefId("00000000-1111-2222-3333-444444444444"), principalId: ident.principalId! }));
    assert.equal(noRole.statusCode, 400);
    assert.equal(noRole.code, "RoleDefinitionDoesNotExist");
    assert.equal(noRole.message, "The specified role definition with ID '00000000-1111-2222-3333-444444444444' does not exist.");
    // Role assignment on a scope that does not exist → 404.
    const nowhere = await rejects(authz.roleAssignments.create(`${SUB}/resourceGroups/sdk-ra/providers/Microsoft.Network/virtualNetworks/nope`, randomUUID(), { roleDefinitionId: roleDefId(READER), principalId: ident.principalId! }));
    assert.equal(nowhere.statusCode, 404);
    const nowhereRg = await rejects(authz.roleAssignments.create(`${SUB}/resourceGroups/no-such-rg`, randomUUID(), { roleDefinitionId: roleDefId(READER), principalId: ident.principalId! }));
    assert.equal(nowhereRg.statusCode, 404);
    assert.equal(nowhereRg.code, "ResourceGroupNotFound");
    const missing = await rejects(authz.roleAssignments.get(scope, randomUUID()));
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.code, "RoleAssignmentNotFound");

    // Delete: 200 with the deleted assignment, then 204.
    const deleted = await emu.request("DELETE", `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=2022-04-01`);
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.name, name);
    assert.equal(deleted.body.properties.principalId, ident.principalId);
    assert.equal((await emu.request("DELETE", `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=2022-04-01`)).status, 204);
    // After the delete the same principal+role+scope can be assigned again under a new name.
    const re = await authz.roleAssignments.create(scope, randomUUID(), { roleDefinitionId: roleDefId(NETWORK_CONTRIBUTOR), principalId: ident.principalId! });
    assert.equal(re.principalId, ident.principalId);
    // Deleting the identity removes the assignments on it (extension resources go with their scope).
    await msi.userAssignedIdentities.delete("sdk-ra", "worker");
    assert.equal((await emu.request("GET", `${re.id}?api-version=2022-04-01`)).status, 404);
  });

  test("custom role definitions: PUT, read at a lower scope, list by type, assign, delete", async () => {
    await resources.resourceGroups.createOrUpdate("sdk-custom", { location: "eastus" });
    const guid = randomUUID();
    const def = await authz.roleDefinitions.createOrUpdate(SUB, guid, {
      roleName: "Subnet Joiner",
      description: "join subnets",
      roleType: "CustomRole",
      permissions: [{ actions: ["Microsoft.Network/virtualNetworks/subnets/join/action"], notActions: [] }],
      assignableScopes: [SUB],
    });
    assert.equal(def.name, guid);
    assert.equal(def.roleType, "CustomRole");
    const below = await authz.roleDefinitions.get(`${SUB}/resourceGroups/sdk-custom`, guid);
    assert.equal(below.roleName, "Subnet Joiner");
    const customs = await collect(authz.roleDefinitions.list(SUB, { filter: "type eq 'CustomRole'" }));
    assert.deepEqual(customs.map((r) => r.name), [guid]);
    const clash = await rejects(authz.roleDefinitions.createOrUpdate(SUB, randomUUID(), { roleName: "Subnet Joiner", permissions: [{ actions: ["*/read"] }], assignableScopes: [SUB] }));
    assert.equal(clash.statusCode, 400);
    const builtIn = await rejects(authz.roleDefinitions.createOrUpdate(SUB, READER, { roleName: "Mine", permissions: [{ actions: ["*"] }], assignableScopes: [SUB] }));
    assert.equal(builtIn.statusCode, 400);
    const ident = await msi.userAssignedIdentities.createOrUpdate("sdk-custom", "joiner", { location: "eastus" });
    const ra = await authz.roleAssignments.create(`${SUB}/resourceGroups/sdk-custom`, randomUUID(), { roleDefinitionId: roleDefId(guid), principalId: ident.principalId! });
    assert.equal(ra.roleDefinitionId, roleDefId(guid));
    const deleted = await authz.roleDefinitions.delete(SUB, guid);
    assert.equal(deleted.name, guid);
    assert.equal((await rejects(authz.roleDefinitions.get(SUB, guid))).code, "RoleDefinitionDoesNotExist");
  });

  test("providers: register → Registered (bounded polling)", async () => {
    const p = await resources.providers.register("Microsoft.ManagedIdentity");
    assert.equal(p.namespace, "Microsoft.ManagedIdentity");
    assert.ok(["Registering", "Registered"].includes(p.registrationState!));
    const done = await eventually(async () => {
      const cur = await resources.providers.get("Microsoft.ManagedIdentity");
      return cur.registrationState === "Registered" ? cur : undefined;
    }, "Microsoft.ManagedIdentity to reach Registered", 20_000, 50);
    assert.ok(done.resourceTypes!.some((t) => t.resourceType === "userAssignedIdentities"));
    const authzProv = await resources.providers.get("Microsoft.Authorization");
    assert.ok(authzProv.resourceTypes!.some((t) => t.resourceType === "roleAssignments"));
  });

  test("features: EnableAPIServerVnetIntegrationPreview register → Registered (bounded polling)", async () => {
    const r = await features.features.register("Microsoft.ContainerService", "EnableAPIServerVnetIntegrationPreview");
    assert.equal(r.name, "Microsoft.ContainerService/EnableAPIServerVnetIntegrationPreview");
    assert.ok(["Registering", "Registered"].includes(r.properties!.state!));
    const done = await eventually(async () => {
      const f = await features.features.get("Microsoft.ContainerService", "EnableAPIServerVnetIntegrationPreview");
      return f.properties?.state === "Registered" ? f : undefined;
    }, "the feature to reach Registered", 20_000, 50);
    assert.equal(done.type, "Microsoft.Features/providers/features");
    assert.equal(done.id, `${SUB}/providers/Microsoft.Features/providers/Microsoft.ContainerService/features/EnableAPIServerVnetIntegrationPreview`);
  });
});
