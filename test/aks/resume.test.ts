// A crash during create: the operation engine re-runs the current stage after a restart; stages
// are idempotent, so the cluster finishes with the same addresses and nothing held twice.
import { test } from "node:test";
import assert from "node:assert/strict";
import { eventually, startEmulator, tempDir } from "../helpers/emulator.js";
import { NRP, STABLE, clusterBody, clusterId, del, get, put, resourceGroup, rgId, view } from "./helpers.js";

test("kill -9 while Creating, restart: the create resumes and holds each address once", async () => {
  const dataDir = tempDir();
  let emu = await startEmulator({ dataDir, latency: "fast" });
  try {
    await resourceGroup(emu, "rg");
    const { res } = await put(emu, clusterId("rg", "c1"), clusterBody({ integrate: true, count: 2 }), STABLE, false);
    assert.equal(res.status, 201, res.text);
    // wait until the endpoint and nodes exist but the operation has not finished, then crash
    const mid = await eventually(async () => {
      const v = await view(emu, "rg", "c1");
      return v.provisioningState === "Creating" && v.apiServer && v.nodes.length === 2 ? v : undefined;
    }, "cluster mid-create", 20_000, 10);
    await emu.kill9();
    emu = await startEmulator({ dataDir, latency: "instant" });
    const done = await eventually(async () => {
      const c = (await get(emu, clusterId("rg", "c1"), STABLE)).body;
      return c?.properties?.provisioningState === "Succeeded" ? c : undefined;
    }, "resumed create", 20_000);
    const v = await view(emu, "rg", "c1");
    assert.equal(v.apiServer.address, mid.apiServer.address);
    assert.deepEqual(v.nodes.map((n: any) => n.internalIP), mid.nodes.map((n: any) => n.internalIP));
    const api = (await get(emu, v.apiServer.subnetId, NRP)).body;
    assert.equal(api.properties.ipConfigurations.length, 1);
    // 9 of the 11 usable addresses of the /28 are taken exactly once: a 10th cannot fit twice over
    assert.equal(v.apiServer.reservedAddresses.length, 9);
    await del(emu, clusterId("rg", "c1"), STABLE);
    assert.equal((await emu.request("GET", `${rgId(done.properties.nodeResourceGroup)}?api-version=2021-04-01`)).status, 404);
  } finally {
    await emu.stop();
  }
});
