// clusterrole-aggregation-controller: a ClusterRole with an aggregationRule gets the union of
// the rules of every ClusterRole its selectors match (user-supplied rules are overwritten).
import { strategyFor } from "../../kube/catalog.js";
import { fromStructured, matchLabels } from "../../kube/selectors.js";
import { deepEqual, type Obj } from "../../kube/util.js";
import type { Controller, SimContext } from "../types.js";

const crS = strategyFor("clusterroles", "rbac.authorization.k8s.io");
const STORAGE = "rbac.authorization.k8s.io/clusterroles";

async function reconcile(ctx: SimContext, name: string): Promise<void> {
  const role = ctx.cache.getObj(STORAGE, undefined, name);
  const selectors = (role?.aggregationRule?.clusterRoleSelectors ?? []) as Obj[];
  if (!role || !selectors.length) return;
  const rules: Obj[] = [];
  const seen = new Set<string>();
  const sources = ctx.cache.list(STORAGE).map((c) => c.value).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  for (const other of sources) {
    if (other.metadata.name === name) continue;
    if (!selectors.some((sel) => matchLabels(fromStructured(sel) ?? [], other.metadata.labels))) continue;
    for (const r of (other.rules ?? []) as Obj[]) {
      const k = JSON.stringify(r);
      if (!seen.has(k)) {
        seen.add(k);
        rules.push(r);
      }
    }
  }
  if (deepEqual(role.rules ?? [], rules)) return;
  await ctx.registry.mutate(crS, undefined, name, (o) => (o.rules = rules), { fieldManager: "clusterrole-aggregation-controller", internal: true });
}

export const clusterRoleAggregationController: Controller = {
  name: "clusterrole-aggregation",
  watches: [STORAGE],
  onChange(ctx) {
    // Any ClusterRole change may alter any aggregate: re-evaluate the aggregated ones.
    for (const c of ctx.cache.list(STORAGE)) if (c.value.aggregationRule) ctx.enqueue(`aggregate:${c.name}`, () => reconcile(ctx, c.name), 0);
  },
  resync(ctx) {
    for (const c of ctx.cache.list(STORAGE)) if (c.value.aggregationRule) ctx.enqueue(`aggregate:${c.name}`, () => reconcile(ctx, c.name), 0);
  },
};
