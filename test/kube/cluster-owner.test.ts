// A cluster's Kubernetes state is written by one process only: every write of its registry (API
// requests, controllers, kubelets) is fenced on the process's claim (store/fenced-store.ts). A
// process that stalled past its lease and was taken over writes nothing more, and stops the
// cluster at its first refused write; the new owner runs it. `az aks command invoke` runs from
// whichever process got it, against the listener of the process that runs the cluster. A change
// (new spec, stop, delete) asked of a process that does not run the cluster is handed over to the
// one that does, through the store, and answered when it is applied.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { Member, OwnershipLostError, OWNER_PREFIX } from "../../src/store/ownership.js";
import { CaPki } from "../../src/server/pki.js";
import { KubeHost } from "../../src/cluster/kube-host.js";
import { strategyFor } from "../../src/kube/catalog.js";
import { clusterSpec, instant, nodeSpecs } from "./harness.js";
import { eventually } from "../helpers/emulator.js";

test("a former owner's writes to a taken-over cluster fail whole, and the cluster stops there", async () => {
  const store = SqliteStore.open(":memory:");
  const pki = await CaPki.create();
  const [ma, mb] = [new Member(store, { ttlSeconds: 2 }), new Member(store, { ttlSeconds: 2 })];
  await ma.start();
  await mb.start();
  const a = new KubeHost({ store, pki, latency: instant, events: false, member: ma });
  const b = new KubeHost({ store, pki, latency: instant, events: false, member: mb });
  const spec = clusterSpec("/subscriptions/x/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/fenced", { port: 0 });
  const cm = strategyFor("configmaps");
  try {
    await a.ensureRunning(spec);
    await a.idle(spec.id);
    const regA = a.registry(spec.id)!;
    await regA.create(cm, "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "before" }, data: { x: "1" } });

    // A stalls: its keep-alive stops, its lease goes (revoked here instead of waiting the TTL), B claims the cluster.
    ma.halt();
    await store.revokeLease(ma.lease);
    assert.equal(Member.owner(store, `${OWNER_PREFIX}cluster/${spec.id}`), undefined);
    await b.ensureRunning(spec);
    assert.equal(Member.owner(store, `${OWNER_PREFIX}cluster/${spec.id}`)?.member, mb.id);

    // A still has the registry in hand and tries to write: refused, nothing lands.
    const rev = store.revision();
    await assert.rejects(regA.create(cm, "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "late" }, data: { x: "2" } }), OwnershipLostError);
    assert.equal(store.revision(), rev, "no revision: the late write committed nothing");
    assert.equal(b.registry(spec.id)!.tryGet(cm, "default", "late"), undefined);
    assert.ok(b.registry(spec.id)!.tryGet(cm, "default", "before"), "B runs the cluster with what A wrote while it owned it");
    await eventually(() => !a.isRunning(spec.id), "A stopped the cluster at its refused write");
    assert.equal(b.isRunning(spec.id), true);
    // B's writes go through.
    await b.registry(spec.id)!.create(cm, "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "after" }, data: { x: "3" } });
  } finally {
    await a.closeAll();
    await b.closeAll();
    await mb.close();
    store.close();
  }
});

test("command invoke in a process that does not run the cluster goes to the one that does", async () => {
  const store = SqliteStore.open(":memory:");
  const pki = await CaPki.create();
  const [ma, mb] = [new Member(store, { ttlSeconds: 2 }), new Member(store, { ttlSeconds: 2 })];
  await ma.start();
  await mb.start();
  const a = new KubeHost({ store, pki, latency: instant, events: false, member: ma, allowRunCommand: true });
  const b = new KubeHost({ store, pki, latency: instant, events: false, member: mb, allowRunCommand: true });
  const spec = clusterSpec("/subscriptions/x/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/remote", { port: 0 });
  try {
    await a.ensureRunning(spec);
    await a.idle(spec.id);
    assert.equal(b.isRunning(spec.id), false);
    const out = await b.runCommand(spec.id, "kubectl get nodes --no-headers");
    assert.equal(out.exitCode, 0, out.logs);
    assert.equal(out.logs.trim().split("\n").length, spec.nodes.length, out.logs);
    assert.match(out.logs, /\sReady\s/);
    // Running nowhere: the same answer as before.
    await a.stop(spec.id);
    assert.deepEqual(await b.runCommand(spec.id, "true"), { exitCode: 1, logs: "The cluster's API server is not running.\n" });
  } finally {
    await a.closeAll();
    await b.closeAll();
    await ma.close();
    await mb.close();
    store.close();
  }
});

test("a change asked of a process that does not run the cluster is applied by the one that does", async () => {
  const store = SqliteStore.open(":memory:");
  const pki = await CaPki.create();
  const [ma, mb] = [new Member(store, { ttlSeconds: 2 }), new Member(store, { ttlSeconds: 2 })];
  await ma.start();
  await mb.start();
  const a = new KubeHost({ store, pki, latency: instant, events: false, member: ma, host: "127.0.0.2" });
  const b = new KubeHost({ store, pki, latency: instant, events: false, member: mb, host: "127.0.0.3" });
  const spec = clusterSpec("/subscriptions/x/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/handover", { port: 0, nodes: nodeSpecs("nodepool1", 2) });
  const nodes = strategyFor("nodes");
  const owner = `${OWNER_PREFIX}cluster/${spec.id}`;
  try {
    const first = await a.ensureRunning(spec);
    assert.equal(first.host, "127.0.0.2");
    // B is asked to scale it to 4 nodes: A applies it, B answers with A's address.
    const scaled = await b.ensureRunning({ ...spec, nodes: nodeSpecs("nodepool1", 4) });
    assert.deepEqual([scaled.host, scaled.port], [first.host, first.port], "credentials name the process running the cluster");
    assert.equal(b.isRunning(spec.id), false);
    await a.idle(spec.id);
    assert.equal(a.registry(spec.id)!.list(nodes, undefined).items.length, 4, "A runs the new spec");
    // An error of the owner reaches the requester.
    await assert.rejects(b.ensureRunning({ ...spec, serviceCidr: "not a cidr" }));
    // B is asked to stop it: A stops it and lets the claim go.
    await b.stop(spec.id);
    assert.equal(a.isRunning(spec.id), false);
    assert.equal(Member.owner(store, owner), undefined);
    // Now B may run it itself, on the same port at its own address.
    const mine = await b.ensureRunning(spec);
    assert.deepEqual([mine.host, mine.port], ["127.0.0.3", first.port]);
    assert.equal(Member.owner(store, owner)?.member, mb.id);
    // A is asked to delete it: B stops it, A removes its state.
    await a.remove(spec.id);
    assert.equal(b.isRunning(spec.id), false);
    assert.deepEqual(store.list(`kube/${spec.id}/`), []);
  } finally {
    await a.closeAll();
    await b.closeAll();
    await ma.close();
    await mb.close();
    store.close();
  }
});
