// Output formats as knack's output.py produces them: json (sorted keys, 2-space indent),
// jsonc, yaml, yamlc, table (tabulate "simple"), tsv and none; plus --query (JMESPath).
import { createRequire } from "node:module";
import { AzCliError } from "./errors.js";

// loaded on first use: most invocations need neither (start-up time matters for a CLI)
const requireLazy = createRequire(import.meta.url);
const jmespath = {
  search: (data: unknown, expr: string): unknown => (requireLazy("jmespath") as typeof import("jmespath")).search(data as never, expr),
  compile: (expr: string): unknown => (requireLazy("jmespath") as { compile: (e: string) => unknown }).compile(expr),
};
const yamlStringify = (v: unknown, o: Record<string, unknown>): string => (requireLazy("yaml") as typeof import("yaml")).stringify(v, o);

export const OUTPUT_FORMATS = ["json", "jsonc", "none", "table", "tsv", "yaml", "yamlc"];
export const QUERY_REFERENCE =
  "To learn more about --query, please visit: 'https://docs.microsoft.com/cli/azure/query-azure-cli'";

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) out[k] = sortDeep((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

export function formatJson(result: unknown): string {
  return JSON.stringify(sortDeep(result), null, 2) + "\n";
}

const C = { key: "\x1b[94m", str: "\x1b[33m", num: "\x1b[34m", kw: "\x1b[36m", reset: "\x1b[39m" };

export function formatJsonColor(result: unknown): string {
  const plain = formatJson(result);
  return plain.replace(
    /("(?:[^"\\]|\\.)*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g,
    (m, s: string | undefined, colon: string | undefined, kw: string | undefined, num: string | undefined) => {
      if (s !== undefined) return colon ? `${C.key}${s}${C.reset}${colon}` : `${C.str}${s}${C.reset}`;
      if (kw !== undefined) return `${C.kw}${kw}${C.reset}`;
      if (num !== undefined) return `${C.num}${num}${C.reset}`;
      return m;
    },
  );
}

export function formatYaml(result: unknown): string {
  // yaml.safe_dump(default_flow_style=False): sorted keys, sequences not indented under keys.
  if (result === null || result === undefined) return "null\n...\n";
  return yamlStringify(result, { sortMapEntries: true, indentSeq: false, lineWidth: 80, minContentWidth: 0 });
}

function pyStr(v: unknown): string {
  if (v === true) return "True";
  if (v === false) return "False";
  if (v === null || v === undefined) return "None";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function capitalizeFirst(k: string): string {
  return k ? k[0]!.toUpperCase() + k.slice(1) : k;
}

const SKIP_KEYS = new Set(["id", "type", "etag"]);

function autoTableItem(item: unknown, sortKeys: boolean): Map<string, unknown> {
  const entry = new Map<string, unknown>();
  if (item && typeof item === "object" && !Array.isArray(item)) {
    const obj = item as Record<string, unknown>;
    const keys = sortKeys ? Object.keys(obj).sort() : Object.keys(obj);
    for (const k of keys) {
      if (SKIP_KEYS.has(k)) continue;
      const v = obj[k];
      if (v !== null && v !== undefined && typeof v !== "object") entry.set(capitalizeFirst(k), v);
    }
  } else if (Array.isArray(item)) {
    item.forEach((v, i) => entry.set(`Column${i + 1}`, v));
  } else {
    entry.set("Result", item);
  }
  return entry;
}

/** tabulate(rows, headers="keys", tablefmt="simple", disable_numparse=True) */
export function tabulateSimple(rows: Array<Map<string, unknown>>): string {
  const headers: string[] = [];
  for (const r of rows) for (const k of r.keys()) if (!headers.includes(k)) headers.push(k);
  if (!headers.length) return "";
  const cells = rows.map((r) => headers.map((h) => (r.has(h) ? pyStr(r.get(h)) : "")));
  // tabulate pads headers by MIN_PADDING (2) when computing column widths
  const widths = headers.map((h, i) => Math.max(h.length + 2, ...cells.map((c) => c[i]!.length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join("  ").replace(/\s+$/, "");
  const out = [line(headers), widths.map((w) => "-".repeat(w)).join("  ").replace(/\s+$/, ""), ...cells.map(line)];
  return out.join("\n");
}

export function formatTable(result: unknown, transformer: string | ((r: unknown) => unknown) | undefined, queryActive: boolean): string {
  try {
    let r = result;
    if (transformer && !queryActive) {
      r = typeof transformer === "string" ? jmespath.search(r, transformer) : transformer(r);
    }
    const list = Array.isArray(r) ? r : [r];
    const sortKeys = !queryActive && !transformer;
    const table = tabulateSimple(list.map((i) => autoTableItem(i, sortKeys)));
    return table + "\n";
  } catch {
    throw new AzCliError(
      "UnclassifiedUserFault",
      "Table output unavailable. Use the --query option to specify an appropriate query. Use --debug for more info.",
    );
  }
}

function tsvObj(v: unknown): string {
  if (Array.isArray(v)) return String(v.length);
  if (v && typeof v === "object") return "";
  return typeof v === "string" ? v : pyStr(v);
}

export function formatTsv(result: unknown): string {
  const list = Array.isArray(result) ? result : [result];
  let out = "";
  for (const item of list) {
    if (Array.isArray(item)) out += item.map(tsvObj).join("\t");
    else if (item && typeof item === "object") {
      const obj = item as Record<string, unknown>;
      // query results keep their key order (OrderedDict); plain results are sorted by key
      const keys = (item as { __ordered?: boolean }).__ordered ? Object.keys(obj) : Object.keys(obj).sort();
      out += keys.filter((k) => k !== "__ordered").map((k) => tsvObj(obj[k])).join("\t");
    } else if (typeof item === "boolean") out += String(item);
    else out += tsvObj(item);
    out += "\n";
  }
  return out;
}

export function applyQuery(result: unknown, query: string): unknown {
  const r = jmespath.search(result, query);
  // knack keeps query results ordered (OrderedDict): tsv must not re-sort their keys
  const mark = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(mark);
    if (v && typeof v === "object") Object.defineProperty(v, "__ordered", { value: true, enumerable: false });
    return v;
  };
  return mark(r);
}

export function validateQuery(query: string): void {
  try {
    jmespath.compile(query);
  } catch {
    const e = new AzCliError("InvalidArgumentValueError", `argument --query: invalid jmespath_type value: '${query}'`, 2);
    e.recommend(QUERY_REFERENCE);
    throw e;
  }
}

export function render(
  result: unknown,
  format: string,
  opts: { color: boolean; transformer?: string | ((r: unknown) => unknown); queryActive: boolean },
): string {
  switch (format) {
    case "json":
      return formatJson(result);
    case "jsonc":
      return opts.color ? formatJsonColor(result) : formatJson(result);
    case "yaml":
    case "yamlc":
      return formatYaml(result);
    case "table":
      return formatTable(result, opts.transformer, opts.queryActive);
    case "tsv":
      return formatTsv(result);
    case "none":
      return "";
    default:
      return formatJson(result);
  }
}
