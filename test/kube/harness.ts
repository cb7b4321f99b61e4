// Test harness: a real KubeHost over HTTPS on an in-memory SqliteStore, a temp PKI, a
// generated kubeconfig and helpers to run the real kubectl binaries with a timeout.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { KubeHost, type KubeClusterSpec, type KubeNodeSpec } from "../../src/cluster/kube-host.js";
import { CaPki } from "../../src/server/pki.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import type { Clock } from "../../src/sim/clock.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const KUBECTL_V32 = path.join(repoRoot, ".tools/kubectl-v32");
export const KUBECTL_120 = path.join(repoRoot, ".tools/kubectl-1.20");

export const instant = { delay: () => 0 };

export function kubectlMissing(bin: string): string | false {
  return fs.existsSync(bin) ? false : `${path.relative(repoRoot, bin)} not found (run: node scripts/tools.mjs)`;
}

export function nodeSpecs(pool: string, count: number, opts: Partial<KubeNodeSpec> = {}, base = 4): KubeNodeSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const ip = `10.224.0.${base + i * 31}`;
    return {
      name: `aks-${pool}-12345678-vmss00000${i}`,
      pool,
      mode: "System" as const,
      internalIP: ip,
      podIPs: Array.from({ length: 30 }, (_, j) => `10.224.0.${base + i * 31 + 1 + j}`),
      vmSize: "Standard_DS2_v2",
      osSku: "Ubuntu",
      nodeImageVersion: "AKSUbuntu-2204gen2containerd-202411.12.0",
      zone: undefined,
      providerID: `azure:///subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/mc_rg_demo_eastus/providers/Microsoft.Compute/virtualMachineScaleSets/aks-${pool}-12345678-vmss/virtualMachines/${i}`,
      ...opts,
    };
  });
}

export function clusterSpec(id: string, over: Partial<KubeClusterSpec> = {}): KubeClusterSpec {
  return {
    id,
    name: "demo",
    resourceGroup: "rg",
    location: "eastus",
    nodeResourceGroup: "MC_rg_demo_eastus",
    kubernetesVersion: "1.31.2",
    fqdn: "demo-rg-000000-abcdef12.hcp.eastus.azmk8s.io",
    apiServerAddress: "https://172.19.0.4:443",
    serviceCidr: "10.0.0.0/16",
    dnsServiceIP: "10.0.0.10",
    networkPlugin: "azure",
    nodes: nodeSpecs("nodepool1", 3),
    ...over,
  };
}

export interface Env {
  dir: string;
  host: KubeHost;
  store: SqliteStore;
  spec: KubeClusterSpec;
  port: number;
  kubeconfig: string;
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export async function startEnv(id = "/subscriptions/x/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/demo", over: Partial<KubeClusterSpec> = {}, opts: { events?: boolean; bodyTimeoutMs?: number; clock?: Clock } = {}): Promise<Env> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aksemu-kube-"));
  const pki = await CaPki.create();
  const store = SqliteStore.open(":memory:");
  const host = new KubeHost({ store, pki, latency: instant, events: opts.events, bodyTimeoutMs: opts.bodyTimeoutMs, clock: opts.clock });
  const spec = clusterSpec(id, over);
  const creds = await host.ensureRunning(spec);
  await host.idle(spec.id);
  const kubeconfig = path.join(dir, "kubeconfig");
  fs.writeFileSync(
    kubeconfig,
    host.kubeconfig(spec.id, {
      user: "clusterAdmin",
      clusterName: spec.name,
      userName: `clusterAdmin_${spec.resourceGroup}_${spec.name}`,
      contextName: `${spec.name}-admin`,
      server: `https://127.0.0.1:${creds.port}`,
      tlsServerName: spec.fqdn,
    }),
  );
  const home = path.join(dir, "home");
  fs.mkdirSync(home);
  const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: home };
  return {
    dir,
    host,
    store,
    spec,
    port: creds.port,
    kubeconfig,
    env,
    async close() {
      await host.closeAll();
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a binary with args; never throws on a non-zero exit; always bounded by timeoutMs. */
export function run(bin: string, args: string[], env: NodeJS.ProcessEnv, opts: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(bin, args, { env, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === "number" ? ((err as unknown as { code: number }).code) : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (opts.input !== undefined) {
      child.stdin?.end(opts.input);
    }
  });
}

export function kubectl(e: Env, bin: string, args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  return run(bin, args, e.env, opts);
}

/** kubectl `bin` against the env `env()` returns (set in a suite's before()); fails the test on a non-zero exit and returns stdout. */
export function kubectlOk(env: () => Env, bin: string): (...args: string[]) => Promise<string> {
  return async (...args: string[]) => {
    const r = await kubectl(env(), bin, args);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed:\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };
}
