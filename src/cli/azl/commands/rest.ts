// az rest and az account get-access-token (azure-cli core util.send_raw_request and
// command_modules/profile custom.get_access_token). Relative URLs go to the emulator's ARM
// endpoint, `{subscriptionId}` is replaced, and the token's resource is the cloud's
// active_directory_resource_id (`<endpoint>/`), as az derives them from its cloud endpoints.
import { writeFileSync } from "node:fs";
import type { CommandSpec } from "../types.js";
import type { CommandContext } from "../context.js";
import { AzCliError } from "../errors.js";
import { str } from "./common.js";

/** The cloud's active_directory_resource_id for the emulator (its metadata lists it first). */
export function defaultResource(ctx: CommandContext): string {
  return `${ctx.env.endpoint}/`;
}

/** az's resource_to_scopes: "<resource>/.default" (ARM's "https://x/" gives "https://x//.default"). */
export function resourceToScope(resource: string): string {
  return `${resource}/.default`;
}

/** shell_safe_json_parse or KEY=VALUE, merged in order (az's --headers / --uri-parameters). */
export function keyValues(items: unknown, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of (Array.isArray(items) ? items : items ? [items] : []).map(String)) {
    try {
      const v = JSON.parse(s) as unknown;
      if (v && typeof v === "object" && !Array.isArray(v)) {
        for (const [k, x] of Object.entries(v)) out[k] = typeof x === "string" ? x : JSON.stringify(x);
        continue;
      }
    } catch {
      /* not JSON: KEY=VALUE */
    }
    const i = s.indexOf("=");
    if (i < 0) throw new AzCliError("InvalidArgumentValueError", `${what} '${s}' is not valid JSON or KEY=VALUE.`);
    out[s.slice(0, i)] = s.slice(i + 1);
  }
  return out;
}

/** Python's datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M:%S.%f") (local time). */
export function pyLocalTimestamp(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.000000`;
}

async function rest(ctx: CommandContext, a: Record<string, unknown>): Promise<unknown> {
  const method = String(a.method ?? "get").toUpperCase();
  let url = String(a.url);
  const headers = keyValues(a.headers, "Header");
  const params = keyValues(a.uri_parameters, "URI parameter");
  const body = str(a.body);
  let skipAuth = a.skip_authorization_header === true;
  if (Object.keys(headers).some((h) => h.toLowerCase() === "authorization")) skipAuth = true;
  const agents = ["azl AZURECLI/2.79.0 (aksemu)"];
  const ua = Object.keys(headers).find((h) => h.toLowerCase() === "user-agent");
  if (ua) agents.push(headers[ua]!);
  headers["User-Agent"] = agents.join(" ");
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
    try {
      JSON.parse(body);
      headers["Content-Type"] = "application/json";
    } catch {
      /* not JSON: sent without a content type, as az does */
    }
  }
  if (!url.includes("://")) url = ctx.env.endpoint + url;
  if (url.includes("{subscriptionId}")) url = url.replaceAll("{subscriptionId}", await ctx.subscriptionId());
  let scope: string | null = null;
  if (!skipAuth && url.toLowerCase().startsWith("https://")) {
    let resource = str(a.resource);
    if (!resource && url.toLowerCase().startsWith(ctx.env.endpoint.toLowerCase())) resource = defaultResource(ctx);
    if (resource) scope = resourceToScope(resource);
    else ctx.log.warning("Can't derive appropriate Azure AD resource from --url to acquire an access token. If access token is required, use --resource to specify the resource");
  }
  const res = await ctx.request(method, url, { query: params, rawBody: body, headers, scope, allowErrors: true });
  if (res.status >= 400) {
    const { STATUS_CODES } = await import("node:http"); // loaded only here: a static import costs every command start-up time
    const reason = (STATUS_CODES[res.status] ?? "") + (res.bodyAsText ? `(${res.bodyAsText})` : "");
    throw new AzCliError("UnclassifiedUserFault", reason);
  }
  if (a.output_file) {
    writeFileSync(String(a.output_file), res.bodyAsText);
    return undefined;
  }
  if (!res.bodyAsText) return undefined;
  if (typeof res.body === "string") {
    ctx.log.warning('Not a json response, outputting to stdout. For binary data suggest use "--output-file" to write to a file');
    ctx.io.stdout(res.bodyAsText + "\n");
    return undefined;
  }
  return res.body;
}

export const restCommands: CommandSpec[] = [
  {
    name: "rest",
    summary: "Invoke a custom request.",
    longSummary:
      "This command automatically authenticates using the logged-in credential: If Authorization header is not set, it attaches header `Authorization: Bearer <token>`, where `<token>` is retrieved from Microsoft Entra ID. The target resource of the token is derived from --url if --url starts with the emulator's endpoint. You may also use --resource for a custom resource. If Content-Type header is not set and --body is a valid JSON string, Content-Type header will default to application/json. In azl, a --url without a scheme is resolved against the emulator's ARM endpoint (AKSEMU_ENDPOINT).",
    subscriptionArg: false,
    args: [
      { dest: "method", options: ["--method", "-m"], choices: ["delete", "get", "head", "options", "patch", "post", "put"], default: "get", help: "HTTP request method." },
      {
        dest: "url",
        options: ["--url", "--uri", "-u"],
        required: true,
        help: "Request URL. If it doesn't start with a host, CLI assumes it as an Azure resource ID and prefixes it with the ARM endpoint (the emulator's, AKSEMU_ENDPOINT). Common token '{subscriptionId}' will be replaced with the current subscription ID (--subscription, AKSEMU_SUBSCRIPTION_ID or the first subscription).",
      },
      { dest: "headers", options: ["--headers"], nargs: "+", help: "Space-separated headers in KEY=VALUE format or JSON string. Use @{file} to load from a file." },
      { dest: "uri_parameters", options: ["--uri-parameters", "--url-parameters"], nargs: "+", help: "Query parameters in the URL. Space-separated queries in KEY=VALUE format or JSON string. Use @{file} to load from a file." },
      { dest: "body", options: ["--body", "-b"], help: "Request body. Use @{file} to load from a file. For quoting issues in different terminals, see https://github.com/Azure/azure-cli/blob/dev/doc/use_cli_effectively.md#quoting-issues" },
      { dest: "skip_authorization_header", options: ["--skip-authorization-header"], kind: "flag", help: "Do not auto-append Authorization header." },
      { dest: "resource", options: ["--resource"], help: "Resource url for which CLI should acquire a token from Microsoft Entra ID in order to access the service. The token will be placed in the Authorization header. By default, CLI can figure this out based on --url argument." },
      { dest: "output_file", options: ["--output-file"], help: "Save response payload to a file." },
    ],
    examples: [
      {
        name: "Get Audit log through Microsoft Graph",
        text: "az rest --method get --url https://graph.microsoft.com/beta/auditLogs/directoryAudits",
      },
      {
        name: "Get the emulator's view of a cluster (relative URL, current subscription)",
        text: "az rest --url /subscriptions/{subscriptionId}/resourceGroups/MyResourceGroup/providers/Microsoft.ContainerService/managedClusters/MyManagedCluster/emulatorView?api-version=2025-03-01",
      },
      {
        name: "Update a cluster with a JSON body from a file",
        text: "az rest --method put --url /subscriptions/{subscriptionId}/resourceGroups/MyResourceGroup/providers/Microsoft.ContainerService/managedClusters/MyManagedCluster?api-version=2025-03-01 --body @cluster.json",
      },
    ],
    handler: rest,
  },
  {
    name: "account get-access-token",
    summary: "Get a token for utilities to access Azure.",
    longSummary:
      "The token will be valid for at least 5 minutes with the maximum at 60 minutes. If the subscription argument isn't specified, the current account is used. In azl the token comes from the emulator's token endpoint; use it as a bearer token for the emulator's ARM endpoint (e.g. for `emulatorView`).",
    args: [
      { dest: "resource_type", options: ["--resource-type"], choices: ["aad-graph", "arm", "batch", "data-lake", "media", "ms-graph", "oss-rdbms"], help: "Type of well-known resource." },
      { dest: "resource", options: ["--resource"], help: "Azure resource endpoints in AAD v1.0." },
      { dest: "scopes", options: ["--scope"], nargs: "+", help: "Space-separated AAD scopes in AAD v2.0. Default to Azure Resource Manager." },
      { dest: "tenant", options: ["--tenant", "-t"], help: "Tenant ID for which the token is acquired. Only available for user and service principal account, not for MSI or Cloud Shell account." },
    ],
    examples: [
      { name: "Get an access token for the current account", text: "az account get-access-token" },
      { name: "Get an access token for a specific resource", text: "az account get-access-token --resource https://management.core.windows.net/" },
      { name: "Get an access token with scopes", text: "az account get-access-token --scope https://management.core.windows.net//.default" },
    ],
    handler: async (ctx, a) => {
      const resource = str(a.resource) ?? (a.resource_type ? defaultResource(ctx) : undefined);
      const scopes = (a.scopes as string[] | null) ?? undefined;
      if (resource && scopes) throw new AzCliError("UnclassifiedUserFault", "resource and scopes can't be provided at the same time.");
      const scope = scopes ? scopes.join(" ") : resourceToScope(resource ?? defaultResource(ctx));
      const tenant = str(a.tenant);
      if (tenant && tenant !== ctx.env.tenantId) {
        throw new AzCliError("UnclassifiedUserFault", `azl signs in to tenant ${ctx.env.tenantId} only (set AKSEMU_TENANT_ID to use another).`);
      }
      const token = await (await ctx.credential()).getToken(scope);
      if (!token) throw new AzCliError("UnclassifiedUserFault", "No token was returned.");
      const expiresOn = Math.floor(token.expiresOnTimestamp / 1000);
      const result: Record<string, unknown> = {
        accessToken: token.token,
        expiresOn: pyLocalTimestamp(expiresOn),
        expires_on: expiresOn,
        tenant: ctx.env.tenantId,
        tokenType: "Bearer",
      };
      if (!tenant) result.subscription = await ctx.subscriptionId();
      return result;
    },
  },
];
