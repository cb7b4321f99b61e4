// apiextensions.k8s.io/v1 CustomResourceDefinition: defaults, validation (apiextensions
// validation.go texts) and the Established/NamesAccepted conditions, set at once on write
// (kube-apiserver takes ~1 s; clients waiting for condition=established see it immediately).
// The custom resources themselves are served by src/kube/crd/custom.ts.
import { structuralErrors } from "../crd/schema.js";
import { cause, type StatusCause } from "../errors.js";
import type { Strategy } from "../types.js";
import { isObj, type Obj } from "../util.js";
import { col, nameCol } from "./common.js";

const COLUMN_TYPES = ["boolean", "date", "integer", "number", "string"];

function defaults(o: Obj): void {
  o.spec = isObj(o.spec) ? o.spec : {};
  const s = o.spec;
  s.names = isObj(s.names) ? s.names : {};
  if (s.names.kind) {
    s.names.singular ??= String(s.names.kind).toLowerCase();
    s.names.listKind ??= `${s.names.kind}List`;
  }
  s.conversion ??= { strategy: "None" };
  if (s.conversion.strategy === "Webhook" && isObj(s.conversion.webhook?.clientConfig?.service)) s.conversion.webhook.clientConfig.service.port ??= 443;
}

function condition(type: string, status: string, reason: string, message: string, now: string): Obj {
  return { type, status, lastTransitionTime: now, reason, message };
}

function setStatus(o: Obj, now: string): void {
  const s = o.spec;
  const st = (o.status = isObj(o.status) ? o.status : {});
  st.acceptedNames = { ...s.names };
  const conds = (st.conditions ?? []) as Obj[];
  const keep = (t: string) => conds.find((c) => c.type === t && c.status === "True");
  st.conditions = [
    keep("NamesAccepted") ?? condition("NamesAccepted", "True", "NoConflicts", "no conflicts found", now),
    keep("Established") ?? condition("Established", "True", "InitialNamesAccepted", "the initial names have been accepted", now),
  ];
  const storage = ((s.versions ?? []) as Obj[]).find((v) => v.storage)?.name;
  const stored = new Set<string>((st.storedVersions ?? []) as string[]);
  if (storage) stored.add(storage);
  st.storedVersions = [...stored];
}

function validate(o: Obj, old: Obj | undefined): StatusCause[] {
  const out: StatusCause[] = [];
  const s = o.spec ?? {};
  const n = s.names ?? {};
  const group = String(s.group ?? "");
  if (!group) out.push(cause.required("spec.group"));
  else if (!group.includes(".")) out.push(cause.invalid("spec.group", group, "should be a domain with at least one dot"));
  if (!n.plural) out.push(cause.required("spec.names.plural"));
  if (!n.kind) out.push(cause.required("spec.names.kind"));
  if (n.plural && group && o.metadata?.name !== `${n.plural}.${group}`)
    out.push(cause.invalid("metadata.name", o.metadata?.name ?? "", 'must be spec.names.plural+"."+spec.group'));
  if (n.kind && n.listKind === n.kind) out.push(cause.invalid("spec.names.listKind", n.listKind, "kind and listKind may not be the same"));
  for (const k of ["plural", "singular"] as const)
    if (n[k] && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n[k]))
      out.push(cause.invalid(`spec.names.${k}`, n[k], "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
  if (!["Namespaced", "Cluster"].includes(s.scope)) {
    if (s.scope === undefined) out.push(cause.required("spec.scope"));
    else out.push(cause.notSupported("spec.scope", s.scope, ["Cluster", "Namespaced"]));
  }
  if (old && old.spec?.scope !== s.scope) out.push(cause.invalid("spec.scope", s.scope, "field is immutable"));
  if (s.preserveUnknownFields === true)
    out.push(cause.invalid("spec.preserveUnknownFields", true, "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead"));
  if (/(^|\.)k8s\.io$|(^|\.)kubernetes\.io$/.test(group)) {
    const a = o.metadata?.annotations?.["api-approved.kubernetes.io"];
    if (!a) out.push(cause.required("metadata.annotations[api-approved.kubernetes.io]", `protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111`));
  }
  const versions = (Array.isArray(s.versions) ? s.versions : []) as Obj[];
  if (!versions.length) out.push(cause.invalid("spec.versions", versions, "must have exactly one version marked as storage version"));
  const names = new Set<string>();
  let storage = 0;
  versions.forEach((v, i) => {
    const p = `spec.versions[${i}]`;
    if (!v.name) out.push(cause.required(`${p}.name`));
    else if (names.has(v.name)) out.push(cause.invalid("spec.versions", versions, "must contain unique version names"));
    names.add(v.name);
    if (v.storage) storage++;
    if (typeof v.served !== "boolean") out.push(cause.required(`${p}.served`));
    const hasStatus = isObj(v.subresources?.status);
    out.push(...structuralErrors(v.schema?.openAPIV3Schema, `${p}.schema.openAPIV3Schema`, hasStatus));
    ((v.additionalPrinterColumns ?? []) as Obj[]).forEach((c, j) => {
      const cp = `${p}.additionalPrinterColumns[${j}]`;
      if (!c.name) out.push(cause.required(`${cp}.name`));
      if (!COLUMN_TYPES.includes(c.type)) out.push(cause.notSupported(`${cp}.type`, c.type ?? "", COLUMN_TYPES));
      if (!c.jsonPath) out.push(cause.required(`${cp}.JSONPath`));
    });
    const sc = v.subresources?.scale;
    if (isObj(sc)) {
      if (!String(sc.specReplicasPath ?? "").startsWith(".spec.")) out.push(cause.invalid(`${p}.subresources.scale.specReplicasPath`, sc.specReplicasPath ?? "", "should be a json path under .spec"));
      if (!String(sc.statusReplicasPath ?? "").startsWith(".status.")) out.push(cause.invalid(`${p}.subresources.scale.statusReplicasPath`, sc.statusReplicasPath ?? "", "should be a json path under .status"));
      if (sc.labelSelectorPath !== undefined && !/^\.(spec|status)\./.test(sc.labelSelectorPath))
        out.push(cause.invalid(`${p}.subresources.scale.labelSelectorPath`, sc.labelSelectorPath, "should be a json path under either .spec or .status"));
    }
  });
  if (versions.length && storage !== 1) out.push(cause.invalid("spec.versions", versions, "must have exactly one version marked as storage version"));
  if (!["None", "Webhook"].includes(s.conversion?.strategy)) out.push(cause.notSupported("spec.conversion.strategy", s.conversion?.strategy ?? "", ["None", "Webhook"]));
  return out;
}

export const customresourcedefinitions: Strategy = {
  info: {
    group: "apiextensions.k8s.io",
    version: "v1",
    resource: "customresourcedefinitions",
    kind: "CustomResourceDefinition",
    singular: "customresourcedefinition",
    namespaced: false,
    shortNames: ["crd", "crds"],
    categories: ["api-extensions"],
    subresources: ["status"],
  },
  statusSubresource: true,
  generation: "spec",
  fields: ["spec", "status"],
  specFields: ["group", "names", "scope", "versions", "conversion", "preserveUnknownFields"],
  prepareForCreate(o, ctx) {
    defaults(o);
    o.status = {};
    setStatus(o, o.metadata.creationTimestamp ?? new Date(ctx.now).toISOString().replace(/\.\d+Z$/, "Z"));
  },
  prepareForUpdate(o, _old, ctx) {
    defaults(o);
    setStatus(o, new Date(ctx.now).toISOString().replace(/\.\d+Z$/, "Z"));
  },
  validate,
  columns: [nameCol, col("Created At", "date", (o) => o.metadata?.creationTimestamp ?? "")],
  // spec.versions is +listType=atomic in kube: a patch or apply replaces the whole list.
  patchMeta: { "status.conditions": { key: "type" } },
};

export const apiextensionsKinds: Strategy[] = [customresourcedefinitions];
