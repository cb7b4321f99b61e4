import { test } from "node:test";
import assert from "node:assert/strict";
import { requestUrl } from "../../src/http/context.js";

test("requestUrl keeps the emulator's origin whatever the request target says", () => {
  const base = "https://127.0.0.1:8443";
  const cases: Array<[string, string]> = [
    ["/subscriptions/s?api-version=1", "/subscriptions/s"],
    ["//subscriptions/s", "/subscriptions/s"],
    ["/\\evil.example/x", "/evil.example/x"],
    ["\\\\evil.example/x", "/evil.example/x"],
    ["https://evil.example/subscriptions/s?a=1", "/subscriptions/s"],
    ["*", "/*"],
  ];
  for (const [target, path] of cases) {
    const u = requestUrl(target, base);
    assert.equal(u.origin, base, target);
    assert.equal(u.pathname, path, target);
  }
  assert.equal(requestUrl("https://evil.example/x?a=1", base).search, "?a=1");
});
