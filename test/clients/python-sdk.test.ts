// The current Azure SDK for Python (pinned in scripts/clients.mjs, in .tools/py-venv) runs
// test/clients/python_sdk_flow.py against a started emulator: BYO VNet, identity, role
// assignments, a private VNet-integrated cluster with begin_create_or_update(...).result(),
// credentials, upgrade profile, delete. The script is the README's Python recipe.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import YAML from "yaml";
import { startEmulator, REPO_ROOT, type RunningEmulator } from "../helpers/emulator.js";
import { SDK_PYTHON, needClient } from "../helpers/clients.js";

describe("Azure SDK for Python", { skip: needClient(SDK_PYTHON, "the Azure SDK for Python") }, () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ latency: "instant" });
  });
  after(async () => {
    await emu?.stop();
  });

  test("BYO VNet, identity, role assignments, private VNet-integrated cluster, credentials, delete", async () => {
    const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const p = spawn(SDK_PYTHON, [path.join(REPO_ROOT, "test/clients/python_sdk_flow.py")], {
        env: { ...process.env, AKSEMU_ENDPOINT: emu.endpoint, REQUESTS_CA_BUNDLE: emu.caPath },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      p.stdout.on("data", (c) => (out += c));
      p.stderr.on("data", (c) => (err += c));
      const t = setTimeout(() => p.kill("SIGKILL"), 600_000);
      p.on("close", (code) => (clearTimeout(t), resolve({ code, out, err })));
    });
    assert.equal(r.code, 0, r.err);
    const o = JSON.parse(r.out);
    assert.equal(o.provisioningState, "Succeeded");
    assert.equal(o.enableVnetIntegration, true);
    assert.match(o.privateFqdn, /^py-aks-[0-9a-f]{8}\.[0-9a-f-]{36}\.private\.westus2\.azmk8s\.io$/);
    assert.equal(o.ilbAddress, "172.19.0.4");
    assert.match(o.eTag, /\S/);
    assert.ok(o.roleAssignments.some((x: string) => x.endsWith("/4d97b98b-1d4f-4787-a291-c67834d212e7")));
    const kc = YAML.parse(o.kubeconfig);
    assert.equal(kc["current-context"], "py-aks");
    assert.match(kc.clusters[0].cluster.server, /^https:\/\/py-aks-[0-9a-f]{8}\.[0-9a-f-]{36}\.private\.westus2\.azmk8s\.io:443$/);
    assert.deepEqual(o.upgrades, ["1.32.6"]);
    assert.deepEqual(o.clustersAfterDelete, []);
  });
});
