// Runs a Plan: every resource starts as soon as the resources it depends on have succeeded
// (independent ones in parallel), through the ResourceOperations the caller supplies: the same
// write path as a client PUT. A failure stops the resources that depend on it, lets independent
// branches finish, and fails the deployment with DeploymentFailed carrying each inner error;
// outputs are evaluated only when every operation succeeded. A cancel (the abort signal) starts
// nothing more and ends the run at once: writes in flight are left to their resource providers,
// as ARM leaves them ("the resources partially deployed"). No I/O of its own.
import type { ErrorDetail } from "../errors.js";
import { ArmError } from "../errors.js";
import { type Plan, type PlannedResource, type NestedDeployment, type ResourceResolver, PendingResource, resolveAsync } from "./engine.js";
import { deploymentFailed, resourceDeploymentFailure } from "./errors.js";
import type { Json, JsonObject } from "./values.js";

export type WriteOutcome =
  | { ok: true; statusCode: string; resource: JsonObject }
  /** `terminalState` when the write was accepted and its long-running operation ended that way */
  | { ok: false; statusCode: string; error: ErrorDetail; terminalState?: string };

/** The write path the executor drives (the resource service, or a child deployment). */
export interface ResourceOperations {
  /** PUT as a client would, resolving when any long-running operation has ended. */
  put(resource: PlannedResource, body: JsonObject): Promise<WriteOutcome>;
  /** A nested deployment (Microsoft.Resources/deployments): run as a child deployment. */
  deploy(resource: PlannedResource & { nested: NestedDeployment }, body: JsonObject): Promise<WriteOutcome>;
  /** GET, for reference() and `existing`; undefined when there is no such resource. */
  get(id: string, apiVersion: string | undefined): Promise<JsonObject | undefined>;
  /** POST {id}/{action}, for list*(). */
  post(id: string, action: string, apiVersion: string, body: Json | undefined): Promise<Json>;
}

export interface OperationRecord {
  operationId: string;
  /** Delete: a Complete-mode deletion of a resource the template does not deploy */
  provisioningOperation: "Create" | "Delete";
  provisioningState: "Running" | "Succeeded" | "Failed" | "Canceled";
  timestamp: string;
  duration: string;
  statusCode?: string;
  statusMessage?: Json;
  targetResource: { id: string; resourceName: string; resourceType: string; apiVersion: string; symbolicName?: string };
}

export interface ExecuteOptions {
  deploymentId: string;
  now: () => Date;
  operationId: () => string;
  /** called on every change of an operation record (to persist it) */
  onOperation?: (op: OperationRecord) => void | Promise<void>;
  /** a cancel: no resource starts after it, and the run ends Canceled */
  signal?: AbortSignal;
}

export interface ExecuteResult {
  provisioningState: "Succeeded" | "Failed" | "Canceled";
  operations: OperationRecord[];
  outputs?: Record<string, { type: string; value: Json }>;
  outputResources: { id: string }[];
  error?: ErrorDetail;
}

/** "PT22.8356799S", as deployments and their operations report durations. */
export function isoDuration(ms: number): string {
  return `PT${(Math.max(0, ms) / 1000).toFixed(7).replace(/\.?0+$/, "")}S`;
}

function notFound(id: string): ArmError {
  const rg = /\/resourceGroups\/([^/]+)/i.exec(id)?.[1];
  const type = /\/providers\/(.*)$/i.exec(id)?.[1] ?? id;
  // ARM's text for a missing resource (aka.ms/ARMResourceNotFoundFix)
  return new ArmError(404, "ResourceNotFound", `The Resource '${type}' under resource group '${rg ?? ""}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
}

export async function executePlan(plan: Plan, ops: ResourceOperations, opts: ExecuteOptions): Promise<ExecuteResult> {
  const cache = new Map<string, Json>();
  const fetch = async (req: PendingResource["request"]): Promise<Json> => {
    if (req.kind === "get") {
      const r = await ops.get(req.id, req.apiVersion);
      if (!r) throw notFound(req.id);
      return r;
    }
    return ops.post(req.id, req.action, req.apiVersion, req.body);
  };
  const evaluate = <T>(fn: (r: ResourceResolver) => T) => resolveAsync(fn, fetch, cache);
  // a resource this deployment writes is fetched again after its write, not from an earlier read
  const forget = (id: string) => {
    for (const k of [...cache.keys()]) if (k.includes(` ${id.toLowerCase()} `)) cache.delete(k);
  };

  const operations: OperationRecord[] = [];
  const failures: ErrorDetail[] = [];
  const byKey = new Map(plan.resources.map((r) => [r.key, r]));
  const running = new Map<string, Promise<boolean>>();
  const signal = opts.signal;
  const CANCELED = Symbol("canceled");
  const canceled = new Promise<typeof CANCELED>((resolve) => {
    if (signal?.aborted) resolve(CANCELED);
    else signal?.addEventListener("abort", () => resolve(CANCELED), { once: true });
  });

  const run = (r: PlannedResource): Promise<boolean> => {
    let p = running.get(r.key);
    if (p) return p;
    p = (async () => {
      const ok = await Promise.all(r.dependsOn.map((d) => run(byKey.get(d)!)));
      if (ok.some((x) => !x)) return false; // a dependency failed: this one never starts
      if (signal?.aborted) return false; // canceled: nothing starts any more
      const started = opts.now();
      const op: OperationRecord = {
        operationId: opts.operationId(),
        provisioningOperation: "Create",
        provisioningState: "Running",
        timestamp: started.toISOString(),
        duration: "PT0S",
        targetResource: { id: r.id, resourceName: r.name, resourceType: r.type, apiVersion: r.apiVersion, ...(r.symbolicName ? { symbolicName: r.symbolicName } : {}) },
      };
      operations.push(op);
      await opts.onOperation?.(op);
      const write = (async (): Promise<WriteOutcome> => {
        try {
          const body = await evaluate((res) => plan.body(r.key, res));
          return r.nested ? await ops.deploy(r as PlannedResource & { nested: NestedDeployment }, body) : await ops.put(r, body);
        } catch (e) {
          if (!(e instanceof ArmError)) throw e;
          return { ok: false, statusCode: e.status === 404 ? "NotFound" : "BadRequest", error: e.toBody().error as ErrorDetail };
        }
      })();
      const outcome = await Promise.race([write, canceled]);
      if (outcome === CANCELED) {
        // the deployment stops waiting; the write goes on in its provider (a late fault has no one to tell)
        write.catch(() => undefined);
        op.provisioningState = "Canceled";
        op.duration = isoDuration(opts.now().getTime() - started.getTime());
        await opts.onOperation?.(op);
        return false;
      }
      forget(r.id);
      const ended = opts.now();
      op.timestamp = ended.toISOString();
      op.duration = isoDuration(ended.getTime() - started.getTime());
      op.statusCode = outcome.statusCode;
      if (outcome.ok) {
        op.provisioningState = "Succeeded";
        op.statusMessage = { status: "OK" };
      } else {
        op.provisioningState = "Failed";
        const error = outcome.terminalState ? { ...resourceDeploymentFailure.make({ state: outcome.terminalState }).toBody().error, details: [outcome.error] } : outcome.error;
        op.statusMessage = { status: "Failed", error: error as unknown as Json };
        failures.push(error);
      }
      await opts.onOperation?.(op);
      return outcome.ok;
    })();
    running.set(r.key, p);
    return p;
  };

  const all = Promise.all(plan.resources.map(run));
  await Promise.race([all, canceled]);
  const outputResources = operations.filter((o) => o.provisioningState === "Succeeded").map((o) => ({ id: o.targetResource.id }));
  if (signal?.aborted) {
    all.catch(() => undefined);
    return { provisioningState: "Canceled", operations, outputResources };
  }
  if (failures.length > 0) {
    const error = { ...deploymentFailed.make({}).toBody().error, target: opts.deploymentId, details: failures };
    return { provisioningState: "Failed", operations, outputResources, error };
  }
  try {
    const outputs = await evaluate((res) => plan.outputs(res));
    return { provisioningState: "Succeeded", operations, outputResources, outputs };
  } catch (e) {
    if (!(e instanceof ArmError)) throw e;
    return { provisioningState: "Failed", operations, outputResources, error: e.toBody().error as ErrorDetail };
  }
}

/** One Complete-mode deletion: ok, or the error the DELETE answered. */
export type DeleteOutcome = { ok: true; statusCode: string } | { ok: false; statusCode: string; error: ErrorDetail };

/**
 * Complete mode's deletions, wave by wave (each wave in parallel, after the waves before it). A
 * failed deletion stops the waves after it: what they hold may still be in use. Returns the
 * operations and the errors.
 */
export async function executeDeletions(
  waves: { id: string; type: string; apiVersion: string }[][],
  del: (r: { id: string; type: string; apiVersion: string }) => Promise<DeleteOutcome>,
  opts: Omit<ExecuteOptions, "deploymentId">,
): Promise<{ operations: OperationRecord[]; failures: ErrorDetail[] }> {
  const operations: OperationRecord[] = [];
  const failures: ErrorDetail[] = [];
  for (const wave of waves) {
    if (opts.signal?.aborted) break;
    await Promise.all(
      wave.map(async (r) => {
        const started = opts.now();
        const op: OperationRecord = {
          operationId: opts.operationId(),
          provisioningOperation: "Delete",
          provisioningState: "Running",
          timestamp: started.toISOString(),
          duration: "PT0S",
          targetResource: { id: r.id, resourceName: r.id.split("/").pop()!, resourceType: r.type, apiVersion: r.apiVersion },
        };
        operations.push(op);
        await opts.onOperation?.(op);
        const outcome = await del(r);
        const ended = opts.now();
        op.timestamp = ended.toISOString();
        op.duration = isoDuration(ended.getTime() - started.getTime());
        op.statusCode = outcome.statusCode;
        op.provisioningState = outcome.ok ? "Succeeded" : "Failed";
        op.statusMessage = outcome.ok ? { status: "OK" } : { status: "Failed", error: outcome.error as unknown as Json };
        if (!outcome.ok) failures.push(outcome.error);
        await opts.onOperation?.(op);
      }),
    );
    if (failures.length) break;
  }
  return { operations, failures };
}
