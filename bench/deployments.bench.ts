// Template deployments (issue 13): the seed's BYO-VNet template deployed end to end (PUT →
// Succeeded, every resource through the resource service) beside the same five resources created
// one request at a time by a client that waits for each (the baseline, same run); and a
// 200-resource copy-loop template beside 200 sequential PUTs, to show the graph runs independent
// resources in parallel. Instant latency profile, fresh names per run. The peak number of resource
// operations running at once is read back from the deployment's own operation records. A second
// emulator with the "fast" profile (each VNet write takes 100 ms in its provider, as Azure's take
// seconds) runs 50 VNets as one copy loop beside 50 sequential PUTs: there the graph's parallelism
// is not hidden behind the store's single writer.
// Run: npm run build && node scripts/run-bench.mjs deployments
import fs from "node:fs";
import path from "node:path";
import { startEmulator, REPO_ROOT, SUBSCRIPTION_ID } from "../test/helpers/emulator.js";
import { registerVnetIntegrationFeature, resourceGroup } from "../test/aks/helpers.js";
import { emit, machine, median, table } from "./lib.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const RG = "rg-bench-deploy";
const rgId = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RG}`;
const TEMPLATE = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "test/fixtures/templates/byo-vnet.json"), "utf8"));
const VNET_PROPERTIES = {
  addressSpace: { addressPrefixes: ["172.19.0.0/16"] },
  subnets: [
    { name: "apiserver-subnet", properties: { addressPrefix: "172.19.0.0/28", delegations: [{ name: "aks-delegation", properties: { serviceName: "Microsoft.ContainerService/managedClusters" } }] } },
    { name: "cluster-subnet", properties: { addressPrefix: "172.19.1.0/24" } },
  ],
};
const COPY200 = {
  contentVersion: "1.0.0.0",
  parameters: { prefix: { type: "string" } },
  resources: [
    {
      type: "Microsoft.Network/virtualNetworks",
      apiVersion: "2024-05-01",
      name: "[format('{0}-{1}', parameters('prefix'), copyIndex())]",
      location: "[resourceGroup().location]",
      copy: { name: "vnets", count: 200 },
      properties: { addressSpace: { addressPrefixes: ["[cidrSubnet('10.0.0.0/8', 16, copyIndex())]"] } },
    },
  ],
};

const copyOf = (n: number) => ({ ...COPY200, resources: [{ ...COPY200.resources[0]!, copy: { name: "vnets", count: n } }] });

/** The most operations of a deployment that were running at the same moment (from their start and end times). */
function peakConcurrency(ops: { properties: { timestamp: string; duration: string } }[]): number {
  const edges: [number, number][] = [];
  for (const o of ops) {
    const end = Date.parse(o.properties.timestamp);
    const dur = Number(/^PT([\d.]+)S$/.exec(o.properties.duration)?.[1] ?? 0) * 1000;
    edges.push([end - dur, 1], [end, -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let peak = 0;
  for (const [, d] of edges) peak = Math.max(peak, (cur += d));
  return peak;
}

const emu = await startEmulator({ latency: "instant" });
try {
  await registerVnetIntegrationFeature(emu);
  await resourceGroup(emu, RG);
  emit("deployments", { case: "machine", ...machine(), date: new Date().toISOString() });

  const waitFor = async (res: { status: number; headers: Record<string, unknown>; text: string }) => {
    if (res.status >= 300) throw new Error(res.text);
    const url = res.headers["azure-asyncoperation"];
    if (!url) return;
    const u = new URL(String(url));
    for (;;) {
      const s = await emu.request("GET", u.pathname + u.search);
      const st = s.body.status;
      if (st === "Succeeded") return;
      if (st === "Failed" || st === "Canceled") throw new Error(s.text);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const timed = async (fn: () => Promise<void>) => {
    const t0 = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const deploy = (name: string, template: unknown, parameters: unknown) => async () =>
    waitFor(await emu.request("PUT", `${rgId}/providers/Microsoft.Resources/deployments/${name}?api-version=2022-09-01`, { properties: { mode: "Incremental", template, parameters } }));

  const byoTemplate: number[] = [];
  const byoRequests: number[] = [];
  const copyTemplate: number[] = [];
  const copyRequests: number[] = [];
  const copyPeak: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    byoTemplate.push(await timed(deploy(`byo${i}`, TEMPLATE, { clusterName: { value: `t${i}` }, vnetName: { value: `tv${i}` } })));
    byoRequests.push(
      await timed(async () => {
        const vnet = `${rgId}/providers/Microsoft.Network/virtualNetworks/rv${i}`;
        const uami = `${rgId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/r${i}-identity`;
        await waitFor(await emu.request("PUT", `${vnet}?api-version=2024-05-01`, { location: "westus2", properties: VNET_PROPERTIES }));
        const id = await emu.request("PUT", `${uami}?api-version=2023-01-31`, { location: "westus2" });
        await waitFor(id);
        const principalId = id.body.properties.principalId;
        for (const [s, g] of [["apiserver-subnet", "1"], ["cluster-subnet", "2"]]) {
          const ra = `${vnet}/subnets/${s}/providers/Microsoft.Authorization/roleAssignments/${String(i).padStart(8, "0")}-0000-4000-8000-00000000000${g}`;
          await waitFor(await emu.request("PUT", `${ra}?api-version=2022-04-01`, { properties: { roleDefinitionId: `/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7`, principalId, principalType: "ServicePrincipal" } }));
        }
        await waitFor(
          await emu.request("PUT", `${rgId}/providers/Microsoft.ContainerService/managedClusters/r${i}?api-version=2026-06-01`, {
            location: "westus2",
            identity: { type: "UserAssigned", userAssignedIdentities: { [uami]: {} } },
            properties: {
              dnsPrefix: `r${i}`,
              agentPoolProfiles: [{ name: "nodepool1", count: 3, vmSize: "Standard_DS2_v2", mode: "System", osType: "Linux", vnetSubnetID: `${vnet}/subnets/cluster-subnet` }],
              networkProfile: { networkPlugin: "azure" },
              apiServerAccessProfile: { enableVnetIntegration: true, subnetId: `${vnet}/subnets/apiserver-subnet`, enablePrivateCluster: true },
            },
          }),
        );
      }),
    );
    copyTemplate.push(await timed(deploy(`copy${i}`, COPY200, { prefix: { value: `c${i}` } })));
    copyPeak.push(peakConcurrency((await emu.request("GET", `${rgId}/deployments/copy${i}/operations?api-version=2022-09-01`)).body.value));
    copyRequests.push(
      await timed(async () => {
        for (let k = 0; k < 200; k++) {
          await waitFor(await emu.request("PUT", `${rgId}/providers/Microsoft.Network/virtualNetworks/s${i}-${k}?api-version=2024-05-01`, { location: "westus2", properties: { addressSpace: { addressPrefixes: [`10.${k}.0.0/16`] } } }));
        }
      }),
    );
  }
  emit("deployments", { case: "byo-template", runsMs: byoTemplate, medianMs: median(byoTemplate) });
  emit("deployments", { case: "byo-one-request-at-a-time", runsMs: byoRequests, medianMs: median(byoRequests) });
  emit("deployments", { case: "copy200-template", runsMs: copyTemplate, medianMs: median(copyTemplate) });
  emit("deployments", { case: "copy200-sequential-puts", runsMs: copyRequests, medianMs: median(copyRequests) });
  emit("deployments", { case: "copy200-peak-concurrent-operations", runs: copyPeak, median: median(copyPeak) });
  table(`Template deployments, instant profile, ${RUNS} runs (median ms)`, ["case", "median ms", "x baseline"], [
    ["BYO-VNet: 5 resources one request at a time (baseline)", median(byoRequests), 1],
    ["BYO-VNet: one template deployment (PUT → Succeeded)", median(byoTemplate), median(byoTemplate) / median(byoRequests)],
    ["200 VNets: 200 sequential PUTs (baseline)", median(copyRequests), 1],
    ["200 VNets: one copy-loop deployment", median(copyTemplate), median(copyTemplate) / median(copyRequests)],
  ]);
  console.log(`peak resource operations running at once in the 200-VNet deployment: ${copyPeak.join(", ")}`);
} finally {
  await emu.stop();
}

// ---- the same with provider latency ("fast" profile: a VNet write takes 100 ms) ----------------
const slow = await startEmulator({ latency: "fast" });
try {
  await resourceGroup(slow, RG);
  const waitOn = async (res: { status: number; headers: Record<string, unknown>; text: string }) => {
    if (res.status >= 300) throw new Error(res.text);
    const url = res.headers["azure-asyncoperation"];
    if (!url) return;
    const u = new URL(String(url));
    for (;;) {
      const s = await slow.request("GET", u.pathname + u.search);
      if (s.body.status === "Succeeded") return;
      if (s.body.status === "Failed" || s.body.status === "Canceled") throw new Error(s.text);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const timed = async (fn: () => Promise<void>) => {
    const t0 = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const N = 50;
  const tpl: number[] = [];
  const seq: number[] = [];
  const peak: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    tpl.push(await timed(async () => waitOn(await slow.request("PUT", `${rgId}/providers/Microsoft.Resources/deployments/fast${i}?api-version=2022-09-01`, { properties: { mode: "Incremental", template: copyOf(N), parameters: { prefix: { value: `f${i}` } } } }))));
    peak.push(peakConcurrency((await slow.request("GET", `${rgId}/deployments/fast${i}/operations?api-version=2022-09-01`)).body.value));
    seq.push(
      await timed(async () => {
        for (let k = 0; k < N; k++) await waitOn(await slow.request("PUT", `${rgId}/providers/Microsoft.Network/virtualNetworks/q${i}-${k}?api-version=2024-05-01`, { location: "westus2", properties: { addressSpace: { addressPrefixes: [`10.${k}.0.0/16`] } } }));
      }),
    );
  }
  emit("deployments", { case: "fast-copy50-template", runsMs: tpl, medianMs: median(tpl) });
  emit("deployments", { case: "fast-copy50-sequential-puts", runsMs: seq, medianMs: median(seq) });
  emit("deployments", { case: "fast-copy50-peak-concurrent-operations", runs: peak, median: median(peak) });
  table(`50 VNets with 100 ms provider latency ("fast" profile), ${RUNS} runs (median ms)`, ["case", "median ms", "x baseline"], [
    ["50 sequential PUTs, each waited for (baseline)", median(seq), 1],
    ["one copy-loop deployment", median(tpl), median(tpl) / median(seq)],
  ]);
  console.log(`peak resource operations running at once in the 50-VNet deployment: ${peak.join(", ")}`);
} finally {
  await slow.stop();
}
