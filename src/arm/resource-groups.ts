// CONTRACT FILE: what other providers may do with resource groups from code (AKS creates and
// deletes its node resource group). The Resources provider implements it
// (providers/resources/resource-groups.ts) and registers it under RESOURCE_GROUPS.
import type { Txn } from "../store/store.js";
import type { ArmEnv, OperationRecord, ResourceRecord } from "./types.js";
import { needService, serviceKey } from "./services.js";

export interface ResourceGroups {
  /** Create or update a group from code through the same rules as a PUT; returns its record. */
  ensure(tx: Txn, env: ArmEnv, sub: string, name: string, location: string, opts?: { managedBy?: string; tags?: Record<string, string> }): ResourceRecord;
  /** Delete the group and everything in it now, inside tx; each resource's delete hook runs in cascade mode. */
  deleteNow(tx: Txn, env: ArmEnv, sub: string, name: string, principal: OperationRecord["principal"]): void;
}

export const RESOURCE_GROUPS = serviceKey<ResourceGroups>("resources.resourceGroups");

export function resourceGroups(env: Pick<ArmEnv, "services">): ResourceGroups {
  return needService(env, RESOURCE_GROUPS);
}
