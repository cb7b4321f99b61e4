// The cluster's Azure-side effects and finishing workloads, with baselines in the same run:
//   - Services of type LoadBalancer through the cloud-provider path (internal: a frontend from
//     the node subnet's IPAM on kubernetes-internal, written through the Network provider, and
//     the status write) vs raw ClusterIP Service creates in the same cluster;
//   - pods through a Job (completions N, parallelism 50: controller, scheduler, kubelet stages
//     up to Succeeded) vs raw pod creates.
// In-process emulator (instant latency) with the KubeHost wired as shipped. Bounded by
// BENCH_LB (default 100) and BENCH_JOB (default 300). Run: node dist/bench/cloud.bench.js
import { Emulator } from "../src/emulator.js";
import { strategyFor } from "../src/kube/catalog.js";
import type { KubeHost } from "../src/cluster/kube-host.js";
import { tempDir, SUBSCRIPTION_ID } from "../test/helpers/emulator.js";
import { inProcessArm } from "../test/aks/helpers.js";
import { emit, machine, table } from "./lib.js";

const N_LB = Number(process.env.BENCH_LB ?? 100);
const N_JOB = Number(process.env.BENCH_JOB ?? 300);
/** Within the 3 nodes' pod address pools (Azure CNI, 30 each, some taken by system pods). */
const PARALLEL = 50;

async function until(what: string, fn: () => boolean, timeoutMs = 600_000): Promise<void> {
  const t = Date.now();
  while (!fn()) {
    if (Date.now() - t > timeoutMs) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function main(): Promise<void> {
  const emu = await Emulator.start({ dataDir: tempDir("aksemu-bench-"), port: 0, latency: "instant" });
  try {
    const req = await inProcessArm(emu);
    const rg = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/bench`;
    await req("PUT", `${rg}?api-version=2021-04-01`, { location: "westus2" });
    const vnet = `${rg}/providers/Microsoft.Network/virtualNetworks/vnet`;
    await req("PUT", `${vnet}?api-version=2024-05-01`, { location: "westus2", properties: { addressSpace: { addressPrefixes: ["10.40.0.0/16"] } } });
    await req("PUT", `${vnet}/subnets/nodes?api-version=2024-05-01`, { properties: { addressPrefix: "10.40.0.0/20" } });
    await new Promise((r) => setTimeout(r, 200));
    const cid = `${rg}/providers/Microsoft.ContainerService/managedClusters/bench`;
    const put = await req("PUT", `${cid}?api-version=2026-06-01`, {
      location: "westus2", identity: { type: "SystemAssigned" },
      properties: { agentPoolProfiles: [{ name: "nodepool1", count: 3, mode: "System", vmSize: "Standard_DS2_v2", vnetSubnetID: `${vnet}/subnets/nodes` }], networkProfile: { networkPlugin: "azure" } },
    });
    if (put.status >= 300) throw new Error(put.text);
    for (let i = 0; i < 600; i++) {
      const r = await req("GET", `${cid}?api-version=2026-06-01`);
      if (r.body?.properties?.provisioningState === "Succeeded") break;
      await new Promise((res) => setTimeout(res, 50));
    }
    const host = emu.env.services.get("kube") as KubeHost;
    const id = cid.toLowerCase();
    await host.idle(id);
    const reg = host.registry(id)!;
    const svcS = strategyFor("services");
    const podS = strategyFor("pods");
    const jobS = strategyFor("jobs", "batch");
    const ingress = (name: string) => !!reg.tryGet(svcS, "default", name)?.status?.loadBalancer?.ingress?.length;

    // Baseline: raw ClusterIP Service creates.
    let t = performance.now();
    for (let i = 0; i < N_LB; i++) await reg.create(svcS, "default", { metadata: { name: `raw-${i}` }, spec: { selector: { app: "x" }, ports: [{ port: 80 }] } });
    const rawSvc = N_LB / ((performance.now() - t) / 1000);
    // Internal LoadBalancers through the cloud provider, until every one has its address.
    t = performance.now();
    for (let i = 0; i < N_LB; i++) {
      await reg.create(svcS, "default", { metadata: { name: `lb-${i}`, annotations: { "service.beta.kubernetes.io/azure-load-balancer-internal": "true" } }, spec: { type: "LoadBalancer", selector: { app: "x" }, ports: [{ port: 80 }] } });
    }
    await until("LB addresses", () => Array.from({ length: N_LB }, (_, i) => i).every((i) => ingress(`lb-${i}`)));
    const lbSvc = N_LB / ((performance.now() - t) / 1000);

    // Baseline: raw pod creates.
    t = performance.now();
    for (let i = 0; i < N_JOB; i++) await reg.create(podS, "default", { metadata: { name: `raw-pod-${i}` }, spec: { containers: [{ name: "c", image: "busybox" }] } });
    const rawPods = N_JOB / ((performance.now() - t) / 1000);
    await host.idle(id);
    for (let i = 0; i < N_JOB; i++) await reg.delete(podS, "default", `raw-pod-${i}`, { gracePeriodSeconds: 0 });
    await host.idle(id);
    // Pods through a Job, until the Job is Complete.
    t = performance.now();
    await reg.create(jobS, "default", { metadata: { name: "batch" }, spec: { completions: N_JOB, parallelism: PARALLEL, template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } } } });
    await until("Job complete", () => ((reg.tryGet(jobS, "default", "batch")?.status?.conditions ?? []) as Array<{ type: string }>).some((c) => c.type === "Complete"));
    const jobPods = N_JOB / ((performance.now() - t) / 1000);

    const rows = [
      { name: `internal LoadBalancer Services through the cloud provider (${N_LB}, frontend from subnet IPAM)`, value: lbSvc, baseline: rawSvc, unit: "services/s" },
      { name: `pods Succeeded through a Job (completions=${N_JOB}, parallelism=${PARALLEL})`, value: jobPods, baseline: rawPods, unit: "pods/s" },
    ];
    for (const r of rows) emit("cloud", { ...r, ratio: Number((r.value / r.baseline).toFixed(3)), machine: machine() });
    table("cloud and workloads", ["benchmark", "value", "baseline (raw creates)", "ratio"], rows.map((r) => [r.name, `${r.value.toFixed(0)} ${r.unit}`, `${r.baseline.toFixed(0)} /s`, (r.value / r.baseline).toFixed(3)]));
  } finally {
    await emu.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
