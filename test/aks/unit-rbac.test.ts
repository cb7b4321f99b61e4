// The AKS subnet-join check fails closed: without an Authorization provider nothing is granted
// (a typed RbacNotRegisteredError, not a message match), so provisioning fails with Azure's
// LinkedAuthorizationFailed rather than let the identity join.
import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import { ArmError } from "../../src/arm/errors.js";
import { RbacNotRegisteredError, can, setRbacImplementation } from "../../src/arm/rbac.js";
import { rbacCan } from "../../src/providers/containerservice/facts.js";
import { validateCluster } from "../../src/providers/containerservice/validate.js";
import { linkedAuthorizationFailure } from "../../src/providers/containerservice/linked-authorization.js";

const JOIN = "Microsoft.Network/virtualNetworks/subnets/join/action";
const VNET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet";
const API = `${VNET}/subnets/apiserver`;
const NODES = `${VNET}/subnets/nodes`;
const CLUSTER = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c1";
const reader = { get: () => undefined, list: () => [] } as any;

afterEach(() => setRbacImplementation(undefined));

test("can() without an evaluator throws the typed RbacNotRegisteredError", () => {
  setRbacImplementation(undefined);
  assert.throws(() => can(reader, "p1", JOIN, API), RbacNotRegisteredError);
});

test("rbacCan denies when no evaluator is registered, and follows the evaluator when one is", () => {
  setRbacImplementation(undefined);
  assert.equal(rbacCan(reader, "p1", JOIN, API), false);
  setRbacImplementation((_tx, p, action, scope) => p === "p1" && action === JOIN && scope === API);
  assert.equal(rbacCan(reader, "p1", JOIN, API), true);
  assert.equal(rbacCan(reader, "p2", JOIN, API), false);
});

test("an evaluator's own failure is not mistaken for a missing one, whatever its message says", () => {
  setRbacImplementation(() => {
    throw new Error("role definition not registered");
  });
  assert.throws(() => rbacCan(reader, "p1", JOIN, API), /role definition not registered/);
});

test("BYO subnets without an Authorization provider: the provisioning check fails with LinkedAuthorizationFailed", () => {
  setRbacImplementation(undefined);
  const subnet = (id: string) => ({
    id, name: id.split("/").pop()!, vnetId: VNET,
    addressPrefixes: [id === API ? "172.19.0.0/28" : "172.19.1.0/24"],
    delegations: id === API ? ["Microsoft.ContainerService/managedClusters"] : [],
    serviceAssociationLinks: [], foreignUsers: [], free: id === API ? 11 : 251, heldByThisCluster: 0,
  });
  // the PUT's validation passes and names the subnets the identity must join ...
  const checks = validateCluster({
    isCreate: true, clusterId: CLUSTER,
    requested: { enableVnetIntegration: true, subnetId: API }, next: { enableVnetIntegration: true, subnetId: API },
    preview: false, featureEffective: false, nodeSubnetIds: [NODES],
    subnet: (id) => (id.toLowerCase() === API.toLowerCase() ? subnet(API) : id.toLowerCase() === NODES.toLowerCase() ? subnet(NODES) : undefined),
    identity: { kind: "UserAssigned", principalId: "p1", clientId: "c1" },
    nodeDemand: new Map([[NODES.toLowerCase(), 93]]), loadBalancerSku: "standard",
  });
  // ... and provisioning, which asks RBAC, is refused (fails closed)
  const e = linkedAuthorizationFailure({
    checks, identity: { principalId: "p1", clientId: "c1" }, subscriptionId: "s", nodeResourceGroup: "MC_rg_c1_westus2", digits: "12345678",
    pools: [{ name: "nodepool1", vnetSubnetID: NODES }], canJoin: (p, sid) => rbacCan(reader, p, JOIN, sid),
  });
  assert.ok(e instanceof ArmError, String(e));
  assert.equal(e.status, 403);
  assert.equal(e.code, "LinkedAuthorizationFailed");
  assert.match(e.message, new RegExp(`linked scope\\(s\\) '${API}'`));
});
