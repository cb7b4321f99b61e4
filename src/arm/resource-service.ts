// The resource service: get, list, put, patch, delete and actions for every registered resource
// type, with ARM's checks in ARM's order. There is no HTTP here: the caller comes as data
// (arm/caller.ts) and answers are records, status codes and operations, or a thrown ArmError.
// The HTTP adapter (arm/generic.ts), providers' side effects (arm/internal.ts) and, next, template
// deployments all write through it, so a resource is created the same way whoever asks.
//
// Check order (reference/arm-contract.md "What to build" #2; `resolve` does the first part):
//   subscription (InvalidSubscriptionId, SubscriptionNotFound) → namespace and type known
//   (InvalidResourceNamespace, InvalidResourceType) → api-version supported (NoRegisteredProviderFound)
//   → provider registered, for writes (MissingSubscriptionRegistration) → resource group exists and
//   is not being deleted (ResourceGroupNotFound, ResourceGroupBeingDeleted) → parent exists, for PUT
//   (ParentResourceNotFound) → the provider's own validation of the id (InvalidResourceName, GUID
//   names ...) and of the body → preconditions (If-Match) → busy (AnotherOperationInProgress) →
//   location → the strategy's put.
import type { Txn } from "../store/store.js";
import { E } from "./catalog.js";
import { ArmError } from "./errors.js";
import { resolveApiVersion, sortApiVersions } from "./api-version.js";
import { buildId, extensionScope, idKey, isValidName, nameOf, parseId, typeOf, type ParsedId } from "./resource-id.js";
import { deleteRecordTree, getRecord, listByType, listByTypeInGroup, listChildren, putRecord } from "./repo.js";
import { getProviderRegistration, getResourceGroup, getSubscription, groupState, normalizeLocation, resourceGroupState, subscriptionExists } from "./state.js";
import { allLocationNames, isKnownLocation } from "./locations.js";
import { defaultEnvelopeError, envelopeProblem } from "./envelope.js";
import { isBusy, newEtag, operationUrls, renderRecord, stampSystemData } from "./records.js";
import type { Caller } from "./caller.js";
import type { ArmEnv, DeleteCtx, OperationRecord, RenderCtx, ResourceRecord, ResourceTypeDef, WriteCtx } from "./types.js";

type Reader = Pick<Txn, "get" | "list">;

export type Method = "GET" | "HEAD" | "PUT" | "PATCH" | "DELETE" | "POST";

/** What a request addresses, once ARM has routed it. */
export interface Target {
  def: ResourceTypeDef;
  parsed: ParsedId;
  /** The api-version the type serves the request with. */
  apiVersion: string;
  /** Full id when addressing one resource (or the resource an action runs on). */
  id?: string;
  /** Collection listing under a parent (or a resource group / subscription). */
  list?: { parentId?: string; resourceGroup?: string };
  action?: string;
}

export interface ResolveOptions {
  /** Read through this transaction (a side effect inside its caller's). */
  reader?: Reader;
  /** Part of a larger delete (a resource group's or a parent's): a group being deleted does not refuse it. */
  cascade?: boolean;
}

export interface WriteOptions {
  caller: Caller;
  /** If-Match / If-None-Match preconditions, as the client sent them. */
  ifMatch?: string;
  ifNoneMatch?: string;
  /**
   * Complete the write in this call instead of starting an operation: the caller's transaction
   * cannot wait for one (a provider's side effect). Types whose PUT needs an operation and cannot
   * finish at once refuse it.
   */
  inline?: boolean;
}

export interface DeleteOptions extends WriteOptions {
  cascade?: boolean;
  /** In a resource-group cascade, the group being deleted. */
  cascadeScope?: string;
}

export interface PutResult {
  record: ResourceRecord;
  /** 201 when the resource was created, 200 when replaced. */
  status: 200 | 201;
  /** The operation that finishes the PUT (answered with Azure-AsyncOperation). */
  operation?: OperationRecord;
}

export type DeleteResult =
  | { status: 204 }
  | { status: 200; deleted?: ResourceRecord }
  | { status: 202; operation: OperationRecord };

export type ActionOutcome =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { status: 202; operation: OperationRecord; /** Path (with query) of the 202's Location, instead of the generic operationresults URL. */ locationPath?: string };

export class ResourceService {
  constructor(readonly env: ArmEnv) {}

  /**
   * Route a resource id (or collection / action path) to its type, checking in ARM's order what
   * ARM itself checks before a provider sees the request.
   */
  resolve(idOrParsed: string | ParsedId, method: Method, requestedApiVersion: string, o: ResolveOptions = {}): Target {
    const reader = o.reader ?? this.env.store;
    const parsed = typeof idOrParsed === "string" ? parseId(idOrParsed) : idOrParsed;
    if (!parsed || parsed.blocks.length === 0 || !parsed.subscriptionId) {
      throw E.invalidResourceId.make({ id: typeof idOrParsed === "string" ? idOrParsed : buildId(idOrParsed) });
    }
    const sub = parsed.subscriptionId;
    // Outside a transaction, the checks below read through the read cache (arm/read-cache.ts).
    const cached = reader === this.env.store;
    if (!(cached ? subscriptionExists(this.env.store, sub) : getSubscription(reader, sub))) {
      if (!/^[0-9a-f-]{36}$/i.test(sub)) throw E.invalidSubscriptionId.make({ sub });
      throw E.subscriptionNotFound.make({ sub });
    }
    const t = this.route(parsed, method, requestedApiVersion, reader);
    const write = method === "PUT" || method === "PATCH" || method === "DELETE" || method === "POST";
    if (write && method !== "DELETE") {
      const reg = getProviderRegistration(reader, sub, t.def.namespace);
      if (reg.registrationState !== "Registered") {
        const err = E.missingSubscriptionRegistration.make({ ns: t.def.namespace });
        throw new ArmError(err.status, err.code, err.message, {
          details: [{ code: err.code, target: t.def.namespace, message: err.message }],
          headers: err.headers,
        });
      }
    }
    if (parsed.resourceGroup) {
      const rg = cached ? resourceGroupState(this.env.store, sub, parsed.resourceGroup) : groupState(getResourceGroup(reader, sub, parsed.resourceGroup));
      if (!rg) throw E.resourceGroupNotFound.make({ rg: parsed.resourceGroup });
      if (write && !o.cascade && rg.provisioningState === "Deleting") throw E.resourceGroupBeingDeleted.make({ rg: parsed.resourceGroup });
    }
    return t;
  }

  /** The record at the target, as its type finds it (404 when absent). */
  get(t: Target, method: Method, caller: Caller, reader: Reader = this.env.store): ResourceRecord {
    this.checkName(t, method, caller);
    const rec = this.find(reader, t);
    if (!rec || !this.isOfType(t, rec)) throw this.notFound(t);
    return rec;
  }

  /** The records of a collection target, sorted by id. */
  list(t: Target, caller: Caller, query: (name: string) => string | undefined): ResourceRecord[] {
    const store = this.env.store;
    const sub = t.parsed.subscriptionId!;
    const type = `${t.def.namespace}/${t.def.type}`;
    const at = t.list!;
    let recs: ResourceRecord[];
    if (t.def.strategy.listAt) {
      const scopeId = at.parentId ?? buildId({ ...t.parsed, blocks: t.parsed.blocks.slice(0, -1) });
      recs = t.def.strategy.listAt({ env: this.env, tx: store, scopeId: scopeId || `/subscriptions/${sub}`, parsed: t.parsed, query, principal: caller.principal });
    } else if (at.parentId) {
      if (!getRecord(store, at.parentId)) throw E.parentResourceNotFound.make({ parent: nameOf(at.parentId) });
      recs = listChildren(store, at.parentId, type);
    } else if (at.resourceGroup) {
      recs = listByTypeInGroup(store, sub, at.resourceGroup, type);
    } else {
      recs = listByType(store, sub, type);
    }
    return recs.sort((a, b) => (idKey(a.id) < idKey(b.id) ? -1 : 1));
  }

  /** PUT in a transaction of its own. */
  put(t: Target, body: Record<string, any>, o: WriteOptions): Promise<PutResult> {
    return this.env.store.txn((tx) => this.putIn(tx, t, body, o));
  }

  /** PUT inside the caller's transaction (a side effect inside its caller's; rerun-safe: reads and writes only through tx). */
  putIn(tx: Txn, t: Target, input: Record<string, any>, o: WriteOptions): PutResult {
    const env = this.env;
    const def = t.def;
    const id = t.id!;
    const body = { ...input };
    {
      this.checkParent(tx, t);
      this.checkName(t, "PUT", o.caller);
      this.checkEnvelope(t, body);
      const existing = getRecord(tx, id);
      if (existing && !this.isOfType(t, existing)) throw this.notFound(t);
      checkPreconditions(o, existing);
      if (existing && isBusy(existing)) {
        // The Network RP renders `details: []` on every error (reference/arm-contract.md §4.1).
        throw E.anotherOperationInProgress.make({ url: this.busyUrl(o.caller, existing) }, def.namespace === "Microsoft.Network" ? { details: [] } : undefined);
      }
      if (def.tracked) {
        const loc = typeof body.location === "string" ? normalizeLocation(body.location) : undefined;
        if (!loc && !existing) throw E.locationRequired.make({});
        if (loc && !isKnownLocation(loc)) {
          throw E.noRegisteredProviderFound.make({ location: body.location, v: t.apiVersion, type: `${def.namespace}/${def.type}`,
            versions: sortApiVersions(def.apiVersions).join(", "), locations: allLocationNames().slice(0, 12).join(", ") });
        }
        if (existing && loc && existing.location && loc !== existing.location) {
          throw E.locationChangeNotAllowed.make({ from: existing.location, to: loc });
        }
        if (loc) body.location = loc;
      }
      const wctx: WriteCtx = { env, tx, id, parsed: t.parsed, apiVersion: t.apiVersion, body, existing, principal: o.caller.principal, caller: o.caller };
      let rec = def.strategy.put(wctx);
      rec = { ...rec, id, name: nameOf(id), type: rec.type ?? `${def.namespace}/${def.type}` };
      rec.systemData = stampSystemData(existing?.systemData, o.caller.principal.appId, env.now());
      const asyncStage = def.strategy.asyncPut?.(wctx, rec);
      putRecord(tx, rec);
      const status = existing ? 200 : 201;
      if (!asyncStage) return { record: rec, status };
      if (o.inline) {
        if (!def.strategy.completePut) throw new ArmError(500, "InternalServerError", `${def.namespace}/${def.type} cannot be written without an operation (${id})`);
        def.strategy.completePut({ env, tx, record: rec });
        return { record: getRecord(tx, id) ?? rec, status };
      }
      const operation = env.ops.start(tx, {
        kind: "put", resourceId: rec.id, type: rec.type, namespace: def.namespace,
        location: rec.location ?? locationFor(tx, rec.id), subscriptionId: t.parsed.subscriptionId!, apiVersion: t.apiVersion,
        stage: asyncStage.stage, delayMs: asyncStage.delayMs, data: asyncStage.data, principal: o.caller.principal,
      });
      rec.internal = { ...rec.internal, activeOperation: operation.name };
      putRecord(tx, rec);
      return { record: rec, status, operation };
    }
  }

  patch(t: Target, body: Record<string, any>, o: WriteOptions): Promise<{ record: ResourceRecord }> {
    return this.env.store.txn((tx) => this.patchIn(tx, t, body, o));
  }

  patchIn(tx: Txn, t: Target, body: Record<string, any>, o: WriteOptions): { record: ResourceRecord } {
    const env = this.env;
    {
      this.checkName(t, "PATCH", o.caller);
      this.checkEnvelope(t, body);
      const existing = getRecord(tx, t.id!);
      if (!existing || !this.isOfType(t, existing)) throw this.notFound(t);
      checkPreconditions(o, existing);
      const wctx: WriteCtx = { env, tx, id: t.id!, parsed: t.parsed, apiVersion: t.apiVersion, body, existing, principal: o.caller.principal, caller: o.caller };
      const next: ResourceRecord = t.def.strategy.patch
        ? t.def.strategy.patch(wctx)
        : { ...existing, tags: body.tags ?? existing.tags, etag: existing.etag ? newEtag() : undefined };
      next.systemData = stampSystemData(existing.systemData, o.caller.principal.appId, env.now());
      putRecord(tx, next);
      return { record: next };
    }
  }

  delete(t: Target, o: DeleteOptions): Promise<DeleteResult> {
    return this.env.store.txn((tx) => this.deleteIn(tx, t, o));
  }

  deleteIn(tx: Txn, t: Target, o: DeleteOptions): DeleteResult {
    const env = this.env;
    const def = t.def;
    {
      this.checkName(t, "DELETE", o.caller);
      const existing = getRecord(tx, t.id!);
      if (!existing || !this.isOfType(t, existing)) {
        if (o.ifMatch && o.ifMatch !== "*") throw E.preconditionFailedMissing.make({});
        return { status: 204 };
      }
      checkPreconditions(o, existing);
      if (!o.inline && isBusy(existing) && existing.properties.provisioningState === "Deleting") {
        // A delete already running: answer like the first one did.
        const op = env.ops.get(existing.internal!.activeOperation, tx);
        if (op && op.status === "InProgress") return { status: 202, operation: op };
      }
      const dctx: DeleteCtx = {
        env, tx, record: existing, apiVersion: t.apiVersion, principal: o.caller.principal, caller: o.caller,
        cascade: o.cascade ?? false, cascadeScope: o.cascadeScope,
      };
      const asyncStage = o.inline ? undefined : def.strategy.asyncDelete?.(dctx);
      if (asyncStage) {
        const operation = env.ops.start(tx, {
          kind: "delete", resourceId: existing.id, type: existing.type, namespace: def.namespace,
          location: existing.location ?? locationFor(tx, existing.id), subscriptionId: t.parsed.subscriptionId!,
          apiVersion: t.apiVersion, stage: asyncStage.stage, delayMs: asyncStage.delayMs, data: asyncStage.data, principal: o.caller.principal,
        });
        putRecord(tx, { ...existing, properties: { ...existing.properties, provisioningState: "Deleting" }, internal: { ...existing.internal, activeOperation: operation.name } });
        return { status: 202, operation };
      }
      def.strategy.delete?.(dctx);
      deleteRecordTree(tx, existing.id);
      return { status: 200, deleted: def.strategy.deleteReturnsBody ? existing : undefined };
    }
  }

  /** Run a POST (or GET) action such as listClusterUserCredential on the target resource. */
  action(t: Target, method: Method, body: unknown, query: (name: string) => string | undefined, o: WriteOptions): Promise<ActionOutcome> {
    return this.env.store.txn((tx) => this.actionIn(tx, t, method, body, query, o));
  }

  actionIn(tx: Txn, t: Target, method: Method, body: unknown, query: (name: string) => string | undefined, o: WriteOptions): ActionOutcome {
    const env = this.env;
    const act = findAction(t.def, t.action!)!;
    if (act.method !== method && !(method === "HEAD" && act.method === "GET")) throw E.methodNotAllowed.make({ method });
    {
      const rec = getRecord(tx, t.id!);
      if (!rec || !this.isOfType(t, rec)) throw this.notFound(t);
      const res = act.run({ env, tx, record: rec, apiVersion: t.apiVersion, body, query, principal: o.caller.principal, caller: o.caller });
      if (!("async" in res)) return res;
      if (isBusy(rec)) throw E.anotherOperationInProgress.make({ url: this.busyUrl(o.caller, rec) });
      const operation = env.ops.start(tx, {
        kind: "action", action: t.action, resourceId: rec.id, type: rec.type, namespace: t.def.namespace,
        location: rec.location ?? locationFor(tx, rec.id), subscriptionId: t.parsed.subscriptionId!, apiVersion: t.apiVersion,
        stage: res.async.stage, delayMs: res.async.delayMs, principal: o.caller.principal,
        data: { ...res.async.data, ...(res.async.provisioningState ? { setsProvisioningState: true } : {}) },
      });
      const props = res.async.provisioningState ? { ...rec.properties, provisioningState: res.async.provisioningState } : rec.properties;
      putRecord(tx, { ...rec, properties: props, internal: { ...rec.internal, activeOperation: operation.name } });
      return { status: 202, operation, locationPath: res.async.locationPath?.(operation.name) };
    }
  }

  /** The record as the type shows it at the target's api-version. */
  render(t: Target, rec: ResourceRecord): Record<string, unknown> {
    return renderRecord(t.def, rec, this.renderCtx(t.apiVersion));
  }

  renderCtx(apiVersion: string): RenderCtx {
    return { env: this.env, apiVersion, tx: this.env.store };
  }

  // ---- routing ----

  private route(parsed: ParsedId, method: Method, requested: string, reader: Reader): Target {
    const registry = this.env.registry;
    const last = parsed.blocks[parsed.blocks.length - 1]!;
    const ns = last.namespace;
    if (!registry.all().some((d) => d.namespace.toLowerCase() === ns.toLowerCase())) throw E.invalidResourceNamespace.make({ ns });
    const isItem = last.names.length === last.types.length;
    const candidates: Array<{ def: ResourceTypeDef | undefined; mode: "item" | "list" | "action" }> = [];
    if (isItem) candidates.push({ def: registry.find(typeOf(last)), mode: "item" });
    else {
      candidates.push({ def: registry.find(typeOf(last)), mode: "list" });
      if (last.types.length >= 2) candidates.push({ def: registry.find(typeOf({ ...last, types: last.types.slice(0, -1) })), mode: "action" });
    }
    // Prefer an action when the method is POST (e.g. managedClusters/x/listClusterUserCredential).
    if (method === "POST") candidates.reverse();
    for (const c of candidates) {
      if (!c.def) continue;
      if (c.mode === "action") {
        const actionName = last.types[last.types.length - 1]!;
        if (!findAction(c.def, actionName)) continue;
        const apiVersion = this.checkApiVersion(c.def, requested, parsed, reader);
        const blocks = parsed.blocks.slice(0, -1).concat([{ ...last, types: last.types.slice(0, -1) }]);
        return { def: c.def, parsed, apiVersion, id: buildId({ ...parsed, blocks }), action: actionName };
      }
      const apiVersion = this.checkApiVersion(c.def, requested, parsed, reader);
      if (c.def.scope === "resourceGroup" && !parsed.resourceGroup && last.names.length > 0) throw E.invalidResourceId.make({ id: buildId(parsed) });
      if (c.mode === "item") return { def: c.def, parsed, apiVersion, id: buildId(parsed) };
      // Collection: children of a parent, or top-level in RG / subscription.
      if (last.types.length > 1) {
        const blocks = parsed.blocks.slice(0, -1).concat([{ ...last, types: last.types.slice(0, -1) }]);
        return { def: c.def, parsed, apiVersion, list: { parentId: buildId({ ...parsed, blocks }) } };
      }
      return { def: c.def, parsed, apiVersion, list: { resourceGroup: parsed.resourceGroup } };
    }
    const someDef = registry.all().find((d) => d.namespace.toLowerCase() === ns.toLowerCase())!;
    throw E.invalidResourceType.make({ type: last.types.join("/"), ns: someDef.namespace, v: requested, versions: sortApiVersions(someDef.apiVersions).join(",") });
  }

  private checkApiVersion(def: ResourceTypeDef, requested: string, parsed: ParsedId, reader: Reader): string {
    const ok = resolveApiVersion(requested, def.apiVersions);
    if (ok) return ok.effective;
    const loc = parsed.resourceGroup ? getResourceGroup(reader, parsed.subscriptionId!, parsed.resourceGroup)?.location : undefined;
    throw E.noRegisteredProviderFound.make({
      location: loc ?? "global",
      v: requested,
      type: `${def.namespace}/${def.type}`,
      versions: sortApiVersions(def.apiVersions).join(", "),
      locations: allLocationNames().slice(0, 12).join(", "),
    });
  }

  // ---- the checks after routing ----

  /** The provider's own validation of the id: ARM's name rules, then the type's (InvalidResourceName, GUID names ...). */
  private checkName(t: Target, method: Method, caller: Caller): void {
    const last = t.parsed.blocks[t.parsed.blocks.length - 1]!;
    const name = last.names[last.names.length - 1]!;
    if (!isValidName(name)) throw E.invalidResourceName.make({ name });
    t.def.strategy.checkId?.(t.id!, t.parsed, method, caller);
  }

  private checkParent(tx: Reader, t: Target): void {
    const parsed = t.parsed;
    const last = parsed.blocks[parsed.blocks.length - 1]!;
    if (last.types.length > 1) {
      const blocks = parsed.blocks.slice(0, -1).concat([{ ...last, types: last.types.slice(0, -1), names: last.names.slice(0, last.types.length - 1) }]);
      if (!getRecord(tx, buildId({ ...parsed, blocks }))) throw E.parentResourceNotFound.make({ parent: last.names[last.types.length - 2]! });
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

  /** PUT and PATCH read the envelope alike: nothing unreadable reaches a strategy or the store. */
  private checkEnvelope(t: Target, body: Record<string, unknown>): void {
    const p = envelopeProblem(body);
    if (p) throw (t.def.strategy.envelopeError ?? defaultEnvelopeError)(p);
  }

  private find(reader: Reader, t: Target): ResourceRecord | undefined {
    return t.def.strategy.lookup ? t.def.strategy.lookup(reader, t.id!, this.env) : getRecord(reader, t.id!);
  }

  private isOfType(t: Target, rec: ResourceRecord): boolean {
    return rec.type.toLowerCase() === `${t.def.namespace}/${t.def.type}`.toLowerCase();
  }

  private notFound(t: Target): ArmError {
    const parsed = parseId(t.id!)!;
    const last = parsed.blocks[parsed.blocks.length - 1]!;
    // Top-level resources: ARM's ResourceNotFound. Nested ones: the RP's NotFound.
    if (last.types.length === 1 && parsed.blocks.length === 1) {
      return E.resourceNotFound.make({ type: typeOf(last), name: last.names[0]!, rg: parsed.resourceGroup ?? "" });
    }
    return new ArmError(404, "NotFound", `Resource ${t.id} not found.`, { alwaysDetails: t.def.namespace === "Microsoft.Network" });
  }

  private busyUrl(caller: Caller, rec: ResourceRecord): string {
    const op = this.env.ops.get(rec.internal!.activeOperation);
    if (!op) return `${caller.origin}/`;
    return operationUrls(caller.origin, op).asyncOperation;
  }
}

function findAction(def: ResourceTypeDef, name: string) {
  const acts = def.strategy.actions ?? {};
  const key = Object.keys(acts).find((k) => k.toLowerCase() === name.toLowerCase());
  return key ? acts[key] : undefined;
}

function checkPreconditions(o: Pick<WriteOptions, "ifMatch" | "ifNoneMatch">, existing: ResourceRecord | undefined): void {
  if (o.ifMatch !== undefined) {
    if (!existing) throw E.preconditionFailedMissing.make({});
    if (o.ifMatch !== "*" && o.ifMatch !== existing.etag) throw E.preconditionFailed.make({ given: JSON.stringify(o.ifMatch), actual: JSON.stringify(existing.etag ?? "") });
  }
  if (o.ifNoneMatch === "*" && existing) throw E.preconditionFailedMissing.make({});
}

/** Location of the top-level ancestor (child resources report their parent's region in operation URLs). */
function locationFor(tx: Reader, id: string, fallback?: string): string {
  const p = parseId(id);
  if (!p || p.blocks.length === 0) return fallback ?? "global";
  const b = p.blocks[0]!;
  const top = buildId({ ...p, blocks: [{ namespace: b.namespace, types: b.types.slice(0, 1), names: b.names.slice(0, 1) }] });
  return getRecord(tx, top)?.location ?? fallback ?? "global";
}
