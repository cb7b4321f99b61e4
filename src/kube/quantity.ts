// Kubernetes resource quantities ("100m", "1Gi", "2", "1e3"): parse to a number of base units
// and print back in the canonical suffix family of the input. Pure; used by quota and limits.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const RE = /^([+-]?[0-9.]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

export function parseQuantity(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v !== "string") return undefined;
  const m = RE.exec(v.trim());
  if (!m || m[1] === "." || m[1] === "") return undefined;
  const n = Number(m[1]);
  if (!Number.isFinite(n)) return undefined;
  const suf = m[2] ?? "";
  if (suf in BINARY) return n * BINARY[suf]!;
  if (suf in DECIMAL) return n * DECIMAL[suf]!;
  return n * 10 ** Number(suf.slice(1));
}

/** Render like kube's canonical form for the family of `like` (binary "Mi"/"Gi" or decimal with "m"). */
export function formatQuantity(n: number, like?: string): string {
  if (like && /i$/.test(like)) {
    for (const s of ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"]) if (n >= BINARY[s]! && Number.isInteger(n / BINARY[s]!)) return `${n / BINARY[s]!}${s}`;
    return String(Math.round(n));
  }
  if (Number.isInteger(n)) {
    if (n !== 0 && like && /[kMGTPE]$/.test(like)) for (const s of ["E", "P", "T", "G", "M", "k"]) if (Number.isInteger(n / DECIMAL[s]!)) return `${n / DECIMAL[s]!}${s}`;
    return String(n);
  }
  const milli = Math.round(n * 1000);
  return `${milli}m`;
}
