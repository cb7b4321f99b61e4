// Azure's activity log (Administrative category) as data: what one ARM write request leaves
// behind (a record), the events Azure shows for it (BeginRequest "Started", EndRequest
// "Succeeded"/"Accepted"/"Failed", and for a long-running operation a final EndRequest when it
// ends), the operation name of a request path, and the restricted $filter grammar of
// Microsoft.Insights/eventtypes/management/values. Pure: no store, no clock.
import { STATUS_CODES } from "node:http";
import { parseId, splitPath, typeOf, buildId } from "../../arm/resource-id.js";
import type { OperationRecord } from "../../arm/types.js";
import { InsightsErrors } from "./errors.js";

/** What the store keeps per ARM write request (one record; its events are derived on read). */
export interface ActivityRecord {
  subscriptionId: string;
  correlationId: string;
  requestId: string;
  clientRequestId?: string;
  clientIp?: string;
  method: string;
  resourceId: string;
  resourceType: string;
  provider: string;
  resourceGroup?: string;
  operationName: string;
  principal: { objectId: string; appId: string; tenantId: string };
  begin: string;
  end: string;
  statusCode: number;
  error?: { code?: string; message?: string };
  /** The long-running operation the request started (from its Azure-AsyncOperation/Location URL). */
  asyncOperation?: string;
}

export interface Localizable {
  value: string;
  localizedValue: string;
}

/** EventData as specification/monitor 2015-04-01 (activityLogs_API.json) defines it. */
export interface EventData {
  authorization: { action: string; scope: string };
  caller: string;
  channels: string;
  claims: Record<string, string>;
  correlationId: string;
  description: string;
  eventDataId: string;
  eventName: Localizable;
  category: Localizable;
  httpRequest?: { clientRequestId?: string; clientIpAddress?: string; method: string };
  id: string;
  level: "Informational" | "Error";
  resourceGroupName?: string;
  resourceProviderName: Localizable;
  resourceId: string;
  resourceType: Localizable;
  operationId: string;
  operationName: Localizable;
  properties: Record<string, string>;
  status: Localizable;
  subStatus: Localizable;
  eventTimestamp: string;
  submissionTimestamp: string;
  subscriptionId: string;
  tenantId: string;
}

const loc = (v: string): Localizable => ({ value: v, localizedValue: v });

/** "Created" for 201, as the subStatus shows it. */
export function statusName(code: number): string {
  return (STATUS_CODES[code] ?? String(code)).replace(/[^A-Za-z]/g, "");
}

export interface RequestTarget {
  resourceId: string;
  resourceType: string;
  provider: string;
  resourceGroup?: string;
  operationName: string;
}

/**
 * What an ARM write request acts on and its operation name as Azure logs it:
 * `Microsoft.Network/virtualNetworks/write`, `.../delete`, `Microsoft.ContainerService/managedClusters/stop/action`,
 * `Microsoft.Resources/subscriptions/resourceGroups/write`, `Microsoft.ContainerService/register/action`,
 * `Microsoft.Features/providers/features/register/action`. Undefined for a path outside a subscription.
 */
export function requestTarget(method: string, path: string): RequestTarget | undefined {
  const segs = splitPath(path);
  if (segs[0]?.toLowerCase() !== "subscriptions" || !segs[1]) return undefined;
  const verb = method === "DELETE" ? "delete" : method === "POST" ? "action" : "write";
  let p = parseId(path);
  let action: string | undefined;
  if (!p && method === "POST" && segs.length > 2) {
    // A POST on a resource group or subscription (exportTemplate, ...): the action follows the id.
    action = segs[segs.length - 1];
    p = parseId("/" + segs.slice(0, -1).join("/"));
  }
  if (!p) return undefined;
  const sub = p.subscriptionId!;
  if (p.blocks.length === 0) {
    const type = p.resourceGroup ? "Microsoft.Resources/subscriptions/resourceGroups" : "Microsoft.Resources/subscriptions";
    const id = buildId({ subscriptionId: sub, resourceGroup: p.resourceGroup, blocks: [] });
    return { resourceId: id, resourceType: type, provider: "Microsoft.Resources", resourceGroup: p.resourceGroup, operationName: action ? `${type}/${action}/action` : `${type}/${verb}` };
  }
  const blocks = p.blocks.map((b) => ({ ...b, types: [...b.types], names: [...b.names] }));
  const last = blocks[blocks.length - 1]!;
  if (method === "POST" && !action && last.types.length > last.names.length) action = last.types.pop();
  const id = buildId({ subscriptionId: sub, resourceGroup: p.resourceGroup, blocks });
  if (blocks[0]!.namespace.toLowerCase() === "microsoft.features" && blocks.length > 1) {
    // Feature registration: the action is Microsoft.Features' own, on the provider's feature.
    return { resourceId: id, resourceType: "Microsoft.Features/providers/features", provider: "Microsoft.Features", resourceGroup: p.resourceGroup, operationName: `Microsoft.Features/providers/features/${action ? `${action}/action` : verb}` };
  }
  const type = typeOf(last);
  return { resourceId: id, resourceType: type, provider: last.namespace, resourceGroup: p.resourceGroup, operationName: action ? `${type}/${action}/action` : `${type}/${verb}` };
}

/** The operation id at the end of an Azure-AsyncOperation or Location URL. */
export function asyncOperationOf(headers: Record<string, string>): string | undefined {
  for (const h of ["azure-asyncoperation", "Azure-AsyncOperation", "location", "Location"]) {
    const m = /\/(?:operations|operationresults)\/([^/?]+)/i.exec(headers[h] ?? "");
    if (m) return decodeURIComponent(m[1]!);
  }
  return undefined;
}

/** .NET ticks of an ISO timestamp, as Azure's event ids carry them. */
function ticks(iso: string): string {
  return ((BigInt(Date.parse(iso)) + 62135596800000n) * 10000n).toString();
}

/** A stable GUID-shaped id from a request id and an event's ordinal (the record holds one request). */
function eventId(requestId: string, n: number): string {
  const hex = requestId.replace(/-/g, "").toLowerCase().padEnd(32, "0").slice(0, 31) + n.toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The events of one record: BeginRequest, EndRequest, and a final EndRequest once its operation ended. */
export function eventsOf(r: ActivityRecord, op?: Pick<OperationRecord, "status" | "endTime" | "error">): EventData[] {
  const claims: Record<string, string> = {
    aud: "https://management.core.windows.net/",
    appid: r.principal.appId,
    "http://schemas.microsoft.com/identity/claims/objectidentifier": r.principal.objectId,
    "http://schemas.microsoft.com/identity/claims/tenantid": r.principal.tenantId,
  };
  const base = (n: number, name: "BeginRequest" | "EndRequest", status: string, subStatus: Localizable, at: string, failed: boolean, properties: Record<string, string>): EventData => {
    const id = eventId(r.requestId, n);
    return {
      authorization: { action: r.operationName, scope: r.resourceId },
      caller: r.principal.objectId,
      channels: "Operation",
      claims,
      correlationId: r.correlationId,
      description: "",
      eventDataId: id,
      eventName: { value: name, localizedValue: name === "BeginRequest" ? "Begin request" : "End request" },
      category: loc("Administrative"),
      httpRequest: { clientRequestId: r.clientRequestId, clientIpAddress: r.clientIp, method: r.method },
      id: `${r.resourceId}/events/${id}/ticks/${ticks(at)}`,
      level: failed ? "Error" : "Informational",
      resourceGroupName: r.resourceGroup,
      resourceProviderName: loc(r.provider),
      resourceId: r.resourceId,
      resourceType: loc(r.resourceType),
      operationId: r.requestId,
      operationName: loc(r.operationName),
      properties,
      status: loc(status),
      subStatus,
      eventTimestamp: at,
      submissionTimestamp: at,
      subscriptionId: r.subscriptionId,
      tenantId: r.principal.tenantId,
    };
  };
  const out = [base(0, "BeginRequest", "Started", loc(""), r.begin, false, { eventCategory: "Administrative", entity: r.resourceId, message: r.operationName })];
  const code = statusName(r.statusCode);
  const failed = r.statusCode >= 400;
  const endStatus = failed ? "Failed" : r.asyncOperation && (r.statusCode === 201 || r.statusCode === 202) ? "Accepted" : "Succeeded";
  const endProps: Record<string, string> = { statusCode: code, serviceRequestId: r.requestId };
  if (r.error) endProps.statusMessage = JSON.stringify({ error: r.error });
  out.push(base(1, "EndRequest", endStatus, { value: code, localizedValue: `${code} (HTTP Status Code: ${r.statusCode})` }, r.end, failed, endProps));
  if (r.asyncOperation && op && op.status !== "InProgress" && op.endTime && !failed) {
    const props: Record<string, string> = { statusCode: op.status === "Succeeded" ? "OK" : "BadRequest", serviceRequestId: r.asyncOperation };
    if (op.error) props.statusMessage = JSON.stringify({ error: { code: op.error.code, message: op.error.message } });
    out.push(base(2, "EndRequest", op.status, loc(""), op.endTime, op.status !== "Succeeded", props));
  }
  return out;
}

/** The conditions of a parsed $filter: a time window and exact-match fields. */
export interface ActivityFilter {
  from: number;
  to: number;
  equals: Array<{ field: FilterField; value: string }>;
}

type FilterField = "resourceGroupName" | "resourceUri" | "resourceId" | "resourceProvider" | "correlationId" | "caller" | "status" | "eventChannels" | "levels";

const FIELDS: Record<string, FilterField> = {
  resourcegroupname: "resourceGroupName",
  resourceuri: "resourceUri",
  resourceid: "resourceId",
  resourceprovider: "resourceProvider",
  correlationid: "correlationId",
  caller: "caller",
  status: "status",
  eventchannels: "eventChannels",
  levels: "levels",
};

/** Longer than any filter az or the portal sends; what is over it is refused before it is read. */
export const MAX_FILTER_LENGTH = 4096;

const WS = /\s/;

/** Split on `and` with blanks either side, outside quotes: one pass over the text. */
function conjuncts(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted || !WS.test(c)) {
      if (c === "'") quoted = !quoted;
      cur += c;
      i++;
      continue;
    }
    // a run of blanks: a separator when `and` and another blank follow it
    let j = i;
    while (j < text.length && WS.test(text[j]!)) j++;
    if (text.slice(j, j + 3).toLowerCase() === "and" && j + 3 < text.length && WS.test(text[j + 3]!)) {
      out.push(cur.trim());
      cur = "";
      i = j + 3;
      while (i < text.length && WS.test(text[i]!)) i++;
      continue;
    }
    cur += text.slice(i, j);
    i = j;
  }
  out.push(cur.trim());
  return out;
}

/** A timestamp of the filter: ISO 8601, a missing zone meaning UTC (az sends `datetime.utcnow().isoformat()`). */
function instant(text: string): number | undefined {
  const t = /(?:Z|[+-]\d\d:?\d\d)$/i.test(text) ? text : `${text}Z`;
  const n = Date.parse(t);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Parse the restricted $filter: `eventTimestamp ge '<t>'` is required, `eventTimestamp le '<t>'`
 * optional (now when absent), then `and`-joined `field eq 'value'` conditions on the fields Azure
 * documents. Anything else is a 400 naming the part it could not read.
 */
export function parseActivityFilter(filter: string | undefined, now: number): ActivityFilter {
  if (!filter || !filter.trim()) throw InsightsErrors.filterRequired.make({});
  if (filter.length > MAX_FILTER_LENGTH) throw InsightsErrors.filterTooLong.make({ length: filter.length, max: MAX_FILTER_LENGTH });
  const f: ActivityFilter = { from: NaN, to: now, equals: [] };
  for (const part of conjuncts(filter)) {
    const m = /^(\w+)\s+(eq|ge|le)\s+(?:'((?:[^']|'')*)'|(\S+))$/i.exec(part);
    if (!m) throw InsightsErrors.filterInvalid.make({ part });
    const field = m[1]!.toLowerCase();
    const op = m[2]!.toLowerCase();
    const value = m[3] !== undefined ? m[3].replace(/''/g, "'") : m[4]!;
    if (field === "eventtimestamp") {
      const t = instant(value);
      if (t === undefined || op === "eq") throw InsightsErrors.filterInvalid.make({ part });
      if (op === "ge") f.from = t;
      else f.to = t;
      continue;
    }
    const known = FIELDS[field];
    if (!known || op !== "eq") throw InsightsErrors.filterInvalid.make({ part });
    f.equals.push({ field: known, value });
  }
  if (Number.isNaN(f.from)) throw InsightsErrors.filterRequired.make({});
  return f;
}

/** Does an event pass the filter? Names and ids compare case-insensitively, as ARM compares them. */
export function matches(e: EventData, f: ActivityFilter): boolean {
  const t = Date.parse(e.eventTimestamp);
  if (t < f.from || t > f.to) return false;
  const same = (a: string | undefined, b: string) => (a ?? "").toLowerCase() === b.toLowerCase();
  for (const { field, value } of f.equals) {
    switch (field) {
      case "resourceGroupName":
        if (!same(e.resourceGroupName, value)) return false;
        break;
      case "resourceUri":
      case "resourceId":
        if (!same(e.resourceId, value.replace(/\/+$/, ""))) return false;
        break;
      case "resourceProvider":
        if (!same(e.resourceProviderName.value, value)) return false;
        break;
      case "correlationId":
        if (!same(e.correlationId, value)) return false;
        break;
      case "caller":
        if (!same(e.caller, value)) return false;
        break;
      case "status":
        if (!same(e.status.value, value)) return false;
        break;
      case "levels":
        if (!value.split(",").some((l) => same(e.level, l.trim()))) return false;
        break;
      case "eventChannels":
        break; // every event the emulator logs is in the Admin/Operation channels
    }
  }
  return true;
}

/** $select: only the named top-level properties (unknown names are left out, as Azure does). */
export function project(e: EventData, select: string | undefined): Partial<EventData> {
  if (!select || !select.trim()) return e;
  const names = new Map(Object.keys(e).map((k) => [k.toLowerCase(), k as keyof EventData]));
  const out: Partial<EventData> = {};
  for (const raw of select.split(",")) {
    const k = names.get(raw.trim().toLowerCase());
    if (k) (out as Record<string, unknown>)[k] = e[k];
  }
  return out;
}
