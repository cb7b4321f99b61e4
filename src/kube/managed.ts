// managedFields bookkeeping and a simplified server-side apply (structured-merge-diff's rules
// reduced to what kubectl relies on): ownership per manager, removal of fields a manager no
// longer applies, conflicts with other managers unless force.
import { errors, type StatusCause } from "./errors.js";
import { changedFields, displayPath, FieldSet, fieldSetOf, fromFieldsV1, getPath, hasPath, removePath, toFieldsV1 } from "./fieldpath.js";
import { strategicMerge } from "./patch.js";
import type { PatchMeta } from "./types.js";
import { clone, deepEqual, isObj, type Obj } from "./util.js";

export interface ManagedEntry {
  manager: string;
  operation: "Update" | "Apply";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: Obj;
  subresource?: string;
}

function entries(o: Obj | undefined): ManagedEntry[] {
  const m = o?.metadata?.managedFields;
  return Array.isArray(m) ? (clone(m) as ManagedEntry[]) : [];
}

function sameSlot(e: ManagedEntry, manager: string, op: string, sub: string | undefined): boolean {
  return e.manager === manager && e.operation === op && (e.subresource ?? "") === (sub ?? "");
}

/** Keep the old timestamp of entries whose fields did not change (so no-op writes stay no-ops). */
function preserveTimes(next: ManagedEntry[], old: ManagedEntry[]): ManagedEntry[] {
  return next.map((e) => {
    const o = old.find((x) => sameSlot(x, e.manager, e.operation, e.subresource) && x.apiVersion === e.apiVersion);
    return o && deepEqual(o.fieldsV1, e.fieldsV1) ? { ...e, time: o.time } : e;
  });
}

export interface UpdateRecord {
  manager: string;
  apiVersion: string;
  subresource?: string;
  scope: "main" | "status" | "all";
  now: string;
}

/**
 * Record an Update by `manager` that turned old into next (next.metadata.managedFields is
 * rewritten). If the request itself changed managedFields, those are taken as given.
 */
export function recordUpdate(old: Obj | undefined, next: Obj, meta: PatchMeta, r: UpdateRecord): void {
  const oldEntries = entries(old);
  const requested = next.metadata?.managedFields;
  if (old && Array.isArray(requested) && !deepEqual(requested, old.metadata?.managedFields)) {
    // An explicit managedFields write (csaupgrade); an empty list resets tracking.
    if (requested.length === 0) delete next.metadata.managedFields;
    return;
  }
  const changed = changedFields(old, next, meta, r.scope);
  let list = oldEntries;
  if (changed.size > 0) {
    // Only changed paths can have disappeared; drop those from every owner.
    const removed = new FieldSet();
    for (const p of changed) if (!hasPath(next, p)) removed.add(p);
    list = [];
    let mine: FieldSet | undefined;
    for (const e of oldEntries) {
      const fs = fromFieldsV1(e.fieldsV1);
      if (sameSlot(e, r.manager, "Update", r.subresource)) {
        mine = fs;
        continue;
      }
      const rest = fs.minus(changed);
      if (rest.size > 0) list.push({ ...e, fieldsV1: toFieldsV1(rest) });
    }
    const own = (mine ?? new FieldSet()).union(changed).minus(removed);
    if (own.size > 0) {
      const e: ManagedEntry = { manager: r.manager, operation: "Update", apiVersion: r.apiVersion, time: r.now, fieldsType: "FieldsV1", fieldsV1: toFieldsV1(own) };
      if (r.subresource) e.subresource = r.subresource;
      list.push(e);
    }
    list = preserveTimes(list, oldEntries);
  }
  if (list.length) next.metadata.managedFields = list;
  else delete next.metadata.managedFields;
}

export interface ApplyRequest {
  manager: string;
  apiVersion: string;
  kind: string;
  group: string;
  name: string;
  force: boolean;
  scope: "main" | "status" | "all";
  subresource?: string;
  now: string;
}

/** Server-side apply of `applied` onto `live` (undefined = create). Returns the merged object. */
export function serverSideApply(live: Obj | undefined, applied: Obj, meta: PatchMeta, r: ApplyRequest): Obj {
  const mineNew = fieldSetOf(applied, meta, r.scope);
  const oldEntries = entries(live);
  const mineSlot = (e: ManagedEntry) => sameSlot(e, r.manager, "Apply", r.subresource);
  const mineOld = fromFieldsV1(oldEntries.find(mineSlot)?.fieldsV1 ?? {});
  let others = oldEntries.filter((e) => !mineSlot(e)).map((e) => ({ e, fs: fromFieldsV1(e.fieldsV1) }));

  if (live) {
    const causes: StatusCause[] = [];
    const taken = new FieldSet();
    for (const p of mineNew) {
      if (p[p.length - 1] === ".") continue;
      const mineVal = getPath(applied, p);
      const liveVal = getPath(live, p);
      if (deepEqual(mineVal, liveVal)) continue;
      for (const { e, fs } of others) {
        if (!fs.has(p)) continue;
        taken.add(p);
        if (!r.force) causes.push({ reason: "FieldManagerConflict", message: `conflict with "${e.manager}"${e.operation === "Update" ? ` using ${e.apiVersion}` : ""}`, field: displayPath(p) });
      }
    }
    if (causes.length) throw errors.applyConflict(r.group, r.kind, r.name, causes);
    if (taken.size) others = others.map(({ e, fs }) => ({ e, fs: fs.minus(taken) }));
  }

  const base = clone(live ?? {});
  if (live) {
    // Fields this manager applied before but not now, and nobody else owns, are removed.
    const owners = others.reduce((acc, o) => acc.union(o.fs), new FieldSet());
    const dropped = [...mineOld.minus(mineNew)].sort((a, b) => b.length - a.length);
    for (const p of dropped) {
      const itemPath = p[p.length - 1] === "." ? p.slice(0, -1) : p;
      if (owners.overlaps(itemPath)) continue;
      if (p[p.length - 1] !== "." && mineNew.overlaps(itemPath)) continue;
      removePath(base, p);
    }
  }
  const merged = strategicMerge(base, stripNullsForApply(applied), meta);

  // Last-applied annotation follows the applied config when CSA had set it (lastappliedupdater).
  const ann = live?.metadata?.annotations?.["kubectl.kubernetes.io/last-applied-configuration"];
  if (ann !== undefined && applied.metadata?.annotations?.["kubectl.kubernetes.io/last-applied-configuration"] === undefined) {
    const cfg = clone(applied);
    delete cfg.metadata?.managedFields;
    merged.metadata.annotations = { ...(merged.metadata.annotations ?? {}), "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(cfg) + "\n" };
  }

  const list: ManagedEntry[] = others.filter((o) => o.fs.size > 0).map(({ e, fs }) => ({ ...e, fieldsV1: toFieldsV1(fs) }));
  const mine: ManagedEntry = { manager: r.manager, operation: "Apply", apiVersion: r.apiVersion, time: r.now, fieldsType: "FieldsV1", fieldsV1: toFieldsV1(mineNew) };
  if (r.subresource) mine.subresource = r.subresource;
  list.push(mine);
  merged.metadata = isObj(merged.metadata) ? merged.metadata : {};
  merged.metadata.managedFields = preserveTimes(list, oldEntries);
  return merged;
}

function stripNullsForApply(o: Obj): Obj {
  const c = clone(o);
  if (isObj(c.metadata)) delete c.metadata.managedFields;
  return c;
}
