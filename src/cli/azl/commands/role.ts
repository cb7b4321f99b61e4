// az role assignment create/list/delete over @azure/arm-authorization, resolving --assignee
// through the emulator's minimal Microsoft Graph (servicePrincipals by appId or object id) and
// --role by name through roleDefinitions?$filter=roleName eq '<name>', as az's role module does.
import type { ArgSpec, CommandSpec } from "../types.js";
import type { CommandContext } from "../context.js";
import { AzCliError } from "../errors.js";
import { toAz, withNulls } from "../shape.js";
import { collect } from "./common.js";

/** The JS SDK builds "/{scope}/..." and would send "//subscriptions/..." for an ARM ID; az (azure-core)
 *  strips the leading slashes before joining, so do the same. */
export const sdkScope = (id: string) => id.replace(/^\/+/, "");

const GUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

const SCOPE_HELP =
  "Scope at which the role assignment or definition applies to, e.g., /subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333, /subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/myGroup, or /subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/myGroup/providers/Microsoft.Compute/virtualMachines/myVM.";

const assignee: ArgSpec = {
  dest: "assignee",
  options: ["--assignee"],
  help: "Represent a user, group, or service principal. Supported format: object id, user sign-in name, or service principal name.",
};
const role: ArgSpec = { dest: "role", options: ["--role"], help: "Role name or id." };
const scope: ArgSpec = { dest: "scope", options: ["--scope"], help: SCOPE_HELP };
const group: ArgSpec = {
  dest: "resource_group_name",
  options: ["--resource-group", "-g"],
  help: "Use it only if the role or assignment was added at the level of a resource group.",
};

const ASSIGNMENT_KEYS = [
  "condition",
  "conditionVersion",
  "createdBy",
  "createdOn",
  "delegatedManagedIdentityResourceId",
  "description",
  "id",
  "name",
  "principalId",
  "principalType",
  "roleDefinitionId",
  "scope",
  "type",
  "updatedBy",
  "updatedOn",
];

function shapeAssignment(a: unknown): Record<string, unknown> {
  return withNulls(toAz(a) as Record<string, unknown>, ASSIGNMENT_KEYS);
}

interface GraphObject {
  id: string;
  appId?: string;
  displayName?: string;
  servicePrincipalNames?: string[];
  userPrincipalName?: string;
  "@odata.type"?: string;
}

async function graphGet(ctx: CommandContext, path: string, query?: Record<string, string>): Promise<unknown | undefined> {
  try {
    return (await ctx.request("GET", path, { query, scope: GRAPH_SCOPE })).body;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return undefined;
    throw e;
  }
}

/** azure-cli role/custom.py _resolve_object_id (appId or object id of a service principal). */
async function resolveAssignee(ctx: CommandContext, value: string): Promise<{ objectId: string; principalType: string; obj: GraphObject }> {
  let obj: GraphObject | undefined;
  const byApp = (await graphGet(ctx, "/v1.0/servicePrincipals", { $filter: `appId eq '${value}'` })) as { value?: GraphObject[] } | undefined;
  if (byApp?.value?.length) obj = byApp.value[0];
  if (!obj && GUID_RE.test(value)) obj = (await graphGet(ctx, `/v1.0/servicePrincipals/${value}`)) as GraphObject | undefined;
  if (!obj && value.includes("@")) {
    const users = (await graphGet(ctx, "/v1.0/users", { $filter: `userPrincipalName eq '${value}'` })) as { value?: GraphObject[] } | undefined;
    obj = users?.value?.[0];
  }
  if (!obj) {
    throw new AzCliError(
      "UnclassifiedUserFault",
      `Cannot find user or service principal in graph database for '${value}'. If the assignee is an appId, make sure the corresponding service principal is created with 'az ad sp create --id ${value}'.`,
    );
  }
  const t = (obj["@odata.type"] ?? "#microsoft.graph.servicePrincipal").toLowerCase();
  const principalType = t.endsWith("user") ? "User" : t.endsWith("group") ? "Group" : "ServicePrincipal";
  return { objectId: obj.id, principalType, obj };
}

/** azure-cli role/custom.py _resolve_role_id */
async function resolveRoleId(ctx: CommandContext, roleValue: string, at: string): Promise<string> {
  if (/^\/subscriptions\/.+\/providers\/Microsoft\.Authorization\/roleDefinitions\//i.test(roleValue)) return roleValue;
  if (GUID_RE.test(roleValue)) return `/subscriptions/${await ctx.subscriptionId()}/providers/Microsoft.Authorization/roleDefinitions/${roleValue}`;
  const c = await ctx.authorization();
  const defs = await collect(c.roleDefinitions.list(sdkScope(at), { filter: `roleName eq '${roleValue}'` }));
  if (!defs.length) throw new AzCliError("UnclassifiedUserFault", `Role '${roleValue}' doesn't exist.`);
  if (defs.length > 1) {
    throw new AzCliError("UnclassifiedUserFault", `More than one role matches the given name '${roleValue}'. Please pick a value from '${JSON.stringify(defs.map((d) => d.id))}'`);
  }
  return defs[0]!.id!;
}

async function buildScope(ctx: CommandContext, a: Record<string, unknown>): Promise<string> {
  if (a.scope) {
    if (a.resource_group_name) throw new AzCliError("UnclassifiedUserFault", "Resource group cannot be specified together with scope.");
    return String(a.scope);
  }
  const sub = await ctx.subscriptionId();
  return a.resource_group_name ? `/subscriptions/${sub}/resourceGroups/${String(a.resource_group_name)}` : `/subscriptions/${sub}`;
}

async function search(ctx: CommandContext, a: Record<string, unknown>, all: boolean): Promise<Array<Record<string, unknown>>> {
  const c = await ctx.authorization();
  const sub = await ctx.subscriptionId();
  const target = all && !a.scope && !a.resource_group_name ? undefined : await buildScope(ctx, a);
  let items = target
    ? await collect(c.roleAssignments.listForScope(sdkScope(target), { filter: "atScope()" }))
    : await collect(c.roleAssignments.listForSubscription());
  if (target && !all) {
    items = items.filter((i) => {
      const s = (i.scope ?? "").toLowerCase();
      return s === target.toLowerCase() || (a.include_inherited === true && target.toLowerCase().startsWith(s));
    });
  }
  if (a.role) {
    const roleId = (await resolveRoleId(ctx, String(a.role), target ?? `/subscriptions/${sub}`)).toLowerCase();
    const tail = roleId.split("/").pop();
    items = items.filter((i) => (i.roleDefinitionId ?? "").toLowerCase().split("/").pop() === tail);
  }
  if (a.assignee) {
    const { objectId } = await resolveAssignee(ctx, String(a.assignee));
    items = items.filter((i) => i.principalId === objectId);
  }
  return items.map(shapeAssignment);
}

export const roleCommands: CommandSpec[] = [
  {
    name: "role assignment create",
    summary: "Create a new role assignment for a user, group, or service principal.",
    args: [
      role,
      assignee,
      { dest: "assignee_object_id", options: ["--assignee-object-id"], help: "Use this parameter instead of '--assignee' to bypass Graph API invocation in case of insufficient privileges. This parameter only works with object ids for users, groups, service principals, and managed identities. For managed identities use the principal id. For service principals, use the object id and not the app id." },
      { dest: "assignee_principal_type", options: ["--assignee-principal-type"], choices: ["ForeignGroup", "Group", "ServicePrincipal", "User"], help: "Use with --assignee-object-id to avoid errors caused by propagation latency in Microsoft Graph." },
      scope,
      group,
      { dest: "description", options: ["--description"], help: "Description of role assignment." },
      { dest: "condition", options: ["--condition"], help: "Condition under which the user can be granted permission." },
      { dest: "condition_version", options: ["--condition-version"], help: "Version of the condition syntax. If --condition is specified without --condition-version, default to 2.0." },
      { dest: "assignment_name", options: ["--name"], help: "A GUID for the role assignment. It must be unique and different for each role assignment. If omitted, a new GUID is generated." },
    ],
    examples: [
      {
        name: "Create role assignment to grant the specified assignee the Reader role on an Azure virtual machine.",
        text: "az role assignment create --assignee sp_name --role a_role --scope /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/MyResourceGroup/providers/Microsoft.Compute/virtualMachines/MyVm",
      },
      {
        name: "Create role assignment for an assignee with description and condition.",
        text: "az role assignment create --role \"Owner\" --assignee \"Jack@example.com\" --description \"Role assignment foo to check on bar\" --condition \"@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:Name] stringEquals 'foo'\" --condition-version \"2.0\" --scope /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/MyResourceGroup/providers/Microsoft.Storage/storageAccounts/MyStorageAccount",
      },
    ],
    handler: async (ctx, a) => {
      if (!a.role) throw new AzCliError("RequiredArgumentMissingError", "Please specify --role.");
      if (a.assignee && a.assignee_object_id) throw new AzCliError("UnclassifiedUserFault", "Providing both '--assignee' and '--assignee-object-id' is not allowed");
      if (!a.assignee && !a.assignee_object_id) throw new AzCliError("UnclassifiedUserFault", "Please provide either '--assignee' or '--assignee-object-id'");
      const at = await buildScope(ctx, a);
      const roleId = await resolveRoleId(ctx, String(a.role), at);
      let principalId: string;
      let principalType: string | undefined;
      if (a.assignee_object_id) {
        principalId = String(a.assignee_object_id);
        principalType = a.assignee_principal_type ? String(a.assignee_principal_type) : undefined;
      } else {
        const r = await resolveAssignee(ctx, String(a.assignee));
        principalId = r.objectId;
        principalType = r.principalType;
      }
      const body: Record<string, unknown> = { roleDefinitionId: roleId, principalId };
      if (principalType) body.principalType = principalType;
      if (a.description) body.description = a.description;
      if (a.condition) {
        body.condition = a.condition;
        body.conditionVersion = a.condition_version ?? "2.0";
      }
      const c = await ctx.authorization();
      const name = a.assignment_name ? String(a.assignment_name) : globalThis.crypto.randomUUID(); // Web Crypto global: no node:crypto import at start-up
      return shapeAssignment(await c.roleAssignments.create(sdkScope(at), name, body as never));
    },
  },
  {
    name: "role assignment list",
    summary: "List role assignments.",
    longSummary: "By default, only assignments scoped to subscription will be displayed. To view assignments scoped by resource or group, use `--all`.",
    args: [
      assignee,
      { dest: "all", options: ["--all"], kind: "flag", help: "Show all assignments under the current subscription." },
      { dest: "include_inherited", options: ["--include-inherited"], kind: "flag", help: "Include assignments applied on parent scopes." },
      { dest: "include_groups", options: ["--include-groups"], kind: "flag", help: "Include extra assignments to the groups of which the user is a member(transitively).", ignored: true },
      { dest: "include_classic_administrators", options: ["--include-classic-administrators"], kind: "three_state", help: "List default role assignments for subscription classic administrators, aka co-admins.", ignored: true },
      { dest: "fill_principal_name", options: ["--fill-principal-name"], kind: "three_state", default: true, help: "Fill principalName property with value from Microsoft Graph." },
      { dest: "fill_role_definition_name", options: ["--fill-role-definition-name"], kind: "three_state", default: true, help: "Fill roleDefinitionName property with role definition name." },
      role,
      scope,
      group,
    ],
    examples: [{ name: "List role assignments at the subscription scope.", text: "az role assignment list" }],
    tableTransformer: "[].{Principal:principalName, Role:roleDefinitionName, Scope:scope}",
    handler: async (ctx, a) => {
      const items = await search(ctx, a, a.all === true);
      const c = await ctx.authorization();
      const names = new Map<string, string>();
      const principals = new Map<string, string>();
      for (const i of items) {
        const rid = String(i.roleDefinitionId ?? "");
        if (a.fill_role_definition_name !== false && rid && !names.has(rid)) {
          try {
            names.set(rid, (await c.roleDefinitions.getById(sdkScope(rid))).roleName ?? "");
          } catch {
            names.set(rid, "");
          }
        }
        const pid = String(i.principalId ?? "");
        if (a.fill_principal_name !== false && pid && !principals.has(pid)) {
          const o = (await graphGet(ctx, `/v1.0/servicePrincipals/${pid}`).catch(() => undefined)) as GraphObject | undefined;
          principals.set(pid, o?.userPrincipalName ?? o?.servicePrincipalNames?.[0] ?? o?.displayName ?? "");
        }
      }
      return items.map((i) => ({
        ...i,
        ...(a.fill_principal_name !== false ? { principalName: principals.get(String(i.principalId)) ?? "" } : {}),
        ...(a.fill_role_definition_name !== false ? { roleDefinitionName: names.get(String(i.roleDefinitionId)) ?? "" } : {}),
      }));
    },
  },
  {
    name: "role assignment delete",
    summary: "Delete role assignments.",
    args: [
      assignee,
      { dest: "ids", options: ["--ids"], nargs: "+", help: "Space-separated role assignment ids." },
      { dest: "include_inherited", options: ["--include-inherited"], kind: "flag", help: "Include assignments applied on parent scopes." },
      role,
      scope,
      group,
      { dest: "yes", options: ["--yes", "-y"], kind: "flag", help: "Currently no-op." },
    ],
    examples: [
      {
        name: "Delete role assignments. (autogenerated)",
        text: "az role assignment delete --assignee 00000000-0000-0000-0000-000000000000 --role \"Storage Account Key Operator Service Role\"",
      },
    ],
    handler: async (ctx, a) => {
      const c = await ctx.authorization();
      if (a.ids) {
        for (const id of a.ids as string[]) await c.roleAssignments.deleteById(sdkScope(id));
        return undefined;
      }
      const items = await search(ctx, a, false);
      if (!items.length) {
        ctx.log.warning("No matched assignments were found to delete");
        return undefined;
      }
      for (const i of items) await c.roleAssignments.deleteById(sdkScope(String(i.id)));
      return undefined;
    },
  },
];

