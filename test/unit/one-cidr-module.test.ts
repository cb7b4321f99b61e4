// IPv4 and CIDR arithmetic lives in src/network/cidr.ts only (issue 11): every other file parses,
// formats and carves addresses through it. This check fails on the shapes a hand-written
// conversion takes (octet shifts, /24 masks, 2 ** (32 - bits), dotted-quad regexes).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../src");
const HOME = "network/cidr.ts";

const PATTERNS: Array<[string, RegExp]> = [
  ["an octet shifted into place (<< 24 / >>> 24)", /(?:<<|>>>?)\s*24\b/],
  ["an octet shifted into place (<< 8) + / (<< 16) +", /<<\s*(?:8|16)\)\s*\+/],
  ["a netmask built by shifting all ones", /(?:0xffffffff|~0)\s*(?:<<|>>>)/i],
  ["a /24 mask or its arithmetic", /0xffffff00|\b16777216\b/i],
  ["a prefix size as 2 ** (32 - bits)", /2\s*\*\*\s*\(\s*(?:32|24)\s*-/],
  // four "\d+" or "(\d{1,3})" groups joined by "\." (three-part versions such as 1.31.2 pass)
  ["a dotted-quad regex instead of parseAddress", new RegExp(Array(4).fill(String.raw`\(?\\d(?:\+|\{1,3\})\)?`).join(String.raw`\\\.`))],
];

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.name.endsWith(".ts") ? [p] : [];
  });
}

export function reimplementations(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  return PATTERNS.filter(([, re]) => re.test(code)).map(([what]) => what);
}

test("the check recognises the hand-written conversions it replaced", () => {
  const seen = (s: string) => reimplementations(s).length > 0;
  assert.ok(seen(`return ip.split(".").reduce((n, o) => (n << 8) + (Number(o) & 0xff), 0) >>> 0;`));
  assert.ok(seen(`return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join(".");`));
  assert.ok(seen(`const mask = b === 0 ? 0 : (0xffffffff << (32 - b)) >>> 0;`));
  assert.ok(seen(`const n = ((ipNum(addr!) & 0xffffff00) >>> 0) + k * 256;`));
  assert.ok(seen(`return bits > 24 ? 0 : 2 ** (24 - bits);`));
  assert.ok(seen(`const m = /^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$/.exec(v);`));
  assert.ok(seen(`if (/^\\d+\\.\\d+\\.\\d+\\.\\d+$/.test(host)) return host;`));
  assert.ok(!seen(`const [maj, min] = current.split(".").map(Number); // versions, not addresses`));
  assert.ok(!seen(`if (a.kubernetes_version && !/^\\d+\\.\\d+(\\.\\d+)?$/.test(v)) fail();`));
});

test("no file outside network/cidr.ts re-implements IPv4/CIDR conversion", () => {
  const found: string[] = [];
  for (const file of walk(SRC)) {
    const rel = path.relative(SRC, file).split(path.sep).join("/");
    if (rel === HOME || rel.startsWith("kube/proto/")) continue; // generated protobuf schema
    for (const what of reimplementations(fs.readFileSync(file, "utf8"))) found.push(`src/${rel}: ${what}`);
  }
  assert.deepEqual(found, [], "use src/network/cidr.ts (extend it, with a unit test, where it lacks something)");
});
