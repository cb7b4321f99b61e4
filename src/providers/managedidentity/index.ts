// Microsoft.ManagedIdentity provider plugin (reference/arm-contract.md §9): synchronous
// user-assigned identities whose clientId/principalId/tenantId are generated on create and
// kept on update. Every identity is a ManagedIdentity service principal in the emulated
// directory (appId = clientId, id = principalId, alternativeNames incl. the ARM id), so role
// assignments and Graph look-ups (`az role assignment create --assignee <client-id>`) find it;
// the principal goes when the identity goes (also in a resource-group cascade).
import { tagsProblem } from "../../arm/envelope.js";
import { randomUUID } from "node:crypto";
import type { ProviderPlugin } from "../plugin.js";
import type { DeleteCtx, ResourceRecord, ResourceStrategy, ResourceTypeDef, RenderCtx, WriteCtx } from "../../arm/types.js";
import { compareApiVersions } from "../../arm/api-version.js";
import { E } from "../../arm/catalog.js";
import { parseId } from "../../arm/resource-id.js";
import { deleteServicePrincipal, getServicePrincipal, putServicePrincipal } from "../../entra/directory.js";
import { MsiErrors } from "./errors.js";

export const NS = "Microsoft.ManagedIdentity";
export const IDENTITY_TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities";
export const FIC_TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials";

/** api-versions (specification/msi: stable 2018-11-30, 2023-01-31, 2024-11-30; previews; az 2.45 sends 2022-01-31-preview, @azure/arm-msi 2.2 sends 2024-11-30). */
export const MSI_API_VERSIONS = [
  "2015-08-31-preview",
  "2018-11-30",
  "2021-09-30-preview",
  "2022-01-31-preview",
  "2023-01-31",
  "2023-07-31-preview",
  "2024-11-30",
] as const;
const FIC_API_VERSIONS = MSI_API_VERSIONS.filter((v) => compareApiVersions(v, "2022-01-31-preview") >= 0);

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/;

function tagsOf(body: any, fallback: Record<string, string> | null | undefined): Record<string, string> {
  if (body.tags === undefined) return fallback ?? {};
  if (body.tags === null) return {};
  const problem = tagsProblem(body.tags);
  if (problem) throw E.invalidRequestContent.make({ detail: problem });
  return body.tags as Record<string, string>;
}

function isolationScopeOf(body: any, fallback: unknown): string | undefined {
  const v = body?.properties?.isolationScope;
  if (v === undefined || v === null) return typeof fallback === "string" ? fallback : undefined;
  if (v !== "None" && v !== "Regional") throw MsiErrors.invalidRequestPayload.make({ detail: `isolationScope must be 'None' or 'Regional', not '${String(v)}'.` });
  return v;
}

function registerPrincipal(ctx: WriteCtx, rec: ResourceRecord): void {
  const prev = getServicePrincipal(ctx.tx, rec.properties.principalId);
  putServicePrincipal(ctx.tx, {
    id: rec.properties.principalId,
    appId: rec.properties.clientId,
    displayName: rec.name,
    servicePrincipalType: "ManagedIdentity",
    alternativeNames: ["isExplicit=True", rec.id],
    createdDateTime: prev?.createdDateTime ?? ctx.env.now().toISOString(),
  });
}

const identityStrategy: ResourceStrategy = {
  checkId(_id, parsed, method) {
    if (method !== "PUT") return;
    const b = parsed.blocks[parsed.blocks.length - 1]!;
    const name = b.names[b.names.length - 1] ?? "";
    if (!NAME.test(name)) throw MsiErrors.invalidIdentityName.make({ name });
  },
  put(ctx: WriteCtx): ResourceRecord {
    const name = parseId(ctx.id)!.blocks[0]!.names[0]!;
    const ex = ctx.existing;
    const isolationScope = isolationScopeOf(ctx.body, ex?.properties.isolationScope);
    const rec: ResourceRecord = {
      id: ctx.id,
      name,
      type: IDENTITY_TYPE,
      location: ctx.body.location ?? ex?.location,
      tags: tagsOf(ctx.body, undefined),
      properties: {
        tenantId: ex?.properties.tenantId ?? ctx.env.tenantId,
        principalId: ex?.properties.principalId ?? randomUUID(),
        clientId: ex?.properties.clientId ?? randomUUID(),
        ...(isolationScope ? { isolationScope } : {}),
      },
    };
    registerPrincipal(ctx, rec);
    return rec;
  },
  patch(ctx: WriteCtx): ResourceRecord {
    const ex = ctx.existing!;
    const isolationScope = isolationScopeOf(ctx.body, ex.properties.isolationScope);
    const rec: ResourceRecord = {
      ...ex,
      tags: tagsOf(ctx.body, ex.tags),
      properties: { ...ex.properties, ...(isolationScope ? { isolationScope } : {}) },
    };
    registerPrincipal(ctx, rec);
    return rec;
  },
  delete(ctx: DeleteCtx) {
    deleteServicePrincipal(ctx.tx, ctx.record.properties.principalId);
  },
  render(rec: ResourceRecord, ctx: RenderCtx) {
    const properties: Record<string, unknown> = {
      tenantId: rec.properties.tenantId,
      principalId: rec.properties.principalId,
      clientId: rec.properties.clientId,
    };
    if (compareApiVersions(ctx.apiVersion, "2024-11-30") >= 0) properties.isolationScope = rec.properties.isolationScope ?? "None";
    return { id: rec.id, name: rec.name, type: IDENTITY_TYPE, location: rec.location, tags: rec.tags ?? {}, properties };
  },
};

const ficStrategy: ResourceStrategy = {
  put(ctx: WriteCtx): ResourceRecord {
    const p = ctx.body?.properties;
    if (!p || typeof p !== "object") throw MsiErrors.federatedCredentialPropertyRequired.make({ prop: "properties" });
    for (const k of ["issuer", "subject"]) if (typeof p[k] !== "string" || !p[k]) throw MsiErrors.federatedCredentialPropertyRequired.make({ prop: k });
    const audiences = Array.isArray(p.audiences) && p.audiences.length > 0 ? p.audiences.map(String) : ["api://AzureADTokenExchange"];
    const b = parseId(ctx.id)!.blocks[0]!;
    return { id: ctx.id, name: b.names[1]!, type: FIC_TYPE, properties: { issuer: p.issuer, subject: p.subject, audiences } };
  },
  render(rec: ResourceRecord) {
    return { id: rec.id, name: rec.name, type: FIC_TYPE, properties: rec.properties };
  },
};

function types(): ResourceTypeDef[] {
  return [
    { namespace: NS, type: "userAssignedIdentities", apiVersions: MSI_API_VERSIONS, scope: "resourceGroup", tracked: true, strategy: identityStrategy, defaultApiVersion: "2023-01-31" },
    { namespace: NS, type: "userAssignedIdentities/federatedIdentityCredentials", apiVersions: FIC_API_VERSIONS, scope: "resourceGroup", tracked: false, strategy: ficStrategy, defaultApiVersion: "2023-01-31" },
  ];
}

export const managedIdentityProvider: ProviderPlugin = {
  name: "Microsoft.ManagedIdentity",
  register(h) {
    for (const t of types()) h.registerType(t);
  },
};
