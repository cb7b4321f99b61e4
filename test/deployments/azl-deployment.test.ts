// azl deployment group|sub (the bundled client) against a started emulator: the BYO-VNet
// template deployed from its file with key=value parameters, twice, then what-if, validate
// errors, list, show and delete; a subscription-scope deployment that creates its group.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator, tempDir, type RunningEmulator } from "../helpers/emulator.js";
import { stopEmulator } from "../network/helpers.js";
import { registerVnetIntegrationFeature, resourceGroup } from "../aks/helpers.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const AZL = path.join(ROOT, "dist/azl/azl.js");
const TEMPLATES = path.join(ROOT, "test/fixtures/templates");
const RG = "rg-azl-deploy";

let emu: RunningEmulator;
let home: string;
before(async () => {
  emu = await startEmulator({ latency: "instant" });
  await registerVnetIntegrationFeature(emu);
  await resourceGroup(emu, RG);
  home = tempDir("azl-home-");
});
after(async () => {
  await stopEmulator(emu);
});

function azl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [AZL, ...args], { env: { PATH: process.env.PATH, HOME: home, AKSEMU_ENDPOINT: emu.endpoint, AKSEMU_DATA_DIR: emu.dataDir }, cwd: TEMPLATES, timeout: 120_000 }, (err, stdout, stderr) =>
      res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test("azl deployment group create (twice), what-if, validate, list, show, delete", async () => {
  let names: unknown;
  for (const run of [1, 2]) {
    const c = await azl("deployment", "group", "create", "-g", RG, "--template-file", "byo-vnet.json", "-p", "clusterName=azl1", "nodeCount=2", "-o", "json");
    assert.equal(c.code, 0, c.stderr);
    const out = JSON.parse(c.stdout);
    assert.equal(out.name, "byo-vnet", "the name defaults to the template file's base name, as az does");
    assert.equal(out.properties.provisioningState, "Succeeded");
    assert.deepEqual(out.properties.parameters.nodeCount, { type: "Int", value: 2 });
    if (run === 1) names = out.properties.outputs.roleAssignmentNames.value;
    else assert.deepEqual(out.properties.outputs.roleAssignmentNames.value, names);
  }
  const w = await azl("deployment", "group", "what-if", "-g", RG, "--template-file", "byo-vnet.json", "-p", "clusterName=azl1", "nodeCount=2", "--no-pretty-print", "-o", "json");
  assert.equal(w.code, 0, w.stderr);
  assert.deepEqual(JSON.parse(w.stdout).changes.map((c: { changeType: string }) => c.changeType), ["NoChange", "NoChange", "NoChange", "NoChange", "NoChange"]);
  const bad = await azl("deployment", "group", "validate", "-g", RG, "--template-file", "byo-vnet.json", "-p", "clusterName=azl1", "networkPlugin=cilium");
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /is not part of the allowed value\(s\)/);
  const unknown = await azl("deployment", "group", "validate", "-g", RG, "--template-file", "byo-vnet.json", "-p", "nope=1");
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /unrecognized template parameter 'nope'\. Allowed parameters: location, clusterName/);
  const l = await azl("deployment", "group", "list", "-g", RG, "--query", "[].name", "-o", "tsv");
  assert.equal(l.stdout.trim(), "byo-vnet");
  const s = await azl("deployment", "group", "show", "-g", RG, "-n", "byo-vnet", "--query", "properties.outputs.nodeResourceGroup.value", "-o", "tsv");
  assert.equal(s.stdout.trim(), `MC_${RG}_azl1_westus2`);
  const d = await azl("deployment", "group", "delete", "-g", RG, "-n", "byo-vnet");
  assert.equal(d.code, 0, d.stderr);
  assert.notEqual((await azl("deployment", "group", "show", "-g", RG, "-n", "byo-vnet")).code, 0);
});

test("azl deployment sub create makes the resource group and deploys into it", async () => {
  const c = await azl("deployment", "sub", "create", "-l", "westus2", "--template-file", "sub-rg-nested.json", "-p", "rgName=rg-azl-sub", "-o", "json");
  assert.equal(c.code, 0, c.stderr);
  assert.match(JSON.parse(c.stdout).properties.outputs.vnetId.value, /resourceGroups\/rg-azl-sub\/providers\/Microsoft.Network\/virtualNetworks\/rg-azl-sub-vnet$/);
  const l = await azl("deployment", "sub", "list", "--query", "[].name", "-o", "tsv");
  assert.equal(l.stdout.trim(), "sub-rg-nested");
});

test("azl deployment group create --mode Complete removes what the template no longer has; cancel of a finished deployment is refused", async () => {
  const rg = "rg-azl-complete";
  await resourceGroup(emu, rg);
  const ids = (names: string[]) => ({ contentVersion: "1.0.0.0", resources: names.map((name) => ({ type: "Microsoft.ManagedIdentity/userAssignedIdentities", apiVersion: "2023-01-31", name, location: "westus2" })) });
  fs.writeFileSync(path.join(home, "two.json"), JSON.stringify(ids(["keep", "drop"])));
  fs.writeFileSync(path.join(home, "one.json"), JSON.stringify(ids(["keep"])));
  const c = await azl("deployment", "group", "create", "-g", rg, "-n", "ids", "--template-file", path.join(home, "two.json"), "-o", "json");
  assert.equal(c.code, 0, c.stderr);
  const w = await azl("deployment", "group", "what-if", "-g", rg, "-n", "ids", "--template-file", path.join(home, "one.json"), "--mode", "Complete", "--no-pretty-print", "-o", "json");
  assert.deepEqual(JSON.parse(w.stdout).changes.map((x: { changeType: string; resourceId: string }) => `${x.changeType} ${x.resourceId.split("/").pop()}`), ["Delete drop", "NoChange keep"]);
  const complete = await azl("deployment", "group", "create", "-g", rg, "-n", "ids", "--template-file", path.join(home, "one.json"), "--mode", "Complete", "-o", "json");
  assert.equal(complete.code, 0, complete.stderr);
  assert.equal(JSON.parse(complete.stdout).properties.mode, "Complete");
  const l = await azl("identity", "list", "-g", rg, "--query", "[].name", "-o", "tsv");
  assert.equal(l.stdout.trim(), "keep");
  const cancel = await azl("deployment", "group", "cancel", "-g", rg, "-n", "ids");
  assert.notEqual(cancel.code, 0);
  assert.match(cancel.stderr, /DeploymentCannotBeCancelled|cannot be cancelled: its provisioning state is 'Succeeded'/);
});
