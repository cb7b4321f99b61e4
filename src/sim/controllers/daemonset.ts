// DaemonSet controller: one pod per eligible node, pinned with a matchFields node affinity
// (the scheduler binds it), rolling update one node at a time, status counters.
import { strategyFor } from "../../kube/catalog.js";
import { StatusError } from "../../kube/errors.js";
import { clone, fnv32a, intOrPercent, safeEncode, stableStringify, type Obj } from "../../kube/util.js";
import type { Controller, SimContext } from "../types.js";
import { controllerRef, isPodActive, isPodAvailable, isPodReady, MANAGER, ownerRef, podFitsNode } from "./util.js";

const dsS = strategyFor("daemonsets", "apps");
const podS = strategyFor("pods");

const DS_TOLERATIONS = [
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
];

function revisionHash(ds: Obj): string {
  return safeEncode(String(fnv32a(stableStringify(ds.spec?.template ?? {})))).slice(0, 10);
}

function podSpecFor(ds: Obj, node: string): Obj {
  const spec = clone(ds.spec?.template?.spec ?? {});
  const tolerations = (spec.tolerations ?? []) as Obj[];
  const extra = [...DS_TOLERATIONS];
  if (spec.hostNetwork) extra.push({ key: "node.kubernetes.io/network-unavailable", operator: "Exists", effect: "NoSchedule" });
  for (const t of extra) if (!tolerations.some((x) => x.key === t.key && x.effect === t.effect)) tolerations.push(t);
  spec.tolerations = tolerations;
  spec.affinity = {
    ...(spec.affinity ?? {}),
    nodeAffinity: {
      ...(spec.affinity?.nodeAffinity ?? {}),
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [node] }] }] },
    },
  };
  return spec;
}

export async function reconcileDaemonSet(ctx: SimContext, key: string): Promise<void> {
  const c = ctx.cache.get(key);
  if (!c) return;
  const ds = c.value;
  if (ds.metadata.deletionTimestamp) return;
  const ns = c.namespace!;
  const hash = revisionHash(ds);
  const gen = String(ds.metadata.generation ?? 1);
  const tmplSpec = ds.spec?.template?.spec ?? {};
  const nodes = ctx.cache.list("core/nodes").map((n) => n.value).filter((n) => !n.metadata.deletionTimestamp);
  // Eligibility ignores not-ready taints and unschedulable, like the DaemonSet controller.
  const eligible = nodes.filter((n) => podFitsNode({ ...tmplSpec, tolerations: [...(tmplSpec.tolerations ?? []), ...DS_TOLERATIONS] }, n));
  const eligibleNames = new Set(eligible.map((n) => n.metadata.name));
  const owned = ctx.cache.dependents(ds.metadata.uid, "core/pods").map((p) => p.value).filter((p) => controllerRef(p)?.uid === ds.metadata.uid);
  const active = owned.filter(isPodActive);
  const nodeOf = (p: Obj) => p.spec?.nodeName ?? p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0];
  const byNode = new Map<string, Obj[]>();
  for (const p of active) {
    const n = nodeOf(p);
    if (!n) continue;
    if (!byNode.has(n)) byNode.set(n, []);
    byNode.get(n)!.push(p);
  }
  const del = async (p: Obj) => {
    try {
      await ctx.registry.delete(podS, ns, p.metadata.name, {});
      ctx.event(ds, { type: "Normal", reason: "SuccessfulDelete", message: `Deleted pod: ${p.metadata.name}`, component: "daemonset-controller" });
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  };
  for (const n of eligible) {
    const name = n.metadata.name;
    const have = byNode.get(name) ?? [];
    const terminating = owned.some((p) => nodeOf(p) === name && p.metadata.deletionTimestamp);
    if (have.length === 0 && !terminating) {
      const t = ds.spec?.template ?? {};
      const pod = {
        metadata: {
          generateName: `${ds.metadata.name}-`,
          namespace: ns,
          labels: { ...(t.metadata?.labels ?? {}), "controller-revision-hash": hash, "pod-template-generation": gen },
          ...(t.metadata?.annotations ? { annotations: clone(t.metadata.annotations) } : {}),
          ownerReferences: [ownerRef(ds)],
        },
        spec: podSpecFor(ds, name),
      };
      const r = await ctx.registry.create(podS, ns, pod, { fieldManager: MANAGER, internal: true });
      ctx.event(ds, { type: "Normal", reason: "SuccessfulCreate", message: `Created pod: ${r.obj.metadata.name}`, component: "daemonset-controller" });
    } else if (have.length > 1) {
      for (const p of have.slice(1)) await del(p);
    }
  }
  for (const [n, ps] of byNode) if (!eligibleNames.has(n)) for (const p of ps) await del(p);

  // Rolling update: replace outdated pods while at most maxUnavailable are unavailable.
  const upd = ds.spec?.updateStrategy ?? {};
  if ((upd.type ?? "RollingUpdate") === "RollingUpdate") {
    const maxUnavailable = Math.max(1, intOrPercent(upd.rollingUpdate?.maxUnavailable ?? 1, eligible.length, true, 1));
    const current = ctx.cache.dependents(ds.metadata.uid, "core/pods").map((p) => p.value).filter((p) => controllerRef(p)?.uid === ds.metadata.uid);
    const unavailable = eligible.filter((n) => !current.some((p) => nodeOf(p) === n.metadata.name && isPodActive(p) && isPodReady(p))).length;
    let budget = maxUnavailable - unavailable;
    const outdated = current.filter((p) => isPodActive(p) && p.metadata.labels?.["controller-revision-hash"] !== hash);
    // Not-ready outdated pods first: they cost no availability.
    outdated.sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)));
    for (const p of outdated) {
      if (isPodReady(p)) {
        if (budget <= 0) break;
        budget--;
      }
      await del(p);
    }
  }
  await writeStatus(ctx, key, eligible.length, hash);
}

async function writeStatus(ctx: SimContext, key: string, desired: number, hash: string): Promise<void> {
  const c = ctx.cache.get(key);
  if (!c) return;
  const ds = c.value;
  const minReady = Number(ds.spec?.minReadySeconds ?? 0);
  const pods = ctx.cache.dependents(ds.metadata.uid, "core/pods").map((p) => p.value).filter((p) => controllerRef(p)?.uid === ds.metadata.uid && isPodActive(p) && p.spec?.nodeName);
  const nodes = new Set(pods.map((p) => p.spec.nodeName));
  const available = pods.filter((p) => isPodAvailable(p, minReady)).length;
  const status: Obj = {
    currentNumberScheduled: nodes.size,
    desiredNumberScheduled: desired,
    numberMisscheduled: 0,
    numberReady: pods.filter(isPodReady).length,
    observedGeneration: ds.metadata.generation,
    updatedNumberScheduled: pods.filter((p) => p.metadata.labels?.["controller-revision-hash"] === hash).length,
    numberAvailable: available,
  };
  if (desired - available > 0) status.numberUnavailable = desired - available;
  if (!status.numberAvailable) delete status.numberAvailable;
  if (!status.updatedNumberScheduled) delete status.updatedNumberScheduled;
  await ctx.registry.mutate(dsS, c.namespace, c.name, (o) => (o.status = status), { fieldManager: MANAGER, internal: true, subresource: "status" });
}

export const daemonSetController: Controller = {
  name: "daemonset",
  watches: ["apps/daemonsets", "core/pods", "core/nodes"],
  onChange(ctx, ch) {
    const delay = ctx.latency.delay("kube.controller");
    if (ch.storage === "apps/daemonsets") {
      if (ch.type === "put") ctx.enqueue(`ds:${ch.key}`, () => reconcileDaemonSet(ctx, ch.key), delay);
      return;
    }
    if (ch.storage === "core/nodes") {
      for (const d of ctx.cache.list("apps/daemonsets")) ctx.enqueue(`ds:${d.key}`, () => reconcileDaemonSet(ctx, d.key), delay);
      return;
    }
    for (const v of [ch.value, ch.prev]) {
      const ref = v && controllerRef(v);
      if (ref?.kind !== "DaemonSet") continue;
      const owner = ctx.cache.byUidKey(ref.uid);
      if (owner) ctx.enqueue(`ds:${owner.key}`, () => reconcileDaemonSet(ctx, owner.key), delay);
    }
  },
};
