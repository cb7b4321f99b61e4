// The azl runner: parse argv against the command table, print help, run the handler, shape and
// print the result like az (--query, -o), and render errors with az's texts and exit codes.
import { AzCliError, fromSdkError, type Recommendation } from "./errors.js";
import { renderCommandHelp, renderGroupHelp, renderWelcome } from "./help.js";
import { applyQuery, render } from "./output.js";
import { commandArgs, parse, ParserError, type CommandTree } from "./parser.js";
import { addResourceGroup } from "./shape.js";
import { CommandContext, Logger, resolveEnv, type AzlIO } from "./context.js";
import { loadTree } from "./commands/lazy.js";
import { AKS_PREVIEW_VERSION } from "./commands/extension.js";
import type { CommandSpec, GlobalArgs } from "./types.js";

export const AZ_VERSION = "2.79.0";
const OVERVIEW_REFERENCE = "https://aka.ms/cli_ref";

/** Long/standard option mapping as azure-cli's get_parameter_mappings. */
function paramMappings(cmd: CommandSpec | undefined): Map<string, string> {
  const m = new Map<string, string>([
    ["-h", "--help"],
    ["-o", "--output"],
    ["--only-show-errors", "--only-show-errors"],
    ["--help", "--help"],
    ["--output", "--output"],
    ["--query", "--query"],
    ["--debug", "--debug"],
    ["--verbose", "--verbose"],
    ["--yes", "--yes"],
    ["--no-wait", "--no-wait"],
  ]);
  for (const a of cmd?.args ?? []) {
    const sorted = [...a.options].sort((x, y) => y.length - x.length);
    for (const o of sorted) m.set(o, sorted[0]!);
  }
  return m;
}

function normalizeParams(args: string[], mappings: Map<string, string>): string[] {
  return args
    .filter((a) => a.startsWith("-"))
    .map((a) => a.split("=")[0]!)
    .filter((a) => mappings.has(a))
    .map((a) => mappings.get(a)!)
    .sort();
}

/** CommandRecommender.provide_recommendations with help examples (Aladdin is unreachable offline). */
export function exampleRecommendations(cmd: CommandSpec | undefined, rawArgs: string[]): Recommendation[] {
  if (!cmd) return [];
  const mappings = paramMappings(cmd);
  const target = normalizeParams(rawArgs, mappings);
  const candidates = (cmd.examples ?? []).map((e, index) => {
    const argList = normalizeParams(e.text.split(" "), mappings);
    const matches = e.text.startsWith(`az ${cmd.name}`) ? argList.filter((a) => target.includes(a)).length : -1;
    return { e, matches, len: argList.length, index };
  });
  candidates.sort((a, b) => b.matches - a.matches || a.len - b.len || a.index - b.index);
  return candidates.slice(0, 3).map((c) => ({ command: c.e.text, description: c.e.name }));
}

export function renderError(io: AzlIO, log: Logger, e: AzCliError, withExamples: boolean): void {
  log.error(e.message, "cli.azure.cli.core.azclierror");
  for (const r of e.recommendations) io.stderr(r + "\n");
  if (withExamples) {
    io.stderr("\nExamples from AI knowledge base:\n");
    for (const r of e.exampleRecommendations) {
      io.stderr(r.command + "\n");
      io.stderr(r.description + "\n\n");
    }
    io.stderr(OVERVIEW_REFERENCE + "\n");
    io.stderr("Read more about the command in reference docs\n");
  }
}

function versionText(): string {
  const pad = (k: string, v: string) => k.padEnd(34 - v.length > k.length ? 34 - v.length : k.length + 1) + v;
  return [
    pad("azure-cli", AZ_VERSION),
    "",
    pad("core", AZ_VERSION),
    "",
    "Extensions:",
    pad("aks-preview", AKS_PREVIEW_VERSION),
    "",
    "azl: the az-syntax client bundled with aksemu (offline AKS emulator).",
    `Node.js ${process.version}`,
    "",
    "Legal docs and information: aka.ms/AzureCliLegal",
    "",
    "",
    "Your CLI is up-to-date.",
    "",
  ].join("\n");
}

export async function run(argv: string[], io: AzlIO): Promise<number> {
  const t = await loadTree(argv);
  const quiet = argv.includes("--only-show-errors");
  const debug = argv.includes("--debug");
  const verbose = argv.includes("--verbose");
  const baseLog = new Logger(io, quiet ? 1 : debug ? 4 : verbose ? 3 : 2);
  if (quiet && (debug || verbose)) {
    baseLog.error("--only-show-errors can't be used together with --debug or --verbose");
    return 1;
  }
  if (debug) baseLog.debug(`Command arguments: [${argv.map((a) => `'${a}'`).join(", ")}]`, "cli.knack.cli");
  let parsed;
  try {
    parsed = parse(t, argv);
  } catch (e) {
    if (e instanceof ParserError || e instanceof AzCliError) {
      const pe = e as ParserError;
      const cmd = pe.command ? t.commands.get(pe.command) : undefined;
      if (e instanceof ParserError) pe.exampleRecommendations = exampleRecommendations(cmd, pe.rawArgs);
      renderError(io, baseLog, pe, e instanceof ParserError);
      return e.exitCode;
    }
    throw e;
  }
  if (parsed.kind === "version") {
    io.stdout(versionText());
    return 0;
  }
  if (parsed.kind === "group-help" && argv.length === 0) {
    io.stdout(renderWelcome(t));
    return 0;
  }
  if (parsed.kind === "group-help") {
    io.stdout(renderGroupHelp(t, parsed.group));
    return 0;
  }
  if (parsed.kind === "command-help") {
    if (parsed.command.extension) baseLog.warning(`The behavior of this command has been altered by the following extension: ${parsed.command.extension}`);
    io.stdout(renderCommandHelp(parsed.command));
    return 0;
  }
  const { command, args, globals } = parsed;
  const t0 = process.hrtime.bigint();
  const ctx = new CommandContext(io, resolveEnv(io.env, io.cwd), globals);
  ctx.specified = parsed.specified;
  try {
    if (command.extension) ctx.log.warning(`The behavior of this command has been altered by the following extension: ${command.extension}`);
    for (const [k, v] of Object.entries(args)) {
      if (k.startsWith("__ignored_")) ctx.log.warning(`Argument '${String(v)}' is accepted for compatibility but has no effect in azl.`);
    }
    if (command.confirmation && !args.yes) {
      if (!(await ctx.confirm())) return 0;
    }
    let result: unknown;
    try {
      result = await command.handler(ctx, args);
    } catch (e) {
      // a cached token the emulator no longer accepts (reset, new signing key): drop it and retry once
      if ((e as { statusCode?: number }).statusCode === 401 && ctx.usedCachedToken) {
        ctx.log.debug("Cached token rejected (401); retrying with a new token.");
        ctx.clearCache();
        ctx.usedCachedToken = false;
        result = await command.handler(ctx, args);
      } else throw e;
    }
    const ran = () => ctx.log.info(`Command ran in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(3)} seconds`);
    if (result === undefined || result === null) {
      ran();
      return 0;
    }
    addResourceGroup(result);
    if (globals.query) result = applyQuery(result, globals.query);
    if (result !== undefined && result !== null) {
      io.stdout(render(result, globals.output, { color: io.color, transformer: command.tableTransformer, queryActive: !!globals.query }));
    }
    ran();
    return 0;
  } catch (e) {
    const code = String((e as { code?: unknown })?.code ?? "");
    const msg = e instanceof Error ? e.message : String(e);
    const isRest = (e as { statusCode?: unknown })?.statusCode !== undefined;
    const tlsCode = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code);
    const connection =
      !isRest && !(e instanceof AzCliError) && (/^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|ETIMEDOUT)$/.test(code) || tlsCode || /endpoints_resolution_error|ECONNREFUSED/.test(msg));
    if (connection) {
      const detail = `${msg}${code && !msg.includes(code) ? ` (${code})` : ""}`.trim();
      const tls = tlsCode || (!ctx.env.ca && !io.env.NODE_EXTRA_CA_CERTS);
      ctx.log.error(
        tls
          ? `Cannot establish a trusted TLS connection to the emulator at ${ctx.env.endpoint}: ${detail}. azl trusts the CA in ${ctx.env.dataDir}/ca.pem (set AKSEMU_DATA_DIR to the emulator's data directory).`
          : `Cannot connect to the emulator at ${ctx.env.endpoint}: ${detail}. Start it with 'aksemu start' or set AKSEMU_ENDPOINT.`,
      );
      return 1;
    }
    const azErr = fromSdkError(e, ctx.lastErrorBody, ctx.lastLroErrorBody);
    if (azErr.type === "CLIInternalError" && ctx.log.isDebug && e instanceof Error && e.stack) ctx.log.debug(e.stack);
    if (azErr.type === "CLIInternalError") {
      ctx.log.error(`The command failed with an unexpected error. Here is the traceback:\n${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
    renderError(io, ctx.log, azErr, false);
    return azErr.exitCode;
  }
}

export type { GlobalArgs, CommandSpec };
export { commandArgs };
