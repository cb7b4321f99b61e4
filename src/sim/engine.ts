// The simulation engine of one cluster: keeps an informer cache from the store's watch,
// runs the stage table (kwok-style) and the controllers through one keyed work queue.
// Work runs on later event-loop turns, never inside the store's commit callback, so writes
// never recurse; with zero delays everything converges within a few turns.
import type { WatchEvent } from "../store/store.js";
import { strategyFor } from "../kube/catalog.js";
import { StatusError } from "../kube/errors.js";
import { clone, nowTime, randomHex, type Obj } from "../kube/util.js";
import { Cache } from "./cache.js";
import { scaledClock, type Clock } from "./clock.js";
import { allStages, delayOverride, type Stage } from "./stages.js";
import type { ClusterCloud, Change, Controller, EventSpec, SimContext, SimClusterInfo, SimNodeSpec, LatencyProfile } from "./types.js";
import type { Registry } from "../kube/registry.js";
import { controllers as defaultControllers } from "./controllers/index.js";
import { startHeartbeats } from "./heartbeat.js";

/** A queued piece of work; a promise is awaited before the next item runs. */
type Work = () => void | Promise<void>;

export interface EngineOptions {
  registry: Registry;
  latency: LatencyProfile;
  info: () => SimClusterInfo;
  /** Record kubelet/controller Events (default true). */
  events?: boolean;
  controllers?: Controller[];
  stages?: Stage[];
  /** Emulated time for schedules and deadlines (default: the wall clock). */
  clock?: Clock;
  /** The cluster's cloud (cloud-controller-manager, CSI drivers); none = bare Kubernetes. */
  cloud?: () => ClusterCloud | undefined;
}

const STALE_ATTEMPTS = 6;
const MAX_ATTEMPTS = 8;
const MAX_BACKOFF_MS = 1000;
/** How long one drain of the work queue runs before it yields to the event loop. */
const DRAIN_SLICE_MS = 10;

export class SimEngine implements SimContext {
  readonly cache: Cache;
  readonly registry: Registry;
  readonly latency: LatencyProfile;
  private unwatch?: () => void;
  private readonly queue = new Map<string, Work>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Background timers (at()): due work that must not hold idle(). */
  private readonly later = new Map<string, NodeJS.Timeout>();
  readonly clock: Clock;
  /** Failed attempts per work key (reset on success or when the item is dropped). */
  private readonly attempts = new Map<string, number>();
  private drainScheduled = false;
  /** The batch being drained, when a drain yielded before finishing it (run before newer work). */
  private backlog: Array<[string, Work]> = [];
  /** Bumped by stop(): a drain suspended in an await from before it ends there. */
  private generation = 0;
  private running = false;
  private stopHeartbeats?: () => void;
  private readonly controllers: Controller[];
  private readonly stages: Stage[];
  private readonly eventKeys = new Map<string, string>();
  private nodeIndex = new Map<string, SimNodeSpec>();
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: EngineOptions) {
    this.registry = opts.registry;
    this.latency = opts.latency;
    this.cache = new Cache(opts.registry.prefix);
    this.clock = opts.clock ?? scaledClock(1);
    this.controllers = opts.controllers ?? defaultControllers;
    this.stages = opts.stages ?? allStages;
  }

  info(): SimClusterInfo {
    return this.opts.info();
  }

  cloud(): ClusterCloud | undefined {
    return this.opts.cloud?.();
  }

  nodeSpec(name: string): SimNodeSpec | undefined {
    return this.nodeIndex.get(name);
  }

  /** Refresh the node spec index (after the cluster spec changed). */
  refreshInfo(): void {
    this.nodeIndex = new Map(this.info().nodes.map((n) => [n.name, n]));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.refreshInfo();
    this.cache.clear();
    const from = this.registry.store.revision();
    for (const e of this.registry.store.list<Obj>(this.registry.prefix)) this.cache.put(e.key, e.value);
    this.unwatch = this.registry.store.watch(this.registry.prefix, from, (evs) => this.onEvents(evs));
    // Level-triggered: treat everything present as just changed.
    for (const c of this.controllers) c.resync?.(this);
    for (const e of this.cache.all()) this.dispatch({ storage: e.storage, key: e.key, type: "put", value: e.value });
    this.stopHeartbeats = startHeartbeats(this);
  }

  stop(): void {
    this.running = false;
    this.unwatch?.();
    this.unwatch = undefined;
    this.stopHeartbeats?.();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const t of this.later.values()) clearTimeout(t);
    this.later.clear();
    this.attempts.clear();
    this.queue.clear();
    this.backlog = [];
    this.generation++;
    this.drainScheduled = false;
    this.cache.clear();
    this.flushIdle();
  }

  get isRunning(): boolean {
    return this.running;
  }

  private onEvents(evs: WatchEvent[]): void {
    for (const ev of evs) {
      const value = ev.value as Obj;
      if (ev.type === "put") this.cache.put(ev.key, value);
      else this.cache.remove(ev.key);
      const p = this.cache.parse(ev.key);
      if (!p) continue;
      this.dispatch({ storage: p.storage, key: ev.key, type: ev.type, value, prev: ev.prev as Obj | undefined });
    }
  }

  private dispatch(ch: Change): void {
    if (!this.running) return;
    for (const c of this.controllers) {
      if (c.watches.includes("*") || c.watches.includes(ch.storage)) {
        try {
          c.onChange(this, ch);
        } catch (err) {
          console.error(`sim: ${c.name} onChange failed:`, err);
        }
      }
    }
    if (ch.type === "put") for (const st of this.stages) if (st.resource === ch.storage) this.considerStage(st, ch.key);
  }

  private considerStage(st: Stage, key: string): void {
    const c = this.cache.get(key);
    if (!c || !st.selector(c.value, this)) return;
    const ms = delayOverride(c.value, st.name) ?? st.delayFor?.(c.value) ?? this.latency.delay(st.delay);
    this.enqueue(`stage:${st.name}:${key}`, () => this.runStage(st, key), ms);
  }

  private async runStage(st: Stage, key: string): Promise<void> {
    const c = this.cache.get(key);
    if (!c || !st.selector(c.value, this)) return;
    const s = strategyFor(c.storage.split("/")[1]!, c.storage.startsWith("core/") ? "" : c.storage.split("/")[0]);
    const eff = st.next(clone(c.value), this);
    if (!eff) return;
    try {
      if (eff.delete) {
        await this.registry.delete(s, c.namespace, c.name, { gracePeriodSeconds: 0 });
      } else if (eff.status) {
        await this.registry.mutate(s, c.namespace, c.name, (o) => (o.status = eff.status), { fieldManager: st.manager, internal: true, subresource: "status" });
      }
    } catch (err) {
      if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) console.error(`sim: stage ${st.name} failed for ${key}:`, err);
    }
    for (const e of eff.events ?? []) this.event(c.value, e);
  }

  enqueue(key: string, fn: Work, ms = 0): void {
    if (!this.running) return;
    if (ms > 0) {
      if (this.timers.has(key)) return;
      const t = setTimeout(() => {
        this.timers.delete(key);
        this.enqueue(key, fn, 0);
      }, ms);
      t.unref();
      this.timers.set(key, t);
      return;
    }
    this.queue.set(key, fn);
    if (!this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => void this.drain());
    }
  }

  touch(storage: string, namespace: string | undefined, name: string): void {
    const v = this.cache.getObj(storage, namespace, name);
    if (!v) return;
    const key = `${this.registry.prefix}${storage}/${namespace ? `${namespace}/` : ""}${name}`;
    this.enqueue(`touch:${key}`, () => {
      const c = this.cache.get(key);
      if (c) this.dispatch({ storage: c.storage, key, type: "put", value: c.value });
    });
  }

  at(key: string, fn: Work, realMs: number): void {
    if (!this.running) return;
    const prev = this.later.get(key);
    if (prev) clearTimeout(prev);
    const t = setTimeout(() => {
      this.later.delete(key);
      this.enqueue(key, fn, 0);
    }, Math.max(0, Math.min(realMs, 2_147_000_000)));
    t.unref();
    this.later.set(key, t);
  }

  /**
   * Runs queued work one item after another (each awaited: its writes are transactions). While a
   * drain runs, drainScheduled stays set, so enqueue() only queues and this drain schedules the next.
   */
  private async drain(): Promise<void> {
    const gen = this.generation;
    if (this.backlog.length === 0) {
      this.backlog = [...this.queue.entries()];
      this.queue.clear();
    }
    // A slice at a time: a cluster coming up queues hundreds of writes, and the same event loop
    // answers ARM and Kubernetes requests (the create's own polls, kubectl) in between.
    const until = performance.now() + DRAIN_SLICE_MS;
    let i = 0;
    const batch = this.backlog;
    for (; i < batch.length; i++) {
      if (!this.running || gen !== this.generation) return;
      if (i > 0 && performance.now() >= until) break;
      const [key, fn] = batch[i]!;
      try {
        await fn();
        this.attempts.delete(key);
      } catch (err) {
        this.retry(key, fn, err);
      }
    }
    if (!this.running || gen !== this.generation) return;
    this.backlog = i < batch.length ? batch.slice(i) : [];
    this.drainScheduled = false;
    if (this.backlog.length > 0 || this.queue.size > 0) {
      this.drainScheduled = true;
      setImmediate(() => void this.drain());
      return;
    }
    if (!this.timers.size) this.flushIdle();
  }

  /**
   * A failed work item, like a controller's rate-limited requeue: 404/409 may be a stale read, so
   * a few retries with exponential backoff, then dropped (logged once); 422 is permanent (dropped
   * at once); anything else backs off up to MAX_ATTEMPTS before being dropped.
   */
  private retry(key: string, fn: Work, err: unknown): void {
    const n = (this.attempts.get(key) ?? 0) + 1;
    const code = err instanceof StatusError ? err.code : 0;
    const limit = code === 422 ? 1 : code === 404 || code === 409 ? STALE_ATTEMPTS : MAX_ATTEMPTS;
    if (n >= limit) {
      this.attempts.delete(key);
      if (code !== 404 && code !== 409) console.error(`sim: work item ${key} failed (dropped after ${n} attempt${n === 1 ? "" : "s"}):`, err);
      return;
    }
    this.attempts.set(key, n);
    if (n === 1 && code !== 404 && code !== 409) console.error(`sim: work item ${key} failed (retrying with backoff):`, err);
    this.enqueue(key, fn, Math.min(MAX_BACKOFF_MS, 5 * 2 ** (n - 1)));
  }

  /** Resolves when the work queue is empty and no stage timer is pending (tests, benchmarks). */
  idle(): Promise<void> {
    if (!this.queue.size && !this.backlog.length && !this.timers.size && !this.drainScheduled) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private flushIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const r of w) r();
  }

  // --- events ---------------------------------------------------------------------------------

  /** Record an Event (best effort, in the background: a failure is logged, never thrown). */
  event(obj: Obj, e: EventSpec): void {
    if (this.opts.events === false || !this.running) return;
    void this.recordEvent(obj, e);
  }

  private async recordEvent(obj: Obj, e: EventSpec): Promise<void> {
    const ns = obj.metadata?.namespace || "default";
    const nsObj = this.cache.getObj("core/namespaces", undefined, ns);
    if (!nsObj || nsObj.metadata?.deletionTimestamp) return;
    const s = strategyFor("events");
    const apiVersion = apiVersionFor(obj);
    const aggKey = `${obj.metadata?.uid}|${e.reason}|${e.message}|${e.fieldPath ?? ""}`;
    const now = nowTime();
    const existing = this.eventKeys.get(aggKey);
    try {
      if (existing) {
        const r = await this.registry.mutate(s, ns, existing, (ev) => {
          ev.count = (ev.count ?? 1) + 1;
          ev.lastTimestamp = now;
        }, { fieldManager: e.component, internal: true });
        if (r) return;
      }
      const name = `${obj.metadata?.name}.${randomHex(8)}`;
      const involved: Obj = { kind: obj.kind ?? kindFor(obj), namespace: obj.metadata?.namespace, name: obj.metadata?.name, uid: obj.metadata?.uid, apiVersion, resourceVersion: obj.metadata?.resourceVersion };
      if (!involved.namespace) delete involved.namespace;
      if (!involved.resourceVersion) delete involved.resourceVersion;
      if (e.fieldPath) involved.fieldPath = e.fieldPath;
      // Known before the create commits, so a repeat raised meanwhile aggregates into this one.
      this.eventKeys.set(aggKey, name);
      await this.registry.create(
        s,
        ns,
        {
          metadata: { name, namespace: ns },
          involvedObject: involved,
          reason: e.reason,
          message: e.message,
          source: e.host ? { component: e.component, host: e.host } : { component: e.component },
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
          type: e.type,
          eventTime: null,
          reportingComponent: e.component,
          reportingInstance: e.host ?? "",
        },
        { fieldManager: e.component, internal: true },
      ).catch((err: unknown) => {
        if (this.eventKeys.get(aggKey) === name) this.eventKeys.delete(aggKey);
        throw err;
      });
      if (this.eventKeys.size > 5000) this.eventKeys.delete(this.eventKeys.keys().next().value!);
    } catch (err) {
      if (!(err instanceof StatusError)) console.error("sim: event failed:", err);
    }
  }
}

function apiVersionFor(o: Obj): string {
  if (o.apiVersion) return o.apiVersion;
  return kindFor(o) === "Pod" || kindFor(o) === "Node" || kindFor(o) === "Service" ? "v1" : "apps/v1";
}

function kindFor(o: Obj): string {
  return o.kind ?? "Object";
}
