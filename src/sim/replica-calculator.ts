// The HPA's arithmetic, as kube-controller-manager's podautoscaler does it (replica_calculator.go
// and the normalization in horizontal.go): utilization ratio with a 0.1 tolerance, unready and
// missing pods, min/max, the scale-up limit, stabilization windows and behavior policies. Pure:
// times are emulated milliseconds handed in by the controller, state is the caller's object.
import type { Obj } from "../kube/util.js";

export const TOLERANCE = 0.1;
/** --horizontal-pod-autoscaler-cpu-initialization-period and --…-initial-readiness-delay defaults. */
export const CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
export const INITIAL_READINESS_DELAY_MS = 30_000;
/** --horizontal-pod-autoscaler-downscale-stabilization default. */
export const DOWNSCALE_STABILIZATION_MS = 5 * 60_000;
/** --horizontal-pod-autoscaler-sync-period default. */
export const SYNC_PERIOD_MS = 15_000;

export interface PodSample {
  name: string;
  /** Deleted or Failed pods are ignored. */
  ignored: boolean;
  pending: boolean;
  /** Emulated ms; undefined when the pod has not started. */
  startTime?: number;
  /** The Ready condition: status and emulated transition time; undefined when absent. */
  ready?: { status: string; transition: number };
  /** Sum of the container requests for the resource, milli-units; undefined when a container has none. */
  request?: number;
  /** The container missing a request (for the error text). */
  missingRequestContainer?: string;
}

export interface PodMetric {
  /** Milli-units. */
  value: number;
  timestamp: number;
  windowMs: number;
}

export interface ResourceReplicas {
  replicas: number;
  utilization: number;
  rawAverage: number;
}

export class ReplicaCalcError extends Error {}

/** metricsclient.GetResourceUtilizationRatio. */
export function utilizationRatio(metrics: Map<string, number>, requests: Map<string, number>, target: number): { ratio: number; utilization: number; rawAverage: number } {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let n = 0;
  for (const [pod, v] of metrics) {
    const r = requests.get(pod);
    if (r === undefined) continue;
    metricsTotal += v;
    requestsTotal += r;
    n++;
  }
  if (requestsTotal === 0) throw new ReplicaCalcError("no metrics returned matched known pods");
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / target, utilization, rawAverage: Math.trunc(metricsTotal / n) };
}

/** ReplicaCalculator.GetResourceReplicas for a Utilization target. */
export function resourceReplicas(currentReplicas: number, target: number, resource: string, pods: PodSample[], metricsIn: Map<string, PodMetric>, now: number): ResourceReplicas {
  if (!metricsIn.size) throw new ReplicaCalcError(`unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`);
  if (!pods.length) throw new ReplicaCalcError("no pods returned by selector while calculating replica count");
  const metrics = new Map([...metricsIn].map(([k, v]) => [k, v.value]));
  let readyCount = 0;
  const unready = new Set<string>();
  const missing = new Set<string>();
  const ignored = new Set<string>();
  for (const p of pods) {
    if (p.ignored) {
      ignored.add(p.name);
      continue;
    }
    if (p.pending) {
      unready.add(p.name);
      continue;
    }
    const m = metricsIn.get(p.name);
    if (!m) {
      missing.add(p.name);
      continue;
    }
    if (resource === "cpu") {
      let isUnready: boolean;
      if (!p.ready || p.startTime === undefined) isUnready = true;
      else if (p.startTime + CPU_INITIALIZATION_PERIOD_MS > now) isUnready = p.ready.status === "False" || m.timestamp < p.ready.transition + m.windowMs;
      else isUnready = p.ready.status === "False" && p.startTime + INITIAL_READINESS_DELAY_MS > p.ready.transition;
      if (isUnready) {
        unready.add(p.name);
        continue;
      }
    }
    readyCount++;
  }
  for (const n of [...ignored, ...unready]) metrics.delete(n);
  if (!metrics.size) throw new ReplicaCalcError("did not receive metrics for targeted pods (pods might be unready)");
  const requests = new Map<string, number>();
  for (const p of pods) {
    if (p.request === undefined) throw new ReplicaCalcError(`missing request for ${resource} in container ${p.missingRequestContainer ?? ""} of Pod ${p.name}`);
    requests.set(p.name, p.request);
  }
  const { ratio, utilization, rawAverage } = utilizationRatio(metrics, requests, target);
  const within = (r: number) => Math.abs(1 - r) <= TOLERANCE;
  const scaleUpWithUnready = unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && !missing.size) {
    if (within(ratio)) return { replicas: currentReplicas, utilization, rawAverage };
    return { replicas: Math.ceil(ratio * readyCount), utilization, rawAverage };
  }
  if (missing.size) {
    // Scale-down: missing pods count as using their whole request (or the target, above 100 %); scale-up: nothing.
    const fallback = Math.max(100, target);
    for (const n of missing) metrics.set(n, ratio < 1 ? Math.trunc((requests.get(n)! * fallback) / 100) : 0);
  }
  if (scaleUpWithUnready) for (const n of unready) metrics.set(n, 0);
  const next = utilizationRatio(metrics, requests, target).ratio;
  if (within(next) || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return { replicas: currentReplicas, utilization, rawAverage };
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas)) return { replicas: currentReplicas, utilization, rawAverage };
  return { replicas, utilization, rawAverage };
}

// --- normalization (horizontal.go) -----------------------------------------------------------------

export interface Recommendation {
  replicas: number;
  at: number;
}
export interface ScaleEvent {
  change: number;
  at: number;
  outdated: boolean;
}
/** What the controller remembers per HPA between syncs (kube keeps it in memory too). */
export interface HpaMemory {
  recommendations: Recommendation[];
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
}

export interface Normalized {
  replicas: number;
  ableToScale: { reason: string; message: string };
  limited: { status: "True" | "False"; reason: string; message: string };
}

const READY = { reason: "ReadyForNewScale", message: "recommended size matches current size" };
const DOWN_STABILIZED = { reason: "ScaleDownStabilized", message: "recent recommendations were higher than current one, applying the highest recent recommendation" };
const UP_STABILIZED = { reason: "ScaleUpStabilized", message: "recent recommendations were lower than current one, applying the lowest recent recommendation" };
const WITHIN = { reason: "DesiredWithinRange", message: "the desired count is within the acceptable range" };
const UP_LIMIT = { reason: "ScaleUpLimit", message: "the desired replica count is increasing faster than the maximum scale rate" };
const TOO_MANY = { reason: "TooManyReplicas", message: "the desired replica count is more than the maximum replica count" };
const DOWN_LIMIT = { reason: "ScaleDownLimit", message: "the desired replica count is decreasing faster than the maximum scale rate" };
const TOO_FEW = { reason: "TooFewReplicas", message: "the desired replica count is less than the minimum replica count" };

/** Without spec.behavior: the 5-minute downscale stabilization and max(2×current, 4) scale-up limit. */
export function normalizeDesiredReplicas(mem: HpaMemory, current: number, desired: number, min: number, max: number, now: number, windowMs = DOWNSCALE_STABILIZATION_MS): Normalized {
  let stabilized = desired;
  let oldIdx = -1;
  for (const [i, r] of mem.recommendations.entries()) {
    if (r.at < now - windowMs) oldIdx = i;
    else if (r.replicas > stabilized) stabilized = r.replicas;
  }
  if (oldIdx >= 0) mem.recommendations[oldIdx] = { replicas: desired, at: now };
  else mem.recommendations.push({ replicas: desired, at: now });
  const ableToScale = stabilized !== desired ? DOWN_STABILIZED : READY;
  const upLimit = Math.max(2 * current, 4);
  const [maxAllowed, maxWhy] = max > upLimit ? [upLimit, UP_LIMIT] : [max, TOO_MANY];
  let replicas = stabilized;
  let why = WITHIN;
  if (stabilized < min) [replicas, why] = [min, TOO_FEW];
  else if (stabilized > maxAllowed) [replicas, why] = [maxAllowed, maxWhy];
  return { replicas, ableToScale, limited: { status: replicas === stabilized ? "False" : "True", ...why } };
}

function changeInPeriod(periodSeconds: number, events: ScaleEvent[], now: number): number {
  return events.filter((e) => e.at > now - periodSeconds * 1000).reduce((n, e) => n + e.change, 0);
}

function scaleUpLimit(current: number, events: ScaleEvent[], rules: Obj, now: number): number {
  if (rules.selectPolicy === "Disabled") return current;
  const pick = rules.selectPolicy === "Min" ? Math.min : Math.max;
  let result = rules.selectPolicy === "Min" ? Number.MAX_SAFE_INTEGER : 0;
  for (const p of (rules.policies ?? []) as Obj[]) {
    const start = current - changeInPeriod(p.periodSeconds, events, now);
    const proposed = p.type === "Pods" ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

function scaleDownLimit(current: number, events: ScaleEvent[], rules: Obj, now: number): number {
  if (rules.selectPolicy === "Disabled") return current;
  const pick = rules.selectPolicy === "Min" ? Math.max : Math.min;
  let result = rules.selectPolicy === "Min" ? 0 : Number.MAX_SAFE_INTEGER;
  for (const p of (rules.policies ?? []) as Obj[]) {
    const start = current + changeInPeriod(p.periodSeconds, events, now);
    const proposed = p.type === "Pods" ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** With spec.behavior (defaulted): stabilization per direction, then the policies' rate limits. */
export function normalizeWithBehaviors(mem: HpaMemory, behavior: Obj, current: number, desired: number, min: number, max: number, now: number, defaultDownWindowMs = DOWNSCALE_STABILIZATION_MS): Normalized {
  const up = behavior.scaleUp ?? {};
  const down = { ...(behavior.scaleDown ?? {}) };
  down.stabilizationWindowSeconds ??= defaultDownWindowMs / 1000;
  const upWin = Number(up.stabilizationWindowSeconds ?? 0);
  const downWin = Number(down.stabilizationWindowSeconds);
  const scalingUp = desired >= current;
  const win = scalingUp ? upWin : downWin;
  const better = scalingUp ? Math.min : Math.max;
  let rec = desired;
  let oldIdx = -1;
  const obsolete = now - Math.max(upWin, downWin) * 1000;
  for (const [i, r] of mem.recommendations.entries()) {
    if (r.at > now - win * 1000) rec = better(r.replicas, rec);
    if (r.at < obsolete) oldIdx = i;
  }
  if (oldIdx >= 0) mem.recommendations[oldIdx] = { replicas: desired, at: now };
  else mem.recommendations.push({ replicas: desired, at: now });
  const ableToScale = rec !== desired ? (scalingUp ? UP_STABILIZED : DOWN_STABILIZED) : READY;
  let replicas = rec;
  let why = WITHIN;
  if (rec > current) {
    const limit = Math.max(scaleUpLimit(current, mem.scaleUpEvents, up, now), current);
    const [maxAllowed, maxWhy] = max > limit ? [limit, UP_LIMIT] : [max, TOO_MANY];
    if (rec > maxAllowed) [replicas, why] = [maxAllowed, maxWhy];
  } else if (rec < current) {
    const limit = Math.min(scaleDownLimit(current, mem.scaleDownEvents, down, now), current);
    const [minAllowed, minWhy] = min < limit ? [limit, DOWN_LIMIT] : [min, TOO_FEW];
    if (rec < minAllowed) [replicas, why] = [minAllowed, minWhy];
  }
  return { replicas, ableToScale, limited: { status: replicas === rec ? "False" : "True", ...why } };
}

/** storeScaleEvent: remember a change for the policies' periods (only with spec.behavior). */
export function storeScaleEvent(mem: HpaMemory, behavior: Obj | undefined, prev: number, next: number, now: number): void {
  if (!behavior) return;
  const upward = next > prev;
  const rules = (upward ? behavior.scaleUp : behavior.scaleDown) ?? {};
  const longest = Math.max(0, ...((rules.policies ?? []) as Obj[]).map((p) => Number(p.periodSeconds) || 0));
  const list = upward ? mem.scaleUpEvents : mem.scaleDownEvents;
  for (const e of list) if (e.at < now - longest * 1000) e.outdated = true;
  const ev = { change: Math.abs(next - prev), at: now, outdated: false };
  let idx = -1;
  list.forEach((e, i) => {
    if (e.outdated) idx = i;
  });
  if (idx >= 0) list[idx] = ev;
  else list.push(ev);
}
