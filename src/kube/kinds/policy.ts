// Policy-ish kinds manifests carry: policy/v1 PodDisruptionBudget, core ResourceQuota,
// LimitRange, PodTemplate, ReplicationController, scheduling.k8s.io PriorityClass and
// node.k8s.io RuntimeClass. Enforcement (quota, limit defaults, eviction) is in src/kube/admission/.
import { cause, type StatusCause } from "../errors.js";
import { parseQuantity } from "../quantity.js";
import { fromStructured } from "../selectors.js";
import type { Strategy } from "../types.js";
import { isObj, type Obj } from "../util.js";
import { ageCol, col, labelsString, nameCol, num } from "./common.js";
import { CONDITIONS_META, containerImages, containerNames, defaultPodSpec, podSpecPatchMeta, validatePodSpec } from "./podspec.js";

const core = (resource: string, kind: string, extra: Partial<Strategy["info"]> = {}): Strategy["info"] => ({
  group: "",
  version: "v1",
  resource,
  kind,
  singular: kind.toLowerCase(),
  namespaced: true,
  subresources: [],
  ...extra,
});

function intOrPercent(v: unknown): boolean {
  return (typeof v === "number" && Number.isInteger(v) && v >= 0) || (typeof v === "string" && /^\d+%$/.test(v));
}

export const poddisruptionbudgets: Strategy = {
  info: { group: "policy", version: "v1", resource: "poddisruptionbudgets", kind: "PodDisruptionBudget", singular: "poddisruptionbudget", namespaced: true, shortNames: ["pdb"], subresources: ["status"] },
  statusSubresource: true,
  generation: "spec",
  fields: ["spec", "status"],
  specFields: ["minAvailable", "maxUnavailable", "selector", "unhealthyPodEvictionPolicy"],
  prepareForCreate(o) {
    o.spec = isObj(o.spec) ? o.spec : {};
    o.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  },
  validate(o) {
    const out: StatusCause[] = [];
    const s = o.spec ?? {};
    if (s.minAvailable !== undefined && s.maxUnavailable !== undefined)
      out.push(cause.invalid("spec", s, "minAvailable and maxUnavailable cannot be both set"));
    for (const k of ["minAvailable", "maxUnavailable"])
      if (s[k] !== undefined && !intOrPercent(s[k])) out.push(cause.invalid(`spec.${k}`, s[k], "must be greater than or equal to 0"));
    const p = s.unhealthyPodEvictionPolicy;
    if (p !== undefined && !["IfHealthyBudget", "AlwaysAllow"].includes(p)) out.push(cause.notSupported("spec.unhealthyPodEvictionPolicy", p, ["AlwaysAllow", "IfHealthyBudget"]));
    return out;
  },
  columns: [
    nameCol,
    col("Min Available", "string", (o) => (o.spec?.minAvailable !== undefined ? String(o.spec.minAvailable) : "N/A")),
    col("Max Unavailable", "string", (o) => (o.spec?.maxUnavailable !== undefined ? String(o.spec.maxUnavailable) : "N/A")),
    col("Allowed Disruptions", "integer", (o) => num(o.status?.disruptionsAllowed)),
    ageCol,
  ],
  patchMeta: CONDITIONS_META,
};

function resourceList(m: unknown, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  if (m === undefined || m === null) return out;
  if (!isObj(m)) return [cause.invalid(path, m, "must be a map of resource quantities")];
  for (const [k, v] of Object.entries(m)) {
    const n = parseQuantity(v);
    if (n === undefined) out.push(cause.invalid(`${path}[${k}]`, v, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
    else if (n < 0) out.push(cause.invalid(`${path}[${k}]`, v, "must be greater than or equal to 0"));
  }
  return out;
}

export const resourcequotas: Strategy = {
  info: core("resourcequotas", "ResourceQuota", { shortNames: ["quota"], subresources: ["status"] }),
  statusSubresource: true,
  fields: ["spec", "status"],
  specFields: ["hard", "scopes", "scopeSelector"],
  prepareForCreate(o) {
    o.spec = isObj(o.spec) ? o.spec : {};
    o.status = {};
  },
  validate: (o) => resourceList(o.spec?.hard, "spec.hard"),
  columns: [
    nameCol,
    ageCol,
    col("Request", "string", (o) => {
      const h = (o.status?.hard ?? {}) as Obj;
      const u = (o.status?.used ?? {}) as Obj;
      return Object.keys(h).filter((k) => !k.startsWith("limits.")).sort().map((k) => `${k}: ${u[k] ?? "0"}/${h[k]}`).join(", ");
    }),
    col("Limit", "string", (o) => {
      const h = (o.status?.hard ?? {}) as Obj;
      const u = (o.status?.used ?? {}) as Obj;
      return Object.keys(h).filter((k) => k.startsWith("limits.")).sort().map((k) => `${k}: ${u[k] ?? "0"}/${h[k]}`).join(", ");
    }),
  ],
};

const LIMIT_TYPES = ["Container", "Pod", "PersistentVolumeClaim"];

export const limitranges: Strategy = {
  info: core("limitranges", "LimitRange", { shortNames: ["limits"] }),
  fields: ["spec"],
  specFields: ["limits"],
  prepareForCreate: (o) => defaultLimitRange(o),
  prepareForUpdate: (o) => defaultLimitRange(o),
  validate(o) {
    const out: StatusCause[] = [];
    ((o.spec?.limits ?? []) as Obj[]).forEach((l, i) => {
      const p = `spec.limits[${i}]`;
      if (!LIMIT_TYPES.includes(l.type)) out.push(cause.notSupported(`${p}.type`, l.type ?? "", LIMIT_TYPES));
      for (const k of ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"]) out.push(...resourceList(l[k], `${p}.${k}`));
      for (const r of Object.keys(l.min ?? {})) {
        const mn = parseQuantity(l.min[r]);
        const mx = parseQuantity(l.max?.[r]);
        if (mn !== undefined && mx !== undefined && mn > mx) out.push(cause.invalid(`${p}.min[${r}]`, l.min[r], `min value ${l.min[r]} is greater than max value ${l.max[r]}`));
      }
    });
    return out;
  },
  columns: [nameCol, col("Created At", "date", (o) => o.metadata?.creationTimestamp ?? "")],
};

/** SetDefaults_LimitRangeItem: default ← max, defaultRequest ← default, else ← min (Container items). */
function defaultLimitRange(o: Obj): void {
  o.spec = isObj(o.spec) ? o.spec : {};
  for (const l of (o.spec.limits ?? []) as Obj[]) {
    if (!isObj(l) || l.type !== "Container") continue;
    for (const [r, v] of Object.entries((l.max ?? {}) as Obj)) {
      l.default ??= {};
      l.default[r] ??= v;
    }
    for (const [r, v] of Object.entries((l.default ?? {}) as Obj)) {
      l.defaultRequest ??= {};
      l.defaultRequest[r] ??= v;
    }
    for (const [r, v] of Object.entries((l.min ?? {}) as Obj)) {
      l.defaultRequest ??= {};
      l.defaultRequest[r] ??= v;
    }
  }
}

export const podtemplates: Strategy = {
  info: core("podtemplates", "PodTemplate"),
  fields: ["template"],
  prepareForCreate(o) {
    o.template = isObj(o.template) ? o.template : {};
    o.template.metadata ??= { creationTimestamp: null };
    o.template.spec = isObj(o.template.spec) ? o.template.spec : {};
    defaultPodSpec(o.template.spec);
  },
  validate: (o) => validatePodSpec(o.template?.spec, "template.spec"),
  columns: [
    col("Template", "string", (o) => o.metadata?.name ?? ""),
    col("Containers", "string", (o) => containerNames(o.template?.spec)),
    col("Images", "string", (o) => containerImages(o.template?.spec)),
    col("Pod Labels", "string", (o) => labelsString(o.template?.metadata?.labels)),
  ],
  patchMeta: podSpecPatchMeta("template.spec"),
};

export const replicationcontrollers: Strategy = {
  info: core("replicationcontrollers", "ReplicationController", { shortNames: ["rc"], categories: ["all"], subresources: ["status", "scale"] }),
  statusSubresource: true,
  generation: "spec",
  fields: ["spec", "status"],
  prepareForCreate(o) {
    o.spec = isObj(o.spec) ? o.spec : {};
    o.spec.replicas ??= 1;
    const t = o.spec.template;
    if (isObj(t)) {
      t.metadata = isObj(t.metadata) ? t.metadata : {};
      // An omitted selector defaults to the template labels.
      o.spec.selector ??= t.metadata.labels;
      if (isObj(t.spec)) defaultPodSpec(t.spec);
    }
    o.status = { replicas: 0 };
  },
  validate(o, old) {
    const out: StatusCause[] = [];
    const sel = o.spec?.selector;
    if (!isObj(sel) || !Object.keys(sel).length) out.push(cause.required("spec.selector"));
    else {
      const labels = o.spec?.template?.metadata?.labels ?? {};
      if (!Object.entries(sel).every(([k, v]) => labels[k] === v)) out.push(cause.invalid("spec.template.metadata.labels", labels, "`selector` does not match template `labels`"));
    }
    if (!isObj(o.spec?.template)) out.push(cause.required("spec.template"));
    else out.push(...validatePodSpec(o.spec.template.spec, "spec.template.spec"));
    void old;
    return out;
  },
  columns: [
    nameCol,
    col("Desired", "integer", (o) => num(o.spec?.replicas)),
    col("Current", "integer", (o) => num(o.status?.replicas)),
    col("Ready", "integer", (o) => num(o.status?.readyReplicas)),
    ageCol,
    col("Containers", "string", (o) => containerNames(o.spec?.template?.spec), 1),
    col("Images", "string", (o) => containerImages(o.spec?.template?.spec), 1),
    col("Selector", "string", (o) => labelsString(o.spec?.selector).replace("<none>", ""), 1),
  ],
  patchMeta: { ...podSpecPatchMeta("spec.template.spec"), ...CONDITIONS_META },
};

/** The two classes kube-apiserver creates; names starting "system-" are reserved for them. */
export const SYSTEM_PRIORITY_CLASSES: Obj[] = [
  { name: "system-node-critical", value: 2000001000, description: "Used for system critical pods that must not be moved from their current node." },
  { name: "system-cluster-critical", value: 2000000000, description: "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary." },
];

export const priorityclasses: Strategy = {
  info: { group: "scheduling.k8s.io", version: "v1", resource: "priorityclasses", kind: "PriorityClass", singular: "priorityclass", namespaced: false, shortNames: ["pc"], subresources: [] },
  fields: ["value", "globalDefault", "description", "preemptionPolicy"],
  prepareForCreate(o) {
    o.preemptionPolicy ??= "PreemptLowerPriority";
  },
  prepareForUpdate(o) {
    o.preemptionPolicy ??= "PreemptLowerPriority";
  },
  validate(o, old, ctx) {
    const out: StatusCause[] = [];
    const name = String(o.metadata?.name ?? "");
    if (typeof o.value !== "number" || !Number.isInteger(o.value)) out.push(cause.required("value"));
    if (!old && name.startsWith("system-")) {
      const sys = SYSTEM_PRIORITY_CLASSES.find((c) => c.name === name);
      if (!sys || !ctx.internal)
        out.push(cause.forbidden("metadata.name", `priority class names with 'system-' prefix are reserved for system use only. error: priority class ${name} is not a known system priority class`));
    } else if (!name.startsWith("system-") && typeof o.value === "number" && o.value > 1000000000) {
      out.push(cause.forbidden("value", "maximum allowed value of a user defined priority is 1000000000"));
    }
    if (old && old.value !== o.value) out.push(cause.forbidden("value", "may not be changed in an update."));
    if (old && old.preemptionPolicy !== o.preemptionPolicy) out.push(cause.invalid("preemptionPolicy", o.preemptionPolicy, "field is immutable"));
    const pp = o.preemptionPolicy;
    if (pp !== undefined && !["Never", "PreemptLowerPriority"].includes(pp)) out.push(cause.notSupported("preemptionPolicy", pp, ["Never", "PreemptLowerPriority"]));
    return out;
  },
  columns: [
    nameCol,
    col("Value", "integer", (o) => num(o.value)),
    col("Global-Default", "boolean", (o) => !!o.globalDefault),
    ageCol,
    col("PreemptionPolicy", "string", (o) => o.preemptionPolicy ?? ""),
  ],
};

export const runtimeclasses: Strategy = {
  info: { group: "node.k8s.io", version: "v1", resource: "runtimeclasses", kind: "RuntimeClass", singular: "runtimeclass", namespaced: false, subresources: [] },
  fields: ["handler", "overhead", "scheduling"],
  validate(o, old) {
    const out: StatusCause[] = [];
    if (!o.handler) out.push(cause.required("handler"));
    else if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.handler))
      out.push(cause.invalid("handler", o.handler, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
    if (old && old.handler !== o.handler) out.push(cause.invalid("handler", o.handler, "field is immutable"));
    return out;
  },
  columns: [nameCol, col("Handler", "string", (o) => o.handler ?? ""), ageCol],
};

export const policyKinds: Strategy[] = [poddisruptionbudgets, resourcequotas, limitranges, podtemplates, replicationcontrollers, priorityclasses, runtimeclasses];

/** PDB selector as a requirement list (null selector matches nothing). */
export function pdbSelector(pdb: Obj): ReturnType<typeof fromStructured> | undefined {
  return isObj(pdb.spec?.selector) ? fromStructured(pdb.spec.selector) : undefined;
}
