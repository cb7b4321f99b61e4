// apps/v1 workloads: defaults, validation, generation rules and columns.
import { cause, type StatusCause } from "../errors.js";
import { fromStructured, matchLabels, selectorString } from "../selectors.js";
import type { Strategy } from "../types.js";
import { deepEqual, isObj, type Obj } from "../util.js";
import { ageCol, col, labelsString, nameCol, num } from "./common.js";
import { CONDITIONS_META, containerImages, containerNames, defaultPodSpec, podSpecPatchMeta, validatePodSpec } from "./podspec.js";

const apps = (resource: string, kind: string, extra: Partial<Strategy["info"]> = {}): Strategy["info"] => ({
  group: "apps",
  version: "v1",
  resource,
  kind,
  singular: kind.toLowerCase(),
  namespaced: true,
  categories: ["all"],
  subresources: ["status", "scale"],
  ...extra,
});

function defaultTemplate(o: Obj): void {
  o.spec = isObj(o.spec) ? o.spec : {};
  const t = (o.spec.template = isObj(o.spec.template) ? o.spec.template : {});
  t.metadata = isObj(t.metadata) ? t.metadata : {};
  t.metadata.creationTimestamp ??= null;
  t.spec = isObj(t.spec) ? t.spec : {};
  defaultPodSpec(t.spec);
}

/** Selector present, matching the template labels, immutable after create. */
export function validateSelectorTemplate(o: Obj, old: Obj | undefined, templateRequired = true): StatusCause[] {
  const out: StatusCause[] = [];
  const sel = o.spec?.selector;
  if (!isObj(sel) || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) {
    out.push(cause.required("spec.selector"));
  } else {
    const labels = o.spec?.template?.metadata?.labels;
    const reqs = fromStructured(sel)!;
    if (templateRequired && !matchLabels(reqs, labels))
      out.push(
        cause.invalid(
          "spec.template.metadata.labels",
          labels ?? {},
          "`selector` does not match template `labels`",
        ),
      );
  }
  if (old && !deepEqual(old.spec?.selector, o.spec?.selector)) {
    out.push(cause.invalid("spec.selector", o.spec?.selector ?? null, "field is immutable"));
  }
  if (templateRequired) out.push(...validatePodSpec(o.spec?.template?.spec, "spec.template.spec"));
  const rp = o.spec?.template?.spec?.restartPolicy;
  if (templateRequired && rp && rp !== "Always") out.push(cause.notSupported("spec.template.spec.restartPolicy", rp, ["Always"]));
  const r = o.spec?.replicas;
  if (r !== undefined && (typeof r !== "number" || r < 0 || !Number.isInteger(r)))
    out.push(cause.invalid("spec.replicas", r, "must be greater than or equal to 0"));
  return out;
}

const wideCols = [
  col("Containers", "string", (o: Obj) => containerNames(o.spec?.template?.spec), 1),
  col("Images", "string", (o: Obj) => containerImages(o.spec?.template?.spec), 1),
  col("Selector", "string", (o: Obj) => {
    const s = fromStructured(o.spec?.selector);
    return s && s.length ? selectorString(s) : "<none>";
  }, 1),
];

const workloadMeta = { ...podSpecPatchMeta("spec.template.spec"), ...CONDITIONS_META };

export const deployments: Strategy = {
  info: apps("deployments", "Deployment", { shortNames: ["deploy"] }),
  statusSubresource: true,
  generation: "spec+annotations",
  fields: ["spec", "status"],
  specFields: ["minReadySeconds", "paused", "progressDeadlineSeconds", "replicas", "revisionHistoryLimit", "selector", "strategy", "template"],
  prepareForCreate(o) {
    defaultTemplate(o);
    defaultDeploymentSpec(o.spec);
    o.status = {};
  },
  prepareForUpdate(o) {
    defaultTemplate(o);
    defaultDeploymentSpec(o.spec);
  },
  validate(o, old) {
    const out = validateSelectorTemplate(o, old);
    const st = o.spec?.strategy?.type;
    if (st && !["RollingUpdate", "Recreate"].includes(st)) out.push(cause.notSupported("spec.strategy.type", st, ["Recreate", "RollingUpdate"]));
    if (st === "Recreate" && o.spec?.strategy?.rollingUpdate)
      out.push(cause.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
    return out;
  },
  columns: [
    nameCol,
    col("Ready", "string", (o) => `${num(o.status?.readyReplicas)}/${num(o.spec?.replicas)}`, 0, "Number of the pod with ready state"),
    col("Up-to-date", "integer", (o) => num(o.status?.updatedReplicas), 0, "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
    col("Available", "integer", (o) => num(o.status?.availableReplicas), 0, "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
    ageCol,
    ...wideCols,
  ],
  patchMeta: { ...workloadMeta, "spec.strategy": { retainKeys: true } },
};

function defaultDeploymentSpec(s: Obj): void {
  s.replicas ??= 1;
  s.revisionHistoryLimit ??= 10;
  s.progressDeadlineSeconds ??= 600;
  s.strategy = isObj(s.strategy) ? s.strategy : {};
  s.strategy.type ??= "RollingUpdate";
  if (s.strategy.type === "RollingUpdate") {
    s.strategy.rollingUpdate = isObj(s.strategy.rollingUpdate) ? s.strategy.rollingUpdate : {};
    s.strategy.rollingUpdate.maxUnavailable ??= "25%";
    s.strategy.rollingUpdate.maxSurge ??= "25%";
  }
}

export const replicasets: Strategy = {
  info: apps("replicasets", "ReplicaSet", { shortNames: ["rs"] }),
  statusSubresource: true,
  generation: "spec",
  fields: ["spec", "status"],
  specFields: ["minReadySeconds", "replicas", "selector", "template"],
  prepareForCreate(o) {
    defaultTemplate(o);
    o.spec.replicas ??= 1;
    o.status = { replicas: 0 };
  },
  prepareForUpdate(o) {
    defaultTemplate(o);
    o.spec.replicas ??= 1;
  },
  validate: (o, old) => validateSelectorTemplate(o, old),
  fieldSelectors: { "status.replicas": (o) => String(num(o.status?.replicas)) },
  columns: [
    nameCol,
    col("Desired", "integer", (o) => num(o.spec?.replicas), 0, "Number of desired pods."),
    col("Current", "integer", (o) => num(o.status?.replicas), 0, "Number of actual replicas."),
    col("Ready", "integer", (o) => num(o.status?.readyReplicas), 0, "The number of ready replicas for this replica set."),
    ageCol,
    ...wideCols,
  ],
  patchMeta: workloadMeta,
};

export const daemonsets: Strategy = {
  info: apps("daemonsets", "DaemonSet", { shortNames: ["ds"], subresources: ["status"] }),
  statusSubresource: true,
  generation: "spec",
  fields: ["spec", "status"],
  specFields: ["minReadySeconds", "revisionHistoryLimit", "selector", "template", "updateStrategy"],
  prepareForCreate(o) {
    defaultTemplate(o);
    defaultDsSpec(o.spec);
    o.status = { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 };
  },
  prepareForUpdate(o) {
    defaultTemplate(o);
    defaultDsSpec(o.spec);
  },
  validate: (o, old) => validateSelectorTemplate(o, old),
  columns: [
    nameCol,
    col("Desired", "integer", (o) => num(o.status?.desiredNumberScheduled)),
    col("Current", "integer", (o) => num(o.status?.currentNumberScheduled)),
    col("Ready", "integer", (o) => num(o.status?.numberReady)),
    col("Up-to-date", "integer", (o) => num(o.status?.updatedNumberScheduled)),
    col("Available", "integer", (o) => num(o.status?.numberAvailable)),
    col("Node Selector", "string", (o) => labelsString(o.spec?.template?.spec?.nodeSelector)),
    ageCol,
    ...wideCols,
  ],
  patchMeta: { ...workloadMeta, "spec.updateStrategy": { retainKeys: true } },
};

function defaultDsSpec(s: Obj): void {
  s.revisionHistoryLimit ??= 10;
  s.updateStrategy = isObj(s.updateStrategy) ? s.updateStrategy : {};
  s.updateStrategy.type ??= "RollingUpdate";
  if (s.updateStrategy.type === "RollingUpdate") {
    s.updateStrategy.rollingUpdate = isObj(s.updateStrategy.rollingUpdate) ? s.updateStrategy.rollingUpdate : {};
    s.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
    s.updateStrategy.rollingUpdate.maxSurge ??= 0;
  }
}

export const statefulsets: Strategy = {
  info: apps("statefulsets", "StatefulSet", { shortNames: ["sts"] }),
  statusSubresource: true,
  generation: "spec",
  fields: ["spec", "status"],
  prepareForCreate(o) {
    defaultTemplate(o);
    const s = o.spec;
    s.replicas ??= 1;
    s.podManagementPolicy ??= "OrderedReady";
    s.revisionHistoryLimit ??= 10;
    s.updateStrategy ??= { type: "RollingUpdate", rollingUpdate: { partition: 0 } };
    s.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: "Retain", whenScaled: "Retain" };
    o.status = { replicas: 0, availableReplicas: 0 };
  },
  prepareForUpdate(o) {
    defaultTemplate(o);
  },
  validate: (o, old) => validateSelectorTemplate(o, old),
  columns: [nameCol, col("Ready", "string", (o) => `${num(o.status?.readyReplicas)}/${num(o.spec?.replicas)}`), ageCol, ...wideCols.slice(0, 2)],
  patchMeta: workloadMeta,
};

export const appsKinds: Strategy[] = [deployments, replicasets, daemonsets, statefulsets];
