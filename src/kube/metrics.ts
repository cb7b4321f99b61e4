// metrics.k8s.io/v1beta1 objects as metrics-server writes them (PodMetrics, NodeMetrics),
// computed from the simulated usage of run-profile.ts. Pure: the caller hands in the objects.
// Values follow metrics-server: CPU in the canonical form of nanocores, memory as bytes (whole
// KiB, the unit the kubelet's working set comes in), one 15 s window, pods only while Running.
import { parseQuantity } from "./quantity.js";
import { containerUsage, RUN } from "./run-profile.js";
import { nowTime, type Obj } from "./util.js";

/** metrics-server's --metric-resolution default: the window every sample covers. */
export const METRICS_WINDOW_SECONDS = 15;

export const METRICS_API_VERSION = "metrics.k8s.io/v1beta1";

/** A CPU amount in cores as resource.NewScaledQuantity(nanocores, -9).String() prints it. */
export function cpuQuantity(cores: number): string {
  const n = Math.max(0, Math.round(cores * 1e9));
  if (n === 0) return "0";
  for (const [div, suffix] of [[1e9, ""], [1e6, "m"], [1e3, "u"]] as const) if (n % div === 0) return `${n / div}${suffix}`;
  return `${n}n`;
}

/** A byte count rounded to whole KiB, as a BinarySI quantity prints it ("25048Ki", "32Mi"). */
export function memoryQuantity(bytes: number): string {
  const n = Math.max(0, Math.round(bytes / 1024)) * 1024;
  if (n === 0) return "0";
  for (const [div, suffix] of [[2 ** 50, "Pi"], [2 ** 40, "Ti"], [2 ** 30, "Gi"], [2 ** 20, "Mi"], [2 ** 10, "Ki"]] as const)
    if (n % div === 0) return `${n / div}${suffix}`;
  return String(n);
}

/** Pods metrics-server reports: scheduled and Running. */
export function hasMetrics(pod: Obj): boolean {
  return pod.status?.phase === "Running" && !!pod.spec?.nodeName;
}

function window(): string {
  return `${METRICS_WINDOW_SECONDS}s`;
}

export function podMetrics(pod: Obj, now = Date.now()): Obj | undefined {
  if (!hasMetrics(pod)) return undefined;
  const md: Obj = { name: pod.metadata.name, namespace: pod.metadata.namespace, creationTimestamp: nowTime(now) };
  if (pod.metadata.labels) md.labels = pod.metadata.labels;
  return {
    kind: "PodMetrics",
    apiVersion: METRICS_API_VERSION,
    metadata: md,
    timestamp: nowTime(now),
    window: window(),
    containers: containerUsage(pod).map((c) => ({ name: c.name, usage: { cpu: cpuQuantity(c.cpu), memory: memoryQuantity(c.memory) } })),
  };
}

/** Node usage: its Running pods plus what the node's own `aksemu.io/cpu` / `aksemu.io/memory` annotations say runs outside pods. */
export function nodeUsage(node: Obj, pods: Obj[]): { cpu: number; memory: number } {
  const ann = (node.metadata?.annotations ?? {}) as Record<string, string>;
  const own = (v: string | undefined) => {
    const n = parseQuantity(v);
    return n !== undefined && n >= 0 ? n : 0;
  };
  let cpu = own(ann[RUN.cpu]);
  let memory = own(ann[RUN.memory]);
  for (const p of pods) {
    if (!hasMetrics(p) || p.spec.nodeName !== node.metadata?.name) continue;
    for (const c of containerUsage(p)) {
      cpu += c.cpu;
      memory += c.memory;
    }
  }
  return { cpu, memory };
}

export function nodeReady(node: Obj): boolean {
  return ((node.status?.conditions ?? []) as Obj[]).some((c) => c?.type === "Ready" && c.status === "True");
}

/** NodeMetrics for a Ready node (metrics-server has nothing for a node its kubelet does not answer for). */
export function nodeMetrics(node: Obj, pods: Obj[], now = Date.now()): Obj | undefined {
  if (!nodeReady(node)) return undefined;
  const u = nodeUsage(node, pods);
  const md: Obj = { name: node.metadata.name, creationTimestamp: nowTime(now) };
  if (node.metadata.labels) md.labels = node.metadata.labels;
  return { kind: "NodeMetrics", apiVersion: METRICS_API_VERSION, metadata: md, timestamp: nowTime(now), window: window(), usage: { cpu: cpuQuantity(u.cpu), memory: memoryQuantity(u.memory) } };
}

/** A pod's summed usage in milli-units of the resource (what the HPA's metrics client reads); undefined without metrics. */
export function podUsageMilli(pod: Obj, resource: string): number | undefined {
  if (!hasMetrics(pod)) return undefined;
  if (resource !== "cpu" && resource !== "memory") return undefined;
  let total = 0;
  for (const c of containerUsage(pod)) {
    // Quantities as printed above, read back with MilliValue (rounded up).
    total += resource === "cpu" ? Math.ceil(Math.round(c.cpu * 1e9) / 1e6) : Math.round(c.memory / 1024) * 1024 * 1000;
  }
  return total;
}
