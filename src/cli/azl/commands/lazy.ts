// The command table as azl loads it: the groups (data) and, for a command line, only the command
// modules its first word needs, each a chunk of the bundle imported on demand. Compiling every
// command's code cost each start-up more than Node's own bootstrap does for the one command run.
// A command line whose first word names no command (help, --version, a misspelling, nothing)
// loads them all. test/azl/lazy-table.test.ts checks that the modules listed for a word hold all
// of that word's commands, so the runner sees the same table it would with every module loaded.
import type { CommandTree } from "../parser.js";
import type { CommandSpec } from "../types.js";
import { GROUPS } from "./groups.js";

const MODULES = {
  account: () => import("./account.js").then((m) => m.accountCommands),
  aks: () => import("./aks.js").then((m) => m.aksCommands),
  aksNodepool: () => import("./aks-nodepool.js").then((m) => m.aksNodepoolCommands),
  aksVersions: () => import("./aks-versions.js").then((m) => m.aksVersionCommands),
  extension: () => import("./extension.js").then((m) => m.extensionCommands),
  feature: () => import("./feature.js").then((m) => m.featureCommands),
  group: () => import("./group.js").then((m) => m.groupCommands),
  deployment: () => import("./deployment.js").then((m) => m.deploymentCommands),
  identity: () => import("./identity.js").then((m) => m.identityCommands),
  network: () => import("./network.js").then((m) => m.networkCommands),
  networkResources: () => import("./network-resources.js").then((m) => m.networkResourceCommands),
  privateDns: () => import("./private-dns.js").then((m) => m.privateDnsCommands),
  provider: () => import("./provider.js").then((m) => m.providerCommands),
  resource: () => import("./resource.js").then((m) => m.resourceCommands),
  rest: () => import("./rest.js").then((m) => m.restCommands),
  role: () => import("./role.js").then((m) => m.roleCommands),
} satisfies Record<string, () => Promise<CommandSpec[]>>;

type ModuleKey = keyof typeof MODULES;

/** The modules holding the commands under each top-level word. */
export const MODULES_BY_WORD: Record<string, ModuleKey[]> = {
  account: ["account", "rest"],
  aks: ["aks", "aksNodepool", "aksVersions"],
  deployment: ["deployment"],
  extension: ["extension"],
  feature: ["feature"],
  group: ["group"],
  identity: ["identity"],
  login: ["account"],
  network: ["network", "networkResources", "privateDns"],
  provider: ["provider"],
  resource: ["resource"],
  rest: ["rest"],
  role: ["role"],
};

/** The command table for `argv`: all groups, and the commands of the modules its first word needs. */
export async function loadTree(argv: string[]): Promise<CommandTree> {
  const first = argv[0];
  const keys = first !== undefined && Object.hasOwn(MODULES_BY_WORD, first) ? MODULES_BY_WORD[first]! : (Object.keys(MODULES) as ModuleKey[]);
  const lists = await Promise.all(keys.map((k) => MODULES[k]()));
  return {
    groups: new Map(GROUPS.map((g) => [g.name, g])),
    commands: new Map(lists.flat().map((c) => [c.name, c])),
  };
}
