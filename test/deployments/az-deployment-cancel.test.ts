// `az deployment group cancel` (the current az from .tools/az-venv) against an emulator with
// realistic latency, where a cluster takes minutes: started with --no-wait, canceled, shown
// Canceled, the resource after the cluster never started; a second cancel is refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmulator, type RunningEmulator } from "../helpers/emulator.js";
import { setupAz, type Az } from "../helpers/az.js";
import { CURRENT_AZ } from "../helpers/clients.js";
import { stopEmulator } from "../network/helpers.js";
import { resourceGroup } from "../aks/helpers.js";

const RG = "rg-az-cancel";
let emu: RunningEmulator;
let az: Az;
before(async () => {
  emu = await startEmulator({ latency: "realistic" });
  await resourceGroup(emu, RG);
  az = (await setupAz(emu, { azPath: CURRENT_AZ, timeoutMs: 600_000 })).az;
});
after(async () => {
  await stopEmulator(emu);
});

test("az deployment group cancel stops a running deployment: Canceled, nothing after the cluster starts; a second cancel is DeploymentCannotBeCancelled", { timeout: 900_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "az-cancel-"));
  const identity = (name: string, dependsOn: string[] = []) => ({ type: "Microsoft.ManagedIdentity/userAssignedIdentities", apiVersion: "2023-01-31", name, location: "westus2", dependsOn });
  const template = {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    resources: [
      identity("first"),
      { type: "Microsoft.ContainerService/managedClusters", apiVersion: "2024-02-01", name: "slow", location: "westus2", dependsOn: ["first"], identity: { type: "SystemAssigned" }, properties: { dnsPrefix: "slow", agentPoolProfiles: [{ name: "system", mode: "System", count: 1, vmSize: "Standard_D2s_v3" }] } },
      identity("after-cluster", ["slow"]),
    ],
  };
  const file = path.join(dir, "slow.json");
  fs.writeFileSync(file, JSON.stringify(template));
  const c = await az(["deployment", "group", "create", "-g", RG, "-n", "slow", "--template-file", file, "--no-wait"], { timeoutMs: 300_000 });
  assert.equal(c.code, 0, c.stderr);
  const x = await az(["deployment", "group", "cancel", "-g", RG, "-n", "slow"]);
  assert.equal(x.code, 0, x.stderr);
  const s = await az(["deployment", "group", "show", "-g", RG, "-n", "slow", "--query", "properties.provisioningState", "-o", "tsv"]);
  assert.equal(s.stdout.trim(), "Canceled");
  const ops = await az(["deployment", "operation", "group", "list", "-g", RG, "-n", "slow", "--query", "[].properties.targetResource.resourceName", "-o", "tsv"]);
  assert.equal(ops.code, 0, ops.stderr);
  assert.ok(!ops.stdout.includes("after-cluster"), ops.stdout);
  const again = await az(["deployment", "group", "cancel", "-g", RG, "-n", "slow"]);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /DeploymentCannotBeCancelled/);
  assert.match(again.stderr, /its provisioning state is 'Canceled'/);
});
