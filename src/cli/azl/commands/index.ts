// The command table: every command group and command azl knows, as data.
import type { CommandTree } from "../parser.js";
import type { CommandSpec, GroupSpec } from "../types.js";
import { accountCommands } from "./account.js";
import { aksCommands, aksGroups } from "./aks.js";
import { extensionCommands } from "./extension.js";
import { featureCommands } from "./feature.js";
import { groupCommands } from "./group.js";
import { identityCommands } from "./identity.js";
import { networkCommands, networkGroups } from "./network.js";
import { providerCommands } from "./provider.js";
import { roleCommands, roleGroups } from "./role.js";

export const GROUPS: GroupSpec[] = [
  { name: "", summary: "" },
  { name: "account", summary: "Manage Azure subscription information." },
  ...aksGroups,
  { name: "extension", summary: "Manage and update CLI extensions." },
  { name: "feature", summary: "Manage resource provider features." },
  { name: "group", summary: "Manage resource groups and template deployments." },
  { name: "identity", summary: "Manage Managed Identity." },
  ...networkGroups,
  { name: "provider", summary: "Manage resource providers." },
  ...roleGroups,
];

export const COMMANDS: CommandSpec[] = [
  ...accountCommands,
  ...aksCommands,
  ...extensionCommands,
  ...featureCommands,
  ...groupCommands,
  ...identityCommands,
  ...networkCommands,
  ...providerCommands,
  ...roleCommands,
];

export function buildTree(): CommandTree {
  return {
    groups: new Map(GROUPS.map((g) => [g.name, g])),
    commands: new Map(COMMANDS.map((c) => [c.name, c])),
  };
}
