// Operations that were superseded: a DELETE during a running create wins (the create's later
// stages must not resurrect the cluster); a PUT during a running operation gets 409.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Emulator } from "../../src/emulator.js";
import { tempDir, eventually, SUBSCRIPTION_ID } from "../helpers/emulator.js";
import { clusterBody, clusterId, LOCATION, inProcessArm } from "./helpers.js";

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
  const req = await inProcessArm(emu);
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
    const cascade = async (fail: boolean) => {
      try {
        await emu.env.store.txn((tx) => {
          const record = getRecord(tx, cid)!;
          managedClusterStrategy.delete!({ env: emu.env, tx, record, apiVersion: "2026-06-01", principal: undefined as any, cascade: true } as any);
          deleteRecordTree(tx, cid);
          if (fail) throw new Error("rollback");
        });
      } catch (e) {
        if (!fail) throw e;
      }
    };
    await cascade(true);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(g.removed, [], "rolled back: the cluster's kube state stays");
    assert.ok(getRecord(emu.env.store, cid));
    await cascade(false);
    await eventually(async () => g.removed.includes(cid.toLowerCase()), "removed after commit");
  } finally {
    await emu.close();
  }
});

test("agent pool PUT: cluster busy (409 to a cluster PUT) while it runs; a failed pool operation leaves no Succeeded cluster with phantom nodes", async () => {
  const { emu, req } = await session();
  let mode: "ok" | "block" | "fail" = "ok";
  let release!: () => void;
  let entered!: () => void;
  let inKube = new Promise<void>((r) => (entered = r));
  const backend = {
    async ensureRunning() {
      if (mode === "block") {
        entered();
        await new Promise<void>((r) => (release = r));
      }
      if (mode === "fail") throw new Error("kube boom");
      return { port: 443, caPem: "", adminToken: "a", userToken: "u" };
    },
    stop() {},
    remove() {},
  };
  emu.env.services.set("kube", backend);
  const view = async (cid: string) => (await req("GET", `${cid}/emulatorView?api-version=2026-06-01`)).body;
  const opDone = async (res: any) => eventually(async () => {
    const r = await req("GET", path(res.headers["azure-asyncoperation"] as string));
    return r.body?.status !== "InProgress" ? r.body : undefined;
  }, "operation done");
  try {
    const cid = clusterId("rg", "pools");
    const put = await req("PUT", `${cid}?api-version=2026-06-01`, clusterBody({ count: 1 }));
    assert.equal(put.status, 201, put.text);
    assert.equal((await opDone(put)).status, "Succeeded");
    // 1. busy while the pool operation runs
    mode = "block";
    const p1 = await req("PUT", `${cid}/agentPools/user1?api-version=2026-06-01`, { properties: { count: 2, vmSize: "Standard_DS2_v2", mode: "User" } });
    assert.ok(p1.status === 201 || p1.status === 200, p1.text);
    await inKube;
    const c1 = await req("GET", `${cid}?api-version=2026-06-01`);
    assert.equal(c1.body.properties.provisioningState, "Updating");
    const clash = await req("PUT", `${cid}?api-version=2026-06-01`, clusterBody({ count: 1 }));
    assert.equal(clash.status, 409, clash.text);
    assert.equal(clash.body.error.code, "AnotherOperationInProgress");
    mode = "ok";
    release();
    assert.equal((await opDone(p1)).status, "Succeeded");
    assert.equal((await req("GET", `${cid}?api-version=2026-06-01`)).body.properties.provisioningState, "Succeeded");
    assert.equal((await view(cid)).nodes.filter((n: any) => n.pool === "user1").length, 2);
    // 2. a failing pool operation
    mode = "fail";
    const p2 = await req("PUT", `${cid}/agentPools/user2?api-version=2026-06-01`, { properties: { count: 3, vmSize: "Standard_DS2_v2", mode: "User" } });
    assert.ok(p2.status === 201 || p2.status === 200, p2.text);
    assert.equal((await opDone(p2)).status, "Failed");
    const c2 = (await req("GET", `${cid}?api-version=2026-06-01`)).body;
    assert.notEqual(c2.properties.provisioningState, "Succeeded");
    assert.ok(!c2.properties.agentPoolProfiles.some((p: any) => p.name === "user2"), "the failed pool is not in the cluster");
    assert.equal((await view(cid)).nodes.filter((n: any) => n.pool === "user2").length, 0, "no phantom nodes");
    // the cluster accepts writes again
    mode = "ok";
    const again = await req("PUT", `${cid}?api-version=2026-06-01`, clusterBody({ count: 1 }));
    assert.equal(again.status, 200, again.text);
    assert.equal((await opDone(again)).status, "Succeeded");
    inKube = Promise.resolve();
  } finally {
    mode = "ok";
    release?.();
    await emu.close();
  }
});
