// The executor's orchestration, driven through a recording ResourceOperations: what starts when,
// what a failure stops, and the DeploymentFailed shape. (The real write path is the resource
// service; this test only checks the order and the bookkeeping the executor adds.)
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { planTemplate, type DeploymentContext, type PlannedResource } from "../../src/arm/template/engine.js";
import { executePlan, isoDuration, type ResourceOperations, type WriteOutcome } from "../../src/arm/template/execute.js";
import type { ErrorDetail } from "../../src/arm/errors.js";
import type { Json, JsonObject } from "../../src/arm/template/values.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const template = JSON.parse(fs.readFileSync(path.join(ROOT, "test/fixtures/templates/byo-vnet.json"), "utf8"));
const CTX: DeploymentContext = { tenantId: "t", subscriptionId: "s1", resourceGroup: { name: "rg1", location: "westus2" }, deploymentName: "byo", environment: {}, now: new Date(0), newGuid: () => "g" };
const DEP = "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Resources/deployments/byo";

/** Records calls; each PUT waits until the test releases it, so concurrency is observable. */
class Recorder implements ResourceOperations {
  store = new Map<string, JsonObject>();
  events: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly fail: Map<string, { error: ErrorDetail; terminalState?: string }> = new Map()) {}
  async put(r: PlannedResource, body: JsonObject): Promise<WriteOutcome> {
    this.events.push(`start ${r.name}`);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((res) => setImmediate(res));
    this.inFlight--;
    this.events.push(`end ${r.name}`);
    const f = [...this.fail].find(([k]) => r.id.endsWith(k));
    if (f) return { ok: false, statusCode: f[1].terminalState ? "OK" : "BadRequest", error: f[1].error, terminalState: f[1].terminalState };
    const resource = { ...body, id: r.id, name: r.name, type: r.type, properties: { ...((body.properties as JsonObject) ?? {}), provisioningState: "Succeeded", principalId: "pid", privateFQDN: "c1.private", nodeResourceGroup: "MC_rg1_c1_westus2" } };
    this.store.set(r.id.toLowerCase(), resource);
    return { ok: true, statusCode: "Created", resource };
  }
  async deploy(): Promise<WriteOutcome> {
    throw new Error("no nested deployments here");
  }
  async get(id: string): Promise<JsonObject | undefined> {
    this.events.push(`get ${id.split("/").pop()}`);
    return this.store.get(id.toLowerCase());
  }
  async post(): Promise<Json> {
    return null;
  }
}

let n = 0;
const opts = { deploymentId: DEP, now: () => new Date(1000 * n++), operationId: () => `OP${n}` };

test("independent resources run in parallel; each starts once its dependencies succeeded; outputs at the end", async () => {
  const plan = planTemplate(template, { clusterName: { value: "c1" } }, CTX);
  const ops = new Recorder();
  const r = await executePlan(plan, ops, opts);
  assert.equal(r.provisioningState, "Succeeded");
  assert.equal(ops.maxInFlight, 2, "the VNet and the identity, then the two role assignments, run two at a time");
  const at = (e: string) => ops.events.indexOf(e);
  assert.ok(at("start aks-vnet") < at("end c1-identity") && at("start c1-identity") < at("end aks-vnet"), "VNet and identity overlap");
  for (const role of plan.waves[1]!.map((id) => id.split("/").pop()!)) {
    assert.ok(at(`start ${role}`) > at("end aks-vnet") && at(`start ${role}`) > at("end c1-identity"));
    assert.ok(at("start c1") > at(`end ${role}`));
  }
  assert.equal(r.operations.length, 5);
  assert.ok(r.operations.every((o) => o.provisioningState === "Succeeded" && o.statusCode === "Created" && /^PT\d+(\.\d+)?S$/.test(o.duration)));
  assert.deepEqual(r.outputs!.controlPlaneFQDN, { type: "String", value: "c1.private" });
  assert.equal(r.outputResources.length, 5);
});

test("a failing resource fails the deployment with DeploymentFailed and its inner error; its dependents never start, independent ones finish", async () => {
  const plan = planTemplate(template, { clusterName: { value: "c1" } }, CTX);
  const apiserverRole = plan.waves[1]!.find((id) => id.includes("apiserver-subnet"))!;
  const inner = { code: "ApiserverSubnetConfigError", message: "the API server subnet must be delegated" };
  const ops = new Recorder(new Map([[apiserverRole.split("/").pop()!, { error: inner }]]));
  const r = await executePlan(plan, ops, opts);
  assert.equal(r.provisioningState, "Failed");
  assert.deepEqual(r.error, {
    code: "DeploymentFailed",
    target: DEP,
    message: "At least one resource deployment operation failed. Please list deployment operations for details. Please see https://aka.ms/arm-deployment-operations for usage details.",
    details: [inner],
  });
  assert.ok(!ops.events.includes("start c1"), "the cluster depends on the failed role assignment");
  const failed = r.operations.filter((o) => o.provisioningState === "Failed");
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.targetResource.id, apiserverRole);
  assert.deepEqual(failed[0]!.statusMessage, { status: "Failed", error: inner });
  assert.equal(r.operations.filter((o) => o.provisioningState === "Succeeded").length, 3, "VNet, identity and the other role assignment");
  assert.equal(r.outputs, undefined, "outputs are skipped when an operation failed");
});

test("an accepted write whose operation ends Failed is a ResourceDeploymentFailure around the inner error", async () => {
  const plan = planTemplate(template, { clusterName: { value: "c1" } }, CTX);
  const inner = { code: "ApiserverSubnetConfigError", message: "x" };
  const r = await executePlan(plan, new Recorder(new Map([["managedClusters/c1", { error: inner, terminalState: "Failed" }]])), opts);
  assert.deepEqual(r.error!.details, [
    { code: "ResourceDeploymentFailure", message: "The resource write operation failed to complete successfully, because it reached terminal provisioning state 'Failed'.", details: [inner] },
  ]);
});

test("reference() to a resource that does not exist fails that resource's operation with ResourceNotFound", async () => {
  const plan = planTemplate(
    { resources: [{ type: "Microsoft.Network/virtualNetworks", apiVersion: "2024-05-01", name: "v", properties: { x: "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'nope'), '2023-01-31').principalId]" } }] },
    {},
    CTX,
  );
  const r = await executePlan(plan, new Recorder(), opts);
  assert.equal(r.provisioningState, "Failed");
  assert.equal(r.error!.details![0]!.code, "ResourceNotFound");
  assert.equal(r.error!.details![0]!.message, "The Resource 'Microsoft.ManagedIdentity/userAssignedIdentities/nope' under resource group 'rg1' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");
});

test("isoDuration prints ARM's PT…S form", () => {
  assert.equal(isoDuration(22835.6799), "PT22.8356799S");
  assert.equal(isoDuration(0), "PT0S");
  assert.equal(isoDuration(1500), "PT1.5S");
});

test("a cancel ends the run Canceled at once: the write in flight is not waited for, nothing after it starts", async () => {
  const plan = planTemplate(template, { clusterName: { value: "c1" } }, CTX);
  const cancel = new AbortController();
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  class Holding extends Recorder {
    override async put(r: PlannedResource, body: JsonObject): Promise<WriteOutcome> {
      // the cluster is the last resource: cancel while it is being written, and hold its write
      if (r.type === "Microsoft.ContainerService/managedClusters") {
        this.events.push(`start ${r.name}`);
        cancel.abort();
        await held;
      }
      return super.put(r, body);
    }
  }
  const ops = new Holding();
  const records: string[] = [];
  const r = await executePlan(plan, ops, { ...opts, signal: cancel.signal, onOperation: (op) => void records.push(`${op.targetResource.resourceName} ${op.provisioningState}`) });
  assert.equal(r.provisioningState, "Canceled");
  assert.equal(r.outputs, undefined);
  assert.equal(r.error, undefined);
  assert.equal(r.operations.find((o) => o.targetResource.resourceName === "c1")!.provisioningState, "Canceled");
  assert.equal(r.outputResources.length, 4, "what succeeded before the cancel stays deployed");
  release();
  // a run canceled before it starts writes nothing
  const early = new AbortController();
  early.abort();
  const none = new Recorder();
  const r2 = await executePlan(plan, none, { ...opts, signal: early.signal });
  assert.equal(r2.provisioningState, "Canceled");
  assert.deepEqual(none.events, []);
});
