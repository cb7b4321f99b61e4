// The lenient body reader: what az really sends (an unquoted `template:` key followed by the
// template file's text, comments and all), and line/column for template errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseJsonc, JsoncError } from "../../src/arm/template/jsonc.js";
import { planTemplate } from "../../src/arm/template/engine.js";
import type { JsonObject } from "../../src/arm/template/values.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

test("az's body: JSON with an unquoted template key spliced in front of the file's text (comments kept)", () => {
  const file = `{
  // a comment az leaves in
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  /* block comment */
  "parameters": { "name": { "type": "string" } },
  "resources": [],
}`;
  // azure-cli JsoncTemplatePolicy: partial_request[:-2] + ", template:" + template + "}}"
  const partial = JSON.stringify({ properties: { parameters: { name: { value: "x" } }, mode: "Incremental" } });
  const body = partial.slice(0, -2) + ", template:" + file + "}}";
  const { value } = parseJsonc(body);
  const props = (value as JsonObject).properties as JsonObject;
  assert.equal(props.mode, "Incremental");
  assert.deepEqual((props.template as JsonObject).parameters, { name: { type: "string" } });
  assert.deepEqual((props.template as JsonObject).resources, []);
});

test("raw newlines inside strings, single quotes and escapes are read as Newtonsoft reads them", () => {
  const { value } = parseJsonc(`{'a': "line1\nline2", b: "\\u0041\\t", c: [1, -2.5e1, true, null,]}`);
  assert.deepEqual(value, { a: "line1\nline2", b: "A\t", c: [1, -25, true, null] });
});

test("errors name the path, line and position like Newtonsoft", () => {
  assert.throws(() => parseJsonc('{"a": {"b": ]}}'), (e: unknown) => e instanceof JsoncError && e.message === "Unexpected character encountered while parsing value: ]. Path 'a.b', line 1, position 12.");
  assert.throws(() => parseJsonc('{"a": 1} x'), JsoncError);
  assert.throws(() => parseJsonc('{"a": "unterminated'), JsoncError);
  assert.throws(() => parseJsonc("[".repeat(300) + "]".repeat(300)), /MaxDepth/);
});

test("positions locate template errors at the line and column of the submitted text", () => {
  const text = fs.readFileSync(path.join(ROOT, "test/fixtures/templates/byo-vnet.json"), "utf8");
  const { value, positions } = parseJsonc(text);
  const want = text.split("\n").findIndex((l) => l.includes('"clusterName": { "type"')) + 1;
  assert.throws(
    () =>
      planTemplate(value, {}, {
        tenantId: "t",
        subscriptionId: "s",
        resourceGroup: { name: "rg", location: "westus2" },
        deploymentName: "d",
        environment: {},
        now: new Date(0),
        newGuid: () => "g",
        locate: (p) => positions.get(p.replace(/^properties\.template\.?/, "")),
      }),
    (e: any) => {
      assert.match(e.message, new RegExp(`template parameter 'clusterName' at line '${want}' and column '\\d+' is not provided`));
      assert.equal(e.toBody().error.additionalInfo[0].info.lineNumber, want);
      return true;
    },
  );
});
