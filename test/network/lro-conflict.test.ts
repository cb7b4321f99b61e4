// AnotherOperationInProgress: with the "realistic" latency profile a VNet PUT stays Updating for
// seconds, so writes that arrive meanwhile (to the VNet or its subnets) get 409 with the running
// operation's status URL, and the state stays what the first PUT made it. No timing is asserted:
// the first operation simply has not finished when the next requests arrive.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { type RunningEmulator, startEmulator } from "../helpers/emulator.js";
import { V, assertNrpError, createGroup, stopEmulator, subnetId, vnetId } from "./helpers.js";

let emu: RunningEmulator;
const RG = "lro";

before(async () => {
  emu = await startEmulator({ latency: "realistic" });
  await createGroup(emu, RG);
});
after(async () => {
  await stopEmulator(emu);
});

test("writes during a running VNet PUT answer 409 AnotherOperationInProgress and change nothing", async () => {
  const p = `${vnetId(RG, "vnet")}?api-version=${V}`;
  const first = await emu.request("PUT", p, {
    location: "eastus",
    properties: { addressSpace: { addressPrefixes: ["172.19.0.0/16"] }, subnets: [{ name: "apiserver", properties: { addressPrefix: "172.19.0.0/28" } }] },
  });
  assert.equal(first.status, 201);
  assert.equal(first.body.properties.provisioningState, "Updating");
  assert.equal(first.body.properties.subnets[0].properties.provisioningState, "Updating");
  assert.equal(first.headers["retry-after"], "10");
  const opUrl = String(first.headers["azure-asyncoperation"]);
  const status = await emu.request("GET", new URL(opUrl).pathname + new URL(opUrl).search);
  assert.equal(status.body.status, "InProgress");

  const again = await emu.request("PUT", p, { location: "eastus", properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } } });
  let msg = assertNrpError(again, 409, "AnotherOperationInProgress");
  assert.equal(msg, `Another operation on this or dependent resource is in progress. To retrieve status of the operation use uri: ${opUrl}.`);

  const sub = await emu.request("PUT", `${subnetId(RG, "vnet", "apiserver")}?api-version=${V}`, { properties: { addressPrefix: "172.19.0.0/27" } });
  msg = assertNrpError(sub, 409, "AnotherOperationInProgress");
  assert.ok(msg.includes(opUrl), "names the VNet's running operation");
  const newSub = await emu.request("PUT", `${subnetId(RG, "vnet", "nodes")}?api-version=${V}`, { properties: { addressPrefix: "172.19.1.0/24" } });
  assertNrpError(newSub, 409, "AnotherOperationInProgress");

  assertNrpError(await emu.request("DELETE", p), 409, "AnotherOperationInProgress");
  assertNrpError(await emu.request("DELETE", `${subnetId(RG, "vnet", "apiserver")}?api-version=${V}`), 409, "AnotherOperationInProgress");

  const g = await emu.request("GET", p);
  assert.equal(g.status, 200);
  assert.equal(g.body.properties.provisioningState, "Updating");
  assert.deepEqual(g.body.properties.addressSpace.addressPrefixes, ["172.19.0.0/16"]);
  assert.deepEqual(g.body.properties.subnets.map((s: { name: string; properties: { addressPrefix: string } }) => [s.name, s.properties.addressPrefix]), [["apiserver", "172.19.0.0/28"]]);
  assert.equal((await emu.request("GET", `${subnetId(RG, "vnet", "nodes")}?api-version=${V}`)).status, 404);
});
