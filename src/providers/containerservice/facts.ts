// Reads the facts validation needs from other providers (network model, identities, RBAC) and
// turns them into the plain data validate.ts works on.
import type { Txn } from "../../store/store.js";
import type { ArmEnv } from "../../arm/types.js";
import { getRecord } from "../../arm/repo.js";
import { RbacNotRegisteredError, can } from "../../arm/rbac.js";
import { idKey, parseId } from "../../arm/resource-id.js";
import { getResourceGroup } from "../../arm/state.js";
import { networkModel } from "../../arm/network-model.js";
import type { IdentityFacts, SubnetFacts } from "./validate.js";
import { AksErrors } from "./errors.js";
import { MANAGED_CLUSTER_TYPE } from "./api-versions.js";

type Reader = Pick<Txn, "get" | "list">;

/** Is `id` a resource of an AKS node resource group (RG managedBy a managed cluster)? */
export function isAksOwned(tx: Reader, id: string): boolean {
  const p = parseId(id);
  if (!p?.subscriptionId || !p.resourceGroup) return false;
  const rg = getResourceGroup(tx, p.subscriptionId, p.resourceGroup);
  return !!rg?.managedBy && rg.managedBy.toLowerCase().includes("/providers/microsoft.containerservice/managedclusters/");
}

const RESOURCE_GROUP_OF = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\//i;

/**
 * Subnet facts for validation. `held` is what this cluster already holds there according to its
 * own record (allocations and the record are written in one transaction, so they agree).
 */
export function subnetFacts(tx: Reader, env: ArmEnv, subnetId: string, held = 0): SubnetFacts | undefined {
  const model = networkModel(env);
  const v = model.getSubnet(tx, subnetId);
  if (!v) return undefined;
  // Whether an ipConfiguration is AKS's is decided by its resource group: asked once per group
  // (a subnet shared by N clusters lists tens of ipConfigurations per node).
  const rgOwned = new Map<string, boolean>();
  const aks = (c: string) => {
    const rg = RESOURCE_GROUP_OF.exec(c)?.[0].toLowerCase();
    if (rg === undefined) return isAksOwned(tx, c);
    let owned = rgOwned.get(rg);
    if (owned === undefined) rgOwned.set(rg, (owned = isAksOwned(tx, c)));
    return owned;
  };
  const foreign = [...v.ipConfigurations.filter((c) => !aks(c)), ...v.privateEndpoints];
  return {
    id: v.id,
    name: v.name,
    vnetId: v.vnetId,
    addressPrefixes: v.addressPrefixes,
    delegations: v.delegations,
    serviceAssociationLinks: v.serviceAssociationLinks,
    foreignUsers: foreign,
    free: Number(v.usage.free),
    heldByThisCluster: held,
  };
}

/** The cluster identity as validation sees it; a UserAssigned identity must exist. */
export function identityFacts(tx: Reader, identity: any): IdentityFacts {
  const type = String(identity?.type ?? "SystemAssigned");
  if (type.toLowerCase() === "userassigned") {
    const ids = Object.keys(identity.userAssignedIdentities ?? {});
    if (ids.length !== 1) throw AksErrors.invalidIdentity.make({ detail: "identity.userAssignedIdentities must contain exactly one user-assigned identity when identity.type is UserAssigned." });
    const rec = getRecord(tx, ids[0]!);
    if (!rec || rec.type.toLowerCase() !== "microsoft.managedidentity/userassignedidentities") {
      const p = parseId(ids[0]!);
      throw AksErrors.identityNotFound.make({ type: "Microsoft.ManagedIdentity/userAssignedIdentities", name: ids[0]!.split("/").pop() ?? "", rg: p?.resourceGroup ?? "" });
    }
    return { kind: "UserAssigned", principalId: rec.properties.principalId, clientId: rec.properties.clientId };
  }
  if (type.toLowerCase() === "none") return { kind: "None" };
  if (type.toLowerCase() !== "systemassigned") throw AksErrors.invalidIdentity.make({ detail: `identity.type '${type}' must be SystemAssigned, UserAssigned or None.` });
  return { kind: "SystemAssigned" };
}

/** RBAC through the Authorization provider. Fails closed: without an evaluator nothing is granted. */
export function rbacCan(tx: Reader, principalId: string, action: string, scope: string): boolean {
  try {
    return can(tx, principalId, action, scope);
  } catch (e) {
    if (e instanceof RbacNotRegisteredError) return false;
    throw e;
  }
}

export function clusterExists(tx: Reader, id: string): boolean {
  const r = getRecord(tx, id);
  return !!r && r.type.toLowerCase() === MANAGED_CLUSTER_TYPE.toLowerCase();
}

export { idKey };
