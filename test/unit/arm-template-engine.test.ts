// The template engine's plan: ids, bodies, dependency waves, outputs and the InvalidTemplate
// refusals, for the seed's BYO-VNet scenario (classic and languageVersion 2.0) and the
// template features AKS templates use.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { planTemplate, resolveAsync, type DeploymentContext, type ResourceResolver, type Plan } from "../../src/arm/template/engine.js";
import type { Json, JsonObject } from "../../src/arm/template/values.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(ROOT, "test/fixtures/templates", name), "utf8")) as JsonObject;

const SUB = "00000000-0000-0000-0000-000000000001";
const RG = `/subscriptions/${SUB}/resourceGroups/rg1`;
const CTX: DeploymentContext = { tenantId: "tid", subscriptionId: SUB, resourceGroup: { name: "rg1", location: "westus2" }, deploymentName: "byo", environment: { name: "AzureCloud" }, now: new Date(0), newGuid: () => "g" };

/** A resolver standing in for the executor: what GET would return after the PUTs. */
function resolverFor(state: Record<string, JsonObject>): ResourceResolver {
  return {
    get: (id) => {
      const r = Object.entries(state).find(([k]) => k.toLowerCase() === id.toLowerCase());
      if (!r) throw new Error(`not deployed: ${id}`);
      return r[1];
    },
    list: (id, action) => ({ id, action }),
  };
}

const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/aks-vnet`;
const UAMI = `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/c1-identity`;
const AKS = `${RG}/providers/Microsoft.ContainerService/managedClusters/c1`;
const STATE: Record<string, JsonObject> = {
  [UAMI]: { id: UAMI, name: "c1-identity", properties: { principalId: "11111111-2222-3333-4444-555555555555", clientId: "c" } },
  [AKS]: { id: AKS, name: "c1", properties: { privateFQDN: "c1-abc.privatelink.westus2.azmk8s.io", nodeResourceGroup: "MC_rg1_c1_westus2" } },
};

function byoPlan(name: string, params: JsonObject = { clusterName: { value: "c1" } }): Plan {
  return planTemplate(fixture(name), params, CTX);
}

for (const form of ["byo-vnet.json", "byo-vnet.symbolic.json"]) {
  test(`${form}: VNet and identity first, the two role assignments next, the cluster last`, () => {
    const plan = byoPlan(form);
    assert.equal(plan.waves.length, 3);
    assert.deepEqual(plan.waves[0], [VNET, UAMI]);
    assert.equal(plan.waves[1]!.length, 2);
    for (const id of plan.waves[1]!) assert.match(id, new RegExp(`^${VNET}/subnets/(apiserver|cluster)-subnet/providers/Microsoft.Authorization/roleAssignments/[0-9a-f-]{36}$`));
    assert.deepEqual(plan.waves[2], [AKS]);
    const aks = plan.resources.find((r) => r.id === AKS)!;
    assert.equal(aks.apiVersion, "2026-06-01");
    assert.deepEqual([...aks.dependsOn].sort(), [...plan.waves[1]!, ...(form.includes("symbolic") ? [UAMI] : [])].sort());
  });

  test(`${form}: the PUT bodies carry the delegated /28, the identity and the VNet-integrated private cluster`, () => {
    const plan = byoPlan(form);
    const resolver = resolverFor(STATE);
    const vnet = plan.body(VNET, resolver) as any;
    assert.equal(vnet.location, "westus2");
    assert.deepEqual(vnet.properties.subnets[0], {
      name: "apiserver-subnet",
      properties: { addressPrefix: "172.19.0.0/28", delegations: [{ name: "aks-delegation", properties: { serviceName: "Microsoft.ContainerService/managedClusters" } }] },
    });
    const role = plan.body(plan.waves[1]![0]!, resolver) as any;
    assert.equal(role.properties.principalId, "11111111-2222-3333-4444-555555555555");
    assert.equal(role.properties.roleDefinitionId, `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7`);
    const aks = plan.body(AKS, resolver) as any;
    assert.deepEqual(aks.identity, { type: "UserAssigned", userAssignedIdentities: { [UAMI]: {} } });
    assert.deepEqual(aks.properties.apiServerAccessProfile, { enableVnetIntegration: true, subnetId: `${VNET}/subnets/apiserver-subnet`, enablePrivateCluster: true });
    assert.equal(aks.properties.agentPoolProfiles[0].vnetSubnetID, `${VNET}/subnets/cluster-subnet`);
    assert.equal(aks.properties.agentPoolProfiles[0].count, 3);
  });

  test(`${form}: outputs read the deployed cluster; parameters are echoed with their types`, () => {
    const plan = byoPlan(form);
    const state = { ...STATE };
    for (const id of plan.waves[1]!) state[id] = { id, name: id.split("/").pop()!, properties: {} };
    const out = plan.outputs(resolverFor(state));
    assert.deepEqual(out.controlPlaneFQDN, { type: "String", value: "c1-abc.privatelink.westus2.azmk8s.io" });
    assert.deepEqual(out.nodeResourceGroup, { type: "String", value: "MC_rg1_c1_westus2" });
    assert.deepEqual(out.roleAssignmentNames!.value, plan.waves[1]!.map((id) => id.split("/").pop()));
    assert.deepEqual(plan.parameters.nodeCount, { type: "Int", value: 3 });
    assert.deepEqual(plan.parameters.enablePrivateCluster, { type: "Bool", value: true });
  });
}

test("both forms name the role assignments identically, and a second run names them the same (idempotent redeploy)", () => {
  const a = byoPlan("byo-vnet.json").waves[1];
  assert.deepEqual(byoPlan("byo-vnet.symbolic.json").waves[1], a);
  assert.deepEqual(byoPlan("byo-vnet.json").waves[1], a);
  // a different identity gives different names
  assert.notDeepEqual(byoPlan("byo-vnet.json", { clusterName: { value: "c2" } }).waves[1]!.map((x) => x.split("/").pop()), a!.map((x) => x.split("/").pop()));
});

test("languageVersion 2.0: `existing` subnets are read, not deployed; who depends on them waits for the VNet", () => {
  const plan = byoPlan("byo-vnet.symbolic.json");
  assert.deepEqual(plan.existing.map((e) => e.id), [`${VNET}/subnets/apiserver-subnet`, `${VNET}/subnets/cluster-subnet`]);
  for (const id of plan.waves[1]!) assert.ok(plan.resources.find((r) => r.id === id)!.dependsOn.includes(VNET));
  assert.equal(plan.resources.length, 5);
});

test("the deployment's `dependencies` list names each dependency by id, type and name", () => {
  const plan = byoPlan("byo-vnet.json");
  const aks = plan.dependencies.find((d) => d.id === AKS)!;
  assert.equal(aks.resourceType, "Microsoft.ContainerService/managedClusters");
  assert.deepEqual(aks.dependsOn.map((d) => d.resourceType), ["Microsoft.Authorization/roleAssignments", "Microsoft.Authorization/roleAssignments"]);
});

test("resolveAsync: the executor answers reference() by fetching what the engine reports pending", async () => {
  const plan = byoPlan("byo-vnet.json");
  const fetched: string[] = [];
  const body = await resolveAsync(
    (r) => plan.body(plan.waves[1]![0]!, r),
    async (req) => {
      fetched.push(`${req.kind} ${req.id} ${req.apiVersion}`);
      return STATE[req.id]!;
    },
  );
  assert.deepEqual(fetched, [`get ${UAMI} 2023-01-31`]);
  assert.equal((body as any).properties.principalId, "11111111-2222-3333-4444-555555555555");
});

// ---- refusals -----------------------------------------------------------------------------

function refuses(fn: () => unknown, message: string) {
  assert.throws(fn, (e: any) => {
    assert.equal(e.code, "InvalidTemplate");
    assert.equal(e.status, 400);
    assert.equal(e.message, message);
    assert.equal(e.toBody().error.additionalInfo[0].type, "TemplateViolation");
    return true;
  });
}

test("a missing required parameter", () => {
  refuses(
    () => byoPlan("byo-vnet.json", {}),
    "Deployment template validation failed: 'The value for the template parameter 'clusterName' at line '0' and column '0' is not provided. Please see https://aka.ms/arm-create-parameter-file for usage details.'.",
  );
});

test("a parameter outside its allowedValues", () => {
  refuses(
    () => byoPlan("byo-vnet.json", { clusterName: { value: "c1" }, networkPlugin: { value: "cilium" } }),
    "Deployment template validation failed: 'The provided value for the template parameter 'networkPlugin' at line '0' and column '0' is not valid. The parameter value is not part of the allowed value(s).'.",
  );
});

test("a parameter of the wrong JSON type, too long, or below its minimum", () => {
  refuses(
    () => byoPlan("byo-vnet.json", { clusterName: { value: "c1" }, nodeCount: { value: "3" } }),
    "Deployment template validation failed: 'Template parameter JToken type is not valid. Expected 'Integer'. Actual 'String'. Please see https://aka.ms/resource-manager-parameter-files for usage details.'.",
  );
  refuses(
    () => byoPlan("byo-vnet.json", { clusterName: { value: "x".repeat(64) } }),
    "Deployment template validation failed: 'The provided value for the template parameter 'clusterName' at line '0' and column '0' is not valid. Length of the value should be less than '64'. Please see http://aka.ms/arm-template/#parameters for usage details.'.",
  );
  assert.throws(() => byoPlan("byo-vnet.json", { clusterName: { value: "c1" }, nodeCount: { value: 0 } }), /template parameter 'nodeCount'/);
});

test("a parameter the template does not declare", () => {
  refuses(
    () => planTemplate({ parameters: { a: { type: "string" }, b: { type: "string", defaultValue: "" } }, resources: [] }, { a: { value: "1" }, X: { value: 2 } }, CTX),
    "Deployment template validation failed: 'The template parameters 'X' in the parameters file are not valid; they are not present in the original template and can therefore not be provided at deployment time. The only supported parameters for this template are 'a, b'. Please see https://aka.ms/arm-deploy/#parameter-file for usage details.'.",
  );
});

test("locate() maps an error to the line and column of the submitted text", () => {
  assert.throws(
    () => planTemplate(fixture("byo-vnet.json"), {}, { ...CTX, locate: (p) => (p === "properties.template.parameters.clusterName" ? { line: 7, column: 20 } : undefined) }),
    (e: any) => e.message.includes("at line '7' and column '20'") && e.toBody().error.additionalInfo[0].info.lineNumber === 7,
  );
});

const res = (name: string, extra: JsonObject = {}): JsonObject => ({ type: "Microsoft.Network/virtualNetworks", apiVersion: "2024-05-01", name, location: "westus2", ...extra });

test("a circular dependsOn", () => {
  refuses(
    () => planTemplate({ resources: [res("a", { dependsOn: ["b"] }), res("b", { dependsOn: ["[resourceId('Microsoft.Network/virtualNetworks', 'c')]"] }), res("c", { dependsOn: ["Microsoft.Network/virtualNetworks/a"] })] }, {}, CTX),
    `Deployment template validation failed: 'Circular dependency detected on resource: '${RG}/providers/Microsoft.Network/virtualNetworks/a'. Please see https://aka.ms/arm-syntax-resources for usage details.'.`,
  );
  refuses(
    () => planTemplate({ languageVersion: "2.0", resources: { x: res("x", { dependsOn: ["y"] }), y: res("y", { dependsOn: ["x"] }) } }, {}, CTX),
    `Deployment template validation failed: 'Circular dependency detected on resource: '${RG}/providers/Microsoft.Network/virtualNetworks/x'. Please see https://aka.ms/arm-syntax-resources for usage details.'.`,
  );
});

test("a dependsOn naming nothing in the template, and a name with the wrong number of segments", () => {
  refuses(() => planTemplate({ resources: [res("a", { dependsOn: ["nope"] })] }, {}, CTX), "Deployment template validation failed: 'The resource 'nope' is not defined in the template. Please see https://aka.ms/arm-template for usage details.'.");
  refuses(
    () => planTemplate({ resources: [{ type: "Microsoft.Network/virtualNetworks/subnets", apiVersion: "2024-05-01", name: "only-one" }] }, {}, CTX),
    "Deployment template validation failed: 'The template resource 'only-one' for type 'Microsoft.Network/virtualNetworks/subnets' at line '0' and column '0' has incorrect segment lengths. A nested resource type must have identical number of segments as its resource name. A root resource type must have segment length one greater than its resource name. Please see https://aka.ms/arm-syntax-resources for usage details.'.",
  );
});

test("an unknown function in a resource, and a copy count over 800", () => {
  assert.throws(() => planTemplate({ resources: [res("[bogus('a')]")] }, {}, CTX), /The template resource '\[bogus\('a'\)\]' at line '0' and column '0' is not valid: The template function 'bogus' is not valid\./);
  refuses(
    () => planTemplate({ resources: [res("[format('v{0}', copyIndex())]", { copy: { name: "l", count: 801 } })] }, {}, CTX),
    "Deployment template validation failed: 'The template 'copy' definition at line '0' and column '0' has an invalid copy count. The copy count must be a positive integer value and cannot exceed '800'. Please see https://aka.ms/arm-copy for usage details.'.",
  );
});

// ---- copy, condition, implicit dependencies -----------------------------------------------------

test("200 copies with no dependencies are one wave; a resource after the loop waits for all of them", () => {
  const plan = planTemplate(
    { resources: [res("[format('v{0}', copyIndex(1))]", { copy: { name: "vnets", count: 200 } }), res("last", { dependsOn: ["vnets"] })] },
    {},
    CTX,
  );
  assert.equal(plan.waves.length, 2);
  assert.equal(plan.waves[0]!.length, 200);
  assert.match(plan.waves[0]![0]!, /virtualNetworks\/v1$/);
  assert.match(plan.waves[0]![199]!, /virtualNetworks\/v200$/);
  assert.equal(plan.resources.find((r) => r.name === "last")!.dependsOn.length, 200);
});

test("serial copy with batchSize 2 runs in batches", () => {
  const plan = planTemplate({ resources: [res("[concat('v', copyIndex())]", { copy: { name: "l", count: 5, mode: "serial", batchSize: 2 } })] }, {}, CTX);
  assert.deepEqual(plan.waves.map((w) => w.map((id) => id.split("/").pop())), [["v0", "v1"], ["v2", "v3"], ["v4"]]);
});

test("property and variable copy loops", () => {
  const plan = planTemplate(
    {
      variables: { copy: [{ name: "prefixes", count: 3, input: "[format('10.0.{0}.0/24', copyIndex('prefixes'))]" }] },
      resources: [
        res("v", {
          properties: {
            addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
            copy: [{ name: "subnets", count: "[length(variables('prefixes'))]", input: { name: "[format('s{0}', copyIndex('subnets'))]", properties: { addressPrefix: "[variables('prefixes')[copyIndex('subnets')]]" } } }],
          },
        }),
      ],
    },
    {},
    CTX,
  );
  const body = plan.body(plan.resources[0]!.id, resolverFor({})) as any;
  assert.deepEqual(body.properties.subnets, [
    { name: "s0", properties: { addressPrefix: "10.0.0.0/24" } },
    { name: "s1", properties: { addressPrefix: "10.0.1.0/24" } },
    { name: "s2", properties: { addressPrefix: "10.0.2.0/24" } },
  ]);
});

test("condition false: the resource is not planned and dependencies on it are dropped; null properties are absent", () => {
  const plan = planTemplate(
    { parameters: { make: { type: "bool", defaultValue: false } }, resources: [res("a", { condition: "[parameters('make')]" }), res("b", { dependsOn: ["a"], tags: { t: "[null()]", u: "x" } })] },
    {},
    CTX,
  );
  assert.deepEqual(plan.resources.map((r) => r.name), ["b"]);
  assert.deepEqual(plan.resources[0]!.dependsOn, []);
  assert.deepEqual((plan.body(plan.resources[0]!.id, resolverFor({})) as any).tags, { u: "x" });
});

test("reference() by name or symbolic name is an implicit dependency; by resource id it is not (docs resource-dependency.md)", () => {
  const classic = planTemplate(
    { resources: [res("a"), res("b", { properties: { x: "[reference('a').x]" } }), res("c", { properties: { x: "[reference(resourceId('Microsoft.Network/virtualNetworks', 'a')).x]" } })] },
    {},
    CTX,
  );
  assert.deepEqual(classic.resources.find((r) => r.name === "b")!.dependsOn, [`${RG}/providers/Microsoft.Network/virtualNetworks/a`]);
  assert.deepEqual(classic.resources.find((r) => r.name === "c")!.dependsOn, []);
  const symbolic = planTemplate({ languageVersion: "2.0", resources: { first: res("a"), second: res("b", { properties: { x: "[listKeys('first', '2024-05-01').k]" } }) } }, {}, CTX);
  assert.deepEqual(symbolic.waves.map((w) => w.length), [1, 1]);
});

test("secure parameters are echoed without their value", () => {
  const plan = planTemplate({ parameters: { pw: { type: "secureString" }, o: { type: "secureObject", defaultValue: {} } }, resources: [] }, { pw: { value: "hunter2" } }, CTX);
  assert.deepEqual(plan.parameters, { pw: { type: "SecureString" }, o: { type: "SecureObject" } });
});

// ---- nested deployments and subscription scope ---------------------------------------------------

test("subscription scope: create a resource group, then deploy into it through a nested inner-scope deployment", () => {
  const template: JsonObject = {
    $schema: "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    parameters: { rgName: { type: "string" }, location: { type: "string", defaultValue: "[deployment().location]" } },
    resources: [
      { type: "Microsoft.Resources/resourceGroups", apiVersion: "2022-09-01", name: "[parameters('rgName')]", location: "[parameters('location')]" },
      {
        type: "Microsoft.Resources/deployments",
        apiVersion: "2022-09-01",
        name: "net",
        resourceGroup: "[parameters('rgName')]",
        dependsOn: ["[subscriptionResourceId('Microsoft.Resources/resourceGroups', parameters('rgName'))]"],
        properties: {
          mode: "Incremental",
          expressionEvaluationOptions: { scope: "inner" },
          parameters: { vnetName: { value: "[format('{0}-vnet', parameters('rgName'))]" } },
          template: { parameters: { vnetName: { type: "string" } }, resources: [res("[parameters('vnetName')]", { location: "[resourceGroup().location]" })], outputs: { id: { type: "string", value: "[resourceId('Microsoft.Network/virtualNetworks', parameters('vnetName'))]" } } },
        },
      },
    ],
    outputs: { vnetId: { type: "string", value: "[reference('net').outputs.id.value]" } },
  };
  const ctx: DeploymentContext = { ...CTX, resourceGroup: undefined, location: "westus2", deploymentName: "sub" };
  const plan = planTemplate(template, { rgName: { value: "rg9" } }, ctx);
  const rgId = `/subscriptions/${SUB}/resourceGroups/rg9`;
  const depId = `${rgId}/providers/Microsoft.Resources/deployments/net`;
  assert.deepEqual(plan.waves, [[rgId], [depId]]);
  const nested = plan.resources.find((r) => r.id === depId)!.nested!;
  assert.deepEqual({ ...nested, outer: undefined }, { name: "net", subscriptionId: SUB, resourceGroup: "rg9", scope: "inner", outer: undefined });
  const body = plan.body(depId, resolverFor({})) as any;
  assert.deepEqual(body.properties.parameters, { vnetName: { value: "rg9-vnet" } });
  assert.equal(body.properties.template.resources[0].name, "[parameters('vnetName')]", "the inner template is left for the child deployment");
  // the executor plans the child in its resource group with the evaluated parameters
  const child = planTemplate(body.properties.template, body.properties.parameters, { ...CTX, resourceGroup: { name: "rg9", location: "westus2" }, deploymentName: "net" });
  assert.deepEqual(child.waves, [[`${rgId}/providers/Microsoft.Network/virtualNetworks/rg9-vnet`]]);
  assert.equal((child.body(child.waves[0]![0]!, resolverFor({})) as any).location, "westus2");
  assert.deepEqual(child.outputs(resolverFor({})).id, { type: "String", value: `${rgId}/providers/Microsoft.Network/virtualNetworks/rg9-vnet` });
  // the parent reads the child's outputs through reference()
  const out = plan.outputs(resolverFor({ [depId]: { id: depId, properties: { outputs: { id: { type: "String", value: "the-id" } } } } }));
  assert.deepEqual(out.vnetId, { type: "String", value: "the-id" });
});

test("a nested deployment in outer scope evaluates its template with the parent's parameters and variables", () => {
  const plan = planTemplate(
    {
      parameters: { p: { type: "string", defaultValue: "parent-value" } },
      variables: { v: "[concat(parameters('p'), '-var')]" },
      resources: [{ type: "Microsoft.Resources/deployments", apiVersion: "2022-09-01", name: "outer1", properties: { mode: "Incremental", template: { resources: [res("[variables('v')]")] } } }],
    },
    {},
    CTX,
  );
  const r = plan.resources[0]!;
  assert.equal(r.nested!.scope, "outer");
  const body = plan.body(r.id, resolverFor({})) as any;
  const child = planTemplate(body.properties.template, {}, { ...CTX, deploymentName: "outer1" }, { outer: r.nested!.outer });
  assert.match(child.waves[0]![0]!, /virtualNetworks\/parent-value-var$/);
});

test("outer scope resolves resourceGroup(), subscription() and resourceId() to the parent's scope; the resources still deploy to the nested group", () => {
  const plan = planTemplate(
    {
      resources: [
        {
          type: "Microsoft.Resources/deployments",
          apiVersion: "2022-09-01",
          name: "other",
          resourceGroup: "rg-other",
          properties: { mode: "Incremental", expressionEvaluationOptions: { scope: "Outer" }, template: { resources: [res("[concat(resourceGroup().name, '-', subscription().subscriptionId)]", { tags: { net: "[resourceId('Microsoft.Network/virtualNetworks', 'n')]" } })] } },
        },
      ],
    },
    {},
    CTX,
  );
  const r = plan.resources[0]!;
  assert.equal(r.nested!.scope, "outer");
  const body = plan.body(r.id, resolverFor({})) as any;
  const child = planTemplate(body.properties.template, {}, { ...CTX, resourceGroup: { name: "rg-other", location: "eastus" }, deploymentName: "other" }, { outer: r.nested!.outer });
  const id = child.waves[0]![0]!;
  assert.equal(id, `/subscriptions/${SUB}/resourceGroups/rg-other/providers/Microsoft.Network/virtualNetworks/rg1-${SUB}`);
  assert.equal((child.body(id, resolverFor({})) as any).tags.net, `${RG}/providers/Microsoft.Network/virtualNetworks/n`);
  // a subscription-scope parent has no resource group: resourceGroup() in outer scope is refused, as at subscription scope
  const subPlan = planTemplate({ resources: [{ type: "Microsoft.Resources/deployments", apiVersion: "2022-09-01", name: "o", resourceGroup: "rg-other", properties: { mode: "Incremental", template: { resources: [res("[resourceGroup().name]")] } } }] }, {}, { ...CTX, resourceGroup: undefined, location: "westus2" });
  const sr = subPlan.resources[0]!;
  assert.throws(
    () => planTemplate((subPlan.body(sr.id, resolverFor({})) as any).properties.template, {}, { ...CTX, resourceGroup: { name: "rg-other", location: "eastus" } }, { outer: sr.nested!.outer }),
    /The template function 'RESOURCEGROUP' is not expected at this location/,
  );
});

test("user-defined functions (Bicep `func`) are evaluated with their own parameters", () => {
  const plan = planTemplate(
    {
      functions: [{ namespace: "__bicep", members: { tag: { parameters: [{ name: "x", type: "string" }], output: { type: "string", value: "[format('{0}!', parameters('x'))]" } } } }],
      resources: [],
      outputs: { o: { type: "string", value: "[__bicep.tag('hi')]" } },
    },
    {},
    CTX,
  );
  assert.equal(plan.outputs(resolverFor({})).o!.value, "hi!");
});

test("reference('x', api, 'Full') returns the whole resource with ARM's extra fields", () => {
  const plan = planTemplate({ languageVersion: "2.0", resources: { id: { type: "Microsoft.ManagedIdentity/userAssignedIdentities", apiVersion: "2023-01-31", name: "u", location: "westus2" } }, outputs: { o: { type: "object", value: "[reference('id', '2023-01-31', 'full')]" } } }, {}, CTX);
  const id = `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u`;
  const o = plan.outputs(resolverFor({ [id]: { id, name: "u", location: "westus2", properties: { principalId: "p" } } })).o!.value as Record<string, Json>;
  assert.equal(o.resourceId, id);
  assert.equal(o.location, "westus2");
  assert.deepEqual(o.properties, { principalId: "p" });
  assert.equal(o.resourceGroupName, "rg1");
  assert.equal(o.isTemplateResource, true);
});

// ---- the acceptance templates of issue 13 -----------------------------------------------------

test("aks-quickstart.json: one cluster with a system pool; outputs the FQDN and the node resource group", () => {
  const plan = planTemplate(fixture("aks-quickstart.json"), {}, CTX);
  const id = `${RG}/providers/Microsoft.ContainerService/managedClusters/aks101cluster`;
  assert.deepEqual(plan.waves, [[id]]);
  const body = plan.body(id, resolverFor({})) as any;
  assert.deepEqual(body.identity, { type: "SystemAssigned" });
  assert.match(body.properties.dnsPrefix, /^aks101cluster-[a-z2-7]{6}$/);
  assert.deepEqual(body.properties.agentPoolProfiles, [{ name: "systempool", mode: "System", osType: "Linux", count: 3, vmSize: "Standard_D2s_v3", osDiskSizeGB: 0 }]);
  const out = plan.outputs(resolverFor({ [id]: { id, properties: { fqdn: "aks101cluster-x.hcp.westus2.azmk8s.io", nodeResourceGroup: "MC_rg1_aks101cluster_westus2" } } }));
  assert.deepEqual(out, { controlPlaneFQDN: { type: "String", value: "aks101cluster-x.hcp.westus2.azmk8s.io" }, nodeResourceGroup: { type: "String", value: "MC_rg1_aks101cluster_westus2" } });
});

test("sub-rg-nested.json: the resource group first, then the nested deployment into it; the child plans its own resources", () => {
  const ctx: DeploymentContext = { ...CTX, resourceGroup: undefined, location: "westus2", deploymentName: "sub-deploy" };
  const plan = planTemplate(fixture("sub-rg-nested.json"), { rgName: { value: "rg9" } }, ctx);
  const rgId = `/subscriptions/${SUB}/resourceGroups/rg9`;
  assert.equal(plan.waves.length, 2);
  assert.deepEqual(plan.waves[0], [rgId]);
  const dep = plan.resources.find((r) => r.type === "Microsoft.Resources/deployments")!;
  assert.match(dep.id, new RegExp(`^${rgId}/providers/Microsoft.Resources/deployments/network-[a-z2-7]{13}$`));
  assert.deepEqual(dep.dependsOn, [rgId]);
  assert.equal(dep.nested!.resourceGroup, "rg9");
  assert.equal(dep.nested!.scope, "inner");
  assert.deepEqual((plan.body(rgId, resolverFor({})) as any).location, "westus2");
  const body = plan.body(dep.id, resolverFor({})) as any;
  assert.deepEqual(body.properties.parameters, { prefix: { value: "rg9" } });
  const child = planTemplate(body.properties.template, body.properties.parameters, { ...CTX, resourceGroup: { name: "rg9", location: "westus2" }, deploymentName: dep.name });
  assert.equal(child.waves.length, 1, "the VNet and the identity are independent: one wave");
  assert.equal(child.waves[0]!.length, 2);
  const vnet = child.body(child.waves[0]![0]!, resolverFor({})) as any;
  assert.equal(vnet.properties.subnets[0].properties.addressPrefix, "10.10.1.0/24");
  const uami = `${rgId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/rg9-id`;
  const childOut = child.outputs(resolverFor({ [uami]: { id: uami, properties: { principalId: "pp" } } }));
  assert.deepEqual(childOut.principalId, { type: "String", value: "pp" });
  const out = plan.outputs(resolverFor({ [dep.id]: { id: dep.id, properties: { outputs: childOut } } }));
  assert.deepEqual(out.vnetId, { type: "String", value: `${rgId}/providers/Microsoft.Network/virtualNetworks/rg9-vnet` });
});

test("languageVersion 2.0 parameter types through $ref to definitions (as AVM templates declare them)", () => {
  const t = {
    languageVersion: "2.0",
    definitions: { poolType: { type: "object", nullable: true }, sku: { type: "string", allowedValues: ["Free", "Standard"] } },
    parameters: { pool: { $ref: "#/definitions/poolType" }, tier: { $ref: "#/definitions/sku", defaultValue: "Free" } },
    resources: {},
    outputs: { o: { type: "object", value: "[createObject('pool', parameters('pool'), 'tier', parameters('tier'))]" } },
  };
  assert.deepEqual(planTemplate(t, {}, CTX).outputs(resolverFor({})).o!.value, { pool: null, tier: "Free" });
  assert.throws(() => planTemplate(t, { tier: { value: "Premium" } }, CTX), /template parameter 'tier' .* is not part of the allowed value\(s\)/);
  assert.throws(() => planTemplate({ ...t, parameters: { x: { $ref: "#/definitions/none" } } }, {}, CTX), /type reference '#\/definitions\/none' is not valid/);
});

test("a resource without an api-version or with an unqualified type is refused", () => {
  assert.throws(() => planTemplate({ resources: [{ type: "Microsoft.Network/virtualNetworks", name: "v" }] }, {}, CTX), /the 'apiVersion' property is missing/);
  assert.throws(() => planTemplate({ resources: [{ type: "virtualNetworks", apiVersion: "2024-05-01", name: "v" }] }, {}, CTX), /is not a fully qualified type/);
});
