// az network vnet create/show/list/delete and az network vnet subnet create/show/list/update/delete
// over @azure/arm-network. Output as az's AAZ commands print it: the response with `properties`
// flattened (x-ms-client-flatten) at every level, fields the service sent, plus resourceGroup;
// `vnet create` wraps the result in {"newVNet": ...}.
import type { ArgSpec, CommandSpec } from "../types.js";
import { POLL_MS, type CommandContext } from "../context.js";
import { AzCliError } from "../errors.js";
import { flattenProperties } from "../shape.js";
import { collect, isValidResourceId, rawOf, location, noWait, parseTags, rg, str, tags, yes } from "./common.js";
import { formatCidr, parseCidr, subnetAt } from "../../../network/cidr.js";

type Raw = Record<string, unknown>;

function shape(v: unknown): Raw {
  return flattenProperties(v) as Raw;
}

const vnetName: ArgSpec = { dest: "vnet_name", options: ["--name", "-n"], required: true, help: "The virtual network (VNet) name." };
const subnetVnet: ArgSpec = { dest: "vnet_name", options: ["--vnet-name"], required: true, help: "The virtual network (VNet) name." };
const subnetName: ArgSpec = { dest: "subnet_name", options: ["--name", "-n"], required: true, help: "The subnet name." };

async function rgLocation(ctx: CommandContext, group: string): Promise<string> {
  const c = await ctx.resources();
  return (await c.resourceGroups.get(group)).location;
}

/** The first /24 (or the whole space when smaller) of the VNet's first prefix. */
export function defaultSubnetPrefix(vnetPrefix: string): string {
  const r = parseCidr(vnetPrefix);
  // An unreadable prefix goes to the server as given; it answers with the Network provider's error.
  if (!r.ok || r.cidr.prefixLength >= 24) return vnetPrefix;
  return formatCidr(subnetAt(r.cidr, 24, 0)!);
}

/** az's delegation list: names "0", "1", ...; dotted service names become Namespace/type. */
export function buildDelegations(values: unknown): Array<{ name: string; serviceName: string }> | undefined {
  if (values === null || values === undefined) return undefined;
  const list = (Array.isArray(values) ? values : [values]).map(String).filter((v) => v !== "");
  return list.map((svc, i) => {
    let serviceName = svc;
    if (!svc.includes("/") && svc.split(".").length === 3) {
      const [, service, type] = svc.split(".");
      serviceName = `Microsoft.${service}/${type}`;
    }
    return { name: String(i), serviceName };
  });
}

function prefixesBody(prefixes: unknown): { addressPrefix?: string; addressPrefixes?: string[] } {
  const list = (Array.isArray(prefixes) ? prefixes : prefixes ? [prefixes] : []).map(String);
  if (list.length === 1) return { addressPrefix: list[0] };
  if (list.length > 1) return { addressPrefixes: list };
  return {};
}

function idOrName(ctx: CommandContext, sub: string, group: string, type: string, value: string): string {
  if (isValidResourceId(value)) return value;
  return `/subscriptions/${sub}/resourceGroups/${group}/providers/Microsoft.Network/${type}/${value}`;
}

export function transformVnetTable(result: unknown): unknown {
  const one = (r: Raw) => {
    const addressSpace = (r.addressSpace ?? {}) as { addressPrefixes?: string[] };
    const dhcp = (r.dhcpOptions ?? {}) as { dnsServers?: string[] };
    return {
      Name: r.name,
      ResourceGroup: r.resourceGroup,
      Location: r.location,
      NumSubnets: ((r.subnets as unknown[]) ?? []).length,
      Prefixes: (addressSpace.addressPrefixes ?? []).join(", ") || " ",
      DnsServers: (dhcp.dnsServers ?? []).join(", ") || " ",
      DDOSProtection: r.enableDdosProtection ?? null,
      VMProtection: r.enableVmProtection ?? null,
    };
  };
  return Array.isArray(result) ? result.map((r) => one(r as Raw)) : one(result as Raw);
}

const subnetCommonArgs: ArgSpec[] = [
  { dest: "address_prefixes", options: ["--address-prefixes"], nargs: "+", help: "Space-separated list of address prefixes in CIDR format." },
  {
    dest: "delegations",
    options: ["--delegations"],
    nargs: "+",
    help: "Space-separated list of services to whom the subnet should be delegated, e.g., Microsoft.Sql/servers.",
  },
  { dest: "network_security_group", options: ["--network-security-group", "--nsg"], help: "Name or ID of a network security group (NSG)." },
  { dest: "route_table", options: ["--route-table"], help: "Name or ID of a route table to associate with the subnet." },
  { dest: "nat_gateway", options: ["--nat-gateway"], help: "Name or ID of a NAT gateway to attach." },
  {
    dest: "service_endpoints",
    options: ["--service-endpoints"],
    nargs: "+",
    help: "Space-separated list of services allowed private access to this subnet.",
  },
  {
    dest: "private_endpoint_network_policies",
    options: ["--private-endpoint-network-policies"],
    choices: ["Disabled", "Enabled", "NetworkSecurityGroupEnabled", "RouteTableEnabled"],
    help: "Manage network policy for private endpoint.",
  },
  {
    dest: "private_link_service_network_policies",
    options: ["--private-link-service-network-policies"],
    choices: ["Disabled", "Enabled"],
    help: "Manage network policy for private link service.",
  },
  { dest: "default_outbound_access", options: ["--default-outbound-access", "--default-outbound"], kind: "three_state", help: "Set this property to false to disable default outbound connectivity for all VMs in the subnet." },
  noWait(),
];

async function applySubnetArgs(ctx: CommandContext, a: Record<string, unknown>, body: Record<string, unknown>, group: string): Promise<void> {
  const sub = await ctx.subscriptionId();
  if (a.address_prefixes) {
    delete body.addressPrefix;
    delete body.addressPrefixes;
    Object.assign(body, prefixesBody(a.address_prefixes));
  }
  const del = buildDelegations(a.delegations);
  if (del) body.delegations = del;
  if (a.network_security_group !== null && a.network_security_group !== undefined) {
    body.networkSecurityGroup = a.network_security_group === "" ? null : { id: idOrName(ctx, sub, group, "networkSecurityGroups", String(a.network_security_group)) };
  }
  if (a.route_table !== null && a.route_table !== undefined) {
    body.routeTable = a.route_table === "" ? null : { id: idOrName(ctx, sub, group, "routeTables", String(a.route_table)) };
  }
  if (a.nat_gateway !== null && a.nat_gateway !== undefined) {
    body.natGateway = a.nat_gateway === "" ? null : { id: idOrName(ctx, sub, group, "natGateways", String(a.nat_gateway)) };
  }
  if (a.service_endpoints) body.serviceEndpoints = (a.service_endpoints as string[]).filter(Boolean).map((service) => ({ service }));
  if (a.private_endpoint_network_policies) body.privateEndpointNetworkPolicies = a.private_endpoint_network_policies;
  if (a.private_link_service_network_policies) body.privateLinkServiceNetworkPolicies = a.private_link_service_network_policies;
  if (a.default_outbound_access !== null && a.default_outbound_access !== undefined) body.defaultOutboundAccess = a.default_outbound_access;
}

async function getSubnetRaw(ctx: CommandContext, group: string, vnet: string, name: string): Promise<Raw> {
  const c = await ctx.network();
  return shape(await rawOf((o) => c.subnets.get(group, vnet, name, o)));
}

export const networkCommands: CommandSpec[] = [
  {
    name: "network vnet create",
    summary: "Create a virtual network.",
    longSummary:
      "You may also create a subnet at the same time by specifying a subnet name and (optionally) an address prefix. To learn about how to create a virtual network, visit https://learn.microsoft.com/azure/virtual-network/manage-virtual-network#create-a-virtual-network.",
    args: [
      vnetName,
      rg(),
      {
        dest: "address_prefixes",
        options: ["--address-prefixes"],
        nargs: "+",
        default: "10.0.0.0/16",
        help: "Space-separated list of IP address prefixes for the VNet.",
      },
      location(),
      { dest: "subnet_name", options: ["--subnet-name"], help: "Name of a new subnet to create within the VNet." },
      {
        dest: "subnet_prefixes",
        options: ["--subnet-prefixes"],
        nargs: "+",
        help: "Space-separated list of address prefixes in CIDR format for the new subnet. If omitted, automatically reserves a /24 (or as large as available) block within the VNet address space.",
      },
      { dest: "dns_servers", options: ["--dns-servers"], nargs: "+", help: "Space-separated list of DNS server IP addresses." },
      { dest: "ddos_protection", options: ["--ddos-protection"], kind: "three_state", help: "Control whether DDoS protection is enabled." },
      { dest: "vm_protection", options: ["--vm-protection"], kind: "three_state", help: "Enable VM protection for all subnets in the VNet.", ignored: true },
      { dest: "flowtimeout", options: ["--flowtimeout"], kind: "int", help: "The FlowTimeout value (in minutes) for the Virtual Network." },
      { dest: "edge_zone", options: ["--edge-zone"], help: "The name of edge zone.", ignored: true },
      { dest: "bgp_community", options: ["--bgp-community"], help: "The BGP community associated with the virtual network.", ignored: true },
      { dest: "network_security_group", options: ["--network-security-group", "--nsg"], help: "Name or ID of a network security group (NSG)." },
      { dest: "enable_encryption", options: ["--enable-encryption"], kind: "three_state", help: "Enable encryption on the virtual network." },
      {
        dest: "encryption_enforcement_policy",
        options: ["--encryption-enforcement-policy", "--encryption-policy"],
        choices: ["AllowUnencrypted", "DropUnencrypted"],
        help: "To control if the Virtual Machine without encryption is allowed in encrypted Virtual Network or not.",
      },
      tags(),
      noWait(),
    ],
    examples: [
      { name: "Create a virtual network.", text: "az network vnet create -g MyResourceGroup -n MyVnet --address-prefix 10.0.0.0/16 --subnet-name MySubnet --subnet-prefixes 10.0.0.0/24" },
      { name: "Create a virtual network with a specific address prefix and one subnet.", text: "az network vnet create -g MyResourceGroup -n MyVnet --address-prefix 10.0.0.0/16 --subnet-name MySubnet --subnet-prefixes 10.0.0.0/24" },
    ],
    handler: async (ctx, a) => {
      const group = String(a.resource_group_name);
      const c = await ctx.network();
      const loc = str(a.location) ?? (await rgLocation(ctx, group));
      const prefixes = (Array.isArray(a.address_prefixes) ? a.address_prefixes : [a.address_prefixes]).map(String);
      const body: Record<string, unknown> = { location: loc, addressSpace: { addressPrefixes: prefixes } };
      const t = parseTags(a.tags);
      if (t) body.tags = t;
      if (a.dns_servers) body.dhcpOptions = { dnsServers: a.dns_servers };
      if (a.ddos_protection !== null) body.enableDdosProtection = a.ddos_protection;
      if (a.flowtimeout !== null) body.flowTimeoutInMinutes = a.flowtimeout;
      if (a.enable_encryption !== null) {
        body.encryption = { enabled: a.enable_encryption, ...(a.encryption_enforcement_policy ? { enforcement: a.encryption_enforcement_policy } : {}) };
      }
      if (a.subnet_name) {
        const sp = a.subnet_prefixes ? (a.subnet_prefixes as string[]) : [defaultSubnetPrefix(prefixes[0]!)];
        const subnet: Record<string, unknown> = { name: a.subnet_name, ...prefixesBody(sp) };
        if (a.network_security_group) {
          const sub = await ctx.subscriptionId();
          subnet.networkSecurityGroup = { id: idOrName(ctx, sub, group, "networkSecurityGroups", String(a.network_security_group)) };
        }
        body.subnets = [subnet];
      } else if (a.subnet_prefixes) {
        throw new AzCliError("RequiredArgumentMissingError", "--subnet-name is required when --subnet-prefixes is specified.");
      }
      const name = String(a.vnet_name);
      if (a.no_wait) {
        await c.virtualNetworks.beginCreateOrUpdate(group, name, body as never, { updateIntervalInMs: POLL_MS });
        return undefined;
      }
      await ctx.lro(c.virtualNetworks.beginCreateOrUpdateAndWait(group, name, body as never, { updateIntervalInMs: POLL_MS }));
      return { newVNet: shape(await rawOf((o) => c.virtualNetworks.get(group, name, o))) };
    },
  },
  {
    name: "network vnet show",
    summary: "Get the details of a virtual network.",
    args: [vnetName, rg(), { dest: "expand", options: ["--expand"], help: "Expands referenced resources." }],
    examples: [{ name: "Get details for MyVNet.", text: "az network vnet show -g MyResourceGroup -n MyVNet" }],
    tableTransformer: transformVnetTable,
    handler: async (ctx, a) => {
      const c = await ctx.network();
      return shape(await rawOf((o) => c.virtualNetworks.get(String(a.resource_group_name), String(a.vnet_name), { ...o, ...(a.expand ? { expand: String(a.expand) } : {}) })));
    },
  },
  {
    name: "network vnet list",
    summary: "List virtual networks.",
    args: [rg({ required: false })],
    examples: [
      { name: "List all virtual networks in a subscription.", text: "az network vnet list" },
      { name: "List all virtual networks in a resource group.", text: "az network vnet list -g MyResourceGroup" },
    ],
    tableTransformer: transformVnetTable,
    handler: async (ctx, a) => {
      const c = await ctx.network();
      const out: unknown[] = [];
      const onResponse = (r: { parsedBody?: unknown }) => out.push(...(((r.parsedBody as { value?: unknown[] }) ?? {}).value ?? []));
      const it = a.resource_group_name ? c.virtualNetworks.list(String(a.resource_group_name), { onResponse }) : c.virtualNetworks.listAll({ onResponse });
      await collect(it);
      return out.map(shape);
    },
  },
  {
    name: "network vnet delete",
    summary: "Delete a virtual network.",
    args: [vnetName, rg(), noWait()],
    examples: [{ name: "Delete a virtual network.", text: "az network vnet delete -g MyResourceGroup -n myVNet" }],
    handler: async (ctx, a) => {
      const c = await ctx.network();
      const group = String(a.resource_group_name);
      if (a.no_wait) await c.virtualNetworks.beginDelete(group, String(a.vnet_name), { updateIntervalInMs: POLL_MS });
      else await ctx.lro(c.virtualNetworks.beginDeleteAndWait(group, String(a.vnet_name), { updateIntervalInMs: POLL_MS }));
      return undefined;
    },
  },
  {
    name: "network vnet subnet create",
    summary: "Create a subnet and associate an existing NSG and route table.",
    args: [subnetName, rg(), subnetVnet, ...subnetCommonArgs],
    examples: [
      {
        name: "Create new subnet attached to an NSG with a custom route table.",
        text: "az network vnet subnet create -g MyResourceGroup --vnet-name MyVnet -n MySubnet --address-prefixes 10.0.0.0/24 --network-security-group MyNsg --route-table MyRouteTable",
      },
      {
        name: "Create new subnet attached to a NAT gateway.",
        text: "az network vnet subnet create -n MySubnet --vnet-name MyVnet -g MyResourceGroup --nat-gateway MyNatGateway --address-prefixes \"10.0.0.0/21\"",
      },
    ],
    handler: async (ctx, a) => {
      const group = String(a.resource_group_name);
      const vnet = String(a.vnet_name);
      const name = String(a.subnet_name);
      const body: Record<string, unknown> = { name };
      await applySubnetArgs(ctx, a, body, group);
      const c = await ctx.network();
      if (a.no_wait) {
        await c.subnets.beginCreateOrUpdate(group, vnet, name, body as never, { updateIntervalInMs: POLL_MS });
        return undefined;
      }
      await ctx.lro(c.subnets.beginCreateOrUpdateAndWait(group, vnet, name, body as never, { updateIntervalInMs: POLL_MS }));
      return getSubnetRaw(ctx, group, vnet, name);
    },
  },
  {
    name: "network vnet subnet update",
    summary: "Update a subnet.",
    args: [subnetName, rg(), subnetVnet, ...subnetCommonArgs],
    examples: [
      { name: "Associate a network security group to a subnet.", text: "az network vnet subnet update -g MyResourceGroup -n MySubnet --vnet-name MyVNet --network-security-group MyNsg" },
      { name: "Update subnet with NAT gateway.", text: "az network vnet subnet update -n MySubnet --vnet-name MyVnet -g MyResourceGroup --nat-gateway MyNatGateway --address-prefixes \"10.0.0.0/21\"" },
      { name: "Disable default outbound access for a subnet", text: "az network vnet subnet update --resource-group MyResourceGroup --name MySubnet --vnet-name MyVNet --default-outbound-access false" },
    ],
    handler: async (ctx, a) => {
      const group = String(a.resource_group_name);
      const vnet = String(a.vnet_name);
      const name = String(a.subnet_name);
      const c = await ctx.network();
      // GET, modify, full PUT (as az's generic update does)
      const current = await c.subnets.get(group, vnet, name);
      const body: Record<string, unknown> = { ...current };
      if (a.delegations !== null && a.delegations !== undefined) body.delegations = buildDelegations(a.delegations) ?? [];
      await applySubnetArgs(ctx, { ...a, delegations: null }, body, group);
      if (a.no_wait) {
        await c.subnets.beginCreateOrUpdate(group, vnet, name, body as never, { updateIntervalInMs: POLL_MS });
        return undefined;
      }
      await ctx.lro(c.subnets.beginCreateOrUpdateAndWait(group, vnet, name, body as never, { updateIntervalInMs: POLL_MS }));
      return getSubnetRaw(ctx, group, vnet, name);
    },
  },
  {
    name: "network vnet subnet show",
    summary: "Show details of a subnet.",
    args: [subnetName, rg(), subnetVnet, { dest: "expand", options: ["--expand"], help: "Expands referenced resources." }],
    examples: [{ name: "Show the details of a subnet associated with a virtual network.", text: "az network vnet subnet show -g MyResourceGroup -n MySubnet --vnet-name MyVNet" }],
    handler: async (ctx, a) => getSubnetRaw(ctx, String(a.resource_group_name), String(a.vnet_name), String(a.subnet_name)),
  },
  {
    name: "network vnet subnet list",
    summary: "List the subnets in a virtual network.",
    args: [rg(), subnetVnet],
    examples: [{ name: "List the subnets in a virtual network.", text: "az network vnet subnet list -g MyResourceGroup --vnet-name MyVNet" }],
    handler: async (ctx, a) => {
      const c = await ctx.network();
      const out: unknown[] = [];
      const onResponse = (r: { parsedBody?: unknown }) => out.push(...(((r.parsedBody as { value?: unknown[] }) ?? {}).value ?? []));
      await collect(c.subnets.list(String(a.resource_group_name), String(a.vnet_name), { onResponse }));
      return out.map(shape);
    },
  },
  {
    name: "network vnet subnet delete",
    summary: "Delete a subnet.",
    args: [subnetName, rg(), subnetVnet, noWait()],
    examples: [{ name: "Delete a subnet.", text: "az network vnet subnet delete -g MyResourceGroup -n MySubnet --vnet-name MyVNet" }],
    handler: async (ctx, a) => {
      const c = await ctx.network();
      const args = [String(a.resource_group_name), String(a.vnet_name), String(a.subnet_name)] as const;
      if (a.no_wait) await c.subnets.beginDelete(...args, { updateIntervalInMs: POLL_MS });
      else await ctx.lro(c.subnets.beginDeleteAndWait(...args, { updateIntervalInMs: POLL_MS }));
      return undefined;
    },
  },
];

void yes;
