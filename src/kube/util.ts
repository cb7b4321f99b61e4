// Small pure helpers shared by the registry and the simulation: JSON objects, time formats,
// Kubernetes name generation and hashing.
import { randomBytes, randomUUID } from "node:crypto";

export type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** Structural equality of JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], bb[i])) return false;
    return true;
  }
  const ao = a as Obj;
  const bo = b as Obj;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  for (const k of ak) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}

/** JSON with sorted keys: a stable input for hashes. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(",")}]`;
  if (isObj(v)) {
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify(v[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** metav1.Time: RFC 3339 at second precision. */
export function nowTime(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

let lastMicro = 0;
/** metav1.MicroTime: exactly 6 fractional digits (Go's layout rejects other widths). */
export function nowMicro(ms = Date.now()): string {
  // Microseconds from the high-resolution clock, kept monotonic within one millisecond.
  let micro = ms * 1000 + Math.floor((performance.now() * 1000) % 1000);
  if (micro <= lastMicro) micro = lastMicro + 1;
  lastMicro = micro;
  const base = new Date(Math.floor(micro / 1000)).toISOString().slice(0, 19);
  return `${base}.${String(micro % 1_000_000).padStart(6, "0")}Z`;
}

export function newUid(): string {
  return randomUUID();
}

// apimachinery's rand alphabet: no vowels, no confusable digits.
const ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

export function randomSuffix(n = 5): string {
  const b = randomBytes(n);
  let s = "";
  for (let i = 0; i < n; i++) s += ALPHANUMS[b[i]! % ALPHANUMS.length];
  return s;
}

/** rand.SafeEncodeString as used for pod-template-hash. */
export function safeEncode(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += ALPHANUMS[s.charCodeAt(i) % ALPHANUMS.length];
  return out;
}

/** 32-bit FNV-1a. */
export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  const buf = Buffer.from(s, "utf8");
  for (const byte of buf) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

/** HumanDuration from apimachinery (the AGE column). */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return "<invalid>";
  if (s < 0) return "0s";
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(s / 3600);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 192) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  const y = Math.floor(h / 24 / 365);
  if (h < 24 * 365 * 8) {
    const dy = Math.floor(h / 24) % 365;
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${y}y`;
}

export function age(ts: string | undefined, now = Date.now()): string {
  if (!ts) return "<unknown>";
  const t = Date.parse(ts);
  return Number.isNaN(t) ? "<unknown>" : humanDuration(now - t);
}

/** Resolve an IntOrString percentage ("25%") against a total. */
export function intOrPercent(v: unknown, total: number, roundUp: boolean, dflt: number): number {
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    const m = /^(\d+)%$/.exec(v);
    if (m) {
      const x = (Number(m[1]) * total) / 100;
      return roundUp ? Math.ceil(x) : Math.floor(x);
    }
    const n = Number(v);
    if (Number.isInteger(n)) return n;
  }
  return dflt;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
