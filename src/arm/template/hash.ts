// uniqueString() and guid() computed exactly as Azure Resource Manager does, so a redeployed
// template produces the same names (role assignments are named guid(...)).
// uniqueString: the arguments joined with '-', UTF-8, Microsoft's two-lane 32-bit "MurmurHash64"
// (seed 0), then 13 base32 characters from the top bits of the 64-bit result.
// guid: a name-based (version 5, SHA-1) UUID in the namespace 11fb06fb-712d-4ddd-98c7-e71bbd588830
// over the arguments joined with '-'. Both are checked against values computed by Azure's own
// engine in test/unit/arm-template-hash.test.ts.
import { createHash } from "node:crypto";

const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
const mul = (a: number, b: number) => Math.imul(a, b) >>> 0;

function fmix(h: number): number {
  h = (h ^ (h >>> 16)) >>> 0;
  h = mul(h, 2246822507);
  h = (h ^ (h >>> 13)) >>> 0;
  h = mul(h, 3266489909);
  return (h ^ (h >>> 16)) >>> 0;
}

export function murmurHash64(data: Uint8Array): bigint {
  const n = data.length;
  let h1 = 0;
  let h2 = 0;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const u32 = (i: number) => view.getUint32(i, true);
  let i = 0;
  for (; i + 7 < n; i += 8) {
    const k1 = mul(rotl(mul(u32(i), 597399067), 15), 2869860233);
    h1 = (mul((rotl((h1 ^ k1) >>> 0, 19) + h2) >>> 0, 5) + 1444728091) >>> 0;
    const k2 = mul(rotl(mul(u32(i + 4), 2869860233), 17), 597399067);
    h2 = (mul((rotl((h2 ^ k2) >>> 0, 13) + h1) >>> 0, 5) + 197830471) >>> 0;
  }
  const tail = n - i;
  if (tail > 0) {
    const k = tail >= 4 ? u32(i) : tail === 3 ? data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) : tail === 2 ? data[i]! | (data[i + 1]! << 8) : data[i]!;
    h1 = (h1 ^ mul(rotl(mul(k >>> 0, 597399067), 15), 2869860233)) >>> 0;
    if (tail > 4) {
      const k4 = tail === 7 ? data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) : tail === 6 ? data[i + 4]! | (data[i + 5]! << 8) : data[i + 4]!;
      h2 = (h2 ^ mul(rotl(mul(k4, 2869860233), 17), 597399067)) >>> 0;
    }
  }
  h1 = (h1 ^ n) >>> 0;
  h2 = (h2 ^ n) >>> 0;
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  return (BigInt(h2) << 32n) | BigInt(h1);
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

export function uniqueString(...parts: string[]): string {
  let v = murmurHash64(Buffer.from(parts.join("-"), "utf8"));
  let out = "";
  for (let j = 0; j < 13; j++) {
    out += BASE32[Number(v >> 59n)];
    v = (v << 5n) & 0xffffffffffffffffn;
  }
  return out;
}

const GUID_NAMESPACE = Buffer.from("11fb06fb712d4ddd98c7e71bbd588830", "hex");

export function templateGuid(...parts: string[]): string {
  const h = createHash("sha1").update(GUID_NAMESPACE).update(Buffer.from(parts.join("-"), "utf8")).digest();
  const b = Buffer.from(h.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const x = b.toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The template minified as calculateTemplateHash returns it: the JSON without insignificant whitespace. */
export function minifyTemplate(template: unknown): string {
  return JSON.stringify(template ?? null);
}

/**
 * A deployment's `templateHash`: a 64-bit decimal, as ARM reports it. ARM's own algorithm is not
 * public; this is the emulator's (MurmurHash64 of the minified template, the hash uniqueString
 * uses): stable across runs, and equal for templates that differ only in whitespace or comments.
 */
export function templateHash(template: unknown): string {
  return murmurHash64(Buffer.from(minifyTemplate(template), "utf8")).toString();
}
