// Resource-group deletion against network users in OTHER groups: the cascade skips in-use checks
// only for users inside the group being deleted. A VNet whose subnet holds a NIC of another group,
// an NSG or public IP used from another group, keep the whole group: the deletion operation fails
// with NRP's in-use error, nothing in the group changes and the group is Succeeded (usable) again.
// Also: references to a resource being deleted are refused, and NRP deletes re-check "in use"
// when they run.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { V, assertNrpError, createGroup, deleteWait, putWait, rgId, seedTopology, startInProcess, subnetId, vnetId, type InProcess } from "./helpers.js";
import { getRecord, putRecord } from "../../src/arm/repo.js";
import { subnetType } from "../../src/providers/network/subnets.js";
import type { OperationRecord } from "../../src/arm/types.js";

let emu: InProcess;
const RGV = "cas-vnet";
const nsgId = (rg: string, n: string) => `${rgId(rg)}/providers/Microsoft.Network/networkSecurityGroups/${n}`;
const pipId = (rg: string, n: string) => `${rgId(rg)}/providers/Microsoft.Network/publicIPAddresses/${n}`;
const nicId = (rg: string, n: string) => `${rgId(rg)}/providers/Microsoft.Network/networkInterfaces/${n}`;
const lbId = (rg: string, n: string) => `${rgId(rg)}/providers/Microsoft.Network/loadBalancers/${n}`;

before(async () => {
  emu = await startInProcess();
});
after(async () => {
  await emu.stop();
});

/** DELETE the group and poll its operation result; the final answer. */
async function deleteGroup(rg: string): Promise<{ status: number; body: any; text: string }> {
  const r = await emu.request("DELETE", `${rgId(rg)}?api-version=2022-09-01`);
  assert.equal(r.status, 202, r.text);
  const loc = new URL(String(r.headers.location));
  for (let i = 0; i < 400; i++) {
    const p = await emu.request("GET", loc.pathname + loc.search);
    if (p.status !== 202) return p;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error(`deletion of ${rg} did not finish`);
}

async function groupState(rg: string): Promise<string | undefined> {
  const r = await emu.request("GET", `${rgId(rg)}?api-version=2022-09-01`);
  return r.status === 200 ? r.body.properties.provisioningState : undefined;
}

async function exists(id: string): Promise<boolean> {
  return (await emu.request("GET", `${id}?api-version=${V}`)).status === 200;
}

test("RG delete fails with InUseSubnetCannotBeDeleted when a NIC in another group uses its subnet; the group stays whole and usable", async () => {
  await seedTopology(emu, RGV);
  await createGroup(emu, "cas-nic");
  const nic = nicId("cas-nic", "nic1");
  const r0 = await putWait(emu, `${nic}?api-version=${V}`, {
    location: "eastus", properties: { ipConfigurations: [{ name: "ipc", properties: { subnet: { id: subnetId(RGV, "vnet", "nodes") } } }] },
  });
  assert.equal(r0.status, 201, r0.text);

  const res = await deleteGroup(RGV);
  assert.equal(res.status, 400, res.text);
  assert.equal(res.body.error.code, "InUseSubnetCannotBeDeleted", res.text);
  assert.match(res.body.error.message, /nic1/i);
  // Nothing in the group changed, and the group is usable again.
  assert.equal(await groupState(RGV), "Succeeded");
  assert.ok(await exists(vnetId(RGV, "vnet")));
  assert.ok(await exists(subnetId(RGV, "vnet", "nodes")));
  const sub = await emu.request("GET", `${subnetId(RGV, "vnet", "nodes")}?api-version=${V}`);
  assert.equal(sub.body.properties.ipConfigurations?.length, 1, sub.text);
  const put = await emu.request("PUT", `${rgId(RGV)}?api-version=2022-09-01`, { location: "eastus", tags: { again: "yes" } });
  assert.equal(put.status, 200, put.text);
  const nsg = await putWait(emu, `${nsgId(RGV, "usable")}?api-version=${V}`, { location: "eastus" });
  assert.equal(nsg.status, 201, nsg.text);

  // Once the other group's NIC is gone, the group deletes.
  assert.equal((await deleteGroup("cas-nic")).status, 200);
  assert.equal((await deleteGroup(RGV)).status, 200);
  assert.equal(await groupState(RGV), undefined);
});

test("RG delete fails for an NSG or public IP used from another group; same-group users do not block", async () => {
  await createGroup(emu, "cas-sec");
  await createGroup(emu, "cas-use");
  await seedTopology(emu, "cas-use");
  assert.equal((await putWait(emu, `${nsgId("cas-sec", "nsg")}?api-version=${V}`, { location: "eastus" })).status, 201);
  assert.equal((await putWait(emu, `${pipId("cas-sec", "pip")}?api-version=${V}`, { location: "eastus", sku: { name: "Standard" }, properties: { publicIPAllocationMethod: "Static" } })).status, 201);
  // A NIC in another group uses the NSG.
  let r = await putWait(emu, `${nicId("cas-use", "nic")}?api-version=${V}`, {
    location: "eastus",
    properties: { networkSecurityGroup: { id: nsgId("cas-sec", "nsg") }, ipConfigurations: [{ name: "ipc", properties: { subnet: { id: subnetId("cas-use", "vnet", "nodes") } } }] },
  });
  assert.equal(r.status, 201, r.text);
  let res = await deleteGroup("cas-sec");
  assert.equal(res.status, 400, res.text);
  assert.equal(res.body.error.code, "InUseNetworkSecurityGroupCannotBeDeleted", res.text);
  assert.equal(await groupState("cas-sec"), "Succeeded");
  assert.ok(await exists(nsgId("cas-sec", "nsg")));
  assert.ok(await exists(pipId("cas-sec", "pip")));

  // Drop the NIC; an LB in the other group now uses the public IP.
  await deleteWait(emu, `${nicId("cas-use", "nic")}?api-version=${V}`);
  r = await putWait(emu, `${lbId("cas-use", "lb")}?api-version=${V}`, {
    location: "eastus", sku: { name: "Standard" }, properties: { frontendIPConfigurations: [{ name: "fe", properties: { publicIPAddress: { id: pipId("cas-sec", "pip") } } }] },
  });
  assert.equal(r.status, 201, r.text);
  res = await deleteGroup("cas-sec");
  assert.equal(res.status, 400, res.text);
  assert.equal(res.body.error.code, "PublicIPAddressCannotBeDeleted", res.text);
  assert.equal(await groupState("cas-sec"), "Succeeded");
  assert.ok(await exists(nsgId("cas-sec", "nsg")));

  // The users inside the group itself do not block: the NIC + NSG + PIP + VNet of one group go together.
  await deleteWait(emu, `${lbId("cas-use", "lb")}?api-version=${V}`);
  assert.equal((await putWait(emu, `${nsgId("cas-use", "nsg")}?api-version=${V}`, { location: "eastus" })).status, 201);
  assert.equal((await putWait(emu, `${pipId("cas-use", "pip")}?api-version=${V}`, { location: "eastus", sku: { name: "Standard" }, properties: { publicIPAllocationMethod: "Static" } })).status, 201);
  r = await putWait(emu, `${nicId("cas-use", "nic2")}?api-version=${V}`, {
    location: "eastus",
    properties: {
      networkSecurityGroup: { id: nsgId("cas-use", "nsg") },
      ipConfigurations: [{ name: "ipc", properties: { subnet: { id: subnetId("cas-use", "vnet", "nodes") }, publicIPAddress: { id: pipId("cas-use", "pip") } } }],
    },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal((await deleteGroup("cas-use")).status, 200);
  assert.equal((await deleteGroup("cas-sec")).status, 200);
});

test("a NIC or LB cannot take into use an NSG / public IP that is being deleted (409 AnotherOperationInProgress)", async () => {
  await seedTopology(emu, "cas-busy");
  assert.equal((await putWait(emu, `${nsgId("cas-busy", "nsg")}?api-version=${V}`, { location: "eastus" })).status, 201);
  assert.equal((await putWait(emu, `${pipId("cas-busy", "pip")}?api-version=${V}`, { location: "eastus", sku: { name: "Standard" }, properties: { publicIPAllocationMethod: "Static" } })).status, 201);
  // Pin both in "Deleting" (as while their delete operation runs).
  await emu.emulator.env.store.txn((tx) => {
    for (const id of [nsgId("cas-busy", "nsg"), pipId("cas-busy", "pip")]) {
      const rec = getRecord(tx, id)!;
      putRecord(tx, { ...rec, properties: { ...rec.properties, provisioningState: "Deleting" } });
    }
  });
  let r = await emu.request("PUT", `${nicId("cas-busy", "nic")}?api-version=${V}`, {
    location: "eastus",
    properties: { networkSecurityGroup: { id: nsgId("cas-busy", "nsg") }, ipConfigurations: [{ name: "ipc", properties: { subnet: { id: subnetId("cas-busy", "vnet", "nodes") } } }] },
  });
  assertNrpError(r, 409, "AnotherOperationInProgress");
  r = await emu.request("PUT", `${nicId("cas-busy", "nic")}?api-version=${V}`, {
    location: "eastus",
    properties: { ipConfigurations: [{ name: "ipc", properties: { subnet: { id: subnetId("cas-busy", "vnet", "nodes") }, publicIPAddress: { id: pipId("cas-busy", "pip") } } }] },
  });
  assertNrpError(r, 409, "AnotherOperationInProgress");
  r = await emu.request("PUT", `${lbId("cas-busy", "lb")}?api-version=${V}`, {
    location: "eastus", sku: { name: "Standard" }, properties: { frontendIPConfigurations: [{ name: "fe", properties: { publicIPAddress: { id: pipId("cas-busy", "pip") } } }] },
  });
  assertNrpError(r, 409, "AnotherOperationInProgress");
  r = await emu.request("PUT", `${subnetId("cas-busy", "vnet", "extra")}?api-version=${V}`, {
    properties: { addressPrefix: "172.19.2.0/24", networkSecurityGroup: { id: nsgId("cas-busy", "nsg") } },
  });
  assertNrpError(r, 409, "AnotherOperationInProgress");
  assert.equal((await emu.request("GET", `${nicId("cas-busy", "nic")}?api-version=${V}`)).status, 404);
});

test("an NRP delete re-checks 'in use' when it runs: a subnet taken into use meanwhile fails the operation", async () => {
  await seedTopology(emu, "cas-late");
  const sid = subnetId("cas-late", "vnet", "nodes");
  const env = emu.emulator.env;
  // The subnet was free when the DELETE was accepted; an address holder arrived before the stage ran.
  await env.store.txn((tx) => emu.model.allocate(tx, sid, `${rgId("cas-other")}/providers/Microsoft.ContainerService/managedClusters/c/agentpools/np/nodes/0`.toLowerCase(), 3));
  const op = { name: "late-op", kind: "delete", resourceId: sid, type: "Microsoft.Network/virtualNetworks/subnets", stage: "delete" } as unknown as OperationRecord;
  await assert.rejects(subnetType.strategy.reconcile!({ env, op }), (e: any) => e.code === "InUseSubnetCannotBeDeleted");
  assert.ok(await exists(sid), "the subnet stays");
  // And a direct DELETE is refused while the addresses are held.
  const r = await emu.request("DELETE", `${sid}?api-version=${V}`);
  assertNrpError(r, 400, "InUseSubnetCannotBeDeleted");
});

test("an AKS cluster in another group (SAL on the delegated subnet, node addresses) keeps the VNet's group; its own group's cluster does not", async () => {
  await seedTopology(emu, "cas-aksnet");
  const cluster = `${rgId("cas-aksrg")}/providers/Microsoft.ContainerService/managedClusters/c1`;
  const env = emu.emulator.env;
  await env.store.txn((tx) => emu.model.addServiceAssociationLink(tx, subnetId("cas-aksnet", "vnet", "apiserver"), {
    name: "AzureKubernetesService", linkedResourceType: "Microsoft.ContainerService/managedClusters", link: cluster, allowDelete: false,
  }));
  let res = await deleteGroup("cas-aksnet");
  assert.equal(res.status, 400, res.text);
  assert.equal(res.body.error.code, "InUseSubnetCannotBeDeleted", res.text);
  assert.equal(await groupState("cas-aksnet"), "Succeeded");
  await env.store.txn((tx) => emu.model.removeServiceAssociationLink(tx, subnetId("cas-aksnet", "vnet", "apiserver"), "AzureKubernetesService"));
  // Node addresses held by the other group's cluster block too.
  await env.store.txn((tx) => emu.model.allocate(tx, subnetId("cas-aksnet", "vnet", "nodes"), `${cluster.toLowerCase()}/agentpools/np/nodes/0`, 4));
  res = await deleteGroup("cas-aksnet");
  assert.equal(res.status, 400, res.text);
  assert.equal(res.body.error.code, "InUseSubnetCannotBeDeleted", res.text);
  assert.ok(await exists(vnetId("cas-aksnet", "vnet")));
  // A holder inside the group being deleted does not block.
  await env.store.txn((tx) => emu.model.release(tx, `${cluster.toLowerCase()}/agentpools/np/nodes/0`));
  const own = `${rgId("cas-aksnet")}/providers/Microsoft.ContainerService/managedClusters/own`.toLowerCase();
  await env.store.txn((tx) => emu.model.allocate(tx, subnetId("cas-aksnet", "vnet", "nodes"), `${own}/agentpools/np/nodes/0`, 4));
  assert.equal((await deleteGroup("cas-aksnet")).status, 200);
  assert.equal(await groupState("cas-aksnet"), undefined);
});
