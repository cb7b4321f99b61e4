// The RBAC authorizer (k/k plugin/pkg/auth/authorizer/rbac + pkg/registry/rbac/validation):
// visit the rules of every binding that applies to the user (ClusterRoleBindings, then the
// RoleBindings of the request namespace) and allow on the first matching rule. RBAC never
// denies; no match means Forbidden with the resolution errors as the reason.
import { strategyFor } from "../catalog.js";
import { qualified, StatusError } from "../errors.js";
import type { Reader, Registry } from "../registry.js";
import type { Strategy } from "../types.js";
import { isObj, type Obj } from "../util.js";

export interface UserInfo {
  name: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

export interface Attributes {
  user: UserInfo;
  verb: string;
  resourceRequest: boolean;
  namespace?: string;
  apiGroup?: string;
  apiVersion?: string;
  resource?: string;
  subresource?: string;
  name?: string;
  /** Non-resource requests. */
  path?: string;
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

const RBAC = "rbac.authorization.k8s.io";
const roleS = strategyFor("roles", RBAC);
const clusterRoleS = strategyFor("clusterroles", RBAC);
const bindingS = strategyFor("rolebindings", RBAC);
const clusterBindingS = strategyFor("clusterrolebindings", RBAC);

/** Members of system:masters bypass authorization (kube-apiserver's privileged group). */
export function isSuperUser(u: UserInfo): boolean {
  return u.groups.includes("system:masters");
}

function appliesTo(user: UserInfo, subjects: unknown, bindingNamespace: string): string | undefined {
  for (const s of (Array.isArray(subjects) ? subjects : []) as Obj[]) {
    if (!isObj(s)) continue;
    if (s.kind === "User" && s.name === user.name) return `User "${s.name}"`;
    if (s.kind === "Group" && user.groups.includes(s.name)) return `Group "${s.name}"`;
    if (s.kind === "ServiceAccount") {
      const ns = s.namespace || bindingNamespace;
      if (user.name === `system:serviceaccount:${ns}:${s.name}`) return `ServiceAccount "${s.name}/${ns}"`;
    }
  }
  return undefined;
}

function has(list: unknown, v: string): boolean {
  return Array.isArray(list) && (list.includes(v) || list.includes("*"));
}

function resourceMatches(rule: Obj, resource: string, subresource: string | undefined): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const r of (rule.resources ?? []) as string[]) {
    if (r === "*" || r === combined) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

export function ruleAllows(a: Attributes, rule: Obj): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.resourceRequest) {
    const path = a.path ?? "";
    return ((rule.nonResourceURLs ?? []) as string[]).some((u) => u === "*" || u === path || (u.endsWith("*") && path.startsWith(u.slice(0, -1))));
  }
  if (!has(rule.apiGroups, a.apiGroup ?? "")) return false;
  if (!resourceMatches(rule, a.resource ?? "", a.subresource)) return false;
  const names = (rule.resourceNames ?? []) as string[];
  return names.length === 0 || (!!a.name && names.includes(a.name));
}

interface Visit {
  rules: Obj[];
  source: string;
}

/** Every rule that applies to the user in the namespace (cluster bindings first), plus resolution errors. */
/** `r`: where the roles and bindings are read (a write's transaction, when the check is part of one). */
export function visitRules(reg: Registry, user: UserInfo, namespace: string | undefined, visit: (v: Visit) => boolean, r?: Reader): string[] {
  const errs: string[] = [];
  const roleRules = (ref: Obj, ns: string | undefined): Obj[] | undefined => {
    const isCluster = ref?.kind === "ClusterRole";
    if (ref?.kind !== "Role" && !isCluster) {
      errs.push(`unsupported role reference kind: "${ref?.kind}"`);
      return undefined;
    }
    const role = isCluster ? reg.tryGet(clusterRoleS, undefined, ref.name, r) : reg.tryGet(roleS, ns, ref.name, r);
    if (!role) {
      errs.push(isCluster ? `clusterrole.rbac.authorization.k8s.io "${ref.name}" not found` : `role.rbac.authorization.k8s.io "${ref.name}" not found`);
      return undefined;
    }
    return (role.rules ?? []) as Obj[];
  };
  const bindings = (st: Strategy, ns: string | undefined): Obj[] => (r ? reg.listIn(r, st, ns) : reg.list(st, ns).items);
  for (const b of bindings(clusterBindingS, undefined)) {
    const who = appliesTo(user, b.subjects, "");
    if (!who) continue;
    const rules = roleRules(b.roleRef, undefined);
    if (rules && !visit({ rules, source: `ClusterRoleBinding "${b.metadata.name}" of ClusterRole "${b.roleRef.name}" to ${who}` })) return errs;
  }
  if (namespace) {
    for (const b of bindings(bindingS, namespace)) {
      const who = appliesTo(user, b.subjects, namespace);
      if (!who) continue;
      const rules = roleRules(b.roleRef, namespace);
      if (rules && !visit({ rules, source: `RoleBinding "${b.metadata.name}/${namespace}" of ${b.roleRef.kind} "${b.roleRef.name}" to ${who}` })) return errs;
    }
  }
  return errs;
}

export function authorize(reg: Registry, a: Attributes, r?: Reader): Decision {
  if (isSuperUser(a.user)) return { allowed: true, reason: "" };
  let reason = "";
  const errs = visitRules(reg, a.user, a.resourceRequest ? a.namespace : undefined, (v) => {
    if (v.rules.some((r) => isObj(r) && ruleAllows(a, r))) {
      reason = `RBAC: allowed by ${v.source}`;
      return false;
    }
    return true;
  }, r);
  if (reason) return { allowed: true, reason };
  return { allowed: false, reason: errs.length ? `RBAC: ${errs.join(", ")}` : "" };
}

/** Rules the user holds in a namespace (SelfSubjectRulesReview, `kubectl auth can-i --list`). */
export function rulesFor(reg: Registry, user: UserInfo, namespace: string, reader?: Reader): { resourceRules: Obj[]; nonResourceRules: Obj[]; errors: string[] } {
  const resourceRules: Obj[] = [];
  const nonResourceRules: Obj[] = [];
  const errors = visitRules(reg, user, namespace, (v) => {
    for (const r of v.rules) {
      if (!isObj(r)) continue;
      if ((r.nonResourceURLs ?? []).length) nonResourceRules.push({ verbs: r.verbs ?? [], nonResourceURLs: r.nonResourceURLs });
      else {
        const o: Obj = { verbs: r.verbs ?? [], apiGroups: r.apiGroups ?? [], resources: r.resources ?? [] };
        if ((r.resourceNames ?? []).length) o.resourceNames = r.resourceNames;
        resourceRules.push(o);
      }
    }
    return true;
  }, reader);
  if (isSuperUser(user)) {
    resourceRules.unshift({ verbs: ["*"], apiGroups: ["*"], resources: ["*"] });
    nonResourceRules.unshift({ verbs: ["*"], nonResourceURLs: ["*"] });
  }
  return { resourceRules, nonResourceRules, errors };
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The 403 kube-apiserver writes (responsewriters.forbiddenMessage + errors.NewForbidden). */
export function forbidden(a: Attributes, reason: string): StatusError {
  let msg: string;
  if (!a.resourceRequest) msg = `User "${a.user.name}" cannot ${a.verb} path "${a.path}"`;
  else {
    const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    msg = a.namespace
      ? `User "${a.user.name}" cannot ${a.verb} resource "${res}" in API group "${a.apiGroup ?? ""}" in the namespace "${a.namespace}"`
      : `User "${a.user.name}" cannot ${a.verb} resource "${res}" in API group "${a.apiGroup ?? ""}" at the cluster scope`;
  }
  if (reason) msg += `: ${reason}`;
  msg = escapeHtml(msg);
  if (!a.resourceRequest) return new StatusError(403, "Forbidden", `forbidden: ${msg}`, {});
  const q = qualified(a.resource ?? "", a.apiGroup ?? "");
  const details: Obj = {};
  if (a.name) details.name = a.name;
  if (a.apiGroup) details.group = a.apiGroup;
  details.kind = a.resource;
  return new StatusError(403, "Forbidden", a.name ? `${q} "${a.name}" is forbidden: ${msg}` : `${q} is forbidden: ${msg}`, details);
}
