// Bad templates are answered with errors, never crashes: for generated expressions, templates,
// parameters and request bodies, the engine and the body reader either succeed or throw their
// own typed errors (InvalidTemplate / the reader's error), which the routes turn into 400s.
// Seeded and bounded; reproduce with the seed the failure prints.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { planTemplate, PendingResource } from "../../src/arm/template/engine.js";
import { ArmError } from "../../src/arm/errors.js";
import { parseJsonc, JsoncError } from "../../src/arm/template/jsonc.js";
import { parseExpression, ExpressionSyntaxError, type Expr } from "../../src/arm/template/expression.js";
import type { Json } from "../../src/arm/template/values.js";

const SEED = 20261207;
const CTX = { tenantId: "t", subscriptionId: "s", resourceGroup: { name: "rg", location: "westus2" }, deploymentName: "d", environment: {}, now: new Date(0), newGuid: () => "g" };
const FUNCS = ["concat", "format", "if", "equals", "length", "union", "createArray", "createObject", "parameters", "variables", "resourceId", "guid", "uniqueString", "split", "last", "take", "skip", "json", "string", "int", "add", "copyIndex", "reference", "listKeys", "cidrSubnet", "tryGet", "coalesce", "nope", "dateTimeAdd", "padLeft", "range", "map", "lambda", "lambdaVariables", "substring"];

const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.string({ maxLength: 6 }).map((s) => `'${s.replace(/'/g, "''")}'`),
    fc.integer({ min: -5, max: 900 }).map(String),
    fc.tuple(fc.constantFrom(...FUNCS), fc.array(tie("e"), { maxLength: 3 })).map(([f, a]) => `${f}(${a.join(", ")})`),
    fc.tuple(tie("e"), fc.constantFrom(".a", "[0]", "['k']", ".properties")).map(([e, s]) => `${e}${s}`),
  ),
})).e;

const json: fc.Arbitrary<Json> = fc.letrec<{ v: Json }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom<Json>(null, true, 0, 801, -1, "x", "[parameters('p')]", "[[lit]"),
    expr.map((e) => `[${e}]`),
    fc.array(tie("v"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom("type", "name", "apiVersion", "copy", "count", "input", "dependsOn", "condition", "properties", "value", "scope", "existing", "p", "[concat('k', 'x')]"), tie("v"), { maxKeys: 4 }),
  ),
})).v;

function ownError(e: unknown): boolean {
  return e instanceof ArmError && !(e instanceof PendingResource);
}

test("generated expressions: parsed or refused with a syntax error, and printed trees parse back", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (s) => {
      try {
        parseExpression(s);
      } catch (e) {
        if (!(e instanceof ExpressionSyntaxError)) throw e;
      }
    }),
    { seed: SEED, numRuns: 500 },
  );
  fc.assert(fc.property(expr, (e) => void (parseExpression(e) satisfies Expr)), { seed: SEED, numRuns: 300 });
});

test("generated templates: a plan, its bodies and outputs, or InvalidTemplate; never another exception", () => {
  fc.assert(
    fc.property(
      fc.record({
        parameters: fc.dictionary(fc.constantFrom("p", "q"), fc.record({ type: fc.constantFrom("string", "int", "bool", "object", "array", "securestring", "weird"), defaultValue: json }, { requiredKeys: ["type"] })),
        variables: fc.dictionary(fc.constantFrom("v", "copy"), json),
        resources: fc.oneof(fc.array(json, { maxLength: 3 }), json),
        outputs: fc.dictionary(fc.constantFrom("o"), fc.record({ type: fc.constantFrom("string", "object"), value: json })),
        languageVersion: fc.constantFrom("1.0", "2.0"),
      }),
      fc.dictionary(fc.constantFrom("p", "q", "r"), fc.oneof(json, fc.record({ value: json }))),
      (template, params) => {
        try {
          const plan = planTemplate(template, params, CTX);
          const resolver = { get: () => ({ properties: {} }), list: () => ({}) };
          for (const r of plan.resources) plan.body(r.key, resolver);
          plan.outputs(resolver);
        } catch (e) {
          assert.ok(ownError(e), `not an ARM error: ${(e as Error)?.stack ?? String(e)}`);
          assert.equal((e as ArmError).status, 400);
        }
      },
    ),
    { seed: SEED, numRuns: 400 },
  );
});

test("generated request bodies: read, or refused with the reader's error", () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.json().map((j) => j.replace(/"(\w+)":/g, "$1:"))), (s) => {
      try {
        parseJsonc(s);
      } catch (e) {
        if (!(e instanceof JsoncError)) throw e;
      }
    }),
    { seed: SEED, numRuns: 500 },
  );
});

test("generated well-formed resources with generated expressions: plans succeed often, failures are InvalidTemplate", () => {
  let planned = 0;
  const name = fc.oneof(fc.constantFrom("a", "b", "c", "[format('n{0}', copyIndex())]", "[parameters('p')]"), expr.map((e) => `[${e}]`));
  const resource = fc.record(
    {
      type: fc.constantFrom("Microsoft.Network/virtualNetworks", "Microsoft.Resources/deployments", "Microsoft.Network/virtualNetworks/subnets"),
      apiVersion: fc.constant("2024-05-01"),
      name,
      location: fc.constantFrom("westus2", "[resourceGroup().location]"),
      properties: json,
      dependsOn: fc.array(fc.constantFrom("a", "b", "c", "l"), { maxLength: 2 }),
      copy: fc.record({ name: fc.constant("l"), count: fc.oneof(fc.integer({ min: -1, max: 5 }), expr.map((e) => `[${e}]`)) }),
      condition: fc.oneof(fc.boolean(), expr.map((e) => `[${e}]`)),
    },
    { requiredKeys: ["type", "apiVersion", "name"] },
  );
  fc.assert(
    fc.property(fc.array(resource, { maxLength: 4 }), fc.string({ maxLength: 5 }), (resources, p) => {
      try {
        const plan = planTemplate({ parameters: { p: { type: "string" } }, resources }, { p: { value: p } }, CTX);
        planned++;
        const resolver = { get: () => ({ properties: { a: 1 } }), list: () => ({}) };
        for (const r of plan.resources) plan.body(r.key, resolver);
      } catch (e) {
        assert.ok(ownError(e), `not an ARM error: ${(e as Error)?.stack ?? String(e)}`);
      }
    }),
    { seed: SEED, numRuns: 400 },
  );
  assert.ok(planned > 40, `only ${planned} of 400 generated templates planned`);
});

test("every function, called with generated arguments, returns a value or an expression error", async () => {
  const { FUNCTIONS } = await import("../../src/arm/template/functions.js");
  const names = Object.keys(FUNCTIONS).filter((n) => !["utcNow", "newGuid"].includes(n));
  const arg = fc.oneof(
    fc.constantFrom<Json>(null, true, false, 0, -1, 3, 1e9, "", "a/b", "10.0.0.0/16", "fdad::/48", "%E0%A4%A", "2023-04-01T00:00:00Z", "P1D", "{", "[1]", "Microsoft.Network/virtualNetworks", [], {}, [1, "x"], { a: 1 }),
    fc.string({ maxLength: 8 }),
    fc.integer({ min: -100, max: 300 }),
  );
  const literal = (v: Json): string => (typeof v === "string" ? `'${v.replace(/'/g, "''")}'` : typeof v === "number" ? String(v) : `json('${JSON.stringify(v).replace(/'/g, "''")}')`);
  fc.assert(
    fc.property(fc.constantFrom(...names), fc.array(arg, { maxLength: 4 }), (f, args) => {
      try {
        planTemplate({ resources: [], outputs: { o: { type: "object", value: `[${f}(${args.map(literal).join(", ")})]` } } }, {}, CTX).outputs({ get: () => ({}), list: () => ({}) });
      } catch (e) {
        assert.ok(ownError(e), `${f}(${JSON.stringify(args)}): ${(e as Error)?.stack ?? String(e)}`);
      }
    }),
    { seed: SEED, numRuns: 3000 },
  );
});
