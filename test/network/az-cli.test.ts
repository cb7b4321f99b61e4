// Debian's azure-cli (2.45) against the emulator, set up inline (the lead wires `aksemu setup az`):
// isolated AZURE_CONFIG_DIR, REQUESTS_CA_BUNDLE = system CAs + emulator CA, a registered cloud
// whose AD endpoint is `<ep>/adfs` (MSAL treats it as ADFS: no instance discovery), login with a
// service principal and the tenant GUID. Skipped when /usr/bin/az is missing.
//
// Debian bookworm's python3-azure ships azure-mgmt-network 23.0.0b1 without the v2022_01_01
// models az 2.45's "latest" profile loads for `az network` (every network command dies with
// "'NoneType' object has no attribute 'standard_medium'" before sending anything), so the cloud is
// registered with the 2020-09-01-hybrid profile (network 2018-11-01 models; subnet create then
// does GET + PUT of the VNet with api-version 2022-07-01).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { type RunningEmulator, TENANT_ID, startEmulator, tempDir } from "../helpers/emulator.js";
import { AKS, JOIN, createGroup, stopEmulator, subnetId } from "./helpers.js";

const AZ = "/usr/bin/az";
const haveAz = fs.existsSync(AZ);
const SYSTEM_CA = "/etc/ssl/certs/ca-certificates.crt";

let emu: RunningEmulator;
let dir: string;
let env: Record<string, string>;

/** Run az with a timeout; never throws (the result carries the exit code and output). */
function az(args: string[], timeoutMs = 120_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(AZ, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (c) => (stdout += c));
    p.stderr.on("data", (c) => (stderr += c));
    const timer = setTimeout(() => {
      stderr += `\n[test] az ${args.join(" ")} timed out after ${timeoutMs} ms`;
      p.kill("SIGKILL");
    }, timeoutMs);
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function azOk(args: string[]): Promise<string> {
  const r = await az(args);
  assert.equal(r.code, 0, `az ${args.join(" ")} failed (${r.code}):\n${r.stderr}`);
  return r.stdout;
}

before(async () => {
  if (!haveAz) return;
  emu = await startEmulator();
  dir = tempDir("aksemu-az-");
  const bundle = path.join(dir, "ca-bundle.pem");
  fs.writeFileSync(bundle, (fs.existsSync(SYSTEM_CA) ? fs.readFileSync(SYSTEM_CA, "utf8") : "") + "\n" + emu.caPem);
  env = { AZURE_CONFIG_DIR: path.join(dir, "config"), REQUESTS_CA_BUNDLE: bundle, AZURE_CORE_COLLECT_TELEMETRY: "false", AZURE_CORE_NO_COLOR: "true" };
  await createGroup(emu, "rg");
});
after(async () => {
  await stopEmulator(emu);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("az 2.45: vnet create, delegated subnet create, subnet show prints the delegation", { skip: haveAz ? false : `${AZ} is not installed` }, async () => {
  const ep = emu.endpoint;
  await azOk(["cloud", "register", "-n", "AksEmu",
    "--endpoint-resource-manager", `${ep}/`, "--endpoint-active-directory", `${ep}/adfs`,
    "--endpoint-active-directory-resource-id", `${ep}/`, "--endpoint-active-directory-graph-resource-id", `${ep}/`,
    "--endpoint-management", `${ep}/`, "--profile", "2020-09-01-hybrid"]);
  await azOk(["cloud", "set", "-n", "AksEmu"]);
  // `--tenant adfs` fails: az fetches <ep>/adfs/adfs/.well-known/openid-configuration (404); the GUID works.
  await azOk(["login", "--service-principal", "-u", "any-app", "-p", "any-secret", "--tenant", TENANT_ID, "--allow-no-subscriptions", "-o", "none"]);

  const vnet = JSON.parse(await azOk(["network", "vnet", "create", "-g", "rg", "-n", "vnet", "--address-prefixes", "172.19.0.0/16", "-o", "json"]));
  assert.deepEqual(vnet.newVNet.addressSpace.addressPrefixes, ["172.19.0.0/16"]);
  assert.equal(vnet.newVNet.provisioningState, "Succeeded");

  await azOk(["network", "vnet", "subnet", "create", "-g", "rg", "--vnet-name", "vnet", "-n", "apiserver",
    "--delegations", AKS, "--address-prefixes", "172.19.0.0/28", "-o", "none"]);
  const shown = JSON.parse(await azOk(["network", "vnet", "subnet", "show", "-g", "rg", "--vnet-name", "vnet", "-n", "apiserver", "-o", "json"]));
  assert.equal(shown.addressPrefix, "172.19.0.0/28");
  assert.equal(shown.delegations.length, 1);
  const d = shown.delegations[0];
  assert.deepEqual(
    [d.name, d.serviceName, d.actions, d.id, d.provisioningState, d.resourceGroup],
    ["0", AKS, [JOIN], `${subnetId("rg", "vnet", "apiserver")}/delegations/0`, "Succeeded", "rg"],
  );

  // Azure's error surfaces through az as "(Code) Message".
  const bad = await az(["network", "vnet", "subnet", "create", "-g", "rg", "--vnet-name", "vnet", "-n", "bad", "--address-prefixes", "172.19.0.8/29", "-o", "none"]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /\(NetcfgSubnetRangesOverlap\) Subnet 'bad' is not valid because its IP address range overlaps with that of an existing subnet in virtual network 'vnet'\./);
});
