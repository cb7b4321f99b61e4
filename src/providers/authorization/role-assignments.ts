// Microsoft.Authorization/roleAssignments: an extension resource on any scope
// ({scope}/providers/Microsoft.Authorization/roleAssignments/{guid}), reference/arm-contract.md §10.
//
// Storage: the assignment is an ordinary record at its id (so deleting a scope's record tree
// removes the assignments on it), plus two small indexes written in the same transaction:
//   authz:ra:p:{principalId}:{idKey} → {id, scope, role}  (RBAC evaluation reads only this principal's rows)
//   authz:ra:n:{guid}                → id                  (assignment names are unique across scopes)
// Index rows are validated against the record on read, so rows left behind by a cascade
// (a resource group or parent deleted with deleteRecordTree) are ignored, never trusted.
import type { ListCtx, ResourceRecord, ResourceStrategy, ResourceTypeDef, WriteCtx, RenderCtx } from "../../arm/types.js";
import type { Txn } from "../../store/store.js";
import { E } from "../../arm/catalog.js";
import { extensionScope, idKey, isGuid, parseId, type ParsedId } from "../../arm/resource-id.js";
import { getRecord, listByType } from "../../arm/repo.js";
import { getServicePrincipal } from "../../entra/directory.js";
import { AuthzErrors } from "./errors.js";
import { NS, findRolePermissions, roleDefinitionGuid, roleDefinitionIdAt, roleExists } from "./role-definitions.js";
import { evaluate, scopeCovers, type AssignmentLike } from "./matching.js";

type Reader = Pick<Txn, "get" | "list">;

export const ROLE_ASSIGNMENT_TYPE = "Microsoft.Authorization/roleAssignments";

export const ROLE_ASSIGNMENT_API_VERSIONS = [
  "2015-07-01",
  "2017-10-01-preview",
  "2018-01-01-preview",
  "2018-09-01-preview",
  "2020-03-01-preview",
  "2020-04-01-preview",
  "2020-08-01-preview",
  "2020-10-01-preview",
  "2022-01-01-preview",
  "2022-04-01",
] as const;

const PRINCIPAL_TYPES = ["User", "Group", "ServicePrincipal", "ForeignGroup", "Device"];

interface PrincipalRow {
  id: string;
  scope: string;
  role: string;
}

const principalPrefix = (pid: string) => `authz:ra:p:${pid.toLowerCase()}:`;
const principalKey = (pid: string, id: string) => `${principalPrefix(pid)}${idKey(id)}`;
const nameKey = (guid: string) => `authz:ra:n:${guid.toLowerCase()}`;

function isAssignment(rec: ResourceRecord | undefined): rec is ResourceRecord {
  return !!rec && rec.type.toLowerCase() === ROLE_ASSIGNMENT_TYPE.toLowerCase();
}

function lastName(parsed: ParsedId): string {
  const b = parsed.blocks[parsed.blocks.length - 1]!;
  return b.names[b.names.length - 1] ?? "";
}

export function roleGuidOf(rec: ResourceRecord): string {
  return roleDefinitionGuid(String(rec.properties.roleDefinitionId)) ?? "";
}

/** The live role assignments of one principal (index scan of that principal only). */
export function assignmentsOfPrincipal(tx: Reader, principalId: string): ResourceRecord[] {
  const out: ResourceRecord[] = [];
  for (const e of tx.list<PrincipalRow>(principalPrefix(principalId))) {
    const rec = getRecord(tx, e.value.id);
    if (isAssignment(rec) && String(rec.properties.principalId).toLowerCase() === principalId.toLowerCase()) out.push(rec);
  }
  return out;
}

/** RBAC: may `principalId` perform `action` on `scope`? (at-or-above assignments, per-role NotActions) */
export function canPrincipal(tx: Reader, principalId: string, action: string, scope: string): boolean {
  const resolved: AssignmentLike[] = [];
  for (const rec of assignmentsOfPrincipal(tx, principalId)) {
    const scopeOf = String(rec.properties.scope);
    if (!scopeCovers(scopeOf, scope)) continue;
    const perms = findRolePermissions(tx, roleGuidOf(rec));
    if (perms) resolved.push({ scope: scopeOf, permissions: perms });
  }
  return evaluate(resolved, action, scope);
}

function allAssignments(tx: Reader, sub: string | undefined): ResourceRecord[] {
  const recs = sub ? listByType(tx, sub, ROLE_ASSIGNMENT_TYPE) : [];
  return recs.concat(listByType(tx, "", ROLE_ASSIGNMENT_TYPE));
}

interface ParsedFilter {
  atScope: boolean;
  principalId?: string;
}

/** $filter forms: atScope(), principalId eq '{id}', assignedTo('{id}'), joined by "and". */
export function parseAssignmentFilter(filter: string | undefined): ParsedFilter {
  const out: ParsedFilter = { atScope: false };
  if (!filter) return out;
  for (const clause of filter.split(/\s+and\s+/i)) {
    if (/^\s*atScope\(\s*\)\s*$/i.test(clause)) out.atScope = true;
    let m = /^\s*principalId\s+eq\s+'([^']*)'\s*$/i.exec(clause);
    if (m) out.principalId = m[1]!;
    m = /^\s*assignedTo\(\s*'([^']*)'\s*\)\s*$/i.exec(clause);
    if (m) out.principalId = m[1]!;
  }
  return out;
}

/**
 * Assignments visible from `scope`: without a filter, at, above and below it; with atScope(),
 * at or above; with principalId eq, at, above or below for that principal.
 */
export function listAssignmentsAt(tx: Reader, scope: string, filter: string | undefined): ResourceRecord[] {
  const f = parseAssignmentFilter(filter);
  const candidates = f.principalId ? assignmentsOfPrincipal(tx, f.principalId) : allAssignments(tx, parseId(scope)?.subscriptionId);
  return candidates.filter((rec) => {
    const s = String(rec.properties.scope);
    if (scopeCovers(s, scope)) return true;
    return !f.atScope && scopeCovers(scope, s);
  });
}

export function renderRoleAssignment(rec: ResourceRecord): Record<string, unknown> {
  const p = rec.properties;
  const props: Record<string, unknown> = {
    roleDefinitionId: p.roleDefinitionId,
    principalId: p.principalId,
    principalType: p.principalType,
    scope: p.scope,
  };
  for (const k of ["condition", "conditionVersion", "description", "delegatedManagedIdentityResourceId"]) {
    if (p[k] !== undefined && p[k] !== null) props[k] = p[k];
  }
  Object.assign(props, { createdOn: p.createdOn, updatedOn: p.updatedOn, createdBy: p.createdBy, updatedBy: p.updatedBy });
  return { properties: props, id: rec.id, type: ROLE_ASSIGNMENT_TYPE, name: rec.name };
}

function requiredString(props: any, key: string): string {
  const v = props[key];
  if (v === undefined || v === null) throw E.invalidRequestContent.make({ detail: `Required property '${key}' not found in JSON. Path 'properties'.` });
  if (typeof v !== "string") throw E.invalidRequestContent.make({ detail: `Unexpected value for property '${key}'. Path 'properties.${key}'.` });
  return v;
}

function optionalString(props: any, key: string): string | undefined {
  const v = props[key];
  return typeof v === "string" ? v : undefined;
}

export const roleAssignmentStrategy: ResourceStrategy = {
  checkId(_id, parsed) {
    const name = lastName(parsed);
    if (!isGuid(name)) throw AuthzErrors.invalidRoleAssignmentId.make({ name });
  },
  lookup(tx, id) {
    const rec = getRecord(tx, id);
    if (isAssignment(rec)) return rec;
    throw AuthzErrors.roleAssignmentNotFound.make({ name: lastName(parseId(id)!) });
  },
  listAt(ctx: ListCtx) {
    return listAssignmentsAt(ctx.tx, ctx.scopeId, ctx.query("$filter"));
  },
  put(ctx: WriteCtx): ResourceRecord {
    const { tx, env } = ctx;
    const name = lastName(ctx.parsed);
    const scope = extensionScope(ctx.parsed);
    const props = ctx.body?.properties;
    if (!props || typeof props !== "object" || Array.isArray(props)) {
      throw E.invalidRequestContent.make({ detail: "Required property 'properties' not found in JSON. Path ''." });
    }
    const roleDefinitionId = requiredString(props, "roleDefinitionId");
    const principalId = requiredString(props, "principalId");
    if (!isGuid(principalId)) throw AuthzErrors.invalidPrincipalId.make({ value: principalId });
    const roleGuid = roleDefinitionGuid(roleDefinitionId);
    if (!roleGuid) throw AuthzErrors.invalidRoleDefinitionId.make({ id: roleDefinitionId });
    if (!roleExists(tx, roleGuid)) throw AuthzErrors.roleDefinitionDoesNotExist.make({ id: roleGuid });

    let principalType: string | undefined;
    const givenType = optionalString(props, "principalType");
    if (givenType !== undefined) {
      principalType = PRINCIPAL_TYPES.find((t) => t.toLowerCase() === givenType.toLowerCase());
      if (!principalType) {
        throw E.invalidRequestContent.make({ detail: `Error converting value "${givenType}" to type 'PrincipalType'. Path 'properties.principalType'.` });
      }
    }
    const sp = getServicePrincipal(tx, principalId);
    if (sp) {
      if (principalType && principalType !== "ServicePrincipal") {
        throw AuthzErrors.unmatchedPrincipalType.make({ id: principalId.replace(/-/g, "").toLowerCase(), actual: "ServicePrincipal", given: principalType });
      }
      principalType = "ServicePrincipal";
    } else if (!principalType) {
      throw AuthzErrors.principalNotFound.make({ id: principalId.replace(/-/g, "").toLowerCase(), tenant: env.tenantId });
    }

    // Names are unique across scopes: the same GUID elsewhere is an attempt to move it.
    const otherId = tx.get<string>(nameKey(name))?.value;
    if (otherId && idKey(otherId) !== idKey(ctx.id) && isAssignment(getRecord(tx, otherId))) {
      throw AuthzErrors.roleAssignmentUpdateNotPermitted.make({});
    }
    const existing = ctx.existing;
    if (existing) {
      const ep = existing.properties;
      if (String(ep.principalId).toLowerCase() !== principalId.toLowerCase() || roleGuidOf(existing).toLowerCase() !== roleGuid.toLowerCase()) {
        throw AuthzErrors.roleAssignmentUpdateNotPermitted.make({});
      }
    }
    // Same principal + role + scope under another name → 409.
    const dup = assignmentsOfPrincipal(tx, principalId).find(
      (r) => idKey(r.id) !== idKey(ctx.id) && idKey(String(r.properties.scope)) === idKey(scope) && roleGuidOf(r).toLowerCase() === roleGuid.toLowerCase(),
    );
    if (dup) throw AuthzErrors.roleAssignmentExists.make({});

    const now = env.now().toISOString();
    const who = ctx.principal.objectId;
    const record: ResourceRecord = {
      id: ctx.id,
      name,
      type: ROLE_ASSIGNMENT_TYPE,
      properties: {
        roleDefinitionId: roleDefinitionIdAt(scope, roleGuid),
        principalId,
        principalType,
        scope,
        condition: optionalString(props, "condition") ?? null,
        conditionVersion: optionalString(props, "conditionVersion") ?? (optionalString(props, "condition") ? "2.0" : null),
        description: optionalString(props, "description") ?? null,
        delegatedManagedIdentityResourceId: optionalString(props, "delegatedManagedIdentityResourceId") ?? null,
        createdOn: existing?.properties.createdOn ?? now,
        updatedOn: now,
        createdBy: existing?.properties.createdBy ?? who,
        updatedBy: who,
      },
    };
    tx.put<PrincipalRow>(principalKey(principalId, ctx.id), { id: ctx.id, scope, role: roleGuid });
    tx.put<string>(nameKey(name), ctx.id);
    return record;
  },
  delete(ctx) {
    const rec = ctx.record;
    ctx.tx.delete(principalKey(String(rec.properties.principalId), rec.id));
    const n = ctx.tx.get<string>(nameKey(rec.name))?.value;
    if (n && idKey(n) === idKey(rec.id)) ctx.tx.delete(nameKey(rec.name));
  },
  deleteReturnsBody: true,
  render(rec: ResourceRecord, _ctx: RenderCtx) {
    return renderRoleAssignment(rec);
  },
};

export function roleAssignmentType(): ResourceTypeDef {
  return {
    namespace: NS,
    type: "roleAssignments",
    apiVersions: ROLE_ASSIGNMENT_API_VERSIONS,
    scope: "extension",
    tracked: false,
    strategy: roleAssignmentStrategy,
    defaultApiVersion: "2022-04-01",
  };
}
