// A minimal Microsoft Graph: the service-principal look-ups that `az role assignment create
// --assignee <client-id>` and `az role assignment list` make. Only what those need.
import type { Route } from "../arm/router.js";
import type { RequestContext } from "../http/context.js";
import type { Store } from "../store/store.js";
import { findServicePrincipalByAppId, getServicePrincipal, listServicePrincipals, type ServicePrincipal } from "./directory.js";

function render(sp: ServicePrincipal, base: string) {
  return {
    "@odata.type": "#microsoft.graph.servicePrincipal",
    id: sp.id,
    appId: sp.appId,
    displayName: sp.displayName,
    servicePrincipalType: sp.servicePrincipalType,
    servicePrincipalNames: [sp.appId, ...(sp.alternativeNames ?? [])],
    alternativeNames: sp.alternativeNames ?? [],
    accountEnabled: true,
    appOwnerOrganizationId: null,
    createdDateTime: sp.createdDateTime,
    "@odata.context": `${base}/v1.0/$metadata#servicePrincipals/$entity`,
  };
}

function graphError(ctx: RequestContext, status: number, code: string, message: string) {
  ctx.send(status, { error: { code, message, innerError: { date: new Date().toISOString(), "request-id": ctx.requestId, "client-request-id": ctx.requestId } } });
}

/** Evaluate the $filter forms az sends: appId eq 'x', id eq 'x', displayName eq 'x', servicePrincipalNames/any(c:c eq 'x'). */
export function matchFilter(filter: string | undefined, sp: ServicePrincipal): boolean {
  if (!filter) return true;
  const clauses = filter.split(/\s+or\s+/i);
  return clauses.some((c) => {
    let m = /^\s*(appId|id|displayName)\s+eq\s+'([^']*)'\s*$/i.exec(c);
    if (m) {
      const field = m[1]!.toLowerCase();
      const v = m[2]!.toLowerCase();
      if (field === "appid") return sp.appId.toLowerCase() === v;
      if (field === "id") return sp.id.toLowerCase() === v;
      return sp.displayName.toLowerCase() === v;
    }
    m = /^\s*servicePrincipalNames\/any\(\s*(\w+)\s*:\s*\1\s+eq\s+'([^']*)'\s*\)\s*$/i.exec(c);
    if (m) {
      const v = m[2]!.toLowerCase();
      return [sp.appId, ...(sp.alternativeNames ?? [])].some((n) => n.toLowerCase() === v);
    }
    return false;
  });
}

export function graphRoutes(store: Store): Route[] {
  const list = (ctx: RequestContext) => {
    const filter = ctx.query("$filter");
    const value = listServicePrincipals(store).filter((sp) => matchFilter(filter, sp)).map((sp) => render(sp, ctx.baseUrl));
    ctx.send(200, { "@odata.context": `${ctx.baseUrl}/v1.0/$metadata#servicePrincipals`, value });
  };
  const one = (ctx: RequestContext, p: Record<string, string>) => {
    const sp = getServicePrincipal(store, p.id!) ?? findServicePrincipalByAppId(store, p.id!);
    if (!sp) return graphError(ctx, 404, "Request_ResourceNotFound", `Resource '${p.id}' does not exist or one of its queried reference-property objects are not present.`);
    ctx.send(200, render(sp, ctx.baseUrl));
  };
  const empty = (kind: string) => (ctx: RequestContext) => ctx.send(200, { "@odata.context": `${ctx.baseUrl}/v1.0/$metadata#${kind}`, value: [] });
  const getByIds = async (ctx: RequestContext) => {
    let ids: string[] = [];
    try {
      ids = (JSON.parse((await ctx.rawBody(1024 * 1024)).toString("utf8") || "{}").ids ?? []) as string[];
    } catch {
      return graphError(ctx, 400, "BadRequest", "Invalid JSON body.");
    }
    if (!Array.isArray(ids)) return graphError(ctx, 400, "BadRequest", "The 'ids' property must be an array of object ids.");
    const value = ids.map((id) => getServicePrincipal(store, String(id))).filter((x): x is ServicePrincipal => !!x).map((sp) => render(sp, ctx.baseUrl));
    ctx.send(200, { "@odata.context": `${ctx.baseUrl}/v1.0/$metadata#directoryObjects`, value });
  };
  return [
    { method: "GET", pattern: "/v1.0/servicePrincipals", handler: list },
    { method: "GET", pattern: "/v1.0/servicePrincipals/{id}", handler: one },
    { method: "GET", pattern: "/v1.0/directoryObjects/{id}", handler: one },
    { method: "POST", pattern: "/v1.0/directoryObjects/getByIds", handler: getByIds },
    { method: "GET", pattern: "/v1.0/users", handler: empty("users") },
    { method: "GET", pattern: "/v1.0/groups", handler: empty("groups") },
    {
      method: "GET",
      pattern: "/v1.0/users/{id}",
      handler: (ctx, p) => graphError(ctx, 404, "Request_ResourceNotFound", `Resource '${p.id}' does not exist or one of its queried reference-property objects are not present.`),
    },
  ];
}
