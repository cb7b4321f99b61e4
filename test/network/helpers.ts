// Shared pieces of the Network provider tests: ids, an SDK client, raw REST with LRO waiting,
// and an in-process emulator for tests that call the NetworkModel directly.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { NetworkManagementClient } from "@azure/arm-network";
import { type RunningEmulator, SUBSCRIPTION_ID, TENANT_ID, rawRequest, tempDir } from "../helpers/emulator.js";
import { Emulator } from "../../src/emulator.js";
import type { NetworkModel } from "../../src/arm/network-model.js";
import { networkModel } from "../../src/arm/network-model.js";

export const SUB = `/subscriptions/${SUBSCRIPTION_ID}`;
export const rgId = (rg: string) => `${SUB}/resourceGroups/${rg}`;
export const vnetId = (rg: string, vnet: string) => `${rgId(rg)}/providers/Microsoft.Network/virtualNetworks/${vnet}`;
export const subnetId = (rg: string, vnet: string, subnet: string) => `${vnetId(rg, vnet)}/subnets/${subnet}`;
export const AKS = "Microsoft.ContainerService/managedClusters";
export const JOIN = "Microsoft.Network/virtualNetworks/subnets/join/action";
export const V = "2024-05-01";

/** Anything with the raw request function of the harness. */
export interface Rest {
  request: RunningEmulator["request"];
}

export function netClient(emu: RunningEmulator): NetworkManagementClient {
  return new NetworkManagementClient(emu.credential(), SUBSCRIPTION_ID, emu.sdkOptions() as never);
}

export async function createGroup(emu: Rest, rg: string, location = "eastus"): Promise<void> {
  const r = await emu.request("PUT", `${rgId(rg)}?api-version=2022-09-01`, { location });
  assert.ok(r.status === 200 || r.status === 201, `create group ${rg}: ${r.status} ${r.text}`);
}

/** Poll an Azure-AsyncOperation URL until the operation is terminal (bounded). */
export async function waitOperation(emu: Rest, url: string): Promise<string> {
  const u = new URL(url);
  for (let i = 0; i < 400; i++) {
    const r = await emu.request("GET", u.pathname + u.search);
    if (r.status !== 200) throw new Error(`operation status ${r.status}: ${r.text}`);
    if (r.body.status !== "InProgress") return r.body.status as string;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error(`operation ${url} did not finish`);
}

/** Raw PUT; waits for the LRO when the answer carries Azure-AsyncOperation. */
type Resp = Awaited<ReturnType<Rest["request"]>>;

export async function putWait(emu: Rest, p: string, body: unknown): Promise<Resp> {
  const r = await emu.request("PUT", p, body);
  const aao = r.headers["azure-asyncoperation"];
  if ((r.status === 200 || r.status === 201) && typeof aao === "string") {
    const st = await waitOperation(emu, aao);
    assert.equal(st, "Succeeded", `LRO of PUT ${p} ended ${st}`);
  }
  return r;
}

/** Raw DELETE; waits for the 202's operation. */
export async function deleteWait(emu: Rest, p: string): Promise<Resp> {
  const r = await emu.request("DELETE", p);
  const aao = r.headers["azure-asyncoperation"];
  if (r.status === 202 && typeof aao === "string") await waitOperation(emu, aao);
  return r;
}

/** Assert an NRP error answer: status, code and `details: []`. */
export function assertNrpError(r: { status: number; body: any; text: string }, status: number, code: string): string {
  assert.equal(r.status, status, `expected ${status} ${code}, got ${r.status} ${r.text}`);
  assert.equal(r.body?.error?.code, code, r.text);
  assert.deepEqual(r.body.error.details, [], `NRP errors carry details: [] (${r.text})`);
  return r.body.error.message as string;
}

/** An SDK call that must fail with status/code; returns the message. */
export async function sdkError(p: Promise<unknown>, status: number, code: string): Promise<string> {
  try {
    await p;
  } catch (e) {
    const err = e as { statusCode?: number; code?: string; message: string };
    assert.equal(err.statusCode, status, `status: ${err.message}`);
    assert.equal(err.code, code, `code: ${err.message}`);
    return err.message;
  }
  assert.fail(`expected ${status} ${code}, the call succeeded`);
}

/** An emulator in this process (to reach the NetworkModel), with raw REST like the harness. */
export interface InProcess extends Rest {
  emulator: Emulator;
  model: NetworkModel;
  endpoint: string;
  stop(): Promise<void>;
}

export async function startInProcess(): Promise<InProcess> {
  const dataDir = tempDir("aksemu-net-");
  const emulator = await Emulator.start({ dataDir, port: 0, latency: "instant" });
  const endpoint = emulator.endpoint;
  const caPem = fs.readFileSync(path.join(dataDir, "ca.pem"), "utf8");
  let token: string | undefined;
  const getToken = async () => {
    if (token) return token;
    const r = await rawRequest(endpoint, caPem, "POST", `/${TENANT_ID}/oauth2/v2.0/token`,
      `grant_type=client_credentials&client_id=test-client&client_secret=x&scope=${encodeURIComponent(endpoint + "/.default")}`,
      { "content-type": "application/x-www-form-urlencoded" });
    token = r.body.access_token as string;
    return token;
  };
  return {
    emulator,
    endpoint,
    model: networkModel(emulator.env),
    async request(method, pathAndQuery, body, headers = {}) {
      const h: Record<string, string> = { authorization: `Bearer ${await getToken()}`, ...headers };
      let payload: string | undefined;
      if (body !== undefined) {
        payload = typeof body === "string" ? body : JSON.stringify(body);
        h["content-type"] ??= "application/json";
      }
      return rawRequest(endpoint, caPem, method, pathAndQuery, payload, h);
    },
    async stop() {
      await emulator.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The seed topology of the AKS docs: VNet 172.19.0.0/16, delegated /28 API server subnet, /24 node subnet. */
export async function seedTopology(emu: Rest, rg: string, vnet = "vnet"): Promise<void> {
  await createGroup(emu, rg);
  let r = await putWait(emu, `${vnetId(rg, vnet)}?api-version=${V}`, { location: "eastus", properties: { addressSpace: { addressPrefixes: ["172.19.0.0/16"] } } });
  assert.equal(r.status, 201, r.text);
  r = await putWait(emu, `${subnetId(rg, vnet, "apiserver")}?api-version=${V}`, {
    properties: { addressPrefix: "172.19.0.0/28", delegations: [{ name: "aks-delegation", properties: { serviceName: AKS } }] },
  });
  assert.equal(r.status, 201, r.text);
  r = await putWait(emu, `${subnetId(rg, vnet, "nodes")}?api-version=${V}`, { properties: { addressPrefix: "172.19.1.0/24" } });
  assert.equal(r.status, 201, r.text);
}

/**
 * Stop a harness emulator without the harness's 10 s fallback timer (RunningEmulator.stop() races
 * the exit against a setTimeout it never clears, which keeps the test process alive ~10 s).
 */
export async function stopEmulator(emu: RunningEmulator | undefined): Promise<void> {
  if (!emu || emu.proc.exitCode !== null || emu.proc.signalCode !== null) return;
  const exited = new Promise((r) => emu.proc.once("exit", r));
  emu.proc.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
  clearTimeout(timer);
  if (emu.proc.exitCode === null && emu.proc.signalCode === null) emu.proc.kill("SIGKILL");
}
