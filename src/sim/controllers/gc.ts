// Garbage collector: dependents of a deleted owner are deleted (background) or orphaned;
// owners with the foregroundDeletion finalizer wait for their dependents; pods bound to a
// node that no longer exists are removed (pod GC).
import { StatusError } from "../../kube/errors.js";
import type { Strategy } from "../../kube/types.js";
import type { Obj } from "../../kube/util.js";
import type { Cached } from "../cache.js";
import type { Controller, SimContext } from "../types.js";

// Custom resources count too: the cluster's kinds include its CRDs' storage versions.
function strategyOfCached(ctx: SimContext, c: Cached): Strategy | undefined {
  return ctx.registry.kinds.byStorage(c.storage);
}

async function swallow404(fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 404)) throw err;
  }
}

async function processOwnerGone(ctx: SimContext, uid: string): Promise<void> {
  for (const dep of ctx.cache.dependents(uid)) {
    const s = strategyOfCached(ctx, dep);
    if (!s) continue;
    const refs = (dep.value.metadata?.ownerReferences ?? []) as Obj[];
    const liveOthers = refs.filter((r) => r.uid !== uid && ctx.cache.hasUid(r.uid));
    if (liveOthers.length) {
      await swallow404(() => ctx.registry.mutate(s, dep.namespace, dep.name, (o) => (o.metadata.ownerReferences = ((o.metadata.ownerReferences ?? []) as Obj[]).filter((r) => r.uid !== uid)), { fieldManager: "garbage-collector", internal: true }));
    } else if (!dep.value.metadata?.deletionTimestamp) {
      await swallow404(() => ctx.registry.delete(s, dep.namespace, dep.name, { propagationPolicy: "Background" }));
    }
  }
}

async function processFinalizers(ctx: SimContext, c: Cached): Promise<void> {
  const o = c.value;
  const fins = (o.metadata?.finalizers ?? []) as string[];
  if (!o.metadata?.deletionTimestamp) return;
  const s = strategyOfCached(ctx, c);
  if (!s) return;
  const uid = o.metadata.uid;
  if (fins.includes("orphan")) {
    for (const dep of ctx.cache.dependents(uid)) {
      const ds = strategyOfCached(ctx, dep);
      if (ds) await swallow404(() => ctx.registry.mutate(ds, dep.namespace, dep.name, (x) => (x.metadata.ownerReferences = ((x.metadata.ownerReferences ?? []) as Obj[]).filter((r) => r.uid !== uid)), { fieldManager: "garbage-collector", internal: true }));
    }
    await swallow404(() => ctx.registry.mutate(s, c.namespace, c.name, (x) => (x.metadata.finalizers = ((x.metadata.finalizers ?? []) as string[]).filter((f) => f !== "orphan")), { fieldManager: "garbage-collector", internal: true }));
    return;
  }
  if (fins.includes("foregroundDeletion")) {
    const deps = ctx.cache.dependents(uid);
    for (const dep of deps) {
      const ds = strategyOfCached(ctx, dep);
      if (ds && !dep.value.metadata?.deletionTimestamp) await swallow404(() => ctx.registry.delete(ds, dep.namespace, dep.name, { propagationPolicy: "Foreground" }));
    }
    if (deps.length === 0)
      await swallow404(() => ctx.registry.mutate(s, c.namespace, c.name, (x) => (x.metadata.finalizers = ((x.metadata.finalizers ?? []) as string[]).filter((f) => f !== "foregroundDeletion")), { fieldManager: "garbage-collector", internal: true }));
  }
}

async function podGC(ctx: SimContext, c: Cached): Promise<void> {
  const node = c.value.spec?.nodeName;
  if (!node || ctx.cache.getObj("core/nodes", undefined, node)) return;
  const s = strategyOfCached(ctx, c)!;
  await swallow404(() => ctx.registry.delete(s, c.namespace, c.name, { gracePeriodSeconds: 0 }));
}

export const garbageCollector: Controller = {
  name: "garbage-collector",
  watches: ["*"],
  onChange(ctx, ch) {
    const delay = ctx.latency.delay("kube.controller");
    const uid = ch.value?.metadata?.uid as string | undefined;
    if (ch.type === "delete" && uid) {
      if (ctx.cache.dependents(uid).length) ctx.enqueue(`gc:gone:${uid}`, () => processOwnerGone(ctx, uid), delay);
      // A dependent went away: its foreground-deleting owners may be done.
      for (const r of (ch.value.metadata?.ownerReferences ?? []) as Obj[]) {
        const owner = ctx.cache.byUidKey(r.uid);
        if (owner?.value.metadata?.deletionTimestamp) ctx.enqueue(`gc:fin:${owner.key}`, async () => { const c = ctx.cache.get(owner.key); if (c) await processFinalizers(ctx, c); }, delay);
      }
      if (ch.storage === "core/nodes") for (const p of ctx.cache.podsOnNode(ch.value.metadata.name)) ctx.enqueue(`gc:pod:${p.key}`, async () => { const c = ctx.cache.get(p.key); if (c) await podGC(ctx, c); }, delay);
      return;
    }
    if (ch.type === "put") {
      const fins = (ch.value.metadata?.finalizers ?? []) as string[];
      if (ch.value.metadata?.deletionTimestamp && (fins.includes("orphan") || fins.includes("foregroundDeletion")))
        ctx.enqueue(`gc:fin:${ch.key}`, async () => { const c = ctx.cache.get(ch.key); if (c) await processFinalizers(ctx, c); }, delay);
      if (ch.storage === "core/pods" && ch.value.spec?.nodeName && !ctx.cache.getObj("core/nodes", undefined, ch.value.spec.nodeName))
        ctx.enqueue(`gc:pod:${ch.key}`, async () => { const c = ctx.cache.get(ch.key); if (c) await podGC(ctx, c); }, delay);
    }
  },
  resync(ctx) {
    // Dangling owner references (owner deleted while the engine was stopped).
    const seen = new Set<string>();
    for (const { storage } of ctx.registry.kinds.storages()) {
      for (const c of ctx.cache.list(storage)) {
        for (const r of (c.value.metadata?.ownerReferences ?? []) as Obj[]) {
          if (r.uid && !ctx.cache.hasUid(r.uid) && !seen.has(r.uid)) {
            seen.add(r.uid);
            const uid = r.uid as string;
            ctx.enqueue(`gc:gone:${uid}`, () => processOwnerGone(ctx, uid));
          }
        }
        if (c.value.metadata?.deletionTimestamp) ctx.enqueue(`gc:fin:${c.key}`, async () => { const x = ctx.cache.get(c.key); if (x) await processFinalizers(ctx, x); });
      }
    }
  },
};
