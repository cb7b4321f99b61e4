// The web console in Debian's chromium (headless, driven by playwright-core): open the printed
// link, then build the seed's picture through the ARM API in the background (VNet, delegated API
// server subnet, node subnet, identity, a VNet-integrated cluster) and check, without a reload,
// what a person would: the kube-apiserver ILB VIP drawn at the delegated subnet's first free
// address (x.x.x.4) and the nodes at node-subnet addresses. Screenshots go to test-output/console/
// (ignored by git); axe-core finds no serious or critical violations, in light and dark.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { chromium, type Browser, type Page } from "playwright-core";
import { REPO_ROOT, startEmulator, type RunningEmulator } from "../helpers/emulator.js";
import { CHROMIUM, needChromium } from "../helpers/clients.js";
import {
  DELEGATION, NRP, clusterBody, createCluster, identity, networkContributor, registerVnetIntegrationFeature, resourceGroup, subnet, vnet,
} from "./seed.js";

const skip = needChromium();
const SHOTS = path.join(REPO_ROOT, "test-output/console");
const RG = "rg-console";
const apiSubnetId = `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/apiserver`;

let emu: RunningEmulator;
let browser: Browser;
let page: Page;

before(async () => {
  if (skip) return;
  emu = await startEmulator();
  // As root (CI) chromium needs --no-sandbox. The emulator's certificate is from the data
  // directory's own CA, which this throwaway browser profile does not trust.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1366, height: 900 } });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await emu?.stop();
});

/** Serious and critical axe-core violations on the page as it is now. */
async function seriousViolations(p: Page): Promise<string[]> {
  const source = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  await p.evaluate(source); // over the DevTools protocol: the page's CSP (script-src 'self') stays in force for the page itself
  const result = await p.evaluate(async () => (globalThis as any).axe.run(document, { resultTypes: ["violations"] }));
  return (result.violations as Array<{ id: string; impact: string; help: string; nodes: unknown[] }>)
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length} nodes)`);
}

test("network map: the ILB VIP appears at the delegated subnet's x.x.x.4 and nodes at node-subnet addresses, live", { skip }, async () => {
  const link = /Web console:\s+(\S+)/.exec(emu.output())?.[1];
  assert.ok(link, emu.output());
  const cspErrors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") cspErrors.push(m.text());
  });
  page.on("response", (r) => {
    if (r.status() >= 400) cspErrors.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(link);
  await page.locator(".status.s-live").waitFor({ timeout: 15_000 });
  assert.equal(new URL(page.url()).hash, "", "the key leaves the address bar once traded for the cookie");
  await page.locator("text=No virtual networks yet").waitFor();

  // The walkthrough, in the background of the open page (no reload from here on).
  await resourceGroup(emu, RG);
  await vnet(emu, RG, "vnet", "10.50.0.0/16");
  // Write → pixel: the page stamps the moment the new subnet's strip is in the DOM (same machine, same clock).
  await page.evaluate(() => {
    const w = globalThis as any;
    new MutationObserver((_, o) => {
      if (document.querySelector('[data-subnet="apiserver"] .strip')) {
        w.__drawnAt = performance.timeOrigin + performance.now();
        o.disconnect();
      }
    }).observe(document.body, { subtree: true, childList: true });
  });
  const sent = Date.now();
  const put = await emu.request("PUT", `${apiSubnetId}?api-version=${NRP}`, { properties: { addressPrefix: "10.50.0.0/28", delegations: [{ name: "aks-delegation", properties: { serviceName: DELEGATION } }] } });
  const answered = Date.now();
  assert.ok(put.status === 200 || put.status === 201, put.text);
  const strip = page.locator('[data-subnet="apiserver"] .strip');
  await strip.waitFor();
  const drawnAt = await page.evaluate(() => (globalThis as any).__drawnAt as number);
  const apiSubnet = await subnet(emu, RG, "vnet", "apiserver", "10.50.0.0/28", DELEGATION); // idempotent: waits for Succeeded
  const nodeSubnet = await subnet(emu, RG, "vnet", "nodes", "10.50.1.0/24");
  await page.locator('[data-subnet="apiserver"]').getByText("delegated to Microsoft.ContainerService/managedClusters").waitFor();
  await page.locator('[data-subnet="apiserver"]').getByText("next free 10.50.0.4").waitFor();
  assert.equal(await strip.locator('[data-kind="apiserver-vip"]').count(), 0, "no VIP before the cluster");

  const mi = await identity(emu, RG, "aks-identity");
  await networkContributor(emu, apiSubnet, mi.principalId);
  await networkContributor(emu, nodeSubnet, mi.principalId);
  await registerVnetIntegrationFeature(emu);
  const { res, op } = await createCluster(emu, RG, "aks1", clusterBody({ nodeSubnet, apiSubnet, integrate: true, identityId: mi.id, count: 3 }));
  assert.equal(res.status, 201, res.text);
  assert.equal(op.status, "Succeeded", JSON.stringify(op));

  const vip = strip.locator('[data-kind="apiserver-vip"]');
  await vip.waitFor();
  assert.equal(await vip.getAttribute("data-first"), "10.50.0.4", "the VIP is the first free address of the delegated subnet");
  assert.match(String(await vip.getAttribute("aria-label")), /^10\.50\.0\.4: kube-apiserver ILB VIP/);
  // Click (or Enter on) the VIP: the owning resource is named.
  await vip.focus();
  await page.keyboard.press("Enter");
  await page.locator('[data-subnet="apiserver"] .picked-detail .owner').getByText(/loadbalancers\/kube-apiserver\/frontendipconfigurations\//i).waitFor();
  const reserved = strip.locator('[data-kind="azure-reserved"]');
  assert.deepEqual(await reserved.evaluateAll((els) => els.map((e) => e.getAttribute("data-first") + "/" + e.getAttribute("data-count"))), ["10.50.0.0/4", "10.50.0.15/1"], "Azure's 5");

  const nodes = page.locator('[data-subnet="nodes"] .strip [data-kind="node"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-subnet="nodes"] .strip [data-kind="node"]').length === 3);
  const addrs = await nodes.evaluateAll((els) => els.map((e) => e.getAttribute("data-first")));
  assert.equal(addrs[0], "10.50.1.4", "the first node takes the node subnet's first free address");
  for (const a of addrs) assert.match(String(a), /^10\.50\.1\.\d+$/, "nodes hold node-subnet addresses");
  assert.ok((await page.locator('[data-subnet="nodes"] .strip [data-kind="pod"]').count()) === 3, "each node's Azure CNI pod addresses follow it");
  assert.ok(!page.url().includes("#"), "no reload or navigation happened");

  fs.mkdirSync(SHOTS, { recursive: true });
  await page.locator('[data-subnet="apiserver"] summary').click();
  await page.screenshot({ path: path.join(SHOTS, "network-map.png"), fullPage: true });
  assert.deepEqual(await seriousViolations(page), [], "axe-core, light");
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: path.join(SHOTS, "network-map-dark.png"), fullPage: true });
  assert.deepEqual(await seriousViolations(page), [], "axe-core, dark");
  // The views are tabs the keyboard reaches: arrow keys move between them, Tab goes into the panel.
  await page.locator("#tab-network").focus();
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "tab-cluster");
  await page.locator('[data-view="cluster"] [data-cluster="aks1"]').waitFor();
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "tab-activity", "wraps around");
  assert.equal(await page.locator("#tab-activity").getAttribute("aria-selected"), "true");
  assert.deepEqual(cspErrors, [], "the page runs under its CSP without errors or failed requests");
  console.log(`console: write -> pixel: subnet PUT sent -> strip in the DOM ${(drawnAt - sent).toFixed(0)} ms (PUT answered after ${answered - sent} ms); 2 shared cores, one run`);
});

test("the printed link without its key shows how to get in, and no data", { skip }, async () => {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const p = await context.newPage();
  await p.goto(`${emu.endpoint}/console/`);
  await p.getByText("open the console link that 'aksemu start' printed").waitFor({ timeout: 15_000 });
  assert.equal(await p.locator("[data-vnet]").count(), 0);
  await context.close();
});
