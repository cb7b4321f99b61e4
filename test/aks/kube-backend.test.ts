// The KubeBackend plug-in point with the real KubeHost (src/cluster/kube-host.ts) wired in-process
// the way the lead registers it (env.services "kube"): the cluster's Kubernetes API sees the nodes
// and addresses the provider computed, and credentials point at 127.0.0.1:<port> with the FQDN as
// tls-server-name.
import { test } from "node:test";
import assert from "node:assert/strict";
import https from "node:https";
import YAML from "yaml";
import { Emulator } from "../../src/emulator.js";
import { KubeHost } from "../../src/cluster/kube-host.js";
import { tempDir, eventually, SUBSCRIPTION_ID } from "../helpers/emulator.js";
import { clusterBody, clusterId, LOCATION, inProcessArm } from "./helpers.js";

function kubeGet(server: string, tlsServerName: string | undefined, ca: string, token: string, path: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, server);
    const req = https.request(u, { ca, servername: tlsServerName, headers: { authorization: `Bearer ${token}` }, timeout: 10_000 }, (res) => {
      let t = "";
      res.on("data", (c) => (t += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: t ? JSON.parse(t) : undefined }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("KubeHost behind env.services 'kube': nodes, addresses and kubeconfig", async () => {
  const emu = await Emulator.start({ dataDir: tempDir(), port: 0, latency: "instant" });
  const host = new KubeHost({ store: emu.env.store, pki: emu.pki, latency: { delay: () => 0 } });
  emu.env.services.set("kube", host);
  try {
    const req = await inProcessArm(emu);
    assert.equal((await req("PUT", `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg?api-version=2021-04-01`, { location: LOCATION })).status, 201);
    const cid = clusterId("rg", "k1");
    const put = await req("PUT", `${cid}?api-version=2026-06-01`, clusterBody({ integrate: true, count: 2 }));
    assert.equal(put.status, 201, put.text);
    const c = await eventually(async () => {
      const r = await req("GET", `${cid}?api-version=2026-06-01`);
      return r.body?.properties?.provisioningState === "Succeeded" ? r.body : undefined;
    }, "cluster Succeeded");
    const cred = await req("POST", `${cid}/listClusterAdminCredential?api-version=2026-06-01`);
    const kc = YAML.parse(Buffer.from(cred.body.kubeconfigs[0].value, "base64").toString("utf8"));
    const cl = kc.clusters[0].cluster;
    assert.match(cl.server, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(cl["tls-server-name"], c.properties.fqdn);
    const ca = Buffer.from(cl["certificate-authority-data"], "base64").toString();
    // Each simulated kubelet posts its node's status (addresses) after registering: wait until all have.
    const nodes = await eventually(async () => {
      const r = await kubeGet(cl.server, cl["tls-server-name"], ca, kc.users[0].user.token, "/api/v1/nodes");
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const ready = r.body.items.length > 0 && r.body.items.every((n: any) => (n.status?.addresses ?? []).some((a: any) => a.type === "InternalIP"));
      return ready ? r : undefined;
    }, "every node has its InternalIP");
    const view = (await req("GET", `${cid}/emulatorView?api-version=2026-06-01`)).body;
    const names = nodes.body.items.map((n: any) => n.metadata.name).sort();
    assert.deepEqual(names, view.nodes.map((n: any) => n.name).sort());
    const ips = nodes.body.items.flatMap((n: any) => (n.status?.addresses ?? []).filter((a: any) => a.type === "InternalIP").map((a: any) => a.address)).sort();
    assert.deepEqual(ips, view.nodes.map((n: any) => n.internalIP).sort());
    // stop → the API goes away; start → same port again
    const stop = await req("POST", `${cid}/stop?api-version=2026-06-01`);
    assert.equal(stop.status, 202);
    await eventually(async () => (await req("GET", `${cid}?api-version=2026-06-01`)).body?.properties?.powerState?.code === "Stopped", "Stopped");
    await assert.rejects(kubeGet(cl.server, cl["tls-server-name"], ca, kc.users[0].user.token, "/version"));
    assert.equal((await req("POST", `${cid}/start?api-version=2026-06-01`)).status, 202);
    await eventually(async () => (await req("GET", `${cid}?api-version=2026-06-01`)).body?.properties?.powerState?.code === "Running", "Running");
    await eventually(async () => (await kubeGet(cl.server, cl["tls-server-name"], ca, kc.users[0].user.token, "/version")).status === 200, "API back on the same port");
  } finally {
    await host.closeAll();
    await emu.close();
  }
});

async function withKubeHost(fn: (req: (m: string, p: string, b?: unknown) => Promise<any>, emu: any) => Promise<void>): Promise<void> {
  const emu = await Emulator.start({ dataDir: tempDir(), port: 0, latency: "instant" });
  const host = new KubeHost({ store: emu.env.store, pki: emu.pki, latency: { delay: () => 0 } });
  emu.env.services.set("kube", host);
  try {
    const req = await inProcessArm(emu);
    assert.equal((await req("PUT", `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg?api-version=2021-04-01`, { location: LOCATION })).status, 201);
    await fn(req, emu);
  } finally {
    await host.closeAll();
    await emu.close();
  }
}

async function adminKube(req: (m: string, p: string, b?: unknown) => Promise<any>, cid: string) {
  const cred = await req("POST", `${cid}/listClusterAdminCredential?api-version=2026-06-01`);
  const kc = YAML.parse(Buffer.from(cred.body.kubeconfigs[0].value, "base64").toString("utf8"));
  const cl = kc.clusters[0].cluster;
  const ca = Buffer.from(cl["certificate-authority-data"], "base64").toString();
  return (path: string) => kubeGet(cl.server, cl["tls-server-name"], ca, kc.users[0].user.token, path);
}

test("overlay cluster (no networkProfile): coredns pods Running with 10.244.x.y IPs; default/kubernetes endpoint is the API server address", async () => {
  await withKubeHost(async (req) => {
    const cid = clusterId("rg", "ov");
    const body = clusterBody({ count: 2 });
    delete body.properties.networkProfile;
    body.properties.agentPoolProfiles[0].availabilityZones = ["1", "2"];
    body.properties.agentPoolProfiles[0].orchestratorVersion = "1.30";
    body.properties.kubernetesVersion = "1.31";
    const put = await req("PUT", `${cid}?api-version=2026-06-01`, body);
    assert.equal(put.status, 201, put.text);
    const c = await eventually(async () => {
      const r = await req("GET", `${cid}?api-version=2026-06-01`);
      return r.body?.properties?.provisioningState === "Succeeded" ? r.body : undefined;
    }, "cluster Succeeded");
    assert.equal(c.properties.networkProfile.networkPluginMode, "overlay");
    const kube = await adminKube(req, cid);
    const pods = await eventually(async () => {
      const r = await kube("/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns");
      const items = r.body?.items ?? [];
      return items.length > 0 && items.every((p: any) => p.status?.phase === "Running" && p.status?.podIP) ? items : undefined;
    }, "coredns Running with IPs");
    for (const p of pods) assert.match(p.status.podIP, /^10\.244\.\d+\.\d+$/, p.metadata.name);
    assert.equal(new Set(pods.map((p: any) => p.status.podIP)).size, pods.length, "distinct pod IPs");
    // node labels / nodeInfo from the real pool and cluster
    const nodes = (await kube("/api/v1/nodes")).body.items;
    assert.equal(nodes.length, 2);
    const kubeletClientId = c.properties.identityProfile?.kubeletidentity?.clientId;
    assert.ok(kubeletClientId, JSON.stringify(c.properties.identityProfile));
    for (const n of nodes) {
      assert.equal(n.metadata.labels["kubernetes.azure.com/kubelet-identity-client-id"], kubeletClientId);
      assert.equal(n.metadata.labels["kubernetes.io/os"], "linux");
      assert.equal(n.status.nodeInfo.kubeletVersion, `v${c.properties.agentPoolProfiles[0].currentOrchestratorVersion}`);
      assert.match(n.status.nodeInfo.kubeletVersion, /^v1\.30\./);
    }
    assert.deepEqual(nodes.map((n: any) => n.metadata.labels["topology.kubernetes.io/zone"]).sort(), [`${LOCATION}-1`, `${LOCATION}-2`]);
    const view = (await req("GET", `${cid}/emulatorView?api-version=2026-06-01`)).body;
    const ep = await kube("/api/v1/namespaces/default/endpoints/kubernetes");
    assert.equal(ep.status, 200);
    assert.equal(ep.body.subsets[0].addresses[0].ip, view.apiServer.address, JSON.stringify(view.apiServer));
  });
});
