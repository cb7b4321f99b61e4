// The same deployment with Debian's az (2.45 at /usr/bin/az, api-version 2021-04-01 era): the
// seed's BYO-VNet template file, key=value parameters, a second idempotent run.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator, type RunningEmulator } from "../helpers/emulator.js";
import { setupAz, type Az } from "../helpers/az.js";
import { stopEmulator } from "../network/helpers.js";
import { registerVnetIntegrationFeature, resourceGroup } from "../aks/helpers.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const TEMPLATE = path.join(ROOT, "test/fixtures/templates/byo-vnet.json");
const RG = "rg-az-debian";

let emu: RunningEmulator;
let az: Az;
before(async () => {
  emu = await startEmulator({ latency: "instant" });
  await registerVnetIntegrationFeature(emu);
  await resourceGroup(emu, RG);
  az = (await setupAz(emu, { azPath: "/usr/bin/az", timeoutMs: 600_000 })).az;
});
after(async () => {
  await stopEmulator(emu);
});

test("Debian's az deployment group create runs the BYO-VNet template twice with the same role assignment names", { timeout: 900_000 }, async () => {
  let names: unknown;
  for (const run of [1, 2]) {
    const c = await az(["deployment", "group", "create", "-g", RG, "-n", "byo", "--template-file", TEMPLATE, "-p", "clusterName=deb1", "-o", "json"], { timeoutMs: 300_000 });
    assert.equal(c.code, 0, `run ${run}: ${c.stderr}`);
    const out = JSON.parse(c.stdout);
    assert.equal(out.properties.provisioningState, "Succeeded");
    if (run === 1) names = out.properties.outputs.roleAssignmentNames.value;
    else assert.deepEqual(out.properties.outputs.roleAssignmentNames.value, names);
  }
});
