// Microsoft.Resources/deployments at resource-group scope (issue 13, first subset): PUT (runs the
// template engine's plan through the resource service, the same write path as a client PUT),
// GET, list, validate, the deployment's operations and its operationStatuses / operationResults.
// The body is read as ARM reads it (az sends `template:` unquoted, comments kept).
// Not yet: subscription scope, nested deployments, Complete mode, what-if, cancel, delete,
// exportTemplate (see docs/coverage.md).
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
import { planTemplate, PendingResource, type Plan, type PlannedResource, type NestedDeployment } from "../../arm/template/engine.js";
import { whatIf } from "../../arm/template/whatif.js";
import { listInGroup } from "../../arm/repo.js";
import { parseId } from "../../arm/resource-id.js";
import { executePlan, isoDuration, type OperationRecord as DeploymentOperation, type ResourceOperations, type WriteOutcome } from "../../arm/template/execute.js";
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
  notYet: defineError<{ what: string }>({ group: g, code: "InvalidDeployment", status: 400,
    template: "{what} is not supported by the emulator yet.", source: "emulator" }),
  badMode: defineError<{ mode: string }>({ group: g, code: "InvalidDeployment", status: 400,
    template: "The deployment mode '{mode}' is not valid: expected 'Incremental' or 'Complete'.", source: "emulator" }),
};

interface DeploymentRecord {
  id: string;
  name: string;
  type: string;
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

/** How many type segments an id has (1: a top-level resource; children and extension resources have more). */
function parseIdBlocks(id: string): number {
  const p = parseId(id);
  return p ? p.blocks.reduce((n, b) => n + b.types.length, 0) : 0;
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
  const render = (d: DeploymentRecord) => ({ id: d.id, name: d.name, type: d.type, properties: d.properties });

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
    if (/^complete$/i.test(mode)) throw errors.notYet.make({ what: "Complete mode" });
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
    return { id, plan, mode: "Incremental", template: props.template ?? null, caller: callerOf(ctx) };
  };

  const summary = (plan: Plan) => ({
    parameters: plan.parameters,
    dependencies: plan.dependencies,
    providers: [...new Set(plan.resources.map((r) => r.type.split("/")[0]!))].map((namespace) => ({
      namespace,
      resourceTypes: [...new Set(plan.resources.filter((r) => r.type.split("/")[0] === namespace).map((r) => r.type.split("/").slice(1).join("/")))].map((resourceType) => ({ resourceType, locations: [] })),
    })),
  });

  const run = async (d: DeploymentRecord, plan: Plan, caller: Caller, opName: string) => {
    const started = env.now();
    const save = (patch: Partial<DeploymentRecord["properties"]>) =>
      env.store.txn((tx) => {
        const cur = tx.get<DeploymentRecord>(keyOf(d.id))?.value ?? d;
        tx.put(keyOf(d.id), { ...cur, properties: { ...cur.properties, ...patch } });
      });
    await save({ provisioningState: "Running" });
    let result: Awaited<ReturnType<typeof executePlan>>;
    try {
      result = await executePlan(plan, serviceOperations(env, caller, (r, body) => deployNested(r, body, caller)), {
        deploymentId: d.id,
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
    const ended = env.now();
    await save({
      provisioningState: result.provisioningState,
      timestamp: ended.toISOString(),
      duration: isoDuration(ended.getTime() - started.getTime()),
      outputResources: result.outputResources,
      ...(result.outputs ? { outputs: result.outputs as unknown as Json } : {}),
      ...(result.error ? { error: result.error as unknown as Json } : {}),
    });
    void opName;
  };

  /** A Microsoft.Resources/deployments resource inside a template: a child deployment with its own record and operations. */
  const deployNested = async (r: PlannedResource & { nested: NestedDeployment }, body: JsonObject, caller: Caller): Promise<WriteOutcome> => {
    const fail = (e: ArmError): WriteOutcome => ({ ok: false, statusCode: STATUS_NAMES[e.status] ?? String(e.status), error: e.toBody().error as ErrorDetail });
    const props = (body.properties ?? {}) as JsonObject;
    if (props.templateLink !== undefined) return fail(errors.offline.make({ what: "properties.templateLink" }));
    if (props.parametersLink !== undefined) return fail(errors.offline.make({ what: "properties.parametersLink" }));
    if (typeof props.mode === "string" && !/^incremental$/i.test(props.mode)) return fail(errors.notYet.make({ what: `A nested deployment in mode '${props.mode}' (Azure allows only Incremental)` }));
    if (!r.nested.resourceGroup) return fail(errors.notYet.make({ what: "A nested deployment at subscription scope" }));
    const rg = getResourceGroup(env.store, r.nested.subscriptionId, r.nested.resourceGroup);
    if (!rg) return fail(E.resourceGroupNotFound.make({ rg: r.nested.resourceGroup }));
    let plan: Plan;
    try {
      plan = planTemplate(props.template, r.nested.scope === "inner" ? (props.parameters ?? {}) : {}, {
        tenantId: env.tenantId,
        subscriptionId: r.nested.subscriptionId,
        resourceGroup: { name: rg.name, location: rg.location!, ...(rg.tags ? { tags: rg.tags as Record<string, string> } : {}) },
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
      template: props.template ?? null,
      properties: { templateHash: "0", mode: "Incremental", provisioningState: "Accepted", timestamp: env.now().toISOString(), duration: "PT0S", correlationId: caller.correlationId, ...summary(plan) } as DeploymentRecord["properties"],
    };
    await env.store.txn((tx) => {
      tx.put(keyOf(d.id), d);
      tx.deletePrefix(opsKeyOf(d.id));
    });
    const job = run(d, plan, caller, "");
    running.set(d.id.toLowerCase(), job);
    await job.finally(() => running.delete(d.id.toLowerCase()));
    const done = load(d.id)!;
    if (done.properties.provisioningState === "Succeeded") return { ok: true, statusCode: "Created", resource: render(done) as JsonObject };
    return { ok: false, statusCode: "OK", error: done.properties.error as unknown as ErrorDetail };
  };

  const GROUP = "/subscriptions/{sub}/resourcegroups/{rg}/providers/Microsoft.Resources/deployments";
  const SUBSCRIPTION = "/subscriptions/{sub}/providers/Microsoft.Resources/deployments";
  // the operations of a resource-group deployment also live without the providers segment (Spec)
  return [...routesAt(GROUP, ["/subscriptions/{sub}/resourcegroups/{rg}/deployments/{name}/operations"]), ...routesAt(SUBSCRIPTION, [])];

  function routesAt(base: string, moreOperationPaths: string[]): Route[] {
  return [
    {
      method: "POST",
      pattern: `${base}/{name}/whatIf`,
      handler: async (ctx, p) => {
        const { plan, caller } = await prepare(ctx, p);
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
        const mentioned = desired.map((d) => d.id.toLowerCase());
        const inScope = rg
          ? listInGroup(env.store, sub, rg.name)
              .map((r) => ({ id: r.id }))
              .filter((r) => !mentioned.some((m) => r.id.toLowerCase() === m || r.id.toLowerCase().startsWith(`${m}/`)) && parseIdBlocks(r.id) === 1)
          : [];
        ctx.send(200, { status: "Succeeded", properties: { changes: whatIf(desired, read, inScope, "Incremental") } });
      },
    },
    {
      method: "POST",
      pattern: `${base}/{name}/validate`,
      handler: async (ctx, p) => {
        const { id, plan, mode } = await prepare(ctx, p);
        ctx.send(200, {
          id,
          name: p.name,
          type: TYPE,
          properties: { templateHash: "0", mode, provisioningState: "Succeeded", timestamp: "0001-01-01T00:00:00Z", duration: "PT0S", correlationId: ctx.correlationId, ...summary(plan), validatedResources: plan.resources.map((r) => ({ id: r.id })) },
        });
      },
    },
    {
      method: "PUT",
      pattern: `${base}/{name}`,
      handler: async (ctx, p) => {
        const { id, plan, mode, template, caller } = await prepare(ctx, p);
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
          properties: { templateHash: "0", mode, provisioningState: "Accepted", timestamp: env.now().toISOString(), duration: "PT0S", correlationId: ctx.correlationId, ...summary(plan) } as DeploymentRecord["properties"],
        };
        await env.store.txn((tx) => {
          tx.put(keyOf(id), d);
          tx.deletePrefix(opsKeyOf(id));
        });
        const job = run(d, plan, caller, opName).finally(() => running.delete(id.toLowerCase()));
        running.set(id.toLowerCase(), job);
        const q = `api-version=${requireApiVersion(ctx)}`;
        ctx.send(existing ? 200 : 201, render(d), {
          "Azure-AsyncOperation": `${ctx.baseUrl}${id}/operationStatuses/${opName}?${q}`,
          Location: `${ctx.baseUrl}${id}/operationResults/${opName}?${q}`,
        });
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
