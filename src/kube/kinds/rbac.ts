// rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding
// (k/k pkg/apis/rbac/validation). Authorization itself lives in src/kube/auth/.
import { infoFor } from "./info.js";
import { cause, type StatusCause } from "../errors.js";
import type { Strategy, TableColumn } from "../types.js";
import { isObj, type Obj } from "../util.js";
import { ageCol, col, nameCol } from "./common.js";

const rbac = infoFor("rbac.authorization.k8s.io", "v1");

const createdAt: TableColumn = col("Created At", "date", (o) => o.metadata?.creationTimestamp ?? "");

function validateRules(rules: unknown, path: string, namespaced: boolean): StatusCause[] {
  const out: StatusCause[] = [];
  if (rules === undefined || rules === null) return out;
  if (!Array.isArray(rules)) return [cause.invalid(path, rules, "must be a list")];
  rules.forEach((r, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(r)) {
      out.push(cause.invalid(p, r, "must be an object"));
      return;
    }
    if (!Array.isArray(r.verbs) || r.verbs.length === 0) out.push(cause.required(`${p}.verbs`, "verbs must contain at least one value"));
    const nonRes = Array.isArray(r.nonResourceURLs) && r.nonResourceURLs.length > 0;
    if (nonRes) {
      if (namespaced) out.push(cause.invalid(`${p}.nonResourceURLs`, r.nonResourceURLs, "namespaced rules cannot apply to non-resource URLs"));
      if ((r.apiGroups ?? []).length || (r.resources ?? []).length)
        out.push(cause.invalid(`${p}.nonResourceURLs`, r.nonResourceURLs, "rules cannot apply to both regular resources and non-resource URLs"));
      return;
    }
    if (!Array.isArray(r.apiGroups) || r.apiGroups.length === 0)
      out.push(cause.required(`${p}.apiGroups`, "resource rules must supply at least one api group"));
    if (!Array.isArray(r.resources) || r.resources.length === 0)
      out.push(cause.required(`${p}.resources`, "resource rules must supply at least one resource"));
  });
  return out;
}

function validateBinding(o: Obj, old: Obj | undefined, namespaced: boolean): StatusCause[] {
  const out: StatusCause[] = [];
  const ref = o.roleRef;
  if (!isObj(ref)) return [cause.required("roleRef.name")];
  if (ref.apiGroup !== "rbac.authorization.k8s.io") out.push(cause.notSupported("roleRef.apiGroup", ref.apiGroup ?? "", ["rbac.authorization.k8s.io"]));
  const kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"];
  if (!kinds.includes(ref.kind)) out.push(cause.notSupported("roleRef.kind", ref.kind ?? "", kinds));
  if (!ref.name) out.push(cause.required("roleRef.name"));
  if (old && JSON.stringify(old.roleRef) !== JSON.stringify(ref)) out.push(cause.invalid("roleRef", ref, "cannot change roleRef"));
  const subs = o.subjects;
  if (subs !== undefined && subs !== null) {
    if (!Array.isArray(subs)) out.push(cause.invalid("subjects", subs, "must be a list"));
    else
      subs.forEach((s: Obj, i: number) => {
        const p = `subjects[${i}]`;
        if (!isObj(s)) return out.push(cause.invalid(p, s, "must be an object"));
        if (!s.name) out.push(cause.required(`${p}.name`));
        if (!["ServiceAccount", "User", "Group"].includes(s.kind)) out.push(cause.notSupported(`${p}.kind`, s.kind ?? "", ["ServiceAccount", "User", "Group"]));
        else if (s.kind === "ServiceAccount") {
          if (s.apiGroup) out.push(cause.notSupported(`${p}.apiGroup`, s.apiGroup, [""]));
          if (!namespaced && !s.namespace) out.push(cause.required(`${p}.namespace`));
        } else if (s.apiGroup !== "rbac.authorization.k8s.io") out.push(cause.notSupported(`${p}.apiGroup`, s.apiGroup ?? "", ["rbac.authorization.k8s.io"]));
      });
  }
  return out;
}

function subjectNames(kind: string): (o: Obj) => string {
  return (o) => ((o.subjects ?? []) as Obj[]).filter((s) => s.kind === kind).map((s) => (kind === "ServiceAccount" ? `${s.namespace ?? o.metadata?.namespace ?? ""}/${s.name}` : s.name)).join(", ");
}

const bindingColumns: TableColumn[] = [
  nameCol,
  col("Role", "string", (o) => `${o.roleRef?.kind ?? ""}/${o.roleRef?.name ?? ""}`),
  ageCol,
  col("Users", "string", subjectNames("User"), 1),
  col("Groups", "string", subjectNames("Group"), 1),
  col("ServiceAccounts", "string", subjectNames("ServiceAccount"), 1),
];

const ruleMeta = {};

export const roles: Strategy = {
  info: rbac("roles", "Role", true),
  pathSegmentName: true,
  fields: ["rules"],
  validate: (o) => validateRules(o.rules, "rules", true),
  columns: [nameCol, createdAt],
  patchMeta: ruleMeta,
};

export const clusterroles: Strategy = {
  info: rbac("clusterroles", "ClusterRole", false),
  pathSegmentName: true,
  fields: ["rules", "aggregationRule"],
  validate(o) {
    const out = validateRules(o.rules, "rules", false);
    const ar = o.aggregationRule;
    if (isObj(ar) && (!Array.isArray(ar.clusterRoleSelectors) || ar.clusterRoleSelectors.length === 0))
      out.push(cause.required("aggregationRule.clusterRoleSelectors", "at least one clusterRoleSelector required if aggregationRule is non-nil"));
    return out;
  },
  columns: [nameCol, createdAt],
};

export const rolebindings: Strategy = {
  info: rbac("rolebindings", "RoleBinding", true),
  pathSegmentName: true,
  fields: ["roleRef", "subjects"],
  validate: (o, old) => validateBinding(o, old, true),
  columns: bindingColumns,
};

export const clusterrolebindings: Strategy = {
  info: rbac("clusterrolebindings", "ClusterRoleBinding", false),
  pathSegmentName: true,
  fields: ["roleRef", "subjects"],
  validate: (o, old) => validateBinding(o, old, false),
  columns: bindingColumns,
};

export const rbacKinds: Strategy[] = [clusterrolebindings, clusterroles, rolebindings, roles];
