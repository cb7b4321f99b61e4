// Field sets in the FieldsV1 vocabulary (f:<field>, k:{<key>}, v:<value>), enough for
// managedFields bookkeeping and a simplified server-side apply: ownership, removal of fields a
// manager stopped applying, and conflicts with other managers.
import type { PatchMeta } from "./types.js";
import { deepEqual, isObj, type Obj } from "./util.js";

export type Path = string[]; // segments like "f:spec", 'k:{"name":"c"}', 'v:"x"'
const SEP = "\u0001";

export class FieldSet {
  readonly paths = new Set<string>();
  add(p: Path): void {
    this.paths.add(p.join(SEP));
  }
  has(p: Path): boolean {
    return this.paths.has(p.join(SEP));
  }
  *[Symbol.iterator](): IterableIterator<Path> {
    for (const s of this.paths) yield s.split(SEP);
  }
  get size(): number {
    return this.paths.size;
  }
  union(o: FieldSet): FieldSet {
    const r = new FieldSet();
    for (const p of this.paths) r.paths.add(p);
    for (const p of o.paths) r.paths.add(p);
    return r;
  }
  minus(o: FieldSet): FieldSet {
    const r = new FieldSet();
    for (const p of this.paths) if (!o.paths.has(p)) r.paths.add(p);
    return r;
  }
  /** Does any path of this set equal p or lie under/over it? */
  overlaps(p: Path): boolean {
    const s = p.join(SEP);
    for (const q of this.paths) if (q === s || q.startsWith(s + SEP) || s.startsWith(q + SEP)) return true;
    return false;
  }
}

const SYSTEM_META = new Set([
  "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "deletionTimestamp",
  "deletionGracePeriodSeconds", "generateName",
]);

/** Dotted schema path (field names only) for PatchMeta lookups. */
function schemaPath(p: Path): string {
  return p.filter((s) => s.startsWith("f:")).map((s) => s.slice(2)).join(".");
}

/** Every leaf a value sets. scope: "main" skips .status, "status" keeps only .status. */
export function fieldSetOf(obj: Obj, meta: PatchMeta, scope: "main" | "status" | "all"): FieldSet {
  const set = new FieldSet();
  for (const [k, v] of Object.entries(obj)) {
    if (k === "apiVersion" || k === "kind") continue;
    if (scope === "main" && k === "status") continue;
    if (scope === "status" && k !== "status") continue;
    if (k === "metadata" && isObj(v)) {
      for (const [mk, mv] of Object.entries(v)) {
        if (SYSTEM_META.has(mk) || mv === undefined || mv === null) continue;
        walk(["f:metadata", `f:${mk}`], mv, meta, set);
      }
      continue;
    }
    walk([`f:${k}`], v, meta, set);
  }
  return set;
}

function walk(path: Path, v: unknown, meta: PatchMeta, set: FieldSet): void {
  if (v === undefined) return;
  if (isObj(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    if (keys.length === 0) {
      set.add(path);
      return;
    }
    for (const k of keys) walk([...path, `f:${k}`], v[k], meta, set);
    return;
  }
  if (Array.isArray(v)) {
    const m = meta[schemaPath(path)];
    if (m?.key) {
      for (const item of v) {
        if (!isObj(item) || item[m.key] === undefined) continue;
        const ip = [...path, `k:${JSON.stringify({ [m.key]: item[m.key] })}`];
        set.add([...ip, "."]);
        for (const [k, x] of Object.entries(item)) walk([...ip, `f:${k}`], x, meta, set);
      }
      if (v.length === 0) set.add(path);
      return;
    }
    if (m?.primitiveMerge) {
      for (const item of v) set.add([...path, `v:${JSON.stringify(item)}`]);
      if (v.length === 0) set.add(path);
      return;
    }
  }
  set.add(path); // scalar or atomic list
}

/** Leaves whose value differs between a and b (in either direction), descending only into differing subtrees. */
export function changedFields(a: Obj | undefined, b: Obj, meta: PatchMeta, scope: "main" | "status" | "all"): FieldSet {
  const out = new FieldSet();
  const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b)]);
  for (const k of keys) {
    if (k === "apiVersion" || k === "kind") continue;
    if (scope === "main" && k === "status") continue;
    if (scope === "status" && k !== "status") continue;
    const av = a?.[k];
    const bv = b[k];
    if (k === "metadata") {
      const am = isObj(av) ? av : {};
      const bm = isObj(bv) ? bv : {};
      for (const mk of new Set([...Object.keys(am), ...Object.keys(bm)])) {
        if (SYSTEM_META.has(mk)) continue;
        diff(["f:metadata", `f:${mk}`], am[mk], bm[mk], meta, out);
      }
      continue;
    }
    diff([`f:${k}`], av, bv, meta, out);
  }
  return out;
}

function leaves(path: Path, v: unknown, meta: PatchMeta, out: FieldSet): void {
  if (v === undefined || v === null) return;
  walk(path, v, meta, out);
}

function diff(path: Path, a: unknown, b: unknown, meta: PatchMeta, out: FieldSet): void {
  if (deepEqual(a, b)) return;
  if (isObj(a) && isObj(b) && Object.keys(a).length && Object.keys(b).length) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diff([...path, `f:${k}`], a[k], b[k], meta, out);
    return;
  }
  const m = Array.isArray(a) && Array.isArray(b) ? meta[schemaPath(path)] : undefined;
  if (m?.key && Array.isArray(a) && Array.isArray(b)) {
    const key = m.key;
    const seg = (x: Obj) => `k:${JSON.stringify({ [key]: x[key] })}`;
    const am = new Map((a as Obj[]).filter(isObj).map((x) => [seg(x), x]));
    const bm = new Map((b as Obj[]).filter(isObj).map((x) => [seg(x), x]));
    for (const [s, x] of bm) {
      const y = am.get(s);
      if (!y) {
        out.add([...path, s, "."]);
        for (const [k, v] of Object.entries(x)) leaves([...path, s, `f:${k}`], v, meta, out);
      } else for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) diff([...path, s, `f:${k}`], y[k], x[k], meta, out);
    }
    for (const [s, y] of am) {
      if (bm.has(s)) continue;
      out.add([...path, s, "."]);
      for (const [k, v] of Object.entries(y)) leaves([...path, s, `f:${k}`], v, meta, out);
    }
    return;
  }
  leaves(path, a, meta, out);
  leaves(path, b, meta, out);
}

/** Is the field (or list item) at p present in obj? */
export function hasPath(obj: Obj, p: Path): boolean {
  return getPath(obj, p[p.length - 1] === "." ? p.slice(0, -1) : p) !== undefined;
}

function findItem(list: unknown[], seg: string): number {
  if (seg.startsWith("k:")) {
    const key = JSON.parse(seg.slice(2)) as Obj;
    return list.findIndex((x) => isObj(x) && Object.entries(key).every(([k, v]) => deepEqual(x[k], v)));
  }
  if (seg.startsWith("v:")) {
    const val = JSON.parse(seg.slice(2));
    return list.findIndex((x) => deepEqual(x, val));
  }
  return -1;
}

export function getPath(obj: Obj, p: Path, _meta?: PatchMeta): unknown {
  let cur: unknown = obj;
  for (const seg of p) {
    if (seg === ".") return cur;
    if (seg.startsWith("f:")) {
      if (!isObj(cur)) return undefined;
      cur = cur[seg.slice(2)];
    } else if (Array.isArray(cur)) {
      const i = findItem(cur, seg);
      if (i < 0) return undefined;
      cur = cur[i];
    } else return undefined;
  }
  return cur;
}

/** Remove the field (or keyed/primitive list item) at p from obj in place. */
export function removePath(obj: Obj, p: Path): void {
  const segs = p[p.length - 1] === "." ? p.slice(0, -1) : p;
  if (segs.length === 0) return;
  let cur: unknown = obj;
  for (let i = 0; i < segs.length - 1; i++) {
    const seg = segs[i]!;
    if (seg.startsWith("f:")) cur = isObj(cur) ? cur[seg.slice(2)] : undefined;
    else if (Array.isArray(cur)) cur = cur[findItem(cur, seg)];
    else return;
    if (cur === undefined) return;
  }
  const last = segs[segs.length - 1]!;
  if (last.startsWith("f:") && isObj(cur)) delete cur[last.slice(2)];
  else if (Array.isArray(cur)) {
    const i = findItem(cur, last);
    if (i >= 0) cur.splice(i, 1);
  }
}

/** ".spec.template.spec.containers[name="c"].image", the form conflicts are reported in. */
export function displayPath(p: Path): string {
  let s = "";
  for (const seg of p) {
    if (seg === ".") continue;
    if (seg.startsWith("f:")) s += `.${seg.slice(2)}`;
    else if (seg.startsWith("k:")) {
      const k = JSON.parse(seg.slice(2)) as Obj;
      s += `[${Object.entries(k).map(([a, b]) => `${a}=${JSON.stringify(b)}`).join(",")}]`;
    } else if (seg.startsWith("v:")) s += `[=${seg.slice(2)}]`;
  }
  return s;
}

export function toFieldsV1(set: FieldSet): Obj {
  const root: Obj = {};
  for (const p of set) {
    let cur = root;
    for (const seg of p) cur = cur[seg] ??= {};
  }
  return root;
}

export function fromFieldsV1(tree: unknown): FieldSet {
  const set = new FieldSet();
  const rec = (node: unknown, path: Path) => {
    if (!isObj(node)) return;
    const keys = Object.keys(node);
    if (keys.length === 0 && path.length) set.add(path);
    for (const k of keys) rec(node[k], [...path, k]);
  };
  rec(tree, []);
  return set;
}
