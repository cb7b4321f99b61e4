// What a registered AKS node looks like: labels, annotations, capacity per VM size, nodeInfo.
// Pure functions of the node spec and the cluster, so reimage/upgrade just recompute them.
import { createHash } from "node:crypto";
import type { Obj } from "../kube/util.js";
import type { SimClusterInfo, SimNodeSpec } from "./types.js";

function hashHex(s: string, n = 32): string {
  return createHash("sha256").update(s).digest("hex").slice(0, n);
}

function uuidFrom(s: string): string {
  const h = hashHex(s, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** vCPUs and memory (GiB) from an Azure VM size name (Standard_D4s_v3 → 4 vCPU, 16 GiB). */
export function vmShape(vmSize: string): { cpu: number; memGi: number; arch: "amd64" | "arm64" } {
  const m = /^Standard_([A-Z]+)(\d+)([a-z]*)(?:_v(\d+))?/i.exec(vmSize);
  const family = (m?.[1] ?? "D").toUpperCase();
  const cpu = Math.max(1, Number(m?.[2] ?? 2));
  const suffix = m?.[3] ?? "";
  const v = Number(m?.[4] ?? 1);
  const perCpu: Record<string, number> = { A: 2, B: 4, D: 4, DS: 3.5, E: 8, F: 2, FS: 2, L: 8, M: 14, NC: 14 };
  let factor = perCpu[family] ?? 4;
  if (family === "D" && v === 2) factor = 3.5;
  if (family === "DS" && v >= 3) factor = 4;
  return { cpu, memGi: cpu * factor, arch: suffix.includes("p") ? "arm64" : "amd64" };
}

export function maxPodsFor(info: SimClusterInfo, spec: SimNodeSpec): number {
  if (spec.maxPods) return spec.maxPods;
  if (info.networkPlugin === "azure" && info.networkPluginMode !== "overlay") return 30;
  return info.networkPlugin === "kubenet" ? 110 : 250;
}

function osImage(spec: SimNodeSpec): { osImage: string; kernel: string } {
  const sku = spec.osSku.toLowerCase();
  // Kernel patch level follows the node image version (YYYYMM.DD.x), so a reimage shows.
  const build = Number((/(\d{6})\.(\d{2})/.exec(spec.nodeImageVersion) ?? [])[1] ?? 202411) % 1000;
  if (sku.startsWith("azurelinux") || sku === "cblmariner" || sku === "mariner")
    return { osImage: "CBL-Mariner/Linux", kernel: `5.15.${150 + (build % 50)}.1-1.cm2` };
  if (sku === "ubuntu2404") return { osImage: "Ubuntu 24.04.1 LTS", kernel: `6.8.0-${1000 + (build % 100)}-azure` };
  return { osImage: "Ubuntu 22.04.5 LTS", kernel: `5.15.0-${1000 + (build % 100)}-azure` };
}

/** "linux" | "windows" from the pool's osType. */
export function nodeOs(spec: SimNodeSpec): string {
  return String(spec.osType ?? "Linux").toLowerCase() === "windows" ? "windows" : "linux";
}

export function nodeLabels(info: SimClusterInfo, spec: SimNodeSpec, nodeResourceGroup: string): Record<string, string> {
  const { arch } = vmShape(spec.vmSize);
  const os = nodeOs(spec);
  const labels: Record<string, string> = {
    "agentpool": spec.pool,
    "beta.kubernetes.io/arch": arch,
    "beta.kubernetes.io/instance-type": spec.vmSize,
    "beta.kubernetes.io/os": os,
    "failure-domain.beta.kubernetes.io/region": info.location,
    "failure-domain.beta.kubernetes.io/zone": spec.zone ? `${info.location}-${spec.zone}` : "0",
    "kubernetes.azure.com/agentpool": spec.pool,
    "kubernetes.azure.com/cluster": nodeResourceGroup,
    "kubernetes.azure.com/consolidated-additional-properties": hashHex(spec.pool, 36),
    "kubernetes.azure.com/kubelet-identity-client-id": info.kubeletIdentityClientId ?? uuidFrom(`${nodeResourceGroup}/kubelet`),
    "kubernetes.azure.com/mode": spec.mode.toLowerCase(),
    "kubernetes.azure.com/network-policy": "none",
    "kubernetes.azure.com/node-image-version": spec.nodeImageVersion,
    "kubernetes.azure.com/nodepool-type": "VirtualMachineScaleSets",
    "kubernetes.azure.com/os-sku": spec.osSku,
    "kubernetes.azure.com/role": "agent",
    "kubernetes.azure.com/storageprofile": "managed",
    "kubernetes.azure.com/storagetier": "Premium_LRS",
    "kubernetes.io/arch": arch,
    "kubernetes.io/hostname": spec.name,
    "kubernetes.io/os": os,
    "kubernetes.io/role": "agent",
    "node-role.kubernetes.io/agent": "",
    "node.kubernetes.io/instance-type": spec.vmSize,
    "storageprofile": "managed",
    "storagetier": "Premium_LRS",
    "topology.disk.csi.azure.com/zone": spec.zone ? `${info.location}-${spec.zone}` : "",
    "topology.kubernetes.io/region": info.location,
    "topology.kubernetes.io/zone": spec.zone ? `${info.location}-${spec.zone}` : "0",
  };
  if (info.networkPlugin === "azure") labels["kubernetes.azure.com/azure-cni-overlay"] = String(info.networkPluginMode === "overlay");
  return labels;
}

export const KUBELET_SERVER_ANNOTATION = "aksemu.io/kubelet-server";

export function nodeAnnotations(info: SimClusterInfo, spec: SimNodeSpec): Record<string, string> {
  return {
    "csi.volume.kubernetes.io/nodeid": JSON.stringify({ "disk.csi.azure.com": spec.name, "file.csi.azure.com": spec.name }),
    "node.alpha.kubernetes.io/ttl": "0",
    "volumes.kubernetes.io/controller-managed-attach-detach": "true",
    [KUBELET_SERVER_ANNOTATION]: spec.kubeletServer ?? info.apiServerAddress,
  };
}

/** The status a kubelet posts on registration (node-initialize stage). */
export function nodeStatus(info: SimClusterInfo, spec: SimNodeSpec, now: string, prev?: Obj): Obj {
  const { cpu, memGi, arch } = vmShape(spec.vmSize);
  const memKi = Math.round(memGi * 1024 * 1024 * 0.97);
  const pods = String(maxPodsFor(info, spec));
  const os = osImage(spec);
  const keepTime = (type: string, status: string) => {
    const c = ((prev?.conditions ?? []) as Obj[]).find((x) => x.type === type);
    return c && c.status === status ? c.lastTransitionTime : now;
  };
  const cond = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastHeartbeatTime: now,
    lastTransitionTime: keepTime(type, status),
    reason,
    message,
  });
  return {
    capacity: { cpu: String(cpu), "ephemeral-storage": "129886128Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0", memory: `${memKi}Ki`, pods },
    allocatable: {
      cpu: `${cpu * 1000 - 100 - Math.max(0, cpu - 2) * 20}m`,
      "ephemeral-storage": "119703055367",
      "hugepages-1Gi": "0",
      "hugepages-2Mi": "0",
      memory: `${Math.round(memKi * 0.78)}Ki`,
      pods,
    },
    conditions: [
      cond("NetworkUnavailable", "False", "RouteCreated", "RouteController created a route"),
      cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
      cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
      cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
      cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ],
    addresses: [
      { type: "InternalIP", address: spec.internalIP },
      { type: "Hostname", address: spec.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: hashHex(`${spec.name}/machine`),
      systemUUID: uuidFrom(`${spec.name}/system`),
      bootID: uuidFrom(`${spec.name}/${spec.nodeImageVersion}/boot`),
      kernelVersion: os.kernel,
      osImage: os.osImage,
      containerRuntimeVersion: "containerd://1.7.25-1",
      kubeletVersion: `v${spec.kubeletVersion ?? info.kubernetesVersion}`,
      kubeProxyVersion: `v${spec.kubeletVersion ?? info.kubernetesVersion}`,
      operatingSystem: nodeOs(spec),
      architecture: arch,
    },
  };
}
