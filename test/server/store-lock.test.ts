// Another process holding SQLite's write lock on state.db for 3 s: writes in that window get a
// retryable 503 in the ARM envelope, reads keep working, the emulator survives and recovers.
// Before the fix the process died on `database is locked`.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { spawn } from "node:child_process";
import { REPO_ROOT, startEmulator, SUBSCRIPTION_ID } from "../helpers/emulator.js";
import { clusterBody, clusterId, put, registerVnetIntegrationFeature, resourceGroup, PREVIEW } from "../aks/helpers.js";

/** Hold a write lock on the database for `ms`; resolves once the lock is taken, `released` when let go. */
async function holdWriteLock(db: string, ms: number): Promise<{ released: Promise<void> }> {
  const script = `const D = require("better-sqlite3"); const db = new D(process.argv[1]); db.exec("BEGIN IMMEDIATE");
    console.log("locked"); setTimeout(() => { db.exec("ROLLBACK"); db.close(); console.log("released"); }, Number(process.argv[2]));`;
  const p = spawn(process.execPath, ["-e", script, db, String(ms)], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  await new Promise<void>((resolve, reject) => {
    p.stdout.on("data", (c) => {
      out += c;
      if (out.includes("locked")) resolve();
    });
    p.on("exit", (code) => reject(new Error(`lock holder exited ${code}: ${out}`)));
  });
  return { released: new Promise((resolve) => p.on("exit", () => resolve())) };
}

test("database is locked by another process: 503 + Retry-After for that request, the emulator survives and recovers", async () => {
  // "fast" latency: the cluster's create operation is still running when the lock is taken.
  const emu = await startEmulator({ latency: "fast" });
  try {
    await registerVnetIntegrationFeature(emu);
    await resourceGroup(emu, "rg1");
    const { res } = await put(emu, clusterId("rg1", "c1"), clusterBody({ integrate: true }), PREVIEW, false);
    assert.equal(res.status, 201, res.text);

    const lock = await holdWriteLock(path.join(emu.dataDir, "state.db"), 3000);
    const during = await emu.request("GET", `${clusterId("rg1", "c1")}?api-version=${PREVIEW}`);
    assert.equal(during.body.properties.provisioningState, "Creating", "the operation meets the lock");
    const seen: number[] = [];
    let busy: any;
    let released = false;
    void lock.released.then(() => (released = true));
    for (let i = 0; !released; i++) {
      const w = await emu.request("PUT", `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/locked-${i}?api-version=2021-04-01`, { location: "westeurope" });
      seen.push(w.status);
      if (w.status === 503) busy = w;
      else assert.equal(w.status, 201, `a write answers 503 while locked, 201 once released: ${w.text}`);
      const r = await emu.request("GET", `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/rg1?api-version=2021-04-01`);
      assert.equal(r.status, 200, "reads are not blocked by a writer (WAL)");
    }
    assert.ok(busy, `at least one write met the lock: ${seen}`);
    assert.equal(busy.body.error.code, "ServiceUnavailable");
    assert.ok(Number(busy.headers["retry-after"]) > 0, "Retry-After");
    assert.equal(emu.proc.exitCode, null, "still running");

    // Recovered: writes go through, the cluster's operation finishes.
    const after = await emu.request("PUT", `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/after?api-version=2021-04-01`, { location: "westeurope" });
    assert.equal(after.status, 201, after.text);
    for (let i = 0; i < 600; i++) {
      const c = await emu.request("GET", `${clusterId("rg1", "c1")}?api-version=${PREVIEW}`);
      if (c.body.properties.provisioningState === "Succeeded") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const c = await emu.request("GET", `${clusterId("rg1", "c1")}?api-version=${PREVIEW}`);
    assert.equal(c.body.properties.provisioningState, "Succeeded", "the interrupted operation was retried, not failed");
    assert.equal(emu.proc.exitCode, null, emu.output());
  } finally {
    await emu.stop();
  }
});
