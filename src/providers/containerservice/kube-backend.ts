// Where the per-cluster Kubernetes API plugs in. src/cluster/kube-host.ts (KubeHost) is expected
// to satisfy this shape; the lead registers an instance as env.services.get("kube"). Without it
// the provider still works: credentials are well-formed kubeconfigs pointing at the FQDN.
import type { ArmEnv } from "../../arm/types.js";
import type { CloudProvider } from "../../sim/types.js";
import { aksCloud } from "./cloud-provider.js";

// The cluster spec is the Kubernetes layer's own shape (src/cluster/kube-host.ts); providers sit
// above kube/, so they import it rather than restate it.
export type { KubeNodeSpec, KubeClusterSpec, IssuedPair } from "../../cluster/kube-host.js";
import type { KubeClusterSpec, IssuedPair } from "../../cluster/kube-host.js";

/** The Kubernetes layer's credentials, looser: without a backend the provider has no client certificates. */
export interface KubeCredentials {
  port: number;
  /** Address of the process serving the cluster's API (absent in records from before: 127.0.0.1). */
  host?: string;
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
  /** Whether the operator started the emulator with run command enabled (`aksemu start --allow-run-command`). */
  readonly runCommandAllowed?: boolean;
  /** Optional: run a command the way `az aks command invoke` does (kubectl inside the cluster). */
  runCommand?(id: string, command: string): Promise<{ exitCode: number; logs: string }>;
  /** Optional: the cluster runs nowhere (not here, no live owner) and may be claimed; absent = "not running here". */
  needsOwner?(id: string): boolean;
  /** Optional: where the clusters' cloud-controller-manager and CSI drivers reach Azure. */
  attachCloud?(p: CloudProvider): void;
}

export const KUBE_SERVICE = "kube";

const attached = new WeakSet<object>();

export function kubeBackend(env: ArmEnv): KubeBackend | undefined {
  const k = env.services.get(KUBE_SERVICE) as Partial<KubeBackend> | undefined;
  if (!k || typeof k.ensureRunning !== "function") return undefined;
  // The backend reaches Azure through this provider's cloud (attached once, whoever registered the backend).
  if (typeof k.attachCloud === "function" && !attached.has(k)) {
    attached.add(k);
    k.attachCloud(aksCloud(env));
  }
  return k as KubeBackend;
}
