// AKS create latency (PUT → provisioningState Succeeded) for a BYO, VNet-integrated cluster,
// in the instant and fast latency profiles, as the number of clusters sharing one delegated API
// server subnet (and existing in the store) grows: 1, 10, 100, 1000 (bounded).
//   - "provider only": in-process emulator without the KubeBackend (ARM + Network + AKS provider
//     cost), up to BENCH_AKS_MAX (default 1000);
//   - "with KubeHost": the emulator process as shipped (a Kubernetes API per cluster), instant up to
//     BENCH_AKS_KUBE_MAX (default 100), fast up to BENCH_AKS_FAST_MAX (default 10).
// Baseline in the same run: resource-group PUT. Run: node dist/bench/aks.bench.js
import { Emulator } from "../src/emulator.js";
import { rawRequest, startEmulator, tempDir, SUBSCRIPTION_ID, TENANT_ID, type RunningEmulator } from "../test/helpers/emulator.js";
import { emit, machine, median, table } from "./lib.js";

const SUB = SUBSCRIPTION_ID;
const API = "2026-06-01";
const NRP = "2024-05-01";
const SAMPLES = Number(process.env.BENCH_AKS_SAMPLES ?? 5);
const RG = `/subscriptions/${SUB}/resourceGroups/bench`;
const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet`;

type Client = Pick<RunningEmulator, "request" | "stop">;

/** An in-process emulator without the KubeBackend, behind the same request() shape. */
async function inProcess(latency: "instant" | "fast"): Promise<Client> {
  const emu = await Emulator.start({ dataDir: tempDir("aksemu-bench-"), port: 0, latency });
  emu.env.services.delete("kube");
  const tok = await rawRequest(emu.endpoint, emu.pki.caPem, "POST", `/${TENANT_ID}/oauth2/v2.0/token`,
    `grant_type=client_credentials&client_id=bench&client_secret=x&scope=${encodeURIComponent(emu.endpoint + "/.default")}`, { "content-type": "application/x-www-form-urlencoded" });
  const auth = { authorization: `Bearer ${tok.body.access_token}`, "content-type": "application/json" };
  return {
    request: (method, path, body) => rawRequest(emu.endpoint, emu.pki.caPem, method, path, body === undefined ? undefined : JSON.stringify(body), auth),
    stop: () => emu.close(),
  };
}

async function lro(emu: Client, method: string, path: string, body?: unknown): Promise<void> {
  const r = await emu.request(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  const url = r.headers["azure-asyncoperation"] as string | undefined;
  if (!url) return;
  const u = new URL(url);
  for (;;) {
    const s = await emu.request("GET", u.pathname + u.search);
    if (s.body?.status === "Succeeded") return;
    if (s.body?.status && s.body.status !== "InProgress") throw new Error(`${path}: ${JSON.stringify(s.body)}`);
    await new Promise((res) => setTimeout(res, 5));
  }
}

function clusterBody() {
  return {
    location: "westus2",
    identity: { type: "SystemAssigned" },
    properties: {
      agentPoolProfiles: [{ name: "nodepool1", count: 1, mode: "System", vmSize: "Standard_DS2_v2", vnetSubnetID: `${VNET}/subnets/nodes` }],
      networkProfile: { networkPlugin: "azure" },
      apiServerAccessProfile: { enableVnetIntegration: true, subnetId: `${VNET}/subnets/apiserver` },
    },
  };
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function profile(name: "instant" | "fast", checkpoints: number[], withKube: boolean): Promise<Array<Array<string | number>>> {
  const emu: Client = withKube ? await startEmulator({ latency: name }) : await inProcess(name);
  const label = `${name}${withKube ? " + KubeHost" : " provider only"}`;
  const rows: Array<Array<string | number>> = [];
  try {
    await emu.request("PUT", `${RG}?api-version=2021-04-01`, { location: "westus2" });
    const base: number[] = [];
    for (let i = 0; i < SAMPLES; i++) base.push(await timed(async () => void (await emu.request("PUT", `${RG}?api-version=2021-04-01`, { location: "westus2", tags: { i: String(i) } }))));
    emit("aks", { case: "baseline-rg-put", profile: name, kubeBackend: withKube, samplesMs: base, medianMs: median(base) });
    rows.push([label, "resource group PUT (baseline)", "-", median(base), 1]);
    await lro(emu, "PUT", `${VNET}?api-version=${NRP}`, { location: "westus2", properties: { addressSpace: { addressPrefixes: ["10.0.0.0/14"] } } });
    // 1000 clusters x 9 addresses fit a /18; 1000 x 31 (Azure CNI, 1 node) fit the /16.
    await lro(emu, "PUT", `${VNET}/subnets/apiserver?api-version=${NRP}`, { properties: { addressPrefix: "10.0.0.0/18", delegations: [{ name: "aks", properties: { serviceName: "Microsoft.ContainerService/managedClusters" } }] } });
    await lro(emu, "PUT", `${VNET}/subnets/nodes?api-version=${NRP}`, { properties: { addressPrefix: "10.1.0.0/16" } });
    let existing = 0;
    let seq = 0;
    const create = () => lro(emu, "PUT", `${RG}/providers/Microsoft.ContainerService/managedClusters/c${seq++}?api-version=${API}`, clusterBody());
    for (const target of checkpoints) {
      // fill up to target - 1 clusters (8 at a time), then time SAMPLES creates one by one
      const fillTo = Math.max(0, target - 1);
      const t0 = Date.now();
      while (existing < fillTo) {
        const batch = Math.min(8, fillTo - existing);
        await Promise.all(Array.from({ length: batch }, () => create()));
        existing += batch;
      }
      const fillSec = (Date.now() - t0) / 1000;
      const samples: number[] = [];
      for (let i = 0; i < SAMPLES; i++) samples.push(await timed(create));
      existing += SAMPLES;
      const m = median(samples);
      emit("aks", { case: "create-integrated-byo", profile: name, kubeBackend: withKube, clustersSharingSubnet: target, clustersInStore: existing, samplesMs: samples, medianMs: m, fillSeconds: fillSec });
      rows.push([label, `create, ${target} sharing the subnet (${existing} in store)`, target, m, m / median(base)]);
    }
  } finally {
    await emu.stop();
  }
  return rows;
}

async function main() {
  emit("aks", { case: "machine", ...machine(), date: new Date().toISOString() });
  const points = (max: number) => [1, 10, 100, 1000].filter((n) => n <= max);
  const rows = [
    ...(await profile("instant", points(Number(process.env.BENCH_AKS_MAX ?? 1000)), false)),
    ...(await profile("instant", points(Number(process.env.BENCH_AKS_KUBE_MAX ?? 100)), true)),
    ...(await profile("fast", points(Number(process.env.BENCH_AKS_FAST_MAX ?? 10)), true)),
  ];
  table(`AKS create latency, request → Succeeded (median of ${SAMPLES}; the fast profile includes its configured managedClusters.create delay)`, ["profile", "case", "sharing", "median ms", "x baseline"], rows);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
