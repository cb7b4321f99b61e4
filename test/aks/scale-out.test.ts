// Several front doors over one store (test/helpers/fleet.ts) behave as one emulator, both as
// front doors in one child process over one SQLite store and as separate `aksemu start` processes
// over a real 3-member etcd (kill = kill -9 of the owning process):
// - 20 concurrent creates spread over them on one shared delegated subnet give the success count
//   one emulator gives (run here too, as the baseline), and no address is allocated twice;
// - a kubectl watch through the cluster's API (served by the process that runs it) sees the
//   nodes of a scale made through the other front door;
// - when the front door that owns an AKS create dies mid-operation, the other finishes it, takes
//   no address twice, and serves the cluster's Kubernetes API at its own address.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import https from "node:https";
import YAML from "yaml";
import { startEmulator, tempDir, eventually, type RunningEmulator } from "../helpers/emulator.js";
import { startFleet, type Fleet } from "../helpers/fleet.js";
import { needEtcdServer, startEtcdCluster, type EtcdCluster } from "../helpers/etcd-cluster.js";
import { KUBECTL_V32, kubectlMissing } from "../kube/harness.js";
import {
  PREVIEW, usage, clusterBody, clusterId, expectError, get, identity, networkContributor, post, registerVnetIntegrationFeature, resourceGroup, subnet, vnet, waitLro, withApi, type Res,
} from "./helpers.js";

const RG = "rg-scale";
const DELEGATED = "Microsoft.ContainerService/managedClusters";
const CREATES = 20;
/** A /26 delegated subnet: 59 usable addresses, 9 per cluster (ILB frontend and reserved block). */
const FITS = Math.floor((64 - 5) / 9);

function putAt(emu: RunningEmulator, token: string, p: string, body: unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = https.request(new URL(p, emu.endpoint), {
      method: "PUT", ca: emu.caPem, agent: false, timeout: 60_000,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) },
    }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined, text }));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/** 20 creates at once, the i-th through front door i mod n; returns the count that succeeded and every address they hold. */
async function concurrentCreates(fleet: Fleet, tag: string): Promise<{ succeeded: number; addresses: string[] }> {
  const [first] = fleet.members as [RunningEmulator];
  await registerVnetIntegrationFeature(first);
  await resourceGroup(first, RG);
  await vnet(first, RG, `vnet-${tag}`, "10.70.0.0/16");
  const apiSubnet = await subnet(first, RG, `vnet-${tag}`, "api", "10.70.0.0/26", DELEGATED);
  const nodeSubnet = await subnet(first, RG, `vnet-${tag}`, "nodes", "10.70.1.0/24");
  const mi = await identity(first, RG, `id-${tag}`);
  await networkContributor(first, apiSubnet, mi.principalId);
  await networkContributor(first, nodeSubnet, mi.principalId);
  const body = clusterBody({ nodeSubnet, apiSubnet, integrate: true, identityId: mi.id, count: 1 });
  const names = Array.from({ length: CREATES }, (_, i) => `c${tag}${i}`);
  const tokens = await Promise.all(fleet.members.map((m) => m.token()));
  const answers = await Promise.all(names.map((n, i) => {
    const k = i % fleet.members.length;
    return putAt(fleet.members[k]!, tokens[k]!, withApi(clusterId(RG, n), PREVIEW), body);
  }));
  const addresses: string[] = [];
  let succeeded = 0;
  for (const [i, r] of answers.entries()) {
    if (r.status !== 201) {
      expectError(r, 400, "InsufficientSubnetSize");
      continue;
    }
    // Polled through another front door than the one that accepted it.
    const op = await waitLro(fleet.members[(i + 1) % fleet.members.length]!, r, `create ${names[i]}`);
    assert.equal(op.status, "Succeeded", `${names[i]}: ${JSON.stringify(op)}`);
    succeeded++;
    const view = (await get(first, `${clusterId(RG, names[i]!)}/emulatorView`, PREVIEW)).body;
    addresses.push(...view.apiServer.reservedAddresses, ...view.nodes.flatMap((n: any) => [n.internalIP, ...(n.podIPs ?? [])]));
  }
  return { succeeded, addresses };
}

function duplicates(xs: string[]): string[] {
  const seen = new Set<string>();
  return xs.filter((x) => (seen.has(x) ? true : (seen.add(x), false)));
}

type FleetOptions = Omit<Parameters<typeof startFleet>[0], "store">;

/**
 * The scale-out checks over `start`'s fleets: front doors in one child over one SQLite store, or
 * separate `aksemu start --store etcd://...` processes over a 3-member etcd (kill = kill -9).
 */
function scaleOut(title: string, start: (o: FleetOptions) => Promise<Fleet>, hooks: { before?: () => Promise<void>; after?: () => Promise<void>; skip?: string | false } = {}): void {
describe(title, { skip: hooks.skip }, () => {
  if (hooks.before) before(hooks.before);
  if (hooks.after) after(hooks.after);
  test(`${CREATES} concurrent creates on one /26: one emulator and 2 front doors both give ${FITS} clusters, no address twice`, async () => {
    const single = await startEmulator();
    let one: { succeeded: number; addresses: string[] };
    try {
      one = await concurrentCreates({ members: [single], stop: () => single.stop() }, "one");
    } finally {
      await single.stop();
    }
    const fleet = await start({ count: 2 });
    try {
      const two = await concurrentCreates(fleet, "two");
      assert.equal(one.succeeded, FITS);
      assert.equal(two.succeeded, one.succeeded, "the same success count as one emulator");
      assert.deepEqual(duplicates(one.addresses), []);
      assert.deepEqual(duplicates(two.addresses), [], "no address allocated twice");
      assert.equal(two.addresses.length, one.addresses.length);
    } finally {
      await fleet.stop();
    }
  });

  test("a kubectl watch through the cluster's API sees the nodes of a scale made through the other front door", { skip: kubectlMissing(KUBECTL_V32) }, async () => {
    const fleet = await start({ count: 2 });
    const [a, b] = fleet.members as [RunningEmulator, RunningEmulator];
    let watch: ReturnType<typeof spawn> | undefined;
    try {
      await resourceGroup(a, RG);
      const put = await a.request("PUT", withApi(clusterId(RG, "watched"), PREVIEW), clusterBody({ count: 1 }));
      assert.equal(put.status, 201, put.text);
      assert.equal((await waitLro(a, put)).status, "Succeeded");
      // Credentials through B name the address of the process running the cluster (A, which created it).
      const cred = await post(b, `${clusterId(RG, "watched")}/listClusterAdminCredential`, PREVIEW);
      assert.equal(cred.status, 200, cred.text);
      const text = Buffer.from(cred.body.kubeconfigs[0].value, "base64").toString();
      assert.equal(new URL(YAML.parse(text).clusters[0].cluster.server).hostname, new URL(a.endpoint).hostname);
      const kubeconfig = path.join(tempDir("aksemu-scale-kc-"), "config");
      fs.writeFileSync(kubeconfig, text, { mode: 0o600 });
      let seen = "";
      watch = spawn(KUBECTL_V32, ["--kubeconfig", kubeconfig, "get", "nodes", "--watch", "-o", "name"], { stdio: ["ignore", "pipe", "pipe"] });
      watch.stdout!.on("data", (c) => (seen += c));
      watch.stderr!.on("data", (c) => (seen += c));
      await eventually(() => /node\/aks-nodepool1-\d+-vmss000000/.test(seen), "the watch lists the first node");
      // Scale through B: its operation hands the new spec to A, which runs the cluster.
      const scale = await b.request("PUT", withApi(`${clusterId(RG, "watched")}/agentPools/nodepool1`, PREVIEW), { properties: { count: 3, vmSize: "Standard_DS2_v2", mode: "System" } });
      assert.ok([200, 201].includes(scale.status), scale.text);
      assert.equal((await waitLro(b, scale)).status, "Succeeded");
      await eventually(() => /vmss000002/.test(seen), `the watch through A sees the nodes B's scale made:\n${seen}`, 30_000);
    } finally {
      watch?.kill();
      await fleet.stop();
    }
  });

  test("the front door owning an AKS create dies mid-operation: the other finishes it, no address twice, the cluster's API answers through it", async () => {
    const fleet = await start({ count: 2, latency: "fast", leaseTtlSeconds: 2 });
    const [a, b] = fleet.members as [RunningEmulator, RunningEmulator];
    try {
      await registerVnetIntegrationFeature(a);
      await resourceGroup(a, RG);
      await vnet(a, RG, "vnet-kill", "10.80.0.0/16");
      const apiSubnet = await subnet(a, RG, "vnet-kill", "api", "10.80.0.0/28", DELEGATED);
      const nodeSubnet = await subnet(a, RG, "vnet-kill", "nodes", "10.80.1.0/24");
      const mi = await identity(a, RG, "id-kill");
      await networkContributor(a, apiSubnet, mi.principalId);
      await networkContributor(a, nodeSubnet, mi.principalId);
      const put = await a.request("PUT", withApi(clusterId(RG, "orphan"), PREVIEW), clusterBody({ nodeSubnet, apiSubnet, integrate: true, identityId: mi.id, count: 2 }));
      assert.equal(put.status, 201, put.text);
      await fleet.kill!(0);
      const opUrl = new URL(String(put.headers["azure-asyncoperation"]));
      const mid = await b.request("GET", opUrl.pathname + opUrl.search);
      assert.equal(mid.body.status, "InProgress", "A died mid-operation");
      const op = await waitLro(b, put, "the create, finished by B");
      assert.equal(op.status, "Succeeded", JSON.stringify(op));
      // Addresses taken once: the PUT's (ILB and reserved block), the nodes' in the stages, wherever they ran.
      assert.equal((await usage(b, apiSubnet)).used, 9);
      assert.equal((await usage(b, nodeSubnet)).used, 2 * 31);
      const view = (await get(b, `${clusterId(RG, "orphan")}/emulatorView`, PREVIEW)).body;
      const held = [...view.apiServer.reservedAddresses, ...view.nodes.flatMap((n: any) => [n.internalIP, ...n.podIPs])];
      assert.equal(held.length, 9 + 2 * 31);
      assert.deepEqual(duplicates(held), []);
      // The kubeconfig names B, and the cluster's API answers there.
      const cred = await post(b, `${clusterId(RG, "orphan")}/listClusterAdminCredential`, PREVIEW);
      assert.equal(cred.status, 200, cred.text);
      const cluster = YAML.parse(Buffer.from(cred.body.kubeconfigs[0].value, "base64").toString()).clusters[0].cluster;
      assert.equal(new URL(cluster.server).hostname, new URL(b.endpoint).hostname);
      const v = await new Promise<number>((resolve, reject) => {
        const req = https.request(`${cluster.server}/version`, { ca: Buffer.from(cluster["certificate-authority-data"], "base64"), servername: cluster["tls-server-name"], timeout: 10_000 }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end();
      });
      assert.equal(v, 200);
    } finally {
      await fleet.stop();
    }
  });
});
}

scaleOut("one store, several front doors (one child process, one SQLite store)", (o) => startFleet(o));

let etcd: EtcdCluster | undefined;
scaleOut("one store, several processes (separate aksemu processes over a 3-member etcd)", (o) => startFleet({ ...o, store: etcd!.storeUrl }), {
  skip: needEtcdServer(),
  before: async () => void (etcd = await startEtcdCluster()),
  after: async () => void (await etcd?.stop()),
});
