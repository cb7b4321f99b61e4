// Pure logic behind issue 17: structural schemas (prune, default, validate texts), RBAC rule
// matching and 403 texts, quantities, printer-column JSONPath, PDB arithmetic.
import assert from "node:assert/strict";
import { test } from "node:test";
import { computeBudget } from "../../src/kube/admission/disruption.js";
import { forbidden, ruleAllows, type Attributes } from "../../src/kube/auth/rbac.js";
import { evalJsonPath, parseJsonPath } from "../../src/kube/crd/jsonpath.js";
import { applyDefaults, prune, structuralErrors, validateValue } from "../../src/kube/crd/schema.js";
import { versionPriority } from "../../src/kube/discovery.js";
import { formatQuantity, parseQuantity } from "../../src/kube/quantity.js";

const schema = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      required: ["image"],
      properties: {
        image: { type: "string", maxLength: 5 },
        size: { type: "integer", minimum: 1, maximum: 10, default: 1 },
        mode: { type: "string", enum: ["fast", "slow"] },
        tags: { type: "array", maxItems: 2, items: { type: "string" }, "x-kubernetes-list-type": "set" },
        port: { "x-kubernetes-int-or-string": true },
        free: { type: "object", "x-kubernetes-preserve-unknown-fields": true, properties: { known: { type: "object", properties: { a: { type: "string" } } } } },
        name: { type: "string", pattern: "^[a-z]+$" },
      },
    },
  },
};

test("prune drops unknown fields except under preserve-unknown-fields, and reports their paths", () => {
  const o = { apiVersion: "x/v1", kind: "W", metadata: { name: "a" }, spec: { image: "i", colour: "red", free: { anything: 1, known: { a: "x", b: "y" } } }, extra: 1 };
  const removed = prune(o, schema);
  assert.deepEqual(removed.sort(), ["extra", "spec.colour", "spec.free.known.b"]);
  assert.deepEqual(o.spec, { image: "i", free: { anything: 1, known: { a: "x" } } });
});

test("defaults apply to present objects only", () => {
  const o: Record<string, unknown> = { spec: { image: "i" } };
  applyDefaults(o, schema);
  assert.deepEqual(o.spec, { image: "i", size: 1 });
  const none: Record<string, unknown> = {};
  applyDefaults(none, schema);
  assert.deepEqual(none, {});
});

test("validation texts match kube-openapi's", () => {
  const msgs = (v: unknown) => validateValue(v, schema, "").map((c) => `${c.field}: ${c.message}`);
  assert.deepEqual(msgs({ spec: { size: "big" } }), ["spec.image: Required value", 'spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"']);
  assert.deepEqual(msgs({ spec: { image: "toolong", size: 11, mode: "turbo", tags: ["a", "a", "b"], port: 1.5, name: "A" } }), [
    "spec.image: Too long: may not be more than 5 bytes",
    "spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10",
    'spec.mode: Unsupported value: "turbo": supported values: "fast", "slow"',
    "spec.tags: Too many: 3: must have at most 2 items",
    'spec.tags[1]: Duplicate value: "a"',
    'spec.port: Invalid value: "number": spec.port in body must be of type integer,string: "number"',
    `spec.name: Invalid value: "A": spec.name in body should match '^[a-z]+$'`,
  ]);
  assert.deepEqual(msgs({ spec: { image: "ok", port: "http" } }), []);
});

test("structural schema errors", () => {
  const errs = (s: unknown, status = false) => structuralErrors(s, "spec.versions[0].schema.openAPIV3Schema", status).map((c) => `${c.field}: ${c.message}`);
  assert.deepEqual(errs(undefined), ["spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required"]);
  assert.deepEqual(errs({ type: "object", properties: { spec: { properties: {} } } }), [
    "spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields",
  ]);
  assert.deepEqual(errs({ type: "array", items: { type: "string" } }), ['spec.versions[0].schema.openAPIV3Schema.type: Invalid value: "array": must be object at the root']);
  assert.deepEqual(errs({ type: "object", properties: { l: { type: "array" } } }), ["spec.versions[0].schema.openAPIV3Schema.properties[l].items: Required value: must be specified"]);
  assert.deepEqual(errs({ type: "object", properties: { x: { type: "string", uniqueItems: true } } }), [
    "spec.versions[0].schema.openAPIV3Schema.properties[x].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
  ]);
});

const bob = { name: "bob", groups: ["system:authenticated"] };
const attrs = (o: Partial<Attributes>): Attributes => ({ user: bob, verb: "get", resourceRequest: true, apiGroup: "", resource: "pods", ...o });

test("RBAC rule matching: subresources, resourceNames, wildcards, non-resource URLs", () => {
  const rule = { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] };
  assert.equal(ruleAllows(attrs({}), rule), true);
  assert.equal(ruleAllows(attrs({ subresource: "log" }), rule), false, "pods does not cover pods/log");
  assert.equal(ruleAllows(attrs({ subresource: "scale", apiGroup: "apps", resource: "deployments" }), { apiGroups: ["*"], resources: ["*/scale"], verbs: ["get"] }), true);
  const named = { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"], resourceNames: ["a"] };
  assert.equal(ruleAllows(attrs({ resource: "configmaps", name: "a" }), named), true);
  assert.equal(ruleAllows(attrs({ resource: "configmaps", verb: "list" }), named), false, "resourceNames never match an unnamed list");
  assert.equal(ruleAllows({ user: bob, verb: "get", resourceRequest: false, path: "/healthz/etcd" }, { nonResourceURLs: ["/healthz/*"], verbs: ["get"] }), true);
  assert.equal(ruleAllows({ user: bob, verb: "get", resourceRequest: false, path: "/metrics" }, { nonResourceURLs: ["/healthz/*"], verbs: ["get"] }), false);
});

test("403 texts as kube-apiserver writes them", () => {
  assert.equal(forbidden(attrs({ verb: "list", namespace: "default" }), "").message, 'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"');
  assert.equal(forbidden(attrs({ name: "x", apiGroup: "apps", resource: "deployments", subresource: "scale" }), "").message, 'deployments.apps "x" is forbidden: User "bob" cannot get resource "deployments/scale" in API group "apps" at the cluster scope');
  assert.equal(forbidden({ user: bob, verb: "get", resourceRequest: false, path: "/metrics" }, "").message, 'forbidden: User "bob" cannot get path "/metrics"');
  assert.deepEqual(forbidden(attrs({ verb: "list", namespace: "default" }), "").toStatus().details, { kind: "pods" });
});

test("quantities", () => {
  assert.equal(parseQuantity("100m"), 0.1);
  assert.equal(parseQuantity("1Gi"), 2 ** 30);
  assert.equal(parseQuantity("2k"), 2000);
  assert.equal(parseQuantity("1e3"), 1000);
  assert.equal(parseQuantity("abc"), undefined);
  assert.equal(formatQuantity(0.25), "250m");
  assert.equal(formatQuantity(2 ** 31, "1Gi"), "2Gi");
  assert.equal(formatQuantity(10, "10"), "10");
});

test("printer-column JSONPath", () => {
  const o = { status: { conditions: [{ type: "A", status: "False" }, { type: "Ready", status: "True" }] }, spec: { list: [1, 2] } };
  assert.deepEqual(evalJsonPath(o, parseJsonPath('.status.conditions[?(@.type=="Ready")].status')!), ["True"]);
  assert.deepEqual(evalJsonPath(o, parseJsonPath(".spec.list[*]")!), [1, 2]);
  assert.deepEqual(evalJsonPath(o, parseJsonPath(".spec.missing")!), []);
});

test("kube-aware version order", () => {
  assert.deepEqual(["v1alpha1", "v1", "foo", "v2beta1", "v1beta2", "v2"].sort(versionPriority), ["v2", "v1", "v2beta1", "v1beta2", "v1alpha1", "foo"]);
});

test("PDB arithmetic", () => {
  const ready = { status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] }, metadata: {} };
  const notReady = { status: { phase: "Running", conditions: [] }, metadata: {} };
  assert.deepEqual(computeBudget({ spec: { minAvailable: 2 } }, [ready, ready, notReady]), { expectedPods: 3, currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0 });
  assert.deepEqual(computeBudget({ spec: { maxUnavailable: "50%" } }, [ready, ready, ready, ready]), { expectedPods: 4, currentHealthy: 4, desiredHealthy: 2, disruptionsAllowed: 2 });
});
