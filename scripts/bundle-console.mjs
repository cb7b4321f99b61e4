// Builds the web console (console/) into dist/console/: type-checks it with its own tsconfig,
// bundles app.tsx with preact into one minified ES module, and copies index.html and app.css.
// src/console/routes.ts serves exactly these three files.
// Usage: node scripts/bundle-console.mjs   (`npm run build` runs it)
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { build } from "esbuild";

const req = createRequire(import.meta.url);
const tsc = spawnSync(process.execPath, [req.resolve("typescript/bin/tsc"), "-p", "console/tsconfig.json"], { stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const outdir = "dist/console";
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: { app: "console/app.tsx" },
  outdir,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["chrome110", "firefox115", "safari16"],
  jsx: "automatic",
  jsxImportSource: "preact",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
});
for (const f of ["index.html", "app.css"]) copyFileSync(`console/${f}`, `${outdir}/${f}`);
