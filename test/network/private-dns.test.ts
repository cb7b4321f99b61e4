// Private DNS (its own swagger, api-version 2020-06-01 as az 2.45 sends): zone in location
// "global" with an SOA record set, A record round trip, virtual network link, counters, and the
// rules on links (one per VNet per namespace; a zone with links cannot be deleted).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { type RunningEmulator, startEmulator } from "../helpers/emulator.js";
import { V, assertNrpError, deleteWait, putWait, rgId, seedTopology, stopEmulator, vnetId } from "./helpers.js";

let emu: RunningEmulator;
const RG = "dns";
const DV = "2020-06-01";
const ZONE = "4f8c1a2b-private.eastus.azmk8s.io";
const zoneId = `${rgId(RG)}/providers/Microsoft.Network/privateDnsZones/${ZONE}`;

before(async () => {
  emu = await startEmulator();
  await seedTopology(emu, RG);
});
after(async () => {
  await stopEmulator(emu);
});

test("zone, A record and virtual network link round trip", async () => {
  const z = await putWait(emu, `${zoneId}?api-version=${DV}`, { location: "global" });
  assert.equal(z.status, 201, z.text);
  let g = await emu.request("GET", `${zoneId}?api-version=${DV}`);
  assert.equal(g.status, 200);
  assert.equal(g.body.location, "global");
  assert.equal(g.body.type, "Microsoft.Network/privateDnsZones");
  assert.match(g.body.etag, /^[0-9a-f-]{36}$/, "Private DNS etags are plain GUIDs");
  assert.deepEqual(
    [g.body.properties.provisioningState, g.body.properties.numberOfRecordSets, g.body.properties.numberOfVirtualNetworkLinks, g.body.properties.maxNumberOfRecordSets],
    ["Succeeded", 1, 0, 25000],
  );
  const soa = await emu.request("GET", `${zoneId}/SOA/@?api-version=${DV}`);
  assert.equal(soa.status, 200);
  assert.equal(soa.body.properties.fqdn, `${ZONE}.`);

  // A record: synchronous 201, fqdn, listed by type and in ALL.
  const rec = "aks-dns-abcd1234";
  const a = await emu.request("PUT", `${zoneId}/A/${rec}?api-version=${DV}`, { properties: { ttl: 300, aRecords: [{ ipv4Address: "172.19.0.4" }] } });
  assert.equal(a.status, 201, a.text);
  assert.deepEqual(
    [a.body.type, a.body.name, a.body.properties.fqdn, a.body.properties.ttl, a.body.properties.aRecords],
    ["Microsoft.Network/privateDnsZones/A", rec, `${rec}.${ZONE}.`, 300, [{ ipv4Address: "172.19.0.4" }]],
  );
  assert.equal((await emu.request("GET", `${zoneId}/A/${rec}?api-version=${DV}`)).body.properties.aRecords[0].ipv4Address, "172.19.0.4");
  const byType = await emu.request("GET", `${zoneId}/A?api-version=${DV}`);
  assert.deepEqual(byType.body.value.map((x: { name: string }) => x.name), [rec]);
  const all = await emu.request("GET", `${zoneId}/ALL?api-version=${DV}`);
  assert.deepEqual(all.body.value.map((x: { type: string }) => x.type).sort(), ["Microsoft.Network/privateDnsZones/A", "Microsoft.Network/privateDnsZones/SOA"]);
  const bad = await emu.request("PUT", `${zoneId}/A/bad?api-version=${DV}`, { properties: { ttl: 300, aRecords: [{ ipv4Address: "172.19.0" }] } });
  assert.equal(bad.status, 400);
  // PATCH updates the records.
  const patched = await emu.request("PATCH", `${zoneId}/A/${rec}?api-version=${DV}`, { properties: { aRecords: [{ ipv4Address: "172.19.0.5" }] } });
  assert.equal(patched.status, 200, patched.text);
  assert.deepEqual([patched.body.properties.aRecords, patched.body.properties.ttl], [[{ ipv4Address: "172.19.0.5" }], 300]);

  // Link to the VNet.
  const link = await putWait(emu, `${zoneId}/virtualNetworkLinks/link1?api-version=${DV}`, {
    location: "global", properties: { virtualNetwork: { id: vnetId(RG, "vnet") }, registrationEnabled: false },
  });
  assert.equal(link.status, 201, link.text);
  const l = await emu.request("GET", `${zoneId}/virtualNetworkLinks/link1?api-version=${DV}`);
  assert.deepEqual(
    [l.body.type, l.body.location, l.body.properties.virtualNetworkLinkState, l.body.properties.provisioningState, l.body.properties.virtualNetwork.id],
    ["Microsoft.Network/privateDnsZones/virtualNetworkLinks", "global", "Completed", "Succeeded", vnetId(RG, "vnet")],
  );
  g = await emu.request("GET", `${zoneId}?api-version=${DV}`);
  assert.deepEqual([g.body.properties.numberOfRecordSets, g.body.properties.numberOfVirtualNetworkLinks], [2, 1]);
  const zones = await emu.request("GET", `${rgId(RG)}/providers/Microsoft.Network/privateDnsZones?api-version=${DV}`);
  assert.deepEqual(zones.body.value.map((x: { name: string }) => x.name), [ZONE]);
});

test("link rules: one link per VNet and namespace, missing VNet, zone with links cannot be deleted", async () => {
  let r = await emu.request("PUT", `${zoneId}/virtualNetworkLinks/link2?api-version=${DV}`, { location: "global", properties: { virtualNetwork: { id: vnetId(RG, "vnet") } } });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, "BadRequest");
  assert.equal(r.body.error.message, `A virtual network cannot be linked to multiple zones with overlapping namespaces. You tried to link virtual network with '${ZONE}' and '${ZONE}' zones.`);
  r = await emu.request("PUT", `${zoneId}/virtualNetworkLinks/link3?api-version=${DV}`, { location: "global", properties: { virtualNetwork: { id: vnetId(RG, "missing") } } });
  assertNrpError(r, 400, "InvalidResourceReference");

  r = await emu.request("DELETE", `${zoneId}?api-version=${DV}`);
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, "CannotDeleteResource");
  assert.match(r.body.error.message, /Some existing nested resource IDs include: 'Microsoft\.Network\/privateDnsZones\/.+\/virtualNetworkLinks\/link1'/);

  r = await deleteWait(emu, `${zoneId}/virtualNetworkLinks/link1?api-version=${DV}`);
  assert.equal(r.status, 202);
  r = await deleteWait(emu, `${zoneId}?api-version=${DV}`);
  assert.equal(r.status, 202);
  assert.equal((await emu.request("GET", `${zoneId}?api-version=${DV}`)).status, 404);
  assert.equal((await emu.request("GET", `${zoneId}/A/aks-dns-abcd1234?api-version=${DV}`)).status, 404);
  // Private DNS has its own api-versions.
  r = await emu.request("GET", `${zoneId}?api-version=${V}`);
  assert.equal(r.body.error.code, "NoRegisteredProviderFound");
});
