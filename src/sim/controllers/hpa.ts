// HorizontalPodAutoscaler controller (kube-controller-manager's podautoscaler): every sync period
// of the emulated clock, read the target's scale, compute the desired replicas from the simulated
// resource metrics (the same numbers metrics.k8s.io serves), normalize them (min/max, rate limits,
// stabilization), write the target's spec.replicas and the HPA's status, conditions and events.
// Resource and ContainerResource metrics are computed; Pods/Object/External need a custom or
// external metrics API, which an AKS cluster does not have until an adapter is installed.
import { StatusError } from "../../kube/errors.js";
import { podUsageMilli } from "../../kube/metrics.js";
import { METRICS_WINDOW_SECONDS } from "../../kube/metrics.js";
import { parseQuantity } from "../../kube/quantity.js";
import { containerUsage } from "../../kube/run-profile.js";
import { fromStructured, matchLabels, type LabelSelector } from "../../kube/selectors.js";
import { clone, isObj, nowTime, type Obj } from "../../kube/util.js";
import { normalizeDesiredReplicas, normalizeWithBehaviors, ReplicaCalcError, resourceReplicas, storeScaleEvent, SYNC_PERIOD_MS, type HpaMemory, type PodMetric, type PodSample } from "../replica-calculator.js";
import type { Controller, SimContext } from "../types.js";
import { MANAGER } from "./util.js";

const STORAGE = "autoscaling/horizontalpodautoscalers";
const COMPONENT = "horizontal-pod-autoscaler";

/** In-memory recommendations and scale events per HPA uid (kube keeps them in memory as well). */
const memories = new WeakMap<SimContext, Map<string, HpaMemory>>();

function memoryOf(ctx: SimContext, uid: string): { mem: HpaMemory; fresh: boolean } {
  let m = memories.get(ctx);
  if (!m) memories.set(ctx, (m = new Map()));
  let mem = m.get(uid);
  const fresh = !mem;
  if (!mem) m.set(uid, (mem = { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] }));
  return { mem, fresh };
}

function setCondition(conds: Obj[], type: string, status: string, reason: string, message: string): Obj[] {
  const out = conds.map((c) => ({ ...c }));
  let c = out.find((x) => x.type === type);
  if (!c) out.push((c = { type }));
  if (c.status !== status) c.lastTransitionTime = nowTime();
  c.status = status;
  c.reason = reason;
  c.message = message;
  // Go orders the fields type, status, lastTransitionTime, reason, message.
  return out.map((x) => ({ type: x.type, status: x.status, lastTransitionTime: x.lastTransitionTime, reason: x.reason, message: x.message }));
}

/** A metric that could not be computed: the full error, the raw one its event carries, the ScalingActive condition. */
class ComputeError extends Error {
  constructor(message: string, readonly raw: string, readonly reason: string) {
    super(message);
  }
  get conditionMessage(): string {
    return `the HPA was unable to compute the replica count: ${this.raw}`;
  }
}

function parseGroup(apiVersion: unknown): string {
  const v = typeof apiVersion === "string" ? apiVersion : "";
  const parts = v.split("/");
  if (parts.length > 2) throw new Error(`unexpected GroupVersion string: ${v}`);
  return parts.length === 2 ? parts[0]! : "";
}

function selectorOf(target: Obj): LabelSelector | undefined {
  const sel = target.spec?.selector;
  if (!isObj(sel)) return undefined;
  // ReplicationControllers keep a plain map.
  if (!("matchLabels" in sel) && !("matchExpressions" in sel)) return fromStructured({ matchLabels: sel });
  return fromStructured(sel);
}

function podSample(ctx: SimContext, p: Obj, resource: string, container?: string): PodSample {
  const ready = ((p.status?.conditions ?? []) as Obj[]).find((c) => c.type === "Ready");
  const wall = (s: unknown) => ctx.clock.fromWall(Date.parse(String(s)));
  let request: number | undefined = 0;
  let missingRequestContainer: string | undefined;
  for (const c of (p.spec?.containers ?? []) as Obj[]) {
    if (container && c.name !== container) continue;
    const q = parseQuantity(c.resources?.requests?.[resource] ?? c.resources?.limits?.[resource]);
    if (q === undefined) {
      request = undefined;
      missingRequestContainer = c.name;
      break;
    }
    request! += Math.ceil(q * 1000 - 1e-9);
  }
  return {
    name: p.metadata.name,
    ignored: !!p.metadata.deletionTimestamp || p.status?.phase === "Failed",
    pending: p.status?.phase === "Pending" || !p.status?.phase,
    startTime: p.status?.startTime ? wall(p.status.startTime) : undefined,
    ready: ready ? { status: ready.status, transition: wall(ready.lastTransitionTime) } : undefined,
    request,
    missingRequestContainer,
  };
}

/** One Resource/ContainerResource metric: desired replicas and the metric status. */
function computeResource(ctx: SimContext, spec: Obj, pods: Obj[], currentReplicas: number, now: number): { replicas: number; status: Obj; name: string } {
  const container = spec.type === "ContainerResource";
  const src = (container ? spec.containerResource : spec.resource) ?? {};
  const resource = String(src.name ?? "");
  const reason = container ? "FailedGetContainerResourceMetric" : "FailedGetResourceMetric";
  const wrap = container ? `failed to get ${resource} container metric value` : `failed to get ${resource} resource metric value`;
  const fail = (err: string) => new ComputeError(`${wrap}: failed to get ${resource} utilization: ${err}`, err, reason);
  const metrics = new Map<string, PodMetric>();
  for (const p of pods) {
    let v: number | undefined;
    if (container) {
      const u = podUsageMilli(p, resource) !== undefined ? containerUsage(p).find((c) => c.name === src.container) : undefined;
      if (u) v = resource === "cpu" ? Math.ceil(Math.round(u.cpu * 1e9) / 1e6) : Math.round(u.memory / 1024) * 1024 * 1000;
    } else v = podUsageMilli(p, resource);
    if (v !== undefined) metrics.set(p.metadata.name, { value: v, timestamp: now, windowMs: METRICS_WINDOW_SECONDS * 1000 });
  }
  const t = src.target ?? {};
  const samples = pods.map((p) => podSample(ctx, p, resource, container ? src.container : undefined));
  if (t.averageValue !== undefined && t.averageValue !== null) {
    // Raw value target: usage per pod against the value (GetRawResourceReplicas).
    const target = Math.ceil((parseQuantity(t.averageValue) ?? 0) * 1000 - 1e-9);
    if (!metrics.size) throw fail(`unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`);
    const vals = [...metrics.values()].map((m) => m.value);
    const avg = Math.trunc(vals.reduce((a, b) => a + b, 0) / vals.length);
    const ratio = avg / target;
    const replicas = Math.abs(1 - ratio) <= 0.1 ? currentReplicas : Math.ceil(ratio * vals.length);
    const status = { type: spec.type, [container ? "containerResource" : "resource"]: { name: resource, ...(container ? { container: src.container } : {}), current: { averageValue: milliQuantity(avg) } } };
    return { replicas, status, name: `${resource} resource` };
  }
  if (t.averageUtilization === undefined || t.averageUtilization === null)
    throw new ComputeError(`${wrap}: invalid resource metric source: neither a utilization target nor a value target was set`, "invalid resource metric source: neither a utilization target nor a value target was set", reason);
  try {
    const r = resourceReplicas(currentReplicas, t.averageUtilization, resource, samples, metrics, now);
    const status = { type: spec.type, [container ? "containerResource" : "resource"]: { name: resource, ...(container ? { container: src.container } : {}), current: { averageValue: milliQuantity(r.rawAverage), averageUtilization: r.utilization } } };
    return { replicas: r.replicas, status, name: container ? `${resource} container resource utilization (percentage of request)` : `${resource} resource utilization (percentage of request)` };
  } catch (err) {
    if (err instanceof ReplicaCalcError) throw fail(err.message);
    throw err;
  }
}

/** resource.NewMilliQuantity(v, DecimalSI).String(). */
function milliQuantity(milli: number): string {
  if (milli === 0) return "0";
  if (milli % 1000 === 0) {
    let n = milli / 1000;
    for (const s of ["", "k", "M", "G", "T", "P", "E"]) {
      if (n % 1000 !== 0 || s === "E") return `${n}${s}`;
      n /= 1000;
    }
  }
  return `${milli}m`;
}

export async function reconcileHpa(ctx: SimContext, key: string): Promise<void> {
  const c = ctx.cache.get(key);
  if (!c || c.value.metadata.deletionTimestamp) {
    return;
  }
  const hpa = c.value;
  const ns = c.namespace!;
  const hpaS = ctx.registry.kinds.lookup("autoscaling", "v2", "horizontalpodautoscalers")!;
  const spec = hpa.spec ?? {};
  const original = clone(hpa.status ?? {});
  let conditions: Obj[] = clone((hpa.status?.conditions ?? []) as Obj[]);
  const now = ctx.clock.now();
  const { mem } = memoryOf(ctx, hpa.metadata.uid);
  const ref = spec.scaleTargetRef ?? {};
  const event = (type: "Normal" | "Warning", reason: string, message: string) => ctx.event(hpa, { type, reason, message, component: COMPONENT });
  const writeStatus = async (st: Obj) => {
    const next: Obj = {};
    if (st.currentReplicas) next.currentReplicas = st.currentReplicas;
    next.desiredReplicas = st.desiredReplicas ?? 0;
    if (st.lastScaleTime) next.lastScaleTime = st.lastScaleTime;
    next.currentMetrics = st.currentMetrics?.length ? st.currentMetrics : null;
    if (conditions.length) next.conditions = conditions;
    if (JSON.stringify(next) === JSON.stringify(original)) return;
    await ctx.registry.mutate(hpaS, ns, c.name, (o) => (o.status = next), { fieldManager: MANAGER, internal: true, subresource: "status" });
  };
  const schedule = () => ctx.at(`hpa:${key}`, () => reconcileHpa(ctx, key), ctx.clock.realDelay(now + SYNC_PERIOD_MS) + 1);
  schedule();

  // The target's scale.
  let targetS;
  let target: Obj | undefined;
  let scaleErr: string | undefined;
  try {
    const group = parseGroup(ref.apiVersion);
    targetS = ctx.registry.kinds.lookupKind(group, String(ref.kind ?? ""));
    if (!targetS) scaleErr = `no matches for kind "${ref.kind}" in group "${group}"`;
    else if (!targetS.info.subresources.includes("scale")) scaleErr = `${targetS.info.resource}${targetS.info.group ? `.${targetS.info.group}` : ""} "${ref.name}" not found`;
    else {
      target = ctx.registry.tryGet(targetS, ns, String(ref.name ?? ""));
      if (!target) scaleErr = `${targetS.info.resource}${targetS.info.group ? `.${targetS.info.group}` : ""} "${ref.name}" not found`;
    }
  } catch (err) {
    scaleErr = (err as Error).message;
  }
  if (scaleErr || !target || !targetS) {
    event("Warning", "FailedGetScale", scaleErr ?? "unrecognized resource");
    conditions = setCondition(conditions, "AbleToScale", "False", "FailedGetScale", `the HPA controller was unable to get the target's current scale: ${scaleErr}`);
    await writeStatus({ ...original });
    return;
  }
  conditions = setCondition(conditions, "AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale");
  const currentReplicas = Number(target.spec?.replicas ?? 0);
  if (!mem.recommendations.length) mem.recommendations.push({ replicas: currentReplicas, at: now });
  const minReplicas = spec.minReplicas ?? 1;
  const maxReplicas = Number(spec.maxReplicas ?? 0);
  let desired = 0;
  let rescaleReason = "";
  let rescale = true;
  let statuses: Obj[] = [];

  if (currentReplicas === 0 && minReplicas !== 0) {
    rescale = false;
    conditions = setCondition(conditions, "ScalingActive", "False", "ScalingDisabled", "scaling is disabled since the replica count of the target is zero");
  } else if (currentReplicas > maxReplicas) {
    rescaleReason = "Current number of replicas above Spec.MaxReplicas";
    desired = maxReplicas;
  } else if (currentReplicas < minReplicas) {
    rescaleReason = "Current number of replicas below Spec.MinReplicas";
    desired = minReplicas;
  } else {
    const selector = selectorOf(target);
    if (!selector || !selector.length) {
      event("Warning", "SelectorRequired", "selector is required");
      conditions = setCondition(conditions, "ScalingActive", "False", "InvalidSelector", "the HPA target's scale is missing a selector");
      event("Warning", "FailedComputeMetricsReplicas", "selector is required");
      await writeStatus({ ...original, currentReplicas });
      return;
    }
    const pods = ctx.cache.list("core/pods", ns).map((p) => p.value).filter((p) => matchLabels(selector, p.metadata?.labels));
    // computeReplicasForMetrics: the largest proposal wins; errors count as invalid metrics.
    let metricReplicas = 0;
    let metricName = "";
    let invalid = 0;
    let firstErr: ComputeError | undefined;
    const specs = (spec.metrics ?? []) as Obj[];
    statuses = specs.map(() => ({ type: "" }));
    specs.forEach((m, i) => {
      try {
        if (m.type !== "Resource" && m.type !== "ContainerResource") {
          const name = m[m.type === "Pods" ? "pods" : m.type === "Object" ? "object" : "external"]?.metric?.name ?? "";
          const what = m.type === "External" ? "external" : "custom";
          const reason = m.type === "Pods" ? "FailedGetPodsMetric" : m.type === "Object" ? "FailedGetObjectMetric" : "FailedGetExternalMetric";
          const err = `unable to get ${m.type === "External" ? "external " : ""}metric ${name}: unable to fetch metrics from ${what} metrics API: the server could not find the requested resource`;
          throw new ComputeError(`failed to get ${m.type.toLowerCase()} metric value: ${err}`, err, reason);
        }
        const r = computeResource(ctx, m, pods, currentReplicas, now);
        statuses[i] = r.status;
        if (metricReplicas === 0 || r.replicas > metricReplicas) {
          metricReplicas = r.replicas;
          metricName = r.name;
        }
      } catch (err) {
        if (!(err instanceof ComputeError)) throw err;
        event("Warning", err.reason, err.raw);
        invalid++;
        firstErr ??= err;
      }
    });
    if (invalid >= specs.length || (invalid > 0 && metricReplicas < currentReplicas)) {
      conditions = setCondition(conditions, "ScalingActive", "False", firstErr!.reason, firstErr!.conditionMessage);
      event("Warning", "FailedComputeMetricsReplicas", `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstErr!.message}`);
      await writeStatus({ ...original, currentReplicas, currentMetrics: original.currentMetrics });
      return;
    }
    conditions = setCondition(conditions, "ScalingActive", "True", "ValidMetricFound", `the HPA was able to successfully calculate a replica count from ${metricName}`);
    desired = metricReplicas;
    if (desired > currentReplicas) rescaleReason = `${metricName} above target`;
    if (desired < currentReplicas) rescaleReason = "All metrics below target";
    const n = isObj(spec.behavior)
      ? normalizeWithBehaviors(mem, spec.behavior, currentReplicas, desired, minReplicas, maxReplicas, now)
      : normalizeDesiredReplicas(mem, currentReplicas, desired, minReplicas, maxReplicas, now);
    conditions = setCondition(conditions, "AbleToScale", "True", n.ableToScale.reason, n.ableToScale.message);
    conditions = setCondition(conditions, "ScalingLimited", n.limited.status, n.limited.reason, n.limited.message);
    desired = n.replicas;
    rescale = desired !== currentReplicas;
  }

  let lastScaleTime = original.lastScaleTime;
  if (rescale) {
    try {
      await ctx.registry.mutate(targetS, ns, target.metadata.name, (o) => (o.spec = { ...(o.spec ?? {}), replicas: desired }), { fieldManager: MANAGER, internal: true });
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      event("Warning", "FailedRescale", `New size: ${desired}; reason: ${rescaleReason}; error: ${msg}`);
      conditions = setCondition(conditions, "AbleToScale", "False", "FailedUpdateScale", `the HPA controller was unable to update the target scale: ${msg}`);
      await writeStatus({ ...original, currentReplicas });
      if (err instanceof StatusError) return;
      throw err;
    }
    conditions = setCondition(conditions, "AbleToScale", "True", "SucceededRescale", `the HPA controller was able to update the target scale to ${desired}`);
    event("Normal", "SuccessfulRescale", `New size: ${desired}; reason: ${rescaleReason}`);
    storeScaleEvent(mem, isObj(spec.behavior) ? spec.behavior : undefined, currentReplicas, desired, now);
    lastScaleTime = nowTime();
  } else desired = currentReplicas === 0 && minReplicas !== 0 ? 0 : currentReplicas;
  await writeStatus({ currentReplicas, desiredReplicas: desired, lastScaleTime, currentMetrics: statuses.filter((s) => s.type) });
}

export const hpaController: Controller = {
  name: "horizontal-pod-autoscaler",
  watches: [STORAGE],
  onChange(ctx, ch) {
    if (ch.type === "delete") {
      memories.get(ctx)?.delete(ch.value?.metadata?.uid);
      return;
    }
    // Spec changes (and new HPAs) sync now; status-only writes wait for the next period.
    if (ch.prev && JSON.stringify(ch.prev.spec) === JSON.stringify(ch.value.spec)) return;
    ctx.enqueue(`hpa:${ch.key}`, () => reconcileHpa(ctx, ch.key), ctx.latency.delay("kube.controller"));
  },
};
