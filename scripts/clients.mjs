#!/usr/bin/env node
// The current real clients the tests drive, pinned, installed into .tools/ (ignored by git):
//   .tools/az-venv   the current Azure CLI from PyPI (its own venv: azure-cli pins its azure-mgmt-* versions)
//   .tools/py-venv   the current Azure SDK for Python (azure-identity + azure-mgmt-*)
//   .tools/bin/helm  Helm v4, built with `go install` (GOPATH and GOCACHE under .tools/go*, so a rerun is instant)
//   .tools/bin/etcd  etcd v3.6, built from its Go module (the etcd engine's tests, test/store/kv-etcd.test.ts)
// Usage:
//   node scripts/clients.mjs            install what is missing (idempotent; .ci/run and `npm run clients` call this)
//   node scripts/clients.mjs --check    only report (npm test's tools step): outside CI a missing client makes
//                                       its tests skip, naming `npm run clients`; with CI=true it is an error.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tools = path.join(root, ".tools");

/** Pinned versions (the newest each registry offered when written). Bump here and in README.md. */
export const PINS = {
  azureCli: "2.91.0",
  python: {
    "azure-identity": "1.27.0",
    "azure-mgmt-resource": "26.0.0",
    "azure-mgmt-network": "33.1.0",
    "azure-mgmt-containerservice": "41.9.0",
    "azure-mgmt-msi": "7.1.0",
    "azure-mgmt-authorization": "4.0.0",
  },
  helm: "v4.3.2",
  etcd: "v3.6.16",
};

const clients = [
  {
    name: `azure-cli ${PINS.azureCli}`,
    bin: path.join(tools, "az-venv/bin/az"),
    stamp: path.join(tools, "az-venv/.aksemu-pin"),
    pin: `azure-cli==${PINS.azureCli}`,
    install: () => pipInstall("az-venv", [`azure-cli==${PINS.azureCli}`]),
  },
  {
    name: "Azure SDK for Python",
    bin: path.join(tools, "py-venv/bin/python"),
    stamp: path.join(tools, "py-venv/.aksemu-pin"),
    pin: Object.entries(PINS.python).map(([k, v]) => `${k}==${v}`).join(" "),
    install: () => pipInstall("py-venv", Object.entries(PINS.python).map(([k, v]) => `${k}==${v}`)),
  },
  {
    name: `helm ${PINS.helm}`,
    bin: path.join(tools, "bin/helm"),
    stamp: path.join(tools, "bin/.helm-pin"),
    pin: PINS.helm,
    install: goInstallHelm,
  },
  {
    name: `etcd ${PINS.etcd}`,
    bin: path.join(tools, "bin/etcd"),
    stamp: path.join(tools, "bin/.etcd-pin"),
    pin: PINS.etcd,
    install: goBuildEtcd,
  },
];

function log(msg) {
  console.log(`clients: ${msg}`);
}

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "inherit"], timeout: 1_800_000 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(" ")} … exited with ${r.status}`);
}

function pipInstall(venv, reqs) {
  const dir = path.join(tools, venv);
  if (!fs.existsSync(path.join(dir, "bin/pip"))) {
    fs.rmSync(dir, { recursive: true, force: true });
    // Debian's python3 needs python3-venv for this (.ci/run installs it).
    run("python3", ["-m", "venv", dir]);
  }
  run(path.join(dir, "bin/pip"), ["install", "--quiet", "--disable-pip-version-check", ...reqs]);
}

function goInstallHelm() {
  run("go", ["install", `helm.sh/helm/v4/cmd/helm@${PINS.helm}`], {
    GOBIN: path.join(tools, "bin"),
    GOPATH: path.join(tools, "go"),
    GOCACHE: path.join(tools, "go-cache"),
    GOFLAGS: "-modcacherw",
  });
}

/**
 * `go install go.etcd.io/etcd/server/v3@VERSION` is refused ("The go.mod file for the module
 * providing named packages contains one or more replace directives"), so build it from a small
 * module of our own that requires it: the same source at the pinned version, its dependencies at
 * the versions its go.mod requires (Go ignores a dependency's replace directives).
 */
function goBuildEtcd() {
  const dir = path.join(tools, "etcd-build");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "go.mod"), "module aksemu.local/etcd-build\n\ngo 1.24\n");
  fs.writeFileSync(path.join(dir, "tools.go"), '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n');
  const env = { GOPATH: path.join(tools, "go"), GOCACHE: path.join(tools, "go-cache"), GOFLAGS: "-modcacherw" };
  const inDir = (args) => {
    const r = spawnSync("go", args, { cwd: dir, env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "inherit"], timeout: 1_800_000 });
    if (r.error) throw new Error(`go: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`go ${args.slice(0, 2).join(" ")} … exited with ${r.status}`);
  };
  inDir(["get", `go.etcd.io/etcd/server/v3@${PINS.etcd}`]);
  inDir(["mod", "tidy"]);
  inDir(["build", "-o", path.join(tools, "bin/etcd"), "go.etcd.io/etcd/server/v3"]);
}

/** Present and installed at the pinned version (the stamp records what was installed). */
function present(c) {
  if (!fs.existsSync(c.bin)) return false;
  try {
    return fs.readFileSync(c.stamp, "utf8").trim() === c.pin;
  } catch {
    return false;
  }
}

const checkOnly = process.argv.includes("--check");
const missing = [];
for (const c of clients) {
  if (present(c)) {
    log(`${c.name}: ${path.relative(root, c.bin)}`);
    continue;
  }
  if (checkOnly) {
    missing.push(c.name);
    continue;
  }
  const t0 = Date.now();
  log(`installing ${c.name} …`);
  try {
    c.install();
    fs.mkdirSync(path.dirname(c.stamp), { recursive: true });
    fs.writeFileSync(c.stamp, `${c.pin}\n`);
    log(`${c.name}: installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } catch (err) {
    log(`${c.name}: install failed: ${err.message}`);
    missing.push(c.name);
  }
}
if (missing.length > 0) {
  const msg = `missing: ${missing.join(", ")}; their tests skip. Install them with: npm run clients`;
  if (process.env.CI === "true") {
    console.error(`clients: CI=true and ${msg.replace("; their tests skip", "")} (failing instead of skipping)`);
    process.exit(1);
  }
  log(msg);
}
