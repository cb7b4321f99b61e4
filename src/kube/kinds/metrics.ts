// metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics: what AKS's metrics-server add-on serves
// through the aggregator (APIService v1beta1.metrics.k8s.io → kube-system/metrics-server).
// Nothing is stored: every get/list is computed from the pods and nodes (src/kube/metrics.ts).
import { errors } from "../errors.js";
import { cpuQuantity, memoryQuantity, nodeMetrics, podMetrics } from "../metrics.js";
import { parseQuantity } from "../quantity.js";
import type { Registry } from "../registry.js";
import type { Strategy, TableColumn } from "../types.js";
import type { Obj } from "../util.js";
import { infoFor } from "./info.js";

const info = infoFor("metrics.k8s.io", "v1beta1");

/** metrics-server's table: Name, one quantity column per resource (sorted), Window. */
const columns: TableColumn[] = [
  { name: "Name", type: "string", format: "name", description: "Name of the resource", cell: (o) => o.metadata?.name ?? "" },
  { name: "cpu", type: "string", format: "quantity", description: "", cell: (o) => sum(o, "cpu") },
  { name: "memory", type: "string", format: "quantity", description: "", cell: (o) => sum(o, "memory") },
  { name: "Window", type: "string", format: "duration", description: "", cell: (o) => o.window ?? "" },
];

function sum(o: Obj, r: "cpu" | "memory"): string {
  if (o.usage) return String(o.usage[r] ?? "0");
  // A pod's row adds up its containers, as metrics-server's table does.
  const total = ((o.containers ?? []) as Obj[]).reduce((n, c) => n + (parseQuantity(c.usage?.[r]) ?? 0), 0);
  return r === "cpu" ? cpuQuantity(total) : memoryQuantity(total);
}

const byNsName = (a: Obj, b: Obj) =>
  String(a.metadata?.namespace ?? "").localeCompare(String(b.metadata?.namespace ?? "")) || String(a.metadata?.name).localeCompare(String(b.metadata?.name));

function pods(reg: Registry, ns?: string): Obj[] {
  return reg.list(reg.kinds.lookup("", "v1", "pods")!, ns).items;
}

export const podmetrics: Strategy = {
  info: info("pods", "PodMetrics", true, { singular: "", verbs: ["get", "list"] }),
  columns,
  view(reg, ns, name) {
    const now = Date.now();
    if (name === undefined) return pods(reg, ns).sort(byNsName).flatMap((p) => podMetrics(p, now) ?? []);
    const pod = reg.tryGet(reg.kinds.lookup("", "v1", "pods")!, ns, name);
    if (!pod) throw errors.notFound("pods", "", name);
    const m = podMetrics(pod, now);
    if (!m) throw errors.notFound("podmetrics", "metrics.k8s.io", `${ns}/${name}`);
    return [m];
  },
};

export const nodemetrics: Strategy = {
  info: info("nodes", "NodeMetrics", false, { singular: "", verbs: ["get", "list"] }),
  columns,
  view(reg, _ns, name) {
    const now = Date.now();
    const nodeS = reg.kinds.lookup("", "v1", "nodes")!;
    const all = pods(reg);
    if (name === undefined) return reg.list(nodeS, undefined).items.flatMap((n) => nodeMetrics(n, all, now) ?? []);
    const node = reg.tryGet(nodeS, undefined, name);
    if (!node) throw errors.notFound("nodes", "", name);
    const m = nodeMetrics(node, all, now);
    if (!m) throw errors.notFound("nodemetrics", "metrics.k8s.io", name);
    return [m];
  },
};

export const metricsKinds: Strategy[] = [nodemetrics, podmetrics];
