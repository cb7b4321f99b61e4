// OpenAPI documents, synthesized from the catalog. They exist so kubectl lets the server
// validate and dry-run: each kind gets one PATCH operation with the query parameters dryRun,
// fieldManager, fieldValidation and force, tagged with x-kubernetes-group-version-kind.
// Definitions stay empty on purpose: kubectl then skips client-side schema validation.
import { createHash } from "node:crypto";
import { builtinKinds, type Kinds } from "./catalog.js";
import { PATCH_TYPES } from "./patch.js";
import type { Strategy } from "./types.js";

export const OPENAPI_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

const QUERY_PARAMS = ["dryRun", "fieldManager", "fieldValidation", "force"];
const CONSUMES = [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.strategic, PATCH_TYPES.apply];

function itemPath(s: Strategy): string {
  const base = s.info.group ? `/apis/${s.info.group}/${s.info.version}` : `/api/${s.info.version}`;
  return s.info.namespaced ? `${base}/namespaces/{namespace}/${s.info.resource}/{name}` : `${base}/${s.info.resource}/{name}`;
}

// --- protobuf (gnostic openapi_v2 subset) ------------------------------------------------------

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

function lenField(field: number, payload: Buffer | string): Buffer {
  const b = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  return Buffer.concat([Buffer.from([...varint((field << 3) | 2), ...varint(b.length)]), b]);
}

function msg(...parts: Buffer[]): Buffer {
  return Buffer.concat(parts);
}

function gvkYaml(s: Strategy): string {
  return `group: "${s.info.group}"\nkind: ${s.info.kind}\nversion: ${s.info.version}\n`;
}

/** Document{swagger=1, info=2, paths=8}; see kube-api.md §4 Option B for the field numbers. */
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
    const op = msg(...CONSUMES.map((c) => lenField(7, c)), ...params, ext);
    const pathItem = lenField(8, op); // PathItem.patch
    namedPaths.push(lenField(2, msg(lenField(1, itemPath(s)), lenField(2, pathItem)))); // Paths.path → NamedPathItem{name, value}
  }
  return msg(lenField(1, "2.0"), lenField(2, info), lenField(8, msg(...namedPaths)));
}

/** JSON rendering of the same document, for clients asking application/json. */
export function openapiV2Json(kubernetesVersion: string, kinds: Kinds = builtinKinds): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const s of kinds.all()) {
    if (s.virtual || s.view) continue;
    paths[itemPath(s)] = {
      patch: {
        consumes: CONSUMES,
        parameters: QUERY_PARAMS.map((name) => ({ in: "query", name, type: name === "force" ? "boolean" : "string", uniqueItems: true })),
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": { group: s.info.group, kind: s.info.kind, version: s.info.version },
      },
    };
  }
  return { swagger: "2.0", info: { title: "Kubernetes", version: `v${kubernetesVersion}` }, paths, definitions: {} };
}

// --- v3 ---------------------------------------------------------------------------------------

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openapiV3Doc(group: string, version: string, kubernetesVersion: string, kinds: Kinds = builtinKinds): Record<string, unknown> | undefined {
  const list = kinds.resourcesIn(group, version);
  if (!list.length) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const s of list) {
    const def = definitionOf(s);
    if (def) schemas[def.name] = def.schema;
    if (s.virtual || s.view) continue;
    paths[itemPath(s)] = {
      patch: {
        operationId: `patch${s.info.namespaced ? "Namespaced" : ""}${s.info.kind}`,
        parameters: QUERY_PARAMS.map((name) => ({ name, in: "query", schema: { type: name === "force" ? "boolean" : "string", uniqueItems: true } })),
        requestBody: { content: Object.fromEntries(CONSUMES.map((c) => [c, { schema: { type: "object" } }])), required: true },
        responses: { "200": { description: "OK" } },
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": { group: s.info.group, version: s.info.version, kind: s.info.kind },
      },
    };
  }
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: `v${kubernetesVersion}` }, paths, components: { schemas } };
}

/** REST-friendly definition name ("com.example.v1.Widget") and schema, for kinds that publish one (`kubectl explain`). */
function definitionOf(s: Strategy): { name: string; schema: Record<string, unknown> } | undefined {
  if (!s.openapiSchema) return undefined;
  const g = s.info.group ? s.info.group.split(".").reverse().join(".") : "io.k8s.api.core";
  return {
    name: `${g}.${s.info.version}.${s.info.kind}`,
    schema: { ...s.openapiSchema, "x-kubernetes-group-version-kind": [{ group: s.info.group, kind: s.info.kind, version: s.info.version }] },
  };
}

export function openapiV3Hash(group: string, version: string, kubernetesVersion: string, kinds: Kinds = builtinKinds): string {
  return createHash("sha512").update(JSON.stringify(openapiV3Doc(group, version, kubernetesVersion, kinds) ?? {})).digest("hex").toUpperCase();
}

export function openapiV3Index(kubernetesVersion: string, kinds: Kinds = builtinKinds): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const gv of kinds.groupVersions()) {
    const p = gvPath(gv.group, gv.version);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${openapiV3Hash(gv.group, gv.version, kubernetesVersion, kinds)}` };
  }
  return { paths };
}
