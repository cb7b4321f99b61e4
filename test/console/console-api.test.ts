// The console's data API is read-only and guarded: loopback peers with this run's console key
// (printed by `aksemu start`) only. Without the key, under every path encoding the router
// decodes, it answers 401 and shows nothing; an ARM bearer token is not the key; the bundle
// itself (no data) is anonymous and served with a strict content security policy.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { AKSEMU_BIN, startEmulator, type RunningEmulator } from "../helpers/emulator.js";
import { rawClient } from "../server/raw.js";
import { encodings } from "../server/encodings.js";
import { resourceGroup, subnet, vnet } from "../aks/helpers.js";

let emu: RunningEmulator;
let http: ReturnType<typeof rawClient>;
let link: URL;
let key: string;

before(async () => {
  emu = await startEmulator();
  http = rawClient(emu.port, emu.caPem);
  const m = /Web console:\s+(\S+)/.exec(emu.output());
  assert.ok(m, `aksemu start prints the console link:\n${emu.output()}`);
  link = new URL(m[1]!);
  key = new URLSearchParams(link.hash.slice(1)).get("key") ?? "";
});

after(async () => {
  http?.close();
  await emu?.stop();
});

test("aksemu start prints the console link with a per-run key in the fragment; status repeats it", () => {
  assert.equal(link.origin, emu.endpoint);
  assert.equal(link.pathname, "/console/");
  assert.match(key, /^[A-Za-z0-9_-]{43}$/, "256 random bits, base64url");
  const st = spawnSync(process.execPath, [AKSEMU_BIN, "status", "--data-dir", emu.dataDir], { encoding: "utf8" });
  assert.ok(st.stdout.includes(`web console: ${link.href}`), st.stdout);
  const runtime = path.join(emu.dataDir, "aksemu.json");
  assert.equal(fs.statSync(runtime).mode & 0o077, 0, "the file holding the key is owner-only");
});

test("the bundle is anonymous, with a strict content security policy; nothing else under /console is served", async () => {
  for (const p of ["/console", "/console/", "/console/app.js", "/console/app.css"]) {
    const r = await http.send("GET", p);
    assert.equal(r.status, 200, `${p}: ${r.text.slice(0, 200)}`);
    assert.match(String(r.headers["content-security-policy"]), /default-src 'none'; script-src 'self'/);
    assert.equal(r.headers["x-frame-options"], "DENY");
  }
  assert.match((await http.send("GET", "/console")).text, /<script type="module" src="\/console\/app.js">/);
  for (const p of ["/console/state.db", "/console/..%2fstate.db", "/console/%2e%2e%2f%2e%2e%2fpackage.json", "/console/index.html%00.js"]) {
    const r = await http.send("GET", p);
    assert.ok(r.status === 404 || r.status === 401, `${p} -> ${r.status} ${r.text.slice(0, 200)}`);
    assert.doesNotMatch(r.text, /SQLite|"name": "aksemu"/);
  }
});

test("the data API without the key: 401 under every encoding, with an ARM token too; a wrong key gets no cookie", async () => {
  await resourceGroup(emu, "rg-secret");
  await vnet(emu, "rg-secret", "vnet-secret", "10.77.0.0/16");
  const token = await emu.token();
  for (const base of ["/aksemu/console/network", "/aksemu/console/events", "/aksemu/console/views", `/aksemu/console/resource?id=${encodeURIComponent("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-secret/providers/Microsoft.Network/virtualNetworks/vnet-secret")}`]) {
    for (const [how, p] of encodings(base)) {
      for (const headers of <Array<Record<string, string>>>[{}, { authorization: `Bearer ${token}` }, { "x-aksemu-console-key": key.slice(0, -1) + (key.endsWith("A") ? "B" : "A") }, { cookie: "aksemu-console=" }]) {
        const r = await http.send("GET", p, { headers });
        // With an ARM token, a spelling the router does not decode to the console route is an ARM path: 404, no data either.
        const expected = "authorization" in headers ? [401, 404] : [401];
        assert.ok(expected.includes(r.status), `${p} (${how}) ${JSON.stringify(headers).slice(0, 40)} -> ${r.status} ${r.text.slice(0, 200)}`);
        assert.doesNotMatch(r.text, /vnet-secret/);
      }
    }
  }
  const wrong = await http.send("POST", "/aksemu/console/session", { body: JSON.stringify({ key: "x".repeat(43) }), headers: { "content-type": "application/json" } });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.error.code, "AuthenticationFailed");
  assert.equal(wrong.headers["set-cookie"], undefined);
  const junk = await http.send("POST", "/aksemu/console/session", { body: "{not json", headers: { "content-type": "application/json" } });
  assert.equal(junk.status, 401, junk.text);
  assert.equal((await http.send("PUT", "/aksemu/console/network", { body: "{}" })).status, 401, "no write methods (deny by default: a bearer token first)");
});

test("with the key: a session cookie (HttpOnly, Secure, SameSite=Strict, data API only), then the network map", async () => {
  const s = await http.send("POST", "/aksemu/console/session", { body: JSON.stringify({ key }), headers: { "content-type": "application/json" } });
  assert.equal(s.status, 204, s.text);
  const cookie = String(([] as string[]).concat(s.headers["set-cookie"] as string[])[0]);
  assert.equal(cookie, `aksemu-console=${key}; Path=/aksemu/console; Secure; HttpOnly; SameSite=Strict`);
  await resourceGroup(emu, "rg-map");
  await vnet(emu, "rg-map", "vnet-map", "10.60.0.0/16");
  await subnet(emu, "rg-map", "vnet-map", "apiserver", "10.60.0.0/28", "Microsoft.ContainerService/managedClusters");
  const r = await http.send("GET", "/aksemu/console/network", { headers: { cookie: cookie.split(";")[0]! } });
  assert.equal(r.status, 200, r.text);
  const v = r.body.vnets.find((x: any) => x.name === "vnet-map");
  assert.deepEqual(v.addressSpace, [{ prefix: "10.60.0.0/16", size: 65536 }]);
  assert.deepEqual(v.subnets[0].delegations, ["Microsoft.ContainerService/managedClusters"]);
  assert.equal(v.subnets[0].prefixes[0].firstFree, "10.60.0.4");
});

test("with the key: the views (resources, activity) and one resource's JSON at each api-version; bad ids and api-versions are 4xx", async () => {
  const h = { "x-aksemu-console-key": key };
  const vnetId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-map/providers/Microsoft.Network/virtualNetworks/vnet-map";
  const v = await http.send("GET", "/aksemu/console/views", { headers: h });
  assert.equal(v.status, 200, v.text);
  const sub = v.body.resources.find((s: any) => s.subscriptionId === "00000000-0000-0000-0000-000000000000");
  assert.ok(sub.groups.find((g: any) => g.name === "rg-map").resources.some((r: any) => r.id === vnetId), "the VNet is listed under its group");
  assert.ok(v.body.activity.some((a: any) => a.operationName === "Microsoft.Network/virtualNetworks/write" && a.resourceId === vnetId && a.status === "Succeeded"), JSON.stringify(v.body.activity.slice(0, 3)));
  const r = await http.send("GET", `/aksemu/console/resource?id=${encodeURIComponent(vnetId)}`, { headers: h });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.resource.id, vnetId);
  assert.equal(r.body.apiVersion, r.body.apiVersions[r.body.apiVersions.length - 1], "the newest api-version by default");
  const old = await http.send("GET", `/aksemu/console/resource?id=${encodeURIComponent(vnetId)}&api-version=${r.body.apiVersions[0]}`, { headers: h });
  assert.equal(old.status, 200, old.text);
  assert.equal(old.body.apiVersion, r.body.apiVersions[0]);
  const bad = await http.send("GET", `/aksemu/console/resource?id=${encodeURIComponent(vnetId)}&api-version=1999-01-01`, { headers: h });
  assert.equal(bad.status, 400, bad.text);
  assert.equal(bad.body.error.code, "InvalidApiVersionParameter");
  for (const id of ["", "/subscriptions/x/resourceGroups/nope", `${vnetId}-missing`]) {
    const nf = await http.send("GET", `/aksemu/console/resource?id=${encodeURIComponent(id)}`, { headers: h });
    assert.equal(nf.status, 404, `${id}: ${nf.text}`);
    assert.equal(nf.body.error.code, "ResourceNotFound");
  }
});
