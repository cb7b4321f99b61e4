// az resource list/show (command module "resource", custom.list_resources / show_resource) over
// @azure/arm-resources. show resolves the api-version as az does (_ResourceUtils): the newest
// non-preview version the provider lists for the type, else the newest.
import type { CommandSpec } from "../types.js";
import type { CommandContext } from "../context.js";
import { AzCliError } from "../errors.js";
import { withNulls } from "../shape.js";
import { collect, LOCATION_HELP, parseResourceId, RG_HELP, rawOf, str } from "./common.js";

type Raw = Record<string, unknown>;

const GENERIC_KEYS = ["extendedLocation", "id", "identity", "kind", "location", "managedBy", "name", "plan", "properties", "sku", "tags", "type"];

/** az's _list_resources_odata_filter_builder. */
export function resourceListFilter(a: { group?: string; namespace?: string; type?: string; name?: string; location?: string; tag?: string }): string {
  const filters: string[] = [];
  if (a.group) filters.push(`resourceGroup eq '${a.group}'`);
  if (a.name) filters.push(`name eq '${a.name}'`);
  if (a.location) filters.push(`location eq '${a.location}'`);
  if (a.type) {
    if (a.namespace) filters.push(`resourceType eq '${a.namespace}/${a.type}'`);
    else if (!/[^/]+\/[^/]+/.test(a.type)) throw new AzCliError("UnclassifiedUserFault", "Malformed resource-type: --resource-type=<namespace>/<resource-type> expected.");
    else filters.push(`resourceType eq '${a.type}'`);
  } else if (a.namespace) throw new AzCliError("UnclassifiedUserFault", "--namespace also requires --resource-type");
  if (a.tag) {
    const i = a.tag.indexOf("=");
    const tagName = i < 0 ? a.tag : a.tag.slice(0, i);
    const tagValue = i < 0 ? "" : a.tag.slice(i + 1);
    if (tagName) {
      if (filters.length) throw new AzCliError("UnclassifiedUserFault", "you cannot use '--tag' with other filters");
      filters.push(`tagName eq '${tagName}'`);
      if (tagValue !== "") filters.push(`tagValue eq '${tagValue}'`);
    }
  }
  return filters.join(" and ");
}

/** acs/resource transform_resource_list */
function transformResourceList(result: unknown): unknown {
  return (result as Raw[]).map((r) => {
    const props = r.properties as Raw | null | undefined;
    return { Name: r.name, ResourceGroup: r.resourceGroup, Location: r.location, Type: r.type, Status: props && typeof props === "object" ? (props.provisioningStatus ?? null) : " " };
  });
}

/** The resource ID az's show builds from -g/--namespace/--parent/--resource-type/-n. */
function idFromParts(sub: string, a: Record<string, unknown>): string {
  const group = str(a.resource_group_name);
  const name = str(a.resource_name);
  let type = str(a.resource_type);
  let ns = str(a.resource_provider_namespace);
  if (!group || !name || !type) {
    throw new AzCliError("RequiredArgumentMissingError", "(--ids | --resource-group --name --resource-type) are required");
  }
  if (!ns) {
    const i = type.indexOf("/");
    if (i < 0) throw new AzCliError("UnclassifiedUserFault", "Malformed resource-type: --resource-type=<namespace>/<resource-type> expected.");
    ns = type.slice(0, i);
    type = type.slice(i + 1);
  }
  const parent = str(a.parent_resource_path);
  return `/subscriptions/${sub}/resourceGroups/${group}/providers/${ns}/${parent ? parent + "/" : ""}${type}/${name}`;
}

/** `<namespace>/<type>[/<child type>...]` of a resource ID. */
function typeOfId(id: string): { namespace: string; type: string } {
  const p = parseResourceId(id);
  if (!p) throw new AzCliError("InvalidArgumentValueError", `Invalid resource ID: '${id}'.`);
  return { namespace: p.namespace, type: [p.type, ...p.children.map((c) => c.type)].join("/") };
}

async function resolveApiVersion(ctx: CommandContext, namespace: string, type: string): Promise<string> {
  const c = await ctx.resources();
  const provider = await c.providers.get(namespace);
  const rt = (provider.resourceTypes ?? []).find((t) => (t.resourceType ?? "").toLowerCase() === type.toLowerCase());
  if (!rt) throw new AzCliError("UnclassifiedUserFault", `The resource type '${type}' could not be found in the namespace '${namespace}'.`);
  const versions = rt.apiVersions ?? [];
  const stable = versions.find((v) => !v.toLowerCase().includes("preview"));
  const v = stable ?? versions[0];
  if (!v) throw new AzCliError("UnclassifiedUserFault", `No API versions found for the resource type '${type}' in the namespace '${namespace}'.`);
  return v;
}

async function showOne(ctx: CommandContext, id: string, apiVersion: string | undefined): Promise<Raw> {
  const { namespace, type } = typeOfId(id);
  const v = apiVersion ?? (await resolveApiVersion(ctx, namespace, type));
  const c = await ctx.resources();
  // GenericResource: `properties` stays the service's own dictionary (no renaming or flattening)
  return withNulls((await rawOf((o) => c.resources.getById(id, v, o))) as Raw, GENERIC_KEYS);
}

export const resourceCommands: CommandSpec[] = [
  {
    name: "resource list",
    summary: "List resources.",
    args: [
      { dest: "resource_group_name", options: ["--resource-group", "-g"], help: RG_HELP },
      { dest: "name", options: ["--name", "-n"], help: "The resource name. (Ex: myC)." },
      { dest: "resource_provider_namespace", options: ["--namespace"], help: "Provider namespace (Ex: 'Microsoft.Provider')." },
      { dest: "resource_type", options: ["--resource-type"], help: "The resource type (Ex: 'resC'). Can also accept namespace/type format (Ex: 'Microsoft.Provider/resC')." },
      { dest: "tag", options: ["--tag"], help: "A single tag in 'key[=value]' format. Use \"\" to clear existing tags." },
      { dest: "location", options: ["--location", "-l"], help: LOCATION_HELP },
    ],
    examples: [
      { name: "List all resources in the West US region.", text: "az resource list --location westus" },
      { name: "List all resources with the name 'resourceName'.", text: "az resource list --name 'resourceName'" },
      { name: "List all resources with the tag 'test'.", text: "az resource list --tag test" },
      { name: "List all the resources of a type in a resource group.", text: "az resource list -g MC_myrg_mycluster_westus2 --resource-type Microsoft.Network/loadBalancers" },
    ],
    tableTransformer: transformResourceList,
    handler: async (ctx, a) => {
      const c = await ctx.resources();
      const group = str(a.resource_group_name);
      if (group) await c.resourceGroups.get(group);
      const filter = resourceListFilter({ group, namespace: str(a.resource_provider_namespace), type: str(a.resource_type), name: str(a.name), location: str(a.location), tag: str(a.tag) });
      const out: Raw[] = [];
      await collect(
        c.resources.list({
          filter: filter || undefined,
          expand: "createdTime,changedTime,provisioningState",
          onResponse: (r) => out.push(...((((r.parsedBody as { value?: Raw[] }) ?? {}).value ?? []) as Raw[])),
        }),
      );
      return out.map((r) => withNulls(r, [...GENERIC_KEYS, "changedTime", "createdTime", "provisioningState"]));
    },
  },
  {
    name: "resource show",
    summary: "Get the details of a resource.",
    args: [
      { dest: "ids", options: ["--ids"], nargs: "+", help: "One or more resource IDs (space-delimited). It should be a complete resource ID containing all information of 'Resource Id' arguments. If provided, no other 'Resource Id' arguments should be specified.", group: "Resource Id Arguments" },
      { dest: "resource_group_name", options: ["--resource-group", "-g"], help: RG_HELP, group: "Resource Id Arguments" },
      { dest: "resource_name", options: ["--name", "-n"], help: "The resource name. (Ex: myC).", group: "Resource Id Arguments" },
      { dest: "resource_provider_namespace", options: ["--namespace"], help: "Provider namespace (Ex: 'Microsoft.Provider').", group: "Resource Id Arguments" },
      { dest: "parent_resource_path", options: ["--parent"], help: "The parent path (Ex: 'resA/myA/resB/myB').", group: "Resource Id Arguments" },
      { dest: "resource_type", options: ["--resource-type"], help: "The resource type (Ex: 'resC'). Can also accept namespace/type format (Ex: 'Microsoft.Provider/resC').", group: "Resource Id Arguments" },
      { dest: "api_version", options: ["--api-version"], help: "The api version of the resource (omit for the latest stable version)." },
      { dest: "include_response_body", options: ["--include-response-body"], kind: "three_state", help: "Use if the default command output doesn't capture all of the property data." },
    ],
    examples: [
      { name: "Show a virtual machine resource named 'MyVm'.", text: "az resource show -g MyResourceGroup -n MyVm --resource-type \"Microsoft.Compute/virtualMachines\"" },
      { name: "Show a resource by its ID.", text: "az resource show --ids /subscriptions/0b1f6471-1bf0-4dda-aec3-111111111111/resourceGroups/MyResourceGroup/providers/Microsoft.Network/loadBalancers/kube-apiserver" },
      { name: "Show a node pool of a managed cluster.", text: "az resource show -g MyResourceGroup -n MyManagedCluster/nodepool1 --resource-type Microsoft.ContainerService/managedClusters/agentPools" },
    ],
    handler: async (ctx, a) => {
      const ids = (a.ids as string[] | null) ?? undefined;
      const apiVersion = str(a.api_version);
      if (ids) {
        if (a.resource_group_name || a.resource_name || a.resource_type || a.resource_provider_namespace || a.parent_resource_path) {
          throw new AzCliError("MutuallyExclusiveArgumentError", "--ids is mutually exclusive with the other 'Resource Id' arguments.");
        }
        const shown: Raw[] = [];
        for (const id of ids) shown.push(await showOne(ctx, id, apiVersion));
        return shown.length === 1 ? shown[0] : shown;
      }
      const sub = await ctx.subscriptionId();
      // `-n cluster/pool` with a child type names the parent as az's resource ID builder does
      const name = str(a.resource_name);
      const type = str(a.resource_type);
      if (name?.includes("/") && type && !a.parent_resource_path) {
        const types = type.split("/");
        const names = name.split("/");
        const ns = str(a.resource_provider_namespace) ?? types.shift()!;
        if (types.length === names.length) {
          const id = `/subscriptions/${sub}/resourceGroups/${String(a.resource_group_name)}/providers/${ns}/${types.map((t, i) => `${t}/${names[i]}`).join("/")}`;
          return showOne(ctx, id, apiVersion);
        }
      }
      return showOne(ctx, idFromParts(sub, a), apiVersion);
    },
  },
];
