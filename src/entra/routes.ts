// Entra (AAD) endpoints on the emulator's listener: OIDC discovery for /{tenant}/v2.0,
// /{tenant} and /adfs, token endpoints (client credentials with any id/secret/tenant/scope),
// JWKS and the instance-discovery document (reference/clients.md §3.4, §4, §7).
import type { RequestContext } from "../http/context.js";
import type { Route } from "../arm/router.js";
import type { Store } from "../store/store.js";
import { TokenService } from "./tokens.js";
import { ensureAppPrincipal } from "./directory.js";

export interface EntraDeps {
  store: Store;
  tokens: TokenService;
  tenantId: string;
}

function oidcConfig(base: string, tenant: string, v2: boolean, adfs: boolean) {
  const root = adfs ? `${base}/adfs` : `${base}/${tenant}`;
  const oauth = adfs ? `${root}/oauth2` : v2 ? `${root}/oauth2/v2.0` : `${root}/oauth2`;
  return {
    token_endpoint: `${oauth}/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: adfs ? `${root}/discovery/keys` : v2 ? `${root}/discovery/v2.0/keys` : `${root}/discovery/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: adfs ? `${base}/adfs` : v2 ? `${base}/${tenant}/v2.0` : `https://sts.windows.net/${tenant}/`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${base}/oidc/userinfo`,
    authorization_endpoint: `${oauth}/authorize`,
    device_authorization_endpoint: `${oauth}/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${oauth}/logout`,
    claims_supported: ["sub", "iss", "aud", "exp", "iat", "nbf", "oid", "tid", "appid", "azp"],
    tenant_region_scope: "WW",
    cloud_instance_name: "aksemu.local",
    cloud_graph_host_name: "graph.aksemu.local",
    msgraph_host: "graph.aksemu.local",
  };
}

async function readForm(ctx: RequestContext): Promise<URLSearchParams | undefined> {
  try {
    return new URLSearchParams((await ctx.rawBody(64 * 1024)).toString("utf8"));
  } catch {
    return undefined; // larger than any token request
  }
}

function oauthError(ctx: RequestContext, status: number, error: string, description: string): void {
  ctx.send(status, {
    error,
    error_description: description,
    error_codes: [900144],
    timestamp: new Date().toISOString().replace("T", " ").replace("Z", "Z"),
    trace_id: ctx.requestId,
    correlation_id: ctx.correlationId,
    error_uri: `${ctx.baseUrl}/error?code=900144`,
  });
}

/** The audience a scope names: "https://x//.default" → "https://x/", "https://x/.default" → "https://x". */
export function audienceFromScope(scope: string): string {
  const first = scope.split(/\s+/).find((s) => s.endsWith("/.default")) ?? scope.split(/\s+/)[0] ?? "";
  return first.replace(/\/\.default$/, "");
}

export function entraRoutes(d: EntraDeps): Route[] {
  const token = (v2: boolean, adfs: boolean) => async (ctx: RequestContext, p: Record<string, string>) => {
    const form = await readForm(ctx);
    if (!form) return oauthError(ctx, 413, "invalid_request", "AADSTS90020: The request body is too large.");
    let clientId = form.get("client_id") ?? "";
    const auth = ctx.header("authorization");
    if (!clientId && auth?.startsWith("Basic ")) clientId = Buffer.from(auth.slice(6), "base64").toString().split(":")[0] ?? "";
    const grant = form.get("grant_type") ?? "";
    if (!clientId) return oauthError(ctx, 400, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'client_id'.");
    if (!["client_credentials", "password", "refresh_token", "urn:ietf:params:oauth:grant-type:jwt-bearer"].includes(grant)) {
      return oauthError(ctx, 400, "unsupported_grant_type", `AADSTS70003: The app requested an unsupported grant type '${grant}'.`);
    }
    const tenant = adfs || !p.tenant || ["common", "organizations", "adfs", "consumers"].includes(p.tenant.toLowerCase()) ? d.tenantId : p.tenant;
    const resource = v2 ? audienceFromScope(form.get("scope") ?? "") : form.get("resource") ?? audienceFromScope(form.get("scope") ?? "");
    const now0 = new Date();
    const sp = await d.store.txn((tx) => ensureAppPrincipal(tx, clientId, now0));
    const iss = v2 ? `${ctx.baseUrl}/${tenant}/v2.0` : `https://sts.windows.net/${tenant}/`;
    const lifetime = 3599;
    const accessToken = await d.tokens.issue({ tid: tenant, oid: sp.id, sub: sp.id, appid: clientId, azp: clientId, aud: resource || "https://management.azure.com/", iss, ver: v2 ? "2.0" : "1.0" }, lifetime);
    const now = Math.floor(Date.now() / 1000);
    const body: Record<string, unknown> = { token_type: "Bearer", expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken };
    if (!v2) Object.assign(body, { expires_on: String(now + lifetime), not_before: String(now - 300), resource });
    ctx.send(200, body);
  };
  const config = (v2: boolean, adfs: boolean) => (ctx: RequestContext, p: Record<string, string>) =>
    ctx.send(200, oidcConfig(ctx.baseUrl, p.tenant ?? d.tenantId, v2, adfs));
  const jwks = async (ctx: RequestContext) => ctx.send(200, await d.tokens.jwks());
  const routes: Route[] = [
    { method: "GET", pattern: "/adfs/.well-known/openid-configuration", handler: config(false, true) },
    { method: "GET", pattern: "/{tenant}/v2.0/.well-known/openid-configuration", handler: config(true, false) },
    { method: "GET", pattern: "/{tenant}/.well-known/openid-configuration", handler: config(false, false) },
    { method: "POST", pattern: "/adfs/oauth2/token", handler: token(false, true) },
    { method: "POST", pattern: "/{tenant}/oauth2/v2.0/token", handler: token(true, false) },
    { method: "POST", pattern: "/{tenant}/oauth2/token", handler: token(false, false) },
    { method: "GET", pattern: "/adfs/discovery/keys", handler: jwks },
    { method: "GET", pattern: "/{tenant}/discovery/v2.0/keys", handler: jwks },
    { method: "GET", pattern: "/{tenant}/discovery/keys", handler: jwks },
    {
      method: "GET",
      pattern: "/common/discovery/instance",
      handler: (ctx) => {
        const host = new URL(ctx.baseUrl).host;
        ctx.send(200, {
          tenant_discovery_endpoint: `${ctx.baseUrl}/${d.tenantId}/v2.0/.well-known/openid-configuration`,
          "api-version": ctx.query("api-version") ?? "1.1",
          metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
        });
      },
    },
  ];
  // All of Entra's endpoints here are how a client gets a token: anonymous by nature.
  return routes.map((r) => ({ ...r, auth: false as const }));
}
