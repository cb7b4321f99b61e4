// Private-cluster DNS rules (reference/aks-vnet-integration.md §5.2–5.3). Pure.
import { AksErrors } from "./errors.js";
import { isAllowedCustomZoneName } from "./names.js";
import type { ApiServerAccess } from "./spec.js";
import type { IdentityFacts } from "./validate.js";

export type ZoneMode = { kind: "system" } | { kind: "none" } | { kind: "custom"; id: string; name: string };

const ZONE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/privateDnsZones\/([^/]+)$/i;

export function zoneMode(v: string | undefined): ZoneMode {
  if (v === undefined || v.toLowerCase() === "system") return { kind: "system" };
  if (v.toLowerCase() === "none") return { kind: "none" };
  const m = ZONE_ID.exec(v);
  return { kind: "custom", id: v, name: m ? m[1]! : "" };
}

export interface PrivateDnsInput {
  isCreate: boolean;
  region: string;
  requested: ApiServerAccess;
  /** Merged profile (modified in place: defaults filled, stale private fields dropped). */
  next: ApiServerAccess;
  previous?: ApiServerAccess;
  identity: IdentityFacts;
  zoneExists(id: string): boolean;
  canWriteZone(principalId: string, zoneId: string): boolean;
}

/** Fill private-cluster defaults into `next` and check the DNS zone rules. */
export function applyPrivateDns(inp: PrivateDnsInput): void {
  const { next, requested, previous } = inp;
  if (!next.enablePrivateCluster) {
    if (inp.isCreate && requested.privateDNSZone) throw AksErrors.privateDnsZoneForPublicCluster.make({}, { target: "apiServerAccessProfile.privateDNSZone" });
    if (inp.isCreate && requested.enablePrivateClusterPublicFQDN !== undefined && requested.enablePrivateClusterPublicFQDN !== null) {
      throw AksErrors.publicFqdnOnPublicCluster.make({}, { target: "apiServerAccessProfile.enablePrivateClusterPublicFQDN" });
    }
    // Public (again): private-only settings no longer apply.
    delete next.privateDNSZone;
    delete next.enablePrivateClusterPublicFQDN;
    next.enablePrivateCluster = false;
    return;
  }
  next.privateDNSZone = next.privateDNSZone ?? "system";
  const mode = zoneMode(next.privateDNSZone);
  if (mode.kind === "system") next.privateDNSZone = "system";
  if (mode.kind === "none") next.privateDNSZone = "none";
  if (next.enablePrivateClusterPublicFQDN === undefined) next.enablePrivateClusterPublicFQDN = true;
  if (mode.kind === "none" && next.enablePrivateClusterPublicFQDN === false) {
    throw AksErrors.noneZoneWithoutPublicFqdn.make({}, { target: "apiServerAccessProfile.privateDNSZone" });
  }
  const wasPrivate = !!previous?.enablePrivateCluster;
  if (wasPrivate && previous?.privateDNSZone && next.privateDNSZone.toLowerCase() !== previous.privateDNSZone.toLowerCase()) {
    if (mode.kind !== "none") throw AksErrors.privateDnsZoneChange.make({ from: previous.privateDNSZone, to: next.privateDNSZone }, { target: "apiServerAccessProfile.privateDNSZone" });
    return; // system/custom → none is allowed
  }
  if (mode.kind === "custom" && (inp.isCreate || !wasPrivate)) {
    const integrated = next.enableVnetIntegration === true;
    const expected = integrated ? `[<subzone>.]private.${inp.region}.azmk8s.io` : `[<subzone>.]privatelink.${inp.region}.azmk8s.io`;
    if (!mode.name || !isAllowedCustomZoneName(mode.name, inp.region, integrated)) {
      throw AksErrors.invalidPrivateDnsZone.make({ zone: mode.id, expected }, { target: "apiServerAccessProfile.privateDNSZone" });
    }
    if (inp.identity.kind !== "UserAssigned" && inp.identity.kind !== "ServicePrincipal") throw AksErrors.customPrivateDnsZoneNeedsUserAssigned.make({}, { target: "identity" });
    if (!inp.zoneExists(mode.id)) throw AksErrors.privateDnsZoneNotFound.make({ zone: mode.id }, { target: "apiServerAccessProfile.privateDNSZone" });
    if (inp.identity.principalId && !inp.canWriteZone(inp.identity.principalId, mode.id)) {
      throw AksErrors.customPrivateDnsZoneMissingPermission.make({ client: inp.identity.clientId ?? inp.identity.principalId, zone: mode.id });
    }
  }
}
