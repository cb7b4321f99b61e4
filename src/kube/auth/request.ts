// Request → authorization attributes (apiserver requestinfo.go) and impersonation
// (apiserver filters/impersonation.go): each impersonated value is itself authorized.
import { StatusError } from "../errors.js";
import type { Registry } from "../registry.js";
import { authorize, forbidden, type Attributes, type UserInfo } from "./rbac.js";

export function verbOf(method: string, hasName: boolean, watch: boolean): string {
  switch (method) {
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return hasName ? "delete" : "deletecollection";
    case "GET":
    case "HEAD":
      return watch ? "watch" : hasName ? "get" : "list";
    default:
      return method.toLowerCase();
  }
}

/** Require an allow decision or throw kube-apiserver's 403. */
export function checkAccess(reg: Registry, a: Attributes): void {
  const d = authorize(reg, a);
  if (!d.allowed) throw forbidden(a, d.reason);
}

type Headers = Record<string, string | string[] | undefined>;

/** Apply Impersonate-* headers; returns the user the request runs as. */
export function impersonate(reg: Registry, user: UserInfo, headers: Headers, uri: string): UserInfo {
  const list = (h: string): string[] => {
    const v = headers[h];
    return v === undefined ? [] : Array.isArray(v) ? v : v.split(",").map((x) => x.trim()).filter(Boolean);
  };
  const asUser = list("impersonate-user")[0];
  const asGroups = list("impersonate-group");
  const asUid = list("impersonate-uid")[0];
  const extraKeys = Object.keys(headers).filter((h) => h.startsWith("impersonate-extra-"));
  if (!asUser) {
    if (asGroups.length || asUid || extraKeys.length) {
      const what = asGroups.length ? `groups=${JSON.stringify(asGroups)}` : asUid ? `uid=${asUid}` : "extra";
      throw new StatusError(500, "InternalError", `Internal Server Error: "${uri}": requested [${what}] without impersonating a user`);
    }
    return user;
  }
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(asUser);
  const userAttr: Attributes = sa
    ? { user, verb: "impersonate", resourceRequest: true, namespace: sa[1], apiGroup: "", resource: "serviceaccounts", name: sa[2] }
    : { user, verb: "impersonate", resourceRequest: true, apiGroup: "", resource: "users", name: asUser };
  checkAccess(reg, userAttr);
  for (const g of asGroups) checkAccess(reg, { user, verb: "impersonate", resourceRequest: true, apiGroup: "", resource: "groups", name: g });
  if (asUid) checkAccess(reg, { user, verb: "impersonate", resourceRequest: true, apiGroup: "authentication.k8s.io", resource: "uids", name: asUid });
  const extra: Record<string, string[]> = {};
  for (const h of extraKeys) {
    const key = decodeURIComponent(h.slice("impersonate-extra-".length)).toLowerCase();
    for (const v of list(h)) {
      checkAccess(reg, { user, verb: "impersonate", resourceRequest: true, apiGroup: "authentication.k8s.io", resource: "userextras", subresource: key, name: v });
      (extra[key] ??= []).push(v);
    }
  }
  const groups = [...asGroups];
  if (sa && !asGroups.length) groups.push("system:serviceaccounts", `system:serviceaccounts:${sa[1]}`);
  if (!groups.includes("system:authenticated") && !groups.includes("system:unauthenticated") && asUser !== "system:anonymous") groups.push("system:authenticated");
  const out: UserInfo = { name: asUser, groups };
  if (asUid) out.uid = asUid;
  if (Object.keys(extra).length) out.extra = extra;
  return out;
}
