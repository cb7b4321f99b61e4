// The network model other providers ask questions of (reference: issue "Microsoft.Network",
// item 6). CONTRACT FILE: the signatures below are what the AKS provider codes against; the
// Network provider implements them (providers/network/model-impl.ts) and registers the
// implementation under NETWORK_MODEL (keep names and shapes; add, don't change).
import type { Txn } from "../store/store.js";
import type { ArmEnv } from "./types.js";
import { needService, serviceKey } from "./services.js";

type Reader = Pick<Txn, "get" | "list">;

export interface SubnetView {
  id: string;
  name: string;
  /** ARM id of the VNet holding the subnet. */
  vnetId: string;
  addressPrefixes: string[];
  /** serviceName of each delegation, e.g. "Microsoft.ContainerService/managedClusters". */
  delegations: string[];
  serviceAssociationLinks: Array<{ name: string; linkedResourceType: string; link?: string; allowDelete: boolean }>;
  /** ids of ipConfigurations (NIC / LB frontend) using the subnet. */
  ipConfigurations: string[];
  /** ids of private endpoints in the subnet. */
  privateEndpoints: string[];
  usage: { total: number; reserved: number; used: number; free: number };
}

export interface NetworkModel {
  getSubnet(tx: Reader, subnetId: string): SubnetView | undefined;
  /** Which addresses of the subnet are used and by what owner id. */
  addressesInUse(tx: Reader, subnetId: string): Array<{ address: string; owner: string }>;
  /** Allocate the `count` lowest free addresses for owner; throws ArmError SubnetIsFull (400) when not enough. */
  allocate(tx: Txn, subnetId: string, owner: string, count: number): string[];
  /**
   * Allocate one address per ipConfiguration id for owner and list those ids in the subnet's
   * ipConfigurations (e.g. a scale-set instance NIC's ipconfig1..N); release(owner) removes them.
   */
  allocateForIpConfigurations(tx: Txn, subnetId: string, owner: string, ipConfigurationIds: string[]): string[];
  /** Release everything owner holds in the subnet (all subnets if omitted); returns how many. */
  release(tx: Txn, owner: string, subnetId?: string): number;
  isDelegatedTo(tx: Reader, subnetId: string, serviceName: string): boolean;
  addServiceAssociationLink(tx: Txn, subnetId: string, sal: { name: string; linkedResourceType: string; link: string; allowDelete: boolean }): void;
  removeServiceAssociationLink(tx: Txn, subnetId: string, name: string): void;
}

/** Registered by the Network provider; read by others through networkModel(env). */
export const NETWORK_MODEL = serviceKey<NetworkModel>("network.model");

export function networkModel(env: Pick<ArmEnv, "services">): NetworkModel {
  return needService(env, NETWORK_MODEL);
}
