// AKS-looking cluster content, applied by KubeHost.ensureRunning like AKS's addon manager
// and node registration would: namespaces, the kubernetes Service, kube-system services and
// workloads, storage classes, and one Node per spec node. Addons are EnsureExists (user edits
// survive) except container images, which follow the cluster version (Reconcile).
import { strategyFor } from "../kube/catalog.js";
import { StatusError } from "../kube/errors.js";
import type { Registry } from "../kube/registry.js";
import type { Txn } from "../store/store.js";
import { clone, deepEqual, nowTime, type Obj } from "../kube/util.js";
import { KUBELET_SERVER_ANNOTATION, nodeAnnotations, nodeLabels, nodeStatus } from "./node-template.js";
import type { SimClusterInfo, SimNodeSpec } from "./types.js";
import { addressAt, formatAddress, parseIPv4Address, requireCidr } from "../network/cidr.js";

export interface SeedInfo extends SimClusterInfo {
  nodeResourceGroup: string;
  serviceCidr: string;
  dnsServiceIP: string;
  caPem: string;
  fqdn: string;
}

const M = "aksemu-addon-manager";

/** First usable address of the service CIDR: the kubernetes Service's ClusterIP (10.0.0.1). */
export function kubernetesServiceIP(serviceCidr: string): string {
  return formatAddress(addressAt(requireCidr(serviceCidr), 1)!);
}

function apiServerIP(info: SeedInfo): string {
  if (info.apiServerIP && parseIPv4Address(info.apiServerIP)) return info.apiServerIP;
  const host = info.apiServerAddress.replace(/^https?:\/\//, "").replace(/:\d+$/, "");
  if (parseIPv4Address(host)) return host;
  // A public FQDN: AKS shows the API server's public IP; derive a stable one from the name.
  let h = 0;
  for (const ch of host) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  return `20.${(h >>> 16) & 0xff || 1}.${(h >>> 8) & 0xff}.${(h & 0xff) || 1}`;
}

function apiServerPort(info: SeedInfo): number {
  const m = /:(\d+)$/.exec(info.apiServerAddress);
  return m ? Number(m[1]) : 443;
}

/** Create if absent (AlreadyExists is fine). */
function ensure(tx: Txn, reg: Registry, resource: string, group: string, ns: string | undefined, obj: Obj): void {
  const s = strategyFor(resource, group);
  if (reg.tryGet(s, ns, obj.metadata.name, tx)) return;
  try {
    reg.createIn(tx, s, ns, obj, { fieldManager: M, internal: true });
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 409)) throw err;
  }
}

/** Keep container images of an addon workload in line with the cluster version. */
function ensureWorkload(tx: Txn, reg: Registry, resource: string, ns: string, obj: Obj): void {
  const s = strategyFor(resource, "apps");
  const cur = reg.tryGet(s, ns, obj.metadata.name, tx);
  if (!cur) return ensure(tx, reg, resource, "apps", ns, obj);
  const want = ((obj.spec.template.spec.containers ?? []) as Obj[]).map((c) => [c.name, c.image]);
  const have = ((cur.spec?.template?.spec?.containers ?? []) as Obj[]).map((c) => [c.name, c.image]);
  if (deepEqual(want, have)) return;
  reg.mutateIn(tx, s, ns, obj.metadata.name, (o) => {
    for (const c of (o.spec.template.spec.containers ?? []) as Obj[]) {
      const w = want.find(([n]) => n === c.name);
      if (w) c.image = w[1];
    }
  }, { fieldManager: M, internal: true });
}

const ADDON_LABELS = { "addonmanager.kubernetes.io/mode": "Reconcile", "kubernetes.azure.com/managedby": "aks" };

function container(name: string, image: string, extra: Obj = {}): Obj {
  return { name, image, ...extra };
}

function systemPodSpec(containers: Obj[], extra: Obj = {}): Obj {
  return {
    containers,
    priorityClassName: "system-node-critical",
    tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }],
    ...extra,
  };
}

function deployment(name: string, labels: Record<string, string>, replicas: number, podSpec: Obj): Obj {
  return {
    metadata: { name, namespace: "kube-system", labels: { ...ADDON_LABELS, ...labels } },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels: { ...labels, "kubernetes.azure.com/managedby": "aks" } },
        spec: {
          ...podSpec,
          priorityClassName: "system-cluster-critical",
          affinity: {
            nodeAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, preference: { matchExpressions: [{ key: "kubernetes.azure.com/mode", operator: "In", values: ["system"] }] } },
              ],
            },
          },
        },
      },
    },
  };
}

function daemonset(name: string, labels: Record<string, string>, podSpec: Obj): Obj {
  return {
    metadata: { name, namespace: "kube-system", labels: { ...ADDON_LABELS, ...labels } },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels: { ...labels, "kubernetes.azure.com/managedby": "aks" } }, spec: { hostNetwork: true, ...podSpec } },
    },
  };
}

function minor(v: string): string {
  return v.split(".").slice(0, 2).join(".");
}

/** The kube-system workloads an AKS cluster shows for this network configuration. */
export function addonWorkloads(info: SeedInfo): { deployments: Obj[]; daemonsets: Obj[] } {
  const v = info.kubernetesVersion;
  const azureCni = info.networkPlugin === "azure";
  const overlay = info.networkPluginMode === "overlay";
  const deployments = [
    deployment("coredns", { "k8s-app": "kube-dns", version: "v20", "kubernetes.io/cluster-service": "true" }, 2, systemPodSpec([
      container("coredns", "mcr.microsoft.com/oss/v2/kubernetes/coredns:v1.11.3-4", {
        args: ["-conf", "/etc/coredns/Corefile"],
        ports: [
          { containerPort: 53, name: "dns", protocol: "UDP" },
          { containerPort: 53, name: "dns-tcp", protocol: "TCP" },
          { containerPort: 9153, name: "metrics", protocol: "TCP" },
        ],
        resources: { limits: { memory: "500Mi" }, requests: { cpu: "100m", memory: "70Mi" } },
      }),
    ], { dnsPolicy: "Default", serviceAccountName: "coredns" })),
    deployment("coredns-autoscaler", { "k8s-app": "coredns-autoscaler" }, 1, systemPodSpec([
      container("autoscaler", "mcr.microsoft.com/oss/v2/kubernetes/autoscaler/cluster-proportional-autoscaler:v1.8.11-5", {
        resources: { requests: { cpu: "20m", memory: "10Mi" } },
      }),
    ], { serviceAccountName: "coredns-autoscaler" })),
    deployment("metrics-server", { "k8s-app": "metrics-server" }, 2, systemPodSpec([
      container("metrics-server", "mcr.microsoft.com/oss/v2/kubernetes/metrics-server:v0.7.2-1", {
        ports: [{ containerPort: 4443, name: "https", protocol: "TCP" }],
        resources: { limits: { cpu: "145m", memory: "594Mi" }, requests: { cpu: "145m", memory: "94Mi" } },
      }),
    ], { serviceAccountName: "metrics-server" })),
  ];
  // AKS with API Server VNet Integration and Azure CNI (no overlay) reaches nodes directly: no konnectivity.
  if (!(azureCni && !overlay)) {
    deployments.push(
      deployment("konnectivity-agent", { app: "konnectivity-agent" }, 2, systemPodSpec([
        container("konnectivity-agent", "mcr.microsoft.com/oss/kubernetes/apiserver-network-proxy/agent:v0.30.3-hotfix.20240819"),
      ], { serviceAccountName: "konnectivity-agent" })),
    );
  }
  const daemonsets = [
    daemonset("kube-proxy", { component: "kube-proxy", tier: "node" }, systemPodSpec([
      container("kube-proxy", `mcr.microsoft.com/oss/kubernetes/kube-proxy:v${v}`, { securityContext: { privileged: true } }),
    ])),
    daemonset("azure-ip-masq-agent", { "k8s-app": "azure-ip-masq-agent", tier: "node" }, systemPodSpec([
      container("azure-ip-masq-agent", "mcr.microsoft.com/aks/ip-masq-agent-v2:v0.1.15"),
    ])),
    daemonset("cloud-node-manager", { "k8s-app": "cloud-node-manager" }, systemPodSpec([
      container("cloud-node-manager", `mcr.microsoft.com/oss/kubernetes/azure-cloud-node-manager:v${minor(v)}.1`),
    ])),
    daemonset("csi-azuredisk-node", { app: "csi-azuredisk-node" }, systemPodSpec([
      container("liveness-probe", "mcr.microsoft.com/oss/kubernetes-csi/livenessprobe:v2.14.0"),
      container("node-driver-registrar", "mcr.microsoft.com/oss/kubernetes-csi/csi-node-driver-registrar:v2.12.0"),
      container("azuredisk", "mcr.microsoft.com/oss/kubernetes-csi/azuredisk-csi:v1.30.5"),
    ])),
    daemonset("csi-azurefile-node", { app: "csi-azurefile-node" }, systemPodSpec([
      container("liveness-probe", "mcr.microsoft.com/oss/kubernetes-csi/livenessprobe:v2.14.0"),
      container("node-driver-registrar", "mcr.microsoft.com/oss/kubernetes-csi/csi-node-driver-registrar:v2.12.0"),
      container("azurefile", "mcr.microsoft.com/oss/kubernetes-csi/azurefile-csi:v1.30.6"),
    ])),
  ];
  if (azureCni) {
    daemonsets.push(
      daemonset("azure-cns", { "k8s-app": "azure-cns" }, systemPodSpec([container("cns-container", "mcr.microsoft.com/containernetworking/azure-cns:v1.6.13")])),
    );
  }
  return { deployments, daemonsets };
}

function kubeletKubeconfig(info: SeedInfo): string {
  const ca = Buffer.from(info.caPem).toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: localcluster",
    "  cluster:",
    `    certificate-authority-data: ${ca}`,
    `    server: ${info.apiServerAddress}`,
    "users:",
    "- name: kubelet-bootstrap",
    "  user:",
    "    token: <redacted-bootstrap-token>",
    "contexts:",
    "- name: bootstrap-context",
    "  context:",
    "    cluster: localcluster",
    "    user: kubelet-bootstrap",
    "current-context: bootstrap-context",
    "",
  ].join("\n");
}

/** Everything except nodes. Idempotent. */
export async function seedCluster(reg: Registry, info: SeedInfo): Promise<void> {
  await reg.store.txn((tx) => {
    for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease"]) ensure(tx, reg, "namespaces", "", undefined, { metadata: { name: ns } });

    const svcIP = kubernetesServiceIP(info.serviceCidr);
    ensure(tx, reg, "services", "", "default", {
      metadata: { name: "kubernetes", namespace: "default", labels: { component: "apiserver", provider: "kubernetes" } },
      spec: { type: "ClusterIP", clusterIP: svcIP, ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: apiServerPort(info) }] },
    });
    const epBody = {
      metadata: { name: "kubernetes", namespace: "default", labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } },
      subsets: [{ addresses: [{ ip: apiServerIP(info) }], ports: [{ name: "https", port: apiServerPort(info), protocol: "TCP" }] }],
    };
    const epS = strategyFor("endpoints");
    const ep = reg.tryGet(epS, "default", "kubernetes", tx);
    if (!ep) ensure(tx, reg, "endpoints", "", "default", epBody);
    else if (!deepEqual(ep.subsets, epBody.subsets)) reg.mutateIn(tx, epS, "default", "kubernetes", (o) => (o.subsets = epBody.subsets), { fieldManager: "kube-apiserver", internal: true });
    const sliceS = strategyFor("endpointslices", "discovery.k8s.io");
    const sliceBody = {
      metadata: { name: "kubernetes", namespace: "default", labels: { "kubernetes.io/service-name": "kubernetes" } },
      addressType: "IPv4",
      endpoints: [{ addresses: [apiServerIP(info)], conditions: { ready: true } }],
      ports: [{ name: "https", port: apiServerPort(info), protocol: "TCP" }],
    };
    const slice = reg.tryGet(sliceS, "default", "kubernetes", tx);
    if (!slice) ensure(tx, reg, "endpointslices", "discovery.k8s.io", "default", sliceBody);
    else if (!deepEqual(slice.endpoints, sliceBody.endpoints)) reg.mutateIn(tx, sliceS, "default", "kubernetes", (o) => (o.endpoints = sliceBody.endpoints), { fieldManager: "kube-apiserver", internal: true });

    ensure(tx, reg, "services", "", "kube-system", {
      metadata: {
        name: "kube-dns",
        namespace: "kube-system",
        labels: { ...ADDON_LABELS, "k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS" },
      },
      spec: {
        clusterIP: info.dnsServiceIP,
        selector: { "k8s-app": "kube-dns" },
        ports: [
          { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
          { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
        ],
      },
    });
    ensure(tx, reg, "services", "", "kube-system", {
      metadata: {
        name: "metrics-server",
        namespace: "kube-system",
        labels: { ...ADDON_LABELS, "k8s-app": "metrics-server", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "Metrics-server" },
      },
      spec: { selector: { "k8s-app": "metrics-server" }, ports: [{ port: 443, protocol: "TCP", targetPort: "https" }] },
    });

    // metrics-server's aggregated reader (its manifest's ClusterRole): view/edit/admin may read metrics.k8s.io.
    ensure(tx, reg, "clusterroles", "rbac.authorization.k8s.io", undefined, {
      metadata: {
        name: "system:aggregated-metrics-reader",
        labels: { ...ADDON_LABELS, "k8s-app": "metrics-server", "rbac.authorization.k8s.io/aggregate-to-admin": "true", "rbac.authorization.k8s.io/aggregate-to-edit": "true", "rbac.authorization.k8s.io/aggregate-to-view": "true" },
      },
      rules: [{ apiGroups: ["metrics.k8s.io"], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] }],
    });

    for (const sa of ["coredns", "coredns-autoscaler", "metrics-server", "konnectivity-agent", "kube-proxy", "cloud-node-manager", "csi-azuredisk-node-sa", "csi-azurefile-node-sa", "azure-cns"])
      ensure(tx, reg, "serviceaccounts", "", "kube-system", { metadata: { name: sa, namespace: "kube-system", labels: ADDON_LABELS } });

    ensure(tx, reg, "configmaps", "", "kube-system", {
      metadata: { name: "coredns", namespace: "kube-system", labels: { ...ADDON_LABELS, "k8s-app": "kube-dns" } },
      data: {
        Corefile: ".:53 {\n    errors\n    ready\n    health {\n      lameduck 5s\n    }\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n      pods insecure\n      fallthrough in-addr.arpa ip6.arpa\n      ttl 30\n    }\n    prometheus :9153\n    forward . /etc/resolv.conf\n    cache 30\n    loop\n    reload\n    loadbalance\n    import custom/*.override\n}\nimport custom/*.server\n",
      },
    });
    ensure(tx, reg, "configmaps", "", "kube-system", {
      metadata: { name: "coredns-custom", namespace: "kube-system", labels: { "addonmanager.kubernetes.io/mode": "EnsureExists", "k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true" } },
    });
    // Where kubelets reach the API server (the ILB VIP with VNet integration): readable by users.
    const cmS = strategyFor("configmaps");
    const kubeletCm = {
      metadata: { name: "aksemu-kubelet-kubeconfig", namespace: "kube-system", labels: { "app.kubernetes.io/managed-by": "aksemu" } },
      data: { server: info.apiServerAddress, kubeconfig: kubeletKubeconfig(info) },
    };
    const cur = reg.tryGet(cmS, "kube-system", kubeletCm.metadata.name, tx);
    if (!cur) ensure(tx, reg, "configmaps", "", "kube-system", kubeletCm);
    else if (!deepEqual(cur.data, kubeletCm.data)) reg.mutateIn(tx, cmS, "kube-system", kubeletCm.metadata.name, (o) => (o.data = kubeletCm.data), { fieldManager: M, internal: true });

    const sc = (name: string, provisioner: string, parameters: Record<string, string>, extra: Obj = {}) =>
      ensure(tx, reg, "storageclasses", "storage.k8s.io", undefined, {
        metadata: { name, labels: { ...ADDON_LABELS, "kubernetes.io/cluster-service": "true" }, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
        provisioner,
        parameters,
        reclaimPolicy: "Delete",
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
      });
    sc("default", "disk.csi.azure.com", { skuname: "StandardSSD_LRS" }, { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } });
    sc("managed", "disk.csi.azure.com", { kind: "Managed", storageaccounttype: "StandardSSD_LRS" });
    sc("managed-csi", "disk.csi.azure.com", { skuname: "StandardSSD_LRS" });
    sc("managed-csi-premium", "disk.csi.azure.com", { skuname: "Premium_LRS" });
    sc("managed-premium", "disk.csi.azure.com", { kind: "Managed", storageaccounttype: "Premium_LRS" });
    sc("azurefile", "file.csi.azure.com", { skuName: "Standard_LRS" });
    sc("azurefile-csi", "file.csi.azure.com", { skuName: "Standard_LRS" });
    sc("azurefile-csi-premium", "file.csi.azure.com", { skuName: "Premium_LRS" });
    sc("azurefile-premium", "file.csi.azure.com", { skuName: "Premium_LRS" });

    const { deployments, daemonsets } = addonWorkloads(info);
    for (const d of deployments) ensureWorkload(tx, reg, "deployments", "kube-system", d);
    for (const d of daemonsets) ensureWorkload(tx, reg, "daemonsets", "kube-system", d);
    // konnectivity-agent goes away if the network configuration no longer has it.
    if (!deployments.some((d) => d.metadata.name === "konnectivity-agent")) {
      const s = strategyFor("deployments", "apps");
      if (reg.tryGet(s, "kube-system", "konnectivity-agent", tx)) reg.deleteIn(tx, s, "kube-system", "konnectivity-agent", { propagationPolicy: "Background" });
    }
  });
}

export interface NodeChange {
  created: string[];
  deleted: string[];
  reimaged: string[];
  upgraded: string[];
}

/** Register, update and remove Nodes so they match the spec (scale, reimage, upgrade). */
export function reconcileNodes(reg: Registry, info: SeedInfo): Promise<NodeChange> {
  const s = strategyFor("nodes");
  return reg.store.txn((tx) => {
    const out: NodeChange = { created: [], deleted: [], reimaged: [], upgraded: [] };
    const want = new Map(info.nodes.map((n) => [n.name, n]));
    for (const e of tx.list<Obj>(reg.collectionPrefix(s))) {
      const n = e.value;
      if (want.has(n.metadata.name)) continue;
      reg.deleteIn(tx, s, undefined, n.metadata.name, {});
      out.deleted.push(n.metadata.name);
    }
    for (const spec of info.nodes) {
      const labels = nodeLabels(info, spec, info.nodeResourceGroup);
      const annotations = nodeAnnotations(info, spec);
      const cur = reg.tryGet(s, undefined, spec.name, tx);
      if (!cur) {
        reg.createIn(tx, s, undefined, { metadata: { name: spec.name, labels, annotations }, spec: nodeSpecFields(spec) }, { fieldManager: "kubelet", internal: true });
        out.created.push(spec.name);
        continue;
      }
      const imageChanged = cur.metadata.labels?.["kubernetes.azure.com/node-image-version"] !== spec.nodeImageVersion;
      const versionChanged = !!cur.status?.nodeInfo && cur.status.nodeInfo.kubeletVersion !== `v${info.kubernetesVersion}`;
      const mergedLabels = { ...(cur.metadata.labels ?? {}), ...labels };
      const mergedAnn = { ...(cur.metadata.annotations ?? {}), ...annotations };
      if (!deepEqual(mergedLabels, cur.metadata.labels) || !deepEqual(mergedAnn, cur.metadata.annotations)) {
        reg.mutateIn(tx, s, undefined, spec.name, (o) => {
          o.metadata.labels = mergedLabels;
          o.metadata.annotations = mergedAnn;
          o.spec = { ...(o.spec ?? {}), providerID: spec.providerID };
        }, { fieldManager: "kubelet", internal: true });
      }
      if ((imageChanged || versionChanged) && cur.status?.nodeInfo) {
        // The kubelet re-registers after a reimage/upgrade: new nodeInfo (and bootID).
        const status = nodeStatus(info, spec, nowTime(), cur.status);
        reg.mutateIn(tx, s, undefined, spec.name, (o) => (o.status = { ...clone(o.status), nodeInfo: status.nodeInfo }), { fieldManager: "kubelet", internal: true, subresource: "status" });
      }
      if (imageChanged) out.reimaged.push(spec.name);
      else if (versionChanged) out.upgraded.push(spec.name);
    }
    return out;
  });
}

/**
 * spec.podCIDR is the block node IPAM assigned (kubenet and Azure CNI Overlay: a /24 of the
 * cluster's podCidr, allocated by the AKS provider); Azure CNI nodes (VNet pod IPs) have none.
 */
function nodeSpecFields(spec: SimNodeSpec): Obj {
  const o: Obj = { providerID: spec.providerID };
  if (spec.podCIDR) {
    o.podCIDR = spec.podCIDR;
    o.podCIDRs = [spec.podCIDR];
  }
  return o;
}

export { KUBELET_SERVER_ANNOTATION };
