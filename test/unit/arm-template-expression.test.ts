// The expression language: parsing, escaping, access, laziness and ARM's error texts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { classify, parseExpression, ExpressionSyntaxError } from "../../src/arm/template/expression.js";
import { planTemplate } from "../../src/arm/template/engine.js";
import type { Json } from "../../src/arm/template/values.js";

const CTX = { tenantId: "tid", subscriptionId: "sub1", resourceGroup: { name: "rg1", location: "westus2" }, deploymentName: "dep1", environment: { name: "AzureCloud" }, now: new Date("2026-12-07T22:00:00Z"), newGuid: () => "new-guid" };

/** Evaluates one expression as a template output (so the engine's own context is used). */
function ev(expr: Json, parameters: Record<string, Json> = {}, variables: Record<string, Json> = {}): Json {
  const plan = planTemplate(
    {
      contentVersion: "1.0.0.0",
      parameters: Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, { type: Array.isArray(v) ? "array" : typeof v === "object" ? "object" : typeof v === "number" ? "int" : typeof v === "boolean" ? "bool" : "string", defaultValue: v }])),
      variables,
      resources: [],
      outputs: { o: { type: "object", value: expr } },
    },
    {},
    CTX,
  );
  return plan.outputs({ get: () => ({}), list: () => null }).o!.value;
}

test("classify: [..] is an expression, [[ escapes, anything else is literal", () => {
  assert.deepEqual(classify("[parameters('a')]"), { expression: "parameters('a')" });
  assert.deepEqual(classify("[[literal]"), { literal: "[literal]" });
  assert.deepEqual(classify("[x] y"), { literal: "[x] y" });
  assert.deepEqual(classify("plain"), { literal: "plain" });
  assert.equal(ev("[[not an expression]"), "[not an expression]");
});

test("string literals use '' for a quote; numbers may be negative", () => {
  assert.equal(ev("[concat('it''s', ' ', string(-3))]"), "it's -3");
  assert.deepEqual(parseExpression("add(1, -2)"), { kind: "call", name: "add", pos: 0, args: [{ kind: "number", value: 1 }, { kind: "number", value: -2 }] });
});

test("property and index access, case-insensitive keys, nested calls", () => {
  const v = { a: { B: [10, { c: "deep" }] } };
  assert.equal(ev("[parameters('p').a.b[1].C]", { p: v }), "deep");
  assert.equal(ev("[parameters('p')['a']['B'][0]]", { p: v }), 10);
  assert.equal(ev("[toUpper(last(split(parameters('id'), '/')))]", { id: "/x/y/zed" }), "ZED");
  assert.equal(ev("[variables('v').x]", {}, { v: { x: "[concat('a', 'b')]" } }), "ab");
});

test("function and parameter names are case-insensitive", () => {
  assert.equal(ev("[ToLower(PARAMETERS('Name'))]", { name: "ABC" }), "abc");
});

test("if() evaluates only the branch it takes", () => {
  // the other branch would fail: reference() is not allowed here, and the index is out of bounds
  assert.equal(ev("[if(equals(1, 1), 'yes', createArray()[5])]"), "yes");
  assert.equal(ev("[if(false(), reference('nothing').x, 'no')]"), "no");
});

test("string() prints booleans as .NET does and objects as compact JSON", () => {
  assert.equal(ev("[string(true())]"), "True");
  assert.equal(ev("[string(createObject('a', 1, 'b', createArray('x')))]"), '{"a":1,"b":["x"]}');
  assert.equal(ev("[format('{0}-{1:D3}', false(), 7)]"), "False-007");
});

test("union merges nested objects and de-duplicates arrays; coalesce, tryGet, null", () => {
  assert.deepEqual(ev("[union(createObject('a', createObject('x', 1, 'y', 2)), createObject('a', createObject('y', 3)))]"), { a: { x: 1, y: 3 } });
  assert.deepEqual(ev("[union(createArray(1, 2), createArray(2, 3))]"), [1, 2, 3]);
  assert.equal(ev("[coalesce(null(), null(), 'c')]"), "c");
  assert.equal(ev("[tryGet(createObject('a', 1), 'b')]"), null);
  assert.equal(ev("[tryGet(createObject('a', createObject('b', 2)), 'a', 'b')]"), 2);
});

test("deployment(), resourceGroup(), subscription(), environment() come from the deployment context", () => {
  assert.equal(ev("[deployment().name]"), "dep1");
  assert.equal(ev("[resourceGroup().id]"), "/subscriptions/sub1/resourceGroups/rg1");
  assert.equal(ev("[resourceGroup().location]"), "westus2");
  assert.equal(ev("[subscription().subscriptionId]"), "sub1");
  assert.equal(ev("[environment().name]"), "AzureCloud");
});

test("resource id functions build ARM's id grammar", () => {
  assert.equal(ev("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')]"), "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/v/subnets/s");
  assert.equal(ev("[resourceId('other', 'Microsoft.Network/virtualNetworks', 'v')]"), "/subscriptions/sub1/resourceGroups/other/providers/Microsoft.Network/virtualNetworks/v");
  assert.equal(ev("[resourceId('sub2', 'other', 'Microsoft.Network/virtualNetworks', 'v')]"), "/subscriptions/sub2/resourceGroups/other/providers/Microsoft.Network/virtualNetworks/v");
  assert.equal(ev("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'r1')]"), "/subscriptions/sub1/providers/Microsoft.Authorization/roleDefinitions/r1");
  assert.equal(ev("[tenantResourceId('Microsoft.Management/managementGroups', 'mg')]"), "/providers/Microsoft.Management/managementGroups/mg");
  assert.equal(ev("[extensionResourceId('/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/v', 'Microsoft.Authorization/roleAssignments', 'g1')]"), "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/v/providers/Microsoft.Authorization/roleAssignments/g1");
});

test("cidrSubnet, cidrHost and parseCidr (through network/cidr.ts, IPv4 and IPv6)", () => {
  assert.equal(ev("[cidrSubnet('fdad:3236:5555::/48', 64, 2)]"), "fdad:3236:5555:2::/64");
  assert.equal(ev("[cidrSubnet('10.144.0.0/16', 24, 3)]"), "10.144.3.0/24");
  assert.equal(ev("[cidrHost('10.144.3.0/24', 0)]"), "10.144.3.1");
  assert.deepEqual(ev("[parseCidr('10.144.3.0/24')]"), { network: "10.144.3.0", netmask: "255.255.255.0", broadcast: "10.144.3.255", firstUsable: "10.144.3.1", lastUsable: "10.144.3.254", cidr: 24 });
});

test("utcNow() and newGuid() only in parameter default values", () => {
  const plan = planTemplate({ parameters: { t: { type: "string", defaultValue: "[utcNow('yyyyMMdd')]" }, g: { type: "string", defaultValue: "[newGuid()]" } }, resources: [] }, {}, CTX);
  assert.equal(plan.parameters.t!.value, "20261207");
  assert.equal(plan.parameters.g!.value, "new-guid");
  assert.throws(() => ev("[utcNow()]"), /The template function 'utcNow' is not expected at this location/);
});

test("syntax errors and unknown functions are InvalidTemplate with ARM's text", () => {
  assert.throws(() => parseExpression("concat('a'"), ExpressionSyntaxError);
  assert.throws(() => parseExpression("'unterminated"), ExpressionSyntaxError);
  assert.throws(
    () => ev("[noSuchFunction(1)]"),
    (e: { code?: string; message: string }) =>
      e.code === "InvalidTemplate" &&
      e.message ===
        "Deployment template validation failed: 'The template output 'o' at line '0' and column '0' is not valid: The template function 'noSuchFunction' is not valid. Please see https://aka.ms/arm-template-expressions for usage details.. Please see https://aka.ms/arm-template-expressions for usage details.'.",
  );
  assert.throws(() => ev("[createObject('a', 1).b]"), /The language expression property 'b' doesn't exist, available properties are 'a'/);
  assert.throws(() => ev("[createArray(1)[3]]"), /The language expression property array index '3' is out of bounds/);
});

test("docs/coverage.md lists exactly the template functions the engine implements", async () => {
  const fs = await import("node:fs");
  const path = await import("node:path");
  const { fileURLToPath } = await import("node:url");
  const { functionNames } = await import("../../src/arm/template/functions.js");
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
  const doc = fs.readFileSync(path.join(root, "docs/coverage.md"), "utf8");
  const block = /<!-- BEGIN TEMPLATE FUNCTIONS -->\n([\s\S]*?)\n<!-- END TEMPLATE FUNCTIONS -->/.exec(doc);
  assert.ok(block, "docs/coverage.md has the TEMPLATE FUNCTIONS block");
  assert.deepEqual([...block[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]), functionNames());
});

test("nesting is bounded: a hostile expression is a syntax error, not a stack overflow", () => {
  const nested = (n: number) => "concat(".repeat(n) + "'a'" + ")".repeat(n);
  assert.equal(parseExpression(nested(200)).kind, "call");
  assert.throws(() => parseExpression(nested(20_000)), (e: unknown) => e instanceof ExpressionSyntaxError && /nested more than 256 levels/.test(e.message));
  assert.throws(() => parseExpression("parameters('p')" + ".x".repeat(20_000)), ExpressionSyntaxError);
  assert.throws(() => parseExpression("createArray(1)" + "[0]".repeat(20_000)), ExpressionSyntaxError);
  assert.equal(parseExpression("parameters('p')" + ".x".repeat(100)).kind, "property");
});
