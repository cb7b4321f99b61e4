// api-version rules (reference/arm-contract.md §4.2). Pure.

const API_VERSION = /^(\d{4}-\d{2}-\d{2})(-(preview|alpha|beta|rc|privatepreview))?$/i;

export function isWellFormedApiVersion(v: string): boolean {
  return API_VERSION.test(v);
}

export function isPreview(v: string): boolean {
  return /-(preview|alpha|beta|rc|privatepreview)$/i.test(v);
}

/** Newest first, as ARM lists them. Stable before preview on the same date. */
export function sortApiVersions(vs: readonly string[]): string[] {
  return [...vs].sort((a, b) => (a === b ? 0 : a.slice(0, 10) !== b.slice(0, 10) ? (a < b ? 1 : -1) : isPreview(a) ? 1 : -1));
}

/**
 * Resolve a requested api-version against a supported list. Known → itself. Well-formed and
 * newer than every supported version of the same kind (stable/preview) → accepted and
 * rendered as the newest known one: clients ship newer versions faster than any emulator
 * (Azurite's most common breakage); listed in docs/fidelity.md. Anything else → undefined.
 */
export function resolveApiVersion(requested: string, supported: readonly string[]): { effective: string } | undefined {
  const exact = exactVersions(supported).get(requested.toLowerCase());
  if (exact) return exact;
  if (!isWellFormedApiVersion(requested)) return undefined;
  const sameKind = supported.filter((s) => isPreview(s) === isPreview(requested));
  if (sameKind.length === 0) return undefined;
  const newest = sortApiVersions(sameKind)[0]!;
  if (requested.slice(0, 10) > newest.slice(0, 10)) return { effective: newest };
  return undefined;
}

/** A supported list by lower-cased version (the first spelling wins), built once per list: asked on every request. */
const exactByList = new WeakMap<readonly string[], { length: number; byLower: Map<string, { effective: string }> }>();
function exactVersions(supported: readonly string[]): Map<string, { effective: string }> {
  let e = exactByList.get(supported);
  if (!e || e.length !== supported.length) {
    const byLower = new Map<string, { effective: string }>();
    for (const s of supported) if (!byLower.has(s.toLowerCase())) byLower.set(s.toLowerCase(), Object.freeze({ effective: s }));
    exactByList.set(supported, (e = { length: supported.length, byLower }));
  }
  return e.byLower;
}

/** Compare by date then stable > preview. Returns <0, 0, >0. */
export function compareApiVersions(a: string, b: string): number {
  const da = a.slice(0, 10);
  const db = b.slice(0, 10);
  if (da !== db) return da < db ? -1 : 1;
  if (isPreview(a) === isPreview(b)) return 0;
  return isPreview(a) ? -1 : 1;
}
