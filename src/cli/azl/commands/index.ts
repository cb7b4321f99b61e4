// The whole command table, every command group and command azl knows, as data (help tests,
// gen-docs). azl itself loads only the commands a command line names (lazy.ts).
import type { CommandTree } from "../parser.js";
import type { CommandSpec } from "../types.js";
import { GROUPS } from "./groups.js";
import { accountCommands } from "./account.js";
import { aksCommands } from "./aks.js";
import { aksNodepoolCommands } from "./aks-nodepool.js";
import { aksVersionCommands } from "./aks-versions.js";
import { extensionCommands } from "./extension.js";
import { featureCommands } from "./feature.js";
import { groupCommands } from "./group.js";
import { deploymentCommands } from "./deployment.js";
import { identityCommands } from "./identity.js";
import { networkCommands } from "./network.js";
import { networkResourceCommands } from "./network-resources.js";
import { privateDnsCommands } from "./private-dns.js";
import { providerCommands } from "./provider.js";
import { resourceCommands } from "./resource.js";
import { restCommands } from "./rest.js";
import { roleCommands } from "./role.js";

export { GROUPS };

export const COMMANDS: CommandSpec[] = [
  ...accountCommands,
  ...aksCommands,
  ...aksNodepoolCommands,
  ...aksVersionCommands,
  ...extensionCommands,
  ...featureCommands,
  ...groupCommands,
  ...deploymentCommands,
  ...identityCommands,
  ...networkCommands,
  ...networkResourceCommands,
  ...privateDnsCommands,
  ...providerCommands,
  ...resourceCommands,
  ...restCommands,
  ...roleCommands,
];

export function buildTree(): CommandTree {
  return {
    groups: new Map(GROUPS.map((g) => [g.name, g])),
    commands: new Map(COMMANDS.map((c) => [c.name, c])),
  };
}
