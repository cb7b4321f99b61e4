// The generic registry: ONE storage path for every kind (like k8s.io/apiserver's
// genericregistry.Store). Strategies only say what differs per kind. The HTTP layer and the
// simulated controllers both write through here, so every object has the same lifecycle:
// defaults, validation, optimistic concurrency, generation, managedFields, finalizers.
//
// Store layout: kube/<cluster>/r/<group|core>/<resource>/<namespace>/<name> (namespaced) or
// kube/<cluster>/r/<group|core>/<resource>/<name>; resourceVersion = the store's modRevision.
import type { Entry, Store, Txn, WatchEvent } from "../store/store.js";
import { StoreCompactedError } from "../store/store.js";
import { apiVersionOf, Kinds, storageOf } from "./catalog.js";
import { isEstablished, strategiesFor } from "./crd/custom.js";
import { cause, errors, StatusError, successStatus, type StatusCause } from "./errors.js";
import { METADATA_FIELDS } from "./kinds/common.js";
import { METADATA_PATCH_META } from "./kinds/podspec.js";
import { recordUpdate, serverSideApply } from "./managed.js";
import { jsonPatch, mergePatch, PATCH_TYPES, strategicMerge } from "./patch.js";
import {
  checkFieldSelector,
  commonFields,
  matchFields,
  matchLabels,
  parseFieldSelector,
  parseLabelSelector,
  type FieldGetter,
  type FieldRequirement,
  type LabelSelector,
} from "./selectors.js";
import type { PatchMeta, Strategy, StrategyContext } from "./types.js";
import { clone, deepEqual, isObj, newUid, nowTime, randomSuffix, type Obj } from "./util.js";

export interface WriteOptions {
  fieldManager?: string;
  dryRun?: boolean;
  fieldValidation?: "Strict" | "Warn" | "Ignore";
  subresource?: "status" | "binding" | "scale" | "finalize";
  force?: boolean;
  /** Trusted in-process writer (simulation): skips the create-in-terminating-namespace guard. */
  internal?: boolean;
  /** Record the creating manager with operation Apply (create through server-side apply). */
  asApply?: boolean;
  /** The requesting user (API requests); admission checks that depend on who writes use it. */
  user?: { name: string; groups: string[] };
}

export interface DeleteOptions {
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
  orphanDependents?: boolean;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  items: Obj[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface WriteResult {
  obj: Obj;
  /** true when a create happened (201). */
  created: boolean;
  warnings: string[];
}

export interface DeleteResult {
  /** Body to return: the object (graceful, finalizers, pods) or a Success Status. */
  body: Obj;
  /** Object still exists (deletionTimestamp set). */
  pending: boolean;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
export interface KubeWatchEvent {
  type: WatchEventType;
  object: Obj;
}

export interface WatchOptions extends ListOptions {
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
}

/** What the registry needs from its cluster. */
export interface RegistryEnv {
  /** The strategies' context for one write; its allocations read through tx. */
  strategyContext(internal: boolean, tx: Reader): StrategyContext;
  /**
   * Admission after defaulting and validation, before the write (quota, LimitRange, webhooks):
   * may mutate obj, throws a StatusError to refuse, returns warnings. Runs inside the write's
   * transaction (rerun-safe: no side effects).
   */
  admit?(a: AdmissionAttributes): string[] | void;
}

/** Reads of a transaction (or of the store itself). */
export type Reader = Pick<Txn, "get" | "list">;

export interface AdmissionAttributes {
  operation: "CREATE" | "UPDATE";
  strategy: Strategy;
  namespace?: string;
  obj: Obj;
  old?: Obj;
  opts: WriteOptions;
  /** The write's transaction: admission reads through it (an optimistic store then sees the conflict). */
  tx: Reader;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_NAMES = new Set(["namespaces", "services"]);

export class Registry {
  readonly prefix: string;
  /** The kinds this cluster serves: built-ins plus its established custom resources. */
  readonly kinds: Kinds;
  private readonly unwatchCrds: () => void;

  constructor(
    readonly store: Store,
    readonly clusterId: string,
    private readonly env: RegistryEnv,
  ) {
    this.prefix = `kube/${clusterId}/r/`;
    const crdPrefix = `${this.prefix}apiextensions.k8s.io/customresourcedefinitions/`;
    this.kinds = new Kinds(() =>
      this.store
        .list<Obj>(crdPrefix)
        .map((e) => e.value)
        .filter(isEstablished)
        .flatMap((crd) => strategiesFor(crd)),
    );
    // Store watchers run synchronously after commit, so a CR create right after its CRD works.
    this.unwatchCrds = this.store.watch(crdPrefix, undefined, () => this.kinds.invalidate());
  }

  /** Stop following CRD changes (cluster stopped). */
  close(): void {
    this.unwatchCrds();
    this.unwatchSerialized?.();
    this.unwatchSerialized = undefined;
    this.serialized.clear();
    this.serializedChars = 0;
  }

  // --- serialized objects (the list path) -------------------------------------------------------

  /**
   * Each object's JSON as output() renders it, per view (strategy) and storage key, valid for the
   * one modRevision it was rendered at, as kube-apiserver's watch cache keeps serialized objects:
   * a large list joins cached text instead of parsing and re-serialising every object. A write
   * gives the key a new modRevision (so a stale entry is never used) and drops the entry.
   */
  private serialized = new Map<string, { rev: number; views: Map<Strategy, string>; chars: number }>();
  private serializedChars = 0;
  private unwatchSerialized: (() => void) | undefined;
  /** Bound on the cached text (characters); past it the cache is dropped and refilled. */
  private static readonly SERIALIZED_CHARS = 64 * 1024 * 1024;

  /** The JSON text of one stored object as output() renders it (cached by modRevision). */
  private jsonOf(s: Strategy, key: string, rev: number, value: () => Obj): string {
    // Drop entries as their keys change, so the cache holds live objects only.
    this.unwatchSerialized ??= this.store.watch(this.prefix, undefined, (events) => {
      for (const e of events) this.forgetSerialized(e.key);
    });
    let entry = this.serialized.get(key);
    if (entry && entry.rev !== rev) {
      this.forgetSerialized(key);
      entry = undefined;
    }
    if (!entry) {
      entry = { rev, views: new Map(), chars: 0 };
      this.serialized.set(key, entry);
    }
    let json = entry.views.get(s);
    if (json === undefined) {
      json = JSON.stringify(this.output(s, value(), rev));
      if (this.serializedChars + json.length > Registry.SERIALIZED_CHARS) {
        this.serialized.clear();
        this.serializedChars = 0;
        this.serialized.set(key, entry);
        entry.views.clear();
        entry.chars = 0;
      }
      entry.views.set(s, json);
      entry.chars += json.length;
      this.serializedChars += json.length;
    }
    return json;
  }

  private forgetSerialized(key: string): void {
    const e = this.serialized.get(key);
    if (!e) return;
    this.serializedChars -= e.chars;
    this.serialized.delete(key);
  }

  // --- keys -----------------------------------------------------------------------------------

  collectionPrefix(s: Strategy, ns?: string): string {
    const base = `${this.prefix}${storageOf(s.info)}/`;
    return s.info.namespaced && ns ? `${base}${ns}/` : base;
  }

  key(s: Strategy, ns: string | undefined, name: string): string {
    return s.info.namespaced ? `${this.prefix}${storageOf(s.info)}/${ns}/${name}` : `${this.prefix}${storageOf(s.info)}/${name}`;
  }

  /** Decorate a stored value for output: resourceVersion, kind/apiVersion, conversions. */
  output(s: Strategy, value: Obj, rev: number): Obj {
    // Never mutates value (watch events share it between watchers).
    const o = s.fromStorage ? s.fromStorage(value) : value;
    const { apiVersion: _a, kind: _k, metadata, ...rest } = o;
    void _a, _k;
    // apiVersion/kind first, as kube serialises them.
    return { apiVersion: apiVersionOf(s.info), kind: s.info.kind, metadata: { ...(isObj(metadata) ? metadata : {}), resourceVersion: String(rev) }, ...rest };
  }

  private fromEntry(s: Strategy, e: Entry<Obj>): Obj {
    return this.output(s, e.value, e.modRevision);
  }

  // --- reads ----------------------------------------------------------------------------------

  tryGet(s: Strategy, ns: string | undefined, name: string, r: Reader = this.store): Obj | undefined {
    const e = r.get<Obj>(this.key(s, ns, name));
    return e ? this.fromEntry(s, e) : undefined;
  }

  /** Every object of a collection (no selectors, no paging) read through r: admission's reads inside a write. */
  listIn(r: Reader, s: Strategy, ns: string | undefined): Obj[] {
    return r.list<Obj>(this.collectionPrefix(s, ns)).map((e) => this.fromEntry(s, e));
  }

  get(s: Strategy, ns: string | undefined, name: string): Obj {
    const o = this.tryGet(s, ns, name);
    if (!o) throw errors.notFound(s.info.resource, s.info.group, name);
    return o;
  }

  fieldGetters(s: Strategy): Record<string, FieldGetter> {
    return { ...commonFields, ...(s.fieldSelectors ?? {}) };
  }

  selectors(s: Strategy, o: ListOptions): { labels: LabelSelector; fields: FieldRequirement[]; getters: Record<string, FieldGetter> } {
    const labels = parseLabelSelector(o.labelSelector);
    const fields = parseFieldSelector(o.fieldSelector);
    const getters = this.fieldGetters(s);
    checkFieldSelector(fields, getters, s.info.resource);
    return { labels, fields, getters };
  }

  list(s: Strategy, ns: string | undefined, o: ListOptions = {}): ListResult {
    const { labels, fields, getters } = this.selectors(s, o);
    const prefix = this.collectionPrefix(s, ns);
    const rv = this.store.revision();
    let startAfter = this.listStart(prefix, rv, o);
    const limit = o.limit && o.limit > 0 ? o.limit : undefined;
    const items: Obj[] = [];
    let lastKey: string | undefined;
    let more = false;
    const filtered = labels.length > 0 || fields.length > 0;
    // Unfiltered, limit + 1 rows decide the page and whether more follow; with selectors, read ahead.
    const batch = limit ? (filtered ? Math.max(limit * 2, 100) : limit + 1) : undefined;
    outer: for (;;) {
      const entries = this.store.list<Obj>(prefix, { startAfter, limit: batch });
      for (const e of entries) {
        startAfter = e.key;
        if (filtered) {
          // Field getters read the storage form (events.k8s.io shares core Event storage).
          if (!matchLabels(labels, e.value.metadata?.labels)) continue;
          if (fields.length && !matchFields(fields, getters, e.value)) continue;
        }
        if (limit && items.length >= limit) {
          more = true;
          break outer;
        }
        items.push(this.fromEntry(s, e));
        lastKey = e.key;
      }
      if (!batch || entries.length < batch) break;
    }
    const res: ListResult = { items, resourceVersion: String(rv) };
    if (more && lastKey) res.continue = continueToken(rv, lastKey.slice(prefix.length));
    return res;
  }

  /**
   * list() with each item as its JSON text (what output() renders, cached by modRevision): the
   * JSON list answer joins these. Same options, order, limit and continue semantics as list().
   */
  listJson(s: Strategy, ns: string | undefined, o: ListOptions = {}): Omit<ListResult, "items"> & { items: string[] } {
    const { labels, fields } = this.selectors(s, o);
    const store = this.store;
    if (labels.length > 0 || fields.length > 0 || !store.listRevisions || !store.rawValue) {
      // Selectors read every object anyway: the parsed list, serialized item by item.
      const r = this.list(s, ns, o);
      return { ...r, items: r.items.map((x) => JSON.stringify(x)) };
    }
    const prefix = this.collectionPrefix(s, ns);
    const rv = store.revision();
    const startAfter = this.listStart(prefix, rv, o);
    const limit = o.limit && o.limit > 0 ? o.limit : undefined;
    const keys = store.listRevisions(prefix, { startAfter, limit: limit !== undefined ? limit + 1 : undefined });
    const more = limit !== undefined && keys.length > limit;
    const page = more ? keys.slice(0, limit) : keys;
    const items = page.map((k) =>
      this.jsonOf(s, k.key, k.modRevision, () => {
        const text = store.rawValue!(k.key);
        if (text === undefined) throw errors.internal(`object ${k.key} vanished while listing`);
        return JSON.parse(text) as Obj;
      }),
    );
    const res: Omit<ListResult, "items"> & { items: string[] } = { items, resourceVersion: String(rv) };
    if (more && page.length > 0) res.continue = continueToken(rv, page[page.length - 1]!.key.slice(prefix.length));
    return res;
  }

  /** The key a list starts after: checks resourceVersion and decodes the continue token. */
  private listStart(prefix: string, rv: number, o: ListOptions): string | undefined {
    const asked = parseResourceVersion(o.resourceVersion);
    if (asked !== undefined && asked > rv) throw errors.tooLargeResourceVersion(asked, rv);
    let startAfter: string | undefined;
    if (o.continue) {
      try {
        const tok = JSON.parse(Buffer.from(o.continue, "base64").toString("utf8")) as { rv: number; start: string };
        if (typeof tok.start !== "string") throw new Error("bad token");
        if (tok.rv < this.store.compactedRevision())
          throw errors.expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
        startAfter = prefix + tok.start;
      } catch (err) {
        if (err instanceof StatusError) throw err;
        throw errors.badRequest(`continue key is not valid: ${String((err as Error).message)}`);
      }
    }
    return startAfter;
  }

  // --- writes ---------------------------------------------------------------------------------

  private ctx(tx: Txn, opts: WriteOptions): StrategyContext {
    return this.env.strategyContext(!!opts.internal, tx);
  }

  private meta(s: Strategy): PatchMeta {
    return { ...METADATA_PATCH_META, ...(s.patchMeta ?? {}) };
  }

  /** Type checks shared by every write path: object, apiVersion/kind, name, namespace. */
  private checkBody(s: Strategy, body: unknown, ns: string | undefined, name: string | undefined): Obj {
    if (!isObj(body)) throw errors.badRequest(`Object 'Kind' is missing in '${JSON.stringify(body)?.slice(0, 200)}'`);
    const expectApi = apiVersionOf(s.info);
    if (body.apiVersion !== undefined && body.apiVersion !== expectApi) {
      // Shared-storage views accept their own version only.
      throw errors.badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${expectApi})`);
    }
    if (body.kind !== undefined && body.kind !== s.info.kind) {
      throw errors.badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${s.info.kind})`);
    }
    body.apiVersion = expectApi;
    body.kind = s.info.kind;
    if (body.metadata === undefined || body.metadata === null) body.metadata = {};
    if (!isObj(body.metadata)) throw errors.badRequest("json: cannot unmarshal non-object into Go struct field .metadata of type v1.ObjectMeta");
    const md = body.metadata;
    if (s.info.namespaced) {
      if (md.namespace && ns && md.namespace !== ns)
        throw errors.badRequest("the namespace of the provided object does not match the namespace sent on the request");
      if (ns) md.namespace = ns;
    } else if (md.namespace) {
      delete md.namespace;
    }
    if (name !== undefined && md.name !== undefined && md.name !== name)
      throw errors.badRequest(`the name of the object (${String(md.name)}) does not match the name on the URL (${name})`);
    if (name !== undefined && md.name === undefined) md.name = name;
    return body;
  }

  private validateMeta(s: Strategy, o: Obj, isCreate: boolean): StatusCause[] {
    const out: StatusCause[] = [];
    const md = o.metadata;
    const name = md.name;
    if (typeof name !== "string" || !name) {
      out.push(cause.required("metadata.name", "name or generateName is required"));
    } else if (isCreate) {
      if (LABEL_NAMES.has(s.info.resource)) {
        if (!DNS1123_LABEL.test(name) || name.length > 63)
          out.push(
            cause.invalid(
              "metadata.name",
              name,
              s.info.resource === "services"
                ? "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
                : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
            ),
          );
      } else if (s.pathSegmentName) {
        // RBAC names are path segments (ValidatePathSegmentName): "system:..." is fine.
        if (name === "." || name === "..") out.push(cause.invalid("metadata.name", name, `may not be '${name}'`));
        for (const bad of ["/", "%"]) if (name.includes(bad)) out.push(cause.invalid("metadata.name", name, `may not contain '${bad}'`));
      } else if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253) {
        if (s.info.resource !== "events" || name.length > 253 || /[/%]/.test(name))
          out.push(
            cause.invalid(
              "metadata.name",
              name,
              "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            ),
          );
      }
    }
    for (const which of ["labels", "annotations"] as const) {
      const m = md[which];
      if (m === undefined || m === null) continue;
      if (!isObj(m)) {
        out.push(cause.invalid(`metadata.${which}`, m, "must be a map of strings"));
        continue;
      }
      for (const [k, v] of Object.entries(m)) {
        if (!QUALIFIED_NAME.test(k) || k.split("/").pop()!.length > 63)
          out.push(
            cause.invalid(
              `metadata.${which}`,
              k,
              "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            ),
          );
        if (typeof v !== "string") out.push(cause.invalid(`metadata.${which}`, v, "must be a string"));
        else if (which === "labels" && (!LABEL_VALUE.test(v) || v.length > 63))
          out.push(
            cause.invalid(
              "metadata.labels",
              v,
              "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            ),
          );
      }
    }
    if (md.finalizers !== undefined && !Array.isArray(md.finalizers)) out.push(cause.invalid("metadata.finalizers", md.finalizers, "must be a list"));
    return out;
  }

  /** Unknown-field detection for fieldValidation (top level, metadata, spec where known). */
  unknownFields(s: Strategy, body: Obj): string[] {
    const out: string[] = [];
    if (s.unknownFields) {
      if (isObj(body.metadata)) for (const k of Object.keys(body.metadata)) if (!METADATA_FIELDS.has(k)) out.push(`metadata.${k}`);
      return [...out, ...s.unknownFields(body)];
    }
    const top = new Set(["apiVersion", "kind", "metadata", ...(s.fields ?? [])]);
    for (const k of Object.keys(body)) if (!top.has(k) && !k.startsWith("$")) out.push(k);
    if (isObj(body.metadata)) for (const k of Object.keys(body.metadata)) if (!METADATA_FIELDS.has(k) && !k.startsWith("$")) out.push(`metadata.${k}`);
    if (s.specFields && isObj(body.spec)) {
      const known = new Set(s.specFields);
      for (const k of Object.keys(body.spec)) if (!known.has(k) && !k.startsWith("$")) out.push(`spec.${k}`);
    }
    return out;
  }

  private fieldValidation(s: Strategy, body: unknown, opts: WriteOptions): string[] {
    const mode = opts.fieldValidation ?? "Warn";
    if (mode === "Ignore" || !isObj(body)) return [];
    const unknown = this.unknownFields(s, body);
    if (!unknown.length) return [];
    if (mode === "Strict") throw errors.badRequest(`strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(", ")}`);
    return unknown.map((u) => `unknown field "${u}"`);
  }

  private checkNamespace(tx: Txn, s: Strategy, ns: string | undefined, opts: WriteOptions): void {
    if (!s.info.namespaced) return;
    if (!ns) throw errors.badRequest("the namespace of the provided object does not match the namespace sent on the request");
    const nsObj = tx.get<Obj>(`${this.prefix}core/namespaces/${ns}`);
    if (!nsObj) throw errors.notFound("namespaces", "", ns);
    if (nsObj.value.metadata?.deletionTimestamp && !opts.internal)
      throw new StatusError(403, "Forbidden", `${s.info.resource}${s.info.group ? "." + s.info.group : ""} "${"?"}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`, {
        kind: s.info.resource,
        ...(s.info.group ? { group: s.info.group } : {}),
        causes: [{ reason: "NamespaceTerminating", message: `namespace ${ns} is being terminated`, field: "metadata.namespace" }],
      });
  }

  private manager(opts: WriteOptions): string {
    return opts.fieldManager || "unknown";
  }

  create(s: Strategy, ns: string | undefined, body: unknown, opts: WriteOptions = {}): Promise<WriteResult> {
    return this.store.txn((tx) => this.createIn(tx, s, ns, body, opts));
  }

  /** Create inside the caller's transaction (rerun-safe: reads and writes only through tx). */
  createIn(tx: Txn, s: Strategy, ns: string | undefined, body: unknown, opts: WriteOptions = {}): WriteResult {
    const warnings = this.fieldValidation(s, body, opts);
    let o = this.checkBody(s, clone(body), ns, undefined);
    if (s.toStorage) o = { ...s.toStorage(o), apiVersion: apiVersionOf(s.info), kind: s.info.kind };
    {
      const md = o.metadata as Obj;
      if (!md.name && md.generateName) {
        for (let i = 0; i < 8; i++) {
          md.name = `${md.generateName}${randomSuffix(5)}`;
          if (!tx.get(this.key(s, md.namespace, md.name))) break;
        }
      }
      const nameCauses = this.validateMeta(s, o, true);
      if (nameCauses.length) throw errors.invalid(s.info.kind, s.info.group, String(md.name ?? ""), nameCauses);
      if (s.info.namespaced) {
        try {
          this.checkNamespace(tx, s, md.namespace, opts);
        } catch (err) {
          if (err instanceof StatusError && err.reason === "Forbidden")
            throw new StatusError(403, "Forbidden", err.message.replace('"?"', `"${md.name}"`), err.details);
          throw err;
        }
      }
      const key = this.key(s, md.namespace, md.name);
      if (tx.get(key)) throw errors.alreadyExists(s.info.resource, s.info.group, md.name);
      const now = nowTime();
      md.uid = newUid();
      md.creationTimestamp = now;
      delete md.resourceVersion;
      delete md.deletionTimestamp;
      delete md.deletionGracePeriodSeconds;
      delete md.selfLink;
      if (s.generation) md.generation = 1;
      else delete md.generation;
      const ctx = this.ctx(tx, opts);
      let causes: StatusCause[] = [];
      try {
        s.prepareForCreate?.(o, ctx);
        causes = s.validate?.(o, undefined, ctx) ?? [];
      } catch (err) {
        shapeError(err);
      }
      if (causes.length) throw errors.invalid(s.info.kind, s.info.group, md.name, causes);
      const admitWarnings = this.env.admit?.({ operation: "CREATE", strategy: s, namespace: md.namespace, obj: o, opts, tx }) ?? [];
      warnings.push(...admitWarnings);
      // A create through apply keeps the entry server-side apply computed from the applied
      // config: the manager owns what it sent, not the defaults (else its next apply drops them).
      const appliedEntries = opts.asApply && Array.isArray(md.managedFields) ? (md.managedFields as Obj[]) : undefined;
      delete md.managedFields;
      normalizeMeta(md);
      if (appliedEntries?.length) md.managedFields = appliedEntries.map((m) => ({ ...m, time: now }));
      else
        recordUpdate(undefined, o, this.meta(s), {
          manager: this.manager(opts),
          apiVersion: apiVersionOf(s.info),
          scope: s.statusSubresource ? "main" : "all",
          now,
        });
      if (opts.asApply) for (const m of (md.managedFields ?? []) as Obj[]) m.operation = "Apply";
      if (opts.dryRun) return { obj: this.output(s, clone(o), 0), created: true, warnings };
      const stored = this.toStored(s, o);
      const rev = tx.put(key, stored);
      return { obj: this.output(s, stored, rev), created: true, warnings };
    }
  }

  private toStored(s: Strategy, o: Obj): Obj {
    const c = clone(o);
    delete c.metadata.resourceVersion;
    normalizeMeta(c.metadata);
    if (s.info.storage) c.apiVersion = s.info.storageApiVersion ?? "v1";
    else c.apiVersion = apiVersionOf(s.info);
    return c;
  }

  /**
   * The single update path (PUT, PATCH, apply, status): read, compute, prepare, validate,
   * detect no-ops, record managedFields, persist — atomically.
   */
  private guaranteedUpdate(
    tx: Txn,
    s: Strategy,
    ns: string | undefined,
    name: string,
    opts: WriteOptions,
    compute: (old: Obj | undefined) => { next: Obj; applied?: boolean },
    allowCreate: boolean,
  ): WriteResult {
    {
      const key = this.key(s, ns, name);
      const entry = tx.get<Obj>(key);
      const old = entry ? this.fromEntry(s, entry) : undefined;
      if (!old && !allowCreate) throw errors.notFound(s.info.resource, s.info.group, name);
      // compute never mutates its input (patch functions copy), so old is passed as is.
      const { next: computed, applied } = compute(old);
      let next = this.checkBody(s, computed, ns, name);
      if (s.toStorage) next = { ...s.toStorage(next), apiVersion: apiVersionOf(s.info), kind: s.info.kind };

      if (!old || !entry) {
        // Create through apply (managers of a create-by-apply are recorded as Apply).
        const body = clone(next);
        if (s.fromStorage) Object.assign(body, s.fromStorage(body), { apiVersion: apiVersionOf(s.info) });
        delete body.metadata.resourceVersion;
        return this.createIn(tx, s, ns, body, { ...opts, fieldValidation: "Ignore", asApply: !!applied });
      }
      // Compare and validate in storage form; old (external form) only fed compute.
      const oldS: Obj = { ...clone(entry.value), apiVersion: apiVersionOf(s.info), kind: s.info.kind };
      oldS.metadata.resourceVersion = String(entry.modRevision);

      const rv = next.metadata.resourceVersion;
      if (rv !== undefined && rv !== null && rv !== "" && String(rv) !== oldS.metadata.resourceVersion)
        throw errors.conflict(s.info.resource, s.info.group, name);

      const sub = opts.subresource;
      const oldMd = oldS.metadata;
      if (sub === "status") {
        // Status writes change .status only, plus annotations (and labels outside apps), as kube's status strategies allow.
        const status = next.status;
        const keepManaged = next.metadata.managedFields;
        const ann = next.metadata.annotations;
        const labels = next.metadata.labels;
        next = clone(oldS);
        next.status = status;
        if (ann !== undefined) next.metadata.annotations = ann;
        else delete next.metadata.annotations;
        if (s.info.group !== "apps") {
          if (labels !== undefined) next.metadata.labels = labels;
          else delete next.metadata.labels;
        }
        if (applied) next.metadata.managedFields = keepManaged;
      } else if (s.statusSubresource) {
        // In-process controllers also write status only through the status subresource.
        next.status = clone(oldS.status);
      }
      // System metadata is not client-writable.
      const md = next.metadata;
      md.uid = oldMd.uid;
      md.creationTimestamp = oldMd.creationTimestamp;
      md.name = oldMd.name;
      if (s.info.namespaced) md.namespace = oldMd.namespace;
      if (oldMd.deletionTimestamp) {
        md.deletionTimestamp = oldMd.deletionTimestamp;
        if (oldMd.deletionGracePeriodSeconds !== undefined) md.deletionGracePeriodSeconds = oldMd.deletionGracePeriodSeconds;
      } else {
        delete md.deletionTimestamp;
        delete md.deletionGracePeriodSeconds;
      }
      if (oldMd.generateName !== undefined && md.generateName === undefined) md.generateName = oldMd.generateName;
      md.generation = oldMd.generation;
      if (md.generation === undefined) delete md.generation;
      delete md.selfLink;

      const ctx = this.ctx(tx, opts);
      let causes: StatusCause[] = [];
      try {
        if (sub !== "status" && sub !== "finalize") s.prepareForUpdate?.(next, oldS, ctx);
        causes = [...this.validateMeta(s, next, false), ...(s.validate?.(next, oldS, ctx) ?? [])];
      } catch (err) {
        shapeError(err);
      }
      if (causes.length) throw errors.invalid(s.info.kind, s.info.group, name, causes);
      const admitWarnings = (sub === undefined && this.env.admit?.({ operation: "UPDATE", strategy: s, namespace: md.namespace, obj: next, old: oldS, opts, tx })) || [];

      if (s.generation && sub !== "status" && md.generation !== undefined) {
        const spec = (o: Obj) => {
          const { metadata, status, apiVersion, kind, ...rest } = o;
          void metadata, status, apiVersion, kind;
          return rest;
        };
        const annChanged = s.generation === "spec+annotations" && !deepEqual(md.annotations ?? {}, oldMd.annotations ?? {});
        if (!deepEqual(spec(next), spec(oldS)) || annChanged) md.generation = (oldMd.generation ?? 0) + 1;
      }

      const now = nowTime();
      if (!applied) {
        recordUpdate(oldS, next, this.meta(s), {
          manager: this.manager(opts),
          apiVersion: apiVersionOf(s.info),
          subresource: sub === "status" ? "status" : undefined,
          scope: sub === "status" ? "status" : s.statusSubresource ? "main" : "all",
          now,
        });
      }

      // No-op writes keep resourceVersion and emit nothing.
      normalizeMeta(next.metadata);
      if (sameObject(next, oldS)) return { obj: old, created: false, warnings: [] };

      if (opts.dryRun) return { obj: { ...next, metadata: { ...next.metadata, resourceVersion: oldMd.resourceVersion } }, created: false, warnings: admitWarnings };

      // Last finalizer removed from an object being deleted: it goes now.
      if (md.deletionTimestamp && this.readyToGo(s, next)) {
        tx.delete(key);
        return { obj: this.output(s, this.toStored(s, next), tx.revision), created: false, warnings: admitWarnings };
      }
      const stored = this.toStored(s, next);
      const rev = tx.put(key, stored);
      // put() serialised its own copy, so the stored value can be handed out.
      return { obj: this.output(s, stored, rev), created: false, warnings: admitWarnings };
    }
  }

  private readyToGo(s: Strategy, o: Obj): boolean {
    if ((o.metadata.finalizers ?? []).length > 0) return false;
    if (s.info.resource === "namespaces" && s.info.group === "" && (o.spec?.finalizers ?? []).length > 0) return false;
    if (s.defaultGracePeriod && (o.metadata.deletionGracePeriodSeconds ?? 0) > 0) return false;
    return true;
  }

  /** PUT. */
  update(s: Strategy, ns: string | undefined, name: string, body: unknown, opts: WriteOptions = {}): Promise<WriteResult> {
    return this.store.txn((tx) => this.updateIn(tx, s, ns, name, body, opts));
  }

  updateIn(tx: Txn, s: Strategy, ns: string | undefined, name: string, body: unknown, opts: WriteOptions = {}): WriteResult {
    const warnings = this.fieldValidation(s, body, opts);
    if (!isObj(body)) throw errors.badRequest("body must be an object");
    if (s.requireResourceVersionOnUpdate && opts.subresource === undefined && !(isObj(body.metadata) && body.metadata.resourceVersion))
      throw errors.invalid(s.info.resource, s.info.group, name, [{ reason: "FieldValueInvalid", message: "Invalid value: 0x0: must be specified for an update", field: "metadata.resourceVersion" }]);
    const allowCreate = opts.subresource === undefined && ["endpoints", "leases", "events", "endpointslices"].includes(s.info.resource);
    if (allowCreate && !(isObj(body.metadata) && body.metadata.resourceVersion)) {
      // Create-on-update kinds (kube's AllowCreateOnUpdate).
      if (!this.tryGet(s, ns, name, tx)) {
        const b = clone(body);
        b.metadata = { ...(isObj(b.metadata) ? b.metadata : {}), name };
        const r = this.createIn(tx, s, ns, b, { ...opts, fieldValidation: "Ignore" });
        return { ...r, warnings };
      }
    }
    const r = this.guaranteedUpdate(tx, s, ns, name, opts, (old) => {
      const next = clone(body) as Obj;
      if (isObj(next.metadata) && old) {
        // Clients may omit managedFields on PUT; keep tracking.
        if (next.metadata.managedFields === undefined) next.metadata.managedFields = old.metadata.managedFields;
      }
      return { next };
    }, false);
    return { ...r, warnings: [...warnings, ...r.warnings] };
  }

  patch(s: Strategy, ns: string | undefined, name: string, contentType: string, body: unknown, opts: WriteOptions = {}): Promise<WriteResult> {
    return this.store.txn((tx) => this.patchIn(tx, s, ns, name, contentType, body, opts));
  }

  patchIn(tx: Txn, s: Strategy, ns: string | undefined, name: string, contentType: string, body: unknown, opts: WriteOptions = {}): WriteResult {
    const meta = this.meta(s);
    let warnings: string[] = [];
    if (contentType === PATCH_TYPES.apply) {
      if (!opts.fieldManager) throw errors.invalid("PatchOptions", "meta.k8s.io", "", [cause.required("fieldManager", "is required for apply patch")]);
      warnings = this.fieldValidation(s, body, opts);
      if (!isObj(body)) throw errors.badRequest("error decoding YAML: the apply patch must be an object");
      const applied = this.checkBody(s, clone(body), ns, name);
      const info = s.info;
      let obj = applied;
      if (s.toStorage) obj = s.toStorage(obj);
      const r = this.guaranteedUpdate(tx, s, ns, name, opts, (old) => {
        const scope = opts.subresource === "status" ? "status" : s.statusSubresource ? "main" : "all";
        const merged = serverSideApply(old, obj, meta, {
          manager: opts.fieldManager!,
          apiVersion: apiVersionOf(info),
          kind: info.kind,
          group: info.group,
          name,
          force: !!opts.force,
          scope,
          subresource: opts.subresource === "status" ? "status" : undefined,
          now: nowTime(),
        });
        if (old && applied.metadata?.resourceVersion === undefined) {
          merged.metadata.resourceVersion = old.metadata.resourceVersion;
        }
        return { next: merged, applied: true };
      }, true);
      return { ...r, warnings };
    }
    if (opts.force) throw errors.invalid("PatchOptions", "meta.k8s.io", "", [cause.forbidden("force", "may not be specified for non-apply patch")]);
    if (contentType === PATCH_TYPES.strategic) {
      warnings = this.fieldValidation(s, body, opts);
      if (!isObj(body)) throw errors.badRequest("json: cannot unmarshal array into Go value of type map[string]interface {}");
      const r = this.guaranteedUpdate(tx, s, ns, name, opts, (old) => ({ next: strategicMerge(old!, body, meta) }), false);
      return { ...r, warnings };
    }
    if (contentType === PATCH_TYPES.merge) {
      warnings = this.fieldValidation(s, body, opts);
      if (!isObj(body)) throw errors.badRequest("json: cannot unmarshal into Go value of type map[string]interface {}: merge patch must be an object");
      const r = this.guaranteedUpdate(tx, s, ns, name, opts, (old) => ({ next: mergePatch(old, body) as Obj }), false);
      return { ...r, warnings };
    }
    if (contentType === PATCH_TYPES.json) {
      const r = this.guaranteedUpdate(tx, s, ns, name, opts, (old) => {
        const next = jsonPatch(old!, body);
        warnings = this.fieldValidation(s, next, opts);
        return { next };
      }, false);
      return { ...r, warnings: [...warnings, ...r.warnings] };
    }
    throw errors.unsupportedMediaType(contentType, [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply, PATCH_TYPES.strategic]);
  }

  /**
   * In-process read-modify-write of the current object (undefined when it does not exist), in a
   * transaction of its own. fn mutates its argument and may run more than once (only on the object).
   */
  mutate(s: Strategy, ns: string | undefined, name: string, fn: (o: Obj) => void, opts: WriteOptions): Promise<WriteResult | undefined> {
    return this.store.txn((tx) => this.mutateIn(tx, s, ns, name, fn, opts));
  }

  mutateIn(tx: Txn, s: Strategy, ns: string | undefined, name: string, fn: (o: Obj) => void, opts: WriteOptions): WriteResult | undefined {
    // tryGet parses a fresh copy from the store, so it can be mutated in place.
    const next = this.tryGet(s, ns, name, tx);
    if (!next) return undefined;
    fn(next);
    return this.guaranteedUpdate(tx, s, ns, name, opts, () => ({ next }), false);
  }

  // --- deletes --------------------------------------------------------------------------------

  delete(s: Strategy, ns: string | undefined, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    return this.store.txn((tx) => this.deleteIn(tx, s, ns, name, opts));
  }

  deleteIn(tx: Txn, s: Strategy, ns: string | undefined, name: string, opts: DeleteOptions = {}): DeleteResult {
    {
      const key = this.key(s, ns, name);
      const entry = tx.get<Obj>(key);
      if (!entry) throw errors.notFound(s.info.resource, s.info.group, name);
      const old = this.fromEntry(s, entry);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== old.metadata.uid)
        throw errors.conflict(s.info.resource, s.info.group, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
      if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion)
        throw errors.conflict(s.info.resource, s.info.group, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);

      const next = clone(old);
      const md = next.metadata;
      const finalizers: string[] = Array.isArray(md.finalizers) ? [...md.finalizers] : [];
      let policy = opts.propagationPolicy;
      if (!policy && opts.orphanDependents !== undefined) policy = opts.orphanDependents ? "Orphan" : "Background";
      if (!md.deletionTimestamp) {
        if (policy === "Orphan" && !finalizers.includes("orphan")) finalizers.push("orphan");
        if (policy === "Foreground" && !finalizers.includes("foregroundDeletion")) finalizers.push("foregroundDeletion");
      }
      const isNamespace = s.info.group === "" && s.info.resource === "namespaces";
      const nsFinalizers = isNamespace ? ((next.spec?.finalizers ?? []) as string[]) : [];

      let grace = opts.gracePeriodSeconds;
      if (grace === undefined) grace = s.defaultGracePeriod?.(old) ?? 0;
      if (grace < 0) grace = 0;

      const pending = finalizers.length > 0 || nsFinalizers.length > 0 || (grace > 0 && !!s.defaultGracePeriod);
      if (opts.dryRun) return { body: old, pending };

      if (!pending) {
        tx.delete(key);
        if (s.defaultGracePeriod || md.deletionTimestamp) {
          md.deletionTimestamp ??= nowTime();
          md.deletionGracePeriodSeconds ??= 0;
          return { body: this.output(s, this.toStored(s, next), tx.revision), pending: false };
        }
        return {
          body: successStatus({ name, ...(s.info.group ? { group: s.info.group } : {}), kind: s.info.resource, uid: old.metadata.uid }),
          pending: false,
        };
      }
      const now = Date.now();
      if (!md.deletionTimestamp) {
        md.deletionTimestamp = nowTime(now + (s.defaultGracePeriod ? grace * 1000 : 0));
        md.deletionGracePeriodSeconds = s.defaultGracePeriod ? grace : 0;
      } else if (s.defaultGracePeriod && grace < (md.deletionGracePeriodSeconds ?? 0)) {
        // A shorter grace period on a second delete shortens the wait (kubectl delete --now/--force).
        md.deletionTimestamp = nowTime(now + grace * 1000);
        md.deletionGracePeriodSeconds = grace;
      }
      md.finalizers = finalizers;
      if (!finalizers.length) delete md.finalizers;
      if (isNamespace) next.status = { ...(next.status ?? {}), phase: "Terminating" };
      if (!this.readyToGo(s, next) || isNamespace) {
        if (deepEqual(next, old)) return { body: old, pending: true };
        const stored = this.toStored(s, next);
        const rev = tx.put(key, stored);
        return { body: this.output(s, clone(stored), rev), pending: true };
      }
      tx.delete(key);
      return { body: this.output(s, this.toStored(s, next), tx.revision), pending: false };
    }
  }

  async deleteCollection(s: Strategy, ns: string | undefined, listOpts: ListOptions, opts: DeleteOptions): Promise<Obj[]> {
    const { items } = this.list(s, ns, { labelSelector: listOpts.labelSelector, fieldSelector: listOpts.fieldSelector });
    const out: Obj[] = [];
    for (const it of items) {
      try {
        const r = await this.delete(s, it.metadata.namespace, it.metadata.name, opts);
        out.push(isObj(r.body) && r.body.kind === "Status" ? it : r.body);
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      }
    }
    return out;
  }

  // --- watch ----------------------------------------------------------------------------------

  /**
   * Watch a collection. RV ""/"0"/absent = synthetic ADDED for current matches first; RV=N =
   * events after N (410 Expired if compacted). An object leaving the selector is DELETED.
   * Returns an unsubscribe function. emit may be called synchronously before return.
   */
  watch(s: Strategy, ns: string | undefined, o: WatchOptions, emit: (ev: KubeWatchEvent) => void): () => void {
    const { labels, fields, getters } = this.selectors(s, o);
    const prefix = this.collectionPrefix(s, ns);
    const matches = (v: Obj | undefined) =>
      !!v && matchLabels(labels, v.metadata?.labels) && (fields.length === 0 || matchFields(fields, getters, v));
    const rvParam = o.resourceVersion;
    parseResourceVersion(rvParam);
    let from: number;
    const initial = rvParam === undefined || rvParam === "" || rvParam === "0" || (o.sendInitialEvents && o.resourceVersionMatch === "NotOlderThan");
    if (initial) {
      from = this.store.revision();
      // Consistent snapshot: the store is synchronous, so nothing commits between list and subscribe.
      const entries = this.store.list<Obj>(prefix);
      for (const e of entries) if (matches(e.value)) emit({ type: "ADDED", object: this.fromEntry(s, e) });
      if (o.sendInitialEvents) {
        emit({
          type: "BOOKMARK",
          object: {
            kind: s.info.kind,
            apiVersion: apiVersionOf(s.info),
            metadata: { resourceVersion: String(from), annotations: { "k8s.io/initial-events-end": "true" } },
          },
        });
      }
    } else {
      from = parseResourceVersion(rvParam) ?? 0;
      const current = this.store.revision();
      // The store is the source of truth: a revision it has not reached is not coming from a cache catching up.
      if (from > current) throw errors.tooLargeResourceVersion(from, current);
    }
    const onEvents = (events: WatchEvent[]) => {
      for (const ev of events) {
        // Guard against nested prefixes (a namespace named like another's prefix is impossible, but keys must be direct children).
        const rest = ev.key.slice(prefix.length);
        if (s.info.namespaced && !ns ? rest.split("/").length !== 2 : rest.includes("/")) continue;
        const value = ev.value as Obj;
        const prev = ev.prev as Obj | undefined;
        const nowMatch = ev.type === "put" && matches(value);
        const prevMatch = matches(prev);
        if (ev.type === "delete") {
          if (prevMatch || matches(value)) emit({ type: "DELETED", object: this.output(s, value, ev.revision) });
          continue;
        }
        if (nowMatch) emit({ type: prev && prevMatch ? "MODIFIED" : "ADDED", object: this.output(s, value, ev.revision) });
        else if (prevMatch) emit({ type: "DELETED", object: this.output(s, value, ev.revision) });
      }
    };
    try {
      return this.store.watch(prefix, from, onEvents);
    } catch (err) {
      if (err instanceof StoreCompactedError) throw errors.expired(`too old resource version: ${from} (${err.compacted})`);
      throw err;
    }
  }
}

/**
 * A resourceVersion parameter as the storage versioner reads it (strconv.ParseUint): "" / absent is
 * undefined; anything but a decimal uint64 is a 400 naming the value.
 */
export function parseResourceVersion(rv: string | undefined): number | undefined {
  if (rv === undefined || rv === "") return undefined;
  if (!/^[0-9]+$/.test(rv)) throw errors.badRequest(`resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: invalid syntax`);
  if (BigInt(rv) > 18446744073709551615n) throw errors.badRequest(`resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: value out of range`);
  return Number(rv);
}

/** Empty metadata collections are omitted, as Go's omitempty does. */
function normalizeMeta(md: Obj): void {
  for (const k of ["labels", "annotations", "finalizers", "ownerReferences", "managedFields"]) {
    const v = md[k];
    if (v === null || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).length === 0)) delete md[k];
  }
}

/** Strategy code assumes well-typed objects; a TypeError there means the body had the wrong shape. */
export function shapeError(err: unknown): never {
  if (err instanceof TypeError) throw errors.badRequest(`the object provided is unrecognized or invalid: ${err.message}`);
  throw err;
}

/** Equal as stored objects: ignores resourceVersion, apiVersion and kind. */
function sameObject(a: Obj, b: Obj): boolean {
  const ka = Object.keys(a).filter((k) => k !== "apiVersion" && k !== "kind" && a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => k !== "apiVersion" && k !== "kind" && b[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (k === "metadata") {
      const ma = a.metadata ?? {};
      const mb = b.metadata ?? {};
      const xa = Object.keys(ma).filter((x) => x !== "resourceVersion" && ma[x] !== undefined);
      const xb = Object.keys(mb).filter((x) => x !== "resourceVersion" && mb[x] !== undefined);
      if (xa.length !== xb.length) return false;
      for (const x of xa) if (!deepEqual(ma[x], mb[x])) return false;
    } else if (!deepEqual(a[k], b[k])) return false;
  }
  return true;
}

/** A list's continue token: the revision it was taken at and the last key returned (after the collection prefix). */
function continueToken(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv, start })).toString("base64");
}
