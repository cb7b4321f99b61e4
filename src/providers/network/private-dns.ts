// Private DNS (swagger `privatedns`, api-versions 2018-09-01 … 2024-06-01): zones (location
// "global", plain-GUID etags, an SOA record set "@" created with the zone), record sets of every
// type as child records (`privateDnsZones/{zone}/A/{name}`), and virtual network links
// (`virtualNetworkLinks`, state Completed). Zone and link PUT/DELETE are LROs; record sets are
// synchronous. A zone with links cannot be deleted (409 CannotDeleteResource).
import type { Txn } from "../../store/store.js";
import type { ActionDef, ArmEnv, DeleteCtx, ResourceRecord, ResourceTypeDef, RenderCtx, WriteCtx } from "../../arm/types.js";
import { listByType, listChildren, putRecord } from "../../arm/repo.js";
import { idKey, nameOf, parentId, subscriptionOf } from "../../arm/resource-id.js";
import { parseAddress } from "../../network/cidr.js";
import { NetErrors } from "./errors.js";
import { PRIVATE_DNS_API_VERSIONS } from "./api-versions.js";
import { NS, T, arr, envelope, getTyped, guid, nrpDeleteStage, nrpLifecycle, obj, refId, throwIfBusy, PUT_STATE } from "./common.js";

type Reader = Pick<Txn, "get" | "list">;

/** Record types and the property holding their records. */
export const RECORD_TYPES: ReadonlyArray<readonly [string, string]> = [
  ["A", "aRecords"], ["AAAA", "aaaaRecords"], ["CNAME", "cnameRecord"], ["MX", "mxRecords"],
  ["PTR", "ptrRecords"], ["SOA", "soaRecord"], ["SRV", "srvRecords"], ["TXT", "txtRecords"],
];
function recordSetsOf(tx: Reader, zoneId: string): ResourceRecord[] {
  return RECORD_TYPES.flatMap(([t]) => listChildren(tx, zoneId, `${T.zone}/${t}`));
}

function linksOf(tx: Reader, zoneId: string): ResourceRecord[] {
  return listChildren(tx, zoneId, T.vnetLink);
}

function soaRecord(zoneId: string, zone: string): ResourceRecord {
  return {
    id: `${zoneId}/SOA/@`, name: "@", type: `${T.zone}/SOA`, etag: guid(),
    properties: {
      ttl: 3600, fqdn: `${zone}.`, isAutoRegistered: false,
      soaRecord: { email: "azureprivatedns-host.microsoft.com", expireTime: 2419200, host: "azureprivatedns.net", minimumTtl: 10, refreshTime: 3600, retryTime: 300, serialNumber: 1 },
    },
  };
}

function zonePut(ctx: WriteCtx): ResourceRecord {
  const { tx, id, body, existing } = ctx;
  const zone = nameOf(id);
  if (!existing) putRecord(tx, soaRecord(id, zone));
  return {
    id, name: zone, type: T.zone, location: "global",
    tags: body.tags ?? undefined,
    etag: guid(),
    properties: {
      provisioningState: PUT_STATE,
      internalId: existing?.properties?.internalId ?? Buffer.from(`${guid()};${zone}`).toString("base64"),
    },
    internal: { ...(existing?.internal ?? {}) },
  };
}

function renderZone(rec: ResourceRecord, ctx: RenderCtx): Record<string, unknown> {
  const links = linksOf(ctx.tx, rec.id);
  return envelope(rec, {
    maxNumberOfRecordSets: 25000,
    maxNumberOfVirtualNetworkLinks: 1000,
    maxNumberOfVirtualNetworkLinksWithRegistration: 100,
    numberOfRecordSets: recordSetsOf(ctx.tx, rec.id).length,
    numberOfVirtualNetworkLinks: links.length,
    numberOfVirtualNetworkLinksWithRegistration: links.filter((l) => l.properties?.registrationEnabled === true).length,
    provisioningState: rec.properties?.provisioningState ?? "Succeeded",
    internalId: rec.properties?.internalId,
  });
}

function checkZoneDeletable(tx: Reader, rec: ResourceRecord): void {
  const links = linksOf(tx, rec.id);
  if (links.length > 0) {
    const ids = links.slice(0, 3).map((l) => `'${T.zone}/${rec.name}/virtualNetworkLinks/${l.name}'`).join(", ");
    throw NetErrors.cannotDeleteResource.make({ ids });
  }
}

const zoneListAll: ActionDef = {
  method: "GET",
  run: ({ tx, record }) => ({ status: 200, body: { value: recordSetsOf(tx, record.id).map((r) => renderRecordSet(r)) } }),
};

export const privateDnsZoneType: ResourceTypeDef = {
  namespace: NS,
  type: "privateDnsZones",
  apiVersions: PRIVATE_DNS_API_VERSIONS,
  scope: "resourceGroup",
  // Location is always "global" (not a region), so the generic tracked-location rules do not apply.
  tracked: false,
  capabilities: "SupportsTags, SupportsLocation",
  strategy: {
    put: zonePut,
    ...nrpLifecycle(),
    asyncDelete: (ctx: DeleteCtx) => {
      throwIfBusy(ctx.env, ctx.tx, ctx.record, ctx.caller);
      checkZoneDeletable(ctx.tx, ctx.record);
      return nrpDeleteStage(ctx);
    },
    delete: (ctx: DeleteCtx) => {
      // Virtual network links are the zone's children: always inside a cascade's group.
      if (!ctx.cascade) checkZoneDeletable(ctx.tx, ctx.record);
    },
        render: renderZone,
    actions: { ALL: zoneListAll, recordsets: zoneListAll },
  },
};

// ---------------------------------------------------------------- record sets

function recordSetPut(ctx: WriteCtx, typeName: string, key: string): ResourceRecord {
  const { id, body, existing } = ctx;
  const p = obj(body.properties);
  const zone = nameOf(parentId(id)!);
  const name = nameOf(id);
  const records = p[key];
  if (typeName === "A") {
    for (const r of arr(records)) {
      const a = parseAddress(String(obj(r).ipv4Address ?? ""));
      if (!a || a.family !== 4) throw NetErrors.privateDnsInvalidRecord.make({ detail: `'${String(obj(r).ipv4Address)}' is not a valid IPv4 address.` });
    }
  }
  if (typeName === "AAAA") {
    for (const r of arr(records)) {
      const a = parseAddress(String(obj(r).ipv6Address ?? ""));
      if (!a || a.family !== 6) throw NetErrors.privateDnsInvalidRecord.make({ detail: `'${String(obj(r).ipv6Address)}' is not a valid IPv6 address.` });
    }
  }
  const properties: Record<string, any> = {
    ttl: typeof p.ttl === "number" ? p.ttl : 3600,
    fqdn: name === "@" ? `${zone}.` : `${name}.${zone}.`,
    isAutoRegistered: false,
  };
  if (p.metadata !== undefined) properties.metadata = p.metadata;
  if (records !== undefined) properties[key] = records;
  else if (key !== "cnameRecord" && key !== "soaRecord") properties[key] = [];
  return { id, name, type: `${T.zone}/${typeName}`, etag: guid(), properties, internal: { ...(existing?.internal ?? {}) } };
}

function recordSetPatch(ctx: WriteCtx, typeName: string, key: string): ResourceRecord {
  const cur = ctx.existing!;
  const p = obj(ctx.body.properties);
  const merged = { properties: { ...cur.properties, ...p } };
  const rec = recordSetPut({ ...ctx, body: merged }, typeName, key);
  return { ...rec, systemData: cur.systemData };
}

export function renderRecordSet(rec: ResourceRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { id: rec.id, name: rec.name, type: rec.type, etag: rec.etag, properties: rec.properties };
  return out;
}

function touchZone(tx: Txn, zoneId: string): void {
  const z = getTyped(tx, zoneId, T.zone);
  if (z) putRecord(tx, { ...z, etag: guid() });
}

export const recordSetTypes: ResourceTypeDef[] = RECORD_TYPES.map(([typeName, key]) => ({
  namespace: NS,
  type: `privateDnsZones/${typeName}`,
  apiVersions: PRIVATE_DNS_API_VERSIONS,
  scope: "resourceGroup" as const,
  tracked: false,
  strategy: {
    put: (ctx: WriteCtx) => {
      const rec = recordSetPut(ctx, typeName, key);
      touchZone(ctx.tx, parentId(ctx.id)!);
      return rec;
    },
    patch: (ctx: WriteCtx) => recordSetPatch(ctx, typeName, key),
    delete: (ctx: DeleteCtx) => touchZone(ctx.tx, parentId(ctx.record.id)!),
    render: (rec: ResourceRecord) => renderRecordSet(rec),
  },
}));

// ---------------------------------------------------------------- virtual network links

/** Zones whose namespaces overlap (equal, or one a sub-domain of the other). */
function overlappingZones(a: string, b: string): boolean {
  const x = a.toLowerCase().replace(/\.$/, "");
  const y = b.toLowerCase().replace(/\.$/, "");
  return x === y || x.endsWith(`.${y}`) || y.endsWith(`.${x}`);
}

function linkPut(ctx: WriteCtx): ResourceRecord {
  const { tx, id, body, existing } = ctx;
  const p = obj(body.properties);
  const zoneId = parentId(id)!;
  const zone = nameOf(zoneId);
  const vnetId = refId(p.virtualNetwork) ?? refId(existing?.properties?.virtualNetwork);
  if (!vnetId || !getTyped(tx, vnetId, T.vnet)) throw NetErrors.invalidResourceReference.make({ ref: vnetId ?? "", id });
  // One link per VNet across zones with overlapping namespaces (same-name zones in other groups too).
  const sub = subscriptionOf(id) ?? "";
  for (const other of listByType(tx, sub, T.vnetLink)) {
    if (idKey(other.id) === idKey(id)) continue;
    if (idKey(refId(other.properties?.virtualNetwork) ?? "") !== idKey(vnetId)) continue;
    const otherZone = nameOf(parentId(other.id)!);
    if (overlappingZones(zone, otherZone)) throw NetErrors.privateDnsOverlappingNamespaces.make({ zoneA: otherZone, zoneB: zone });
  }
  const properties: Record<string, any> = {
    provisioningState: PUT_STATE,
    virtualNetwork: { id: vnetId },
    registrationEnabled: p.registrationEnabled === true,
    virtualNetworkLinkState: "Completed",
  };
  if (typeof p.resolutionPolicy === "string") properties.resolutionPolicy = p.resolutionPolicy;
  touchZone(tx, zoneId);
  return { id, name: nameOf(id), type: T.vnetLink, location: "global", tags: body.tags ?? undefined, etag: guid(), properties, internal: { ...(existing?.internal ?? {}) } };
}

export const virtualNetworkLinkType: ResourceTypeDef = {
  namespace: NS,
  type: "privateDnsZones/virtualNetworkLinks",
  apiVersions: PRIVATE_DNS_API_VERSIONS,
  scope: "resourceGroup",
  tracked: false,
  strategy: {
    put: linkPut,
    ...nrpLifecycle({ finalizeDelete: (tx: Txn, _env: ArmEnv, rec: ResourceRecord) => touchZone(tx, parentId(rec.id)!) }),
    asyncDelete: (ctx: DeleteCtx) => {
      throwIfBusy(ctx.env, ctx.tx, ctx.record, ctx.caller);
      return nrpDeleteStage(ctx);
    },
    delete: (ctx: DeleteCtx) => touchZone(ctx.tx, parentId(ctx.record.id)!),
        render: (rec) => envelope(rec, rec.properties),
  },
};
