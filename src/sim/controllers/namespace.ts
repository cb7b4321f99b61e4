// Namespace lifecycle: every active namespace gets ServiceAccount "default" and ConfigMap
// "kube-root-ca.crt"; a terminating namespace has its content deleted, then its "kubernetes"
// finalizer removed, after which the registry drops it.
import { strategyFor } from "../../kube/catalog.js";
import { StatusError } from "../../kube/errors.js";
import type { Obj } from "../../kube/util.js";
import type { Controller, SimContext } from "../types.js";

const nsS = strategyFor("namespaces");
const saS = strategyFor("serviceaccounts");
const cmS = strategyFor("configmaps");

async function ignoreExists(fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof StatusError && (err.code === 409 || err.code === 403 || err.code === 404))) throw err;
  }
}

export async function reconcileNamespace(ctx: SimContext, name: string): Promise<void> {
  const ns = ctx.cache.getObj("core/namespaces", undefined, name);
  if (!ns) return;
  if (!ns.metadata.deletionTimestamp) {
    if (!ctx.cache.getObj("core/serviceaccounts", name, "default"))
      await ignoreExists(() => ctx.registry.create(saS, name, { metadata: { name: "default", namespace: name } }, { fieldManager: "kube-controller-manager", internal: true }));
    if (!ctx.cache.getObj("core/configmaps", name, "kube-root-ca.crt"))
      await ignoreExists(() =>
        ctx.registry.create(
          cmS,
          name,
          { metadata: { name: "kube-root-ca.crt", namespace: name, annotations: { "kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters." } }, data: { "ca.crt": ctx.info().caPem ?? "" } },
          { fieldManager: "kube-controller-manager", internal: true },
        ),
      );
    return;
  }
  // Terminating: delete everything in it; finalize once empty.
  let remaining = 0;
  for (const { storage, strategy } of ctx.registry.kinds.namespacedStorages()) {
    for (const c of ctx.cache.list(storage, name)) {
      remaining++;
      if (c.value.metadata?.deletionTimestamp) continue;
      try {
        await ctx.registry.delete(strategy, name, c.name, { propagationPolicy: "Background" });
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      }
    }
  }
  if (remaining === 0 || countIn(ctx, name) === 0) {
    await ctx.registry.mutate(nsS, undefined, name, (o) => {
      o.spec = { ...(o.spec ?? {}), finalizers: ((o.spec?.finalizers ?? []) as string[]).filter((f) => f !== "kubernetes") };
    }, { fieldManager: "kube-controller-manager", internal: true, subresource: "finalize" });
  }
}

function countIn(ctx: SimContext, ns: string): number {
  let n = 0;
  for (const { storage } of ctx.registry.kinds.namespacedStorages()) n += ctx.cache.list(storage, ns).length;
  return n;
}

export const namespaceController: Controller = {
  name: "namespace",
  watches: ["*"],
  onChange(ctx, ch) {
    const delay = ctx.latency.delay("kube.controller");
    if (ch.storage === "core/namespaces") {
      const name = (ch.value as Obj).metadata?.name;
      if (ch.type === "put") ctx.enqueue(`ns:${name}`, () => reconcileNamespace(ctx, name), delay);
      return;
    }
    const p = ctx.cache.parse(ch.key);
    if (!p?.namespace) return;
    const ns = ctx.cache.getObj("core/namespaces", undefined, p.namespace);
    if (!ns) return;
    // Content of a terminating namespace changed, or a default object went away: reconcile.
    if (ns.metadata.deletionTimestamp || (ch.type === "delete" && (ch.storage === "core/serviceaccounts" || ch.storage === "core/configmaps")))
      ctx.enqueue(`ns:${p.namespace}`, () => reconcileNamespace(ctx, p.namespace!), delay);
  },
};
