// Writes that one provider makes on behalf of another (AKS creating a load balancer, a private
// DNS zone, NICs, scale sets): they go through the resource service like a client's PUT/DELETE
// (the same checks in the same order, the same strategy code and side effects), inside the
// caller's transaction and completed at once (the caller's transaction cannot wait for an operation).
import type { Txn } from "../store/store.js";
import { ArmError } from "./errors.js";
import { parseId, typeOf } from "./resource-id.js";
import { deleteRecordTree, getRecord } from "./repo.js";
import { ResourceService } from "./resource-service.js";
import { systemCaller, type Caller } from "./caller.js";
import type { ArmEnv, ResourceRecord } from "./types.js";

export { SYSTEM_PRINCIPAL } from "./caller.js";

export function putResourceInternal(tx: Txn, env: ArmEnv, id: string, body: any, opts: { apiVersion?: string; caller?: Caller } = {}): ResourceRecord {
  const parsed = parseId(id);
  if (!parsed || parsed.blocks.length === 0) throw new ArmError(500, "InternalServerError", `internal write to a non-resource id ${id}`);
  const def = env.registry.find(typeOf(parsed.blocks[parsed.blocks.length - 1]!));
  if (!def) throw new ArmError(500, "InternalServerError", `internal write to unknown type ${typeOf(parsed.blocks[parsed.blocks.length - 1]!)}`);
  const svc = new ResourceService(env);
  const t = svc.resolve(parsed, "PUT", opts.apiVersion ?? def.apiVersions[0]!, { reader: tx });
  return svc.putIn(tx, t, body, { caller: opts.caller ?? systemCaller(env), inline: true }).record;
}

/** Delete a resource now (its strategy's delete and the record tree); false when it does not exist. */
export function deleteResourceInternal(tx: Txn, env: ArmEnv, id: string, opts: { cascade?: boolean; cascadeScope?: string; caller?: Caller } = {}): boolean {
  const rec = getRecord(tx, id);
  if (!rec) return false;
  const def = env.registry.find(rec.type);
  if (!def) {
    deleteRecordTree(tx, rec.id);
    return true;
  }
  const svc = new ResourceService(env);
  const cascade = opts.cascade ?? true;
  const t = svc.resolve(rec.id, "DELETE", def.apiVersions[0]!, { reader: tx, cascade });
  svc.deleteIn(tx, t, { caller: opts.caller ?? systemCaller(env), inline: true, cascade, cascadeScope: opts.cascadeScope });
  return true;
}
