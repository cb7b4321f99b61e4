// The activity log over HTTP: every ARM write request leaves Azure's events (Started, then
// Succeeded/Accepted/Failed, then the long-running operation's end), served as
// Microsoft.Insights/eventtypes/management/values (2015-04-01) and read by the current
// `az monitor activity-log list` (.tools/az-venv). Reads are not logged; a bad $filter,
// api-version or subscription is a 400/404 with nothing written.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEmulator, eventually, SUBSCRIPTION_ID, type RunningEmulator } from "../helpers/emulator.js";
import { setupAz, type Az } from "../helpers/az.js";
import { CURRENT_AZ, needClient } from "../helpers/clients.js";
import { resourceGroup, vnet } from "../aks/helpers.js";

const API = `/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.Insights/eventtypes/management/values`;
const RG = "rg-activity";
const since = () => new Date(Date.now() - 3600_000).toISOString();
const list = (emu: RunningEmulator, filter: string, extra = "") => emu.request("GET", `${API}?api-version=2015-04-01&$filter=${encodeURIComponent(filter)}${extra}`);

let emu: RunningEmulator;
before(async () => {
  emu = await startEmulator({ latency: "fast" });
});
after(async () => {
  await emu?.stop();
});

test("each write request: Started and its end, with operation, caller, correlation id, resource id; reads leave nothing", async () => {
  await resourceGroup(emu, RG);
  const cid = "5eed0000-0000-4000-8000-000000000001";
  const put = await emu.request("PUT", `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet1?api-version=2024-05-01`, { location: "westus2", properties: { addressSpace: { addressPrefixes: ["10.1.0.0/16"] } } }, { "x-ms-correlation-request-id": cid });
  assert.equal(put.status, 201, put.text);
  await emu.request("GET", `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet1?api-version=2024-05-01`, undefined, { "x-ms-correlation-request-id": cid });
  const events = await eventually(async () => {
    const r = await list(emu, `eventTimestamp ge '${since()}' and correlationId eq '${cid}'`);
    assert.equal(r.status, 200, r.text);
    return r.body.value.length === 3 ? r.body.value : undefined;
  }, "the operation's final event");
  // Newest first, as Azure lists them.
  assert.deepEqual(events.map((e: any) => [e.eventName.value, e.status.value]), [["EndRequest", "Succeeded"], ["EndRequest", "Accepted"], ["BeginRequest", "Started"]]);
  const vnetId = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet1`;
  for (const e of events) {
    assert.equal(e.operationName.value, "Microsoft.Network/virtualNetworks/write");
    assert.equal(e.resourceId, vnetId);
    assert.equal(e.resourceGroupName, RG);
    assert.equal(e.resourceProviderName.value, "Microsoft.Network");
    assert.equal(e.correlationId, cid);
    assert.equal(e.category.value, "Administrative");
    assert.equal(e.subscriptionId, SUBSCRIPTION_ID);
    assert.match(e.caller, /^[0-9a-f-]{36}$/, "the caller's object id");
    assert.equal(e.httpRequest.method, "PUT");
    assert.ok(e.id.startsWith(`${vnetId}/events/${e.eventDataId}/ticks/`), e.id);
  }
  assert.equal(events[1].subStatus.localizedValue, "Created (HTTP Status Code: 201)");
  assert.ok(events[0].eventTimestamp >= events[1].eventTimestamp && events[1].eventTimestamp >= events[2].eventTimestamp);
});

test("a refused write is logged Failed with its ARM error; the resource group filter and $select", async () => {
  const bad = await emu.request("PUT", `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet-bad?api-version=2024-05-01`, { location: "westus2", properties: { addressSpace: { addressPrefixes: ["10.1.0.0/99"] } } });
  assert.equal(bad.status, 400, bad.text);
  const r = await list(emu, `eventTimestamp ge '${since()}' and resourceGroupName eq '${RG.toUpperCase()}' and status eq 'Failed'`, "&$select=status,subStatus,properties,resourceId");
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.value.length, 1, r.text);
  const [e] = r.body.value;
  assert.deepEqual(Object.keys(e).sort(), ["properties", "resourceId", "status", "subStatus"]);
  assert.equal(e.subStatus.value, "BadRequest");
  assert.equal(JSON.parse(e.properties.statusMessage).error.code, bad.body.error.code);
  assert.ok(e.resourceId.endsWith("/vnet-bad"));
});

test("bad requests to the log: 400 or 404 in ARM's envelope", async () => {
  const cases: Array<[string, number, string]> = [
    [`${API}`, 400, "MissingApiVersionParameter"],
    [`${API}?api-version=2024-01-01&$filter=${encodeURIComponent(`eventTimestamp ge '${since()}'`)}`, 400, "InvalidApiVersionParameter"],
    [`${API}?api-version=2015-04-01`, 400, "BadRequest"],
    [`${API}?api-version=2015-04-01&$filter=${encodeURIComponent("resourceGroupName eq 'x'")}`, 400, "BadRequest"],
    [`${API}?api-version=2015-04-01&$filter=${encodeURIComponent(`eventTimestamp ge '${since()}' or caller eq 'x'`)}`, 400, "BadRequest"],
    [`/subscriptions/11111111-1111-1111-1111-111111111111/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01&$filter=${encodeURIComponent(`eventTimestamp ge '${since()}'`)}`, 404, "SubscriptionNotFound"],
  ];
  for (const [p, status, code] of cases) {
    const r = await emu.request("GET", p);
    assert.equal(r.status, status, `${p}: ${r.text}`);
    assert.equal(r.body.error.code, code, r.text);
  }
  const anon = await fetch(`${emu.endpoint}${API}?api-version=2015-04-01`).catch((e) => e);
  assert.ok(anon instanceof Error || anon.status === 401, "no token, no log");
});

const noAz = needClient(CURRENT_AZ, "the current az (npm run clients)");
test("az monitor activity-log list (current az) reads it: by resource group, correlation id and resource id", { skip: noAz, timeout: 600_000 }, async () => {
  const { az } = await setupAz(emu, { azPath: CURRENT_AZ, timeoutMs: 300_000 });
  const g = await az(["group", "create", "-n", "rg-az-activity", "-l", "westus2", "-o", "json"]);
  assert.equal(g.code, 0, g.stderr);
  const v = await az(["network", "vnet", "create", "-g", "rg-az-activity", "-n", "vnet-az", "--address-prefixes", "10.9.0.0/16", "-o", "json"]);
  assert.equal(v.code, 0, v.stderr);
  const byRg = await eventually(async () => {
    const l = await az(["monitor", "activity-log", "list", "-g", "rg-az-activity", "-o", "json"]);
    assert.equal(l.code, 0, l.stderr);
    const events = JSON.parse(l.stdout) as any[];
    return events.some((e) => e.operationName.value === "Microsoft.Network/virtualNetworks/write" && e.status.value === "Succeeded" && e.eventName.value === "EndRequest") ? events : undefined;
  }, "az lists the vnet's events", 60_000, 1000);
  const ops = new Set(byRg.map((e) => `${e.operationName.value} ${e.status.value}`));
  for (const want of ["Microsoft.Resources/subscriptions/resourceGroups/write Started", "Microsoft.Resources/subscriptions/resourceGroups/write Succeeded", "Microsoft.Network/virtualNetworks/write Started", "Microsoft.Network/virtualNetworks/write Accepted"]) {
    assert.ok(ops.has(want), `${want} in ${[...ops].join(", ")}`);
  }
  const vnetEvent = byRg.find((e) => e.operationName.value === "Microsoft.Network/virtualNetworks/write")!;
  const byCid = await az(["monitor", "activity-log", "list", "--correlation-id", vnetEvent.correlationId, "--query", "[].status.value", "-o", "json"]);
  assert.equal(byCid.code, 0, byCid.stderr);
  assert.deepEqual(JSON.parse(byCid.stdout), ["Succeeded", "Accepted", "Started"]);
  const byId = await az(["monitor", "activity-log", "list", "--resource-id", vnetEvent.resourceId, "--select", "operationName", "status", "-o", "json"]);
  assert.equal(byId.code, 0, byId.stderr);
  const rows = JSON.parse(byId.stdout) as any[];
  assert.equal(rows.length, 3, byId.stdout);
  assert.ok(rows.every((r) => r.operationName.value === "Microsoft.Network/virtualNetworks/write" && r.resourceId === undefined), byId.stdout);
});
