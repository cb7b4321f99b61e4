import { test } from "node:test";
import assert from "node:assert/strict";
import { parse, ParserError } from "../../src/cli/azl/parser.js";
import { buildTree as tree } from "../../src/cli/azl/commands/index.js";
import { azl } from "./helpers.js";

function cmd(argv: string[]) {
  const r = parse(tree(), argv);
  assert.equal(r.kind, "command");
  if (r.kind !== "command") throw new Error("unreachable");
  return r;
}

function parseErr(argv: string[]): ParserError {
  try {
    parse(tree(), argv);
  } catch (e) {
    assert.ok(e instanceof ParserError, String(e));
    return e;
  }
  throw new Error("expected a parser error");
}

test("long, short, --flag=value and attached short values", () => {
  const r = cmd(["group", "create", "--name=rg1", "-lwestus2", "--tags", "a=b", "c"]);
  assert.equal(r.command.name, "group create");
  assert.equal(r.args.resource_group_name, "rg1");
  assert.equal(r.args.location, "westus2");
  assert.deepEqual(r.args.tags, ["a=b", "c"]);
  assert.equal(r.globals.output, "json");
});

test("aliases of one option share a destination; last one wins", () => {
  const r = cmd(["group", "show", "-g", "a", "--name", "b"]);
  assert.equal(r.args.resource_group_name, "b");
});

test("multi-value options stop at the next option", () => {
  const r = cmd(["network", "vnet", "create", "-g", "rg", "-n", "v", "--address-prefixes", "10.0.0.0/16", "10.1.0.0/16", "--subnet-name", "s"]);
  assert.deepEqual(r.args.address_prefixes, ["10.0.0.0/16", "10.1.0.0/16"]);
  assert.equal(r.args.subnet_name, "s");
});

test("defaults: node count 3, nodepool1, flags false", () => {
  const r = cmd(["aks", "create", "-g", "rg", "-n", "c"]);
  assert.equal(r.args.node_count, 3);
  assert.equal(r.args.nodepool_name, "nodepool1");
  assert.equal(r.args.enable_apiserver_vnet_integration, false);
  assert.equal(r.args.enable_private_cluster, false);
});

test("store_true flags and int conversion", () => {
  const r = cmd(["aks", "create", "-g", "rg", "-n", "c", "--enable-apiserver-vnet-integration", "--node-count", "5", "--enable-private-cluster"]);
  assert.equal(r.args.enable_apiserver_vnet_integration, true);
  assert.equal(r.args.enable_private_cluster, true);
  assert.equal(r.args.node_count, 5);
});

test("enum values are case-insensitive and normalized (get_enum_type)", () => {
  const r = cmd(["aks", "create", "-g", "rg", "-n", "c", "--network-plugin", "Azure", "-o", "TABLE"]);
  assert.equal(r.args.network_plugin, "azure");
  assert.equal(r.globals.output, "table");
});

test("unique prefixes are accepted like argparse abbreviations", () => {
  const r = cmd(["aks", "create", "-g", "rg", "-n", "c", "--enable-apiserver"]);
  assert.equal(r.args.enable_apiserver_vnet_integration, true);
});

test("ambiguous prefix", () => {
  const e = parseErr(["aks", "create", "-g", "rg", "-n", "c", "--enable-a"]);
  assert.match(e.message, /^ambiguous option: --enable-a could match --enable-apiserver-vnet-integration, --enable-aad/);
  assert.equal(e.exitCode, 2);
});

test("required arguments, in declaration order", () => {
  const e = parseErr(["aks", "create"]);
  assert.equal(e.message, "the following arguments are required: --resource-group/-g, --name/-n");
  assert.equal(e.type, "RequiredArgumentMissingError");
  assert.equal(e.exitCode, 2);
  assert.equal(parseErr(["group", "create", "-n", "x"]).message, "the following arguments are required: --location/-l");
});

test("expected one argument", () => {
  const e = parseErr(["group", "show", "-n"]);
  assert.equal(e.message, "argument --name/--resource-group/-n/-g: expected one argument");
});

test("invalid int", () => {
  const e = parseErr(["aks", "create", "-g", "r", "-n", "c", "--node-count", "three"]);
  assert.equal(e.message, "argument --node-count/-c: invalid int value: 'three'");
  assert.equal(e.type, "InvalidArgumentValueError");
});

test("invalid choice (az's _check_value wording) with a close-match hint", () => {
  const e = parseErr(["group", "list", "-o", "jsn"]);
  assert.equal(e.message, "az group list: 'jsn' is not a valid value for '--output'.");
  assert.deepEqual(e.recommendations, ["Did you mean 'json' ?"]);
  assert.deepEqual(parseErr(["group", "list", "-o", "xml"]).recommendations, []);
});

test("--enable-api-server-vnet-integration is unrecognized and the right flag is suggested", () => {
  const e = parseErr(["aks", "create", "-n", "c", "-g", "rg", "-l", "westus2", "--network-plugin", "azure", "--enable-api-server-vnet-integration"]);
  assert.equal(e.type, "UnrecognizedArgumentError");
  assert.equal(e.message, "unrecognized arguments: --enable-api-server-vnet-integration");
  assert.deepEqual(e.recommendations, ["The most similar choice to '--enable-api-server-vnet-integration' is:\n\t--enable-apiserver-vnet-integration"]);
});

test("unknown option values are reported with the option", () => {
  const e = parseErr(["group", "list", "--foo", "bar"]);
  assert.equal(e.message, "unrecognized arguments: --foo bar");
});

test("required arguments are reported before unrecognized ones (argparse order)", () => {
  const e = parseErr(["aks", "create", "--bogus"]);
  assert.match(e.message, /^the following arguments are required/);
});

test("misspelled command with suggestion", () => {
  const e = parseErr(["aks", "creat"]);
  assert.equal(e.type, "CommandNotFoundError");
  assert.equal(e.message, "'creat' is misspelled or not recognized by the system.");
  assert.deepEqual(e.recommendations, ["Did you mean 'create' ?"]);
  assert.equal(e.command, "aks create");
});

test("help at every level", () => {
  assert.deepEqual(parse(tree(), []), { kind: "group-help", group: "" });
  assert.deepEqual(parse(tree(), ["network", "vnet", "-h"]), { kind: "group-help", group: "network vnet" });
  const r = parse(tree(), ["aks", "create", "--bogus", "--help"]);
  assert.equal(r.kind, "command-help");
  assert.deepEqual(parse(tree(), ["--version"]), { kind: "version" });
});

test("invalid --query is rejected at parse time", () => {
  assert.throws(() => parse(tree(), ["group", "list", "--query", "[?"]), /invalid jmespath_type value/);
});

test("run(): unrecognized argument output and exit code 2 (knack format without a tty)", async () => {
  const r = await azl(["aks", "create", "-n", "c", "-g", "rg", "--enable-api-server-vnet-integration"]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  const lines = r.stderr.split("\n");
  assert.equal(lines[0], "ERROR: unrecognized arguments: --enable-api-server-vnet-integration");
  assert.equal(lines[1], "The most similar choice to '--enable-api-server-vnet-integration' is:");
  assert.equal(lines[2], "\t--enable-apiserver-vnet-integration");
  assert.match(r.stderr, /\nExamples from AI knowledge base:\naz aks create -g MyResourceGroup -n MyManagedCluster/);
  assert.match(r.stderr, /\nhttps:\/\/aka\.ms\/cli_ref\nRead more about the command in reference docs\n$/);
});

test("run(): missing required arguments", async () => {
  const r = await azl(["group", "show"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^ERROR: the following arguments are required: --name\/--resource-group\/-n\/-g\n/);
});

test("run(): misspelled group", async () => {
  const r = await azl(["grop", "list"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^ERROR: 'grop' is misspelled or not recognized by the system.\nDid you mean 'group' \?\n/);
});

test("run(): --only-show-errors with --debug is refused", async () => {
  const r = await azl(["group", "list", "--only-show-errors", "--debug"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--only-show-errors can't be used together with --debug or --verbose/);
});
