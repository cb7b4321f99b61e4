// The web console in Debian's chromium (headless, playwright-core): time to first render and
// update latency (write → pixel), with an empty store (the baseline, same run) and with
// BENCH_CONSOLE_CLUSTERS (default 100) VNet-integrated clusters in the store. The store is seeded
// through the ARM API of the emulator as shipped (each cluster with its Kubernetes API and
// simulated nodes and system pods), exactly as clients create them.
//   - first render: navigation start → the network map drawn with every cluster's VIP (page clock);
//     then the Clusters tab: click → every cluster card in the DOM;
//   - write → pixel: a subnet PUT sent (Node's clock) → its strip in the DOM (page clock, same
//     machine); a resource-group PUT sent → its row in the Activity view.
// Run: npm run build && node dist/bench/console.bench.js
import { chromium, type Page } from "playwright-core";
import { startEmulator, type RunningEmulator } from "../test/helpers/emulator.js";
import { CHROMIUM } from "../test/helpers/clients.js";
import { emit, loadAverage, machine, median, requireFile, table, lro as lroPolling } from "./lib.js";

/** Seeding polls every 20 ms (the page is what is measured, not the seeding). */
const lro = (emu: RunningEmulator, method: string, path: string, body?: unknown) => lroPolling(emu, method, path, body, 20);

const CLUSTERS = Number(process.env.BENCH_CONSOLE_CLUSTERS ?? 100);
const SAMPLES = Number(process.env.BENCH_CONSOLE_SAMPLES ?? 5);
const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000";
const RG = `${SUB}/resourceGroups/bench`;
const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet`;
const NRP = "2024-05-01";

/** Script text: stamp `name` (page clock, ms since navigation start) when `test` first holds after a DOM change. */
function stampScript(name: string, test: string): string {
  return `(() => {
    const w = globalThis;
    const check = () => {
      if (w[${JSON.stringify(name)}] === undefined && document.body && (${test})) w[${JSON.stringify(name)}] = performance.now();
      return w[${JSON.stringify(name)}] !== undefined;
    };
    if (check()) return;
    new MutationObserver((_, o) => check() && o.disconnect()).observe(document, { subtree: true, childList: true, attributes: true });
  })();`;
}

/** Evaluated over the DevTools protocol, so the page's CSP (no eval) does not apply to it. */
async function stampWhen(page: Page, name: string, test: string): Promise<void> {
  await page.evaluate(stampScript(name, test));
}

async function stamped(page: Page, name: string, timeoutMs = 120_000): Promise<number> {
  await page.waitForFunction((n) => (globalThis as any)[n] !== undefined, name, { timeout: timeoutMs, polling: 50 });
  return page.evaluate((n) => (globalThis as any)[n] as number, name);
}

async function measure(emu: RunningEmulator, link: string, label: string, clusters: number): Promise<Array<Array<string | number>>> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
  const rows: Array<Array<string | number>> = [];
  try {
    const first: number[] = [];
    const clusterTab: number[] = [];
    const writeMap: number[] = [];
    const writeActivity: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1366, height: 900 } });
      const page = await context.newPage();
      // The observer is in place before the page's own script runs (DevTools protocol; the page's CSP is untouched).
      const want = clusters === 0 ? `document.querySelector('[data-vnet="vnet"]') !== null` : `document.querySelectorAll('[data-kind="apiserver-vip"]').length >= ${clusters}`;
      await page.addInitScript(stampScript("__first", want));
      await page.goto(link);
      first.push(await stamped(page, "__first"));

      // Clusters tab: click → every card in the DOM.
      await stampWhen(page, `__tab${i}`, `document.querySelectorAll('[data-cluster]').length >= ${clusters} && document.querySelector('[data-view="cluster"]') !== null`);
      // Clicked from inside the page, so the figure is the page's own work, not the driver's actionability checks.
      const t0 = await page.evaluate(() => {
        const t = performance.now();
        (document.getElementById("tab-cluster") as HTMLElement).click();
        return t;
      });
      clusterTab.push((await stamped(page, `__tab${i}`)) - t0);

      // Write → pixel on the map: a new subnet's strip.
      await page.locator("#tab-network").click();
      await page.locator('[data-view="network"]').waitFor();
      const name = `probe-${label.replace(/\W/g, "")}-${i}`;
      await stampWhen(page, `__map${i}`, `document.querySelector('[data-subnet="${name}"] .strip') !== null`);
      const origin = await page.evaluate(() => performance.timeOrigin);
      let sent = Date.now();
      const put = await emu.request("PUT", `${VNET}/subnets/${name}?api-version=${NRP}`, { properties: { addressPrefix: `10.3.${i + (clusters ? 100 : 0)}.0/24` } });
      if (put.status >= 300) throw new Error(put.text);
      writeMap.push(origin + (await stamped(page, `__map${i}`)) - sent);

      // Write → pixel on the Activity view: a resource-group PUT's row.
      await page.locator("#tab-activity").click();
      await page.locator('[data-view="activity"]').waitFor();
      const before = await page.locator('tr[data-operation="Microsoft.Resources/subscriptions/resourceGroups/write"]').count();
      await stampWhen(page, `__act${i}`, `document.querySelectorAll('tr[data-operation="Microsoft.Resources/subscriptions/resourceGroups/write"]').length > ${before}`);
      sent = Date.now();
      const rg = await emu.request("PUT", `${RG}?api-version=2021-04-01`, { location: "westus2", tags: { sample: `${label}-${i}` } });
      if (rg.status >= 300) throw new Error(rg.text);
      writeActivity.push(origin + (await stamped(page, `__act${i}`)) - sent);
      await context.close();
    }
    const row = (what: string, xs: number[]) => {
      emit("console", { case: what, clusters, samplesMs: xs.map((x) => Math.round(x)), medianMs: Math.round(median(xs)), loadAverage: loadAverage() });
      rows.push([label, what, Math.round(median(xs)), Math.round(Math.max(...xs))]);
    };
    row("first render (navigation → map with every VIP drawn)", first);
    row("Clusters tab (click → every cluster card)", clusterTab);
    row("write → pixel: subnet PUT → its strip on the map", writeMap);
    row("write → pixel: resource-group PUT → its Activity row", writeActivity);
  } finally {
    await browser.close();
  }
  return rows;
}

async function main(): Promise<void> {
  requireFile(CHROMIUM, "apt-get install chromium");
  console.log(JSON.stringify({ bench: "console", machine: machine(), clusters: CLUSTERS, samples: SAMPLES }));
  const emu = await startEmulator({ latency: "instant" });
  try {
    const link = /Web console:\s+(\S+)/.exec(emu.output())?.[1];
    if (!link) throw new Error(emu.output());
    await lro(emu, "PUT", `${RG}?api-version=2021-04-01`, { location: "westus2" });
    await lro(emu, "PUT", `${VNET}?api-version=${NRP}`, { location: "westus2", properties: { addressSpace: { addressPrefixes: ["10.0.0.0/14"] } } });
    const rows = await measure(emu, link, "baseline: 0 clusters", 0);
    // The seed: a delegated subnet and a node subnet shared by every cluster, one node each (Azure CNI).
    await lro(emu, "PUT", `${VNET}/subnets/apiserver?api-version=${NRP}`, { properties: { addressPrefix: "10.0.0.0/18", delegations: [{ name: "aks", properties: { serviceName: "Microsoft.ContainerService/managedClusters" } }] } });
    await lro(emu, "PUT", `${VNET}/subnets/nodes?api-version=${NRP}`, { properties: { addressPrefix: "10.1.0.0/16" } });
    const t0 = Date.now();
    for (let i = 0; i < CLUSTERS; i++) {
      await lro(emu, "PUT", `${RG}/providers/Microsoft.ContainerService/managedClusters/c${i}?api-version=2026-06-01`, {
        location: "westus2",
        identity: { type: "SystemAssigned" },
        properties: {
          agentPoolProfiles: [{ name: "nodepool1", count: 1, mode: "System", vmSize: "Standard_DS2_v2", vnetSubnetID: `${VNET}/subnets/nodes` }],
          networkProfile: { networkPlugin: "azure" },
          apiServerAccessProfile: { enableVnetIntegration: true, subnetId: `${VNET}/subnets/apiserver` },
        },
      });
    }
    // Let the clusters' simulations settle (nodes Ready, system pods Running) before measuring.
    await new Promise((r) => setTimeout(r, 15_000));
    const key = new URLSearchParams(new URL(link).hash.slice(1)).get("key")!;
    const v = await emu.request("GET", "/aksemu/console/views", undefined, { "x-aksemu-console-key": key });
    if (v.status !== 200) throw new Error(v.text);
    const clusters = v.body.clusters as Array<{ pools: Array<{ nodes: Array<{ pods: unknown[] }> }> }>;
    const nodes = clusters.flatMap((c) => c.pools.flatMap((p) => p.nodes));
    const pods = nodes.reduce((n, x) => n + x.pods.length, 0);
    emit("console", { case: "seed", clusters: clusters.length, nodes: nodes.length, pods, seconds: (Date.now() - t0) / 1000, revision: v.body.revision, viewsBytes: v.text.length });
    rows.push(...(await measure(emu, link, `${CLUSTERS} clusters`, CLUSTERS)));
    table(`web console in chromium, median of ${SAMPLES} (load average ${loadAverage()})`, ["store", "case", "median ms", "max ms"], rows);
  } finally {
    await emu.stop();
  }
}

await main();
