// The shapes shared by the generic ARM machinery and every provider.
import type { Store, Txn } from "../store/store.js";
import type { Caller, Principal } from "./caller.js";
import type { ParsedId } from "./resource-id.js";
import type { Latency } from "./latency.js";
import type { EnvelopeProblem } from "./envelope.js";
import type { ArmError } from "./errors.js";

export interface SystemData {
  createdBy: string;
  createdByType: "User" | "Application" | "ManagedIdentity" | "Key";
  createdAt: string;
  lastModifiedBy: string;
  lastModifiedByType: "User" | "Application" | "ManagedIdentity" | "Key";
  lastModifiedAt: string;
}

/** What the store keeps for one ARM resource. `internal` is never rendered. */
export interface ResourceRecord {
  id: string;
  name: string;
  /** Canonical type, e.g. "Microsoft.Network/virtualNetworks/subnets". */
  type: string;
  location?: string;
  tags?: Record<string, string> | null;
  etag?: string;
  sku?: unknown;
  identity?: any;
  kind?: string;
  managedBy?: string | null;
  zones?: string[];
  properties: Record<string, any>;
  systemData?: SystemData;
  internal?: Record<string, any>;
}

export interface OperationRecord {
  /** Operation id (GUID). */
  name: string;
  status: "InProgress" | "Succeeded" | "Failed" | "Canceled";
  kind: "put" | "delete" | "action" | "rgdelete";
  /** Resource the operation works on. */
  resourceId: string;
  /** Canonical type of that resource ("Microsoft.Resources/resourceGroups" for rgdelete). */
  type: string;
  namespace: string;
  location: string;
  subscriptionId: string;
  apiVersion: string;
  action?: string;
  /** Strategy-defined step name; the engine re-runs the current stage after a restart. */
  stage: string;
  /** Epoch ms when the current stage is due. */
  dueAt: number;
  startTime: string;
  endTime?: string;
  error?: { code: string; message: string; details?: unknown[]; target?: string };
  /** Final result of an action (body served from the Location URL). */
  result?: { status: number; body?: unknown };
  /** Strategy scratch space carried between stages. */
  data?: Record<string, any>;
  principal?: Principal;
  /** The member (process) whose lease owns the operation now (store/ownership.ts); informational, the owner key decides. */
  owner?: { member: string; lease: string };
}

export interface ArmEnv {
  store: Store;
  latency: Latency;
  subscriptionId: string;
  tenantId: string;
  registry: TypeRegistryView;
  ops: OperationScheduler;
  /** Services other layers plug in (e.g. "kube" for the Kubernetes host). */
  services: Map<string, unknown>;
  now(): Date;
  /** The emulator's configured origin (`https://127.0.0.1:port`): links for callers that did not come over HTTP. */
  endpoint(): string;
}

export interface TypeRegistryView {
  find(type: string): ResourceTypeDef | undefined;
  all(): ResourceTypeDef[];
}

export interface OperationScheduler {
  /**
   * Create an operation inside tx; returns its record. It is scheduled once tx has committed
   * (nothing happens outside tx, so the caller's fn stays rerun-safe).
   */
  start(tx: Txn, op: Omit<OperationRecord, "status" | "startTime" | "dueAt" | "name"> & { delayMs: number; name?: string }): OperationRecord;
  /** The operation's record, read through `reader` (a transaction) or the store. */
  get(name: string, reader?: Pick<Txn, "get">): OperationRecord | undefined;
}

export interface WriteCtx {
  env: ArmEnv;
  tx: Txn;
  id: string;
  parsed: ParsedId;
  apiVersion: string;
  /** Request body (parsed JSON object). */
  body: any;
  existing?: ResourceRecord;
  principal: Principal;
  caller: Caller;
}

export interface DeleteCtx {
  env: ArmEnv;
  tx: Txn;
  record: ResourceRecord;
  apiVersion: string;
  principal: Principal;
  /** True when the delete is part of a resource-group (or parent) cascade: skip in-use checks. */
  cascade: boolean;
  /** In a resource-group cascade, the id of the group being deleted: only users inside it are skipped by in-use checks. */
  cascadeScope?: string;
  caller: Caller;
}

export interface RenderCtx {
  env: ArmEnv;
  apiVersion: string;
  /** Read access to other records (for composed views, e.g. a VNet with its subnets). */
  tx: Pick<Txn, "get" | "list">;
}

export interface ActionCtx {
  env: ArmEnv;
  tx: Txn;
  record: ResourceRecord;
  apiVersion: string;
  body: any;
  /** The action's query parameters (e.g. `format`, `server-fqdn`, `ipAddress`); api-version excluded. */
  query(name: string): string | undefined;
  principal: Principal;
  caller: Caller;
}

export type ActionResult =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  /** Long-running action: the engine runs `stage` of the strategy's reconcile. */
  | { async: { stage: string; delayMs: number; data?: Record<string, any>; provisioningState?: string;
      /** Path (below the endpoint, with query) of the 202's Location header instead of the generic operationresults URL. */
      locationPath?: (opName: string) => string } };

export interface ActionDef {
  method: "POST" | "GET";
  run(ctx: ActionCtx): ActionResult;
}

export interface ListCtx {
  env: ArmEnv;
  tx: Pick<Txn, "get" | "list">;
  /** The scope the collection hangs off: parent resource, resource group or subscription id. */
  scopeId: string;
  parsed: ParsedId;
  query(name: string): string | undefined;
  principal: Principal;
}

export interface ReconcileCtx {
  env: ArmEnv;
  op: OperationRecord;
}

export type ReconcileStep =
  | { done: true; result?: { status: number; body?: unknown } }
  | { next: string; delayMs: number; data?: Record<string, any> };

export interface ResourceStrategy {
  /** Validate and build the record to store for PUT (create when ctx.existing is undefined). */
  put(ctx: WriteCtx): ResourceRecord;
  /** When set, PUT answers with a non-terminal provisioningState and an operation runs `stage`. */
  asyncPut?(ctx: WriteCtx, rec: ResourceRecord): { stage: string; delayMs: number; data?: Record<string, any> } | undefined;
  /**
   * Finish what asyncPut's operation would finish, at once and in tx (the stored record as `rec`).
   * The resource service uses it when its caller asked for the write to complete in the call
   * (a provider's side effect inside the caller's transaction); types without it refuse such writes.
   */
  completePut?(ctx: { env: ArmEnv; tx: Txn; record: ResourceRecord }): void;
  /** PATCH; default: replace tags only (ARM UpdateTags). */
  patch?(ctx: WriteCtx): ResourceRecord;
  /** Validate and apply a delete (side effects: release addresses, cascade); record removal is generic. */
  delete?(ctx: DeleteCtx): void;
  /** When set, DELETE answers 202 and an operation runs `stage`; the record stays (Deleting) until reconcile ends. */
  asyncDelete?(ctx: DeleteCtx): { stage: string; delayMs: number; data?: Record<string, any> } | undefined;
  reconcile?(ctx: ReconcileCtx): Promise<ReconcileStep>;
  render?(rec: ResourceRecord, ctx: RenderCtx): Record<string, unknown>;
  /** Override how one resource is found (e.g. built-in role definitions readable at every scope). */
  lookup?(tx: Pick<Txn, "get" | "list">, id: string, env: ArmEnv): ResourceRecord | undefined;
  /** Override collection listing (e.g. role assignments "at or above" a scope with $filter). */
  listAt?(ctx: ListCtx): ResourceRecord[];
  /** POST/GET sub-paths, e.g. listClusterUserCredential. Keys compare case-insensitively. */
  actions?: Record<string, ActionDef>;
  /**
   * The provider's own check of a single-resource request's id (GET/PUT/PATCH/DELETE), e.g. GUID
   * names; ARM runs it after the subscription, registration, resource group and parent checks.
   */
  checkId?(id: string, parsed: ParsedId, method: string, caller: Caller): void;
  /** Answer a synchronous DELETE with 200 and the deleted resource as body (role assignments). */
  deleteReturnsBody?: boolean;
  /** How this provider words an unreadable `location`/`tags` (arm/envelope.ts); default ARM's InvalidRequestContent. */
  envelopeError?(problem: EnvelopeProblem): ArmError;
}

export interface ResourceTypeDef {
  namespace: string;
  /** Type path below the namespace, e.g. "virtualNetworks/subnets". */
  type: string;
  /** Supported api-versions, any order. */
  apiVersions: readonly string[];
  /** rg: lives in a resource group; extension: lives on any scope (roleAssignments). */
  scope: "resourceGroup" | "extension" | "subscription";
  /** Whether the type carries a location (tracked resource). */
  tracked: boolean;
  /** How the async-operation URLs are built for this namespace ("operations" by default). */
  strategy: ResourceStrategy;
  /** Default api-version reported by providers list (newest stable otherwise). */
  defaultApiVersion?: string;
  capabilities?: string;
}
