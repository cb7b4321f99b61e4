// Operation status (Azure-AsyncOperation) and operation result (Location) endpoints for
// every long-running operation, whatever its provider (reference/arm-contract.md §3).
import type { Route } from "./router.js";
import type { ArmEnv, OperationRecord } from "./types.js";
import { E } from "./catalog.js";
import { getRecord } from "./repo.js";
import { renderRecord } from "./records.js";

export function operationStatusBody(op: OperationRecord) {
  const body: Record<string, unknown> = {
    id: `/subscriptions/${op.subscriptionId}/providers/${op.namespace}/locations/${op.location}/operations/${op.name}`,
    name: op.name,
    status: op.status,
    startTime: op.startTime,
  };
  if (op.endTime) body.endTime = op.endTime;
  if (op.status === "InProgress") body.percentComplete = 0;
  else body.percentComplete = 100;
  if (op.error) body.error = { details: [], ...op.error };
  return body;
}

/**
 * An operation as seen from one subscription: another subscription's operation does not exist
 * there (404, as ARM answers), so status and results are readable only under the owner.
 */
export function operationInSubscription(env: ArmEnv, sub: string, id: string, shownId = id): OperationRecord {
  const op = env.ops.get(id);
  if (!op || op.subscriptionId.toLowerCase() !== sub.toLowerCase()) throw E.operationNotFound.make({ id: shownId });
  return op;
}

export function operationRoutes(env: ArmEnv): Route[] {
  const find = (sub: string, id: string) => operationInSubscription(env, sub, id);
  return [
    {
      method: "GET",
      pattern: "/subscriptions/{sub}/providers/{ns}/locations/{loc}/operations/{id}",
      handler: (ctx, p) => {
        const op = find(p.sub!, p.id!);
        const headers: Record<string, string> = op.status === "InProgress" ? { "retry-after": String(env.latency.retryAfterSeconds()) } : {};
        ctx.send(200, operationStatusBody(op), headers);
      },
    },
    {
      method: "GET",
      pattern: "/subscriptions/{sub}/providers/{ns}/locations/{loc}/operationresults/{id}",
      handler: (ctx, p) => {
        const op = find(p.sub!, p.id!);
        if (op.status === "InProgress") {
          return ctx.send(202, undefined, { location: ctx.url.toString(), "retry-after": String(env.latency.retryAfterSeconds()) });
        }
        if (op.status === "Failed" || op.status === "Canceled") {
          return ctx.send(op.error?.code === "InternalServerError" ? 500 : 400, { error: { details: [], ...op.error } });
        }
        if (op.result) return ctx.send(op.result.status, op.result.body);
        if (op.kind === "put") {
          const rec = getRecord(env.store, op.resourceId);
          const def = env.registry.find(op.type);
          if (rec) return ctx.send(200, renderRecord(def, rec, { env, apiVersion: op.apiVersion, tx: env.store }));
        }
        ctx.send(op.kind === "delete" ? 200 : 204);
      },
    },
  ];
}
