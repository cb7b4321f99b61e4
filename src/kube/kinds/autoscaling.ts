// autoscaling HorizontalPodAutoscaler, served as v2 and v1 and stored once, as v2 (the hub):
// v1 objects convert on the way in and out as kube-apiserver's conversion does
// (targetCPUUtilizationPercentage ↔ the cpu Utilization metric; everything v1 cannot say travels
// in the autoscaling.alpha.kubernetes.io/* annotations). Defaults, validation texts and the
// `kubectl get hpa` columns are kube's (pkg/apis/autoscaling, pkg/printers/internalversion).
import { cause, type StatusCause } from "../errors.js";
import { parseQuantity } from "../quantity.js";
import type { Strategy } from "../types.js";
import { clone, isObj, type Obj } from "../util.js";
import { ageCol, col, nameCol, num } from "./common.js";
import { infoFor } from "./info.js";
import { CONDITIONS_META } from "./podspec.js";

export const METRIC_SPECS_ANNOTATION = "autoscaling.alpha.kubernetes.io/metrics";
export const METRIC_STATUSES_ANNOTATION = "autoscaling.alpha.kubernetes.io/current-metrics";
export const CONDITIONS_ANNOTATION = "autoscaling.alpha.kubernetes.io/conditions";
export const BEHAVIOR_ANNOTATION = "autoscaling.alpha.kubernetes.io/behavior";
const ROUND_TRIP = [METRIC_SPECS_ANNOTATION, BEHAVIOR_ANNOTATION, METRIC_STATUSES_ANNOTATION, CONDITIONS_ANNOTATION];

export const DEFAULT_CPU_UTILIZATION = 80;
/** validation.MaxPeriodSeconds / MaxStabilizationWindowSeconds. */
const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;

const STORAGE = "autoscaling/horizontalpodautoscalers";

// --- defaults (v2/defaults.go) -------------------------------------------------------------------

export const DEFAULT_SCALE_UP = { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Pods", value: 4, periodSeconds: 15 }, { type: "Percent", value: 100, periodSeconds: 15 }] };
/** stabilizationWindowSeconds stays unset: the controller's --horizontal-pod-autoscaler-downscale-stabilization (300 s) fills it. */
export const DEFAULT_SCALE_DOWN = { selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] };

function rules(from: unknown, defaults: Obj): Obj {
  const to = clone(defaults);
  if (!isObj(from)) return to;
  for (const k of ["selectPolicy", "stabilizationWindowSeconds", "policies"]) if (from[k] !== undefined && from[k] !== null) to[k] = from[k];
  return to;
}

export function defaultHpaV2(o: Obj): void {
  o.spec = isObj(o.spec) ? o.spec : {};
  const s = o.spec;
  s.minReplicas ??= 1;
  if (!Array.isArray(s.metrics) || !s.metrics.length)
    s.metrics = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  if (isObj(s.behavior)) {
    s.behavior.scaleUp = rules(s.behavior.scaleUp, DEFAULT_SCALE_UP);
    s.behavior.scaleDown = rules(s.behavior.scaleDown, DEFAULT_SCALE_DOWN);
  }
}

// --- validation (pkg/apis/autoscaling/validation) ------------------------------------------------

const int = (v: unknown) => typeof v === "number" && Number.isInteger(v);

/** IsValidPathSegmentName. */
function pathSegment(v: string): string[] {
  if (v === "." || v === "..") return [`may not be '${v}'`];
  for (const bad of ["/", "%"]) if (v.includes(bad)) return [`may not contain '${bad}'`];
  return [];
}

function crossVersionRef(ref: unknown, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  const r = isObj(ref) ? ref : {};
  for (const k of ["kind", "name"]) {
    const v = r[k];
    if (typeof v !== "string" || !v) out.push(cause.required(`${path}.${k}`));
    else for (const m of pathSegment(v)) out.push(cause.invalid(`${path}.${k}`, v, m));
  }
  return out;
}

function positive(q: unknown): boolean {
  const n = parseQuantity(q);
  return n !== undefined && n > 0;
}

function metricTarget(t: unknown, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  const mt = isObj(t) ? t : {};
  if (!mt.type) out.push(cause.required(`${path}.type`, "must specify a metric target type"));
  if (!["Utilization", "Value", "AverageValue"].includes(mt.type)) out.push(cause.invalid(`${path}.type`, mt.type ?? "", "must be either Utilization, Value, or AverageValue"));
  if (mt.value !== undefined && mt.value !== null && !positive(mt.value)) out.push(cause.invalid(`${path}.value`, mt.value, "must be positive"));
  if (mt.averageValue !== undefined && mt.averageValue !== null && !positive(mt.averageValue)) out.push(cause.invalid(`${path}.averageValue`, mt.averageValue, "must be positive"));
  if (mt.averageUtilization !== undefined && mt.averageUtilization !== null && !(int(mt.averageUtilization) && mt.averageUtilization >= 1))
    out.push(cause.invalid(`${path}.averageUtilization`, mt.averageUtilization, "must be greater than 0"));
  return out;
}

function metricIdentifier(id: unknown, path: string): StatusCause[] {
  const name = isObj(id) ? id.name : undefined;
  if (typeof name !== "string" || !name) return [cause.required(`${path}.name`, "must specify a metric name")];
  return pathSegment(name).map((m) => cause.invalid(`${path}.name`, name, m));
}

function resourceLike(src: Obj, path: string, container: boolean): StatusCause[] {
  const out: StatusCause[] = [];
  if (!src.name) out.push(cause.required(`${path}.name`, "must specify a resource name"));
  if (container) {
    if (!src.container) out.push(cause.required(`${path}.container`, "must specify a container"));
    else if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(src.container) || src.container.length > 63)
      out.push(cause.invalid(`${path}.container`, src.container, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
  }
  out.push(...metricTarget(src.target, `${path}.target`));
  const t = isObj(src.target) ? src.target : {};
  const hasU = t.averageUtilization !== undefined && t.averageUtilization !== null;
  const hasV = t.averageValue !== undefined && t.averageValue !== null;
  if (!hasU && !hasV) out.push(cause.required(`${path}.target.averageUtilization`, "must set either a target raw value or a target utilization"));
  if (hasU && hasV) out.push(cause.forbidden(`${path}.target.averageValue`, "may not set both a target raw value and a target utilization"));
  return out;
}

const SOURCE_TYPES = ["ContainerResource", "External", "Object", "Pods", "Resource"];
const FIELD_OF: Record<string, string> = { Object: "object", Pods: "pods", Resource: "resource", External: "external", ContainerResource: "containerResource" };

function metricSpec(m: unknown, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  const spec = isObj(m) ? m : {};
  if (!spec.type) out.push(cause.required(`${path}.type`, "must specify a metric source type"));
  if (!SOURCE_TYPES.includes(spec.type)) out.push(cause.notSupported(`${path}.type`, spec.type ?? "", SOURCE_TYPES));
  const present = ["object", "external", "pods", "resource", "containerResource"].filter((k) => isObj(spec[k]));
  const first = present[0];
  if (first) {
    const p = `${path}.${first}`;
    const src = spec[first] as Obj;
    const t = isObj(src.target) ? src.target : {};
    if (first === "object") {
      out.push(...crossVersionRef(src.describedObject, `${p}.describedObject`), ...metricIdentifier(src.metric, `${p}.metric`), ...metricTarget(src.target, `${p}.target`));
      if (t.value == null && t.averageValue == null) out.push(cause.required(`${p}.target.averageValue`, "must set either a target value or averageValue"));
    } else if (first === "external") {
      out.push(...metricIdentifier(src.metric, `${p}.metric`), ...metricTarget(src.target, `${p}.target`));
      if (t.value == null && t.averageValue == null) out.push(cause.required(`${p}.target.averageValue`, "must set either a target value for metric or a per-pod target"));
      if (t.value != null && t.averageValue != null) out.push(cause.forbidden(`${p}.target.value`, "may not set both a target value for metric and a per-pod target"));
    } else if (first === "pods") {
      out.push(...metricIdentifier(src.metric, `${p}.metric`), ...metricTarget(src.target, `${p}.target`));
      if (t.averageValue == null) out.push(cause.required(`${p}.target.averageValue`, "must specify a positive target averageValue"));
    } else out.push(...resourceLike(src, p, first === "containerResource"));
  }
  const expected = FIELD_OF[spec.type];
  if (expected && !isObj(spec[expected])) out.push(cause.required(`${path}.${expected}`, "must populate information for the given metric source"));
  if (present.length > 1) for (const k of present) if (k !== expected) out.push(cause.forbidden(`${path}.${k}`, "must populate the given metric source only"));
  return out;
}

function scalingRules(r: unknown, path: string): StatusCause[] {
  if (!isObj(r)) return [];
  const out: StatusCause[] = [];
  const w = r.stabilizationWindowSeconds;
  if (w !== undefined && w !== null) {
    if (w < 0) out.push(cause.invalid(`${path}.stabilizationWindowSeconds`, w, "must be greater than or equal to zero"));
    if (w > MAX_STABILIZATION_WINDOW_SECONDS) out.push(cause.invalid(`${path}.stabilizationWindowSeconds`, w, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`));
  }
  if (r.selectPolicy !== undefined && r.selectPolicy !== null && !["Disabled", "Max", "Min"].includes(r.selectPolicy))
    out.push(cause.notSupported(`${path}.selectPolicy`, r.selectPolicy, ["Disabled", "Max", "Min"]));
  const ps = Array.isArray(r.policies) ? (r.policies as Obj[]) : [];
  if (!ps.length) out.push(cause.required(`${path}.policies`, "must specify at least one Policy"));
  ps.forEach((p, i) => {
    const pp = `${path}.policies[${i}]`;
    if (p?.type !== "Pods" && p?.type !== "Percent") out.push(cause.notSupported(`${pp}.type`, p?.type ?? "", ["Percent", "Pods"]));
    if (!(num(p?.value) > 0)) out.push(cause.invalid(`${pp}.value`, p?.value ?? 0, "must be greater than zero"));
    if (!(num(p?.periodSeconds) > 0)) out.push(cause.invalid(`${pp}.periodSeconds`, p?.periodSeconds ?? 0, "must be greater than zero"));
    if (num(p?.periodSeconds) > MAX_PERIOD_SECONDS) out.push(cause.invalid(`${pp}.periodSeconds`, p.periodSeconds, `must be less than or equal to ${MAX_PERIOD_SECONDS}`));
  });
  return out;
}

export function validateHpa(o: Obj, old: Obj | undefined): StatusCause[] {
  const out: StatusCause[] = [];
  const s = isObj(o.spec) ? o.spec : {};
  // HPAScaleToZero is alpha (off on AKS): minReplicas 0 only stays allowed on objects that already have it.
  const lower = old?.spec?.minReplicas === 0 ? 0 : 1;
  if (s.minReplicas !== undefined && s.minReplicas !== null && !(int(s.minReplicas) && s.minReplicas >= lower))
    out.push(cause.invalid("spec.minReplicas", s.minReplicas, `must be greater than or equal to ${lower}`));
  if (!(int(s.maxReplicas) && s.maxReplicas >= 1)) out.push(cause.invalid("spec.maxReplicas", s.maxReplicas ?? 0, "must be greater than 0"));
  if (int(s.minReplicas) && num(s.maxReplicas) < s.minReplicas) out.push(cause.invalid("spec.maxReplicas", s.maxReplicas ?? 0, "must be greater than or equal to `minReplicas`"));
  out.push(...crossVersionRef(s.scaleTargetRef, "spec.scaleTargetRef"));
  const metrics = Array.isArray(s.metrics) ? (s.metrics as Obj[]) : [];
  metrics.forEach((m, i) => out.push(...metricSpec(m, `spec.metrics[${i}]`)));
  if (s.minReplicas === 0 && !metrics.some((m) => m?.type === "Object" || m?.type === "External"))
    out.push(cause.forbidden("spec.metrics", "must specify at least one Object or External metric to support scaling to zero replicas"));
  if (isObj(s.behavior)) out.push(...scalingRules(s.behavior.scaleUp, "spec.behavior.scaleUp"), ...scalingRules(s.behavior.scaleDown, "spec.behavior.scaleDown"));
  const st = isObj(o.status) ? o.status : {};
  for (const k of ["currentReplicas", "desiredReplicas"]) if (num(st[k]) < 0) out.push(cause.invalid(`status.${k}`, st[k], "must be greater than or equal to 0"));
  return out;
}

// --- conversion v2 (stored) ↔ v1 (pkg/apis/autoscaling/v1/conversion.go) -----------------------

const has = (o: unknown, k: string): boolean => isObj(o) && o[k] !== undefined && o[k] !== null;

function refV1(r: unknown): Obj {
  const x = isObj(r) ? r : {};
  const out: Obj = { kind: x.kind ?? "", name: x.name ?? "" };
  if (has(x, "apiVersion")) out.apiVersion = x.apiVersion;
  return out;
}

function isCpuUtilization(m: Obj): boolean {
  return m?.type === "Resource" && m.resource?.name === "cpu" && has(m.resource?.target, "averageUtilization");
}

/** v2 MetricSpec → the v1 (v2beta1-shaped) one the annotation holds. */
function specToV1(m: Obj): Obj {
  const out: Obj = { type: m.type ?? "" };
  const ident = (src: Obj) => ({ name: src.metric?.name ?? "", selector: src.metric?.selector });
  if (isObj(m.object)) {
    const t = m.object.target ?? {};
    const { name, selector } = ident(m.object);
    out.object = { target: refV1(m.object.describedObject), metricName: name, targetValue: t.value ?? "0", ...(selector ? { selector } : {}), ...(has(t, "averageValue") ? { averageValue: t.averageValue } : {}) };
  }
  if (isObj(m.pods)) {
    const { name, selector } = ident(m.pods);
    out.pods = { metricName: name, targetAverageValue: m.pods.target?.averageValue ?? "0", ...(selector ? { selector } : {}) };
  }
  for (const k of ["resource", "containerResource"]) {
    if (!isObj(m[k])) continue;
    const t = m[k].target ?? {};
    out[k] = { name: m[k].name ?? "", ...(has(t, "averageUtilization") ? { targetAverageUtilization: t.averageUtilization } : {}), ...(has(t, "averageValue") ? { targetAverageValue: t.averageValue } : {}), ...(k === "containerResource" ? { container: m[k].container ?? "" } : {}) };
  }
  if (isObj(m.external)) {
    const t = m.external.target ?? {};
    const { name, selector } = ident(m.external);
    out.external = { metricName: name, ...(selector ? { metricSelector: selector } : {}), ...(has(t, "value") ? { targetValue: t.value } : {}), ...(has(t, "averageValue") ? { targetAverageValue: t.averageValue } : {}) };
  }
  return out;
}

function specFromV1(m: Obj): Obj {
  const out: Obj = { type: m.type ?? "" };
  const ident = (src: Obj, sel: string) => ({ name: src.metricName ?? "", ...(has(src, sel) ? { selector: src[sel] } : {}) });
  if (isObj(m.object)) {
    const o = m.object;
    out.object = { describedObject: refV1(o.target), metric: ident(o, "selector"), target: { type: has(o, "averageValue") ? "AverageValue" : "Value", value: o.targetValue ?? "0", ...(has(o, "averageValue") ? { averageValue: o.averageValue } : {}) } };
  }
  if (isObj(m.pods)) out.pods = { metric: ident(m.pods, "selector"), target: { type: "AverageValue", averageValue: m.pods.targetAverageValue ?? "0" } };
  for (const k of ["resource", "containerResource"]) {
    if (!isObj(m[k])) continue;
    const r = m[k];
    out[k] = {
      name: r.name ?? "",
      ...(k === "containerResource" ? { container: r.container ?? "" } : {}),
      target: { type: has(r, "targetAverageUtilization") ? "Utilization" : "AverageValue", ...(has(r, "targetAverageValue") ? { averageValue: r.targetAverageValue } : {}), ...(has(r, "targetAverageUtilization") ? { averageUtilization: r.targetAverageUtilization } : {}) },
    };
  }
  if (isObj(m.external)) {
    const e = m.external;
    out.external = { metric: ident(e, "metricSelector"), target: { type: has(e, "targetValue") ? "Value" : "AverageValue", ...(has(e, "targetValue") ? { value: e.targetValue } : {}), ...(has(e, "targetAverageValue") ? { averageValue: e.targetAverageValue } : {}) } };
  }
  return out;
}

function statusToV1(m: Obj): Obj {
  const out: Obj = { type: m.type ?? "" };
  for (const k of ["resource", "containerResource"]) {
    if (!isObj(m[k])) continue;
    const c = m[k].current ?? {};
    out[k] = { name: m[k].name ?? "", ...(has(c, "averageUtilization") ? { currentAverageUtilization: c.averageUtilization } : {}), currentAverageValue: c.averageValue ?? "0", ...(k === "containerResource" ? { container: m[k].container ?? "" } : {}) };
  }
  if (isObj(m.pods)) out.pods = { metricName: m.pods.metric?.name ?? "", currentAverageValue: m.pods.current?.averageValue ?? "0", ...(m.pods.metric?.selector ? { selector: m.pods.metric.selector } : {}) };
  if (isObj(m.object)) {
    const c = m.object.current ?? {};
    out.object = { target: refV1(m.object.describedObject), metricName: m.object.metric?.name ?? "", currentValue: c.value ?? "0", ...(m.object.metric?.selector ? { selector: m.object.metric.selector } : {}), ...(has(c, "averageValue") ? { averageValue: c.averageValue } : {}) };
  }
  if (isObj(m.external)) {
    const c = m.external.current ?? {};
    out.external = { metricName: m.external.metric?.name ?? "", ...(m.external.metric?.selector ? { metricSelector: m.external.metric.selector } : {}), currentValue: c.value ?? "0", ...(has(c, "averageValue") ? { currentAverageValue: c.averageValue } : {}) };
  }
  return out;
}

function statusFromV1(m: Obj): Obj {
  const out: Obj = { type: m.type ?? "" };
  for (const k of ["resource", "containerResource"]) {
    if (!isObj(m[k])) continue;
    const r = m[k];
    out[k] = { name: r.name ?? "", ...(k === "containerResource" ? { container: r.container ?? "" } : {}), current: { averageValue: r.currentAverageValue ?? "0", ...(has(r, "currentAverageUtilization") ? { averageUtilization: r.currentAverageUtilization } : {}) } };
  }
  if (isObj(m.pods)) out.pods = { metric: { name: m.pods.metricName ?? "", ...(has(m.pods, "selector") ? { selector: m.pods.selector } : {}) }, current: { averageValue: m.pods.currentAverageValue ?? "0" } };
  if (isObj(m.object))
    out.object = { metric: { name: m.object.metricName ?? "", ...(has(m.object, "selector") ? { selector: m.object.selector } : {}) }, current: { value: m.object.currentValue ?? "0", ...(has(m.object, "averageValue") ? { averageValue: m.object.averageValue } : {}) }, describedObject: refV1(m.object.target) };
  if (isObj(m.external))
    out.external = { metric: { name: m.external.metricName ?? "", ...(has(m.external, "metricSelector") ? { selector: m.external.metricSelector } : {}) }, current: { value: m.external.currentValue ?? "0", ...(has(m.external, "currentAverageValue") ? { averageValue: m.external.currentAverageValue } : {}) } };
  return out;
}

/** The behavior as Go marshals the internal type (no json tags: Go field names, nil as null). */
function behaviorToGo(b: Obj): Obj {
  const r = (x: unknown) =>
    isObj(x)
      ? {
          StabilizationWindowSeconds: x.stabilizationWindowSeconds ?? null,
          SelectPolicy: x.selectPolicy ?? null,
          Policies: Array.isArray(x.policies) ? (x.policies as Obj[]).map((p) => ({ Type: p.type ?? "", Value: p.value ?? 0, PeriodSeconds: p.periodSeconds ?? 0 })) : null,
        }
      : null;
  return { ScaleUp: r(b.scaleUp), ScaleDown: r(b.scaleDown) };
}

/** encoding/json matches keys case-insensitively. */
function ci(o: unknown, k: string): unknown {
  if (!isObj(o)) return undefined;
  if (k in o) return o[k];
  const hit = Object.keys(o).find((x) => x.toLowerCase() === k.toLowerCase());
  return hit === undefined ? undefined : o[hit];
}

function behaviorFromGo(raw: string): Obj | undefined {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const r = (x: unknown): Obj | undefined => {
    if (!isObj(x)) return undefined;
    const out: Obj = {};
    const w = ci(x, "StabilizationWindowSeconds");
    if (w !== undefined && w !== null) out.stabilizationWindowSeconds = w;
    const sp = ci(x, "SelectPolicy");
    if (sp !== undefined && sp !== null) out.selectPolicy = sp;
    const ps = ci(x, "Policies");
    if (Array.isArray(ps)) out.policies = ps.map((p) => ({ type: ci(p, "Type") ?? "", value: ci(p, "Value") ?? 0, periodSeconds: ci(p, "PeriodSeconds") ?? 0 }));
    return out;
  };
  const up = r(ci(v, "ScaleUp"));
  const down = r(ci(v, "ScaleDown"));
  if (!up && !down) return undefined;
  return { ...(up ? { scaleUp: up } : {}), ...(down ? { scaleDown: down } : {}) };
}

function dropRoundTrip(md: Obj): void {
  if (!isObj(md.annotations)) return;
  if (!ROUND_TRIP.some((k) => k in md.annotations)) return;
  const a = { ...md.annotations };
  for (const k of ROUND_TRIP) delete a[k];
  if (Object.keys(a).length) md.annotations = a;
  else delete md.annotations;
}

function setAnnotation(md: Obj, k: string, v: unknown): void {
  md.annotations = { ...(isObj(md.annotations) ? md.annotations : {}), [k]: JSON.stringify(v) };
}

function parseAnn(md: Obj, k: string): unknown {
  const raw = md.annotations?.[k];
  if (typeof raw !== "string") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Stored v2 → autoscaling/v1. */
export function hpaToV1(v2: Obj): Obj {
  const { spec: inSpec = {}, status: inStatus, metadata = {}, ...rest } = v2;
  const md: Obj = clone(metadata);
  dropRoundTrip(md);
  const metrics = (Array.isArray(inSpec.metrics) ? inSpec.metrics : []) as Obj[];
  const spec: Obj = { scaleTargetRef: refV1(inSpec.scaleTargetRef) };
  if (has(inSpec, "minReplicas")) spec.minReplicas = inSpec.minReplicas;
  spec.maxReplicas = inSpec.maxReplicas ?? 0;
  const cpu = metrics.find((m) => m?.type === "Resource" && m.resource?.name === "cpu");
  if (cpu && has(cpu.resource?.target, "averageUtilization")) spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
  const st = isObj(inStatus) ? inStatus : {};
  const status: Obj = {};
  if (has(st, "observedGeneration")) status.observedGeneration = st.observedGeneration;
  if (has(st, "lastScaleTime")) status.lastScaleTime = st.lastScaleTime;
  status.currentReplicas = st.currentReplicas ?? 0;
  status.desiredReplicas = st.desiredReplicas ?? 0;
  const current = (Array.isArray(st.currentMetrics) ? st.currentMetrics : []) as Obj[];
  for (const m of current) if (m?.type === "Resource" && m.resource?.name === "cpu" && has(m.resource?.current, "averageUtilization")) status.currentCPUUtilizationPercentage = m.resource.current.averageUtilization;
  const other = metrics.filter((m) => !isCpuUtilization(m)).map(specToV1);
  if (other.length) setAnnotation(md, METRIC_SPECS_ANNOTATION, other);
  if (current.length) setAnnotation(md, METRIC_STATUSES_ANNOTATION, current.map(statusToV1));
  if (isObj(inSpec.behavior)) setAnnotation(md, BEHAVIOR_ANNOTATION, behaviorToGo(inSpec.behavior));
  if (Array.isArray(st.conditions) && st.conditions.length) setAnnotation(md, CONDITIONS_ANNOTATION, st.conditions);
  return { ...rest, apiVersion: "autoscaling/v1", metadata: md, spec, status };
}

/** autoscaling/v1 → the stored v2 form. */
export function hpaFromV1(v1: Obj): Obj {
  const { spec: inSpecRaw, status: inStatus, metadata: mdRaw, ...rest } = v1;
  const inSpec = isObj(inSpecRaw) ? inSpecRaw : {};
  const md: Obj = isObj(mdRaw) ? clone(mdRaw) : {};
  const spec: Obj = { scaleTargetRef: refV1(inSpec.scaleTargetRef), minReplicas: has(inSpec, "minReplicas") ? inSpec.minReplicas : 1, maxReplicas: inSpec.maxReplicas ?? 0 };
  let metrics: Obj[] = [];
  if (has(inSpec, "targetCPUUtilizationPercentage"))
    metrics.push({ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: inSpec.targetCPUUtilizationPercentage } } });
  const other = parseAnn(md, METRIC_SPECS_ANNOTATION);
  if (Array.isArray(other)) metrics = [...other.filter(isObj).map(specFromV1), ...metrics];
  const behaviorRaw = md.annotations?.[BEHAVIOR_ANNOTATION];
  const behavior = typeof behaviorRaw === "string" ? behaviorFromGo(behaviorRaw) : undefined;
  if (behavior) spec.behavior = behavior;
  if (!metrics.length) metrics = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  spec.metrics = metrics;
  const st = isObj(inStatus) ? inStatus : {};
  const status: Obj = {};
  if (has(st, "observedGeneration")) status.observedGeneration = st.observedGeneration;
  if (has(st, "lastScaleTime")) status.lastScaleTime = st.lastScaleTime;
  if (num(st.currentReplicas)) status.currentReplicas = st.currentReplicas;
  status.desiredReplicas = st.desiredReplicas ?? 0;
  let current: Obj[] | null = has(st, "currentCPUUtilizationPercentage") ? [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: st.currentCPUUtilizationPercentage } } }] : null;
  const cm = parseAnn(md, METRIC_STATUSES_ANNOTATION);
  if (Array.isArray(cm)) current = cm.filter(isObj).map(statusFromV1);
  status.currentMetrics = current;
  const conds = parseAnn(md, CONDITIONS_ANNOTATION);
  if (Array.isArray(conds)) status.conditions = conds;
  dropRoundTrip(md);
  return { ...rest, apiVersion: "autoscaling/v2", metadata: md, spec, status };
}

// --- table (printHorizontalPodAutoscaler) ------------------------------------------------------

export function formatHpaTargets(specs: Obj[], statuses: Obj[]): string {
  if (!specs.length) return "<none>";
  const list: string[] = [];
  specs.forEach((spec, i) => {
    const st = statuses[i];
    const val = (v: unknown) => (v === undefined || v === null ? "<unknown>" : String(v));
    switch (spec?.type) {
      case "External":
      case "Object": {
        const k = spec.type === "External" ? "external" : "object";
        const t = spec[k]?.target ?? {};
        if (has(t, "averageValue")) list.push(`${st?.[k]?.current?.averageValue != null ? st[k].current.averageValue : "<unknown>"}/${t.averageValue} (avg)`);
        else list.push(`${st?.[k] ? val(st[k].current?.value) : "<unknown>"}/${t.value}`);
        break;
      }
      case "Pods":
        list.push(`${st?.pods ? val(st.pods.current?.averageValue) : "<unknown>"}/${spec.pods?.target?.averageValue}`);
        break;
      case "Resource":
      case "ContainerResource": {
        const k = spec.type === "Resource" ? "resource" : "containerResource";
        const t = spec[k]?.target ?? {};
        const name = spec[k]?.name ?? "";
        if (has(t, "averageValue")) list.push(`${name}: ${st?.[k] ? val(st[k].current?.averageValue) : "<unknown>"}/${t.averageValue}`);
        else {
          const cur = st?.[k] && has(st[k].current, "averageUtilization") ? `${st[k].current.averageUtilization}%` : "<unknown>";
          list.push(`${name}: ${cur}/${has(t, "averageUtilization") ? `${t.averageUtilization}%` : "<auto>"}`);
        }
        break;
      }
      default:
        list.push("<unknown type>");
    }
  });
  return list.length > 2 ? `${list.slice(0, 2).join(", ")} + ${list.length - 2} more...` : list.join(", ");
}

const columns = [
  nameCol,
  col("Reference", "string", (o) => `${o.spec?.scaleTargetRef?.kind ?? ""}/${o.spec?.scaleTargetRef?.name ?? ""}`, 0, "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count."),
  col("Targets", "string", (o) => formatHpaTargets((o.spec?.metrics ?? []) as Obj[], (o.status?.currentMetrics ?? []) as Obj[]), 0, "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond."),
  col("MinPods", "string", (o) => (o.spec?.minReplicas !== undefined && o.spec?.minReplicas !== null ? String(o.spec.minReplicas) : "<unset>"), 0, "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available."),
  col("MaxPods", "string", (o) => num(o.spec?.maxReplicas), 0, "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas."),
  col("Replicas", "string", (o) => num(o.status?.currentReplicas), 0, "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler."),
  ageCol,
];

// --- strategies ----------------------------------------------------------------------------------

const info = (version: string) =>
  infoFor("autoscaling", version)("horizontalpodautoscalers", "HorizontalPodAutoscaler", true, { shortNames: ["hpa"], categories: ["all"], subresources: ["status"] });

/** A new object's status: what kube-apiserver serialises for an empty v2 status. */
function freshStatus(): Obj {
  return { currentMetrics: null, desiredReplicas: 0 };
}

const common: Omit<Strategy, "info"> = {
  statusSubresource: true,
  generation: "spec",
  fields: ["spec", "status"],
  prepareForCreate(o) {
    defaultHpaV2(o);
    o.status = freshStatus();
  },
  prepareForUpdate(o) {
    defaultHpaV2(o);
  },
  validate: (o, old) => validateHpa(o, old),
  columns,
  patchMeta: CONDITIONS_META,
};

export const hpaV2: Strategy = {
  ...common,
  info: info("v2"),
  specFields: ["scaleTargetRef", "minReplicas", "maxReplicas", "metrics", "behavior"],
};

export const hpaV1: Strategy = {
  ...common,
  info: { ...info("v1"), storage: STORAGE, storageApiVersion: "autoscaling/v2" },
  specFields: ["scaleTargetRef", "minReplicas", "maxReplicas", "targetCPUUtilizationPercentage"],
  toStorage: hpaFromV1,
  fromStorage: hpaToV1,
};

/** v2 first: the preferred version, the storage, and what lookups by kind answer. */
export const autoscalingKinds: Strategy[] = [hpaV2, hpaV1];
