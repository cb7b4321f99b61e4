// A client certificate issued for one cluster does not open another, although both chain to
// the emulator CA (in AKS every cluster has its own CA).
import { test } from "node:test";
import assert from "node:assert/strict";
import https from "node:https";
import { clusterSpec, startEnv } from "./harness.js";

function get(port: number, ca: string, cert: { certPem: string; keyPem: string }, servername: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: "127.0.0.1", port, path: "/api/v1/namespaces", ca, cert: cert.certPem, key: cert.keyPem, servername, timeout: 10_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

test("client certificates are pinned to their own cluster", async () => {
  const a = await startEnv("/subscriptions/x/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/a");
  try {
    const bSpec = clusterSpec("/subscriptions/x/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/b", { name: "b", fqdn: "b-rg-000000-00000000.hcp.westus2.azmk8s.io" });
    const b = await a.host.ensureRunning(bSpec);
    const aCreds = a.host.storedCredentials(a.spec.id)!;
    assert.equal(await get(a.port, aCreds.caPem, aCreds.adminCert, a.spec.fqdn), 200, "own cluster accepts its certificate");
    assert.equal(await get(b.port, b.caPem, aCreds.adminCert, bSpec.fqdn), 401, "another cluster refuses it");
    assert.equal(await get(b.port, b.caPem, b.adminCert, bSpec.fqdn), 200);
  } finally {
    await a.close();
  }
});
