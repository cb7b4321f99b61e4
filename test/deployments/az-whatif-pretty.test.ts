// `az deployment group what-if` as a person runs it: without --no-pretty-print az renders our whatIf
// answer itself (its _formatters.py), so this checks the shape of the answer through az's own
// renderer: the create list on a fresh group, then one property-level Modify after a deploy.
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

const RG = "rg-az-whatif";
// two identities; only the first carries the `env` parameter as a tag, so changing it modifies one resource
const TEMPLATE = {
  $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  contentVersion: "1.0.0.0",
  parameters: { env: { type: "string" } },
  resources: [
    { type: "Microsoft.ManagedIdentity/userAssignedIdentities", apiVersion: "2023-01-31", name: "id-app", location: "westus2", tags: { env: "[parameters('env')]" } },
    { type: "Microsoft.ManagedIdentity/userAssignedIdentities", apiVersion: "2023-01-31", name: "id-ops", location: "westus2", tags: { team: "ops" } },
  ],
};

let emu: RunningEmulator;
let az: Az;
let file: string;
before(async () => {
  emu = await startEmulator({ latency: "instant" });
  await resourceGroup(emu, RG);
  az = (await setupAz(emu, { azPath: CURRENT_AZ, timeoutMs: 600_000 })).az;
  file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "az-whatif-")), "ids.json");
  fs.writeFileSync(file, JSON.stringify(TEMPLATE));
});
after(async () => {
  await stopEmulator(emu);
});

// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");

test("az deployment group what-if prints az's own rendering: creates on a fresh group, then one Modify with its property delta", { timeout: 900_000 }, async () => {
  const id = (name: string) => `Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
  const fresh = await az(["deployment", "group", "what-if", "-g", RG, "-n", "ids", "--template-file", file, "-p", "env=dev"], { timeoutMs: 300_000 });
  assert.equal(fresh.code, 0, fresh.stderr);
  const f = plain(fresh.stdout);
  assert.match(f, new RegExp(`^Scope: /subscriptions/[0-9a-f-]+/resourceGroups/${RG}$`, "m"));
  for (const n of ["id-app", "id-ops"]) assert.match(f, new RegExp(`^  \\+ ${id(n)} \\[2023-01-31\\]$`, "m"), f);
  assert.match(f, /^      tags\.env:\s+"dev"$/m, f);
  assert.match(f, /^Resource changes: 2 to create\.$/m, f);

  const c = await az(["deployment", "group", "create", "-g", RG, "-n", "ids", "--template-file", file, "-p", "env=dev", "-o", "none"], { timeoutMs: 300_000 });
  assert.equal(c.code, 0, c.stderr);
  const mod = await az(["deployment", "group", "what-if", "-g", RG, "-n", "ids", "--template-file", file, "-p", "env=prod"], { timeoutMs: 300_000 });
  assert.equal(mod.code, 0, mod.stderr);
  const m = plain(mod.stdout);
  assert.match(m, new RegExp(`^  ~ ${id("id-app")} \\[2023-01-31\\]\n    ~ tags\\.env: "dev" => "prod"$`, "m"), m);
  assert.match(m, new RegExp(`^  = ${id("id-ops")} \\[2023-01-31\\]$`, "m"), m);
  assert.doesNotMatch(m, /^  \+ /m, "nothing is created the second time");
  assert.match(m, /^Resource changes: 1 to modify, 1 no change\.$/m, m);
});
