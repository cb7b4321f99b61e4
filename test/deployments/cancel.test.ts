// POST .../deployments/{name}/cancel against an emulator whose cluster creation takes time
// ("fast" latency: 1.5 s): canceled while the cluster is being created, the deployment ends
// Canceled at once, the resource after the cluster never starts, the one before stays; a second
// cancel, or a cancel of a finished deployment, is DeploymentCannotBeCancelled.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEmulator, type RunningEmulator } from "../helpers/emulator.js";
import { stopEmulator } from "../network/helpers.js";
import { rgId, resourceGroup } from "../aks/helpers.js";

const API = "2022-09-01";
const RG = "rg-cancel";
const dep = (name: string) => `${rgId(RG)}/providers/Microsoft.Resources/deployments/${name}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let emu: RunningEmulator;
before(async () => {
  emu = await startEmulator({ latency: "fast" });
  await resourceGroup(emu, RG);
});
after(async () => {
  await stopEmulator(emu);
});

const identity = (name: string, dependsOn: string[] = []) => ({ type: "Microsoft.ManagedIdentity/userAssignedIdentities", apiVersion: "2023-01-31", name, location: "westus2", dependsOn });
const TEMPLATE = {
  contentVersion: "1.0.0.0",
  resources: [
    identity("first"),
    {
      type: "Microsoft.ContainerService/managedClusters",
      apiVersion: "2024-02-01",
      name: "slow",
      location: "westus2",
      dependsOn: ["first"],
      identity: { type: "SystemAssigned" },
      properties: { dnsPrefix: "slow", agentPoolProfiles: [{ name: "system", mode: "System", count: 1, vmSize: "Standard_D2s_v3" }] },
    },
    identity("after-cluster", ["slow"]),
  ],
};

async function operations(name: string): Promise<any[]> {
  const r = await emu.request("GET", `${rgId(RG)}/deployments/${name}/operations?api-version=${API}`);
  assert.equal(r.status, 200, r.text);
  return r.body.value;
}

test("cancel while the cluster is being created: Canceled at once, nothing after it starts", async () => {
  const put = await emu.request("PUT", `${dep("c1")}?api-version=${API}`, { properties: { mode: "Incremental", template: TEMPLATE } });
  assert.equal(put.status, 201, put.text);
  // wait until the cluster's operation is running
  for (let i = 0; ; i++) {
    assert.ok(i < 400, "the cluster's operation did not start");
    if ((await operations("c1")).some((o) => o.properties.targetResource.resourceType === "Microsoft.ContainerService/managedClusters")) break;
    await sleep(10);
  }
  const c = await emu.request("POST", `${dep("c1")}/cancel?api-version=${API}`);
  assert.equal(c.status, 204, c.text);
  const d = await emu.request("GET", `${dep("c1")}?api-version=${API}`);
  assert.equal(d.body.properties.provisioningState, "Canceled");
  assert.equal(d.body.properties.outputs, undefined);
  const status = await emu.request("GET", new URL(String(put.headers["azure-asyncoperation"])).pathname + `?api-version=${API}`);
  assert.deepEqual(status.body, { status: "Canceled" });
  const states = Object.fromEntries((await operations("c1")).map((o) => [o.properties.targetResource.resourceName, o.properties.provisioningState]));
  assert.deepEqual(states, { first: "Succeeded", slow: "Canceled" }, "the identity after the cluster never started");
  await sleep(2500); // longer than the cluster takes: what was in flight ends in its provider, nothing new starts
  assert.equal((await emu.request("GET", `${rgId(RG)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/after-cluster?api-version=2023-01-31`)).status, 404);
  assert.equal((await emu.request("GET", `${rgId(RG)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/first?api-version=2023-01-31`)).status, 200, "the resources stay partly deployed");

  const again = await emu.request("POST", `${dep("c1")}/cancel?api-version=${API}`);
  assert.equal(again.status, 409);
  assert.deepEqual(again.body.error, { code: "DeploymentCannotBeCancelled", message: "The deployment 'c1' cannot be cancelled: its provisioning state is 'Canceled'. A deployment can be cancelled only while it is Accepted or Running." });
  // a canceled deployment can be deployed again under its name, and then runs to the end
  const redo = await emu.request("PUT", `${dep("c1")}?api-version=${API}`, { properties: { mode: "Incremental", template: TEMPLATE } });
  assert.equal(redo.status, 200, redo.text);
  for (let i = 0; ; i++) {
    assert.ok(i < 1000, "the redeploy did not finish");
    const s = await emu.request("GET", `${dep("c1")}?api-version=${API}`);
    if (s.body.properties.provisioningState !== "Running" && s.body.properties.provisioningState !== "Accepted") {
      assert.equal(s.body.properties.provisioningState, "Succeeded", JSON.stringify(s.body.properties.error));
      break;
    }
    await sleep(20);
  }
  const done = await emu.request("POST", `${dep("c1")}/cancel?api-version=${API}`);
  assert.equal(done.status, 409);
  assert.match(done.body.error.message, /its provisioning state is 'Succeeded'/);
  const none = await emu.request("POST", `${dep("never")}/cancel?api-version=${API}`);
  assert.equal(none.status, 404);
  assert.equal(none.body.error.code, "DeploymentNotFound");
});
