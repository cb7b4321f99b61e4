// Runs a Plan: every resource starts as soon as the resources it depends on have succeeded
// (independent ones in parallel), through the ResourceOperations the caller supplies: the same
// write path as a client PUT. A failure stops the resources that depend on it, lets independent
// branches finish, and fails the deployment with DeploymentFailed carrying each inner error;
// outputs are evaluated only when every operation succeeded. No I/O of its own.
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
  provisioningOperation: "Create";
  provisioningState: "Running" | "Succeeded" | "Failed";
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
}

export interface ExecuteResult {
  provisioningState: "Succeeded" | "Failed";
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

  const run = (r: PlannedResource): Promise<boolean> => {
    let p = running.get(r.key);
    if (p) return p;
    p = (async () => {
      const ok = await Promise.all(r.dependsOn.map((d) => run(byKey.get(d)!)));
      if (ok.some((x) => !x)) return false; // a dependency failed: this one never starts
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
      let outcome: WriteOutcome;
      try {
        const body = await evaluate((res) => plan.body(r.key, res));
        outcome = r.nested ? await ops.deploy(r as PlannedResource & { nested: NestedDeployment }, body) : await ops.put(r, body);
      } catch (e) {
        if (!(e instanceof ArmError)) throw e;
        outcome = { ok: false, statusCode: e.status === 404 ? "NotFound" : "BadRequest", error: e.toBody().error as ErrorDetail };
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

  await Promise.all(plan.resources.map(run));
  const outputResources = operations.filter((o) => o.provisioningState === "Succeeded").map((o) => ({ id: o.targetResource.id }));
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
