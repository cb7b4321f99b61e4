// The structural-schema subset of OpenAPI v3 that kube-apiserver enforces for custom resources
// (apiextensions-apiserver pkg/apiserver/schema: pruning, defaulting, validation), with its
// field-error texts. Pure: no I/O; unit-tested directly.
import { cause, type StatusCause } from "../errors.js";
import { isObj, type Obj } from "../util.js";

export type Schema = Obj;

const TYPES = ["array", "boolean", "integer", "number", "object", "string"];

function fieldPath(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}

/** JSON type name of a value as the OpenAPI validator reports it. */
export function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

// --- structural checks on the CRD itself ------------------------------------------------------

const UNSUPPORTED = ["id", "additionalItems", "patternProperties", "definitions", "dependencies", "$ref"];
const ROOT_ALLOWED_WITH_STATUS = new Set([
  "description", "type", "format", "title", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern",
  "maxItems", "minItems", "uniqueItems", "multipleOf", "required", "items", "properties", "externalDocs", "example",
  "x-kubernetes-preserve-unknown-fields", "x-kubernetes-validations",
]);

/** Errors of a version's openAPIV3Schema (path = "spec.versions[i].schema.openAPIV3Schema"). */
export function structuralErrors(schema: unknown, path: string, hasStatus: boolean): StatusCause[] {
  const out: StatusCause[] = [];
  if (!isObj(schema)) return [cause.required(path, "schemas are required")];
  if (schema.type === undefined) out.push(cause.required(`${path}.type`, "must not be empty at the root"));
  else if (schema.type !== "object") out.push(cause.invalid(`${path}.type`, schema.type, "must be object at the root"));
  if (schema.additionalProperties !== undefined) out.push(cause.forbidden(`${path}.additionalProperties`, "must not be used at the root"));
  if (schema.nullable === true) out.push(cause.forbidden(`${path}.nullable`, "nullable cannot be true at the root"));
  if (hasStatus)
    for (const k of Object.keys(schema))
      if (!ROOT_ALLOWED_WITH_STATUS.has(k) && k !== "additionalProperties" && k !== "nullable")
        out.push(cause.forbidden(`${path}.${k}`, "only description, type, format, title, maximum, exclusiveMaximum, minimum, exclusiveMinimum, maxLength, minLength, pattern, maxItems, minItems, uniqueItems, multipleOf, required, items, properties, externalDocs, example, x-kubernetes-preserve-unknown-fields and x-kubernetes-validations fields are allowed at the root of the schema if the status subresource is enabled"));
  const md = isObj(schema.properties) ? schema.properties.metadata : undefined;
  if (isObj(md)) {
    const extra = Object.keys(md).filter((k) => k !== "type" && k !== "properties" && k !== "description");
    const props = Object.keys(isObj(md.properties) ? md.properties : {}).filter((k) => k !== "name" && k !== "generateName");
    if (extra.length || props.length) out.push(cause.forbidden(`${path}.properties[metadata]`, "must not specify anything other than name and generateName, but metadata is implicitly specified"));
  }
  walk(schema, path, true, out);
  return out.sort((a, b) => (`${a.field}: ${a.message}` < `${b.field}: ${b.message}` ? -1 : 1));
}

function walk(s: Obj, path: string, root: boolean, out: StatusCause[]): void {
  for (const k of UNSUPPORTED) if (s[k] !== undefined) out.push(cause.forbidden(`${path}.${k}`, `${k} is not supported`));
  const intOrString = s["x-kubernetes-int-or-string"] === true;
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
  if (s["x-kubernetes-preserve-unknown-fields"] === false) out.push(cause.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, "must be true or undefined"));
  if (intOrString && preserve) out.push(cause.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, true, "must be false if x-kubernetes-int-or-string is true"));
  if (s.type === null) out.push(cause.invalid(`${path}.type`, null, "type cannot be set to null, use nullable as an alternative"));
  else if (s.type !== undefined && !TYPES.includes(s.type)) out.push(cause.notSupported(`${path}.type`, s.type, TYPES));
  if (s.uniqueItems === true) out.push(cause.forbidden(`${path}.uniqueItems`, "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"));
  if (s.additionalProperties !== undefined && s.properties !== undefined && s.additionalProperties !== false)
    out.push(cause.forbidden(`${path}.additionalProperties`, "additionalProperties and properties are mutual exclusive"));
  if (typeof s.pattern === "string") {
    try {
      new RegExp(s.pattern, "u");
    } catch (err) {
      out.push(cause.invalid(`${path}.pattern`, s.pattern, `must be a valid regular expression, but isn't: ${(err as Error).message}`));
    }
  }
  if (s["x-kubernetes-embedded-resource"] === true && s.type !== "object") out.push(cause.invalid(`${path}.type`, s.type ?? "", "must be object if x-kubernetes-embedded-resource is true"));
  const lt = s["x-kubernetes-list-type"];
  if (lt !== undefined) {
    if (s.type !== "array") out.push(cause.invalid(`${path}.type`, s.type ?? "", "must be array if x-kubernetes-list-type is specified"));
    if (!["atomic", "set", "map"].includes(lt)) out.push(cause.notSupported(`${path}.x-kubernetes-list-type`, lt, ["atomic", "set", "map"]));
    if (lt === "map" && !(s["x-kubernetes-list-map-keys"] ?? []).length) out.push(cause.required(`${path}.x-kubernetes-list-map-keys`, "must not be empty if x-kubernetes-list-type is map"));
  }
  if (isObj(s.properties)) {
    for (const [k, v] of Object.entries(s.properties)) {
      const p = `${path}.properties[${k}]`;
      if (!isObj(v)) continue;
      if (root && k === "metadata") continue;
      if (v.type === undefined && v["x-kubernetes-int-or-string"] !== true && v["x-kubernetes-preserve-unknown-fields"] !== true && !hasJunctors(v))
        out.push(cause.required(`${p}.type`, "must not be empty for specified object fields"));
      if (root && (k === "apiVersion" || k === "kind") && v.type !== "string") out.push(cause.invalid(`${p}.type`, v.type ?? "", "must be string"));
      walk(v, p, false, out);
    }
  }
  if (s.type === "array") {
    if (!isObj(s.items)) out.push(cause.required(`${path}.items`, "must be specified"));
    else {
      if (s.items.type === undefined && s.items["x-kubernetes-int-or-string"] !== true && s.items["x-kubernetes-preserve-unknown-fields"] !== true && !hasJunctors(s.items))
        out.push(cause.required(`${path}.items.type`, "must not be empty for specified array items"));
      walk(s.items, `${path}.items`, false, out);
    }
  }
  if (isObj(s.additionalProperties)) walk(s.additionalProperties, `${path}.additionalProperties`, false, out);
  for (const j of ["allOf", "anyOf", "oneOf"])
    ((Array.isArray(s[j]) ? s[j] : []) as Obj[]).forEach((sub, i) => {
      if (!isObj(sub)) return;
      const p = `${path}.${j}[${i}]`;
      if (sub.type !== undefined && !isIntOrStringJunctor(s)) out.push(cause.forbidden(`${p}.type`, "must be empty to be structural"));
      if (sub.default !== undefined) out.push(cause.forbidden(`${p}.default`, "must be undefined to be structural"));
      if (sub.additionalProperties !== undefined) out.push(cause.forbidden(`${p}.additionalProperties`, "must be undefined to be structural"));
    });
}

function hasJunctors(s: Obj): boolean {
  return ["allOf", "anyOf", "oneOf"].some((j) => Array.isArray(s[j]) && s[j].length > 0);
}

function isIntOrStringJunctor(s: Obj): boolean {
  if (s["x-kubernetes-int-or-string"] !== true) return false;
  const types = ((s.anyOf ?? []) as Obj[]).map((x) => x?.type).sort();
  return types.join(",") === "integer,string";
}

// --- pruning ----------------------------------------------------------------------------------

/**
 * Remove fields the schema does not declare (unless x-kubernetes-preserve-unknown-fields), and
 * nulls where the schema is not nullable and has no default. Mutates value; returns the paths
 * of removed unknown fields ("spec.foo") for fieldValidation.
 */
export function prune(value: Obj, schema: Schema): string[] {
  const removed: string[] = [];
  // The root is an embedded resource: apiVersion, kind, metadata are never pruned.
  for (const k of Object.keys(value)) {
    if (k === "apiVersion" || k === "kind" || k === "metadata") continue;
    pruneKey(value, k, schema, "", removed);
  }
  return removed;
}

function propSchema(s: Schema | undefined, key: string): Schema | undefined | true {
  if (!isObj(s)) return undefined;
  if (isObj(s.properties) && isObj(s.properties[key])) return s.properties[key];
  if (isObj(s.additionalProperties)) return s.additionalProperties;
  if (s.additionalProperties === true) return true;
  // Junctors may declare the property too (structural schemas repeat them outside, but be lenient).
  return undefined;
}

function pruneKey(obj: Obj, key: string, parent: Schema, base: string, removed: string[]): void {
  const sub = propSchema(parent, key);
  const p = fieldPath(base, key);
  if (sub === undefined) {
    if (parent["x-kubernetes-preserve-unknown-fields"] === true) return;
    delete obj[key];
    removed.push(p);
    return;
  }
  if (sub === true) return;
  const v = obj[key];
  if ((v === null && sub.nullable !== true) || v === undefined) {
    delete obj[key];
    return;
  }
  pruneValue(v, sub, p, removed);
}

function pruneValue(v: unknown, s: Schema, path: string, removed: string[]): void {
  if (s["x-kubernetes-embedded-resource"] === true && isObj(v)) {
    for (const k of Object.keys(v)) if (!["apiVersion", "kind", "metadata"].includes(k)) pruneKey(v, k, s, path, removed);
    return;
  }
  if (isObj(v) && (s.type === "object" || s.properties || s.additionalProperties)) {
    for (const k of Object.keys(v)) pruneKey(v, k, s, path, removed);
  } else if (Array.isArray(v) && isObj(s.items)) {
    v.forEach((item, i) => pruneValue(item, s.items, `${path}[${i}]`, removed));
  }
}

// --- defaulting -------------------------------------------------------------------------------

export function applyDefaults(value: unknown, s: Schema): void {
  if (!isObj(s)) return;
  if (isObj(value)) {
    if (isObj(s.properties)) {
      for (const [k, ps] of Object.entries(s.properties)) {
        if (!isObj(ps)) continue;
        if ((value[k] === undefined || (value[k] === null && ps.nullable !== true)) && ps.default !== undefined) value[k] = structuredClone(ps.default);
        if (value[k] !== undefined) applyDefaults(value[k], ps);
      }
    }
    if (isObj(s.additionalProperties)) for (const k of Object.keys(value)) if (!isObj(s.properties) || !(k in s.properties)) applyDefaults(value[k], s.additionalProperties);
  } else if (Array.isArray(value) && isObj(s.items)) {
    for (const item of value) applyDefaults(item, s.items);
  }
}

// --- validation -------------------------------------------------------------------------------

function fmt(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

function typeMatches(v: unknown, s: Schema): boolean {
  if (s["x-kubernetes-int-or-string"] === true) return typeof v === "string" || (typeof v === "number" && Number.isInteger(v));
  const t = s.type;
  if (t === undefined) return true;
  if (v === null) return s.nullable === true;
  switch (t) {
    case "object":
      return isObj(v);
    case "array":
      return Array.isArray(v);
    case "string":
      return typeof v === "string";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "boolean":
      return typeof v === "boolean";
    default:
      return true;
  }
}

/** Validate a (pruned, defaulted) value; path "" = the object root. */
export function validateValue(v: unknown, s: Schema, path: string, out: StatusCause[] = []): StatusCause[] {
  if (!isObj(s)) return out;
  const where = path || "<root>";
  if (v === null && s.nullable === true) return out;
  if (!typeMatches(v, s)) {
    const want = s["x-kubernetes-int-or-string"] === true ? "integer,string" : s.type;
    out.push({ reason: "FieldValueTypeInvalid", message: `Invalid value: "${typeName(v)}": ${where} in body must be of type ${want}: "${typeName(v)}"`, field: where });
    return out;
  }
  if (Array.isArray(s.enum) && !s.enum.some((e: unknown) => JSON.stringify(e) === JSON.stringify(v)))
    out.push({ reason: "FieldValueNotSupported", message: `Unsupported value: ${fmt(v)}: supported values: ${s.enum.map((e: unknown) => fmt(e)).join(", ")}`, field: where });
  if (typeof v === "string") {
    const len = [...v].length;
    if (typeof s.maxLength === "number" && len > s.maxLength) out.push({ reason: "FieldValueTooLong", message: `Too long: may not be more than ${s.maxLength} bytes`, field: where });
    if (typeof s.minLength === "number" && len < s.minLength) out.push(cause.invalid(where, v, `${where} in body should be at least ${s.minLength} chars long`));
    if (typeof s.pattern === "string") {
      let re: RegExp | undefined;
      try {
        re = new RegExp(s.pattern, "u");
      } catch {
        re = undefined;
      }
      if (re && !re.test(v)) out.push(cause.invalid(where, v, `${where} in body should match '${s.pattern}'`));
    }
  }
  if (typeof v === "number") {
    if (typeof s.maximum === "number") {
      if (s.exclusiveMaximum === true ? v >= s.maximum : v > s.maximum)
        out.push(cause.invalid(where, v, `${where} in body should be less than ${s.exclusiveMaximum === true ? "" : "or equal to "}${s.maximum}`));
    }
    if (typeof s.minimum === "number") {
      if (s.exclusiveMinimum === true ? v <= s.minimum : v < s.minimum)
        out.push(cause.invalid(where, v, `${where} in body should be greater than ${s.exclusiveMinimum === true ? "" : "or equal to "}${s.minimum}`));
    }
    if (typeof s.multipleOf === "number" && s.multipleOf > 0 && !Number.isInteger(v / s.multipleOf))
      out.push(cause.invalid(where, v, `${where} in body should be a multiple of ${s.multipleOf}`));
  }
  if (Array.isArray(v)) {
    if (typeof s.maxItems === "number" && v.length > s.maxItems) out.push({ reason: "FieldValueTooMany", message: `Too many: ${v.length}: must have at most ${s.maxItems} items`, field: where });
    if (typeof s.minItems === "number" && v.length < s.minItems) out.push(cause.invalid(where, v, `${where} in body should have at least ${s.minItems} items`));
    if (isObj(s.items)) v.forEach((item, i) => validateValue(item, s.items, `${path}[${i}]`, out));
    listTypeErrors(v, s, where, out);
  }
  if (isObj(v)) {
    const n = Object.keys(v).length;
    if (typeof s.maxProperties === "number" && n > s.maxProperties) out.push({ reason: "FieldValueTooMany", message: `Too many: ${n}: must have at most ${s.maxProperties} items`, field: where });
    if (typeof s.minProperties === "number" && n < s.minProperties) out.push(cause.invalid(where, v, `${where} in body should have at least ${s.minProperties} properties`));
    for (const r of (Array.isArray(s.required) ? s.required : []) as string[]) if (v[r] === undefined || v[r] === null) out.push(cause.required(fieldPath(path, r)));
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined || (!path && (k === "apiVersion" || k === "kind" || k === "metadata"))) continue;
      const ps = isObj(s.properties) && isObj(s.properties[k]) ? s.properties[k] : isObj(s.additionalProperties) ? s.additionalProperties : undefined;
      if (ps) validateValue(val, ps, fieldPath(path, k), out);
    }
  }
  for (const sub of (Array.isArray(s.allOf) ? s.allOf : []) as Schema[]) validateValue(v, { ...sub, type: sub.type }, path, out);
  return out;
}

function listTypeErrors(v: unknown[], s: Schema, where: string, out: StatusCause[]): void {
  const lt = s["x-kubernetes-list-type"];
  if (lt === "set") {
    const seen = new Set<string>();
    v.forEach((item, i) => {
      const k = JSON.stringify(item);
      if (seen.has(k)) out.push(cause.duplicate(`${where}[${i}]`, item));
      seen.add(k);
    });
  } else if (lt === "map") {
    const keys = (s["x-kubernetes-list-map-keys"] ?? []) as string[];
    const seen = new Set<string>();
    v.forEach((item, i) => {
      if (!isObj(item)) return;
      const k = JSON.stringify(keys.map((x) => item[x]));
      if (seen.has(k)) out.push(cause.duplicate(`${where}[${i}]`, Object.fromEntries(keys.map((x) => [x, item[x]]))));
      seen.add(k);
    });
  }
}

/** Paths the schema marks as map lists, for server-side apply and strategic-merge-style keys. */
export function listMapKeys(s: Schema, base = "", out: Record<string, { key?: string }> = {}): Record<string, { key?: string }> {
  if (!isObj(s)) return out;
  if (s.type === "array" && s["x-kubernetes-list-type"] === "map") out[base] = { key: ((s["x-kubernetes-list-map-keys"] ?? []) as string[])[0] };
  if (isObj(s.properties)) for (const [k, v] of Object.entries(s.properties)) if (isObj(v)) listMapKeys(v, base ? `${base}.${k}` : k, out);
  if (isObj(s.items)) listMapKeys(s.items, base, out);
  return out;
}
