// kube-scheduler, reduced: binds pending pods to Ready nodes that pass the hard predicates,
// preferring node-affinity matches and spreading round-robin.
import { strategyFor } from "../../kube/catalog.js";
import { bindPod } from "../../kube/subresources.js";
import { nowTime, type Obj } from "../../kube/util.js";
import type { Controller, SimContext } from "../types.js";
import { nodeReady, podFitsNode, preferredScore } from "./util.js";

const pods = strategyFor("pods");
let rr = 0;

function pending(o: Obj): boolean {
  return !o.spec?.nodeName && !o.metadata?.deletionTimestamp && (o.spec?.schedulerName ?? "default-scheduler") === "default-scheduler";
}

async function schedule(ctx: SimContext, key: string): Promise<void> {
  const c = ctx.cache.get(key);
  if (!c || !pending(c.value)) return;
  const pod = c.value;
  const nodes = ctx.cache.list("core/nodes").map((n) => n.value);
  const ready = nodes.filter((n) => nodeReady(n) && !n.spec?.unschedulable && !n.metadata?.deletionTimestamp);
  const fit = ready.filter((n) => podFitsNode(pod.spec ?? {}, n));
  if (!fit.length) {
    const msg = `0/${nodes.length} nodes are available: ${nodes.length - ready.length ? `${nodes.length - ready.length} node(s) were not ready, ` : ""}${ready.length - fit.length} node(s) didn't match Pod's node affinity/selector. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`;
    const conds = (pod.status?.conditions ?? []) as Obj[];
    if (!conds.some((x) => x.type === "PodScheduled" && x.status === "False" && x.message === msg)) {
      await ctx.registry.mutate(pods, c.namespace, c.name, (o) => {
        o.status = { ...(o.status ?? {}), phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", lastProbeTime: null, lastTransitionTime: nowTime(), reason: "Unschedulable", message: msg }] };
      }, { fieldManager: "kube-scheduler", internal: true, subresource: "status" });
      ctx.event(pod, { type: "Warning", reason: "FailedScheduling", message: msg, component: "default-scheduler" });
    }
    return;
  }
  const best = Math.max(...fit.map((n) => preferredScore(pod.spec ?? {}, n)));
  const top = fit.filter((n) => preferredScore(pod.spec ?? {}, n) === best).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  // Least-loaded first, round-robin among equals.
  const load = (n: Obj) => ctx.cache.podsOnNode(n.metadata.name).filter((p) => !p.value.metadata?.deletionTimestamp).length;
  const minLoad = Math.min(...top.map(load));
  const least = top.filter((n) => load(n) === minLoad);
  const node = least[rr++ % least.length]!;
  await bindPod(ctx.registry, pods, c.namespace!, c.name, node.metadata.name, "kube-scheduler");
  ctx.event(pod, { type: "Normal", reason: "Scheduled", message: `Successfully assigned ${c.namespace}/${c.name} to ${node.metadata.name}`, component: "default-scheduler" });
}

export const scheduler: Controller = {
  name: "scheduler",
  watches: ["core/pods", "core/nodes"],
  onChange(ctx, ch) {
    if (ch.storage === "core/pods") {
      if (ch.type === "put" && pending(ch.value)) ctx.enqueue(`sched:${ch.key}`, () => schedule(ctx, ch.key), ctx.latency.delay("kube.pod.schedule"));
      return;
    }
    // A node changed: retry every pending pod.
    for (const p of ctx.cache.list("core/pods")) if (pending(p.value)) ctx.enqueue(`sched:${p.key}`, () => schedule(ctx, p.key));
  },
};
