// The command table: every command group and command azl knows, as data.
import type { CommandTree } from "../parser.js";
import type { CommandSpec, GroupSpec } from "../types.js";
import { accountCommands } from "./account.js";
import { aksCommands, aksGroups } from "./aks.js";
import { aksNodepoolCommands, aksNodepoolGroups } from "./aks-nodepool.js";
import { aksVersionCommands } from "./aks-versions.js";
import { extensionCommands } from "./extension.js";
import { featureCommands } from "./feature.js";
import { groupCommands } from "./group.js";
import { deploymentCommands } from "./deployment.js";
import { identityCommands } from "./identity.js";
import { networkCommands, networkGroups } from "./network.js";
import { networkResourceCommands, networkResourceGroups } from "./network-resources.js";
import { privateDnsCommands, privateDnsGroups } from "./private-dns.js";
import { providerCommands } from "./provider.js";
import { resourceCommands, resourceGroups } from "./resource.js";
import { restCommands } from "./rest.js";
import { roleCommands, roleGroups } from "./role.js";

export const GROUPS: GroupSpec[] = [
  { name: "", summary: "" },
  { name: "account", summary: "Manage Azure subscription information." },
  ...aksGroups,
  ...aksNodepoolGroups,
  { name: "deployment", summary: "Manage Azure Resource Manager template deployment at subscription scope." },
  { name: "deployment group", summary: "Manage Azure Resource Manager template deployment at resource group." },
  { name: "deployment sub", summary: "Manage Azure Resource Manager template deployment at subscription scope." },
  { name: "extension", summary: "Manage and update CLI extensions." },
  { name: "feature", summary: "Manage resource provider features." },
  { name: "group", summary: "Manage resource groups and template deployments." },
  { name: "identity", summary: "Manage Managed Identity." },
  ...networkGroups,
  ...networkResourceGroups,
  ...privateDnsGroups,
  { name: "provider", summary: "Manage resource providers." },
  ...resourceGroups,
  ...roleGroups,
];

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
