// az network lb (show/list and frontend-ip/address-pool/rule/inbound-nat-rule list/show),
// network public-ip create/show/list/delete, network nic show/list, network nsg
// create/show/list/delete and network nsg rule create/show/list, over @azure/arm-network.
// Output as az's AAZ commands print it: the service's response with `properties` flattened,
// plus resourceGroup; creates wrap the result as az does ({"publicIp": ...}, {"NewNSG": ...}).
import type { ArgSpec, CommandSpec } from "../types.js";
import { POLL_MS, type CommandContext } from "../context.js";
import { AzCliError } from "../errors.js";
import { flattenProperties } from "../shape.js";
import { location, noWait, parseTags, rawList, rawOf, rg, str, tags } from "./common.js";

type Raw = Record<string, unknown>;
const shape = (v: unknown) => flattenProperties(v) as Raw;
const group = (a: Record<string, unknown>) => String(a.resource_group_name);

async function rgLocation(ctx: CommandContext, name: string): Promise<string> {
  return (await (await ctx.resources()).resourceGroups.get(name)).location;
}

/** A resource list in a group, or in the subscription without --resource-group. */
async function listShaped(
  a: Record<string, unknown>,
  inGroup: (g: string, o: { onResponse: (r: { parsedBody?: unknown }) => void }) => AsyncIterable<unknown>,
  all: (o: { onResponse: (r: { parsedBody?: unknown }) => void }) => AsyncIterable<unknown>,
): Promise<Raw[]> {
  const items = a.resource_group_name ? await rawList((o) => inGroup(group(a), o)) : await rawList(all);
  return items.map(shape);
}

// ------------------------------------------------------------------------------- load balancers
const lbName: ArgSpec = { dest: "lb_name", options: ["--lb-name"], required: true, help: "The load balancer name." };

async function getLb(ctx: CommandContext, a: Record<string, unknown>): Promise<Raw> {
  const c = await ctx.network();
  return shape(await rawOf((o) => c.loadBalancers.get(group(a), String(a.lb_name), o)));
}

/** `az network lb <child> list/show`: AAZ reads the load balancer and selects the child array. */
function lbChildCommands(child: string, prop: string, noun: string, plural: string, nameHelp: string): CommandSpec[] {
  return [
    {
      name: `network lb ${child} list`,
      summary: `List ${plural}.`,
      args: [rg(), lbName],
      examples: [{ name: `List ${plural}.`, text: `az network lb ${child} list -g MyResourceGroup --lb-name MyLb` }],
      handler: async (ctx, a) => ((await getLb(ctx, a))[prop] as Raw[] | undefined) ?? [],
    },
    {
      name: `network lb ${child} show`,
      summary: `Get the details of ${noun}.`,
      args: [rg(), lbName, { dest: "name", options: ["--name", "-n"], required: true, help: nameHelp }],
      examples: [{ name: `Get the details of ${noun}.`, text: `az network lb ${child} show -g MyResourceGroup --lb-name MyLb -n MyName` }],
      handler: async (ctx, a) => {
        const items = ((await getLb(ctx, a))[prop] as Raw[] | undefined) ?? [];
        const hit = items.find((x) => String(x.name).toLowerCase() === String(a.name).toLowerCase());
        // AAZJsonSelector: a missing subresource is UserFault("ResourceNotFoundError")
        if (!hit) throw new AzCliError("UnclassifiedUserFault", "ResourceNotFoundError");
        return hit;
      },
    },
  ];
}

// ------------------------------------------------------------------------------- NSG rules
/** network _format.py transform_nsg_rule_table_output */
export function transformNsgRuleTable(result: unknown): unknown {
  const one = (r: Raw) => {
    const joined = (single: unknown, many: unknown) => {
      const list = (many as string[] | undefined)?.length ? (many as string[]) : single !== undefined && single !== null ? [String(single)] : [];
      return list.join(", ") || " ";
    };
    const asgs = (v: unknown) => ((v as Raw[] | undefined) ?? []).map((x) => String(x.id).split("/").pop()).join(", ") || "None";
    return {
      Name: r.name,
      ResourceGroup: r.resourceGroup,
      Priority: r.priority,
      SourcePortRanges: joined(r.sourcePortRange, r.sourcePortRanges),
      SourceAddressPrefixes: joined(r.sourceAddressPrefix, r.sourceAddressPrefixes),
      SourceASG: asgs(r.sourceApplicationSecurityGroups),
      Access: r.access,
      Protocol: r.protocol,
      Direction: r.direction,
      DestinationPortRanges: joined(r.destinationPortRange, r.destinationPortRanges),
      DestinationAddressPrefixes: joined(r.destinationAddressPrefix, r.destinationAddressPrefixes),
      DestinationASG: asgs(r.destinationApplicationSecurityGroups),
    };
  };
  return Array.isArray(result) ? result.map((r) => one(r as Raw)) : one(result as Raw);
}

/** One value → `<one>`, several → `<many>`, as az's nsg rule create builds the body. */
function singleOrMany(body: Raw, one: string, many: string, values: unknown, fallback: string): void {
  const list = (Array.isArray(values) ? values : values === null || values === undefined ? [fallback] : [values]).map(String);
  if (list.length === 1) body[one] = list[0];
  else body[many] = list;
}

const nsgName: ArgSpec = { dest: "nsg_name", options: ["--nsg-name"], required: true, help: "Name of the network security group." };
const nsgRuleName: ArgSpec = { dest: "name", options: ["--name", "-n"], required: true, help: "Name of the network security group rule." };

// ------------------------------------------------------------------------------- command table
const pipName: ArgSpec = { dest: "name", options: ["--name", "-n"], required: true, help: "The name of the public IP address." };
const nicName: ArgSpec = { dest: "name", options: ["--name", "-n"], required: true, help: "The network interface (NIC)." };
const nsgOwnName: ArgSpec = { dest: "name", options: ["--name", "-n"], required: true, help: "Name of the network security group." };

export const networkResourceCommands: CommandSpec[] = [
  {
    name: "network lb show",
    summary: "Get the details of a load balancer.",
    args: [{ dest: "lb_name", options: ["--name", "-n"], required: true, help: "The load balancer name." }, rg(), { dest: "expand", options: ["--expand"], help: "Expands referenced resources." }],
    examples: [{ name: "Get the details of a load balancer.", text: "az network lb show -g MyResourceGroup -n MyLb" }],
    handler: getLb,
  },
  {
    name: "network lb list",
    summary: "List load balancers.",
    args: [rg({ required: false })],
    examples: [
      { name: "List load balancers.", text: "az network lb list -g MyResourceGroup" },
      { name: "List the load balancers of a cluster's node resource group.", text: "az network lb list -g MC_MyResourceGroup_MyManagedCluster_westus2 -o table" },
    ],
    handler: async (ctx, a) => {
      const c = await ctx.network();
      return listShaped(a, (g, o) => c.loadBalancers.list(g, o), (o) => c.loadBalancers.listAll(o));
    },
  },
  ...lbChildCommands("frontend-ip", "frontendIPConfigurations", "a frontend IP address", "frontend IP addresses", "The name of the frontend IP configuration."),
  ...lbChildCommands("address-pool", "backendAddressPools", "an address pool", "address pools", "The name of the backend address pool."),
  ...lbChildCommands("rule", "loadBalancingRules", "a load balancing rule", "load balancing rules", "The name of the load balancing rule."),
  ...lbChildCommands("inbound-nat-rule", "inboundNatRules", "an inbound NAT rule", "inbound NAT rules", "The name of the inbound NAT rule."),
  {
    name: "network public-ip create",
    summary: "Create a public IP address.",
    args: [
      pipName,
      rg(),
      location(),
      { dest: "allocation_method", options: ["--allocation-method"], choices: ["Dynamic", "Static"], help: "IP address allocation method." },
      { dest: "sku", options: ["--sku"], choices: ["Basic", "Standard"], default: "Standard", help: "Name of a public IP address SKU." },
      { dest: "tier", options: ["--tier"], choices: ["Global", "Regional"], help: "Tier of a public IP address SKU. Please note that sku Basic is retired and Global tier is only supported for Standard SKU." },
      { dest: "version", options: ["--version"], choices: ["IPv4", "IPv6"], default: "IPv4", help: "IP address type." },
      { dest: "zone", options: ["--zone", "-z"], nargs: "+", help: "Space-separated list of availability zones into which to provision the resource." },
      { dest: "dns_name", options: ["--dns-name"], help: "Globally unique DNS name." },
      { dest: "idle_timeout", options: ["--idle-timeout"], kind: "int", default: 4, help: "Idle timeout in minutes." },
      tags(),
    ],
    examples: [
      { name: "Create a basic public IP resource.", text: "az network public-ip create -g MyResourceGroup -n MyIp" },
      { name: "Create a static public IP resource for a DNS name label.", text: "az network public-ip create -g MyResourceGroup -n MyIp --dns-name MyLabel --allocation-method Static" },
    ],
    handler: async (ctx, a) => {
      const c = await ctx.network();
      const sku = String(a.sku);
      const body: Raw = {
        location: str(a.location) ?? (await rgLocation(ctx, group(a))),
        sku: { name: sku, ...(a.tier ? { tier: a.tier } : {}) },
        // az: Standard SKU (and IPv6) are Static unless told otherwise
        publicIPAllocationMethod: str(a.allocation_method) ?? (sku.toLowerCase() === "standard" || a.version === "IPv6" ? "Static" : "Dynamic"),
        publicIPAddressVersion: a.version,
        idleTimeoutInMinutes: a.idle_timeout,
        ...(a.dns_name ? { dnsSettings: { domainNameLabel: a.dns_name } } : {}),
      };
      if (a.zone) body.zones = a.zone;
      const t = parseTags(a.tags);
      if (t) body.tags = t;
      const name = String(a.name);
      const poller = c.publicIPAddresses.beginCreateOrUpdate(group(a), name, body as never, { updateIntervalInMs: POLL_MS });
      await ctx.lro((await poller).pollUntilDone());
      return { publicIp: shape(await rawOf((o) => c.publicIPAddresses.get(group(a), name, o))) };
    },
  },
  {
    name: "network public-ip show",
    summary: "Get the details of a public IP address.",
    args: [pipName, rg(), { dest: "expand", options: ["--expand"], help: "Expands referenced resources." }],
    examples: [{ name: "Get information about a public IP resource.", text: "az network public-ip show -g MyResourceGroup -n MyIp" }],
    handler: async (ctx, a) => {
      const c = await ctx.network();
      return shape(await rawOf((o) => c.publicIPAddresses.get(group(a), String(a.name), o)));
    },
  },
  {
    name: "network public-ip list",
    summary: "List public IP addresses.",
    args: [rg({ required: false })],
    examples: [
      { name: "List all public IPs in a subscription.", text: "az network public-ip list" },
      { name: "List all public IPs in a resource group.", text: "az network public-ip list -g MyResourceGroup" },
    ],
    handler: async (ctx, a) => {
      const c = await ctx.network();
      return listShaped(a, (g, o) => c.publicIPAddresses.list(g, o), (o) => c.publicIPAddresses.listAll(o));
    },
  },
  {
    name: "network public-ip delete",
    summary: "Delete a public IP address.",
    args: [pipName, rg(), noWait()],
    examples: [{ name: "Delete a public IP address.", text: "az network public-ip delete -g MyResourceGroup -n MyIp" }],
    handler: async (ctx, a) => {
      const c = await ctx.network();
      const poller = await c.publicIPAddresses.beginDelete(group(a), String(a.name), { updateIntervalInMs: POLL_MS });
      if (!a.no_wait) await ctx.lro(poller.pollUntilDone());
      return undefined;
    },
  },
  {
    name: "network nic show",
    summary: "Get the details of a network interface.",
    args: [nicName, rg(), { dest: "expand", options: ["--expand"], help: "Expands referenced resources." }],
    examples: [{ name: "Get the internal domain name suffix of a NIC.", text: "az network nic show -g MyResourceGroup -n MyNic --query \"dnsSettings.internalDomainNameSuffix\"" }],
    handler: async (ctx, a) => {
      const c = await ctx.network();
      return shape(await rawOf((o) => c.networkInterfaces.get(group(a), String(a.name), o)));
    },
  },
  {
    name: "network nic list",
    summary: "List network interfaces.",
    longSummary:
      "A node pool's instance NICs are children of its virtual machine scale set (Microsoft.Compute/virtualMachineScaleSets/virtualMachines/networkInterfaces), not listed here; read them with `az rest`.",
    args: [rg({ required: false })],
    examples: [
      { name: "List all NICs by internal DNS suffix.", text: "az network nic list --query \"[?dnsSettings.internalDomainNameSuffix=`<dns_suffix>`]\"" },
    ],
    handler: async (ctx, a) => {
      const c = await ctx.network();
      return listShaped(a, (g, o) => c.networkInterfaces.list(g, o), (o) => c.networkInterfaces.listAll(o));
    },
  },
  {
    name: "network nsg create",
    summary: "Create a network security group.",
    args: [nsgOwnName, rg(), location(), tags()],
    examples: [
      { name: "Create an NSG in a resource group within a region.", text: "az network nsg create -g MyResourceGroup -n MyNsg --location westus" },
    ],
    handler: async (ctx, a) => {
      const c = await ctx.network();
      const body: Raw = { location: str(a.location) ?? (await rgLocation(ctx, group(a))) };
      const t = parseTags(a.tags);
      if (t) body.tags = t;
      const name = String(a.name);
      await ctx.lro(c.networkSecurityGroups.beginCreateOrUpdateAndWait(group(a), name, body as never, { updateIntervalInMs: POLL_MS }));
      return { NewNSG: shape(await rawOf((o) => c.networkSecurityGroups.get(group(a), name, o))) };
    },
  },
  {
    name: "network nsg show",
    summary: "Get information about a network security group.",
    args: [nsgOwnName, rg(), { dest: "expand", options: ["--expand"], help: "Expands referenced resources." }],
    examples: [{ name: "Get basic information about an NSG.", text: "az network nsg show -g MyResourceGroup -n MyNsg" }],
    handler: async (ctx, a) => {
      const c = await ctx.network();
      return shape(await rawOf((o) => c.networkSecurityGroups.get(group(a), String(a.name), o)));
    },
  },
  {
    name: "network nsg list",
    summary: "List network security groups.",
    args: [rg({ required: false })],
    examples: [{ name: "List all NSGs in the 'westus' region.", text: "az network nsg list --query \"[?location=='westus']\"" }],
    handler: async (ctx, a) => {
      const c = await ctx.network();
      return listShaped(a, (g, o) => c.networkSecurityGroups.list(g, o), (o) => c.networkSecurityGroups.listAll(o));
    },
  },
  {
    name: "network nsg delete",
    summary: "Delete a network security group.",
    args: [nsgOwnName, rg(), noWait()],
    examples: [{ name: "Delete an NSG in a resource group.", text: "az network nsg delete -g MyResourceGroup -n MyNsg" }],
    handler: async (ctx, a) => {
      const c = await ctx.network();
      const poller = await c.networkSecurityGroups.beginDelete(group(a), String(a.name), { updateIntervalInMs: POLL_MS });
      if (!a.no_wait) await ctx.lro(poller.pollUntilDone());
      return undefined;
    },
  },
  {
    name: "network nsg rule create",
    summary: "Create a network security group rule.",
    args: [
      nsgRuleName,
      nsgName,
      rg(),
      { dest: "priority", options: ["--priority"], kind: "int", required: true, help: "Rule priority, between 100 (highest priority) and 4096 (lowest priority). Must be unique for each rule in the collection." },
      { dest: "access", options: ["--access"], choices: ["Allow", "Deny"], default: "Allow", help: "Allowed or denied." },
      { dest: "direction", options: ["--direction"], choices: ["Inbound", "Outbound"], default: "Inbound", help: "Rule direction." },
      { dest: "protocol", options: ["--protocol"], choices: ["*", "Ah", "Esp", "Icmp", "Tcp", "Udp"], default: "*", help: "Network protocol this rule applies to." },
      { dest: "description", options: ["--description"], help: "Rule description." },
      { dest: "source_address_prefixes", options: ["--source-address-prefixes"], nargs: "+", help: "Space-separated list of CIDR prefixes or IP ranges. Alternatively, specify ONE of 'VirtualNetwork', 'AzureLoadBalancer', 'Internet' or '*' to match all IPs. Default: *.", group: "Source" },
      { dest: "source_port_ranges", options: ["--source-port-ranges"], nargs: "+", help: "Space-separated list of ports or port ranges between 0-65535. Use '*' to match all ports. Default: *.", group: "Source" },
      { dest: "destination_address_prefixes", options: ["--destination-address-prefixes"], nargs: "+", help: "Space-separated list of CIDR prefixes or IP ranges. Alternatively, specify ONE of 'VirtualNetwork', 'AzureLoadBalancer', 'Internet' or '*' to match all IPs. Default: *.", group: "Destination" },
      { dest: "destination_port_ranges", options: ["--destination-port-ranges"], nargs: "+", help: "Space-separated list of ports or port ranges between 0-65535. Use '*' to match all ports. Default: 80.", group: "Destination" },
      noWait(),
    ],
    examples: [
      {
        name: "Create a basic \"Allow\" NSG rule with the highest priority.",
        text: "az network nsg rule create -g MyResourceGroup --nsg-name MyNsg -n MyNsgRule --priority 100",
      },
      {
        name: "Create a \"Deny\" rule over TCP for a specific IP address range with the lowest priority.",
        text: "az network nsg rule create -g MyResourceGroup --nsg-name MyNsg -n MyNsgRule --priority 4096 --source-address-prefixes 208.130.28/24 --source-port-ranges 80 --destination-address-prefixes '*' --destination-port-ranges 80 8080 --access Deny --protocol Tcp --description \"Deny from specific IP address ranges on 80 and 8080.\"",
      },
    ],
    tableTransformer: transformNsgRuleTable,
    handler: async (ctx, a) => {
      const c = await ctx.network();
      const body: Raw = { priority: a.priority, access: a.access, direction: a.direction, protocol: a.protocol };
      if (a.description) body.description = a.description;
      singleOrMany(body, "sourceAddressPrefix", "sourceAddressPrefixes", a.source_address_prefixes, "*");
      singleOrMany(body, "sourcePortRange", "sourcePortRanges", a.source_port_ranges, "*");
      singleOrMany(body, "destinationAddressPrefix", "destinationAddressPrefixes", a.destination_address_prefixes, "*");
      singleOrMany(body, "destinationPortRange", "destinationPortRanges", a.destination_port_ranges, "80");
      const name = String(a.name);
      const poller = await c.securityRules.beginCreateOrUpdate(group(a), String(a.nsg_name), name, body as never, { updateIntervalInMs: POLL_MS });
      if (a.no_wait) return undefined;
      await ctx.lro(poller.pollUntilDone());
      return shape(await rawOf((o) => c.securityRules.get(group(a), String(a.nsg_name), name, o)));
    },
  },
  {
    name: "network nsg rule show",
    summary: "Get the details of a network security group rule.",
    args: [nsgRuleName, nsgName, rg()],
    examples: [{ name: "Get the details of a network security group rule.", text: "az network nsg rule show -g MyResourceGroup --nsg-name MyNsg -n MyNsgRule" }],
    tableTransformer: transformNsgRuleTable,
    handler: async (ctx, a) => {
      const c = await ctx.network();
      return shape(await rawOf((o) => c.securityRules.get(group(a), String(a.nsg_name), String(a.name), o)));
    },
  },
  {
    name: "network nsg rule list",
    summary: "List all rules in a network security group.",
    args: [nsgName, rg(), { dest: "include_default", options: ["--include-default"], kind: "flag", help: "Include default security rules in the output." }],
    examples: [{ name: "List all rules in a network security group.", text: "az network nsg rule list -g MyResourceGroup --nsg-name MyNsg" }],
    tableTransformer: transformNsgRuleTable,
    handler: async (ctx, a) => {
      const c = await ctx.network();
      const nsg = shape(await rawOf((o) => c.networkSecurityGroups.get(group(a), String(a.nsg_name), o)));
      const rules = (nsg.securityRules as Raw[] | undefined) ?? [];
      return a.include_default ? [...rules, ...((nsg.defaultSecurityRules as Raw[] | undefined) ?? [])] : rules;
    },
  },
];
