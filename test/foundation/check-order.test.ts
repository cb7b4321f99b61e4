// ARM checks a request in a fixed order and answers with the first failure: subscription, provider
// registration, resource group, parent resource, and only then the provider's own validation
// (reference/arm-contract.md "What to build" #2). Each case below is wrong in several ways at once,
// over HTTP against a started emulator; the answer names the earliest check.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { activityRecordsSince, startEmulator, rawRequest, SUBSCRIPTION_ID, type RunningEmulator } from "../helpers/emulator.js";
import { shutdown } from "./util.js";

const SUB = `/subscriptions/${SUBSCRIPTION_ID}`;
const OTHER_SUB = "11111111-2222-3333-4444-555555555555";
const MI_V = "api-version=2023-01-31";
const NET_V = "api-version=2024-05-01";
const RG = "order-rg";
const mi = (sub: string, rg: string, name: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}?${MI_V}`;
const subnet = (rg: string, vnet: string, name: string) => `${SUB}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/${vnet}/subnets/${name}?${NET_V}`;

interface Case {
  what: string;
  method: string;
  path: string;
  body?: unknown;
  status: number;
  code: string;
  message: string | RegExp;
  /** ARM's front door answers these itself (x-ms-failure-cause: gateway). */
  gateway?: boolean;
}

const NOT_REGISTERED = "The subscription is not registered to use namespace 'Microsoft.ManagedIdentity'. See https://aka.ms/rps-not-found for how to register subscriptions.";

const CASES: Case[] = [
  { what: "unknown subscription before a missing group and a bad name", method: "PUT", path: mi(OTHER_SUB, "nope", "x"), body: { location: "eastus" },
    status: 404, code: "SubscriptionNotFound", message: `The subscription '${OTHER_SUB}' could not be found.`, gateway: true },
  { what: "missing group before the identity's name rule (3-128 characters)", method: "PUT", path: mi(SUBSCRIPTION_ID, "nope", "x"), body: { location: "eastus" },
    status: 404, code: "ResourceGroupNotFound", message: "Resource group 'nope' could not be found.", gateway: true },
  { what: "missing group before the identity's name rule, on DELETE", method: "DELETE", path: mi(SUBSCRIPTION_ID, "nope", "x"),
    status: 404, code: "ResourceGroupNotFound", message: "Resource group 'nope' could not be found.", gateway: true },
  { what: "missing group before a non-GUID role assignment name", method: "PUT",
    path: `${SUB}/resourceGroups/nope/providers/Microsoft.Authorization/roleAssignments/not-a-guid?api-version=2022-04-01`, body: { properties: {} },
    status: 404, code: "ResourceGroupNotFound", message: "Resource group 'nope' could not be found.", gateway: true },
  { what: "missing group before the Network RP's name rule", method: "PUT",
    path: `${SUB}/resourceGroups/nope/providers/Microsoft.Network/virtualNetworks/-bad?${NET_V}`, body: { location: "eastus", properties: { addressSpace: { addressPrefixes: ["10.9.0.0/16"] } } },
    status: 404, code: "ResourceGroupNotFound", message: "Resource group 'nope' could not be found.", gateway: true },
  { what: "missing parent before the subnet's name rule", method: "PUT", path: subnet(RG, "novnet", "-bad"), body: { properties: { addressPrefix: "10.8.0.0/24" } },
    status: 404, code: "ParentResourceNotFound", message: "Can not perform requested operation on nested resource. Parent resource 'novnet' not found." },
  { what: "then the Network RP's own name rule", method: "PUT", path: subnet(RG, "vnet", "-bad"), body: { properties: { addressPrefix: "10.8.0.0/24" } },
    status: 400, code: "InvalidResourceName", message: /^Resource name -bad is invalid\. The name can be up to 80 characters long\./ },
  { what: "then the identity's own name rule", method: "PUT", path: mi(SUBSCRIPTION_ID, RG, "x"), body: { location: "eastus" },
    status: 400, code: "InvalidResourceName", message: /^Resource name 'x' is invalid\./ },
];

async function send(emu: RunningEmulator, token: string, c: Pick<Case, "method" | "path" | "body">) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (c.body !== undefined) headers["content-type"] = "application/json";
  return rawRequest(emu.endpoint, emu.caPem, c.method, c.path, c.body === undefined ? undefined : JSON.stringify(c.body), headers);
}

function check(c: Case, r: { status: number; headers: Record<string, string | string[] | undefined>; body: any; text: string }): void {
  assert.equal(r.status, c.status, `${c.what}: status (${r.text})`);
  assert.equal(r.body?.error?.code, c.code, `${c.what}: code (${r.text})`);
  if (typeof c.message === "string") assert.equal(r.body.error.message, c.message, c.what);
  else assert.match(r.body.error.message, c.message, c.what);
  if (c.gateway) assert.equal(r.headers["x-ms-failure-cause"], "gateway", `${c.what}: answered by ARM, not the provider`);
}

async function setRegistration(emu: RunningEmulator, ns: string, verb: "register" | "unregister", want: string): Promise<void> {
  const r = await emu.request("POST", `${SUB}/providers/${ns}/${verb}?api-version=2021-04-01`);
  assert.equal(r.status, 200, r.text);
  for (;;) {
    const g = await emu.request("GET", `${SUB}/providers/${ns}?api-version=2021-04-01`);
    if (g.body.registrationState === want) return;
    await new Promise((res) => setTimeout(res, 50));
  }
}

describe("ARM check order: subscription, registration, resource group, parent, then the provider", () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator();
    assert.equal((await emu.request("PUT", `${SUB}/resourcegroups/${RG}?api-version=2021-04-01`, { location: "eastus" })).status, 201);
    const v = await emu.request("PUT", `${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet?${NET_V}`, {
      location: "eastus", properties: { addressSpace: { addressPrefixes: ["10.8.0.0/16"] } },
    });
    assert.equal(v.status, 201, v.text);
  });
  after(async () => {
    await shutdown(emu);
  });

  test("each request wrong in several ways answers with the earliest check, and writes nothing", async () => {
    const token = await emu.token();
    const revision = async () => (await rawRequest(emu.endpoint, emu.caPem, "GET", "/aksemu/health")).body.revision as number;
    const before = await revision();
    const since = new Date().toISOString();
    for (const c of CASES) check(c, await send(emu, token, c));
    // Only the activity log moved: each refused write is logged Failed there, as Azure logs it.
    assert.equal(await revision(), before + (await activityRecordsSince(emu, since)), "no wrong request wrote anything but its activity-log record");
  });

  test("an unregistered provider is refused before the resource group and the name are looked at", async () => {
    const token = await emu.token();
    await setRegistration(emu, "Microsoft.ManagedIdentity", "unregister", "Unregistered");
    try {
      const r = await send(emu, token, { method: "PUT", path: mi(SUBSCRIPTION_ID, "nope", "x"), body: { location: "eastus" } });
      check({ what: "unregistered namespace", method: "PUT", path: "", status: 409, code: "MissingSubscriptionRegistration", message: NOT_REGISTERED, gateway: true }, r);
      assert.deepEqual(r.body.error.details, [{ code: "MissingSubscriptionRegistration", target: "Microsoft.ManagedIdentity", message: NOT_REGISTERED }]);
      // The subscription still comes first.
      const other = await send(emu, token, { method: "PUT", path: mi(OTHER_SUB, "nope", "x"), body: { location: "eastus" } });
      assert.equal(other.body.error.code, "SubscriptionNotFound");
      // DELETE needs no registration: the missing group is what ARM reports.
      const del = await send(emu, token, { method: "DELETE", path: mi(SUBSCRIPTION_ID, "nope", "x") });
      assert.equal(del.body.error.code, "ResourceGroupNotFound", del.text);
    } finally {
      await setRegistration(emu, "Microsoft.ManagedIdentity", "register", "Registered");
    }
    const ok = await emu.request("PUT", mi(SUBSCRIPTION_ID, RG, "after-registration"), { location: "eastus" });
    assert.equal(ok.status, 201, ok.text);
  });
});
