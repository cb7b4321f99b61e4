// Microsoft.ContainerService/managedClusters: the resource strategy the generic ARM handler calls
// (design.md "The path of one request"): synchronous validation in put (400/403, nothing written),
// then the operation pipeline in reconcile.ts builds the node resource group and the endpoint.
import { randomUUID } from "node:crypto";
import type { ArmEnv, DeleteCtx, ResourceRecord, ResourceStrategy, WriteCtx } from "../../arm/types.js";
import { isPreview } from "../../arm/api-version.js";
import { findServicePrincipalByAppId, putServicePrincipal } from "../../entra/directory.js";
import { featureRegistrations } from "../../arm/features.js";
import { CS_NAMESPACE, MANAGED_CLUSTER_TYPE, VNET_INTEGRATION_FEATURE } from "./api-versions.js";
import { AksErrors } from "./errors.js";
import {
  defaultDnsPrefix, digits8, fqdnLabel, hash8, isValidClusterName, nodeResourceGroupName, oidcIssuerUrl, portalFqdn, privateFqdn, publicFqdn, systemPrivateZone,
} from "./names.js";
import { addressesPerNode, filterForApiVersion, nodeSubnetIds, normalizeProperties, sameId, type ApiServerAccess } from "./spec.js";
import { validateClusterShape, validatePodCidrCapacity } from "./shape.js";
import { enablesIntegration, validateCluster, type IdentityFacts } from "./validate.js";
import { applyPrivateDns, zoneMode } from "./private-dns.js";
import { identityFacts, rbacCan, subnetFacts } from "./facts.js";
import { clusterParts, internalOf, type ClusterInternal } from "./model.js";
import { NODE_IMAGE_LATEST } from "./versions.js";
import { renderManagedCluster } from "./render.js";
import { applyAutomaticDefaults, isAutomatic, resolveSku, validateHostedSubnets } from "./automatic.js";
import { deleteCluster, reconcileCluster } from "./reconcile.js";
import { reserveApiServer } from "./topology.js";
import { kubeBackend } from "./kube-backend.js";
import { credentialAction } from "./credentials.js";
import { clusterActions } from "./actions.js";
import { RES, getRecord, recordKey } from "../../arm/repo.js";
import { getResourceGroup } from "../../arm/state.js";
import { idKey } from "../../arm/resource-id.js";

function put(ctx: WriteCtx): ResourceRecord {
  const { env, tx, id, apiVersion, existing } = ctx;
  const { sub, rg, name } = clusterParts(id);
  if (!existing && !isValidClusterName(name)) throw AksErrors.invalidClusterName.make({ name });
  const body = filterForApiVersion(ctx.body, apiVersion);
  const location: string = body.location ?? existing?.location;
  const exProps = existing?.properties;
  validateClusterShape(body, exProps);
  // AKS Automatic: the sku decides, then Automatic's preconfiguration fills the request in.
  const sku = resolveSku(body.sku, existing?.sku, apiVersion);
  const automatic = isAutomatic(sku);
  if (!automatic && body.properties?.hostedSystemProfile && !exProps?.hostedSystemProfile?.enabled) throw AksErrors.hostedSystemNeedsAutomatic.make({}, { target: "properties.hostedSystemProfile" });
  // What the caller asked for (Automatic's implied VNet integration needs no preview feature flag).
  const requested: ApiServerAccess = { ...(body.properties?.apiServerAccessProfile ?? {}) };
  const int: ClusterInternal = existing ? structuredClone(internalOf(existing)) : (() => {
    const seed = `${id.toLowerCase()}|${randomUUID()}`;
    return { hash: hash8(seed), guid: randomUUID(), digits: digits8(seed) };
  })();
  if (automatic) {
    body.properties = applyAutomaticDefaults(body.properties, {
      isCreate: !existing, tenantId: env.tenantId, existing: exProps, issuerURL: oidcIssuerUrl(location, env.tenantId, int.guid),
    });
  }
  const props = normalizeProperties(body.properties, {
    name, resourceGroup: rg, subscriptionId: sub, location, apiVersion, defaultDnsPrefix: defaultDnsPrefix(name, rg, sub), existing: exProps,
  });

  validatePodCidrCapacity(props);

  // Identity: UserAssigned must reference an existing identity.
  // A service principal cluster sends servicePrincipalProfile with an app id and no identity.
  const spClientId = body.properties?.servicePrincipalProfile?.clientId ?? exProps?.servicePrincipalProfile?.clientId;
  const isSp = !body.identity && !existing?.identity && typeof spClientId === "string" && spClientId !== "" && spClientId.toLowerCase() !== "msi";
  const identityBody = body.identity ?? existing?.identity ?? { type: "SystemAssigned" };
  const idFacts: IdentityFacts = isSp
    ? { kind: "ServicePrincipal", clientId: spClientId, principalId: findServicePrincipalByAppId(tx, spClientId)?.id }
    : identityFacts(tx, identityBody);

  // Facts for validation (a managed-system cluster's NAP subnet counts as a node subnet).
  const poolSubnets = nodeSubnetIds(props);
  const napSubnet = props.hostedSystemProfile?.nodeSubnetID;
  const nodeSubnets = napSubnet && !poolSubnets.some((s) => sameId(s, napSubnet)) ? [...poolSubnets, napSubnet] : poolSubnets;
  const before = exProps ? nodeSubnetIds(exProps) : [];
  if (automatic && !existing && nodeSubnets.length > 0 && idFacts.kind !== "UserAssigned") throw AksErrors.automaticByoNeedsUserAssigned.make({}, { target: "identity.type" });
  const demand = new Map<string, number>();
  for (const pool of props.agentPoolProfiles) {
    if (!pool.vnetSubnetID) continue;
    const held = (int.nodes ?? []).filter((n) => n.pool === pool.name && sameId(n.subnetId, pool.vnetSubnetID)).length;
    const extra = Math.max(0, pool.count - held) * addressesPerNode(props.networkProfile, pool.maxPods);
    const k = String(pool.vnetSubnetID).toLowerCase();
    demand.set(k, (demand.get(k) ?? 0) + extra);
  }
  const subnetCache = new Map<string, ReturnType<typeof subnetFacts>>();
  const subnet = (sid: string) => {
    const k = sid.toLowerCase();
    if (!subnetCache.has(k)) {
      const api = int.apiServer;
      const pending = int.apiServerReservation;
      const held = api?.mode === "ilb" && sameId(api.subnetId, sid) ? 1 + (api.reserved?.length ?? 0)
        : pending && sameId(pending.subnetId, sid) ? 1 + pending.reserved.length : 0;
      subnetCache.set(k, subnetFacts(tx, env, sid, held));
    }
    return subnetCache.get(k);
  };
  const previous: ApiServerAccess | undefined = exProps ? { ...(exProps.apiServerAccessProfile ?? {}) } : undefined;
  const next = props.apiServerAccessProfile as ApiServerAccess;
  if (automatic) validateHostedSubnets(props, subnet);
  const joinChecks = validateCluster({
    isCreate: !existing, clusterId: id, requested, next, previous,
    preview: isPreview(apiVersion), featureEffective: featureRegistrations(env).isEffective(tx, sub, CS_NAMESPACE, VNET_INTEGRATION_FEATURE),
    nodeSubnetIds: nodeSubnets, newNodeSubnetIds: nodeSubnets.filter((s) => !before.some((b) => sameId(b, s))),
    subnet, identity: idFacts,
    nodeDemand: demand, loadBalancerSku: props.networkProfile.loadBalancerSku,
  });
  // The identity joins the subnets AKS writes into now: the API server's and the pools' (NAP's come later).
  int.joinChecks = joinChecks.filter((c) => c.writer === "apiserver" || poolSubnets.some((s) => sameId(s, c.subnetId)));
  // Decide capacity once: the addresses the check counted are taken in this same transaction.
  if (next.enableVnetIntegration === true && next.subnetId && (!existing || enablesIntegration({ next, previous }))) {
    reserveApiServer(tx, env, id, int, next.subnetId);
  }
  applyPrivateDns({
    isCreate: !existing, region: location, requested, next, previous, identity: idFacts,
    zoneExists: (zid) => !!getRecord(tx, zid),
    canWriteZone: (p, zid) => rbacCan(tx, p, "Microsoft.Network/privateDnsZones/write", zid),
  });
  // Keep an explicit false (Terraform always sends the flag); drop the flag otherwise when off.
  if (next.enableVnetIntegration !== true && requested.enableVnetIntegration !== false && previous?.enableVnetIntegration !== false) delete next.enableVnetIntegration;

  // Derived, read-only values.
  props.nodeResourceGroup = props.nodeResourceGroup ?? nodeResourceGroupName(rg, name, location);
  if (!existing && getResourceGroup(tx, sub, props.nodeResourceGroup)) throw AksErrors.nodeResourceGroupExists.make({ rg: props.nodeResourceGroup }, { target: "properties.nodeResourceGroup" });
  const label = fqdnLabel(props.fqdnSubdomain ?? props.dnsPrefix, int.hash);
  const priv = next.enablePrivateCluster === true;
  const integrated = next.enableVnetIntegration === true;
  if (priv && !int.privateZoneName) int.privateZoneName = systemPrivateZone(int.guid, location, integrated);
  const mode = zoneMode(next.privateDNSZone);
  const hasPublic = !priv || next.enablePrivateClusterPublicFQDN !== false;
  props.fqdn = hasPublic ? publicFqdn(label, location) : undefined;
  props.azurePortalFQDN = hasPublic ? portalFqdn(label, location) : undefined;
  props.privateFQDN = priv ? privateFqdn(label, mode.kind === "custom" ? mode.name : String(int.privateZoneName)) : undefined;
  for (const k of ["fqdn", "azurePortalFQDN", "privateFQDN"]) if (props[k] === undefined) delete props[k];
  if (exProps?.identityProfile) props.identityProfile = exProps.identityProfile;

  // Conversion of an existing cluster: node image upgrade on every pool, restart required (GA).
  if (existing && enablesIntegration({ next, previous })) {
    props.agentPoolProfiles = props.agentPoolProfiles.map((p: any) => ({ ...p, nodeImageVersion: NODE_IMAGE_LATEST }));
    int.restartRequired = true;
  }

  // eTag (optimistic concurrency, rendered on the api-versions that have it): new on every write.
  int.eTag = randomUUID();
  for (const ap of props.agentPoolProfiles) ap.eTag = randomUUID();

  props.provisioningState = existing ? "Updating" : "Creating";
  props.powerState = exProps?.powerState ?? { code: "Running" };

  // Identity as rendered.
  let identity: any;
  if (idFacts.kind === "SystemAssigned") {
    if (!int.systemIdentity) {
      int.systemIdentity = { principalId: randomUUID(), clientId: randomUUID() };
      putServicePrincipal(tx, {
        id: int.systemIdentity.principalId, appId: int.systemIdentity.clientId, displayName: name, servicePrincipalType: "ManagedIdentity",
        alternativeNames: [`isExplicit=False`, id], createdDateTime: env.now().toISOString(),
      });
    }
    identity = { type: "SystemAssigned", principalId: int.systemIdentity.principalId, tenantId: env.tenantId };
  } else if (idFacts.kind === "UserAssigned") {
    const uaId = Object.keys(identityBody.userAssignedIdentities)[0]!;
    identity = { type: "UserAssigned", userAssignedIdentities: { [uaId]: { principalId: idFacts.principalId, clientId: idFacts.clientId } } };
  } else if (idFacts.kind === "ServicePrincipal") identity = undefined; // Azure shows no identity for a service principal cluster
  else identity = { type: "None" };

  return {
    id, name, type: MANAGED_CLUSTER_TYPE, location,
    tags: body.tags !== undefined ? body.tags : existing?.tags,
    sku,
    identity,
    properties: props,
    internal: int,
  };
}

export const managedClusterStrategy: ResourceStrategy = {
  put,
  envelopeError: (p) => AksErrors.invalidProperty.make({ path: p.path, detail: p.detail }),
  asyncPut: (ctx) => ({ stage: "network", delayMs: 0, data: { created: !ctx.existing } }),
  asyncDelete: (ctx) => ({ stage: "delete", delayMs: ctx.env.latency.delay("managedClusters.delete") }),
  /** Synchronous delete: resource-group cascades. */
  delete(ctx: DeleteCtx) {
    // Inside the cascade's transaction: the cluster's Kubernetes API and state go once it has
    // committed (removeKubeOfDeletedClusters sees the record's delete event); a rolled-back
    // cascade keeps them.
    deleteCluster(ctx.tx, ctx.env, ctx.record);
  },
  reconcile: reconcileCluster,
  render: (rec, ctx) => renderManagedCluster(rec, ctx.apiVersion),
  actions: {
    listClusterUserCredential: credentialAction("clusterUser"),
    listClusterAdminCredential: credentialAction("clusterAdmin"),
    listClusterMonitoringUserCredential: credentialAction("clusterMonitoringUser"),
    ...clusterActions,
  },
};

/**
 * When a cluster record is deleted by a committed transaction (a resource group's cascade; the
 * cluster's own delete operation has already removed its API by then), stop its Kubernetes API
 * and drop its state. Watching commits keeps the deleting transaction free of side effects.
 * Returns the unsubscribe function.
 */
export function removeKubeOfDeletedClusters(env: ArmEnv): () => void {
  return env.store.watch(RES, undefined, (evs) => {
    for (const e of evs) {
      const rec = e.value as ResourceRecord | undefined;
      if (e.type !== "delete" || rec?.type?.toLowerCase() !== MANAGED_CLUSTER_TYPE.toLowerCase() || e.key !== recordKey(rec.id)) continue;
      // Off the commit callback: the removal writes.
      setImmediate(() => {
        const backend = kubeBackend(env);
        if (!backend || getRecord(env.store, rec.id)) return;
        void Promise.resolve(backend.remove(idKey(rec.id))).catch(() => undefined);
      });
    }
  });
}
