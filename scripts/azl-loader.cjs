#!/usr/bin/env node
// azl's start file (copied to dist/azl/azl.js by scripts/bundle-azl.mjs): loads the bundle's
// CommonJS chunks itself, each through vm.Script with V8's code cache, so a command neither starts
// Node's ES module loader nor parses and compiles the code it ran last time again (Node 20 has no
// compile cache of its own). The cache lives in the user's azl directory ($AZL_CONFIG_DIR or
// ~/.azl, beside the token cache), one file per chunk, keyed by the Node version, the chunk's
// content-hashed name and its size and mtime. V8 runs cached code without checking it against the
// source, so a cache file another user could write would be code injection: the cache is read and
// written only when its file and directories are this user's and writable by no one else.
// AZL_NO_CODE_CACHE=1 turns it off.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const MAIN = "__AZL_MAIN__";
const env = process.env;
const uid = process.getuid ? process.getuid() : undefined;
const loaded = new Map();
const toWrite = [];
let cacheDir; // undefined: not looked up yet; null: no usable cache

function privateEntry(p, dir, follow = false) {
  try {
    const s = follow ? fs.statSync(p) : fs.lstatSync(p);
    return (dir ? s.isDirectory() : s.isFile()) && (uid === undefined || s.uid === uid) && (s.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

function codeCacheDir() {
  if (cacheDir !== undefined) return cacheDir;
  cacheDir = null;
  if (env.AZL_NO_CODE_CACHE === "1" || process.platform === "win32") return null;
  const home = env.HOME || require("node:os").homedir();
  const config = path.resolve(env.AZL_CONFIG_DIR || path.join(home, ".azl"));
  const dir = path.join(config, "code-cache", `${process.version}-${process.arch}`);
  try {
    if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    return null;
  }
  // a config directory reached through this user's link is fine (its target decides, as for the token cache)
  if (privateEntry(config, true, true) && privateEntry(path.dirname(dir), true) && privateEntry(dir, true)) cacheDir = dir;
  return cacheDir;
}

function load(name) {
  const hit = loaded.get(name);
  if (hit) return hit.exports;
  const file = path.join(__dirname, name);
  const module = { exports: {} };
  loaded.set(name, module);
  const fd = fs.openSync(file, "r");
  let source, stat;
  try {
    stat = fs.fstatSync(fd);
    source = fs.readFileSync(fd, "utf8");
  } finally {
    fs.closeSync(fd);
  }
  const dir = codeCacheDir();
  const cacheFile = dir && path.join(dir, `${name}.${stat.size}.${Math.trunc(stat.mtimeMs)}.v8`);
  let cachedData;
  if (cacheFile && privateEntry(cacheFile, false)) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __azlMetaUrl) {${source}\n})`, { filename: file, cachedData });
  if (cacheFile && (!cachedData || script.cachedDataRejected)) toWrite.push({ name, cacheFile, script });
  const req = (id) => (id.startsWith("./") ? load(id.slice(2)) : require(id));
  const metaUrl = source.includes("__azlMetaUrl") ? require("node:url").pathToFileURL(file).href : undefined;
  script.runInThisContext().call(module.exports, module.exports, req, module, file, __dirname, metaUrl);
  return module.exports;
}

// After the command ran, so the cache also holds the functions it compiled lazily.
process.once("exit", () => {
  if (!toWrite.length) return;
  // prune what earlier builds left: a written chunk's caches for other copies of it (another
  // checkout's file has another mtime) once a day old, so two checkouts in use do not keep
  // deleting each other's; any other chunk's once a week old if it is not in this build
  const written = new Set(toWrite.map((w) => w.name));
  for (const f of safe(() => fs.readdirSync(cacheDir)) ?? []) {
    const p = path.join(cacheDir, f);
    const chunk = f.slice(0, f.indexOf(".js.") + 3);
    const age = Date.now() - (safe(() => fs.lstatSync(p).mtimeMs) ?? Date.now());
    if (written.has(chunk) ? age > 86_400_000 : age > 7 * 86_400_000 && !fs.existsSync(path.join(__dirname, chunk))) safe(() => fs.rmSync(p, { force: true }));
  }
  for (const { cacheFile, script } of toWrite) {
    const tmp = `${cacheFile}.${process.pid}`;
    safe(() => {
      fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      fs.renameSync(tmp, cacheFile);
    });
  }
});

/** The cache is an optimisation only: any failure leaves it as it was. */
function safe(f) {
  try {
    return f();
  } catch {
    return undefined;
  }
}

load(MAIN);
