// Decoder for Kubernetes' protobuf wire format (the "k8s\0" envelope around runtime.Unknown),
// which kubectl 1.32's typed clients use for some writes (e.g. `kubectl create deployment`).
// Schema-driven (schema.ts); produces the same JSON the object would have in JSON encoding.
import { errors } from "../errors.js";
import type { Obj } from "../util.js";
import { SCHEMA, type FieldDef } from "./schema.js";

export const PROTOBUF_CONTENT_TYPE = "application/vnd.kubernetes.protobuf";
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

// Pointer fields whose zero value is meaningful (gogo writes non-pointer zeros too, so other
// zero scalars are indistinguishable from "unset" and are dropped like JSON's omitempty).
const KEEP_ZERO = new Set(["replicas", "completions", "parallelism", "backoffLimit", "terminationGracePeriodSeconds", "gracePeriodSeconds", "exitCode"]);

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  eof(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error("truncated varint");
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
      if (shift > 70n) throw new Error("varint too long");
    }
  }
  bytes(): Buffer {
    const n = Number(this.varint());
    if (n < 0 || this.pos + n > this.buf.length) throw new Error("truncated length-delimited field");
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

function toInt(v: bigint, type: string): number {
  if (type === "int32" && v >= 0x80000000n) v = BigInt.asIntN(32, v);
  else if (type === "int64") v = BigInt.asIntN(64, v);
  return Number(v);
}

function scalar(r: Reader, wire: number, type: string): unknown {
  switch (type) {
    case "string":
      return r.bytes().toString("utf8");
    case "bytes":
      return r.bytes().toString("base64");
    case "bool":
      return r.varint() !== 0n;
    case "int32":
    case "int64":
    case "uint32":
    case "uint64":
      return toInt(r.varint(), type);
    case "double": {
      const v = r.buf.readDoubleLE(r.pos);
      r.pos += 8;
      return v;
    }
    case "float": {
      const v = r.buf.readFloatLE(r.pos);
      r.pos += 4;
      return v;
    }
    default:
      r.skip(wire);
      return undefined;
  }
}

const SCALARS = new Set(["string", "bytes", "bool", "int32", "int64", "uint32", "uint64", "double", "float"]);

/** Go structs embedded with `json:",inline"`: their fields belong to the parent in JSON. */
export const INLINE = new Set([
  "volumeSource:core.v1.VolumeSource",
  "localObjectReference:core.v1.LocalObjectReference",
  "handler:core.v1.ProbeHandler",
  "ephemeralContainerCommon:core.v1.EphemeralContainerCommon",
  "persistentVolumeSource:core.v1.PersistentVolumeSource",
  "ingressRuleValue:networking.v1.IngressRuleValue",
  "rule:admissionregistration.v1.Rule",
]);

function decodeMessage(buf: Buffer, type: string): unknown {
  const fields = SCHEMA[type];
  const r = new Reader(buf);
  const out: Obj = {};
  while (!r.eof()) {
    const key = Number(r.varint());
    const no = key >>> 3;
    const wire = key & 7;
    const def: FieldDef | undefined = fields?.[String(no)];
    if (!def) {
      r.skip(wire);
      continue;
    }
    const [name, ftype, repeated] = def;
    if (ftype.startsWith("map:")) {
      const vtype = ftype.slice(4);
      const entry = new Reader(r.bytes());
      let k = "";
      let v: unknown = SCALARS.has(vtype) ? (vtype === "string" || vtype === "bytes" ? "" : 0) : {};
      while (!entry.eof()) {
        const ek = Number(entry.varint());
        if (ek >>> 3 === 1) k = entry.bytes().toString("utf8");
        else if (ek >>> 3 === 2) v = SCALARS.has(vtype) ? scalar(entry, ek & 7, vtype) : decodeMessage(entry.bytes(), vtype);
        else entry.skip(ek & 7);
      }
      (out[name] ??= {})[k] = v;
      continue;
    }
    let value: unknown;
    if (SCALARS.has(ftype)) {
      if (repeated && wire === 2 && ftype !== "string" && ftype !== "bytes") {
        // Packed repeated scalars.
        const inner = new Reader(r.bytes());
        const arr = (out[name] ??= []) as unknown[];
        while (!inner.eof()) arr.push(scalar(inner, 0, ftype));
        continue;
      }
      value = scalar(r, wire, ftype);
    } else {
      value = decodeMessage(r.bytes(), ftype);
    }
    if (repeated) ((out[name] ??= []) as unknown[]).push(value);
    else if (INLINE.has(`${name}:${ftype}`) && value && typeof value === "object") Object.assign(out, value);
    else out[name] = value;
  }
  return special(type, out);
}

function rfc3339(seconds: number, nanos: number, micro: boolean): string | null {
  if (!seconds && !nanos) return null;
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  return micro ? `${base}.${String(Math.floor(nanos / 1000)).padStart(6, "0")}Z` : `${base}Z`;
}

/** Types whose JSON form is not an object. */
function special(type: string, o: Obj): unknown {
  switch (type) {
    case "meta.v1.Time":
      return rfc3339(o.seconds ?? 0, o.nanos ?? 0, false);
    case "meta.v1.MicroTime":
      return rfc3339(o.seconds ?? 0, o.nanos ?? 0, true);
    case "api.resource.Quantity":
      return o.string ?? "0";
    case "util.intstr.IntOrString":
      return o.type === 1 ? (o.strVal ?? "") : (o.intVal ?? 0);
    case "meta.v1.Duration": {
      const ns = Number(o.duration ?? 0);
      return `${ns / 1e9}s`;
    }
    case "meta.v1.FieldsV1":
    case "runtime.RawExtension": {
      const raw = o.Raw ?? o.raw;
      if (!raw) return {};
      try {
        return JSON.parse(Buffer.from(raw, "base64").toString("utf8"));
      } catch {
        return {};
      }
    }
  }
  return omitZero(o);
}

function omitZero(o: Obj): Obj {
  for (const [k, v] of Object.entries(o)) {
    if (v === null || v === undefined || v === "" || v === false) delete o[k];
    else if (v === 0 && !KEEP_ZERO.has(k)) delete o[k];
  }
  return o;
}

/** group/version/kind → schema message name. */
function messageType(apiVersion: string, kind: string): string {
  // DeleteOptions is meta/v1's message, registered into every group-version (client-go sends it
  // as {apiVersion: "v1", kind: "DeleteOptions"} on a core DELETE, e.g. Helm purging a release).
  if (kind === "DeleteOptions") return "meta.v1.DeleteOptions";
  const [g, v] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  // Proto packages are named by the group's first label (rbac.authorization.k8s.io → rbac).
  const group = g === "" ? "core" : g!.split(".")[0]!;
  return `${group}.${v}.${kind}`;
}

export function isProtobuf(buf: Buffer): boolean {
  return buf.length >= 4 && buf.subarray(0, 4).equals(MAGIC);
}

/** Decode a protobuf request body into the object's JSON form. */
export function decodeProtobufObject(buf: Buffer): Obj {
  if (!isProtobuf(buf)) throw errors.badRequest("provided protobuf data does not start with the Kubernetes magic number");
  let unknown: Obj;
  try {
    unknown = decodeMessage(buf.subarray(4), "runtime.Unknown") as Obj;
  } catch (err) {
    throw errors.badRequest(`unable to decode protobuf envelope: ${(err as Error).message}`);
  }
  const apiVersion = unknown.typeMeta?.apiVersion ?? "";
  const kind = unknown.typeMeta?.kind ?? "";
  const type = messageType(apiVersion, kind);
  if (!SCHEMA[type]) throw errors.unsupportedMediaType(PROTOBUF_CONTENT_TYPE, ["application/json", "application/yaml"]);
  let obj: Obj;
  try {
    obj = decodeMessage(Buffer.from(unknown.raw ?? "", "base64"), type) as Obj;
  } catch (err) {
    throw errors.badRequest(`unable to decode protobuf ${kind}: ${(err as Error).message}`);
  }
  return { apiVersion, kind, ...obj };
}
