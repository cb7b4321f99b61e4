// The console data API's network map, as GET /aksemu/console/network and the event stream send
// it. No imports: the browser bundle (console/) type-checks against this file too.
/** Who holds a run of addresses, as the console colours it. */
export type HolderKind =
  | "azure-reserved"
  | "apiserver-vip"
  | "apiserver-reserved"
  | "private-endpoint"
  | "node"
  | "pod"
  | "lb-frontend"
  | "nic"
  | "other";

export interface AddressRun {
  /** Offset of the first address from the prefix's network address. */
  offset: number;
  count: number;
  first: string;
  last: string;
  kind: HolderKind;
  /** What a person reads: "kube-apiserver ILB VIP of aks1", "node 0 of nodepool1 (aks1)". */
  label: string;
  /** The allocation's owner as the Network provider records it (resource or ipConfiguration id). */
  owner?: string;
}

export interface PrefixView {
  prefix: string;
  /** Number of addresses; undefined when beyond what the console draws (IPv6). */
  size?: number;
  /** Offset of the prefix inside the VNet address space that holds it (to draw it to scale). */
  spaceIndex?: number;
  spaceOffset?: number;
  runs: AddressRun[];
  firstFree?: string;
}

export interface SubnetMapView {
  id: string;
  name: string;
  prefixes: PrefixView[];
  delegations: string[];
  serviceAssociationLinks: Array<{ name: string; linkedResourceType: string; link?: string }>;
  provisioningState?: string;
}

export interface VnetMapView {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location?: string;
  addressSpace: Array<{ prefix: string; size?: number }>;
  subnets: SubnetMapView[];
}

export interface NetworkMap {
  revision: number;
  vnets: VnetMapView[];
}

