// PodDisruptionBudget arithmetic (k/k pkg/controller/disruption) and the eviction subresource
// (k/k pkg/registry/core/pod/storage/eviction.go): an eviction that would leave fewer healthy
// pods than the budget demands is refused with 429, as `kubectl drain` then reports and retries.
import { strategyFor } from "../catalog.js";
import { errors, StatusError } from "../errors.js";
import { fromStructured, matchLabels } from "../selectors.js";
import type { Registry } from "../registry.js";
import { isObj, type Obj } from "../util.js";

const pdbS = strategyFor("poddisruptionbudgets", "policy");
const podS = strategyFor("pods");

export function podHealthy(p: Obj): boolean {
  if (p.metadata?.deletionTimestamp) return false;
  return ((p.status?.conditions ?? []) as Obj[]).some((c) => c.type === "Ready" && c.status === "True");
}

function scaled(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === "number") return v;
  const pct = Number(String(v).replace("%", ""));
  const x = (pct * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export interface Budget {
  expectedPods: number;
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
}

export function pdbPods(reg: Registry, pdb: Obj): Obj[] {
  if (!isObj(pdb.spec?.selector)) return [];
  const sel = fromStructured(pdb.spec.selector) ?? [];
  return reg.list(podS, pdb.metadata.namespace).items.filter((p) => matchLabels(sel, p.metadata?.labels));
}

export function computeBudget(pdb: Obj, pods: Obj[]): Budget {
  const active = pods.filter((p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
  const expectedPods = active.length;
  const currentHealthy = active.filter(podHealthy).length;
  let desiredHealthy = 0;
  if (pdb.spec?.minAvailable !== undefined) desiredHealthy = scaled(pdb.spec.minAvailable, expectedPods, true);
  else if (pdb.spec?.maxUnavailable !== undefined) desiredHealthy = Math.max(0, expectedPods - scaled(pdb.spec.maxUnavailable, expectedPods, true));
  return { expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy) };
}

/** POST pods/{name}/eviction. */
export async function evict(reg: Registry, ns: string, name: string, deleteOptions: Obj | undefined): Promise<void> {
  const pod = reg.get(podS, ns, name);
  const del = () => reg.delete(podS, ns, name, isObj(deleteOptions) ? { gracePeriodSeconds: deleteOptions.gracePeriodSeconds, dryRun: Array.isArray(deleteOptions.dryRun) && deleteOptions.dryRun.length > 0 } : {});
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed" || phase === "Pending" || pod.metadata.deletionTimestamp) {
    await del();
    return;
  }
  const pdbs = reg.list(pdbS, ns).items.filter((b) => isObj(b.spec?.selector) && matchLabels(fromStructured(b.spec.selector) ?? [], pod.metadata?.labels));
  if (pdbs.length > 1) throw errors.internal("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
  if (pdbs.length === 1) {
    const pdb = pdbs[0]!;
    const b = computeBudget(pdb, pdbPods(reg, pdb));
    const healthy = podHealthy(pod);
    const unhealthyOk = !healthy && (pdb.spec?.unhealthyPodEvictionPolicy === "AlwaysAllow" || (b.currentHealthy >= b.desiredHealthy && b.desiredHealthy > 0));
    if (!unhealthyOk && b.disruptionsAllowed <= 0) {
      throw new StatusError(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.", {
        causes: [{ reason: "DisruptionBudget", message: `The disruption budget ${pdb.metadata.name} needs ${b.desiredHealthy} healthy pods and has ${b.currentHealthy} currently` }],
      });
    }
  }
  await del();
}
