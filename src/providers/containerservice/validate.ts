// Synchronous create/update validation of API server VNet integration and BYO subnets, in
// Azure's order (reference/aks-vnet-integration.md §4 "Suggested create validation order" and §5).
// Pure: the caller gathers every fact (subnets, permissions, feature state) into `ValidationInput`;
// the first failing rule throws its ArmError and nothing is written.
import { AksErrors } from "./errors.js";
import { APISERVER_RESERVED_IPS, DELEGATION_SERVICE, SAL_NAME } from "./names.js";
import type { ApiServerAccess } from "./spec.js";
import { isSubnetId, sameId, vnetOfSubnet } from "./spec.js";

export interface SubnetFacts {
  id: string;
  name: string;
  vnetId: string;
  addressPrefixes: string[];
  delegations: string[];
  serviceAssociationLinks: Array<{ name: string; linkedResourceType: string }>;
  /** Users of the subnet that are not AKS clusters (foreign ipConfigurations, private endpoints). */
  foreignUsers: string[];
  /** Free addresses now. */
  free: number;
  /** Addresses this very cluster already holds in the subnet (update/re-run: they count as available). */
  heldByThisCluster: number;
}

export interface IdentityFacts {
  /** ServicePrincipal: a cluster with servicePrincipalProfile (an app id) and no managed identity. */
  kind: "SystemAssigned" | "UserAssigned" | "ServicePrincipal" | "None";
  /** For UserAssigned (and a known service principal): the principal (object) id and client id. */
  principalId?: string;
  clientId?: string;
}

export interface ValidationInput {
  isCreate: boolean;
  clusterId: string;
  /** Request after api-version filtering, before carry-over (what the caller asked for). */
  requested: ApiServerAccess;
  /** The merged access profile that will be stored. */
  next: ApiServerAccess;
  /** Stored access profile before this request (update). */
  previous?: ApiServerAccess;
  /** Whether a preview api-version is used and the preview feature is effective. */
  preview: boolean;
  featureEffective: boolean;
  /** BYO node subnet ids (agent pool vnetSubnetID). */
  nodeSubnetIds: string[];
  /** Node subnet ids newly referenced by this request (only those get the join check on update). */
  newNodeSubnetIds?: string[];
  subnet(id: string): SubnetFacts | undefined;
  identity: IdentityFacts;
  /** Addresses needed per node subnet (lower-cased id → count) for the requested pools, beyond what is held. */
  nodeDemand: Map<string, number>;
  loadBalancerSku: string;
}

export const JOIN_ACTION = "Microsoft.Network/virtualNetworks/subnets/join/action";

/**
 * A subnet the cluster identity must be allowed to join. Azure does not check this when it accepts
 * the PUT: the provisioning fails later, when AKS writes the API server's load balancer (`apiserver`)
 * or a node pool's scale set (`nodes`) into the subnet as that identity (linked-authorization.ts).
 */
export interface JoinCheck {
  subnetId: string;
  writer: "apiserver" | "nodes";
}

function prefixLength(prefix: string): number {
  const m = /\/(\d+)$/.exec(prefix);
  return m ? Number(m[1]) : 0;
}

/** Does this request turn VNet integration on (create with true, or update false → true)? */
export function enablesIntegration(inp: Pick<ValidationInput, "next" | "previous">): boolean {
  return inp.next.enableVnetIntegration === true && inp.previous?.enableVnetIntegration !== true;
}

/** Throws the first failing rule; returns the subnets the identity must be able to join during provisioning. */
export function validateCluster(inp: ValidationInput): JoinCheck[] {
  const { requested, next, previous } = inp;
  const integrated = next.enableVnetIntegration === true;
  const byo = inp.nodeSubnetIds.length > 0;

  // Preview api-versions: the feature flag must be effective to use the fields at all.
  if (inp.preview && requested.enableVnetIntegration === true && !inp.featureEffective) throw AksErrors.previewFeatureNotRegistered.make({});

  // Update-only rules: one-way switch, fixed subnet.
  if (previous?.enableVnetIntegration === true) {
    if (requested.enableVnetIntegration === false) throw AksErrors.disableVnetIntegration.make({});
    if (requested.subnetId && previous.subnetId && !sameId(requested.subnetId, previous.subnetId)) {
      throw AksErrors.changeApiserverSubnet.make({ from: previous.subnetId, to: requested.subnetId });
    }
  }

  // (a) subnetId only with integration
  if (next.subnetId && !integrated) throw AksErrors.subnetIdWithoutIntegration.make({}, { target: "apiServerAccessProfile.subnetId" });
  const converting = enablesIntegration(inp);
  if (integrated && converting) {
    // (b) BYO needs subnetId; (c) managed VNet forbids it
    if (byo && !next.subnetId) {
      if (!inp.isCreate) throw AksErrors.conversionWithoutSubnetId.make({}, { target: "apiServerAccessProfile.subnetId" });
      throw AksErrors.byoVnetWithoutSubnetId.make({}, { target: "apiServerAccessProfile.subnetId" });
    }
    if (!byo && next.subnetId) throw AksErrors.managedVnetWithSubnetId.make({}, { target: "apiServerAccessProfile.subnetId" });
  }

  // Private mode toggles only on integrated clusters.
  if (previous && requested.enablePrivateCluster !== undefined && requested.enablePrivateCluster !== null
      && !!requested.enablePrivateCluster !== !!previous.enablePrivateCluster && !integrated) {
    throw AksErrors.privateToggleNeedsIntegration.make({}, { target: "apiServerAccessProfile.enablePrivateCluster" });
  }
  if (next.enablePrivateCluster && inp.loadBalancerSku === "basic") throw AksErrors.privateClusterBasicLb.make({});

  // (d) the subnets themselves
  const nodeSubnets: SubnetFacts[] = [];
  for (const id of inp.nodeSubnetIds) {
    if (!isSubnetId(id)) throw AksErrors.invalidSubnetId.make({ id, prop: "agentPoolProfile.vnetSubnetID" });
    const s = inp.subnet(id);
    if (!s) throw AksErrors.subnetNotFound.make({ id, prop: "agentPoolProfile.vnetSubnetID" }, { target: "agentPoolProfile.vnetSubnetID" });
    nodeSubnets.push(s);
  }
  if (nodeSubnets.length > 1 && nodeSubnets.some((s) => !sameId(s.vnetId, nodeSubnets[0]!.vnetId))) throw AksErrors.nodeSubnetsDifferentVnets.make({});
  let apiSubnet: SubnetFacts | undefined;
  const checkApiSubnet = integrated && !!next.subnetId && (converting || inp.isCreate);
  if (checkApiSubnet) {
    const id = next.subnetId!;
    if (!isSubnetId(id)) throw AksErrors.invalidSubnetId.make({ id, prop: "apiServerAccessProfile.subnetId" });
    apiSubnet = inp.subnet(id);
    if (!apiSubnet) throw AksErrors.subnetNotFound.make({ id, prop: "apiServerAccessProfile.subnetId" }, { target: "apiServerAccessProfile.subnetId" });
    const nodeVnet = nodeSubnets[0]?.vnetId ?? vnetOfSubnet(inp.nodeSubnetIds[0] ?? "");
    if (nodeVnet && !sameId(apiSubnet.vnetId, nodeVnet)) {
      throw AksErrors.apiserverSubnetOtherVnet.make({ id, vnet: apiSubnet.vnetId, nodeVnet }, { target: "apiServerAccessProfile.subnetId" });
    }
    if (!apiSubnet.delegations.some((d) => d.toLowerCase() === DELEGATION_SERVICE.toLowerCase())) {
      throw AksErrors.apiserverSubnetNotDelegated.make({ id }, { target: "apiServerAccessProfile.subnetId" });
    }
    const prefix = apiSubnet.addressPrefixes[0] ?? "";
    if (prefixLength(prefix) > 28) throw AksErrors.apiserverSubnetTooSmall.make({ id, prefix }, { target: "apiServerAccessProfile.subnetId" });
    const foreignSal = apiSubnet.serviceAssociationLinks.find((l) => l.name !== SAL_NAME && l.linkedResourceType.toLowerCase() !== DELEGATION_SERVICE.toLowerCase());
    const user = apiSubnet.foreignUsers[0] ?? (foreignSal ? `serviceAssociationLinks/${foreignSal.name}` : undefined);
    if (user) throw AksErrors.apiserverSubnetInUse.make({ id, user }, { target: "apiServerAccessProfile.subnetId" });
    const available = apiSubnet.free + apiSubnet.heldByThisCluster;
    if (available < APISERVER_RESERVED_IPS) {
      throw AksErrors.insufficientSubnetSize.make({ n: APISERVER_RESERVED_IPS, m: available, cidr: prefix, name: apiSubnet.name }, { target: "apiServerAccessProfile.subnetId" });
    }
  }

  // (e) the cluster identity must be able to join both subnets: checked when provisioning writes into them
  const joinChecks: JoinCheck[] = [];
  if (inp.identity.kind === "UserAssigned" && inp.identity.principalId) {
    if (apiSubnet) joinChecks.push({ subnetId: apiSubnet.id, writer: "apiserver" });
    for (const s of nodeSubnets) {
      if (inp.isCreate || !inp.newNodeSubnetIds || inp.newNodeSubnetIds.some((n) => sameId(n, s.id)) || converting) joinChecks.push({ subnetId: s.id, writer: "nodes" });
    }
  }

  // (f) node subnets must not be delegated
  for (const s of nodeSubnets) if (s.delegations.length > 0) throw AksErrors.nodeSubnetDelegated.make({ id: s.id }, { target: "agentPoolProfile.vnetSubnetID" });

  // node subnet capacity (Azure CNI pre-allocates 1 + maxPods per node)
  for (const s of nodeSubnets) {
    const need = inp.nodeDemand.get(s.id.toLowerCase()) ?? 0;
    if (need > s.free) {
      throw AksErrors.insufficientSubnetSize.make({ n: need, m: s.free, cidr: s.addressPrefixes[0] ?? "", name: s.name }, { target: "agentPoolProfile.count" });
    }
  }
  return joinChecks;
}
