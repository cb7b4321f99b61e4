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

export type RouteMatch = { route: Route; params: Record<string, string> } | { methodMismatch: true } | undefined;

/** Paths whose split and match are remembered (a full map is dropped and refilled). */
const PATHS_KEPT = 2000;
/** Longer paths are matched every time (bounds the memory a client can make the map hold). */
const PATH_CHARS_KEPT = 512;

export class Router {
  /** Routes by segment count, in the order added (a path can only match routes of its length). */
  private byLength = new Map<number, Compiled[]>();
  /** matchPath's answers by path, then method: a pure function of both while the routes stay. */
  private byPath = new Map<string, { segs: readonly string[]; byMethod: Map<string, RouteMatch> }>();

  add(...routes: Route[]): this {
    this.byPath.clear();
    for (const r of routes) {
      const parts = splitPath(r.pattern).map((p) => (p.startsWith("{") && p.endsWith("}") ? { param: p.slice(1, -1) } : { lit: p.toLowerCase() }));
      const c = { ...r, parts };
      const same = this.byLength.get(parts.length) ?? [];
      same.push(c);
      this.byLength.set(parts.length, same);
    }
    return this;
  }

  /** Find a route by path; `methodOk` is false when the path exists for other methods only. */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | { methodMismatch: true } | undefined {
    return this.matchSegments(method, splitPath(path));
  }

  /**
   * The path split and decoded (splitPath) and the route for method, remembered per path: clients
   * ask for the same paths again and again (polling, reads). The params are the caller's own copy.
   */
  matchPath(method: string, path: string): { segs: readonly string[]; match: RouteMatch } {
    let p = this.byPath.get(path);
    if (p === undefined) {
      p = { segs: Object.freeze(splitPath(path)), byMethod: new Map() };
      if (path.length <= PATH_CHARS_KEPT) {
        if (this.byPath.size >= PATHS_KEPT) this.byPath.clear();
        this.byPath.set(path, p);
      }
    }
    let m = p.byMethod.get(method);
    if (m === undefined && !p.byMethod.has(method)) {
      m = this.matchSegments(method, p.segs as string[]);
      p.byMethod.set(method, m);
    }
    return { segs: p.segs, match: m && "route" in m ? { route: m.route, params: { ...m.params } } : m };
  }

  /** match() on a path already split and decoded (splitPath). */
  matchSegments(method: string, segs: string[]): { route: Route; params: Record<string, string> } | { methodMismatch: true } | undefined {
    const candidates = this.byLength.get(segs.length);
    if (!candidates) return undefined;
    const lower = segs.map((s) => s.toLowerCase());
    let pathMatched = false;
    for (const r of candidates) {
      let ok = true;
      for (let i = 0; i < lower.length; i++) {
        const p = r.parts[i]!;
        if ("lit" in p && p.lit !== lower[i]) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      pathMatched = true;
      const methods = Array.isArray(r.method) ? r.method : [r.method];
      if (methods.includes(method) || (method === "HEAD" && methods.includes("GET") && !methods.includes("HEAD"))) {
        const params: Record<string, string> = {};
        for (let i = 0; i < segs.length; i++) {
          const p = r.parts[i]!;
          if ("param" in p) params[p.param] = segs[i]!;
        }
        return { route: r, params };
      }
    }
    return pathMatched ? { methodMismatch: true } : undefined;
  }
}
