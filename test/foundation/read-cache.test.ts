// The read path keeps rendered answers and existence checks per record revision
// (arm/read-cache.ts): every write shows in the very next GET, whichever path wrote it (ARM PUT,
// PATCH, DELETE, a transaction straight on the store), and a deleted group's resources are gone.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { SUB, deleteWait, rgId, startInProcess, type InProcess } from "../network/helpers.js";
import { getRecord, putRecord } from "../../src/arm/repo.js";

let emu: InProcess;
const RV = "api-version=2022-09-01";
const ID_V = "api-version=2023-01-31";

before(async () => {
  emu = await startInProcess();
});
after(async () => {
  await emu.stop();
});

test("a resource group GET shows every write at once: PUT, PATCH, a direct store write, DELETE and re-create", async () => {
  const get = () => emu.request("GET", `${rgId("rc")}?${RV}`);
  const head = async () => (await emu.request("HEAD", `${rgId("rc")}?${RV}`)).status;
  let r = await get();
  assert.equal(r.status, 404);
  assert.equal(r.body.error.code, "ResourceGroupNotFound");
  assert.equal(await head(), 404);
  assert.equal((await emu.request("PUT", `${rgId("rc")}?${RV}`, { location: "eastus", tags: { n: "1" } })).status, 201);
  r = await get();
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.tags, { n: "1" });
  assert.equal(await head(), 204);
  for (let i = 2; i <= 4; i++) {
    assert.equal((await emu.request("PUT", `${rgId("rc")}?${RV}`, { location: "eastus", tags: { n: String(i) } })).status, 200);
    assert.deepEqual((await get()).body.tags, { n: String(i) }, `PUT ${i}`);
  }
  assert.equal((await emu.request("PATCH", `${rgId("rc")}?${RV}`, { tags: { patched: "yes" } })).status, 200);
  assert.deepEqual((await get()).body.tags, { patched: "yes" });
  await emu.emulator.env.store.txn((tx) => {
    const rec = getRecord(tx, rgId("rc"))!;
    putRecord(tx, { ...rec, managedBy: "written-by-code" });
  });
  r = await get();
  assert.equal(r.body.managedBy, "written-by-code", "a write that bypassed HTTP");
  assert.equal(r.text, JSON.stringify(r.body), "the answer is the rendered record's JSON");

  const identity = `${rgId("rc")}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1?${ID_V}`;
  assert.equal((await emu.request("PUT", identity, { location: "eastus" })).status, 201);
  assert.equal((await emu.request("GET", identity)).status, 200);

  const del = await deleteWait(emu, `${rgId("rc")}?${RV}`);
  assert.ok([200, 202, 204].includes(del.status), del.text);
  r = await get();
  assert.equal(r.status, 404, r.text);
  assert.equal(r.body.error.code, "ResourceGroupNotFound");
  assert.equal(await head(), 404);
  const gone = await emu.request("GET", identity);
  assert.equal(gone.status, 404, gone.text);
  assert.equal(gone.body.error.code, "ResourceGroupNotFound", "the resource service's group check sees the delete");

  assert.equal((await emu.request("PUT", `${rgId("rc")}?${RV}`, { location: "westeurope", tags: { again: "1" } })).status, 201);
  r = await get();
  assert.equal(r.body.location, "westeurope");
  assert.deepEqual(r.body.tags, { again: "1" });
  const none = await emu.request("GET", identity);
  assert.equal(none.status, 404);
  assert.equal(none.body.error.code, "ResourceNotFound", "the new group is empty");
});

test("an unknown subscription is refused before and after a known one was read", async () => {
  assert.equal((await emu.request("GET", `${SUB}/resourcegroups?${RV}`)).status, 200);
  const other = "/subscriptions/11111111-2222-3333-4444-555555555555";
  for (let i = 0; i < 2; i++) {
    const r = await emu.request("GET", `${other}/resourcegroups/x?${RV}`);
    assert.equal(r.status, 404, r.text);
    assert.equal(r.body.error.code, "SubscriptionNotFound");
    const g = await emu.request("GET", `${other}/resourceGroups/x/providers/Microsoft.ManagedIdentity/userAssignedIdentities/i?${ID_V}`);
    assert.equal(g.body.error.code, "SubscriptionNotFound");
  }
});
