// The generic ARM resource handler: one code path for every provider resource type.
// Order of checks (reference/arm-contract.md "What to build" #2): api-version present →
// subscription → namespace/type known → api-version supported → provider registered (writes)
// → resource group exists → parent exists → strategy validation → write. Strategies only
// say what differs per type (validation, defaults, side effects, rendering).
import { randomUUID } from "node:crypto";
import type { RequestContext } from "../server/context.js";
import { E } from "./catalog.js";
import { jsonDepthExceeds, MAX_JSON_DEPTH } from "./json-depth.js";
import { ArmError } from "./errors.js";
import { compareApiVersions, resolveApiVersion, sortApiVersions } from "./api-version.js";
import { buildId, extensionScope, parseId, typeOf, isValidName, type ParsedId, idKey, nameOf as nameOfId } from "./resource-id.js";
import { deleteRecordTree, getRecord, listByType, listByTypeInGroup, listChildren, putRecord } from "./repo.js";
import { getProviderRegistration, getResourceGroup, getSubscription, normalizeLocation } from "./state.js";
import { isKnownLocation, allLocationNames } from "./locations.js";
import { defaultEnvelopeError, envelopeProblem } from "./envelope.js";
import type { ArmEnv, ResourceRecord, ResourceTypeDef, RenderCtx, OperationRecord } from "./types.js";
import type { Txn } from "../store/store.js";

const PAGE_SIZE = 100;

export function newEtag(): string {
  return `W/"${randomUUID()}"`;
}

export function renderRecord(def: ResourceTypeDef | undefined, rec: ResourceRecord, ctx: RenderCtx): Record<string, unknown> {
  if (def?.strategy.render) return def.strategy.render(rec, ctx);
  return renderBase(rec);
}

/** The ARM envelope every resource shares; `internal` is never shown. */
export function renderBase(rec: ResourceRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { id: rec.id, name: rec.name, type: rec.type };
  if (rec.etag !== undefined) out.etag = rec.etag;
  if (rec.kind !== undefined) out.kind = rec.kind;
  if (rec.location !== undefined) out.location = rec.location;
  if (rec.tags !== undefined) out.tags = rec.tags;
  if (rec.sku !== undefined) out.sku = rec.sku;
  if (rec.identity !== undefined) out.identity = rec.identity;
  if (rec.managedBy !== undefined) out.managedBy = rec.managedBy;
  if (rec.zones !== undefined) out.zones = rec.zones;
  out.properties = rec.properties;
  if (rec.systemData) out.systemData = rec.systemData;
  return out;
}

export async function readJsonBody(ctx: RequestContext, required: boolean): Promise<any> {
  const raw = await ctx.rawBody(); // too large: BodyTooLargeError, rendered as 413 by server/app.ts
  const text = raw.toString("utf8").replace(/^\uFEFF/, "");
  if (text.trim() === "") {
    if (required) throw E.invalidRequestContent.make({ detail: "The request body is empty." });
    return {};
  }
  if (jsonDepthExceeds(text)) throw E.invalidRequestContentDepth.make({ limit: MAX_JSON_DEPTH });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw E.invalidRequestContent.make({ detail: (e as Error).message });
  }
  if (required && (body === null || typeof body !== "object" || Array.isArray(body))) {
    throw E.invalidRequestContent.make({ detail: "The request body must be a JSON object." });
  }
  return body;
}

export function requireApiVersion(ctx: RequestContext): string {
  const v = ctx.query("api-version");
  if (!v) throw E.missingApiVersion.make({});
  return v;
}

/** Location of the top-level ancestor (child resources report their parent's region in operation URLs). */
function locationFor(tx: Pick<Txn, "get" | "list">, id: string, fallback?: string): string {
  const p = parseId(id);
  if (!p || p.blocks.length === 0) return fallback ?? "global";
  const b = p.blocks[0]!;
  const top = buildId({ ...p, blocks: [{ namespace: b.namespace, types: b.types.slice(0, 1), names: b.names.slice(0, 1) }] });
  return getRecord(tx, top)?.location ?? fallback ?? "global";
}

export function operationUrls(ctx: RequestContext, op: Pick<OperationRecord, "subscriptionId" | "namespace" | "location" | "name" | "apiVersion">) {
  const base = `/subscriptions/${op.subscriptionId}/providers/${op.namespace}/locations/${op.location}`;
  return {
    asyncOperation: ctx.absolute(`${base}/operations/${op.name}?api-version=${op.apiVersion}`),
    location: ctx.absolute(`${base}/operationresults/${op.name}?api-version=${op.apiVersion}`),
  };
}

interface Resolved {
  def: ResourceTypeDef;
  parsed: ParsedId;
  apiVersion: string;
  /** Full id when addressing one resource. */
  id?: string;
  /** Collection listing under a parent (or a resource group / subscription). */
  list?: { parentId?: string; resourceGroup?: string };
  action?: string;
}

export class GenericResourceHandler {
  constructor(private readonly env: ArmEnv) {}

  /** Try to handle a /subscriptions/.../providers/... resource request; false if the path is not of that shape. */
  async handle(ctx: RequestContext): Promise<boolean> {
    const parsed = parseId(ctx.path);
    if (!parsed || parsed.blocks.length === 0 || !parsed.subscriptionId) return false;
    const requested = requireApiVersion(ctx);
    const sub = parsed.subscriptionId;
    if (!getSubscription(this.env.store, sub)) {
      if (!/^[0-9a-f-]{36}$/i.test(sub)) throw E.invalidSubscriptionId.make({ sub });
      throw E.subscriptionNotFound.make({ sub });
    }
    const r = this.resolve(ctx, parsed, requested);
    const write = ["PUT", "PATCH", "DELETE", "POST"].includes(ctx.method);
    if (write && ctx.method !== "DELETE") {
      const reg = getProviderRegistration(this.env.store, sub, r.def.namespace);
      if (reg.registrationState !== "Registered") {
        const err = E.missingSubscriptionRegistration.make({ ns: r.def.namespace });
        throw new ArmError(err.status, err.code, err.message, {
          details: [{ code: err.code, target: r.def.namespace, message: err.message }],
          headers: err.headers,
        });
      }
    }
    if (parsed.resourceGroup) {
      const rg = getResourceGroup(this.env.store, sub, parsed.resourceGroup);
      if (!rg) throw E.resourceGroupNotFound.make({ rg: parsed.resourceGroup });
      if (write && rg.properties.provisioningState === "Deleting") throw E.resourceGroupBeingDeleted.make({ rg: parsed.resourceGroup });
    }
    if (r.list) return this.list(ctx, r), true;
    if (r.action) return await this.action(ctx, r), true;
    switch (ctx.method) {
      case "GET":
      case "HEAD":
        this.get(ctx, r);
        return true;
      case "PUT":
        await this.put(ctx, r);
        return true;
      case "PATCH":
        await this.patch(ctx, r);
        return true;
      case "DELETE":
        this.delete(ctx, r);
        return true;
      default:
        throw E.methodNotAllowed.make({ method: ctx.method });
    }
  }

  private resolve(ctx: RequestContext, parsed: ParsedId, requested: string): Resolved {
    const last = parsed.blocks[parsed.blocks.length - 1]!;
    const ns = last.namespace;
    if (!this.env.registry.all().some((d) => d.namespace.toLowerCase() === ns.toLowerCase())) {
      throw E.invalidResourceNamespace.make({ ns });
    }
    const isItem = last.names.length === last.types.length;
    const candidates: Array<{ def: ResourceTypeDef | undefined; mode: "item" | "list" | "action" }> = [];
    if (isItem) candidates.push({ def: this.env.registry.find(typeOf(last)), mode: "item" });
    else {
      candidates.push({ def: this.env.registry.find(typeOf(last)), mode: "list" });
      if (last.types.length >= 2) {
        candidates.push({ def: this.env.registry.find(typeOf({ ...last, types: last.types.slice(0, -1) })), mode: "action" });
      }
    }
    // Prefer an action when the method is POST (e.g. managedClusters/x/listClusterUserCredential).
    if (ctx.method === "POST") candidates.reverse();
    for (const c of candidates) {
      if (!c.def) continue;
      if (c.mode === "action") {
        const actionName = last.types[last.types.length - 1]!;
        const act = findAction(c.def, actionName);
        if (!act) continue;
        const apiVersion = this.checkApiVersion(c.def, requested, parsed);
        const blocks = parsed.blocks.slice(0, -1).concat([{ ...last, types: last.types.slice(0, -1) }]);
        return { def: c.def, parsed, apiVersion, id: buildId({ ...parsed, blocks }), action: actionName };
      }
      const apiVersion = this.checkApiVersion(c.def, requested, parsed);
      this.checkScope(c.def, parsed);
      if (c.mode === "item") {
        const name = last.names[last.names.length - 1]!;
        if (!isValidName(name)) throw E.invalidResourceName.make({ name });
        c.def.strategy.checkId?.(buildId(parsed), parsed, ctx.method);
        return { def: c.def, parsed, apiVersion, id: buildId(parsed) };
      }
      // Collection: children of a parent, or top-level in RG / subscription.
      if (last.types.length > 1) {
        const blocks = parsed.blocks.slice(0, -1).concat([{ ...last, types: last.types.slice(0, -1) }]);
        return { def: c.def, parsed, apiVersion, list: { parentId: buildId({ ...parsed, blocks }) } };
      }
      return { def: c.def, parsed, apiVersion, list: { resourceGroup: parsed.resourceGroup } };
    }
    const someDef = this.env.registry.all().find((d) => d.namespace.toLowerCase() === ns.toLowerCase())!;
    throw E.invalidResourceType.make({ type: last.types.join("/"), ns: someDef.namespace, v: requested, versions: sortApiVersions(someDef.apiVersions).join(",") });
  }

  private checkScope(def: ResourceTypeDef, parsed: ParsedId): void {
    if (def.scope === "resourceGroup" && !parsed.resourceGroup && parsed.blocks[parsed.blocks.length - 1]!.names.length > 0) {
      throw E.invalidResourceId.make({ id: buildId(parsed) });
    }
  }

  private checkApiVersion(def: ResourceTypeDef, requested: string, parsed: ParsedId): string {
    const ok = resolveApiVersion(requested, def.apiVersions);
    if (ok) return ok.effective;
    const versions = sortApiVersions(def.apiVersions).join(", ");
    const loc = parsed.resourceGroup ? getResourceGroup(this.env.store, parsed.subscriptionId!, parsed.resourceGroup)?.location : undefined;
    throw E.noRegisteredProviderFound.make({
      location: loc ?? "global",
      v: requested,
      type: `${def.namespace}/${def.type}`,
      versions,
      locations: allLocationNames().slice(0, 12).join(", "),
    });
  }

  private renderCtx(apiVersion: string): RenderCtx {
    return { env: this.env, apiVersion, tx: this.env.store };
  }

  private notFound(r: Resolved): ArmError {
    const parsed = parseId(r.id!)!;
    const last = parsed.blocks[parsed.blocks.length - 1]!;
    // Top-level resources: ARM's ResourceNotFound. Nested ones: the RP's NotFound.
    if (last.types.length === 1 && parsed.blocks.length === 1) {
      return E.resourceNotFound.make({ type: typeOf(last), name: last.names[0]!, rg: parsed.resourceGroup ?? "" });
    }
    return new ArmError(404, "NotFound", `Resource ${r.id} not found.`, { alwaysDetails: r.def.namespace === "Microsoft.Network" });
  }

  private checkParent(tx: Pick<Txn, "get" | "list">, r: Resolved): void {
    const parsed = r.parsed;
    const last = parsed.blocks[parsed.blocks.length - 1]!;
    if (last.types.length > 1) {
      const blocks = parsed.blocks.slice(0, -1).concat([{ ...last, types: last.types.slice(0, -1), names: last.names.slice(0, last.types.length - 1) }]);
      const pid = buildId({ ...parsed, blocks });
      if (!getRecord(tx, pid)) throw E.parentResourceNotFound.make({ parent: last.names[last.types.length - 2]! });
    }
    if (parsed.blocks.length > 1) {
      const scope = extensionScope(parsed);
      const sp = parseId(scope);
      if (sp && sp.blocks.length > 0 && !getRecord(tx, scope)) {
        const b = sp.blocks[sp.blocks.length - 1]!;
        throw E.resourceNotFound.make({ type: typeOf(b), name: b.names[b.names.length - 1] ?? "", rg: sp.resourceGroup ?? "" });
      }
    }
  }

  private find(tx: Pick<Txn, "get" | "list">, r: Resolved): ResourceRecord | undefined {
    return r.def.strategy.lookup ? r.def.strategy.lookup(tx, r.id!, this.env) : getRecord(tx, r.id!);
  }

  private get(ctx: RequestContext, r: Resolved): void {
    const rec = this.find(this.env.store, r);
    if (!rec || rec.type.toLowerCase() !== `${r.def.namespace}/${r.def.type}`.toLowerCase()) throw this.notFound(r);
    const body = renderRecord(r.def, rec, this.renderCtx(r.apiVersion));
    ctx.send(200, body, rec.etag ? { etag: rec.etag } : {});
  }

  private list(ctx: RequestContext, r: Resolved): void {
    if (ctx.method !== "GET") throw E.methodNotAllowed.make({ method: ctx.method });
    const store = this.env.store;
    const sub = r.parsed.subscriptionId!;
    const type = `${r.def.namespace}/${r.def.type}`;
    let recs: ResourceRecord[];
    if (r.def.strategy.listAt) {
      const scopeId = r.list!.parentId ?? buildId({ ...r.parsed, blocks: r.parsed.blocks.slice(0, -1) });
      recs = r.def.strategy.listAt({ env: this.env, tx: store, scopeId: scopeId || `/subscriptions/${sub}`, parsed: r.parsed, query: (n) => ctx.query(n), principal: ctx.principal! });
    } else if (r.list!.parentId) {
      if (!getRecord(store, r.list!.parentId)) throw E.parentResourceNotFound.make({ parent: nameOfId(r.list!.parentId) });
      recs = listChildren(store, r.list!.parentId, type);
    } else if (r.list!.resourceGroup) {
      recs = listByTypeInGroup(store, sub, r.list!.resourceGroup, type);
    } else {
      recs = listByType(store, sub, type);
    }
    recs.sort((a, b) => (idKey(a.id) < idKey(b.id) ? -1 : 1));
    sendPage(ctx, recs.map((rec) => renderRecord(r.def, rec, this.renderCtx(r.apiVersion))), (x) => String(x.id));
  }

  /** PUT and PATCH read the envelope alike: nothing unreadable reaches a strategy or the store. */
  private checkEnvelope(r: Resolved, body: Record<string, unknown>): void {
    const p = envelopeProblem(body);
    if (p) throw (r.def.strategy.envelopeError ?? defaultEnvelopeError)(p);
  }

  private async put(ctx: RequestContext, r: Resolved): Promise<void> {
    const body = await readJsonBody(ctx, true);
    this.checkEnvelope(r, body);
    const env = this.env;
    const principal = ctx.principal!;
    const result = env.store.txn((tx) => {
      this.checkParent(tx, r);
      const existing = getRecord(tx, r.id!);
      if (existing && existing.type.toLowerCase() !== `${r.def.namespace}/${r.def.type}`.toLowerCase()) throw this.notFound(r);
      checkPreconditions(ctx, existing);
      if (existing && isBusy(existing)) {
        // The Network RP renders `details: []` on every error (reference/arm-contract.md §4.1).
        throw E.anotherOperationInProgress.make({ url: busyUrl(ctx, env, existing) }, r.def.namespace === "Microsoft.Network" ? { details: [] } : undefined);
      }
      if (r.def.tracked) {
        const loc = typeof body.location === "string" ? normalizeLocation(body.location) : undefined;
        if (!loc && !existing) throw E.locationRequired.make({});
        if (loc && !isKnownLocation(loc)) {
          throw E.noRegisteredProviderFound.make({ location: body.location, v: r.apiVersion, type: `${r.def.namespace}/${r.def.type}`,
            versions: sortApiVersions(r.def.apiVersions).join(", "), locations: allLocationNames().slice(0, 12).join(", ") });
        }
        if (existing && loc && existing.location && loc !== existing.location) {
          throw E.locationChangeNotAllowed.make({ from: existing.location, to: loc });
        }
        if (loc) body.location = loc;
      }
      const wctx = { env, tx, id: r.id!, parsed: r.parsed, apiVersion: r.apiVersion, body, existing, principal, req: ctx };
      let rec = r.def.strategy.put(wctx);
      rec = { ...rec, id: r.id!, name: r.parsed.blocks[r.parsed.blocks.length - 1]!.names.slice(-1)[0]!, type: rec.type ?? `${r.def.namespace}/${r.def.type}` };
      rec.systemData = stampSystemData(existing?.systemData, principal.appId, env.now());
      const asyncStage = r.def.strategy.asyncPut?.(wctx, rec);
      putRecord(tx, rec);
      let op: OperationRecord | undefined;
      if (asyncStage) {
        op = env.ops.start(tx, {
          kind: "put", resourceId: rec.id, type: rec.type, namespace: r.def.namespace,
          location: rec.location ?? locationFor(tx, rec.id), subscriptionId: r.parsed.subscriptionId!, apiVersion: r.apiVersion,
          stage: asyncStage.stage, delayMs: asyncStage.delayMs, data: asyncStage.data, principal,
        });
        rec.internal = { ...rec.internal, activeOperation: op.name };
        putRecord(tx, rec);
      }
      return { rec, created: !existing, op };
    });
    const headers: Record<string, string> = {};
    if (result.rec.etag) headers.etag = result.rec.etag;
    if (result.op) {
      const urls = operationUrls(ctx, result.op);
      headers["azure-asyncoperation"] = urls.asyncOperation;
      headers["retry-after"] = String(env.latency.retryAfterSeconds());
    }
    ctx.send(result.created ? 201 : 200, renderRecord(r.def, result.rec, this.renderCtx(r.apiVersion)), headers);
  }

  private async patch(ctx: RequestContext, r: Resolved): Promise<void> {
    const body = await readJsonBody(ctx, true);
    this.checkEnvelope(r, body);
    const env = this.env;
    const rec = env.store.txn((tx) => {
      const existing = getRecord(tx, r.id!);
      if (!existing || existing.type.toLowerCase() !== `${r.def.namespace}/${r.def.type}`.toLowerCase()) throw this.notFound(r);
      checkPreconditions(ctx, existing);
      const wctx = { env, tx, id: r.id!, parsed: r.parsed, apiVersion: r.apiVersion, body, existing, principal: ctx.principal!, req: ctx };
      let next: ResourceRecord;
      if (r.def.strategy.patch) next = r.def.strategy.patch(wctx);
      else next = { ...existing, tags: body.tags ?? existing.tags, etag: existing.etag ? newEtag() : undefined };
      next.systemData = stampSystemData(existing.systemData, ctx.principal!.appId, env.now());
      putRecord(tx, next);
      return next;
    });
    ctx.send(200, renderRecord(r.def, rec, this.renderCtx(r.apiVersion)), rec.etag ? { etag: rec.etag } : {});
  }

  private delete(ctx: RequestContext, r: Resolved): void {
    const env = this.env;
    const result = env.store.txn((tx) => {
      const existing = getRecord(tx, r.id!);
      if (!existing || existing.type.toLowerCase() !== `${r.def.namespace}/${r.def.type}`.toLowerCase()) {
        if (ctx.header("if-match") && ctx.header("if-match") !== "*") throw E.preconditionFailedMissing.make({});
        return { status: 204 as const };
      }
      checkPreconditions(ctx, existing);
      if (isBusy(existing) && existing.properties.provisioningState === "Deleting") {
        // A delete already running: answer like the first one did.
        const op = env.ops.get(existing.internal!.activeOperation);
        if (op && op.status === "InProgress") return { status: 202 as const, op };
      }
      const dctx = { env, tx, record: existing, apiVersion: r.apiVersion, principal: ctx.principal!, cascade: false, req: ctx };
      const asyncStage = r.def.strategy.asyncDelete?.(dctx);
      if (asyncStage) {
        const op = env.ops.start(tx, {
          kind: "delete", resourceId: existing.id, type: existing.type, namespace: r.def.namespace,
          location: existing.location ?? locationFor(tx, existing.id), subscriptionId: r.parsed.subscriptionId!,
          apiVersion: r.apiVersion, stage: asyncStage.stage, delayMs: asyncStage.delayMs, data: asyncStage.data, principal: ctx.principal,
        });
        putRecord(tx, { ...existing, properties: { ...existing.properties, provisioningState: "Deleting" }, internal: { ...existing.internal, activeOperation: op.name } });
        return { status: 202 as const, op };
      }
      r.def.strategy.delete?.(dctx);
      deleteRecordTree(tx, existing.id);
      return { status: 200 as const, body: r.def.strategy.deleteReturnsBody ? renderRecord(r.def, existing, this.renderCtx(r.apiVersion)) : undefined };
    });
    if (result.status === 202 && result.op) {
      const urls = operationUrls(ctx, result.op);
      ctx.send(202, undefined, { location: urls.location, "azure-asyncoperation": urls.asyncOperation, "retry-after": String(env.latency.retryAfterSeconds()) });
      return;
    }
    ctx.send(result.status, "body" in result ? result.body : undefined);
  }

  private async action(ctx: RequestContext, r: Resolved): Promise<void> {
    const act = findAction(r.def, r.action!)!;
    if (act.method !== ctx.method && !(ctx.method === "HEAD" && act.method === "GET")) throw E.methodNotAllowed.make({ method: ctx.method });
    const body = ctx.method === "POST" ? await readJsonBody(ctx, false) : {};
    const env = this.env;
    const out = env.store.txn((tx) => {
      const rec = getRecord(tx, r.id!);
      if (!rec || rec.type.toLowerCase() !== `${r.def.namespace}/${r.def.type}`.toLowerCase()) throw this.notFound(r);
      const res = act.run({ env, tx, record: rec, apiVersion: r.apiVersion, body, principal: ctx.principal!, req: ctx });
      if ("async" in res) {
        if (isBusy(rec)) throw E.anotherOperationInProgress.make({ url: busyUrl(ctx, env, rec) });
        const op = env.ops.start(tx, {
          kind: "action", action: r.action, resourceId: rec.id, type: rec.type, namespace: r.def.namespace,
          location: rec.location ?? locationFor(tx, rec.id), subscriptionId: r.parsed.subscriptionId!, apiVersion: r.apiVersion,
          stage: res.async.stage, delayMs: res.async.delayMs, principal: ctx.principal,
          data: { ...res.async.data, ...(res.async.provisioningState ? { setsProvisioningState: true } : {}) },
        });
        const props = res.async.provisioningState ? { ...rec.properties, provisioningState: res.async.provisioningState } : rec.properties;
        putRecord(tx, { ...rec, properties: props, internal: { ...rec.internal, activeOperation: op.name } });
        return { op, locationPath: res.async.locationPath?.(op.name) };
      }
      return { res };
    });
    if ("op" in out && out.op) {
      const urls = operationUrls(ctx, out.op);
      const location = "locationPath" in out && out.locationPath ? ctx.absolute(out.locationPath) : urls.location;
      ctx.send(202, undefined, { location, "azure-asyncoperation": urls.asyncOperation, "retry-after": String(env.latency.retryAfterSeconds()) });
      return;
    }
    const res = (out as { res: { status: number; body?: unknown; headers?: Record<string, string> } }).res;
    ctx.send(res.status, res.body, res.headers);
  }
}

function findAction(def: ResourceTypeDef, name: string) {
  const acts = def.strategy.actions ?? {};
  const key = Object.keys(acts).find((k) => k.toLowerCase() === name.toLowerCase());
  return key ? acts[key] : undefined;
}

/** A resource with a running operation (ARM answers 409 AnotherOperationInProgress to a second write). */
export function isBusy(rec: ResourceRecord): boolean {
  const ps = rec.properties?.provisioningState;
  return typeof ps === "string" && !["Succeeded", "Failed", "Canceled"].includes(ps) && !!rec.internal?.activeOperation;
}

function busyUrl(ctx: RequestContext, env: ArmEnv, rec: ResourceRecord): string {
  const op = env.ops.get(rec.internal!.activeOperation);
  if (!op) return ctx.absolute("/");
  return operationUrls(ctx, op).asyncOperation;
}

function checkPreconditions(ctx: RequestContext, existing: ResourceRecord | undefined): void {
  const ifMatch = ctx.header("if-match");
  const ifNoneMatch = ctx.header("if-none-match");
  if (ifMatch !== undefined) {
    if (!existing) throw E.preconditionFailedMissing.make({});
    if (ifMatch !== "*" && ifMatch !== existing.etag) throw E.preconditionFailed.make({ given: JSON.stringify(ifMatch), actual: JSON.stringify(existing.etag ?? "") });
  }
  if (ifNoneMatch === "*" && existing) throw E.preconditionFailedMissing.make({});
}

export function stampSystemData(prev: ResourceRecord["systemData"], who: string, now: Date): NonNullable<ResourceRecord["systemData"]> {
  const t = now.toISOString();
  return {
    createdBy: prev?.createdBy ?? who,
    createdByType: prev?.createdByType ?? "Application",
    createdAt: prev?.createdAt ?? t,
    lastModifiedBy: who,
    lastModifiedByType: "Application",
    lastModifiedAt: t,
  };
}

/** Answer a pageable list: {value, nextLink} with $skipToken paging on a stable sort key. */
export function sendPage<T>(ctx: RequestContext, items: T[], keyOf: (x: T) => string): void {
  const top = Number(ctx.query("$top") ?? "");
  const size = Number.isInteger(top) && top > 0 ? Math.min(top, 1000) : PAGE_SIZE;
  const skip = ctx.query("$skipToken");
  let start = 0;
  if (skip) {
    const after = Buffer.from(skip, "base64url").toString("utf8");
    start = items.findIndex((x) => keyOf(x).toLowerCase() > after.toLowerCase());
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + size);
  const body: { value: T[]; nextLink?: string } = { value: page };
  if (start + size < items.length && page.length > 0 && !ctx.query("$top")) {
    const u = new URL(ctx.url.toString());
    u.searchParams.set("$skipToken", Buffer.from(keyOf(page[page.length - 1]!)).toString("base64url"));
    body.nextLink = ctx.absolute(u.pathname + u.search);
  }
  ctx.send(200, body);
}

export { compareApiVersions };
