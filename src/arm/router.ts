// A small route table for the ARM-served endpoints that are not generic resources
// (subscriptions, resource groups, providers, features, operation status).
// Literal segments match case-insensitively; {name} captures a segment.
import type { RequestContext } from "../http/context.js";
import { splitPath } from "./resource-id.js";

export type RouteHandler = (ctx: RequestContext, params: Record<string, string>) => Promise<void> | void;

export interface Route {
  method: string | string[];
  pattern: string;
  /**
   * `false` marks one of the documented anonymous endpoints (metadata, OIDC, token, JWKS, instance
   * discovery, health). Anything else, and any path no route matches, needs a valid bearer token.
   */
  auth?: false;
  handler: RouteHandler;
}

interface Compiled extends Route {
  parts: Array<{ lit: string } | { param: string }>;
}

export class Router {
  private routes: Compiled[] = [];

  add(...routes: Route[]): this {
    for (const r of routes) {
      const parts = splitPath(r.pattern).map((p) => (p.startsWith("{") && p.endsWith("}") ? { param: p.slice(1, -1) } : { lit: p.toLowerCase() }));
      this.routes.push({ ...r, parts });
    }
    return this;
  }

  /** Find a route by path; `methodOk` is false when the path exists for other methods only. */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | { methodMismatch: true } | undefined {
    const segs = splitPath(path);
    let pathMatched = false;
    for (const r of this.routes) {
      if (r.parts.length !== segs.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segs.length; i++) {
        const p = r.parts[i]!;
        if ("lit" in p) {
          if (p.lit !== segs[i]!.toLowerCase()) {
            ok = false;
            break;
          }
        } else params[p.param] = segs[i]!;
      }
      if (!ok) continue;
      pathMatched = true;
      const methods = Array.isArray(r.method) ? r.method : [r.method];
      if (methods.includes(method) || (method === "HEAD" && methods.includes("GET") && !methods.includes("HEAD"))) {
        return { route: r, params };
      }
    }
    return pathMatched ? { methodMismatch: true } : undefined;
  }
}
