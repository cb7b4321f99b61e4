// Bundles azl (from tsc's output) into dist/azl/ with esbuild: one entry file plus chunks that
// are loaded on demand, so a command loads only the Azure SDK client it uses. Node's ESM loader
// resolving and reading hundreds of files per SDK package was most of azl's start-up time.
// Usage: node scripts/bundle-azl.mjs   (after tsc; `npm run build` runs both)
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { build } from "esbuild";

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

const outdir = "dist/azl";
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { azl: "dist/src/cli/azl.js" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minify: process.env.AZL_BUNDLE_MINIFY !== "0",
  // some CommonJS dependencies call require() for Node built-ins; give ESM chunks one
  banner: { js: "import{createRequire as __azlRequire}from'node:module';const require=__azlRequire(import.meta.url);" },
  logLevel: "warning",
  legalComments: "none",
  // core-rest-pipeline asks `typeof FormData` on every request; in Node that global's first use
  // loads undici (fetch, http2, workers: ~60 ms). azl never sends multipart bodies.
  define: { FormData: "undefined" },
  plugins: [lazyAgents],
});
