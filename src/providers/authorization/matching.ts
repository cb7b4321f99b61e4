// Pure Azure RBAC matching (no I/O): action patterns with '*' wildcards, scope inheritance
// on segment boundaries, and the per-role Actions/NotActions rule.
//
// Semantics (learn.microsoft.com/azure/role-based-access-control/role-definitions):
// - Operation strings compare case-insensitively; '*' matches any run of characters
//   ("Microsoft.Network/*", "*/read", "*"). A "/*/" in the middle also matches a single "/"
//   so that Managed Identity Operator's "Microsoft.ManagedIdentity/userAssignedIdentities/*/read"
//   grants ".../userAssignedIdentities/read" (inferred: the role is documented as "Read and
//   Assign User Assigned Identity").
// - NotActions are subtracted per role definition, not across roles: they are not a deny
//   rule, and a second role assignment that grants an operation excluded by another role's
//   NotActions still grants it (learn.microsoft.com role-definitions#notactions). So: allowed
//   = some assignment at or above the scope has a role with a permission block whose actions
//   match and whose notActions do not.
// - An assignment at scope S applies to S and everything below it on '/' boundaries; "/" (the
//   tenant root) covers everything.

import type { Permission } from "./builtin-roles.js";

const cache = new Map<string, RegExp>();

function toRegex(pattern: string): RegExp {
  const key = pattern.toLowerCase();
  let re = cache.get(key);
  if (re) return re;
  let src = "";
  for (let i = 0; i < key.length; i++) {
    const ch = key[i]!;
    if (ch === "*") {
      // "/*/" may also stand for a single "/".
      if (key[i - 1] === "/" && key[i + 1] === "/") {
        src = src.slice(0, -1) + "(?:/.*)?";
        continue;
      }
      src += ".*";
    } else src += ch.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  re = new RegExp(`^${src}$`);
  if (cache.size > 2000) cache.clear();
  cache.set(key, re);
  return re;
}

/** Does an Actions/NotActions entry match an operation? Case-insensitive, '*' wildcards. */
export function actionMatches(pattern: string, action: string): boolean {
  if (pattern === "*") return true;
  return toRegex(pattern).test(action.toLowerCase());
}

/** Does one permission block grant the action (some action matches, no notAction matches)? */
export function permissionAllows(p: Pick<Permission, "actions" | "notActions">, action: string): boolean {
  if (!p.actions.some((a) => actionMatches(a, action))) return false;
  return !(p.notActions ?? []).some((n) => actionMatches(n, action));
}

/** Does a role (its permission blocks) grant the action? */
export function roleAllows(permissions: ReadonlyArray<Pick<Permission, "actions" | "notActions">>, action: string): boolean {
  return permissions.some((p) => permissionAllows(p, action));
}

function norm(id: string): string {
  const s = id.trim().toLowerCase().replace(/\/+$/, "");
  return s.startsWith("/") || s === "" ? s : "/" + s;
}

/** Is `target` at or below `assignmentScope` on segment boundaries (case-insensitive)? "/" covers all. */
export function scopeCovers(assignmentScope: string, target: string): boolean {
  const a = norm(assignmentScope);
  const t = norm(target);
  if (a === "" || a === "/") return true;
  return t === a || t.startsWith(a + "/");
}

/** Every scope from `target` up to the tenant root ("/"), most specific first. */
export function scopeChain(target: string): string[] {
  const t = norm(target);
  const segs = t.split("/").filter(Boolean);
  const out: string[] = [];
  for (let n = segs.length; n > 0; n--) out.push("/" + segs.slice(0, n).join("/"));
  out.push("/");
  return out;
}

export interface AssignmentLike {
  scope: string;
  permissions: ReadonlyArray<Pick<Permission, "actions" | "notActions">>;
}

/** Evaluate a principal's assignments (already resolved to permissions) for action on target. */
export function evaluate(assignments: readonly AssignmentLike[], action: string, target: string): boolean {
  return assignments.some((a) => scopeCovers(a.scope, target) && roleAllows(a.permissions, action));
}
