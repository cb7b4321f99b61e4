// AKS create latency for a BYO, VNet-integrated cluster, in the instant and fast latency profiles,
// as the number of clusters sharing one delegated API server subnet (and existing in the store)
// grows: 1, 10, 100, 1000 (bounded).
//   - "provider only": in-process emulator without the KubeBackend (ARM + Network + AKS provider
//     cost), PUT → provisioningState Succeeded, up to BENCH_AKS_MAX (default 1000);
//   - "+ Kubernetes API": the emulator process as shipped (a Kubernetes API per cluster), PUT →
//     Succeeded → listClusterAdminCredential → the cluster's API answers GET /api/v1/nodes with
//     the nodes (what kubectl needs), instant up to BENCH_AKS_KUBE_MAX (default 100), fast up to
//     BENCH_AKS_FAST_MAX (default 10). Each timed create starts with the emulator idle (its CPU
//     below 10% over 200 ms, read from /proc: Linux), i.e. the earlier clusters' simulations settled.
// Baseline in the same run: resource-group PUT. Run: npm run build && node dist/bench/aks.bench.js
import { Emulator } from "../src/emulator.js";
import { rawRequest, startEmulator, tempDir, SUBSCRIPTION_ID, TENANT_ID, type RunningEmulator } from "../test/helpers/emulator.js";
import { AKS_API, byoClusterBody, byoNetwork, emit, kubeReady, loadAverage, machine, median, settle, table, lro } from "./lib.js";

const SUB = SUBSCRIPTION_ID;
const API = AKS_API;
const SAMPLES = Number(process.env.BENCH_AKS_SAMPLES ?? 5);
const RG = `/subscriptions/${SUB}/resourceGroups/bench`;
const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet`;

type Client = Pick<RunningEmulator, "request" | "stop"> & { pid?: number };

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

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function profile(name: "instant" | "fast", checkpoints: number[], withKube: boolean): Promise<Array<Array<string | number>>> {
  const emu: Client = withKube ? await (async () => { const e = await startEmulator({ latency: name }); return { request: e.request, stop: e.stop, pid: e.proc.pid }; })() : await inProcess(name);
  const label = `${name}${withKube ? " + Kubernetes API" : " provider only"}`;
  const rows: Array<Array<string | number>> = [];
  try {
    await emu.request("PUT", `${RG}?api-version=2021-04-01`, { location: "westus2" });
    const base: number[] = [];
    for (let i = 0; i < SAMPLES; i++) base.push(await timed(async () => void (await emu.request("PUT", `${RG}?api-version=2021-04-01`, { location: "westus2", tags: { i: String(i) } }))));
    emit("aks", { case: "baseline-rg-put", profile: name, kubeBackend: withKube, samplesMs: base, medianMs: median(base) });
    rows.push([label, "resource group PUT (baseline)", "-", median(base), 1]);
    await byoNetwork(emu, VNET);
    let existing = 0;
    let seq = 0;
    const create = () => lro(emu, "PUT", `${RG}/providers/Microsoft.ContainerService/managedClusters/c${seq++}?api-version=${API}`, byoClusterBody(VNET));
    // With the Kubernetes API: the create counts until the new cluster's API answers as kubectl needs it.
    const createReady = async () => {
      const path = `${RG}/providers/Microsoft.ContainerService/managedClusters/c${seq}`;
      await create();
      if (withKube) await kubeReady(emu, path);
    };
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
      for (let i = 0; i < SAMPLES; i++) {
        if (emu.pid) await settle(emu.pid);
        samples.push(await timed(createReady));
      }
      existing += SAMPLES;
      const m = median(samples);
      emit("aks", { case: withKube ? "create-integrated-byo-until-kube-api-answers" : "create-integrated-byo", profile: name, kubeBackend: withKube, clustersSharingSubnet: target, clustersInStore: existing, samplesMs: samples, medianMs: m, fillSeconds: fillSec, loadAverage: loadAverage() });
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
