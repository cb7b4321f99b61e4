// azl's code cache (scripts/azl-loader.cjs, dist/azl/azl.js): V8 runs cached code without
// comparing it with the source (it checks the source's length, its own version and flags), so a
// cache file someone else can write is code injection. These tests plant such a file (compiled
// from other code of the same length) and check that azl runs it only from a directory and a file
// this user alone can write: the positive case shows the planted file really would run, so the
// negative cases cannot pass by accident.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { tempDir, AZL_BIN } from "../helpers/emulator.js";

const DIST = path.dirname(AZL_BIN);
const MAIN = /"(main-[A-Z0-9]+\.js)"/.exec(fs.readFileSync(AZL_BIN, "utf8"))![1]!;
const CACHE_SUBDIR = path.join("code-cache", `${process.version}-${process.arch}`);

function azl(configDir: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [AZL_BIN, ...args], { env: { PATH: process.env.PATH, HOME: configDir, AZL_CONFIG_DIR: configDir, ...extraEnv } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A cache for the main chunk's file that V8 accepts but that runs other code: prints INJECTED. */
function plant(cacheDir: string): string {
  const file = path.join(DIST, MAIN);
  const st = fs.statSync(file);
  const source = fs.readFileSync(file, "utf8");
  const evil = `if(globalThis.__azlPlanting)return;process.stdout.write("INJECTED\\n");`;
  const wrap = (s: string) => `(function (exports, require, module, __filename, __dirname, __azlMetaUrl) {${s}\n})`;
  const script = new vm.Script(wrap(evil.padEnd(source.length, " ")), { filename: file });
  // run it once (harmlessly) so the function's own bytecode is in the cache too
  (globalThis as { __azlPlanting?: boolean }).__azlPlanting = true;
  (script.runInThisContext() as () => void)();
  delete (globalThis as { __azlPlanting?: boolean }).__azlPlanting;
  const cacheFile = path.join(cacheDir, `${MAIN}.${st.size}.${Math.trunc(st.mtimeMs)}.v8`);
  fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(cacheFile, script.createCachedData(), { mode: 0o600 });
  return cacheFile;
}

function privateConfigDir(): { config: string; cacheDir: string } {
  const config = tempDir("azl-code-cache-");
  fs.chmodSync(config, 0o700);
  return { config, cacheDir: path.join(config, CACHE_SUBDIR) };
}

test("azl writes its code cache privately and runs from it", async () => {
  const { config, cacheDir } = privateConfigDir();
  try {
    const first = await azl(config, ["--version"]);
    assert.equal(first.code, 0, first.stderr);
    const files = fs.readdirSync(cacheDir);
    assert.ok(files.some((f) => f.startsWith(`${MAIN}.`) && f.endsWith(".v8")), files.join(" "));
    assert.equal(fs.statSync(cacheDir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.dirname(cacheDir)).mode & 0o777, 0o700);
    for (const f of files) assert.equal(fs.statSync(path.join(cacheDir, f)).mode & 0o777, 0o600, f);
    const second = await azl(config, ["--version"]);
    assert.equal(second.stdout, first.stdout);
    assert.match(second.stdout, /^azure-cli\s+\d/);
  } finally {
    fs.rmSync(config, { recursive: true, force: true });
  }
});

test("a planted cache file runs when the directory is trusted (so the checks below matter)", async () => {
  const { config, cacheDir } = privateConfigDir();
  try {
    plant(cacheDir);
    const r = await azl(config, ["--version"]);
    assert.equal(r.stdout, "INJECTED\n", "V8 no longer accepts a cache compiled from other source of the same length: this test's planted file is no longer a valid attack, revisit it");
    assert.equal((await azl(config, ["--version"], { AZL_NO_CODE_CACHE: "1" })).stdout.startsWith("azure-cli"), true, "AZL_NO_CODE_CACHE=1 reads no cache");
  } finally {
    fs.rmSync(config, { recursive: true, force: true });
  }
});

test("azl neither reads nor writes a code cache others can write to", async () => {
  const cases: Array<[string, (config: string, cacheDir: string, file: string) => void]> = [
    ["cache file writable by others", (_c, _d, f) => fs.chmodSync(f, 0o666)],
    ["cache file writable by its group", (_c, _d, f) => fs.chmodSync(f, 0o620)],
    ["cache directory writable by others", (_c, d) => fs.chmodSync(d, 0o777)],
    ["code-cache directory writable by others", (_c, d) => fs.chmodSync(path.dirname(d), 0o777)],
    ["azl directory writable by its group", (c) => fs.chmodSync(c, 0o770)],
    [
      "cache file is a symbolic link",
      (_c, d, f) => {
        const target = path.join(d, "elsewhere");
        fs.renameSync(f, target);
        fs.symlinkSync(target, f);
      },
    ],
  ];
  for (const [what, loosen] of cases) {
    const { config, cacheDir } = privateConfigDir();
    try {
      const file = plant(cacheDir);
      loosen(config, cacheDir, file);
      const before = fs.readdirSync(cacheDir).sort();
      const r = await azl(config, ["--version"]);
      assert.equal(r.code, 0, `${what}: ${r.stderr}`);
      assert.match(r.stdout, /^azure-cli\s+\d/, `${what}: the planted cache ran`);
      if (what.includes("directory")) assert.deepEqual(fs.readdirSync(cacheDir).sort(), before, `${what}: azl wrote a cache there`);
    } finally {
      fs.rmSync(config, { recursive: true, force: true });
    }
  }
});
