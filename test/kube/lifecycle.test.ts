// Cluster lifecycle through KubeHost: node scale up/down, reimage, upgrade, stop/start,
// emulator restart on a durable store (same port, same credentials), removal.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { strategyFor } from "../../src/kube/catalog.js";
import { KubeHost } from "../../src/cluster/kube-host.js";
import type { Obj } from "../../src/kube/util.js";
import { CaPki } from "../../src/server/pki.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { clusterSpec, instant, KUBECTL_V32, kubectlMissing, nodeSpecs, run } from "./harness.js";

const nodesS = strategyFor("nodes");
const podsS = strategyFor("pods");
const deployS = strategyFor("deployments", "apps");

describe("cluster lifecycle", () => {
  let dir: string;
  let pki: CaPki;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "aksemu-kube-life-"));
    pki = await CaPki.create();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("scale nodes up and down; pods follow; DaemonSets cover every node", async () => {
    const store = SqliteStore.open(":memory:");
    const host = new KubeHost({ store, pki, latency: instant });
    try {
      const spec = clusterSpec("c-scale", { nodes: nodeSpecs("nodepool1", 1) });
      await host.ensureRunning(spec);
      await host.idle(spec.id);
      const reg = host.registry(spec.id)!;
      const dsCount = () => reg.list(podsS, "kube-system", { labelSelector: "component=kube-proxy" }).items.length;
      assert.equal(dsCount(), 1);
      await host.ensureRunning({ ...spec, nodes: nodeSpecs("nodepool1", 3) });
      await host.idle(spec.id);
      assert.equal(reg.list(nodesS, undefined).items.length, 3);
      assert.equal(dsCount(), 3);
      const ready = reg.list(nodesS, undefined).items.every((n: Obj) => n.status.conditions.some((c: Obj) => c.type === "Ready" && c.status === "True"));
      assert.ok(ready);
      await host.ensureRunning({ ...spec, nodes: nodeSpecs("nodepool1", 2) });
      await host.idle(spec.id);
      assert.deepEqual(reg.list(nodesS, undefined).items.map((n: Obj) => n.metadata.name), nodeSpecs("nodepool1", 2).map((n) => n.name));
      assert.equal(dsCount(), 2);
      const pods = reg.list(podsS, undefined).items;
      assert.ok(pods.every((p: Obj) => p.spec.nodeName !== nodeSpecs("nodepool1", 3)[2]!.name), "no pod left on the removed node");
      const coredns = reg.get(deployS, "kube-system", "coredns");
      assert.equal(coredns.status.availableReplicas, 2, "coredns rescheduled");
    } finally {
      await host.closeAll();
      store.close();
    }
  });

  test("node image change reimages nodes (label, bootID, pods restarted); version upgrade updates kubelets", async () => {
    const store = SqliteStore.open(":memory:");
    const host = new KubeHost({ store, pki, latency: instant });
    try {
      const spec = clusterSpec("c-image", { nodes: nodeSpecs("nodepool1", 2) });
      await host.ensureRunning(spec);
      await host.idle(spec.id);
      const reg = host.registry(spec.id)!;
      const before = reg.get(nodesS, undefined, spec.nodes[0]!.name);
      const podsBefore = new Set(reg.list(podsS, undefined).items.map((p: Obj) => p.metadata.uid));
      const newImage = "AKSUbuntu-2204gen2containerd-202501.05.0";
      await host.ensureRunning({ ...spec, nodes: nodeSpecs("nodepool1", 2, { nodeImageVersion: newImage }) });
      await host.idle(spec.id);
      const afterNode = reg.get(nodesS, undefined, spec.nodes[0]!.name);
      assert.equal(afterNode.metadata.labels["kubernetes.azure.com/node-image-version"], newImage);
      assert.notEqual(afterNode.status.nodeInfo.bootID, before.status.nodeInfo.bootID);
      const podsAfter = reg.list(podsS, undefined).items;
      assert.ok(podsAfter.every((p: Obj) => !podsBefore.has(p.metadata.uid)), "every pod was recreated");
      assert.ok(podsAfter.every((p: Obj) => p.status.phase === "Running"));
      await host.ensureRunning({ ...spec, kubernetesVersion: "1.32.0", nodes: nodeSpecs("nodepool1", 2, { nodeImageVersion: newImage }) });
      await host.idle(spec.id);
      assert.equal(reg.get(nodesS, undefined, spec.nodes[0]!.name).status.nodeInfo.kubeletVersion, "v1.32.0");
      const proxy = reg.get(strategyFor("daemonsets", "apps"), "kube-system", "kube-proxy");
      assert.match(proxy.spec.template.spec.containers[0].image, /kube-proxy:v1\.32\.0$/);
      assert.equal(proxy.status.updatedNumberScheduled, 2, "kube-proxy rolled out");
    } finally {
      await host.closeAll();
      store.close();
    }
  });

  test("konnectivity-agent only without Azure CNI (overlay/kubenet)", async () => {
    const store = SqliteStore.open(":memory:");
    const host = new KubeHost({ store, pki, latency: instant });
    try {
      const spec = clusterSpec("c-overlay", { networkPlugin: "azure", networkPluginMode: "overlay", nodes: nodeSpecs("nodepool1", 1) });
      await host.ensureRunning(spec);
      await host.idle(spec.id);
      const reg = host.registry(spec.id)!;
      assert.ok(reg.tryGet(deployS, "kube-system", "konnectivity-agent"));
      await host.ensureRunning({ ...spec, networkPluginMode: undefined });
      await host.idle(spec.id);
      assert.equal(reg.tryGet(deployS, "kube-system", "konnectivity-agent"), undefined);
    } finally {
      await host.closeAll();
      store.close();
    }
  });

  test("stop keeps objects and closes the listener; restart on a durable store keeps port and credentials; remove deletes", async () => {
    const file = path.join(dir, "state.db");
    let store = SqliteStore.open(file);
    let host = new KubeHost({ store, pki, latency: instant });
    const spec = clusterSpec("c-persist", { nodes: nodeSpecs("nodepool1", 1) });
    const creds = await host.ensureRunning(spec);
    await host.idle(spec.id);
    const kubeconfig = path.join(dir, "kc");
    fs.writeFileSync(kubeconfig, host.kubeconfig(spec.id, { user: "clusterUser", clusterName: "demo", userName: "clusterUser_rg_demo", contextName: "demo", server: `https://127.0.0.1:${creds.port}`, tlsServerName: spec.fqdn }));
    const reg = host.registry(spec.id)!;
    await reg.create(strategyFor("configmaps"), "default", { metadata: { name: "keep" }, data: { a: "1" } }, { fieldManager: "test" });
    await host.stop(spec.id);
    assert.equal(host.isRunning(spec.id), false);
    await assert.rejects(fetch(`https://127.0.0.1:${creds.port}/version`));
    assert.ok(store.get(`kube/${spec.id}/r/core/configmaps/default/keep`), "objects kept while stopped");
    store.close();

    // A new emulator process: same data file, same CA.
    store = SqliteStore.open(file);
    host = new KubeHost({ store, pki, latency: instant });
    const creds2 = await host.ensureRunning({ ...spec, port: undefined });
    await host.idle(spec.id);
    assert.equal(creds2.port, creds.port);
    assert.equal(creds2.userToken, creds.userToken);
    assert.equal(creds2.adminCert.certPem, creds.adminCert.certPem);
    const skip = kubectlMissing(KUBECTL_V32);
    if (!skip) {
      const home = path.join(dir, "home");
      fs.mkdirSync(home, { recursive: true });
      const r = await run(KUBECTL_V32, ["get", "cm", "keep", "-o", "jsonpath={.data.a}"], { ...process.env, KUBECONFIG: kubeconfig, HOME: home });
      assert.equal(r.stdout, "1", r.stderr);
    }
    await host.remove(spec.id);
    assert.equal(store.list(`kube/${spec.id}/`).length, 0);
    await host.closeAll();
    store.close();
  });
});
