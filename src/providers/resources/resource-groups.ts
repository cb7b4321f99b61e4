// Microsoft.Resources resource groups: synchronous PUT, asynchronous cascading DELETE
// (202 + Location on /subscriptions/{sub}/operationresults/{token}), HEAD existence checks.
import type { RequestContext } from "../../http/context.js";
import type { Route } from "../../arm/router.js";
import type { ArmEnv, ResourceRecord, ReconcileCtx, ReconcileStep } from "../../arm/types.js";
import type { Txn } from "../../store/store.js";
import { E } from "../../arm/catalog.js";
import { readJsonBody, requireApiVersion, sendPage } from "../../arm/generic.js";
import { stampSystemData } from "../../arm/records.js";
import { deleteResourceInternal } from "../../arm/internal.js";
import { operationInSubscription } from "../../arm/operation-routes.js";
import { checkResourceGroupName, idKey, parseId } from "../../arm/resource-id.js";
import { deleteRecordTree, getRecord, listInGroup, putRecord, recordKey } from "../../arm/repo.js";
import { getResourceGroup, normalizeLocation, resourceGroupId, subscriptionExists } from "../../arm/state.js";
import { Derived } from "../../arm/read-cache.js";
import { allLocationNames, isKnownLocation } from "../../arm/locations.js";
import { RESOURCES_API_VERSIONS, checkArmApiVersion } from "../../arm/arm-api-versions.js";
import type { OperationRecord } from "../../arm/types.js";
import { tagsProblem } from "../../arm/envelope.js";
import { defineError } from "../../arm/errors.js";

const invalidFilter = defineError<{ filter: string }>({
  group: "Microsoft.Resources", code: "InvalidFilterInQueryString", status: 400, origin: "gateway",
  template: "Invalid $filter '{filter}' specified in the query string.",
  source: "Azure/azure-sdk-for-net#18748, Azure/azure-sdk-for-go#2480",
});

export const RG_TYPE = "Microsoft.Resources/resourceGroups";

export function renderResourceGroup(rec: ResourceRecord) {
  return {
    id: rec.id,
    name: rec.name,
    type: RG_TYPE,
    location: rec.location,
    managedBy: rec.managedBy ?? null,
    tags: rec.tags ?? null,
    properties: { provisioningState: rec.properties.provisioningState ?? "Succeeded" },
  };
}

/** Create a resource group from code (AKS node resource groups) through the same rules as PUT. */
export function createResourceGroupRecord(tx: Txn, env: ArmEnv, sub: string, name: string, location: string, opts: { managedBy?: string; tags?: Record<string, string> } = {}): ResourceRecord {
  const existing = getResourceGroup(tx, sub, name);
  const rec: ResourceRecord = {
    id: existing?.id ?? resourceGroupId(sub, name),
    name: existing?.name ?? name,
    type: RG_TYPE,
    location: normalizeLocation(location),
    managedBy: opts.managedBy ?? existing?.managedBy ?? null,
    tags: opts.tags ?? existing?.tags ?? null,
    properties: { provisioningState: "Succeeded" },
  };
  rec.systemData = stampSystemData(existing?.systemData, "aksemu", env.now());
  putRecord(tx, rec);
  return rec;
}

/**
 * Delete everything in a resource group now (inside tx): each top-level resource is deleted through
 * the resource service in cascade mode (its strategy's delete hook releases addresses, deletes
 * managed node resource groups), then the group's records go.
 */
export function deleteResourceGroupNow(tx: Txn, env: ArmEnv, sub: string, rg: string, _principal: OperationRecord["principal"]): void {
  const rgRec = getResourceGroup(tx, sub, rg);
  if (!rgRec) return;
  const records = listInGroup(tx, sub, rg);
  // Top-level first by dependency: types whose strategy owns other groups (clusters) go first.
  const top = records.filter((r) => parseId(r.id)?.blocks.length === 1 && parseId(r.id)!.blocks[0]!.types.length === 1);
  top.sort((a, b) => weight(a.type) - weight(b.type));
  for (const rec of top) {
    // Through the resource service, as ARM deletes each resource of the group (its own identity, not the client's).
    deleteResourceInternal(tx, env, rec.id, { cascade: true, cascadeScope: rgRec.id });
  }
  deleteRecordTree(tx, rgRec.id);
}

function weight(type: string): number {
  const t = type.toLowerCase();
  if (t === "microsoft.containerservice/managedclusters") return 0;
  if (t.startsWith("microsoft.network/") && t !== "microsoft.network/virtualnetworks") return 1;
  return 2;
}

export async function reconcileResourceGroupDelete(ctx: ReconcileCtx): Promise<ReconcileStep> {
  const { env, op } = ctx;
  const p = parseId(op.resourceId)!;
  await env.store.txn((tx) => deleteResourceGroupNow(tx, env, p.subscriptionId!, p.resourceGroup!, op.principal));
  return { done: true, result: { status: 200 } };
}

/** ARM reads a resource group body as { tags: Dictionary<string, string>, managedBy: string }. */
function checkGroupBody(body: Record<string, any>): void {
  const problem = tagsProblem(body.tags);
  if (problem) throw E.invalidRequestContent.make({ detail: problem });
  if (body.managedBy !== undefined && body.managedBy !== null && typeof body.managedBy !== "string") {
    const shown = typeof body.managedBy === "object" ? JSON.stringify(body.managedBy) : String(body.managedBy);
    throw E.invalidRequestContent.make({ detail: `Error converting value ${shown} to type 'System.String'. Path 'managedBy'.` });
  }
}

/** Stored tags as a plain string map (records written by older versions or code may hold odd values). */
function storedTags(r: ResourceRecord): Record<string, string> {
  const t = r.tags as unknown;
  if (!t || typeof t !== "object" || Array.isArray(t)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(t as Record<string, unknown>)) out[k] = typeof v === "string" ? v : v === null || v === undefined ? "" : String(v);
  return out;
}

export function resourceGroupRoutes(env: ArmEnv): Route[] {
  const checkSub = (ctx: RequestContext, sub: string) => {
    checkArmApiVersion(requireApiVersion(ctx), RESOURCES_API_VERSIONS);
    if (!subscriptionExists(env.store, sub)) {
      if (!/^[0-9a-f-]{36}$/i.test(sub)) throw E.invalidSubscriptionId.make({ sub });
      throw E.subscriptionNotFound.make({ sub });
    }
  };
  const groupAnswers = new Derived(env.store, (e) => (e?.value ? JSON.stringify(renderResourceGroup(e.value as ResourceRecord)) : undefined));
  const mustGet = (sub: string, rg: string) => {
    const rec = getResourceGroup(env.store, sub, rg);
    if (!rec) throw E.resourceGroupNotFound.make({ rg });
    return rec;
  };
  return [
    {
      method: "GET",
      pattern: "/subscriptions/{sub}/resourcegroups",
      handler: (ctx, p) => {
        checkSub(ctx, p.sub!);
        const rgs = env.store
          .list<ResourceRecord>(recordKey(`/subscriptions/${p.sub}/resourcegroups/`))
          .map((e) => e.value)
          .filter((r) => r.type === RG_TYPE);
        const filter = ctx.query("$filter");
        const selected = filter ? rgs.filter(groupFilter(filter)) : rgs;
        sendPage(ctx, selected.map(renderResourceGroup), (x) => x.id);
      },
    },
    {
      method: ["GET", "HEAD"],
      pattern: "/subscriptions/{sub}/resourcegroups/{rg}",
      handler: (ctx, p) => {
        checkSub(ctx, p.sub!);
        // The answer's JSON text, rendered once per revision of the record (arm/read-cache.ts).
        const answer = groupAnswers.get(recordKey(resourceGroupId(p.sub!, p.rg!)));
        if (ctx.method === "HEAD") return ctx.send(answer !== undefined ? 204 : 404);
        if (answer === undefined) throw E.resourceGroupNotFound.make({ rg: p.rg! });
        ctx.send(200, answer);
      },
    },
    {
      method: "PUT",
      pattern: "/subscriptions/{sub}/resourcegroups/{rg}",
      handler: async (ctx, p) => {
        checkSub(ctx, p.sub!);
        const name = p.rg!;
        const check = checkResourceGroupName(name);
        if (!check.ok) {
          if (check.invalidChars) throw E.invalidResourceGroup.make({ rg: name, chars: check.invalidChars });
          throw E.invalidResourceGroupLength.make({ rg: name });
        }
        const body = await readJsonBody(ctx, true);
        if (typeof body.location !== "string" || !body.location) throw E.locationRequired.make({});
        const loc = normalizeLocation(body.location);
        if (!isKnownLocation(loc)) throw E.locationNotAvailableForResourceGroup.make({ loc: body.location, list: allLocationNames().join(",") });
        checkGroupBody(body);
        const now = env.now();
        const out = await env.store.txn((tx) => {
          const existing = getResourceGroup(tx, p.sub!, name);
          if (existing?.properties.provisioningState === "Deleting") throw E.resourceGroupBeingDeleted.make({ rg: existing.name });
          if (existing && existing.location !== loc) {
            throw E.invalidResourceGroupLocation.make({ requested: loc, loc: existing.location! });
          }
          const rec: ResourceRecord = {
            id: resourceGroupId(p.sub!, name),
            name,
            type: RG_TYPE,
            location: loc,
            managedBy: body.managedBy ?? existing?.managedBy ?? null,
            tags: body.tags ?? (existing ? null : null),
            properties: { provisioningState: "Succeeded" },
          };
          rec.systemData = stampSystemData(existing?.systemData, ctx.principal!.appId, now);
          // Keep the caller's latest casing: drop the old record's key first (same key, new value).
          putRecord(tx, rec);
          return { rec, created: !existing };
        });
        ctx.send(out.created ? 201 : 200, renderResourceGroup(out.rec));
      },
    },
    {
      method: "PATCH",
      pattern: "/subscriptions/{sub}/resourcegroups/{rg}",
      handler: async (ctx, p) => {
        checkSub(ctx, p.sub!);
        const body = await readJsonBody(ctx, true);
        checkGroupBody(body);
        const rec = await env.store.txn((tx) => {
          const cur = getResourceGroup(tx, p.sub!, p.rg!);
          if (!cur) throw E.resourceGroupNotFound.make({ rg: p.rg! });
          const next = { ...cur, tags: body.tags !== undefined ? body.tags : cur.tags, managedBy: body.managedBy ?? cur.managedBy };
          next.systemData = stampSystemData(cur.systemData, ctx.principal!.appId, env.now());
          putRecord(tx, next);
          return next;
        });
        ctx.send(200, renderResourceGroup(rec));
      },
    },
    {
      method: "DELETE",
      pattern: "/subscriptions/{sub}/resourcegroups/{rg}",
      handler: async (ctx, p) => {
        checkSub(ctx, p.sub!);
        const apiVersion = ctx.query("api-version")!;
        const op = await env.store.txn((tx) => {
          const cur = getResourceGroup(tx, p.sub!, p.rg!);
          if (!cur) throw E.resourceGroupNotFound.make({ rg: p.rg! });
          if (cur.properties.provisioningState === "Deleting" && cur.internal?.activeOperation) {
            const running = env.ops.get(cur.internal.activeOperation, tx);
            if (running?.status === "InProgress") return running;
          }
          const o = env.ops.start(tx, {
            kind: "rgdelete", resourceId: cur.id, type: RG_TYPE, namespace: "Microsoft.Resources", location: cur.location!,
            subscriptionId: p.sub!, apiVersion, stage: "delete", delayMs: env.latency.delay("resourceGroups.delete"), principal: ctx.principal,
          });
          putRecord(tx, { ...cur, properties: { provisioningState: "Deleting" }, internal: { ...cur.internal, activeOperation: o.name } });
          return o;
        });
        const token = Buffer.from(JSON.stringify({ jobId: `RESOURCEGROUPDELETIONJOB-${p.rg!.toUpperCase()}-${op.location.toUpperCase()}`, jobLocation: op.location, opId: op.name })).toString("base64url");
        ctx.send(202, undefined, {
          location: ctx.absolute(`/subscriptions/${p.sub}/operationresults/${token}?api-version=${apiVersion}`),
          "retry-after": String(env.latency.retryAfterSeconds()),
        });
      },
    },
    {
      method: "GET",
      pattern: "/subscriptions/{sub}/operationresults/{token}",
      handler: (ctx, p) => {
        let opId: string | undefined;
        try {
          opId = JSON.parse(Buffer.from(p.token!, "base64url").toString("utf8")).opId;
        } catch {
          opId = undefined;
        }
        if (!opId) throw E.operationNotFound.make({ id: p.token! });
        const op = operationInSubscription(env, p.sub!, opId, p.token!);
        if (op.status === "InProgress") return ctx.send(202, undefined, { location: ctx.url.toString(), "retry-after": String(env.latency.retryAfterSeconds()) });
        if (op.status === "Failed") return ctx.send(op.error ? 400 : 500, { error: op.error });
        ctx.send(200);
      },
    },
    {
      method: "GET",
      pattern: "/subscriptions/{sub}/resourcegroups/{rg}/resources",
      handler: (ctx, p) => {
        checkSub(ctx, p.sub!);
        mustGet(p.sub!, p.rg!);
        const match = resourceFilter(ctx.query("$filter"));
        const recs = listInGroup(env.store, p.sub!, p.rg!).filter((r) => isListedResource(env, r) && match(r));
        sendPage(ctx, recs.map(genericResourceView), (x) => String(x.id));
      },
    },
    {
      method: "GET",
      pattern: "/subscriptions/{sub}/resources",
      handler: (ctx, p) => {
        checkSub(ctx, p.sub!);
        const recs = env.store
          .list<ResourceRecord>(recordKey(`/subscriptions/${p.sub}/resourcegroups/`))
          .map((e) => e.value)
          .filter((r) => r.type !== RG_TYPE && isListedResource(env, r));
        const match = resourceFilter(ctx.query("$filter"));
        const selected = recs.filter(match);
        sendPage(ctx, selected.map(genericResourceView), (x) => idKey(String(x.id)));
      },
    },
  ];
}

/** One `field eq 'value'` clause of a $filter ('' inside a value is a quote). */
interface Clause { field: string; value: string }

/** Parse "a eq 'x' and b eq 'y'" (case-insensitive field names and `and`); undefined when it is not that form. */
function parseClauses(filter: string): Clause[] | undefined {
  const out: Clause[] = [];
  const re = /^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*/i;
  let rest = filter;
  for (;;) {
    const m = re.exec(rest);
    if (!m) return undefined;
    out.push({ field: m[1]!.toLowerCase(), value: m[2]!.replace(/''/g, "'") });
    rest = rest.slice(m[0].length);
    if (rest === "") return out;
    const and = /^and\s+/i.exec(rest);
    if (!and) return undefined;
    rest = rest.slice(and[0].length);
  }
}

/** tagName (and optional tagValue) clauses → a matcher; tag names compare case-insensitively, values exactly. */
function tagMatcher(clauses: Clause[]): ((tags: Record<string, string>) => boolean) | undefined {
  const name = clauses.find((c) => c.field === "tagname");
  const value = clauses.find((c) => c.field === "tagvalue");
  if (!name) return undefined;
  const k = name.value.toLowerCase();
  return (tags) => Object.entries(tags).some(([tk, tv]) => tk.toLowerCase() === k && (value === undefined || tv === value.value));
}

/**
 * $filter of GET resourcegroups: `tagName eq 'a' [and tagValue eq 'b']` (as az group list --tag
 * sends it). Anything else is ARM's 400 InvalidFilterInQueryString.
 */
function groupFilter(filter: string): (r: ResourceRecord) => boolean {
  const clauses = parseClauses(filter);
  const fields = clauses?.map((c) => c.field).sort().join(",");
  if (!clauses || (fields !== "tagname" && fields !== "tagname,tagvalue")) throw invalidFilter.make({ filter });
  const tags = tagMatcher(clauses)!;
  return (r) => tags(storedTags(r));
}

/**
 * $filter of the /resources listings, in the forms az and the SDKs send: `resourceType eq 'X'`,
 * `name eq 'X'`, `location eq 'X'`, `resourceGroup eq 'X'` joined with `and` (az resource list),
 * or `tagName eq 'a' [and tagValue eq 'b']` alone (ARM does not combine tags with other clauses).
 * Anything else is ARM's 400 InvalidFilterInQueryString.
 */
function resourceFilter(filter: string | undefined): (r: ResourceRecord) => boolean {
  if (filter === undefined || filter.trim() === "") return () => true;
  const clauses = parseClauses(filter);
  if (!clauses) throw invalidFilter.make({ filter });
  const fields = clauses.map((c) => c.field);
  const hasTag = fields.includes("tagname") || fields.includes("tagvalue");
  if (hasTag) {
    const sorted = [...fields].sort().join(",");
    if (sorted !== "tagname" && sorted !== "tagname,tagvalue") throw invalidFilter.make({ filter });
    const tags = tagMatcher(clauses)!;
    return (r) => tags(storedTags(r));
  }
  const simple = new Set(["resourcetype", "name", "location", "resourcegroup"]);
  if (fields.some((f) => !simple.has(f)) || new Set(fields).size !== fields.length) throw invalidFilter.make({ filter });
  return (r) => clauses.every((c) => {
    const v = c.value.toLowerCase();
    switch (c.field) {
      case "resourcetype": return r.type.toLowerCase() === v;
      case "name": return r.name.toLowerCase() === v;
      case "location": return (r.location ?? "").toLowerCase().replace(/\s+/g, "") === v.replace(/\s+/g, "");
      default: return (parseId(r.id)?.resourceGroup ?? "").toLowerCase() === v;
    }
  });
}

/** The GenericResource shape of /resources listings. */
/** Tracked top-level resources only: extension resources (role assignments) are not listed. */
function isListedResource(env: ArmEnv, r: ResourceRecord): boolean {
  const pp = parseId(r.id);
  if (!pp || pp.blocks.length !== 1 || pp.blocks[0]!.types.length !== 1) return false;
  return env.registry.find(r.type)?.scope !== "extension";
}

function genericResourceView(r: ResourceRecord) {
  const out: Record<string, unknown> = { id: r.id, name: r.name, type: r.type, location: r.location };
  if (r.tags && typeof r.tags === "object") out.tags = storedTags(r);
  if (r.kind) out.kind = r.kind;
  if (r.sku) out.sku = r.sku;
  if (r.identity) out.identity = r.identity;
  if (r.managedBy) out.managedBy = r.managedBy;
  return out;
}
