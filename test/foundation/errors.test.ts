// Bad input gets Azure's status, code and envelope; the process stays up and nothing is written.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { activityRecordsSince, startEmulator, rawRequest, SUBSCRIPTION_ID, type RunningEmulator } from "../helpers/emulator.js";
import { shutdown } from "./util.js";

const SUB = `/subscriptions/${SUBSCRIPTION_ID}`;
const MI = `${SUB}/resourceGroups/err-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities`;

interface Case {
  what: string;
  method: string;
  path: string;
  body?: string;
  status: number;
  code: string;
  message?: string | RegExp;
  /** Send without (or with a broken) bearer token. */
  auth?: "none" | "garbage";
}

const CASES: Case[] = [
  { what: "missing api-version (ARM route)", method: "GET", path: `${SUB}/resourcegroups/err-rg`, status: 400, code: "MissingApiVersionParameter",
    message: "The api-version query parameter (?api-version=) is required for all requests." },
  { what: "missing api-version (resource provider)", method: "PUT", path: `${MI}/nov`, body: `{"location":"eastus"}`, status: 400, code: "MissingApiVersionParameter" },
  { what: "unknown api-version on resource groups", method: "GET", path: `${SUB}/resourcegroups/err-rg?api-version=1999-01-01`, status: 400, code: "InvalidApiVersionParameter",
    message: /^The api-version '1999-01-01' is invalid\. The supported versions are '.+'\.$/ },
  { what: "unknown api-version on a provider type", method: "PUT", path: `${MI}/oldv?api-version=2001-01-01`, body: `{"location":"eastus"}`, status: 400, code: "NoRegisteredProviderFound",
    message: /^No registered resource provider found for location '.+' and API version '2001-01-01' for type 'Microsoft\.ManagedIdentity\/userAssignedIdentities'\. The supported api-versions are '.*2023-01-31.*'\./ },
  { what: "malformed api-version", method: "GET", path: `${MI}/x?api-version=latest`, status: 400, code: "NoRegisteredProviderFound" },
  { what: "malformed subscription id", method: "GET", path: `/subscriptions/not-a-sub/resourcegroups/x?api-version=2021-04-01`, status: 400, code: "InvalidSubscriptionId",
    message: "The provided subscription identifier 'not-a-sub' is malformed or invalid." },
  { what: "unknown subscription", method: "GET", path: `/subscriptions/11111111-2222-3333-4444-555555555555/resourcegroups/x?api-version=2021-04-01`, status: 404, code: "SubscriptionNotFound" },
  { what: "malformed resource id (type followed by providers)", method: "GET", path: `${MI}/providers?api-version=2023-01-31`, status: 404, code: "NoRouteFound" },
  { what: "invalid resource name", method: "PUT", path: `${MI}/bad%3Cname?api-version=2023-01-31`, body: `{"location":"eastus"}`, status: 400, code: "InvalidResourceName" },
  { what: "invalid identity name (too short)", method: "PUT", path: `${MI}/ab?api-version=2023-01-31`, body: `{"location":"eastus"}`, status: 400, code: "InvalidResourceName" },
  { what: "malformed JSON (resource provider)", method: "PUT", path: `${MI}/badjson?api-version=2023-01-31`, body: `{"location": "eastus",`, status: 400, code: "InvalidRequestContent",
    message: /^The request content was invalid and could not be deserialized: '.+'\.$/ },
  { what: "malformed JSON (resource group)", method: "PUT", path: `${SUB}/resourcegroups/badjson-rg?api-version=2021-04-01`, body: `{nope`, status: 400, code: "InvalidRequestContent" },
  { what: "JSON that is not an object", method: "PUT", path: `${MI}/arr?api-version=2023-01-31`, body: `[1,2]`, status: 400, code: "InvalidRequestContent" },
  { what: "missing location", method: "PUT", path: `${MI}/noloc?api-version=2023-01-31`, body: `{}`, status: 400, code: "LocationRequired" },
  { what: "unknown resource type", method: "PUT", path: `${SUB}/resourceGroups/err-rg/providers/Microsoft.ManagedIdentity/unicorns/u1?api-version=2023-01-31`, body: `{"location":"eastus"}`,
    status: 404, code: "InvalidResourceType", message: /^The resource type 'unicorns' could not be found in the namespace 'Microsoft\.ManagedIdentity' for api version '2023-01-31'\./ },
  { what: "unknown namespace", method: "PUT", path: `${SUB}/resourceGroups/err-rg/providers/Microsoft.Unicorn/horns/h1?api-version=2023-01-31`, body: `{"location":"eastus"}`,
    status: 400, code: "InvalidResourceNamespace", message: "The resource namespace 'Microsoft.Unicorn' is invalid." },
  { what: "missing parent resource group", method: "PUT", path: `${SUB}/resourceGroups/no-such-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orphan?api-version=2023-01-31`,
    body: `{"location":"eastus"}`, status: 404, code: "ResourceGroupNotFound", message: "Resource group 'no-such-rg' could not be found." },
  { what: "missing resource", method: "GET", path: `${MI}/ghost?api-version=2023-01-31`, status: 404, code: "ResourceNotFound",
    message: "The Resource 'Microsoft.ManagedIdentity/userAssignedIdentities/ghost' under resource group 'err-rg' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix" },
  { what: "role assignment with a non-GUID name", method: "PUT", path: `${SUB}/providers/Microsoft.Authorization/roleAssignments/abc?api-version=2022-04-01`,
    body: `{"properties":{}}`, status: 400, code: "InvalidRoleAssignmentId" },
  { what: "role assignment without properties", method: "PUT", path: `${SUB}/providers/Microsoft.Authorization/roleAssignments/6a1e7b4c-1d1f-4f0e-9a57-4a5b9c6d7e8f?api-version=2022-04-01`,
    body: `{}`, status: 400, code: "InvalidRequestContent" },
  { what: "no Authorization header", method: "GET", path: `${SUB}/resourcegroups?api-version=2021-04-01`, auth: "none", status: 401, code: "AuthenticationFailed",
    message: "Authentication failed. The 'Authorization' header is missing." },
  { what: "garbage bearer token", method: "GET", path: `${SUB}/resourcegroups?api-version=2021-04-01`, auth: "garbage", status: 401, code: "InvalidAuthenticationToken",
    message: "The access token is invalid." },
  { what: "forged token (wrong signature)", method: "PUT", path: `${MI}/forged?api-version=2023-01-31`, body: `{"location":"eastus"}`, auth: "garbage", status: 401, code: "InvalidAuthenticationToken" },
];

describe("bad input: Azure codes and envelopes, no state change, process stays up", () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator();
    assert.equal((await emu.request("PUT", `${SUB}/resourcegroups/err-rg?api-version=2021-04-01`, { location: "eastus" })).status, 201);
    assert.equal((await emu.request("PUT", `${MI}/keeper?api-version=2023-01-31`, { location: "eastus" })).status, 201);
  });
  after(async () => {
    await shutdown(emu);
  });

  const revision = async () => (await rawRequest(emu.endpoint, emu.caPem, "GET", "/aksemu/health")).body.revision as number;

  test("every case answers with its code; the store revision does not move", async () => {
    const token = await emu.token();
    const before = await revision();
    const since = new Date().toISOString();
    const forged = token.slice(0, token.lastIndexOf(".") + 1) + Buffer.from("not the signature").toString("base64url");
    for (const c of CASES) {
      const headers: Record<string, string> = {};
      if (c.auth === undefined) headers.authorization = `Bearer ${token}`;
      else if (c.auth === "garbage") headers.authorization = c.what.startsWith("forged") ? `Bearer ${forged}` : "Bearer not.a.jwt";
      if (c.body !== undefined) headers["content-type"] = "application/json";
      const r = await rawRequest(emu.endpoint, emu.caPem, c.method, c.path, c.body, headers);
      assert.equal(r.status, c.status, `${c.what}: status (${r.text})`);
      assert.match(String(r.headers["content-type"]), /^application\/json/, `${c.what}: JSON error`);
      assert.ok(r.body && typeof r.body.error === "object", `${c.what}: ARM envelope {error:{...}} (${r.text})`);
      assert.equal(r.body.error.code, c.code, `${c.what}: code (${r.text})`);
      assert.equal(typeof r.body.error.message, "string", `${c.what}: message`);
      if (typeof c.message === "string") assert.equal(r.body.error.message, c.message, c.what);
      else if (c.message) assert.match(r.body.error.message, c.message, c.what);
      if (c.auth === "none") assert.ok(r.headers["www-authenticate"], `${c.what}: WWW-Authenticate challenge`);
    }
    // Only the activity log moved: each refused write by an authenticated caller is logged Failed there, as Azure logs it.
    assert.equal(await revision(), before + (await activityRecordsSince(emu, since)), "no bad request wrote anything but its activity-log record");
    // The process is still up and state is what it was.
    const rgs = await emu.request("GET", `${SUB}/resourcegroups?api-version=2021-04-01`);
    assert.equal(rgs.status, 200);
    assert.deepEqual(rgs.body.value.map((g: any) => g.name), ["err-rg"]);
    const ids = await emu.request("GET", `${MI}?api-version=2023-01-31`);
    assert.deepEqual(ids.body.value.map((i: any) => i.name), ["keeper"]);
    assert.equal(emu.proc.exitCode, null);
  });

  test("a valid request right after the bad ones works", async () => {
    const r = await emu.request("PUT", `${MI}/after?api-version=2023-01-31`, { location: "eastus" });
    assert.equal(r.status, 201);
    assert.equal(r.body.name, "after");
  });
});
