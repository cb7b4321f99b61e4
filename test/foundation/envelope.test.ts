// The ARM envelope (`location`, `tags`) is read the same way by PUT and PATCH of every type: a value
// ARM cannot read is a 400 before anything is stored, so it never wedges an existing resource
// (issue 10 #5: `"location": {"$ref":"#"}` used to be stored and break every later PUT).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startEmulator, type RunningEmulator } from "../helpers/emulator.js";
import { stopEmulator } from "../network/helpers.js";
import { LOCATION, NRP, PREVIEW, clusterBody, clusterId, createCluster, get, ok, registerVnetIntegrationFeature, resourceGroup, rgId, withApi } from "../aks/helpers.js";

let emu: RunningEmulator;
const RG = "rg-envelope";

interface Target {
  what: string;
  id: string;
  apiVersion: string;
  body: Record<string, unknown>;
  /** The provider's code for an unreadable envelope. */
  code: string;
}

const targets: Target[] = [
  { what: "identity", id: `${rgId(RG)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1`, apiVersion: "2023-01-31", body: { location: LOCATION }, code: "InvalidRequestContent" },
  { what: "vnet", id: `${rgId(RG)}/providers/Microsoft.Network/virtualNetworks/vn1`, apiVersion: NRP,
    body: { location: LOCATION, properties: { addressSpace: { addressPrefixes: ["10.9.0.0/16"] } } }, code: "InvalidRequestFormat" },
  { what: "nsg", id: `${rgId(RG)}/providers/Microsoft.Network/networkSecurityGroups/nsg1`, apiVersion: NRP, body: { location: LOCATION, properties: {} }, code: "InvalidRequestFormat" },
  { what: "cluster", id: clusterId(RG, "c1"), apiVersion: PREVIEW, body: clusterBody({ count: 1 }), code: "InvalidParameter" },
];

before(async () => {
  emu = await startEmulator();
  await registerVnetIntegrationFeature(emu);
  await resourceGroup(emu, RG);
  for (const t of targets) {
    if (t.what === "cluster") {
      const { res, op } = await createCluster(emu, RG, "c1", t.body);
      assert.equal(res.status, 201, res.text);
      assert.equal(op.status, "Succeeded", JSON.stringify(op));
    } else await ok(emu, t.id, t.body, t.apiVersion);
  }
});
after(() => stopEmulator(emu));

test("PUT with a non-string location is a 400 and leaves the resource as it was (identity, VNet, NSG, cluster)", async () => {
  for (const t of targets) {
    const before = (await get(emu, t.id, t.apiVersion)).body;
    for (const location of [{ $ref: "#" }, -0.5, [], true, 7]) {
      const r = await emu.request("PUT", withApi(t.id, t.apiVersion), { ...t.body, location });
      assert.equal(r.status, 400, `${t.what} ${JSON.stringify(location)}: ${r.text}`);
      assert.equal(r.body.error.code, t.code, r.text);
      assert.match(r.text, /location/, r.text);
    }
    const after = (await get(emu, t.id, t.apiVersion)).body;
    assert.equal(after.location, before.location, `${t.what}: location unchanged`);
    // A valid PUT still works afterwards (nothing wedged).
    const r = await emu.request("PUT", withApi(t.id, t.apiVersion), t.body);
    assert.equal(r.status, 200, `${t.what}: valid PUT after the rejected ones: ${r.text}`);
  }
});

test("PATCH validates tags as PUT does, for every type; a rejected PATCH changes nothing", async () => {
  const all = [...targets, { what: "resource group", id: rgId(RG), apiVersion: "2021-04-01", body: {}, code: "InvalidRequestContent" }];
  for (const t of all) {
    const ok1 = await emu.request("PATCH", withApi(t.id, t.apiVersion), { tags: { keep: "me" } });
    assert.equal(ok1.status, 200, `${t.what}: ${ok1.text}`);
    if (t.what === "cluster") await waitNotBusy(t);
    for (const tags of [{ a: { b: 1 } }, { a: 1 }, { a: null }, ["x"], "x"]) {
      const put = await emu.request("PUT", withApi(t.id, t.apiVersion), { ...t.body, location: LOCATION, tags });
      const patch = await emu.request("PATCH", withApi(t.id, t.apiVersion), { tags });
      if (t.what !== "resource group") assert.equal(put.status, 400, `${t.what} PUT ${JSON.stringify(tags)}: ${put.text}`);
      assert.equal(patch.status, 400, `${t.what} PATCH ${JSON.stringify(tags)}: ${patch.text}`);
      assert.equal(patch.body.error.code, t.code, patch.text);
      assert.match(patch.text, /tags/, patch.text);
    }
    const now = (await get(emu, t.id, t.apiVersion)).body;
    assert.deepEqual(now.tags, { keep: "me" }, `${t.what}: rejected PATCHes changed nothing`);
  }
});

async function waitNotBusy(t: Target): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const ps = (await get(emu, t.id, t.apiVersion)).body?.properties?.provisioningState;
    if (ps === "Succeeded" || ps === "Failed") return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${t.what} stayed busy`);
}
