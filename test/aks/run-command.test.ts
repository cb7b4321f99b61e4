// runCommand's 202 points at .../commandResults/{id} (az aks command invoke --no-wait / result),
// which answers 202 while the command runs and the result after.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { Emulator } from "../../src/emulator.js";
import { describeIsolation, isolation, runInSandbox, UNPRIVILEGED_ID } from "../../src/kube/run-command.js";
import { AKSEMU_BIN, tempDir, eventually, startEmulator, SUBSCRIPTION_ID, type RunningEmulator } from "../helpers/emulator.js";
import { clusterBody, clusterId, createCluster, expectError, LOCATION, inProcessArm, post, resourceGroup, STABLE } from "./helpers.js";

test("runCommand: Location is .../commandResults/{id}; 202 while running, result after", async () => {
  const emu = await Emulator.start({ dataDir: tempDir(), port: 0, latency: "instant", allowRunCommand: true });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  emu.env.services.set("kube", {
    async ensureRunning() {
      return { port: 443, caPem: "", adminToken: "a", userToken: "u" };
    },
    stop() {},
    remove() {},
    runCommandAllowed: true,
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

// ---- The emulator-level switch and OS isolation (issue 15's security follow-up). Real emulator
// processes started through the CLI, real kubectl inside the command.

const NOT_ENABLED = "Run command (managedClusters/runCommand, 'az aks command invoke') is off in this emulator: it runs the command on the emulator's machine, and any local user can get a token for it. Start the emulator with 'aksemu start --allow-run-command' (or AKSEMU_ALLOW_RUN_COMMAND=1) to enable it.";

async function invoke(emu: RunningEmulator, cid: string, command: string): Promise<{ exitCode: number; logs: string }> {
  const r = await post(emu, `${cid}/runCommand`, STABLE, { command });
  assert.equal(r.status, 202, r.text);
  const loc = new URL(r.headers.location as string);
  const done = await eventually(async () => {
    const x = await emu.request("GET", loc.pathname + loc.search);
    return x.status === 200 ? x.body : undefined;
  }, `command ${command}`, 60_000, 25);
  return done.properties;
}

test("runCommand is off unless the emulator was started with --allow-run-command; disableRunCommand still answers first", async () => {
  const emu = await startEmulator();
  try {
    assert.match(emu.output(), /^ {2}Run command: +off \('az aks command invoke' is refused; enable with --allow-run-command or AKSEMU_ALLOW_RUN_COMMAND=1\)$/m);
    await resourceGroup(emu, "rg");
    const cid = clusterId("rg", "off");
    const c = await createCluster(emu, "rg", "off", clusterBody({ count: 1 }), STABLE);
    assert.equal(c.cluster?.properties?.provisioningState, "Succeeded", c.res.text);
    const r = await post(emu, `${cid}/runCommand`, STABLE, { command: "id -u > /tmp/ran" });
    expectError(r, 400, "RunCommandNotEnabledInEmulator", NOT_ENABLED);
    const disabled = await createCluster(emu, "rg", "nocmd", clusterBody({ count: 1, extraAsp: { disableRunCommand: true } }), STABLE);
    assert.equal(disabled.cluster?.properties?.provisioningState, "Succeeded", disabled.res.text);
    expectError(await post(emu, `${clusterId("rg", "nocmd")}/runCommand`, STABLE, { command: "true" }), 400, "OperationNotAllowed",
      "Run command is disabled on this cluster (apiServerAccessProfile.disableRunCommand=true).");
  } finally {
    await emu.stop();
  }
});

test("AKSEMU_ALLOW_RUN_COMMAND takes 1 or 0; anything else stops the start", () => {
  const r = spawnSync(process.execPath, [AKSEMU_BIN, "start", "--port", "0", "--data-dir", tempDir()], { encoding: "utf8", env: { ...process.env, AKSEMU_ALLOW_RUN_COMMAND: "yes" } });
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /invalid AKSEMU_ALLOW_RUN_COMMAND 'yes' \(1 or 0\)/);
});

test("enabled (AKSEMU_ALLOW_RUN_COMMAND=1): kubectl reaches the cluster; the command never runs as root and cannot read the data directory", async () => {
  const emu = await startEmulator({ env: { AKSEMU_ALLOW_RUN_COMMAND: "1" } });
  try {
    const iso = await isolation();
    assert.match(emu.output(), new RegExp(`^ {2}Run command: +on: commands run on this machine ${describeIsolation(iso).replace(/[()]/g, "\\$&")}$`, "m"));
    await resourceGroup(emu, "rg");
    const cid = clusterId("rg", "on"); // "on": a YAML 1.1 boolean unless the kubeconfig quotes it
    const c = await createCluster(emu, "rg", "on", clusterBody({ count: 1 }), STABLE);
    assert.equal(c.cluster?.properties?.provisioningState, "Succeeded", c.res.text);
    // The system pods start just after the cluster reports Succeeded: ask again until coredns runs.
    let pods = await invoke(emu, cid, "kubectl get pods -A | grep coredns");
    assert.equal(pods.exitCode, 0, pods.logs);
    await eventually(async () => {
      if (/^kube-system\s+coredns-\S+\s+1\/1\s+Running/m.test(pods.logs)) return true;
      pods = await invoke(emu, cid, "kubectl get pods -A | grep coredns");
      assert.equal(pods.exitCode, 0, pods.logs);
      return false;
    }, "coredns Running, seen through command invoke", 30_000);
    const id = await invoke(emu, cid, "id -u");
    assert.equal(id.exitCode, 0, id.logs);
    const stateDb = path.join(emu.dataDir, "state.db");
    const read = await invoke(emu, cid, `cat ${stateDb} > /dev/null && head -c 16 ${stateDb}`);
    const home = await invoke(emu, cid, `ls ${os.homedir()}`);
    if (process.getuid!() === 0) {
      // As root (CI), the command drops to nobody: not root, and the 0700 data directory is closed to it.
      assert.equal(id.logs.trim(), String(UNPRIVILEGED_ID));
      assert.notEqual(read.exitCode, 0, read.logs);
      assert.doesNotMatch(read.logs, /SQLite format/);
      assert.match(read.logs, /Permission denied|No such file or directory/);
      assert.notEqual(home.exitCode, 0, home.logs);
    } else {
      assert.equal(id.logs.trim(), String(process.getuid!()));
    }
    if (iso.bwrap) {
      // bubblewrap: the data directory and $HOME are not even in view.
      assert.match(read.logs, new RegExp(`cat: ${stateDb.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: No such file or directory`));
      assert.notEqual(home.exitCode, 0, home.logs);
    }
  } finally {
    await emu.stop();
  }
});

test("the sandbox as root without bubblewrap: nobody/nogroup, no supplementary groups, a root-only file stays closed, kubectl still runs", { skip: process.getuid!() !== 0 && "needs root" }, async () => {
  const secret = tempDir();
  fs.chmodSync(secret, 0o700);
  fs.writeFileSync(path.join(secret, "key"), "secret", { mode: 0o600 });
  const r = await runInSandbox("apiVersion: v1\nkind: Config\n", `id -u; id -g; id -G; cat ${secret}/key; kubectl version --client | head -1; echo "HOME=$HOME"`, { isolation: { uid: UNPRIVILEGED_ID } });
  const lines = r.logs.split("\n");
  assert.deepEqual(lines.slice(0, 3), ["65534", "65534", "65534"], r.logs);
  assert.match(r.logs, /Permission denied/);
  assert.doesNotMatch(r.logs, /^secret$/m);
  assert.match(r.logs, /^Client Version: v1\.\d+\.\d+$/m);
  assert.match(r.logs, /^HOME=\/\S*aksemu-runcommand-\S+$/m);
});

test("the sandbox with bubblewrap: only system directories and its own directory in view", async (t) => {
  const iso = await isolation();
  if (!iso.bwrap) return t.skip("bubblewrap is not installed or cannot create a sandbox on this machine");
  const secret = tempDir();
  fs.writeFileSync(path.join(secret, "key"), "secret", { mode: 0o644 });
  const r = await runInSandbox("apiVersion: v1\nkind: Config\n", `test -e ${secret} && echo VISIBLE; ls /; ls /tmp | wc -l; kubectl version --client | head -1; helm version --short 2>/dev/null | head -1; exit 0`, { isolation: iso });
  assert.equal(r.exitCode, 0, r.logs);
  assert.doesNotMatch(r.logs, /VISIBLE/, "a world-readable directory outside the sandbox is not in view");
  assert.doesNotMatch(r.logs, /^(home|root|work|srv|opt|var)$/m, r.logs);
  assert.match(r.logs, /^1$/m, "/tmp holds only the sandbox directory");
  assert.match(r.logs, /^Client Version: v1\.\d+\.\d+$/m);
});

test("the sandbox's timeout kills the whole process group; output is capped", async () => {
  const slow = await runInSandbox("", "sleep 30 & sleep 30; echo never", { timeoutMs: 300 });
  assert.notEqual(slow.exitCode, 0);
  assert.match(slow.logs, /command timed out after 0.3s/);
  assert.doesNotMatch(slow.logs, /never/);
  const big = await runInSandbox("", "head -c 100000 /dev/zero | tr '\\0' x", { maxOutput: 1000 });
  assert.match(big.logs, /^x{1000}\n\[output truncated at 1000 bytes\]\n$/);
});

test("after the command: what it left in the background is killed and its directory is gone", async () => {
  const marker = `${31 + Math.floor(Math.random() * 1000)}.5`; // a sleep no one else runs
  const alive = () =>
    fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d)).some((d) => {
      try {
        return fs.readFileSync(`/proc/${d}/cmdline`, "utf8") === `sleep\0${marker}\0`;
      } catch {
        return false; // the process ended while we looked
      }
    });
  const r = await runInSandbox("", `sleep ${marker} >/dev/null 2>&1 & pwd`);
  assert.equal(r.exitCode, 0, r.logs);
  const dir = r.logs.trim();
  assert.match(dir, /aksemu-runcommand-/);
  assert.equal(fs.existsSync(dir), false, `${dir} removed`);
  await eventually(() => !alive(), `background 'sleep ${marker}' killed`, 5000);
});
