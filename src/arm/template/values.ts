// JSON values as the template language sees them, and the conversions ARM applies
// (string() of a bool is "True", objects are compared and looked up case-insensitively by key).

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** ARM's token type names, as its messages print them. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return "Null";
  if (Array.isArray(v)) return "Array";
  switch (typeof v) {
    case "string":
      return "String";
    case "boolean":
      return "Boolean";
    case "number":
      return Number.isInteger(v) ? "Integer" : "Float";
    default:
      return "Object";
  }
}

/** string(): JSON for objects and arrays (compact), .NET's True/False for booleans. */
export function toText(v: Json): string {
  if (v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return String(v);
  return JSON.stringify(v);
}

export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]!));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => {
      const bk = findKey(b, k);
      return bk !== undefined && deepEqual(a[k]!, b[bk]!);
    });
  }
  return false;
}

/** The actual key of an object matching `name` (exact first, then case-insensitive). */
export function findKey(o: JsonObject, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(o, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(o).find((k) => k.toLowerCase() === lower);
}

export function clone<T extends Json>(v: T): T {
  return v === null || typeof v !== "object" ? v : (JSON.parse(JSON.stringify(v)) as T);
}
