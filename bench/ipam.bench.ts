// IPAM benchmark: per-allocation cost while a /16 fills one address at a time (distinct owners,
// the worst case for the run index), then per-release cost while it drains, with baselines measured
// in the same run: Map.set of the same keys, and a naive "scan from the bottom" allocator (up to a
// smaller fill, because it is quadratic). Output: JSON lines on stdout, then a human table.
// Run: node dist/bench/ipam.bench.js   (bounded: every case has a fixed size; total a few seconds)

import { SubnetAddressPool } from "../src/network/ipam.js";

const SUBNET = "10.0.0.0/16"; // 65 531 usable
const FILL = 60_000;
const LEVELS = [1_000, 10_000, 30_000, 60_000];
const NAIVE_FILL = 10_000;
const NAIVE_LEVELS = [1_000, 10_000];
const WINDOW = 1_000; // the ops ending at a level make up its sample
const REPEATS = 5;
const BUDGET_MS = 25_000;

const started = performance.now();
const now = (): number => Number(process.hrtime.bigint());
const gc = (globalThis as { gc?: () => void }).gc;

interface Stat {
  median: number;
  mean: number;
}

function stat(samples: Float64Array, level: number): Stat {
  const window = Array.from(samples.subarray(Math.max(0, level - WINDOW), level)).sort((a, b) => a - b);
  const mean = window.reduce((s, x) => s + x, 0) / window.length;
  return { median: window[window.length >> 1]!, mean };
}

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

const owners = Array.from({ length: FILL }, (_, i) => `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic-${i}/ipConfigurations/ipconfig1`);

/** One fill then drain of the pool; per-op ns for both phases. */
function runPool(subnet: string, fill: number): { alloc: Float64Array; release: Float64Array; stateBytes: number; roundTripMs: number } {
  const pool = new SubnetAddressPool(subnet);
  const alloc = new Float64Array(fill);
  for (let i = 0; i < fill; i++) {
    const t = now();
    const r = pool.allocate(owners[i]!, 1);
    alloc[i] = now() - t;
    if (!r.ok) throw new Error(`unexpected exhaustion at ${i}`);
  }
  const t0 = performance.now();
  const json = JSON.stringify(pool);
  const again = SubnetAddressPool.fromJSON(JSON.parse(json));
  const roundTripMs = performance.now() - t0;
  if (again.usage().used !== BigInt(fill)) throw new Error("round trip lost allocations");
  const release = new Float64Array(fill);
  for (let i = 0; i < fill; i++) {
    // Lowest first: every release touches the front of the index (the worst order for a flat array).
    const t = now();
    const n = pool.release(owners[i]!);
    release[i] = now() - t;
    if (n !== 1) throw new Error(`release ${i} freed ${n}`);
  }
  return { alloc, release, stateBytes: json.length, roundTripMs };
}

function runMap(fill: number): Float64Array {
  const map = new Map<string, number>();
  const out = new Float64Array(fill);
  for (let i = 0; i < fill; i++) {
    const t = now();
    map.set(owners[i]!, i);
    out[i] = now() - t;
  }
  return out;
}

/** What a first implementation often does: scan for the lowest offset not in a Set. */
function runNaive(fill: number): Float64Array {
  const taken = new Set<number>();
  const out = new Float64Array(fill);
  for (let i = 0; i < fill; i++) {
    const t = now();
    let o = 4;
    while (taken.has(o)) o++;
    taken.add(o);
    out[i] = now() - t;
  }
  return out;
}

/** Allocation cost once half of a full pool is freed in a checkerboard (many separate holes). */
function runFragmented(): number {
  const pool = new SubnetAddressPool(SUBNET);
  for (let i = 0; i < FILL; i++) pool.allocate(owners[i]!, 1);
  for (let i = 0; i < FILL; i += 2) pool.release(owners[i]!);
  const samples: number[] = [];
  for (let i = 0; i < WINDOW; i++) {
    const t = now();
    pool.allocate(owners[i * 2]!, 1);
    samples.push(now() - t);
  }
  return medianOf(samples);
}

type Row = { case: string; fill: number; medianNs: number; meanNs: number };
const rows: Row[] = [];
function emit(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: "ipam", ...record })}\n`);
}
function overBudget(): boolean {
  return performance.now() - started > BUDGET_MS;
}

// Warm up the JIT on a smaller run of each case.
runPool(SUBNET, 5_000);
runMap(5_000);
runNaive(1_000);

const allocByLevel = new Map<number, Stat[]>();
const releaseByLevel = new Map<number, Stat[]>();
const mapByLevel = new Map<number, Stat[]>();
const naiveByLevel = new Map<number, Stat[]>();
let stateBytes = 0;
let roundTripMs = 0;
let repeats = 0;
for (; repeats < REPEATS && !overBudget(); repeats++) {
  gc?.();
  const r = runPool(SUBNET, FILL);
  stateBytes = r.stateBytes;
  roundTripMs = Math.max(roundTripMs, r.roundTripMs);
  const m = runMap(FILL);
  for (const level of LEVELS) {
    (allocByLevel.get(level) ?? allocByLevel.set(level, []).get(level)!).push(stat(r.alloc, level));
    (releaseByLevel.get(level) ?? releaseByLevel.set(level, []).get(level)!).push(stat(r.release, level));
    (mapByLevel.get(level) ?? mapByLevel.set(level, []).get(level)!).push(stat(m, level));
  }
}
for (let i = 0; i < Math.min(3, repeats) && !overBudget(); i++) {
  const n = runNaive(NAIVE_FILL);
  for (const level of NAIVE_LEVELS) (naiveByLevel.get(level) ?? naiveByLevel.set(level, []).get(level)!).push(stat(n, level));
}

function record(name: string, byLevel: Map<number, Stat[]>): void {
  for (const [fill, stats] of byLevel) {
    const row = { case: name, fill, medianNs: Math.round(medianOf(stats.map((s) => s.median))), meanNs: Math.round(medianOf(stats.map((s) => s.mean))) };
    rows.push(row);
    emit({ ...row, subnet: SUBNET, window: WINDOW, repeats: stats.length });
  }
}
record("allocate", allocByLevel);
record("release", releaseByLevel);
record("baseline.mapSet", mapByLevel);
record("baseline.naiveScan", naiveByLevel);
const fragmentedNs = overBudget() ? undefined : runFragmented();
if (fragmentedNs !== undefined) emit({ case: "allocate.fragmented", fill: FILL / 2, holes: FILL / 2, medianNs: Math.round(fragmentedNs) });
emit({ case: "state", fill: FILL, owners: FILL, jsonBytes: stateBytes, roundTripMs: Math.round(roundTripMs) });

const get = (name: string, fill: number): number | undefined => rows.find((r) => r.case === name && r.fill === fill)?.medianNs;
const ratios = {
  allocateGrowth60kOver1k: (get("allocate", 60_000) ?? NaN) / (get("allocate", 1_000) ?? NaN),
  releaseGrowth60kOver1k: (get("release", 60_000) ?? NaN) / (get("release", 1_000) ?? NaN),
  naiveGrowth10kOver1k: (get("baseline.naiveScan", 10_000) ?? NaN) / (get("baseline.naiveScan", 1_000) ?? NaN),
  allocateOverMapSetAt60k: (get("allocate", 60_000) ?? NaN) / (get("baseline.mapSet", 60_000) ?? NaN),
  naiveOverAllocateAt10k: (get("baseline.naiveScan", 10_000) ?? NaN) / (get("allocate", 10_000) ?? NaN),
};
const elapsedMs = Math.round(performance.now() - started);
emit({ case: "summary", ...Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, Number(v.toFixed(2))])), repeats, elapsedMs, node: process.version });

// Human table (stderr-free: same stream, after the JSON lines).
const cell = (v: number | undefined): string => (v === undefined ? "-" : `${(v / 1000).toFixed(2)} µs`).padStart(10);
const lines = [
  "",
  `IPAM ${SUBNET}, one address per owner, median per-op over the ${WINDOW} ops ending at each fill level (${repeats} repeats)`,
  `${"fill".padEnd(8)}${"allocate".padStart(10)}${"release".padStart(10)}${"Map.set".padStart(10)}${"naive".padStart(10)}`,
  ...LEVELS.map((l) => `${String(l).padEnd(8)}${cell(get("allocate", l))}${cell(get("release", l))}${cell(get("baseline.mapSet", l))}${cell(get("baseline.naiveScan", l))}`),
  `allocate growth 1k→60k: ×${ratios.allocateGrowth60kOver1k.toFixed(2)}   release growth: ×${ratios.releaseGrowth60kOver1k.toFixed(2)}   naive growth 1k→10k: ×${ratios.naiveGrowth10kOver1k.toFixed(2)}`,
  `allocate / Map.set at 60k: ×${ratios.allocateOverMapSetAt60k.toFixed(2)}   naive / allocate at 10k: ×${ratios.naiveOverAllocateAt10k.toFixed(2)}`,
  `fragmented (30k holes) allocate median: ${fragmentedNs === undefined ? "-" : `${(fragmentedNs / 1000).toFixed(2)} µs`}   state for ${FILL} owners: ${stateBytes} bytes JSON, round trip ${Math.round(roundTripMs)} ms   total ${elapsedMs} ms`,
];
process.stdout.write(`${lines.join("\n")}\n`);
