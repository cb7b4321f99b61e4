// Helpers shared by the simulated controllers (kube-controller-manager's controller utils).
import { fromStructured, matchLabels } from "../../kube/selectors.js";
import type { Obj } from "../../kube/util.js";

export const MANAGER = "kube-controller-manager";

export function controllerRef(o: Obj): Obj | undefined {
  return ((o.metadata?.ownerReferences ?? []) as Obj[]).find((r) => r.controller === true);
}

export function ownerRef(owner: Obj): Obj {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

export function isPodActive(p: Obj): boolean {
  return !p.metadata?.deletionTimestamp && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed";
}

export function isPodReady(p: Obj): boolean {
  return ((p.status?.conditions ?? []) as Obj[]).some((c) => c.type === "Ready" && c.status === "True");
}

export function isPodAvailable(p: Obj, minReadySeconds: number, now = Date.now()): boolean {
  if (!isPodReady(p)) return false;
  if (!minReadySeconds) return true;
  const c = ((p.status?.conditions ?? []) as Obj[]).find((x) => x.type === "Ready");
  const t = Date.parse(c?.lastTransitionTime ?? "");
  return !Number.isNaN(t) && t + minReadySeconds * 1000 <= now;
}

export function nodeReady(n: Obj): boolean {
  return ((n.status?.conditions ?? []) as Obj[]).some((c) => c.type === "Ready" && c.status === "True");
}

function matchNodeSelectorTerm(term: Obj, node: Obj): boolean {
  for (const e of (term.matchExpressions ?? []) as Obj[]) {
    const v = node.metadata?.labels?.[e.key];
    if (!matchExpr(e, v)) return false;
  }
  for (const e of (term.matchFields ?? []) as Obj[]) {
    const v = e.key === "metadata.name" ? node.metadata?.name : undefined;
    if (!matchExpr(e, v)) return false;
  }
  return true;
}

function matchExpr(e: Obj, v: string | undefined): boolean {
  const vals = (e.values ?? []) as string[];
  switch (e.operator) {
    case "In":
      return v !== undefined && vals.includes(v);
    case "NotIn":
      return v === undefined || !vals.includes(v);
    case "Exists":
      return v !== undefined;
    case "DoesNotExist":
      return v === undefined;
    case "Gt":
      return v !== undefined && Number(v) > Number(vals[0]);
    case "Lt":
      return v !== undefined && Number(v) < Number(vals[0]);
    default:
      return false;
  }
}

function tolerates(tolerations: Obj[], taint: Obj): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === "Exists") return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
  });
}

/** Hard scheduling predicates: nodeSelector, required node affinity, taints. */
export function podFitsNode(spec: Obj, node: Obj): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries((spec.nodeSelector ?? {}) as Record<string, string>)) if (labels[k] !== v) return false;
  const req = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (req?.nodeSelectorTerms?.length && !(req.nodeSelectorTerms as Obj[]).some((t) => matchNodeSelectorTerm(t, node))) return false;
  const taints = ((node.spec?.taints ?? []) as Obj[]).filter((t) => t.effect === "NoSchedule" || t.effect === "NoExecute");
  for (const t of taints) if (!tolerates((spec.tolerations ?? []) as Obj[], t)) return false;
  return true;
}

export function preferredScore(spec: Obj, node: Obj): number {
  let score = 0;
  for (const p of (spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) as Obj[]) {
    if (p.preference && matchNodeSelectorTerm(p.preference, node)) score += Number(p.weight ?? 1);
  }
  return score;
}

export function selectorMatches(selector: Obj | undefined, labels: Record<string, string> | undefined): boolean {
  const s = fromStructured(selector);
  return !!s && s.length > 0 && matchLabels(s, labels);
}

/** Replace a condition of type c.type; keep lastTransitionTime when the status did not change. */
export function setCondition(conds: Obj[], c: Obj, now: string): Obj[] {
  const out = conds.filter((x) => x.type !== c.type);
  const old = conds.find((x) => x.type === c.type);
  const same = old && old.status === c.status;
  const sameText = same && old.reason === c.reason && old.message === c.message;
  out.push({
    ...c,
    lastUpdateTime: sameText ? (old.lastUpdateTime ?? now) : now,
    lastTransitionTime: same ? (old.lastTransitionTime ?? now) : now,
  });
  const order = ["Available", "Progressing", "ReplicaFailure"];
  return out.sort((a, b) => (order.indexOf(a.type) + 10) % 10 - (order.indexOf(b.type) + 10) % 10);
}
