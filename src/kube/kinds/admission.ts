// Cluster-level configuration kinds: admissionregistration.k8s.io (webhooks, admission
// policies), certificates.k8s.io CSRs, flowcontrol.apiserver.k8s.io and apiregistration.k8s.io.
// Webhook calls themselves are in src/kube/admission/webhooks.ts.
import { cause, type StatusCause } from "../errors.js";
import type { Strategy } from "../types.js";
import { humanDuration, isObj, type Obj } from "../util.js";
import { ageCol, col, nameCol } from "./common.js";

const info = (group: string, resource: string, kind: string, extra: Partial<Strategy["info"]> = {}): Strategy["info"] => ({
  group,
  version: "v1",
  resource,
  kind,
  singular: kind.toLowerCase(),
  namespaced: false,
  subresources: [],
  ...extra,
});

const AR = "admissionregistration.k8s.io";

function defaultWebhooks(o: Obj, mutating: boolean): void {
  for (const w of (o.webhooks ?? []) as Obj[]) {
    if (!isObj(w)) continue;
    w.failurePolicy ??= "Fail";
    w.matchPolicy ??= "Equivalent";
    w.namespaceSelector ??= {};
    w.objectSelector ??= {};
    w.timeoutSeconds ??= 10;
    if (mutating) w.reinvocationPolicy ??= "Never";
    for (const r of (w.rules ?? []) as Obj[]) if (isObj(r)) r.scope ??= "*";
    if (isObj(w.clientConfig?.service)) w.clientConfig.service.port ??= 443;
  }
}

function validateWebhooks(o: Obj): StatusCause[] {
  const out: StatusCause[] = [];
  const seen = new Set<string>();
  ((o.webhooks ?? []) as Obj[]).forEach((w, i) => {
    const p = `webhooks[${i}]`;
    if (!w.name) out.push(cause.required(`${p}.name`));
    else if (!String(w.name).includes(".")) out.push(cause.invalid(`${p}.name`, w.name, "should be a domain with at least three segments separated by dots"));
    else if (seen.has(w.name)) out.push(cause.duplicate(`${p}.name`, w.name));
    seen.add(w.name);
    if (!["None", "NoneOnDryRun"].includes(w.sideEffects)) {
      if (w.sideEffects === undefined) out.push(cause.required(`${p}.sideEffects`));
      else out.push(cause.notSupported(`${p}.sideEffects`, w.sideEffects, ["None", "NoneOnDryRun"]));
    }
    if (!Array.isArray(w.admissionReviewVersions) || !w.admissionReviewVersions.length) out.push(cause.required(`${p}.admissionReviewVersions`));
    if (!["Fail", "Ignore"].includes(w.failurePolicy)) out.push(cause.notSupported(`${p}.failurePolicy`, w.failurePolicy, ["Fail", "Ignore"]));
    const t = w.timeoutSeconds;
    if (typeof t !== "number" || t < 1 || t > 30) out.push(cause.invalid(`${p}.timeoutSeconds`, t, "the timeout value must be between 1 and 30 seconds"));
    const cc = w.clientConfig;
    if (!isObj(cc) || (!cc.url && !cc.service)) out.push(cause.required(`${p}.clientConfig`, "exactly one of url or service is required"));
    else if (cc.url && cc.service) out.push(cause.required(`${p}.clientConfig`, "exactly one of url or service is required"));
    else if (isObj(cc.service) && (!cc.service.name || !cc.service.namespace)) out.push(cause.required(`${p}.clientConfig.service.${cc.service.name ? "namespace" : "name"}`, "service namespace is required"));
  });
  return out;
}

const webhookColumns = [nameCol, col("Webhooks", "integer", (o: Obj) => ((o.webhooks ?? []) as Obj[]).length), ageCol];

export const validatingwebhookconfigurations: Strategy = {
  info: info(AR, "validatingwebhookconfigurations", "ValidatingWebhookConfiguration"),
  fields: ["webhooks"],
  prepareForCreate: (o) => defaultWebhooks(o, false),
  prepareForUpdate: (o) => defaultWebhooks(o, false),
  validate: validateWebhooks,
  columns: webhookColumns,
  patchMeta: { webhooks: { key: "name" }, "webhooks.matchConditions": { key: "name" } },
};

export const mutatingwebhookconfigurations: Strategy = {
  info: info(AR, "mutatingwebhookconfigurations", "MutatingWebhookConfiguration"),
  fields: ["webhooks"],
  prepareForCreate: (o) => defaultWebhooks(o, true),
  prepareForUpdate: (o) => defaultWebhooks(o, true),
  validate: validateWebhooks,
  columns: webhookColumns,
  patchMeta: { webhooks: { key: "name" }, "webhooks.matchConditions": { key: "name" } },
};

export const validatingadmissionpolicies: Strategy = {
  info: info(AR, "validatingadmissionpolicies", "ValidatingAdmissionPolicy", { subresources: ["status"] }),
  statusSubresource: true,
  generation: "spec",
  fields: ["spec", "status"],
  prepareForCreate(o) {
    o.spec = isObj(o.spec) ? o.spec : {};
    o.spec.failurePolicy ??= "Fail";
    o.status = {};
  },
  validate(o) {
    const out: StatusCause[] = [];
    const s = o.spec ?? {};
    if (!["Fail", "Ignore"].includes(s.failurePolicy)) out.push(cause.notSupported("spec.failurePolicy", s.failurePolicy, ["Fail", "Ignore"]));
    if (!s.validations?.length && !s.auditAnnotations?.length) out.push(cause.required("spec.validations", "validations or auditAnnotations must contain at least one item"));
    ((s.validations ?? []) as Obj[]).forEach((v, i) => {
      if (!v.expression) out.push(cause.required(`spec.validations[${i}].expression`));
    });
    return out;
  },
  columns: [
    nameCol,
    col("Validations", "integer", (o) => ((o.spec?.validations ?? []) as Obj[]).length),
    col("ParamKind", "string", (o) => (o.spec?.paramKind ? `${o.spec.paramKind.apiVersion}/${o.spec.paramKind.kind}` : "<unset>")),
    ageCol,
  ],
  patchMeta: { "spec.matchConditions": { key: "name" }, "spec.variables": { key: "name" }, "status.conditions": { key: "type" } },
};

export const validatingadmissionpolicybindings: Strategy = {
  info: info(AR, "validatingadmissionpolicybindings", "ValidatingAdmissionPolicyBinding"),
  generation: "spec",
  fields: ["spec"],
  validate(o) {
    const out: StatusCause[] = [];
    if (!o.spec?.policyName) out.push(cause.required("spec.policyName"));
    const va = (o.spec?.validationActions ?? []) as string[];
    if (!va.length) out.push(cause.required("spec.validationActions"));
    va.forEach((a, i) => {
      if (!["Deny", "Warn", "Audit"].includes(a)) out.push(cause.notSupported(`spec.validationActions[${i}]`, a, ["Audit", "Deny", "Warn"]));
    });
    return out;
  },
  columns: [
    nameCol,
    col("PolicyName", "string", (o) => o.spec?.policyName ?? ""),
    col("ParamRef", "string", (o) => (o.spec?.paramRef ? `${o.spec.paramRef.namespace ?? ""}/${o.spec.paramRef.name ?? "*"}` : "<unset>")),
    ageCol,
  ],
};

// --- certificates.k8s.io ----------------------------------------------------------------------

const SIGNERS = ["kubernetes.io/kube-apiserver-client", "kubernetes.io/kube-apiserver-client-kubelet", "kubernetes.io/kubelet-serving"];

export const certificatesigningrequests: Strategy = {
  info: info("certificates.k8s.io", "certificatesigningrequests", "CertificateSigningRequest", { shortNames: ["csr"], subresources: ["status", "approval"] }),
  statusSubresource: true,
  fields: ["spec", "status"],
  specFields: ["request", "signerName", "expirationSeconds", "usages", "username", "uid", "groups", "extra"],
  prepareForCreate(o) {
    o.spec = isObj(o.spec) ? o.spec : {};
    o.status = {};
  },
  validate(o, old) {
    const out: StatusCause[] = [];
    const s = o.spec ?? {};
    if (!s.request) out.push(cause.required("spec.request"));
    else {
      const pem = Buffer.from(String(s.request), "base64").toString("utf8");
      if (!/-----BEGIN CERTIFICATE REQUEST-----/.test(pem)) out.push(cause.invalid("spec.request", "", "PEM block type must be CERTIFICATE REQUEST"));
    }
    if (!s.signerName) out.push(cause.required("spec.signerName"));
    else if (!String(s.signerName).includes("/")) out.push(cause.invalid("spec.signerName", s.signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'"));
    if (s.expirationSeconds !== undefined && (typeof s.expirationSeconds !== "number" || s.expirationSeconds < 600))
      out.push(cause.invalid("spec.expirationSeconds", s.expirationSeconds, "may not specify a duration less than 600 seconds (10 minutes)"));
    if (old && JSON.stringify(old.spec) !== JSON.stringify(o.spec)) out.push(cause.invalid("spec", "", "field is immutable"));
    return out;
  },
  columns: [
    nameCol,
    ageCol,
    col("SignerName", "string", (o) => o.spec?.signerName ?? ""),
    col("Requestor", "string", (o) => o.spec?.username ?? ""),
    col("RequestedDuration", "string", (o) => (o.spec?.expirationSeconds ? humanDuration(o.spec.expirationSeconds * 1000) : "<none>")),
    col("Condition", "string", (o) => {
      const conds = ((o.status?.conditions ?? []) as Obj[]).map((c) => c.type);
      const out = conds.length ? conds.join(",") : "Pending";
      return o.status?.certificate && conds.includes("Approved") ? `${out},Issued` : out;
    }),
  ],
  patchMeta: { "status.conditions": { key: "type" } },
};

export { SIGNERS as BUILTIN_SIGNERS };

// --- flowcontrol and apiregistration (served as AKS shows them; not enforced) -----------------

const FC = "flowcontrol.apiserver.k8s.io";

export const flowschemas: Strategy = {
  info: info(FC, "flowschemas", "FlowSchema", { subresources: ["status"] }),
  statusSubresource: true,
  fields: ["spec", "status"],
  prepareForCreate(o) {
    o.spec = isObj(o.spec) ? o.spec : {};
    o.spec.matchingPrecedence ??= 1000;
    o.status = {};
  },
  validate: (o) => (o.spec?.priorityLevelConfiguration?.name ? [] : [cause.required("spec.priorityLevelConfiguration.name", "must reference a priority level")]),
  columns: [
    nameCol,
    col("PriorityLevel", "string", (o) => o.spec?.priorityLevelConfiguration?.name ?? ""),
    col("MatchingPrecedence", "integer", (o) => o.spec?.matchingPrecedence ?? 0),
    col("DistinguisherMethod", "string", (o) => o.spec?.distinguisherMethod?.type ?? "<none>"),
    ageCol,
    col("MissingPL", "string", () => "False"),
  ],
  patchMeta: { "status.conditions": { key: "type" } },
};

export const prioritylevelconfigurations: Strategy = {
  info: info(FC, "prioritylevelconfigurations", "PriorityLevelConfiguration", { subresources: ["status"] }),
  statusSubresource: true,
  fields: ["spec", "status"],
  prepareForCreate(o) {
    o.spec = isObj(o.spec) ? o.spec : {};
    o.status = {};
  },
  validate: (o) => (["Exempt", "Limited"].includes(o.spec?.type) ? [] : [cause.notSupported("spec.type", o.spec?.type ?? "", ["Exempt", "Limited"])]),
  columns: [
    nameCol,
    col("Type", "string", (o) => o.spec?.type ?? ""),
    col("NominalConcurrencyShares", "string", (o) => String(o.spec?.limited?.nominalConcurrencyShares ?? "<none>")),
    col("Queues", "string", (o) => String(o.spec?.limited?.limitResponse?.queuing?.queues ?? "<none>")),
    col("HandSize", "string", (o) => String(o.spec?.limited?.limitResponse?.queuing?.handSize ?? "<none>")),
    col("QueueLengthLimit", "string", (o) => String(o.spec?.limited?.limitResponse?.queuing?.queueLengthLimit ?? "<none>")),
    ageCol,
  ],
  patchMeta: { "status.conditions": { key: "type" } },
};

/** Aggregated APIs whose backend aksemu runs in-process: kube-system/metrics-server (metrics.k8s.io). */
export const IN_PROCESS_SERVICES = new Set(["kube-system/metrics-server"]);

export const apiservices: Strategy = {
  info: info("apiregistration.k8s.io", "apiservices", "APIService", { subresources: ["status"] }),
  statusSubresource: true,
  fields: ["spec", "status"],
  prepareForCreate(o) {
    o.spec = isObj(o.spec) ? o.spec : {};
    // Local (service-less) APIServices are served by kube-apiserver itself; of the remote ones only
    // metrics-server's (computed in-process, src/kube/metrics.ts) has a backend here.
    const svc = o.spec.service;
    o.status = svc && IN_PROCESS_SERVICES.has(`${svc.namespace}/${svc.name}`)
      ? { conditions: [{ type: "Available", status: "True", reason: "Passed", message: "all checks passed", lastTransitionTime: o.metadata.creationTimestamp }] }
      : svc
      ? { conditions: [{ type: "Available", status: "False", reason: "ServiceNotFound", message: `service/${o.spec.service.name} in "${o.spec.service.namespace}" is not present`, lastTransitionTime: o.metadata.creationTimestamp }] }
      : { conditions: [{ type: "Available", status: "True", reason: "Local", message: "Local APIServices are always available", lastTransitionTime: o.metadata.creationTimestamp }] };
  },
  validate(o) {
    const out: StatusCause[] = [];
    const s = o.spec ?? {};
    if (!s.version) out.push(cause.required("spec.version"));
    if (o.metadata?.name !== `${s.version}.${s.group ?? ""}`.replace(/\.$/, "") && o.metadata?.name !== `${s.version}.${s.group}`)
      out.push(cause.invalid("metadata.name", o.metadata?.name, `must be ${s.version}.${s.group}`));
    return out;
  },
  columns: [
    nameCol,
    col("Service", "string", (o) => (o.spec?.service ? `${o.spec.service.namespace}/${o.spec.service.name}` : "Local")),
    col("Available", "string", (o) => {
      const c = ((o.status?.conditions ?? []) as Obj[]).find((x) => x.type === "Available");
      return c ? (c.status === "True" ? "True" : `${c.status} (${c.reason})`) : "Unknown";
    }),
    ageCol,
  ],
  patchMeta: { "status.conditions": { key: "type" } },
};

export const admissionKinds: Strategy[] = [
  mutatingwebhookconfigurations,
  validatingadmissionpolicies,
  validatingadmissionpolicybindings,
  validatingwebhookconfigurations,
  certificatesigningrequests,
  flowschemas,
  prioritylevelconfigurations,
  apiservices,
];
