// Kinds outside core and apps: leases, events.k8s.io, endpointslices, storage classes, batch.
import { cause } from "../errors.js";
import type { Strategy } from "../types.js";
import { isObj, type Obj } from "../util.js";
import { ageCol, col, nameCol, num } from "./common.js";
import { eventColumns } from "./core.js";
import { CONDITIONS_META, containerImages, containerNames, defaultPodSpec, podSpecPatchMeta, validatePodSpec } from "./podspec.js";

export const leases: Strategy = {
  info: { group: "coordination.k8s.io", version: "v1", resource: "leases", kind: "Lease", singular: "lease", namespaced: true, subresources: [] },
  fields: ["spec"],
  columns: [nameCol, col("Holder", "string", (o) => o.spec?.holderIdentity ?? ""), ageCol],
};

// events.k8s.io/v1 is a view of the core/v1 Event storage (as in kube-apiserver).
const RENAMES: [string, string][] = [
  ["note", "message"],
  ["deprecatedSource", "source"],
  ["deprecatedFirstTimestamp", "firstTimestamp"],
  ["deprecatedLastTimestamp", "lastTimestamp"],
  ["deprecatedCount", "count"],
  ["regarding", "involvedObject"],
  ["reportingController", "reportingComponent"],
];

export const eventsV1: Strategy = {
  info: {
    group: "events.k8s.io",
    version: "v1",
    resource: "events",
    kind: "Event",
    singular: "event",
    namespaced: true,
    shortNames: ["ev"],
    subresources: [],
    storage: "core/events",
  },
  fields: [
    "action", "deprecatedCount", "deprecatedFirstTimestamp", "deprecatedLastTimestamp", "deprecatedSource", "eventTime", "note", "reason",
    "regarding", "related", "reportingController", "reportingInstance", "series", "type",
  ],
  toStorage(o: Obj): Obj {
    const out: Obj = { ...o, apiVersion: "v1" };
    for (const [v1, core] of RENAMES) {
      if (v1 in out) {
        out[core] = out[v1];
        delete out[v1];
      }
    }
    return out;
  },
  fromStorage(o: Obj): Obj {
    const out: Obj = { ...o, apiVersion: "events.k8s.io/v1" };
    for (const [v1, core] of RENAMES) {
      if (core in out) {
        out[v1] = out[core];
        delete out[core];
      }
    }
    return out;
  },
  validate(o) {
    if (!o.eventTime) return [cause.required("eventTime")];
    return [];
  },
  fieldSelectors: {
    "regarding.kind": (o) => o.involvedObject?.kind ?? "",
    "regarding.name": (o) => o.involvedObject?.name ?? "",
    "regarding.namespace": (o) => o.involvedObject?.namespace ?? "",
    "regarding.uid": (o) => o.involvedObject?.uid ?? "",
    reason: (o) => o.reason ?? "",
    reportingController: (o) => o.reportingComponent ?? "",
    type: (o) => o.type ?? "",
  },
  columns: eventColumns,
};

export const endpointslices: Strategy = {
  info: {
    group: "discovery.k8s.io",
    version: "v1",
    resource: "endpointslices",
    kind: "EndpointSlice",
    singular: "endpointslice",
    namespaced: true,
    subresources: [],
  },
  fields: ["addressType", "endpoints", "ports"],
  validate(o) {
    return o.addressType ? [] : [cause.required("addressType")];
  },
  columns: [
    nameCol,
    col("AddressType", "string", (o) => o.addressType ?? ""),
    col("Ports", "string", (o) => {
      const ps = (o.ports ?? []) as Obj[];
      return ps.length ? ps.map((p) => p.port).join(",") : "<unset>";
    }),
    col("Endpoints", "string", (o) => {
      const ips = ((o.endpoints ?? []) as Obj[]).flatMap((e) => e.addresses ?? []);
      if (!ips.length) return "<unset>";
      return ips.length > 3 ? `${ips.slice(0, 3).join(",")} + ${ips.length - 3} more...` : ips.join(",");
    }),
    ageCol,
  ],
};

export const storageclasses: Strategy = {
  info: {
    group: "storage.k8s.io",
    version: "v1",
    resource: "storageclasses",
    kind: "StorageClass",
    singular: "storageclass",
    namespaced: false,
    shortNames: ["sc"],
    subresources: [],
  },
  fields: ["provisioner", "parameters", "reclaimPolicy", "mountOptions", "allowVolumeExpansion", "volumeBindingMode", "allowedTopologies"],
  prepareForCreate(o) {
    o.reclaimPolicy ??= "Delete";
    o.volumeBindingMode ??= "Immediate";
  },
  validate: (o) => (o.provisioner ? [] : [cause.required("provisioner")]),
  columns: [
    {
      ...nameCol,
      cell: (o) =>
        o.metadata?.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true" ? `${o.metadata.name} (default)` : o.metadata?.name,
    },
    col("Provisioner", "string", (o) => o.provisioner ?? ""),
    col("ReclaimPolicy", "string", (o) => o.reclaimPolicy ?? ""),
    col("VolumeBindingMode", "string", (o) => o.volumeBindingMode ?? ""),
    col("AllowVolumeExpansion", "string", (o) => String(!!o.allowVolumeExpansion)),
    ageCol,
  ],
};

const batch = (resource: string, kind: string, extra: Partial<Strategy["info"]> = {}): Strategy["info"] => ({
  group: "batch",
  version: "v1",
  resource,
  kind,
  singular: kind.toLowerCase(),
  namespaced: true,
  categories: ["all"],
  subresources: ["status"],
  ...extra,
});

export const jobs: Strategy = {
  info: batch("jobs", "Job"),
  statusSubresource: true,
  generation: "spec",
  fields: ["spec", "status"],
  prepareForCreate(o) {
    o.spec = isObj(o.spec) ? o.spec : {};
    const s = o.spec;
    s.completions ??= 1;
    s.parallelism ??= 1;
    s.backoffLimit ??= 6;
    s.completionMode ??= "NonIndexed";
    s.suspend ??= false;
    s.podReplacementPolicy ??= "TerminatedOrFailed";
    const uid = o.metadata.uid;
    const t = (s.template = isObj(s.template) ? s.template : {});
    t.metadata = isObj(t.metadata) ? t.metadata : {};
    t.metadata.labels = { "batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": o.metadata.name, "controller-uid": uid, "job-name": o.metadata.name, ...(t.metadata.labels ?? {}) };
    s.selector ??= { matchLabels: { "batch.kubernetes.io/controller-uid": uid } };
    t.spec = isObj(t.spec) ? t.spec : {};
    defaultPodSpec(t.spec);
    o.status = {};
  },
  validate(o) {
    const out = validatePodSpec(o.spec?.template?.spec, "spec.template.spec");
    const rp = o.spec?.template?.spec?.restartPolicy;
    if (rp === "Always") out.push(cause.notSupported("spec.template.spec.restartPolicy", rp, ["OnFailure", "Never"]));
    return out;
  },
  columns: [
    nameCol,
    col("Status", "string", (o) => {
      const c = ((o.status?.conditions ?? []) as Obj[]).find((x) => x.status === "True" && ["Complete", "Failed", "Suspended"].includes(x.type));
      return c ? c.type : "Running";
    }),
    col("Completions", "string", (o) => `${num(o.status?.succeeded)}/${o.spec?.completions ?? 1}`),
    col("Duration", "string", (o) => {
      const s = Date.parse(o.status?.startTime ?? "");
      if (Number.isNaN(s)) return "";
      const e = Date.parse(o.status?.completionTime ?? "") || Date.now();
      return `${Math.max(0, Math.round((e - s) / 1000))}s`;
    }),
    ageCol,
    col("Containers", "string", (o) => containerNames(o.spec?.template?.spec), 1),
    col("Images", "string", (o) => containerImages(o.spec?.template?.spec), 1),
  ],
  patchMeta: { ...podSpecPatchMeta("spec.template.spec"), ...CONDITIONS_META },
};

export const cronjobs: Strategy = {
  info: batch("cronjobs", "CronJob", { shortNames: ["cj"] }),
  statusSubresource: true,
  generation: "spec",
  fields: ["spec", "status"],
  prepareForCreate(o) {
    o.spec = isObj(o.spec) ? o.spec : {};
    o.spec.concurrencyPolicy ??= "Allow";
    o.spec.suspend ??= false;
    o.spec.successfulJobsHistoryLimit ??= 3;
    o.spec.failedJobsHistoryLimit ??= 1;
    const ts = o.spec.jobTemplate?.spec?.template?.spec;
    if (isObj(ts)) defaultPodSpec(ts);
    o.status = {};
  },
  validate: (o) => (o.spec?.schedule ? [] : [cause.required("spec.schedule")]),
  columns: [
    nameCol,
    col("Schedule", "string", (o) => o.spec?.schedule ?? ""),
    col("Timezone", "string", (o) => o.spec?.timeZone ?? "<none>"),
    col("Suspend", "boolean", (o) => !!o.spec?.suspend),
    col("Active", "integer", (o) => (o.status?.active ?? []).length),
    col("Last Schedule", "string", (o) => o.status?.lastScheduleTime ?? "<none>"),
    ageCol,
  ],
  patchMeta: podSpecPatchMeta("spec.jobTemplate.spec.template.spec"),
};

export const otherKinds: Strategy[] = [leases, eventsV1, endpointslices, storageclasses, jobs, cronjobs];
