// From an answered ARM request to its activity record: writes only (PUT, PATCH, DELETE, POST),
// by an authenticated caller, on a path inside a subscription, as Azure's Administrative log.
// Reads are not logged (Azure does not log GETs either).
import type { RequestContext } from "../../http/context.js";
import type { Store } from "../../store/store.js";
import { asyncOperationOf, requestTarget, type ActivityRecord } from "./activity-log.js";
import { recordActivity } from "./activity-store.js";

const WRITES = new Set(["PUT", "PATCH", "DELETE", "POST"]);

export function activityRecordOf(ctx: RequestContext, begin: Date, end: Date): ActivityRecord | undefined {
  if (!WRITES.has(ctx.method) || !ctx.principal || !ctx.answered) return undefined;
  const t = requestTarget(ctx.method, ctx.path);
  if (!t) return undefined;
  const a = ctx.answered;
  return {
    subscriptionId: t.resourceId.split("/")[2]!,
    correlationId: ctx.correlationId,
    requestId: ctx.requestId,
    clientRequestId: ctx.header("x-ms-client-request-id"),
    clientIp: ctx.req.socket.remoteAddress?.replace(/^::ffff:/i, ""),
    method: ctx.method,
    ...t,
    principal: { objectId: ctx.principal.objectId, appId: ctx.principal.appId, tenantId: ctx.principal.tenantId },
    begin: begin.toISOString(),
    end: end.toISOString(),
    statusCode: a.status,
    error: a.error,
    asyncOperation: a.status < 400 ? asyncOperationOf(a.headers) : undefined,
  };
}

/** The front door's hook (server/app.ts): keep the record of a write request once it is answered. */
export function recordRequest(store: Store, ctx: RequestContext, begin: Date, end: Date): void {
  const r = activityRecordOf(ctx, begin, end);
  // After the answer, in the background: the activity log never delays or fails a request.
  if (r) void recordActivity(store, r).catch((e: unknown) => console.error("[aksemu] activity log: recording a request failed:", e));
}
