// Help pages laid out exactly as knack's CLIHelp (knack/help.py) with azure-cli's additions
// (azure/cli/core/_help.py): "Command"/"Group" header, arguments sorted by group priority,
// required-first then name, "[Required]" tags, "Allowed values"/"Default" suffixes, 100-column
// textwrap with hanging indents and examples (without az's closing `az find` hint: azl has no `find`).
import { childrenOf, commandArgs, type CommandTree } from "./parser.js";
import { pyFill } from "./pyutil.js";
import type { ArgSpec, CommandSpec } from "./types.js";

const WIDTH = 100;
const FIRST_LINE_PREFIX = " : ";
const REQUIRED_TAG = "[Required]";

export function normalizeText(s: string | undefined): string {
  // knack HelpObject._normalize_text
  if (!s || s.length < 2) return s ?? "";
  s = s.trim();
  const initialUpper = s[0]!.toUpperCase() + s.slice(1);
  const trailing = ".!?".includes(s[s.length - 1]!) ? "" : ".";
  return initialUpper + trailing;
}

class Printer {
  lines: string[] = [];
  indent(s: string, indent = 0, subsequentSpaces = -1): void {
    const initial = "    ".repeat(indent);
    const subsequent = subsequentSpaces === -1 ? initial : " ".repeat(subsequentSpaces);
    for (const p of s.split("\n")) {
      this.lines.push(pyFill(p, { width: WIDTH, initialIndent: initial, subsequentIndent: subsequent }));
    }
  }
  raw(s: string): void {
    this.lines.push(s);
  }
  toString(): string {
    return this.lines.join("\n") + "\n";
  }
}

const hangingIndent = (maxLen: number, indent: number) => maxLen + indent * 4 + FIRST_LINE_PREFIX.length - 1;
const lineLen = (name: string, tagsLen: number) => name.length + tagsLen + (tagsLen ? 2 : 1);
const paddingLen = (maxLen: number, lineLength: number, hasTags: boolean) => (hasTags ? maxLen - lineLength + 1 : maxLen - lineLength);

function tagsOf(item: { preview?: boolean; required?: boolean }): [string, number] {
  const preview = item.preview ? "[Preview]" : "";
  const required = item.required ? REQUIRED_TAG : "";
  const tags = [preview, required].filter(Boolean).join(" ");
  const len = preview.length + required.length + (tags.match(/ /g)?.length ?? 0);
  return len ? [tags, len] : ["", 0];
}

function groupPriority(group: string | undefined, all: string[]): string {
  const priorities = new Map<string | undefined, number>([
    [undefined, 0],
    ["Resource Id Arguments", 1],
    ["Generic Update Arguments", 998],
    ["Global Arguments", 1000],
  ]);
  let p = 2;
  for (const g of [...new Set(all)].sort()) if (!priorities.has(g)) priorities.set(g, p++);
  return String(priorities.get(group) ?? 0).padStart(6, "0");
}

function choicesDefaultsSources(a: ArgSpec): string {
  const choice = a.choices ? `  Allowed values: ${[...a.choices].sort().join(", ")}.` : "";
  const def = a.default !== undefined && a.default !== null && a.default !== false && a.default !== "" ? `  Default: ${String(a.default)}.` : "";
  const sources = a.valueSources?.length ? `  Values from: ${a.valueSources.join(", ")}.` : "";
  return choice + def + sources;
}

function header(pr: Printer, type: "Command" | "Group", name: string, summary: string, longSummary: string): void {
  pr.indent("");
  pr.indent(type, 0);
  const line = `az${name ? " " + name : ""}${summary ? FIRST_LINE_PREFIX + summary : ""}`;
  pr.indent(line, 1);
  pr.indent(longSummary, 2);
  if (longSummary) pr.indent("");
}

export function renderCommandHelp(cmd: CommandSpec): string {
  const pr = new Printer();
  const longSummary = [normalizeText(cmd.longSummary), cmd.preview ? "This command is in preview and under development. Reference and support levels: https://aka.ms/CLI_refstatus" : ""]
    .filter(Boolean)
    .join("\n");
  header(pr, "Command", cmd.name, normalizeText(cmd.summary), longSummary);
  pr.indent("Arguments");
  const params = commandArgs(cmd).filter((a) => !a.hidden);
  const groups = params.map((p) => p.group).filter((g): g is string => !!g);
  const name = (a: ArgSpec) => [...a.options].sort().join(" ");
  const key = (a: ArgSpec) => `${groupPriority(a.group, groups)}${a.required ? "False" : "True"}${name(a)}`;
  const sorted = [...params].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
  let maxLen = 0;
  const layouts = sorted.map((a) => {
    const [tags, tagsLen] = tagsOf({ preview: a.preview, required: a.required });
    let short = a.help ? normalizeText(a.help) : "";
    const pv = short.indexOf(" Possible values include");
    if (pv >= 0) short = short.slice(0, pv);
    short = (short + choicesDefaultsSources(a)).trim();
    const long = [a.longHelp ? normalizeText(a.longHelp) : "", a.preview ? "Argument '" + (a.options[0] ?? "") + "' is in preview and under development. Reference and support levels: https://aka.ms/CLI_refstatus" : ""]
      .filter(Boolean)
      .join(" ");
    const ll = lineLen(name(a), tagsLen);
    if (ll > maxLen) maxLen = ll;
    return { name: name(a), tags, short, long, group: a.group, ll };
  });
  let last: string | undefined = "";
  for (const l of layouts) {
    if (l.group !== last) {
      if (l.group) {
        pr.raw("");
        pr.raw(l.group);
      }
      last = l.group;
    }
    const padding = " ".repeat(Math.max(0, paddingLen(maxLen, l.ll, !!l.tags)));
    pr.indent(`${l.name}${padding}${l.tags}${l.short ? FIRST_LINE_PREFIX : ""}${l.short}`, 1, hangingIndent(maxLen, 1));
    if (l.long) pr.indent(l.long, 2);
  }
  pr.indent("");
  if (cmd.examples?.length) {
    pr.indent("Examples", 0);
    for (const e of cmd.examples) {
      pr.indent(e.name, 1);
      pr.indent(e.text, 2);
      pr.raw("");
    }
  }
  // az ends with an `az find` hint; azl has no `find` (its AI knowledge base is online), so no hint
  return pr.toString();
}

export function renderGroupHelp(tree: CommandTree, group: string): string {
  const pr = new Printer();
  const spec = tree.groups.get(group);
  header(pr, "Group", group, normalizeText(spec?.summary), normalizeText(spec?.longSummary));
  const { groups, commands } = childrenOf(tree, group);
  const full = (n: string) => (group ? `${group} ${n}` : n);
  let maxLen = 0;
  const layout = (names: string[], isCmd: boolean) =>
    names.map((n) => {
      const s = isCmd ? tree.commands.get(full(n)) : tree.groups.get(full(n));
      const [tags, tagsLen] = tagsOf({ preview: s?.preview });
      const ll = lineLen(n, tagsLen);
      if (ll > maxLen) maxLen = ll;
      return { name: n, tags, summary: normalizeText(s?.summary).replace(/\n/g, " "), ll };
    });
  const gl = layout(groups, false);
  const cl = layout(commands, true);
  const print = (items: typeof gl) => {
    for (const l of items) {
      const padding = " ".repeat(Math.max(0, paddingLen(maxLen, l.ll, !!l.tags)));
      pr.indent(`${l.name}${padding}${l.tags}${l.summary ? FIRST_LINE_PREFIX : ""}${l.summary}`, 1, hangingIndent(maxLen, 1));
    }
    pr.indent("");
  };
  if (gl.length) {
    pr.indent("Subgroups:");
    print(gl);
  }
  if (cl.length) {
    pr.indent("Commands:");
    print(cl);
  }
  return pr.toString();
}

// azure/cli/core/_help.py WELCOME_MESSAGE, shown by a bare `az`
const WELCOME_MESSAGE = [
  "",
  "     /\\",
  "    /  \\    _____   _ _  ___ _",
  "   / /\\ \\  |_  / | | | \\'__/ _\\",
  "  / ____ \\  / /| |_| | | |  __/",
  " /_/    \\_\\/___|\\__,_|_|  \\___|",
  "",
  "",
  "Welcome to the cool new Azure CLI!",
  "",
  "Use `az --version` to display the current version.",
  "Here are the base commands:",
  "",
].join("\n");

export function renderWelcome(tree: CommandTree): string {
  const pr = new Printer();
  pr.indent(WELCOME_MESSAGE);
  const { groups, commands } = childrenOf(tree, "");
  const names = [...groups, ...commands].sort();
  const maxLength = Math.max(0, ...names.map((n) => n.length));
  for (const n of names) {
    const summary = normalizeText((tree.groups.get(n) ?? tree.commands.get(n))?.summary);
    pr.indent(`${n}${" ".repeat(maxLength - n.length)}${summary ? FIRST_LINE_PREFIX + summary : ""}`, 1, hangingIndent(maxLength, 1));
  }
  return pr.toString();
}
