// Resource groups and /resources listings: `tags` must be an object of strings and `managedBy` a
// string (400 InvalidRequestContent naming the path otherwise); $filter forms az and the SDKs send
// (resourceType / name / location / resourceGroup eq, tagName [and tagValue]) are honoured and
// others are ARM's 400 InvalidFilterInQueryString; odd stored tags never make a listing 500.
// The Network and Managed Identity providers validate tags the same way.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { SUB, V, createGroup, putWait, rgId, startInProcess, type InProcess } from "../network/helpers.js";
import { getRecord, putRecord } from "../../src/arm/repo.js";

let emu: InProcess;
const RV = "api-version=2022-09-01";

before(async () => {
  emu = await startInProcess();
});
after(async () => {
  await emu.stop();
});

test("resource group PUT/PATCH: tags must be an object of strings, managedBy a string", async () => {
  for (const tags of [["a"], "x", 5, { a: 1 }, { a: { b: "c" } }, { a: null }]) {
    const r = await emu.request("PUT", `${rgId("tg-bad")}?${RV}`, { location: "eastus", tags });
    assert.equal(r.status, 400, `${JSON.stringify(tags)}: ${r.text}`);
    assert.equal(r.body.error.code, "InvalidRequestContent", r.text);
    assert.match(r.body.error.message, /Path 'tags/, r.text);
  }
  let r = await emu.request("PUT", `${rgId("tg-bad")}?${RV}`, { location: "eastus", managedBy: { id: "x" } });
  assert.equal(r.status, 400, r.text);
  assert.match(r.body.error.message, /Path 'managedBy'/);
  assert.equal((await emu.request("GET", `${rgId("tg-bad")}?${RV}`)).status, 404, "nothing was created");

  r = await emu.request("PUT", `${rgId("tg-ok")}?${RV}`, { location: "eastus", tags: { env: "dev" }, managedBy: null });
  assert.equal(r.status, 201, r.text);
  r = await emu.request("PATCH", `${rgId("tg-ok")}?${RV}`, { tags: { env: 3 } });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.body.error.code, "InvalidRequestContent");
  r = await emu.request("PATCH", `${rgId("tg-ok")}?${RV}`, { managedBy: 7 });
  assert.equal(r.status, 400, r.text);
  r = await emu.request("GET", `${rgId("tg-ok")}?${RV}`);
  assert.deepEqual(r.body.tags, { env: "dev" }, "rejected PATCHes changed nothing");
});

test("GET resourcegroups?$filter=tagName… matches tags and does not 500 on odd stored data; other filters are 400", async () => {
  await emu.request("PUT", `${rgId("tf-a")}?${RV}`, { location: "eastus", tags: { team: "blue" } });
  await emu.request("PUT", `${rgId("tf-b")}?${RV}`, { location: "eastus", tags: { Team: "red" } });
  await createGroup(emu, "tf-odd");
  // Data written by something else: tags that are not a string map.
  await emu.emulator.env.store.txn((tx) => {
    const rec = getRecord(tx, rgId("tf-odd"))!;
    putRecord(tx, { ...rec, tags: "garbage" as never });
  });
  const list = async (f: string) => {
    const r = await emu.request("GET", `${SUB}/resourcegroups?${RV}&$filter=${encodeURIComponent(f)}`);
    assert.equal(r.status, 200, r.text);
    return (r.body.value as Array<{ name: string }>).map((x) => x.name).sort();
  };
  assert.deepEqual(await list("tagName eq 'team'"), ["tf-a", "tf-b"]);
  assert.deepEqual(await list("tagName eq 'team' and tagValue eq 'red'"), ["tf-b"]);
  assert.deepEqual(await list("tagName eq 'nope'"), []);
  const bad = await emu.request("GET", `${SUB}/resourcegroups?${RV}&$filter=${encodeURIComponent("name eq 'foo'")}`);
  assert.equal(bad.status, 400, bad.text);
  assert.equal(bad.body.error.code, "InvalidFilterInQueryString");
  assert.equal(bad.body.error.message, "Invalid $filter 'name eq 'foo'' specified in the query string.");
});

test("/resources honours resourceType, name, location, resourceGroup and tag filters; unsupported ones are 400", async () => {
  await createGroup(emu, "rf");
  const vnet = (n: string, tags?: Record<string, string>) =>
    putWait(emu, `${rgId("rf")}/providers/Microsoft.Network/virtualNetworks/${n}?api-version=${V}`, { location: "eastus", tags, properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } } });
  assert.equal((await vnet("v1", { tier: "web" })).status, 201);
  assert.equal((await vnet("v2")).status, 201);
  assert.equal((await putWait(emu, `${rgId("rf")}/providers/Microsoft.Network/networkSecurityGroups/n1?api-version=${V}`, { location: "eastus", tags: { tier: "db" } })).status, 201);
  const names = async (path: string, f: string) => {
    const r = await emu.request("GET", `${path}?${RV}&$filter=${encodeURIComponent(f)}`);
    assert.equal(r.status, 200, `${f}: ${r.text}`);
    return (r.body.value as Array<{ name: string }>).map((x) => x.name).sort();
  };
  for (const path of [`${SUB}/resources`, `${rgId("rf")}/resources`]) {
    assert.deepEqual(await names(path, "resourceType eq 'Microsoft.Network/virtualNetworks' and resourceGroup eq 'rf'"), ["v1", "v2"]);
    assert.deepEqual(await names(path, "resourcetype eq 'microsoft.network/networksecuritygroups'"), ["n1"]);
    assert.deepEqual(await names(path, "name eq 'v2'"), ["v2"]);
    assert.deepEqual(await names(path, "name eq 'v2' and resourceType eq 'Microsoft.Network/networkSecurityGroups'"), []);
    assert.deepEqual(await names(path, "tagName eq 'tier'"), ["n1", "v1"]);
    assert.deepEqual(await names(path, "tagName eq 'tier' and tagValue eq 'web'"), ["v1"]);
    assert.deepEqual(await names(path, "location eq 'eastus' and resourceGroup eq 'rf'"), ["n1", "v1", "v2"]);
    for (const f of ["substringof('v', name)", "tagName eq 'tier' and resourceType eq 'Microsoft.Network/virtualNetworks'", "kind eq 'x'", "name eq 'v1' or name eq 'v2'"]) {
      const r = await emu.request("GET", `${path}?${RV}&$filter=${encodeURIComponent(f)}`);
      assert.equal(r.status, 400, `${f}: ${r.text}`);
      assert.equal(r.body.error.code, "InvalidFilterInQueryString");
      assert.equal(r.body.error.message, `Invalid $filter '${f}' specified in the query string.`);
    }
  }
});

test("Network and Managed Identity PUTs reject tags that are not an object of strings", async () => {
  await createGroup(emu, "tn");
  const nsg = `${rgId("tn")}/providers/Microsoft.Network/networkSecurityGroups/n?api-version=${V}`;
  for (const tags of [["a"], { a: 1 }, "x"]) {
    const r = await emu.request("PUT", nsg, { location: "eastus", tags });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.error.code, "InvalidRequestFormat", r.text);
    assert.equal(r.body.error.message, "Cannot parse the request.");
    assert.equal(r.body.error.details[0].code, "InvalidJson");
    assert.match(r.body.error.details[0].message, /Path 'tags/);
  }
  assert.equal((await emu.request("GET", nsg)).status, 404);
  const msi = `${rgId("tn")}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1?api-version=2023-01-31`;
  let r = await emu.request("PUT", msi, { location: "eastus", tags: { a: { b: 1 } } });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.body.error.code, "InvalidRequestContent");
  assert.match(r.body.error.message, /Path 'tags\.a'/);
  r = await emu.request("PUT", msi, { location: "eastus", tags: { a: "b" } });
  assert.equal(r.status, 201, r.text);
});
