// Address and reference validation on subnet and VNet writes: Azure's codes with 400 and
// `details: []`, answered synchronously, and nothing changes (a GET afterwards shows the old state).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { type RunningEmulator, startEmulator } from "../helpers/emulator.js";
import { AKS, V, assertNrpError, netClient, putWait, sdkError, seedTopology, stopEmulator, subnetId, vnetId } from "./helpers.js";

let emu: RunningEmulator;
const RG = "val";
const sp = (name: string, v = V) => `${subnetId(RG, "vnet", name)}?api-version=${v}`;

async function snapshot(): Promise<unknown> {
  const r = await emu.request("GET", `${vnetId(RG, "vnet")}?api-version=${V}`);
  assert.equal(r.status, 200);
  return r.body;
}

/** PUT a subnet that must fail; the VNet document (and so every subnet) is unchanged afterwards. */
async function subnetFails(name: string, properties: unknown, code: string): Promise<string> {
  const before = await snapshot();
  const r = await emu.request("PUT", sp(name), { properties });
  const msg = assertNrpError(r, 400, code);
  assert.deepEqual(await snapshot(), before, `${code} left the VNet unchanged`);
  return msg;
}

before(async () => {
  emu = await startEmulator();
  await seedTopology(emu, RG);
});
after(async () => {
  await stopEmulator(emu);
});

test("InvalidAddressPrefixFormat: not CIDR", async () => {
  const msg = await subnetFails("bad", { addressPrefix: "172.19.5.0" }, "InvalidAddressPrefixFormat");
  assert.equal(msg, `Address prefix 172.19.5.0 of resource ${subnetId(RG, "vnet", "bad")} is not formatted correctly. It should follow CIDR notation, for example 10.0.0.0/24.`);
  await subnetFails("bad", { addressPrefix: "300.1.1.0/24" }, "InvalidAddressPrefixFormat");
  await subnetFails("bad", { addressPrefixes: ["172.19.5.0/24", "172.19.6.0/33"] }, "InvalidAddressPrefixFormat");
  assert.equal((await emu.request("GET", sp("bad"))).status, 404, "nothing was created");
});

test("InvalidCIDRNotation: host bits set, with the normalized prefix in the message", async () => {
  const msg = await subnetFails("bad", { addressPrefix: "172.19.5.7/24" }, "InvalidCIDRNotation");
  assert.equal(msg, `The address prefix 172.19.5.7/24 in resource ${subnetId(RG, "vnet", "bad")} has an invalid CIDR notation. For the given prefix length, the address prefix should be 172.19.5.0/24.`);
});

test("NetcfgInvalidSubnet: smaller than /29, or no prefix at all", async () => {
  const msg = await subnetFails("tiny", { addressPrefix: "172.19.5.0/30" }, "NetcfgInvalidSubnet");
  assert.equal(msg, "Subnet 'tiny' is not valid in virtual network 'vnet'.");
  await subnetFails("tiny", {}, "NetcfgInvalidSubnet");
  // /29 is the smallest accepted.
  const ok = await putWait(emu, sp("tiny"), { properties: { addressPrefix: "172.19.5.0/29" } });
  assert.equal(ok.status, 201);
});

test("NetcfgSubnetRangeOutsideVnet", async () => {
  const msg = await subnetFails("out", { addressPrefix: "10.0.0.0/24" }, "NetcfgSubnetRangeOutsideVnet");
  assert.equal(msg, "Subnet 'out' is not valid because its IP address range is outside the IP address range of virtual network 'vnet'.");
});

test("NetcfgSubnetRangesOverlap, also when an existing subnet is changed to overlap", async () => {
  const msg = await subnetFails("ovl", { addressPrefix: "172.19.1.128/25" }, "NetcfgSubnetRangesOverlap");
  assert.equal(msg, "Subnet 'ovl' is not valid because its IP address range overlaps with that of an existing subnet in virtual network 'vnet'.");
  await subnetFails("nodes", { addressPrefix: "172.19.0.0/16" }, "NetcfgSubnetRangesOverlap");
  await subnetFails("ovl", { addressPrefixes: ["172.19.7.0/24", "172.19.7.0/25"] }, "NetcfgSubnetRangesOverlap");
});

test("InvalidServiceNameOnDelegation for a service Azure does not delegate to", async () => {
  await subnetFails("del", { addressPrefix: "172.19.8.0/24", delegations: [{ name: "x", properties: { serviceName: "Contoso.Widgets/gadgets" } }] }, "InvalidServiceNameOnDelegation");
});

test("InvalidResourceReference for a missing network security group", async () => {
  const nsg = `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${RG}/providers/Microsoft.Network/networkSecurityGroups/nope`;
  const msg = await subnetFails("ref", { addressPrefix: "172.19.8.0/24", networkSecurityGroup: { id: nsg } }, "InvalidResourceReference");
  assert.equal(msg, `Resource ${nsg} referenced by resource ${subnetId(RG, "vnet", "ref")} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`);
});

test("InvalidResourceName for names NRP rejects", async () => {
  const r = await emu.request("PUT", sp("-bad"), { properties: { addressPrefix: "172.19.8.0/24" } });
  assertNrpError(r, 400, "InvalidResourceName");
});

test("a failed update keeps the subnet as it was (SDK sees the error)", async () => {
  const net = netClient(emu);
  const before = await net.subnets.get(RG, "vnet", "apiserver");
  await sdkError(net.subnets.beginCreateOrUpdateAndWait(RG, "vnet", "apiserver", { addressPrefix: "172.19.0.0/31", delegations: [{ name: "d", serviceName: AKS }] }, { updateIntervalInMs: 10 }), 400, "NetcfgInvalidSubnet");
  const afterGet = await net.subnets.get(RG, "vnet", "apiserver");
  assert.equal(afterGet.etag, before.etag);
  assert.equal(afterGet.addressPrefix, "172.19.0.0/28");
});

test("VNet PUT validation: bad address space, overlapping inline subnets, shrinking below a subnet", async () => {
  const before = await snapshot();
  let r = await emu.request("PUT", `${vnetId(RG, "vnet")}?api-version=${V}`, { location: "eastus", properties: { addressSpace: { addressPrefixes: ["172.19.0.0/15"] } } });
  assertNrpError(r, 400, "InvalidCIDRNotation");
  r = await emu.request("PUT", `${vnetId(RG, "vnet")}?api-version=${V}`, { location: "eastus", properties: { addressSpace: { addressPrefixes: ["172.19.0.0/24"] } } });
  assertNrpError(r, 400, "NetcfgSubnetRangeOutsideVnet");
  assert.match(r.body.error.message, /Subnet 'nodes' is not valid because its IP address range is outside/);
  assert.deepEqual(await snapshot(), before);

  r = await emu.request("PUT", `${vnetId(RG, "other")}?api-version=${V}`, {
    location: "eastus",
    properties: { addressSpace: { addressPrefixes: ["10.1.0.0/16"] }, subnets: [{ name: "a", properties: { addressPrefix: "10.1.0.0/24" } }, { name: "b", properties: { addressPrefix: "10.1.0.0/25" } }] },
  });
  const msg = assertNrpError(r, 400, "NetcfgSubnetRangesOverlap");
  assert.match(msg, /^Subnet 'b' /);
  assert.equal((await emu.request("GET", `${vnetId(RG, "other")}?api-version=${V}`)).status, 404, "no VNet, no subnet was created");
  assert.equal((await emu.request("GET", `${vnetId(RG, "other")}/subnets/a?api-version=${V}`)).status, 404);
});

test("api-version outside NRP's list is rejected by ARM", async () => {
  const r = await emu.request("GET", `${vnetId(RG, "vnet")}?api-version=2014-01-01`);
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, "NoRegisteredProviderFound");
  // Versions that clients send are served: az 2.45 (2022-01-01), arm-network 36.x (2025-05-01), Terraform (2025-01-01).
  for (const v of ["2018-01-01", "2022-01-01", "2023-09-01", "2024-10-01", "2025-01-01", "2025-03-01", "2025-05-01"]) {
    assert.equal((await emu.request("GET", `${vnetId(RG, "vnet")}?api-version=${v}`)).status, 200, v);
  }
});
