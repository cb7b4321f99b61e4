// ARM and Graph take only tokens for their own audience and the emulator's tenant; every 401
// carries WWW-Authenticate. Before the fix a Graph-audience or other-tenant token read the
// admin kubeconfig.
import { test } from "node:test";
import assert from "node:assert/strict";
import https from "node:https";
import path from "node:path";
import { generateKeyPairSync } from "node:crypto";
import { SignJWT, importPKCS8 } from "jose";
import { startEmulator, SUBSCRIPTION_ID, TENANT_ID, type RunningEmulator } from "../helpers/emulator.js";
import Database from "better-sqlite3";
import { rawClient } from "./raw.js";
import { SECRET_KEYS } from "../../src/store/shared-secret.js";

/** The emulator's token-signing key, read from its store (a second, read-only connection to state.db). */
function storedSigningKey(dataDir: string): string {
  const db = new Database(path.join(dataDir, "state.db"), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare("SELECT value FROM kv WHERE key = ?").get(SECRET_KEYS.entraSigningKey) as { value: string };
    return (JSON.parse(row.value) as { privateKeyPem: string }).privateKeyPem;
  } finally {
    db.close();
  }
}

const RG = `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/rg1?api-version=2021-04-01`;
const ADMIN_CRED = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/c1/listClusterAdminCredential?api-version=2026-06-01`;

async function tokenAt(emu: RunningEmulator, http: ReturnType<typeof rawClient>, tenant: string, form: Record<string, string>, v2 = true): Promise<string> {
  const body = new URLSearchParams({ grant_type: "client_credentials", client_id: "probe", client_secret: "x", ...form }).toString();
  const r = await http.send("POST", `/${tenant}/oauth2/${v2 ? "v2.0/" : ""}token`, { body, headers: { "content-type": "application/x-www-form-urlencoded" } });
  assert.equal(r.status, 200, r.text);
  return r.body.access_token;
}

test("audience and tenant: ARM takes only management-audience tokens of the emulator's tenant", async () => {
  const emu = await startEmulator();
  const http = rawClient(emu.port, emu.caPem);
  try {
    assert.equal((await emu.request("PUT", RG, { location: "westeurope" })).status, 201);
    const call = (tok: string, p = RG, method = "GET") => http.send(method, p, { headers: { authorization: `Bearer ${tok}` } });

    // Accepted: what az, the SDKs and Terraform ask for, with and without the trailing slash, v1 and v2.
    const good: Array<[string, Record<string, string>, boolean]> = [
      ["az (endpoint//.default)", { scope: `${emu.endpoint}//.default` }, true],
      ["endpoint/.default", { scope: `${emu.endpoint}/.default` }, true],
      ["localhost alias", { scope: `https://localhost:${emu.port}/.default` }, true],
      ["management.azure.com (arm-containerservice 25.x)", { scope: "https://management.azure.com/.default" }, true],
      ["management.azure.com//.default", { scope: "https://management.azure.com//.default" }, true],
      ["v1 resource management.core.windows.net/", { resource: "https://management.core.windows.net/" }, false],
      ["v1 resource endpoint", { resource: `${emu.endpoint}/` }, false],
    ];
    for (const [what, form, v2] of good) {
      const r = await call(await tokenAt(emu, http, TENANT_ID, form, v2));
      assert.equal(r.status, 200, `${what}: ${r.text}`);
    }
    // The directory aliases resolve to the emulator's tenant.
    for (const t of ["organizations", "common"]) assert.equal((await call(await tokenAt(emu, http, t, { scope: `${emu.endpoint}/.default` }))).status, 200, t);

    // Refused: another audience.
    for (const aud of ["https://graph.microsoft.com/.default", "https://vault.azure.net/.default", "https://attacker.example:1/.default"]) {
      const tok = await tokenAt(emu, http, TENANT_ID, { scope: aud });
      for (const p of [RG, ADMIN_CRED]) {
        const r = await call(tok, p, p === RG ? "GET" : "POST");
        assert.equal(r.status, 401, `${aud} on ${p}: ${r.text}`);
        assert.equal(r.body.error.code, "InvalidAuthenticationTokenAudience");
        assert.match(r.body.error.message, /^The access token has been obtained for wrong audience or resource '[^']+'\. It should exactly match with one of the allowed audiences 'https:\/\/management\.core\.windows\.net\/'/);
        assert.match(String(r.headers["www-authenticate"]), /^Bearer authorization_uri="[^"]+", error="invalid_token"/);
      }
    }
    // Refused: another tenant (issued at that tenant's token endpoint).
    const other = "11111111-2222-3333-4444-555555555555";
    for (const v2 of [true, false]) {
      const tok = await tokenAt(emu, http, other, v2 ? { scope: `${emu.endpoint}/.default` } : { resource: `${emu.endpoint}/` }, v2);
      const r = await call(tok, ADMIN_CRED, "POST");
      assert.equal(r.status, 401, r.text);
      assert.equal(r.body.error.code, "InvalidAuthenticationTokenTenant");
      assert.ok(r.body.error.message.startsWith(`The access token is from the wrong issuer 'https://sts.windows.net/${other}/'. It must match the tenant 'https://sts.windows.net/${TENANT_ID}/' associated with this subscription.`), r.body.error.message);
      assert.ok(r.headers["www-authenticate"]);
    }
  } finally {
    http.close();
    await emu.stop();
  }
});

test("expired, foreign-signed and missing tokens: 401 with WWW-Authenticate", async () => {
  const emu = await startEmulator();
  const http = rawClient(emu.port, emu.caPem);
  try {
    const key = await importPKCS8(storedSigningKey(emu.dataDir), "RS256");
    const now = Math.floor(Date.now() / 1000);
    const claims = { aud: `${emu.endpoint}/`, tid: TENANT_ID, iss: `https://sts.windows.net/${TENANT_ID}/`, oid: "o", appid: "a" };
    const expired = await new SignJWT(claims).setProtectedHeader({ alg: "RS256" }).setIssuedAt(now - 7200).setExpirationTime(now - 3600).sign(key);
    const foreignKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const foreign = await new SignJWT(claims).setProtectedHeader({ alg: "RS256" }).setIssuedAt(now).setExpirationTime(now + 600).sign(foreignKey);
    const cases: Array<[string, Record<string, string>, string]> = [
      ["expired", { authorization: `Bearer ${expired}` }, "ExpiredAuthenticationToken"],
      ["signed by another key", { authorization: `Bearer ${foreign}` }, "InvalidAuthenticationToken"],
      ["not a JWT", { authorization: "Bearer abc" }, "InvalidAuthenticationToken"],
      ["missing", {}, "AuthenticationFailed"],
      ["basic auth", { authorization: "Basic YTpi" }, "AuthenticationFailed"],
    ];
    for (const [what, headers, code] of cases) {
      const r = await http.send("GET", RG, { headers });
      assert.equal(r.status, 401, `${what}: ${r.text}`);
      assert.equal(r.body.error.code, code, what);
      assert.match(String(r.headers["www-authenticate"]), /^Bearer authorization_uri="https:\/\/127\.0\.0\.1:\d+\/[^"]+", error="invalid_token", error_description="[^"]+"$/, what);
    }
  } finally {
    http.close();
    await emu.stop();
  }
});

test("one keep-alive connection: a token accepted on it earlier never vouches for another token or API on it", async () => {
  const emu = await startEmulator();
  const http = rawClient(emu.port, emu.caPem);
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: emu.caPem });
  const sockets = new Set<unknown>();
  const send = (p: string, authorization?: string) =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = https.request({ host: "127.0.0.1", port: emu.port, path: p, agent, headers: authorization ? { authorization } : {} }, (res) => {
        sockets.add(res.socket);
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      });
      req.on("error", reject);
      req.end();
    });
  try {
    assert.equal((await emu.request("PUT", RG, { location: "westeurope" })).status, 201);
    // For ARM's public audience: Graph refuses it (the emulator's own endpoint would be accepted by both).
    const good = `Bearer ${await tokenAt(emu, http, TENANT_ID, { scope: "https://management.azure.com/.default" })}`;
    const key = await importPKCS8(storedSigningKey(emu.dataDir), "RS256");
    const now = Math.floor(Date.now() / 1000);
    const claims = { aud: `${emu.endpoint}/`, tid: TENANT_ID, iss: `https://sts.windows.net/${TENANT_ID}/`, oid: "o", appid: "a" };
    const expired = await new SignJWT(claims).setProtectedHeader({ alg: "RS256" }).setIssuedAt(now - 7200).setExpirationTime(now - 3600).sign(key);
    const graph = await tokenAt(emu, http, TENANT_ID, { scope: "https://graph.microsoft.com/.default" });
    const steps: Array<[string, string, string | undefined, number, string?]> = [
      ["accepted", RG, good, 200],
      ["accepted again", RG, good, 200],
      ["expired", RG, `Bearer ${expired}`, 401, "ExpiredAuthenticationToken"],
      ["the accepted one, tampered", RG, good.slice(0, -2) + (good.endsWith("AA") ? "BB" : "AA"), 401, "InvalidAuthenticationToken"],
      ["none", RG, undefined, 401, "AuthenticationFailed"],
      ["the accepted one on Graph (another audience)", "/v1.0/servicePrincipals", good, 401, "InvalidAuthenticationToken"],
      ["a Graph token on ARM", RG, `Bearer ${graph}`, 401, "InvalidAuthenticationTokenAudience"],
      ["the accepted one again", RG, good, 200],
    ];
    for (const [what, p, auth, status, code] of steps) {
      const r = await send(p, auth);
      assert.equal(r.status, status, what);
      if (code) assert.equal(r.body.error.code, code, what);
    }
    assert.equal(sockets.size, 1, "every request went over one connection");
  } finally {
    agent.destroy();
    http.close();
    await emu.stop();
  }
});

test("Graph takes Graph-audience tokens (and the emulator's own, as its metadata advertises), not ARM's public ones", async () => {
  const emu = await startEmulator();
  const http = rawClient(emu.port, emu.caPem);
  try {
    const meta = (await http.send("GET", "/metadata/endpoints?api-version=2022-09-01")).body;
    const call = async (scope: string) => http.send("GET", "/v1.0/servicePrincipals", { headers: { authorization: `Bearer ${await tokenAt(emu, http, TENANT_ID, { scope })}` } });
    for (const scope of [`${meta.microsoftGraphResourceId}/.default`, "https://graph.microsoft.com/.default"]) assert.equal((await call(scope)).status, 200, scope);
    const r = await call("https://management.azure.com/.default");
    assert.equal(r.status, 401);
    assert.deepEqual([r.body.error.code, r.body.error.message], ["InvalidAuthenticationToken", "Access token validation failure. Invalid audience."]);
    assert.ok(r.headers["www-authenticate"]);
  } finally {
    http.close();
    await emu.stop();
  }
});

test("a forged Host header never reaches Azure-AsyncOperation, Location or the metadata document", async () => {
  const emu = await startEmulator();
  const http = rawClient(emu.port, emu.caPem);
  try {
    const tok = await emu.token();
    const h = { authorization: `Bearer ${tok}`, host: "attacker.example", "content-type": "application/json" };
    assert.equal((await http.send("PUT", RG, { headers: h, body: JSON.stringify({ location: "westeurope" }) })).status, 201);
    const vnet = await http.send("PUT", `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/v1?api-version=2024-05-01`, {
      headers: h, body: JSON.stringify({ location: "westeurope", properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } } }),
    });
    assert.equal(vnet.status, 201, vnet.text);
    const del = await http.send("DELETE", RG, { headers: h });
    assert.equal(del.status, 202, del.text);
    // Nor does a request target that a URL parser would read as another authority.
    for (const target of [`/\\attacker.example/subscriptions/${SUBSCRIPTION_ID}`, `https://attacker.example/subscriptions/${SUBSCRIPTION_ID}`]) {
      const r = await http.send("PUT", `${target}/resourcegroups/rg-${target.length}?api-version=2021-04-01`, { headers: h, body: JSON.stringify({ location: "westeurope" }) });
      assert.ok(r.status < 500, `${target}: ${r.status} ${r.text}`);
      const d = await http.send("DELETE", `${target}/resourcegroups/rg-${target.length}?api-version=2021-04-01`, { headers: h });
      if (d.headers.location) assert.ok(String(d.headers.location).startsWith(`${emu.endpoint}/`), `${target}: ${d.headers.location}`);
    }
    const meta = await http.send("GET", "/metadata/endpoints?api-version=2022-09-01", { headers: { host: "attacker.example" } });
    const urls = [vnet.headers["azure-asyncoperation"], del.headers.location, meta.body.resourceManager, meta.body.authentication.loginEndpoint];
    for (const u of urls) assert.ok(String(u).startsWith(`${emu.endpoint}/`), `built from the configured endpoint: ${u}`);
    // A Host that does name the emulator (localhost) is kept: clients configured with it stay on it.
    const viaLocalhost = await http.send("GET", "/metadata/endpoints?api-version=2022-09-01", { headers: { host: `localhost:${emu.port}` } });
    assert.equal(viaLocalhost.body.resourceManager, `https://localhost:${emu.port}/`);
  } finally {
    http.close();
    await emu.stop();
  }
});
