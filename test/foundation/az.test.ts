// The real Azure CLI (Debian's azure-cli 2.45 in CI) against the emulator, set up by
// `aksemu setup az`: groups, identities, role assignments (assignee resolved through Graph),
// preview features and provider registration.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { randomUUID } from "node:crypto";
import { startEmulator, eventually, SUBSCRIPTION_ID, TENANT_ID, type RunningEmulator } from "../helpers/emulator.js";
import { setupAz, findAz, type Az, type AzResult } from "../helpers/az.js";
import { shutdown } from "./util.js";

const SUB = `/subscriptions/${SUBSCRIPTION_ID}`;
const NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7";
const AZ = fs.existsSync("/usr/bin/az") ? "/usr/bin/az" : findAz();
const SKIP = AZ ? false : "az is not installed (/usr/bin/az missing; CI installs Debian's azure-cli through .ci/run)";
/** Debian bookworm's azure-cli 2.45 ships a newer azure-mgmt-authorization whose operation groups have `_config`, not `config`. */
const DEBIAN_AUTHZ_BUG = /object has no attribute 'config'/;

let emu: RunningEmulator | undefined;
let az: Az;
/** The identity created by the first test (az identity create output). */
let ident: { id: string; name: string; clientId: string; principalId: string; tenantId: string };

function json(r: AzResult, what: string): any {
  assert.equal(r.code, 0, `${what} failed (${r.code}):\n${r.stderr}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
}

before(async () => {
  if (SKIP) return;
  emu = await startEmulator();
  ({ az } = await setupAz(emu, { azPath: AZ }));
});
after(async () => {
  await shutdown(emu);
});

test("az: account, group, identity", { skip: SKIP }, async () => {
  const account = json(await az(["account", "show", "-o", "json"]), "az account show");
  assert.equal(account.id, SUBSCRIPTION_ID);
  assert.equal(account.tenantId, TENANT_ID);
  assert.equal(account.user.type, "servicePrincipal");

  const rg = json(await az(["group", "create", "-n", "az-rg", "-l", "eastus", "-o", "json"]), "az group create");
  assert.equal(rg.id, `${SUB}/resourceGroups/az-rg`);
  assert.equal(rg.properties.provisioningState, "Succeeded");

  ident = json(await az(["identity", "create", "-g", "az-rg", "-n", "az-id", "-o", "json"]), "az identity create");
  assert.equal(ident.name, "az-id");
  assert.equal(ident.id, `${SUB}/resourceGroups/az-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/az-id`);
  assert.equal(ident.tenantId, TENANT_ID);
  assert.match(ident.clientId, /^[0-9a-f-]{36}$/);
  const listed = json(await az(["identity", "list", "-g", "az-rg", "-o", "json"]), "az identity list");
  assert.deepEqual(listed.map((i: any) => [i.name, i.principalId]), [["az-id", ident.principalId]]);
});

test("az: role assignment create --assignee <client-id> --role 'Network Contributor' --scope <identity id>", { skip: SKIP }, async (t) => {
  assert.ok(ident, "the identity from the first test");
  // az resolves --assignee through Microsoft Graph (servicePrincipals?$filter=servicePrincipalNames/any(...)).
  const sp = json(await az(["ad", "sp", "list", "--filter", `servicePrincipalNames/any(c:c eq '${ident.clientId}')`, "-o", "json"]), "az ad sp list");
  assert.equal(sp.length, 1);
  assert.equal(sp[0].id, ident.principalId);

  const created = await az(["role", "assignment", "create", "--assignee", ident.clientId, "--role", "Network Contributor", "--scope", ident.id, "-o", "json"]);
  let assignment: any;
  if (created.code === 0) {
    assignment = JSON.parse(created.stdout);
  } else if (DEBIAN_AUTHZ_BUG.test(created.stderr)) {
    // Client-side crash before any ARM call (Azure/azure-cli#24959, #26896): Debian's az 2.45 role
    // commands cannot run against any cloud. Do what it would have sent, through az itself.
    t.diagnostic("Debian azure-cli 2.45: `az role assignment create` crashes client-side ('...Operations' object has no attribute 'config', " +
      "Azure/azure-cli#24959); creating the same assignment with `az rest` instead");
    const defs = json(await az(["rest", "--method", "get", "--url", `${SUB}/providers/Microsoft.Authorization/roleDefinitions?$filter=roleName eq 'Network Contributor'&api-version=2022-04-01`, "-o", "json"]), "az rest roleDefinitions");
    assert.equal(defs.value.length, 1);
    const body = JSON.stringify({ properties: { roleDefinitionId: defs.value[0].id, principalId: sp[0].id, principalType: "ServicePrincipal" } });
    const name = randomUUID();
    assignment = json(await az(["rest", "--method", "put", "--url", `${ident.id}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=2022-04-01`, "--body", body, "-o", "json"]), "az rest PUT roleAssignment");
    // A second assignment of the same role to the same principal at the same scope: 409.
    const dup = await az(["rest", "--method", "put", "--url", `${ident.id}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?api-version=2022-04-01`, "--body", body]);
    assert.notEqual(dup.code, 0);
    assert.match(dup.stderr, /RoleAssignmentExists/);
    assert.match(dup.stderr, /The role assignment already exists\./);
  } else {
    assert.fail(`az role assignment create failed (${created.code}):\n${created.stderr}`);
  }
  const props = assignment.properties ?? assignment;
  assert.equal(props.principalId, ident.principalId);
  assert.equal(props.principalType, "ServicePrincipal");
  assert.equal(props.roleDefinitionId, `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${NETWORK_CONTRIBUTOR}`);
  assert.equal(props.scope, ident.id);

  // The assignment is visible at the identity's scope for that principal.
  const visible = (await emu!.request("GET", `${ident.id}/providers/Microsoft.Authorization/roleAssignments?$filter=${encodeURIComponent(`principalId eq '${ident.principalId}'`)}&api-version=2022-04-01`)).body;
  assert.equal(visible.value.length, 1);
  assert.equal(visible.value[0].properties.roleDefinitionId, props.roleDefinitionId);
});

test("az: feature register/show reaches Registered; provider register reaches Registered", { skip: SKIP }, async () => {
  // Independent commands, run side by side to keep the suite short.
  const [regOut, p] = await Promise.all([
    az(["feature", "register", "--namespace", "Microsoft.ContainerService", "--name", "EnableAPIServerVnetIntegrationPreview", "-o", "json"]),
    az(["provider", "register", "-n", "Microsoft.ManagedIdentity"]),
  ]);
  const reg = json(regOut, "az feature register");
  assert.equal(reg.name, "Microsoft.ContainerService/EnableAPIServerVnetIntegrationPreview");
  assert.match(regOut.stderr, /invoking 'az provider register -n Microsoft\.ContainerService' is required/);
  await eventually(async () => {
    const f = json(await az(["feature", "show", "--namespace", "Microsoft.ContainerService", "--name", "EnableAPIServerVnetIntegrationPreview", "-o", "json"]), "az feature show");
    return f.properties.state === "Registered";
  }, "az feature show to report Registered", 30_000, 200);

  assert.equal(p.code, 0, p.stderr);
  await eventually(async () => {
    const r = await az(["provider", "show", "-n", "Microsoft.ManagedIdentity", "--query", "registrationState", "-o", "tsv"]);
    return r.code === 0 && r.stdout.trim() === "Registered";
  }, "az provider show to report Registered", 30_000, 200);
});

test("az: identity delete and group delete", { skip: SKIP }, async () => {
  assert.equal((await az(["identity", "delete", "-g", "az-rg", "-n", "az-id"])).code, 0);
  const gone = await az(["identity", "show", "-g", "az-rg", "-n", "az-id"]);
  assert.notEqual(gone.code, 0);
  assert.match(gone.stderr, /ResourceNotFound/);
  const sps = (await emu!.request("GET", `/v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${ident.clientId}'`)}`)).body.value;
  assert.equal(sps.length, 0, "the identity's service principal is gone");
  assert.equal((await az(["group", "delete", "-n", "az-rg", "--yes"])).code, 0);
  assert.equal((await emu!.request("GET", `${SUB}/resourcegroups/az-rg?api-version=2021-04-01`)).status, 404);
});
