// runCommand's 202 points at .../commandResults/{id} (az aks command invoke --no-wait / result),
// which answers 202 while the command runs and the result after.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Emulator } from "../../src/emulator.js";
import { tempDir, eventually, SUBSCRIPTION_ID } from "../helpers/emulator.js";
import { clusterBody, clusterId, LOCATION, inProcessArm } from "./helpers.js";

test("runCommand: Location is .../commandResults/{id}; 202 while running, result after", async () => {
  const emu = await Emulator.start({ dataDir: tempDir(), port: 0, latency: "instant" });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  emu.env.services.set("kube", {
    async ensureRunning() {
      return { port: 443, caPem: "", adminToken: "a", userToken: "u" };
    },
    stop() {},
    remove() {},
    async runCommand(_id: string, command: string) {
      await gate;
      return { exitCode: 0, logs: `ran: ${command}\n` };
    },
  });
  try {
    const req = await inProcessArm(emu);
    assert.equal((await req("PUT", `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg?api-version=2021-04-01`, { location: LOCATION })).status, 201);
    const cid = clusterId("rg", "rc");
    assert.equal((await req("PUT", `${cid}?api-version=2026-06-01`, clusterBody({ count: 1 }))).status, 201);
    await eventually(async () => (await req("GET", `${cid}?api-version=2026-06-01`)).body?.properties?.provisioningState === "Succeeded", "Succeeded");
    const run = await req("POST", `${cid}/runCommand?api-version=2026-06-01`, { command: "kubectl get ns" });
    assert.equal(run.status, 202, run.text);
    const loc = new URL(run.headers["location"] as string);
    // az's no-wait path takes the id with /commandResults\/(\w*)\?/: 32 hex digits, as AKS uses.
    const m = /\/managedClusters\/rc\/commandResults\/([0-9a-f]{32})$/.exec(loc.pathname);
    assert.ok(/commandResults\/(\w*)\?/.exec(loc.toString())?.[1] === m?.[1], loc.toString());
    assert.ok(m, loc.pathname);
    assert.equal(loc.searchParams.get("api-version"), "2026-06-01");
    const running = await req("GET", loc.pathname + loc.search);
    assert.equal(running.status, 202, running.text);
    assert.equal(running.body.properties.provisioningState, "Running");
    release();
    const done = await eventually(async () => {
      const r = await req("GET", loc.pathname + loc.search);
      return r.status === 200 ? r.body : undefined;
    }, "command result");
    assert.equal(done.id, m![1]);
    assert.equal(done.properties.provisioningState, "Succeeded");
    assert.equal(done.properties.exitCode, 0);
    assert.equal(done.properties.logs, "ran: kubectl get ns\n");
  } finally {
    release();
    await emu.close();
  }
});
