// Microsoft.Authorization/roleDefinitions: built-in roles (data, readable at every scope,
// listable with $filter=roleName eq '...' / type eq 'BuiltInRole') and custom roles
// (PUT/GET/DELETE, stored as ordinary records at the scope they were created at).
import type { ArmEnv, ListCtx, ResourceRecord, ResourceStrategy, ResourceTypeDef, WriteCtx, RenderCtx } from "../../arm/types.js";
import type { Txn } from "../../store/store.js";
import { E } from "../../arm/catalog.js";
import { extensionScope, isGuid, parseId, subscriptionOf, type ParsedId } from "../../arm/resource-id.js";
import { getRecord } from "../../arm/repo.js";
import { compareApiVersions } from "../../arm/api-version.js";
import { BUILTIN_ROLES, findBuiltInRole, type BuiltInRole, type Permission } from "./builtin-roles.js";
import { AuthzErrors } from "./errors.js";

type Reader = Pick<Txn, "get" | "list">;

export const NS = "Microsoft.Authorization";
export const ROLE_DEFINITION_TYPE = "Microsoft.Authorization/roleDefinitions";

/** api-versions of roleDefinitions (specification/authorization, plus what az 2.45 and @azure/arm-authorization send). */
export const ROLE_DEFINITION_API_VERSIONS = ["2015-07-01", "2018-01-01-preview", "2022-04-01", "2022-05-01-preview"] as const;

const customKey = (guid: string) => `authz:rd:${guid.toLowerCase()}`;

/** The id a role definition has when read under `scope`: subscription form below a subscription, root form otherwise. */
export function roleDefinitionIdAt(scope: string, guid: string): string {
  const sub = subscriptionOf(scope);
  return sub ? `/subscriptions/${sub}/providers/${NS}/roleDefinitions/${guid}` : `/providers/${NS}/roleDefinitions/${guid}`;
}

/** GUID at the end of a role definition id (any scope form) or a bare GUID; undefined if malformed. */
export function roleDefinitionGuid(idOrGuid: string): string | undefined {
  const s = idOrGuid.trim();
  if (isGuid(s)) return s;
  const p = parseId(s);
  if (!p || p.blocks.length === 0) return undefined;
  const last = p.blocks[p.blocks.length - 1]!;
  if (last.namespace.toLowerCase() !== NS.toLowerCase() || last.types.length !== 1 || last.types[0]!.toLowerCase() !== "roledefinitions") return undefined;
  const g = last.names[0];
  return g && isGuid(g) ? g : undefined;
}

function builtInRecord(role: BuiltInRole, scope: string): ResourceRecord {
  return {
    id: roleDefinitionIdAt(scope, role.name),
    name: role.name,
    type: ROLE_DEFINITION_TYPE,
    properties: {
      roleName: role.roleName,
      type: "BuiltInRole",
      description: role.description,
      assignableScopes: ["/"],
      permissions: role.permissions,
      createdOn: role.createdOn,
      updatedOn: role.updatedOn,
      createdBy: null,
      updatedBy: null,
    },
    internal: { builtIn: true },
  };
}

function customRecord(tx: Reader, guid: string): ResourceRecord | undefined {
  const id = tx.get<string>(customKey(guid))?.value;
  const rec = id ? getRecord(tx, id) : undefined;
  return rec && rec.type.toLowerCase() === ROLE_DEFINITION_TYPE.toLowerCase() ? rec : undefined;
}

/** A role definition's permissions by GUID (built-in or custom), for RBAC evaluation and assignment validation. */
export function findRolePermissions(tx: Reader, guid: string): Permission[] | undefined {
  const b = findBuiltInRole(guid);
  if (b) return b.permissions;
  const c = customRecord(tx, guid);
  return c ? (c.properties.permissions as Permission[]) : undefined;
}

export function roleExists(tx: Reader, guid: string): boolean {
  return !!findBuiltInRole(guid) || !!customRecord(tx, guid);
}

export function roleNameOf(tx: Reader, guid: string): string | undefined {
  return findBuiltInRole(guid)?.roleName ?? (customRecord(tx, guid)?.properties.roleName as string | undefined);
}

function allRoles(tx: Reader, scope: string): ResourceRecord[] {
  const out = BUILTIN_ROLES.map((r) => builtInRecord(r, scope));
  for (const e of tx.list<string>("authz:rd:")) {
    const rec = getRecord(tx, e.value);
    if (rec && rec.type.toLowerCase() === ROLE_DEFINITION_TYPE.toLowerCase()) out.push(rec);
  }
  return out;
}

/** $filter forms ARM accepts on role definitions: roleName eq '...', type eq 'BuiltInRole'|'CustomRole' (joined by and). */
export function filterRoleDefinitions(recs: ResourceRecord[], filter: string | undefined): ResourceRecord[] {
  if (!filter) return recs;
  let out = recs;
  for (const clause of filter.split(/\s+and\s+/i)) {
    const m = /^\s*(roleName|type)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(clause);
    if (!m) continue;
    const v = m[2]!.replace(/''/g, "'").toLowerCase();
    if (m[1]!.toLowerCase() === "rolename") out = out.filter((r) => String(r.properties.roleName).toLowerCase() === v);
    else out = out.filter((r) => String(r.properties.type).toLowerCase() === v);
  }
  return out;
}

export function renderRoleDefinition(rec: ResourceRecord, apiVersion: string): Record<string, unknown> {
  const withData = compareApiVersions(apiVersion, "2018-01-01-preview") >= 0;
  const p = rec.properties;
  const permissions = (p.permissions as Permission[]).map((x) =>
    withData ? { actions: x.actions, notActions: x.notActions ?? [], dataActions: x.dataActions ?? [], notDataActions: x.notDataActions ?? [] } : { actions: x.actions, notActions: x.notActions ?? [] },
  );
  return {
    properties: {
      roleName: p.roleName,
      type: p.type,
      description: p.description ?? "",
      assignableScopes: p.assignableScopes,
      permissions,
      createdOn: p.createdOn,
      updatedOn: p.updatedOn,
      createdBy: p.createdBy ?? null,
      updatedBy: p.updatedBy ?? null,
    },
    id: rec.id,
    type: ROLE_DEFINITION_TYPE,
    name: rec.name,
  };
}

function lastName(parsed: ParsedId): string {
  const b = parsed.blocks[parsed.blocks.length - 1]!;
  return b.names[b.names.length - 1] ?? "";
}

function normPermissions(v: unknown): Permission[] {
  if (!Array.isArray(v) || v.length === 0) throw AuthzErrors.invalidRoleDefinition.make({ detail: "'permissions' must be a non-empty array." });
  const strs = (x: unknown, what: string): string[] => {
    if (x === undefined || x === null) return [];
    if (!Array.isArray(x) || x.some((s) => typeof s !== "string")) throw AuthzErrors.invalidRoleDefinition.make({ detail: `'${what}' must be an array of strings.` });
    return x as string[];
  };
  return v.map((p: any) => ({
    actions: strs(p?.actions, "actions"),
    notActions: strs(p?.notActions, "notActions"),
    dataActions: strs(p?.dataActions, "dataActions"),
    notDataActions: strs(p?.notDataActions, "notDataActions"),
  }));
}

export const roleDefinitionStrategy: ResourceStrategy = {
  checkId(_id, parsed, method) {
    if (method === "GET" || method === "HEAD") return; // unknown names answer 404 RoleDefinitionDoesNotExist
    const name = lastName(parsed);
    if (!isGuid(name)) throw AuthzErrors.invalidRoleDefinitionName.make({ name });
  },
  lookup(tx, id) {
    const parsed = parseId(id)!;
    const guid = lastName(parsed);
    const b = findBuiltInRole(guid);
    if (b) return builtInRecord(b, extensionScope(parsed));
    const c = customRecord(tx, guid);
    if (c) return c;
    throw AuthzErrors.roleDefinitionNotFound.make({ id: guid });
  },
  listAt(ctx: ListCtx) {
    return filterRoleDefinitions(allRoles(ctx.tx, ctx.scopeId), ctx.query("$filter"));
  },
  put(ctx: WriteCtx): ResourceRecord {
    const guid = lastName(ctx.parsed);
    if (findBuiltInRole(guid)) throw AuthzErrors.builtInRoleNotWritable.make({ name: guid });
    const props = ctx.body?.properties;
    if (!props || typeof props !== "object") throw E.invalidRequestContent.make({ detail: "Required property 'properties' not found in JSON. Path ''." });
    if (typeof props.roleName !== "string" || !props.roleName.trim()) throw AuthzErrors.invalidRoleDefinition.make({ detail: "'roleName' is required." });
    const scope = extensionScope(ctx.parsed);
    const assignableScopes: string[] = Array.isArray(props.assignableScopes) && props.assignableScopes.length > 0 ? props.assignableScopes.map(String) : [scope];
    const permissions = normPermissions(props.permissions);
    const clash = allRoles(ctx.tx, scope).find((r) => String(r.properties.roleName).toLowerCase() === props.roleName.toLowerCase() && r.name.toLowerCase() !== guid.toLowerCase());
    if (clash) throw AuthzErrors.invalidRoleDefinition.make({ detail: `a role named '${props.roleName}' already exists.` });
    const now = ctx.env.now().toISOString();
    const prev = ctx.existing?.properties;
    ctx.tx.put(customKey(guid), ctx.id);
    return {
      id: ctx.id,
      name: guid,
      type: ROLE_DEFINITION_TYPE,
      properties: {
        roleName: props.roleName,
        type: "CustomRole",
        description: typeof props.description === "string" ? props.description : "",
        assignableScopes,
        permissions,
        createdOn: prev?.createdOn ?? now,
        updatedOn: now,
        createdBy: prev?.createdBy ?? ctx.principal.objectId,
        updatedBy: ctx.principal.objectId,
      },
    };
  },
  delete(ctx) {
    ctx.tx.delete(customKey(ctx.record.name));
  },
  deleteReturnsBody: true,
  render(rec: ResourceRecord, ctx: RenderCtx) {
    return renderRoleDefinition(rec, ctx.apiVersion);
  },
};

export function roleDefinitionType(): ResourceTypeDef {
  return { namespace: NS, type: "roleDefinitions", apiVersions: ROLE_DEFINITION_API_VERSIONS, scope: "extension", tracked: false, strategy: roleDefinitionStrategy, defaultApiVersion: "2022-04-01" };
}

export function builtInRoleRecordAt(scope: string, guid: string): ResourceRecord | undefined {
  const b = findBuiltInRole(guid);
  return b ? builtInRecord(b, scope) : undefined;
}

export function listRoleDefinitionsAt(tx: Reader, scope: string, filter: string | undefined): ResourceRecord[] {
  return filterRoleDefinitions(allRoles(tx, scope), filter);
}

export type { ArmEnv };
