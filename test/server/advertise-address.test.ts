// --host / --advertise-address: a process on 127.0.0.2 (as each of several processes over one store
// is, on its own loopback address) hands out only addresses that reach it: its endpoint, its listener
// certificate's SANs, operation URLs, and the kubeconfig of a cluster it runs. Bad values exit 2.
import { test } from "node:test";
import assert from "node:assert/strict";
import https from "node:https";
import { spawnSync } from "node:child_process";
import YAML from "yaml";
import { AKSEMU_BIN, startEmulator, tempDir } from "../helpers/emulator.js";
import { PREVIEW, clusterBody, clusterId, post, resourceGroup, waitLro, withApi } from "../aks/helpers.js";

function kubeVersion(server: string, ca: string, servername: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${server}/version`, { ca, servername, timeout: 10_000 }, (res) => {
      let t = "";
      res.on("data", (c) => (t += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(t) }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("a process on 127.0.0.2 advertises 127.0.0.2: endpoint, certificate, operation URLs, kubeconfigs", async () => {
  const emu = await startEmulator({ args: ["--host", "127.0.0.2"] });
  try {
    assert.match(emu.endpoint, /^https:\/\/127\.0\.0\.2:\d+$/);
    // rawRequest verifies the certificate against the CA for the URL's host: the SANs cover 127.0.0.2.
    await resourceGroup(emu, "rg");
    const put = await emu.request("PUT", withApi(clusterId("rg", "c1"), PREVIEW), clusterBody({ count: 1 }));
    assert.equal(put.status, 201, put.text);
    assert.ok(String(put.headers["azure-asyncoperation"]).startsWith(`${emu.endpoint}/`), String(put.headers["azure-asyncoperation"]));
    assert.equal((await waitLro(emu, put)).status, "Succeeded");
    const cred = await post(emu, `${clusterId("rg", "c1")}/listClusterUserCredential`, PREVIEW);
    assert.equal(cred.status, 200, cred.text);
    const kc = YAML.parse(Buffer.from(cred.body.kubeconfigs[0].value, "base64").toString());
    const cluster = kc.clusters[0].cluster;
    assert.match(cluster.server, /^https:\/\/127\.0\.0\.2:\d+$/, "the kubeconfig names the address of the process running the cluster");
    const v = await kubeVersion(cluster.server, Buffer.from(cluster["certificate-authority-data"], "base64").toString(), cluster["tls-server-name"]);
    assert.equal(v.status, 200);
    assert.match(v.body.gitVersion, /^v1\./);
  } finally {
    await emu.stop();
  }
});

test("--advertise-address names another address than the one bound; invalid values exit 2", async () => {
  const emu = await startEmulator({ args: ["--host", "127.0.0.1", "--advertise-address", "localhost"] });
  try {
    assert.match(emu.endpoint, /^https:\/\/localhost:\d+$/);
    assert.match(emu.output(), /listening on https:\/\/localhost:\d+/);
    await resourceGroup(emu, "rg"); // through the advertised name, verified against the CA
    const meta = await emu.request("GET", "/metadata/endpoints?api-version=2022-09-01");
    assert.equal(meta.body.resourceManager, `${emu.endpoint}/`, meta.text);
  } finally {
    await emu.stop();
  }
  for (const [args, env] of [
    [["--advertise-address", "0.0.0.0"], {}],
    [["--advertise-address", "not an address"], {}],
    [["--advertise-address"], {}],
    [[], { AKSEMU_ADVERTISE_ADDRESS: "::" }],
  ] as Array<[string[], Record<string, string>]>) {
    const r = spawnSync(process.execPath, [AKSEMU_BIN, "start", "--port", "0", "--data-dir", tempDir(), ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 30_000 });
    assert.equal(r.status, 2, `${args.join(" ")} ${JSON.stringify(env)}: ${r.stderr}`);
    assert.match(r.stderr, /^aksemu: invalid --advertise-address '[^']*' \(an IP address or a host name/, r.stderr);
  }
});
