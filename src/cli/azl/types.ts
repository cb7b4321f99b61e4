// Data model for azl's command table: behaviour is described as data (commands, arguments,
// help texts, examples) and interpreted by one generic parser, one help renderer and one runner.

export type ArgKind =
  /** takes one value */
  | "string"
  /** takes one value, parsed as an integer (argparse type=int) */
  | "int"
  /** store_true flag: takes no value */
  | "flag"
  /** get_three_state_flag(): optional value true/false/yes/no/... */
  | "three_state";

export interface ArgSpec {
  /** Python-style destination name, e.g. "resource_group_name". */
  dest: string;
  /** Option strings in az's declaration order, e.g. ["--resource-group", "-g"]. */
  options: string[];
  kind?: ArgKind;
  /** argparse nargs: "+" one or more values, "*" zero or more. */
  nargs?: "+" | "*";
  /** Allowed values (az's get_enum_type: case-insensitive). */
  choices?: string[];
  required?: boolean;
  default?: unknown;
  /** Help shown as short summary (normalized like knack: capital first letter, trailing period). */
  help?: string;
  longHelp?: string;
  /** e.g. "`az aks get-versions`" (knack populator-commands / value sources). */
  valueSources?: string[];
  /** Argument group shown in help ("Global Arguments" etc.). */
  group?: string;
  preview?: boolean;
  /** Accepted for compatibility with az but not used by the emulator client (warns when given). */
  ignored?: boolean;
  /** Not shown in help. */
  hidden?: boolean;
}

export interface Example {
  name: string;
  text: string;
}

export interface CommandSpec {
  /** Full command name without "az", e.g. "aks create". */
  name: string;
  summary: string;
  longSummary?: string;
  args: ArgSpec[];
  examples?: Example[];
  preview?: boolean;
  /** Extension providing the command (help prints az's extension notice). */
  extension?: string;
  /** Ask "Are you sure you want to perform this operation?" unless --yes. */
  confirmation?: boolean;
  /** Accepts --subscription (ARM commands). Default true. */
  subscriptionArg?: boolean;
  /** JMESPath or function used for -o table when no --query is given. */
  tableTransformer?: string | ((result: unknown) => unknown);
  handler: (ctx: import("./context.js").CommandContext, args: ParsedArgs) => Promise<unknown>;
}

export interface GroupSpec {
  name: string;
  summary: string;
  longSummary?: string;
  preview?: boolean;
}

export type ParsedArgs = Record<string, unknown>;

export interface GlobalArgs {
  output: string;
  query?: string;
  debug: boolean;
  verbose: boolean;
  onlyShowErrors: boolean;
  subscription?: string;
  help: boolean;
}
