// Binds the supplied parameter values to the template's declarations: unknown names, missing
// values, types and constraints, with ARM's InvalidTemplate texts. Supplied values are literal
// ("[x]" given at deploy time is not an expression); default values are evaluated.
import { templateError, inner, type TemplateLocation } from "./errors.js";
import { type Json, type JsonObject, isObject, typeName, deepEqual } from "./values.js";

export interface ParameterDecl {
  type: string;
  defaultValue?: Json;
  allowedValues?: Json[];
  minValue?: number;
  maxValue?: number;
  minLength?: number;
  maxLength?: number;
  nullable?: boolean;
  metadata?: Json;
}

/** The type names deployment responses echo ("String", "SecureString", "Int", ...). */
export function echoType(t: string): string {
  switch (t.toLowerCase()) {
    case "string":
      return "String";
    case "securestring":
      return "SecureString";
    case "int":
      return "Int";
    case "bool":
      return "Bool";
    case "object":
      return "Object";
    case "secureobject":
      return "SecureObject";
    case "array":
      return "Array";
    default:
      return t;
  }
}

export function isSecure(t: string): boolean {
  return /^secure/i.test(t);
}

/** What ARM's JToken check expects for a declared type. */
function expected(t: string): { label: string; ok: (v: Json) => boolean } | undefined {
  switch (t.toLowerCase()) {
    case "string":
    case "securestring":
      return { label: "String, Uri", ok: (v) => typeof v === "string" };
    case "int":
      return { label: "Integer", ok: (v) => typeof v === "number" && Number.isInteger(v) };
    case "bool":
      return { label: "Boolean", ok: (v) => typeof v === "boolean" };
    case "object":
    case "secureobject":
      return { label: "Object", ok: isObject };
    case "array":
      return { label: "Array", ok: Array.isArray };
    default:
      return undefined;
  }
}

/** Names of supplied parameters the template does not declare → the ARM error, or undefined. */
export function checkSuppliedNames(decls: Record<string, ParameterDecl>, supplied: JsonObject, loc: TemplateLocation) {
  const declared = Object.keys(decls);
  const lower = new Set(declared.map((n) => n.toLowerCase()));
  const unknown = Object.keys(supplied).filter((n) => !lower.has(n.toLowerCase()));
  if (unknown.length > 0) return templateError(inner.unknownParameters(unknown, declared), { ...loc, line: 0, column: 0 });
  return undefined;
}

/** Checks one bound value against its declaration; returns the error or undefined. */
export function checkValue(name: string, d: ParameterDecl, v: Json, loc: TemplateLocation) {
  if (v === null && d.nullable) return undefined;
  const ex = expected(d.type);
  if (!ex) return templateError(`The template parameter '${name}' at line '${loc.line}' and column '${loc.column}' has an invalid type '${d.type}'. Please see https://aka.ms/arm-syntax-parameters for usage details.`, loc);
  if (!ex.ok(v)) return templateError(inner.parameterType(ex.label, typeName(v)), loc);
  if (d.allowedValues) {
    const allowed = d.allowedValues;
    const inAllowed = (x: Json) => allowed.some((a) => deepEqual(a, x));
    const ok = Array.isArray(v) && !allowed.some(Array.isArray) ? v.every(inAllowed) : inAllowed(v);
    if (!ok) return templateError(inner.notAllowed(name, loc), loc);
  }
  const len = typeof v === "string" || Array.isArray(v) ? v.length : undefined;
  if (len !== undefined && d.maxLength !== undefined && len > d.maxLength) return templateError(inner.tooLong(name, loc, d.maxLength), loc);
  if (len !== undefined && d.minLength !== undefined && len < d.minLength) return templateError(inner.tooShort(name, loc, d.minLength), loc);
  if (typeof v === "number" && d.maxValue !== undefined && v > d.maxValue) return templateError(inner.tooBig(name, loc, d.maxValue), loc);
  if (typeof v === "number" && d.minValue !== undefined && v < d.minValue) return templateError(inner.tooSmall(name, loc, d.minValue), loc);
  return undefined;
}
