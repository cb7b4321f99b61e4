// @kubernetes/client-node v2 (undici fetch, tls-server-name) against a KubeHost.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import workerThreads from "node:worker_threads";
import zlib from "node:zlib";
import { startEnv, type Env } from "./harness.js";

// @kubernetes/client-node 2.0.1 depends on undici 8, which needs Node >= 22.19 and reads
// zlib.createZstdDecompress at import time. On Node 20 give it a stub (zstd is never
// negotiated with this server), then import the client.
const z = zlib as unknown as Record<string, unknown>;
if (typeof z.createZstdDecompress !== "function") {
  z.createZstdDecompress = () => {
    throw new Error("zstd is not available on this Node.js version");
  };
}
const wt = workerThreads as unknown as Record<string, unknown>;
if (typeof wt.markAsUncloneable !== "function") wt.markAsUncloneable = () => undefined;
const P = Promise as unknown as { withResolvers?: unknown };
if (typeof P.withResolvers !== "function") {
  P.withResolvers = function withResolvers<T>() {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((a, b) => ((resolve = a), (reject = b)));
    return { promise, resolve, reject };
  };
}
const k8s = await import("@kubernetes/client-node");
type K8s = typeof k8s;

describe("@kubernetes/client-node", () => {
  let e: Env;
  let kc: InstanceType<K8s["KubeConfig"]>;
  let core: InstanceType<K8s["CoreV1Api"]>;
  let apps: InstanceType<K8s["AppsV1Api"]>;

  before(async () => {
    e = await startEnv();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(e.kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
  });
  after(async () => {
    await e?.close();
  });

  test("version and list nodes", async () => {
    const version = await kc.makeApiClient(k8s.VersionApi).getCode();
    assert.equal(version.gitVersion, "v1.31.2");
    const nodes = await core.listNode();
    assert.deepEqual(nodes.items.map((n) => n.metadata!.name).sort(), e.spec.nodes.map((n) => n.name).sort());
    const ip = nodes.items[0]!.status!.addresses!.find((a) => a.type === "InternalIP")!.address;
    assert.ok(e.spec.nodes.some((n) => n.internalIP === ip));
    assert.ok(nodes.items[0]!.metadata!.creationTimestamp instanceof Date);
  });

  test("create, read, patch (json default, merge, strategic, apply) a ConfigMap", async () => {
    const created = await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "cn" }, data: { a: "1" } } });
    assert.ok(created.metadata!.uid);
    const p1 = await core.patchNamespacedConfigMap({ namespace: "default", name: "cn", body: [{ op: "add", path: "/data/b", value: "2" }] });
    assert.deepEqual(p1.data, { a: "1", b: "2" });
    const p2 = await core.patchNamespacedConfigMap(
      { namespace: "default", name: "cn", body: { data: { c: "3" } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    assert.deepEqual(p2.data, { a: "1", b: "2", c: "3" });
    const p3 = await core.patchNamespacedConfigMap(
      { namespace: "default", name: "cn", body: { data: { a: null } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch),
    );
    assert.deepEqual(p3.data, { b: "2", c: "3" });
    const p4 = await core.patchNamespacedConfigMap(
      { namespace: "default", name: "cn-ssa", fieldManager: "client-node", body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cn-ssa" }, data: { x: "y" } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.ServerSideApply),
    );
    assert.equal(p4.metadata!.managedFields![0]!.operation, "Apply");
    const read = await core.readNamespacedConfigMap({ namespace: "default", name: "cn" });
    assert.equal(read.metadata!.resourceVersion, p3.metadata!.resourceVersion);
  });

  test("errors surface as ApiException with a Status body", async () => {
    await assert.rejects(core.readNamespacedConfigMap({ namespace: "default", name: "nope" }), (err: unknown) => {
      const ex = err as InstanceType<K8s["ApiException"]> & { body: string };
      assert.equal(ex.code, 404);
      assert.equal(JSON.parse(ex.body).reason, "NotFound");
      return true;
    });
    const cm = await core.readNamespacedConfigMap({ namespace: "default", name: "cn" });
    await core.replaceNamespacedConfigMap({ namespace: "default", name: "cn", body: { ...cm, data: { z: "1" } } });
    await assert.rejects(core.replaceNamespacedConfigMap({ namespace: "default", name: "cn", body: { ...cm, data: { z: "2" } } }), (err: unknown) => (err as { code?: number }).code === 409);
  });

  test("watch delivers ADDED/MODIFIED/DELETED", async () => {
    const seen: string[] = [];
    const w = new k8s.Watch(kc);
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const ctrl = await w.watch(
      "/api/v1/namespaces/default/configmaps",
      { fieldSelector: "metadata.name=watched" },
      (type, obj) => {
        seen.push(`${type}:${obj.metadata.name}`);
        if (type === "DELETED") resolveDone();
      },
      () => resolveDone(),
    );
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "watched" } } });
    await core.patchNamespacedConfigMap({ namespace: "default", name: "watched", body: [{ op: "add", path: "/data", value: { k: "v" } }] });
    await core.deleteNamespacedConfigMap({ namespace: "default", name: "watched" });
    await Promise.race([done, new Promise((r) => setTimeout(r, 10_000))]);
    ctrl.abort();
    assert.deepEqual(seen, ["ADDED:watched", "MODIFIED:watched", "DELETED:watched"]);
  });

  test("informer (list + watch) sees a deployment's pods appear", async () => {
    const path = "/api/v1/namespaces/default/pods";
    const informer = k8s.makeInformer(kc, path, () => core.listNamespacedPod({ namespace: "default" }), "app=cn-web");
    const added = new Set<string>();
    let resolveAll!: () => void;
    const all = new Promise<void>((r) => (resolveAll = r));
    informer.on("add", (p: { metadata?: { name?: string } }) => {
      added.add(p.metadata!.name!);
      if (added.size >= 2) resolveAll();
    });
    informer.on("update", (p: { metadata?: { name?: string } }) => {
      added.add(p.metadata!.name!);
      if (added.size >= 2) resolveAll();
    });
    informer.on("error", () => undefined);
    await informer.start();
    await apps.createNamespacedDeployment({
      namespace: "default",
      body: {
        metadata: { name: "cn-web" },
        spec: { replicas: 2, selector: { matchLabels: { app: "cn-web" } }, template: { metadata: { labels: { app: "cn-web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } },
      },
    });
    await Promise.race([all, new Promise((r) => setTimeout(r, 10_000))]);
    await informer.stop();
    assert.equal(added.size, 2);
    await e.host.idle(e.spec.id);
    const d = await apps.readNamespacedDeploymentStatus({ namespace: "default", name: "cn-web" });
    assert.equal(d.status!.availableReplicas, 2);
    const scaled = await apps.patchNamespacedDeploymentScale(
      { namespace: "default", name: "cn-web", body: { spec: { replicas: 3 } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    assert.equal(scaled.spec!.replicas, 3);
    await e.host.idle(e.spec.id);
    const pods = await core.listNamespacedPod({ namespace: "default", labelSelector: "app=cn-web" });
    assert.equal(pods.items.filter((p) => p.status!.phase === "Running").length, 3);
  });

  test("leases with MicroTime round-trip", async () => {
    const coord = kc.makeApiClient(k8s.CoordinationV1Api);
    const now = new k8s.V1MicroTime();
    const l = await coord.createNamespacedLease({ namespace: "default", body: { metadata: { name: "leader" }, spec: { holderIdentity: "a", leaseDurationSeconds: 15, renewTime: now } } });
    assert.equal(l.spec!.holderIdentity, "a");
    const nodeLease = await coord.readNamespacedLease({ namespace: "kube-node-lease", name: e.spec.nodes[0]!.name });
    assert.equal(nodeLease.spec!.holderIdentity, e.spec.nodes[0]!.name);
  });
});
