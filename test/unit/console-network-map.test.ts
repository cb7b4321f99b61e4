// The console's network map (src/console/network-map.ts) from real IPAM state: Azure's 5
// reserved addresses, the API server's ILB VIP and reserved block, nodes with their Azure CNI pod
// addresses, subnets placed to scale in the VNet's address space.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SubnetAddressPool } from "../../src/network/ipam.js";
import { classifyOwner, networkMap } from "../../src/console/network-map.js";
import type { ResourceRecord } from "../../src/arm/types.js";
import { ConsoleAccess, isLoopback } from "../../src/console/access.js";

const VNET = "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/vnet1";
const CLUSTER = "/subscriptions/s1/resourcegroups/rg1/providers/microsoft.containerservice/managedclusters/aks1";
const ILB_FE = "/subscriptions/s1/resourcegroups/mc_rg1_aks1_westeurope/providers/microsoft.network/loadbalancers/kube-apiserver/frontendipconfigurations/kube-apiserver-frontend";

function subnet(name: string, prefix: string, pool: SubnetAddressPool, extra: Partial<ResourceRecord["properties"]> = {}): ResourceRecord {
  return { id: `${VNET}/subnets/${name}`, name, type: "Microsoft.Network/virtualNetworks/subnets", properties: { addressPrefix: prefix, ...extra }, internal: { pools: [pool.toJSON()] } };
}

test("the strip of a delegated API server subnet: reserved, ILB VIP at .4, reserved block, broadcast", () => {
  const api = new SubnetAddressPool("10.0.2.0/28");
  assert.ok(api.allocate(ILB_FE, 1).ok);
  assert.ok(api.allocate(`${CLUSTER}/apiserver/backend`, 9).ok);
  const nodes = new SubnetAddressPool("10.0.1.0/24");
  assert.ok(nodes.allocate(`${CLUSTER}/agentpools/nodepool1/nodes/0`, 31).ok);
  const vnet: ResourceRecord = { id: VNET, name: "vnet1", type: "Microsoft.Network/virtualNetworks", location: "westeurope", properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } } };
  const m = networkMap(7, [vnet], [
    subnet("apiserver", "10.0.2.0/28", api, { delegations: [{ name: "aks", properties: { serviceName: "Microsoft.ContainerService/managedClusters" } }] }),
    subnet("nodes", "10.0.1.0/24", nodes),
  ]);
  assert.equal(m.revision, 7);
  const v = m.vnets[0]!;
  assert.deepEqual(v.addressSpace, [{ prefix: "10.0.0.0/16", size: 65536 }]);
  assert.deepEqual(v.subnets.map((s) => [s.name, s.prefixes[0]!.spaceOffset]), [["nodes", 256], ["apiserver", 512]], "sorted by place in the address space");
  const a = v.subnets.find((s) => s.name === "apiserver")!;
  assert.deepEqual(a.delegations, ["Microsoft.ContainerService/managedClusters"]);
  const runs = a.prefixes[0]!.runs.map((r) => [r.first, r.last, r.count, r.kind]);
  assert.deepEqual(runs, [
    ["10.0.2.0", "10.0.2.3", 4, "azure-reserved"],
    ["10.0.2.4", "10.0.2.4", 1, "apiserver-vip"],
    ["10.0.2.5", "10.0.2.13", 9, "apiserver-reserved"],
    ["10.0.2.15", "10.0.2.15", 1, "azure-reserved"],
  ]);
  assert.equal(a.prefixes[0]!.firstFree, "10.0.2.14");
  assert.match(a.prefixes[0]!.runs[1]!.label, /^kube-apiserver ILB VIP in mc_rg1_aks1_westeurope$/);
  const n = v.subnets.find((s) => s.name === "nodes")!.prefixes[0]!;
  assert.deepEqual(n.runs.slice(1, 3).map((r) => [r.first, r.last, r.kind]), [["10.0.1.4", "10.0.1.4", "node"], ["10.0.1.5", "10.0.1.34", "pod"]]);
  assert.equal(n.firstFree, "10.0.1.35");
});

test("owners are named in Azure's words; unknown owners are shown as they are", () => {
  assert.equal(classifyOwner(`${CLUSTER}/apiserver/frontend`).kind, "apiserver-vip", "reserved at PUT, before the load balancer exists");
  assert.equal(classifyOwner(`${CLUSTER}/apiserver/privateendpoint`).kind, "private-endpoint");
  assert.equal(classifyOwner("/subscriptions/s1/resourcegroups/rg/providers/microsoft.network/loadbalancers/lb1/frontendipconfigurations/fe").kind, "lb-frontend");
  assert.equal(classifyOwner("/subscriptions/s1/resourcegroups/rg/providers/microsoft.network/networkinterfaces/nic1/ipconfigurations/ipconfig1").kind, "nic");
  assert.deepEqual(classifyOwner("probe"), { kind: "other", label: "probe" });
});

test("a subnet too large to draw keeps its place but no per-address strip; a full subnet has no next free address", () => {
  const big = new SubnetAddressPool("10.8.0.0/13");
  const full = new SubnetAddressPool("10.9.0.0/29");
  assert.ok(full.allocate("x", 3).ok);
  const vnet: ResourceRecord = { id: VNET, name: "vnet1", type: "Microsoft.Network/virtualNetworks", properties: { addressSpace: { addressPrefixes: ["10.0.0.0/8"] } } };
  const m = networkMap(1, [vnet], [subnet("big", "10.8.0.0/13", big), subnet("full", "10.9.0.0/29", full)]);
  const [b, f] = m.vnets[0]!.subnets;
  assert.equal(b!.prefixes[0]!.size, 524288);
  assert.deepEqual(b!.prefixes[0]!.runs, []);
  assert.equal(f!.prefixes[0]!.firstFree, undefined);
});

test("console access: loopback peers only (IPv4-mapped too), keys compared whole", () => {
  for (const a of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]) assert.ok(isLoopback(a), a);
  for (const a of ["10.0.0.1", "::ffff:10.0.0.1", "192.168.1.2", "fe80::1", "", undefined, "localhost"]) assert.ok(!isLoopback(a), String(a));
  const k = new ConsoleAccess();
  assert.match(k.key, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(new ConsoleAccess().key, k.key, "a new key per start");
  assert.ok(k.matches(k.key));
  for (const bad of [undefined, "", k.key.slice(1), k.key + "x", k.key.toUpperCase() === k.key ? k.key.toLowerCase() : k.key.toUpperCase()]) assert.ok(!k.matches(bad), String(bad));
});
