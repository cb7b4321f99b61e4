// `az deployment group validate|create|show` (the current az from .tools/az-venv) against a started
// emulator: the seed's BYO-VNet template as a file, parameters as key=value, exactly as a user runs
// it. az sends the template after an unquoted `template:` key, validates first, then PUTs and polls.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator, type RunningEmulator } from "../helpers/emulator.js";
import { setupAz, type Az } from "../helpers/az.js";
import { CURRENT_AZ } from "../helpers/clients.js";
import { stopEmulator } from "../network/helpers.js";
import { registerVnetIntegrationFeature, resourceGroup } from "../aks/helpers.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const TEMPLATES = path.join(ROOT, "test/fixtures/templates");
const TEMPLATE = path.join(TEMPLATES, "byo-vnet.json");
const RG = "rg-az-deploy";

let emu: RunningEmulator;
let az: Az;
before(async () => {
  emu = await startEmulator({ latency: "instant" });
  await registerVnetIntegrationFeature(emu);
  await resourceGroup(emu, RG);
  az = (await setupAz(emu, { azPath: CURRENT_AZ, timeoutMs: 600_000 })).az;
});
after(async () => {
  await stopEmulator(emu);
});

test("az deployment group validate, create (twice), what-if and show with the BYO-VNet template", { timeout: 900_000 }, async () => {
  const v = await az(["deployment", "group", "validate", "-g", RG, "-n", "byo", "--template-file", TEMPLATE, "-p", "clusterName=azc1", "-o", "json"], { timeoutMs: 300_000 });
  assert.equal(v.code, 0, v.stderr);
  assert.equal(JSON.parse(v.stdout).properties.provisioningState, "Succeeded");
  const before = await az(["deployment", "group", "what-if", "-g", RG, "-n", "byo", "--template-file", TEMPLATE, "-p", "clusterName=azc1", "nodeCount=2", "--no-pretty-print", "-o", "json"], { timeoutMs: 300_000 });
  assert.equal(before.code, 0, before.stderr);
  assert.deepEqual((JSON.parse(before.stdout).changes as { changeType: string }[]).map((c) => c.changeType), ["Create", "Create", "Create", "Create", "Create"], "what-if before the first run lists every create");
  let names: unknown;
  for (const run of [1, 2]) {
    const c = await az(["deployment", "group", "create", "-g", RG, "-n", "byo", "--template-file", TEMPLATE, "-p", "clusterName=azc1", "nodeCount=2", "-o", "json"], { timeoutMs: 300_000 });
    assert.equal(c.code, 0, `run ${run}: ${c.stderr}`);
    const out = JSON.parse(c.stdout);
    assert.equal(out.properties.provisioningState, "Succeeded");
    assert.equal(out.properties.outputs.nodeResourceGroup.value, `MC_${RG}_azc1_westus2`);
    if (run === 1) names = out.properties.outputs.roleAssignmentNames.value;
    else assert.deepEqual(out.properties.outputs.roleAssignmentNames.value, names, "the second run keeps the role assignment names");
  }
  const w = await az(["deployment", "group", "what-if", "-g", RG, "-n", "byo", "--template-file", TEMPLATE, "-p", "clusterName=azc1", "nodeCount=2", "--no-pretty-print", "-o", "json"], { timeoutMs: 300_000 });
  assert.equal(w.code, 0, w.stderr);
  const changes = JSON.parse(w.stdout).changes as { changeType: string }[];
  assert.deepEqual(changes.map((c) => c.changeType), ["NoChange", "NoChange", "NoChange", "NoChange", "NoChange"], "what-if after the run lists NoChange");
  const s = await az(["deployment", "group", "show", "-g", RG, "-n", "byo", "--query", "properties.parameters.nodeCount.value", "-o", "tsv"]);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(s.stdout.trim(), "2");
  const bad = await az(["deployment", "group", "create", "-g", RG, "-n", "bad", "--template-file", TEMPLATE, "-p", "clusterName=azc2", "networkPlugin=cilium"], { timeoutMs: 300_000 });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /InvalidTemplate/);
  assert.match(bad.stderr, /The provided value for the template parameter 'networkPlugin' at line '\d+' and column '\d+' is not valid\. The parameter value is not part of the allowed value\(s\)\./);
});

test("az deployment group create with the AKS quickstart-style template; az deployment sub create makes a group and deploys into it", { timeout: 900_000 }, async () => {
  const c = await az(["deployment", "group", "create", "-g", RG, "-n", "quickstart", "--template-file", path.join(TEMPLATES, "aks-quickstart.json"), "-p", "clusterName=azqs", "agentCount=1", "-o", "json"], { timeoutMs: 300_000 });
  assert.equal(c.code, 0, c.stderr);
  const out = JSON.parse(c.stdout).properties.outputs;
  assert.equal(out.nodeResourceGroup.value, `MC_${RG}_azqs_westus2`);
  const fqdn = await az(["aks", "show", "-g", RG, "-n", "azqs", "--query", "fqdn", "-o", "tsv"]);
  assert.equal(fqdn.code, 0, fqdn.stderr);
  assert.equal(out.controlPlaneFQDN.value, fqdn.stdout.trim());
  const sub = await az(["deployment", "sub", "create", "-n", "azsub", "-l", "westus2", "--template-file", path.join(TEMPLATES, "sub-rg-nested.json"), "-p", "rgName=rg-az-sub", "-o", "json"], { timeoutMs: 300_000 });
  assert.equal(sub.code, 0, sub.stderr);
  const subOut = JSON.parse(sub.stdout).properties.outputs;
  assert.match(subOut.vnetId.value, /\/resourceGroups\/rg-az-sub\/providers\/Microsoft\.Network\/virtualNetworks\/rg-az-sub-vnet$/);
  const ids = await az(["identity", "list", "-g", "rg-az-sub", "--query", "[].name", "-o", "tsv"]);
  assert.deepEqual(ids.stdout.trim().split(/\s+/).sort(), ["rg-az-sub-id", "rg-az-sub-outer-id"]);
});

test("az deployment group create --mode Complete deletes what the template no longer has; what-if --mode Complete shows it as Delete", { timeout: 900_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "az-complete-"));
  const ids = (names: string[]) => ({ $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", contentVersion: "1.0.0.0", resources: names.map((name) => ({ type: "Microsoft.ManagedIdentity/userAssignedIdentities", apiVersion: "2023-01-31", name, location: "westus2" })) });
  fs.writeFileSync(path.join(dir, "two.json"), JSON.stringify(ids(["keep", "drop"])));
  fs.writeFileSync(path.join(dir, "one.json"), JSON.stringify(ids(["keep"])));
  const rg = "rg-az-complete";
  await resourceGroup(emu, rg);
  const c = await az(["deployment", "group", "create", "-g", rg, "-n", "ids", "--template-file", path.join(dir, "two.json"), "-o", "json"], { timeoutMs: 300_000 });
  assert.equal(c.code, 0, c.stderr);
  const w = await az(["deployment", "group", "what-if", "-g", rg, "-n", "ids", "--template-file", path.join(dir, "one.json"), "--mode", "Complete", "--no-pretty-print", "-o", "json"], { timeoutMs: 300_000 });
  assert.equal(w.code, 0, w.stderr);
  assert.deepEqual((JSON.parse(w.stdout).changes as { changeType: string; resourceId: string }[]).map((x) => `${x.changeType} ${x.resourceId.split("/").pop()}`), ["Delete drop", "NoChange keep"]);
  const complete = await az(["deployment", "group", "create", "-g", rg, "-n", "ids", "--template-file", path.join(dir, "one.json"), "--mode", "Complete", "-o", "json"], { timeoutMs: 300_000 });
  assert.equal(complete.code, 0, complete.stderr);
  assert.equal(JSON.parse(complete.stdout).properties.mode, "Complete");
  const l = await az(["identity", "list", "-g", rg, "--query", "[].name", "-o", "tsv"]);
  assert.equal(l.stdout.trim(), "keep");
  const ops = await az(["deployment", "operation", "group", "list", "-g", rg, "-n", "ids", "--query", "[?properties.provisioningOperation=='Delete'].properties.targetResource.resourceName", "-o", "tsv"]);
  assert.equal(ops.code, 0, ops.stderr);
  assert.equal(ops.stdout.trim(), "drop");
});
