// az deployment group|sub create/validate/what-if/show/list/delete/cancel (command module "resource")
// over @azure/arm-resources. Template files are read as ARM reads them (comments allowed);
// parameters come as files, inline JSON or key=value typed from the template, as az takes them.
import { existsSync, readFileSync } from "node:fs";
import { basename, extname, resolve } from "node:path";
import type { ArgSpec, CommandSpec } from "../types.js";
import { POLL_MS, type CommandContext } from "../context.js";
import { AzCliError } from "../errors.js";
import { location, noWait, rg } from "./common.js";
import { parseJsonc } from "../../../arm/template/jsonc.js";

const TABLE = "[].{Name:name, State:properties.provisioningState, Timestamp:properties.timestamp, Mode:properties.mode}";
const SHOW_TABLE = "{Name:name, State:properties.provisioningState, Timestamp:properties.timestamp, Mode:properties.mode}";

const nameArg = (required = false): ArgSpec => ({ dest: "deployment_name", options: ["--name", "-n"], required, help: "The deployment name." });
const templateFile: ArgSpec = { dest: "template_file", options: ["--template-file", "-f"], help: "A path to a template file in the file system (JSON)." };
const parametersArg: ArgSpec = { dest: "parameters", options: ["--parameters", "-p"], nargs: "+", help: "Supply deployment parameter values: a parameters file, inline JSON or key=value pairs." };
const modeArg: ArgSpec = { dest: "mode", options: ["--mode"], choices: ["Complete", "Incremental"], default: "Incremental", help: "The mode that is used to deploy resources." };
const noPrettyPrint: ArgSpec = { dest: "no_pretty_print", options: ["--no-pretty-print"], kind: "flag", help: "Disable pretty-print for What-If results. When set, the output format type will be used." };

function readJson(ctx: CommandContext, file: string): any {
  const path = resolve(ctx.io.cwd, file);
  if (!existsSync(path)) throw new AzCliError("InvalidArgumentValueError", `Please either specify a template file or a template uri: '${file}' does not exist.`);
  try {
    return parseJsonc(readFileSync(path, "utf8")).value;
  } catch (e) {
    throw new AzCliError("InvalidArgumentValueError", `Failed to parse '${file}', please check whether it is a valid JSON format: ${(e as Error).message}`);
  }
}

/** az's -p handling: each value a parameters file, inline JSON, or key=value typed from the template's declaration. */
function parametersOf(ctx: CommandContext, template: any, values: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const decls: Record<string, { type?: string }> = template?.parameters ?? {};
  const declared = (k: string) => Object.keys(decls).find((d) => d.toLowerCase() === k.toLowerCase());
  for (const v of (Array.isArray(values) ? values : values == null ? [] : [values]).map(String)) {
    const path = resolve(ctx.io.cwd, v.replace(/^@/, ""));
    if (existsSync(path) && !v.includes("=")) {
      const f = readJson(ctx, v.replace(/^@/, ""));
      Object.assign(out, f?.parameters ?? f);
      continue;
    }
    if (v.trim().startsWith("{")) {
      const j = JSON.parse(v);
      Object.assign(out, j?.parameters ?? j);
      continue;
    }
    const eq = v.indexOf("=");
    if (eq < 0) throw new AzCliError("InvalidArgumentValueError", `Unable to parse parameter: ${v}`);
    const key = v.slice(0, eq);
    const raw = v.slice(eq + 1);
    const name = declared(key);
    if (!name) throw new AzCliError("InvalidArgumentValueError", `unrecognized template parameter '${key}'. Allowed parameters: ${Object.keys(decls).join(", ")}`);
    const type = String(decls[name]?.type ?? "string").toLowerCase();
    let value: unknown = raw;
    if (type === "int") value = Number.isInteger(Number(raw)) && raw.trim() !== "" ? Number(raw) : raw;
    else if (type === "bool") value = /^true$/i.test(raw) ? true : /^false$/i.test(raw) ? false : raw;
    else if (type === "object" || type === "array" || type === "secureobject") {
      try {
        value = JSON.parse(raw);
      } catch {
        value = raw;
      }
    }
    out[name] = { value };
  }
  return out;
}

function deploymentBody(ctx: CommandContext, a: Record<string, unknown>) {
  if (!a.template_file) throw new AzCliError("RequiredArgumentMissingError", "Please either specify a template file or a template uri.");
  const file = String(a.template_file);
  if (extname(file).toLowerCase() === ".bicep") throw new AzCliError("InvalidArgumentValueError", "Bicep files need the Bicep CLI, which azl does not bundle: run `bicep build` and pass the JSON.");
  const template = readJson(ctx, file);
  return { name: String(a.deployment_name ?? basename(file, extname(file)) ?? "deployment1"), properties: { mode: String(a.mode ?? "Incremental") as "Incremental" | "Complete", template, parameters: parametersOf(ctx, template, a.parameters) } };
}

const API = "2024-11-01";

/** The deployment's URL path at resource-group (rg given) or subscription scope. */
async function pathOf(ctx: CommandContext, rgName: string | undefined, name?: string): Promise<string> {
  const sub = await ctx.subscriptionId();
  const base = rgName ? `/subscriptions/${sub}/resourcegroups/${rgName}/providers/Microsoft.Resources/deployments` : `/subscriptions/${sub}/providers/Microsoft.Resources/deployments`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}

/** Follows Azure-AsyncOperation until the deployment ends; a failure is az's "ERROR: {status, error}". */
async function waitFor(ctx: CommandContext, res: { headers: Record<string, string> }, path: string): Promise<unknown> {
  const url = res.headers["azure-asyncoperation"];
  if (url) {
    for (;;) {
      const s = (await ctx.request("GET", url)).body as { status?: string; error?: unknown };
      if (s.status === "Failed" || s.status === "Canceled") throw new AzCliError("AzureResponseError", JSON.stringify({ status: s.status, error: s.error }));
      if (s.status === "Succeeded") break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
  return (await ctx.request("GET", path, { query: { "api-version": API } })).body;
}

async function create(ctx: CommandContext, a: Record<string, unknown>, rgName: string | undefined) {
  const { name, properties } = deploymentBody(ctx, rgName ? a : { ...a, mode: "Incremental" });
  const path = await pathOf(ctx, rgName, name);
  const body = rgName ? { properties } : { location: String(a.location), properties };
  await ctx.request("POST", `${path}/validate`, { query: { "api-version": API }, body });
  const res = await ctx.request("PUT", path, { query: { "api-version": API }, body });
  if (a.no_wait) return undefined;
  return waitFor(ctx, res, path);
}

async function validate(ctx: CommandContext, a: Record<string, unknown>, rgName: string | undefined, action: "validate" | "whatIf") {
  const { name, properties } = deploymentBody(ctx, a);
  const path = await pathOf(ctx, rgName, name);
  const out = (await ctx.request("POST", `${path}/${action}`, { query: { "api-version": API }, body: rgName ? { properties } : { location: String(a.location), properties } })).body as any;
  // the SDK az uses flattens what-if's properties: {status, changes}
  return action === "whatIf" ? { status: out.status, changes: out.properties?.changes ?? [], error: out.error ?? null } : out;
}

async function list(ctx: CommandContext, rgName: string | undefined): Promise<unknown[]> {
  const out: unknown[] = [];
  let next: string | undefined = `${await pathOf(ctx, rgName)}?api-version=${API}`;
  while (next) {
    const page = (await ctx.request("GET", next)).body as { value?: unknown[]; nextLink?: string };
    out.push(...(page.value ?? []));
    next = page.nextLink;
  }
  return out;
}

async function remove(ctx: CommandContext, rgName: string | undefined, name: string) {
  await ctx.request("DELETE", await pathOf(ctx, rgName, name), { query: { "api-version": API } });
  return undefined;
}

async function cancel(ctx: CommandContext, rgName: string | undefined, name: string) {
  await ctx.request("POST", `${await pathOf(ctx, rgName, name)}/cancel`, { query: { "api-version": API } });
  return undefined;
}

const show = async (ctx: CommandContext, rgName: string | undefined, name: string) => (await ctx.request("GET", await pathOf(ctx, rgName, name), { query: { "api-version": API } })).body;

export const deploymentCommands: CommandSpec[] = [
  {
    name: "deployment group create",
    summary: "Start a deployment at resource group.",
    args: [rg(), nameArg(), templateFile, parametersArg, modeArg, noWait()],
    examples: [{ name: "Create a deployment at resource group from a local template file, using parameters as key=value.", text: "az deployment group create --resource-group testrg --name rollout01 --template-file azuredeploy.json --parameters clusterName=c1" }],
    tableTransformer: SHOW_TABLE,
    handler: (ctx, a) => create(ctx, a, String(a.resource_group_name)),
  },
  {
    name: "deployment group validate",
    summary: "Validate whether a template is valid at resource group.",
    args: [rg(), nameArg(), templateFile, parametersArg, modeArg],
    examples: [{ name: "Validate whether a template is syntactically correct.", text: "az deployment group validate --resource-group testrg --template-file azuredeploy.json --parameters clusterName=c1" }],
    handler: (ctx, a) => validate(ctx, a, String(a.resource_group_name), "validate"),
  },
  {
    name: "deployment group what-if",
    summary: "Execute a deployment What-If operation at resource group scope.",
    args: [rg(), nameArg(), templateFile, parametersArg, modeArg, noPrettyPrint],
    examples: [{ name: "Execute a deployment What-If operation at a resource group.", text: "az deployment group what-if --resource-group testrg --template-file azuredeploy.json --parameters clusterName=c1 --no-pretty-print" }],
    handler: (ctx, a) => validate(ctx, a, String(a.resource_group_name), "whatIf"),
  },
  {
    name: "deployment group show",
    summary: "Get the details of a deployment at resource group.",
    args: [rg(), nameArg(true)],
    examples: [{ name: "Get a deployment at resource group.", text: "az deployment group show -g testrg -n deployment01" }],
    tableTransformer: SHOW_TABLE,
    handler: (ctx, a) => show(ctx, String(a.resource_group_name), String(a.deployment_name)),
  },
  {
    name: "deployment group list",
    summary: "List deployments at resource group.",
    args: [rg()],
    examples: [{ name: "List deployments at resource group.", text: "az deployment group list -g testrg" }],
    tableTransformer: TABLE,
    handler: (ctx, a) => list(ctx, String(a.resource_group_name)),
  },
  {
    name: "deployment group delete",
    summary: "Delete a deployment at resource group.",
    args: [rg(), nameArg(true), noWait()],
    examples: [{ name: "Delete a deployment at resource group.", text: "az deployment group delete -g testrg -n deployment01" }],
    handler: (ctx, a) => remove(ctx, String(a.resource_group_name), String(a.deployment_name)),
  },
  {
    name: "deployment group cancel",
    summary: "Cancel a deployment at resource group.",
    args: [rg(), nameArg(true)],
    examples: [{ name: "Cancel a deployment at resource group.", text: "az deployment group cancel -g testrg -n deployment01" }],
    handler: (ctx, a) => cancel(ctx, String(a.resource_group_name), String(a.deployment_name)),
  },
  {
    name: "deployment sub create",
    summary: "Start a deployment at subscription scope.",
    args: [location({ required: true }), nameArg(), templateFile, parametersArg, noWait()],
    examples: [{ name: "Create a deployment at subscription scope from a local template file.", text: "az deployment sub create --location WestUS --template-file azuredeploy.json --parameters rgName=rg1" }],
    tableTransformer: SHOW_TABLE,
    handler: (ctx, a) => create(ctx, a, undefined),
  },
  {
    name: "deployment sub validate",
    summary: "Validate whether a template is valid at subscription scope.",
    args: [location({ required: true }), nameArg(), templateFile, parametersArg],
    examples: [{ name: "Validate whether a template is syntactically correct at subscription scope.", text: "az deployment sub validate --location westus2 --template-file azuredeploy.json --parameters rgName=rg1" }],
    handler: (ctx, a) => validate(ctx, { ...a, mode: "Incremental" }, undefined, "validate"),
  },
  {
    name: "deployment sub show",
    summary: "Show a deployment at subscription scope.",
    args: [nameArg(true)],
    examples: [{ name: "Show a deployment at subscription scope.", text: "az deployment sub show -n deployment01" }],
    tableTransformer: SHOW_TABLE,
    handler: (ctx, a) => show(ctx, undefined, String(a.deployment_name)),
  },
  {
    name: "deployment sub list",
    summary: "List deployments at subscription scope.",
    args: [],
    examples: [{ name: "List deployments at subscription scope.", text: "az deployment sub list" }],
    tableTransformer: TABLE,
    handler: (ctx) => list(ctx, undefined),
  },
  {
    name: "deployment sub delete",
    summary: "Delete a deployment at subscription scope.",
    args: [nameArg(true), noWait()],
    examples: [{ name: "Delete a deployment at subscription scope.", text: "az deployment sub delete -n deployment01" }],
    handler: (ctx, a) => remove(ctx, undefined, String(a.deployment_name)),
  },
  {
    name: "deployment sub what-if",
    summary: "Execute a deployment What-If operation at subscription scope.",
    args: [location({ required: true }), nameArg(), templateFile, parametersArg, noPrettyPrint],
    examples: [{ name: "Execute a deployment What-If operation at a subscription.", text: "az deployment sub what-if --location westus2 --template-file azuredeploy.json --parameters rgName=rg1 --no-pretty-print" }],
    handler: (ctx, a) => validate(ctx, { ...a, mode: "Incremental" }, undefined, "whatIf"),
  },
  {
    name: "deployment sub cancel",
    summary: "Cancel a deployment at subscription scope.",
    args: [nameArg(true)],
    examples: [{ name: "Cancel a deployment at subscription scope.", text: "az deployment sub cancel -n deployment01" }],
    handler: (ctx, a) => cancel(ctx, undefined, String(a.deployment_name)),
  },
];
