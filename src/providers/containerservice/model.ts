// What the provider keeps about a cluster besides its rendered properties (record.internal), and
// small adapters to the store and to other providers (always through their ARM strategies).
import type { Txn } from "../../store/store.js";
import type { ArmEnv, ResourceRecord } from "../../arm/types.js";
import { deleteResourceInternal, putResourceInternal } from "../../arm/internal.js";
import { deleteRecordTree, getRecord, putRecord } from "../../arm/repo.js";
import { idKey, nameOf, parseId } from "../../arm/resource-id.js";
import { stampSystemData } from "../../arm/records.js";
import type { KubeCredentials } from "./kube-backend.js";

export interface NodeAlloc {
  pool: string;
  index: number;
  name: string;
  /** IPAM owner id (derived from the cluster id, so re-runs reuse it). */
  owner: string;
  subnetId: string;
  ip: string;
  /** Azure CNI: pre-allocated pod addresses from the node subnet. */
  podIPs: string[];
  /** kubenet / overlay: the node's pod CIDR. */
  podCIDR?: string;
}

export interface ApiServerEndpoint {
  /** ilb: VNet integration; privateEndpoint: classic private cluster; public: public endpoint only. */
  mode: "ilb" | "privateEndpoint" | "public";
  /** Where nodes and in-VNet clients reach the API server. */
  address: string;
  subnetId?: string;
  loadBalancerId?: string;
  /** Who allocated the frontend: the Network provider's LB strategy, or this provider. */
  frontendAllocatedBy?: "loadBalancer" | "containerservice";
  backend?: string[];
  reserved?: string[];
}

export interface ClusterInternal {
  hash: string;
  guid: string;
  digits: string;
  systemIdentity?: { principalId: string; clientId: string };
  /** Effective API server subnet (BYO subnetId, or the managed aks-apiserver-subnet). */
  apiServerSubnetId?: string;
  managedVnetId?: string;
  apiServer?: ApiServerEndpoint;
  /**
   * API server addresses taken at PUT, in the transaction that checked the subnet has room (so
   * concurrent creates cannot all pass the check); the network stage turns them into the ILB.
   */
  apiServerReservation?: { subnetId: string; frontend: string; reserved: string[] };
  nodes?: NodeAlloc[];
  privateZoneId?: string;
  privateRecordId?: string;
  kube?: KubeCredentials & { generated?: boolean };
  /** Set by a VNet-integration conversion until the next stop/start (GA behaviour). */
  restartRequired?: boolean;
  activeOperation?: string;
  /** Subnets the identity must be able to join, checked when provisioning writes into them (linked-authorization.ts). */
  joinChecks?: import("./validate.js").JoinCheck[];
  [k: string]: unknown;
}

export function internalOf(rec: ResourceRecord): ClusterInternal {
  return (rec.internal ?? {}) as ClusterInternal;
}

/** IPAM owner ids: all under the lower-cased cluster id so a crash-resumed stage reuses them. */
export const owners = {
  prefix: (clusterId: string) => idKey(clusterId) + "/",
  frontend: (clusterId: string) => `${idKey(clusterId)}/apiserver/frontend`,
  backend: (clusterId: string) => `${idKey(clusterId)}/apiserver/backend`,
  privateEndpoint: (clusterId: string) => `${idKey(clusterId)}/apiserver/privateendpoint`,
  node: (clusterId: string, pool: string, i: number) => `${idKey(clusterId)}/agentpools/${pool.toLowerCase()}/nodes/${i}`,
};

export function clusterParts(id: string): { sub: string; rg: string; name: string } {
  const p = parseId(id)!;
  return { sub: p.subscriptionId!, rg: p.resourceGroup!, name: nameOf(id) };
}

/**
 * Create/update a resource another provider owns through its own strategy (putResourceInternal).
 * If that provider is not registered in this build, a plain record is written instead so the
 * cluster still provisions (its rules and side effects then do not apply).
 */
export function ensureResource(tx: Txn, env: ArmEnv, id: string, type: string, body: any): ResourceRecord {
  if (env.registry.find(type)) return putResourceInternal(tx, env, id, body);
  const existing = getRecord(tx, id);
  const rec: ResourceRecord = {
    id,
    name: nameOf(id),
    type,
    location: body.location,
    tags: body.tags,
    sku: body.sku,
    properties: { ...(body.properties ?? {}), provisioningState: "Succeeded" },
  };
  if (rec.location === undefined) delete rec.location;
  if (rec.tags === undefined) delete rec.tags;
  if (rec.sku === undefined) delete rec.sku;
  rec.systemData = stampSystemData(existing?.systemData, "aksemu", env.now());
  putRecord(tx, rec);
  return rec;
}

export function removeResource(tx: Txn, env: ArmEnv, id: string): void {
  if (!getRecord(tx, id)) return;
  if (env.registry.find(getRecord(tx, id)!.type)) deleteResourceInternal(tx, env, id, { cascade: true });
  else deleteRecordTree(tx, id);
}
