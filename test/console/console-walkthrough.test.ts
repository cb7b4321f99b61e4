// The acceptance test of the web console: chromium (headless, playwright-core) opens the printed
// link once, the seed walkthrough runs through azl in the background (test/walkthrough's step
// runner, the commands read from the seed's table), and the page, never reloaded, shows what a
// person checks: the ILB VIP at the delegated subnet's first free address and drawn there; nodes
// and pods with node-subnet addresses; private mode on shows the private FQDN and the private
// zone's A record and takes the public-address record away (all of it without the public FQDN); conversion moves the VIP and keeps the
// hostname; the Activity view lists each request with its status. A screenshot of every view goes
// to test-output/console/ (ignored by git); axe-core finds no serious or critical violation on any.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { chromium, type Browser, type Page } from "playwright-core";
import { AZL_BIN, REPO_ROOT, startEmulator, tempDir, type RunningEmulator } from "../helpers/emulator.js";
import { CHROMIUM, needChromium } from "../helpers/clients.js";
import { runProcess } from "../helpers/run.js";
import { parseWalkthrough, stepRunner, SEED_VALUES, type WalkthroughStep } from "../walkthrough/commands.js";

const skip = needChromium();
const SHOTS = path.join(REPO_ROOT, "test-output/console");

let emu: RunningEmulator;
let browser: Browser;
let page: Page;
let steps: WalkthroughStep[];
let env: NodeJS.ProcessEnv;
const pageErrors: string[] = [];
const values: Record<string, string> = { ...SEED_VALUES };
const azl = (args: string[]) => runProcess(process.execPath, [AZL_BIN, ...args], env, 180_000);
const { step, ok } = stepRunner(() => steps, values, azl);
const json = async (args: string[]) => {
  const r = await azl([...args, "-o", "json"]);
  assert.equal(r.code, 0, `azl ${args.join(" ")} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
};

before(async () => {
  if (skip) return;
  steps = parseWalkthrough(fs.readFileSync(path.join(REPO_ROOT, "test/fixtures/WALKTHROUGH.md"), "utf8"));
  emu = await startEmulator({ latency: "instant" });
  env = { ...process.env, HOME: tempDir("aksemu-console-home-"), AKSEMU_ENDPOINT: emu.endpoint, AKSEMU_DATA_DIR: emu.dataDir };
  delete env.KUBECONFIG;
  // As root (CI) chromium needs --no-sandbox; the throwaway profile does not trust the data directory's CA.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1366, height: 900 } });
  page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") pageErrors.push(m.text());
  });
  page.on("response", (r) => {
    if (r.status() >= 400) pageErrors.push(`${r.status()} ${r.url()}`);
  });
  const link = /Web console:\s+(\S+)/.exec(emu.output())?.[1];
  assert.ok(link, emu.output());
  await page.goto(link);
  await page.locator(".status.s-live").waitFor({ timeout: 15_000 });
  // Any navigation from here on would reset this marker: the checks below see one page, updated live.
  await page.evaluate(() => ((globalThis as any).__noReload = true));
});

after(async () => {
  await browser?.close();
  await emu?.stop();
});

async function show(view: "network" | "cluster" | "dns" | "resources" | "activity"): Promise<void> {
  await page.locator(`#tab-${view}`).click();
  await page.locator(`[data-view="${view}"]`).waitFor();
}

/** Serious and critical axe-core violations on the page as it is now. */
async function seriousViolations(): Promise<string[]> {
  const source = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  await page.evaluate(source); // over the DevTools protocol: the page's own CSP stays in force for the page
  const result = await page.evaluate(async () => (globalThis as any).axe.run(document, { resultTypes: ["violations"] }));
  return (result.violations as Array<{ id: string; impact: string; help: string; nodes: Array<{ target: unknown }> }>)
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target))})`);
}

async function screenshotAndAxe(name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  assert.deepEqual(await seriousViolations(), [], `axe-core on ${name}`);
}

const inSubnet = (ip: string | null, prefix: string) => !!ip && ip.startsWith(prefix);

test("the walkthrough in the background; the console shows it live, view by view", { skip, timeout: 900_000 }, async () => {
  // Steps 2-5, then 8-13: feature, provider, resource group, VNet, delegated /28, node /24, identity, roles.
  await ok(2);
  for (let i = 0; i < 100 && (await ok(3)).properties.state !== "Registered"; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal((await step(4, {}, false)).code, 0);
  await ok(5);
  await ok(8);
  const apiSubnet = await ok(9);
  const nodeSubnet = await ok(10);
  const identity = await ok(11);
  Object.assign(values, { "apiserver-subnet-resource-id": apiSubnet.id, "cluster-subnet-resource-id": nodeSubnet.id, "managed-identity-client-id": identity.clientId, "managed-identity-resource-id": identity.id });
  await ok(12);
  await ok(13);

  // The network map before the cluster: the delegated subnet's next free address is x.x.x.4.
  await show("network");
  const apiStrip = page.locator('[data-subnet="apiserver"] .strip');
  await page.locator('[data-subnet="apiserver"]').getByText("next free 172.19.0.4").waitFor();

  // Step 14: the BYO VNet public cluster.
  values["cluster-name"] = "aks1";
  const c = await ok(14);
  assert.equal(c.provisioningState, "Succeeded");
  const vip = apiStrip.locator('[data-kind="apiserver-vip"]');
  await vip.waitFor();
  assert.equal(await vip.getAttribute("data-first"), "172.19.0.4", "the VIP is the delegated subnet's first free address, drawn in its strip");
  await page.waitForFunction(() => document.querySelectorAll('[data-subnet="nodes"] .strip [data-kind="node"]').length === c.agentPoolProfiles[0].count, undefined, { timeout: 20_000 }).catch(() => undefined);
  const nodeAddrs = await page.locator('[data-subnet="nodes"] .strip [data-kind="node"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-first")));
  assert.ok(nodeAddrs.length >= 1, "nodes are drawn in the node subnet");
  for (const a of nodeAddrs) assert.ok(inSubnet(a, "172.19.1."), `node address ${a} in 172.19.1.0/24`);
  await screenshotAndAxe("network-map");

  // Cluster view: nodes and pods with node-subnet addresses (Azure CNI), the VIP and the kubelets' server.
  await show("cluster");
  const card = page.locator('[data-cluster="aks1"]');
  await card.locator('[data-endpoint="kube-apiserver ILB VIP"]').getByText("172.19.0.4").waitFor();
  await card.locator('[data-endpoint="kubelet"]').getByText("https://172.19.0.4:443").waitFor();
  const publicFqdn = String(c.fqdn);
  await card.locator('[data-endpoint="public FQDN"]').getByText(publicFqdn).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-cluster="aks1"] .pod-row').length > 0, undefined, { timeout: 30_000 });
  const nodeRows = await card.locator(".node-row").evaluateAll((els) => els.map((e) => e.getAttribute("data-ip")));
  assert.deepEqual([...nodeRows].sort(), [...nodeAddrs].sort(), "the cluster view's nodes are the ones drawn on the map");
  await page.waitForFunction(() => [...document.querySelectorAll('[data-cluster="aks1"] .pod-row')].some((e) => e.getAttribute("data-ip")), undefined, { timeout: 30_000 });
  const podIps = (await card.locator(".pod-row").evaluateAll((els) => els.map((e) => e.getAttribute("data-ip")))).filter(Boolean);
  for (const ip of podIps) assert.ok(inSubnet(ip, "172.19.1."), `pod address ${ip} in the node subnet`);
  assert.ok(podIps.some((ip) => !nodeRows.includes(ip)), "pods hold addresses of their own (Azure CNI), not only host-network ones");
  await screenshotAndAxe("cluster");

  // DNS before private mode: the public record resolves to the public address; no private zone yet.
  await show("dns");
  const publicRecord = page.locator(`[data-dns="public"] [data-record="${publicFqdn}"]`);
  await publicRecord.waitFor();
  const publicIp = String(await publicRecord.getAttribute("data-address"));
  assert.ok(!publicIp.startsWith("172.19."), `the public record resolves to a public address (${publicIp})`);

  // Step 17: private mode on, watched on the DNS view without a reload. As Azure does by default
  // (enablePrivateClusterPublicFQDN), the public FQDN stays but its record now holds the private
  // address: the public-address record is gone; the private zone's A record appears.
  const on = await ok(17);
  assert.equal(on.apiServerAccessProfile.enablePrivateCluster, true);
  const privateFqdn = String(on.privateFqdn);
  const zoneName = privateFqdn.split(".").slice(1).join(".");
  const zone = page.locator(`[data-zone="${zoneName}"]`);
  await zone.waitFor({ timeout: 20_000 });
  const label = privateFqdn.split(".")[0]!;
  await zone.locator(`[data-record="A ${label}"]`).getByText("172.19.0.4").waitFor();
  await page.locator(`[data-dns="public"] [data-address="${publicIp}"]`).waitFor({ state: "detached", timeout: 20_000 });
  await page.locator(`[data-dns="public"] [data-record="${publicFqdn}"][data-address="172.19.0.4"]`).waitFor();
  assert.ok(await zone.getByText(/link .* → wt-vnet/).count(), "the zone is linked to the cluster's VNet");
  // Without the public FQDN (az aks update --disable-public-fqdn) the public record goes altogether.
  assert.equal((await azl(["aks", "update", "-g", "wt-rg", "-n", "aks1", "--disable-public-fqdn", "-o", "none"])).code, 0);
  await publicRecord.waitFor({ state: "detached", timeout: 20_000 });
  await page.locator('[data-empty="public"]').waitFor();
  await screenshotAndAxe("dns");
  await show("cluster");
  await card.locator('[data-endpoint="private FQDN"]').getByText(privateFqdn).waitFor();
  await card.locator('[data-field="private"]').getByText("private cluster").waitFor();
  assert.equal(await card.locator('[data-endpoint="public FQDN"]').count(), 0, "no public FQDN on the cluster view either");

  // Step 18: private mode off again; the public record comes back with the public address.
  await ok(18);
  await show("dns");
  await page.locator(`[data-dns="public"] [data-record="${publicFqdn}"][data-address="${publicIp}"]`).waitFor({ timeout: 20_000 });

  // Step 16: conversion of an existing cluster: the VIP moves into the second delegated subnet, the hostname stays.
  const sub2 = await json(["network", "vnet", "subnet", "create", "-g", "wt-rg", "--vnet-name", "wt-vnet", "-n", "apiserver2", "--delegations", "Microsoft.ContainerService/managedClusters", "--address-prefixes", "172.19.2.0/28"]);
  assert.equal((await azl(["role", "assignment", "create", "--scope", sub2.id, "--role", "Network Contributor", "--assignee", identity.clientId])).code, 0);
  const pre = await json(["aks", "create", "-g", "wt-rg", "-n", "convert-me", "--node-count", "1", "--network-plugin", "azure", "--vnet-subnet-id", nodeSubnet.id, "--assign-identity", identity.id]);
  await show("cluster");
  const conv = page.locator('[data-cluster="convert-me"]');
  await conv.locator('[data-endpoint="public FQDN"]').getByText(pre.fqdn).waitFor({ timeout: 20_000 });
  const kubeletBefore = await conv.locator('[data-endpoint="kubelet"] code').textContent();
  assert.equal(await conv.locator('[data-endpoint="kube-apiserver ILB VIP"]').count(), 0, "no VIP before conversion");
  const after = await ok(16, { "cluster-name": "convert-me", "apiserver-subnet-resource-id": sub2.id });
  assert.equal(after.fqdn, pre.fqdn);
  await conv.locator('[data-endpoint="kube-apiserver ILB VIP"]').getByText("172.19.2.4").waitFor({ timeout: 20_000 });
  await conv.locator('[data-endpoint="kubelet"]').getByText("https://172.19.2.4:443").waitFor();
  assert.notEqual(kubeletBefore, "https://172.19.2.4:443");
  await conv.locator('[data-endpoint="public FQDN"]').getByText(pre.fqdn).waitFor();
  await show("network");
  assert.equal(await page.locator('[data-subnet="apiserver2"] .strip [data-kind="apiserver-vip"]').getAttribute("data-first"), "172.19.2.4", "the VIP is drawn in the new subnet");

  // Step 15 on the full /28: refused; the Activity view lists it Failed beside the others.
  const full = await step(15, { "cluster-name": "aks-full" });
  assert.notEqual(full.code, 0);
  await show("activity");
  const row = (op: string, status: string) => page.locator(`tr[data-operation="${op}"][data-status="${status}"]`);
  for (const [op, status] of [
    ["Microsoft.Features/providers/features/register/action", "Succeeded"],
    ["Microsoft.ContainerService/register/action", "Succeeded"],
    ["Microsoft.Resources/subscriptions/resourceGroups/write", "Succeeded"],
    ["Microsoft.Network/virtualNetworks/write", "Succeeded"],
    ["Microsoft.Network/virtualNetworks/subnets/write", "Succeeded"],
    ["Microsoft.ManagedIdentity/userAssignedIdentities/write", "Succeeded"],
    ["Microsoft.Authorization/roleAssignments/write", "Succeeded"],
    ["Microsoft.ContainerService/managedClusters/write", "Succeeded"],
    ["Microsoft.ContainerService/managedClusters/write", "Failed"],
  ] as const) {
    await row(op, status).first().waitFor({ timeout: 20_000 });
  }
  assert.ok((await row("Microsoft.Authorization/roleAssignments/write", "Succeeded").count()) >= 3, "each role assignment request is listed");
  // What the page lists is what the activity-log API serves: every write request's EndRequest.
  const rows = await page.locator("tr[data-operation]").count();
  const cid = await page.locator('tr[data-operation="Microsoft.ContainerService/managedClusters/write"][data-status="Failed"] td:last-child').first().textContent();
  const api = await emu.request("GET", `/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01&$filter=${encodeURIComponent(`eventTimestamp ge '${new Date(Date.now() - 3600_000).toISOString()}' and correlationId eq '${cid}'`)}`);
  assert.equal(api.status, 200, api.text);
  assert.ok(api.body.value.some((e: any) => e.status.value === "Failed" && e.operationName.value === "Microsoft.ContainerService/managedClusters/write"), api.text);
  const all = await emu.request("GET", `/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01&$filter=${encodeURIComponent(`eventTimestamp ge '${new Date(Date.now() - 3600_000).toISOString()}'`)}`);
  assert.equal(all.status, 200, all.text);
  assert.equal(all.body.nextLink, undefined);
  // 18 azl commands wrote (feature, provider, group, VNet, 3 subnets, identity, 3 role assignments, 2 creates, 4 updates, the refused create).
  assert.equal(rows, new Set(all.body.value.map((e: any) => e.operationId)).size, "one row per write request the log holds");
  assert.equal(rows, 18, "one row per write request of the walkthrough");
  await screenshotAndAxe("activity");

  // Resources: the tree, and a resource's JSON at another api-version.
  await show("resources");
  const vnetId = `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/wt-rg/providers/Microsoft.Network/virtualNetworks/wt-vnet`;
  const item = page.locator(`li[data-resource="${vnetId}"]`);
  await item.locator("button").click();
  await item.locator("pre").getByText('"addressPrefixes"').waitFor();
  const versions = await item.locator("select option").evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
  assert.ok(versions.length > 1, "the type's api-versions are offered");
  await item.locator("select").selectOption(versions[0]!);
  await page.waitForFunction((v) => document.querySelector(`pre[aria-label$="api-version ${v}"]`) !== null, versions[0]);
  await page.locator('[data-provider="Microsoft.ContainerService"]').count();
  await screenshotAndAxe("resources");

  // Dark mode, every view.
  await page.emulateMedia({ colorScheme: "dark" });
  for (const v of ["network", "cluster", "dns", "resources", "activity"] as const) {
    await show(v);
    await screenshotAndAxe(`${v}-dark`);
  }
  assert.equal(await page.evaluate(() => (globalThis as any).__noReload), true, "the page was never reloaded");
  assert.deepEqual(pageErrors, [], "no errors or failed requests in the page");
});
