import { test } from "node:test";
import assert from "node:assert/strict";
import { plainTarget, queryPairs, requestUrl } from "../../src/http/context.js";

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

test("a plain target split by hand gives what requestUrl gives (path, search, query parameters)", () => {
  const base = "https://127.0.0.1:8443";
  const fixed = [
    "/", "/subscriptions/s/resourcegroups/rg?api-version=2022-09-01", "/a/b/?", "/a?&&x=1&y", "/a?x=1=2&x=3", "/a?$filter=name%20eq%20'x'",
    "/a?b=c+d", "/a/%41%2F/b", "/a/%zz?q=%zz", "/a/./b", "/a/../b", "/a/%2e%2E/b", "/a/.hidden", "/a?x=1?y=2", "/a??x=1", "/a?x=/.",
    "//x/y", "/\\x", "/a b", "/a#frag", "/a?x=#y", "/a'b?c='d'", "/a{b}", "/é", "/a\tb", "/a|b?c|d", "/a^b`c", "/..", "/.", "/a/.",
  ];
  const alphabet = "/?&=%.+-_~!$()*,;:@'#aZ09é \t\\|^`{}2eE";
  const random: string[] = [];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let i = 0; i < 5000; i++) {
    let t = "/";
    const n = next() % 24;
    for (let j = 0; j < n; j++) t += alphabet[next() % alphabet.length];
    random.push(t);
  }
  let plain = 0;
  for (const target of [...fixed, ...random]) {
    const u = requestUrl(target, base);
    const p = plainTarget(target);
    if (!p) continue;
    plain++;
    assert.equal(p.path, u.pathname, target);
    assert.equal(p.query === "" ? "" : "?" + p.query, u.search, target);
    assert.deepEqual(queryPairs(p.query), [...u.searchParams], target);
  }
  assert.ok(plain > 1000, `only ${plain} targets took the plain path`);
  assert.deepEqual(queryPairs("?a=1&b"), [...new URL("https://h/x??a=1&b").searchParams]);
  for (const t of ["/a/./b", "/a/%2e%2E/b", "//x/y", "/a b", "/a#frag", "/é", "/a'b"]) assert.equal(plainTarget(t), undefined, t);
});
