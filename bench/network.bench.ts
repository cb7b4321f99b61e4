// Network provider benchmark.
//  1. Subnet PUT latency over HTTPS against a real emulator process (latency profile "instant"),
//     as the VNet fills with subnets, with a baseline measured in the same run and interleaved:
//     GET of a resource group on the same emulator (the cheapest ARM call). Reported: median and
//     p99 per window, and the ratio of medians.
//  2. NetworkModel allocate/release (in-process emulator, each call in its own store transaction,
//     i.e. what the AKS provider pays) while a /16 fills one address per owner, then drains.
// Output: JSON lines on stdout, then a table. Bounded: fixed sizes plus a time budget.
// Run: node dist/bench/network.bench.js

import fs from "node:fs";
import { startEmulator, tempDir } from "../test/helpers/emulator.js";
import { Emulator } from "../src/emulator.js";
import { networkModel } from "../src/arm/network-model.js";
import { putRecord } from "../src/arm/repo.js";

const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000";
const RG = `${SUB}/resourceGroups/bench`;
const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet`;
const V = "2024-05-01";
const SUBNETS = 300;
const WINDOW = 100;
const ALLOC_LEVELS = [100, 500, 1_000, 2_000];
const RELEASES = 500;
const BUDGET_MS = 45_000;
const started = performance.now();

interface Row {
  case: string;
  level: string;
  median_ms: number;
  p99_ms: number;
  n: number;
  note?: string;
}
const rows: Row[] = [];

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

function emit(r: Row): void {
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const out = { ...r, median_ms: round(r.median_ms), p99_ms: round(r.p99_ms) };
  rows.push(out);
  console.log(JSON.stringify({ bench: "network", ...out }));
}

async function httpPart(): Promise<void> {
  const emu = await startEmulator({ latency: "instant" });
  try {
    let r = await emu.request("PUT", `${RG}?api-version=2022-09-01`, { location: "eastus" });
    if (r.status !== 201) throw new Error(`rg: ${r.status}`);
    r = await emu.request("PUT", `${VNET}?api-version=${V}`, { location: "eastus", properties: { addressSpace: { addressPrefixes: ["10.0.0.0/8"] } } });
    if (r.status !== 201) throw new Error(`vnet: ${r.status} ${r.text}`);
    await new Promise((res) => setTimeout(res, 50));
    // Warm-up (token, TLS session, JIT).
    for (let i = 0; i < 20; i++) await emu.request("GET", `${RG}?api-version=2022-09-01`);
    const put: number[] = [];
    const get: number[] = [];
    for (let i = 0; i < SUBNETS; i++) {
      if (performance.now() - started > BUDGET_MS / 3) break;
      const a = (i >> 8) & 255;
      const b = i & 255;
      let t = performance.now();
      r = await emu.request("PUT", `${VNET}/subnets/s${i}?api-version=${V}`, { properties: { addressPrefix: `10.${a}.${b}.0/24` } });
      put.push(performance.now() - t);
      if (r.status !== 201) throw new Error(`subnet ${i}: ${r.status} ${r.text}`);
      t = performance.now();
      r = await emu.request("GET", `${RG}?api-version=2022-09-01`);
      get.push(performance.now() - t);
      if (r.status !== 200) throw new Error(`rg get: ${r.status}`);
    }
    for (let lo = 0; lo < put.length; lo += WINDOW) {
      const p = put.slice(lo, lo + WINDOW);
      const g = get.slice(lo, lo + WINDOW);
      const level = `${lo}-${lo + p.length} subnets`;
      emit({ case: "subnet PUT (HTTPS, 201 + LRO started)", level, median_ms: quantile(p, 0.5), p99_ms: quantile(p, 0.99), n: p.length });
      emit({ case: "baseline: resource group GET", level, median_ms: quantile(g, 0.5), p99_ms: quantile(g, 0.99), n: g.length, note: `ratio of medians ${(quantile(p, 0.5) / quantile(g, 0.5)).toFixed(2)}` });
    }
    // VNet GET renders every subnet inline.
    const vg: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      await emu.request("GET", `${VNET}?api-version=${V}`);
      vg.push(performance.now() - t);
    }
    emit({ case: "VNet GET (all subnets inline)", level: `${put.length} subnets`, median_ms: quantile(vg, 0.5), p99_ms: quantile(vg, 0.99), n: vg.length });
  } finally {
    await emu.stop();
  }
}

async function modelPart(): Promise<void> {
  const dataDir = tempDir("aksemu-netbench-");
  const emu = await Emulator.start({ dataDir, port: 0, latency: "instant" });
  try {
    const { store } = emu.env;
    const model = networkModel(emu.env);
    const subnetId = `${VNET}/subnets/big`;
    // Records as the provider's strategies would write them (no HTTP needed here).
    await store.txn((tx) => {
      putRecord(tx, { id: VNET, name: "vnet", type: "Microsoft.Network/virtualNetworks", location: "eastus", etag: 'W/"x"', properties: { provisioningState: "Succeeded", addressSpace: { addressPrefixes: ["10.0.0.0/8"] } } });
      putRecord(tx, { id: subnetId, name: "big", type: "Microsoft.Network/virtualNetworks/subnets", etag: 'W/"y"', properties: { provisioningState: "Succeeded", addressPrefix: "10.1.0.0/16", delegations: [] }, internal: { seq: 1 } });
    });
    const fill = ALLOC_LEVELS[ALLOC_LEVELS.length - 1]!;
    const owner = (i: number) => `${RG}/providers/Microsoft.Network/networkInterfaces/nic-${i}/ipConfigurations/ipconfig1`;
    // Baseline in the same run: a transaction writing one small key (the store's commit + fsync).
    const base: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await store.txn((tx) => tx.put(`bench:${i}`, { i }));
      base.push(performance.now() - t);
    }
    emit({ case: "baseline: store.txn writing one key", level: "-", median_ms: quantile(base, 0.5), p99_ms: quantile(base, 0.99), n: base.length });
    const alloc: number[] = [];
    let done = 0;
    for (; done < fill; done++) {
      if (performance.now() - started > BUDGET_MS * 0.75) break;
      const t = performance.now();
      await store.txn((tx) => model.allocate(tx, subnetId, owner(done), 1));
      alloc.push(performance.now() - t);
    }
    let prev = 0;
    for (const level of ALLOC_LEVELS) {
      if (level > alloc.length) break;
      const w = alloc.slice(prev, level);
      emit({ case: "model.allocate(1) in a /16, distinct owners", level: `${prev}-${level} used`, median_ms: quantile(w, 0.5), p99_ms: quantile(w, 0.99), n: w.length, note: `ratio to baseline ${(quantile(w, 0.5) / quantile(base, 0.5)).toFixed(2)}` });
      prev = level;
    }
    const state = store.get<{ internal: { pools: unknown[] } }>(`res:${subnetId.toLowerCase()}`);
    const bytes = JSON.stringify(state?.value.internal.pools ?? []).length;
    const rel: number[] = [];
    for (let i = 0; i < Math.min(done, RELEASES); i++) {
      if (performance.now() - started > BUDGET_MS) break;
      const t = performance.now();
      await store.txn((tx) => model.release(tx, owner(i), subnetId));
      rel.push(performance.now() - t);
    }
    emit({ case: "model.release(owner, subnet)", level: `${done}-${done - rel.length} used`, median_ms: quantile(rel, 0.5), p99_ms: quantile(rel, 0.99), n: rel.length, note: `pool state at ${done} owners: ${bytes} bytes` });
    // Few owners holding many addresses (the AKS shape): allocate 9 per cluster.
    const few: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t = performance.now();
      await store.txn((tx) => model.allocate(tx, subnetId, `${RG}/providers/Microsoft.ContainerService/managedClusters/c${i}`, 9));
      few.push(performance.now() - t);
    }
    emit({ case: "model.allocate(9) per cluster owner", level: "+900 used", median_ms: quantile(few, 0.5), p99_ms: quantile(few, 0.99), n: few.length });
  } finally {
    await emu.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await httpPart();
await modelPart();

const w = [40, 18, 9, 9, 5];
const line = (c: string[]) => c.map((x, i) => x.padEnd(w[i]!)).join(" ");
console.log("");
console.log(line(["case", "level", "median", "p99", "n"]) + " note");
for (const r of rows) console.log(line([r.case.slice(0, 40), r.level, `${r.median_ms}ms`, `${r.p99_ms}ms`, String(r.n)]) + " " + (r.note ?? ""));
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exit(0);
