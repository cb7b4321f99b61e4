// metrics.k8s.io and the HPA, with baselines in the same run:
//   - list PodMetrics of N running pods (computed on every read from the pods) vs the PodList of
//     the same pods, over keep-alive HTTPS (bench/lib.ts load generator, 4 workers);
//   - `kubectl top pods` vs `kubectl get pods` over the same pods (median of 5).
// In-process KubeHost on an in-memory store, instant latency. Bounded by BENCH_METRICS_PODS
// (default 300) and BENCH_METRICS_REQUESTS (default 400). Run: node dist/bench/metrics.bench.js
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { strategyFor } from "../src/kube/catalog.js";
import { KubeHost } from "../src/cluster/kube-host.js";
import { CaPki } from "../src/server/pki.js";
import { SqliteStore } from "../src/store/sqlite-store.js";
import { clusterSpec, nodeSpecs } from "../test/kube/harness.js";
import { emit, load, machine, median, table } from "./lib.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const KUBECTL = path.join(root, ".tools/kubectl-v32");
const N = Number(process.env.BENCH_METRICS_PODS ?? 300);
const REQUESTS = Number(process.env.BENCH_METRICS_REQUESTS ?? 400);

function run(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const t = performance.now();
  return new Promise((resolve, reject) => execFile(bin, args, { env, timeout: 60_000, maxBuffer: 64 << 20 }, (err) => (err ? reject(err) : resolve(performance.now() - t))));
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aksemu-bench-"));
  const pki = await CaPki.create();
  const store = SqliteStore.open(":memory:");
  const host = new KubeHost({ store, pki, latency: { delay: () => 0 }, events: false });
  try {
    // Enough pod addresses for N pods on 4 nodes.
    const perNode = Math.ceil(N / 4) + 20;
    const nodes = nodeSpecs("nodepool1", 4).map((n, i) => ({ ...n, maxPods: perNode, podIPs: Array.from({ length: perNode }, (_, j) => `10.${100 + i}.${Math.floor(j / 250)}.${(j % 250) + 2}`) }));
    const spec = clusterSpec("/subscriptions/x/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/bench", { nodes });
    const creds = await host.ensureRunning(spec);
    await host.idle(spec.id);
    const reg = host.registry(spec.id)!;
    await reg.create(strategyFor("deployments", "apps"), "default", {
      metadata: { name: "web" },
      spec: { replicas: N, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" }, annotations: { "aksemu.io/cpu": "250m" } }, spec: { containers: [{ name: "web", image: "nginx", resources: { requests: { cpu: "100m", memory: "64Mi" } } }] } } },
    }, { fieldManager: "bench" });
    await host.idle(spec.id);
    const running = reg.list(strategyFor("pods"), "default").items.filter((p) => p.status?.phase === "Running").length;
    const headers = { Authorization: `Bearer ${creds.adminToken}` };
    const url = (p: string) => `https://127.0.0.1:${creds.port}${p}`;
    const common = { method: "GET", ca: pki.caPem, headers, concurrency: 4, total: REQUESTS, maxSeconds: 60, expect: [200] };
    // Alternate twice so both see the same machine load.
    const m: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 2; i++) {
      b.push((await load({ ...common, url: url("/api/v1/namespaces/default/pods?labelSelector=app%3Dweb") })).rps);
      m.push((await load({ ...common, url: url("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dweb") })).rps);
    }
    const rows: Array<Array<string | number>> = [];
    const metricsRps = Math.max(...m);
    const podsRps = Math.max(...b);
    emit("metrics", { name: `list PodMetrics of ${running} running pods`, rps: metricsRps, baselineRps: podsRps, machine: machine() });
    rows.push([`list PodMetrics of ${running} running pods (HTTPS, 4 workers)`, `${metricsRps.toFixed(0)} req/s`, `${podsRps.toFixed(0)} req/s (PodList, same pods)`, (metricsRps / podsRps).toFixed(2)]);

    if (fs.existsSync(KUBECTL)) {
      const kc = path.join(dir, "kubeconfig");
      fs.writeFileSync(kc, host.kubeconfig(spec.id, { user: "clusterAdmin", clusterName: "bench", userName: "admin", contextName: "bench", server: `https://127.0.0.1:${creds.port}`, tlsServerName: spec.fqdn }));
      const home = path.join(dir, "home");
      fs.mkdirSync(home);
      const env = { ...process.env, KUBECONFIG: kc, HOME: home };
      await run(KUBECTL, ["get", "pods"], env);
      const top: number[] = [];
      const get: number[] = [];
      for (let i = 0; i < 5; i++) {
        get.push(await run(KUBECTL, ["get", "pods", "-l", "app=web"], env));
        top.push(await run(KUBECTL, ["top", "pods", "-l", "app=web"], env));
      }
      emit("metrics", { name: "kubectl top pods", ms: median(top), baselineMs: median(get) });
      rows.push([`kubectl top pods (${running} pods)`, `${median(top).toFixed(0)} ms`, `${median(get).toFixed(0)} ms (kubectl get pods, same pods)`, (median(top) / median(get)).toFixed(2)]);
    }
    table("metrics.k8s.io", ["benchmark", "value", "baseline (same run)", "ratio"], rows);
  } finally {
    await host.closeAll();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
