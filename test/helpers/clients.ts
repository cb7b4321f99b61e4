// Where the pinned current clients live (scripts/clients.mjs installs them into .tools/), and
// the skip rule: outside CI a missing client skips its tests naming the install command; with
// CI=true a missing client is a failure (the describe body throws instead of skipping).
import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./emulator.js";

export const CURRENT_AZ = path.join(REPO_ROOT, ".tools/az-venv/bin/az");
export const SDK_PYTHON = path.join(REPO_ROOT, ".tools/py-venv/bin/python");
export const HELM = path.join(REPO_ROOT, ".tools/bin/helm");
export const ETCD = path.join(REPO_ROOT, ".tools/bin/etcd");
export const KUBECTL = path.join(REPO_ROOT, ".tools/kubectl-v32");

/** `skip` option for describe(): false when `bin` exists; a reason naming the install command otherwise (an error in CI). */
export function needClient(bin: string, what: string): false | string {
  if (fs.existsSync(bin)) return false;
  const reason = `${what} not installed (${path.relative(REPO_ROOT, bin)}); install it with: npm run clients`;
  if (process.env.CI === "true") throw new Error(`CI=true: ${reason}`);
  return reason;
}

/** Debian's chromium (`.ci/run` installs it), which the console's browser tests drive with playwright-core. */
export const CHROMIUM = process.env.AKSEMU_CHROMIUM || "/usr/bin/chromium";

/** `skip` option for the browser tests: false when chromium is there; outside CI a reason naming the install command; in CI an error. */
export function needChromium(): false | string {
  if (fs.existsSync(CHROMIUM)) return false;
  const reason = `chromium not installed (${CHROMIUM}); install it with: apt-get install chromium`;
  if (process.env.CI === "true") throw new Error(`CI=true: ${reason}`);
  return reason;
}
