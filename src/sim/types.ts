// What the simulation needs from its cluster, and what it offers to controllers and stages.
import type { Txn } from "../store/store.js";
import type { Registry } from "../kube/registry.js";
import type { Obj } from "../kube/util.js";
import type { Cache } from "./cache.js";

/** The simulation's clock (scaledClock in clock.ts): CronJob schedules, Job deadlines and TTLs. */
export interface Clock {
  /** Emulated now, ms since the epoch. */
  now(): number;
  /** Real milliseconds until emulated time t (0 when past). */
  realDelay(t: number): number;
  /** Emulated time of a wall-clock instant (objects carry wall-clock timestamps). */
  fromWall(t: number): number;
}

/** Milliseconds per stage name; "instant" answers 0 for everything. */
export interface LatencyProfile {
  delay(stage: string): number;
}

export interface SimNodeSpec {
  name: string;
  pool: string;
  /** "System" | "User" (any case). */
  mode: string;
  internalIP: string;
  podIPs: string[];
  vmSize: string;
  osSku: string;
  nodeImageVersion: string;
  zone?: string;
  providerID: string;
  /** "Linux" | "Windows" (the pool's osType). */
  osType?: string;
  /** The pool's orchestratorVersion (kubelet version of the node). */
  kubeletVersion?: string;
  maxPods?: number;
  /** Pod CIDR of the node (kubenet / Azure CNI overlay); shown as spec.podCIDR. */
  podCIDR?: string;
  /** The node's kubelet kubeconfig server, when it differs from apiServerAddress. */
  kubeletServer?: string;
}

export interface SimClusterInfo {
  kubernetesVersion: string;
  location: string;
  networkPlugin: string;
  networkPluginMode?: string;
  apiServerAddress: string;
  /** The API server's address as the cluster's network sees it (ILB / private endpoint / public IP): default/kubernetes Endpoints. */
  apiServerIP?: string;
  /** identityProfile.kubeletidentity.clientId (node label kubernetes.azure.com/kubelet-identity-client-id). */
  kubeletIdentityClientId?: string;
  nodes: SimNodeSpec[];
  /** Cluster CA (published as kube-root-ca.crt in every namespace). */
  caPem?: string;
}

export interface EventSpec {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  component: string;
  host?: string;
  fieldPath?: string;
}

/**
 * What the cluster's cloud does for Kubernetes objects (AKS: the cloud-controller-manager and the
 * CSI drivers). Implemented above sim/ (the AKS provider) and handed in by the composition layer;
 * every call runs inside the caller's store transaction (tx), so Azure-side writes and the Kubernetes
 * status write that reports them commit together; like any transaction's work it may run more than
 * once and reads and writes only through tx. Failures throw CloudError.
 */
export interface ClusterCloud {
  /** Ensure the Azure load balancer pieces for a Service of type LoadBalancer; returns status.loadBalancer.ingress. */
  ensureLoadBalancer(tx: Txn, svc: Obj): Array<{ ip: string }>;
  /** Remove everything ensureLoadBalancer made for the Service (idempotent). */
  ensureLoadBalancerDeleted(tx: Txn, svc: Obj): void;
  /** CSI CreateVolume for a claim of a class with this provisioner; undefined when no driver of the cloud serves it. */
  createVolume(tx: Txn, req: VolumeRequest): ProvisionedVolume | undefined;
  /** CSI DeleteVolume (reclaim policy Delete); idempotent. */
  deleteVolume(tx: Txn, provisioner: string, volumeHandle: string): void;
}

export interface VolumeRequest {
  /** The PV name the external-provisioner chose: pvc-<claim uid>. */
  pvName: string;
  pvc: Obj;
  provisioner: string;
  parameters: Record<string, string>;
  requestBytes: number;
  /** Zone of the node the first consumer was scheduled to (WaitForFirstConsumer), e.g. "eastus-1". */
  zone?: string;
}

export interface ProvisionedVolume {
  volumeHandle: string;
  capacityGiB: number;
  volumeAttributes: Record<string, string>;
  /** topology.disk.csi.azure.com/zone values the volume is reachable from. */
  zones?: string[];
}

/** Finds the cloud of a cluster by its id (the store key of the cluster, kube/<id>/). */
export interface CloudProvider {
  forCluster(clusterId: string): ClusterCloud | undefined;
}

/** A cloud call failed; message is the text the controller puts into its Warning event. */
export class CloudError extends Error {}

export interface SimContext {
  readonly registry: Registry;
  /** The cluster's cloud; undefined when the cluster runs without one (then LoadBalancers stay pending, as on bare Kubernetes). */
  cloud(): ClusterCloud | undefined;
  readonly cache: Cache;
  readonly latency: LatencyProfile;
  info(): SimClusterInfo;
  nodeSpec(name: string): SimNodeSpec | undefined;
  /** Record a core/v1 Event about obj (aggregated by reason+message). */
  event(obj: Obj, e: EventSpec): void;
  /** Run fn after ms (0 = next turn of the work queue), once per key until it ran. */
  enqueue(key: string, fn: () => void | Promise<void>, ms?: number): void;
  /** Like enqueue, for work due at a later time (schedules, deadlines, TTLs): does not keep idle() waiting. The latest call per key wins. */
  at(key: string, fn: () => void | Promise<void>, realMs: number): void;
  /** Re-run the stages and controllers for an object as if it had just changed (e.g. a pod whose claims got bound). */
  touch(storage: string, namespace: string | undefined, name: string): void;
  /** Emulated time (CronJob schedules, deadlines, TTLs). */
  readonly clock: Clock;
}

/** A controller reacts to store changes of the storages it watches with keyed work. */
export interface Controller {
  name: string;
  /** Storage segments ("core/pods", "apps/deployments") this controller reacts to; "*" = all. */
  watches: string[];
  onChange(ctx: SimContext, ch: Change): void;
  /** Full resync (start of the engine). */
  resync?(ctx: SimContext): void;
}

export interface Change {
  storage: string;
  key: string;
  type: "put" | "delete";
  value: Obj;
  prev?: Obj;
}
