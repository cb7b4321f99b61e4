// `aksemu setup az` without a real az: version parsing, the planned commands per az
// generation, --print, and the errors a user sees.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { parseAzVersion, planAzCommands, shq } from "../../src/cli/setup-az.js";
import { AKSEMU_BIN, tempDir } from "../helpers/emulator.js";

test("parseAzVersion reads `az version -o json` and `az --version`", () => {
  assert.deepEqual(parseAzVersion(`{"azure-cli": "2.45.0", "azure-cli-core": "2.45.0"}`), [2, 45, 0]);
  assert.deepEqual(parseAzVersion("azure-cli                         2.67.0 *\n\ncore   2.67.0"), [2, 67, 0]);
  assert.equal(parseAzVersion("nonsense"), undefined);
});

test("planAzCommands: old az gets an ADFS authority, new az core.instance_discovery=false", () => {
  const base = { endpoint: "https://127.0.0.1:8443/", tenantId: "t", clientId: "c", secret: "s", cloudName: "AksEmu", update: false };
  const old = planAzCommands({ ...base, newAz: false });
  assert.deepEqual(old.map((c) => c.slice(0, 2)), [["cloud", "register"], ["cloud", "set"], ["config", "set"], ["login", "--service-principal"]]);
  const cfg = JSON.parse(old[0]![old[0]!.indexOf("--cloud-config") + 1]!);
  assert.equal(cfg.endpoints.activeDirectory, "https://127.0.0.1:8443/adfs");
  for (const k of ["activeDirectoryResourceId", "activeDirectoryGraphResourceId", "resourceManager", "microsoftGraphResourceId", "management"]) {
    assert.equal(cfg.endpoints[k], "https://127.0.0.1:8443/", `${k} ends with exactly one '/'`);
  }
  assert.ok(!old[2]!.includes("core.instance_discovery=false"));
  assert.deepEqual(old[3]!.slice(-4), ["--tenant", "t", "--output", "json"], "a tenant GUID, not 'adfs'");
  const neu = planAzCommands({ ...base, newAz: true, update: true, profile: "2020-09-01-hybrid" });
  assert.deepEqual(neu[0]!.slice(0, 2), ["cloud", "update"]);
  const cfg2 = JSON.parse(neu[0]![neu[0]!.indexOf("--cloud-config") + 1]!);
  assert.equal(cfg2.endpoints.activeDirectory, "https://127.0.0.1:8443");
  assert.equal(cfg2.profile, "2020-09-01-hybrid");
  assert.ok(neu[2]!.includes("core.instance_discovery=false"));
});

test("shq quotes for POSIX shells", () => {
  assert.equal(shq("/a/b-c.pem"), "/a/b-c.pem");
  assert.equal(shq(`{"a":1}`), `'{"a":1}'`);
  assert.equal(shq("it's"), `'it'\\''s'`);
});

test("aksemu setup az --print prints the recipe without running az", () => {
  const dir = tempDir("aksemu-setup-");
  fs.writeFileSync(path.join(dir, "aksemu.json"), JSON.stringify({ pid: 1, port: 9443, endpoint: "https://127.0.0.1:9443" }));
  fs.writeFileSync(path.join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  const r = spawnSync(process.execPath, [AKSEMU_BIN, "setup", "az", "--data-dir", dir, "--print", "--az", "/nonexistent/az", "--az-version", "2.45.0"], { encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /az cloud register --name AksEmu --cloud-config '\{"endpoints":\{"activeDirectory":"https:\/\/127\.0\.0\.1:9443\/adfs"/);
  assert.match(r.stdout, /az login --service-principal .* --tenant 00000000-0000-0000-0000-000000000001/);
  assert.match(r.stdout, new RegExp(`export AZURE_CONFIG_DIR=${path.join(dir, "azure-cli").replace(/[.]/g, "\\.")}`));
  assert.match(r.stdout, /export REQUESTS_CA_BUNDLE=.*ca-bundle\.pem/);
  assert.match(r.stdout, /ARM_METADATA_HOSTNAME=127\.0\.0\.1:9443/);
  assert.match(r.stdout, /NODE_EXTRA_CA_CERTS=/);
  assert.ok(!fs.existsSync(path.join(dir, "azure-cli")), "--print changes nothing");
  const neu = spawnSync(process.execPath, [AKSEMU_BIN, "setup", "az", "--data-dir", dir, "--print", "--az", "/nonexistent/az", "--az-version", "2.67.0"], { encoding: "utf8", timeout: 30_000 });
  assert.match(neu.stdout, /az config set core\.instance_discovery=false/);
});

test("aksemu setup az without a running emulator explains what to do", () => {
  const dir = tempDir("aksemu-setup-");
  const r = spawnSync(process.execPath, [AKSEMU_BIN, "setup", "az", "--data-dir", dir], { encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no running emulator found .*aksemu start --data-dir/);
});
