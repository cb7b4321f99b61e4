// uniqueString() and guid() must equal what Azure computes, or a redeployed template would
// rename its role assignments. Every expected value below was computed by Azure's own template
// engine (Azure.Deployments.Expression), not by this code:
// - Azure/bicep src/Bicep.Core.Samples/Files/baselines_bicepparam/Expressions/parameters.json:
//   Bicep evaluates .bicepparam expressions with Azure.Deployments.Expression and commits the result.
// - a Microsoft sample's unit test (Modm.Tests.UnitTests ArmFunctionsTests) that calls
//   ExpressionBuiltInFunctions.EvaluateFunction("uniqueString", ...) from Azure.Deployments.Expression
//   (its first, hand-copied expectation was corrected to the value below).
// - Azure/terraform-provider-azapi unique_string_function_test.go ("an Azure equivalent uniqueString").
// Between them the UTF-8 lengths leave tails of 5, 6 and 7 bytes after the 8-byte blocks, the
// paths where ports of the hash have differed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { templateGuid, uniqueString } from "../../src/arm/template/hash.js";
import { planTemplate } from "../../src/arm/template/engine.js";

test("uniqueString matches Azure's engine (Bicep baseline, 13 bytes: tail 5)", () => {
  assert.equal(uniqueString("asd", "asdf", "asdf"), "iizpqit7ih3cc");
});

test("uniqueString matches Azure's engine (VM resource id, 150 bytes: tail 6)", () => {
  assert.equal(
    uniqueString("/subscriptions/31e9f9a0-9fd2-4294-a0a3-0101246d9700/resourceGroups/rg-modm201-20230913120256/providers/Microsoft.Compute/virtualMachines/bobjacmodm201"),
    "yvjxno3je5on2",
  );
});

test("uniqueString matches azapi's Azure-equivalent vector (63 bytes: tail 7)", () => {
  assert.equal(uniqueString("/subscriptions/00000000-0000-0000-0000-000000000000", "resource-id"), "cwvxuqg24sifi");
});

test("uniqueString is 13 characters of the base32 alphabet and case-sensitive", () => {
  const a = uniqueString("ABC");
  assert.match(a, /^[a-z2-7]{13}$/);
  assert.notEqual(a, uniqueString("abc"));
});

test("guid matches Azure's engine (Bicep baseline guid('asdf'))", () => {
  assert.equal(templateGuid("asdf"), "228d27cc-6fdb-5934-b7ac-1efccebade04");
});

test("guid joins its arguments with '-' (guid('a','b') = guid('a-b')) and is a version 5 UUID", () => {
  assert.equal(templateGuid("a", "b"), templateGuid("a-b"));
  assert.match(templateGuid("x"), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

// The rest of the same Bicep baseline: each expression in the ARM form Bicep compiles it to, and
// the value Azure's engine produced for it.
const BASELINE: [string, unknown][] = [
  ["[base64ToString(base64('abc'))]", "abc"],
  ["[base64ToJson(base64('{\"hi\": \"there\"}')).hi]", "there"],
  ["[concat(createArray('abc'), createArray('def'))]", ["abc", "def"]],
  ["[contains('foo/bar', '/')]", true],
  ["[dataUriToString(dataUri('abc'))]", "abc"],
  ["[dateTimeAdd(dateTimeFromEpoch(1680224438), 'P1D')]", "2023-04-01T01:00:38Z"],
  ["[dateTimeToEpoch(dateTimeFromEpoch(1680224438))]", 1680224438],
  ["[empty(createArray())]", true],
  ["[endsWith('foo', 'o')]", true],
  ["[filter(createArray(1, 2), lambda('i', less(lambdaVariables('i'), 2)))]", [1]],
  ["[first(createArray(124, 25))]", 124],
  ["[flatten(createArray(createArray('abc'), createArray('def')))]", ["abc", "def"]],
  ["[format('->{0}<-', 123)]", "->123<-"],
  ["[guid('asdf')]", "228d27cc-6fdb-5934-b7ac-1efccebade04"],
  ["[indexOf('abc', 'b')]", 1],
  ["[int(123)]", 123],
  ["[intersection(createArray(1, 2, 3), createArray(2, 3, 4))]", [2, 3]],
  ["[items(createObject('foo', 'abc', 'bar', 123))]", [{ key: "bar", value: 123 }, { key: "foo", value: "abc" }]],
  ["[join(createArray('abc', 'def', 'ghi'), '/')]", "abc/def/ghi"],
  ["[last(createArray(1, 2))]", 2],
  ["[lastIndexOf('abcba', 'b')]", 3],
  ["[length(createArray(0, 1, 2))]", 3],
  ["[map(range(0, 3), lambda('i', format('Hi {0}!', lambdaVariables('i'))))]", ["Hi 0!", "Hi 1!", "Hi 2!"]],
  ["[max(1, 2, 3)]", 3],
  ["[min(1, 2, 3)]", 1],
  ["[padLeft(13, 5)]", "   13"],
  ["[range(0, 3)]", [0, 1, 2]],
  ["[reduce(createArray('a', 'b', 'c'), '', lambda('a', 'b', format('{0}-{1}', lambdaVariables('a'), lambdaVariables('b'))))]", "-a-b-c"],
  ["[replace('abc', 'b', '/')]", "a/c"],
  ["[skip(createArray(1, 2, 3), 1)]", [2, 3]],
  ["[sort(createArray('c', 'd', 'a'), lambda('a', 'b', less(lambdaVariables('a'), lambdaVariables('b'))))]", ["a", "c", "d"]],
  ["[split('a/b/c', '/')]", ["a", "b", "c"]],
  ["[startsWith('abc', 'a')]", true],
  ["[string('asdf')]", "asdf"],
  ["[substring('asdfasf', 3)]", "fasf"],
  ["[take(createArray(1, 2, 3), 2)]", [1, 2]],
  ["[toLower('AiKInIniIN')]", "aikininiin"],
  ["[toObject(createArray('a', 'b', 'c'), lambda('x', lambdaVariables('x')), lambda('x', format('Hi {0}!', lambdaVariables('x'))))]", { a: "Hi a!", b: "Hi b!", c: "Hi c!" }],
  ["[toUpper('AiKInIniIN')]", "AIKININIIN"],
  ["[trim('  adf asdf  ')]", "adf asdf"],
  ["[union(createObject('abc', 'def'), createObject('def', 'ghi'))]", { abc: "def", def: "ghi" }],
  ["[uniqueString('asd', 'asdf', 'asdf')]", "iizpqit7ih3cc"],
  ["[uri('https://github.com', 'Azure/bicep')]", "https://github.com/Azure/bicep"],
  ["[uriComponent('UB*8h 0+=_)9h9n')]", "UB%2A8h%200%2B%3D_%299h9n"],
  ["[uriComponentToString('%20%25%20')]", " % "],
  ["[if(true(), 'a', 'b')]", "a"],
  ["[not(true())]", false],
  ["[add(123, 456)]", 579],
  ["[sub(456, 123)]", 333],
  ["[mul(2, 3)]", 6],
  ["[div(10, 2)]", 5],
  ["[less(1, 2)]", true],
  ["[greater(1, 2)]", false],
  ["[greaterOrEquals(1, 2)]", false],
  ["[lessOrEquals(1, 2)]", true],
];

test("functions give the values Azure's engine gave for Bicep's Expressions baseline", () => {
  // evaluate through a real (empty) template so the context is the engine's own
  const plan = planTemplate(
    { $schema: "x", contentVersion: "1.0.0.0", resources: [], outputs: Object.fromEntries(BASELINE.map(([e], i) => [`o${i}`, { type: "object", value: e }])) },
    {},
    { tenantId: "t", subscriptionId: "s", resourceGroup: { name: "rg", location: "westus2" }, deploymentName: "d", environment: {}, now: new Date(0), newGuid: () => "g" },
  );
  const out = plan.outputs({ get: () => ({}), list: () => null });
  BASELINE.forEach(([e, want], i) => assert.deepEqual(out[`o${i}`]!.value, want, e));
});

test("templateHash (the emulator's own): a 64-bit decimal, stable, blind to whitespace and comments, changed by any value", async () => {
  const { templateHash, minifyTemplate } = await import("../../src/arm/template/hash.js");
  const { parseJsonc } = await import("../../src/arm/template/jsonc.js");
  const a = parseJsonc('{ "resources": [ ] , // none\n "outputs": {"o": {"type": "string", "value": "x"}} }').value;
  const b = { resources: [], outputs: { o: { type: "string", value: "x" } } };
  assert.equal(minifyTemplate(a), '{"resources":[],"outputs":{"o":{"type":"string","value":"x"}}}');
  assert.equal(templateHash(a), templateHash(b));
  assert.match(templateHash(b), /^\d{1,20}$/);
  assert.ok(BigInt(templateHash(b)) < 2n ** 64n);
  assert.notEqual(templateHash({ ...b, outputs: { o: { type: "string", value: "y" } } }), templateHash(b));
});
