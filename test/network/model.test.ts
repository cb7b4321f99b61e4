// The NetworkModel the AKS provider uses (in-process emulator so the model is reachable): subnet
// views with usage, all-or-nothing allocation inside the caller's transaction, release, delegation
// checks, service association links and what they block over REST.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ArmError } from "../../src/arm/errors.js";
import { AKS, SUB, V, assertNrpError, deleteWait, putWait, seedTopology, startInProcess, subnetId, vnetId, type InProcess } from "./helpers.js";

let emu: InProcess;
const RG = "model";
const api = subnetId(RG, "vnet", "apiserver");
const nodes = subnetId(RG, "vnet", "nodes");
const CLUSTER = `${SUB}/resourceGroups/${RG}/providers/Microsoft.ContainerService/managedClusters/aks`;
const txn = <T>(fn: (tx: Parameters<Parameters<InProcess["emulator"]["env"]["store"]["txn"]>[0]>[0]) => T): Promise<T> => emu.emulator.env.store.txn(fn);

async function armError(fn: () => unknown, status: number, code: string): Promise<string> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof ArmError, String(e));
    assert.equal(e.status, status);
    assert.equal(e.code, code);
    return e.message;
  }
  assert.fail(`expected ${code}`);
}

before(async () => {
  emu = await startInProcess();
  await seedTopology(emu, RG);
});
after(async () => {
  await emu?.stop();
});

test("getSubnet: prefixes, delegations and usage of a fresh /28", () => {
  const v = emu.model.getSubnet(emu.emulator.env.store, api)!;
  assert.equal(v.id, api);
  assert.equal(v.name, "apiserver");
  assert.equal(v.vnetId, vnetId(RG, "vnet"));
  assert.deepEqual(v.addressPrefixes, ["172.19.0.0/28"]);
  assert.deepEqual(v.delegations, [AKS]);
  assert.deepEqual(v.usage, { total: 16, reserved: 5, used: 0, free: 11 });
  assert.deepEqual([v.ipConfigurations, v.privateEndpoints, v.serviceAssociationLinks], [[], [], []]);
  assert.equal(emu.model.getSubnet(emu.emulator.env.store, subnetId(RG, "vnet", "nope")), undefined);
  assert.equal(emu.model.isDelegatedTo(emu.emulator.env.store, api, "microsoft.containerservice/managedclusters"), true);
  assert.equal(emu.model.isDelegatedTo(emu.emulator.env.store, nodes, AKS), false);
});

test("allocate is all-or-nothing: 9 for the API server, then 3 more is SubnetIsFull and nothing changes", async () => {
  const got = await txn((tx) => emu.model.allocate(tx, api, CLUSTER, 9));
  assert.deepEqual(got, ["172.19.0.4", "172.19.0.5", "172.19.0.6", "172.19.0.7", "172.19.0.8", "172.19.0.9", "172.19.0.10", "172.19.0.11", "172.19.0.12"]);
  const msg = await armError(() => txn((tx) => emu.model.allocate(tx, api, "other", 3)), 400, "SubnetIsFull");
  assert.equal(msg, "Subnet apiserver with address prefix 172.19.0.0/28 does not have enough capacity for 3 IP addresses.");
  // Inside a transaction that fails later, an allocation vanishes with it.
  await assert.rejects(txn((tx) => {
    emu.model.allocate(tx, api, "other", 1);
    throw new Error("the caller's write failed");
  }));
  const v = emu.model.getSubnet(emu.emulator.env.store, api)!;
  assert.deepEqual(v.usage, { total: 16, reserved: 5, used: 9, free: 2 });
  const inUse = emu.model.addressesInUse(emu.emulator.env.store, api);
  assert.equal(inUse.length, 9);
  assert.ok(inUse.every((x) => x.owner === CLUSTER));
  // Visible over REST too.
  const r = await emu.request("GET", `${vnetId(RG, "vnet")}/CheckIPAddressAvailability?ipAddress=172.19.0.4&api-version=${V}`);
  assert.deepEqual(r.body, { available: false, availableIPAddresses: ["172.19.0.13", "172.19.0.14"], isPlatformReserved: false });
  await armError(() => txn((tx) => emu.model.allocate(tx, subnetId(RG, "vnet", "nope"), "x", 1)), 404, "NotFound");
});

test("an LB backend address already held through the model is not counted twice", async () => {
  const lb = `${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/loadBalancers/kube-apiserver`;
  const r = await putWait(emu, `${lb}?api-version=${V}`, {
    location: "eastus", sku: { name: "Standard" },
    properties: {
      frontendIPConfigurations: [{ name: "kube-apiserver-frontend", properties: { subnet: { id: api } } }],
      backendAddressPools: [{ name: "kube-apiserver-backendpool", properties: { loadBalancerBackendAddresses: [{ name: "p1", properties: { ipAddress: "172.19.0.5", virtualNetwork: { id: vnetId(RG, "vnet") } } }] } }],
    },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.properties.frontendIPConfigurations[0].properties.privateIPAddress, "172.19.0.13");
  const v = emu.model.getSubnet(emu.emulator.env.store, api)!;
  assert.equal(v.usage.used, 10);
  assert.deepEqual(v.ipConfigurations, [`${lb}/frontendIPConfigurations/kube-apiserver-frontend`]);
  await deleteWait(emu, `${lb}?api-version=${V}`);
  const after = emu.model.getSubnet(emu.emulator.env.store, api)!;
  assert.equal(after.usage.used, 9, "the LB released only its own frontend");
  assert.deepEqual(after.ipConfigurations, []);
});

test("service association link: rendered on the subnet, requires the delegation, blocks deletes and delegation removal", async () => {
  const sal = { name: "AzureKubernetesService", linkedResourceType: AKS, link: CLUSTER, allowDelete: false };
  await armError(() => txn((tx) => emu.model.addServiceAssociationLink(tx, nodes, sal)), 400, "SubnetMissingRequiredDelegation");
  await txn((tx) => emu.model.addServiceAssociationLink(tx, api, sal));
  const view = emu.model.getSubnet(emu.emulator.env.store, api)!;
  assert.deepEqual(view.serviceAssociationLinks, [{ name: "AzureKubernetesService", linkedResourceType: AKS, link: CLUSTER, allowDelete: false }]);

  const s = await emu.request("GET", `${api}?api-version=${V}`);
  assert.deepEqual(s.body.properties.serviceAssociationLinks, [{
    name: "AzureKubernetesService",
    id: `${api}/serviceAssociationLinks/AzureKubernetesService`,
    etag: s.body.etag,
    type: "Microsoft.Network/virtualNetworks/subnets/serviceAssociationLinks",
    properties: { provisioningState: "Succeeded", linkedResourceType: AKS, link: CLUSTER, allowDelete: false, locations: [] },
  }]);
  const list = await emu.request("GET", `${api}/ServiceAssociationLinks?api-version=${V}`);
  assert.equal(list.body.value[0].name, "AzureKubernetesService");

  const salId = `${api}/serviceAssociationLinks/AzureKubernetesService`;
  let r = await emu.request("DELETE", `${api}?api-version=${V}`);
  assert.equal(assertNrpError(r, 400, "InUseSubnetCannotBeDeleted"), `Subnet apiserver is in use by ${salId} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.`);
  r = await emu.request("DELETE", `${vnetId(RG, "vnet")}?api-version=${V}`);
  assertNrpError(r, 400, "InUseSubnetCannotBeDeleted");
  r = await emu.request("PUT", `${api}?api-version=${V}`, { properties: { addressPrefix: "172.19.0.0/28" } });
  assert.equal(assertNrpError(r, 400, "SubnetMissingRequiredDelegation"), `Subnet ${api} requires any of the following delegation(s) [${AKS}] to reference service association link ${salId}.`);
  assert.deepEqual(emu.model.getSubnet(emu.emulator.env.store, api)!.delegations, [AKS], "unchanged");
});

test("a subnet in use may grow (allocations move along) but not drop a prefix holding addresses", async () => {
  const body = (prefix: string) => ({ properties: { addressPrefix: prefix, delegations: [{ name: "aks-delegation", properties: { serviceName: AKS } }] } });
  let r = await putWait(emu, `${api}?api-version=${V}`, body("172.19.0.0/27"));
  assert.equal(r.status, 200, r.text);
  let v = emu.model.getSubnet(emu.emulator.env.store, api)!;
  assert.deepEqual([v.usage.total, v.usage.used, v.usage.free], [32, 9, 18]);
  assert.equal(emu.model.addressesInUse(emu.emulator.env.store, api)[0]!.address, "172.19.0.4");
  r = await emu.request("PUT", `${api}?api-version=${V}`, body("172.19.0.32/28"));
  assert.equal(assertNrpError(r, 400, "InUsePrefixCannotBeDeleted"), "IpPrefix 172.19.0.0/27 on Subnet apiserver has active allocations and cannot be deleted.");
  r = await putWait(emu, `${api}?api-version=${V}`, body("172.19.0.0/28"));
  assert.equal(r.status, 200, r.text);
  v = emu.model.getSubnet(emu.emulator.env.store, api)!;
  assert.deepEqual([v.usage.total, v.usage.used], [16, 9]);
});

test("release: per subnet or everywhere; removing the SAL lets the subnet go", async () => {
  await txn((tx) => emu.model.allocate(tx, nodes, CLUSTER, 2));
  assert.equal(await txn((tx) => emu.model.release(tx, CLUSTER, nodes)), 2);
  await txn((tx) => emu.model.allocate(tx, nodes, CLUSTER, 3));
  assert.equal(await txn((tx) => emu.model.release(tx, CLUSTER.toUpperCase())), 12, "owners compare case-insensitively; all subnets");
  assert.equal(await txn((tx) => emu.model.release(tx, CLUSTER)), 0);
  assert.equal(emu.model.getSubnet(emu.emulator.env.store, api)!.usage.used, 0);

  await txn((tx) => emu.model.removeServiceAssociationLink(tx, api, "AzureKubernetesService"));
  assert.deepEqual(emu.model.getSubnet(emu.emulator.env.store, api)!.serviceAssociationLinks, []);
  const r = await deleteWait(emu, `${api}?api-version=${V}`);
  assert.equal(r.status, 202);
  assert.equal(emu.model.getSubnet(emu.emulator.env.store, api), undefined);
});

test("SAL with allowDelete true does not block the delete", async () => {
  const s = subnetId(RG, "vnet", "deleg2");
  await putWait(emu, `${s}?api-version=${V}`, { properties: { addressPrefix: "172.19.4.0/28", delegations: [{ name: "d", properties: { serviceName: AKS } }] } });
  await txn((tx) => emu.model.addServiceAssociationLink(tx, s, { name: "l", linkedResourceType: AKS, link: CLUSTER, allowDelete: true }));
  const r = await deleteWait(emu, `${s}?api-version=${V}`);
  assert.equal(r.status, 202);
});
