import { test } from "node:test";
import assert from "node:assert/strict";
import { azl } from "./helpers.js";
import { normalizeText } from "../../src/cli/azl/help.js";
import { pyWrap } from "../../src/cli/azl/pyutil.js";
import { buildTree } from "../../src/cli/azl/commands/index.js";
import { GLOBAL_ARGS, SUBSCRIPTION_ARG } from "../../src/cli/azl/parser.js";

/** help text with line wrapping undone (hyphen breaks re-joined) */
const flat = (s: string) => s.replace(/-\n +/g, "-").replace(/\s+/g, " ");

test("aks create --help shows the VNet integration flags with az's help texts", async () => {
  const r = await azl(["aks", "create", "--help"]);
  assert.equal(r.code, 0);
  const out = r.stdout;
  assert.ok(out.startsWith("\nCommand\n    az aks create : Create a new managed Kubernetes cluster.\n\nArguments\n"), out.slice(0, 200));
  assert.match(out, /\n {4}--enable-apiserver-vnet-integration : Enable integration of user vnet with control plane\n {42}apiserver pods\.\n/);
  const f = flat(out);
  assert.ok(f.includes("--apiserver-subnet-id : The ID of a subnet in an existing VNet into which to assign control plane apiserver pods(requires --enable-apiserver-vnet-integration)."));
  assert.ok(f.includes("--enable-private-cluster : Enable private cluster."));
  assert.ok(f.includes('--private-dns-zone : Private dns zone mode for private cluster. "none" mode is in preview. Allowed values are "system", "none" (Preview)'));
  assert.ok(f.includes("--disable-public-fqdn : Disable public fqdn feature for private cluster."));
  assert.ok(f.includes("--node-count -c : Number of nodes in the Kubernetes node pool."));
  assert.ok(f.includes("pool with `az aks scale`. Default: 3."));
  assert.ok(f.includes("--network-plugin : The Kubernetes network plugin to use. Allowed values: azure, kubenet, none."));
  assert.ok(f.includes("--vnet-subnet-id : The ID of a subnet in an existing VNet into which to deploy the cluster."));
  assert.ok(f.includes("--assign-identity : Specify an existing user assigned identity to manage cluster resource group."));
  assert.match(out, /\n {4}--name -n +\[Required\] : Name of the managed cluster\.\n/);
  assert.match(out, /\nGlobal Arguments\n {4}--debug +: Increase logging verbosity to show all debug logs\.\n/);
  assert.ok(f.includes("--output -o : Output format. Allowed values: json, jsonc, none, table, tsv, yaml, yamlc. Default: json."));
  assert.match(out, /\nExamples\n {4}Create a Kubernetes cluster with an existing SSH public key\.\n {8}az aks create -g MyResourceGroup -n MyManagedCluster --ssh-key-value \/path\/to\/publickey\n\n/);
  assert.ok(!out.includes("az find"), "no pointer to `az find`, which azl does not have");
  assert.ok(out.endsWith("--generate-ssh-keys\n\n") || out.endsWith("\n\n"), out.slice(-200));
  assert.match(r.stderr, /WARNING: The behavior of this command has been altered by the following extension: aks-preview/);
  for (const line of out.split("\n")) assert.ok(line.length <= 100, `line too long: ${line}`);
});

test("aks update --help shows the private cluster toggles", async () => {
  const r = await azl(["aks", "update", "-h"]);
  const f = flat(r.stdout);
  assert.ok(f.includes("--disable-private-cluster : Disable private cluster for apiserver vnet integration cluster."));
  assert.ok(f.includes("--enable-private-cluster : Enable private cluster for apiserver vnet integration cluster."));
  assert.ok(f.includes("--enable-public-fqdn : Enable public fqdn feature for private cluster."));
  assert.ok(f.includes("--enable-apiserver-vnet-integration : Enable integration of user vnet with control plane apiserver pods."));
});

test("get-credentials --help", async () => {
  const r = await azl(["aks", "get-credentials", "-h"]);
  const f = flat(r.stdout);
  assert.ok(f.includes("--public-fqdn : Get private cluster credential with server address to be public fqdn."));
  assert.ok(f.includes('--file -f : Kubernetes configuration file to update. Use "-" to print YAML to stdout instead.'));
});

test("group help lists subgroups and commands", async () => {
  const r = await azl(["aks"]);
  assert.equal(r.code, 0);
  assert.ok(r.stdout.startsWith("\nGroup\n    az aks : Manage Azure Kubernetes Services.\n\nSubgroups:\n    command"), r.stdout);
  assert.match(r.stdout, /\nCommands:\n {4}create +: Create a new managed Kubernetes cluster\.\n/);
  const root = await azl(["--help"]);
  assert.match(root.stdout, /\nSubgroups:\n {4}account +: Manage Azure subscription information\.\n/);
  const net = await azl(["network", "vnet", "subnet", "-h"]);
  assert.match(net.stdout, /\n {4}create : Create a subnet and associate an existing NSG and route table\.\n/);
});

test("--version", async () => {
  const r = await azl(["--version"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^azure-cli +2\.\d+\.\d+/);
  assert.match(r.stdout, /\naks-preview +19\.0\.0b1\n/);
});

test("knack text normalization", () => {
  assert.equal(normalizeText("output format"), "Output format.");
  assert.equal(normalizeText("Done!"), "Done!");
  assert.equal(normalizeText(""), "");
});

test("python textwrap port breaks on hyphens and hangs indents", () => {
  const lines = pyWrap("aaa bbb --enable-apiserver-vnet-integration ccc", { width: 25, initialIndent: "  ", subsequentIndent: "    " });
  assert.deepEqual(lines, ["  aaa bbb --enable-", "    apiserver-vnet-", "    integration ccc"]);
  assert.deepEqual(pyWrap("", { width: 10 }), []);
});

test("every `az ...` that help texts and examples mention is a command or group azl has", () => {
  const t = buildTree();
  const texts: Array<[string, string]> = [];
  for (const c of t.commands.values()) {
    texts.push([c.name, c.summary], [c.name, c.longSummary ?? ""]);
    for (const a of [...c.args, ...GLOBAL_ARGS, SUBSCRIPTION_ARG]) texts.push([c.name, a.help ?? ""], [c.name, a.longHelp ?? ""], ...(a.valueSources ?? []).map((v): [string, string] => [c.name, v]));
    for (const e of c.examples ?? []) texts.push([c.name, e.text], [c.name, e.name]);
  }
  for (const g of t.groups.values()) texts.push([g.name, g.summary], [g.name, g.longSummary ?? ""]);
  const missing = new Set<string>();
  for (const [where, s] of texts) {
    for (const m of s.matchAll(/(?:^|[`'"\s(])az ((?:[a-z][a-z0-9-]*)(?: [a-z][a-z0-9-]*)*)/g)) {
      const words = m[1]!.split(" ");
      let known = false;
      for (let n = words.length; n > 0 && !known; n--) known = t.commands.has(words.slice(0, n).join(" ")) || (n === words.length && t.groups.has(words.join(" ")));
      // prose like "scripts written for az keep working" is not a command
      if (!known && !/^az (keep|does|prints|the|is)\b/.test(`az ${m[1]}`)) missing.add(`${where}: az ${m[1]}`);
    }
  }
  assert.deepEqual([...missing], []);
});
