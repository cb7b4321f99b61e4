// The request pipeline of the emulator's one HTTPS listener:
// context (ids) → route table (Entra, metadata, Graph, ARM-served endpoints) or the
// generic resource handler, after the bearer-token check (server/auth.ts) → error rendering.
import type { IncomingMessage, ServerResponse } from "node:http";
import { ArmError } from "../arm/errors.js";
import { E } from "../arm/catalog.js";
import type { Router, RouteMatch } from "../arm/router.js";
import type { GenericResourceHandler } from "../arm/generic.js";
import { StoreBusyError } from "../store/store.js";
import { StoreConflictError, StoreTxnTooLargeError, StoreUnavailableError } from "../store/kv-store.js";
import { BodyTooLargeError, MAX_BODY_BYTES, RequestContext } from "../http/context.js";
import type { AuthPolicy } from "./auth.js";
import type { Site } from "./site.js";

export interface AppDeps {
  router: Router;
  generic: GenericResourceHandler;
  auth: AuthPolicy;
  site: Site;
  /** The store's durability barrier: answers wait for it (RequestContext.durable). */
  durable?: () => Promise<void> | undefined;
  /** The store's read barrier (Store.fresh): a request is handled once it resolves. */
  fresh?: () => Promise<void> | undefined;
  log?: (line: string) => void;
  /** Called once a request is answered (the activity log keeps ARM writes); its failure never fails the request. */
  answered?: (ctx: RequestContext, begin: Date, end: Date) => void;
}

export function createApp(d: AppDeps) {
  return function handle(req: IncomingMessage, res: ServerResponse): Promise<void> | undefined {
    const ctx = new RequestContext(req, res, d.site.baseFor(req.headers.host));
    ctx.durable = d.durable;
    const started = Date.now();
    const finish = (failed: boolean, err?: unknown): void => {
      try {
        if (failed) renderError(ctx, err);
        else if (!ctx.done) renderError(ctx, E.noRouteFound.make({ path: ctx.path }));
      } finally {
        try {
          d.answered?.(ctx, new Date(started), new Date());
        } catch (e) {
          // Another process holding the database lock costs a log line, not the request.
          if (!(e instanceof StoreBusyError)) console.error(`[aksemu] could not keep the activity record of ${ctx.method} ${ctx.path}:`, e);
        }
        d.log?.(`${ctx.method} ${ctx.url.pathname}${ctx.url.search} -> ${res.statusCode} ${Date.now() - started}ms`);
      }
    };
    // A request whose every step completes at once (a read with a token already accepted on its
    // connection) is answered without a promise; any step that waits makes the rest asynchronous.
    let pending: Promise<void> | undefined;
    try {
      pending = dispatch(ctx, d);
    } catch (err) {
      finish(true, err);
      return undefined;
    }
    if (!pending) {
      finish(false);
      return undefined;
    }
    return pending.then(
      () => finish(false),
      (err: unknown) => finish(true, err),
    );
  };
}

/**
 * Deny by default: a request is anonymous only when the route the router picks (on the decoded
 * path it acts on) says `auth: false`. Everything else, matched or not, needs a token first.
 * Returns a promise only when a step has to wait.
 */
function dispatch(ctx: RequestContext, d: AppDeps): Promise<void> | undefined {
  const { segs, match: m } = d.router.matchPath(ctx.method, ctx.path);
  const anonymous = !!m && "route" in m && m.route.auth === false;
  if (anonymous) return route(ctx, d, m);
  const checking = d.auth.authenticate(ctx, segs[0]?.toLowerCase() === "v1.0" ? "graph" : "arm");
  return checking ? checking.then(() => afterToken(ctx, d, m)) : afterToken(ctx, d, m);
}

/**
 * The read barrier (on etcd a round trip) only after the token checked out, so an anonymous
 * caller cannot make the server talk to the store. Anonymous routes do without it: they are
 * static, write through conflict-checked txns, or (the console's data API, key-checked in its
 * handler) read this process's replica as it is.
 */
function afterToken(ctx: RequestContext, d: AppDeps, m: RouteMatch): Promise<void> | undefined {
  const seen = d.fresh?.();
  return seen ? seen.then(() => route(ctx, d, m)) : route(ctx, d, m);
}

function route(ctx: RequestContext, d: AppDeps, m: RouteMatch): Promise<void> | undefined {
  ctx.checkDeclaredLength();
  if (m && "route" in m) {
    const r = m.route.handler(ctx, m.params);
    return r instanceof Promise ? r : undefined;
  }
  return d.generic.handle(ctx).then((handled) => {
    if (!handled && m && "methodMismatch" in m) throw E.methodNotAllowed.make({ method: ctx.method });
  });
}

export function renderError(ctx: RequestContext, err: unknown): void {
  if (ctx.done) return;
  if (err instanceof ArmError) {
    ctx.send(err.status, err.toBody(), err.headers);
    return;
  }
  if (err instanceof BodyTooLargeError) {
    const e = E.requestTooLarge.make({ limit: `${MAX_BODY_BYTES / (1024 * 1024)} MB` });
    ctx.send(e.status, e.toBody(), e.headers); // the unread rest of the body is drained, so the client reads this answer
    return;
  }
  if (err instanceof StoreBusyError) {
    // Another process holds the database lock: this request fails, retryably; the emulator carries on.
    const e = E.serviceUnavailableStoreBusy.make({});
    ctx.send(e.status, e.toBody(), { ...e.headers, "retry-after": "1" });
    return;
  }
  if (err instanceof StoreConflictError || err instanceof StoreUnavailableError) {
    // The etcd store: other writers won every attempt, or etcd did not answer in time. Retryable.
    const e = E.serviceUnavailableStore.make({ detail: err instanceof StoreConflictError ? `other writers won ${err.attempts} attempts in a row, nothing was written` : err.message });
    ctx.send(e.status, e.toBody(), { ...e.headers, "retry-after": "1" });
    return;
  }
  if (err instanceof StoreTxnTooLargeError) {
    const e = E.storeTransactionTooLarge.make({ count: err.count, limit: err.limit });
    ctx.send(e.status, e.toBody(), e.headers);
    return;
  }
  console.error(`[aksemu] internal error on ${ctx.method} ${ctx.path} (request ${ctx.requestId}):`, err);
  const e = E.internalError.make({ id: ctx.requestId });
  ctx.send(e.status, e.toBody(), e.headers);
}
