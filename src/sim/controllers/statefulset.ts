// StatefulSet controller (simplified from kube-controller-manager's): pods `<sts>-<ordinal>` with
// stable hostnames; OrderedReady creates ordinal i only when 0..i-1 are Running and Ready and
// scales down from the highest ordinal one at a time (Parallel does both at once); claims
// `<template>-<sts>-<ordinal>` from volumeClaimTemplates are made before their pod; RollingUpdate
// replaces pods at ordinals ≥ partition, highest first, one at a time; status as the controller
// writes it (revisions are `<sts>-<hash of the template>`; no ControllerRevision objects).
import { strategyFor } from "../../kube/catalog.js";
import { StatusError } from "../../kube/errors.js";
import { clone, fnv32a, type Obj } from "../../kube/util.js";
import type { Controller, SimContext } from "../types.js";
import { controllerRef, isPodActive, isPodAvailable, isPodReady, MANAGER, ownerRef } from "./util.js";

const stsS = strategyFor("statefulsets", "apps");
const podS = strategyFor("pods");
const pvcS = strategyFor("persistentvolumeclaims");
const COMPONENT = "statefulset-controller";
const REVISION = "controller-revision-hash";

/** kube's rand.SafeEncodeString alphabet (no vowels, no look-alikes). */
function safeEncode(n: number): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  let s = "";
  let v = n >>> 0;
  do {
    s += alphabet[v % alphabet.length];
    v = Math.floor(v / alphabet.length);
  } while (v > 0);
  return s;
}

export function revisionOf(sts: Obj): string {
  return `${sts.metadata.name}-${safeEncode(fnv32a(JSON.stringify(sts.spec?.template ?? {})))}`;
}

function ordinalOf(sts: Obj, pod: Obj): number | undefined {
  const m = new RegExp(`^${sts.metadata.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-(\\d+)$`).exec(pod.metadata?.name ?? "");
  return m ? Number(m[1]) : undefined;
}

function claimName(tpl: Obj, sts: Obj, i: number): string {
  return `${tpl.metadata?.name}-${sts.metadata.name}-${i}`;
}

async function ensureClaims(ctx: SimContext, sts: Obj, ns: string, i: number, podName: string): Promise<void> {
  for (const tpl of (sts.spec?.volumeClaimTemplates ?? []) as Obj[]) {
    const name = claimName(tpl, sts, i);
    if (ctx.cache.getObj("core/persistentvolumeclaims", ns, name)) continue;
    const owned = sts.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === "Delete";
    const pvc = {
      metadata: {
        name, namespace: ns,
        labels: { ...clone(tpl.metadata?.labels ?? {}), ...clone(sts.spec?.selector?.matchLabels ?? {}) },
        ...(tpl.metadata?.annotations ? { annotations: clone(tpl.metadata.annotations) } : {}),
        ...(owned ? { ownerReferences: [{ ...ownerRef({ ...sts, apiVersion: "apps/v1", kind: "StatefulSet" }), controller: true }] } : {}),
      },
      spec: clone(tpl.spec ?? {}),
    };
    try {
      await ctx.registry.create(pvcS, ns, pvc, { fieldManager: MANAGER, internal: true });
      ctx.event(sts, { type: "Normal", reason: "SuccessfulCreate", message: `create Claim ${name} Pod ${podName} in StatefulSet ${sts.metadata.name} success`, component: COMPONENT });
    } catch (err) {
      if (err instanceof StatusError && err.code === 409) continue;
      ctx.event(sts, { type: "Warning", reason: "FailedCreate", message: `create Claim ${name} for Pod ${podName} in StatefulSet ${sts.metadata.name} failed error: ${err instanceof Error ? err.message : String(err)}`, component: COMPONENT });
      throw err;
    }
  }
}

function newPod(sts: Obj, ns: string, i: number, revision: string): Obj {
  const t = sts.spec?.template ?? {};
  const name = `${sts.metadata.name}-${i}`;
  const spec = clone(t.spec ?? {});
  spec.hostname = name;
  if (sts.spec?.serviceName) spec.subdomain = sts.spec.serviceName;
  const vols = ((spec.volumes ?? []) as Obj[]);
  for (const tpl of (sts.spec?.volumeClaimTemplates ?? []) as Obj[]) {
    const v = { name: tpl.metadata?.name, persistentVolumeClaim: { claimName: claimName(tpl, sts, i) } };
    const at = vols.findIndex((x) => x.name === v.name);
    if (at >= 0) vols[at] = v;
    else vols.push(v);
  }
  if (vols.length) spec.volumes = vols;
  return {
    metadata: {
      name, namespace: ns,
      labels: { ...clone(t.metadata?.labels ?? {}), [REVISION]: revision, "statefulset.kubernetes.io/pod-name": name, "apps.kubernetes.io/pod-index": String(i) },
      ...(t.metadata?.annotations ? { annotations: clone(t.metadata.annotations) } : {}),
      ownerReferences: [ownerRef({ ...sts, apiVersion: "apps/v1", kind: "StatefulSet" })],
    },
    spec,
  };
}

export async function reconcileStatefulSet(ctx: SimContext, key: string): Promise<void> {
  const c = ctx.cache.get(key);
  if (!c) return;
  const sts = c.value;
  const ns = c.namespace!;
  const name = sts.metadata.name;
  const replicas = sts.metadata.deletionTimestamp ? 0 : Number(sts.spec?.replicas ?? 1);
  const ordered = sts.spec?.podManagementPolicy !== "Parallel";
  const update = sts.spec?.updateStrategy?.type ?? "RollingUpdate";
  const partition = Number(sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0);
  const updateRevision = revisionOf(sts);
  const pods = new Map<number, Obj>();
  for (const p of ctx.cache.dependents(sts.metadata.uid, "core/pods").map((x) => x.value)) {
    if (controllerRef(p)?.uid !== sts.metadata.uid) continue;
    const i = ordinalOf(sts, p);
    if (i !== undefined) pods.set(i, p);
  }
  const healthy = (p: Obj | undefined) => !!p && isPodActive(p) && p.status?.phase === "Running" && isPodReady(p);
  const del = async (p: Obj) => {
    try {
      await ctx.registry.delete(podS, ns, p.metadata.name, {});
      ctx.event(sts, { type: "Normal", reason: "SuccessfulDelete", message: `delete Pod ${p.metadata.name} in StatefulSet ${name} successful`, component: COMPONENT });
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  };
  if (!sts.metadata.deletionTimestamp) {
    // Failed or finished pods are replaced.
    for (const p of pods.values()) if (!p.metadata.deletionTimestamp && (p.status?.phase === "Failed" || p.status?.phase === "Succeeded")) await del(p);
    let blocked = false;
    for (let i = 0; i < replicas && !blocked; i++) {
      const p = pods.get(i);
      if (!p) {
        // The revision a new pod gets: the update revision at ordinals ≥ partition, else the current one.
        const current = sts.status?.currentRevision ?? updateRevision;
        const rev = update === "RollingUpdate" && i < partition ? current : updateRevision;
        const podName = `${name}-${i}`;
        await ensureClaims(ctx, sts, ns, i, podName);
        try {
          await ctx.registry.create(podS, ns, newPod(sts, ns, i, rev), { fieldManager: MANAGER, internal: true });
          ctx.event(sts, { type: "Normal", reason: "SuccessfulCreate", message: `create Pod ${podName} in StatefulSet ${name} successful`, component: COMPONENT });
        } catch (err) {
          if (!(err instanceof StatusError && err.code === 409)) {
            ctx.event(sts, { type: "Warning", reason: "FailedCreate", message: `create Pod ${podName} in StatefulSet ${name} failed error: ${err instanceof Error ? err.message : String(err)}`, component: COMPONENT });
            throw err;
          }
        }
        if (ordered) blocked = true;
      } else if (ordered && !healthy(p)) blocked = true;
    }
    // Scale down: highest ordinal first (one at a time when ordered, and only when the rest is healthy).
    const extra = [...pods.entries()].filter(([i, p]) => i >= replicas && !p.metadata.deletionTimestamp).sort((a, b) => b[0] - a[0]);
    const terminating = [...pods.values()].some((p) => p.metadata.deletionTimestamp);
    if (extra.length && !(ordered && (blocked || terminating))) for (const [, p] of ordered ? extra.slice(0, 1) : extra) await del(p);
    // Rolling update: highest ordinal ≥ partition whose revision is old, once every pod is healthy.
    if (update === "RollingUpdate" && !extra.length && !terminating) {
      const allHealthy = [...Array(replicas).keys()].every((i) => healthy(pods.get(i)));
      if (allHealthy || !ordered) {
        for (let i = replicas - 1; i >= partition; i--) {
          const p = pods.get(i);
          if (p && p.metadata.labels?.[REVISION] !== updateRevision) {
            await del(p);
            break;
          }
        }
      }
    }
  }
  await writeStatus(ctx, key, updateRevision);
}

async function writeStatus(ctx: SimContext, key: string, updateRevision: string): Promise<void> {
  const c = ctx.cache.get(key);
  if (!c) return;
  const sts = c.value;
  const live = ctx.cache.dependents(sts.metadata.uid, "core/pods").map((x) => x.value).filter((p) => controllerRef(p)?.uid === sts.metadata.uid && isPodActive(p));
  const replicas = Number(sts.spec?.replicas ?? 1);
  const updated = live.filter((p) => p.metadata.labels?.[REVISION] === updateRevision).length;
  let currentRevision: string = sts.status?.currentRevision ?? updateRevision;
  const ready = live.filter(isPodReady).length;
  if (updated === replicas && live.length === replicas && ready === replicas) currentRevision = updateRevision;
  const current = live.filter((p) => p.metadata.labels?.[REVISION] === currentRevision).length;
  const minReady = Number(sts.spec?.minReadySeconds ?? 0);
  const status: Obj = {
    observedGeneration: sts.metadata.generation,
    replicas: live.length,
    readyReplicas: ready,
    currentReplicas: current,
    updatedReplicas: updated,
    currentRevision,
    updateRevision,
    collisionCount: 0,
    availableReplicas: live.filter((p) => isPodAvailable(p, minReady)).length,
  };
  for (const k of ["readyReplicas", "currentReplicas", "updatedReplicas"]) if (status[k] === 0) delete status[k];
  await ctx.registry.mutate(stsS, c.namespace, c.name, (o) => (o.status = { ...status, ...(o.status?.conditions ? { conditions: o.status.conditions } : {}) }), { fieldManager: MANAGER, internal: true, subresource: "status" });
}

export const statefulSetController: Controller = {
  name: "statefulset",
  watches: ["apps/statefulsets", "core/pods"],
  onChange(ctx, ch) {
    if (ch.storage === "apps/statefulsets") {
      if (ch.type === "put") ctx.enqueue(`sts:${ch.key}`, () => reconcileStatefulSet(ctx, ch.key), ctx.latency.delay("kube.controller"));
      return;
    }
    for (const v of [ch.value, ch.prev]) {
      const ref = v && controllerRef(v);
      if (ref?.kind !== "StatefulSet") continue;
      const owner = ctx.cache.byUidKey(ref.uid);
      if (owner) ctx.enqueue(`sts:${owner.key}`, () => reconcileStatefulSet(ctx, owner.key), ctx.latency.delay("kube.controller"));
    }
  },
};
