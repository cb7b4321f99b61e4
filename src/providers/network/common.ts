// What every Network resource type shares: type names, NRP's weak etags, names, references,
// the LRO pattern (PUT answers provisioningState "Updating" + Azure-AsyncOperation and a
// "complete" stage flips it to "Succeeded"; DELETE answers 202 + Location and a "delete" stage
// applies the side effects and removes the record) and the busy check behind
// AnotherOperationInProgress.
import { randomUUID } from "node:crypto";
import type { Txn } from "../../store/store.js";
import type { ArmEnv, DeleteCtx, ReconcileCtx, ReconcileStep, ResourceRecord, ResourceTypeDef, WriteCtx } from "../../arm/types.js";
import { NRP_API_VERSIONS, NRP_DEFAULT_API_VERSION } from "./api-versions.js";
import { isBusy, operationUrls, renderBase } from "../../arm/records.js";
import type { Caller } from "../../arm/caller.js";
import { deleteRecordTree, getRecord, putRecord } from "../../arm/repo.js";
import { idKey, type ParsedId } from "../../arm/resource-id.js";
import { NetErrors } from "./errors.js";

type Reader = Pick<Txn, "get" | "list">;

export const NS = "Microsoft.Network";
export const T = {
  vnet: "Microsoft.Network/virtualNetworks",
  subnet: "Microsoft.Network/virtualNetworks/subnets",
  delegation: "Microsoft.Network/virtualNetworks/subnets/delegations",
  sal: "Microsoft.Network/virtualNetworks/subnets/serviceAssociationLinks",
  lb: "Microsoft.Network/loadBalancers",
  nic: "Microsoft.Network/networkInterfaces",
  nsg: "Microsoft.Network/networkSecurityGroups",
  pip: "Microsoft.Network/publicIPAddresses",
  securityRule: "Microsoft.Network/networkSecurityGroups/securityRules",
  zone: "Microsoft.Network/privateDnsZones",
  vnetLink: "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
} as const;

export function guid(): string {
  return randomUUID();
}

/** NRP's weak etag, on the resource and on every nested object. */
export function weakEtag(): string {
  return `W/"${randomUUID()}"`;
}

// NRP names: 1–80 chars, start with a word character, end with a word character or '_',
// word characters, '.', '-' and '_' in between.
const NRP_NAME = /^\w(?:[\w.-]{0,78}\w)?$/;

export function checkNrpName(_id: string, parsed: ParsedId, method: string): void {
  if (method !== "PUT") return;
  const last = parsed.blocks[parsed.blocks.length - 1];
  const name = last?.names[last.names.length - 1];
  if (name !== undefined && !NRP_NAME.test(name)) throw NetErrors.invalidResourceName.make({ name });
}

/** The `id` of a `{id}` reference object, if any. */
export function refId(x: unknown): string | undefined {
  if (x && typeof x === "object" && typeof (x as { id?: unknown }).id === "string" && (x as { id: string }).id !== "") {
    return (x as { id: string }).id;
  }
  return undefined;
}

export function sameId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && idKey(a) === idKey(b);
}

/** A record of the given type at id, or undefined. */
export function getTyped(tx: Reader, id: string, type: string): ResourceRecord | undefined {
  const r = getRecord(tx, id);
  return r && r.type.toLowerCase() === type.toLowerCase() ? r : undefined;
}

export function obj(x: unknown): Record<string, any> {
  return x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, any>) : {};
}

export function arr(x: unknown): any[] {
  return Array.isArray(x) ? x : [];
}

/** Copy the listed keys of `src` that are present (not undefined) into a new object. */
export function pick(src: Record<string, any>, keys: readonly string[]): Record<string, any> {
  const out: Record<string, any> = {};
  for (const k of keys) if (src[k] !== undefined) out[k] = src[k];
  return out;
}

/**
 * A PUT leaves an NRP resource "Updating" while its operation runs; the operation's "complete"
 * stage (or completePut, when the caller asked for the write to finish in the call) makes it "Succeeded".
 */
export const PUT_STATE = "Updating";

/** asyncPut for NRP types: every PUT is a long-running operation whose "complete" stage flips provisioningState. */
export function nrpAsyncPut(ctx: WriteCtx): { stage: string; delayMs: number } {
  return { stage: "complete", delayMs: ctx.env.latency.delay("network.put") };
}

export function nrpDeleteStage(ctx: DeleteCtx): { stage: string; delayMs: number } {
  return { stage: "delete", delayMs: ctx.env.latency.delay("network.delete") };
}

/**
 * Status URL of the operation running on rec, on the caller's origin (the emulator's own when there
 * is no caller). The operation is read through `tx`, the transaction the check is part of.
 */
export function operationUrlOf(env: ArmEnv, tx: Pick<Txn, "get">, rec: ResourceRecord, caller?: Caller): string {
  const origin = caller?.origin ?? env.endpoint();
  const op = rec.internal?.activeOperation ? env.ops.get(rec.internal.activeOperation, tx) : undefined;
  if (!op) return `${origin}/`;
  return operationUrls(origin, op).asyncOperation;
}

/** 409 AnotherOperationInProgress when an operation is running on rec. */
export function throwIfBusy(env: ArmEnv, tx: Pick<Txn, "get">, rec: ResourceRecord | undefined, caller?: Caller): void {
  if (rec && isBusy(rec)) throw NetErrors.anotherOperationInProgress.make({ url: operationUrlOf(env, tx, rec, caller) });
}

/**
 * A referenced resource that is being deleted cannot be taken into use: 409 AnotherOperationInProgress
 * (NRP answers so for a reference to a resource whose delete operation is running).
 */
export function throwIfDeleting(env: ArmEnv, tx: Pick<Txn, "get">, rec: ResourceRecord | undefined, caller?: Caller): void {
  if (rec && rec.properties?.provisioningState === "Deleting") throw NetErrors.anotherOperationInProgress.make({ url: operationUrlOf(env, tx, rec, caller) });
}

/** Whether a user (resource id, or an IPAM owner key under one) lies inside the given resource group. */
export function inScope(userId: string, scope: string): boolean {
  return idKey(userId).startsWith(idKey(scope) + "/");
}

/**
 * Which users still block a delete: all of them for a direct delete; in a resource-group cascade
 * (cascadeScope set) those outside the group being deleted; none in other cascades (a parent's).
 */
export function blockingUsers<U>(ctx: Pick<DeleteCtx, "cascade" | "cascadeScope">, users: U[], idOf: (u: U) => string): U[] {
  if (!ctx.cascade) return users;
  if (!ctx.cascadeScope) return [];
  return users.filter((u) => !inScope(idOf(u), ctx.cascadeScope!));
}

export function withoutActiveOperation(internal: Record<string, any> | undefined): Record<string, any> {
  const out = { ...(internal ?? {}) };
  delete out.activeOperation;
  return out;
}

export interface NrpReconcileHooks {
  /** After a PUT's operation completes (record already Succeeded). */
  onPutComplete?(tx: Txn, env: ArmEnv, rec: ResourceRecord): void;
  /** Re-check, when the delete runs, that the resource is still deletable (it may have been taken into use meanwhile). */
  checkDelete?(tx: Txn, env: ArmEnv, rec: ResourceRecord): void;
  /** Side effects of a delete (release addresses, detach), before the record tree is removed. */
  finalizeDelete?(tx: Txn, env: ArmEnv, rec: ResourceRecord): void;
}

/** What an NRP PUT's "complete" stage does: provisioningState "Succeeded", no running operation, then the type's hook. */
export function nrpCompletePut(tx: Txn, env: ArmEnv, rec: ResourceRecord, hooks: NrpReconcileHooks = {}): void {
  const done: ResourceRecord = { ...rec, properties: { ...rec.properties, provisioningState: "Succeeded" }, internal: withoutActiveOperation(rec.internal) };
  putRecord(tx, done);
  hooks.onPutComplete?.(tx, env, done);
}

/** The reconcile of every NRP type: "complete" flips provisioningState, "delete" removes. */
export function nrpReconcile(hooks: NrpReconcileHooks = {}) {
  return async (ctx: ReconcileCtx): Promise<ReconcileStep> => {
    const { env, op } = ctx;
    await env.store.txn((tx) => {
      const rec = getRecord(tx, op.resourceId);
      if (!rec) return;
      if (op.kind === "delete") {
        hooks.checkDelete?.(tx, env, rec);
        hooks.finalizeDelete?.(tx, env, rec);
        deleteRecordTree(tx, rec.id);
        return;
      }
      if (rec.internal?.activeOperation !== op.name) return;
      nrpCompletePut(tx, env, rec, hooks);
    });
    return { done: true };
  };
}

/** The strategy hooks every NRP type shares: LRO PUT (completable in the call), LRO DELETE, their reconcile. */
export function nrpLifecycle(hooks: NrpReconcileHooks = {}) {
  return {
    asyncPut: (ctx: WriteCtx) => nrpAsyncPut(ctx),
    completePut: (ctx: { env: ArmEnv; tx: Txn; record: ResourceRecord }) => nrpCompletePut(ctx.tx, ctx.env, ctx.record, hooks),
    reconcile: nrpReconcile(hooks),
  };
}

/** The ARM envelope with the given properties (systemData is not part of NRP responses). */
export function envelope(rec: ResourceRecord, properties: Record<string, unknown>): Record<string, unknown> {
  const out = renderBase({ ...rec, systemData: undefined });
  out.properties = properties;
  return out;
}

/** Keep only records that still exist and de-duplicate ids (case-insensitively), keeping order. */
export function uniqueIds(ids: Iterable<string>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const id of ids) {
    const k = idKey(id);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(id);
  }
  return out;
}

/**
 * A tracked NRP resource whose addresses come from subnets (load balancers, NICs): LRO PUT and
 * DELETE, and `release` both for synchronous (cascade) and asynchronous deletes.
 */
export function addressHoldingType(o: {
  type: string;
  put(ctx: WriteCtx): ResourceRecord;
  release(tx: Txn, env: ArmEnv, rec: ResourceRecord): void;
  render(rec: ResourceRecord): Record<string, unknown>;
}): ResourceTypeDef {
  return {
    namespace: "Microsoft.Network",
    type: o.type,
    apiVersions: NRP_API_VERSIONS,
    defaultApiVersion: NRP_DEFAULT_API_VERSION,
    scope: "resourceGroup",
    tracked: true,
    capabilities: "SupportsTags, SupportsLocation",
    strategy: {
      checkId: checkNrpName,
      put: o.put,
      ...nrpLifecycle({ finalizeDelete: o.release }),
      asyncDelete: (ctx) => nrpDeleteStage(ctx),
      delete: (ctx) => o.release(ctx.tx, ctx.env, ctx.record),
      render: (rec) => o.render(rec),
    },
  };
}
