// Router.matchPath remembers a path's split and match; it must answer exactly what matching the
// split path answers, give every caller its own params, and forget everything when routes change.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Router, type Route } from "../../src/arm/router.js";
import { splitPath } from "../../src/arm/resource-id.js";

const h = () => undefined;
const routes: Route[] = [
  { method: ["GET", "HEAD"], pattern: "/subscriptions/{sub}/resourcegroups/{rg}", handler: h },
  { method: "PUT", pattern: "/subscriptions/{sub}/resourcegroups/{rg}", handler: h },
  { method: "GET", pattern: "/subscriptions/{sub}", handler: h },
  { method: "POST", pattern: "/{tenant}/oauth2/v2.0/token", auth: false, handler: h },
];

test("matchPath answers what matchSegments(splitPath(path)) answers, again and again", () => {
  const r = new Router().add(...routes);
  const paths = ["/subscriptions/s1/resourcegroups/rg1", "/SUBSCRIPTIONS/s1/ResourceGroups/My%20RG", "/subscriptions/s1", "/subscriptions/s1/x", "/t/oauth2/v2.0/token", "/", "//subscriptions//s1", "/subscriptions/%zz"];
  for (let round = 0; round < 3; round++) {
    for (const path of paths) {
      for (const method of ["GET", "HEAD", "PUT", "POST", "DELETE"]) {
        const got = r.matchPath(method, path);
        assert.deepEqual(got.segs, splitPath(path), path);
        assert.deepEqual(got.match, r.matchSegments(method, splitPath(path)), `${method} ${path}`);
      }
    }
  }
});

test("matchPath gives each caller its own params, and forgets when routes are added", () => {
  const r = new Router().add(...routes);
  const a = r.matchPath("GET", "/subscriptions/s1/resourcegroups/rg1").match;
  assert.ok(a && "route" in a);
  a.params.rg = "changed";
  const b = r.matchPath("GET", "/subscriptions/s1/resourcegroups/rg1").match;
  assert.ok(b && "route" in b);
  assert.equal(b.params.rg, "rg1");
  assert.equal(r.matchPath("GET", "/subscriptions/s1/extra").match, undefined);
  r.add({ method: "GET", pattern: "/subscriptions/{sub}/extra", handler: h });
  const c = r.matchPath("GET", "/subscriptions/s1/extra").match;
  assert.ok(c && "route" in c, "a route added later is found");
});
