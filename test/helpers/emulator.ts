// Test harness: starts a REAL emulator process (dist/src/cli/aksemu.js) on a free port with a
// fresh data directory, and gives tests what a user has: endpoint, CA, an SDK credential.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import https from "node:https";
import { fileURLToPath } from "node:url";
import { ClientSecretCredential } from "@azure/identity";

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, "../../..");
export const AKSEMU_BIN = path.join(REPO_ROOT, "dist/src/cli/aksemu.js");
// the bundled azl users run (scripts/bundle-azl.mjs, part of npm run build)
export const AZL_BIN = path.join(REPO_ROOT, "dist/azl/azl.js");
export const SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000";
export const TENANT_ID = "00000000-0000-0000-0000-000000000001";

export interface RunningEmulator {
  endpoint: string;
  port: number;
  dataDir: string;
  caPem: string;
  caPath: string;
  proc: ChildProcess;
  output(): string;
  credential(clientId?: string): ClientSecretCredential;
  /** SDK client options: endpoint + CA trust. */
  sdkOptions(): { endpoint: string; baseUri: string; credentialScopes: string[]; tlsOptions: { ca: string } } & Record<string, unknown>;
  /** Raw HTTPS request with a fresh token (for api-versions and shapes no SDK sends). */
  request(method: string, pathAndQuery: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any; text: string }>;
  token(clientId?: string): Promise<string>;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

export function tempDir(prefix = "aksemu-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** `execArgv`: Node flags for the emulator process (e.g. `--cpu-prof` when profiling a benchmark). */
export async function startEmulator(opts: { dataDir?: string; latency?: "instant" | "fast" | "realistic"; port?: number; env?: Record<string, string>; execArgv?: string[]; allowRunCommand?: boolean } = {}): Promise<RunningEmulator> {
  const dataDir = opts.dataDir ?? tempDir();
  const args = [...(opts.execArgv ?? []), AKSEMU_BIN, "start", "--port", String(opts.port ?? 0), "--data-dir", dataDir, "--latency", opts.latency ?? "instant", ...(opts.allowRunCommand ? ["--allow-run-command"] : [])];
  const proc = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...opts.env },
  });
  let out = "";
  proc.stdout!.on("data", (c) => (out += c));
  proc.stderr!.on("data", (c) => (out += c));
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start in 30 s:\n${out}`)), 30_000);
    const check = () => {
      const m = /READY (https:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on("data", check);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}:\n${out}`));
    });
  });
  const caPath = path.join(dataDir, "ca.pem");
  const caPem = fs.readFileSync(caPath, "utf8");
  const port = Number(new URL(endpoint).port);
  const tokens = new Map<string, string>();
  const emu: RunningEmulator = {
    endpoint,
    port,
    dataDir,
    caPem,
    caPath,
    proc,
    output: () => out,
    credential: (clientId = "test-client") =>
      new ClientSecretCredential(TENANT_ID, clientId, "test-secret", {
        authorityHost: endpoint,
        disableInstanceDiscovery: true,
        tlsOptions: { ca: caPem },
      } as never),
    sdkOptions: () => ({ endpoint, baseUri: endpoint, credentialScopes: [`${endpoint}/.default`], tlsOptions: { ca: caPem } }),
    async token(clientId = "test-client") {
      const cached = tokens.get(clientId);
      if (cached) return cached;
      const r = await rawRequest(endpoint, caPem, "POST", `/${TENANT_ID}/oauth2/v2.0/token`, `grant_type=client_credentials&client_id=${encodeURIComponent(clientId)}&client_secret=x&scope=${encodeURIComponent(endpoint + "/.default")}`, { "content-type": "application/x-www-form-urlencoded" });
      const t = r.body.access_token as string;
      tokens.set(clientId, t);
      return t;
    },
    async request(method, pathAndQuery, body, headers = {}) {
      const t = await emu.token();
      const h: Record<string, string> = { authorization: `Bearer ${t}`, ...headers };
      let payload: string | undefined;
      if (body !== undefined) {
        payload = typeof body === "string" ? body : JSON.stringify(body);
        h["content-type"] ??= "application/json";
      }
      return rawRequest(endpoint, caPem, method, pathAndQuery, payload, h);
    },
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
      clearTimeout(timer);
      if (proc.exitCode === null) proc.kill("SIGKILL");
    },
    async kill9() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGKILL");
      await exited;
    },
  };
  return emu;
}

export function rawRequest(endpoint: string, ca: string, method: string, pathAndQuery: string, payload?: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any; text: string }>((resolve, reject) => {
    const u = new URL(pathAndQuery, endpoint);
    const req = https.request(u, { method, ca, headers: { ...headers, ...(payload !== undefined ? { "content-length": String(Buffer.byteLength(payload)) } : {}) }, timeout: 30_000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => {
        let body: any = undefined;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
      });
    });
    req.on("timeout", () => req.destroy(new Error(`request timed out: ${method} ${pathAndQuery}`)));
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Poll until fn returns a truthy value or the deadline passes (bounded waits, no timing assertions). */
export async function eventually<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}

/**
 * How many requests the activity log recorded since `sinceIso` (each is one store transaction, so
 * one revision): tests that check a refused request wrote nothing allow exactly these.
 */
export async function activityRecordsSince(emu: Pick<RunningEmulator, "request">, sinceIso: string): Promise<number> {
  const filter = encodeURIComponent(`eventTimestamp ge '${sinceIso}'`);
  const r = await emu.request("GET", `/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01&$filter=${filter}&$select=operationId`);
  if (r.status !== 200) throw new Error(`activity log: ${r.status} ${r.text}`);
  let ids = new Set<string>((r.body.value as Array<{ operationId: string }>).map((e) => e.operationId));
  let next: string | undefined = r.body.nextLink;
  while (next) {
    const u = new URL(next);
    const p = await emu.request("GET", u.pathname + u.search);
    ids = new Set([...ids, ...(p.body.value as Array<{ operationId: string }>).map((e) => e.operationId)]);
    next = p.body.nextLink;
  }
  return ids.size;
}
