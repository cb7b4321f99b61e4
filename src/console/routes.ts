// The web console on the emulator's HTTPS listener: the static bundle under /console (no data,
// anonymous) and a read-only data API under /aksemu/console (loopback + this run's console key,
// console/access.ts): a network-map snapshot and a server-sent-event stream that pushes a new
// snapshot after each committed write to resource records (the store's watch), and the Cluster,
// DNS, Resources and Activity views (console/views.ts) likewise; one resource's JSON at an api-version.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Route } from "../arm/router.js";
import type { RequestContext } from "../http/context.js";
import type { Store } from "../store/store.js";
import type { ResourceRecord } from "../arm/types.js";
import { RES, getRecord, listByType } from "../arm/repo.js";
import type { ArmEnv } from "../arm/types.js";
import { E } from "../arm/catalog.js";
import { renderRecord } from "../arm/records.js";
import { readView, readViews, type ViewName } from "./views.js";
import { VIEW_WATCH } from "./view-watch.js";
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
 * One snapshot for every open event stream: the committed writes under the watched prefixes
 * schedule one read (coalescing a burst of commits, at most one per `minGapMs`), sent to all
 * streams when it differs from the last one sent.
 */
export class Feed<T> {
  private readonly streams = new Set<(m: T) => void>();
  private unwatch: Array<() => void> = [];
  private timer?: NodeJS.Timeout | "immediate";
  private lastShape?: string;
  private lastAt = 0;

  constructor(
    private readonly read: () => T,
    private readonly shape: (m: T) => string,
    private readonly watch: (onCommit: () => void) => Array<() => void>,
    private readonly minGapMs = 0,
  ) {}

  subscribe(send: (m: T) => void): () => void {
    this.streams.add(send);
    if (this.unwatch.length === 0) this.unwatch = this.watch(() => this.schedule());
    return () => {
      this.streams.delete(send);
      if (this.streams.size === 0) {
        for (const u of this.unwatch) u();
        this.unwatch = [];
        this.lastShape = undefined;
      }
    };
  }

  /** The current snapshot, remembered as sent (a new stream's first message). */
  current(): T {
    const m = this.read();
    this.lastShape = this.shape(m);
    return m;
  }

  private schedule(): void {
    if (this.timer) return;
    const run = () => {
      this.timer = undefined;
      if (this.streams.size === 0) return;
      this.lastAt = Date.now();
      const m = this.read();
      // Most commits leave a view as it was (heartbeats, other views' data): send changes only.
      const shape = this.shape(m);
      if (shape === this.lastShape) return;
      this.lastShape = shape;
      for (const s of this.streams) s(m);
    };
    const wait = this.lastAt + this.minGapMs - Date.now();
    // Off the commit callback, once per burst of commits.
    if (wait <= 0) {
      this.timer = "immediate";
      setImmediate(run);
    } else this.timer = setTimeout(run, wait);
  }
}

export interface ConsoleDeps {
  env: ArmEnv;
  access: ConsoleAccess;
  assetsDir?: string;
}

export function consoleRoutes(d: ConsoleDeps): Route[] {
  const dir = d.assetsDir ?? DEFAULT_ASSETS_DIR;
  const store = d.env.store;
  const read = () => readNetworkMap(store, d.env.subscriptionId);
  const network = new Feed(read, (m) => JSON.stringify(m.vnets), (onCommit) => [store.watch(RES, undefined, () => onCommit())]);
  // Each view is its own feed: a write re-reads only the views it can change; Kubernetes status
  // writes come in bursts (every node and pod of every cluster), so a view is read at most every 100 ms.
  const views = (Object.keys(VIEW_WATCH) as ViewName[]).map((name) => {
    const w = VIEW_WATCH[name];
    const feed = new Feed(
      () => readView(store, d.env.subscriptionId, name),
      (v) => JSON.stringify(v.view),
      (onCommit) => w.prefixes.map((p) => store.watch(p, undefined, (events) => {
        if (!w.relevant || events.some((e) => w.relevant!(e))) onCommit();
      })),
      100,
    );
    return { name, feed };
  });

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
      pattern: `${CONSOLE_API}/views`,
      auth: false,
      handler: (ctx) => {
        d.access.check(ctx);
        ctx.send(200, readViews(store, d.env.subscriptionId));
      },
    },
    {
      // A resource's JSON at one of its type's api-versions, as GET on ARM renders it (the resource explorer).
      method: "GET",
      pattern: `${CONSOLE_API}/resource`,
      auth: false,
      handler: (ctx) => {
        d.access.check(ctx);
        const id = ctx.query("id") ?? "";
        const rec = getRecord(store, id);
        if (!rec) throw ConsoleErrors.consoleResourceNotFound.make({ id });
        const def = d.env.registry.find(rec.type);
        const versions = [...(def?.apiVersions ?? [])];
        const apiVersion = ctx.query("api-version") || versions[versions.length - 1] || "";
        if (versions.length > 0 && !versions.includes(apiVersion)) throw E.invalidApiVersion.make({ v: apiVersion, list: versions.join(", ") });
        ctx.send(200, { apiVersion, apiVersions: versions, resource: renderRecord(def, rec, { env: d.env, apiVersion, tx: store }) });
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
        const send = (event: string) => (m: { revision: number }) => {
          if (!res.destroyed) res.write(`event: ${event}\nid: ${m.revision}\ndata: ${JSON.stringify(m)}\n\n`);
        };
        const unsubscribe = [network.subscribe(send("network")), ...views.map((v) => v.feed.subscribe(send(v.name)))];
        // The map first, on its own turn, so the page draws it before the other views are read.
        send("network")(network.current());
        let i = 0;
        const next = () => {
          if (res.destroyed || i >= views.length) return;
          const v = views[i++]!;
          send(v.name)(v.feed.current());
          setImmediate(next);
        };
        setImmediate(next);
        // A comment line now and then keeps idle connections (and proxies) from timing out.
        const beat = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
        beat.unref();
        res.on("close", () => {
          clearInterval(beat);
          for (const u of unsubscribe) u();
        });
      },
    },
  ];
}
