// The AKS-managed virtual machine scale sets of the node resource group (Microsoft.Compute):
// one per agent pool, capacity and instance NICs derived from the cluster's node allocations,
// read-only for clients, scaled with the pool, gone with the cluster.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEmulator, type RunningEmulator } from "../helpers/emulator.js";
import {
  PREVIEW, clusterBody, clusterId, createCluster, del, get, identity, networkContributor, put, registerVnetIntegrationFeature, resourceGroup, rgId, subnet, view, vnet,
} from "./helpers.js";

let emu: RunningEmulator;
const RG = "rg-vmss";
const CV = "2024-07-01";
let apiSubnet: string;
let nodeSubnet: string;
let mi: { id: string; principalId: string; clientId: string };

before(async () => {
  emu = await startEmulator();
  await registerVnetIntegrationFeature(emu);
  await resourceGroup(emu, RG);
  await vnet(emu, RG, "vnet", "172.19.0.0/16");
  apiSubnet = await subnet(emu, RG, "vnet", "apiserver", "172.19.0.0/28", "Microsoft.ContainerService/managedClusters");
  nodeSubnet = await subnet(emu, RG, "vnet", "nodes", "172.19.1.0/24");
  mi = await identity(emu, RG, "aks-identity");
  await networkContributor(emu, apiSubnet, mi.principalId);
  await networkContributor(emu, nodeSubnet, mi.principalId);
});

after(async () => {
  await emu?.stop();
});

test("BYO cluster: one VMSS per pool in the node RG, instances and NICs = the cluster's nodes; read-only; scaled; deleted with the cluster", async () => {
  const { op, cluster } = await createCluster(emu, RG, "vm1", clusterBody({ nodeSubnet, apiSubnet, integrate: true, identityId: mi.id, count: 3 }));
  assert.equal(op.status, "Succeeded", JSON.stringify(op));
  const nrg = rgId(cluster.properties.nodeResourceGroup);

  const list = await get(emu, `${nrg}/providers/Microsoft.Compute/virtualMachineScaleSets`, CV);
  assert.equal(list.status, 200, list.text);
  assert.equal(list.body.value.length, 1);
  const name = list.body.value[0].name as string;
  assert.match(name, /^aks-nodepool1-\d{8}-vmss$/);
  const vmssPath = `${nrg}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;

  const vmss = (await get(emu, vmssPath, CV)).body;
  assert.equal(vmss.type, "Microsoft.Compute/virtualMachineScaleSets");
  assert.deepEqual(vmss.sku, { name: "Standard_DS2_v2", tier: "Standard", capacity: 3 });
  assert.equal(vmss.properties.provisioningState, "Succeeded");
  assert.equal(vmss.properties.orchestrationMode, "Uniform");
  const nicConf = vmss.properties.virtualMachineProfile.networkProfile.networkInterfaceConfigurations[0];
  assert.equal(nicConf.name, name);
  assert.equal(nicConf.properties.primary, true);
  assert.equal(nicConf.properties.enableIPForwarding, true);
  assert.equal(nicConf.properties.ipConfigurations[0].name, "ipconfig1");
  assert.equal(nicConf.properties.ipConfigurations[0].properties.subnet.id, nodeSubnet);
  assert.match(vmss.properties.virtualMachineProfile.storageProfile.imageReference.id, /\/galleries\/AKSUbuntu\/images\/[^/]+\/versions\/\d+\.\d+\.\d+$/);
  assert.equal(vmss.tags["aks-managed-poolName"], "nodepool1");
  assert.match(vmss.tags["aks-managed-orchestrator"], /^Kubernetes:\d+\.\d+\.\d+$/);
  assert.ok(vmss.tags["aks-managed-createOperationID"]);

  const v = await view(emu, RG, "vm1");
  const vms = (await get(emu, `${vmssPath}/virtualMachines`, CV)).body.value;
  assert.deepEqual(vms.map((x: any) => x.name), [`${name}_0`, `${name}_1`, `${name}_2`]);
  assert.deepEqual(vms.map((x: any) => x.instanceId), ["0", "1", "2"]);
  assert.deepEqual(vms.map((x: any) => x.properties.osProfile.computerName), v.nodes.map((n: any) => n.name));
  for (const x of vms) assert.equal(x.properties.provisioningState, "Succeeded");
  const one = await get(emu, `${vmssPath}/virtualMachines/1`, CV);
  assert.equal(one.status, 200, one.text);
  assert.equal(one.body.properties.osProfile.computerName, v.nodes[1].name);

  const nics = (await get(emu, `${vmssPath}/networkInterfaces`, "2018-10-01")).body.value;
  assert.equal(nics.length, 3);
  const primary = nics.map((n: any) => n.properties.ipConfigurations[0].properties.privateIPAddress);
  for (const ip of primary) assert.match(ip, /^172\.19\.1\.\d+$/);
  assert.deepEqual(primary, v.nodes.map((n: any) => n.internalIP));
  for (const [k, n] of nics.entries()) {
    assert.equal(n.type, "Microsoft.Network/networkInterfaces");
    assert.equal(n.properties.ipConfigurations[0].properties.primary, true);
    assert.equal(n.properties.ipConfigurations[0].properties.subnet.id, nodeSubnet);
    assert.deepEqual(n.properties.ipConfigurations.slice(1).map((c: any) => c.properties.privateIPAddress), v.nodes[k].podIPs, "Azure CNI: secondary ipconfigs = pod IPs");
  }
  const instNics = await get(emu, `${vmssPath}/virtualMachines/2/networkInterfaces`, "2018-10-01");
  assert.equal(instNics.status, 200, instNics.text);
  assert.equal(instNics.body.value[0].properties.ipConfigurations[0].properties.privateIPAddress, v.nodes[2].internalIP);

  // AKS manages them: client writes are refused, naming the node resource group
  for (const [method, body] of [["PUT", { location: "westus2", sku: { name: "Standard_DS2_v2", capacity: 5 } }], ["PATCH", { tags: {} }], ["DELETE", undefined]] as const) {
    const r = await emu.request(method, `${vmssPath}?api-version=${CV}`, body);
    assert.equal(r.status, 409, `${method}: ${r.text}`);
    assert.match(r.body.error.message, /emulator/);
    assert.ok(r.body.error.message.includes(cluster.properties.nodeResourceGroup), r.text);
  }
  assert.equal((await get(emu, vmssPath, CV)).body.sku.capacity, 3);

  // scale the pool: capacity and instance views follow
  const cid = clusterId(RG, "vm1");
  const s = await put(emu, `${cid}/agentPools/nodepool1`, { properties: { count: 2, mode: "System", vmSize: "Standard_DS2_v2", vnetSubnetID: nodeSubnet } }, PREVIEW);
  assert.ok(s.res.status < 300, s.res.text);
  assert.equal(s.op.status, "Succeeded", JSON.stringify(s.op));
  const v2 = await view(emu, RG, "vm1");
  assert.equal((await get(emu, vmssPath, CV)).body.sku.capacity, 2);
  const nics2 = (await get(emu, `${vmssPath}/networkInterfaces`, "2018-10-01")).body.value;
  assert.deepEqual(nics2.map((n: any) => n.properties.ipConfigurations[0].properties.privateIPAddress), v2.nodes.map((n: any) => n.internalIP));
  assert.equal((await get(emu, `${vmssPath}/virtualMachines`, CV)).body.value.length, 2);

  // delete the cluster: the node RG and its scale set go
  await del(emu, cid, PREVIEW);
  assert.equal((await get(emu, vmssPath, CV)).status, 404);
});
