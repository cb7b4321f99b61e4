// Names and tags the Azure cloud provider (kubernetes-sigs/cloud-provider-azure) gives the Azure
// resources it makes for Services of type LoadBalancer. Pure functions, unit-tested.
import { createHash } from "node:crypto";

/** The cluster name the cloud-controller-manager runs with on AKS (`--cluster-name` default). */
export const CCM_CLUSTER_NAME = "kubernetes";
export const PUBLIC_LB = "kubernetes";
export const INTERNAL_LB = "kubernetes-internal";
export const BACKEND_POOL = "kubernetes";
export const NSG_RULE_PREFIX = "k8s-azure-lb_";

export const ANN = {
  internal: "service.beta.kubernetes.io/azure-load-balancer-internal",
  internalSubnet: "service.beta.kubernetes.io/azure-load-balancer-internal-subnet",
  ipv4: "service.beta.kubernetes.io/azure-load-balancer-ipv4",
  disableNsg: "service.beta.kubernetes.io/azure-disable-load-balancer-nsg-rule",
  tcpIdle: "service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout",
} as const;

export const TAG = { service: "k8s-azure-service", clusterName: "k8s-azure-cluster-name" } as const;

/** k8s.io/cloud-provider DefaultLoadBalancerName: "a" + the UID without dashes, cut to 32 characters. */
export function lbBaseName(uid: string): string {
  return `a${uid.replace(/-/g, "")}`.slice(0, 32);
}

/** Frontend IP configuration: the base name, or `<base>-<subnet>` for an internal frontend in an annotated subnet (≤ 75). */
export function frontendName(base: string, subnet?: string): string {
  if (!subnet) return base;
  let n = `${base}-${subnet}`.slice(0, 75);
  if (!/[A-Za-z0-9]$/.test(n)) n = `${n.slice(0, -1)}_`;
  return n;
}

/** LB rule and its probe: `<frontend>-<PROTOCOL>-<port>`. */
export function ruleName(frontend: string, protocol: string, port: number): string {
  return `${frontend}-${protocol.toUpperCase()}-${port}`;
}

export function publicIpName(base: string): string {
  return `${CCM_CLUSTER_NAME}-${base}`.slice(0, 75);
}

/** `k8s-azure-lb_allow_IPv4_<md5 of "<Proto>_<sorted sources>_<sorted ports>">` (ports sorted as strings). */
export function allowRuleName(protocol: string, sources: string[], ports: number[]): string {
  const proto = protocol.charAt(0).toUpperCase() + protocol.slice(1).toLowerCase();
  const key = `${proto}_${[...sources].sort().join(",")}_${ports.map(String).sort().join(",")}`;
  return `${NSG_RULE_PREFIX}allow_IPv4_${createHash("md5").update(key).digest("hex")}`;
}

/** The services a PIP's k8s-azure-service tag names ("ns/a,ns/b"). */
export function taggedServices(tags: Record<string, string> | null | undefined): string[] {
  const v = tags?.[TAG.service] ?? tags?.service;
  return v ? v.split(",").map((s) => s.trim()).filter(Boolean) : [];
}
