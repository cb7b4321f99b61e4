// Load balancers, NICs and NSGs against the subnets: addresses come from the subnet pools (the ILB
// frontend gets 172.19.0.4 in a fresh /28), show up in ipConfigurations, block subnet/VNet deletes
// and delegation changes, and come back when the resource is deleted.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { NetworkManagementClient } from "@azure/arm-network";
import { type RunningEmulator, startEmulator } from "../helpers/emulator.js";
import {
  AKS, SUB, V, assertNrpError, createGroup, deleteWait, netClient, putWait, sdkError, seedTopology, stopEmulator, subnetId, vnetId,
} from "./helpers.js";

let emu: RunningEmulator;
let net: NetworkManagementClient;
const RG = "net";
const NODE_RG = "MC_net_aks_eastus";
const POLL = { updateIntervalInMs: 10 };
const apiSubnet = subnetId(RG, "vnet", "apiserver");
const nodeSubnet = subnetId(RG, "vnet", "nodes");
const lbId = (rg: string, name: string) => `${SUB}/resourceGroups/${rg}/providers/Microsoft.Network/loadBalancers/${name}`;

async function check(ip: string): Promise<any> {
  const r = await emu.request("GET", `${vnetId(RG, "vnet")}/CheckIPAddressAvailability?ipAddress=${ip}&api-version=${V}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

before(async () => {
  emu = await startEmulator();
  net = netClient(emu);
  await seedTopology(emu, RG);
  await createGroup(emu, NODE_RG);
});
after(async () => {
  await stopEmulator(emu);
});

test("ILB with a Dynamic frontend in the /28 gets 172.19.0.4 and is listed in the subnet's ipConfigurations", async () => {
  const id = lbId(NODE_RG, "kube-apiserver");
  const lb = await net.loadBalancers.beginCreateOrUpdateAndWait(NODE_RG, "kube-apiserver", {
    location: "eastus",
    sku: { name: "Standard" },
    frontendIPConfigurations: [{ name: "kube-apiserver-frontend", subnet: { id: apiSubnet }, privateIPAllocationMethod: "Dynamic" }],
    backendAddressPools: [{
      name: "kube-apiserver-backendpool",
      loadBalancerBackendAddresses: [{ name: "pod-1", ipAddress: "172.19.0.5", virtualNetwork: { id: vnetId(RG, "vnet") } }],
    }],
    probes: [{ name: "kube-apiserver-health-probe", protocol: "Tcp", port: 443 }],
    loadBalancingRules: [{
      name: "kube-apiserver-rule", protocol: "Tcp", frontendPort: 443, backendPort: 443,
      frontendIPConfiguration: { id: `${id}/frontendIPConfigurations/kube-apiserver-frontend` },
      backendAddressPool: { id: `${id}/backendAddressPools/kube-apiserver-backendpool` },
      probe: { id: `${id}/probes/kube-apiserver-health-probe` },
    }],
  }, POLL);
  assert.equal(lb.provisioningState, "Succeeded");
  assert.deepEqual(lb.sku, { name: "Standard", tier: "Regional" });
  const fe = lb.frontendIPConfigurations![0]!;
  assert.equal(fe.privateIPAddress, "172.19.0.4");
  assert.equal(fe.privateIPAllocationMethod, "Dynamic");
  assert.equal(fe.privateIPAddressVersion, "IPv4");
  assert.equal(fe.id, `${id}/frontendIPConfigurations/kube-apiserver-frontend`);
  assert.equal(fe.type, "Microsoft.Network/loadBalancers/frontendIPConfigurations");
  assert.equal(fe.etag, lb.etag, "sub-resources carry the LB's etag");
  assert.deepEqual(fe.loadBalancingRules?.map((r) => r.id), [`${id}/loadBalancingRules/kube-apiserver-rule`]);
  assert.equal(lb.backendAddressPools![0]!.loadBalancerBackendAddresses![0]!.ipAddress, "172.19.0.5");
  assert.equal(lb.probes![0]!.intervalInSeconds, 15);
  assert.equal(lb.loadBalancingRules![0]!.idleTimeoutInMinutes, 4);

  const s = await net.subnets.get(RG, "vnet", "apiserver");
  assert.deepEqual(s.ipConfigurations?.map((c) => c.id), [fe.id]);
  assert.equal((await check("172.19.0.4")).available, false);
  assert.equal((await check("172.19.0.5")).available, false, "backend address counted in the subnet");
  const free = await check("172.19.0.6");
  assert.equal(free.available, true);
  const reserved = await check("172.19.0.1");
  assert.equal(reserved.isPlatformReserved, true);
  const u = await emu.request("GET", `${vnetId(RG, "vnet")}/usages?api-version=${V}`);
  const apiUsage = u.body.value.find((x: { id: string }) => x.id === apiSubnet);
  assert.deepEqual([apiUsage.currentValue, apiUsage.limit, apiUsage.unit], [2, 11, "Count"]);

  // An update keeps the dynamic address.
  const again = await net.loadBalancers.beginCreateOrUpdateAndWait(NODE_RG, "kube-apiserver", { ...lb, tags: { k: "v" } }, POLL);
  assert.equal(again.frontendIPConfigurations![0]!.privateIPAddress, "172.19.0.4");
});

test("static private addresses: taken, outside the subnet, platform-reserved", async () => {
  const body = (ip: string) => ({
    location: "eastus", sku: { name: "Standard" },
    properties: { frontendIPConfigurations: [{ name: "fe", properties: { subnet: { id: apiSubnet }, privateIPAllocationMethod: "Static", privateIPAddress: ip } }] },
  });
  const p = `${lbId(NODE_RG, "lb2")}?api-version=${V}`;
  let r = await emu.request("PUT", p, body("172.19.0.4"));
  const msg = assertNrpError(r, 400, "PrivateIPAddressIsAllocated");
  assert.equal(msg, `IP configuration ${lbId(NODE_RG, "lb2")}/frontendIPConfigurations/fe is using the private IP address 172.19.0.4 which is already allocated to resource ${lbId(NODE_RG, "kube-apiserver")}/frontendIPConfigurations/kube-apiserver-frontend.`);
  r = await emu.request("PUT", p, body("172.19.1.5"));
  assert.equal(assertNrpError(r, 400, "PrivateIPAddressNotInSubnet"), "Private static IP address 172.19.1.5 does not belong to the range of subnet prefix 172.19.0.0/28.");
  r = await emu.request("PUT", p, body("172.19.0.1"));
  assertNrpError(r, 400, "PrivateIPAddressInReservedRange");
  assert.equal((await emu.request("GET", p)).status, 404, "nothing was created");
  assert.equal((await check("172.19.0.6")).available, true, "no address leaked");
});

test("a subnet in use: delegation cannot change, subnet and VNet cannot be deleted, older VNet PUT cannot drop it", async () => {
  const fe = `${lbId(NODE_RG, "kube-apiserver")}/frontendIPConfigurations/kube-apiserver-frontend`;
  const before = await emu.request("GET", `${apiSubnet}?api-version=${V}`);
  let r = await emu.request("PUT", `${apiSubnet}?api-version=${V}`, { properties: { addressPrefix: "172.19.0.0/28" } });
  assert.equal(assertNrpError(r, 400, "SubnetDelegationsCannotChangeWhenSubnetUsedByResource"),
    `Delegations of subnet ${apiSubnet} cannot be changed from [${AKS}] to [] because it is being used by the resource ${fe}.`);
  r = await emu.request("DELETE", `${apiSubnet}?api-version=${V}`);
  assert.equal(assertNrpError(r, 400, "InUseSubnetCannotBeDeleted"),
    `Subnet apiserver is in use by ${fe} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.`);
  r = await emu.request("DELETE", `${vnetId(RG, "vnet")}?api-version=${V}`);
  assertNrpError(r, 400, "InUseSubnetCannotBeDeleted");
  r = await emu.request("PUT", `${vnetId(RG, "vnet")}?api-version=2022-01-01`, { location: "eastus", properties: { addressSpace: { addressPrefixes: ["172.19.0.0/16"] } } });
  assertNrpError(r, 400, "InUseSubnetCannotBeDeleted");
  const after = await emu.request("GET", `${apiSubnet}?api-version=${V}`);
  assert.deepEqual(after.body, before.body, "all failures left the subnet unchanged");
});

test("NICs take the lowest free addresses of the node subnet; SubnetIsFull when a /29 runs out", async () => {
  const nic = async (name: string, subnet: string, ip?: string) =>
    net.networkInterfaces.beginCreateOrUpdateAndWait(NODE_RG, name, {
      location: "eastus",
      ipConfigurations: [{ name: "ipconfig1", subnet: { id: subnet }, ...(ip ? { privateIPAddress: ip, privateIPAllocationMethod: "Static" } : {}) }],
    }, POLL);
  const n1 = await nic("nic1", nodeSubnet);
  assert.equal(n1.ipConfigurations![0]!.privateIPAddress, "172.19.1.4");
  assert.equal(n1.ipConfigurations![0]!.primary, true);
  assert.equal(n1.ipConfigurations![0]!.type, "Microsoft.Network/networkInterfaces/ipConfigurations");
  const n2 = await nic("nic2", nodeSubnet);
  assert.equal(n2.ipConfigurations![0]!.privateIPAddress, "172.19.1.5");
  await sdkError(nic("nic3", nodeSubnet, "172.19.1.4"), 400, "PrivateIPAddressIsAllocated");
  const n3 = await nic("nic3", nodeSubnet, "172.19.1.100");
  assert.equal(n3.ipConfigurations![0]!.privateIPAllocationMethod, "Static");
  const s = await net.subnets.get(RG, "vnet", "nodes");
  assert.equal(s.ipConfigurations?.length, 3);

  await net.subnets.beginCreateOrUpdateAndWait(RG, "vnet", "small", { addressPrefix: "172.19.2.0/29" }, POLL);
  const small = subnetId(RG, "vnet", "small");
  for (const [i, ip] of ["172.19.2.4", "172.19.2.5", "172.19.2.6"].entries()) {
    assert.equal((await nic(`s${i}`, small)).ipConfigurations![0]!.privateIPAddress, ip);
  }
  const msg = await sdkError(nic("s3", small), 400, "SubnetIsFull");
  assert.match(msg, /Subnet small with address prefix 172\.19\.2\.0\/29 does not have enough capacity for 1 IP addresses\./);

  // Deleting a NIC releases its address.
  await net.networkInterfaces.beginDeleteAndWait(NODE_RG, "s1", POLL);
  assert.equal((await nic("s3", small)).ipConfigurations![0]!.privateIPAddress, "172.19.2.5");
  await net.networkInterfaces.beginDeleteAndWait(NODE_RG, "nic1", POLL);
  assert.equal((await check("172.19.1.4")).available, true);
});

test("deleting the LB releases its frontend and backend addresses", async () => {
  await net.loadBalancers.beginDeleteAndWait(NODE_RG, "kube-apiserver", POLL);
  const s = await net.subnets.get(RG, "vnet", "apiserver");
  assert.equal(s.ipConfigurations, undefined);
  assert.equal((await check("172.19.0.4")).available, true);
  assert.equal((await check("172.19.0.5")).available, true);
  // Now the delegation may change again.
  const r = await putWait(emu, `${apiSubnet}?api-version=${V}`, { properties: { addressPrefix: "172.19.0.0/28", delegations: [{ name: "aks-delegation", properties: { serviceName: AKS } }] } });
  assert.equal(r.status, 200);
});

test("resource-group delete cascades and releases addresses held in another group's subnet", async () => {
  await putWait(emu, `${lbId(NODE_RG, "kube-apiserver")}?api-version=${V}`, {
    location: "eastus", sku: { name: "Standard" },
    properties: { frontendIPConfigurations: [{ name: "fe", properties: { subnet: { id: apiSubnet } } }] },
  });
  assert.equal((await check("172.19.0.4")).available, false);
  const r = await emu.request("DELETE", `${SUB}/resourcegroups/${NODE_RG}?api-version=2022-09-01`);
  assert.equal(r.status, 202);
  const loc = new URL(String(r.headers.location));
  for (let i = 0; i < 200; i++) {
    const p = await emu.request("GET", loc.pathname + loc.search);
    if (p.status === 200) break;
    await new Promise((res) => setTimeout(res, 25));
  }
  assert.equal((await check("172.19.0.4")).available, true);
  assert.equal((await net.subnets.get(RG, "vnet", "apiserver")).ipConfigurations, undefined);
  assert.equal((await check("172.19.1.5")).available, true, "NIC addresses released too");
});

test("NSG: Azure's six default rules, user rules inline and as child resources, conflicts, in-use delete", async () => {
  const nsg = await net.networkSecurityGroups.beginCreateOrUpdateAndWait(RG, "nsg", {
    location: "eastus",
    securityRules: [{ name: "allow-https", protocol: "Tcp", sourcePortRange: "*", destinationPortRange: "443", sourceAddressPrefix: "*", destinationAddressPrefix: "*", access: "Allow", priority: 100, direction: "Inbound" }],
  }, POLL);
  assert.deepEqual(nsg.defaultSecurityRules?.map((r) => [r.name, r.priority, r.direction, r.access, r.sourceAddressPrefix, r.destinationAddressPrefix]), [
    ["AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork", "VirtualNetwork"],
    ["AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer", "*"],
    ["DenyAllInBound", 65500, "Inbound", "Deny", "*", "*"],
    ["AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork"],
    ["AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Internet"],
    ["DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*"],
  ]);
  assert.equal(nsg.defaultSecurityRules?.[0]?.description, "Allow inbound traffic from all VMs in VNET");
  assert.equal(nsg.defaultSecurityRules?.[0]?.id, `${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/networkSecurityGroups/nsg/defaultSecurityRules/AllowVnetInBound`);
  assert.deepEqual(nsg.securityRules?.map((r) => r.name), ["allow-https"]);

  const rule = await net.securityRules.beginCreateOrUpdateAndWait(RG, "nsg", "allow-ssh", {
    protocol: "Tcp", sourcePortRange: "*", destinationPortRange: "22", sourceAddressPrefix: "10.0.0.0/8", destinationAddressPrefix: "*", access: "Allow", priority: 110, direction: "Inbound",
  }, POLL);
  assert.equal(rule.type, "Microsoft.Network/networkSecurityGroups/securityRules");
  assert.deepEqual((await net.networkSecurityGroups.get(RG, "nsg")).securityRules?.map((r) => r.name), ["allow-https", "allow-ssh"]);
  const conflict = await sdkError(net.securityRules.beginCreateOrUpdateAndWait(RG, "nsg", "dup", { protocol: "*", access: "Deny", priority: 110, direction: "Inbound" }, POLL), 400, "SecurityRuleConflict");
  assert.match(conflict, /^Security rule dup conflicts with rule allow-ssh\. Rules cannot have the same Priority and Direction\./);
  await sdkError(net.securityRules.beginCreateOrUpdateAndWait(RG, "nsg", "low", { protocol: "*", access: "Deny", priority: 50, direction: "Inbound" }, POLL), 400, "SecurityRuleInvalidPriority");

  // A subnet using the NSG shows in nsg.subnets and keeps it from being deleted.
  await net.subnets.beginCreateOrUpdateAndWait(RG, "vnet", "nodes", { addressPrefix: "172.19.1.0/24", networkSecurityGroup: { id: nsg.id } }, POLL);
  const withSubnet = await net.networkSecurityGroups.get(RG, "nsg");
  assert.deepEqual(withSubnet.subnets?.map((s) => s.id), [nodeSubnet]);
  const d = await emu.request("DELETE", `${nsg.id}?api-version=${V}`);
  assert.equal(assertNrpError(d, 400, "InUseNetworkSecurityGroupCannotBeDeleted"), `Network security group ${nsg.id} cannot be deleted because it is in use by the following resources: ${nodeSubnet}.`);
  await net.subnets.beginCreateOrUpdateAndWait(RG, "vnet", "nodes", { addressPrefix: "172.19.1.0/24" }, POLL);
  const ok = await deleteWait(emu, `${nsg.id}?api-version=${V}`);
  assert.equal(ok.status, 202);
});

test("availableDelegations lists managedClusters with join/action", async () => {
  const r = await emu.request("GET", `${SUB}/providers/Microsoft.Network/locations/eastus/availableDelegations?api-version=${V}`);
  assert.equal(r.status, 200);
  const aks = r.body.value.find((x: { serviceName: string }) => x.serviceName === AKS);
  assert.deepEqual(aks, {
    name: "Microsoft.ContainerService.managedClusters",
    id: `${SUB}/providers/Microsoft.Network/availableDelegations/Microsoft.ContainerService.managedClusters`,
    type: "Microsoft.Network/availableDelegations",
    serviceName: AKS,
    actions: ["Microsoft.Network/virtualNetworks/subnets/join/action"],
  });
  const sdk = [];
  for await (const x of net.availableDelegations.list("eastus")) sdk.push(x.serviceName);
  assert.ok(sdk.includes(AKS));
});

test("public IP: Standard is Static with an address; used by an LB frontend it cannot be deleted", async () => {
  const pip = await net.publicIPAddresses.beginCreateOrUpdateAndWait(RG, "outbound", { location: "eastus", sku: { name: "Standard" } }, POLL);
  assert.equal(pip.publicIPAllocationMethod, "Static");
  assert.match(pip.ipAddress!, /^20\.\d+\.\d+\.\d+$/);
  const lb = await net.loadBalancers.beginCreateOrUpdateAndWait(RG, "kubernetes", {
    location: "eastus", sku: { name: "Standard" },
    frontendIPConfigurations: [{ name: "outbound", publicIPAddress: { id: pip.id } }],
  }, POLL);
  const fe = lb.frontendIPConfigurations![0]!;
  assert.equal(fe.publicIPAddress?.id, pip.id);
  assert.equal(fe.privateIPAddress, undefined);
  assert.equal((await net.publicIPAddresses.get(RG, "outbound")).ipConfiguration?.id, fe.id);
  const d = await emu.request("DELETE", `${pip.id}?api-version=${V}`);
  assertNrpError(d, 400, "PublicIPAddressCannotBeDeleted");
  const missing = `${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/publicIPAddresses/nope`;
  await sdkError(net.loadBalancers.beginCreateOrUpdateAndWait(RG, "lb3", {
    location: "eastus", frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: missing } }],
  }, POLL), 400, "InvalidResourceReference");
  await net.loadBalancers.beginDeleteAndWait(RG, "kubernetes", POLL);
  await net.publicIPAddresses.beginDeleteAndWait(RG, "outbound", POLL);
});
