// Non-resource endpoints: commandResults/{id} (az aks command result), upgrade profiles,
// location-level kubernetesVersions and orchestrators.
import type { Route } from "../../arm/router.js";
import type { ArmEnv } from "../../arm/types.js";
import { E } from "../../arm/catalog.js";
import { requireApiVersion } from "../../arm/generic.js";
import { getRecord } from "../../arm/repo.js";
import { resolveApiVersion } from "../../arm/api-version.js";
import { AksErrors } from "./errors.js";
import { commandId, opNameOfCommandId } from "./actions.js";
import { MANAGED_CLUSTER_API_VERSIONS } from "./api-versions.js";
import { DEFAULT_KUBERNETES_VERSION, KUBERNETES_VERSIONS } from "./versions.js";
import { agentPoolUpgradeProfile, clusterUpgradeProfile } from "./upgrade-profiles.js";

const CLUSTER = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{name}";

function checkVersion(v: string): void {
  if (!resolveApiVersion(v, MANAGED_CLUSTER_API_VERSIONS)) {
    throw E.invalidResourceType.make({ type: "managedClusters", ns: "Microsoft.ContainerService", v, versions: MANAGED_CLUSTER_API_VERSIONS.slice(-5).join(", ") });
  }
}

export function containerServiceRoutes(env: ArmEnv): Route[] {
  const cluster = (p: Record<string, string>) => {
    const rec = getRecord(env.store, `/subscriptions/${p.sub}/resourceGroups/${p.rg}/providers/Microsoft.ContainerService/managedClusters/${p.name}`);
    if (!rec) throw E.resourceNotFound.make({ type: "Microsoft.ContainerService/managedClusters", name: p.name!, rg: p.rg! });
    return rec;
  };
  return [
    {
      method: "GET",
      pattern: `${CLUSTER}/upgradeProfiles/{profile}`,
      handler: (ctx, p) => {
        checkVersion(requireApiVersion(ctx));
        const rec = cluster(p);
        if (p.profile!.toLowerCase() !== "default") throw E.resourceNotFound.make({ type: "Microsoft.ContainerService/managedClusters/upgradeProfiles", name: `${p.name}/${p.profile}`, rg: p.rg! });
        ctx.send(200, clusterUpgradeProfile(rec));
      },
    },
    {
      method: "GET",
      pattern: `${CLUSTER}/agentPools/{pool}/upgradeProfiles/{profile}`,
      handler: (ctx, p) => {
        checkVersion(requireApiVersion(ctx));
        const body = p.profile!.toLowerCase() === "default" ? agentPoolUpgradeProfile(cluster(p), p.pool!) : undefined;
        if (!body) throw E.resourceNotFound.make({ type: "Microsoft.ContainerService/managedClusters/agentPools", name: `${p.name}/${p.pool}`, rg: p.rg! });
        ctx.send(200, body);
      },
    },
    {
      method: "GET",
      pattern: `${CLUSTER}/commandResults/{id}`,
      handler: (ctx, p) => {
        checkVersion(requireApiVersion(ctx));
        const clusterId = `/subscriptions/${p.sub}/resourceGroups/${p.rg}/providers/Microsoft.ContainerService/managedClusters/${p.name}`;
        if (!getRecord(env.store, clusterId)) throw E.resourceNotFound.make({ type: "Microsoft.ContainerService/managedClusters", name: p.name!, rg: p.rg! });
        const op = env.ops.get(opNameOfCommandId(p.id!));
        if (!op || op.action?.toLowerCase() !== "runcommand" || op.resourceId.toLowerCase() !== clusterId.toLowerCase()) throw AksErrors.commandNotFound.make({ id: p.id! });
        if (op.status === "InProgress") {
          return ctx.send(202, { id: commandId(op.name), properties: { provisioningState: "Running", startedAt: op.startTime } }, { location: ctx.url.toString(), "retry-after": String(env.latency.retryAfterSeconds()) });
        }
        if (op.status === "Failed") return ctx.send(200, { id: commandId(op.name), properties: { provisioningState: "Failed", reason: op.error?.message ?? "" } });
        ctx.send(200, op.result?.body ?? { id: commandId(op.name), properties: { provisioningState: "Succeeded" } });
      },
    },
    {
      method: "GET",
      pattern: "/subscriptions/{sub}/providers/Microsoft.ContainerService/locations/{loc}/kubernetesVersions",
      handler: (ctx) => {
        checkVersion(requireApiVersion(ctx));
        const minors = [...new Set(KUBERNETES_VERSIONS.map((v) => v.split(".").slice(0, 2).join(".")))];
        ctx.send(200, {
          values: minors.map((m) => ({
            version: m,
            isDefault: DEFAULT_KUBERNETES_VERSION.startsWith(m + ".") || undefined,
            capabilities: { supportPlan: ["KubernetesOfficial"] },
            patchVersions: Object.fromEntries(KUBERNETES_VERSIONS.filter((v) => v.startsWith(m + ".")).map((v) => [v, { upgrades: KUBERNETES_VERSIONS.filter((u) => u > v) }])),
          })),
        });
      },
    },
    {
      method: "GET",
      pattern: "/subscriptions/{sub}/providers/Microsoft.ContainerService/locations/{loc}/orchestrators",
      handler: (ctx, p) => {
        requireApiVersion(ctx);
        ctx.send(200, {
          id: `/subscriptions/${p.sub}/providers/Microsoft.ContainerService/locations/${p.loc}/orchestrators`,
          name: "default",
          type: "Microsoft.ContainerService/locations/orchestrators",
          properties: {
            orchestrators: KUBERNETES_VERSIONS.map((v) => ({
              orchestratorType: "Kubernetes", orchestratorVersion: v, default: v === DEFAULT_KUBERNETES_VERSION || undefined,
              upgrades: KUBERNETES_VERSIONS.filter((u) => u > v).map((u) => ({ orchestratorType: "Kubernetes", orchestratorVersion: u })),
            })),
          },
        });
      },
    },
  ];
}
