// Create-only review kinds and TokenRequest: SelfSubjectAccessReview, SubjectAccessReview,
// LocalSubjectAccessReview, SelfSubjectRulesReview (`kubectl auth can-i [--list]`),
// SelfSubjectReview (`kubectl auth whoami`), TokenReview, serviceaccounts/token.
import { strategyFor } from "../catalog.js";
import { cause, errors } from "../errors.js";
import type { Registry } from "../registry.js";
import type { Strategy } from "../types.js";
import { isObj, nowTime, type Obj } from "../util.js";
import { authorize, rulesFor, type Attributes, type UserInfo } from "./rbac.js";
import { API_AUDIENCE, issueToken, MAX_EXPIRATION_SECONDS, verifyToken, type BoundObject } from "./tokens.js";

function userJson(u: UserInfo): Obj {
  const o: Obj = { username: u.name };
  if (u.uid) o.uid = u.uid;
  o.groups = u.groups;
  if (u.extra && Object.keys(u.extra).length) o.extra = u.extra;
  return o;
}

function reviewAttributes(spec: Obj, user: UserInfo): Attributes {
  const ra = spec.resourceAttributes;
  if (isObj(ra))
    return {
      user,
      verb: String(ra.verb ?? ""),
      resourceRequest: true,
      namespace: ra.namespace || undefined,
      apiGroup: ra.group ?? "",
      apiVersion: ra.version,
      resource: ra.resource ?? "",
      subresource: ra.subresource || undefined,
      name: ra.name || undefined,
    };
  const nra = isObj(spec.nonResourceAttributes) ? spec.nonResourceAttributes : {};
  return { user, verb: String(nra.verb ?? ""), resourceRequest: false, path: String(nra.path ?? "") };
}

function accessStatus(reg: Registry, a: Attributes): Obj {
  const d = authorize(reg, a);
  const st: Obj = { allowed: d.allowed };
  if (d.reason) st.reason = d.reason;
  return st;
}

function echo(kind: string, group: string, body: Obj, spec: Obj, status: Obj): Obj {
  const md = isObj(body.metadata) ? { ...body.metadata } : {};
  md.creationTimestamp ??= null;
  return { kind, apiVersion: `${group}/v1`, metadata: md, spec, status };
}

/** Answer a create on a review kind; user is the requester. */
export function answerReview(reg: Registry, s: Strategy, ns: string | undefined, body: unknown, user: UserInfo): Obj {
  if (!isObj(body)) throw errors.badRequest("body must be an object");
  const spec = isObj(body.spec) ? body.spec : {};
  const kind = s.info.kind;
  const g = s.info.group;
  const invalid = (field: string, detail: string) => errors.invalid(kind, g, "", [cause.invalid(field, spec, detail)]);
  switch (kind) {
    case "SelfSubjectAccessReview": {
      if (!isObj(spec.resourceAttributes) === !isObj(spec.nonResourceAttributes)) throw invalid("spec.resourceAttributes", "exactly one of nonResourceAttributes or resourceAttributes must be specified");
      return echo(kind, g, body, spec, accessStatus(reg, reviewAttributes(spec, user)));
    }
    case "SubjectAccessReview":
    case "LocalSubjectAccessReview": {
      if (!isObj(spec.resourceAttributes) === !isObj(spec.nonResourceAttributes)) throw invalid("spec.resourceAttributes", "exactly one of nonResourceAttributes or resourceAttributes must be specified");
      if (!spec.user && !(spec.groups ?? []).length) throw invalid("spec.user", "at least one of user or group must be specified");
      if (kind === "LocalSubjectAccessReview" && spec.resourceAttributes?.namespace !== ns)
        throw errors.badRequest(`spec.resourceAttributes.namespace must match namespace: ${ns}`);
      const subject: UserInfo = { name: spec.user ?? "", groups: (spec.groups ?? []) as string[], uid: spec.uid, extra: spec.extra };
      return echo(kind, g, body, spec, accessStatus(reg, reviewAttributes(spec, subject)));
    }
    case "SelfSubjectRulesReview": {
      const namespace = String(spec.namespace ?? "");
      if (!namespace) throw errors.badRequest("no namespace on request");
      const r = rulesFor(reg, user, namespace);
      const status: Obj = { resourceRules: r.resourceRules, nonResourceRules: r.nonResourceRules, incomplete: r.errors.length > 0 };
      if (r.errors.length) status.evaluationError = r.errors.join(", ");
      return echo(kind, g, body, spec, status);
    }
    case "SelfSubjectReview":
      return { kind, apiVersion: `${g}/v1`, metadata: { creationTimestamp: null }, status: { userInfo: userJson(user) } };
    case "TokenReview": {
      const token = String(spec.token ?? "");
      const auds = Array.isArray(spec.audiences) && spec.audiences.length ? (spec.audiences as string[]) : [API_AUDIENCE];
      const r = token ? verifyToken(reg, token, auds) : undefined;
      const status: Obj = r && "user" in r ? { authenticated: true, user: userJson(r.user), audiences: r.audiences } : { user: {}, error: r && "error" in r ? `[invalid bearer token, ${r.error}]` : "[invalid bearer token, token lookup failed]" };
      return echo(kind, g, body, spec, status);
    }
    default:
      throw errors.methodNotAllowed();
  }
}

const saS = strategyFor("serviceaccounts");

/** POST serviceaccounts/{name}/token (k/k pkg/registry/core/serviceaccount/storage/token.go). */
export function tokenRequest(reg: Registry, ns: string, name: string, body: unknown): Obj {
  const req = isObj(body) ? body : {};
  const spec = isObj(req.spec) ? req.spec : {};
  const sa = reg.get(saS, ns, name);
  let exp = spec.expirationSeconds ?? 3600;
  if (typeof exp !== "number" || !Number.isInteger(exp)) throw errors.invalid("TokenRequest", "authentication.k8s.io", name, [cause.invalid("spec.expirationSeconds", exp, "must be an integer")]);
  if (exp < 600) throw errors.invalid("TokenRequest", "authentication.k8s.io", name, [cause.invalid("spec.expirationSeconds", exp, "may not specify a duration less than 10 minutes")]);
  if (exp > 2 ** 32) throw errors.invalid("TokenRequest", "authentication.k8s.io", name, [cause.invalid("spec.expirationSeconds", exp, "may not specify a duration larger than 2^32 seconds")]);
  exp = Math.min(exp, MAX_EXPIRATION_SECONDS);
  const audiences = Array.isArray(spec.audiences) && spec.audiences.length ? (spec.audiences as string[]) : [API_AUDIENCE];
  let bound: BoundObject | undefined;
  const ref = spec.boundObjectRef;
  if (isObj(ref)) {
    const kind = ref.kind;
    if (kind !== "Pod" && kind !== "Secret") throw errors.badRequest(`cannot bind token to object of type ${kind}`);
    const o = reg.get(strategyFor(kind === "Pod" ? "pods" : "secrets"), ns, String(ref.name ?? ""));
    if (ref.uid && ref.uid !== o.metadata.uid) throw errors.conflict(kind === "Pod" ? "pods" : "secrets", "", o.metadata.name, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    if (kind === "Pod" && (o.spec?.serviceAccountName ?? "default") !== name) throw errors.badRequest(`cannot bind token for serviceaccount "${name}" to pod running with different serviceaccount name.`);
    bound = { kind, name: o.metadata.name, uid: o.metadata.uid };
  }
  const t = issueToken(reg, sa, audiences, exp, bound);
  const outSpec: Obj = { audiences, expirationSeconds: exp, boundObjectRef: isObj(ref) ? ref : null };
  return {
    kind: "TokenRequest",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { name, namespace: ns, creationTimestamp: null },
    spec: outSpec,
    status: { token: t.token, expirationTimestamp: nowTime(t.exp * 1000) },
  };
}
