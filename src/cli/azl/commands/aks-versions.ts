// az aks get-versions, az aks get-upgrades and az aks nodepool get-upgrades over the modular
// @azure/arm-containerservice client (managedClusters.listKubernetesVersions / getUpgradeProfile,
// agentPools.getUpgradeProfile), with acs _format.py's table formats.
import type { CommandSpec } from "../types.js";
import { toAz } from "../shape.js";
import { LOCATION_HELP, rg } from "./common.js";
import { clusterName } from "./aks-nodepool.js";

const EXT = "aks-preview";
type Raw = Record<string, unknown>;

/** _format.py version_to_tuple: "1.31.10" or "1.31.10(preview)" → comparable numbers. */
function versionTuple(v: string): number[] {
  return v.replace(/\(preview\)$/, "").split(".").map(Number);
}
function compareVersions(a: string, b: string): number {
  const x = versionTuple(a);
  const y = versionTuple(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return d;
  }
  return 0;
}
const sortVersions = (vs: string[]) => [...vs].sort(compareVersions);

/** _format.py aks_versions_table_format (flatten_version_table, newest first). */
export function versionsTable(result: unknown): unknown {
  const rows: Raw[] = [];
  for (const release of ((result as Raw).values as Raw[] | null) ?? []) {
    const supportPlan = ((release.capabilities as Raw | null)?.supportPlan as string[] | null) ?? [];
    for (const [version, patch] of Object.entries((release.patchVersions as Record<string, Raw> | null) ?? {})) {
      const upgrades = (patch?.upgrades as string[] | null) ?? [];
      rows.push({
        kubernetesVersion: version,
        isPreview: release.isPreview ?? false,
        upgrades: (upgrades.length ? sortVersions(upgrades) : ["None available"]).join(", "),
        supportPlan: supportPlan.join(", "),
      });
    }
  }
  return rows.sort((a, b) => compareVersions(String(b.kubernetesVersion), String(a.kubernetesVersion)));
}

/** _format.py aks_upgrades_table_format (preview versions suffixed "(preview)"). */
export function upgradesTable(result: unknown): unknown {
  const r = result as Raw;
  const cp = (r.controlPlaneProfile as Raw | null) ?? {};
  const ups = ((cp.upgrades as Raw[] | null) ?? []).filter((u) => u.kubernetesVersion);
  const preview = new Set(ups.filter((u) => u.isPreview).map((u) => String(u.kubernetesVersion)));
  const versions = ups.length ? sortVersions(ups.map((u) => String(u.kubernetesVersion))).map((v) => (preview.has(v) ? `${v}(preview)` : v)) : ["None available"];
  return [
    {
      name: r.name,
      resourceGroup: r.resourceGroup,
      masterVersion: cp.kubernetesVersion || "unknown",
      upgrades: versions.join(", "),
    },
  ];
}

export const aksVersionCommands: CommandSpec[] = [
  {
    name: "aks get-versions",
    summary: "Get the versions available for creating a managed Kubernetes cluster.",
    extension: EXT,
    args: [{ dest: "location", options: ["--location", "-l"], required: true, help: LOCATION_HELP }],
    examples: [
      { name: "Get the versions available for creating a managed Kubernetes cluster", text: "az aks get-versions --location westus2" },
      { name: "Get the versions available for creating a managed Kubernetes cluster in a table", text: "az aks get-versions --location westus2 -o table" },
    ],
    tableTransformer: versionsTable,
    handler: async (ctx, a) => toAz(await (await ctx.aks()).managedClusters.listKubernetesVersions(String(a.location)), { mapFields: { patchVersions: "models" } }),
  },
  {
    name: "aks get-upgrades",
    summary: "Get the upgrade versions available for a managed Kubernetes cluster.",
    extension: EXT,
    args: [rg(), { dest: "name", options: ["--name", "-n"], required: true, help: "Name of the managed cluster." }],
    examples: [
      { name: "Get the upgrade versions available for a managed Kubernetes cluster", text: "az aks get-upgrades --name MyManagedCluster --resource-group MyResourceGroup" },
    ],
    tableTransformer: upgradesTable,
    handler: async (ctx, a) => toAz(await (await ctx.aks()).managedClusters.getUpgradeProfile(String(a.resource_group_name), String(a.name))),
  },
  {
    name: "aks nodepool get-upgrades",
    summary: "Get the available upgrade versions for an agent pool of the managed Kubernetes cluster.",
    extension: EXT,
    args: [rg(), clusterName, { dest: "nodepool_name", options: ["--nodepool-name"], required: true, help: "Name of the node pool." }],
    examples: [
      { name: "Get the available upgrade versions for an agent pool of the managed Kubernetes cluster.", text: "az aks nodepool get-upgrades --resource-group MyResourceGroup --cluster-name MyManagedCluster --nodepool-name MyNodePool" },
    ],
    handler: async (ctx, a) => toAz(await (await ctx.aks()).agentPools.getUpgradeProfile(String(a.resource_group_name), String(a.cluster_name), String(a.nodepool_name))),
  },
];
