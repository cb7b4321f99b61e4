// What every resource record shares, whoever writes or renders it: the ARM envelope, etags,
// systemData, the busy rule behind AnotherOperationInProgress and the operation URLs.
import { randomUUID } from "node:crypto";
import type { OperationRecord, RenderCtx, ResourceRecord, ResourceTypeDef } from "./types.js";

export function newEtag(): string {
  return `W/"${randomUUID()}"`;
}

export function renderRecord(def: ResourceTypeDef | undefined, rec: ResourceRecord, ctx: RenderCtx): Record<string, unknown> {
  if (def?.strategy.render) return def.strategy.render(rec, ctx);
  return renderBase(rec);
}

/** The ARM envelope every resource shares; `internal` is never shown. */
export function renderBase(rec: ResourceRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { id: rec.id, name: rec.name, type: rec.type };
  if (rec.etag !== undefined) out.etag = rec.etag;
  if (rec.kind !== undefined) out.kind = rec.kind;
  if (rec.location !== undefined) out.location = rec.location;
  if (rec.tags !== undefined) out.tags = rec.tags;
  if (rec.sku !== undefined) out.sku = rec.sku;
  if (rec.identity !== undefined) out.identity = rec.identity;
  if (rec.managedBy !== undefined) out.managedBy = rec.managedBy;
  if (rec.zones !== undefined) out.zones = rec.zones;
  out.properties = rec.properties;
  if (rec.systemData) out.systemData = rec.systemData;
  return out;
}

/** A resource with a running operation (ARM answers 409 AnotherOperationInProgress to a second write). */
export function isBusy(rec: ResourceRecord): boolean {
  const ps = rec.properties?.provisioningState;
  return typeof ps === "string" && !["Succeeded", "Failed", "Canceled"].includes(ps) && !!rec.internal?.activeOperation;
}

export function stampSystemData(prev: ResourceRecord["systemData"], who: string, now: Date): NonNullable<ResourceRecord["systemData"]> {
  const t = now.toISOString();
  return {
    createdBy: prev?.createdBy ?? who,
    createdByType: prev?.createdByType ?? "Application",
    createdAt: prev?.createdAt ?? t,
    lastModifiedBy: who,
    lastModifiedByType: "Application",
    lastModifiedAt: t,
  };
}

/** Azure-AsyncOperation and Location URLs of an operation, on the given origin (`https://host:port`). */
export function operationUrls(origin: string, op: Pick<OperationRecord, "subscriptionId" | "namespace" | "location" | "name" | "apiVersion">) {
  const base = `${origin}/subscriptions/${op.subscriptionId}/providers/${op.namespace}/locations/${op.location}`;
  return {
    asyncOperation: `${base}/operations/${op.name}?api-version=${op.apiVersion}`,
    location: `${base}/operationresults/${op.name}?api-version=${op.apiVersion}`,
  };
}
