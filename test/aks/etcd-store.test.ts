// One `aksemu start --store etcd://...` process over a real 3-member etcd (Debian's etcd-server,
// test/helpers/etcd-cluster.ts): an AKS create runs to Succeeded and its cluster's Kubernetes API
// answers kubectl, with the state in etcd, not in the data directory. Then a second process with
// its own data directory over the same etcd sees that cluster (one state, per-process directories).
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startEmulator, tempDir, type RunningEmulator } from "../helpers/emulator.js";
import { needEtcdServer, startEtcdCluster, type EtcdCluster } from "../helpers/etcd-cluster.js";
import { runProcess } from "../helpers/run.js";
import { KUBECTL_V32, kubectlMissing } from "../kube/harness.js";
import { PREVIEW, clusterBody, clusterId, get, post, resourceGroup, waitLro, withApi } from "./helpers.js";

const RG = "rg-etcd";

describe("one aksemu process over a 3-member etcd", { skip: needEtcdServer() || kubectlMissing(KUBECTL_V32) }, () => {
  let cluster: EtcdCluster;
  let a: RunningEmulator;
  before(async () => {
    cluster = await startEtcdCluster();
    a = await startEmulator({ args: ["--host", "127.0.0.2", "--store", cluster.storeUrl] });
  });
  after(async () => {
    await a?.stop();
    await cluster?.stop();
  });

  test("an AKS create succeeds and kubectl gets its nodes; the state is etcd's, not the data directory's", async () => {
    assert.equal(fs.existsSync(path.join(a.dataDir, "state.db")), false, "no SQLite file with --store etcd://");
    await resourceGroup(a, RG);
    const put = await a.request("PUT", withApi(clusterId(RG, "one"), PREVIEW), clusterBody({ count: 2 }));
    assert.equal(put.status, 201, put.text);
    assert.equal((await waitLro(a, put)).status, "Succeeded");
    const cred = await post(a, `${clusterId(RG, "one")}/listClusterAdminCredential`, PREVIEW);
    assert.equal(cred.status, 200, cred.text);
    const kubeconfig = path.join(tempDir("aksemu-etcd-kc-"), "config");
    fs.writeFileSync(kubeconfig, Buffer.from(cred.body.kubeconfigs[0].value, "base64"), { mode: 0o600 });
    const nodes = await runProcess(KUBECTL_V32, ["--kubeconfig", kubeconfig, "get", "nodes", "-o", "name"], { ...process.env }, 60_000);
    assert.equal(nodes.code, 0, nodes.stderr);
    const names = nodes.stdout.trim().split("\n").sort();
    assert.equal(names.length, 2, nodes.stdout);
    names.forEach((n, i) => assert.match(n, new RegExp(`^node/aks-nodepool1-\\d+-vmss00000${i}$`)));
    // A write through kubectl lands in etcd: it reads back.
    const cm = await runProcess(KUBECTL_V32, ["--kubeconfig", kubeconfig, "create", "configmap", "etcd-proof", "--from-literal=k=v"], { ...process.env }, 60_000);
    assert.equal(cm.code, 0, cm.stderr);
    const back = await runProcess(KUBECTL_V32, ["--kubeconfig", kubeconfig, "get", "configmap", "etcd-proof", "-o", "jsonpath={.data.k}"], { ...process.env }, 60_000);
    assert.equal(back.stdout, "v", back.stderr);
  });

  test("a second process with its own data directory over the same etcd serves the same state", async () => {
    const b = await startEmulator({ args: ["--host", "127.0.0.3", "--store", cluster.storeUrl] });
    try {
      assert.notEqual(b.dataDir, a.dataDir);
      assert.equal(fs.readFileSync(b.caPath, "utf8"), a.caPem, "one CA, kept in the store");
      const r = await get(b, clusterId(RG, "one"), PREVIEW);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.properties.provisioningState, "Succeeded");
    } finally {
      await b.stop();
    }
  });
});
