// VNets and subnets through the real @azure/arm-network client against a real emulator process:
// the AKS docs' seed topology, reads, lists, updates, deletes, inline subnets, UpdateTags, and the
// api-version rule for a VNet PUT without `subnets` (raw REST, two api-versions).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { NetworkManagementClient } from "@azure/arm-network";
import { type RunningEmulator, startEmulator } from "../helpers/emulator.js";
import { AKS, JOIN, V, createGroup, deleteWait, netClient, putWait, stopEmulator, subnetId, vnetId } from "./helpers.js";

let emu: RunningEmulator;
let net: NetworkManagementClient;
const POLL = { updateIntervalInMs: 10 };

before(async () => {
  emu = await startEmulator();
  net = netClient(emu);
  await createGroup(emu, "rg");
});
after(async () => {
  await stopEmulator(emu);
});

test("seed topology: VNet 172.19.0.0/16, delegated /28 API server subnet, /24 node subnet (SDK)", async () => {
  const vnet = await net.virtualNetworks.beginCreateOrUpdateAndWait("rg", "vnet", {
    location: "eastus",
    addressSpace: { addressPrefixes: ["172.19.0.0/16"] },
  }, POLL);
  assert.equal(vnet.provisioningState, "Succeeded");
  assert.match(vnet.etag!, /^W\/"[0-9a-f-]{36}"$/);
  assert.match(vnet.resourceGuid!, /^[0-9a-f-]{36}$/);
  assert.deepEqual(vnet.addressSpace?.addressPrefixes, ["172.19.0.0/16"]);
  assert.equal(vnet.id, vnetId("rg", "vnet"));
  assert.equal(vnet.type, "Microsoft.Network/virtualNetworks");

  const api = await net.subnets.beginCreateOrUpdateAndWait("rg", "vnet", "apiserver", {
    addressPrefix: "172.19.0.0/28",
    delegations: [{ name: "aks-delegation", serviceName: AKS }],
  }, POLL);
  assert.equal(api.provisioningState, "Succeeded");
  assert.equal(api.addressPrefix, "172.19.0.0/28");
  assert.equal(api.type, "Microsoft.Network/virtualNetworks/subnets");
  assert.match(api.etag!, /^W\/"/);
  assert.equal(api.delegations?.length, 1);
  const d = api.delegations![0]!;
  assert.equal(d.name, "aks-delegation");
  assert.equal(d.serviceName, AKS);
  assert.deepEqual(d.actions, [JOIN]);
  assert.equal(d.id, `${subnetId("rg", "vnet", "apiserver")}/delegations/aks-delegation`);
  assert.equal(d.type, "Microsoft.Network/virtualNetworks/subnets/delegations");
  assert.equal(d.provisioningState, "Succeeded");
  assert.match(d.etag!, /^W\/"/);
  assert.equal(api.privateEndpointNetworkPolicies, "Disabled");
  assert.equal(api.privateLinkServiceNetworkPolicies, "Enabled");

  const nodes = await net.subnets.beginCreateOrUpdateAndWait("rg", "vnet", "nodes", { addressPrefix: "172.19.1.0/24" }, POLL);
  assert.equal(nodes.addressPrefix, "172.19.1.0/24");
  assert.deepEqual(nodes.delegations, []);

  // Read back: subnet GET, the VNet with inline subnets in creation order, list.
  const got = await net.subnets.get("rg", "vnet", "apiserver");
  assert.deepEqual(got.delegations?.[0]?.actions, [JOIN]);
  const v2 = await net.virtualNetworks.get("rg", "vnet");
  assert.deepEqual(v2.subnets?.map((s) => s.name), ["apiserver", "nodes"]);
  assert.notEqual(v2.etag, vnet.etag, "the VNet document changed with its subnets");
  const listed = [];
  for await (const s of net.subnets.list("rg", "vnet")) listed.push(s.name);
  assert.deepEqual(listed.sort(), ["apiserver", "nodes"]);
  const vnets = [];
  for await (const x of net.virtualNetworks.list("rg")) vnets.push(x.name);
  assert.deepEqual(vnets, ["vnet"]);
  const all = [];
  for await (const x of net.virtualNetworks.listAll()) all.push(x.name);
  assert.ok(all.includes("vnet"));
});

test("subnet update keeps identity; addressPrefixes form is echoed; delete returns 404 after", async () => {
  const before = await net.subnets.get("rg", "vnet", "nodes");
  const upd = await net.subnets.beginCreateOrUpdateAndWait("rg", "vnet", "nodes", {
    addressPrefix: "172.19.1.0/24",
    privateEndpointNetworkPolicies: "Enabled",
  }, POLL);
  assert.equal(upd.privateEndpointNetworkPolicies, "Enabled");
  assert.notEqual(upd.etag, before.etag);

  const plural = await net.subnets.beginCreateOrUpdateAndWait("rg", "vnet", "multi", { addressPrefixes: ["172.19.2.0/24", "172.19.3.0/24"] }, POLL);
  assert.deepEqual(plural.addressPrefixes, ["172.19.2.0/24", "172.19.3.0/24"]);
  assert.equal(plural.addressPrefix, undefined);

  await net.subnets.beginDeleteAndWait("rg", "vnet", "multi", POLL);
  await assert.rejects(net.subnets.get("rg", "vnet", "multi"), (e: { statusCode?: number; code?: string }) => e.statusCode === 404 && e.code === "NotFound");
  // Deleting again: 204, nothing to do.
  const r = await emu.request("DELETE", `${subnetId("rg", "vnet", "multi")}?api-version=${V}`);
  assert.equal(r.status, 204);
});

test("subnet PUT is an LRO: 201 + Updating + absolute Azure-AsyncOperation; DELETE is 202 + Location", async () => {
  const p = `${subnetId("rg", "vnet", "lro")}?api-version=${V}`;
  const r = await emu.request("PUT", p, { properties: { addressPrefix: "172.19.9.0/24" } });
  assert.equal(r.status, 201);
  assert.equal(r.body.properties.provisioningState, "Updating");
  const aao = String(r.headers["azure-asyncoperation"]);
  assert.match(aao, /^https:\/\/.+\/subscriptions\/.+\/providers\/Microsoft\.Network\/locations\/eastus\/operations\/[0-9a-f-]{36}\?api-version=2024-05-01$/);
  assert.equal(r.headers.etag, r.body.etag);
  const d = await deleteWait(emu, p);
  assert.equal(d.status, 202);
  assert.match(String((await emu.request("DELETE", p)).status), /^(204|202)$/);
});

test("VNet PUT with inline subnets creates, updates and deletes child subnets", async () => {
  const created = await net.virtualNetworks.beginCreateOrUpdateAndWait("rg", "inline", {
    location: "eastus",
    addressSpace: { addressPrefixes: ["10.10.0.0/16"] },
    subnets: [
      { name: "a", addressPrefix: "10.10.0.0/24" },
      { name: "b", addressPrefix: "10.10.1.0/24", delegations: [{ name: "0", serviceName: AKS }] },
    ],
  }, POLL);
  assert.deepEqual(created.subnets?.map((s) => [s.name, s.addressPrefix, s.provisioningState]), [["a", "10.10.0.0/24", "Succeeded"], ["b", "10.10.1.0/24", "Succeeded"]]);
  assert.deepEqual(created.subnets?.[1]?.delegations?.[0]?.actions, [JOIN]);
  // The children are real subnets.
  const b = await net.subnets.get("rg", "inline", "b");
  assert.equal(b.delegations?.[0]?.serviceName, AKS);

  // Drop "a", change "b", add "c".
  const next = await net.virtualNetworks.beginCreateOrUpdateAndWait("rg", "inline", {
    location: "eastus",
    addressSpace: { addressPrefixes: ["10.10.0.0/16"] },
    subnets: [
      { name: "b", addressPrefix: "10.10.1.0/24" },
      { name: "c", addressPrefix: "10.10.2.0/24" },
    ],
  }, POLL);
  assert.deepEqual(next.subnets?.map((s) => s.name), ["b", "c"]);
  assert.deepEqual(next.subnets?.[0]?.delegations, []);
  await assert.rejects(net.subnets.get("rg", "inline", "a"), (e: { statusCode?: number }) => e.statusCode === 404);

  // A subnet created alone shows up inline.
  await net.subnets.beginCreateOrUpdateAndWait("rg", "inline", "d", { addressPrefix: "10.10.3.0/24" }, POLL);
  const v = await net.virtualNetworks.get("rg", "inline");
  assert.deepEqual(v.subnets?.map((s) => s.name), ["b", "c", "d"]);
});

test("VNet PUT without subnets: api-version < 2023-11-01 deletes existing subnets, >= 2023-11-01 keeps them", async () => {
  const body = { location: "eastus", properties: { addressSpace: { addressPrefixes: ["10.20.0.0/16"] } } };
  const withSubnets = { location: "eastus", properties: { addressSpace: { addressPrefixes: ["10.20.0.0/16"] }, subnets: [{ name: "s1", properties: { addressPrefix: "10.20.0.0/24" } }] } };
  const p = (v: string) => `${vnetId("rg", "apiv")}?api-version=${v}`;

  await putWait(emu, p("2023-11-01"), withSubnets);
  let r = await putWait(emu, p("2023-11-01"), body);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.properties.subnets.map((s: { name: string }) => s.name), ["s1"], "kept from 2023-11-01 on");
  r = await putWait(emu, p("2024-10-01"), body);
  assert.deepEqual(r.body.properties.subnets.map((s: { name: string }) => s.name), ["s1"]);

  r = await putWait(emu, p("2023-09-01"), body);
  assert.deepEqual(r.body.properties.subnets, [], "deleted before 2023-11-01");
  const g = await emu.request("GET", `${vnetId("rg", "apiv")}/subnets/s1?api-version=2023-09-01`);
  assert.equal(g.status, 404);

  // subnets: [] removes them on any version.
  await putWait(emu, p("2024-05-01"), withSubnets);
  r = await putWait(emu, p("2024-05-01"), { ...body, properties: { ...body.properties, subnets: [] } });
  assert.deepEqual(r.body.properties.subnets, []);
});

test("VNet PATCH is UpdateTags (synchronous 200); address space may grow and shrink around its subnets", async () => {
  const t = await net.virtualNetworks.updateTags("rg", "vnet", { tags: { env: "test" } });
  assert.deepEqual(t.tags, { env: "test" });
  assert.deepEqual((await net.virtualNetworks.get("rg", "vnet")).tags, { env: "test" });

  // Grow, then shrink back: both hold every subnet (2023-11-01+ keeps subnets when omitted).
  const grow = await net.virtualNetworks.beginCreateOrUpdateAndWait("rg", "vnet", {
    location: "eastus", tags: { env: "test" }, addressSpace: { addressPrefixes: ["172.19.0.0/16", "172.20.0.0/16"] },
  }, POLL);
  assert.deepEqual(grow.subnets?.map((s) => s.name), ["apiserver", "nodes"]);
  const shrink = await net.virtualNetworks.beginCreateOrUpdateAndWait("rg", "vnet", {
    location: "eastus", tags: { env: "test" }, addressSpace: { addressPrefixes: ["172.19.0.0/16"] },
  }, POLL);
  assert.deepEqual(shrink.addressSpace?.addressPrefixes, ["172.19.0.0/16"]);
  assert.deepEqual(shrink.subnets?.map((s) => s.name), ["apiserver", "nodes"]);
});

test("VNet delete removes its subnets; the VNet 404s afterwards", async () => {
  await net.virtualNetworks.beginDeleteAndWait("rg", "inline", POLL);
  await assert.rejects(net.virtualNetworks.get("rg", "inline"), (e: { statusCode?: number; code?: string }) => e.statusCode === 404 && e.code === "ResourceNotFound");
  const r = await emu.request("GET", `${vnetId("rg", "inline")}/subnets/b?api-version=${V}`);
  assert.equal(r.status, 404);
});
