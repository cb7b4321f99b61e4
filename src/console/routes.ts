// The web console on the emulator's HTTPS listener: the static bundle under /console (no data,
// anonymous) and a read-only data API under /aksemu/console (loopback + this run's console key,
// console/access.ts): a network-map snapshot and a server-sent-event stream that pushes a new
// snapshot after each committed write to resource records (the store's watch).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Route } from "../arm/router.js";
import type { RequestContext } from "../http/context.js";
import type { Store } from "../store/store.js";
import type { ResourceRecord } from "../arm/types.js";
import { RES, listByType } from "../arm/repo.js";
import type { SubscriptionRecord } from "../arm/state.js";
import { networkMap, type NetworkMap } from "./network-map.js";
import { CONSOLE_API, ConsoleAccess } from "./access.js";
import { ConsoleErrors } from "./errors.js";

const VNET = "Microsoft.Network/virtualNetworks";
const SUBNET = "Microsoft.Network/virtualNetworks/subnets";

/** dist/console, built by scripts/bundle-console.mjs (this file runs as dist/src/console/routes.js). */
export const DEFAULT_ASSETS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../console");

/** The bundle's files: nothing outside this list is served. */
const ASSETS: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
};

/** The page loads only its own script and style and talks only to this origin. */
const PAGE_HEADERS = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

/** Every subscription's VNets and subnets, read in one pass. */
export function readNetworkMap(store: Store, defaultSubscription: string): NetworkMap {
  const subs = new Set([defaultSubscription.toLowerCase(), ...store.list<SubscriptionRecord>("sub:").map((e) => e.value.subscriptionId.toLowerCase())]);
  const vnets: ResourceRecord[] = [];
  const subnets: ResourceRecord[] = [];
  for (const s of subs) {
    vnets.push(...listByType(store, s, VNET));
    subnets.push(...listByType(store, s, SUBNET));
  }
  return networkMap(store.revision(), vnets, subnets);
}

/**
 * One store watch for every open event stream: a committed write schedules one snapshot
 * (coalescing a burst of commits), sent to all streams.
 */
class NetworkFeed {
  private readonly streams = new Set<(m: NetworkMap) => void>();
  private unwatch?: () => void;
  private scheduled = false;
  private lastShape?: string;

  constructor(private readonly read: () => NetworkMap, private readonly watch: (onCommit: () => void) => () => void) {}

  subscribe(send: (m: NetworkMap) => void): () => void {
    this.streams.add(send);
    this.unwatch ??= this.watch(() => this.schedule());
    return () => {
      this.streams.delete(send);
      if (this.streams.size === 0) {
        this.unwatch?.();
        this.unwatch = undefined;
        this.lastShape = undefined;
      }
    };
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Off the commit callback, once per burst of commits.
    setImmediate(() => {
      this.scheduled = false;
      if (this.streams.size === 0) return;
      const m = this.read();
      // Most commits (operations, scale-set instances, DNS records) leave the map as it was: send changes only.
      const shape = JSON.stringify(m.vnets);
      if (shape === this.lastShape) return;
      this.lastShape = shape;
      for (const s of this.streams) s(m);
    });
  }
}

export interface ConsoleDeps {
  store: Store;
  subscriptionId: string;
  access: ConsoleAccess;
  assetsDir?: string;
}

export function consoleRoutes(d: ConsoleDeps): Route[] {
  const dir = d.assetsDir ?? DEFAULT_ASSETS_DIR;
  const read = () => readNetworkMap(d.store, d.subscriptionId);
  const feed = new NetworkFeed(read, (onCommit) => d.store.watch(RES, undefined, () => onCommit()));

  const asset = (ctx: RequestContext, name: string) => {
    const type = ASSETS[name];
    if (!type) throw ConsoleErrors.consoleAssetNotFound.make({ path: name });
    let body: string;
    try {
      body = fs.readFileSync(path.join(dir, name), "utf8");
    } catch {
      throw ConsoleErrors.consoleNotBuilt.make({ dir });
    }
    ctx.send(200, body, { "content-type": type, ...PAGE_HEADERS });
  };

  return [
    // The bundle itself holds no data: anonymous, like the metadata document.
    { method: "GET", pattern: "/console", auth: false, handler: (ctx) => asset(ctx, "index.html") },
    { method: "GET", pattern: "/console/{file}", auth: false, handler: (ctx, p) => asset(ctx, p.file!) },
    // The data API: no bearer token (a browser has none), but loopback + the console key, checked in the handler.
    {
      method: "POST",
      pattern: `${CONSOLE_API}/session`,
      auth: false,
      handler: async (ctx) => {
        let key: string | undefined;
        try {
          const body = JSON.parse((await ctx.rawBody(4096)).toString("utf8") || "{}");
          key = typeof body?.key === "string" ? body.key : undefined;
        } catch {
          key = undefined;
        }
        d.access.check(ctx, key);
        ctx.send(204, undefined, { "set-cookie": d.access.cookie() });
      },
    },
    {
      method: "GET",
      pattern: `${CONSOLE_API}/network`,
      auth: false,
      handler: (ctx) => {
        d.access.check(ctx);
        ctx.send(200, read());
      },
    },
    {
      method: "GET",
      pattern: `${CONSOLE_API}/events`,
      auth: false,
      handler: (ctx) => {
        d.access.check(ctx);
        ctx.done = true;
        const res = ctx.res;
        res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-content-type-options": "nosniff", "x-ms-request-id": ctx.requestId });
        const send = (m: NetworkMap) => res.write(`event: network\nid: ${m.revision}\ndata: ${JSON.stringify(m)}\n\n`);
        const unsubscribe = feed.subscribe(send);
        send(read());
        // A comment line now and then keeps idle connections (and proxies) from timing out.
        const beat = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
        beat.unref();
        res.on("close", () => {
          clearInterval(beat);
          unsubscribe();
        });
      },
    },
  ];
}
