// The template engine: template + parameters + deployment context → a Plan the deployment
// executor drives. Pure: no I/O. What needs the outcome of earlier resources (reference(),
// list*()) is asked of a ResourceResolver the executor supplies when it evaluates a resource's
// body or the outputs; everything else (names, ids, conditions, copies, dependencies, the
// order) is decided here, so a template that cannot be deployed is refused before anything runs.
import { type Expr, calls, classify } from "./expression.js";
import { ExpressionError, TemplateError, templateError, inner, type TemplateLocation } from "./errors.js";
import { applyLambda, evaluateExpr, evaluateString, evaluateTree, parseCached } from "./evaluate.js";
import type { EvalContext } from "./functions.js";
import { waves as orderWaves } from "./graph.js";
import { type ParameterDecl, checkSuppliedNames, checkValue, echoType, isSecure } from "./parameters.js";
import { type Json, type JsonObject, isObject, findKey, clone } from "./values.js";

/** Who and where the deployment runs: what deployment(), resourceGroup(), subscription() ... return. */
export interface DeploymentContext {
  tenantId: string;
  subscriptionId: string;
  subscriptionDisplayName?: string;
  /** Absent at subscription scope. */
  resourceGroup?: { name: string; location: string; tags?: Record<string, string>; managedBy?: string };
  deploymentName: string;
  /** The deployment's own location (subscription scope). */
  location?: string;
  /** What environment() returns (the cloud's endpoints; the caller knows them). */
  environment: Json;
  /** utcNow() and newGuid(), allowed only in parameter default values. */
  now: Date;
  newGuid: () => string;
  /** Maps a JSON path in the template to its line and column in the submitted text, when known. */
  locate?: (path: string) => { line: number; column: number } | undefined;
}

/** The executor's answers: resources as a GET returns them, and list*() POSTs. */
export interface ResourceResolver {
  /** The resource as GET {id}?api-version returns it. Throw PendingResource to have it fetched (see resolveAsync). */
  get(id: string, apiVersion: string | undefined): JsonObject;
  list(id: string, action: string, apiVersion: string, body: Json | undefined): Json;
}

/** Thrown by a resolver that does not hold a resource yet; resolveAsync fetches it and retries. */
export class PendingResource extends Error {
  constructor(
    readonly request: { kind: "get"; id: string; apiVersion: string | undefined } | { kind: "list"; id: string; action: string; apiVersion: string; body: Json | undefined },
  ) {
    super(`pending ${request.kind} ${request.id}`);
  }
}

/** A resource of the plan: its identity is decided; its body may need reference() answers. */
export interface PlannedResource {
  /** Unique in the plan: the resource id. */
  key: string;
  id: string;
  type: string;
  name: string;
  apiVersion: string;
  symbolicName?: string;
  copy?: { name: string; index: number };
  /** keys of the planned resources this one waits for */
  dependsOn: string[];
  /** a nested deployment (Microsoft.Resources/deployments): the executor runs it as a child deployment */
  nested?: NestedDeployment;
}

export interface NestedDeployment {
  name: string;
  subscriptionId: string;
  resourceGroup?: string;
  /** "outer" (the default) evaluates the inner template with this template's parameters and variables */
  scope: "inner" | "outer";
  outer?: OuterScope;
}

/**
 * The parent's parameters, variables and scope, for a nested template evaluated in outer scope:
 * "Set the property to outer to resolve to the scope of the parent template" (docs scope-functions),
 * so resourceGroup(), subscription() and resourceId() answer for the parent, while the nested
 * template's resources still deploy to its own resource group.
 */
export interface OuterScope {
  parameter(name: string): Json;
  variable(name: string): Json;
  resourceGroup(): Json;
  subscription(): Json;
  scope: EvalContext["scope"];
}

export interface Plan {
  languageVersion: string;
  resources: PlannedResource[];
  /** keys, in waves: every resource's dependencies are in earlier waves */
  waves: string[][];
  /** `existing` resources (2.0): read, never written */
  existing: { id: string; type: string; apiVersion: string; symbolicName: string }[];
  /** echo for the deployment response: type and value, secure values omitted */
  parameters: Record<string, { type: string; value?: Json }>;
  /** the deployment's `dependencies` property */
  dependencies: { id: string; resourceType: string; resourceName: string; dependsOn: { id: string; resourceType: string; resourceName: string }[] }[];
  /** The PUT body of a planned resource (location, tags, sku, kind, identity, properties, ...). */
  body(key: string, resolver: ResourceResolver): JsonObject;
  /** The outputs, `{name: {type, value}}`. */
  outputs(resolver: ResourceResolver): Record<string, { type: string; value: Json }>;
}

export interface PlanOptions {
  /** Set by the executor for a nested template in outer scope. */
  outer?: OuterScope;
}

// Properties of a resource declaration that are not part of its PUT body.
const NOT_BODY = new Set(["type", "name", "apiversion", "dependson", "condition", "copy", "resources", "comments", "scope", "existing", "metadata", "import", "resourcegroup", "subscriptionid"]);

interface Decl {
  raw: JsonObject;
  path: string;
  symbolicName?: string;
  /** for classic nested children: the parent's type and name prefix (evaluated per parent instance) */
  parent?: { type: string; name: string; copy?: { name: string; index: number } };
}

interface Instance {
  decl: Decl;
  id: string;
  type: string;
  name: string;
  apiVersion: string;
  condition: boolean;
  existing: boolean;
  copy?: { name: string; index: number; mode: "serial" | "parallel"; batchSize: number };
  loops: Map<string, number>;
  explicit: string[];
  nested?: NestedDeployment;
}

function loc(ctx: DeploymentContext, path: string): TemplateLocation {
  const p = ctx.locate?.(path);
  return { path, line: p?.line ?? 0, column: p?.column ?? 0 };
}

const lc = (s: string) => s.toLowerCase();

export function planTemplate(template: unknown, suppliedParameters: unknown, dctx: DeploymentContext, opts: PlanOptions = {}): Plan {
  const L = (path: string) => loc(dctx, path);
  if (!isObject(template)) throw templateError("The template must be a JSON object. Please see https://aka.ms/arm-syntax for usage details.", L(""));
  const languageVersion = typeof template.languageVersion === "string" ? template.languageVersion : "1.0";
  const symbolic = /^2\./.test(languageVersion);
  const supplied = isObject(suppliedParameters) ? suppliedParameters : {};

  // ---- parameters ---------------------------------------------------------------------
  // languageVersion 2.0 parameters may name their type through "$ref": "#/definitions/x"
  const definitions = isObject(template.definitions) ? template.definitions : {};
  const resolveRef = (d: JsonObject, seen = new Set<string>()): JsonObject => {
    const ref = d.$ref;
    if (typeof ref !== "string") return d;
    const m = /^#\/definitions\/(.+)$/.exec(ref);
    const target = m ? definitions[m[1]!] : undefined;
    if (!m || !isObject(target) || seen.has(ref)) throw templateError(`The template type reference '${ref}' is not valid: could not find a type definition with this name. Please see https://aka.ms/arm-syntax for usage details.`, L("properties.template.parameters"));
    const { $ref: _r, ...rest } = d;
    return { ...resolveRef(target, new Set(seen).add(ref)), ...rest };
  };
  const decls = Object.fromEntries(Object.entries(isObject(template.parameters) ? template.parameters : {}).map(([k, v]) => [k, isObject(v) ? resolveRef(v) : v])) as Record<string, ParameterDecl & JsonObject>;
  if (Object.keys(decls).length > 256) throw templateError(`The number of template parameters limit exceeded. Limit: '256' and actual: '${Object.keys(decls).length}'.`, L("parameters"));
  const unknown = checkSuppliedNames(decls, supplied, L("properties.parameters"));
  if (unknown) throw unknown;
  const paramValues = new Map<string, Json>();
  const paramInProgress = new Set<string>();
  const variableValues = new Map<string, Json>();
  const variableInProgress = new Set<string>();
  const variables = (isObject(template.variables) ? template.variables : {}) as JsonObject;

  const declName = (o: Record<string, unknown>, name: string) => findKey(o as JsonObject, name);

  const baseCtx = (extra: Partial<EvalContext> & { where?: "default" } = {}): EvalContext => {
    const ctx: EvalContext = {
      parameter: (n) => parameter(n),
      variable: (n) => variable(n),
      copyIndex: () => {
        throw new ExpressionError("The template function 'copyIndex' is not expected at this location. Please see https://aka.ms/arm-copy for usage details.");
      },
      deployment: () => deploymentObject(),
      resourceGroup: () => {
        if (opts.outer) return opts.outer.resourceGroup();
        const rg = dctx.resourceGroup;
        if (!rg) throw new ExpressionError("The template function 'RESOURCEGROUP' is not expected at this location. Please see https://aka.ms/arm-template-expressions for usage details.");
        const o: JsonObject = { id: `/subscriptions/${dctx.subscriptionId}/resourceGroups/${rg.name}`, name: rg.name, type: "Microsoft.Resources/resourceGroups", location: rg.location, properties: { provisioningState: "Succeeded" } };
        if (rg.tags) o.tags = rg.tags;
        if (rg.managedBy) o.managedBy = rg.managedBy;
        return o;
      },
      subscription: () => (opts.outer ? opts.outer.subscription() : subscriptionObject()),
      tenant: () => ({ countryCode: "US", displayName: "Default Directory", id: `/tenants/${dctx.tenantId}`, tenantId: dctx.tenantId }),
      environment: () => dctx.environment,
      utcNow: () => {
        if (extra.where !== "default") throw new ExpressionError("The template function 'utcNow' is not expected at this location. The function can only be used with parameter default values. Please see https://aka.ms/arm-template-expressions for usage details.");
        return dctx.now;
      },
      newGuid: () => {
        if (extra.where !== "default") throw new ExpressionError("The template function 'newGuid' is not expected at this location. The function can only be used with parameter default values. Please see https://aka.ms/arm-template-expressions for usage details.");
        return dctx.newGuid();
      },
      scope: opts.outer ? opts.outer.scope : { tenantId: dctx.tenantId, subscriptionId: dctx.subscriptionId, resourceGroup: dctx.resourceGroup?.name },
      reference: () => {
        throw new ExpressionError("The template function 'reference' is not expected at this location. Please see https://aka.ms/arm-template-expressions/#reference for usage details.");
      },
      references: () => {
        throw new ExpressionError("The template function 'references' is not expected at this location. Please see https://aka.ms/arm-template-expressions/#reference for usage details.");
      },
      list: (f) => {
        throw new ExpressionError(`The template function '${f}' is not expected at this location. Please see https://aka.ms/arm-template-expressions for usage details.`);
      },
      userFunction: (name, args) => userFunction(name, args),
      lambdaVars: new Map(),
      applyLambda: (l, args) => applyLambda(l, args, ctx),
    };
    const { where: _w, ...rest } = extra;
    return Object.assign(ctx, rest);
  };

  const subscriptionObject = (): JsonObject => ({ id: `/subscriptions/${dctx.subscriptionId}`, subscriptionId: dctx.subscriptionId, tenantId: dctx.tenantId, displayName: dctx.subscriptionDisplayName ?? dctx.subscriptionId });

  const deploymentObject = (): JsonObject => {
    const o: JsonObject = {
      name: dctx.deploymentName,
      properties: { templateLink: null, template: { contentVersion: typeof template.contentVersion === "string" ? template.contentVersion : "1.0.0.0" } as JsonObject, parameters: clone(supplied), mode: "Incremental", provisioningState: "Accepted" },
    };
    if (dctx.location) o.location = dctx.location;
    if (isObject(template.metadata)) (o.properties as JsonObject).template = { ...((o.properties as JsonObject).template as JsonObject), metadata: template.metadata };
    return o;
  };

  function parameter(name: string): Json {
    if (opts.outer) return opts.outer.parameter(name);
    const key = declName(decls, name);
    if (key === undefined) throw new ExpressionError(`The template parameter '${name}' is not found. Please see https://aka.ms/arm-syntax-parameters for usage details.`);
    if (paramValues.has(key)) return paramValues.get(key)!;
    if (paramInProgress.has(key)) throw new ExpressionError(`The template parameter '${key}' refers to itself.`);
    paramInProgress.add(key);
    try {
      const d = decls[key]!;
      const path = `properties.template.parameters.${key}`;
      const sk = declName(supplied, key);
      const s = sk !== undefined ? supplied[sk] : undefined;
      let v: Json | undefined;
      if (isObject(s) && "value" in s) v = s.value!;
      else if (isObject(s) && isObject(s.reference))
        throw templateError(`The parameter '${key}' references a Key Vault secret; Key Vault references are not supported by the emulator (no Key Vault).`, L(path));
      else if (d.defaultValue !== undefined) {
        try {
          v = evaluateTree(d.defaultValue, baseCtx({ where: "default" }));
        } catch (e) {
          throw wrap(e, "parameter", key, path);
        }
      } else if (d.nullable === true) v = null;
      if (v === undefined) throw templateError(inner.missingParameter(key, L(path)), L(path));
      const bad = checkValue(key, d, v, L(path));
      if (bad) throw bad;
      paramValues.set(key, v);
      return v;
    } finally {
      paramInProgress.delete(key);
    }
  }

  // Variable copy: "variables": {"copy": [{name, count, input}]} defines arrays named after each loop.
  const variableLoops = new Map<string, JsonObject>();
  if (Array.isArray(variables.copy)) for (const c of variables.copy) if (isObject(c) && typeof c.name === "string") variableLoops.set(lc(c.name), c);

  function variable(name: string): Json {
    if (opts.outer) return opts.outer.variable(name);
    const key = variableLoops.has(lc(name)) ? (variableLoops.get(lc(name))!.name as string) : declName(variables, name);
    if (key === undefined || (key === "copy" && !variableLoops.has("copy")))
      throw new ExpressionError(`The template variable '${name}' is not found. Please see https://aka.ms/arm-template/#variables for usage details.`);
    if (variableValues.has(key)) return variableValues.get(key)!;
    if (variableInProgress.has(key)) throw new ExpressionError(`The template variable '${key}' refers to itself.`);
    variableInProgress.add(key);
    const path = `properties.template.variables.${key}`;
    try {
      let v: Json;
      const loop = variableLoops.get(lc(key));
      if (loop) v = expandLoop(loop, baseCtx(), path, new Map());
      else v = evaluateTree(variables[key]!, baseCtx(), { propertyCopy: (o) => propertyCopy(o, baseCtx(), path, new Map()) });
      variableValues.set(key, v);
      return v;
    } catch (e) {
      throw wrap(e, "variable", key, path);
    } finally {
      variableInProgress.delete(key);
    }
  }

  /** `{name, count, input}`: evaluates input count times with copyIndex(name). */
  function expandLoop(loop: JsonObject, ctx: EvalContext, path: string, loops: Map<string, number>): Json[] {
    const name = String(loop.name);
    const n = typeof loop.count === "string" ? evaluateString(loop.count, ctx) : (loop.count ?? null);
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 800) throw templateError(inner.copyCount(L(path)), L(path));
    const out: Json[] = [];
    for (let i = 0; i < n; i++) {
      const inner2 = new Map(loops).set(lc(name), i);
      const c = withLoops(ctx, inner2, name);
      out.push(evaluateTree(loop.input ?? null, c, { propertyCopy: (o) => propertyCopy(o, c, path, inner2) }));
    }
    return out;
  }

  /** An object with `"copy": [...]` property loops: each loop becomes an array property. */
  function propertyCopy(o: JsonObject, ctx: EvalContext, path: string, loops: Map<string, number>): JsonObject {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(o)) if (k !== "copy") out[k] = v;
    for (const loop of o.copy as Json[]) {
      if (!isObject(loop) || typeof loop.name !== "string") throw templateError(`The template 'copy' definition at '${path}' is not valid: a property loop needs 'name', 'count' and 'input'. Please see https://aka.ms/arm-copy for usage details.`, L(path));
      // the expanded values are final: mark them so evaluateTree does not evaluate them again
      out[loop.name] = literal(expandLoop(loop, ctx, path, loops));
    }
    return out;
  }

  const withLoops = (ctx: EvalContext, loops: Map<string, number>, innermost?: string): EvalContext => {
    const c: EvalContext = {
      ...ctx,
      copyIndex: (loop) => {
        const k = loop === undefined ? innermost : loop;
        if (k === undefined || !loops.has(lc(k))) {
          if (loop === undefined) return ctx.copyIndex(undefined);
          throw new ExpressionError(`The template copy '${loop}' is not found. Please see https://aka.ms/arm-copy for usage details.`);
        }
        return loops.get(lc(k))!;
      },
    };
    c.applyLambda = (l, args) => applyLambda(l, args, c);
    return c;
  };

  // ---- user-defined functions -----------------------------------------------------------
  const udfs = new Map<string, JsonObject>();
  if (Array.isArray(template.functions))
    for (const ns of template.functions)
      if (isObject(ns) && typeof ns.namespace === "string" && isObject(ns.members))
        for (const [m, def] of Object.entries(ns.members)) if (isObject(def)) udfs.set(lc(`${ns.namespace}.${m}`), def);

  function userFunction(name: string, args: Json[]): Json | undefined {
    const def = udfs.get(lc(name));
    if (!def) return undefined;
    const ps = Array.isArray(def.parameters) ? def.parameters.filter(isObject) : [];
    const bound = new Map(ps.map((p, i) => [lc(String(p.name)), args[i] ?? null]));
    const ctx = baseCtx({
      parameter: (n) => {
        if (!bound.has(lc(n))) throw new ExpressionError(`The template function parameter '${n}' is not found.`);
        return bound.get(lc(n))!;
      },
      variable: (n) => {
        throw new ExpressionError(`The template variable '${n}' cannot be used in a user-defined function.`);
      },
    });
    return evaluateTree(isObject(def.output) ? (def.output.value ?? null) : null, ctx);
  }

  // Evaluate every parameter now: errors surface at validation, in declaration order.
  if (!opts.outer) for (const k of Object.keys(decls)) parameter(k);

  // ---- resources ----------------------------------------------------------------------
  const declsOut: Decl[] = [];
  const rawResources = template.resources;
  if (symbolic) {
    if (!isObject(rawResources) && rawResources !== undefined)
      throw templateError("The template 'resources' must be an object keyed by symbolic name when languageVersion is 2.0. Please see https://aka.ms/arm-syntax-resources for usage details.", L("properties.template.resources"));
    for (const [sym, r] of Object.entries(rawResources ?? {})) {
      if (!isObject(r)) throw templateError(`The template resource '${sym}' must be an object. Please see https://aka.ms/arm-syntax-resources for usage details.`, L(`properties.template.resources.${sym}`));
      declsOut.push({ raw: r, path: `properties.template.resources.${sym}`, symbolicName: sym });
    }
  } else {
    if (!Array.isArray(rawResources) && rawResources !== undefined)
      throw templateError("The template 'resources' must be an array. Please see https://aka.ms/arm-syntax-resources for usage details.", L("properties.template.resources"));
    (rawResources ?? []).forEach((r, i) => {
      if (!isObject(r)) throw templateError(`The template resource at index '${i}' must be an object. Please see https://aka.ms/arm-syntax-resources for usage details.`, L(`properties.template.resources[${i}]`));
      declsOut.push({ raw: r, path: `properties.template.resources[${i}]` });
    });
  }

  const rgScopeRoot = dctx.resourceGroup ? `/subscriptions/${dctx.subscriptionId}/resourceGroups/${dctx.resourceGroup.name}` : `/subscriptions/${dctx.subscriptionId}`;

  function wrap(e: unknown, kind: "resource" | "variable" | "output" | "parameter", name: string, path: string): Error {
    if (e instanceof TemplateError || e instanceof PendingResource) return e;
    if (e instanceof ExpressionError) return templateError(inner.inTemplateItem(kind, name, L(path), e.message), L(path));
    return e as Error;
  }

  const instances: Instance[] = [];
  const expandDecl = (d: Decl, outerLoops: Map<string, number>) => {
    const r = d.raw;
    const ctx0 = withLoops(baseCtx(), outerLoops, d.parent?.copy?.name);
    const label = d.symbolicName ?? (typeof r.name === "string" ? r.name : d.path);
    try {
      let copy: Instance["copy"] | undefined;
      let n = 1;
      if (isObject(r.copy)) {
        const cname = String(r.copy.name ?? "");
        const cnt = typeof r.copy.count === "string" ? evaluateString(r.copy.count, ctx0) : (r.copy.count ?? null);
        if (typeof cnt !== "number" || !Number.isInteger(cnt) || cnt < 0 || cnt > 800) throw templateError(inner.copyCount(L(`${d.path}.copy`)), L(`${d.path}.copy`));
        n = cnt;
        const serial = typeof r.copy.mode === "string" && lc(r.copy.mode) === "serial";
        const bs = typeof r.copy.batchSize === "string" ? evaluateString(r.copy.batchSize, ctx0) : (r.copy.batchSize ?? 1);
        copy = { name: cname || (d.symbolicName ?? ""), index: 0, mode: serial ? "serial" : "parallel", batchSize: typeof bs === "number" && bs > 0 ? bs : 1 };
      }
      for (let i = 0; i < n; i++) {
        const loops = copy ? new Map(outerLoops).set(lc(copy.name), i) : outerLoops;
        const ctx = copy ? withLoops(baseCtx(), loops, copy.name) : ctx0;
        const ev = (field: string): Json => {
          const v = r[field];
          return typeof v === "string" ? evaluateString(v, ctx) : (v ?? null);
        };
        let type = String(ev("type"));
        let name = String(ev("name"));
        if (d.parent && !type.includes("/")) {
          type = `${d.parent.type}/${type}`;
          name = `${d.parent.name}/${name}`;
        }
        if (typeof type !== "string" || !type.includes("/")) throw templateError(`The template resource '${name}' at line '${L(d.path).line}' and column '${L(d.path).column}' is not valid: the resource type '${type}' is not a fully qualified type ('Namespace/type'). Please see https://aka.ms/arm-syntax-resources for usage details.`, L(d.path));
        const apiVersion = String(ev("apiVersion") ?? "");
        if (!/^\d{4}-\d{2}-\d{2}(-[A-Za-z]+)?$/.test(apiVersion)) throw templateError(`The template resource '${name}' at line '${L(d.path).line}' and column '${L(d.path).column}' is not valid: the 'apiVersion' property is missing or is not an api-version ('${apiVersion}'). Please see https://aka.ms/arm-syntax-resources for usage details.`, L(d.path));
        const condition = r.condition === undefined ? true : ev("condition");
        if (typeof condition !== "boolean") throw new ExpressionError("The template resource condition must evaluate to a boolean");
        const existing = r.existing === true;
        const inst: Instance = { decl: d, id: "", type, name, apiVersion, condition, existing, copy: copy ? { ...copy, index: i } : undefined, loops, explicit: [] };
        inst.id = resourceIdOf(inst, ctx, d);
        const deps = r.dependsOn;
        if (Array.isArray(deps)) inst.explicit = deps.map((x) => String(typeof x === "string" ? evaluateString(x, ctx) : x));
        if (lc(type) === "microsoft.resources/deployments") inst.nested = nestedOf(inst, ctx);
        instances.push(inst);
        if (!symbolic && Array.isArray(r.resources))
          r.resources.forEach((child, ci) => {
            if (!isObject(child)) return;
            expandDecl({ raw: child, path: `${d.path}.resources[${ci}]`, parent: { type, name, copy: inst.copy } }, loops);
          });
      }
    } catch (e) {
      throw wrap(e, "resource", label, d.path);
    }
  };

  function resourceIdOf(inst: Instance, ctx: EvalContext, d: Decl): string {
    const { type, name } = inst;
    const t = type.split("/");
    const n = name.split("/");
    if (t.length < 2 || n.length !== t.length - 1 || n.some((x) => x === "")) throw templateError(inner.segmentLengths(name, type, L(d.path)), L(d.path));
    if (lc(type) === "microsoft.resources/resourcegroups") return `/subscriptions/${dctx.subscriptionId}/resourceGroups/${name}`;
    const rel = `/providers/${t[0]}/${t.slice(1).map((x, i) => `${x}/${n[i]}`).join("/")}`;
    if (d.raw.scope !== undefined) {
      const s = typeof d.raw.scope === "string" ? evaluateString(d.raw.scope, ctx) : null;
      if (typeof s !== "string") throw new ExpressionError("The resource 'scope' must be a resource id");
      if (s.startsWith("/")) return s.replace(/\/+$/, "") + (s === "/" ? rel.replace(/^\//, "/") : rel);
      // Bicep emits scopes relative to the deployment's scope ("Microsoft.Network/virtualNetworks/v/subnets/s")
      return `${rgScopeRoot}/providers/${s.replace(/^\/+|\/+$/g, "")}${rel}`;
    }
    if (lc(type) === "microsoft.resources/deployments") {
      const sub = typeof d.raw.subscriptionId === "string" ? String(evaluateString(d.raw.subscriptionId, ctx)) : dctx.subscriptionId;
      const rg = typeof d.raw.resourceGroup === "string" ? String(evaluateString(d.raw.resourceGroup, ctx)) : d.raw.subscriptionId !== undefined ? undefined : dctx.resourceGroup?.name;
      return `/subscriptions/${sub}${rg ? `/resourceGroups/${rg}` : ""}${rel}`;
    }
    return `${rgScopeRoot}${rel}`;
  }

  function nestedOf(inst: Instance, ctx: EvalContext): NestedDeployment {
    const r = inst.decl.raw;
    const props = isObject(r.properties) ? r.properties : {};
    const eo = isObject(props.expressionEvaluationOptions) ? props.expressionEvaluationOptions : {};
    const scope = typeof eo.scope === "string" && lc(eo.scope) === "inner" ? "inner" : "outer";
    const sub = typeof r.subscriptionId === "string" ? String(evaluateString(r.subscriptionId, ctx)) : dctx.subscriptionId;
    const rg = typeof r.resourceGroup === "string" ? String(evaluateString(r.resourceGroup, ctx)) : r.subscriptionId !== undefined ? undefined : dctx.resourceGroup?.name;
    const n: NestedDeployment = { name: inst.name, subscriptionId: sub, resourceGroup: rg, scope };
    if (scope === "outer") {
      const parent = baseCtx();
      n.outer = { parameter: (x) => parameter(x), variable: (x) => variable(x), resourceGroup: () => parent.resourceGroup(), subscription: () => parent.subscription(), scope: parent.scope };
    }
    return n;
  }

  for (const d of declsOut) expandDecl(d, new Map());
  const deployed = instances.filter((i) => i.condition && !i.existing);
  if (deployed.length > 800) throw templateError(inner.tooManyResources(deployed.length), L("properties.template.resources"));

  // ---- dependencies -------------------------------------------------------------------
  const byId = new Map<string, Instance>();
  for (const i of instances) {
    if (i.existing) continue;
    const k = lc(i.id);
    if (byId.has(k) && byId.get(k)!.condition && i.condition)
      throw templateError(`The resource '${i.id}' at line '${L(i.decl.path).line}' and column '${L(i.decl.path).column}' is defined multiple times in a template. Please see https://aka.ms/arm-syntax-resources for usage details.`, L(i.decl.path));
    if (!byId.has(k) || i.condition) byId.set(k, i);
  }

  /** The instances a dependsOn entry or reference() target names (undefined: not a template resource). */
  const resolveTarget = (x: string, allowIds: boolean): Instance[] | undefined => {
    const l = lc(x);
    const bySym = instances.filter((i) => i.decl.symbolicName !== undefined && (lc(i.decl.symbolicName) === l || `${lc(i.decl.symbolicName)}[${i.copy?.index}]` === l));
    if (bySym.length) return bySym;
    const byLoop = instances.filter((i) => i.copy && lc(i.copy.name) === l);
    if (byLoop.length) return byLoop;
    if (x.startsWith("/")) {
      if (!allowIds) return undefined;
      // subscriptionResourceId('Microsoft.Resources/resourceGroups', n) names a resource group too (Bicep emits it)
      const norm = l.replace(/^(\/subscriptions\/[^/]+)\/providers\/microsoft\.resources\/resourcegroups\//, "$1/resourcegroups/").replace(/\/+$/, "");
      const i = instances.filter((j) => lc(j.id) === norm);
      return i.length ? i : undefined;
    }
    const byTypeName = instances.filter((i) => `${lc(i.type)}/${lc(i.name)}` === l.replace(/^\/+/, "").replace(/\/+$/, ""));
    if (byTypeName.length && allowIds) return byTypeName;
    const byName = instances.filter((i) => lc(i.name) === l);
    return byName.length ? byName : undefined;
  };

  const deps = new Map<string, Set<string>>();
  for (const i of deployed) deps.set(lc(i.id), new Set());
  /** What `i` waits for. An `existing` resource is read, not deployed: who depends on it waits for what it depends on. */
  const targetsOf = (i: Instance, seen: Set<Instance>): Instance[] => {
    const out: Instance[] = [];
    const add = (j: Instance) => {
      if (j === i || !j.condition) return;
      if (!j.existing) out.push(j);
      else if (!seen.has(j)) {
        seen.add(j);
        out.push(...targetsOf(j, seen));
      }
    };
    for (const x of i.explicit) {
      const t = resolveTarget(x, true);
      if (!t) throw templateError(inner.notDefined(x), L(`${i.decl.path}.dependsOn`));
      t.forEach(add);
    }
    implicitTargets(i).forEach(add);
    return out;
  };
  for (const i of deployed) {
    const mine = deps.get(lc(i.id))!;
    for (const j of targetsOf(i, new Set())) mine.add(lc(j.id));
  }
  // serial copies: each batch waits for the whole previous batch
  const loopsByName = new Map<string, Instance[]>();
  for (const i of deployed) if (i.copy) (loopsByName.get(`${i.decl.path}|${lc(i.copy.name)}`) ?? loopsByName.set(`${i.decl.path}|${lc(i.copy.name)}`, []).get(`${i.decl.path}|${lc(i.copy.name)}`)!).push(i);
  for (const members of loopsByName.values()) {
    const c = members[0]!.copy!;
    if (c.mode !== "serial") continue;
    members.forEach((m, k) => {
      const batch = Math.floor(k / c.batchSize);
      if (batch === 0) return;
      for (const p of members.slice((batch - 1) * c.batchSize, batch * c.batchSize)) deps.get(lc(m.id))!.add(lc(p.id));
    });
  }

  function implicitTargets(i: Instance): Instance[] {
    const out: Instance[] = [];
    const visit = (v: Json) => {
      if (typeof v === "string") {
        const c = classify(v);
        if (!("expression" in c)) return;
        let tree;
        try {
          tree = parseCached(c.expression);
        } catch {
          return; // reported when the body is evaluated
        }
        for (const call of calls(tree)) {
          const f = lc(call.name);
          if ((f !== "reference" && f !== "references" && !f.startsWith("list")) || call.args.length === 0) continue;
          let target: Json;
          try {
            target = evaluateStaticArg(call.args[0]!, i);
          } catch {
            continue; // depends on runtime values: no implicit dependency
          }
          // "If you pass the resource ID into the reference or list functions, an implicit reference isn't created." (docs resource-dependency.md)
          if (typeof target !== "string" || target.startsWith("/")) continue;
          const t = resolveTarget(target, false);
          if (t) out.push(...t);
        }
      } else if (Array.isArray(v)) v.forEach(visit);
      else if (isObject(v)) for (const [k, x] of Object.entries(v)) {
        visit(k);
        visit(x);
      }
    };
    for (const [k, v] of Object.entries(i.decl.raw)) if (!NOT_BODY.has(lc(k))) visit(v);
    return out;
  }

  function evaluateStaticArg(e: Expr, i: Instance): Json {
    const ctx = withLoops(baseCtx(), i.loops, i.copy?.name);
    const v = evaluateExpr(e, ctx);
    if (typeof v === "object" && v !== null && !Array.isArray(v) && (v as { lambda?: unknown }).lambda === true) return null;
    return v as Json;
  }

  const order = orderWaves(deps);
  if (!order.ok) throw templateError(inner.circular(byId.get(order.cycleAt)!.id), L(byId.get(order.cycleAt)!.decl.path));

  // ---- the plan -----------------------------------------------------------------------
  const planned: PlannedResource[] = deployed.map((i) => {
    const p: PlannedResource = { key: i.id, id: i.id, type: i.type, name: i.name, apiVersion: i.apiVersion, dependsOn: [...deps.get(lc(i.id))!].map((k) => byId.get(k)!.id) };
    if (i.decl.symbolicName) p.symbolicName = i.decl.symbolicName;
    if (i.copy) p.copy = { name: i.copy.name, index: i.copy.index };
    if (i.nested) p.nested = i.nested;
    return p;
  });
  const byKey = new Map(deployed.map((i) => [i.id, i]));

  /** A context in which reference()/list*() ask the resolver. */
  const runtimeCtx = (resolver: ResourceResolver, loops: Map<string, number>, innermost: string | undefined): EvalContext => {
    const c = withLoops(baseCtx(), loops, innermost);
    const targetOf = (x: string): { id: string; apiVersion?: string; inst?: Instance } => {
      const t = resolveTarget(x, true);
      if (t && t.length === 1) return { id: t[0]!.id, apiVersion: t[0]!.apiVersion, inst: t[0] };
      if (x.startsWith("/")) return { id: x };
      throw new ExpressionError(inner.badReference(x));
    };
    c.reference = (x, apiVersion, full) => {
      const t = targetOf(x);
      const got = resolver.get(t.id, apiVersion ?? t.apiVersion);
      if (!full) return (got.properties ?? {}) as Json;
      const id = t.id;
      const out: JsonObject = { ...clone(got), apiVersion: apiVersion ?? t.apiVersion ?? null, resourceId: id, referenceApiVersion: apiVersion ?? t.apiVersion ?? null };
      const sub = /^\/subscriptions\/([^/]+)/i.exec(id)?.[1];
      const rg = /\/resourceGroups\/([^/]+)/i.exec(id)?.[1];
      if (sub) out.subscriptionId = sub;
      if (rg) out.resourceGroupName = rg;
      if (t.inst) Object.assign(out, { condition: t.inst.condition, isConditionTrue: t.inst.condition, isTemplateResource: !t.inst.existing, isAction: false, provisioningOperation: t.inst.existing ? "Read" : "Create" });
      return out;
    };
    c.references = (loop, full) => {
      const members = instances.filter((i) => (i.copy && lc(i.copy.name) === lc(loop)) || (i.decl.symbolicName !== undefined && lc(i.decl.symbolicName) === lc(loop)));
      if (!members.length) throw new ExpressionError(inner.badReference(loop));
      return members.filter((m) => m.condition).map((m) => c.reference(m.id, m.apiVersion, full));
    };
    c.list = (f, x, apiVersion, body) => resolver.list(targetOf(x).id, f, apiVersion, body);
    return c;
  };

  const body = (key: string, resolver: ResourceResolver): JsonObject => {
    const i = byKey.get(key);
    if (!i) throw new Error(`no planned resource ${key}`);
    const ctx = runtimeCtx(resolver, i.loops, i.copy?.name);
    const out: JsonObject = {};
    try {
      for (const [k, v] of Object.entries(i.decl.raw)) {
        if (NOT_BODY.has(lc(k))) continue;
        // a nested deployment's own template is evaluated by its child deployment, not here
        if (i.nested && lc(k) === "properties" && isObject(v)) {
          const props: JsonObject = {};
          for (const [pk, pv] of Object.entries(v)) props[pk] = lc(pk) === "template" ? clone(pv) : evaluateTree(pv, ctx, { propertyCopy: (o) => propertyCopy(o, ctx, i.decl.path, i.loops) });
          out[k] = props;
          continue;
        }
        out[k] = evaluateTree(v, ctx, { propertyCopy: (o) => propertyCopy(o, ctx, i.decl.path, i.loops) });
      }
    } catch (e) {
      throw wrap(e, "resource", i.decl.symbolicName ?? i.name, i.decl.path);
    }
    return stripNulls(out) as JsonObject;
  };

  const outputs = (resolver: ResourceResolver): Record<string, { type: string; value: Json }> => {
    const res: Record<string, { type: string; value: Json }> = {};
    const outs = isObject(template.outputs) ? template.outputs : {};
    for (const [name, o] of Object.entries(outs)) {
      if (!isObject(o)) continue;
      const path = `properties.template.outputs.${name}`;
      try {
        const ctx = runtimeCtx(resolver, new Map(), undefined);
        if (o.condition !== undefined && evaluateTree(o.condition, ctx) !== true) continue;
        const value = isObject(o.copy) ? expandLoop({ name: "__output", ...o.copy } as JsonObject, ctx, path, new Map()) : evaluateTree(o.value ?? null, ctx, { propertyCopy: (x) => propertyCopy(x, ctx, path, new Map()) });
        res[name] = { type: echoType(String(o.type ?? "")), value };
      } catch (e) {
        throw wrap(e, "output", name, path);
      }
    }
    return res;
  };

  const parametersEcho: Plan["parameters"] = {};
  if (!opts.outer)
    for (const [k, d] of Object.entries(decls)) {
      const t = echoType(String(d.type));
      parametersEcho[k] = isSecure(String(d.type)) ? { type: t } : { type: t, value: paramValues.get(k) ?? null };
    }

  const resourceName = (i: Instance) => i.name;
  const dependencies: Plan["dependencies"] = planned
    .filter((p) => p.dependsOn.length > 0)
    .map((p) => ({
      id: p.id,
      resourceType: p.type,
      resourceName: p.name,
      dependsOn: p.dependsOn.map((d) => {
        const j = byKey.get(d)!;
        return { id: j.id, resourceType: j.type, resourceName: resourceName(j) };
      }),
    }));

  return {
    languageVersion,
    resources: planned,
    waves: order.waves.map((w) => w.map((k) => byId.get(k)!.id)),
    existing: instances.filter((i) => i.existing && i.condition).map((i) => ({ id: i.id, type: i.type, apiVersion: i.apiVersion, symbolicName: i.decl.symbolicName ?? i.name })),
    parameters: parametersEcho,
    dependencies,
    body,
    outputs,
  };
}

// Values produced by a property loop are final; wrapping them keeps evaluateTree from re-reading "[...]" strings in them.
function literal(v: Json): Json {
  if (typeof v === "string") return v.startsWith("[") && v.endsWith("]") ? `[${v}` : v;
  if (Array.isArray(v)) return v.map(literal);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.startsWith("[") && k.endsWith("]") ? `[${k}` : k, literal(x)]));
  return v;
}

/** ARM drops properties whose value is null ("null() means the property is absent"). */
function stripNulls(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = stripNulls(x);
    return out;
  }
  return v;
}

/**
 * Runs `fn` against a resolver backed by a cache, fetching what it reports pending, until it
 * completes. The executor's fetch does the I/O; the engine stays pure.
 */
export async function resolveAsync<T>(
  fn: (r: ResourceResolver) => T,
  fetch: (req: PendingResource["request"]) => Promise<Json>,
  cache: Map<string, Json> = new Map(),
): Promise<T> {
  const keyOf = (req: PendingResource["request"]) => (req.kind === "get" ? `get ${lc(req.id)} ${req.apiVersion ?? ""}` : `list ${lc(req.id)} ${req.action} ${req.apiVersion} ${JSON.stringify(req.body ?? null)}`);
  const resolver: ResourceResolver = {
    get(id, apiVersion) {
      const req = { kind: "get" as const, id, apiVersion };
      const k = keyOf(req);
      if (!cache.has(k)) throw new PendingResource(req);
      return cache.get(k) as JsonObject;
    },
    list(id, action, apiVersion, body) {
      const req = { kind: "list" as const, id, action, apiVersion, body };
      const k = keyOf(req);
      if (!cache.has(k)) throw new PendingResource(req);
      return cache.get(k)!;
    },
  };
  for (let round = 0; round < 10000; round++) {
    try {
      return fn(resolver);
    } catch (e) {
      if (!(e instanceof PendingResource)) throw e;
      cache.set(keyOf(e.request), await fetch(e.request));
    }
  }
  throw new Error("resolveAsync: too many lookups");
}
