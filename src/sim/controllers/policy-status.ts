// Status writers for policy objects: the disruption controller (PodDisruptionBudget status from
// the pods it selects) and the resource quota controller (status.hard/used of each quota).
import { computeBudget, pdbPods } from "../../kube/admission/disruption.js";
import { quotaUsed } from "../../kube/admission/quota.js";
import { strategyFor } from "../../kube/catalog.js";
import { deepEqual, nowTime, type Obj } from "../../kube/util.js";
import type { Controller, SimContext } from "../types.js";

const pdbS = strategyFor("poddisruptionbudgets", "policy");
const quotaS = strategyFor("resourcequotas");
const PDBS = "policy/poddisruptionbudgets";
const QUOTAS = "core/resourcequotas";

async function syncPdb(ctx: SimContext, ns: string, name: string): Promise<void> {
  const pdb = ctx.registry.tryGet(pdbS, ns, name);
  if (!pdb) return;
  const b = computeBudget(pdb, pdbPods(ctx.registry, pdb));
  const old = pdb.status ?? {};
  const allowed = b.disruptionsAllowed > 0;
  const prevCond = ((old.conditions ?? []) as Obj[]).find((c) => c.type === "DisruptionAllowed");
  const cond = { type: "DisruptionAllowed", status: allowed ? "True" : "False", reason: allowed ? "SufficientPods" : "InsufficientPods", message: "", observedGeneration: pdb.metadata.generation };
  const status: Obj = {
    observedGeneration: pdb.metadata.generation,
    disruptionsAllowed: b.disruptionsAllowed,
    currentHealthy: b.currentHealthy,
    desiredHealthy: b.desiredHealthy,
    expectedPods: b.expectedPods,
    conditions: [{ ...cond, lastTransitionTime: prevCond && prevCond.status === cond.status ? prevCond.lastTransitionTime : nowTime() }],
  };
  if (deepEqual(old, status)) return;
  await ctx.registry.mutate(pdbS, ns, name, (o) => (o.status = status), { fieldManager: "kube-controller-manager", internal: true, subresource: "status" });
}

async function syncQuota(ctx: SimContext, ns: string, name: string): Promise<void> {
  const q = ctx.registry.tryGet(quotaS, ns, name);
  if (!q) return;
  const status = { hard: { ...(q.spec?.hard ?? {}) }, used: quotaUsed(ctx.registry, q) };
  if (deepEqual(q.status ?? {}, status)) return;
  await ctx.registry.mutate(quotaS, ns, name, (o) => (o.status = status), { fieldManager: "kube-controller-manager", internal: true, subresource: "status" });
}

function enqueueNamespace(ctx: SimContext, ns: string): void {
  for (const c of ctx.cache.list(PDBS, ns)) ctx.enqueue(`pdb:${ns}/${c.name}`, () => syncPdb(ctx, ns, c.name), 0);
  for (const c of ctx.cache.list(QUOTAS, ns)) ctx.enqueue(`quota:${ns}/${c.name}`, () => syncQuota(ctx, ns, c.name), 0);
}

export const policyStatusController: Controller = {
  name: "policy-status",
  watches: ["*"],
  onChange(ctx, ch) {
    const p = ctx.cache.parse(ch.key);
    if (!p?.namespace) return;
    // Any namespaced change may move quota usage; pods move budgets. Status writes of the
    // objects themselves are no-ops the second time round (deepEqual above).
    if (ch.storage === PDBS || ch.storage === QUOTAS || ch.storage === "core/pods" || ctx.cache.list(QUOTAS, p.namespace).length) enqueueNamespace(ctx, p.namespace);
  },
  resync(ctx) {
    for (const c of [...ctx.cache.list(PDBS), ...ctx.cache.list(QUOTAS)]) if (c.namespace) enqueueNamespace(ctx, c.namespace);
  },
};
