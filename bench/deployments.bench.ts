// Template deployments (issue 13): the seed's BYO-VNet template deployed end to end (PUT →
// Succeeded, every resource through the resource service) beside the same five resources created
// one request at a time by a client that waits for each (the baseline, same run); and a
// 200-resource copy-loop template beside 200 sequential PUTs, to show the graph runs independent
// resources in parallel. Instant latency profile, fresh names per run.
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
  table(`Template deployments, instant profile, ${RUNS} runs (median ms)`, ["case", "median ms", "x baseline"], [
    ["BYO-VNet: 5 resources one request at a time (baseline)", median(byoRequests), 1],
    ["BYO-VNet: one template deployment (PUT → Succeeded)", median(byoTemplate), median(byoTemplate) / median(byoRequests)],
    ["200 VNets: 200 sequential PUTs (baseline)", median(copyRequests), 1],
    ["200 VNets: one copy-loop deployment", median(copyTemplate), median(copyTemplate) / median(copyRequests)],
  ]);
} finally {
  await emu.stop();
}
