// ReplicaSet controller: keep spec.replicas active pods (named <rs>-<5 chars>, controller
// ownerReference), and report replicas/ready/available in status. The same loop runs
// ReplicationControllers, as kube-controller-manager's replication manager wraps the
// ReplicaSet controller (the RC's selector is a plain label map).
import { strategyFor } from "../../kube/catalog.js";
import { StatusError } from "../../kube/errors.js";
import { clone, type Obj } from "../../kube/util.js";
import type { Strategy } from "../../kube/types.js";
import type { Controller, SimContext } from "../types.js";
import { controllerRef, isPodActive, isPodAvailable, isPodReady, MANAGER, ownerRef, selectorMatches } from "./util.js";

const podS = strategyFor("pods");

/** What differs between the two kinds the loop manages. */
interface Flavor {
  strategy: Strategy;
  storage: string;
  kind: string;
  apiVersion: string;
  component: string;
  selector(o: Obj): Obj | undefined;
}

const RS: Flavor = {
  strategy: strategyFor("replicasets", "apps"),
  storage: "apps/replicasets",
  kind: "ReplicaSet",
  apiVersion: "apps/v1",
  component: "replicaset-controller",
  selector: (o) => o.spec?.selector,
};

const RC: Flavor = {
  strategy: strategyFor("replicationcontrollers"),
  storage: "core/replicationcontrollers",
  kind: "ReplicationController",
  apiVersion: "v1",
  component: "replication-controller",
  selector: (o) => (o.spec?.selector ? { matchLabels: o.spec.selector } : undefined),
};
const BURST = 500;

/** Rank for scale-down: unscheduled, pending, not ready, then newest go first. */
function deletionRank(p: Obj): number[] {
  return [p.spec?.nodeName ? 1 : 0, p.status?.phase === "Running" ? 1 : 0, isPodReady(p) ? 1 : 0, -Date.parse(p.metadata?.creationTimestamp ?? "") || 0];
}

function cmp(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

export async function reconcileReplicaSet(ctx: SimContext, key: string, f: Flavor = RS): Promise<void> {
  const c = ctx.cache.get(key);
  if (!c) return;
  const rs = c.value;
  const ns = c.namespace!;
  const owned = ctx.cache.dependents(rs.metadata.uid, "core/pods").map((p) => p.value).filter((p) => controllerRef(p)?.uid === rs.metadata.uid);
  const active = owned.filter(isPodActive);
  const want = rs.metadata.deletionTimestamp ? active.length : Number(rs.spec?.replicas ?? 1);
  const diff = want - active.length;
  if (diff > 0) {
    const t = rs.spec?.template ?? {};
    for (let i = 0; i < Math.min(diff, BURST); i++) {
      const pod = {
        metadata: {
          generateName: `${rs.metadata.name}-`,
          namespace: ns,
          labels: clone(t.metadata?.labels ?? {}),
          ...(t.metadata?.annotations ? { annotations: clone(t.metadata.annotations) } : {}),
          ownerReferences: [{ ...ownerRef(rs), apiVersion: f.apiVersion, kind: f.kind }],
        },
        spec: clone(t.spec ?? {}),
      };
      try {
        const r = await ctx.registry.create(podS, ns, pod, { fieldManager: MANAGER, internal: true });
        ctx.event(rs, { type: "Normal", reason: "SuccessfulCreate", message: `Created pod: ${r.obj.metadata.name}`, component: f.component });
      } catch (err) {
        const msg = err instanceof StatusError ? err.message : String(err);
        ctx.event(rs, { type: "Warning", reason: "FailedCreate", message: `Error creating: ${msg}`, component: f.component });
        break;
      }
    }
    if (diff > BURST) ctx.enqueue(`rs:${key}`, () => reconcileReplicaSet(ctx, key, f));
  } else if (diff < 0) {
    const victims = [...active].sort((a, b) => cmp(deletionRank(a), deletionRank(b))).slice(0, -diff);
    for (const p of victims) {
      try {
        await ctx.registry.delete(podS, ns, p.metadata.name, {});
        ctx.event(rs, { type: "Normal", reason: "SuccessfulDelete", message: `Deleted pod: ${p.metadata.name}`, component: f.component });
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      }
    }
  }
  await updateStatus(ctx, key, f);
}

async function updateStatus(ctx: SimContext, key: string, f: Flavor): Promise<void> {
  const c = ctx.cache.get(key);
  if (!c) return;
  const rs = c.value;
  const owned = ctx.cache.dependents(rs.metadata.uid, "core/pods").map((p) => p.value).filter((p) => controllerRef(p)?.uid === rs.metadata.uid && isPodActive(p));
  const minReady = Number(rs.spec?.minReadySeconds ?? 0);
  const labelsMatch = owned.filter((p) => selectorMatches(f.selector(rs), p.metadata?.labels) && sameLabels(rs.spec?.template?.metadata?.labels, p.metadata?.labels)).length;
  const status: Obj = {
    replicas: owned.length,
    fullyLabeledReplicas: labelsMatch,
    readyReplicas: owned.filter(isPodReady).length,
    availableReplicas: owned.filter((p) => isPodAvailable(p, minReady)).length,
    observedGeneration: rs.metadata.generation,
  };
  for (const k of ["fullyLabeledReplicas", "readyReplicas", "availableReplicas"]) if (status[k] === 0) delete status[k];
  if (minReady && owned.some((p) => isPodReady(p) && !isPodAvailable(p, minReady))) {
    ctx.enqueue(`rs:${key}`, () => reconcileReplicaSet(ctx, key, f), minReady * 1000);
  }
  await ctx.registry.mutate(f.strategy, c.namespace, c.name, (o) => (o.status = { ...status, ...(o.status?.conditions ? { conditions: o.status.conditions } : {}) }), { fieldManager: MANAGER, internal: true, subresource: "status" });
}

function sameLabels(want: Record<string, string> | undefined, have: Record<string, string> | undefined): boolean {
  return Object.entries(want ?? {}).every(([k, v]) => have?.[k] === v);
}

function controllerFor(f: Flavor, name: string): Controller {
  return {
    name,
    watches: [f.storage, "core/pods"],
    onChange(ctx, ch) {
      if (ch.storage === f.storage) {
        if (ch.type === "put") ctx.enqueue(`rs:${ch.key}`, () => reconcileReplicaSet(ctx, ch.key, f), ctx.latency.delay("kube.controller"));
        return;
      }
      for (const v of [ch.value, ch.prev]) {
        const ref = v && controllerRef(v);
        if (ref?.kind !== f.kind) continue;
        const owner = ctx.cache.byUidKey(ref.uid);
        if (owner) ctx.enqueue(`rs:${owner.key}`, () => reconcileReplicaSet(ctx, owner.key, f), ctx.latency.delay("kube.controller"));
      }
    },
  };
}

export const replicaSetController: Controller = controllerFor(RS, "replicaset");
export const replicationController: Controller = controllerFor(RC, "replicationcontroller");
