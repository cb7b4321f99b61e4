// PATCH bodies: RFC 7386 merge patch, RFC 6902 JSON patch (fast-json-patch), and Kubernetes
// strategic merge patch driven by each kind's PatchMeta (list merge keys and strategies).
import jsonpatch from "fast-json-patch";
import { errors, StatusError } from "./errors.js";
import type { PatchMeta } from "./types.js";
import { clone, deepEqual, isObj, type Obj } from "./util.js";

export const PATCH_TYPES = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
  applyCbor: "application/apply-patch+cbor",
} as const;

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const result: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = mergePatch(result[k], v);
  }
  return result;
}

export function jsonPatch(doc: Obj, ops: unknown): Obj {
  if (!Array.isArray(ops)) throw errors.badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  try {
    const res = jsonpatch.applyPatch(clone(doc), ops as jsonpatch.Operation[], true, false);
    return res.newDocument as Obj;
  } catch (err) {
    const e = err as { name?: string; message?: string; operation?: { op?: string; path?: string } };
    if (e.name === "TEST_OPERATION_FAILED") throw new StatusError(422, "Invalid", `the server rejected our request due to an error in our request`, { causes: [{ reason: "FieldValueInvalid", message: `testing value ${e.operation?.path} failed: test failed` }] });
    const op = e.operation?.op ?? "patch";
    const path = e.operation?.path ?? "";
    const msg = /OPERATION_PATH_UNRESOLVABLE|OPERATION_PATH_CANNOT_ADD/.test(e.name ?? "") || /Cannot perform/.test(e.message ?? "")
      ? `jsonpatch ${op} operation does not apply: doc is missing path: "${path}": missing value`
      : `${String(e.message ?? err).split("\n")[0]}`;
    throw new StatusError(422, "Invalid", msg, { causes: [{ reason: "FieldValueInvalid", message: msg }] });
  }
}

const DELETE = Symbol("delete");
type Merged = unknown | typeof DELETE;

/** Apply a strategic merge patch to original (both left untouched). */
export function strategicMerge(original: Obj, patch: Obj, meta: PatchMeta): Obj {
  const r = mergeMap(original, patch, meta, "");
  return r === DELETE ? {} : (r as Obj);
}

function mergeMap(orig: Obj, patch: Obj, meta: PatchMeta, path: string): Merged {
  const directive = patch.$patch;
  if (directive === "replace") return stripDirectives(withoutKey(patch, "$patch"));
  if (directive === "delete") return DELETE;
  if (directive !== undefined && directive !== "merge") throw errors.badRequest(`Unknown patch type: ${String(directive)}`);
  const result: Obj = { ...orig };
  // Deletions from primitive lists first, so a merge of the same list in the patch wins.
  for (const [k, v] of Object.entries(patch)) {
    if (!k.startsWith("$deleteFromPrimitiveList/")) continue;
    const f = k.slice("$deleteFromPrimitiveList/".length);
    if (Array.isArray(result[f]) && Array.isArray(v)) result[f] = (result[f] as unknown[]).filter((x) => !v.some((d) => deepEqual(d, x)));
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith("$")) continue;
    const p = path ? `${path}.${k}` : k;
    if (v === null) {
      delete result[k];
    } else if (isObj(v)) {
      const m = mergeMap(isObj(result[k]) ? result[k] : {}, v, meta, p);
      if (m === DELETE) delete result[k];
      else result[k] = m;
    } else if (Array.isArray(v)) {
      result[k] = mergeList(Array.isArray(result[k]) ? result[k] : [], v, meta, p);
    } else {
      result[k] = v;
    }
  }
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) for (const k of Object.keys(result)) if (!retain.includes(k)) delete result[k];
  for (const [k, order] of Object.entries(patch)) {
    if (!k.startsWith("$setElementOrder/") || !Array.isArray(order)) continue;
    const f = k.slice("$setElementOrder/".length);
    if (Array.isArray(result[f])) result[f] = reorder(result[f], order, meta[path ? `${path}.${f}` : f]?.key);
  }
  return result;
}

function reorder(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const idOf = (x: unknown) => (key && isObj(x) ? JSON.stringify(x[key]) : JSON.stringify(x));
  const pos = new Map(order.map((o, i) => [key && isObj(o) ? JSON.stringify(o[key]) : JSON.stringify(o), i]));
  const inOrder = list.filter((x) => pos.has(idOf(x))).sort((a, b) => pos.get(idOf(a))! - pos.get(idOf(b))!);
  const rest = list.filter((x) => !pos.has(idOf(x)));
  return [...inOrder, ...rest];
}

function mergeList(orig: unknown[], patch: unknown[], meta: PatchMeta, path: string): unknown[] {
  const m = meta[path];
  if (m?.key) {
    const key = m.key;
    if (patch.some((x) => isObj(x) && x.$patch === "replace")) {
      return patch.filter((x) => !(isObj(x) && x.$patch === "replace")).map(stripDirectives);
    }
    const result = orig.map((x) => clone(x));
    for (const item of patch) {
      if (!isObj(item)) {
        result.push(item);
        continue;
      }
      const idx = result.findIndex((o) => isObj(o) && deepEqual(o[key], item[key]));
      if (item.$patch === "delete") {
        if (idx >= 0) result.splice(idx, 1);
        continue;
      }
      const merged = mergeMap(idx >= 0 ? (result[idx] as Obj) : {}, item, meta, path);
      if (merged === DELETE) {
        if (idx >= 0) result.splice(idx, 1);
      } else if (idx >= 0) result[idx] = merged;
      else result.push(merged);
    }
    return result;
  }
  if (m?.primitiveMerge) {
    const result = [...orig];
    for (const x of patch) if (!result.some((y) => deepEqual(x, y))) result.push(x);
    return result;
  }
  return patch.map(stripDirectives);
}

function withoutKey(o: Obj, k: string): Obj {
  const c = { ...o };
  delete c[k];
  return c;
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => !(isObj(x) && (x.$patch === "delete" || x.$patch === "replace") && Object.keys(x).length === 1)).map(stripDirectives);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith("$")) out[k] = stripDirectives(x);
  return out;
}
