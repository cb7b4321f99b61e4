// Writes that one provider makes on behalf of another (AKS creating a load balancer, a
// private DNS zone or a node resource group): they go through the SAME strategy code as a
// client's PUT/DELETE, inside the caller's transaction, so the rules and side effects hold.
import type { Txn } from "../store/store.js";
import type { Principal } from "../server/context.js";
import { ArmError } from "./errors.js";
import { parseId, typeOf, nameOf } from "./resource-id.js";
import { deleteRecordTree, getRecord, putRecord } from "./repo.js";
import { stampSystemData } from "./generic.js";
import { normalizeLocation } from "./state.js";
import type { ArmEnv, ResourceRecord } from "./types.js";

export const SYSTEM_PRINCIPAL: Principal = { objectId: "00000000-0000-0000-0000-00000000a5e0", appId: "aksemu", tenantId: "" };

export function putResourceInternal(tx: Txn, env: ArmEnv, id: string, body: any, opts: { apiVersion?: string; principal?: Principal } = {}): ResourceRecord {
  const parsed = parseId(id);
  if (!parsed || parsed.blocks.length === 0) throw new ArmError(500, "InternalServerError", `internal write to a non-resource id ${id}`);
  const last = parsed.blocks[parsed.blocks.length - 1]!;
  const def = env.registry.find(typeOf(last));
  if (!def) throw new ArmError(500, "InternalServerError", `internal write to unknown type ${typeOf(last)}`);
  const existing = getRecord(tx, id);
  if (def.tracked && typeof body.location === "string") body = { ...body, location: normalizeLocation(body.location) };
  const principal = opts.principal ?? SYSTEM_PRINCIPAL;
  const rec = def.strategy.put({ env, tx, id, parsed, apiVersion: opts.apiVersion ?? def.apiVersions[0]!, body, existing, principal });
  const out: ResourceRecord = { ...rec, id, name: nameOf(id), type: rec.type ?? `${def.namespace}/${def.type}` };
  out.systemData = stampSystemData(existing?.systemData, principal.appId, env.now());
  putRecord(tx, out);
  return out;
}

export function deleteResourceInternal(tx: Txn, env: ArmEnv, id: string, opts: { cascade?: boolean; principal?: Principal } = {}): boolean {
  const rec = getRecord(tx, id);
  if (!rec) return false;
  const def = env.registry.find(rec.type);
  def?.strategy.delete?.({ env, tx, record: rec, apiVersion: def.apiVersions[0]!, principal: opts.principal ?? SYSTEM_PRINCIPAL, cascade: opts.cascade ?? true });
  deleteRecordTree(tx, rec.id);
  return true;
}
