// The ARM HTTP adapter for every provider resource type: read the request (path, api-version,
// body, If-Match / If-None-Match headers, the authenticated caller), call the resource service
// (arm/resource-service.ts, which holds the checks in ARM's order and the write pipeline) and
// render its answer (status, body, etag, Azure-AsyncOperation / Location, Retry-After).
import type { RequestContext } from "../http/context.js";
import { E } from "./catalog.js";
import { jsonDepthExceeds, MAX_JSON_DEPTH } from "./json-depth.js";
import { parseId } from "./resource-id.js";
import { operationUrls } from "./records.js";
import { ResourceService, type Method } from "./resource-service.js";
import type { Caller } from "./caller.js";
import type { ArmEnv } from "./types.js";

const PAGE_SIZE = 100;

export async function readJsonBody(ctx: RequestContext, required: boolean): Promise<any> {
  const raw = await ctx.rawBody(); // too large: BodyTooLargeError, rendered as 413 by server/app.ts
  const text = raw.toString("utf8").replace(/^\uFEFF/, "");
  if (text.trim() === "") {
    if (required) throw E.invalidRequestContent.make({ detail: "The request body is empty." });
    return {};
  }
  if (jsonDepthExceeds(text)) throw E.invalidRequestContentDepth.make({ limit: MAX_JSON_DEPTH });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw E.invalidRequestContent.make({ detail: (e as Error).message });
  }
  if (required && (body === null || typeof body !== "object" || Array.isArray(body))) {
    throw E.invalidRequestContent.make({ detail: "The request body must be a JSON object." });
  }
  return body;
}

export function requireApiVersion(ctx: RequestContext): string {
  const v = ctx.query("api-version");
  if (!v) throw E.missingApiVersion.make({});
  return v;
}

/** The caller of a request, as the resource service takes it. */
export function callerOf(ctx: RequestContext): Caller {
  return { principal: ctx.principal!, correlationId: ctx.correlationId, origin: ctx.baseUrl };
}

export class GenericResourceHandler {
  readonly service: ResourceService;

  constructor(private readonly env: ArmEnv) {
    this.service = new ResourceService(env);
  }

  /** Try to handle a /subscriptions/.../providers/... resource request; false if the path is not of that shape. */
  async handle(ctx: RequestContext): Promise<boolean> {
    const parsed = parseId(ctx.path);
    if (!parsed || parsed.blocks.length === 0 || !parsed.subscriptionId) return false;
    const requested = requireApiVersion(ctx);
    const method = ctx.method as Method;
    const svc = this.service;
    const caller = callerOf(ctx);
    const t = svc.resolve(parsed, method, requested);
    const retryAfter = () => String(this.env.latency.retryAfterSeconds());
    if (t.list) {
      if (ctx.method !== "GET") throw E.methodNotAllowed.make({ method: ctx.method });
      const recs = svc.list(t, caller, (n) => ctx.query(n));
      sendPage(ctx, recs.map((rec) => svc.render(t, rec)), (x) => String(x.id));
      return true;
    }
    if (t.action) {
      const body = ctx.method === "POST" ? await readJsonBody(ctx, false) : {};
      const out = await svc.action(t, method, body, (n) => ctx.query(n), { caller });
      if ("operation" in out) {
        const urls = operationUrls(caller.origin, out.operation);
        const location = out.locationPath ? ctx.absolute(out.locationPath) : urls.location;
        ctx.send(202, undefined, { location, "azure-asyncoperation": urls.asyncOperation, "retry-after": retryAfter() });
      } else ctx.send(out.status, out.body, out.headers);
      return true;
    }
    const preconditions = { ifMatch: ctx.header("if-match"), ifNoneMatch: ctx.header("if-none-match") };
    switch (ctx.method) {
      case "GET":
      case "HEAD": {
        const rec = svc.get(t, method, caller);
        ctx.send(200, svc.render(t, rec), rec.etag ? { etag: rec.etag } : {});
        return true;
      }
      case "PUT": {
        const body = await readJsonBody(ctx, true);
        const r = await svc.put(t, body, { caller, ...preconditions });
        const headers: Record<string, string> = {};
        if (r.record.etag) headers.etag = r.record.etag;
        if (r.operation) {
          headers["azure-asyncoperation"] = operationUrls(caller.origin, r.operation).asyncOperation;
          headers["retry-after"] = retryAfter();
        }
        ctx.send(r.status, svc.render(t, r.record), headers);
        return true;
      }
      case "PATCH": {
        const body = await readJsonBody(ctx, true);
        const { record } = await svc.patch(t, body, { caller, ...preconditions });
        ctx.send(200, svc.render(t, record), record.etag ? { etag: record.etag } : {});
        return true;
      }
      case "DELETE": {
        const r = await svc.delete(t, { caller, ...preconditions });
        if (r.status === 202) {
          const urls = operationUrls(caller.origin, r.operation);
          ctx.send(202, undefined, { location: urls.location, "azure-asyncoperation": urls.asyncOperation, "retry-after": retryAfter() });
        } else ctx.send(r.status, r.status === 200 && r.deleted ? svc.render(t, r.deleted) : undefined);
        return true;
      }
      default:
        throw E.methodNotAllowed.make({ method: ctx.method });
    }
  }
}

/** Answer a pageable list: {value, nextLink} with $skipToken paging on a stable sort key. */
export function sendPage<T>(ctx: RequestContext, items: T[], keyOf: (x: T) => string): void {
  const top = Number(ctx.query("$top") ?? "");
  const size = Number.isInteger(top) && top > 0 ? Math.min(top, 1000) : PAGE_SIZE;
  const skip = ctx.query("$skipToken");
  let start = 0;
  if (skip) {
    const after = Buffer.from(skip, "base64url").toString("utf8");
    start = items.findIndex((x) => keyOf(x).toLowerCase() > after.toLowerCase());
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + size);
  const body: { value: T[]; nextLink?: string } = { value: page };
  if (start + size < items.length && page.length > 0 && !ctx.query("$top")) {
    const u = new URL(ctx.url.toString());
    u.searchParams.set("$skipToken", Buffer.from(keyOf(page[page.length - 1]!)).toString("base64url"));
    body.nextLink = ctx.absolute(u.pathname + u.search);
  }
  ctx.send(200, body);
}

