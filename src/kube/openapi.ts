// OpenAPI documents: v2 (JSON and gnostic protobuf, which kubectl 1.20 reads) and v3 per
// group-version (kubectl 1.32). Each kind gets one PATCH operation with the query parameters
// dryRun, fieldManager, fieldValidation and force, tagged with x-kubernetes-group-version-kind,
// so kubectl lets the server validate and dry-run. Schemas: the built-in kinds publish
// kube-apiserver's own definitions (src/kube/openapi/builtin-v2.json, see its NOTICE.md) with
// their patch merge keys and strategies, which kubectl uses for `explain`, client-side
// validation and the strategic merge patches of `apply`; custom resources publish their CRD
// schema.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { builtinKinds, type Kinds } from "./catalog.js";
import { PATCH_TYPES } from "./patch.js";
import type { Strategy } from "./types.js";
import { isObj, type Obj } from "./util.js";

export const OPENAPI_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

const QUERY_PARAMS = ["dryRun", "fieldManager", "fieldValidation", "force"];
const CONSUMES = [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.strategic, PATCH_TYPES.apply];
const CUSTOM_CONSUMES = [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply];

function itemPath(s: Strategy): string {
  const base = s.info.group ? `/apis/${s.info.group}/${s.info.version}` : `/api/${s.info.version}`;
  return s.info.namespaced ? `${base}/namespaces/{namespace}/${s.info.resource}/{name}` : `${base}/${s.info.resource}/{name}`;
}

function consumes(s: Strategy): string[] {
  return s.noStrategicMerge ? CUSTOM_CONSUMES : CONSUMES;
}

// --- the built-in definitions --------------------------------------------------------------------

interface BuiltinSpec {
  source: string;
  /** "group/version/Kind" → definition name */
  kinds: Record<string, string>;
  definitions: Record<string, Obj>;
}

const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
let builtin: BuiltinSpec | undefined;

/** Loaded on first use (about 0.7 MB): most processes never serve OpenAPI. */
function builtinSpec(): BuiltinSpec {
  builtin ??= JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, "src/kube/openapi/builtin-v2.json"), "utf8")) as BuiltinSpec;
  return builtin;
}

function builtinName(s: Strategy): string | undefined {
  return builtinSpec().kinds[`${s.info.group}/${s.info.version}/${s.info.kind}`];
}

const REF_V2 = "#/definitions/";

/** Definition names reachable from `roots` (roots included). */
function closure(roots: string[], defs: Record<string, Obj>): string[] {
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n) || !defs[n]) return;
    seen.add(n);
    walk(defs[n]);
  };
  const walk = (s: unknown): void => {
    if (!isObj(s)) return;
    if (typeof s.$ref === "string") visit(s.$ref.slice(REF_V2.length));
    for (const p of Object.values((s.properties ?? {}) as Obj)) walk(p);
    walk(s.items);
    walk(s.additionalProperties);
  };
  roots.forEach(visit);
  return [...seen].sort();
}

/** REST-friendly definition name ("com.example.v1.Widget") and schema of a custom resource. */
function customDefinition(s: Strategy): { name: string; schema: Obj } | undefined {
  if (!s.openapiSchema || builtinName(s)) return undefined;
  const g = s.info.group ? s.info.group.split(".").reverse().join(".") : "io.k8s.api.core";
  return {
    name: `${g}.${s.info.version}.${s.info.kind}`,
    schema: { ...s.openapiSchema, "x-kubernetes-group-version-kind": [{ group: s.info.group, kind: s.info.kind, version: s.info.version }] },
  };
}

/**
 * A CRD schema as OpenAPI v2 publishes it (apiextensions' ToStructuralOpenAPIV2, reduced):
 * v2 has no nullable, int-or-string or open objects, so such nodes lose their type and
 * properties (kubectl then validates nothing below them), and v3-only keywords are dropped.
 */
function toV2(s: unknown): unknown {
  if (!isObj(s)) return s;
  const out: Obj = {};
  for (const [k, v] of Object.entries(s)) {
    if (["nullable", "anyOf", "oneOf", "not", "x-kubernetes-validations", "x-kubernetes-embedded-resource"].includes(k)) continue;
    if (k === "properties" && isObj(v)) out.properties = Object.fromEntries(Object.entries(v).map(([p, ps]) => [p, toV2(ps)]));
    else if (k === "items" || k === "additionalProperties") out[k] = toV2(v);
    else out[k] = v;
  }
  if (s.nullable === true || s["x-kubernetes-preserve-unknown-fields"] === true || s["x-kubernetes-int-or-string"] === true) {
    delete out.type;
    delete out.properties;
    delete out.items;
    delete out.additionalProperties;
    delete out.required;
    delete out.enum;
  }
  return out;
}

let servedDefs: [string, Obj][] | undefined;

/** The definitions of the served built-in kinds and what they reference (the data may hold more). */
function builtinDefinitions(): [string, Obj][] {
  const defs = builtinSpec().definitions;
  servedDefs ??= closure(builtinKinds.all().map(builtinName).filter((x): x is string => !!x), defs).map((n) => [n, defs[n]!]);
  return servedDefs;
}

/** Every definition the v2 document carries: built-ins, then custom resources (v2 form). */
function v2Definitions(kinds: Kinds): Record<string, Obj> {
  const defs: Record<string, Obj> = Object.fromEntries(builtinDefinitions());
  for (const s of kinds.customKinds()) {
    const d = customDefinition(s);
    if (d) defs[d.name] = toV2(d.schema) as Obj;
  }
  return defs;
}

// --- protobuf (gnostic openapi_v2) -------------------------------------------------------------

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function lenField(field: number, payload: Buffer | string): Buffer {
  const b = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  return Buffer.concat([Buffer.from([...varint((field << 3) | 2), ...varint(b.length)]), b]);
}

function varintField(field: number, n: number): Buffer {
  return Buffer.from([...varint(field << 3), ...varint(n)]);
}

function doubleField(field: number, n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(n);
  return Buffer.concat([Buffer.from(varint((field << 3) | 1)), b]);
}

function msg(...parts: Buffer[]): Buffer {
  return Buffer.concat(parts);
}

/** Any{yaml=2}: kube-openapi reads vendor extensions, defaults and enums as YAML; JSON is YAML. */
function anyYaml(v: unknown): Buffer {
  return lenField(2, JSON.stringify(v));
}

/** openapi_v2.Schema (field numbers from gnostic's OpenAPIv2.proto). */
function schemaProto(s: Obj): Buffer {
  const parts: Buffer[] = [];
  const str = (f: number, v: unknown) => typeof v === "string" && parts.push(lenField(f, v));
  str(1, s.$ref);
  str(2, s.format);
  str(3, s.title);
  str(4, s.description);
  if (s.default !== undefined) parts.push(lenField(5, anyYaml(s.default)));
  if (typeof s.multipleOf === "number") parts.push(doubleField(6, s.multipleOf));
  if (typeof s.maximum === "number") parts.push(doubleField(7, s.maximum));
  if (s.exclusiveMaximum === true) parts.push(varintField(8, 1));
  if (typeof s.minimum === "number") parts.push(doubleField(9, s.minimum));
  if (s.exclusiveMinimum === true) parts.push(varintField(10, 1));
  const ints: [string, number][] = [["maxLength", 11], ["minLength", 12], ["maxItems", 14], ["minItems", 15], ["maxProperties", 17], ["minProperties", 18]];
  for (const [k, f] of ints) if (typeof s[k] === "number" && s[k] >= 0) parts.push(varintField(f, s[k]));
  str(13, s.pattern);
  if (s.uniqueItems === true) parts.push(varintField(16, 1));
  for (const r of Array.isArray(s.required) ? s.required : []) parts.push(lenField(19, String(r)));
  for (const e of Array.isArray(s.enum) ? s.enum : []) parts.push(lenField(20, anyYaml(e)));
  if (isObj(s.additionalProperties)) parts.push(lenField(21, lenField(1, schemaProto(s.additionalProperties))));
  else if (typeof s.additionalProperties === "boolean") parts.push(lenField(21, varintField(2, s.additionalProperties ? 1 : 0)));
  if (s.type !== undefined) parts.push(lenField(22, msg(...(Array.isArray(s.type) ? s.type : [s.type]).map((t) => lenField(1, String(t))))));
  if (isObj(s.items)) parts.push(lenField(23, lenField(1, schemaProto(s.items))));
  for (const a of Array.isArray(s.allOf) ? s.allOf : []) if (isObj(a)) parts.push(lenField(24, schemaProto(a)));
  if (isObj(s.properties)) parts.push(lenField(25, msg(...Object.entries(s.properties).map(([n, p]) => lenField(1, msg(lenField(1, n), lenField(2, schemaProto(isObj(p) ? p : {}))))))));
  for (const [k, v] of Object.entries(s)) if (k.startsWith("x-")) parts.push(lenField(31, msg(lenField(1, k), lenField(2, anyYaml(v)))));
  return msg(...parts);
}

let builtinDefsProto: Buffer | undefined;

function gvkYaml(s: Strategy): string {
  return `group: "${s.info.group}"\nkind: ${s.info.kind}\nversion: ${s.info.version}\n`;
}

/** Document{swagger=1, info=2, paths=8, definitions=9}. */
export function openapiV2Protobuf(kubernetesVersion: string, kinds: Kinds = builtinKinds): Buffer {
  const info = msg(lenField(1, "Kubernetes"), lenField(2, `v${kubernetesVersion}`));
  const namedPaths: Buffer[] = [];
  for (const s of kinds.all()) {
    if (s.virtual || s.view) continue;
    const params = QUERY_PARAMS.map((name) => {
      const q = msg(lenField(2, "query"), lenField(4, name), lenField(6, name === "force" ? "boolean" : "string"));
      const nonBody = lenField(3, q); // NonBodyParameter.query_parameter_sub_schema
      const parameter = lenField(2, nonBody); // Parameter.non_body_parameter
      return lenField(8, lenField(1, parameter)); // Operation.parameters → ParametersItem.parameter
    });
    const ext = lenField(13, msg(lenField(1, "x-kubernetes-group-version-kind"), lenField(2, lenField(2, gvkYaml(s)))));
    const op = msg(...consumes(s).map((c) => lenField(7, c)), ...params, ext);
    const pathItem = lenField(8, op); // PathItem.patch
    namedPaths.push(lenField(2, msg(lenField(1, itemPath(s)), lenField(2, pathItem)))); // Paths.path → NamedPathItem{name, value}
  }
  // Definitions{additional_properties=1: NamedSchema{name=1, value=2}}; the built-in part never changes.
  builtinDefsProto ??= msg(...builtinDefinitions().map(([n, d]) => lenField(1, msg(lenField(1, n), lenField(2, schemaProto(d))))));
  const custom: Buffer[] = [];
  for (const s of kinds.customKinds()) {
    const d = customDefinition(s);
    if (d) custom.push(lenField(1, msg(lenField(1, d.name), lenField(2, schemaProto(toV2(d.schema) as Obj)))));
  }
  return msg(lenField(1, "2.0"), lenField(2, info), lenField(8, msg(...namedPaths)), lenField(9, msg(builtinDefsProto, ...custom)));
}

/** JSON rendering of the same document, for clients asking application/json. */
export function openapiV2Json(kubernetesVersion: string, kinds: Kinds = builtinKinds): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const s of kinds.all()) {
    if (s.virtual || s.view) continue;
    paths[itemPath(s)] = {
      patch: {
        consumes: consumes(s),
        parameters: QUERY_PARAMS.map((name) => ({ in: "query", name, type: name === "force" ? "boolean" : "string", uniqueItems: true })),
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": { group: s.info.group, kind: s.info.kind, version: s.info.version },
      },
    };
  }
  return { swagger: "2.0", info: { title: "Kubernetes", version: `v${kubernetesVersion}` }, paths, definitions: v2Definitions(kinds) };
}

// --- v3 ---------------------------------------------------------------------------------------

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** A v2 definition as kube-apiserver's v3 documents write it: refs under components, a ref with siblings wrapped in allOf. */
function toV3(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toV3);
  if (!isObj(s)) return s;
  const out: Obj = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === "properties" && isObj(v)) out.properties = Object.fromEntries(Object.entries(v).map(([p, ps]) => [p, toV3(ps)]));
    else if (k === "items" || k === "additionalProperties") out[k] = toV3(v);
    else if (k !== "$ref") out[k] = v;
  }
  if (typeof s.$ref === "string") {
    const ref = `#/components/schemas/${s.$ref.slice(REF_V2.length)}`;
    if (Object.keys(out).length === 0) return { $ref: ref };
    return { allOf: [{ $ref: ref }], ...out };
  }
  return out;
}

const v3Cache = new Map<string, { doc: Record<string, unknown>; hash: string }>();

function buildV3(group: string, version: string, kubernetesVersion: string, list: Strategy[]): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const defs = builtinSpec().definitions;
  for (const n of closure(list.map(builtinName).filter((x): x is string => !!x), defs)) schemas[n] = toV3(defs[n]);
  for (const s of list) {
    const d = customDefinition(s);
    if (d) schemas[d.name] = d.schema;
    if (s.virtual || s.view) continue;
    paths[itemPath(s)] = {
      patch: {
        operationId: `patch${s.info.namespaced ? "Namespaced" : ""}${s.info.kind}`,
        parameters: QUERY_PARAMS.map((name) => ({ name, in: "query", schema: { type: name === "force" ? "boolean" : "string", uniqueItems: true } })),
        requestBody: { content: Object.fromEntries(consumes(s).map((c) => [c, { schema: { type: "object" } }])), required: true },
        responses: { "200": { description: "OK" } },
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": { group: s.info.group, version: s.info.version, kind: s.info.kind },
      },
    };
  }
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: `v${kubernetesVersion}` }, paths, components: { schemas } };
}

/** The document and its hash; group-versions with only built-in kinds are computed once. */
function v3Entry(group: string, version: string, kubernetesVersion: string, kinds: Kinds): { doc: Record<string, unknown>; hash: string } | undefined {
  const list = kinds.resourcesIn(group, version);
  if (!list.length) return undefined;
  const builtinOnly = list.every((s) => !kinds.customKinds().includes(s));
  const key = `${kubernetesVersion} ${group}/${version}`;
  if (builtinOnly) {
    const hit = v3Cache.get(key);
    if (hit) return hit;
  }
  const doc = buildV3(group, version, kubernetesVersion, list);
  const entry = { doc, hash: createHash("sha512").update(JSON.stringify(doc)).digest("hex").toUpperCase() };
  if (builtinOnly) v3Cache.set(key, entry);
  return entry;
}

export function openapiV3Doc(group: string, version: string, kubernetesVersion: string, kinds: Kinds = builtinKinds): Record<string, unknown> | undefined {
  return v3Entry(group, version, kubernetesVersion, kinds)?.doc;
}

export function openapiV3Hash(group: string, version: string, kubernetesVersion: string, kinds: Kinds = builtinKinds): string {
  return v3Entry(group, version, kubernetesVersion, kinds)?.hash ?? createHash("sha512").update("{}").digest("hex").toUpperCase();
}

export function openapiV3Index(kubernetesVersion: string, kinds: Kinds = builtinKinds): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const gv of kinds.groupVersions()) {
    const p = gvPath(gv.group, gv.version);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${openapiV3Hash(gv.group, gv.version, kubernetesVersion, kinds)}` };
  }
  return { paths };
}
