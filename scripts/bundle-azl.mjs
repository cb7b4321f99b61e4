// Bundles azl (from tsc's output) into dist/azl/ with esbuild: one entry file plus chunks that
// are loaded on demand, so a command loads only the Azure SDK client it uses. Node's ESM loader
// resolving and reading hundreds of files per SDK package was most of azl's start-up time.
// esbuild splits code into chunks only for ES modules; each chunk is then turned into CommonJS
// (dynamic imports become require) and dist/azl/azl.js is scripts/azl-loader.cjs, which loads
// them with V8's code cache: no ES module loader at all, and no recompiling (Node 20 has no compile
// cache of its own; the ES module loader alone costs about a third of `node -e 0`).
// Usage: node scripts/bundle-azl.mjs   (after tsc; `npm run build` runs both)
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { build, transform } from "esbuild";

// The SDK's proxy policy imports https-proxy-agent and http-proxy-agent (and through them
// `debug`) at load; they are needed only when HTTPS_PROXY/HTTP_PROXY is set. Each becomes a class
// that loads the real package when it is first constructed (the code stays in the bundle).
const req = createRequire(import.meta.url);
const lazyAgents = {
  name: "lazy-proxy-agents",
  setup(b) {
    b.onResolve({ filter: /^https?-proxy-agent$/ }, (a) => (a.namespace === "lazy-agent" ? undefined : { path: a.path, namespace: "lazy-agent" }));
    b.onLoad({ filter: /.*/, namespace: "lazy-agent" }, (a) => {
      const cls = a.path === "https-proxy-agent" ? "HttpsProxyAgent" : "HttpProxyAgent";
      const real = JSON.stringify(req.resolve(a.path));
      return { contents: `exports.${cls} = class { constructor(...args) { const R = require(${real}).${cls}; return new R(...args); } };`, loader: "js", resolveDir: process.cwd() };
    });
  },
};

// The SDK's Node HTTP client imports node:https and node:zlib at load (and with https, tls and
// its crypto modules); over the emulator's local socket azl needs neither, and zlib only for a
// compressed answer. Each becomes an object whose properties load the real module when first read.
const LAZY_BUILTINS = ["node:https", "node:zlib"];
const lazyBuiltins = {
  name: "lazy-builtins",
  setup(b) {
    b.onResolve({ filter: /^node:(https|zlib)$/ }, (a) => (/ts-http-runtime[\\/].*nodeHttpClient\.js$/.test(a.importer) ? { path: a.path, namespace: "lazy-builtin" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (a) => {
      if (!LAZY_BUILTINS.includes(a.path)) throw new Error(`lazy-builtins: ${a.path}`);
      const keys = Object.keys(req(a.path)).filter((k) => k !== "default");
      const spec = JSON.stringify(a.path);
      const props = keys.map((k) => `get ${JSON.stringify(k)}() { return load()[${JSON.stringify(k)}]; }`).join(",\n");
      return { contents: `let m; const load = () => (m ??= require(${spec}));\nmodule.exports = {\n${props}\n};`, loader: "js", resolveDir: process.cwd() };
    });
  },
};

const outdir = "dist/azl";
const BANNER = "import{createRequire as __azlRequire}from'node:module';const require=__azlRequire(import.meta.url);";
const minify = process.env.AZL_BUNDLE_MINIFY !== "0";
rmSync(outdir, { recursive: true, force: true });
const { outputFiles } = await build({
  entryPoints: { main: "dist/src/cli/azl.js" },
  // every file name carries a hash of its content: the loader keys its code cache by name
  entryNames: "[name]-[hash]",
  outdir,
  write: false,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minify,
  // some CommonJS dependencies call require() for Node built-ins; give ESM chunks one (dropped
  // again below: the CommonJS chunks get the loader's require)
  banner: { js: BANNER },
  logLevel: "warning",
  legalComments: "none",
  // core-rest-pipeline asks `typeof FormData` on every request; in Node that global's first use
  // loads undici (fetch, http2, workers: ~60 ms). azl never sends multipart bodies.
  define: { FormData: "undefined" },
  plugins: [lazyAgents, lazyBuiltins],
});

mkdirSync(outdir, { recursive: true });
let main;
for (const f of outputFiles) {
  const name = path.basename(f.path);
  if (name.startsWith("main-")) main = name;
  const esm = f.text.replace(/^#!.*\n/, "").replace(BANNER, "");
  const cjs = await transform(esm, {
    format: "cjs",
    platform: "node",
    target: "node20",
    minify,
    legalComments: "none",
    // import() of a chunk or a built-in becomes require: nothing starts the ES module loader
    supported: { "dynamic-import": false },
    // the loader passes each chunk its file URL
    define: { "import.meta.url": "__azlMetaUrl" },
    logLevel: "warning",
  });
  if (/\bimport\s*\(|import\.meta/.test(cjs.code.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, ""))) throw new Error(`${name}: an import() or import.meta is left in the CommonJS chunk`);
  writeFileSync(path.join(outdir, name), cjs.code);
}
if (!main) throw new Error("no main chunk in esbuild's output");
// the chunks are CommonJS although the package is "type": "module"
writeFileSync(path.join(outdir, "package.json"), JSON.stringify({ type: "commonjs" }) + "\n");
const loader = readFileSync(new URL("./azl-loader.cjs", import.meta.url), "utf8");
if (!loader.includes('"__AZL_MAIN__"')) throw new Error("azl-loader.cjs: no __AZL_MAIN__ placeholder");
writeFileSync(path.join(outdir, "azl.js"), loader.replace('"__AZL_MAIN__"', JSON.stringify(main)));
chmodSync(path.join(outdir, "azl.js"), 0o755);
