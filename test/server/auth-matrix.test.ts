// Deny by default, decided on the path the router acts on: every route the emulator serves
// (generated from its route table and its resource types), under every path encoding, answers
// 401 without a token, and nothing changes. Before the fix `/%73ubscriptions/...` skipped the
// token check and `listClusterAdminCredential` answered 200 with the admin kubeconfig.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startEmulator, SUBSCRIPTION_ID } from "../helpers/emulator.js";
import { frontDoorRoutes, providerSurface } from "../../src/emulator.js";
import { rawClient } from "./raw.js";
import { encodings } from "./encodings.js";

const SAMPLE: Record<string, string> = { sub: SUBSCRIPTION_ID, rg: "rg1", ns: "Microsoft.ContainerService", loc: "westeurope", id: "op1", token: "eyJ4IjoxfQ", name: "c1", tenant: "common" };

/** [method, path] for every route and every resource type (instance, collection, actions). */
function routeMatrix(): Array<{ method: string; path: string; anonymous: boolean }> {
  const surface = providerSurface();
  const routes = [...frontDoorRoutes({ env: { store: undefined as never, subscriptionId: SUBSCRIPTION_ID, tenantId: "t", latency: undefined as never }, tokens: undefined as never }), ...surface.routes];
  const out: Array<{ method: string; path: string; anonymous: boolean }> = [];
  for (const r of routes) {
    const path = r.pattern.replace(/\{(\w+)\}/g, (_, k: string) => SAMPLE[k] ?? "x1");
    for (const m of ([] as string[]).concat(r.method)) out.push({ method: m, path, anonymous: r.auth === false });
  }
  for (const def of surface.types) {
    const types = def.type.split("/");
    let scope = `/subscriptions/${SUBSCRIPTION_ID}`;
    if (def.scope !== "subscription") scope += "/resourceGroups/rg1";
    let id = `${scope}/providers/${def.namespace}`;
    types.forEach((t, i) => (id += `/${t}/n${i}`));
    const collection = id.slice(0, id.lastIndexOf("/"));
    for (const m of ["GET", "PUT", "PATCH", "DELETE"]) out.push({ method: m, path: id, anonymous: false });
    out.push({ method: "GET", path: collection, anonymous: false });
    for (const [a, act] of Object.entries(def.strategy.actions ?? {})) out.push({ method: act.method, path: `${id}/${a}`, anonymous: false });
  }
  return out;
}

test("no token, no way in: every route family under every path encoding answers 401 with the ARM envelope", async () => {
  const emu = await startEmulator();
  const http = rawClient(emu.port, emu.caPem);
  try {
    const tok = await emu.token();
    // Real state to reach for: a resource group the unauthenticated requests would read or delete.
    assert.equal((await emu.request("PUT", `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/rg1?api-version=2021-04-01`, { location: "westeurope" })).status, 201);
    const rev = async () => (await http.send("GET", "/aksemu/health")).body.revision as number;
    const before = await rev();

    const matrix = routeMatrix();
    const families = new Set(matrix.map((m) => m.path.split("/")[1]!.toLowerCase()));
    for (const f of ["subscriptions", "tenants", "providers", "v1.0", "aksemu", "metadata"]) assert.ok(families.has(f), `route family ${f} is in the matrix`);
    assert.ok(matrix.some((m) => m.path.endsWith("/listClusterAdminCredential")), "actions are in the matrix");
    assert.ok(matrix.some((m) => m.path.endsWith("/runCommand")), "runCommand is in the matrix");
    assert.ok(matrix.some((m) => m.method === "GET" && m.path.endsWith("/emulatorView")), "emulator-only routes are in the matrix");
    assert.ok(matrix.some((m) => /\/operations\/|operationresults/.test(m.path)), "operation polling is in the matrix");

    let tried = 0;
    const failures: string[] = [];
    const jobs = matrix.filter((m) => !m.anonymous).flatMap((m) => encodings(m.path).map(([how, p]) => ({ ...m, how, p })));
    const run = async (j: (typeof jobs)[number]) => {
      const body = ["PUT", "PATCH", "POST"].includes(j.method) ? JSON.stringify({ location: "westeurope", properties: {} }) : undefined;
      const r = await http.send(j.method, `${j.p}?api-version=2026-06-01`, { body, headers: body ? { "content-type": "application/json" } : {} });
      tried++;
      const ok = r.status === 401 && (j.method === "HEAD" || r.body?.error?.code === "AuthenticationFailed") && /^Bearer /.test(String(r.headers["www-authenticate"] ?? ""));
      if (!ok) failures.push(`${j.method} ${j.p} (${j.how}) -> ${r.status} ${r.text.slice(0, 120)}`);
    };
    for (let i = 0; i < jobs.length; i += 8) await Promise.all(jobs.slice(i, i + 8).map(run));
    console.log(`auth matrix: ${matrix.length} route/method pairs x ${encodings("/a").length} encodings = ${tried} unauthenticated requests`);
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} of ${tried} got in without a token`);
    assert.equal(await rev(), before, "no unauthenticated request changed state");

    // The encodings are live: with a token the router decodes them to the real resource.
    for (const p of ["/%73ubscriptions", "/s%75bscriptions", "/%2e/x/%2E%2E/subscriptions", "//subscriptions"]) {
      const r = await http.send("GET", `${p}/${SUBSCRIPTION_ID}/resourcegroups/rg1?api-version=2021-04-01`, { headers: { authorization: `Bearer ${tok}` } });
      assert.equal(r.status, 200, `${p} with a token reaches the resource group: ${r.text}`);
    }
    // The documented anonymous endpoints stay open, however spelled.
    for (const p of ["/metadata/endpoints", "/%6Detadata/endpoints", "/aksemu/health", "/aksemu/%68ealth", "/common/discovery/instance", `/${SAMPLE.tenant}/v2.0/.well-known/openid-configuration`, "/common/discovery/v2.0/keys"]) {
      const r = await http.send("GET", p + "?api-version=2022-09-01");
      assert.equal(r.status, 200, `${p} is anonymous: ${r.text.slice(0, 200)}`);
    }
  } finally {
    http.close();
    await emu.stop();
  }
});

test("PUT and PATCH through an encoded path without a token answer 401, not 500", async () => {
  const emu = await startEmulator();
  const http = rawClient(emu.port, emu.caPem);
  try {
    for (const method of ["PUT", "PATCH"]) {
      const r = await http.send(method, `/%73ubscriptions/${SUBSCRIPTION_ID}/resourcegroups/rg2?api-version=2021-04-01`, { body: JSON.stringify({ location: "westeurope" }), headers: { "content-type": "application/json" } });
      assert.equal(r.status, 401, r.text);
      assert.equal(r.body.error.code, "AuthenticationFailed");
    }
    assert.equal(emu.proc.exitCode, null);
  } finally {
    http.close();
    await emu.stop();
  }
});
