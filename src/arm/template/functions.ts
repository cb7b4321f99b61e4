// The template functions (docs `template-functions*.md`), each a pure function of its
// arguments and of the EvalContext the engine supplies. Names are case-insensitive.
// reference()/list*() only ask the context: the engine answers from what the deployment
// executor has learned (see engine.ts, ResourceResolver).
import { fnErrors, ExpressionError } from "./errors.js";
import { templateGuid, uniqueString } from "./hash.js";
import { type Json, type JsonObject, isObject, typeName, toText, deepEqual, findKey, clone } from "./values.js";
import type { Expr } from "./expression.js";
import { type Cidr, addressAt, addressBits, firstAddress, formatAddress, formatCidr, lastAddress, parseCidr, size, subnetAt } from "../../network/cidr.js";

/** A lambda value (filter/map/reduce/sort/toObject); never leaves an expression. */
export interface Lambda {
  lambda: true;
  params: string[];
  body: Expr;
  vars: Map<string, Json>;
}
export type Value = Json | Lambda;

export function isLambda(v: unknown): v is Lambda {
  return typeof v === "object" && v !== null && (v as Lambda).lambda === true && Array.isArray((v as Lambda).params);
}

/** Everything an expression can see besides its arguments. */
export interface EvalContext {
  parameter(name: string): Json;
  variable(name: string): Json;
  copyIndex(loop: string | undefined): number;
  deployment(): Json;
  resourceGroup(): Json;
  subscription(): Json;
  tenant(): Json;
  environment(): Json;
  utcNow(): Date;
  newGuid(): string;
  /** The ids resourceId() and friends build on. */
  scope: { tenantId: string; subscriptionId: string; resourceGroup?: string };
  reference(target: string, apiVersion: string | undefined, full: boolean): Json;
  references(loop: string, full: boolean): Json;
  list(action: string, target: string, apiVersion: string, body: Json | undefined): Json;
  /** user-defined functions ("namespace.member"), evaluated by the engine */
  userFunction?(name: string, args: Json[]): Json | undefined;
  /** the variables of the lambdas being applied */
  lambdaVars: Map<string, Json>;
  applyLambda(l: Lambda, args: Json[]): Json;
}

export type Fn = (args: Value[], ctx: EvalContext, name: string) => Json;

const str = (f: string, v: Value): string => {
  if (typeof v !== "string") throw fnErrors.badParameter(f, `Expected a value of type 'String' but received a value of type '${typeName(v)}'.`);
  return v;
};
const int = (f: string, v: Value): number => {
  if (typeof v !== "number" || !Number.isInteger(v)) throw fnErrors.badParameter(f, `Expected a value of type 'Integer' but received a value of type '${typeName(v)}'.`);
  return v;
};
const arr = (f: string, v: Value): Json[] => {
  if (!Array.isArray(v)) throw fnErrors.badParameter(f, `Expected a value of type 'Array' but received a value of type '${typeName(v)}'.`);
  return v;
};
const lam = (f: string, v: Value): Lambda => {
  if (!isLambda(v)) throw fnErrors.badParameter(f, `Expected a lambda expression.`);
  return v;
};
const json = (v: Value): Json => {
  if (isLambda(v)) throw new ExpressionError("A lambda expression can only be passed to a function that takes one.");
  return v;
};
function count(f: string, args: Value[], min: number, max = min): void {
  if (args.length < min || args.length > max) throw fnErrors.argCount(f, min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`, args.length);
}

/** Longest text padLeft/format may build (ARM's literal limit is 131072 characters). */
const MAX_TEXT = 131072;

// .NET composite formatting for format(): {index[,alignment][:formatString]}, {{ and }}.
function netFormat(fmt: string, args: Json[]): string {
  return fmt.replace(/\{\{|\}\}|\{(\d+)(?:,(-?\d+))?(?::([^}]*))?\}/g, (m, idx?: string, align?: string, spec?: string) => {
    if (m === "{{") return "{";
    if (m === "}}") return "}";
    const i = Number(idx);
    if (i >= args.length) throw fnErrors.badParameter("format", "Index (zero based) must be greater than or equal to zero and less than the size of the argument list.");
    const v = args[i]!;
    let s = typeof v === "number" && spec ? numberFormat(v, spec) : toText(v);
    if (align) {
      const w = Number(align);
      if (Math.abs(w) > MAX_TEXT) throw fnErrors.badParameter("format", `The alignment must not exceed '${MAX_TEXT}'.`);
      s = w < 0 ? s.padEnd(-w) : s.padStart(w);
    }
    return s;
  });
}

function numberFormat(n: number, spec: string): string {
  const m = /^([DdNnFfXx])(\d*)$/.exec(spec);
  if (!m) return String(n);
  const p = m[2] ? Number(m[2]) : undefined;
  switch (m[1]!.toUpperCase()) {
    case "D":
      return (n < 0 ? "-" : "") + String(Math.abs(Math.trunc(n))).padStart(p ?? 0, "0");
    case "N":
      return n.toLocaleString("en-US", { minimumFractionDigits: p ?? 2, maximumFractionDigits: p ?? 2 });
    case "F":
      return n.toFixed(p ?? 2);
    default: {
      const h = (n >>> 0).toString(16).padStart(p ?? 0, "0");
      return m[1] === "X" ? h.toUpperCase() : h;
    }
  }
}

// Uri.EscapeDataString: everything but RFC 3986 unreserved characters is escaped.
function escapeDataString(s: string): string {
  return Array.from(Buffer.from(s, "utf8"))
    .map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : "%" + b.toString(16).toUpperCase().padStart(2, "0")))
    .join("");
}

function unionOf(values: Json[]): Json {
  if (values.every(Array.isArray)) {
    const out: Json[] = [];
    for (const a of values as Json[][]) for (const x of a) if (!out.some((y) => deepEqual(x, y))) out.push(clone(x));
    return out;
  }
  if (values.every(isObject)) {
    // later values win; nested objects merge (docs: union of objects is deep for nested objects)
    const merge = (a: JsonObject, b: JsonObject): JsonObject => {
      const out: JsonObject = { ...a };
      for (const [k, v] of Object.entries(b)) {
        const ek = findKey(out, k) ?? k;
        const cur = out[ek];
        if (ek !== k) delete out[ek];
        out[k] = isObject(cur) && isObject(v) ? merge(cur, v) : clone(v);
      }
      return out;
    };
    return (values as JsonObject[]).reduce((a, b) => merge(a, b), {});
  }
  throw fnErrors.badParameter("union", "The template language function 'union' expects its parameters to be all arrays or all objects.");
}

function intersectionOf(values: Json[]): Json {
  if (values.every(Array.isArray)) {
    const [first, ...rest] = values as Json[][];
    const out: Json[] = [];
    for (const x of first!) if (rest.every((a) => a.some((y) => deepEqual(x, y))) && !out.some((y) => deepEqual(x, y))) out.push(x);
    return out;
  }
  if (values.every(isObject)) {
    const [first, ...rest] = values as JsonObject[];
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(first!)) if (rest.every((o) => findKey(o, k) !== undefined && deepEqual(o[findKey(o, k)!]!, v))) out[k] = v;
    return out;
  }
  throw fnErrors.badParameter("intersection", "The template language function 'intersection' expects its parameters to be all arrays or all objects.");
}

function compare(f: string, a: Value, b: Value): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  throw fnErrors.badParameter(f, `Expected both parameters to be of type 'Integer' or 'String' but received '${typeName(a)}' and '${typeName(b)}'.`);
}

// ---- ids ---------------------------------------------------------------------------------

/** resourceId([subscriptionId], [resourceGroupName], type, name1, name2, ...). */
function resourceIdFn(args: Value[], ctx: EvalContext, f: string): string {
  const a = args.map((x) => str(f, x));
  const typeAt = a.findIndex((x) => x.includes("/"));
  if (typeAt < 0 || typeAt > 2) throw fnErrors.badParameter(f, "The type segment is missing or misplaced.");
  let sub = ctx.scope.subscriptionId;
  let rg = ctx.scope.resourceGroup;
  if (typeAt === 2) [sub, rg] = [a[0]!, a[1]!];
  else if (typeAt === 1) rg = a[0]!;
  if (rg === undefined) throw new ExpressionError(`The template function '${f}' needs a resource group: pass the resource group name, or use subscriptionResourceId() at this scope.`);
  return `/subscriptions/${sub}/resourceGroups/${rg}` + providerPath(f, a[typeAt]!, a.slice(typeAt + 1));
}

function providerPath(f: string, type: string | undefined, names: string[]): string {
  if (type === undefined || !type.includes("/")) throw fnErrors.badParameter(f, "The resource type must be a fully qualified type ('Namespace/type').");
  const t = type.split("/").filter((x) => x.length > 0);
  const n = names.flatMap((x) => x.split("/"));
  if (t.length < 2 || n.length !== t.length - 1)
    throw fnErrors.badParameter(f, `Unable to evaluate template language function '${f}': the type '${type}' requires '${t.length - 1}' resource name argument(s).`);
  let out = `/providers/${t[0]}`;
  for (let i = 1; i < t.length; i++) out += `/${t[i]}/${n[i - 1]}`;
  return out;
}

// ---- dates -------------------------------------------------------------------------------

// .NET custom date format subset used in templates (yyyy MM dd HH mm ss fff, T Z literals, u and o).
function formatDate(d: Date, fmt: string): string {
  if (fmt === "u") return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
  if (fmt === "o" || fmt === "O") return d.toISOString().replace("Z", "0000Z");
  if (fmt === "s") return d.toISOString().slice(0, 19);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return fmt.replace(/yyyy|yy|MM|dd|HH|hh|mm|ss|fffffff|fff|'[^']*'|./g, (t) => {
    switch (t) {
      case "yyyy":
        return p(d.getUTCFullYear(), 4);
      case "yy":
        return p(d.getUTCFullYear() % 100);
      case "MM":
        return p(d.getUTCMonth() + 1);
      case "dd":
        return p(d.getUTCDate());
      case "HH":
        return p(d.getUTCHours());
      case "hh":
        return p(d.getUTCHours() % 12 || 12);
      case "mm":
        return p(d.getUTCMinutes());
      case "ss":
        return p(d.getUTCSeconds());
      case "fff":
        return p(d.getUTCMilliseconds(), 3);
      case "fffffff":
        return p(d.getUTCMilliseconds(), 3) + "0000";
      default:
        return t.startsWith("'") ? t.slice(1, -1) : t;
    }
  });
}

/** The default output of dateTimeAdd/dateTimeFromEpoch: ISO 8601 without fractions when zero ("2023-04-01T01:00:38Z"). */
function isoSeconds(d: Date): string {
  const s = d.toISOString();
  return s.endsWith(".000Z") ? s.slice(0, -5) + "Z" : s.replace(/(\.\d*?)0+Z$/, "$1Z");
}

function addDuration(d: Date, dur: string): Date {
  const m = /^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(dur);
  if (!m || dur === "P" || dur.endsWith("T")) throw fnErrors.badParameter("dateTimeAdd", `The duration '${dur}' is not a valid ISO 8601 duration.`);
  const s = m[1] ? -1 : 1;
  const out = new Date(d.getTime());
  if (m[2]) out.setUTCFullYear(out.getUTCFullYear() + s * Number(m[2]));
  if (m[3]) out.setUTCMonth(out.getUTCMonth() + s * Number(m[3]));
  const ms = ((Number(m[4] ?? 0) * 7 + Number(m[5] ?? 0)) * 86400 + Number(m[6] ?? 0) * 3600 + Number(m[7] ?? 0) * 60 + Number(m[8] ?? 0)) * 1000;
  return new Date(out.getTime() + s * ms);
}

function parseDate(f: string, s: string): Date {
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw fnErrors.badParameter(f, `The value '${s}' is not a valid date time.`);
  return d;
}

// ---- CIDR (network/cidr.ts does the arithmetic) ------------------------------------------

function cidrArg(f: string, s: string): Cidr {
  const r = parseCidr(s);
  if (r.ok) return r.cidr;
  if (r.code === "InvalidCIDRNotation") return r.cidr; // host bits set: ARM works on the network
  throw fnErrors.badParameter(f, `The value '${s}' is not a valid CIDR.`);
}
const at = (c: Cidr, offset: bigint) => formatAddress(addressAt(c, offset)!);
/** IPv4 prefixes shorter than /31 keep their first (network) and last (broadcast) address out of use. */
const reserved = (c: Cidr) => (c.family === 4 && c.prefixLength < 31 ? 1n : 0n);

// ---- the table ---------------------------------------------------------------------------

const ANY = Infinity;

function decodeText(f: string, s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw fnErrors.badParameter(f, "The value is not a valid URI-encoded string.");
  }
}

export const FUNCTIONS: Record<string, Fn> = {
  // logical and comparison
  and: (a, _c, f) => (count(f, a, 2, ANY), a.every((x) => x === true)),
  or: (a, _c, f) => (count(f, a, 2, ANY), a.some((x) => x === true)),
  not: (a, _c, f) => {
    count(f, a, 1);
    if (typeof a[0] !== "boolean") throw fnErrors.badParameter(f, `Expected a value of type 'Boolean' but received a value of type '${typeName(a[0])}'.`);
    return !a[0];
  },
  true: (a, _c, f) => (count(f, a, 0), true),
  false: (a, _c, f) => (count(f, a, 0), false),
  bool: (a, _c, f) => {
    count(f, a, 1);
    const v = a[0];
    if (typeof v === "boolean") return v;
    if (typeof v === "number") return v !== 0;
    if (typeof v === "string" && /^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
    throw fnErrors.badParameter(f, "The value cannot be converted to the target type.");
  },
  equals: (a, _c, f) => (count(f, a, 2), deepEqual(json(a[0]!), json(a[1]!))),
  greater: (a, _c, f) => (count(f, a, 2), compare(f, a[0]!, a[1]!) > 0),
  greaterOrEquals: (a, _c, f) => (count(f, a, 2), compare(f, a[0]!, a[1]!) >= 0),
  less: (a, _c, f) => (count(f, a, 2), compare(f, a[0]!, a[1]!) < 0),
  lessOrEquals: (a, _c, f) => (count(f, a, 2), compare(f, a[0]!, a[1]!) <= 0),
  coalesce: (a, _c, f) => (count(f, a, 1, ANY), (a.find((x) => x !== null) as Json | undefined) ?? null),
  null: (a, _c, f) => (count(f, a, 0), null),

  // numeric
  add: (a, _c, f) => (count(f, a, 2), int(f, a[0]!) + int(f, a[1]!)),
  sub: (a, _c, f) => (count(f, a, 2), int(f, a[0]!) - int(f, a[1]!)),
  mul: (a, _c, f) => (count(f, a, 2), int(f, a[0]!) * int(f, a[1]!)),
  div: (a, _c, f) => {
    count(f, a, 2);
    if (int(f, a[1]!) === 0) throw fnErrors.badParameter(f, "The divisor must not be zero.");
    return Math.trunc(int(f, a[0]!) / (a[1] as number));
  },
  mod: (a, _c, f) => {
    count(f, a, 2);
    if (int(f, a[1]!) === 0) throw fnErrors.badParameter(f, "The divisor must not be zero.");
    return int(f, a[0]!) % (a[1] as number);
  },
  int: (a, _c, f) => {
    count(f, a, 1);
    const v = a[0];
    if (typeof v === "number") return Math.trunc(v);
    if (typeof v === "string" && /^\s*[-+]?\d+\s*$/.test(v)) return Number.parseInt(v, 10);
    throw fnErrors.badParameter(f, "The value cannot be converted to the target type.");
  },
  float: (a, _c, f) => {
    count(f, a, 1);
    const n = Number(a[0]);
    if (typeof a[0] === "boolean" || Number.isNaN(n)) throw fnErrors.badParameter(f, "The value cannot be converted to the target type.");
    return n;
  },
  min: (a, _c, f) => {
    const xs = a.length === 1 && Array.isArray(a[0]) ? a[0] : a;
    if (xs.length === 0) throw fnErrors.badParameter(f, "The array must not be empty.");
    return Math.min(...xs.map((x) => int(f, x as Value)));
  },
  max: (a, _c, f) => {
    const xs = a.length === 1 && Array.isArray(a[0]) ? a[0] : a;
    if (xs.length === 0) throw fnErrors.badParameter(f, "The array must not be empty.");
    return Math.max(...xs.map((x) => int(f, x as Value)));
  },
  range: (a, _c, f) => {
    count(f, a, 2);
    const start = int(f, a[0]!);
    const n = int(f, a[1]!);
    if (n < 0 || n > 10000) throw fnErrors.badParameter(f, "The count must be between 0 and 10000.");
    return Array.from({ length: n }, (_, i) => start + i);
  },
  copyIndex: (a, c, f) => {
    count(f, a, 0, 2);
    const loop = typeof a[0] === "string" ? a[0] : undefined;
    const offset = typeof a[0] === "number" ? a[0] : typeof a[1] === "number" ? a[1] : 0;
    return c.copyIndex(loop) + offset;
  },

  // strings
  string: (a, _c, f) => (count(f, a, 1), toText(json(a[0]!))),
  concat: (a, _c, f) => {
    if (a.length === 0) return "";
    if (a.every((x) => Array.isArray(x) || x === null)) return (a as (Json[] | null)[]).flatMap((x) => x ?? []);
    if (a.some((x) => Array.isArray(x) || isObject(x))) throw fnErrors.badParameter(f, "The parameters must be all arrays or all strings.");
    return a.map((x) => toText(json(x))).join("");
  },
  format: (a, _c, f) => (count(f, a, 1, ANY), netFormat(str(f, a[0]!), a.slice(1).map(json))),
  toLower: (a, _c, f) => (count(f, a, 1), str(f, a[0]!).toLowerCase()),
  toUpper: (a, _c, f) => (count(f, a, 1), str(f, a[0]!).toUpperCase()),
  trim: (a, _c, f) => (count(f, a, 1), str(f, a[0]!).trim()),
  replace: (a, _c, f) => (count(f, a, 3), str(f, a[0]!).split(str(f, a[1]!)).join(str(f, a[2]!))),
  split: (a, _c, f) => {
    count(f, a, 2);
    const s = str(f, a[0]!);
    const d = Array.isArray(a[1]) ? a[1].map((x) => str(f, x)) : [str(f, a[1]!)];
    let parts = [s];
    for (const sep of d) parts = parts.flatMap((p) => p.split(sep));
    return parts;
  },
  join: (a, _c, f) => (count(f, a, 2), arr(f, a[0]!).map(toText).join(str(f, a[1]!))),
  substring: (a, _c, f) => {
    count(f, a, 1, 3);
    const s = str(f, a[0]!);
    const start = a.length > 1 ? int(f, a[1]!) : 0;
    const len = a.length > 2 ? int(f, a[2]!) : s.length - start;
    if (start < 0 || start > s.length) throw fnErrors.badParameter(f, "The index parameter cannot be less than zero or greater than the length of the string.");
    if (len < 0 || start + len > s.length) throw fnErrors.badParameter(f, "The index and length parameters must refer to a location within the string.");
    return s.substr(start, len);
  },
  padLeft: (a, _c, f) => {
    count(f, a, 2, 3);
    const v = a[0];
    const s = typeof v === "number" ? String(v) : str(f, v!);
    const pad = a.length > 2 ? str(f, a[2]!) : " ";
    if (pad.length !== 1) throw fnErrors.badParameter(f, "The padding character must be a single character.");
    const total = int(f, a[1]!);
    if (total > MAX_TEXT) throw fnErrors.badParameter(f, `The total length must not exceed '${MAX_TEXT}'.`);
    return s.padStart(total, pad);
  },
  startsWith: (a, _c, f) => (count(f, a, 2), str(f, a[0]!).toLowerCase().startsWith(str(f, a[1]!).toLowerCase())),
  endsWith: (a, _c, f) => (count(f, a, 2), str(f, a[0]!).toLowerCase().endsWith(str(f, a[1]!).toLowerCase())),
  indexOf: (a, _c, f) => {
    count(f, a, 2);
    if (Array.isArray(a[0])) return a[0].findIndex((x) => deepEqual(x, json(a[1]!)));
    return str(f, a[0]!).toLowerCase().indexOf(str(f, a[1]!).toLowerCase());
  },
  lastIndexOf: (a, _c, f) => {
    count(f, a, 2);
    if (Array.isArray(a[0])) {
      for (let i = a[0].length - 1; i >= 0; i--) if (deepEqual(a[0][i]!, json(a[1]!))) return i;
      return -1;
    }
    return str(f, a[0]!).toLowerCase().lastIndexOf(str(f, a[1]!).toLowerCase());
  },
  base64: (a, _c, f) => (count(f, a, 1), Buffer.from(str(f, a[0]!), "utf8").toString("base64")),
  base64ToString: (a, _c, f) => (count(f, a, 1), Buffer.from(str(f, a[0]!), "base64").toString("utf8")),
  base64ToJson: (a, _c, f) => (count(f, a, 1), parseJson(f, Buffer.from(str(f, a[0]!), "base64").toString("utf8"))),
  dataUri: (a, _c, f) => (count(f, a, 1), `data:text/plain;charset=utf8;base64,${Buffer.from(str(f, a[0]!), "utf8").toString("base64")}`),
  dataUriToString: (a, _c, f) => {
    count(f, a, 1);
    const m = /^data:[^,]*?(;base64)?,(.*)$/s.exec(str(f, a[0]!));
    if (!m) throw fnErrors.badParameter(f, "The value is not a valid data URI.");
    return m[1] ? Buffer.from(m[2]!, "base64").toString("utf8") : decodeText(f, m[2]!);
  },
  uri: (a, _c, f) => {
    count(f, a, 2);
    try {
      return new URL(str(f, a[1]!), str(f, a[0]!)).toString();
    } catch {
      throw fnErrors.badParameter(f, "The base URI is not a valid absolute URI.");
    }
  },
  uriComponent: (a, _c, f) => (count(f, a, 1), escapeDataString(str(f, a[0]!))),
  uriComponentToString: (a, _c, f) => (count(f, a, 1), decodeText(f, str(f, a[0]!))),
  guid: (a, _c, f) => (count(f, a, 1, ANY), templateGuid(...a.map((x) => str(f, x)))),
  uniqueString: (a, _c, f) => (count(f, a, 1, ANY), uniqueString(...a.map((x) => str(f, x)))),
  newGuid: (a, c, f) => (count(f, a, 0), c.newGuid()),

  // arrays and objects
  array: (a, _c, f) => (count(f, a, 1), Array.isArray(a[0]) ? a[0] : [json(a[0]!)]),
  createArray: (a) => a.map(json),
  createObject: (a, _c, f) => {
    if (a.length % 2 !== 0) throw fnErrors.badParameter(f, "The number of parameters must be even.");
    const o: JsonObject = {};
    for (let i = 0; i < a.length; i += 2) o[str(f, a[i]!)] = json(a[i + 1]!);
    return o;
  },
  json: (a, _c, f) => (count(f, a, 1), parseJson(f, str(f, a[0]!))),
  empty: (a, _c, f) => {
    count(f, a, 1);
    const v = a[0];
    return v === null || v === "" || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
  },
  length: (a, _c, f) => {
    count(f, a, 1);
    const v = a[0];
    if (typeof v === "string" || Array.isArray(v)) return v.length;
    if (isObject(v)) return Object.keys(v).length;
    throw fnErrors.badParameter(f, `Expected a value of type 'String', 'Array' or 'Object' but received a value of type '${typeName(v)}'.`);
  },
  contains: (a, _c, f) => {
    count(f, a, 2);
    const [c, x] = [a[0], json(a[1]!)];
    if (typeof c === "string") return c.includes(toText(x));
    if (Array.isArray(c)) return c.some((y) => deepEqual(y, x));
    if (isObject(c)) return findKey(c, str(f, x)) !== undefined;
    throw fnErrors.badParameter(f, `Expected a value of type 'String', 'Array' or 'Object' but received a value of type '${typeName(c)}'.`);
  },
  first: (a, _c, f) => {
    count(f, a, 1);
    const v = a[0];
    if (typeof v === "string") return v.length ? v[0]! : "";
    return arr(f, v!)[0] ?? null;
  },
  last: (a, _c, f) => {
    count(f, a, 1);
    const v = a[0];
    if (typeof v === "string") return v.length ? v[v.length - 1]! : "";
    const xs = arr(f, v!);
    return xs[xs.length - 1] ?? null;
  },
  skip: (a, _c, f) => {
    count(f, a, 2);
    const n = Math.max(0, int(f, a[1]!));
    return typeof a[0] === "string" ? a[0].slice(n) : arr(f, a[0]!).slice(n);
  },
  take: (a, _c, f) => {
    count(f, a, 2);
    const n = Math.max(0, int(f, a[1]!));
    return typeof a[0] === "string" ? a[0].slice(0, n) : arr(f, a[0]!).slice(0, n);
  },
  union: (a, _c, f) => (count(f, a, 1, ANY), unionOf(a.map(json))),
  intersection: (a, _c, f) => (count(f, a, 1, ANY), intersectionOf(a.map(json))),
  flatten: (a, _c, f) => (count(f, a, 1), arr(f, a[0]!).flatMap((x) => arr(f, x))),
  items: (a, _c, f) => {
    count(f, a, 1);
    if (!isObject(a[0])) throw fnErrors.badParameter(f, `Expected a value of type 'Object' but received a value of type '${typeName(a[0])}'.`);
    return Object.keys(a[0])
      .sort((x, y) => (x.toLowerCase() < y.toLowerCase() ? -1 : x.toLowerCase() > y.toLowerCase() ? 1 : 0))
      .map((k) => ({ key: k, value: (a[0] as JsonObject)[k]! }));
  },
  objectKeys: (a, _c, f) => (count(f, a, 1), isObject(a[0]) ? Object.keys(a[0]) : []),
  shallowMerge: (a, _c, f) => (count(f, a, 1), Object.assign({}, ...arr(f, a[0]!).filter(isObject))),
  tryGet: (a, _c, f) => {
    count(f, a, 2, ANY);
    let v: Json = json(a[0]!);
    for (const k of a.slice(1)) {
      if (isObject(v) && typeof k === "string") {
        const key = findKey(v, k);
        v = key === undefined ? null : v[key]!;
      } else if (Array.isArray(v) && typeof k === "number") v = v[k] ?? null;
      else return null;
    }
    return v;
  },

  // lambdas
  filter: (a, c, f) => (count(f, a, 2), arr(f, a[0]!).filter((x, i) => c.applyLambda(lam(f, a[1]!), [x, i]) === true)),
  map: (a, c, f) => (count(f, a, 2), arr(f, a[0]!).map((x, i) => c.applyLambda(lam(f, a[1]!), [x, i]))),
  reduce: (a, c, f) => (count(f, a, 3), arr(f, a[0]!).reduce<Json>((acc, x, i) => c.applyLambda(lam(f, a[2]!), [acc, x, i]), json(a[1]!))),
  sort: (a, c, f) => {
    count(f, a, 2);
    const l = lam(f, a[1]!);
    return [...arr(f, a[0]!)].sort((x, y) => (c.applyLambda(l, [x, y]) === true ? -1 : c.applyLambda(l, [y, x]) === true ? 1 : 0));
  },
  toObject: (a, c, f) => {
    count(f, a, 2, 3);
    const o: JsonObject = {};
    for (const x of arr(f, a[0]!)) o[str(f, c.applyLambda(lam(f, a[1]!), [x]))] = a.length > 2 ? c.applyLambda(lam(f, a[2]!), [x]) : x;
    return o;
  },
  groupBy: (a, c, f) => {
    count(f, a, 2);
    const o: JsonObject = {};
    for (const x of arr(f, a[0]!)) {
      const k = str(f, c.applyLambda(lam(f, a[1]!), [x]));
      ((o[k] ??= []) as Json[]).push(x);
    }
    return o;
  },
  mapValues: (a, c, f) => {
    count(f, a, 2);
    if (!isObject(a[0])) throw fnErrors.badParameter(f, "Expected an object.");
    return Object.fromEntries(Object.entries(a[0]).map(([k, v]) => [k, c.applyLambda(lam(f, a[1]!), [v])]));
  },
  lambdaVariables: (a, c, f) => {
    count(f, a, 1);
    const n = str(f, a[0]!);
    if (!c.lambdaVars.has(n)) throw new ExpressionError(`The lambda variable '${n}' is not defined.`);
    return c.lambdaVars.get(n)!;
  },

  // dates (utcNow only where Azure allows it: parameter default values; the engine checks)
  utcNow: (a, c, f) => (count(f, a, 0, 1), formatDate(c.utcNow(), a.length ? str(f, a[0]!) : "yyyyMMdd'T'HHmmss'Z'")),
  dateTimeAdd: (a, _c, f) => {
    count(f, a, 2, 3);
    const d = addDuration(parseDate(f, str(f, a[0]!)), str(f, a[1]!));
    return a.length > 2 ? formatDate(d, str(f, a[2]!)) : isoSeconds(d);
  },
  dateTimeFromEpoch: (a, _c, f) => (count(f, a, 1), isoSeconds(new Date(int(f, a[0]!) * 1000))),
  dateTimeToEpoch: (a, _c, f) => (count(f, a, 1), Math.floor(parseDate(f, str(f, a[0]!)).getTime() / 1000)),

  // CIDR
  parseCidr: (a, _c, f) => {
    count(f, a, 1);
    const c = cidrArg(f, str(f, a[0]!));
    const bits = BigInt(addressBits(c.family));
    const hostBits = bits - BigInt(c.prefixLength);
    const mask = ((1n << bits) - 1n) ^ ((1n << hostBits) - 1n);
    const out: JsonObject = { network: formatAddress(firstAddress(c)), netmask: formatAddress({ family: c.family, value: mask }) };
    if (c.family === 4) out.broadcast = formatAddress(lastAddress(c));
    out.firstUsable = at(c, reserved(c));
    out.lastUsable = at(c, size(c) - 1n - reserved(c));
    out.cidr = c.prefixLength;
    return out;
  },
  cidrSubnet: (a, _c, f) => {
    count(f, a, 3);
    const c = cidrArg(f, str(f, a[0]!));
    const length = int(f, a[1]!);
    const sub = subnetAt(c, length, int(f, a[2]!));
    if (!sub) throw fnErrors.badParameter(f, `The new CIDR '${length}' and subnet index '${String(a[2])}' do not fit in '${formatCidr(c)}'.`);
    return formatCidr(sub);
  },
  cidrHost: (a, _c, f) => {
    count(f, a, 2);
    const c = cidrArg(f, str(f, a[0]!));
    const idx = BigInt(int(f, a[1]!));
    // index 0 is the first usable host (after the network address)
    if (idx < 0n || idx >= size(c) - 2n * reserved(c)) throw fnErrors.badParameter(f, `The host index '${idx}' is out of range for '${formatCidr(c)}'.`);
    return at(c, idx + reserved(c));
  },

  // deployment values
  parameters: (a, c, f) => (count(f, a, 1), c.parameter(str(f, a[0]!))),
  variables: (a, c, f) => (count(f, a, 1), c.variable(str(f, a[0]!))),
  deployment: (a, c, f) => (count(f, a, 0), c.deployment()),
  environment: (a, c, f) => (count(f, a, 0), c.environment()),
  resourceGroup: (a, c, f) => (count(f, a, 0), c.resourceGroup()),
  subscription: (a, c, f) => (count(f, a, 0), c.subscription()),
  tenant: (a, c, f) => (count(f, a, 0), c.tenant()),

  // resources
  resourceId: (a, c, f) => (count(f, a, 2, ANY), resourceIdFn(a, c, f)),
  subscriptionResourceId: (a, c, f) => {
    count(f, a, 2, ANY);
    const s = a.map((x) => str(f, x));
    const typeAt = s.findIndex((x) => x.includes("/"));
    if (typeAt < 0 || typeAt > 1) throw fnErrors.badParameter(f, "The type segment is missing or misplaced.");
    const sub = typeAt === 1 ? s[0]! : c.scope.subscriptionId;
    return `/subscriptions/${sub}` + providerPath(f, s[typeAt], s.slice(typeAt + 1));
  },
  tenantResourceId: (a, _c, f) => {
    count(f, a, 2, ANY);
    const s = a.map((x) => str(f, x));
    return providerPath(f, s[0]!, s.slice(1));
  },
  managementGroupResourceId: (a, _c, f) => {
    count(f, a, 3, ANY);
    const s = a.map((x) => str(f, x));
    const typeAt = s.findIndex((x) => x.includes("/"));
    if (typeAt !== 1) throw fnErrors.badParameter(f, "Pass the management group id before the type.");
    return `/providers/Microsoft.Management/managementGroups/${s[0]}` + providerPath(f, s[1]!, s.slice(2));
  },
  extensionResourceId: (a, _c, f) => {
    count(f, a, 3, ANY);
    const s = a.map((x) => str(f, x));
    return s[0]!.replace(/\/+$/, "") + providerPath(f, s[1]!, s.slice(2));
  },
  reference: (a, c, f) => {
    count(f, a, 1, 3);
    const full = a.length > 2 && str(f, a[2]!).toLowerCase() === "full";
    return c.reference(str(f, a[0]!), a.length > 1 && a[1] !== null ? str(f, a[1]!) : undefined, full);
  },
  references: (a, c, f) => (count(f, a, 1, 2), c.references(str(f, a[0]!), a.length > 1 && str(f, a[1]!).toLowerCase() === "full")),
};

function parseJson(f: string, s: string): Json {
  try {
    return JSON.parse(s) as Json;
  } catch {
    throw new ExpressionError(`Unable to evaluate the template language function '${f}'. The argument provided is not a valid JSON string.`);
  }
}

const BY_LOWER = new Map(Object.entries(FUNCTIONS).map(([k, v]) => [k.toLowerCase(), v]));

export function lookupFunction(name: string): Fn | undefined {
  const f = BY_LOWER.get(name.toLowerCase());
  if (f) return f;
  // list*(resourceIdOrName, apiVersion, [functionValues]) → POST {id}/{action}
  if (/^list/i.test(name))
    return (a, c, fn) => {
      count(fn, a, 2, 3);
      return c.list(fn, str(fn, a[0]!), str(fn, a[1]!), a.length > 2 ? json(a[2]!) : undefined);
    };
  return undefined;
}

/** Names of the functions the engine implements (for docs/coverage.md). */
export function functionNames(): string[] {
  return [...Object.keys(FUNCTIONS), "if", "lambda", "list*"].sort((a, b) => a.localeCompare(b));
}
