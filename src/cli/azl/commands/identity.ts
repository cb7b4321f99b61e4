// az identity create/show/list/delete over @azure/arm-msi (user-assigned managed identities).
import type { ArgSpec, CommandSpec } from "../types.js";
import { toAz, withNulls } from "../shape.js";
import { collect, location, parseTags, rg, str, tags } from "./common.js";

const nameArg: ArgSpec = { dest: "resource_name", options: ["--name", "-n"], required: true, help: "The name of the identity resource." };
const IDENTITY_KEYS = ["clientId", "id", "location", "name", "principalId", "systemData", "tags", "tenantId", "type"];

function shapeIdentity(i: unknown): unknown {
  return withNulls(toAz(i) as Record<string, unknown>, IDENTITY_KEYS);
}

export const identityCommands: CommandSpec[] = [
  {
    name: "identity create",
    summary: "Create an identity.",
    args: [
      nameArg,
      rg(),
      location(),
      tags(),
      { dest: "isolation_scope", options: ["--isolation-scope"], choices: ["None", "Regional"], help: "Enum to configure regional restrictions on identity assignment, as necessary." },
    ],
    examples: [{ name: "Create an identity.", text: "az identity create --name MyIdentity --resource-group MyResourceGroup" }],
    handler: async (ctx, a) => {
      const group = String(a.resource_group_name);
      const loc = str(a.location) ?? (await (await ctx.resources()).resourceGroups.get(group)).location;
      const body: Record<string, unknown> = { location: loc };
      const t = parseTags(a.tags);
      if (t) body.tags = t;
      if (a.isolation_scope) body.isolationScope = a.isolation_scope;
      const c = await ctx.msi();
      return shapeIdentity(await c.userAssignedIdentities.createOrUpdate(group, String(a.resource_name), body as never));
    },
  },
  {
    name: "identity show",
    summary: "Show an identity.",
    args: [nameArg, rg()],
    examples: [{ name: "Show an identity.", text: "az identity show --name MyIdentity --resource-group MyResourceGroup" }],
    handler: async (ctx, a) => shapeIdentity(await (await ctx.msi()).userAssignedIdentities.get(String(a.resource_group_name), String(a.resource_name))),
  },
  {
    name: "identity list",
    summary: "List Managed Identities.",
    args: [rg({ required: false })],
    examples: [{ name: "List Managed Identities in a resource group.", text: "az identity list --resource-group MyResourceGroup" }],
    handler: async (ctx, a) => {
      const c = await ctx.msi();
      const it = a.resource_group_name ? c.userAssignedIdentities.listByResourceGroup(String(a.resource_group_name)) : c.userAssignedIdentities.listBySubscription();
      return (await collect(it)).map(shapeIdentity);
    },
  },
  {
    name: "identity delete",
    summary: "Delete an identity.",
    args: [nameArg, rg()],
    examples: [{ name: "Delete an identity.", text: "az identity delete --name MyIdentity --resource-group MyResourceGroup" }],
    handler: async (ctx, a) => {
      await (await ctx.msi()).userAssignedIdentities.delete(String(a.resource_group_name), String(a.resource_name));
      return undefined;
    },
  },
];
