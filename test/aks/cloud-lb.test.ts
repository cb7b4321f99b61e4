// Services of type LoadBalancer do what AKS's cloud provider does: real kubectl (1.32) against an
// emulated cluster, the Azure side read back with the Azure SDK for JS (@azure/arm-network).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { NetworkManagementClient } from "@azure/arm-network";
import { eventually, startEmulator, tempDir, SUBSCRIPTION_ID, type RunningEmulator } from "../helpers/emulator.js";
import { KUBECTL_V32, kubectlMissing, run } from "../kube/harness.js";
import { clusterBody, clusterId, ok, post, resourceGroup, subnet, vnet, NRP, STABLE } from "./helpers.js";

const missing = kubectlMissing(KUBECTL_V32);

async function kubeEnv(emu: RunningEmulator, cid: string): Promise<NodeJS.ProcessEnv> {
  const cred = await post(emu, `${cid}/listClusterAdminCredential`, STABLE);
  assert.equal(cred.status, 200, cred.text);
  const dir = tempDir("aksemu-lb-");
  const kc = path.join(dir, "kubeconfig");
  fs.writeFileSync(kc, Buffer.from(cred.body.kubeconfigs[0].value, "base64"));
  fs.mkdirSync(path.join(dir, "home"));
  return { ...process.env, KUBECONFIG: kc, HOME: path.join(dir, "home") };
}

function svcYaml(name: string, ann: Record<string, string> = {}, extra: Record<string, unknown> = {}): string {
  return YAML.stringify({
    apiVersion: "v1", kind: "Service",
    metadata: { name, annotations: ann },
    spec: { type: "LoadBalancer", selector: { app: "web" }, ports: [{ port: 80, targetPort: 80 }], ...extra },
  });
}

const INTERNAL = { "service.beta.kubernetes.io/azure-load-balancer-internal": "true" };

test("LoadBalancer Services: public IP, frontends, rules, probes and NSG rules in the node resource group", { skip: missing }, async () => {
  const emu = await startEmulator({ latency: "instant" });
  try {
    await resourceGroup(emu, "rg");
    await vnet(emu, "rg", "vnet", "10.50.0.0/16");
    const nodeSubnet = await subnet(emu, "rg", "vnet", "nodes", "10.50.1.0/26");
    const body = clusterBody({ nodeSubnet, count: 1 });
    body.properties.agentPoolProfiles[0].maxPods = 10;
    const cid = clusterId("rg", "lb");
    const cluster = await ok(emu, cid, body, STABLE);
    const nodeRg = cluster.properties.nodeResourceGroup;
    const env = await kubeEnv(emu, cid);
    const k = async (args: string[], input?: string) => {
      const r = await run(KUBECTL_V32, args, env, { input });
      assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
      return r.stdout;
    };
    const net = new NetworkManagementClient(emu.credential(), SUBSCRIPTION_ID, emu.sdkOptions() as never);

    await k(["create", "deployment", "web", "--image=nginx", "--replicas=2"]);
    await k(["expose", "deployment", "web", "--type=LoadBalancer", "--port=80"]);
    const ip = await eventually(async () => (await k(["get", "svc", "web", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}"])) || undefined, "public EXTERNAL-IP");
    const svc = JSON.parse(await k(["get", "svc", "web", "-o", "json"]));
    assert.ok(svc.metadata.finalizers.includes("service.kubernetes.io/load-balancer-cleanup"));
    const base = `a${svc.metadata.uid.replace(/-/g, "")}`.slice(0, 32);
    const pip = await net.publicIPAddresses.get(nodeRg, `kubernetes-${base}`);
    assert.equal(pip.ipAddress, ip, "kubectl get svc and the public IP agree");
    assert.deepEqual(pip.tags, { "k8s-azure-service": "default/web", "k8s-azure-cluster-name": "kubernetes" });
    assert.equal(pip.sku?.name, "Standard");
    const lb = await net.loadBalancers.get(nodeRg, "kubernetes");
    const fe = lb.frontendIPConfigurations!.find((f) => f.name === base)!;
    assert.equal(fe.publicIPAddress?.id?.toLowerCase(), pip.id!.toLowerCase());
    const rule = lb.loadBalancingRules!.find((r) => r.name === `${base}-TCP-80`)!;
    assert.equal(rule.frontendPort, 80);
    assert.equal(rule.enableFloatingIP, true);
    assert.ok(rule.backendAddressPool?.id?.endsWith("/backendAddressPools/kubernetes"));
    const probe = lb.probes!.find((p) => p.name === `${base}-TCP-80`)!;
    assert.equal(probe.port, svc.spec.ports[0].nodePort);
    const nsgName = (await net.networkSecurityGroups.list(nodeRg).byPage().next()).value[0].name;
    const nsgRule = await net.securityRules.get(nodeRg, nsgName, "k8s-azure-lb_allow_IPv4_d39272f7f57ed937951650d93992ad77");
    assert.equal(nsgRule.destinationAddressPrefix, ip);
    assert.equal(nsgRule.sourceAddressPrefix, "Internet");
    assert.equal(nsgRule.priority, 500);
    const events = await k(["get", "events", "--field-selector", "involvedObject.name=web,involvedObject.kind=Service", "-o", "jsonpath={.items[*].reason}"]);
    assert.match(events, /EnsuringLoadBalancer/);
    assert.match(events, /EnsuredLoadBalancer/);

    // internal: kubernetes-internal, address from the node subnet
    await k(["apply", "-f", "-"], svcYaml("web-int", INTERNAL));
    const iip = await eventually(async () => (await k(["get", "svc", "web-int", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}"])) || undefined, "internal EXTERNAL-IP");
    const ilb = await net.loadBalancers.get(nodeRg, "kubernetes-internal");
    const iuid = JSON.parse(await k(["get", "svc", "web-int", "-o", "json"])).metadata.uid;
    const ife = ilb.frontendIPConfigurations!.find((f) => f.name === `a${iuid.replace(/-/g, "")}`.slice(0, 32))!;
    assert.equal(ife.privateIPAddress, iip, "kubectl get svc and az network lb show agree");
    assert.equal(ife.privateIPAllocationMethod, "Dynamic");
    assert.equal(ife.subnet?.id?.toLowerCase(), nodeSubnet.toLowerCase());
    assert.match(iip, /^10\.50\.1\.\d+$/);

    // a requested address that a node holds: refused as the cloud provider refuses it
    const view = (await emu.request("GET", `${cid}/emulatorView?api-version=${STABLE}`)).body;
    const nodeIp = view.nodes[0].internalIP;
    await k(["apply", "-f", "-"], svcYaml("taken", { ...INTERNAL, "service.beta.kubernetes.io/azure-load-balancer-ipv4": nodeIp }));
    const msg = await eventually(async () => (await k(["get", "events", "--field-selector", "involvedObject.name=taken,reason=SyncLoadBalancerFailed", "-o", "jsonpath={.items[*].message}"])) || undefined, "SyncLoadBalancerFailed");
    assert.match(msg, /^Error syncing load balancer: failed to ensure load balancer: PUT .*\/loadBalancers\/kubernetes-internal\n/);
    assert.match(msg, /ERROR CODE: PrivateIPAddressIsAllocated/);
    assert.equal(await k(["get", "svc", "taken", "-o", "jsonpath={.status.loadBalancer.ingress}"]), "", "stays <pending>");
    await k(["apply", "-f", "-"], svcYaml("outside", INTERNAL, { loadBalancerIP: "10.99.0.7" }));
    const msg2 = await eventually(async () => (await k(["get", "events", "--field-selector", "involvedObject.name=outside,reason=SyncLoadBalancerFailed", "-o", "jsonpath={.items[*].message}"])) || undefined, "NotInSubnet");
    assert.match(msg2, /ERROR CODE: PrivateIPAddressNotInSubnet/);
    assert.match(msg2, /Private static IP address 10\.99\.0\.7 does not belong to the range of subnet prefix 10\.50\.1\.0\/26\./);

    // 20 internal Services on the /26: distinct addresses, never a node's or a pod's
    const docs = Array.from({ length: 20 }, (_, i) => svcYaml(`int-${i}`, INTERNAL)).join("---\n");
    await k(["apply", "-f", "-"], docs);
    const ips = await eventually(async () => {
      const out = (await k(["get", "svc", "-l", "", "-o", "json"]));
      const got = JSON.parse(out).items.filter((s: any) => s.metadata.name.startsWith("int-")).map((s: any) => s.status?.loadBalancer?.ingress?.[0]?.ip);
      return got.length === 20 && got.every(Boolean) ? (got as string[]) : undefined;
    }, "20 internal addresses", 60_000, 200);
    const taken = new Set([iip, ...view.nodes.flatMap((n: any) => [n.internalIP, ...(n.podIPs ?? [])])]);
    assert.equal(new Set(ips).size, 20, "no two Services share an address");
    for (const a of ips) {
      assert.ok(!taken.has(a), `${a} collides with a node, pod or other frontend`);
      assert.match(a, /^10\.50\.1\.(\d+)$/);
      assert.ok(Number(a.split(".")[3]) >= 4 && Number(a.split(".")[3]) <= 62, `${a} is inside the /26 and not reserved`);
    }
    const sub = await net.subnets.get("rg", "vnet", "nodes");
    assert.ok((sub.ipConfigurations ?? []).some((c) => c.id?.toLowerCase().includes("/loadbalancers/kubernetes-internal/")), "the subnet lists the frontends");

    // deleting releases everything
    await k(["delete", "svc", "web", "web-int", "taken", "outside", ...ips.map((_, i) => `int-${i}`), "--wait=true"]);
    await assert.rejects(net.publicIPAddresses.get(nodeRg, `kubernetes-${base}`), (e: any) => e.statusCode === 404);
    await assert.rejects(net.loadBalancers.get(nodeRg, "kubernetes-internal"), (e: any) => e.statusCode === 404);
    await assert.rejects(net.securityRules.get(nodeRg, nsgName, "k8s-azure-lb_allow_IPv4_d39272f7f57ed937951650d93992ad77"), (e: any) => e.statusCode === 404);
    const out = await net.loadBalancers.get(nodeRg, "kubernetes");
    assert.equal(out.loadBalancingRules!.length, 0);
    assert.ok(!out.frontendIPConfigurations!.some((f) => f.name === base));
    const r = await emu.request("GET", `${nodeSubnet}?api-version=${NRP}`);
    assert.ok(!(r.body.properties.ipConfigurations ?? []).some((c: any) => c.id.toLowerCase().includes("kubernetes-internal")));
  } finally {
    await emu.stop();
  }
});

test("StatefulSet with volumeClaimTemplates: 3 managed disks named and tagged as the disk CSI driver does, 3 bound claims; Delete reclaims", { skip: missing }, async () => {
  const emu = await startEmulator({ latency: "instant" });
  try {
    await resourceGroup(emu, "rg");
    const cid = clusterId("rg", "disks");
    const cluster = await ok(emu, cid, clusterBody({ count: 2 }), STABLE);
    const nodeRg = cluster.properties.nodeResourceGroup;
    const env = await kubeEnv(emu, cid);
    const k = async (args: string[], input?: string) => {
      const r = await run(KUBECTL_V32, args, env, { input });
      assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
      return r.stdout;
    };
    await k(["apply", "-f", "-"], YAML.stringify({
      apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "db" },
      spec: {
        serviceName: "db", replicas: 3, selector: { matchLabels: { app: "db" } },
        template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "pg", image: "postgres:16", volumeMounts: [{ name: "data", mountPath: "/var/lib/postgresql/data" }] }] } },
        volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: "managed-csi", resources: { requests: { storage: "1500Mi" } } } }],
      },
    }));
    const r = await run(KUBECTL_V32, ["rollout", "status", "sts/db", "--timeout=60s"], env);
    assert.equal(r.code, 0, r.stderr);
    const pvcs = JSON.parse(await k(["get", "pvc", "-o", "json"])).items;
    assert.deepEqual(pvcs.map((p: any) => [p.metadata.name, p.status.phase, p.status.capacity.storage]).sort(), [
      ["data-db-0", "Bound", "2Gi"], ["data-db-1", "Bound", "2Gi"], ["data-db-2", "Bound", "2Gi"],
    ]);
    for (const pvc of pvcs) {
      const pvName = `pvc-${pvc.metadata.uid}`;
      assert.equal(pvc.spec.volumeName, pvName);
      const disk = await emu.request("GET", `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${nodeRg}/providers/Microsoft.Compute/disks/${pvName}?api-version=2024-03-02`);
      assert.equal(disk.status, 200, disk.text);
      assert.deepEqual(disk.body.tags, {
        "k8s-azure-created-by": "kubernetes-azure-dd", "kubernetes.io-created-for-pv-name": pvName,
        "kubernetes.io-created-for-pvc-name": pvc.metadata.name, "kubernetes.io-created-for-pvc-namespace": "default",
      });
      assert.equal(disk.body.sku.name, "StandardSSD_LRS");
      assert.equal(disk.body.properties.diskSizeGB, 2);
      const pv = JSON.parse(await k(["get", "pv", pvName, "-o", "json"]));
      assert.equal(pv.spec.csi.volumeHandle.toLowerCase(), disk.body.id.toLowerCase());
      assert.equal(pv.status.phase, "Bound");
      assert.equal(pv.spec.persistentVolumeReclaimPolicy, "Delete");
    }
    // WaitForFirstConsumer: a claim nobody uses stays Pending, with the controller's event.
    await k(["apply", "-f", "-"], YAML.stringify({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "idle" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }));
    await eventually(async () => (await k(["get", "events", "--field-selector", "involvedObject.name=idle,reason=WaitForFirstConsumer", "-o", "name"])).trim() !== "", "WaitForFirstConsumer event");
    const idle = JSON.parse(await k(["get", "pvc", "idle", "-o", "json"]));
    assert.deepEqual([idle.status.phase, idle.spec.storageClassName], ["Pending", "default"]);
    // Reclaim: delete the StatefulSet and its claims, the disks go.
    await k(["delete", "sts", "db", "--wait=true"]);
    await k(["delete", "pvc", "data-db-0", "data-db-1", "data-db-2", "--wait=true"]);
    for (const pvc of pvcs) {
      await eventually(async () => (await emu.request("GET", `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${nodeRg}/providers/Microsoft.Compute/disks/pvc-${pvc.metadata.uid}?api-version=2024-03-02`)).status === 404, "disk deleted");
    }
    assert.equal(JSON.parse(await k(["get", "pv", "-o", "json"])).items.length, 0);
  } finally {
    await emu.stop();
  }
});
