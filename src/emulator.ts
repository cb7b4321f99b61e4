// Composition root: opens the data directory (store, CA, signing key), registers providers,
// resumes interrupted operations and starts the HTTPS listener.
import fs from "node:fs";
import path from "node:path";
import { SqliteStore } from "./store/sqlite-store.js";
import { DataDirLock, PRIVATE_UMASK, securePrivateDir } from "./store/data-dir.js";
import { openEtcdStore, type StoreLocation } from "./store/store-config.js";
import type { Store } from "./store/store.js";
import { CaPki, issueListenerCert } from "./server/pki.js";
import { TokenService } from "./entra/tokens.js";
import { entraRoutes } from "./entra/routes.js";
import { graphRoutes } from "./entra/graph.js";
import { metadataRoutes } from "./server/metadata.js";
import { createApp } from "./server/app.js";
import { Site } from "./server/site.js";
import { AuthPolicy } from "./server/auth.js";
import { guarded, listenHttps, type Listening } from "./server/listener.js";
import { listenLocalSocket, type LocalSocket } from "./server/local-socket.js";
import { localSocketPath } from "./server/socket-path.js";
import { Router, type Route } from "./arm/router.js";
import { TypeRegistry } from "./arm/registry.js";
import { OperationEngine } from "./arm/operations.js";
import { GenericResourceHandler } from "./arm/generic.js";
import { ResourceService } from "./arm/resource-service.js";
import { Latency, type LatencyProfileName } from "./arm/latency.js";
import type { ArmEnv } from "./arm/types.js";
import type { ProviderHost } from "./providers/plugin.js";
import { PROVIDERS } from "./providers/index.js";
import { KubeHost } from "./cluster/kube-host.js";
import { scaledClock } from "./sim/clock.js";
import { ConsoleAccess } from "./console/access.js";
import { consoleRoutes } from "./console/routes.js";
import { ActivityRecorder } from "./providers/insights/record-request.js";
import { Member, OWNER_PREFIX, type OwnerValue } from "./store/ownership.js";

export const DEFAULT_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000";
export const DEFAULT_TENANT_ID = "00000000-0000-0000-0000-000000000001";
export const VERSION = "0.1.0";

export interface EmulatorOptions {
  dataDir: string;
  port: number;
  /** Address the listeners bind to (default 127.0.0.1 and ::1). */
  host?: string;
  /**
   * Address clients reach this process at (default: `host` unless a wildcard, else 127.0.0.1):
   * in its endpoint, its certificate, operation URLs and the kubeconfigs of the clusters it runs.
   */
  advertiseAddress?: string;
  latency?: LatencyProfileName;
  subscriptionId?: string;
  tenantId?: string;
  /** Let `az aks command invoke` run commands on this machine (off by default: any local user can get a token). */
  allowRunCommand?: boolean;
  log?: (line: string) => void;
  /** TTL of this process's ownership lease, seconds (default 10; etcd's minimum 2). */
  leaseTtlSeconds?: number;
  /** Serve the same pipeline on a same-user Unix socket in the data directory (default true; server/local-socket.ts). */
  localSocket?: boolean;
  /** The state store (default: SQLite, state.db in the data directory). */
  store?: StoreLocation;
}

/**
 * What the providers serve, without starting anything: resource types and routes
 * (scripts/gen-docs.mjs builds docs/coverage.md from it).
 */
export function providerSurface(): { types: import("./arm/types.js").ResourceTypeDef[]; routes: Route[] } {
  const registry = new TypeRegistry();
  const routes: Route[] = [...metadataRoutes()];
  const store = SqliteStore.open(":memory:");
  const env: ArmEnv = {
    store, latency: new Latency("instant"), subscriptionId: DEFAULT_SUBSCRIPTION_ID, tenantId: DEFAULT_TENANT_ID,
    registry, ops: new OperationEngine(), services: new Map(), now: () => new Date(), endpoint: () => "https://127.0.0.1",
  };
  const host: ProviderHost = {
    env, registerType: (d) => registry.register(d), addRoutes: (rs) => routes.push(...rs),
    addReconciler: () => undefined, onStart: () => undefined, onStop: () => undefined, onClaim: () => undefined,
  };
  for (const p of PROVIDERS) p.register(host);
  store.close();
  return { types: registry.all(), routes };
}

/**
 * The routes the emulator serves itself, besides the providers': health, the metadata document,
 * Entra's token endpoints and the minimal Graph.
 */
export function frontDoorRoutes(d: { env: Pick<ArmEnv, "store" | "subscriptionId" | "tenantId" | "latency">; tokens: TokenService }): Route[] {
  const { env, tokens } = d;
  const store = env.store;
  return [
    {
      method: "GET",
      pattern: "/aksemu/health",
      auth: false,
      handler: (ctx) => ctx.send(200, { status: "ok", version: VERSION, subscriptionId: env.subscriptionId, tenantId: env.tenantId, latency: env.latency.profile, revision: store.revision() }),
    },
    ...metadataRoutes(),
    ...entraRoutes({ store, tokens, tenantId: env.tenantId }),
    ...graphRoutes(store),
  ];
}

/**
 * Everything `aksemu start` runs except the HTTPS listener: the data directory (store, CA, signing
 * key), the providers, the operation engine and the clusters' Kubernetes APIs. `resources` is the
 * resource service every write goes through; tests drive it directly, without HTTP.
 */
export class EmulatorCore {
  private claimTimer?: NodeJS.Timeout;
  private unwatchOwners?: () => void;
  private claimPass?: Promise<void>;
  private claimAgain = false;
  private halted = false;

  private constructor(
    readonly env: ArmEnv,
    readonly pki: CaPki,
    readonly tokens: TokenService,
    readonly ops: OperationEngine,
    readonly routes: Route[],
    private readonly stopHooks: Array<() => void | Promise<void>>,
    private readonly claimHooks: Array<() => void | Promise<void>>,
    readonly dataDir: string,
    /** The data directory's lock and the store are this core's to close; undefined for a core opened beside another. */
    private readonly lock: DataDirLock | undefined,
    readonly site: Site,
    /** This process as an owner of background work (operations, clusters' simulations). */
    readonly member: Member,
    readonly kube: KubeHost,
  ) {}

  /** The resource service over this core's providers (arm/resource-service.ts). */
  get resources(): ResourceService {
    return new ResourceService(this.env);
  }

  static async open(o: Omit<EmulatorOptions, "port" | "log">, site: Site = new Site(o.host, o.advertiseAddress)): Promise<EmulatorCore> {
    // Everything this process creates (state.db and its -wal/-shm, keys, kubeconfigs) is owner-only.
    process.umask(PRIVATE_UMASK);
    fs.mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
    const lock = DataDirLock.acquire(o.dataDir);
    const loosened = securePrivateDir(o.dataDir);
    if (loosened.length > 0) {
      console.error(`aksemu: tightened permissions in ${o.dataDir}: ${loosened.length} path(s) were open to other users (now directories 0700, files 0600)`);
    }
    if (o.store?.kind === "etcd") {
      // Reachability and the data version are checked here, so a bad --store fails at start-up.
      // The data directory stays per process (its lock, aksemu.json, the run socket); the state
      // is etcd's. Leases are not revoked at start: other live processes hold theirs, and a dead
      // one's expire by TTL (its work is claimed then).
      let store: Store;
      try {
        store = await openEtcdStore(o.store);
      } catch (e) {
        lock.release();
        throw e;
      }
      return EmulatorCore.compose(o, site, store, lock);
    }
    // The data directory's lock is held: no other connection writes state.db, so reads may be cached.
    const store = SqliteStore.open(path.join(o.dataDir, "state.db"), { soleWriter: true });
    // We hold the directory's exclusive lock: whoever held the leases in the file is gone, so
    // their operations and clusters are free to claim now, not a TTL later (crash resume).
    store.revokeAllLeases();
    return EmulatorCore.compose(o, site, store, lock);
  }

  /**
   * A second core over `other`'s store in this process, standing in for a second process over a
   * shared store (tests of ownership and takeover). It has its own member, lease, operation
   * engine and clusters; the data directory's lock and the store stay with `other`.
   */
  static async openBeside(other: EmulatorCore, o: Omit<EmulatorOptions, "port" | "log" | "dataDir">, site: Site = new Site(o.host, o.advertiseAddress)): Promise<EmulatorCore> {
    return EmulatorCore.compose({ ...o, dataDir: other.dataDir }, site, other.env.store, undefined);
  }

  private static async compose(o: Omit<EmulatorOptions, "port" | "log">, site: Site, store: Store, lock: DataDirLock | undefined): Promise<EmulatorCore> {
    const member = new Member(store, { ttlSeconds: o.leaseTtlSeconds });
    await member.start();
    // Shared with every process over this store: a token or certificate one issued, all accept.
    const pki = await CaPki.shared(store, o.dataDir);
    const tokens = await TokenService.shared(store, o.dataDir);
    const registry = new TypeRegistry();
    const ops = new OperationEngine();
    const env: ArmEnv = {
      store,
      latency: new Latency(o.latency ?? "fast"),
      subscriptionId: o.subscriptionId ?? DEFAULT_SUBSCRIPTION_ID,
      tenantId: o.tenantId ?? DEFAULT_TENANT_ID,
      registry,
      ops,
      services: new Map(),
      now: () => new Date(),
      endpoint: () => site.endpoint,
    };
    ops.attach(env, member);
    // The per-cluster Kubernetes APIs: the AKS provider finds them as env.services "kube".
    // AKSEMU_TIME_SCALE speeds up the clusters' clock (CronJob schedules, Job deadlines and TTLs, HPA syncs).
    const kube = new KubeHost({ store, pki, latency: env.latency, host: o.host, advertise: site.address, clock: scaledClock(Number(process.env.AKSEMU_TIME_SCALE ?? 1)), member, allowRunCommand: o.allowRunCommand });
    env.services.set("kube", kube);
    env.services.set("pki", pki);
    const startHooks: Array<() => void | Promise<void>> = [];
    const stopHooks: Array<() => void | Promise<void>> = [];
    const claimHooks: Array<() => void | Promise<void>> = [];
    const routes: Route[] = frontDoorRoutes({ env, tokens });
    const host: ProviderHost = {
      env,
      registerType: (def) => registry.register(def),
      addRoutes: (rs) => routes.push(...rs),
      addReconciler: (type, fn) => ops.builtins.set(type.toLowerCase(), fn),
      onStart: (fn) => startHooks.push(fn),
      onStop: (fn) => stopHooks.push(fn),
      onClaim: (fn) => claimHooks.push(fn),
    };
    for (const p of PROVIDERS) p.register(host);
    stopHooks.push(() => kube.closeAll());
    for (const fn of startHooks) await fn();
    return new EmulatorCore(env, pki, tokens, ops, routes, stopHooks, claimHooks, o.dataDir, lock, site, member, kube);
  }

  /**
   * Take over background work that has no owner, now and from then on: InProgress operations
   * (resumed at their recorded stage) and running clusters' simulations. A pass runs at once,
   * whenever another member's owner key vanishes (its lease expired or was revoked), and every
   * lease TTL as a safety net.
   */
  startClaiming(): Promise<void> {
    if (this.claimTimer || this.halted) return this.claimPass ?? Promise.resolve();
    const mine = () => this.member.lease;
    this.unwatchOwners = this.env.store.watch(OWNER_PREFIX, undefined, (evs) => {
      if (evs.some((e) => e.type === "delete" && (e.value as OwnerValue | undefined)?.lease !== mine())) void this.claimNow();
    });
    this.claimTimer = setInterval(() => void this.claimNow(), this.member.ttlSeconds * 1000);
    this.claimTimer.unref();
    return this.claimNow();
  }

  /** One claim pass (passes never overlap; a request during one runs another after it). */
  claimNow(): Promise<void> {
    if (this.claimPass) {
      this.claimAgain = true;
      return this.claimPass;
    }
    const pass = async () => {
      do {
        this.claimAgain = false;
        // Off the store's commit callback: claims are writes.
        await new Promise((r) => setImmediate(r));
        if (this.halted || !this.claimTimer) return;
        try {
          await this.ops.claimOrphans();
          for (const fn of this.claimHooks) await fn();
        } catch (e) {
          console.error("aksemu: claiming unowned work failed:", e);
        }
      } while (this.claimAgain);
    };
    this.claimPass = pass().finally(() => (this.claimPass = undefined));
    return this.claimPass;
  }

  private stopClaiming(): void {
    if (this.claimTimer) clearInterval(this.claimTimer);
    this.claimTimer = undefined;
    this.unwatchOwners?.();
    this.unwatchOwners = undefined;
  }

  /**
   * Stop everything this core runs (operation timers, keep-alives, clusters' listeners and
   * simulations) without writing to the store: what kill -9 leaves behind, in process. Its lease
   * then expires and another member takes its work over. close() afterwards frees the rest.
   */
  async halt(): Promise<void> {
    this.halted = true;
    this.stopClaiming();
    this.ops.stop();
    this.member.halt();
    await this.claimPass; // a pass in flight may still bring a cluster up: halt it too
    await this.kube.haltAll();
    await this.ops.idle();
  }

  async close(): Promise<void> {
    this.stopClaiming();
    this.ops.stop();
    await this.claimPass;
    for (const fn of this.stopHooks.reverse()) await fn();
    await this.ops.idle();
    // Graceful: revoking the lease frees whatever this member still owned at once.
    if (!this.halted) await this.member.close();
    if (this.lock) {
      await this.env.store.close();
      this.lock.release();
    }
  }
}

export class Emulator {
  private constructor(
    private readonly core: EmulatorCore,
    private readonly listening: Listening,
    private readonly consoleAccess: ConsoleAccess,
    private readonly local: LocalSocket | { skipped: string },
    private readonly activity: ActivityRecorder,
  ) {}

  /** The same-user Unix socket serving ARM and Entra, or why there is none. */
  get localSocket(): { path: string } | { skipped: string } {
    return "path" in this.local ? { path: this.local.path } : this.local;
  }

  /** The web console with this run's key in the fragment (never sent to the server in a URL; console/access.ts). */
  get consoleUrl(): string {
    return `${this.core.site.endpoint}/console/#key=${this.consoleAccess.key}`;
  }

  get env(): ArmEnv {
    return this.core.env;
  }

  get pki(): CaPki {
    return this.core.pki;
  }

  get dataDir(): string {
    return this.core.dataDir;
  }

  get port(): number {
    return this.listening.port;
  }

  get endpoint(): string {
    return this.core.site.endpoint;
  }

  static async start(o: EmulatorOptions): Promise<Emulator> {
    const site = new Site(o.host, o.advertiseAddress);
    return Emulator.serve(await EmulatorCore.open(o, site), site, o);
  }

  /**
   * A second emulator over `other`'s store in this process, with its own listeners, member and
   * clusters (EmulatorCore.openBeside): the in-process stand-in for a second process over a shared
   * store, for tests of several front doors (test/helpers/fleet.ts).
   */
  static async startBeside(other: Emulator, o: Omit<EmulatorOptions, "dataDir">): Promise<Emulator> {
    const site = new Site(o.host, o.advertiseAddress);
    return Emulator.serve(await EmulatorCore.openBeside(other.core, o, site), site, o);
  }

  private static async serve(core: EmulatorCore, site: Site, o: Omit<EmulatorOptions, "dataDir">): Promise<Emulator> {
    const { env } = core;
    const router = new Router();
    router.add(...core.routes);
    const consoleAccess = new ConsoleAccess();
    router.add(...consoleRoutes({ env, access: consoleAccess }));
    const cert = await issueListenerCert(core.pki, site.certificateNames());
    const auth = new AuthPolicy(core.tokens, site, env.tenantId);
    const activity = new ActivityRecorder(env.store);
    const app = createApp({ router, generic: new GenericResourceHandler(env), auth, site, durable: () => env.store.synced?.(), fresh: () => env.store.fresh?.(), log: o.log, answered: (ctx, begin, end) => activity.request(ctx, begin, end) });
    const listening = await listenHttps({ cert: cert.certPem, key: cert.keyPem, port: o.port, host: o.host, handler: app });
    site.port = listening.port;
    const serve = guarded(app);
    const local = o.localSocket === false || process.platform === "win32" ? { skipped: "turned off" } : await listenLocalSocket(localSocketPath(core.dataDir, listening.port), serve, serve);
    await core.startClaiming();
    return new Emulator(core, listening, consoleAccess, local, activity);
  }

  /**
   * Stop serving and stop all work without writing to the store (EmulatorCore.halt): what kill -9
   * leaves behind, for an emulator started beside another in one process (tests).
   */
  async halt(): Promise<void> {
    await this.listening.close();
    await this.core.halt();
  }

  async close(): Promise<void> {
    this.core.ops.stop();
    await this.listening.close();
    if ("close" in this.local) await this.local.close();
    await this.activity.flush(); // the last requests' records, before the store closes
    await this.core.close();
  }
}
