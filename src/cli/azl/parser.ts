// One generic, argparse-compatible parser for every azl command (az = knack = argparse):
// `--flag value`, `--flag=value`, short aliases (`-g rg`, `-grg`), unique-prefix abbreviations,
// multi-value options (`--address-prefixes a b`), store_true flags, enum choices (case-insensitive,
// normalized like az's get_enum_type), int values, '@file' expansion, and argparse's error texts.
import { readFileSync } from "node:fs";
import { AzCliError } from "./errors.js";
import { getCloseMatches } from "./pyutil.js";
import { OUTPUT_FORMATS, validateQuery } from "./output.js";
import type { ArgSpec, CommandSpec, GlobalArgs, GroupSpec, ParsedArgs } from "./types.js";

export const GLOBAL_ARGS: ArgSpec[] = [
  {
    dest: "_output_format",
    options: ["--output", "-o"],
    choices: OUTPUT_FORMATS,
    default: "json",
    help: "Output format",
    group: "Global Arguments",
  },
  {
    dest: "_jmespath_query",
    options: ["--query"],
    help: "JMESPath query string. See http://jmespath.org/ for more information and examples.",
    group: "Global Arguments",
  },
  {
    dest: "_log_verbosity_verbose",
    options: ["--verbose"],
    kind: "flag",
    help: "Increase logging verbosity. Use --debug for full debug logs.",
    group: "Global Arguments",
  },
  {
    dest: "_log_verbosity_debug",
    options: ["--debug"],
    kind: "flag",
    help: "Increase logging verbosity to show all debug logs.",
    group: "Global Arguments",
  },
  {
    dest: "_log_verbosity_only_show_errors",
    options: ["--only-show-errors"],
    kind: "flag",
    help: "Only show errors, suppressing warnings.",
    group: "Global Arguments",
  },
  { dest: "_help", options: ["--help", "-h"], kind: "flag", help: "Show this help message and exit.", group: "Global Arguments" },
];

export const SUBSCRIPTION_ARG: ArgSpec = {
  dest: "_subscription",
  options: ["--subscription"],
  help: "Name or ID of subscription. Without it azl uses AKSEMU_SUBSCRIPTION_ID, else the first subscription the emulator lists.",
  group: "Global Arguments",
};

export interface CommandTree {
  groups: Map<string, GroupSpec>;
  commands: Map<string, CommandSpec>;
}

export type ParseResult =
  | { kind: "version" }
  | { kind: "group-help"; group: string }
  | { kind: "command-help"; command: CommandSpec }
  | { kind: "command"; command: CommandSpec; args: ParsedArgs; globals: GlobalArgs; specified: string[] };

/** Children (sub-group and command names) directly under a group path ("" = root). */
export function childrenOf(tree: CommandTree, group: string): { groups: string[]; commands: string[] } {
  const prefix = group ? group + " " : "";
  const groups = new Set<string>();
  const commands = new Set<string>();
  const consider = (full: string, isCmd: boolean) => {
    if (!full.startsWith(prefix)) return;
    const rest = full.slice(prefix.length).split(" ");
    if (rest.length === 1 && isCmd) commands.add(rest[0]!);
    else if (rest.length >= 1 && rest[0]) groups.add(rest[0]);
  };
  for (const c of tree.commands.keys()) consider(c, true);
  for (const g of tree.groups.keys()) if (g !== group) consider(g, false);
  for (const c of commands) groups.delete(c);
  return { groups: [...groups].sort(), commands: [...commands].sort() };
}

function argName(a: ArgSpec): string {
  return a.options.join("/");
}

function isNegativeNumber(s: string): boolean {
  return /^-\d+$|^-\d*\.\d+$/.test(s);
}

export class ParserError extends AzCliError {
  /** Command the error belongs to (for example recommendations). */
  command?: string;
  /** Raw args (for recommendation sorting). */
  rawArgs: string[] = [];
}

function parserError(type: ConstructorParameters<typeof AzCliError>[0], msg: string, command?: string, raw: string[] = []): ParserError {
  const e = new ParserError(type, msg, 2);
  e.command = command;
  e.rawArgs = raw;
  return e;
}

function classify(message: string): ConstructorParameters<typeof AzCliError>[0] {
  // azure/cli/core/parser.py AzCliCommandParser.error
  if (message.includes("unrecognized arguments")) return "UnrecognizedArgumentError";
  if (message.includes("arguments are required")) return "RequiredArgumentMissingError";
  if (message.includes("invalid")) return "InvalidArgumentValueError";
  return "ArgumentUsageError";
}

export function expandPrefixedFiles(argv: string[]): string[] {
  return argv.map((a) => {
    if (!a.startsWith("@")) return a;
    try {
      return readFileSync(a.slice(1), "utf8");
    } catch {
      return a;
    }
  });
}

export function parse(tree: CommandTree, rawArgv: string[]): ParseResult {
  const argv = expandPrefixedFiles(rawArgv);
  if (argv.length && (argv[0] === "--version" || argv[0] === "-v")) return { kind: "version" };
  // walk the group tree
  let path = "";
  let i = 0;
  while (i < argv.length) {
    const tok = argv[i]!;
    const next = path ? `${path} ${tok}` : tok;
    if (tree.commands.has(next)) {
      return parseCommand(tree.commands.get(next)!, argv.slice(i + 1));
    }
    const { groups, commands } = childrenOf(tree, path);
    if (groups.includes(tok)) {
      path = next;
      i++;
      continue;
    }
    if (tok.startsWith("-")) break; // options at group level: show the group's help (az does the same)
    // misspelled command: azure/cli/core/parser.py _check_value
    const choices = [...groups, ...commands];
    const e = parserError("CommandNotFoundError", `'${tok}' is misspelled or not recognized by the system.`);
    const candidates = getCloseMatches(tok, choices, 3, 0.7);
    if (candidates.length) {
      e.recommend(`Did you mean '${candidates[0]}' ?`);
      const inferred = [...argv.slice(0, i), candidates[0]!].join(" ");
      e.command = tree.commands.has(inferred) ? inferred : undefined;
      e.rawArgs = argv.slice(i + 1);
    }
    throw e;
  }
  return { kind: "group-help", group: path };
}

interface Action {
  spec: ArgSpec;
}

export function commandArgs(cmd: CommandSpec): ArgSpec[] {
  const list = [...cmd.args, ...GLOBAL_ARGS];
  if (cmd.subscriptionArg !== false) list.splice(list.length - 1, 0, SUBSCRIPTION_ARG);
  return list;
}

export function parseCommand(cmd: CommandSpec, argv: string[]): ParseResult {
  const specs = commandArgs(cmd);
  const byOption = new Map<string, Action>();
  for (const s of specs) for (const o of s.options) byOption.set(o, { spec: s });
  const longOptions = [...byOption.keys()].filter((o) => o.startsWith("--"));
  const fail = (msg: string) => parserError(classify(msg), msg, cmd.name, argv);

  // argparse _parse_optional: returns [action, optionString, explicitArg] or null for positional
  const parseOptional = (s: string): [Action | undefined, string, string | undefined] | null => {
    if (!s || s[0] !== "-") return null;
    if (byOption.has(s)) return [byOption.get(s), s, undefined];
    if (s.length === 1) return null;
    if (s.includes("=")) {
      const [opt, ...rest] = s.split("=");
      if (byOption.has(opt!)) return [byOption.get(opt!), opt!, rest.join("=")];
    }
    // abbreviations (argparse allow_abbrev=True)
    if (s.startsWith("--")) {
      const [optPrefix, ...rest] = s.split("=");
      const explicit = s.includes("=") ? rest.join("=") : undefined;
      const matches = longOptions.filter((o) => o.startsWith(optPrefix!));
      if (matches.length > 1) {
        throw fail(`ambiguous option: ${optPrefix} could match ${matches.join(", ")}`);
      }
      if (matches.length === 1) return [byOption.get(matches[0]!), matches[0]!, explicit];
    } else if (s.length > 2) {
      // short option with attached value: -gNAME
      const short = s.slice(0, 2);
      if (byOption.has(short)) return [byOption.get(short), short, s.slice(2).replace(/^=/, "")];
    }
    if (isNegativeNumber(s)) return null;
    if (s.includes(" ")) return null;
    return [undefined, s, undefined];
  };

  const values = new Map<string, unknown>();
  const specified: string[] = [];
  const extras: string[] = [];
  let wantsHelp = false;
  let k = 0;
  while (k < argv.length) {
    const tok = argv[k]!;
    const opt = tok === "--" ? null : parseOptional(tok);
    if (!opt) {
      extras.push(tok);
      k++;
      continue;
    }
    const [action, optionString, explicit] = opt;
    k++;
    if (!action) {
      extras.push(tok);
      continue;
    }
    const spec = action.spec;
    if (spec.dest === "_help") {
      wantsHelp = true;
      continue;
    }
    const kind = spec.kind ?? "string";
    if (kind === "flag") {
      if (explicit !== undefined) throw fail(`argument ${argName(spec)}: ignored explicit argument '${explicit}'`);
      values.set(spec.dest, true);
      specified.push(spec.dest);
      continue;
    }
    // collect following 'A' strings
    const taken: string[] = [];
    if (explicit !== undefined) taken.push(explicit);
    const isA = (s: string) => parseOptional(s) === null || s === "--";
    if (explicit === undefined) {
      if (spec.nargs === "+" || spec.nargs === "*") {
        while (k < argv.length && isA(argv[k]!) && argv[k] !== "--") taken.push(argv[k++]!);
      } else if (kind === "three_state") {
        if (k < argv.length && isA(argv[k]!)) taken.push(argv[k++]!);
      } else if (k < argv.length && isA(argv[k]!) && argv[k] !== "--") {
        taken.push(argv[k++]!);
      }
    }
    if (spec.nargs === "+" && taken.length === 0) throw fail(`argument ${argName(spec)}: expected at least one argument`);
    if (!spec.nargs && kind !== "three_state" && taken.length === 0) throw fail(`argument ${argName(spec)}: expected one argument`);
    const conv = taken.map((v) => convertValue(cmd, spec, v, argv));
    let value: unknown = spec.nargs ? conv : conv[0];
    if (kind === "three_state") value = conv.length ? /^(true|yes|y|1|on|enable)$/i.test(String(conv[0])) : true;
    values.set(spec.dest, value);
    specified.push(spec.dest);
  }
  if (wantsHelp) return { kind: "command-help", command: cmd };
  // required arguments (argparse reports them before unrecognized ones)
  const missing = specs.filter((s) => s.required && !values.has(s.dest));
  if (missing.length) {
    throw fail(`the following arguments are required: ${missing.map(argName).join(", ")}`);
  }
  if (extras.length) {
    const e = fail(`unrecognized arguments: ${extras.join(" ")}`);
    // Suggest the closest real option, in knack's "most similar choice" wording (az itself only
    // shows help examples here; the suggestion is azl's addition, see docs).
    for (const x of extras) {
      if (!x.startsWith("--")) continue;
      const name = x.split("=")[0]!;
      const candidates = getCloseMatches(name, longOptions, 3, 0.7);
      if (candidates.length === 1) e.recommend(`The most similar choice to '${name}' is:\n\t${candidates[0]}`);
      else if (candidates.length > 1) {
        e.recommend(`The most similar choices to '${name}':\n${candidates.map((c) => "\t" + c).join("\n")}`);
      }
    }
    throw e;
  }
  const args: ParsedArgs = {};
  for (const s of cmd.args) args[s.dest] = values.has(s.dest) ? values.get(s.dest) : s.default ?? defaultFor(s);
  const out = String(values.get("_output_format") ?? process.env.AZURE_CORE_OUTPUT ?? "json").toLowerCase();
  const query = values.get("_jmespath_query") as string | undefined;
  if (query !== undefined) validateQuery(query);
  const globals: GlobalArgs = {
    output: out,
    query,
    debug: values.get("_log_verbosity_debug") === true,
    verbose: values.get("_log_verbosity_verbose") === true,
    onlyShowErrors: values.get("_log_verbosity_only_show_errors") === true,
    subscription: values.get("_subscription") as string | undefined,
    help: false,
  };
  for (const s of cmd.args) if (s.ignored && values.has(s.dest)) args[`__ignored_${s.dest}`] = s.options[0];
  return { kind: "command", command: cmd, args, globals, specified };
}

function defaultFor(s: ArgSpec): unknown {
  if ((s.kind ?? "string") === "flag") return false;
  return null;
}

function convertValue(cmd: CommandSpec, spec: ArgSpec, v: string, raw: string[]): unknown {
  const kind = spec.kind ?? "string";
  if (kind === "int") {
    if (!/^[-+]?\d+$/.test(v.trim())) {
      throw parserError("InvalidArgumentValueError", `argument ${argName(spec)}: invalid int value: '${v}'`, cmd.name, raw);
    }
    return parseInt(v, 10);
  }
  if (spec.choices) {
    const lower = spec.dest === "_output_format" ? v.toLowerCase() : v;
    const hit = spec.choices.find((c) => c.toLowerCase() === lower.toLowerCase());
    if (!hit) {
      // azure/cli/core/parser.py _check_value, argument branch
      const e = parserError(
        "InvalidArgumentValueError",
        `az ${cmd.name}: '${v}' is not a valid value for '${spec.options[0]}'.`,
        cmd.name,
        raw,
      );
      const candidates = getCloseMatches(v, spec.choices, 3, 0.7);
      if (candidates.length) e.recommend(`Did you mean '${candidates[0]}' ?`);
      throw e;
    }
    return spec.dest === "_output_format" ? hit : hit;
  }
  return v;
}
