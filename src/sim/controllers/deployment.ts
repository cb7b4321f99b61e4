// Deployment controller: Deployment → ReplicaSet <name>-<pod-template-hash> (defaulted
// template + pod-template-hash label), rolling update / recreate, revision history, status
// and the Available/Progressing conditions kubectl rollout status and wait read.
import { strategyFor } from "../../kube/catalog.js";
import { StatusError } from "../../kube/errors.js";
import { clone, deepEqual, fnv32a, intOrPercent, nowTime, safeEncode, stableStringify, type Obj } from "../../kube/util.js";
import type { Controller, SimContext } from "../types.js";
import { controllerRef, isPodActive, MANAGER, ownerRef, setCondition } from "./util.js";

const dS = strategyFor("deployments", "apps");
const rsS = strategyFor("replicasets", "apps");
const REVISION = "deployment.kubernetes.io/revision";

export function podTemplateHash(template: Obj, collisionCount?: number): string {
  const t = clone(template);
  if (t.metadata?.labels) delete t.metadata.labels["pod-template-hash"];
  let s = stableStringify(t);
  if (collisionCount) s += String(collisionCount);
  return safeEncode(String(fnv32a(s)));
}

function templateWithoutHash(t: Obj | undefined): Obj {
  const c = clone(t ?? {});
  if (c.metadata?.labels) {
    delete c.metadata.labels["pod-template-hash"];
    if (!Object.keys(c.metadata.labels).length) delete c.metadata.labels;
  }
  if (c.metadata && c.metadata.creationTimestamp === undefined) c.metadata.creationTimestamp = null;
  return c;
}

function revisionOf(rs: Obj): number {
  return Number(rs.metadata?.annotations?.[REVISION] ?? 0) || 0;
}

export async function reconcileDeployment(ctx: SimContext, key: string): Promise<void> {
  const c = ctx.cache.get(key);
  if (!c) return;
  const d = c.value;
  if (d.metadata.deletionTimestamp) return;
  const ns = c.namespace!;
  const desired = Number(d.spec?.replicas ?? 1);
  const allRS = ctx.cache.dependents(d.metadata.uid, "apps/replicasets").map((r) => r.value).filter((r) => controllerRef(r)?.uid === d.metadata.uid && !r.metadata.deletionTimestamp);
  const tmpl = templateWithoutHash(d.spec?.template);
  let newRS = allRS.find((r) => deepEqual(templateWithoutHash(r.spec?.template), tmpl));
  const oldRS = allRS.filter((r) => r !== newRS).sort((a, b) => revisionOf(a) - revisionOf(b));
  const maxOldRevision = Math.max(0, ...oldRS.map(revisionOf));
  const strategy = d.spec?.strategy ?? {};
  const recreate = strategy.type === "Recreate";
  const maxSurge = recreate ? 0 : intOrPercent(strategy.rollingUpdate?.maxSurge ?? "25%", desired, true, 0);
  let maxUnavailable = recreate ? 0 : intOrPercent(strategy.rollingUpdate?.maxUnavailable ?? "25%", desired, false, 0);
  if (!recreate && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  let progressingReason: string | undefined;
  let progressingMessage: string | undefined;

  if (d.spec?.paused) {
    await writeStatus(ctx, key, newRS, allRS, desired, maxUnavailable, undefined, undefined);
    return;
  }

  const oldActivePods = oldRS.reduce((n, r) => n + Number(r.status?.replicas ?? 0), 0);
  if (!newRS) {
    const collision = Number(d.status?.collisionCount ?? 0);
    const hash = podTemplateHash(d.spec.template, collision);
    const name = `${d.metadata.name}-${hash}`;
    const existing = ctx.cache.getObj("apps/replicasets", ns, name);
    if (existing) {
      // Same name, different template or owner: bump collisionCount and retry (as kube does).
      await ctx.registry.mutate(dS, ns, d.metadata.name, (o) => (o.status = { ...(o.status ?? {}), collisionCount: collision + 1 }), { fieldManager: MANAGER, internal: true, subresource: "status" });
      return;
    }
    const currentTotal = oldRS.reduce((n, r) => n + Number(r.spec?.replicas ?? 0), 0);
    let replicas: number;
    if (recreate) replicas = oldActivePods > 0 || currentTotal > 0 ? 0 : desired;
    else replicas = Math.max(0, Math.min(desired, desired + maxSurge - currentTotal));
    const template = clone(d.spec.template);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), "pod-template-hash": hash } };
    const selector = clone(d.spec.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), "pod-template-hash": hash };
    const revision = String(maxOldRevision + 1);
    const rs = {
      metadata: {
        name,
        namespace: ns,
        labels: { ...(d.spec.template.metadata?.labels ?? {}), "pod-template-hash": hash },
        annotations: {
          ...copyAnnotations(d),
          "deployment.kubernetes.io/desired-replicas": String(desired),
          "deployment.kubernetes.io/max-replicas": String(desired + maxSurge),
          [REVISION]: revision,
        },
        ownerReferences: [ownerRef(d)],
      },
      spec: { replicas, ...(d.spec.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}), selector, template },
    };
    try {
      const r = await ctx.registry.create(rsS, ns, rs, { fieldManager: MANAGER, internal: true });
      newRS = ctx.cache.get(ctx.registry.key(rsS, ns, name))?.value ?? r.obj;
      ctx.event(d, { type: "Normal", reason: "ScalingReplicaSet", message: `Scaled up replica set ${name} from 0 to ${replicas}`, component: "deployment-controller" });
      progressingReason = "NewReplicaSetCreated";
      progressingMessage = `Created new replica set "${name}"`;
    } catch (err) {
      if (err instanceof StatusError && err.code === 409) return;
      throw err;
    }
  } else if (revisionOf(newRS) <= maxOldRevision) {
    // Rollback to an older template: it becomes the newest revision.
    await ctx.registry.mutate(rsS, ns, newRS.metadata.name, (o) => (o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [REVISION]: String(maxOldRevision + 1) }), { fieldManager: MANAGER, internal: true });
  }
  const newName = newRS!.metadata.name;

  const scale = async (rs: Obj, to: number) => {
    const from = Number(rs.spec?.replicas ?? 0);
    if (from === to) return;
    await ctx.registry.mutate(rsS, ns, rs.metadata.name, (o) => {
      o.spec.replicas = to;
      o.metadata.annotations = { ...(o.metadata.annotations ?? {}), "deployment.kubernetes.io/desired-replicas": String(desired), "deployment.kubernetes.io/max-replicas": String(desired + maxSurge) };
    }, { fieldManager: MANAGER, internal: true });
    ctx.event(d, { type: "Normal", reason: "ScalingReplicaSet", message: `Scaled ${to > from ? "up" : "down"} replica set ${rs.metadata.name} from ${from} to ${to}`, component: "deployment-controller" });
  };

  const newR = Number(newRS!.spec?.replicas ?? 0);
  if (recreate) {
    for (const r of oldRS) await scale(r, 0);
    const oldPods = oldRS.reduce((n, r) => n + ctx.cache.dependents(r.metadata.uid, "core/pods").filter((p) => isPodActive(p.value)).length, 0);
    if (oldPods === 0 && newR !== desired) await scale(newRS!, desired);
  } else {
    // Scale up the new ReplicaSet within maxSurge.
    const currentTotal = allRS.reduce((n, r) => n + Number(r.spec?.replicas ?? 0), 0) + (allRS.includes(newRS!) ? 0 : newR);
    let target = newR;
    if (newR < desired) target = Math.min(desired, newR + Math.max(0, desired + maxSurge - currentTotal));
    else if (newR > desired) target = desired;
    await scale(newRS!, target);
    // Scale down old ReplicaSets within maxUnavailable: unhealthy replicas go first.
    const available = allRS.reduce((n, r) => n + Number(r.status?.availableReplicas ?? 0), 0);
    let canRemove = available - (desired - maxUnavailable);
    for (const r of oldRS) {
      const cur = Number(r.spec?.replicas ?? 0);
      if (cur === 0) continue;
      const unhealthy = Math.max(0, cur - Number(r.status?.availableReplicas ?? 0));
      const take = Math.min(cur, unhealthy + Math.max(0, canRemove));
      if (take > 0) {
        await scale(r, cur - take);
        canRemove -= Math.max(0, take - unhealthy);
      }
    }
  }

  // Revision history: drop the oldest fully scaled-down ReplicaSets beyond the limit.
  const limit = Number(d.spec?.revisionHistoryLimit ?? 10);
  const idle = oldRS.filter((r) => Number(r.spec?.replicas ?? 0) === 0 && Number(r.status?.replicas ?? 0) === 0);
  for (const r of idle.slice(0, Math.max(0, idle.length - limit))) {
    try {
      await ctx.registry.delete(rsS, ns, r.metadata.name, {});
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  }

  const fresh = ctx.cache.getObj("apps/replicasets", ns, newName) ?? newRS!;
  const freshAll = ctx.cache.dependents(d.metadata.uid, "apps/replicasets").map((r) => r.value).filter((r) => controllerRef(r)?.uid === d.metadata.uid && !r.metadata.deletionTimestamp);
  await writeStatus(ctx, key, fresh, freshAll, desired, maxUnavailable, progressingReason, progressingMessage);
}

function copyAnnotations(d: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((d.metadata.annotations ?? {}) as Record<string, string>)) {
    if (k === REVISION || k === "kubectl.kubernetes.io/last-applied-configuration" || k.startsWith("deployment.kubernetes.io/")) continue;
    out[k] = v;
  }
  return out;
}

async function writeStatus(ctx: SimContext, key: string, newRS: Obj | undefined, allRS: Obj[], desired: number, maxUnavailable: number, reason?: string, message?: string): Promise<void> {
  const c = ctx.cache.get(key);
  if (!c) return;
  const d = c.value;
  const sum = (f: (r: Obj) => unknown) => allRS.reduce((n, r) => n + Number(f(r) ?? 0), 0);
  const replicas = sum((r) => r.status?.replicas);
  const updated = Number(newRS?.status?.replicas ?? 0);
  const ready = sum((r) => r.status?.readyReplicas);
  const available = sum((r) => r.status?.availableReplicas);
  const totalSpec = sum((r) => r.spec?.replicas);
  const now = nowTime();
  const status: Obj = { observedGeneration: d.metadata.generation, replicas, updatedReplicas: updated, readyReplicas: ready, availableReplicas: available };
  const unavailable = Math.max(0, totalSpec - available);
  if (unavailable) status.unavailableReplicas = unavailable;
  for (const k of ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas"]) if (status[k] === 0) delete status[k];
  if (d.status?.collisionCount) status.collisionCount = d.status.collisionCount;
  let conds = (clone(d.status?.conditions ?? []) as Obj[]);
  conds = setCondition(
    conds,
    available >= desired - maxUnavailable
      ? { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." }
      : { type: "Available", status: "False", reason: "MinimumReplicasUnavailable", message: "Deployment does not have minimum availability." },
    now,
  );
  const complete = updated === desired && replicas === desired && available === desired;
  const rsName = newRS?.metadata?.name ?? "";
  if (d.spec?.paused) {
    conds = setCondition(conds, { type: "Progressing", status: "Unknown", reason: "DeploymentPaused", message: "Deployment is paused" }, now);
  } else if (complete && newRS) {
    conds = setCondition(conds, { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable", message: `ReplicaSet "${rsName}" has successfully progressed.` }, now);
  } else if (newRS) {
    const prev = conds.find((x) => x.type === "Progressing");
    if (reason) conds = setCondition(conds, { type: "Progressing", status: "True", reason, message: message ?? "" }, now);
    else if (!prev || prev.reason === "NewReplicaSetAvailable" || prev.message !== `ReplicaSet "${rsName}" is progressing.`)
      conds = setCondition(conds, { type: "Progressing", status: "True", reason: "ReplicaSetUpdated", message: `ReplicaSet "${rsName}" is progressing.` }, now);
  }
  status.conditions = conds;
  const revision = newRS?.metadata?.annotations?.[REVISION];
  await ctx.registry.mutate(dS, c.namespace, c.name, (o) => {
    o.status = status;
    // The controller writes the revision annotation with the status (UpdateStatus), so no generation bump.
    if (revision && o.metadata.annotations?.[REVISION] !== revision) o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [REVISION]: revision };
  }, { fieldManager: MANAGER, internal: true, subresource: "status" });
}

export const deploymentController: Controller = {
  name: "deployment",
  watches: ["apps/deployments", "apps/replicasets"],
  onChange(ctx, ch) {
    if (ch.storage === "apps/deployments") {
      if (ch.type === "put") ctx.enqueue(`deploy:${ch.key}`, () => reconcileDeployment(ctx, ch.key), ctx.latency.delay("kube.controller"));
      return;
    }
    for (const v of [ch.value, ch.prev]) {
      const ref = v && controllerRef(v);
      if (ref?.kind !== "Deployment") continue;
      const owner = ctx.cache.byUidKey(ref.uid);
      if (owner) ctx.enqueue(`deploy:${owner.key}`, () => reconcileDeployment(ctx, owner.key), ctx.latency.delay("kube.controller"));
    }
  },
};
