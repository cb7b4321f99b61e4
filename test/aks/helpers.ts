// Shared helpers of the AKS integration tests: raw ARM calls against a running emulator, LRO
// waiting, and the prerequisites of the seed walkthrough (feature flag, RG, VNet, subnets,
// identity, role assignments).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { eventually, rawRequest, SUBSCRIPTION_ID, TENANT_ID, type RunningEmulator } from "../helpers/emulator.js";

export const SUB = SUBSCRIPTION_ID;
export const PREVIEW = "2022-04-02-preview";
export const STABLE = "2026-06-01";
export const NRP = "2024-05-01";
export const LOCATION = "westus2";
export const NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7";

export type Res = Awaited<ReturnType<RunningEmulator["request"]>>;

export const rgId = (rg: string) => `/subscriptions/${SUB}/resourceGroups/${rg}`;
export const clusterId = (rg: string, name: string) => `${rgId(rg)}/providers/Microsoft.ContainerService/managedClusters/${name}`;
export const vnetId = (rg: string, vnet: string) => `${rgId(rg)}/providers/Microsoft.Network/virtualNetworks/${vnet}`;
export const subnetId = (rg: string, vnet: string, s: string) => `${vnetId(rg, vnet)}/subnets/${s}`;

export function withApi(path: string, apiVersion: string): string {
  return `${path}${path.includes("?") ? "&" : "?"}api-version=${apiVersion}`;
}

/** Follow an ARM LRO (Azure-AsyncOperation or Location) to its end; returns the final status body. */
export async function waitLro(emu: RunningEmulator, res: Res, what = "operation"): Promise<any> {
  const asyncUrl = res.headers["azure-asyncoperation"] as string | undefined;
  const loc = res.headers["location"] as string | undefined;
  if (asyncUrl) {
    const path = new URL(asyncUrl).pathname + new URL(asyncUrl).search;
    return eventually(async () => {
      const r = await emu.request("GET", path);
      return r.body?.status && r.body.status !== "InProgress" ? r.body : undefined;
    }, what, 30_000, 20);
  }
  if (loc && res.status === 202) {
    const path = new URL(loc).pathname + new URL(loc).search;
    return eventually(async () => {
      const r = await emu.request("GET", path);
      return r.status !== 202 ? { status: r.status >= 400 ? "Failed" : "Succeeded", http: r.status, body: r.body } : undefined;
    }, what, 30_000, 20);
  }
  return { status: "Succeeded" };
}

export async function put(emu: RunningEmulator, path: string, body: unknown, apiVersion: string, wait = true): Promise<{ res: Res; op?: any }> {
  const res = await emu.request("PUT", withApi(path, apiVersion), body);
  if (res.status >= 300) return { res };
  const op = wait ? await waitLro(emu, res, `PUT ${path}`) : undefined;
  return { res, op };
}

export async function get(emu: RunningEmulator, path: string, apiVersion: string): Promise<Res> {
  return emu.request("GET", withApi(path, apiVersion));
}

export async function ok(emu: RunningEmulator, path: string, body: unknown, apiVersion: string): Promise<any> {
  const { res, op } = await put(emu, path, body, apiVersion);
  assert.ok(res.status === 200 || res.status === 201, `PUT ${path}: ${res.status} ${res.text}`);
  if (op) assert.equal(op.status, "Succeeded", `PUT ${path}: ${JSON.stringify(op)}`);
  return (await get(emu, path, apiVersion)).body;
}

export async function post(emu: RunningEmulator, path: string, apiVersion: string, body?: unknown): Promise<Res> {
  return emu.request("POST", withApi(path, apiVersion), body ?? {});
}

export async function del(emu: RunningEmulator, path: string, apiVersion: string): Promise<any> {
  const res = await emu.request("DELETE", withApi(path, apiVersion));
  assert.ok([200, 202, 204].includes(res.status), `DELETE ${path}: ${res.status} ${res.text}`);
  return waitLro(emu, res, `DELETE ${path}`);
}

export async function registerVnetIntegrationFeature(emu: RunningEmulator): Promise<void> {
  const f = `/subscriptions/${SUB}/providers/Microsoft.Features/providers/Microsoft.ContainerService/features/EnableAPIServerVnetIntegrationPreview`;
  const r = await emu.request("POST", `${f}/register?api-version=2021-07-01`);
  assert.equal(r.status, 200, r.text);
  await eventually(async () => (await emu.request("GET", `${f}?api-version=2021-07-01`)).body?.properties?.state === "Registered", "feature Registered");
  const p = await emu.request("POST", `/subscriptions/${SUB}/providers/Microsoft.ContainerService/register?api-version=2021-04-01`);
  assert.equal(p.status, 200, p.text);
  await eventually(async () => (await emu.request("GET", `/subscriptions/${SUB}/providers/Microsoft.ContainerService?api-version=2021-04-01`)).body?.registrationState === "Registered", "provider Registered");
}

export async function resourceGroup(emu: RunningEmulator, rg: string): Promise<void> {
  const r = await emu.request("PUT", `${rgId(rg)}?api-version=2021-04-01`, { location: LOCATION });
  assert.ok(r.status === 200 || r.status === 201, r.text);
}

export async function vnet(emu: RunningEmulator, rg: string, name: string, prefix: string): Promise<void> {
  await ok(emu, vnetId(rg, name), { location: LOCATION, properties: { addressSpace: { addressPrefixes: [prefix] } } }, NRP);
}

export async function subnet(emu: RunningEmulator, rg: string, vnetName: string, name: string, prefix: string, delegate?: string): Promise<string> {
  const properties: any = { addressPrefix: prefix };
  if (delegate) properties.delegations = [{ name: "aks-delegation", properties: { serviceName: delegate } }];
  await ok(emu, subnetId(rg, vnetName, name), { properties }, NRP);
  return subnetId(rg, vnetName, name);
}

export async function identity(emu: RunningEmulator, rg: string, name: string): Promise<{ id: string; principalId: string; clientId: string }> {
  const id = `${rgId(rg)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
  const body = await ok(emu, id, { location: LOCATION }, "2023-01-31");
  return { id, principalId: body.properties.principalId, clientId: body.properties.clientId };
}

export const PRIVATE_DNS_ZONE_CONTRIBUTOR = "b12aa53e-6015-4669-85d0-8515ebb3ae7f";

export async function roleAssignment(emu: RunningEmulator, scope: string, principalId: string, role: string): Promise<void> {
  const r = await emu.request("PUT", `${scope}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?api-version=2022-04-01`, {
    properties: { roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${role}`, principalId, principalType: "ServicePrincipal" },
  });
  assert.equal(r.status, 201, r.text);
}

export async function networkContributor(emu: RunningEmulator, scope: string, principalId: string): Promise<void> {
  await roleAssignment(emu, scope, principalId, NETWORK_CONTRIBUTOR);
}

export function clusterBody(o: {
  nodeSubnet?: string; apiSubnet?: string; integrate?: boolean; private?: boolean; identityId?: string; count?: number; plugin?: string; extraAsp?: Record<string, unknown>;
} = {}): any {
  const asp: any = { ...(o.extraAsp ?? {}) };
  if (o.integrate) asp.enableVnetIntegration = true;
  if (o.apiSubnet) asp.subnetId = o.apiSubnet;
  if (o.private) asp.enablePrivateCluster = true;
  return {
    location: LOCATION,
    identity: o.identityId ? { type: "UserAssigned", userAssignedIdentities: { [o.identityId]: {} } } : { type: "SystemAssigned" },
    properties: {
      agentPoolProfiles: [{ name: "nodepool1", count: o.count ?? 3, vmSize: "Standard_DS2_v2", mode: "System", ...(o.nodeSubnet ? { vnetSubnetID: o.nodeSubnet } : {}) }],
      networkProfile: { networkPlugin: o.plugin ?? "azure" },
      ...(Object.keys(asp).length ? { apiServerAccessProfile: asp } : {}),
    },
  };
}

/** PUT a cluster and wait for the operation; returns the final GET body (or the error response). */
export async function createCluster(emu: RunningEmulator, rg: string, name: string, body: unknown, apiVersion = PREVIEW): Promise<{ res: Res; op?: any; cluster?: any }> {
  const { res, op } = await put(emu, clusterId(rg, name), body, apiVersion);
  if (res.status >= 300) return { res };
  const cluster = (await get(emu, clusterId(rg, name), apiVersion)).body;
  return { res, op, cluster };
}

export async function view(emu: RunningEmulator, rg: string, name: string): Promise<any> {
  const r = await get(emu, `${clusterId(rg, name)}/emulatorView`, PREVIEW);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

export async function subnetView(emu: RunningEmulator, id: string): Promise<any> {
  const r = await get(emu, id, NRP);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

export function expectError(res: Res, status: number, code: string, message?: string | RegExp): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body?.error?.code, code, res.text);
  if (typeof message === "string") assert.equal(res.body.error.message, message);
  else if (message) assert.match(res.body.error.message, message);
}

/** Addresses in use in a subnet, from the Network provider's VNet usages API. */
export async function usage(emu: RunningEmulator, subnetIdValue: string): Promise<{ used: number; limit: number }> {
  const vnetPath = subnetIdValue.replace(/\/subnets\/[^/]+$/i, "");
  const r = await emu.request("GET", `${vnetPath}/usages?api-version=${NRP}`);
  assert.equal(r.status, 200, r.text);
  const u = r.body.value.find((x: any) => x.id.toLowerCase() === subnetIdValue.toLowerCase());
  assert.ok(u, `no usage for ${subnetIdValue}`);
  return { used: Number(u.currentValue), limit: Number(u.limit) };
}

/**
 * Authorized raw ARM requests against an emulator started in this process (tests that plug a
 * stand-in or real KubeHost into env.services), with a fresh token.
 */
export async function inProcessArm(emu: { endpoint: string; pki: { caPem: string } }) {
  const tok = await rawRequest(emu.endpoint, emu.pki.caPem, "POST", `/${TENANT_ID}/oauth2/v2.0/token`,
    `grant_type=client_credentials&client_id=t&client_secret=x&scope=${encodeURIComponent(emu.endpoint + "/.default")}`, { "content-type": "application/x-www-form-urlencoded" });
  const h = { authorization: `Bearer ${tok.body.access_token}`, "content-type": "application/json" };
  return (m: string, p: string, b?: unknown) => rawRequest(emu.endpoint, emu.pki.caPem, m, p, b === undefined ? undefined : JSON.stringify(b), h);
}
