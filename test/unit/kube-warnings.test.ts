// Warning header encoding as kube-apiserver's warning recorder does it (pure function).
import { test } from "node:test";
import assert from "node:assert/strict";
import { asHeaderBytes, warningHeader, warningHeaders } from "../../src/kube/warnings.js";

test("quoting: \" and \\ escaped, non-ASCII kept, control characters and lone surrogates dropped", () => {
  assert.equal(warningHeader('unknown field "a"'), '299 - "unknown field \\"a\\""');
  assert.equal(warningHeader("back\\slash"), '299 - "back\\\\slash"');
  assert.equal(warningHeader("Iñtërnâtiô 字段"), '299 - "Iñtërnâtiô 字段"');
  assert.equal(warningHeader("a\nb"), undefined);
  assert.equal(warningHeader("a\u0085b"), undefined);
  assert.equal(warningHeader("a\ud800b"), undefined);
  assert.equal(Buffer.from(asHeaderBytes(warningHeader("字")!), "latin1").toString("utf8"), '299 - "字"');
});

test("dedupe, then truncation past 4096 runes: replayed at 256 runes each, the rest omitted once full again", () => {
  assert.deepEqual(warningHeaders(["a", "a", "", "b"]), ['299 - "a"', '299 - "b"']);
  const long = (c: string) => c.repeat(1000);
  const out = warningHeaders([long("a"), long("b"), long("c"), long("d"), long("e")]);
  assert.equal(out.length, 5);
  for (const h of out) assert.equal(h.length, '299 - ""'.length + 256);
  const many = Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(300, "x"));
  const capped = warningHeaders(many);
  assert.ok(capped.length < 40 && capped.length >= 16, String(capped.length));
});
