#!/usr/bin/env node
// Developer tool (not run at build time): derives src/kube/openapi/builtin-v2.json — the OpenAPI
// v2 definitions of the built-in kinds this API server serves, plus every definition they
// reference — from kubernetes' own api/openapi-spec/swagger.json (Apache-2.0; see NOTICE.md).
// Descriptions and the x-kubernetes-* metadata (group-version-kind, patch merge keys and
// strategies, list types and map keys) are kept verbatim: kubectl builds strategic merge patches
// and `explain` output from them.
// Usage (after `npm run build`): node src/kube/openapi/gen-builtin.mjs <swagger.json> "<source note>"
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");
const [input, source] = process.argv.slice(2);
if (!input || !source) {
  console.error('usage: node src/kube/openapi/gen-builtin.mjs <swagger.json> "<source note>"');
  process.exit(2);
}
const { builtinKinds } = await import(path.join(root, "dist/src/kube/catalog.js"));
const spec = JSON.parse(fs.readFileSync(input, "utf8"));
const all = spec.definitions;

const KEYS = new Set(["$ref", "additionalProperties", "description", "format", "items", "properties", "required", "type", "x-kubernetes-group-version-kind", "x-kubernetes-list-map-keys", "x-kubernetes-list-type", "x-kubernetes-map-type", "x-kubernetes-patch-merge-key", "x-kubernetes-patch-strategy", "x-kubernetes-unions"]);

// Kinds another change is adding to the catalog (issue 15: HorizontalPodAutoscaler): their
// schemas are carried ahead so they publish one the day they are served. Unserved entries are
// never published (src/kube/openapi.ts publishes the closure of the served kinds only).
const UPCOMING = [{ group: "autoscaling", version: "v1", kind: "HorizontalPodAutoscaler" }, { group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler" }];

const kinds = {};
const missing = [];
for (const { group, version, kind } of [...builtinKinds.all().map((s) => s.info), ...UPCOMING]) {
  const name = Object.keys(all).find((n) => (all[n]["x-kubernetes-group-version-kind"] ?? []).some((g) => g.group === group && g.version === version && g.kind === kind));
  if (name) kinds[`${group}/${version}/${kind}`] = name;
  else missing.push(`${group}/${version}/${kind}`);
}
if (missing.length) console.error(`not in the source (served without a schema): ${missing.join(", ")}`);

const keep = new Set();
const visit = (name) => {
  if (keep.has(name)) return;
  if (!all[name]) throw new Error(`dangling $ref ${name}`);
  keep.add(name);
  walk(all[name]);
};
function walk(s) {
  if (Array.isArray(s)) return s.forEach(walk);
  if (!s || typeof s !== "object") return;
  for (const k of Object.keys(s)) if (!KEYS.has(k)) throw new Error(`unexpected schema key ${k}: the protobuf encoder (src/kube/openapi.ts) must learn it`);
  if (typeof s.$ref === "string") visit(s.$ref.replace(/^#\/definitions\//, ""));
  for (const p of Object.values(s.properties ?? {})) walk(p);
  if (s.items) walk(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === "object") walk(s.additionalProperties);
}
for (const n of Object.values(kinds)) visit(n);

const definitions = Object.fromEntries([...keep].sort().map((n) => [n, all[n]]));
const out = { source, kinds, definitions };
fs.writeFileSync(path.join(here, "builtin-v2.json"), JSON.stringify(out, null, 1) + "\n");
console.log(`${Object.keys(kinds).length} kinds, ${keep.size} definitions`);
