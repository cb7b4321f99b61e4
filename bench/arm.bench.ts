// ARM front-door benchmark (issue: foundation): requests/s and p50/p99 of resource-group GET
// and PUT with N concurrent clients, beside a bare Node.js HTTPS server answering a fixed JSON
// body measured in the same run (the ratio is the figure), and start-up time to first answer.
// Bounded: a fixed number of requests per case. Run: node dist/bench/arm.bench.js
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { startEmulator, tempDir, rawRequest, AKSEMU_BIN, SUBSCRIPTION_ID } from "../test/helpers/emulator.js";
import { emit, load, machine, median, table } from "./lib.js";

const CONCURRENCY = [1, 8, 32];
const N = Number(process.env.BENCH_REQUESTS ?? 2000);

async function bareServer(certDir: string): Promise<{ url: string; stop: () => void }> {
  // A separate process, like the emulator, so both pay the same IPC and scheduling costs.
  const code = `
    const https = require("node:https"); const fs = require("node:fs");
    const body = JSON.stringify({ id: "/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/bench", name: "bench", type: "Microsoft.Resources/resourceGroups", location: "westus2", managedBy: null, tags: null, properties: { provisioningState: "Succeeded" } });
    const s = https.createServer({ cert: fs.readFileSync(${JSON.stringify(path.join(certDir, "server.pem"))}), key: fs.readFileSync(${JSON.stringify(path.join(certDir, "server-key.pem"))}) },
      (req, res) => { req.resume(); req.on("end", () => { res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) }); res.end(body); }); });
    s.keepAliveTimeout = 65000; s.listen(0, "127.0.0.1", () => console.log("PORT " + s.address().port));`;
  const p = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve) => p.stdout!.on("data", (c) => { const m = /PORT (\d+)/.exec(String(c)); if (m) resolve(Number(m[1])); }));
  return { url: `https://127.0.0.1:${port}/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/bench`, stop: () => p.kill() };
}

async function startupTimes(runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = tempDir("aksemu-bench-start-");
    const t0 = process.hrtime.bigint();
    const p = spawn(process.execPath, [AKSEMU_BIN, "start", "--port", "0", "--data-dir", dir, "--latency", "instant"], { stdio: ["ignore", "pipe", "pipe"] });
    const endpoint = await new Promise<string>((resolve, reject) => {
      let buf = "";
      p.stdout!.on("data", (c) => { buf += c; const m = /READY (\S+)/.exec(buf); if (m) resolve(m[1]!); });
      p.on("exit", (c) => reject(new Error(`exited ${c}`)));
    });
    const ca = fs.readFileSync(path.join(dir, "ca.pem"), "utf8");
    const r = await rawRequest(endpoint, ca, "GET", "/aksemu/health");
    if (r.status !== 200) throw new Error("health failed");
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
    p.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

async function main() {
  emit("arm", { case: "machine", ...machine(), date: new Date().toISOString() });
  const emu = await startEmulator({ latency: "instant" });
  const bare = await bareServer(emu.dataDir);
  try {
    const token = await emu.token();
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const rgUrl = `${emu.endpoint}/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/bench?api-version=2022-09-01`;
    await emu.request("PUT", `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/bench?api-version=2022-09-01`, { location: "westus2" });
    const rows: Array<Array<string | number>> = [];
    for (const c of CONCURRENCY) {
      const base = await load({ url: bare.url, method: "GET", ca: emu.caPem, concurrency: c, total: N, expect: [200] });
      const get = await load({ url: rgUrl, method: "GET", ca: emu.caPem, headers: auth, concurrency: c, total: N, expect: [200] });
      const put = await load({ url: rgUrl, method: "PUT", ca: emu.caPem, headers: auth, body: JSON.stringify({ location: "westus2", tags: { bench: "1" } }), concurrency: c, total: Math.min(N, 1000), expect: [200] });
      for (const [name, r] of [["bare-https-get", base], ["arm-rg-get", get], ["arm-rg-put", put]] as const) emit("arm", { case: name, concurrency: c, ...r });
      rows.push([c, "bare HTTPS GET (baseline)", base.rps, base.p50ms, base.p99ms, 1, base.errors]);
      rows.push([c, "ARM resource group GET", get.rps, get.p50ms, get.p99ms, get.rps / base.rps, get.errors]);
      rows.push([c, "ARM resource group PUT", put.rps, put.p50ms, put.p99ms, put.rps / base.rps, put.errors]);
    }
    table(`ARM front door vs bare HTTPS (${N} requests per case; PUT ${Math.min(N, 1000)})`, ["conc", "case", "req/s", "p50 ms", "p99 ms", "rps ratio", "errors"], rows);
  } finally {
    bare.stop();
    await emu.stop();
  }
  const starts = await startupTimes(5);
  emit("arm", { case: "startup-to-first-answer", runsMs: starts, medianMs: median(starts) });
  const nodeStarts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    await new Promise((r) => spawn(process.execPath, ["-e", "0"]).on("exit", r));
    nodeStarts.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  emit("arm", { case: "node-e-0-startup", runsMs: nodeStarts, medianMs: median(nodeStarts) });
  table("Start-up (fresh data directory, to first answered request), 5 runs", ["case", "median ms", "ratio"], [
    ["node -e 0 (baseline)", median(nodeStarts), 1],
    ["aksemu start → /aksemu/health 200", median(starts), median(starts) / median(nodeStarts)],
  ]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
