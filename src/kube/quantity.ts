// Kubernetes resource quantities ("500m", "1Gi", "2.5G", "1e3"): parse to a number of base units
// and print back in the canonical suffix family of the input. Pure; used by quota, limits,
// metrics and volume sizing.

const BIN: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DEC: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** Base units (bytes, cores) of a quantity; undefined when it is not one. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === "number") return Number.isFinite(q) ? q : undefined;
  if (typeof q !== "string") return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(q.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!Number.isFinite(n)) return undefined;
  if (m[2]) return n * 10 ** Number(m[2].slice(1));
  const s = m[3] ?? "";
  return n * (BIN[s] ?? DEC[s] ?? 1);
}

/** Render like kube's canonical form for the family of `like` (binary "Mi"/"Gi" or decimal with "m"). */
export function formatQuantity(n: number, like?: string): string {
  if (like && /i$/.test(like)) {
    for (const s of ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"]) if (n >= BIN[s]! && Number.isInteger(n / BIN[s]!)) return `${n / BIN[s]!}${s}`;
    return String(Math.round(n));
  }
  if (Number.isInteger(n)) {
    if (n !== 0 && like && /[kMGTPE]$/.test(like)) for (const s of ["E", "P", "T", "G", "M", "k"]) if (Number.isInteger(n / DEC[s]!)) return `${n / DEC[s]!}${s}`;
    return String(n);
  }
  const milli = Math.round(n * 1000);
  return `${milli}m`;
}

/** Whole GiB, rounded up (the CSI drivers' RoundUpGiB), at least 1. */
export function roundUpGiB(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 2 ** 30 - 1e-9));
}
