// az aks nodepool add/scale/upgrade/delete/list/show, and the cluster-wide az aks scale and
// az aks upgrade, over the modular @azure/arm-containerservice client. Flags, defaults and
// client-side messages follow azure-cli's acs module (_params.py, custom.py aks_agentpool_*,
// aks_scale, aks_upgrade, agentpool_decorator.py) with aks-preview installed.
import type { ArgSpec, CommandSpec, ParsedArgs } from "../types.js";
import { POLL_MS, type CommandContext } from "../context.js";
import { AzCliError } from "../errors.js";
import { toAz } from "../shape.js";
import { collect, isValidResourceId, noWait, parseTags, rg, str, tags, yes } from "./common.js";
import { aksTableRow, applyAutoscalerFlags, shapeCluster } from "./aks.js";

const EXT = "aks-preview";
type AP = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const clusterName: ArgSpec = { dest: "cluster_name", options: ["--cluster-name"], required: true, help: "The cluster name." };
export const nodepoolName: ArgSpec = { dest: "nodepool_name", options: ["--name", "--nodepool-name", "-n"], required: true, help: "The node pool name." };

export const shapePool = (p: unknown) => toAz(p) as Record<string, unknown>;

/** acs _format.py _aks_agentpool_table_format. az prints the model's `osDiskSizeGb` key, so its
 * `osDiskSizeGB` column stays empty there too. */
export function agentPoolTableRow(r: unknown): Record<string, unknown> {
  const o = (r ?? {}) as Record<string, unknown>;
  return {
    name: o.name,
    osType: o.osType,
    kubernetesVersion: o.orchestratorVersion,
    vmSize: o.vmSize,
    osDiskSizeGB: o.osDiskSizeGB ?? null,
    count: o.count,
    maxPods: o.maxPods,
    provisioningState: o.provisioningState,
    mode: o.mode,
  };
}

const g = (a: ParsedArgs) => String(a.resource_group_name);
const cluster = (a: ParsedArgs) => String(a.cluster_name);
const pool = (a: ParsedArgs) => String(a.nodepool_name);

/** PUT the pool and wait (spinner) unless --no-wait; returns the shaped pool. */
async function putPool(ctx: CommandContext, a: ParsedArgs, body: AP): Promise<unknown> {
  const c = await ctx.aks();
  const poller = c.agentPools.createOrUpdate(g(a), cluster(a), pool(a), body as never, { updateIntervalInMs: POLL_MS });
  if (a.no_wait) {
    await poller.submitted();
    return undefined;
  }
  return shapePool(await ctx.lro(poller.pollUntilDone()));
}

async function addHandler(ctx: CommandContext, a: ParsedArgs): Promise<unknown> {
  const c = await ctx.aks();
  const name = pool(a);
  for (const p of await collect(c.agentPools.list(g(a), cluster(a)))) {
    if (p.name === name) {
      throw new AzCliError("InvalidArgumentValueError", `Node pool ${name} already exists, please try a different name, use 'aks nodepool list' to get current list of node pool`);
    }
  }
  for (const [flag, dest] of [["--vnet-subnet-id", "vnet_subnet_id"], ["--pod-subnet-id", "pod_subnet_id"]] as const) {
    const v = str(a[dest]);
    if (v && !isValidResourceId(v)) throw new AzCliError("InvalidArgumentValueError", `${flag} is not a valid Azure resource ID.`);
  }
  const autoscale = a.enable_cluster_autoscaler === true;
  if (autoscale) {
    if (a.min_count === null || a.max_count === null) throw new AzCliError("RequiredArgumentMissingError", "Please specify both min-count and max-count when --enable-cluster-autoscaler enabled");
    if (Number(a.min_count) > Number(a.max_count)) throw new AzCliError("InvalidArgumentValueError", "Value of min-count should be less than or equal to value of max-count");
  } else if (a.min_count !== null || a.max_count !== null) {
    throw new AzCliError("RequiredArgumentMissingError", "Cluster autoscaler is not enabled for this node pool, please specify --enable-cluster-autoscaler");
  }
  const body: AP = {
    count: a.node_count,
    mode: a.mode,
    osType: a.os_type,
    type: "VirtualMachineScaleSets",
  };
  if (a.node_vm_size) body.vmSize = a.node_vm_size;
  if (a.kubernetes_version) body.orchestratorVersion = a.kubernetes_version;
  if (a.os_sku) body.osSKU = a.os_sku;
  if (a.vnet_subnet_id) body.vnetSubnetID = a.vnet_subnet_id;
  if (a.pod_subnet_id) body.podSubnetID = a.pod_subnet_id;
  if (a.max_pods) body.maxPods = a.max_pods;
  if (a.zones) body.availabilityZones = a.zones;
  if (a.node_osdisk_size) body.osDiskSizeGB = a.node_osdisk_size;
  if (a.node_osdisk_type) body.osDiskType = a.node_osdisk_type;
  if (a.enable_node_public_ip) body.enableNodePublicIP = true;
  if (a.priority) body.scaleSetPriority = a.priority;
  if (a.max_surge) body.upgradeSettings = { maxSurge: a.max_surge };
  const labels = parseTags(a.labels);
  if (labels) body.nodeLabels = labels;
  const t = parseTags(a.tags);
  if (t) body.tags = t;
  if (a.node_taints) body.nodeTaints = String(a.node_taints).split(",").map((x) => x.trim()).filter(Boolean);
  if (autoscale) Object.assign(body, { enableAutoScaling: true, minCount: a.min_count, maxCount: a.max_count });
  return putPool(ctx, a, body);
}

async function scaleHandler(ctx: CommandContext, a: ParsedArgs): Promise<unknown> {
  const c = await ctx.aks();
  const current = (await c.agentPools.get(g(a), cluster(a), pool(a))) as AP;
  const count = Number(a.node_count);
  if (current.enableAutoScaling) throw new AzCliError("UnclassifiedUserFault", "Cannot scale cluster autoscaler enabled node pool.");
  if (count === current.count) throw new AzCliError("UnclassifiedUserFault", "The new node count is the same as the current node count.");
  return putPool(ctx, a, { ...current, count });
}

async function upgradeHandler(ctx: CommandContext, a: ParsedArgs): Promise<unknown> {
  const version = str(a.kubernetes_version) ?? "";
  if (version !== "" && a.node_image_only) {
    throw new AzCliError(
      "MutuallyExclusiveArgumentError",
      'Conflicting flags. Upgrading the Kubernetes version will also upgrade node image version. If you only want to upgrade the node version please use the "--node-image-only" option only.',
    );
  }
  if (a.node_image_only && a.max_surge) {
    throw new AzCliError("MutuallyExclusiveArgumentError", "Conflicting flags. Unable to specify max-surge with node-image-only.If you want to use max-surge with a node image upgrade, please first update max-surge using \"az aks nodepool update --max-surge\".");
  }
  const c = await ctx.aks();
  if (a.node_image_only) {
    const poller = c.agentPools.upgradeNodeImageVersion(g(a), cluster(a), pool(a), { updateIntervalInMs: POLL_MS });
    if (a.no_wait) {
      await poller.submitted();
      return undefined;
    }
    await ctx.lro(poller.pollUntilDone());
    return shapePool(await c.agentPools.get(g(a), cluster(a), pool(a)));
  }
  const current = (await c.agentPools.get(g(a), cluster(a), pool(a))) as AP;
  if (version === "" || current.orchestratorVersion === version) {
    let msg = "The new kubernetes version is the same as the current kubernetes version.";
    if (current.provisioningState === "Succeeded") {
      msg = `The cluster is already on version ${String(current.orchestratorVersion)} and is not in a failed state. No operations will occur when upgrading to the same version if the cluster is not in a failed state.`;
    } else if (current.provisioningState === "Failed") {
      msg = `Cluster currently in failed state. Proceeding with upgrade to existing version ${String(current.orchestratorVersion)} to attempt resolution of failed cluster state.`;
    }
    if (!a.yes && !(await ctx.confirm(msg))) return undefined;
  }
  const body: AP = { ...current, orchestratorVersion: version || current.orchestratorVersion };
  if (a.max_surge) body.upgradeSettings = { ...(current.upgradeSettings ?? {}), maxSurge: a.max_surge };
  return putPool(ctx, a, body);
}

/** az aks nodepool update (AKSAgentPoolUpdateDecorator): GET, change what the flags name, PUT
 * (with no flags the PUT reconciles the pool to its goal state). */
async function updateHandler(ctx: CommandContext, a: ParsedArgs): Promise<unknown> {
  const c = await ctx.aks();
  const current = (await c.agentPools.get(g(a), cluster(a), pool(a))) as AP;
  const body: AP = { ...current };
  applyAutoscalerFlags(body, a);
  if (a.tags !== null && a.tags !== undefined) body.tags = parseTags(a.tags);
  if (a.mode) body.mode = a.mode;
  if (a.max_surge) body.upgradeSettings = { ...(current.upgradeSettings ?? {}), maxSurge: a.max_surge };
  if (a.labels !== null && a.labels !== undefined) body.nodeLabels = parseTags(a.labels);
  if (a.node_taints !== null && a.node_taints !== undefined) body.nodeTaints = String(a.node_taints).split(",").map((x) => x.trim()).filter(Boolean);
  return putPool(ctx, a, body);
}

async function deleteHandler(ctx: CommandContext, a: ParsedArgs): Promise<unknown> {
  const c = await ctx.aks();
  const name = pool(a);
  const exists = (await collect(c.agentPools.list(g(a), cluster(a)))).some((p) => (p.name ?? "").toLowerCase() === name.toLowerCase());
  if (!exists) throw new AzCliError("InvalidArgumentValueError", `Node pool ${name} doesnt exist, use 'aks nodepool list' to get current node pool list`);
  const poller = c.agentPools.delete(g(a), cluster(a), name, { updateIntervalInMs: POLL_MS });
  if (a.no_wait) await poller.submitted();
  else await ctx.lro(poller.pollUntilDone());
  return undefined;
}

/** az aks scale (acs custom.py aks_scale): the cluster PUT with one pool's count changed. */
async function clusterScaleHandler(ctx: CommandContext, a: ParsedArgs): Promise<unknown> {
  const c = await ctx.aks();
  const name = String(a.name);
  const mc = (await c.managedClusters.get(g(a), name)) as AP;
  const pools = (mc.agentPoolProfiles ?? []) as AP[];
  const wanted = str(a.nodepool_name) ?? "";
  if (pools.length > 1 && wanted === "") {
    throw new AzCliError("UnclassifiedUserFault", "There are more than one node pool in the cluster. Please specify nodepool name or use az aks nodepool command to scale node pool");
  }
  const target = pools.find((p) => p.name === wanted || (wanted === "" && pools.length === 1));
  if (!target) throw new AzCliError("UnclassifiedUserFault", `The nodepool "${wanted}" was not found.`);
  if (target.enableAutoScaling) throw new AzCliError("UnclassifiedUserFault", "Cannot scale cluster autoscaler enabled node pool.");
  target.count = Number(a.node_count);
  // as az does: the service principal and AAD profiles are left out of the PUT
  mc.servicePrincipalProfile = undefined;
  mc.aadProfile = undefined;
  const poller = c.managedClusters.createOrUpdate(g(a), name, mc as never, { updateIntervalInMs: POLL_MS });
  if (a.no_wait) {
    await poller.submitted();
    return undefined;
  }
  return shapeCluster(await ctx.lro(poller.pollUntilDone()));
}

/** custom.py aks_upgrade: confirm, then either a node image upgrade of every pool (one pool at a
 * time, submitted without waiting, as az does) or a PUT of the cluster with the new version (and every pool's, unless
 * --control-plane-only). */
async function clusterUpgradeHandler(ctx: CommandContext, a: ParsedArgs): Promise<unknown> {
  const yes = a.yes === true;
  if (!yes && !(await ctx.confirm("Kubernetes may be unavailable during cluster upgrades.\n Are you sure you want to perform this operation?"))) return undefined;
  const c = await ctx.aks();
  const name = String(a.name);
  const mc = (await c.managedClusters.get(g(a), name)) as AP;
  const pools = (mc.agentPoolProfiles ?? []) as AP[];
  const vmas = pools.some((p) => String(p.type ?? "").toLowerCase() === "availabilityset");
  const version = str(a.kubernetes_version) ?? "";
  if (version !== "" && a.node_image_only) {
    throw new AzCliError(
      "MutuallyExclusiveArgumentError",
      'Conflicting flags. Upgrading the Kubernetes version will also upgrade node image version. If you only want to upgrade the node version please use the "--node-image-only" option only.',
    );
  }
  if (a.enable_force_upgrade && a.disable_force_upgrade) {
    throw new AzCliError("MutuallyExclusiveArgumentError", "Providing both --enable-force-upgrade and --disable-force-upgrade at the same time is not allowed.");
  }
  if (a.node_image_only) {
    if (!yes && !(await ctx.confirm("This node image upgrade operation will run across every node pool in the cluster and might take a while. Do you wish to continue?"))) return undefined;
    for (const p of pools) {
      if (vmas) throw new AzCliError("UnclassifiedUserFault", "This cluster is not using VirtualMachineScaleSets. Node image upgrade only operation can only be applied on VirtualMachineScaleSets cluster.");
      // az submits each pool's node image upgrade without waiting (_upgrade_single_nodepool_image_version(True, ...))
      await c.agentPools.upgradeNodeImageVersion(g(a), name, String(p.name), { updateIntervalInMs: POLL_MS }).submitted();
    }
    return shapeCluster(await c.managedClusters.get(g(a), name), true);
  }
  if (mc.kubernetesVersion === version) {
    if (mc.provisioningState === "Succeeded") {
      ctx.log.warning(`The cluster is already on version ${String(mc.kubernetesVersion)} and is not in a failed state. No operations will occur when upgrading to the same version if the cluster is not in a failed state.`);
    } else if (mc.provisioningState === "Failed") {
      ctx.log.warning(`Cluster currently in failed state. Proceeding with upgrade to existing version ${String(mc.kubernetesVersion)} to attempt resolution of failed cluster state.`);
    }
  }
  mc.kubernetesVersion = version;
  let upgradeAll = false;
  if (Number(mc.maxAgentPools ?? 100) < 8 || vmas) {
    if (a.control_plane_only && !yes && !(await ctx.confirm(`Legacy clusters do not support control plane only upgrade. All node pools will be upgraded to ${version} as well. Continue?`))) return undefined;
    upgradeAll = true;
  } else if (!a.control_plane_only) {
    if (!yes && !(await ctx.confirm(`Since control-plane-only argument is not specified, this will upgrade the control plane AND all nodepools to version ${version}. Continue?`))) return undefined;
    upgradeAll = true;
  } else if (!yes && !(await ctx.confirm(`Since control-plane-only argument is specified, this will upgrade only the control plane to ${version}. Node pool will not change. Continue?`))) {
    return undefined;
  }
  if (upgradeAll) {
    for (const p of pools) {
      p.orchestratorVersion = version;
      p.creationData = undefined;
    }
  }
  // as az does: the service principal profile is left out of the PUT
  mc.servicePrincipalProfile = undefined;
  if (a.enable_force_upgrade || a.disable_force_upgrade || a.upgrade_override_until) {
    const override: AP = { ...(mc.upgradeSettings?.overrideSettings ?? {}) };
    if (a.enable_force_upgrade) override.forceUpgrade = true;
    if (a.disable_force_upgrade) override.forceUpgrade = false;
    if (a.upgrade_override_until) {
      const until = new Date(String(a.upgrade_override_until));
      if (Number.isNaN(until.getTime())) throw new AzCliError("InvalidArgumentValueError", "--upgrade-override-until is not a valid datetime format.");
      override.until = until;
    } else if (a.enable_force_upgrade) {
      override.until = new Date(Date.now() + 3 * 24 * 3600_000);
      ctx.log.warning("--upgrade-override-until is not provided, the upgrade override will be valid for 3 days.");
    }
    mc.upgradeSettings = { ...(mc.upgradeSettings ?? {}), overrideSettings: override };
  }
  const poller = c.managedClusters.createOrUpdate(g(a), name, mc as never, { updateIntervalInMs: POLL_MS });
  if (a.no_wait) {
    await poller.submitted();
    return undefined;
  }
  return shapeCluster(await ctx.lro(poller.pollUntilDone()));
}

const nodeCount = (def?: number): ArgSpec => ({ dest: "node_count", options: ["--node-count", "-c"], kind: "int", default: def, help: "Number of nodes in the Kubernetes agent pool. After creating a cluster, you can change the size of its node pool with `az aks scale`." });
const maxSurge: ArgSpec = { dest: "max_surge", options: ["--max-surge"], help: "Extra nodes used to speedup upgrade. When specified, it represents the number or percent used, eg. 5 or 33%." };

export const aksNodepoolCommands: CommandSpec[] = [
  {
    name: "aks scale",
    summary: "Scale the node pool in a managed Kubernetes cluster.",
    extension: EXT,
    args: [
      rg(),
      { dest: "name", options: ["--name", "-n"], required: true, help: "Name of the managed cluster." },
      { ...nodeCount(), required: true, help: "Number of nodes in the Kubernetes node pool." },
      { dest: "nodepool_name", options: ["--nodepool-name"], help: "Node pool name, up to 12 alphanumeric characters." },
      noWait(),
    ],
    examples: [{ name: "Scale the node pool in a managed Kubernetes cluster. (autogenerated)", text: "az aks scale --name MyManagedCluster --node-count 3 --resource-group MyResourceGroup" }],
    tableTransformer: (r) => [aksTableRow(r)],
    handler: clusterScaleHandler,
  },
  {
    name: "aks upgrade",
    summary: "Upgrade a managed Kubernetes cluster to a newer version.",
    longSummary: "Kubernetes will be unavailable during cluster upgrades.",
    extension: EXT,
    args: [
      rg(),
      { dest: "name", options: ["--name", "-n"], required: true, help: "Name of the managed cluster." },
      { dest: "kubernetes_version", options: ["--kubernetes-version", "-k"], help: "Version of Kubernetes to upgrade the cluster to, such as \"1.16.9\".", valueSources: ["`az aks get-upgrades`"] },
      { dest: "control_plane_only", options: ["--control-plane-only"], kind: "flag", help: "Upgrade the cluster control plane only. If not specified, control plane AND all node pools will be upgraded." },
      { dest: "node_image_only", options: ["--node-image-only"], kind: "flag", help: "Only upgrade node image for agent pools." },
      { dest: "enable_force_upgrade", options: ["--enable-force-upgrade"], kind: "flag", help: "Enable forceUpgrade cluster upgrade settings override." },
      { dest: "disable_force_upgrade", options: ["--disable-force-upgrade"], kind: "flag", help: "Disable forceUpgrade cluster upgrade settings override." },
      { dest: "upgrade_override_until", options: ["--upgrade-override-until"], help: "Until when the cluster upgradeSettings overrides are effective. It needs to be in a valid date-time format that's within the next 30 days. For example, 2023-04-01T13:00:00Z. Note that if --force-upgrade is set to true and --upgrade-override-until is not set, by default it will be set to 3 days from now." },
      noWait(),
      yes(),
      { dest: "aks_custom_headers", options: ["--aks-custom-headers"], help: "Send custom headers. When specified, format should be Key1=Value1,Key2=Value2", ignored: true },
    ],
    examples: [
      { name: "Upgrade a managed Kubernetes cluster to a newer version. (autogenerated)", text: "az aks upgrade --kubernetes-version 1.12.6 --name MyManagedCluster --resource-group MyResourceGroup" },
      { name: "Upgrade the node image of every node pool in a cluster.", text: "az aks upgrade --name MyManagedCluster --resource-group MyResourceGroup --node-image-only" },
    ],
    tableTransformer: (r) => [aksTableRow(r)],
    handler: clusterUpgradeHandler,
  },
  {
    name: "aks nodepool list",
    summary: "List node pools in the managed Kubernetes cluster. To get list of nodes in the cluster run `kubectl get nodes` command.",
    extension: EXT,
    args: [rg(), clusterName],
    examples: [{ name: "List node pools in the managed Kubernetes cluster.", text: "az aks nodepool list -g MyResourceGroup --cluster-name MyManagedCluster" }],
    tableTransformer: (r) => (r as unknown[]).map(agentPoolTableRow),
    handler: async (ctx, a) => (await collect((await ctx.aks()).agentPools.list(g(a), cluster(a)))).map(shapePool),
  },
  {
    name: "aks nodepool show",
    summary: "Show the details for a node pool in the managed Kubernetes cluster.",
    extension: EXT,
    args: [rg(), clusterName, nodepoolName],
    examples: [{ name: "Show the details for a node pool in the managed Kubernetes cluster.", text: "az aks nodepool show -g MyResourceGroup --cluster-name MyManagedCluster -n nodepool1" }],
    tableTransformer: (r) => [agentPoolTableRow(r)],
    handler: async (ctx, a) => shapePool(await (await ctx.aks()).agentPools.get(g(a), cluster(a), pool(a))),
  },
  {
    name: "aks nodepool add",
    summary: "Add a node pool to the managed Kubernetes cluster.",
    extension: EXT,
    args: [
      rg(),
      clusterName,
      nodepoolName,
      nodeCount(3),
      { dest: "node_vm_size", options: ["--node-vm-size", "-s"], help: "Size of Virtual Machines to create as Kubernetes nodes. If the user does not specify one, server will select a default VM size for her/him." },
      { dest: "kubernetes_version", options: ["--kubernetes-version", "-k"], help: "Version of Kubernetes to use for creating the cluster, such as \"1.7.12\" or \"1.8.7\".", valueSources: ["`az aks get-versions`"] },
      { dest: "mode", options: ["--mode"], choices: ["System", "User", "Gateway", "ManagedSystem", "Machines"], default: "User", help: "The mode for a node pool which defines a node pool's primary function. If set as \"System\", AKS prefers system pods scheduling to node pools with mode `System`. Learn more at https://aka.ms/aks/nodepool/mode." },
      { dest: "os_type", options: ["--os-type"], choices: ["Linux", "Windows"], default: "Linux", help: "The OS Type. Linux or Windows." },
      { dest: "os_sku", options: ["--os-sku"], choices: ["AzureLinux", "AzureLinux3", "CBLMariner", "Mariner", "Ubuntu", "Ubuntu2204", "Ubuntu2404", "Windows2019", "Windows2022", "Windows2025", "WindowsAnnual"], help: "The os-sku of the agent node pool. Ubuntu, Ubuntu2204, Ubuntu2404, CBLMariner, AzureLinux or AzureLinux3 when os-type is Linux, default is Ubuntu if not set; Windows2019, Windows2022, Windows2025, or WindowsAnnual when os-type is Windows, the current default is Windows2022 if not set." },
      { dest: "vnet_subnet_id", options: ["--vnet-subnet-id"], help: "The ID of a subnet in an existing VNet into which to deploy the cluster." },
      { dest: "pod_subnet_id", options: ["--pod-subnet-id"], help: "The ID of a subnet in an existing VNet into which to assign pods in the cluster (requires azure network-plugin)." },
      { dest: "max_pods", options: ["--max-pods", "-m"], kind: "int", help: "The maximum number of pods deployable to a node." },
      { dest: "zones", options: ["--zones", "-z"], nargs: "+", help: "Space-separated list of availability zones where agent nodes will be placed." },
      { dest: "node_osdisk_size", options: ["--node-osdisk-size"], kind: "int", help: "Size in GiB of the OS disk for each node in the agent pool. Minimum 30 GiB." },
      { dest: "node_osdisk_type", options: ["--node-osdisk-type"], choices: ["Ephemeral", "Managed"], help: "OS disk type to be used for machines in a given agent pool. Defaults to 'Ephemeral' when possible in conjunction with VM size and OS disk size. May not be changed for this pool after creation. ('Ephemeral' or 'Managed')." },
      { dest: "priority", options: ["--priority"], choices: ["Regular", "Spot"], help: "The priority of the node pool." },
      { dest: "enable_node_public_ip", options: ["--enable-node-public-ip"], kind: "flag", help: "Enable VMSS node public IP." },
      { dest: "enable_cluster_autoscaler", options: ["--enable-cluster-autoscaler", "-e"], kind: "flag", help: "Enable cluster autoscaler." },
      { dest: "min_count", options: ["--min-count"], kind: "int", help: "Minimun nodes count used for autoscaler, when \"--enable-cluster-autoscaler\" specified. Please specify the value in the range of [0, 1000]." },
      { dest: "max_count", options: ["--max-count"], kind: "int", help: "Maximum nodes count used for autoscaler, when \"--enable-cluster-autoscaler\" specified. Please specify the value in the range of [0, 1000]." },
      { dest: "labels", options: ["--labels"], nargs: "*", help: "The node labels for the node pool. See https://aka.ms/node-labels for syntax of labels." },
      { dest: "node_taints", options: ["--node-taints"], help: "The node taints for the node pool." },
      maxSurge,
      tags(),
      noWait(),
      { dest: "aks_custom_headers", options: ["--aks-custom-headers"], help: "Send custom headers. When specified, format should be Key1=Value1,Key2=Value2", ignored: true },
    ],
    examples: [
      { name: "Create a nodepool in an existing AKS cluster with ephemeral os enabled.", text: "az aks nodepool add -g MyResourceGroup -n nodepool1 --cluster-name MyManagedCluster --node-osdisk-type Ephemeral --node-osdisk-size 48" },
      { name: "Create a nodepool with a subnet of its own.", text: "az aks nodepool add -g MyResourceGroup -n nodepool2 --cluster-name MyManagedCluster --vnet-subnet-id <subnet-resource-id> --node-count 2" },
    ],
    tableTransformer: (r) => [agentPoolTableRow(r)],
    handler: addHandler,
  },
  {
    name: "aks nodepool scale",
    summary: "Scale the node pool in a managed Kubernetes cluster.",
    extension: EXT,
    args: [rg(), clusterName, nodepoolName, nodeCount(3), noWait()],
    examples: [{ name: "Scale the node pool in a managed Kubernetes cluster.", text: "az aks nodepool scale -g MyResourceGroup --cluster-name MyManagedCluster -n nodepool1 --node-count 5" }],
    tableTransformer: (r) => [agentPoolTableRow(r)],
    handler: scaleHandler,
  },
  {
    name: "aks nodepool upgrade",
    summary: "Upgrade the node pool in a managed Kubernetes cluster.",
    extension: EXT,
    args: [
      rg(),
      clusterName,
      nodepoolName,
      { dest: "kubernetes_version", options: ["--kubernetes-version", "-k"], help: "Version of Kubernetes to upgrade the node pool to, such as \"1.16.9\".", valueSources: ["`az aks nodepool get-upgrades`"] },
      { dest: "node_image_only", options: ["--node-image-only"], kind: "flag", help: "Only upgrade agent pool's node image." },
      maxSurge,
      noWait(),
      yes(),
      { dest: "aks_custom_headers", options: ["--aks-custom-headers"], help: "Send custom headers. When specified, format should be Key1=Value1,Key2=Value2", ignored: true },
    ],
    examples: [
      { name: "Upgrade node pool with the current Kubernetes version.", text: "az aks nodepool upgrade -g MyResourceGroup --cluster-name MyManagedCluster -n nodepool1 --kubernetes-version 1.33.2" },
      { name: "Upgrade the node image of a node pool.", text: "az aks nodepool upgrade -g MyResourceGroup --cluster-name MyManagedCluster -n nodepool1 --node-image-only" },
    ],
    tableTransformer: (r) => [agentPoolTableRow(r)],
    handler: upgradeHandler,
  },
  {
    name: "aks nodepool update",
    summary: "Update a node pool properties.",
    longSummary: "Update a node pool to enable/disable cluster-autoscaler or change min-count or max-count. When called with no optional arguments this attempts to move the node pool to its goal state without changing the current node pool configuration. This can be used to move out of a non succeeded state.",
    extension: EXT,
    args: [
      rg(),
      clusterName,
      nodepoolName,
      { dest: "enable_cluster_autoscaler", options: ["--enable-cluster-autoscaler", "-e"], kind: "flag", help: "Enable cluster autoscaler." },
      { dest: "disable_cluster_autoscaler", options: ["--disable-cluster-autoscaler", "-d"], kind: "flag", help: "Disable cluster autoscaler." },
      { dest: "update_cluster_autoscaler", options: ["--update-cluster-autoscaler", "-u"], kind: "flag", help: "Update min-count or max-count for cluster autoscaler." },
      { dest: "min_count", options: ["--min-count"], kind: "int", help: "Minimun nodes count used for autoscaler, when \"--enable-cluster-autoscaler\" specified. Please specify the value in the range of [0, 1000]" },
      { dest: "max_count", options: ["--max-count"], kind: "int", help: "Maximum nodes count used for autoscaler, when \"--enable-cluster-autoscaler\" specified. Please specify the value in the range of [0, 1000]" },
      { dest: "mode", options: ["--mode"], choices: ["System", "User", "Gateway", "ManagedSystem", "Machines"], help: "The mode for a node pool which defines a node pool's primary function. If set as \"System\", AKS prefers system pods scheduling to node pools with mode `System`. Learn more at https://aka.ms/aks/nodepool/mode." },
      { dest: "labels", options: ["--labels"], nargs: "*", help: "The node labels for the node pool. See https://aka.ms/node-labels for syntax of labels." },
      { dest: "node_taints", options: ["--node-taints"], help: "The node taints for the node pool. You can't change the AKS-managed taints by this command." },
      maxSurge,
      tags(),
      noWait(),
      { dest: "aks_custom_headers", options: ["--aks-custom-headers"], help: "Send custom headers. When specified, format should be Key1=Value1,Key2=Value2", ignored: true },
    ],
    examples: [
      { name: "Reconcile the nodepool back to its current state.", text: "az aks nodepool update -g MyResourceGroup -n MyNodePool --cluster-name MyManagedCluster" },
      { name: "Enable cluster-autoscaler within node count range [1,5]", text: "az aks nodepool update --enable-cluster-autoscaler --min-count 1 --max-count 5 -g MyResourceGroup -n nodepool1 --cluster-name MyManagedCluster" },
      { name: "Change a node pool's mode to system", text: "az aks nodepool update --mode System -g MyResourceGroup -n nodepool1 --cluster-name MyManagedCluster" },
    ],
    tableTransformer: (r) => [agentPoolTableRow(r)],
    handler: updateHandler,
  },
  {
    name: "aks nodepool delete",
    summary: "Delete the agent pool in the managed Kubernetes cluster.",
    extension: EXT,
    args: [
      rg(),
      clusterName,
      nodepoolName,
      noWait(),
      { dest: "ignore_pod_disruption_budget", options: ["--ignore-pod-disruption-budget"], kind: "flag", help: "Delete an AKS nodepool by ignoring PodDisruptionBudget setting.", ignored: true },
    ],
    examples: [{ name: "Delete an agent pool with ignore-pod-disruption-budget", text: "az aks nodepool delete --resource-group MyResourceGroup --cluster-name MyManagedCluster --name nodepool1 --ignore-pod-disruption-budget=true" }],
    handler: deleteHandler,
  },
];
