// The AKS subnet-join check fails closed: without an Authorization provider nothing is granted
// (a typed RbacNotRegisteredError, not a message match), so the create is refused with Azure's
// 403 LinkedAuthorizationFailed rather than let through.
import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import { ArmError } from "../../src/arm/errors.js";
import { RbacNotRegisteredError, can, setRbacImplementation } from "../../src/arm/rbac.js";
import { rbacCan } from "../../src/providers/containerservice/facts.js";
import { validateCluster } from "../../src/providers/containerservice/validate.js";

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

test("BYO subnets without an Authorization provider: 403 LinkedAuthorizationFailed on both subnets", () => {
  setRbacImplementation(undefined);
  const subnet = (id: string) => ({
    id, name: id.split("/").pop()!, vnetId: VNET,
    addressPrefixes: [id === API ? "172.19.0.0/28" : "172.19.1.0/24"],
    delegations: id === API ? ["Microsoft.ContainerService/managedClusters"] : [],
    serviceAssociationLinks: [], foreignUsers: [], free: id === API ? 11 : 251, heldByThisCluster: 0,
  });
  try {
    validateCluster({
      isCreate: true, clusterId: CLUSTER,
      requested: { enableVnetIntegration: true, subnetId: API }, next: { enableVnetIntegration: true, subnetId: API },
      preview: false, featureEffective: false, nodeSubnetIds: [NODES],
      subnet: (id) => (id.toLowerCase() === API.toLowerCase() ? subnet(API) : id.toLowerCase() === NODES.toLowerCase() ? subnet(NODES) : undefined),
      identity: { kind: "UserAssigned", principalId: "p1", clientId: "c1" },
      canJoin: (p, s) => rbacCan(reader, p, JOIN, s),
      nodeDemand: new Map([[NODES.toLowerCase(), 93]]), loadBalancerSku: "standard",
    });
    assert.fail("validateCluster allowed the join without an RBAC evaluator");
  } catch (e) {
    assert.ok(e instanceof ArmError, String(e));
    assert.equal(e.status, 403);
    assert.equal(e.code, "LinkedAuthorizationFailed");
    assert.match(e.message, new RegExp(`'${API},${NODES}'`));
  }
});
