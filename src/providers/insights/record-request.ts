// From an answered ARM request to its activity record: writes only (PUT, PATCH, DELETE, POST),
// by an authenticated caller, on a path inside a subscription, as Azure's Administrative log.
// Reads are not logged (Azure does not log GETs either).
import type { RequestContext } from "../../http/context.js";
import { StoreBusyError, type Store } from "../../store/store.js";
import { asyncOperationOf, requestTarget, type ActivityRecord } from "./activity-log.js";
import { MAX_RECORDS, recordActivities } from "./activity-store.js";

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

/** Retention is checked once per this many records of a subscription (counting its log reads all of it). */
export const TRIM_EVERY = 500;

/**
 * The front door's hook (server/app.ts): keeps the record of each answered write request, after
 * the answer and in the background, so the activity log never delays or fails a request. The
 * records of the requests answered in one turn of the event loop (a group commit's answers go
 * out together) share one transaction: one commit instead of one per request. Not acknowledged
 * to anyone, so a crash may lose the last turn's records, as it could before they were batched.
 */
export class ActivityRecorder {
  private pending: ActivityRecord[] = [];
  private scheduled = false;
  private flushing: Promise<void> | undefined;
  /** Records kept per subscription since its log was last trimmed (none yet: trim with the first). */
  private readonly sinceTrim = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly max = MAX_RECORDS,
    private readonly trimEvery = TRIM_EVERY,
  ) {}

  request(ctx: RequestContext, begin: Date, end: Date): void {
    const r = activityRecordOf(ctx, begin, end);
    if (r) this.record(r);
  }

  record(r: ActivityRecord): void {
    this.pending.push(r);
    this.schedule();
  }

  /** Settles once every record handed over so far is committed (or its failure logged): before the store closes. */
  async flush(): Promise<void> {
    while (this.flushing || this.pending.length > 0) await (this.flushing ?? this.write());
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    // After this turn: every request answered in it joins the batch.
    setImmediate(() => {
      this.scheduled = false;
      if (!this.flushing && this.pending.length > 0) void this.write();
    });
  }

  private write(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    const counts = new Map<string, number>();
    for (const r of batch) {
      const sub = r.subscriptionId.toLowerCase();
      counts.set(sub, (counts.get(sub) ?? 0) + 1);
    }
    const trim = new Set<string>();
    for (const [sub, n] of counts) {
      const since = this.sinceTrim.get(sub);
      if (since === undefined || since + n >= this.trimEvery) trim.add(sub);
    }
    const done = recordActivities(this.store, batch, trim, this.max).then(
      () => {
        for (const [sub, n] of counts) this.sinceTrim.set(sub, trim.has(sub) ? 0 : this.sinceTrim.get(sub)! + n);
      },
      (e: unknown) => {
        // Another process holding the database lock costs a log line, not the request.
        if (!(e instanceof StoreBusyError)) console.error(`[aksemu] activity log: recording ${batch.length} request(s) failed:`, e);
      },
    );
    this.flushing = done.finally(() => {
      this.flushing = undefined;
      if (this.pending.length > 0) this.schedule();
    });
    return this.flushing;
  }
}
