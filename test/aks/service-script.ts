// One script of resource-service operations (create, update, an action, failures, deletes,
// including an AKS cluster that joins a delegated subnet and creates its node resource group, ILB
// and scale set), a driver that runs it through an in-process EmulatorCore's service, and the
// masking that makes two runs comparable. Used by resource-service.test.ts (service vs HTTP) and
// rerun-safety.test.ts (service vs service with every transaction run twice).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { SUBSCRIPTION_ID, TENANT_ID } from "../helpers/emulator.js";
import type { EmulatorCore } from "../../src/emulator.js";
import { ArmError } from "../../src/arm/errors.js";
import type { Caller } from "../../src/arm/caller.js";
import type { Method, Target } from "../../src/arm/resource-service.js";
import { resourceGroups } from "../../src/arm/resource-groups.js";
import { listInGroup } from "../../src/arm/repo.js";
import { LOCATION, NETWORK_CONTRIBUTOR, NRP, STABLE, clusterBody, clusterId, rgId, subnetId, vnetId } from "./helpers.js";

const RG = "rg-svc";
const MI_V = "2023-01-31";
const RA_V = "2022-04-01";
const miId = `${rgId(RG)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aks-id`;
const apiSubnet = subnetId(RG, "vnet", "apiserver");
const nodeSubnet = subnetId(RG, "vnet", "nodes");
const cluster = clusterId(RG, "svc1");
const nodeRg = `MC_${RG}_svc1_${LOCATION}`;
const ra = (scope: string, guid: string) => `${scope}/providers/Microsoft.Authorization/roleAssignments/${guid}`;
const RA_API = "5b2d6c1e-0000-4000-8000-000000000001";
const RA_NODES = "5b2d6c1e-0000-4000-8000-000000000002";

/** What one operation answered: status and body, or the error; for long-running ones, how the operation ended. */
export interface Outcome {
  status: number;
  body?: any;
  error?: { code: string; message: string };
  operation?: { status: string; error?: unknown };
}

export interface Driver {
  /** Resource group PUT (an ARM route, not a resource type: set up, not compared). */
  group(rg: string): Promise<void>;
  call(method: Method, id: string, apiVersion: string, body?: unknown): Promise<Outcome>;
  /** Ids of every resource in a group, lower-cased and sorted. */
  inGroup(rg: string): Promise<string[]>;
}

// ---- the service, in process ----

export function serviceDriver(core: EmulatorCore): Driver {
  const svc = core.resources;
  const caller: Caller = { principal: { objectId: randomUUID(), appId: "test-client", tenantId: TENANT_ID }, correlationId: randomUUID(), origin: core.env.endpoint() };
  const settle = async (status: number, body: unknown, op?: { name: string }): Promise<Outcome> => {
    if (!op) return { status, body };
    const done = await core.ops.waitFor(op.name);
    return { status, body, operation: { status: done.status, ...(done.error ? { error: done.error } : {}) } };
  };
  return {
    async group(rg) {
      await core.env.store.txn((tx) => resourceGroups(core.env).ensure(tx, core.env, SUBSCRIPTION_ID, rg, LOCATION));
    },
    async call(method, pathAndQuery, apiVersion, body) {
      const [path, query = ""] = pathAndQuery.split("?");
      const q = new URLSearchParams(query);
      try {
        const t: Target = svc.resolve(path!, method, apiVersion);
        if (t.action) {
          const out = await svc.action(t, method, body ?? {}, (n) => q.get(n) ?? undefined, { caller });
          return "operation" in out ? settle(202, undefined, out.operation) : { status: out.status, body: out.body };
        }
        switch (method) {
          case "GET":
            return { status: 200, body: svc.render(t, svc.get(t, method, caller)) };
          case "PUT": {
            const r = await svc.put(t, body as Record<string, unknown>, { caller });
            return settle(r.status, svc.render(t, r.record), r.operation);
          }
          case "PATCH":
            return { status: 200, body: svc.render(t, (await svc.patch(t, body as Record<string, unknown>, { caller })).record) };
          case "DELETE": {
            const r = await svc.delete(t, { caller });
            if (r.status === 202) return settle(202, undefined, r.operation);
            return { status: r.status, body: r.status === 200 && r.deleted ? svc.render(t, r.deleted) : undefined };
          }
          default:
            throw new Error(`no ${method} in this script`);
        }
      } catch (e) {
        if (!(e instanceof ArmError)) throw e;
        return { status: e.status, error: { code: e.code, message: e.message } };
      }
    },
    async inGroup(rg) {
      return listInGroup(core.env.store, SUBSCRIPTION_ID, rg).map((r) => r.id.toLowerCase()).sort();
    },
  };
}

// ---- one script, run by both ----

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** Mask what differs between any two runs; keep everything else, including key order. */
export function mask(x: unknown): unknown {
  if (typeof x === "string") {
    return x
      .replace(/https:\/\/(127\.0\.0\.1|localhost):\d+/g, "<origin>")
      .replace(/W\/"[^"]*"/g, "<etag>")
      .replace(GUID, (g) => (/^0{8}-0{4}-0{4}-0{4}-0{11}[01]$/.test(g) ? g : "<guid>"))
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>")
      .replace(/-[0-9a-f]{8}\.(portal\.)?hcp\./g, "-<hash>.$1hcp.")
      .replace(/-[0-9a-f]{8}\.privatelink\./g, "-<hash>.privatelink.")
      .replace(/-\d{8}-(vmss|nsg)/g, "-<digits>-$1")
      .replace(/^\d{8}$/, "<digits>");
  }
  if (Array.isArray(x)) return x.map(mask);
  if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, mask(v)]));
  return x;
}

/** The non-resource ids a top-level listing hides: read the children through their ids. */
export async function script(d: Driver): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const step = async (name: string, method: Method, id: string, v: string, body?: unknown) => {
    out[name] = await d.call(method, id, v, body);
    return out[name] as Outcome;
  };
  await d.group(RG);

  // Create (NRP PUTs are long-running; the identity is synchronous), then update.
  await step("vnet.put", "PUT", vnetId(RG, "vnet"), NRP, { location: LOCATION, properties: { addressSpace: { addressPrefixes: ["10.50.0.0/16"] } } });
  await step("apiSubnet.put", "PUT", apiSubnet, NRP, { properties: { addressPrefix: "10.50.0.0/28", delegations: [{ name: "aks", properties: { serviceName: "Microsoft.ContainerService/managedClusters" } }] } });
  await step("nodeSubnet.put", "PUT", nodeSubnet, NRP, { properties: { addressPrefix: "10.50.1.0/24" } });
  const mi = await step("mi.put", "PUT", miId, MI_V, { location: LOCATION });
  await step("mi.patch", "PATCH", miId, MI_V, { tags: { team: "platform" } });
  await step("mi.get", "GET", miId, MI_V);
  const principalId = mi.body.properties.principalId as string;
  for (const [scope, guid] of [[apiSubnet, RA_API], [nodeSubnet, RA_NODES]] as const) {
    await step(`ra.${guid}`, "PUT", ra(scope, guid), RA_V, {
      properties: { roleDefinitionId: `/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/${NETWORK_CONTRIBUTOR}`, principalId, principalType: "ServicePrincipal" },
    });
  }

  // Errors: each check's answer, whoever asks.
  await step("err.rgMissing", "PUT", `${rgId("nope")}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x`, MI_V, { location: LOCATION });
  await step("err.overlap", "PUT", subnetId(RG, "vnet", "overlap"), NRP, { properties: { addressPrefix: "10.50.0.0/24" } });
  await step("err.parent", "PUT", subnetId(RG, "novnet", "s"), NRP, { properties: { addressPrefix: "10.60.0.0/24" } });
  await step("err.location", "PUT", `${rgId(RG)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/moved`, MI_V, { location: "atlantis" });
  await step("err.vmss", "DELETE", `${rgId(RG)}/providers/Microsoft.Compute/virtualMachineScaleSets/nope`, "2024-07-01");

  // An AKS cluster joining the delegated subnet: node resource group, ILB, scale set, the subnet's SAL.
  await step("cluster.put", "PUT", cluster, STABLE, clusterBody({ nodeSubnet, apiSubnet, integrate: true, identityId: miId, count: 2 }));
  await step("cluster.get", "GET", cluster, STABLE);
  await step("apiSubnet.afterJoin", "GET", apiSubnet, NRP);
  await step("nodeSubnet.afterJoin", "GET", nodeSubnet, NRP);
  out["nodeRg.resources"] = await d.inGroup(nodeRg);
  for (const id of out["nodeRg.resources"] as string[]) {
    const type = /\/providers\/([^/]+\/[^/]+)\//.exec(id)![1]!;
    const v = type.startsWith("microsoft.network") ? NRP : type.startsWith("microsoft.compute") ? "2024-07-01" : type.startsWith("microsoft.managedidentity") ? MI_V : STABLE;
    await step(`nodeRg.${id}`, "GET", id, v);
  }

  // An action: the ILB's frontend address is taken in the delegated subnet.
  await step("action.checkIp", "GET", `${vnetId(RG, "vnet")}/CheckIPAddressAvailability?ipAddress=10.50.0.4`, NRP);
  await step("err.inUseSubnet", "DELETE", apiSubnet, NRP);
  await step("err.vmssByClient", "DELETE", ((out["nodeRg.resources"] as string[]).find((x) => x.includes("virtualmachinescalesets")) ?? "missing"), "2024-07-01");

  // Delete: the cluster takes its side effects with it; the identity goes synchronously.
  await step("cluster.delete", "DELETE", cluster, STABLE);
  await step("cluster.gone", "GET", cluster, STABLE);
  await step("apiSubnet.afterLeave", "GET", apiSubnet, NRP);
  await step("mi.delete", "DELETE", miId, MI_V);
  await step("mi.gone", "GET", miId, MI_V);
  await step("mi.deleteAgain", "DELETE", miId, MI_V);
  return out;
}

/** The outcomes of two runs, masked and sorted by step name, compared step by step. */
export function assertSameSteps(a: Record<string, unknown>, b: Record<string, unknown>): void {
  const steps = (o: Record<string, unknown>) => Object.entries(o).map(([k, v]) => [mask(k) as string, mask(v)] as const).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const [sa, sb] = [steps(a), steps(b)];
  assert.deepEqual(sa.map((x) => x[0]), sb.map((x) => x[0]));
  for (let i = 0; i < sb.length; i++) assert.deepEqual(sa[i]![1], sb[i]![1], `step ${sb[i]![0]}`);
}
