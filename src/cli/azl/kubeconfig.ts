// `az aks get-credentials` kubeconfig handling, ported from azure-cli's acs custom.py
// (_print_or_merge_credentials, merge_kubernetes_configurations, _handle_merge).
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { AzCliError } from "./errors.js";
import type { Logger } from "./context.js";

const requireLazy = createRequire(import.meta.url);
const yamlParse = (t: string): unknown => (requireLazy("yaml") as typeof import("yaml")).parse(t);
const yamlStringify = (v: unknown, o: Record<string, unknown>): string => (requireLazy("yaml") as typeof import("yaml")).stringify(v, o);

type KubeConfig = Record<string, unknown> & {
  clusters?: Array<Record<string, unknown>>;
  users?: Array<Record<string, unknown>>;
  contexts?: Array<Record<string, unknown>>;
  "current-context"?: string;
};

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

export interface MergeOptions {
  replace: boolean;
  /** asks "A different object named X already exists in your kubeconfig file.\nOverwrite?" */
  confirm?: (question: string) => Promise<boolean>;
}

async function handleMerge(existing: KubeConfig, addition: KubeConfig, key: "clusters" | "users" | "contexts", opts: MergeOptions): Promise<void> {
  const add = addition[key];
  if (!add || !add.length) return;
  if (!(key in existing)) {
    throw new AzCliError(
      "FileOperationError",
      `No such key '${key}' in existing config, please confirm whether it is a valid config file. May back up this config file, delete it and retry the command.`,
    );
  }
  if (!existing[key] || !(existing[key] as unknown[]).length) {
    existing[key] = add;
    return;
  }
  const list = existing[key] as Array<Record<string, unknown>>;
  for (const i of add) {
    for (const j of [...list]) {
      if (!i.name || !j.name) continue;
      if (i.name === j.name) {
        if (opts.replace || deepEqual(i, j)) list.splice(list.indexOf(j), 1);
        else {
          let overwrite = false;
          if (opts.confirm) overwrite = await opts.confirm(`A different object named ${String(i.name)} already exists in your kubeconfig file.\nOverwrite?`);
          if (overwrite) list.splice(list.indexOf(j), 1);
          else throw new AzCliError("UnclassifiedUserFault", `A different object named ${String(i.name)} already exists in ${key} in your kubeconfig file.`);
        }
      }
    }
    list.push(i);
  }
}

function load(file: string): KubeConfig | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new AzCliError("UnclassifiedUserFault", `${file} does not exist`);
    if (["EACCES", "EPERM"].includes((e as NodeJS.ErrnoException).code ?? "")) {
      throw new AzCliError(
        "FileOperationError",
        `Permission denied when trying to read ${file}. Please ensure you have read access to this file, or specify a different file path using the --file/-f argument.`,
      );
    }
    throw e;
  }
  try {
    const v = yamlParse(text) as KubeConfig | null | undefined;
    return v ?? null;
  } catch (e) {
    throw new AzCliError("UnclassifiedUserFault", `Error parsing ${file} (${(e as Error).message})`);
  }
}

/** PyYAML safe_dump(default_flow_style=False): sorted keys, sequences flush with their key. */
export function dumpKubeconfig(cfg: unknown): string {
  // YAML 1.1, as kubectl and az read it: a context named `on` or `yes` stays a string.
  return yamlStringify(cfg, { sortMapEntries: true, indentSeq: false, lineWidth: 0, version: "1.1" });
}

export async function mergeKubernetesConfigurations(existingFile: string, additionText: string, contextName: string | undefined, log: Logger, opts: MergeOptions): Promise<void> {
  let existing = load(existingFile);
  let addition: KubeConfig;
  try {
    addition = yamlParse(additionText) as KubeConfig;
  } catch (e) {
    log.warning(`Failed to merge credentials to kube config file: ${(e as Error).message}`);
    return;
  }
  if (!addition) throw new AzCliError("UnclassifiedUserFault", "failed to load additional configuration from the credential");
  if (contextName) {
    const ctx0 = addition.contexts?.[0];
    if (ctx0) {
      ctx0.name = contextName;
      (ctx0.context as Record<string, unknown>).cluster = contextName;
    }
    if (addition.clusters?.[0]) addition.clusters[0].name = contextName;
    addition["current-context"] = contextName;
  }
  // az renames the admin context so it does not overwrite the user context (users named clusterAdmin_*).
  for (const ctx of addition.contexts ?? []) {
    const user = (ctx.context as Record<string, unknown> | undefined)?.user;
    if (typeof user === "string" && user.startsWith("clusterAdmin")) {
      ctx.name = `${String(ctx.name)}-admin`;
      addition["current-context"] = ctx.name as string;
      break;
    }
  }
  if (existing === null) existing = addition;
  else {
    await handleMerge(existing, addition, "clusters", opts);
    await handleMerge(existing, addition, "users", opts);
    await handleMerge(existing, addition, "contexts", opts);
    existing["current-context"] = addition["current-context"];
  }
  if (process.platform !== "win32" && !lstatSync(existingFile).isSymbolicLink()) {
    const perms = (lstatSync(existingFile).mode & 0o7777).toString(8);
    if (!perms.endsWith("600")) log.warning(`${existingFile} has permissions "${perms}".\nIt should be readable and writable only by its owner.`);
  }
  const tmp = join(dirname(existingFile), `.azl-kubeconfig-${process.pid}`);
  writeFileSync(tmp, dumpKubeconfig(existing), { mode: 0o600 });
  try {
    chmodSync(tmp, lstatSync(existingFile).mode & 0o7777);
  } catch {
    /* keep 0600 */
  }
  renameSync(tmp, existingFile);
  log.warning(`Merged "${addition["current-context"] ?? "UNKNOWN"}" as current context in ${existingFile}`);
}

export async function printOrMergeCredentials(
  path: string,
  kubeconfig: string,
  overwriteExisting: boolean,
  contextName: string | undefined,
  out: (s: string) => void,
  log: Logger,
  confirm?: (q: string) => Promise<boolean>,
): Promise<void> {
  if (path === "-") {
    out(kubeconfig + "\n");
    return;
  }
  const dir = dirname(path);
  if (dir && !existsSync(dir)) mkdirSync(dir, { recursive: true });
  if (!existsSync(path)) writeFileSync(path, "", { mode: 0o600 });
  await mergeKubernetesConfigurations(path, kubeconfig, contextName, log, { replace: overwriteExisting, confirm });
}
