// Bearer-token checks for ARM and the minimal Graph: signature and expiry (entra/tokens.ts),
// then audience (the API the token was asked for) and tenant (the emulator's own). Every
// 401 carries a WWW-Authenticate challenge, as ARM's front door sends.
import { E } from "../arm/catalog.js";
import { ArmError } from "../arm/errors.js";
import type { TokenClaims, TokenService } from "../entra/tokens.js";
import type { RequestContext } from "../http/context.js";
import type { Site } from "./site.js";

export type Api = "arm" | "graph";

/** The resource ids Azure's ARM accepts in `aud`; az, the SDKs and Terraform ask for one of them or for the cloud's own endpoint. */
const ARM_PUBLIC_AUDIENCES = ["https://management.core.windows.net/", "https://management.core.windows.net", "https://management.azure.com/", "https://management.azure.com"];
const GRAPH_PUBLIC_AUDIENCES = ["https://graph.microsoft.com/", "https://graph.microsoft.com", "https://graph.windows.net/", "https://graph.windows.net"];

/** Accepted tokens remembered per API (bounded; a full map is dropped and refilled). */
const ACCEPTED_LIMIT = 1000;

export class AuthPolicy {
  /**
   * Tokens that passed every check below, by API and raw token string, until the token's `exp`:
   * the checks depend only on the token and on settings fixed for the listener's life (tenant,
   * audiences), so a repeat is answered from here. Anything that failed is never remembered.
   */
  private readonly accepted: Record<Api, Map<string, Accepted>> = { arm: new Map(), graph: new Map() };
  /**
   * The Authorization header each connection last presented and its entry in `accepted`: a client
   * sends the same header on every request of a connection, and comparing it with the last one
   * costs less than hashing a kilobyte of token for the map. Same entry, same expiry and port checks.
   */
  private readonly lastOnConnection = new WeakMap<object, { header: string; api: Api; seen: Accepted }>();

  constructor(private readonly tokens: TokenService, private readonly site: Site, readonly tenantId: string) {}

  /**
   * The audiences an API accepts: Azure's public ones, plus the emulator's own endpoint with and
   * without the trailing slash (the metadata document names it as `resourceManager`,
   * `authentication.audiences` and `microsoftGraphResourceId`, so clients configured from it ask for it).
   */
  audiences(api: Api): string[] {
    const own = this.site.origins().flatMap((o) => [o + "/", o]);
    return [...(api === "arm" ? ARM_PUBLIC_AUDIENCES : GRAPH_PUBLIC_AUDIENCES), ...own];
  }

  /**
   * Check the request's bearer token; sets ctx.principal or throws a 401 ArmError. A token already
   * accepted on this connection is settled at once (no promise); anything else asynchronously.
   */
  authenticate(ctx: RequestContext, api: Api): Promise<void> | undefined {
    const h = ctx.header("authorization");
    const conn = ctx.req.socket as object | undefined;
    const last = conn ? this.lastOnConnection.get(conn) : undefined;
    if (last !== undefined && last.header === h && last.api === api && last.seen.expMs > Date.now() && last.seen.port === this.site.port) {
      ctx.principal = last.seen.principal;
      return undefined;
    }
    return this.check(ctx, api, h, conn);
  }

  private async check(ctx: RequestContext, api: Api, h: string | undefined, conn: object | undefined): Promise<void> {
    const challenge = (description: string) => ({
      "www-authenticate": `Bearer authorization_uri="${ctx.baseUrl}/${this.tenantId}", error="invalid_token", error_description="${description.replace(/["\\]/g, "")}"`,
    });
    const fail = (e: ArmError): never => {
      throw new ArmError(e.status, e.code, e.message, { headers: { ...e.headers, ...challenge(e.message) } });
    };
    if (!h || !/^bearer\s+/i.test(h)) {
      fail(E.authenticationFailedMissingToken.make({}));
      throw new Error("unreachable");
    }
    const raw = h.replace(/^bearer\s+/i, "").trim();
    const seen = this.accepted[api].get(raw);
    if (seen && seen.expMs > Date.now() && seen.port === this.site.port) {
      ctx.principal = seen.principal;
      if (conn) this.lastOnConnection.set(conn, { header: h, api, seen });
      return;
    }
    const v = await this.tokens.verify(raw);
    if (!v.ok) {
      if (v.reason === "expired") fail(E.expiredAuthenticationToken.make({ exp: new Date((v.exp ?? 0) * 1000).toISOString(), now: new Date().toISOString() } as never));
      fail(E.invalidAuthenticationToken.make({}));
      throw new Error("unreachable");
    }
    const c = v.claims;
    const aud = String(c.aud ?? "");
    const allowed = this.audiences(api);
    if (!allowed.some((a) => a.toLowerCase() === aud.toLowerCase())) {
      if (api === "graph") fail(E.graphInvalidAudience.make({}));
      fail(E.invalidAuthenticationTokenAudience.make({ aud, allowed: allowed.map((a) => `'${a}'`).join(",") }));
    }
    const tenant = issuerTenant(c);
    if (String(c.tid ?? "").toLowerCase() !== this.tenantId.toLowerCase() || tenant !== this.tenantId.toLowerCase()) {
      fail(E.invalidAuthenticationTokenTenant.make({
        iss: `https://sts.windows.net/${String(c.tid ?? tenant ?? "")}/`,
        expected: `https://sts.windows.net/${this.tenantId}/`,
        authority: `${ctx.baseUrl}/${this.tenantId}`,
      }));
    }
    ctx.principal = Object.freeze({ objectId: String(c.oid), appId: String(c.appid ?? c.azp ?? ""), tenantId: String(c.tid) });
    // Remembered only with an expiry: until then every check above would answer the same.
    if (typeof c.exp === "number") {
      if (this.accepted[api].size >= ACCEPTED_LIMIT) this.accepted[api].clear();
      const entry = { principal: ctx.principal, expMs: c.exp * 1000, port: this.site.port };
      this.accepted[api].set(raw, entry);
      if (conn) this.lastOnConnection.set(conn, { header: h, api, seen: entry });
    }
  }
}

/** A token that passed every check, until its expiry (`exp`), on the listener port it was checked for. */
interface Accepted {
  principal: NonNullable<RequestContext["principal"]>;
  expMs: number;
  port: number;
}

/** The tenant an issuer names: `https://sts.windows.net/{tid}/` (v1) or `{authority}/{tid}/v2.0` (v2). */
export function issuerTenant(c: Pick<TokenClaims, "iss">): string | undefined {
  const m = /^https:\/\/[^/]+\/([^/]+)\/(?:v2\.0)?$/i.exec(String(c.iss ?? ""));
  return m?.[1]?.toLowerCase();
}
