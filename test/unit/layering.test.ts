// Layers point down only (docs/architecture.md, "Layers"). Reads every import of src/**/*.ts
// (static, type-only, re-exports and dynamic import()) and checks it against the ranking below.
// Today's violations are listed, each with its reason, in ALLOWED: the test fails when a new
// violation appears and also when a listed one is gone (a ratchet: delete its line).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const SRC = path.join(ROOT, "src");

/**
 * Rank of each layer: a file may import only from a strictly lower rank (or its own folder).
 * `arm/` is the framework providers plug into (providers import its types and helpers; it never
 * imports a provider), so it ranks below them; `entra/` registers routes through `arm/router`.
 * `cluster/` composes one cluster's Kubernetes API (`kube/`) with its simulation (`sim/`), so both
 * stay below it; the AKS provider reaches it only through the KubeBackend it is handed.
 * `emulator.ts` is the composition root that wires everything for `aksemu start`. `http/` is one
 * HTTP request (RequestContext): the HTTP adapters in arm/, entra/ and providers/ take it, the
 * resource service below them never does. `console/` is the web console's server side (its data
 * API reads records through arm/ and the network model's IPv4 helpers); only the composition root mounts it.
 */
export const RANK: Record<string, number> = {
  cli: 10,
  "emulator.ts": 9,
  server: 8,
  console: 7.5,
  providers: 7,
  entra: 6,
  arm: 5,
  http: 4.5,
  cluster: 4,
  sim: 3,
  kube: 2,
  network: 1,
  store: 0,
};

/** Known violations ("from -> to", paths below src/) with their reasons; none are left, and none may be added. */
const ALLOWED: Record<string, string> = {};

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

// import/export ... from "x", import "x", import("x"); comments are removed first.
const IMPORT = /\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;

export function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  return [...code.matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!);
}

function layerOf(rel: string): string {
  return rel.split("/")[0]!;
}

/** The folder a provider file belongs to ("providers/network"), or undefined for providers/*.ts. */
function providerOf(rel: string): string | undefined {
  const parts = rel.split("/");
  return parts[0] === "providers" && parts.length > 2 ? parts.slice(0, 2).join("/") : undefined;
}

/** Every import that breaks a rule, as "from -> to" (paths below src/). */
export function violations(): string[] {
  const out = new Set<string>();
  for (const file of walk(SRC)) {
    const from = path.relative(SRC, file).split(path.sep).join("/");
    for (const spec of importsOf(fs.readFileSync(file, "utf8"))) {
      if (!spec.startsWith(".")) continue; // packages and node: builtins
      const to = path.relative(SRC, path.resolve(path.dirname(file), spec)).split(path.sep).join("/").replace(/\.js$/, ".ts");
      const a = layerOf(from);
      const b = layerOf(to);
      if (RANK[a] === undefined) throw new Error(`src/${from}: layer ${a} has no rank in test/unit/layering.test.ts`);
      if (RANK[b] === undefined) throw new Error(`src/${from} imports ${spec}: layer ${b} has no rank`);
      if (a !== b) {
        if (RANK[b]! >= RANK[a]!) out.add(`${from} -> ${to}`);
        continue;
      }
      // Providers are siblings: they meet through arm/ (arm/internal.ts), never by importing each other.
      const pa = providerOf(from);
      const pb = providerOf(to);
      if (pa && pb && pa !== pb) out.add(`${from} -> ${to}`);
    }
  }
  return [...out].sort();
}

test("import scanner sees static, type-only, re-export, side-effect and dynamic imports, not comments", () => {
  const src = [
    `import a from "./a.js";`,
    `import type { B } from "../b.js";`,
    `import {\n  c,\n  d,\n} from "./cd.js";`,
    `export { e } from "./e.js";`,
    `export * from "./f.js";`,
    `import "./g.js";`,
    `const h = await import("./h.js");`,
    `// import x from "./commented.js";`,
    `/* import y from "./block.js"; */`,
    `const url = "https://example.invalid/x"; import z from "./z.js";`,
  ].join("\n");
  assert.deepEqual(importsOf(src), ["./a.js", "../b.js", "./cd.js", "./e.js", "./f.js", "./g.js", "./h.js", "./z.js"]);
});

test("layers point down only (new violations fail; fixed ones must leave the allowlist)", () => {
  const found = violations();
  const added = found.filter((v) => !(v in ALLOWED));
  const fixed = Object.keys(ALLOWED).filter((v) => !found.includes(v));
  const ranking = Object.entries(RANK)
    .map(([k, r]) => `${k}(${r})`)
    .join(" > ");
  const why: string[] = [];
  if (added.length) why.push(`new imports against the layering (${ranking}; providers do not import each other): ${added.join(", ")}. Import downwards, or move the shared code to a lower layer.`);
  if (fixed.length) why.push(`these allowlisted violations no longer exist, delete them from ALLOWED in test/unit/layering.test.ts: ${fixed.join(", ")}`);
  assert.deepEqual({ added, fixed }, { added: [], fixed: [] }, why.join("\n"));
});
