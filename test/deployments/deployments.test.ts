// Microsoft.Resources/deployments over HTTP against a started emulator: the seed's BYO-VNet
// template validated and deployed (every resource through the resource service), deployed again
// with the same names, a failing resource giving DeploymentFailed with the AKS error inside, and
// template errors answered synchronously with InvalidTemplate.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator, type RunningEmulator } from "../helpers/emulator.js";
import { stopEmulator } from "../network/helpers.js";
import { SUB, rgId, registerVnetIntegrationFeature, resourceGroup } from "../aks/helpers.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const TEMPLATE_TEXT = fs.readFileSync(path.join(ROOT, "test/fixtures/templates/byo-vnet.json"), "utf8");
const TEMPLATE = JSON.parse(TEMPLATE_TEXT);
const API = "2022-09-01";
const RG = "rg-deploy";
const dep = (name: string) => `${rgId(RG)}/providers/Microsoft.Resources/deployments/${name}`;

let emu: RunningEmulator;
before(async () => {
  emu = await startEmulator({ latency: "instant" });
  await registerVnetIntegrationFeature(emu);
  await resourceGroup(emu, RG);
});
after(async () => {
  await stopEmulator(emu);
});

/** Follows Azure-AsyncOperation until the deployment ends, then GETs it. */
async function settle(res: { status: number; headers: Record<string, unknown>; text: string }) {
  assert.ok(res.status === 201 || res.status === 200, res.text);
  const u = new URL(String(res.headers["azure-asyncoperation"]));
  for (let i = 0; i < 2000; i++) {
    const s = await emu.request("GET", u.pathname + u.search);
    assert.equal(s.status, 200, s.text);
    if (s.body.status !== "Running") return s.body;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("deployment did not finish");
}

test("validate answers the plan: every resource the template would deploy, parameters echoed", async () => {
  const r = await emu.request("POST", `${dep("byo")}/validate?api-version=${API}`, { properties: { mode: "Incremental", template: TEMPLATE, parameters: { clusterName: { value: "c1" } } } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.properties.provisioningState, "Succeeded");
  assert.equal(r.body.properties.validatedResources.length, 5);
  assert.deepEqual(r.body.properties.parameters.clusterName, { type: "String", value: "c1" });
});

test("the BYO-VNet template deploys through the resource service; a second run is idempotent", async () => {
  // the body as az sends it: the template file's text after an unquoted template key
  const partial = JSON.stringify({ properties: { parameters: { clusterName: { value: "c1" } }, mode: "Incremental" } });
  const body = partial.slice(0, -2) + ", template:" + TEMPLATE_TEXT + "}}";
  const first = await emu.request("PUT", `${dep("byo")}?api-version=${API}`, body);
  assert.equal(first.status, 201, first.text);
  assert.equal(first.body.properties.provisioningState, "Accepted");
  const status = await settle(first);
  assert.equal(status.status, "Succeeded", JSON.stringify(status));
  const d = await emu.request("GET", `${dep("byo")}?api-version=${API}`);
  assert.equal(d.body.properties.provisioningState, "Succeeded");
  assert.equal(d.body.properties.outputs.nodeResourceGroup.value, `MC_${RG}_c1_westus2`);
  assert.ok(d.body.properties.outputs.controlPlaneFQDN.value, JSON.stringify(d.body.properties.outputs));
  assert.equal(d.body.properties.outputResources.length, 5);
  const names: string[] = d.body.properties.outputs.roleAssignmentNames.value;
  for (const [subnet, name] of [["apiserver-subnet", names[0]], ["cluster-subnet", names[1]]]) {
    const ra = await emu.request("GET", `${rgId(RG)}/providers/Microsoft.Network/virtualNetworks/aks-vnet/subnets/${subnet}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=2022-04-01`);
    assert.equal(ra.status, 200, ra.text);
    assert.match(ra.body.properties.roleDefinitionId, /4d97b98b-1d4f-4787-a291-c67834d212e7$/);
  }
  const cluster = await emu.request("GET", `${rgId(RG)}/providers/Microsoft.ContainerService/managedClusters/c1?api-version=2026-06-01`);
  assert.equal(cluster.body.properties.apiServerAccessProfile.enableVnetIntegration, true);
  const ops = await emu.request("GET", `${rgId(RG)}/deployments/byo/operations?api-version=${API}`);
  assert.equal(ops.status, 200, ops.text);
  assert.equal(ops.body.value.length, 5);
  assert.ok(ops.body.value.every((o: any) => o.properties.provisioningState === "Succeeded"));

  const second = await emu.request("PUT", `${dep("byo")}?api-version=${API}`, { properties: { mode: "Incremental", template: TEMPLATE, parameters: { clusterName: { value: "c1" } } } });
  assert.equal(second.status, 200, second.text);
  assert.equal((await settle(second)).status, "Succeeded");
  const again = await emu.request("GET", `${dep("byo")}?api-version=${API}`);
  assert.deepEqual(again.body.properties.outputs.roleAssignmentNames.value, names);
});

test("the same scenario as languageVersion 2.0 symbolic resources (what Bicep emits) deploys, and redeploys with the same names", async () => {
  const symbolic = JSON.parse(fs.readFileSync(path.join(ROOT, "test/fixtures/templates/byo-vnet.symbolic.json"), "utf8"));
  const rg = "rg-deploy-symbolic";
  await resourceGroup(emu, rg);
  const at = `${rgId(rg)}/providers/Microsoft.Resources/deployments/byo2`;
  let names: unknown;
  for (const run of [1, 2]) {
    const r = await emu.request("PUT", `${at}?api-version=${API}`, { properties: { mode: "Incremental", template: symbolic, parameters: { clusterName: { value: "s1" } } } });
    assert.equal(r.status, run === 1 ? 201 : 200, r.text);
    assert.equal((await settle(r)).status, "Succeeded");
    const d = await emu.request("GET", `${at}?api-version=${API}`);
    assert.equal(d.body.properties.outputs.nodeResourceGroup.value, `MC_${rg}_s1_westus2`);
    // existing subnets are read, not written: the deployment writes the VNet, identity, two role assignments and the cluster
    assert.equal(d.body.properties.outputResources.length, 5, JSON.stringify(d.body.properties.outputResources));
    if (run === 1) names = d.body.properties.outputs.roleAssignmentNames.value;
    else assert.deepEqual(d.body.properties.outputs.roleAssignmentNames.value, names);
  }
  const ops = await emu.request("GET", `${rgId(rg)}/deployments/byo2/operations?api-version=${API}`);
  assert.ok(ops.body.value.some((o: any) => o.properties.targetResource.symbolicName === "aks"), "operations name the symbolic resource");
  const cluster = await emu.request("GET", `${rgId(rg)}/providers/Microsoft.ContainerService/managedClusters/s1?api-version=2026-06-01`);
  assert.equal(cluster.body.properties.apiServerAccessProfile.enableVnetIntegration, true);
});

test("the AKS quickstart-style template deploys at resource-group scope: a cluster with a system pool; outputs its FQDN and node resource group", async () => {
  const quickstart = JSON.parse(fs.readFileSync(path.join(ROOT, "test/fixtures/templates/aks-quickstart.json"), "utf8"));
  const r = await emu.request("PUT", `${dep("quickstart")}?api-version=${API}`, { properties: { mode: "Incremental", template: quickstart, parameters: { agentCount: { value: 2 } } } });
  const status = await settle(r);
  assert.equal(status.status, "Succeeded", JSON.stringify(status));
  const d = await emu.request("GET", `${dep("quickstart")}?api-version=${API}`);
  const cluster = await emu.request("GET", `${rgId(RG)}/providers/Microsoft.ContainerService/managedClusters/aks101cluster?api-version=2024-02-01`);
  assert.equal(cluster.status, 200, cluster.text);
  assert.match(cluster.body.properties.fqdn, /^aks101cluster-[a-z2-7]{6}-[0-9a-z]+\.hcp\.westus2\.azmk8s\.io$/);
  assert.deepEqual(d.body.properties.outputs, {
    controlPlaneFQDN: { type: "String", value: cluster.body.properties.fqdn },
    nodeResourceGroup: { type: "String", value: `MC_${RG}_aks101cluster_westus2` },
  });
  assert.deepEqual(cluster.body.properties.agentPoolProfiles.map((p: any) => [p.name, p.mode, p.count]), [["systempool", "System", 2]]);
  const mc = await emu.request("GET", `${rgId(`MC_${RG}_aks101cluster_westus2`)}?api-version=2021-04-01`);
  assert.equal(mc.status, 200, "the node resource group exists");
});

test("a resource that fails (an undelegated API server subnet) fails the deployment with DeploymentFailed and the AKS error inside", async () => {
  const t = structuredClone(TEMPLATE);
  delete t.resources[0].properties.subnets[0].properties.delegations;
  t.parameters.vnetName.defaultValue = "plain-vnet";
  const r = await emu.request("PUT", `${dep("undelegated")}?api-version=${API}`, { properties: { mode: "Incremental", template: t, parameters: { clusterName: { value: "c2" } } } });
  const status = await settle(r);
  assert.equal(status.status, "Failed");
  assert.equal(status.error.code, "DeploymentFailed");
  assert.equal(status.error.message, "At least one resource deployment operation failed. Please list deployment operations for details. Please see https://aka.ms/arm-deployment-operations for usage details.");
  assert.equal(status.error.details.length, 1);
  assert.equal(status.error.details[0].code, "ApiserverSubnetConfigError", JSON.stringify(status.error));
  const ops = await emu.request("GET", `${dep("undelegated")}/operations?api-version=${API}`);
  const failed = ops.body.value.filter((o: any) => o.properties.provisioningState === "Failed");
  assert.equal(failed.length, 1);
  assert.equal(failed[0].properties.targetResource.resourceType, "Microsoft.ContainerService/managedClusters");
});

test("template errors are answered at once: InvalidTemplate for a cycle, a missing parameter, an unknown function", async () => {
  const circular = { resources: [{ type: "Microsoft.Network/virtualNetworks", apiVersion: "2024-05-01", name: "a", location: "westus2", dependsOn: ["b"] }, { type: "Microsoft.Network/virtualNetworks", apiVersion: "2024-05-01", name: "b", location: "westus2", dependsOn: ["a"] }] };
  const r = await emu.request("PUT", `${dep("bad")}?api-version=${API}`, { properties: { mode: "Incremental", template: circular } });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, "InvalidTemplate");
  assert.match(r.body.error.message, /^Deployment template validation failed: 'Circular dependency detected on resource: '\/subscriptions\/.*\/virtualNetworks\/a'\. Please see https:\/\/aka\.ms\/arm-syntax-resources for usage details\.'\.$/);
  const missing = await emu.request("POST", `${dep("bad")}/validate?api-version=${API}`, { properties: { mode: "Incremental", template: TEMPLATE } });
  assert.equal(missing.status, 400);
  assert.match(missing.body.error.message, /The value for the template parameter 'clusterName' at line '\d+' and column '\d+' is not provided/);
  assert.equal(missing.body.error.additionalInfo[0].type, "TemplateViolation");
  const fn = await emu.request("POST", `${dep("bad")}/validate?api-version=${API}`, { properties: { mode: "Incremental", template: { resources: [], outputs: { o: { type: "string", value: "[nope()]" } } } } });
  assert.equal(fn.status, 200, "outputs are evaluated after the deployment, as in Azure");
  const lnk = await emu.request("PUT", `${dep("bad")}?api-version=${API}`, { properties: { mode: "Incremental", templateLink: { uri: "https://example.invalid/t.json" } } });
  assert.equal(lnk.status, 400);
  const none = await emu.request("GET", `${dep("never")}?api-version=${API}`);
  assert.equal(none.status, 404);
  assert.equal(none.body.error.message, "Deployment 'never' could not be found.");
  assert.equal(SUB.length, 36);
});

test("a nested inner-scope deployment (a Bicep module) runs as a child deployment; the parent reads its outputs", async () => {
  const template = {
    languageVersion: "2.0",
    contentVersion: "1.0.0.0",
    parameters: { prefix: { type: "string", defaultValue: "mod" } },
    resources: {
      identityModule: {
        type: "Microsoft.Resources/deployments",
        apiVersion: "2022-09-01",
        name: "identity-module",
        properties: {
          mode: "Incremental",
          expressionEvaluationOptions: { scope: "inner" },
          parameters: { name: { value: "[format('{0}-id', parameters('prefix'))]" } },
          template: {
            contentVersion: "1.0.0.0",
            parameters: { name: { type: "string" } },
            resources: [{ type: "Microsoft.ManagedIdentity/userAssignedIdentities", apiVersion: "2023-01-31", name: "[parameters('name')]", location: "[resourceGroup().location]" }],
            outputs: { principalId: { type: "string", value: "[reference(parameters('name')).principalId]" } },
          },
        },
      },
      vnet: {
        type: "Microsoft.Network/virtualNetworks",
        apiVersion: "2024-05-01",
        name: "[format('{0}-vnet', parameters('prefix'))]",
        location: "[resourceGroup().location]",
        tags: { owner: "[reference('identityModule').outputs.principalId.value]" },
        properties: { addressSpace: { addressPrefixes: ["10.50.0.0/16"] } },
      },
    },
    outputs: { principalId: { type: "string", value: "[reference('identityModule').outputs.principalId.value]" } },
  };
  const r = await emu.request("PUT", `${dep("modules")}?api-version=${API}`, { properties: { mode: "Incremental", template } });
  const status = await settle(r);
  assert.equal(status.status, "Succeeded", JSON.stringify(status));
  const parent = await emu.request("GET", `${dep("modules")}?api-version=${API}`);
  const principalId = parent.body.properties.outputs.principalId.value;
  assert.match(principalId, /^[0-9a-f-]{36}$/);
  const child = await emu.request("GET", `${dep("identity-module")}?api-version=${API}`);
  assert.equal(child.status, 200, child.text);
  assert.equal(child.body.properties.provisioningState, "Succeeded");
  assert.deepEqual(child.body.properties.outputs.principalId, { type: "String", value: principalId });
  const vnet = await emu.request("GET", `${rgId(RG)}/providers/Microsoft.Network/virtualNetworks/mod-vnet?api-version=2024-05-01`);
  assert.equal(vnet.body.tags.owner, principalId, "the VNet waited for the module (implicit dependency through reference('identityModule'))");
  const ops = await emu.request("GET", `${dep("modules")}/operations?api-version=${API}`);
  assert.deepEqual(ops.body.value.map((o: any) => o.properties.targetResource.resourceType).sort(), ["Microsoft.Network/virtualNetworks", "Microsoft.Resources/deployments"]);
});

test("subscription scope: the template creates a resource group and deploys into it through a nested deployment", async () => {
  const template = JSON.parse(fs.readFileSync(path.join(ROOT, "test/fixtures/templates/sub-rg-nested.json"), "utf8"));
  const at = `/subscriptions/${SUB}/providers/Microsoft.Resources/deployments/sub1`;
  const noLocation = await emu.request("PUT", `${at}?api-version=${API}`, { properties: { mode: "Incremental", template, parameters: { rgName: { value: "rg-sub-made" } } } });
  assert.equal(noLocation.status, 400);
  assert.equal(noLocation.body.error.message, "The 'location' property must be specified for 'sub1'. Please see https://aka.ms/arm-deployment-subscription for usage details.");
  const r = await emu.request("PUT", `${at}?api-version=${API}`, { location: "westus2", properties: { mode: "Incremental", template, parameters: { rgName: { value: "rg-sub-made" } } } });
  const status = await settle(r);
  assert.equal(status.status, "Succeeded", JSON.stringify(status));
  const rg = await emu.request("GET", `${rgId("rg-sub-made")}?api-version=2021-04-01`);
  assert.equal(rg.status, 200, rg.text);
  assert.equal(rg.body.location, "westus2");
  const d = await emu.request("GET", `${at}?api-version=${API}`);
  assert.equal(d.body.properties.outputs.vnetId.value, `${rgId("rg-sub-made")}/providers/Microsoft.Network/virtualNetworks/rg-sub-made-vnet`);
  const vnet = await emu.request("GET", `${rgId("rg-sub-made")}/providers/Microsoft.Network/virtualNetworks/rg-sub-made-vnet?api-version=2024-05-01`);
  assert.equal(vnet.status, 200, vnet.text);
  assert.equal(vnet.body.properties.subnets[0].properties.addressPrefix, "10.10.1.0/24");
  const ops = await emu.request("GET", `${at}/operations?api-version=${API}`);
  assert.equal(ops.body.value.length, 3);
  // the outer-scope child: its template reads the parent's parameters and subscription(), and deploys into the new group
  assert.equal(d.body.properties.outputs.outerIdentityId.value, `${rgId("rg-sub-made")}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/rg-sub-made-outer-id`);
  const outer = await emu.request("GET", `${d.body.properties.outputs.outerIdentityId.value}?api-version=2023-01-31`);
  assert.equal(outer.status, 200, outer.text);
  assert.equal(outer.body.tags.subscription, SUB);
  const child = await emu.request("GET", `${rgId("rg-sub-made")}/providers/Microsoft.Resources/deployments/identity-outer?api-version=${API}`);
  assert.equal(child.body.properties.provisioningState, "Succeeded");
});

test("a nested deployment without a resource group deploys at subscription scope (location required there)", async () => {
  const at = `/subscriptions/${SUB}/providers/Microsoft.Resources/deployments`;
  const nested = (location?: string) => ({
    type: "Microsoft.Resources/deployments",
    apiVersion: API,
    name: "sub-child",
    ...(location ? { location } : {}),
    properties: {
      mode: "Incremental",
      expressionEvaluationOptions: { scope: "inner" },
      parameters: { rg: { value: "rg-from-sub-child" } },
      template: {
        $schema: "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
        contentVersion: "1.0.0.0",
        parameters: { rg: { type: "string" } },
        resources: [{ type: "Microsoft.Resources/resourceGroups", apiVersion: "2022-09-01", name: "[parameters('rg')]", location: "[deployment().location]" }],
        outputs: { rgId: { type: "string", value: "[subscriptionResourceId('Microsoft.Resources/resourceGroups', parameters('rg'))]" } },
      },
    },
  });
  const template = { contentVersion: "1.0.0.0", resources: [nested("eastus")], outputs: { rgId: { type: "string", value: "[reference('sub-child').outputs.rgId.value]" } } };
  const r = await emu.request("PUT", `${at}/parent?api-version=${API}`, { location: "westus2", properties: { mode: "Incremental", template } });
  assert.equal(r.body.location, "westus2");
  const status = await settle(r);
  assert.equal(status.status, "Succeeded", JSON.stringify(status));
  const d = await emu.request("GET", `${at}/parent?api-version=${API}`);
  // subscriptionResourceId() spells a group with the providers segment, as ARM does
  assert.equal(d.body.properties.outputs.rgId.value, `/subscriptions/${SUB}/providers/Microsoft.Resources/resourceGroups/rg-from-sub-child`);
  const child = await emu.request("GET", `${at}/sub-child?api-version=${API}`);
  assert.equal(child.status, 200, child.text);
  assert.equal(child.body.location, "eastus");
  const rg = await emu.request("GET", `${rgId("rg-from-sub-child")}?api-version=2021-04-01`);
  assert.equal(rg.body.location, "eastus", "deployment().location is the nested deployment's own");
  const noLocation = await emu.request("PUT", `${at}/parent2?api-version=${API}`, { location: "westus2", properties: { mode: "Incremental", template: { resources: [{ ...nested(), name: "sub-child2" }] } } });
  const failed = await settle(noLocation);
  assert.equal(failed.status, "Failed");
  assert.equal(failed.error.details[0].message, "The 'location' property must be specified for 'sub-child2'. Please see https://aka.ms/arm-deployment-subscription for usage details.");
});

test("what-if: after the BYO-VNet deployment every resource is NoChange; a changed node count is a Modify; a new cluster is all Create", async () => {
  const ask = async (params: Record<string, unknown>) => {
    const r = await emu.request("POST", `${dep("byo")}/whatIf?api-version=${API}`, { properties: { mode: "Incremental", template: TEMPLATE, parameters: params } });
    assert.equal(r.status, 200, r.text);
    return r.body.properties.changes as any[];
  };
  const same = await ask({ clusterName: { value: "c1" } });
  assert.equal(same.length >= 5, true);
  const planned = same.filter((c) => c.changeType !== "Ignore");
  assert.deepEqual(planned.map((c) => c.changeType), ["NoChange", "NoChange", "NoChange", "NoChange", "NoChange"], JSON.stringify(planned.filter((c) => c.changeType !== "NoChange").map((c) => c.delta), null, 1));
  const more = await ask({ clusterName: { value: "c1" }, nodeCount: { value: 5 } });
  const aks = more.find((c) => c.resourceId.endsWith("managedClusters/c1"));
  assert.equal(aks.changeType, "Modify");
  assert.equal(aks.delta[0].path, "properties.agentPoolProfiles");
  const fresh = await ask({ clusterName: { value: "c9" }, vnetName: { value: "other-vnet" } });
  assert.deepEqual(fresh.filter((c) => c.changeType !== "Ignore").map((c) => c.changeType), ["Create", "Create", "Create", "Create", "Create"]);
  assert.ok(fresh.some((c) => c.changeType === "Ignore" && c.resourceId.endsWith("virtualNetworks/aks-vnet")), "resources the template does not mention are Ignore");
});

test("Complete mode deletes the group's resources the template does not deploy, the cluster before the VNet it uses; what-if shows them as Delete", async () => {
  const rg = "rg-deploy-complete";
  await resourceGroup(emu, rg);
  const at = (name: string) => `${rgId(rg)}/providers/Microsoft.Resources/deployments/${name}`;
  const first = await emu.request("PUT", `${at("all")}?api-version=${API}`, { properties: { mode: "Incremental", template: TEMPLATE, parameters: { clusterName: { value: "cc" } } } });
  assert.equal((await settle(first)).status, "Succeeded");
  // only the identity stays in the template
  const onlyIdentity = { contentVersion: "1.0.0.0", resources: [{ type: "Microsoft.ManagedIdentity/userAssignedIdentities", apiVersion: "2023-01-31", name: "cc-identity", location: "westus2" }] };
  const body = (mode: string) => ({ properties: { mode, template: onlyIdentity } });
  const wi = await emu.request("POST", `${at("shrink")}/whatIf?api-version=${API}`, body("Complete"));
  assert.equal(wi.status, 200, wi.text);
  const changes = Object.fromEntries(wi.body.properties.changes.map((c: any) => [c.resourceId.split("/").slice(-2).join("/"), c.changeType]));
  assert.deepEqual(changes, { "userAssignedIdentities/cc-identity": "NoChange", "managedClusters/cc": "Delete", "virtualNetworks/aks-vnet": "Delete" });
  // a resource a nested template (a Bicep module) deploys into the group is kept, not listed for deletion
  const withModule = { ...onlyIdentity, resources: [...onlyIdentity.resources, { type: "Microsoft.Resources/deployments", apiVersion: API, name: "net-module", properties: { mode: "Incremental", expressionEvaluationOptions: { scope: "inner" }, template: { resources: [{ type: "Microsoft.Network/virtualNetworks", apiVersion: "2024-05-01", name: "aks-vnet", location: "westus2", properties: { addressSpace: { addressPrefixes: ["10.0.0.0/8"] } } }] } } }] };
  const wm = await emu.request("POST", `${at("shrink")}/whatIf?api-version=${API}`, { properties: { mode: "Complete", template: withModule } });
  assert.deepEqual(Object.fromEntries(wm.body.properties.changes.map((c: any) => [c.resourceId.split("/").slice(-2).join("/"), c.changeType])), { "userAssignedIdentities/cc-identity": "NoChange", "deployments/net-module": "Deploy", "managedClusters/cc": "Delete" });
  const incremental = await emu.request("POST", `${at("shrink")}/whatIf?api-version=${API}`, body("Incremental"));
  assert.deepEqual(incremental.body.properties.changes.map((c: any) => c.changeType).sort(), ["Ignore", "Ignore", "NoChange"]);

  const r = await emu.request("PUT", `${at("shrink")}?api-version=${API}`, body("Complete"));
  const status = await settle(r);
  assert.equal(status.status, "Succeeded", JSON.stringify(status));
  const d = await emu.request("GET", `${at("shrink")}?api-version=${API}`);
  assert.equal(d.body.properties.mode, "Complete");
  const gone = async (id: string, v: string) => (await emu.request("GET", `${rgId(rg)}/providers/${id}?api-version=${v}`)).status;
  assert.equal(await gone("Microsoft.ContainerService/managedClusters/cc", "2026-06-01"), 404);
  assert.equal(await gone("Microsoft.Network/virtualNetworks/aks-vnet", "2024-05-01"), 404, "the VNet went after the cluster that used its subnets");
  assert.equal(await gone("Microsoft.ManagedIdentity/userAssignedIdentities/cc-identity", "2023-01-31"), 200);
  const ops = await emu.request("GET", `${rgId(rg)}/deployments/shrink/operations?api-version=${API}`);
  const deletes = ops.body.value.filter((o: any) => o.properties.provisioningOperation === "Delete");
  assert.deepEqual(deletes.map((o: any) => [o.properties.targetResource.resourceType, o.properties.provisioningState]).sort(), [["Microsoft.ContainerService/managedClusters", "Succeeded"], ["Microsoft.Network/virtualNetworks", "Succeeded"]]);
  const cluster = deletes.find((o: any) => o.properties.targetResource.resourceType.endsWith("managedClusters"));
  const vnet = deletes.find((o: any) => o.properties.targetResource.resourceType.endsWith("virtualNetworks"));
  assert.ok(cluster.properties.timestamp <= vnet.properties.timestamp, "the cluster's deletion ended before the VNet's");

  // Complete is refused where Azure refuses it: at subscription scope, and for a nested deployment
  const sub = await emu.request("PUT", `/subscriptions/${SUB}/providers/Microsoft.Resources/deployments/c?api-version=${API}`, { location: "westus2", properties: { mode: "Complete", template: { resources: [] } } });
  assert.equal(sub.status, 400);
  assert.deepEqual(sub.body.error, { code: "InvalidDeployment", message: "Specified deployment mode 'Complete' is not supported for deployment at the current scope. Please see https://aka.ms/deployment-modes for usage details." });
  const nested = await emu.request("PUT", `${at("nested-complete")}?api-version=${API}`, { properties: { mode: "Incremental", template: { resources: [{ type: "Microsoft.Resources/deployments", apiVersion: API, name: "inner", properties: { mode: "Complete", template: { resources: [] } } }] } } });
  const ns = await settle(nested);
  assert.equal(ns.status, "Failed");
  assert.equal(ns.error.details[0].code, "InvalidDeployment");
  assert.match(ns.error.details[0].message, /nested and linked templates deploy in Incremental mode only/);
});

test("an expression error in a resource body is InvalidTemplate at validate, before anything runs", async () => {
  const t = { resources: [{ type: "Microsoft.ManagedIdentity/userAssignedIdentities", apiVersion: "2023-01-31", name: "x", location: "westus2", tags: { a: "[nope('x')]" } }] };
  const r = await emu.request("POST", `${dep("badbody")}/validate?api-version=${API}`, { properties: { mode: "Incremental", template: t } });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.body.error.code, "InvalidTemplate");
  assert.match(r.body.error.message, /The template resource 'x' at line '\d+' and column '\d+' is not valid: The template function 'nope' is not valid\./);
});

test("templateHash: the same in validate, every PUT and calculateTemplateHash for one template, another for a changed one", async () => {
  const t = { contentVersion: "1.0.0.0", resources: [{ type: "Microsoft.ManagedIdentity/userAssignedIdentities", apiVersion: "2023-01-31", name: "hashed", location: "westus2" }] };
  const v = await emu.request("POST", `${dep("hash")}/validate?api-version=${API}`, { properties: { mode: "Incremental", template: t } });
  const hash = v.body.properties.templateHash;
  assert.match(hash, /^\d+$/);
  assert.notEqual(hash, "0");
  for (const _ of [1, 2]) {
    const put = await emu.request("PUT", `${dep("hash")}?api-version=${API}`, { properties: { mode: "Incremental", template: t } });
    assert.equal(put.body.properties.templateHash, hash);
    await settle(put);
  }
  assert.equal((await emu.request("GET", `${dep("hash")}?api-version=${API}`)).body.properties.templateHash, hash);
  const calc = await emu.request("POST", `/providers/Microsoft.Resources/calculateTemplateHash?api-version=${API}`, t);
  assert.equal(calc.status, 200, calc.text);
  assert.deepEqual(calc.body, { minifiedTemplate: JSON.stringify(t), templateHash: hash });
  const other = await emu.request("POST", `${dep("hash")}/validate?api-version=${API}`, { properties: { mode: "Incremental", template: { ...t, contentVersion: "1.0.0.1" } } });
  assert.notEqual(other.body.properties.templateHash, hash);
});

test("management-group and tenant scope answer as ARM does where none exists: ManagementGroupNotFound, AuthorizationFailed", async () => {
  const body = { location: "westus2", properties: { mode: "Incremental", template: { resources: [] } } };
  const mg = await emu.request("PUT", `/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Resources/deployments/d?api-version=${API}`, body);
  assert.equal(mg.status, 404, mg.text);
  assert.deepEqual(mg.body.error, { code: "ManagementGroupNotFound", message: "The management group 'mg1' cannot be found." });
  const mgValidate = await emu.request("POST", `/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Resources/deployments/d/validate?api-version=${API}`, body);
  assert.equal(mgValidate.body.error.code, "ManagementGroupNotFound");
  const tenant = await emu.request("PUT", `/providers/Microsoft.Resources/deployments/d?api-version=${API}`, body);
  assert.equal(tenant.status, 403, tenant.text);
  assert.equal(tenant.body.error.code, "AuthorizationFailed");
  assert.match(tenant.body.error.message, /^The client '[^']+' with object id '[0-9a-f-]{36}' does not have authorization to perform action 'Microsoft\.Resources\/deployments\/write' over scope '\/providers\/Microsoft\.Resources\/deployments\/d' or the scope is invalid\. If access was recently granted, please refresh your credentials\.$/);
  const list = await emu.request("GET", `/providers/Microsoft.Resources/deployments?api-version=${API}`);
  assert.equal(list.status, 403);
  assert.match(list.body.error.message, /'Microsoft\.Resources\/deployments\/read'/);
});

test("exportTemplate returns the template as sent; DELETE removes the deployment record and keeps its resources", async () => {
  const put = await emu.request("PUT", `${dep("short")}?api-version=${API}`, { properties: { mode: "Incremental", template: { contentVersion: "1.0.0.0", resources: [{ type: "Microsoft.ManagedIdentity/userAssignedIdentities", apiVersion: "2023-01-31", name: "kept-id", location: "westus2" }] } } });
  assert.equal((await settle(put)).status, "Succeeded");
  const ex = await emu.request("POST", `${dep("short")}/exportTemplate?api-version=${API}`);
  assert.equal(ex.status, 200, ex.text);
  assert.equal(ex.body.template.resources[0].name, "kept-id");
  const del = await emu.request("DELETE", `${dep("short")}?api-version=${API}`);
  assert.equal(del.status, 204, del.text);
  assert.equal((await emu.request("GET", `${dep("short")}?api-version=${API}`)).status, 404);
  assert.equal((await emu.request("DELETE", `${dep("short")}?api-version=${API}`)).status, 204);
  const id = await emu.request("GET", `${rgId(RG)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/kept-id?api-version=2023-01-31`);
  assert.equal(id.status, 200, "the deployment's resources are untouched");
});
