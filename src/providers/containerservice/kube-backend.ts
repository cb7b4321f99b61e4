// Where the per-cluster Kubernetes API plugs in. src/kube/cluster-api.ts (KubeHost) is expected
// to satisfy this shape; the lead registers an instance as env.services.get("kube"). Without it
// the provider still works: credentials are well-formed kubeconfigs pointing at the FQDN.
import type { ArmEnv } from "../../arm/types.js";

export interface KubeNodeSpec {
  name: string;
  pool: string;
  mode: string;
  internalIP: string;
  podIPs: string[];
  /** Pod CIDR of the node (kubenet / Azure CNI overlay). */
  podCIDR?: string;
  maxPods?: number;
  vmSize: string;
  osSku: string;
  nodeImageVersion: string;
  zone?: string;
  providerID: string;
  /** "Linux" | "Windows" (the pool's osType). */
  osType?: string;
  /** The pool's orchestratorVersion (kubelet version of the node). */
  kubeletVersion?: string;
  /** What the node's kubelet kubeconfig points at (https://<ILB IP>:443 for integrated clusters). */
  kubeletServer?: string;
}

export interface KubeClusterSpec {
  /** Lower-cased ARM id of the cluster (the KubeHost's key). */
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  nodeResourceGroup: string;
  kubernetesVersion: string;
  fqdn: string;
  extraSans?: string[];
  /** "https://<ILB>:443" (integrated) or "https://<fqdn>:443". */
  apiServerAddress: string;
  serviceCidr: string;
  dnsServiceIP: string;
  networkPlugin: string;
  networkPluginMode?: string;
  /** The API server's address as the cluster's network sees it (ILB / private endpoint / public IP): default/kubernetes Endpoints. */
  apiServerIP?: string;
  /** identityProfile.kubeletidentity.clientId (node label kubernetes.azure.com/kubelet-identity-client-id). */
  kubeletIdentityClientId?: string;
  nodes: KubeNodeSpec[];
  port?: number;
}

export interface IssuedPair {
  certPem: string;
  keyPem: string;
}

export interface KubeCredentials {
  port: number;
  caPem: string;
  adminToken: string;
  userToken: string;
  adminCert?: IssuedPair | string;
  userCert?: IssuedPair | string;
  /** Optional separate key fields when certs are given as PEM strings. */
  adminKey?: string;
  userKey?: string;
}

export interface KubeBackend {
  ensureRunning(spec: KubeClusterSpec): Promise<KubeCredentials>;
  /** id: lower-cased ARM id, as in the spec. */
  stop(id: string): Promise<void> | void;
  remove(id: string): Promise<void> | void;
  /** Optional: run a command the way `az aks command invoke` does (kubectl inside the cluster). */
  runCommand?(id: string, command: string): Promise<{ exitCode: number; logs: string }>;
}

export const KUBE_SERVICE = "kube";

export function kubeBackend(env: ArmEnv): KubeBackend | undefined {
  const k = env.services.get(KUBE_SERVICE) as Partial<KubeBackend> | undefined;
  return k && typeof k.ensureRunning === "function" ? (k as KubeBackend) : undefined;
}
