// Complete mode's deletions (src/arm/template/cleanup.ts): which of the group's resources go, and
// in what order: whoever names a resource goes before it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { completeModeDeletions, isTopLevel, type GroupResource } from "../../src/arm/template/cleanup.js";

const RG = "/subscriptions/s/resourceGroups/rg/providers";
const VNET = `${RG}/Microsoft.Network/virtualNetworks/v`;
const AKS = `${RG}/Microsoft.ContainerService/managedClusters/c`;
const UAMI = `${RG}/Microsoft.ManagedIdentity/userAssignedIdentities/u`;
const PIP = `${RG}/Microsoft.Network/publicIPAddresses/p`;

test("top-level resources only; a resource the template deploys, or deploys something under, stays", () => {
  assert.equal(isTopLevel(VNET), true);
  assert.equal(isTopLevel(`${VNET}/subnets/a`), false);
  assert.equal(isTopLevel(`${VNET}/subnets/a/providers/Microsoft.Authorization/roleAssignments/g`), false);
  const group = [VNET, `${VNET}/subnets/a`, UAMI, PIP].map((id) => ({ id, type: "t" }));
  // the template deploys a subnet of the VNet (so the VNet stays) and, in another case, the identity
  assert.deepEqual(completeModeDeletions([`${VNET}/subnets/a`.toUpperCase(), UAMI], group).flat().map((r) => r.id), [PIP]);
  assert.deepEqual(completeModeDeletions([], []), []);
});

test("the cluster naming a subnet and an identity is deleted before them; independent ones together", () => {
  const group: GroupResource[] = [
    { id: VNET, type: "Microsoft.Network/virtualNetworks", body: { properties: { subnets: [{ id: `${VNET}/subnets/a` }] } } },
    { id: UAMI, type: "Microsoft.ManagedIdentity/userAssignedIdentities", body: {} },
    { id: AKS, type: "Microsoft.ContainerService/managedClusters", body: { identity: { userAssignedIdentities: { [UAMI.toUpperCase()]: {} } }, properties: { agentPoolProfiles: [{ vnetSubnetID: `${VNET}/subnets/a` }] } } },
    { id: PIP, type: "Microsoft.Network/publicIPAddresses", body: {} },
  ];
  const waves = completeModeDeletions([], group).map((w) => w.map((r) => r.id).sort());
  assert.deepEqual(waves, [[AKS, PIP].sort(), [VNET, UAMI].sort()]);
});

test("two resources naming each other cannot be ordered: they go last, together", () => {
  const a: GroupResource = { id: `${RG}/X.Y/t/a`, type: "X.Y/t", body: { properties: { peer: `${RG}/X.Y/t/b` } } };
  const b: GroupResource = { id: `${RG}/X.Y/t/b`, type: "X.Y/t", body: { properties: { peer: `${RG}/X.Y/t/a` } } };
  const c: GroupResource = { id: `${RG}/X.Y/t/c`, type: "X.Y/t", body: { properties: { uses: `${RG}/X.Y/t/a` } } };
  const waves = completeModeDeletions([], [a, b, c]).map((w) => w.map((r) => r.id).sort());
  assert.deepEqual(waves, [[c.id], [a.id, b.id]]);
});
