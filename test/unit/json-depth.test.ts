import { test } from "node:test";
import assert from "node:assert/strict";
import { jsonDepthExceeds } from "../../src/arm/json-depth.js";

test("jsonDepthExceeds counts object/array nesting outside strings", () => {
  assert.equal(jsonDepthExceeds(`{"a":[1,{"b":2}]}`, 3), false);
  assert.equal(jsonDepthExceeds(`{"a":[1,{"b":[]}]}`, 3), true);
  assert.equal(jsonDepthExceeds("[".repeat(65) + "]".repeat(65)), true, "default limit 64");
  assert.equal(jsonDepthExceeds("[".repeat(64) + "]".repeat(64)), false);
  // brackets inside strings, escaped quotes included, do not count
  assert.equal(jsonDepthExceeds(`{"k":"[[[[{{{{\\"[[[["}`, 1), false);
  assert.equal(jsonDepthExceeds(`["\\\\",[[]]]`, 2), true, "an escaped backslash ends before the quote");
  assert.equal(jsonDepthExceeds("[".repeat(1_000_000), 64), true, "a million opens: no recursion, no stack overflow");
});
