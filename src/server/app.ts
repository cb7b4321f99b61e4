// The request pipeline of the emulator's one HTTPS listener:
// context (ids) → route table (Entra, metadata, Graph, ARM-served endpoints) or the
// generic resource handler → bearer-token check where ARM requires it → error rendering.
import type { IncomingMessage, ServerResponse } from "node:http";
import { ArmError } from "../arm/errors.js";
import { E } from "../arm/catalog.js";
import type { Router } from "../arm/router.js";
import type { GenericResourceHandler } from "../arm/generic.js";
import type { TokenService } from "../entra/tokens.js";
import { RequestContext } from "./context.js";

export interface AppDeps {
  router: Router;
  generic: GenericResourceHandler;
  tokens: TokenService;
  log?: (line: string) => void;
}

/** Paths that are ARM or Graph and therefore need a bearer token. */
function needsAuth(path: string): boolean {
  return /^\/(subscriptions|tenants|providers|v1\.0)(\/|$)/i.test(path);
}

export function createApp(d: AppDeps) {
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let ctx: RequestContext;
    try {
      ctx = new RequestContext(req, res, `https://${req.headers.host ?? "127.0.0.1"}`);
    } catch {
      // A Host header that is not a valid authority: answer for the loopback address instead.
      ctx = new RequestContext(req, res, "https://127.0.0.1");
    }
    const started = Date.now();
    try {
      await dispatch(ctx, d);
      if (!ctx.done) throw E.noRouteFound.make({ path: ctx.path });
    } catch (err) {
      renderError(ctx, err);
    } finally {
      d.log?.(`${ctx.method} ${ctx.url.pathname}${ctx.url.search} -> ${res.statusCode} ${Date.now() - started}ms`);
    }
  };
}

async function dispatch(ctx: RequestContext, d: AppDeps): Promise<void> {
  const m = d.router.match(ctx.method, ctx.path);
  const auth = m && "route" in m ? m.route.auth ?? needsAuth(ctx.path) : needsAuth(ctx.path);
  if (auth) await authenticate(ctx, d.tokens);
  if (m && "route" in m) {
    await m.route.handler(ctx, m.params);
    return;
  }
  if (await d.generic.handle(ctx)) return;
  if (m && "methodMismatch" in m) throw E.methodNotAllowed.make({ method: ctx.method });
}

async function authenticate(ctx: RequestContext, tokens: TokenService): Promise<void> {
  const h = ctx.header("authorization");
  const challenge = { "www-authenticate": `Bearer authorization_uri="${ctx.baseUrl}/common", error="invalid_token", error_description="The authentication failed because of missing 'Authorization' header."` };
  if (!h || !/^bearer\s+/i.test(h)) {
    const e = E.authenticationFailedMissingToken.make({});
    throw new ArmError(e.status, e.code, e.message, { headers: { ...e.headers, ...challenge } });
  }
  const v = await tokens.verify(h.replace(/^bearer\s+/i, "").trim());
  if (!v.ok) {
    if (v.reason === "expired") {
      throw E.expiredAuthenticationToken.make({ exp: new Date((v.exp ?? 0) * 1000).toISOString(), now: new Date().toISOString() } as never);
    }
    const e = E.invalidAuthenticationToken.make({});
    throw new ArmError(e.status, e.code, e.message, { headers: { ...e.headers, "www-authenticate": `Bearer authorization_uri="${ctx.baseUrl}/common", error="invalid_token", error_description="The access token is invalid."` } });
  }
  ctx.principal = { objectId: String(v.claims.oid), appId: String(v.claims.appid ?? v.claims.azp ?? ""), tenantId: String(v.claims.tid) };
}

export function renderError(ctx: RequestContext, err: unknown): void {
  if (ctx.done) return;
  if (err instanceof ArmError) {
    ctx.send(err.status, err.toBody(), err.headers);
    return;
  }
  console.error(`[aksemu] internal error on ${ctx.method} ${ctx.path} (request ${ctx.requestId}):`, err);
  const e = E.internalError.make({ id: ctx.requestId });
  ctx.send(e.status, e.toBody(), e.headers);
}
