// Tests may skip for a missing external client (kubectl, az, helm: test/helpers/clients.ts), never
// because their own code failed to load: a caught error turned into a skip hides a broken build.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const TEST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../test");

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.name.endsWith(".ts") ? [p] : [];
  });
}

/** A catch block (up to its first closing brace) that skips or returns a skip. */
const CATCH_THEN_SKIP = /\bcatch\s*(?:\([^)]*\))?\s*\{[^}]*\bskip\s*\(/g;

export function skipsOnError(source: string): number {
  return [...source.matchAll(CATCH_THEN_SKIP)].length;
}

test("the check sees a caught import failure turned into a skip", () => {
  assert.equal(skipsOnError(`try {\n ({ X } = await import("./x.js"));\n} catch (e) {\n t.skip(\`no X: \${e}\`);\n return;\n}`), 1);
  assert.equal(skipsOnError(`try { run(); } catch { return t.skip("broken"); }`), 1);
  assert.equal(skipsOnError(`test("x", { skip: kubectlMissing(K) }, () => {});\ntry { a(); } catch (e) { throw e; }`), 0);
});

test("no test turns a caught error (an import failure) into a skip", () => {
  const offenders = walk(TEST).filter((f) => !f.endsWith("no-skip-on-failure.test.ts") && skipsOnError(fs.readFileSync(f, "utf8")) > 0);
  assert.deepEqual(offenders.map((f) => path.relative(TEST, f)), []);
});
