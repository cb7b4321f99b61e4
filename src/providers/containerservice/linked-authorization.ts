// The cluster identity's right to join its BYO subnets, as Azure enforces it: not when the PUT is
// accepted, but when provisioning writes into the subnet as that identity. The API server's
// internal load balancer (`kube-apiserver`) is written into the API server subnet, each pool's
// scale set into its node subnet; the Network RP refuses the write with LinkedAuthorizationFailed
// naming the identity (client = its client id), the write action and the resource, and the subnet
// as the linked scope (Azure/AKS#2673, Azure/aad-pod-identity#550, Azure/AKS#357). The operation
// fails with that error and the cluster is left Failed. Pure: the caller supplies the RBAC check.
import type { ArmError } from "../../arm/errors.js";
import { AksErrors } from "./errors.js";
import { vmssName } from "./names.js";
import { sameId } from "./spec.js";
import { JOIN_ACTION, type JoinCheck } from "./validate.js";

export const LB_WRITE_ACTION = "Microsoft.Network/loadBalancers/write";
export const VMSS_WRITE_ACTION = "Microsoft.Compute/virtualMachineScaleSets/write";

export interface ProvisioningIdentity {
  principalId: string;
  clientId: string;
}

export interface LinkedAuthorizationInput {
  checks: JoinCheck[];
  identity: ProvisioningIdentity | undefined;
  subscriptionId: string;
  nodeResourceGroup: string;
  /** The cluster's 8 digits (scale set names `aks-<pool>-<digits>-vmss`). */
  digits: string;
  pools: Array<{ name: string; vnetSubnetID?: string }>;
  canJoin(principalId: string, subnetId: string): boolean;
}

/** The write that joins `check.subnetId`: the action and the resource AKS writes as the identity. */
export function writerOf(inp: Omit<LinkedAuthorizationInput, "checks" | "identity" | "canJoin">, check: JoinCheck): { action: string; scope: string } {
  const rg = `/subscriptions/${inp.subscriptionId}/resourceGroups/${inp.nodeResourceGroup}`;
  if (check.writer === "apiserver") return { action: LB_WRITE_ACTION, scope: `${rg}/providers/Microsoft.Network/loadBalancers/kube-apiserver` };
  const pool = inp.pools.find((p) => sameId(p.vnetSubnetID, check.subnetId))?.name ?? "nodepool1";
  return { action: VMSS_WRITE_ACTION, scope: `${rg}/providers/Microsoft.Compute/virtualMachineScaleSets/${vmssName(pool, inp.digits)}` };
}

/** The first write the identity may not make (API server first, as provisioning orders them), or undefined. */
export function linkedAuthorizationFailure(inp: LinkedAuthorizationInput): ArmError | undefined {
  if (!inp.identity) return undefined;
  const ordered = [...inp.checks.filter((c) => c.writer === "apiserver"), ...inp.checks.filter((c) => c.writer === "nodes")];
  for (const check of ordered) {
    if (inp.canJoin(inp.identity.principalId, check.subnetId)) continue;
    const { action, scope } = writerOf(inp, check);
    return AksErrors.linkedAuthorizationFailed.make({
      client: inp.identity.clientId, oid: inp.identity.principalId, action, scope, linkedAction: JOIN_ACTION, linkedScopes: check.subnetId,
    });
  }
  return undefined;
}

/** The user-assigned identity of a cluster record as rendered (principal and client id), if any. */
export function userAssignedOf(identity: any): ProvisioningIdentity | undefined {
  if (String(identity?.type ?? "").toLowerCase() !== "userassigned") return undefined;
  const first = Object.values(identity.userAssignedIdentities ?? {})[0] as { principalId?: string; clientId?: string } | undefined;
  return first?.principalId ? { principalId: first.principalId, clientId: first.clientId ?? first.principalId } : undefined;
}
