// docs/fidelity.md and docs/coverage.md carry generated tables: they must match the code.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { REPO_ROOT } from "../helpers/emulator.js";

test("generated docs tables are up to date (node scripts/gen-docs.mjs)", () => {
  const r = spawnSync(process.execPath, ["scripts/gen-docs.mjs", "--check"], { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr || r.stdout);
});
