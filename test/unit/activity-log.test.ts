// The activity log's pure parts: the operation name Azure logs for a request path, the events of
// one request (Begin/End, and the final End of a long-running operation), the restricted $filter
// grammar (what az sends, what Azure's examples send, and what it refuses) and $select.
import { test } from "node:test";
import assert from "node:assert/strict";
import { asyncOperationOf, eventsOf, matches, parseActivityFilter, project, requestTarget, type ActivityRecord } from "../../src/providers/insights/activity-log.js";
import { ArmError } from "../../src/arm/errors.js";

const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000";

test("operation names and resource ids of write requests", () => {
  const cases: Array<[string, string, string, string, string | undefined]> = [
    ["PUT", `${SUB}/resourcegroups/rg1`, "Microsoft.Resources/subscriptions/resourceGroups/write", `${SUB}/resourceGroups/rg1`, "rg1"],
    ["DELETE", `${SUB}/resourceGroups/rg1`, "Microsoft.Resources/subscriptions/resourceGroups/delete", `${SUB}/resourceGroups/rg1`, "rg1"],
    ["PUT", `${SUB}/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/v/subnets/s`, "Microsoft.Network/virtualNetworks/subnets/write", `${SUB}/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/v/subnets/s`, "rg1"],
    ["POST", `${SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/aks1/stop`, "Microsoft.ContainerService/managedClusters/stop/action", `${SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/aks1`, "rg1"],
    ["POST", `${SUB}/providers/Microsoft.ContainerService/register`, "Microsoft.ContainerService/register/action", `${SUB}/providers/Microsoft.ContainerService`, undefined],
    ["POST", `${SUB}/providers/Microsoft.Features/providers/Microsoft.ContainerService/features/EnableAPIServerVnetIntegrationPreview/register`, "Microsoft.Features/providers/features/register/action", `${SUB}/providers/Microsoft.Features/providers/Microsoft.ContainerService/features/EnableAPIServerVnetIntegrationPreview`, undefined],
    ["PUT", `${SUB}/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/v/subnets/s/providers/Microsoft.Authorization/roleAssignments/g`, "Microsoft.Authorization/roleAssignments/write", `${SUB}/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/v/subnets/s/providers/Microsoft.Authorization/roleAssignments/g`, "rg1"],
    ["POST", `${SUB}/resourcegroups/rg1/exportTemplate`, "Microsoft.Resources/subscriptions/resourceGroups/exportTemplate/action", `${SUB}/resourceGroups/rg1`, "rg1"],
  ];
  for (const [m, p, op, id, rg] of cases) {
    const t = requestTarget(m, p);
    assert.ok(t, p);
    assert.equal(t.operationName, op, p);
    assert.equal(t.resourceId, id, p);
    assert.equal(t.resourceGroup, rg, p);
  }
  assert.equal(requestTarget("POST", "/providers/Microsoft.Resources/deployments/x/validate"), undefined, "tenant-level paths are not in a subscription's log");
  assert.equal(requestTarget("PUT", "/subscriptions"), undefined);
});

test("the operation of an Azure-AsyncOperation or Location URL", () => {
  assert.equal(asyncOperationOf({ "azure-asyncoperation": "https://h/subscriptions/s/providers/Microsoft.ContainerService/locations/westus2/operations/abc-1?api-version=2026-06-01" }), "abc-1");
  assert.equal(asyncOperationOf({ location: "https://h/subscriptions/s/providers/Microsoft.Network/locations/westus2/operationresults/r2?api-version=1" }), "r2");
  assert.equal(asyncOperationOf({ "content-type": "application/json" }), undefined);
});

const record = (over: Partial<ActivityRecord> = {}): ActivityRecord => ({
  subscriptionId: "00000000-0000-0000-0000-000000000000",
  correlationId: "c0ffee00-0000-0000-0000-000000000001",
  requestId: "11111111-2222-3333-4444-555555555555",
  method: "PUT",
  ...requestTarget("PUT", `${SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/aks1`)!,
  principal: { objectId: "oid-1", appId: "app-1", tenantId: "tid-1" },
  begin: "2026-12-08T01:00:00.000Z",
  end: "2026-12-08T01:00:00.250Z",
  statusCode: 201,
  asyncOperation: "op-1",
  ...over,
});

test("a long-running create: Started, Accepted (Created), then Succeeded when its operation ends", () => {
  const running = eventsOf(record(), { status: "InProgress" });
  assert.deepEqual(running.map((e) => [e.eventName.value, e.status.value, e.subStatus.value]), [["BeginRequest", "Started", ""], ["EndRequest", "Accepted", "Created"]]);
  const [begin, end] = running;
  assert.equal(end!.subStatus.localizedValue, "Created (HTTP Status Code: 201)");
  assert.equal(begin!.operationName.value, "Microsoft.ContainerService/managedClusters/write");
  assert.equal(begin!.correlationId, end!.correlationId);
  assert.notEqual(begin!.eventDataId, end!.eventDataId);
  assert.match(begin!.eventDataId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  // Ticks: .NET's 100 ns units since 0001-01-01, as Azure's event ids end.
  assert.ok(begin!.id.endsWith(`/events/${begin!.eventDataId}/ticks/${(BigInt(Date.parse("2026-12-08T01:00:00.000Z")) + 62135596800000n) * 10000n}`), begin!.id);
  assert.equal(begin!.caller, "oid-1");
  assert.equal(begin!.category.value, "Administrative");
  const done = eventsOf(record(), { status: "Succeeded", endTime: "2026-12-08T01:00:09.000Z" });
  assert.deepEqual(done.map((e) => e.status.value), ["Started", "Accepted", "Succeeded"]);
  const failed = eventsOf(record(), { status: "Failed", endTime: "2026-12-08T01:00:09.000Z", error: { code: "X", message: "went wrong" } });
  assert.equal(failed[2]!.level, "Error");
  assert.equal(JSON.parse(failed[2]!.properties.statusMessage!).error.message, "went wrong");
});

test("a refused request: one Failed end with the ARM error; a synchronous write ends Succeeded", () => {
  const bad = eventsOf(record({ statusCode: 400, asyncOperation: undefined, error: { code: "InvalidParameter", message: "nope" } }));
  assert.deepEqual(bad.map((e) => e.status.value), ["Started", "Failed"]);
  assert.equal(bad[1]!.subStatus.value, "BadRequest");
  assert.equal(bad[1]!.level, "Error");
  assert.deepEqual(JSON.parse(bad[1]!.properties.statusMessage!), { error: { code: "InvalidParameter", message: "nope" } });
  const ok = eventsOf(record({ statusCode: 200, asyncOperation: undefined }));
  assert.deepEqual(ok.map((e) => [e.status.value, e.subStatus.value]), [["Started", ""], ["Succeeded", "OK"]]);
});

test("$filter: az's unquoted timestamps, Azure's quoted ones, field conditions; what it refuses", () => {
  const now = Date.parse("2026-12-08T02:00:00Z");
  const az = parseActivityFilter("eventTimestamp ge 2026-12-07T20:00:00.123456 and eventTimestamp le 2026-12-08T02:00:00.5 and correlationId eq 'c0ffee00-0000-0000-0000-000000000001'", now);
  assert.equal(az.from, Date.parse("2026-12-07T20:00:00.123Z"));
  assert.deepEqual(az.equals, [{ field: "correlationId", value: "c0ffee00-0000-0000-0000-000000000001" }]);
  const spec = parseActivityFilter("eventTimestamp ge '2026-12-08T00:00:00Z' and resourceGroupName eq 'RG1'", now);
  assert.equal(spec.to, now, "no upper bound: now");
  const [begin, end] = eventsOf(record());
  assert.ok(matches(begin!, spec), "resource group names compare case-insensitively");
  assert.ok(!matches(begin!, parseActivityFilter("eventTimestamp ge '2026-12-08T01:00:00.100Z'", now)), "before the window");
  assert.ok(matches(end!, parseActivityFilter("eventTimestamp ge '2026-12-08T01:00:00.100Z'", now)));
  assert.ok(matches(end!, parseActivityFilter(`eventTimestamp ge '2026-12-08T00:00:00Z' and resourceId eq '${SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/AKS1'`, now)));
  assert.ok(!matches(end!, parseActivityFilter("eventTimestamp ge '2026-12-08T00:00:00Z' and status eq 'Started'", now)));
  assert.ok(matches(end!, parseActivityFilter("eventTimestamp ge '2026-12-08T00:00:00Z' and resourceProvider eq 'microsoft.containerservice' and eventChannels eq 'Admin, Operation'", now)));
  assert.ok(matches(end!, parseActivityFilter("eventTimestamp ge '2026-12-08T00:00:00Z' and resourceGroupName eq 'it''s'", now)) === false, "a quoted quote");
  for (const bad of [undefined, "", "resourceGroupName eq 'rg1'", "eventTimestamp ge 'yesterday'", "eventTimestamp eq '2026-12-08T00:00:00Z'", "eventTimestamp ge '2026-12-08T00:00:00Z' or caller eq 'x'", "eventTimestamp ge '2026-12-08T00:00:00Z' and color eq 'red'", "eventTimestamp ge '2026-12-08T00:00:00Z' and caller ne 'x'"]) {
    assert.throws(() => parseActivityFilter(bad, now), (e: unknown) => e instanceof ArmError && e.status === 400 && e.code === "BadRequest", String(bad));
  }
});

test("$select keeps only the named properties", () => {
  const [e] = eventsOf(record());
  assert.deepEqual(Object.keys(project(e!, "eventName, status ,operationName,nosuch")).sort(), ["eventName", "operationName", "status"]);
  assert.equal(project(e!, undefined), e);
});

test("$filter: 'and' splits outside quotes only, whatever the whitespace around it; an over-long filter is a 400", () => {
  const now = Date.parse("2026-12-08T02:00:00Z");
  const wide = parseActivityFilter(`eventTimestamp ge '2026-12-08T00:00:00Z'${" ".repeat(40)}AND\t\t status eq 'a and b'  and levels eq 'Error'`, now);
  assert.deepEqual(wide.equals, [{ field: "status", value: "a and b" }, { field: "levels", value: "Error" }]);
  assert.throws(() => parseActivityFilter("eventTimestamp ge '2026-12-08T00:00:00Z'   andy eq 'x'", now), (e: unknown) => e instanceof ArmError && e.status === 400, "'andy' is no 'and'");
  // A request line carries up to ~16 KB: a filter of thousands of conditions or blanks is refused
  // before it is split (splitting one used to rescan the rest of a run of blanks at every blank).
  const long = `eventTimestamp ge '2026-12-08T00:00:00Z' and caller eq 'x'${" ".repeat(16_000)}y`;
  assert.throws(() => parseActivityFilter(long, now), (e: unknown) => e instanceof ArmError && e.status === 400 && /no longer than 4096 characters/.test(e.message));
});
