// Operations that were superseded: a DELETE during a running create wins (the create's later
// stages must not resurrect the cluster); a PUT during a running operation gets 409.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Emulator } from "../../src/emulator.js";
import { tempDir, rawRequest, eventually, SUBSCRIPTION_ID, TENANT_ID } from "../helpers/emulator.js";
import { clusterBody, clusterId, LOCATION } from "./helpers.js";

/** A KubeBackend whose ensureRunning waits until released (the create is "in the kube stage"). */
function gatedBackend() {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inKube = new Promise<void>((r) => (entered = r));
  const removed: string[] = [];
  let releaseRemove!: () => void;
  const removeGate = new Promise<void>((r) => (releaseRemove = r));
  const backend = {
    async ensureRunning() {
      entered();
      await gate;
      return { port: 443, caPem: "", adminToken: "a", userToken: "u" };
    },
    stop() {},
    async remove(id: string) {
      removed.push(id);
      await removeGate;
    },
  };
  return { backend, release, inKube, removed, releaseRemove };
}

async function session() {
  const emu = await Emulator.start({ dataDir: tempDir(), port: 0, latency: "instant" });
  const tok = await rawRequest(emu.endpoint, emu.pki.caPem, "POST", `/${TENANT_ID}/oauth2/v2.0/token`,
    `grant_type=client_credentials&client_id=t&client_secret=x&scope=${encodeURIComponent(emu.endpoint + "/.default")}`, { "content-type": "application/x-www-form-urlencoded" });
  const h = { authorization: `Bearer ${tok.body.access_token}`, "content-type": "application/json" };
  const req = (m: string, p: string, b?: unknown) => rawRequest(emu.endpoint, emu.pki.caPem, m, p, b === undefined ? undefined : JSON.stringify(b), h);
  assert.equal((await req("PUT", `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg?api-version=2021-04-01`, { location: LOCATION })).status, 201);
  return { emu, req };
}

const path = (u: string) => new URL(u).pathname + new URL(u).search;

test("DELETE during a running create wins; PUT during it gets 409 AnotherOperationInProgress", async () => {
  const { emu, req } = await session();
  const g = gatedBackend();
  emu.env.services.set("kube", g.backend);
  try {
    const cid = clusterId("rg", "sup");
    const put = await req("PUT", `${cid}?api-version=2026-06-01`, clusterBody({ count: 1 }));
    assert.equal(put.status, 201, put.text);
    await g.inKube;
    const again = await req("PUT", `${cid}?api-version=2026-06-01`, clusterBody({ count: 2 }));
    assert.equal(again.status, 409, again.text);
    assert.equal(again.body.error.code, "AnotherOperationInProgress");
    const del = await req("DELETE", `${cid}?api-version=2026-06-01`);
    assert.equal(del.status, 202, del.text);
    // The delete is running (blocked in remove) when the create's kube stage comes back.
    g.release();
    const createOp = await eventually(async () => {
      const r = await req("GET", path(put.headers["azure-asyncoperation"] as string));
      return r.body?.status !== "InProgress" ? r.body : undefined;
    }, "create done");
    assert.notEqual(createOp.status, "Succeeded", JSON.stringify(createOp));
    assert.equal(createOp.error?.code, "OperationPreempted", JSON.stringify(createOp));
    const mid = await req("GET", `${cid}?api-version=2026-06-01`);
    assert.equal(mid.body?.properties?.provisioningState, "Deleting", "the create's finish did not overwrite the delete");
    g.releaseRemove();
    const delOp = await eventually(async () => {
      const r = await req("GET", path(del.headers["azure-asyncoperation"] as string));
      return r.body?.status !== "InProgress" ? r.body : undefined;
    }, "delete done");
    assert.equal(delOp.status, "Succeeded", JSON.stringify(delOp));
    assert.equal((await req("GET", `${cid}?api-version=2026-06-01`)).status, 404, "the delete won");
    assert.ok(g.removed.includes(cid.toLowerCase()), "kube state removed");
  } finally {
    g.release();
    g.releaseRemove();
    await emu.close();
  }
});

test("resource-group cascade: kube state is removed only after the cascade's transaction committed", async () => {
  const { managedClusterStrategy } = await import("../../src/providers/containerservice/cluster.js");
  const { getRecord, deleteRecordTree } = await import("../../src/arm/repo.js");
  const { emu, req } = await session();
  const g = gatedBackend();
  g.release();
  g.releaseRemove();
  emu.env.services.set("kube", g.backend);
  try {
    const cid = clusterId("rg", "casc");
    const put = await req("PUT", `${cid}?api-version=2026-06-01`, clusterBody({ count: 1 }));
    assert.equal(put.status, 201, put.text);
    await eventually(async () => (await req("GET", `${cid}?api-version=2026-06-01`)).body?.properties?.provisioningState === "Succeeded", "Succeeded");
    const cascade = (fail: boolean) => {
      try {
        emu.env.store.txn((tx) => {
          const record = getRecord(tx, cid)!;
          managedClusterStrategy.delete!({ env: emu.env, tx, record, apiVersion: "2026-06-01", principal: undefined as any, cascade: true } as any);
          deleteRecordTree(tx, cid);
          if (fail) throw new Error("rollback");
        });
      } catch (e) {
        if (!fail) throw e;
      }
    };
    cascade(true);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(g.removed, [], "rolled back: the cluster's kube state stays");
    assert.ok(getRecord(emu.env.store, cid));
    cascade(false);
    await eventually(async () => g.removed.includes(cid.toLowerCase()), "removed after commit");
  } finally {
    await emu.close();
  }
});
