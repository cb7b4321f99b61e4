// what-if from the engine's plan: every create before the first run, NoChange after it
// (service-added properties are not changes), Modify with property deltas, Ignore/Delete.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { planTemplate, type DeploymentContext, type Plan, type ResourceResolver } from "../../src/arm/template/engine.js";
import { whatIf, propertyDelta, type DesiredResource } from "../../src/arm/template/whatif.js";
import type { JsonObject } from "../../src/arm/template/values.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const template = JSON.parse(fs.readFileSync(path.join(ROOT, "test/fixtures/templates/byo-vnet.json"), "utf8"));
const CTX: DeploymentContext = { tenantId: "t", subscriptionId: "s1", resourceGroup: { name: "rg1", location: "westus2" }, deploymentName: "byo", environment: {}, now: new Date(0), newGuid: () => "g" };

/** What the services would hold after the PUTs: the body plus what they add. */
function deployedState(plan: Plan): Map<string, JsonObject> {
  const state = new Map<string, JsonObject>();
  const resolver: ResourceResolver = { get: (id) => state.get(id.toLowerCase()) ?? { properties: { principalId: "p" } }, list: () => null };
  for (const wave of plan.waves)
    for (const key of wave) {
      const r = plan.resources.find((x) => x.key === key)!;
      const body = structuredClone(plan.body(key, resolver)) as any;
      body.id = r.id.toLowerCase() === r.id ? r.id : r.id.replace("/resourceGroups/", "/resourcegroups/");
      body.name = r.name;
      body.type = r.type;
      body.properties = { ...(body.properties ?? {}), provisioningState: "Succeeded", principalId: "p" };
      if (body.location) body.location = "West US 2";
      state.set(r.id.toLowerCase(), body);
    }
  return state;
}

function desired(plan: Plan): DesiredResource[] {
  const resolver: ResourceResolver = { get: () => ({ properties: { principalId: "p" } }), list: () => null };
  return plan.resources.map((r) => ({ id: r.id, type: r.type, name: r.name, apiVersion: r.apiVersion, body: plan.body(r.key, resolver) }));
}

test("before the first run every resource is a Create; after it every resource is NoChange", () => {
  const plan = planTemplate(template, { clusterName: { value: "c1" } }, CTX);
  const before = whatIf(desired(plan), () => undefined, [], "Incremental");
  assert.deepEqual(before.map((c) => c.changeType), ["Create", "Create", "Create", "Create", "Create"]);
  assert.ok(before.every((c) => c.after && (c.after as any).apiVersion));
  const state = deployedState(plan);
  const after = whatIf(desired(plan), (id) => state.get(id.toLowerCase()), [], "Incremental");
  assert.deepEqual(after.map((c) => c.changeType), ["NoChange", "NoChange", "NoChange", "NoChange", "NoChange"]);
});

test("a changed parameter is a Modify with the property path, array children included", () => {
  const state = deployedState(planTemplate(template, { clusterName: { value: "c1" } }, CTX));
  const plan = planTemplate(template, { clusterName: { value: "c1" }, nodeCount: { value: 5 } }, CTX);
  const changes = whatIf(desired(plan), (id) => state.get(id.toLowerCase()), [], "Incremental");
  const aks = changes.find((c) => c.resourceId.endsWith("managedClusters/c1"))!;
  assert.equal(aks.changeType, "Modify");
  assert.equal(aks.delta!.length, 1);
  assert.equal(aks.delta![0]!.path, "properties.agentPoolProfiles");
  assert.equal(aks.delta![0]!.propertyChangeType, "Array");
  assert.deepEqual(aks.delta![0]!.children![0]!.children, [{ path: "count", propertyChangeType: "Modify", before: 3, after: 5 }]);
  assert.equal(changes.filter((c) => c.changeType === "NoChange").length, 4);
});

test("resources in the group the template does not mention: Ignore (Incremental), Delete (Complete)", () => {
  const plan = planTemplate(template, { clusterName: { value: "c1" } }, CTX);
  const other = { id: "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/other" };
  assert.equal(whatIf(desired(plan), () => undefined, [other], "Incremental").find((c) => c.resourceId === other.id)!.changeType, "Ignore");
  assert.equal(whatIf(desired(plan), () => undefined, [other], "Complete").find((c) => c.resourceId === other.id)!.changeType, "Delete");
});

test("propertyDelta: created, modified and removed array items; ids compare case-insensitively", () => {
  assert.deepEqual(propertyDelta({ a: 1 }, { a: 1, b: 2 }), [{ path: "b", propertyChangeType: "Create", after: 2 }]);
  assert.deepEqual(propertyDelta({ id: "/subscriptions/S/resourcegroups/RG" }, { id: "/subscriptions/s/resourceGroups/rg" }), []);
  assert.deepEqual(propertyDelta({ l: [1, 2] }, { l: [1] }), [{ path: "l", propertyChangeType: "Array", before: [1, 2], after: [1], children: [{ path: "1", propertyChangeType: "Delete", before: 2 }] }]);
});

test("a new property under a parent the resource lacks is named per leaf, and before/after carry the apiVersion az prints (Spec example)", () => {
  const id = "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/myExistingIdentity";
  const current = { id, type: "Microsoft.ManagedIdentity/userAssignedIdentities", name: "myExistingIdentity", location: "westus2" };
  const d: DesiredResource = { id, type: current.type, name: current.name, apiVersion: "2018-11-30", body: { location: "westus2", tags: { myNewTag: "my tag value" } } };
  const [c] = whatIf([d], () => current, [], "Incremental");
  assert.equal(c!.changeType, "Modify");
  assert.deepEqual(c!.delta, [{ path: "tags.myNewTag", propertyChangeType: "Create", after: "my tag value" }]);
  assert.deepEqual(Object.keys(c!.before!).slice(0, 4), ["apiVersion", "id", "type", "name"]);
  assert.equal(c!.before!.apiVersion, "2018-11-30");
  assert.deepEqual(Object.keys(c!.after!).slice(0, 4), ["apiVersion", "id", "type", "name"]);
  assert.deepEqual(propertyDelta({}, { a: { b: [1] }, e: {} }), [{ path: "a.b", propertyChangeType: "Create", after: [1] }, { path: "e", propertyChangeType: "Create", after: {} }]);
});
