// One `aksemu start --store etcd://...` process over a real 3-member etcd (Debian's etcd-server,
// test/helpers/etcd-cluster.ts): an AKS create runs to Succeeded and its cluster's Kubernetes API
// answers kubectl, with the state in etcd, not in the data directory. Then a second process with
// its own data directory over the same etcd sees that cluster (one state, per-process directories).
// And the read barrier (Store.fresh, an etcd round trip) runs only after authentication: requests
// without a credential, to ARM or to the cluster's Kubernetes API, cause no etcd request (counted
// by etcd itself, its Range calls in /metrics).
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { SUBSCRIPTION_ID, rawRequest, startEmulator, tempDir, type RunningEmulator } from "../helpers/emulator.js";
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

  test("a request without a credential causes no etcd round trip (ARM and Kubernetes); an authenticated one does", async () => {
    // etcd's own count of the Range calls it served (the read barrier is one), over every member.
    const ranges = async () => {
      let n = 0;
      for (const m of cluster.members) {
        const text = await (await fetch(`${m.clientUrl}/metrics`)).text();
        const line = text.split("\n").find((l) => l.startsWith("grpc_server_started_total{") && l.includes('grpc_method="Range"'));
        n += line ? Number(line.split(" ").pop()) : 0;
      }
      return n;
    };
    const cred = await post(a, `${clusterId(RG, "one")}/listClusterAdminCredential`, PREVIEW);
    assert.equal(cred.status, 200, cred.text);
    const kc = Buffer.from(cred.body.kubeconfigs[0].value, "base64").toString("utf8");
    const server = /server: (\S+)/.exec(kc)![1]!;
    const kubeCa = Buffer.from(/certificate-authority-data: (\S+)/.exec(kc)![1]!, "base64").toString("utf8");
    const rg = `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/${RG}?api-version=2021-04-01`;

    // Quiet first: the process ranges only for requests (the watch and keep-alives are not Range calls).
    let before = await ranges();
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const now = await ranges();
      if (now === before) break;
      before = now;
    }
    for (let i = 0; i < 10; i++) {
      const arm = await rawRequest(a.endpoint, a.caPem, "GET", rg);
      assert.equal(arm.status, 401, arm.text);
      const armForged = await rawRequest(a.endpoint, a.caPem, "GET", rg, undefined, { authorization: "Bearer not.a.token" });
      assert.equal(armForged.status, 401, armForged.text);
      const kube = await rawRequest(server, kubeCa, "GET", "/api/v1/namespaces/default/configmaps");
      assert.equal(kube.status, 401, kube.text);
    }
    assert.equal(await ranges(), before, "30 unauthenticated requests: no etcd Range");
    // The counter does see the barrier: one authenticated request ranges.
    const ok = await a.request("GET", rg);
    assert.equal(ok.status, 200, ok.text);
    assert.ok((await ranges()) > before, "an authenticated request waits for the read barrier (a Range)");
  });
});
