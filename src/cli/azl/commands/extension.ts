// az extension add/update/list/show: azl has aks-preview's commands and flags built in, so
// aks-preview is listed as present (version below, >= 0.5.97 as the VNet integration docs
// require); add/update install nothing and say so.
import { AzCliError } from "../errors.js";
import type { CommandSpec } from "../types.js";

export const AKS_PREVIEW_VERSION = "19.0.0b1";

function aksPreview(): Record<string, unknown> {
  return {
    experimental: false,
    extensionType: "whl",
    name: "aks-preview",
    path: "(bundled with azl)",
    preview: true,
    version: AKS_PREVIEW_VERSION,
  };
}

const BUILT_IN = `azl has the aks-preview extension's commands and flags built in (as aks-preview ${AKS_PREVIEW_VERSION}); nothing was downloaded or installed.`;

const nameArg = { dest: "extension_name", options: ["--name", "-n"], help: "Name of extension." };

function check(name: unknown, notInstalled: boolean): void {
  if (String(name ?? "").toLowerCase() !== "aks-preview") {
    throw new AzCliError(
      "UnclassifiedUserFault",
      notInstalled ? `The extension ${String(name)} is not installed.` : `No matching extensions for '${String(name)}'. Use --debug for more information.`,
    );
  }
}

export const extensionCommands: CommandSpec[] = [
  {
    name: "extension add",
    summary: "Add an extension.",
    subscriptionArg: false,
    args: [
      nameArg,
      { dest: "source", options: ["--source", "-s"], help: "Filepath or URL to an extension." },
      { dest: "upgrade", options: ["--upgrade"], kind: "flag", help: "Update the extension if already installed, otherwise just install the extension." },
      { dest: "yes", options: ["--yes", "-y"], kind: "flag", help: "Do not prompt for confirmation." },
      { dest: "version", options: ["--version"], help: "The specific version of an extension." },
      { dest: "allow_preview", options: ["--allow-preview"], kind: "three_state", help: "Include preview versions of extensions." },
      { dest: "system", options: ["--system"], kind: "flag", help: "Use a system directory for the extension." },
      { dest: "pip_extra_index_urls", options: ["--pip-extra-index-urls"], nargs: "+", help: "Space-separated list of extra URLs of package indexes to use." },
      { dest: "pip_proxy", options: ["--pip-proxy"], help: "Proxy for pip to use for extension dependencies in the form of [user:passwd@]proxy.server:port" },
    ],
    examples: [{ name: "Add extension by name", text: "az extension add --name anextension" }],
    handler: async (ctx, a) => {
      check(a.extension_name, false);
      ctx.log.warning(BUILT_IN);
      return undefined;
    },
  },
  {
    name: "extension update",
    summary: "Update an extension.",
    subscriptionArg: false,
    args: [
      nameArg,
      { dest: "allow_preview", options: ["--allow-preview"], kind: "three_state", help: "Include preview versions of extensions." },
      { dest: "pip_extra_index_urls", options: ["--pip-extra-index-urls"], nargs: "+", help: "Space-separated list of extra URLs of package indexes to use." },
      { dest: "pip_proxy", options: ["--pip-proxy"], help: "Proxy for pip to use for extension dependencies in the form of [user:passwd@]proxy.server:port" },
    ],
    examples: [{ name: "Update an extension by name", text: "az extension update --name anextension" }],
    handler: async (ctx, a) => {
      check(a.extension_name, true);
      ctx.log.warning(BUILT_IN);
      return undefined;
    },
  },
  {
    name: "extension list",
    summary: "List the installed extensions.",
    subscriptionArg: false,
    args: [],
    handler: async () => [aksPreview()],
  },
  {
    name: "extension show",
    summary: "Show an extension.",
    subscriptionArg: false,
    args: [{ ...nameArg, required: true }],
    handler: async (_ctx, a) => {
      check(a.extension_name, true);
      return aksPreview();
    },
  },
];
