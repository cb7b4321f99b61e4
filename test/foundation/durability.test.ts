// Durability: every write the emulator acknowledged (2xx received) survives a kill -9 in the
// middle of a burst of concurrent writes, with the content that was acknowledged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startEmulator, rawRequest, SUBSCRIPTION_ID, type RunningEmulator } from "../helpers/emulator.js";
import { shutdown } from "./util.js";

const SUB = `/subscriptions/${SUBSCRIPTION_ID}`;
const BURST = 240;

interface Ack {
  path: string;
  kind: "rg" | "identity";
  principalId?: string;
  clientId?: string;
}

test("acknowledged writes survive kill -9 mid-burst", async () => {
  let emu: RunningEmulator | undefined = await startEmulator();
  let emu2: RunningEmulator | undefined;
  try {
    const dataDir = emu.dataDir;
    assert.equal((await emu.request("PUT", `${SUB}/resourcegroups/dur-base?api-version=2021-04-01`, { location: "eastus" })).status, 201);
    const token = await emu.token();
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const acked: Ack[] = [];
    let failed = 0;
    let killed = false;
    const first = emu;
    const killAt = Math.floor(BURST / 3);
    let killing: Promise<void> | undefined;

    const one = async (i: number): Promise<void> => {
      const kind: Ack["kind"] = i % 2 === 0 ? "rg" : "identity";
      const path =
        kind === "rg"
          ? `${SUB}/resourcegroups/dur-rg-${i}?api-version=2021-04-01`
          : `${SUB}/resourceGroups/dur-base/providers/Microsoft.ManagedIdentity/userAssignedIdentities/dur-id-${i}?api-version=2023-01-31`;
      try {
        const r = await rawRequest(first.endpoint, first.caPem, "PUT", path, JSON.stringify({ location: "eastus", tags: { i: String(i) } }), headers);
        if (r.status >= 200 && r.status < 300) {
          acked.push({ path, kind, principalId: r.body?.properties?.principalId, clientId: r.body?.properties?.clientId });
          if (!killed && acked.length >= killAt) {
            killed = true;
            killing = first.kill9();
          }
        } else failed++;
      } catch {
        failed++; // connection reset by the kill: not acknowledged, may or may not be there
      }
    };
    await Promise.all(Array.from({ length: BURST }, (_, i) => one(i)));
    if (!killed) {
      // Every write was acknowledged before the kill threshold could interrupt anything: kill now.
      killed = true;
      killing = first.kill9();
    }
    await killing;
    console.log(`durability: ${acked.length} acknowledged, ${failed} failed or unknown at kill -9`);
    assert.ok(acked.length >= killAt, `at least ${killAt} writes were acknowledged (got ${acked.length}, ${failed} failed/unknown)`);

    emu2 = await startEmulator({ dataDir });
    emu = undefined;
    const missing: string[] = [];
    for (const a of acked) {
      const r = await emu2.request("GET", a.path);
      if (r.status !== 200) {
        missing.push(`${a.path} -> ${r.status}`);
        continue;
      }
      if (a.kind === "identity") {
        assert.equal(r.body.properties.principalId, a.principalId, `${a.path}: acknowledged principalId`);
        assert.equal(r.body.properties.clientId, a.clientId, `${a.path}: acknowledged clientId`);
        const sp = await emu2.request("GET", `/v1.0/servicePrincipals/${a.principalId}`);
        assert.equal(sp.status, 200, `${a.path}: its service principal is there too`);
      }
    }
    assert.deepEqual(missing, [], "every acknowledged write is present after restart");
    // The restarted emulator takes writes again.
    assert.equal((await emu2.request("PUT", `${SUB}/resourcegroups/dur-after?api-version=2021-04-01`, { location: "eastus" })).status, 201);
  } finally {
    await shutdown(emu);
    await shutdown(emu2);
  }
});
