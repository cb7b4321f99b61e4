// RBAC privilege-escalation prevention on writes of roles and bindings (k/k
// pkg/registry/rbac/{role,clusterrole,rolebinding,clusterrolebinding}/policybased and
// pkg/registry/rbac/validation/policy_compact.go + rule.go): a user may only write a role whose
// rules it already holds (or holds `escalate` on it), and only bind a role whose rules it holds
// (or holds `bind` on it). system:masters is exempt. Messages are kube-apiserver's.
import { strategyFor } from "../catalog.js";
import { qualified, StatusError } from "../errors.js";
import type { Registry, Reader } from "../registry.js";
import { deepEqual, isObj, type Obj } from "../util.js";
import { authorize, isSuperUser, rulesFor, type UserInfo } from "./rbac.js";

const RBAC = "rbac.authorization.k8s.io";

interface Rule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

function strs(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function toRule(r: Obj): Rule {
  return { verbs: strs(r.verbs), apiGroups: strs(r.apiGroups), resources: strs(r.resources), resourceNames: strs(r.resourceNames), nonResourceURLs: strs(r.nonResourceURLs) };
}

/** BreakdownRule: one verb, one group, one resource and at most one name per rule. */
function breakdown(r: Rule): Rule[] {
  const out: Rule[] = [];
  const one = (verbs: string[], apiGroups: string[], resources: string[], resourceNames: string[], nonResourceURLs: string[]): Rule => ({ verbs, apiGroups, resources, resourceNames, nonResourceURLs });
  for (const g of r.apiGroups)
    for (const res of r.resources)
      for (const v of r.verbs) {
        if (r.resourceNames.length) for (const n of r.resourceNames) out.push(one([v], [g], [res], [n], []));
        else out.push(one([v], [g], [res], [], []));
      }
  for (const u of r.nonResourceURLs) for (const v of r.verbs) out.push(one([v], [], [], [], [u]));
  return out;
}

const has = (set: string[], e: string) => set.includes(e);
const hasAll = (set: string[], xs: string[]) => xs.every((x) => set.includes(x));

function resourceCoversAll(set: string[], covers: string[]): boolean {
  if (has(set, "*") || hasAll(set, covers)) return true;
  for (const p of covers) {
    if (has(set, p)) continue;
    const slash = p.indexOf("/");
    if (slash < 0) return false;
    if (!has(set, `*/${p.slice(slash + 1)}`)) return false;
  }
  return true;
}

function urlCovers(owner: string, sub: string): boolean {
  return owner === sub || (owner.endsWith("*") && sub.startsWith(owner.replace(/\*+$/, "")));
}

function ruleCovers(owner: Rule, sub: Rule): boolean {
  const verbs = has(owner.verbs, "*") || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, "*") || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourceCoversAll(owner.resources, sub.resources);
  const urls = sub.nonResourceURLs.every((p) => owner.nonResourceURLs.some((o) => urlCovers(o, p)));
  const names = sub.resourceNames.length === 0 ? owner.resourceNames.length === 0 : owner.resourceNames.length === 0 || hasAll(owner.resourceNames, sub.resourceNames);
  return verbs && groups && resources && names && urls;
}

/** The rules of `servant` that no rule of `owner` covers (broken down), or [] when covered. */
export function uncovered(owner: Obj[], servant: Obj[]): Rule[] {
  const own = owner.filter(isObj).map(toRule);
  return servant.filter(isObj).flatMap((r) => breakdown(toRule(r))).filter((sub) => !own.some((o) => ruleCovers(o, sub)));
}

/** CompactRules: merge single group/resource(/name) rules that differ only by verb. */
function compact(rules: Rule[]): Rule[] {
  const out: Rule[] = [];
  const simple = new Map<string, Rule>();
  for (const r of rules) {
    const isSimple = r.resourceNames.length <= 1 && r.nonResourceURLs.length === 0 && r.apiGroups.length === 1 && r.resources.length === 1;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups[0], r.resources[0], r.resourceNames[0] ?? null]);
    const e = simple.get(key);
    if (e) e.verbs = [...e.verbs, ...r.verbs];
    else simple.set(key, { ...r, verbs: [...r.verbs] });
  }
  return [...out, ...simple.values()];
}

/** Go's %q of a []string: ["a" "b"]. */
function q(xs: string[]): string {
  return `[${xs.map((x) => JSON.stringify(x)).join(" ")}]`;
}

/** rbacv1helpers.CompactString. */
function compactString(r: Rule): string {
  const parts: string[] = [];
  if (r.apiGroups.length) parts.push(`APIGroups:${q(r.apiGroups)}`);
  if (r.resources.length) parts.push(`Resources:${q(r.resources)}`);
  if (r.nonResourceURLs.length) parts.push(`NonResourceURLs:${q(r.nonResourceURLs)}`);
  if (r.resourceNames.length) parts.push(`ResourceNames:${q(r.resourceNames)}`);
  if (r.verbs.length) parts.push(`Verbs:${q(r.verbs)}`);
  return `{${parts.join(", ")}}`;
}

/** ConfirmNoEscalation: undefined when the user holds every rule, else kube's reason text. */
export function escalationReason(reg: Registry, user: UserInfo, namespace: string, rules: Obj[], r?: Reader): string | undefined {
  const held = rulesFor(reg, user, namespace, r);
  const missing = uncovered([...held.resourceRules, ...held.nonResourceRules], rules);
  if (!missing.length) return undefined;
  // Go sorts the descriptions as a string set (byte order).
  const lines = [...new Set(compact(missing).map(compactString))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let msg = `user ${JSON.stringify(user.name)} (groups=${q(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join("\n")}`;
  if (held.errors.length) msg += `; resolution errors: [${held.errors.join(" ")}]`;
  return msg;
}

function forbidden(resource: string, name: string, reason: string): StatusError {
  return new StatusError(403, "Forbidden", `${qualified(resource, RBAC)} ${JSON.stringify(name)} is forbidden: ${reason}`, { name, group: RBAC, kind: resource });
}

/** Only ownerReferences/finalizers (what the garbage collector writes) changed. */
function onlyGCFields(obj: Obj, old: Obj | undefined): boolean {
  if (!old) return false;
  const strip = (o: Obj) => {
    const { ownerReferences, finalizers, managedFields, resourceVersion, generation, ...md } = o.metadata ?? {};
    void ownerReferences, finalizers, managedFields, resourceVersion, generation;
    return { ...o, metadata: md };
  };
  return deepEqual(strip(obj), strip(old));
}

const FULL_AUTHORITY: Obj[] = [
  { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
  { verbs: ["*"], nonResourceURLs: ["*"] },
];

export interface RbacWrite {
  reg: Registry;
  user: UserInfo;
  /** roles, clusterroles, rolebindings, clusterrolebindings */
  resource: string;
  namespace?: string;
  obj: Obj;
  old?: Obj;
  /** The write's transaction: the referenced role is read through it. */
  tx?: Reader;
}

/** Throws kube-apiserver's 403 when a role or binding write would grant what the user does not hold. */
export function checkEscalation(w: RbacWrite): void {
  const { reg, user, resource, obj, old } = w;
  if (isSuperUser(user) || onlyGCFields(obj, old)) return;
  const ns = w.namespace ?? "";
  const name = String(obj.metadata?.name ?? "");
  const allowed = (verb: string, res: string, resName: string) =>
    authorize(reg, { user, verb, resourceRequest: true, namespace: ns || undefined, apiGroup: RBAC, apiVersion: "*", resource: res, name: resName }, w.tx).allowed;

  if (resource === "roles" || resource === "clusterroles") {
    if (allowed("escalate", resource, name)) return;
    const reason = escalationReason(reg, user, ns, Array.isArray(obj.rules) ? obj.rules : [], w.tx);
    if (reason) throw forbidden(resource, name, reason);
    const aggregates = (o: Obj | undefined) => isObj(o?.aggregationRule);
    if (resource === "clusterroles" && (aggregates(obj) || aggregates(old)) && escalationReason(reg, user, ns, FULL_AUTHORITY, w.tx))
      throw forbidden(resource, name, "must have cluster-admin privileges to use the aggregationRule");
    return;
  }
  if (resource === "rolebindings" || resource === "clusterrolebindings") {
    const ref = isObj(obj.roleRef) ? obj.roleRef : {};
    const refResource = ref.kind === "Role" ? "roles" : ref.kind === "ClusterRole" ? "clusterroles" : undefined;
    if (refResource && allowed("bind", refResource, String(ref.name ?? ""))) return;
    let rules: Obj[];
    if (ref.kind === "ClusterRole") {
      const role = reg.tryGet(strategyFor("clusterroles", RBAC), undefined, String(ref.name ?? ""), w.tx);
      if (!role) throw forbidden(resource, name, `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(ref.name ?? "")} not found`);
      rules = Array.isArray(role.rules) ? role.rules : [];
    } else if (ref.kind === "Role") {
      const role = reg.tryGet(strategyFor("roles", RBAC), ns, String(ref.name ?? ""), w.tx);
      if (!role) throw forbidden(resource, name, `role.rbac.authorization.k8s.io ${JSON.stringify(ref.name ?? "")} not found`);
      rules = Array.isArray(role.rules) ? role.rules : [];
    } else throw forbidden(resource, name, `unsupported role reference kind: ${JSON.stringify(ref.kind ?? "")}`);
    const reason = escalationReason(reg, user, ns, rules, w.tx);
    if (reason) throw forbidden(resource, name, reason);
  }
}
