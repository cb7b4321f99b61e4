// Argument types shared by many commands (azure/cli/core/commands/parameters.py).
import { AzCliError } from "../errors.js";
import type { ArgSpec } from "../types.js";

// az's texts go on with "You can configure the default ... using `az configure --defaults ...`";
// azl has no `az configure`, so its help stops before pointing there.
export const RG_HELP = "Name of resource group.";
export const LOCATION_HELP = "Location. Values from: `az account list-locations`.";
export const TAGS_HELP = 'space-separated tags: key[=value] [key[=value] ...]. Use "" to clear existing tags.';
export const NO_WAIT_HELP = "Do not wait for the long-running operation to finish.";

export const rg = (over: Partial<ArgSpec> = {}): ArgSpec => ({
  dest: "resource_group_name",
  options: ["--resource-group", "-g"],
  required: true,
  help: RG_HELP,
  ...over,
});
export const location = (over: Partial<ArgSpec> = {}): ArgSpec => ({ dest: "location", options: ["--location", "-l"], help: LOCATION_HELP, ...over });
export const tags = (over: Partial<ArgSpec> = {}): ArgSpec => ({ dest: "tags", options: ["--tags"], nargs: "*", help: TAGS_HELP, ...over });
export const noWait = (): ArgSpec => ({ dest: "no_wait", options: ["--no-wait"], kind: "flag", help: NO_WAIT_HELP });
export const yes = (): ArgSpec => ({ dest: "yes", options: ["--yes", "-y"], kind: "flag", help: "Do not prompt for confirmation." });

/** az's validate_tags: ["k=v", "k2"] -> {k: "v", k2: ""}; [""] -> {} */
export function parseTags(v: unknown): Record<string, string> | undefined {
  if (v === null || v === undefined) return undefined;
  const list = Array.isArray(v) ? (v as string[]) : [String(v)];
  const out: Record<string, string> = {};
  for (const item of list) {
    if (!item) continue;
    const idx = item.indexOf("=");
    if (idx < 0) out[item] = "";
    else out[item.slice(0, idx)] = item.slice(idx + 1);
  }
  return out;
}

export function str(v: unknown): string | undefined {
  return v === null || v === undefined ? undefined : String(v);
}

/** az's resource ID check (azure.mgmt.core.tools.is_valid_resource_id). */
export function isValidResourceId(id: string): boolean {
  return /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+/i.test(id);
}

export interface ParsedId {
  subscription: string;
  resourceGroup: string;
  namespace: string;
  type: string;
  name: string;
  children: Array<{ type: string; name: string }>;
}

export function parseResourceId(id: string): ParsedId | undefined {
  const m = /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)((?:\/[^/]+\/[^/]+)*)\/?$/i.exec(id);
  if (!m) return undefined;
  const rest = (m[6] ?? "").split("/").filter(Boolean);
  const children: Array<{ type: string; name: string }> = [];
  for (let i = 0; i + 1 < rest.length; i += 2) children.push({ type: rest[i]!, name: rest[i + 1]! });
  return { subscription: m[1]!, resourceGroup: m[2]!, namespace: m[3]!, type: m[4]!, name: m[5]!, children };
}

export function notImplemented(what: string): AzCliError {
  return new AzCliError("UnclassifiedUserFault", `${what} is not supported by azl.`);
}

/** Read every page of an SDK PagedAsyncIterableIterator. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Run an SDK call and return the raw JSON body of its (last) response. */
export async function rawOf(call: (opts: { onResponse: (r: { parsedBody?: unknown; bodyAsText?: string | null }) => void }) => Promise<unknown>): Promise<unknown> {
  let body: unknown;
  await call({
    onResponse: (r) => {
      body = r.parsedBody ?? (r.bodyAsText ? JSON.parse(r.bodyAsText) : undefined);
    },
  });
  return body;
}

/** Read every page of an SDK list and return the raw items of the pages' `value` arrays. */
export async function rawList(list: (opts: { onResponse: (r: { parsedBody?: unknown }) => void }) => AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  await collect(list({ onResponse: (r) => out.push(...(((r.parsedBody as { value?: unknown[] }) ?? {}).value ?? [])) }));
  return out;
}
