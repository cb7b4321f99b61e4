// The JSONPath subset additionalPrinterColumns use (".spec.replicas", ".status.conditions[0].type",
// '.status.conditions[?(@.type=="Ready")].status', "[*]"). Missing keys yield no results.
import { isObj } from "../util.js";

type Step = { key: string } | { index: number } | { all: true } | { filter: { key: string; value: string } };

export function parseJsonPath(path: string): Step[] | undefined {
  const steps: Step[] = [];
  const re = /\.([A-Za-z0-9_\-$]+)|\[(\d+)\]|\[\*\]|\[\?\(@\.([A-Za-z0-9_\-]+)\s*==\s*["']([^"']*)["']\)\]|\['([^']+)'\]/y;
  let s = path.trim().replace(/^\{(.*)\}$/, "$1");
  if (s.startsWith("$")) s = s.slice(1);
  re.lastIndex = 0;
  while (re.lastIndex < s.length) {
    const m = re.exec(s);
    if (!m) return undefined;
    if (m[1] !== undefined) steps.push({ key: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) steps.push({ filter: { key: m[3], value: m[4]! } });
    else if (m[5] !== undefined) steps.push({ key: m[5] });
    else steps.push({ all: true });
  }
  return steps;
}

export function evalJsonPath(obj: unknown, steps: Step[]): unknown[] {
  let cur: unknown[] = [obj];
  for (const st of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if ("key" in st) {
        if (isObj(v) && v[st.key] !== undefined) next.push(v[st.key]);
      } else if ("index" in st) {
        if (Array.isArray(v) && st.index < v.length) next.push(v[st.index]);
      } else if ("all" in st) {
        if (Array.isArray(v)) next.push(...v);
        else if (isObj(v)) next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        for (const item of v) if (isObj(item) && String(item[st.filter.key]) === st.filter.value) next.push(item);
      }
    }
    cur = next;
  }
  return cur;
}
