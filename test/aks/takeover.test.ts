// Ownership through leases (src/store/ownership.ts): two EmulatorCores over one store stand in
// for two processes over a shared store. A starts an AKS create and dies mid-operation (timers,
// keep-alives and listeners stop; nothing is revoked), B claims the operation once A's lease has
// expired, resumes it at its recorded stage (the crash-resume path) to Succeeded, and brings the
// cluster's Kubernetes API and simulation up: nodes Ready, a Deployment's pods scheduled and Running.
import { test } from "node:test";
import assert from "node:assert/strict";
import https from "node:https";
import { randomUUID } from "node:crypto";
import { EmulatorCore } from "../../src/emulator.js";
import type { Caller } from "../../src/arm/caller.js";
import type { OperationRecord } from "../../src/arm/types.js";
import { opKey, opOwnerKey } from "../../src/arm/operations.js";
import { idKey } from "../../src/arm/resource-id.js";
import { resourceGroups } from "../../src/arm/resource-groups.js";
import { Member } from "../../src/store/ownership.js";
import { eventually, tempDir, SUBSCRIPTION_ID, TENANT_ID } from "../helpers/emulator.js";
import { LOCATION, STABLE, clusterBody, clusterId } from "./helpers.js";

function kube(port: number, ca: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      { host: "127.0.0.1", port, path, method, ca, timeout: 10_000, headers: { authorization: `Bearer ${token}`, ...(payload ? { "content-type": "application/json" } : {}) } },
      (res) => {
        let t = "";
        res.on("data", (c) => (t += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: t ? JSON.parse(t) : undefined }));
      },
    );
    req.on("error", reject);
    if (payload) req.write(payload);
    req.end();
  });
}

const ready = (o: any) => (o.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");

test("an AKS create whose owner dies is taken over after its lease expires: Succeeded, and the cluster's simulation runs on", async () => {
  const dataDir = tempDir("aksemu-takeover-");
  const a = await EmulatorCore.open({ dataDir, latency: "fast", leaseTtlSeconds: 2 });
  let b: EmulatorCore | undefined;
  try {
    b = await EmulatorCore.openBeside(a, { latency: "fast", leaseTtlSeconds: 2 });
    await a.startClaiming();
    await b.startClaiming();
    assert.notEqual(a.member.id, b.member.id);

    await a.env.store.txn((tx) => resourceGroups(a.env).ensure(tx, a.env, SUBSCRIPTION_ID, "rg", LOCATION));
    const caller: Caller = { principal: { objectId: randomUUID(), appId: "test-client", tenantId: TENANT_ID }, correlationId: randomUUID(), origin: a.env.endpoint() };
    const cid = clusterId("rg", "c1");
    const put = await a.resources.put(a.resources.resolve(cid, "PUT", STABLE), clusterBody({ count: 2 }), { caller });
    const opName = put.operation!.name;
    assert.equal(a.ops.get(opName)!.owner!.member, a.member.id);

    // A dies right after its kube stage: the cluster runs in A, the operation waits for its last stage.
    let runningAtDeath = false;
    const died = new Promise<void>((resolve) => {
      const unwatch = a.env.store.watch(opKey(opName), undefined, (evs) => {
        const op = evs.at(-1)!.value as OperationRecord;
        if (op.stage === "finish" && op.status === "InProgress") {
          unwatch();
          runningAtDeath = a.kube.isRunning(idKey(cid));
          void a.halt().then(resolve);
        }
      });
    });
    await died;
    assert.ok(runningAtDeath, "A ran the cluster when it died");
    assert.equal(a.kube.isRunning(idKey(cid)), false);
    assert.equal(a.ops.get(opName)!.status, "InProgress");

    // B takes the operation over once A's lease is gone, and finishes it.
    // (every timer of the emulator is unref'd; this one keeps the test's event loop alive meanwhile)
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      b.ops.waitFor(opName),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("operation not finished by B")), 60_000))),
    ]).finally(() => clearTimeout(timer));
    assert.equal(done.status, "Succeeded", JSON.stringify(done.error));
    assert.equal(done.owner?.member, b.member.id);
    assert.equal(a.env.store.get(opOwnerKey(opName)), undefined, "a finished operation has no owner key");
    assert.equal(await a.env.store.leaseTimeToLive(a.member.lease), undefined, "A's lease expired");

    // ... and the cluster: B claims it and brings its Kubernetes API and simulation up.
    await eventually(() => b!.kube.isRunning(idKey(cid)), "cluster running under B", 60_000);
    assert.equal(Member.owner(b.env.store, `owner/cluster/${idKey(cid)}`)?.member, b.member.id);
    const creds = b.kube.storedCredentials(idKey(cid))!;
    const k = (method: string, path: string, body?: unknown) => kube(creds.port, creds.caPem, creds.adminToken, method, path, body);
    await eventually(async () => {
      const nodes = (await k("GET", "/api/v1/nodes")).body?.items ?? [];
      return nodes.length === 2 && nodes.every(ready);
    }, "2 nodes Ready under B", 60_000);
    const dep = await k("POST", "/apis/apps/v1/namespaces/default/deployments", {
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" },
      spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx" }] } } },
    });
    assert.equal(dep.status, 201, JSON.stringify(dep.body));
    const pods = await eventually(async () => {
      const items = (await k("GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb")).body?.items ?? [];
      return items.length === 3 && items.every((p: any) => p.spec.nodeName && p.status?.phase === "Running") ? items : undefined;
    }, "3 pods scheduled and Running under B", 60_000);
    assert.ok(pods.every((p: any) => /^aks-nodepool1-/.test(p.spec.nodeName)));
  } finally {
    await b?.close();
    await a.close();
  }
});
