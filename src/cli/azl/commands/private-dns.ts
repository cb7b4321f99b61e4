// az network private-dns zone list/show, record-set list, record-set a list/show and link vnet
// list/show. az serves these with azure-mgmt-privatedns: every model attribute is printed (null
// when unset), `properties` flattened, and record sets drop their empty record lists
// (_format.py transform_privatedns_record_set_output). No JS SDK for Private DNS is among azl's
// dependencies, so the calls go through the SDK pipeline as raw requests (api-version 2024-06-01).
import type { ArgSpec, CommandSpec } from "../types.js";
import type { CommandContext } from "../context.js";
import { flattenProperties, withNulls } from "../shape.js";
import { rg } from "./common.js";

type Raw = Record<string, unknown>;
const API_VERSION = "2024-06-01";

const ZONE_KEYS = [
  "etag", "id", "internalId", "location", "maxNumberOfRecordSets", "maxNumberOfVirtualNetworkLinks", "maxNumberOfVirtualNetworkLinksWithRegistration",
  "name", "numberOfRecordSets", "numberOfVirtualNetworkLinks", "numberOfVirtualNetworkLinksWithRegistration", "provisioningState", "tags", "type",
];
const LINK_KEYS = ["etag", "id", "location", "name", "provisioningState", "registrationEnabled", "resolutionPolicy", "tags", "type", "virtualNetwork", "virtualNetworkLinkState"];
const RECORD_SET_KEYS = ["etag", "fqdn", "id", "isAutoRegistered", "metadata", "name", "ttl", "type"];
const RECORD_KEYS = ["aRecords", "aaaaRecords", "cnameRecord", "mxRecords", "ptrRecords", "soaRecord", "srvRecords", "txtRecords"];

async function sub(ctx: CommandContext): Promise<string> {
  return ctx.subscriptionId();
}

function zonePath(s: string, group: string, zone: string): string {
  return `/subscriptions/${s}/resourceGroups/${group}/providers/Microsoft.Network/privateDnsZones/${zone}`;
}

async function getOne(ctx: CommandContext, path: string): Promise<Raw> {
  return (await ctx.request("GET", path, { query: { "api-version": API_VERSION } })).body as Raw;
}

/** Every page of a list (nextLink). */
async function getAll(ctx: CommandContext, path: string): Promise<Raw[]> {
  const out: Raw[] = [];
  let next: string | undefined = path;
  let query: Record<string, string> | undefined = { "api-version": API_VERSION };
  while (next) {
    const page = (await ctx.request("GET", next, { query })).body as { value?: Raw[]; nextLink?: string };
    out.push(...(page.value ?? []));
    next = page.nextLink || undefined;
    query = undefined;
  }
  return out;
}

const zone = (v: Raw) => withNulls(flattenProperties(v) as Raw, ZONE_KEYS);
const link = (v: Raw) => withNulls(flattenProperties(v) as Raw, LINK_KEYS);
function recordSet(v: Raw): Raw {
  const o = withNulls(flattenProperties(v) as Raw, RECORD_SET_KEYS);
  for (const k of RECORD_KEYS) {
    const x = o[k];
    if (x === null || x === undefined || (Array.isArray(x) && x.length === 0)) delete o[k];
  }
  return o;
}

/** _format.py transform_privatedns_zone_table_output */
function zoneTable(result: unknown): unknown {
  const row = (i: Raw) => ({
    ZoneName: i.name,
    ResourceGroup: i.resourceGroup,
    RecordSets: i.numberOfRecordSets,
    MaxRecordSets: i.maxNumberOfRecordSets,
    VirtualNetworkLinks: i.numberOfVirtualNetworkLinks,
    MaxVirtualNetworkLinks: i.maxNumberOfVirtualNetworkLinks,
    VirtualNetworkLinksWithRegistration: i.numberOfVirtualNetworkLinksWithRegistration,
    MaxVirtualNetworkLinksWithRegistration: i.maxNumberOfVirtualNetworkLinksWithRegistration,
    ProvisioningState: i.provisioningState,
  });
  return Array.isArray(result) ? result.map((r) => row(r as Raw)) : row(result as Raw);
}

/** _format.py transform_privatedns_link_table_output */
function linkTable(result: unknown): unknown {
  const row = (i: Raw) => ({
    LinkName: i.name,
    ResourceGroup: i.resourceGroup,
    RegistrationEnabled: i.registrationEnabled,
    VirtualNetwork: (i.virtualNetwork as Raw | null)?.id ?? null,
    LinkState: i.virtualNetworkLinkState,
    ProvisioningState: i.provisioningState,
  });
  return Array.isArray(result) ? result.map((r) => row(r as Raw)) : row(result as Raw);
}

/** _format.py transform_privatedns_record_set_table_output */
function recordSetTable(result: unknown): unknown {
  return (Array.isArray(result) ? result : [result]).map((r) => {
    const i = r as Raw;
    const metadata = i.metadata as Record<string, string> | null;
    return {
      Name: i.name,
      ResourceGroup: i.resourceGroup,
      Ttl: i.ttl,
      Type: String(i.type).split("/").pop(),
      AutoRegistered: i.isAutoRegistered,
      Metadata: metadata && Object.keys(metadata).length ? Object.keys(metadata).sort().map((k) => `${k}="${metadata[k]}"`).join(" ") : " ",
    };
  });
}

const zoneName: ArgSpec = { dest: "zone_name", options: ["--zone-name", "-z"], required: true, help: "The name of the Private DNS zone." };

export const privateDnsCommands: CommandSpec[] = [
  {
    name: "network private-dns zone list",
    summary: "List Private DNS zones.",
    args: [rg({ required: false })],
    examples: [{ name: "List Private DNS zones in a resource group.", text: "az network private-dns zone list -g MyResourceGroup" }],
    tableTransformer: zoneTable,
    handler: async (ctx, a) => {
      const s = await sub(ctx);
      const base = a.resource_group_name ? `/subscriptions/${s}/resourceGroups/${String(a.resource_group_name)}` : `/subscriptions/${s}`;
      return (await getAll(ctx, `${base}/providers/Microsoft.Network/privateDnsZones`)).map(zone);
    },
  },
  {
    name: "network private-dns zone show",
    summary: "Get a Private DNS zone.",
    args: [rg(), { dest: "private_zone_name", options: ["--name", "-n"], required: true, help: "The name of the Private DNS zone." }],
    examples: [{ name: "Get a Private DNS zone.", text: "az network private-dns zone show -g MyResourceGroup -n www.mysite.com" }],
    tableTransformer: zoneTable,
    handler: async (ctx, a) => zone(await getOne(ctx, zonePath(await sub(ctx), String(a.resource_group_name), String(a.private_zone_name)))),
  },
  {
    name: "network private-dns record-set list",
    summary: "List all record sets within a Private DNS zone.",
    args: [rg(), zoneName],
    examples: [{ name: "List all record sets within a Private DNS zone.", text: "az network private-dns record-set list -g MyResourceGroup -z www.mysite.com" }],
    tableTransformer: recordSetTable,
    handler: async (ctx, a) => (await getAll(ctx, `${zonePath(await sub(ctx), String(a.resource_group_name), String(a.zone_name))}/ALL`)).map(recordSet),
  },
  {
    name: "network private-dns record-set a list",
    summary: "List all A record sets in a zone.",
    args: [rg(), zoneName],
    examples: [{ name: "List all A record sets in a zone.", text: "az network private-dns record-set a list -g MyResourceGroup -z www.mysite.com" }],
    tableTransformer: recordSetTable,
    handler: async (ctx, a) => (await getAll(ctx, `${zonePath(await sub(ctx), String(a.resource_group_name), String(a.zone_name))}/A`)).map(recordSet),
  },
  {
    name: "network private-dns record-set a show",
    summary: "Get an A record set.",
    args: [rg(), zoneName, { dest: "record_set_name", options: ["--name", "-n"], required: true, help: "The name of the record set, relative to the name of the zone." }],
    examples: [{ name: "Get an A record set.", text: "az network private-dns record-set a show -g MyResourceGroup -n MyRecordSet -z www.mysite.com" }],
    tableTransformer: recordSetTable,
    handler: async (ctx, a) => recordSet(await getOne(ctx, `${zonePath(await sub(ctx), String(a.resource_group_name), String(a.zone_name))}/A/${String(a.record_set_name)}`)),
  },
  {
    name: "network private-dns link vnet list",
    summary: "List the virtual network links to the specified Private DNS zone.",
    args: [rg(), zoneName],
    examples: [{ name: "List virtual network links to the specified Private DNS zone.", text: "az network private-dns link vnet list -g MyResourceGroup -z www.mysite.com" }],
    tableTransformer: linkTable,
    handler: async (ctx, a) => (await getAll(ctx, `${zonePath(await sub(ctx), String(a.resource_group_name), String(a.zone_name))}/virtualNetworkLinks`)).map(link),
  },
  {
    name: "network private-dns link vnet show",
    summary: "Get a virtual network link to the specified Private DNS zone.",
    args: [rg(), zoneName, { dest: "virtual_network_link_name", options: ["--name", "-n"], required: true, help: "The name of the virtual network link to the specified Private DNS zone." }],
    examples: [{ name: "Get a virtual network link to the specified Private DNS zone.", text: "az network private-dns link vnet show -g MyResourceGroup -n MyLinkName -z www.mysite.com" }],
    tableTransformer: linkTable,
    handler: async (ctx, a) => link(await getOne(ctx, `${zonePath(await sub(ctx), String(a.resource_group_name), String(a.zone_name))}/virtualNetworkLinks/${String(a.virtual_network_link_name)}`)),
  },
];
