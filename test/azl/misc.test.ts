import { test } from "node:test";
import assert from "node:assert/strict";
import { azl, fakeIO } from "./helpers.js";
import { Logger } from "../../src/cli/azl/context.js";
import { crc32, zipStored } from "../../src/cli/azl/zip.js";
import { aksTableRow } from "../../src/cli/azl/commands/aks.js";
import { formatTable } from "../../src/cli/azl/output.js";
import { defaultSubnetPrefix, transformVnetTable } from "../../src/cli/azl/commands/network.js";

test("bare azl prints az's welcome page with the base commands", async () => {
  const r = await azl([]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Welcome to the cool new Azure CLI!\n\nUse `az --version` to display the current version\.\nHere are the base commands:\n\n/);
  assert.match(r.stdout, /\n {4}aks +: Manage Azure Kubernetes Services\.\n/);
});

test("knack log format: level prefix without a terminal, color without it on a terminal, logger names with --debug", () => {
  const plain = fakeIO();
  new Logger(plain, 2).warning("w");
  new Logger(plain, 2).info("hidden");
  new Logger(plain, 1).warning("hidden too");
  assert.equal(plain.err.join(""), "WARNING: w\n");
  const tty = { ...fakeIO(), color: true };
  const errs: string[] = [];
  tty.stderr = (s: string) => void errs.push(s);
  new Logger(tty, 2).error("e");
  assert.equal(errs.join(""), "\x1b[91me\x1b[0m\n");
  const dbg = fakeIO();
  new Logger(dbg, 4).debug("Request URL: 'x'", "cli.azure.cli.core.sdk.policies");
  assert.equal(dbg.err.join(""), "DEBUG: cli.azure.cli.core.sdk.policies: Request URL: 'x'\n");
});

test("aks and vnet table transformers", () => {
  const mc = { name: "c", location: "l", resourceGroup: "rg", kubernetesVersion: "1.31", currentKubernetesVersion: "1.31.10", provisioningState: "Succeeded", fqdn: null, privateFqdn: "p.private" };
  const row = aksTableRow(mc);
  assert.equal(formatTable([mc], (r) => (r as unknown[]).map(aksTableRow), false).split("\n")[0], "Name    Location    ResourceGroup    KubernetesVersion    CurrentKubernetesVersion    ProvisioningState    Fqdn");
  assert.equal(row.fqdn, "p.private");
  const v = transformVnetTable([{ name: "v", resourceGroup: "rg", location: "l", subnets: [{}], addressSpace: { addressPrefixes: ["10.0.0.0/16", "10.1.0.0/16"] }, enableDdosProtection: false }]) as Array<Record<string, unknown>>;
  assert.deepEqual(v[0], { Name: "v", ResourceGroup: "rg", Location: "l", NumSubnets: 1, Prefixes: "10.0.0.0/16, 10.1.0.0/16", DnsServers: " ", DDOSProtection: false, VMProtection: null });
});

test("stored zip for aks command invoke --file", () => {
  assert.equal(crc32(Buffer.from("123456789")), 0xcbf43926);
  const z = zipStored([{ name: "deployment.yaml", data: Buffer.from("kind: Deployment\n") }]);
  assert.equal(z.readUInt32LE(0), 0x04034b50);
  assert.equal(z.readUInt32LE(z.length - 22), 0x06054b50);
  assert.ok(z.includes(Buffer.from("deployment.yaml")));
});

test("service errors without an emulator: connection refused is reported, exit 1", async () => {
  const r = await azl(["group", "show", "-n", "x"], { AKSEMU_ENDPOINT: "https://127.0.0.1:9", HOME: "/nonexistent-azl-home", AKSEMU_DATA_DIR: "/nonexistent" });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^ERROR: /);
});

test("vnet create without --subnet-prefixes: the first /24 of the VNet's prefix, or the whole prefix when smaller", () => {
  assert.equal(defaultSubnetPrefix("10.0.0.0/16"), "10.0.0.0/24");
  assert.equal(defaultSubnetPrefix("172.19.0.0/8"), "172.19.0.0/8", "host bits: sent as given for the server to reject");
  assert.equal(defaultSubnetPrefix("10.1.2.0/24"), "10.1.2.0/24");
  assert.equal(defaultSubnetPrefix("10.1.2.0/28"), "10.1.2.0/28");
  assert.equal(defaultSubnetPrefix("nope"), "nope");
});
