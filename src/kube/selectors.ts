// Label selectors (the query-string grammar and the structured LabelSelector of specs) and
// field selectors. Parsing failures are BadRequest, as in apimachinery's labels/fields packages.
import { errors } from "./errors.js";
import type { Obj } from "./util.js";

export type LabelRequirement =
  | { op: "=" | "!="; key: string; value: string }
  | { op: "in" | "notin"; key: string; values: string[] }
  | { op: "exists" | "!exists"; key: string };

export type LabelSelector = LabelRequirement[];

export function parseLabelSelector(s: string | undefined | null): LabelSelector {
  if (!s || !s.trim()) return [];
  const reqs: LabelRequirement[] = [];
  // Split on commas not inside parentheses.
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    if (!p) throw errors.badRequest(`unable to parse requirement: found '', expected: identifier`);
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p))) {
      const values = m[3]!.split(",").map((v) => v.trim()).filter((v) => v !== "");
      reqs.push({ op: m[2] as "in" | "notin", key: m[1]!, values });
    } else if ((m = /^!\s*([\w./-]+)$/.exec(p))) {
      reqs.push({ op: "!exists", key: m[1]! });
    } else if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(p))) {
      reqs.push({ op: m[2] === "!=" ? "!=" : "=", key: m[1]!, value: m[3]! });
    } else if ((m = /^([\w./-]+)$/.exec(p))) {
      reqs.push({ op: "exists", key: m[1]! });
    } else {
      throw errors.badRequest(`unable to parse requirement: <nil>: Invalid value: "${p}": invalid label selector`);
    }
  }
  return reqs;
}

export function matchLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const r of sel) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case "=":
        if (!has || v !== r.value) return false;
        break;
      case "!=":
        if (has && v === r.value) return false;
        break;
      case "in":
        if (!has || !r.values.includes(v!)) return false;
        break;
      case "notin":
        if (has && r.values.includes(v!)) return false;
        break;
      case "exists":
        if (!has) return false;
        break;
      case "!exists":
        if (has) return false;
        break;
    }
  }
  return true;
}

/** metav1.LabelSelector (matchLabels + matchExpressions) to requirements; undefined selects nothing. */
export function fromStructured(sel: Obj | undefined | null): LabelSelector | undefined {
  if (!sel) return undefined;
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries((sel.matchLabels ?? {}) as Record<string, string>)) reqs.push({ op: "=", key: k, value: String(v) });
  for (const e of (sel.matchExpressions ?? []) as Obj[]) {
    const op = String(e.operator);
    if (op === "In") reqs.push({ op: "in", key: e.key, values: e.values ?? [] });
    else if (op === "NotIn") reqs.push({ op: "notin", key: e.key, values: e.values ?? [] });
    else if (op === "Exists") reqs.push({ op: "exists", key: e.key });
    else if (op === "DoesNotExist") reqs.push({ op: "!exists", key: e.key });
  }
  return reqs;
}

/** Selector string for status.selector / Scale (kubectl prints it). */
export function selectorString(sel: LabelSelector): string {
  return sel
    .map((r) => {
      switch (r.op) {
        case "=":
        case "!=":
          return `${r.key}${r.op}${r.value}`;
        case "in":
        case "notin":
          return `${r.key} ${r.op} (${r.values.join(",")})`;
        case "exists":
          return r.key;
        case "!exists":
          return `!${r.key}`;
      }
    })
    .join(",");
}

export interface FieldRequirement {
  field: string;
  op: "=" | "!=";
  value: string;
}

export function parseFieldSelector(s: string | undefined | null): FieldRequirement[] {
  if (!s || !s.trim()) return [];
  const out: FieldRequirement[] = [];
  for (const raw of s.split(",")) {
    const p = raw.trim();
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(p);
    if (!m) throw errors.badRequest(`invalid selector: '${s}'; can't understand '${p}'`);
    out.push({ field: m[1]!.trim(), op: m[2] === "!=" ? "!=" : "=", value: m[3]!.trim() });
  }
  return out;
}

export type FieldGetter = (obj: Obj) => string | undefined;

/** Fields every kind supports. */
export const commonFields: Record<string, FieldGetter> = {
  "metadata.name": (o) => o.metadata?.name,
  "metadata.namespace": (o) => o.metadata?.namespace ?? "",
};

export function checkFieldSelector(reqs: FieldRequirement[], supported: Record<string, FieldGetter>, resourceLabel: string): void {
  for (const r of reqs) {
    if (!supported[r.field]) {
      throw errors.badRequest(`field label not supported: ${r.field}`);
    }
  }
  void resourceLabel;
}

export function matchFields(reqs: FieldRequirement[], supported: Record<string, FieldGetter>, obj: Obj): boolean {
  for (const r of reqs) {
    const v = supported[r.field]?.(obj) ?? "";
    if (r.op === "=" ? v !== r.value : v === r.value) return false;
  }
  return true;
}
