import { test } from "node:test";
import assert from "node:assert/strict";
import { ArmError } from "../../src/arm/errors.js";
import { validateCluster, type SubnetFacts, type ValidationInput } from "../../src/providers/containerservice/validate.js";
import { linkedAuthorizationFailure } from "../../src/providers/containerservice/linked-authorization.js";

const VNET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet";
const API = `${VNET}/subnets/apiserver`;
const NODES = `${VNET}/subnets/nodes`;
const OTHER_VNET_API = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/other/subnets/apiserver";
const CLUSTER = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c1";

function subnet(id: string, over: Partial<SubnetFacts> = {}): SubnetFacts {
  return {
    id, name: id.split("/").pop()!, vnetId: id.replace(/\/subnets\/[^/]+$/, ""),
    addressPrefixes: [id.endsWith("apiserver") ? "172.19.0.0/28" : "172.19.1.0/24"],
    delegations: id.endsWith("apiserver") ? ["Microsoft.ContainerService/managedClusters"] : [],
    serviceAssociationLinks: [], foreignUsers: [], free: id.endsWith("apiserver") ? 11 : 251, heldByThisCluster: 0, ...over,
  };
}

function input(over: Partial<ValidationInput> = {}, subnets: Record<string, SubnetFacts | undefined> = {}): ValidationInput {
  const all: Record<string, SubnetFacts | undefined> = { [API.toLowerCase()]: subnet(API), [NODES.toLowerCase()]: subnet(NODES), ...subnets };
  return {
    isCreate: true, clusterId: CLUSTER,
    requested: { enableVnetIntegration: true, subnetId: API }, next: { enableVnetIntegration: true, subnetId: API },
    preview: false, featureEffective: false, nodeSubnetIds: [NODES],
    subnet: (id) => all[id.toLowerCase()],
    identity: { kind: "UserAssigned", principalId: "p1", clientId: "c1" },
    nodeDemand: new Map([[NODES.toLowerCase(), 93]]), loadBalancerSku: "standard",
    ...over,
  };
}

function fails(inp: ValidationInput, code: string, msg?: RegExp | string, status = 400): ArmError {
  try {
    validateCluster(inp);
  } catch (e) {
    assert.ok(e instanceof ArmError, String(e));
    assert.equal(e.code, code, e.message);
    assert.equal(e.status, status);
    if (typeof msg === "string") assert.equal(e.message, msg);
    else if (msg) assert.match(e.message, msg);
    return e;
  }
  assert.fail(`expected ${code}`);
}

test("a valid BYO request passes", () => {
  validateCluster(input());
});

test("(a) subnetId without enableVnetIntegration — verbatim", () => {
  fails(input({ requested: { subnetId: API }, next: { subnetId: API } }), "ApiserverSubnetConfigError",
    "apiServerAccessProfile.subnetId should be empty because apiserverVnetIntegration is not enabled.");
});

test("(b) BYO node subnet without subnetId — verbatim", () => {
  fails(input({ requested: { enableVnetIntegration: true }, next: { enableVnetIntegration: true } }), "ApiserverSubnetConfigError",
    "apiServerAccessProfile.subnetId should not be empty when using custom vnet with apiserverVnetIntegration");
});

test("(c) managed VNet with subnetId — verbatim", () => {
  fails(input({ nodeSubnetIds: [] }), "ApiserverSubnetConfigError", "apiServerAccessProfile.subnetId should be empty when using default vnet with apiserverVnetIntegration");
});

test("(d) subnet rules in order", () => {
  fails(input({}, { [API.toLowerCase()]: undefined }), "SubnetNotFound", /apiServerAccessProfile\.subnetId/);
  fails(input({}, { [NODES.toLowerCase()]: undefined }), "SubnetNotFound", /agentPoolProfile\.vnetSubnetID/);
  fails(input({ requested: { enableVnetIntegration: true, subnetId: OTHER_VNET_API }, next: { enableVnetIntegration: true, subnetId: OTHER_VNET_API } },
    { [OTHER_VNET_API.toLowerCase()]: subnet(OTHER_VNET_API) }), "ApiserverSubnetConfigError", /same virtual network/);
  fails(input({}, { [API.toLowerCase()]: subnet(API, { delegations: [] }) }), "ApiserverSubnetConfigError", /must be delegated to Microsoft\.ContainerService\/managedClusters/);
  fails(input({}, { [API.toLowerCase()]: subnet(API, { delegations: ["Microsoft.Web/serverFarms"] }) }), "ApiserverSubnetConfigError", /must be delegated/);
  fails(input({}, { [API.toLowerCase()]: subnet(API, { addressPrefixes: ["172.19.0.0/29"], free: 3 }) }), "ApiserverSubnetConfigError", /\/28 or larger/);
  fails(input({}, { [API.toLowerCase()]: subnet(API, { foreignUsers: [`${VNET}/../privateEndpoints/pe1`] }) }), "ApiserverSubnetConfigError", /used by other resources/);
  fails(input({}, { [API.toLowerCase()]: subnet(API, { free: 2 }) }), "InsufficientSubnetSize",
    "Pre-allocated IPs 9 exceeds IPs available 2 in Subnet Cidr 172.19.0.0/28, Subnet Name apiserver. http://aka.ms/aks/insufficientsubnetsize");
  // an AKS SAL (shared with another cluster) is fine
  validateCluster(input({}, { [API.toLowerCase()]: subnet(API, { serviceAssociationLinks: [{ name: "AzureKubernetesService", linkedResourceType: "Microsoft.ContainerService/managedClusters" }], free: 9 }) }));
});

test("(e) identity join permission: the PUT passes, the subnets to check during provisioning are returned", () => {
  assert.deepEqual(validateCluster(input()), [{ subnetId: API, writer: "apiserver" }, { subnetId: NODES, writer: "nodes" }]);
  // SystemAssigned: nothing to check before the identity exists (documented decision)
  assert.deepEqual(validateCluster(input({ identity: { kind: "SystemAssigned" } })), []);
  // update: only newly referenced node subnets
  assert.deepEqual(validateCluster(input({ isCreate: false, previous: { enableVnetIntegration: true, subnetId: API }, newNodeSubnetIds: [] })), []);
});

test("(e) provisioning: LinkedAuthorizationFailed names the identity, the LB / scale set write and the subnet as linked scope", () => {
  const base = {
    identity: { principalId: "p1", clientId: "c1" }, subscriptionId: "s", nodeResourceGroup: "MC_rg_c1_westus2", digits: "12345678",
    pools: [{ name: "nodepool1", vnetSubnetID: NODES }],
    checks: [{ subnetId: NODES, writer: "nodes" as const }, { subnetId: API, writer: "apiserver" as const }],
  };
  assert.equal(linkedAuthorizationFailure({ ...base, canJoin: () => true }), undefined);
  const e = linkedAuthorizationFailure({ ...base, canJoin: () => false })!;
  assert.equal(e.code, "LinkedAuthorizationFailed");
  assert.equal(e.status, 403);
  assert.equal(e.message, `The client 'c1' with object id 'p1' has permission to perform action 'Microsoft.Network/loadBalancers/write' on scope '/subscriptions/s/resourceGroups/MC_rg_c1_westus2/providers/Microsoft.Network/loadBalancers/kube-apiserver'; however, it does not have permission to perform action 'Microsoft.Network/virtualNetworks/subnets/join/action' on the linked scope(s) '${API}' or the linked scope(s) are invalid.`);
  const n = linkedAuthorizationFailure({ ...base, canJoin: (_p, s) => s === API })!;
  assert.equal(n.message, `The client 'c1' with object id 'p1' has permission to perform action 'Microsoft.Compute/virtualMachineScaleSets/write' on scope '/subscriptions/s/resourceGroups/MC_rg_c1_westus2/providers/Microsoft.Compute/virtualMachineScaleSets/aks-nodepool1-12345678-vmss'; however, it does not have permission to perform action 'Microsoft.Network/virtualNetworks/subnets/join/action' on the linked scope(s) '${NODES}' or the linked scope(s) are invalid.`);
  assert.equal(linkedAuthorizationFailure({ ...base, identity: undefined, canJoin: () => false }), undefined);
});

test("(f) delegated node subnet — SubnetIsDelegated verbatim; node subnet capacity", () => {
  fails(input({}, { [NODES.toLowerCase()]: subnet(NODES, { delegations: ["Microsoft.Web/serverFarms"] }) }), "SubnetIsDelegated",
    `AgentPoolProfile.VnetSubnetID ${NODES} cannot be used as it's a delegated subnet. Please check https://aka.ms/adv-network-prerequest for more details.`);
  fails(input({ nodeDemand: new Map([[NODES.toLowerCase(), 300]]) }), "InsufficientSubnetSize", /Pre-allocated IPs 300 exceeds IPs available 251 in Subnet Cidr 172\.19\.1\.0\/24, Subnet Name nodes/);
});

test("preview api-version without the feature flag", () => {
  fails(input({ preview: true, featureEffective: false }), "PreviewFeatureNotRegistered",
    "Feature Microsoft.ContainerService/EnableAPIServerVnetIntegrationPreview is not enabled. Please see https://aka.ms/aks/previews for how to enable features.");
  validateCluster(input({ preview: true, featureEffective: true }));
});

test("updates: one-way, fixed subnet, conversion needs subnetId, private toggles need integration", () => {
  const prevInt = { enableVnetIntegration: true, subnetId: API };
  fails(input({ isCreate: false, previous: prevInt, requested: { enableVnetIntegration: false }, next: { enableVnetIntegration: false, subnetId: API } }), "OperationNotAllowed", /cannot be changed from true to false/);
  const other = `${VNET}/subnets/apiserver2`;
  fails(input({ isCreate: false, previous: prevInt, requested: { subnetId: other }, next: { enableVnetIntegration: true, subnetId: other } }), "OperationNotAllowed", /subnetId cannot be changed/);
  fails(input({ isCreate: false, previous: {}, requested: { enableVnetIntegration: true }, next: { enableVnetIntegration: true } }), "ApiserverSubnetConfigError",
    "apiServerAccessProfile.subnetId is required when updating an existing cluster to enable apiserver vnet integration.");
  fails(input({ isCreate: false, previous: { enablePrivateCluster: false }, requested: { enablePrivateCluster: true }, next: { enablePrivateCluster: true } }), "OperationNotAllowed", /VNet Integration/);
  // conversion + private in one request is fine
  validateCluster(input({ isCreate: false, previous: {}, requested: { enableVnetIntegration: true, subnetId: API, enablePrivateCluster: true }, next: { enableVnetIntegration: true, subnetId: API, enablePrivateCluster: true } }));
  // private toggle on an integrated cluster is fine; the already-held addresses don't need re-checking
  validateCluster(input({ isCreate: false, previous: prevInt, requested: { enablePrivateCluster: true }, next: { ...prevInt, enablePrivateCluster: true } }, { [API.toLowerCase()]: subnet(API, { free: 0 }) }));
});

test("private cluster with a basic load balancer", () => {
  fails(input({ next: { enableVnetIntegration: true, subnetId: API, enablePrivateCluster: true }, loadBalancerSku: "basic" }), "PrivateClusterNotSupportedWithBasicLoadBalancer");
});

// ---- PUT body shape (400 InvalidParameter naming the property path)
import { validateClusterShape, validatePodCidrCapacity, validatePoolShape } from "../../src/providers/containerservice/shape.js";
import { podCidrFor, podCidrIndex } from "../../src/providers/containerservice/topology.js";

function shapeFails(fn: () => void, path: string): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ArmError, String(e));
    assert.equal(e.status, 400, e.message);
    assert.equal(e.code, "InvalidParameter", e.message);
    assert.ok(e.message.includes(path), `${e.message} names ${path}`);
    return;
  }
  assert.fail(`expected InvalidParameter for ${path}`);
}

const pool = (o: Record<string, unknown> = {}) => ({ name: "np1", count: 1, mode: "System", ...o });
const body = (props: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ location: "westus2", ...extra, properties: { agentPoolProfiles: [pool()], ...props } });

test("shape: maxPods must be an integer 10..250", () => {
  shapeFails(() => validateClusterShape(body({ agentPoolProfiles: [pool({ maxPods: 5 })] })), "properties.agentPoolProfiles[0].maxPods");
  shapeFails(() => validateClusterShape(body({ agentPoolProfiles: [pool({ maxPods: 251 })] })), "properties.agentPoolProfiles[0].maxPods");
  shapeFails(() => validateClusterShape(body({ agentPoolProfiles: [pool({ maxPods: "30" })] })), "properties.agentPoolProfiles[0].maxPods");
  shapeFails(() => validatePoolShape({ maxPods: 10.5 }, "properties", "1.31.10"), "properties.maxPods");
  validateClusterShape(body({ agentPoolProfiles: [pool({ maxPods: 250 })] }));
});

test("shape: networkProfile CIDRs, dnsServiceIP inside serviceCidr, loadBalancerSku", () => {
  shapeFails(() => validateClusterShape(body({ networkProfile: { serviceCidr: "10.0.0.0/33" } })), "properties.networkProfile.serviceCidr");
  shapeFails(() => validateClusterShape(body({ networkProfile: { serviceCidr: "banana" } })), "properties.networkProfile.serviceCidr");
  shapeFails(() => validateClusterShape(body({ networkProfile: { podCidr: "10.244.0.0/33" } })), "properties.networkProfile.podCidr");
  shapeFails(() => validateClusterShape(body({ networkProfile: { podCidr: 17 } })), "properties.networkProfile.podCidr");
  shapeFails(() => validateClusterShape(body({ networkProfile: { serviceCidr: "10.0.0.0/16", dnsServiceIP: "10.1.0.10" } })), "properties.networkProfile.dnsServiceIP");
  shapeFails(() => validateClusterShape(body({ networkProfile: { serviceCidr: "10.0.0.0/16", dnsServiceIP: "10.0.0.1" } })), "properties.networkProfile.dnsServiceIP");
  shapeFails(() => validateClusterShape(body({ networkProfile: { serviceCidr: "10.0.0.0/16", dnsServiceIP: "10.0.0.300" } })), "properties.networkProfile.dnsServiceIP");
  shapeFails(() => validateClusterShape(body({ networkProfile: { loadBalancerSku: 1 } })), "properties.networkProfile.loadBalancerSku");
  shapeFails(() => validateClusterShape(body({ networkProfile: { loadBalancerSku: "premium" } })), "properties.networkProfile.loadBalancerSku");
  validateClusterShape(body({ networkProfile: { serviceCidr: "10.2.0.0/16", dnsServiceIP: "10.2.0.10", podCidr: "192.168.0.0/16", loadBalancerSku: "Standard" } }));
});

test("shape: apiServerAccessProfile booleans and strings, dnsPrefix/fqdnSubdomain, subnet ids, tags", () => {
  shapeFails(() => validateClusterShape(body({ apiServerAccessProfile: { enablePrivateCluster: "true" } })), "properties.apiServerAccessProfile.enablePrivateCluster");
  shapeFails(() => validateClusterShape(body({ apiServerAccessProfile: { enableVnetIntegration: 1 } })), "properties.apiServerAccessProfile.enableVnetIntegration");
  shapeFails(() => validateClusterShape(body({ apiServerAccessProfile: { privateDNSZone: 42 } })), "properties.apiServerAccessProfile.privateDNSZone");
  shapeFails(() => validateClusterShape(body({ apiServerAccessProfile: { subnetId: "not-an-id" } })), "properties.apiServerAccessProfile.subnetId");
  shapeFails(() => validateClusterShape(body({ apiServerAccessProfile: { subnetId: 7 } })), "properties.apiServerAccessProfile.subnetId");
  shapeFails(() => validateClusterShape(body({ dnsPrefix: 12 })), "properties.dnsPrefix");
  shapeFails(() => validateClusterShape(body({ fqdnSubdomain: "-bad-" })), "properties.fqdnSubdomain");
  shapeFails(() => validateClusterShape(body({ agentPoolProfiles: [pool({ vnetSubnetID: 3 })] })), "properties.agentPoolProfiles[0].vnetSubnetID");
  shapeFails(() => validateClusterShape(body({ agentPoolProfiles: [pool({ vnetSubnetID: "/subscriptions/x" })] })), "properties.agentPoolProfiles[0].vnetSubnetID");
  shapeFails(() => validateClusterShape(body({}, { tags: ["a"] })), "tags");
  shapeFails(() => validateClusterShape(body({}, { tags: { a: 1 } })), "tags.a");
  validateClusterShape(body({ dnsPrefix: "ok-prefix", apiServerAccessProfile: { enablePrivateCluster: true, privateDNSZone: "system", subnetId: API } }, { tags: { a: "b" } }));
});

test("shape: orchestratorVersion supported and not above the control plane; kubernetesVersion no downgrade / no skipped minor", () => {
  shapeFails(() => validateClusterShape(body({ kubernetesVersion: "1.31.10", agentPoolProfiles: [pool({ orchestratorVersion: "1.29.0" })] })), "properties.agentPoolProfiles[0].orchestratorVersion");
  shapeFails(() => validateClusterShape(body({ kubernetesVersion: "1.31.10", agentPoolProfiles: [pool({ orchestratorVersion: "1.32" })] })), "properties.agentPoolProfiles[0].orchestratorVersion");
  shapeFails(() => validatePoolShape({ orchestratorVersion: "1.33.2" }, "properties", "1.31.10"), "properties.orchestratorVersion");
  validateClusterShape(body({ kubernetesVersion: "1.31.10", agentPoolProfiles: [pool({ orchestratorVersion: "1.30" })] }));
  const existing = { kubernetesVersion: "1.31.10", currentKubernetesVersion: "1.31.10" };
  shapeFails(() => validateClusterShape(body({ kubernetesVersion: "1.30.14" }), existing), "properties.kubernetesVersion");
  shapeFails(() => validateClusterShape(body({ kubernetesVersion: "1.33.2" }), existing), "properties.kubernetesVersion");
  validateClusterShape(body({ kubernetesVersion: "1.32.6" }), existing);
  validateClusterShape(body({ kubernetesVersion: "1.31.10" }), existing);
});

test("pod CIDR: one /24 per node, arithmetic beyond 256 nodes, capacity validated", () => {
  assert.equal(podCidrFor("10.244.0.0/16", 0), "10.244.0.0/24");
  assert.equal(podCidrFor("10.244.0.0/16", 255), "10.244.255.0/24");
  assert.equal(podCidrFor("10.0.0.0/8", 256), "10.1.0.0/24");
  assert.equal(podCidrFor("10.0.0.0/8", 300), "10.1.44.0/24");
  assert.equal(podCidrIndex("10.0.0.0/8", "10.1.44.0/24"), 300);
  assert.equal(podCidrFor("192.168.0.0/16", 3), "192.168.3.0/24");
  assert.equal(podCidrIndex("192.168.0.0/16", "192.168.3.0/24"), 3);
  shapeFails(() => validatePodCidrCapacity({ networkProfile: { podCidr: "10.244.0.0/23" }, agentPoolProfiles: [{ count: 3 }] }), "properties.networkProfile.podCidr");
  validatePodCidrCapacity({ networkProfile: { podCidr: "10.244.0.0/23" }, agentPoolProfiles: [{ count: 2 }] });
  shapeFails(() => validateClusterShape(body({ networkProfile: { podCidr: "10.244.0.0/25" } })), "properties.networkProfile.podCidr");
});
