// Microsoft.Resources/deployments at resource-group and subscription scope (issue 13): PUT (runs
// the template engine's plan through the resource service, the same write path as a client PUT;
// Incremental or Complete), GET, list, validate, what-if, cancel, exportTemplate, DELETE, the
// deployment's operations and its operationStatuses / operationResults; calculateTemplateHash;
// management-group and tenant scope answer what ARM answers where neither exists. The body is
// read as ARM reads it (az sends `template:` unquoted, comments kept).
import { randomUUID } from "node:crypto";
import type { RequestContext } from "../../http/context.js";
import type { Route } from "../../arm/router.js";
import type { ArmEnv } from "../../arm/types.js";
import { ArmError, defineError, type ErrorDetail } from "../../arm/errors.js";
import { E } from "../../arm/catalog.js";
import { callerOf, requireApiVersion, sendPage } from "../../arm/generic.js";
import { getResourceGroup, getSubscription } from "../../arm/state.js";
import { resourceGroups } from "../../arm/resource-groups.js";
import { RESOURCES_API_VERSIONS, checkArmApiVersion } from "../../arm/arm-api-versions.js";
import { ResourceService } from "../../arm/resource-service.js";
import type { Caller } from "../../arm/caller.js";
import { parseJsonc, JsoncError } from "../../arm/template/jsonc.js";
import { planTemplate, PendingResource, type DeploymentContext, type Plan, type PlannedResource, type NestedDeployment } from "../../arm/template/engine.js";
import { whatIf } from "../../arm/template/whatif.js";
import { listInGroup } from "../../arm/repo.js";
import { executePlan, executeDeletions, isoDuration, type DeleteOutcome, type OperationRecord as DeploymentOperation, type ResourceOperations, type WriteOutcome } from "../../arm/template/execute.js";
import { completeModeDeletions } from "../../arm/template/cleanup.js";
import { minifyTemplate, templateHash } from "../../arm/template/hash.js";
import { sortApiVersions } from "../../arm/api-version.js";
import { deploymentFailed, resourceDeploymentFailure } from "../../arm/template/errors.js";
import type { Json, JsonObject } from "../../arm/template/values.js";

const TYPE = "Microsoft.Resources/deployments";
const g = "Template deployments";
const keyOf = (id: string) => `deployments/${id.toLowerCase()}`;
/** One key per deployment operation, under the deployment's prefix. */
const opsKeyOf = (id: string) => `deploymentoperations/${id.toLowerCase()}/`;

const errors = {
  // AzureCosmosDB/AgentMemoryToolkit#17 shape; Azure/bicep-deploy#102
  locationAtGroupScope: defineError<{ name: string }>({ group: g, code: "InvalidDeployment", status: 400,
    template: "The 'location' property is not allowed for '{name}' at resource group scope. Please see https://aka.ms/arm-deployment-subscription for usage details.", source: "Azure/bicep-deploy#102" }),
  // AzureCosmosDB/AgentMemoryToolkit#17
  locationRequired: defineError<{ name: string }>({ group: g, code: "InvalidDeployment", status: 400,
    template: "The 'location' property must be specified for '{name}'. Please see https://aka.ms/arm-deployment-subscription for usage details.", source: "AzureCosmosDB/AgentMemoryToolkit#17" }),
  // Azure/azure-cli#28834
  notFound: defineError<{ name: string }>({ group: g, code: "DeploymentNotFound", status: 404,
    template: "Deployment '{name}' could not be found.", source: "Azure/azure-cli#28834" }),
  // microsoft/azure-pipelines-tasks#5320 (code inferred)
  active: defineError<{ name: string; started: string; expires: string }>({ group: g, code: "DeploymentActive", status: 409,
    template: "Unable to edit or replace deployment '{name}': previous deployment from '{started}' is still active (expiration time is '{expires}'). Please see https://aka.ms/arm-deploy for usage details.", source: "microsoft/azure-pipelines-tasks#5320" }),
  activeDelete: defineError<{ name: string }>({ group: g, code: "DeploymentActive", status: 409,
    template: "The deployment '{name}' is running and cannot be deleted: a template deployment that is currently running cannot be deleted.", source: "emulator (Spec: \"A template deployment that is currently running cannot be deleted.\")" }),
  offline: defineError<{ what: string }>({ group: g, code: "InvalidDeployment", status: 400,
    template: "'{what}' is not supported by the emulator: it has no network access to fetch linked templates or parameters. Send the template or parameters inline.", source: "emulator" }),
  // juju/juju provider/azure: 409 DeploymentCannotBeCancelled once a deployment is not running (text: emulator)
  cannotCancel: defineError<{ name: string; state: string }>({ group: g, code: "DeploymentCannotBeCancelled", status: 409,
    template: "The deployment '{name}' cannot be cancelled: its provisioning state is '{state}'. A deployment can be cancelled only while it is Accepted or Running.", source: "emulator (code and 409 from juju/juju provider/azure; the text is not public)" }),
  // Azure/azure-monitor-baseline-alerts#459: the emulator has no management groups, so every one is missing
  managementGroupNotFound: defineError<{ mg: string }>({ group: g, code: "ManagementGroupNotFound", status: 404,
    template: "The management group '{mg}' cannot be found.", source: "Azure/azure-monitor-baseline-alerts#459" }),
  // pulumi/pulumi-azure-nextgen#263 (ARM's text); no principal holds a role at the tenant root in the emulator
  tenantScopeDenied: defineError<{ client: string; oid: string; action: string; scope: string }>({ group: g, code: "AuthorizationFailed", status: 403,
    template: "The client '{client}' with object id '{oid}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.", source: "pulumi/pulumi-azure-nextgen#263" }),
  // Azure/azure-rest-api-specs#43400 (subscription, management group and tenant scope)
  modeAtScope: defineError<{ mode: string }>({ group: g, code: "InvalidDeployment", status: 400,
    template: "Specified deployment mode '{mode}' is not supported for deployment at the current scope. Please see https://aka.ms/deployment-modes for usage details.", source: "Azure/azure-rest-api-specs#43400" }),
  // docs linked-templates.md: "For nested or linked templates, you can only set the deployment mode to Incremental"
  nestedMode: defineError<{ mode: string; name: string }>({ group: g, code: "InvalidDeployment", status: 400,
    template: "The deployment mode '{mode}' is not allowed for the nested deployment '{name}': nested and linked templates deploy in Incremental mode only. Please see https://aka.ms/deployment-modes for usage details.", source: "emulator (docs linked-templates.md)" }),
  badMode: defineError<{ mode: string }>({ group: g, code: "InvalidDeployment", status: 400,
    template: "The deployment mode '{mode}' is not valid: expected 'Incremental' or 'Complete'.", source: "emulator" }),
};

interface DeploymentRecord {
  id: string;
  name: string;
  type: string;
  /** subscription scope: the deployment's location */
  location?: string;
  properties: JsonObject & { provisioningState: string };
  /** kept for exportTemplate and what-if; not rendered */
  template: Json;
  operationName?: string;
}

/** .NET's "M/d/yyyy h:mm:ss tt", as DeploymentActive prints the start time. */
function netDate(d: Date): string {
  const h = d.getUTCHours() % 12 || 12;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCHours() < 12 ? "AM" : "PM"}`;
}

/** Waits for a resource operation the write started (the scheduler runs it on its own timers). */
async function settled(env: ArmEnv, name: string) {
  // the operation engine can notify its waiters; the scheduler contract only promises get()
  const engine = env.ops as { waitFor?: (n: string) => Promise<NonNullable<ReturnType<ArmEnv["ops"]["get"]>>> };
  if (typeof engine.waitFor === "function") return engine.waitFor(name);
  for (;;) {
    const op = env.ops.get(name);
    if (!op) return { status: "Failed" as const, error: { code: "OperationNotFound", message: `The operation '${name}' was not found.` } };
    if (op.status !== "InProgress") return op;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const STATUS_NAMES: Record<number, string> = { 200: "OK", 201: "Created", 202: "Accepted", 400: "BadRequest", 403: "Forbidden", 404: "NotFound", 409: "Conflict", 429: "TooManyRequests", 500: "InternalServerError" };

/** The resource service as the executor's write path. */
function serviceOperations(env: ArmEnv, caller: Caller, nested: ResourceOperations["deploy"]): ResourceOperations {
  const svc = new ResourceService(env);
  const fail = (e: ArmError): WriteOutcome => ({ ok: false, statusCode: STATUS_NAMES[e.status] ?? String(e.status), error: e.toBody().error as ErrorDetail });
  return {
    async put(r, body) {
      try {
        if (r.type.toLowerCase() === "microsoft.resources/resourcegroups") {
          const sub = /^\/subscriptions\/([^/]+)/i.exec(r.id)![1]!;
          if (typeof body.location !== "string") throw E.locationRequired.make({});
          const loc = body.location;
          const { rec, existed } = await env.store.txn((tx) => {
            const existed = !!getResourceGroup(tx, sub, r.name);
            return { rec: resourceGroups(env).ensure(tx, env, sub, r.name, loc, body.tags ? { tags: body.tags as Record<string, string> } : {}), existed };
          });
          return { ok: true, statusCode: existed ? "OK" : "Created", resource: rec as unknown as JsonObject };
        }
        const t = svc.resolve(r.id, "PUT", r.apiVersion);
        const res = await svc.put(t, body, { caller });
        if (res.operation) {
          const done = await settled(env, res.operation.name);
          if (done.status !== "Succeeded") return { ok: false, statusCode: STATUS_NAMES[res.status]!, error: (done.error as ErrorDetail) ?? { code: done.status, message: `The operation ended ${done.status}.` }, terminalState: done.status };
        }
        const t2 = svc.resolve(r.id, "GET", r.apiVersion);
        return { ok: true, statusCode: STATUS_NAMES[res.status]!, resource: svc.render(t2, svc.get(t2, "GET", caller)) as JsonObject };
      } catch (e) {
        if (e instanceof ArmError) return fail(e);
        throw e;
      }
    },
    deploy: nested,
    async get(id, apiVersion) {
      const group = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)$/i.exec(id);
      if (group) return getResourceGroup(env.store, group[1]!, group[2]!) as unknown as JsonObject | undefined;
      // deployments are not resource-service types: read their records (outputs for reference())
      if (/\/providers\/Microsoft\.Resources\/deployments\/[^/]+$/i.test(id)) {
        const d = env.store.get<DeploymentRecord>(keyOf(id))?.value;
        return d ? ({ id: d.id, name: d.name, type: d.type, properties: d.properties } as JsonObject) : undefined;
      }
      try {
        const t = svc.resolve(id, "GET", apiVersion ?? "");
        return svc.render(t, svc.get(t, "GET", caller)) as JsonObject;
      } catch (e) {
        if (e instanceof ArmError && e.status === 404) return undefined;
        throw e;
      }
    },
    async post(id, action, apiVersion, body) {
      const t = svc.resolve(`${id}/${action}`, "POST", apiVersion);
      const out = await svc.action(t, "POST", (body ?? {}) as Record<string, unknown>, () => undefined, { caller });
      return ("body" in out ? out.body : null) as Json;
    },
  };
}

/**
 * Deployments running in this process, across every core that shares its store (EmulatorCore.openBeside);
 * the data-directory lock keeps other processes out, so what is not here was interrupted.
 */
const RUNNING = new Map<string, Promise<void>>();
/** What cancels each running deployment (same keys as RUNNING). */
const CANCELS = new Map<string, AbortController>();

export function deploymentRoutes(env: ArmEnv): Route[] {
  const running = RUNNING;

  const scope = (ctx: RequestContext, p: Record<string, string>) => {
    checkArmApiVersion(requireApiVersion(ctx), RESOURCES_API_VERSIONS);
    const sub = getSubscription(env.store, p.sub!);
    if (!sub) throw /^[0-9a-f-]{36}$/i.test(p.sub!) ? E.subscriptionNotFound.make({ sub: p.sub! }) : E.invalidSubscriptionId.make({ sub: p.sub! });
    if (p.rg === undefined) return { sub: p.sub!, rg: undefined, root: `/subscriptions/${p.sub}` };
    const rg = getResourceGroup(env.store, p.sub!, p.rg);
    if (!rg) throw E.resourceGroupNotFound.make({ rg: p.rg });
    return { sub: p.sub!, rg, root: `/subscriptions/${p.sub}/resourceGroups/${rg.name}` };
  };
  const idOf = (p: Record<string, string>, root: string) => `${root}/providers/${TYPE}/${p.name}`;
  const load = (id: string) => env.store.get<DeploymentRecord>(keyOf(id))?.value;
  const render = (d: DeploymentRecord) => ({ id: d.id, name: d.name, type: d.type, ...(d.location ? { location: d.location } : {}), properties: d.properties });

  /** Reads and checks the request, then plans the template: everything validate and PUT share. */
  const prepare = async (ctx: RequestContext, p: Record<string, string>) => {
    const { sub, rg, root } = scope(ctx, p);
    if (!/^[-\w._()]{1,64}$/.test(p.name!)) throw E.invalidRequestContent.make({ detail: `The deployment name '${p.name}' is not valid: at most 64 characters from letters, digits, '-', '_', '.', '(' and ')'` });
    const raw = (await ctx.rawBody()).toString("utf8");
    let parsed;
    try {
      parsed = parseJsonc(raw);
    } catch (e) {
      if (e instanceof JsoncError) throw E.invalidRequestContent.make({ detail: e.message });
      throw e;
    }
    const body = parsed.value;
    if (typeof body !== "object" || body === null || Array.isArray(body) || typeof body.properties !== "object" || body.properties === null || Array.isArray(body.properties))
      throw E.invalidRequestContent.make({ detail: "Required property 'properties' not found in JSON. Path '', line 1, position 2." });
    if (rg && body.location !== undefined) throw errors.locationAtGroupScope.make({ name: p.name! });
    if (!rg && (typeof body.location !== "string" || body.location === "")) throw errors.locationRequired.make({ name: p.name! });
    const props = body.properties as JsonObject;
    if (props.templateLink !== undefined) throw errors.offline.make({ what: "properties.templateLink" });
    if (props.parametersLink !== undefined) throw errors.offline.make({ what: "properties.parametersLink" });
    const mode = typeof props.mode === "string" ? props.mode : "";
    if (!/^(incremental|complete)$/i.test(mode)) throw errors.badMode.make({ mode });
    const complete = /^complete$/i.test(mode);
    if (complete && !rg) throw errors.modeAtScope.make({ mode });
    const id = idOf(p, root);
    const plan = planTemplate(props.template, props.parameters ?? {}, {
      tenantId: env.tenantId,
      subscriptionId: sub,
      ...(rg ? { resourceGroup: { name: rg.name, location: rg.location!, ...(rg.tags ? { tags: rg.tags as Record<string, string> } : {}) } } : { location: String(body.location) }),
      deploymentName: p.name!,
      environment: { name: "AzureCloud", resourceManager: `${ctx.baseUrl}/` },
      now: env.now(),
      newGuid: () => randomUUID(),
      locate: (path) => parsed.positions.get(path),
    });
    preflight(plan);
    return { id, plan, mode: complete ? ("Complete" as const) : ("Incremental" as const), template: props.template ?? null, caller: callerOf(ctx), ...(rg ? {} : { location: String(body.location) }) };
  };

  /**
   * Evaluates every resource body that needs no deployed resource (no reference()/list*() of one
   * not yet there), so an expression error in a body (an unknown function, a bad argument) is
   * InvalidTemplate at validate and PUT, before anything runs, as ARM's preflight answers it.
   */
  const preflight = (plan: Plan) => {
    const pending: Parameters<Plan["body"]>[1] = {
      get: (id, apiVersion) => {
        throw new PendingResource({ kind: "get", id, apiVersion });
      },
      list: (id, action, apiVersion, body) => {
        throw new PendingResource({ kind: "list", id, action, apiVersion, body });
      },
    };
    for (const r of plan.resources)
      try {
        plan.body(r.key, pending);
      } catch (e) {
        if (!(e instanceof PendingResource)) throw e;
      }
  };

  const summary = (plan: Plan) => ({
    parameters: plan.parameters,
    dependencies: plan.dependencies,
    providers: [...new Set(plan.resources.map((r) => r.type.split("/")[0]!))].map((namespace) => ({
      namespace,
      resourceTypes: [...new Set(plan.resources.filter((r) => r.type.split("/")[0] === namespace).map((r) => r.type.split("/").slice(1).join("/")))].map((resourceType) => ({ resourceType, locations: [] })),
    })),
  });

  /** Starts a deployment's run, cancelable through CANCELS (and through `parent`, for a nested one). */
  const start = (d: DeploymentRecord, plan: Plan, caller: Caller, parent?: AbortSignal): Promise<void> => {
    const key = d.id.toLowerCase();
    const cancel = new AbortController();
    const signal = parent ? AbortSignal.any([cancel.signal, parent]) : cancel.signal;
    CANCELS.set(key, cancel);
    const job = run(d, plan, caller, signal).finally(() => {
      running.delete(key);
      CANCELS.delete(key);
    });
    running.set(key, job);
    return job;
  };

  const run = async (d: DeploymentRecord, plan: Plan, caller: Caller, signal: AbortSignal) => {
    const started = env.now();
    const save = (patch: Partial<DeploymentRecord["properties"]>) =>
      env.store.txn((tx) => {
        const cur = tx.get<DeploymentRecord>(keyOf(d.id))?.value ?? d;
        tx.put(keyOf(d.id), { ...cur, properties: { ...cur.properties, ...patch } });
      });
    await save({ provisioningState: "Running" });
    let result: Awaited<ReturnType<typeof executePlan>>;
    try {
      result = await executePlan(plan, serviceOperations(env, caller, (r, body) => deployNested(r, body, caller, signal)), {
        deploymentId: d.id,
        signal,
        now: () => env.now(),
        operationId: () => randomUUID().replace(/-/g, "").slice(0, 16).toUpperCase(),
        onOperation: async (op) => {
          await env.store.txn((tx) => tx.put(opsKeyOf(d.id) + op.operationId, op));
        },
      });
    } catch (e) {
      // a fault of the emulator's own: end the deployment Failed instead of leaving it Running (and never crash the process)
      console.error(`aksemu: deployment ${d.id} failed unexpectedly:`, e);
      result = { provisioningState: "Failed", operations: [], outputResources: [], error: { code: "InternalServerError", message: "The emulator failed while running this deployment; see its log." } };
    }
    if (result.provisioningState === "Succeeded" && d.properties.mode === "Complete") result = await completeMode(d, plan, caller, result, signal);
    if (signal.aborted) result = { ...result, provisioningState: "Canceled", outputs: undefined, error: undefined };
    const ended = env.now();
    await save({
      provisioningState: result.provisioningState,
      timestamp: ended.toISOString(),
      duration: isoDuration(ended.getTime() - started.getTime()),
      outputResources: result.outputResources,
      ...(result.outputs ? { outputs: result.outputs as unknown as Json } : {}),
      ...(result.error ? { error: result.error as unknown as Json } : {}),
    });
  };

  /** Every resource id a deployment wrote, its nested deployments' included (what Complete mode keeps). */
  const deployedBy = (ids: string[], seen = new Set<string>()): string[] => {
    const out: string[] = [];
    for (const id of ids) {
      out.push(id);
      if (!/\/providers\/Microsoft\.Resources\/deployments\/[^/]+$/i.test(id) || seen.has(id.toLowerCase())) continue;
      seen.add(id.toLowerCase());
      const child = load(id);
      const childIds = ((child?.properties.outputResources ?? []) as { id: string }[]).map((r) => r.id);
      out.push(...deployedBy(childIds, seen));
    }
    return out;
  };

  /** Complete mode, after every template resource succeeded: deletes the group's resources the template does not deploy. */
  const completeMode = async (d: DeploymentRecord, plan: Plan, caller: Caller, result: Awaited<ReturnType<typeof executePlan>>, signal: AbortSignal) => {
    const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\//i.exec(d.id)!;
    const keep = deployedBy([...plan.resources.map((r) => r.id), ...plan.existing.map((r) => r.id)]);
    const group = listInGroup(env.store, m[1]!, m[2]!).map((r) => ({ id: r.id, type: r.type, body: r as unknown as Json }));
    const svc = new ResourceService(env);
    const apiVersionOf = (type: string) => {
      const def = env.registry.find(type);
      return def ? (def.defaultApiVersion ?? sortApiVersions(def.apiVersions)[0]!) : "";
    };
    const waves = completeModeDeletions(keep, group).map((w) => w.map((r) => ({ id: r.id, type: r.type, apiVersion: apiVersionOf(r.type) })));
    const del = async (r: { id: string; apiVersion: string }): Promise<DeleteOutcome> => {
      try {
        const out = await svc.delete(svc.resolve(r.id, "DELETE", r.apiVersion), { caller });
        if (out.status !== 202) return { ok: true, statusCode: out.status === 204 ? "NoContent" : "OK" };
        const done = await settled(env, out.operation.name);
        if (done.status === "Succeeded") return { ok: true, statusCode: "OK" };
        return { ok: false, statusCode: "Accepted", error: (done.error as ErrorDetail) ?? { code: done.status, message: `The operation ended ${done.status}.` } };
      } catch (e) {
        if (e instanceof ArmError) return { ok: false, statusCode: STATUS_NAMES[e.status] ?? String(e.status), error: e.toBody().error as ErrorDetail };
        throw e;
      }
    };
    const { operations, failures } = await executeDeletions(waves, del, {
      signal,
      now: () => env.now(),
      operationId: () => randomUUID().replace(/-/g, "").slice(0, 16).toUpperCase(),
      onOperation: async (op) => {
        await env.store.txn((tx) => tx.put(opsKeyOf(d.id) + op.operationId, op));
      },
    });
    void operations;
    if (!failures.length) return result;
    const error = { ...deploymentFailed.make({}).toBody().error, target: d.id, details: failures } as ErrorDetail;
    return { ...result, provisioningState: "Failed" as const, error, outputs: undefined };
  };

  /** A Microsoft.Resources/deployments resource inside a template: a child deployment with its own record and operations. */
  const deployNested = async (r: PlannedResource & { nested: NestedDeployment }, body: JsonObject, caller: Caller, parent: AbortSignal): Promise<WriteOutcome> => {
    const fail = (e: ArmError): WriteOutcome => ({ ok: false, statusCode: STATUS_NAMES[e.status] ?? String(e.status), error: e.toBody().error as ErrorDetail });
    const props = (body.properties ?? {}) as JsonObject;
    if (props.templateLink !== undefined) return fail(errors.offline.make({ what: "properties.templateLink" }));
    if (props.parametersLink !== undefined) return fail(errors.offline.make({ what: "properties.parametersLink" }));
    if (typeof props.mode === "string" && !/^incremental$/i.test(props.mode)) return fail(errors.nestedMode.make({ mode: props.mode, name: r.name }));
    // a nested deployment with no resource group deploys at subscription scope, where a location is required
    let where: { resourceGroup: NonNullable<DeploymentContext["resourceGroup"]> } | { location: string };
    if (r.nested.resourceGroup) {
      const rg = getResourceGroup(env.store, r.nested.subscriptionId, r.nested.resourceGroup);
      if (!rg) return fail(E.resourceGroupNotFound.make({ rg: r.nested.resourceGroup }));
      where = { resourceGroup: { name: rg.name, location: rg.location!, ...(rg.tags ? { tags: rg.tags as Record<string, string> } : {}) } };
    } else {
      if (typeof body.location !== "string" || body.location === "") return fail(errors.locationRequired.make({ name: r.name }));
      where = { location: body.location };
    }
    let plan: Plan;
    try {
      plan = planTemplate(props.template, r.nested.scope === "inner" ? (props.parameters ?? {}) : {}, {
        tenantId: env.tenantId,
        subscriptionId: r.nested.subscriptionId,
        ...where,
        deploymentName: r.name,
        environment: { name: "AzureCloud" },
        now: env.now(),
        newGuid: () => randomUUID(),
      }, r.nested.outer ? { outer: r.nested.outer } : {});
    } catch (e) {
      if (e instanceof ArmError) return fail(e);
      throw e;
    }
    const d: DeploymentRecord = {
      id: r.id,
      name: r.name,
      type: TYPE,
      ...("location" in where ? { location: where.location } : {}),
      template: props.template ?? null,
      properties: { templateHash: templateHash(props.template ?? null), mode: "Incremental", provisioningState: "Accepted", timestamp: env.now().toISOString(), duration: "PT0S", correlationId: caller.correlationId, ...summary(plan) } as DeploymentRecord["properties"],
    };
    await env.store.txn((tx) => {
      tx.put(keyOf(d.id), d);
      tx.deletePrefix(opsKeyOf(d.id));
    });
    await start(d, plan, caller, parent);
    const done = load(d.id)!;
    if (done.properties.provisioningState === "Succeeded") return { ok: true, statusCode: "Created", resource: render(done) as JsonObject };
    // a child canceled on its own reached a terminal state its parent reports like any resource's
    if (!done.properties.error) return { ok: false, statusCode: "OK", error: resourceDeploymentFailure.make({ state: done.properties.provisioningState }).toBody().error as ErrorDetail };
    return { ok: false, statusCode: "OK", error: done.properties.error as unknown as ErrorDetail };
  };

  /**
   * Management-group and tenant scope: the emulator has neither management groups nor role
   * assignments at the tenant root, so these answer what ARM answers then (docs/fidelity.md).
   */
  const unsupportedScopes = (): Route[] => {
    const MG = "/providers/Microsoft.Management/managementGroups/{mg}/providers/Microsoft.Resources/deployments";
    const TENANT = "/providers/Microsoft.Resources/deployments";
    const methods = ["GET", "HEAD", "PUT", "DELETE", "POST"];
    const mg: Route["handler"] = (ctx, p) => {
      checkArmApiVersion(requireApiVersion(ctx), RESOURCES_API_VERSIONS);
      throw errors.managementGroupNotFound.make({ mg: p.mg! });
    };
    const tenant: Route["handler"] = (ctx, p) => {
      checkArmApiVersion(requireApiVersion(ctx), RESOURCES_API_VERSIONS);
      const who = callerOf(ctx).principal;
      const action = ctx.method === "GET" || ctx.method === "HEAD" ? "read" : ctx.method === "DELETE" ? "delete" : p.action ? `${p.action}/action` : "write";
      throw errors.tenantScopeDenied.make({ client: who.appId, oid: who.objectId, action: `Microsoft.Resources/deployments/${action}`, scope: `${TENANT}${p.name ? `/${p.name}` : ""}` });
    };
    return [
      ...[MG, `${MG}/{name}`, `${MG}/{name}/{action}`].map((pattern): Route => ({ method: methods, pattern, handler: mg })),
      ...[TENANT, `${TENANT}/{name}`, `${TENANT}/{name}/{action}`].map((pattern): Route => ({ method: methods, pattern, handler: tenant })),
    ];
  };

  /** POST /providers/Microsoft.Resources/calculateTemplateHash: the body is the template. */
  const calculateTemplateHash: Route = {
    method: "POST",
    pattern: "/providers/Microsoft.Resources/calculateTemplateHash",
    handler: async (ctx) => {
      checkArmApiVersion(requireApiVersion(ctx), RESOURCES_API_VERSIONS);
      let template;
      try {
        template = parseJsonc((await ctx.rawBody()).toString("utf8")).value;
      } catch (e) {
        if (e instanceof JsoncError) throw E.invalidRequestContent.make({ detail: e.message });
        throw e;
      }
      ctx.send(200, { minifiedTemplate: minifyTemplate(template), templateHash: templateHash(template) });
    },
  };

  const GROUP = "/subscriptions/{sub}/resourcegroups/{rg}/providers/Microsoft.Resources/deployments";
  const SUBSCRIPTION = "/subscriptions/{sub}/providers/Microsoft.Resources/deployments";
  // the operations of a resource-group deployment also live without the providers segment (Spec)
  return [...routesAt(GROUP, ["/subscriptions/{sub}/resourcegroups/{rg}/deployments/{name}/operations"]), ...routesAt(SUBSCRIPTION, []), ...unsupportedScopes(), calculateTemplateHash];

  function routesAt(base: string, moreOperationPaths: string[]): Route[] {
  return [
    {
      method: "POST",
      pattern: `${base}/{name}/whatIf`,
      handler: async (ctx, p) => {
        const { plan, caller, mode } = await prepare(ctx, p);
        const { sub, rg } = scope(ctx, p);
        const svc = new ResourceService(env);
        const read = (id: string): JsonObject | undefined => {
          try {
            const group = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)$/i.exec(id);
            if (group) return getResourceGroup(env.store, group[1]!, group[2]!) as unknown as JsonObject | undefined;
            const t = svc.resolve(id, "GET", plan.resources.find((r) => r.id.toLowerCase() === id.toLowerCase())?.apiVersion ?? "");
            return svc.render(t, svc.get(t, "GET", caller)) as JsonObject;
          } catch (e) {
            if (e instanceof ArmError) return undefined;
            throw e;
          }
        };
        // current state answers reference(); a resource that does not exist yet leaves its dependents' bodies unknown
        const resolver = {
          get: (id: string) => {
            const r = read(id);
            if (!r) throw new PendingResource({ kind: "get", id, apiVersion: undefined });
            return r;
          },
          list: (id: string, action: string, apiVersion: string, body: Json | undefined): Json => {
            throw new PendingResource({ kind: "list", id, action, apiVersion, body });
          },
        };
        const desired = plan.resources.map((r) => {
          let body: JsonObject = {};
          try {
            body = plan.body(r.key, resolver);
          } catch (e) {
            if (!(e instanceof PendingResource)) throw e;
          }
          return { id: r.id, type: r.type, name: r.name, apiVersion: r.apiVersion, ...(r.symbolicName ? { symbolicName: r.symbolicName } : {}), body };
        });
        // what nested inline templates would deploy (best effort: a template whose parameters need a
        // resource not deployed yet is left out); Complete mode keeps those resources too
        const nestedIds = (outer: Plan, depth: number): string[] =>
          depth > 10
            ? []
            : outer.resources.flatMap((r) => {
                if (!r.nested?.resourceGroup) return [];
                try {
                  const props = (outer.body(r.key, resolver).properties ?? {}) as JsonObject;
                  const target = getResourceGroup(env.store, r.nested.subscriptionId, r.nested.resourceGroup);
                  const childPlan = planTemplate(props.template, r.nested.scope === "inner" ? (props.parameters ?? {}) : {}, {
                    tenantId: env.tenantId,
                    subscriptionId: r.nested.subscriptionId,
                    resourceGroup: { name: r.nested.resourceGroup, location: target?.location ?? "" },
                    deploymentName: r.name,
                    environment: { name: "AzureCloud" },
                    now: env.now(),
                    newGuid: () => randomUUID(),
                  }, r.nested.outer ? { outer: r.nested.outer } : {});
                  return [...childPlan.resources.map((c) => c.id), ...childPlan.existing.map((c) => c.id), ...nestedIds(childPlan, depth + 1)];
                } catch (e) {
                  if (e instanceof PendingResource || e instanceof ArmError) return [];
                  throw e;
                }
              });
        // the group's resources the template does not deploy: Ignore (Incremental) or Delete (Complete), chosen as the deployment would
        const keep = [...desired.map((d) => d.id), ...plan.existing.map((e) => e.id), ...(mode === "Complete" ? nestedIds(plan, 0) : [])];
        const inScope = rg ? completeModeDeletions(keep, listInGroup(env.store, sub, rg.name).map((r) => ({ id: r.id, type: r.type }))).flat() : [];
        ctx.send(200, { status: "Succeeded", properties: { changes: whatIf(desired, read, inScope, mode) } });
      },
    },
    {
      method: "POST",
      pattern: `${base}/{name}/validate`,
      handler: async (ctx, p) => {
        const { id, plan, mode, template } = await prepare(ctx, p);
        ctx.send(200, {
          id,
          name: p.name,
          type: TYPE,
          properties: { templateHash: templateHash(template), mode, provisioningState: "Succeeded", timestamp: "0001-01-01T00:00:00Z", duration: "PT0S", correlationId: ctx.correlationId, ...summary(plan), validatedResources: plan.resources.map((r) => ({ id: r.id })) },
        });
      },
    },
    {
      method: "PUT",
      pattern: `${base}/{name}`,
      handler: async (ctx, p) => {
        const { id, plan, mode, template, caller, location } = await prepare(ctx, p);
        const existing = load(id);
        if (existing && running.has(id.toLowerCase()))
          throw errors.active.make({ name: p.name!, started: netDate(new Date(String(existing.properties.timestamp))), expires: netDate(new Date(Date.parse(String(existing.properties.timestamp)) + 7 * 86400_000)) });
        const opName = randomUUID();
        const d: DeploymentRecord = {
          id,
          name: p.name!,
          type: TYPE,
          template,
          operationName: opName,
          ...(location ? { location } : {}),
          properties: { templateHash: templateHash(template), mode, provisioningState: "Accepted", timestamp: env.now().toISOString(), duration: "PT0S", correlationId: ctx.correlationId, ...summary(plan) } as DeploymentRecord["properties"],
        };
        await env.store.txn((tx) => {
          tx.put(keyOf(id), d);
          tx.deletePrefix(opsKeyOf(id));
        });
        void start(d, plan, caller);
        const q = `api-version=${requireApiVersion(ctx)}`;
        ctx.send(existing ? 200 : 201, render(d), {
          "Azure-AsyncOperation": `${ctx.baseUrl}${id}/operationStatuses/${opName}?${q}`,
          Location: `${ctx.baseUrl}${id}/operationResults/${opName}?${q}`,
        });
      },
    },
    {
      method: "POST",
      pattern: `${base}/{name}/cancel`,
      handler: async (ctx, p) => {
        const { root } = scope(ctx, p);
        const id = idOf(p, root);
        const d = load(id);
        if (!d) throw errors.notFound.make({ name: p.name! });
        const cancel = CANCELS.get(id.toLowerCase());
        const state = d.properties.provisioningState;
        // "You can cancel a deployment only if the provisioningState is Accepted or Running" (Spec)
        if (!cancel || (state !== "Accepted" && state !== "Running")) throw errors.cannotCancel.make({ name: p.name!, state });
        cancel.abort();
        await running.get(id.toLowerCase()); // ends at once: nothing new starts, writes in flight are not waited for
        ctx.send(204);
      },
    },
    {
      method: "POST",
      pattern: `${base}/{name}/exportTemplate`,
      handler: (ctx, p) => {
        const { root } = scope(ctx, p);
        const d = load(idOf(p, root));
        if (!d) throw errors.notFound.make({ name: p.name! });
        ctx.send(200, { template: d.template });
      },
    },
    {
      method: "DELETE",
      pattern: `${base}/{name}`,
      handler: async (ctx, p) => {
        const { root } = scope(ctx, p);
        const id = idOf(p, root);
        const d = load(id);
        if (!d) return ctx.send(204);
        // "A template deployment that is currently running cannot be deleted." (Spec); the resources stay
        if (running.has(id.toLowerCase())) throw errors.activeDelete.make({ name: p.name! });
        await env.store.txn((tx) => {
          tx.delete(keyOf(id));
          tx.deletePrefix(opsKeyOf(id));
        });
        ctx.send(204);
      },
    },
    {
      method: ["GET", "HEAD"],
      pattern: `${base}/{name}`,
      handler: (ctx, p) => {
        const { root } = scope(ctx, p);
        const d = load(idOf(p, root));
        if (ctx.method === "HEAD") return ctx.send(d ? 204 : 404);
        if (!d) throw errors.notFound.make({ name: p.name! });
        ctx.send(200, render(d));
      },
    },
    {
      method: "GET",
      pattern: base,
      handler: (ctx, p) => {
        const { root } = scope(ctx, p);
        const prefix = keyOf(`${root}/providers/${TYPE}/`);
        const all = env.store.list<DeploymentRecord>(prefix).map((e) => render(e.value));
        sendPage(ctx, all, (x) => x.id);
      },
    },
    {
      method: "GET",
      pattern: `${base}/{name}/operationStatuses/{op}`,
      handler: (ctx, p) => {
        const { root } = scope(ctx, p);
        const d = load(idOf(p, root));
        if (!d || d.operationName !== p.op) throw errors.notFound.make({ name: p.name! });
        const state = d.properties.provisioningState;
        if (state === "Succeeded") return ctx.send(200, { status: "Succeeded" });
        if (state === "Failed") return ctx.send(200, { status: "Failed", error: d.properties.error });
        if (state === "Canceled") return ctx.send(200, { status: "Canceled" });
        ctx.send(200, { status: "Running" });
      },
    },
    {
      method: "GET",
      pattern: `${base}/{name}/operationResults/{op}`,
      handler: (ctx, p) => {
        const { root } = scope(ctx, p);
        const d = load(idOf(p, root));
        if (!d || d.operationName !== p.op) throw errors.notFound.make({ name: p.name! });
        if (d.properties.provisioningState === "Accepted" || d.properties.provisioningState === "Running") return ctx.send(202, undefined, { Location: `${ctx.baseUrl}${ctx.path}?api-version=${requireApiVersion(ctx)}`, "Retry-After": "1" });
        ctx.send(200, render(d));
      },
    },
    ...[...moreOperationPaths, `${base}/{name}/operations`].map(
      (pattern): Route => ({
        method: "GET",
        pattern,
        handler: (ctx, p) => {
          const { root } = scope(ctx, p);
          const id = idOf(p, root);
          if (!load(id)) throw errors.notFound.make({ name: p.name! });
          const ops = env.store.list<DeploymentOperation>(opsKeyOf(id)).map((e) => e.value).sort((a, b) => (a.timestamp < b.timestamp ? -1 : 1));
          sendPage(
            ctx,
            ops.map(({ operationId, ...properties }) => ({ id: `${id}/operations/${operationId}`, operationId, properties })),
            (x) => x.id,
          );
        },
      }),
    ),
  ];
  }
}

/** A deployment left Accepted or Running by a stopped process cannot finish: mark it Failed. */
export async function failInterruptedDeployments(env: ArmEnv): Promise<void> {
  await env.store.txn((tx) => {
    for (const e of tx.list<DeploymentRecord>("deployments/")) {
      const d = e.value;
      if (d.properties.provisioningState !== "Accepted" && d.properties.provisioningState !== "Running") continue;
      if (RUNNING.has(d.id.toLowerCase())) continue;
      tx.put(e.key, { ...d, properties: { ...d.properties, provisioningState: "Failed", error: { code: "DeploymentInterrupted", message: "The emulator stopped while this deployment was running; deploy again." } } });
    }
  });
}
