// `az aks command invoke` for a running cluster: AKS runs the command in a pod that has kubectl
// and an admin kubeconfig; the emulator runs a real kubectl binary against the cluster's own
// listener with the admin credentials. Private clusters work too, as in Azure, because the
// command runs "inside" the cluster's network.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const TIMEOUT_MS = 120_000;
const MAX_OUTPUT = 512 * 1024;

/** kubectl for command invoke: AKSEMU_KUBECTL, the one extracted from the npm package, or PATH. */
export function findKubectl(): string | undefined {
  const candidates = [process.env.AKSEMU_KUBECTL, path.join(PACKAGE_ROOT, ".tools/kubectl-v32")];
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) if (dir) candidates.push(path.join(dir, "kubectl"));
  for (const c of candidates) {
    if (!c) continue;
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return c;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** Split a command line like a POSIX shell would for simple commands (quotes, backslashes). */
export function shellSplit(cmd: string): string[] {
  const out: string[] = [];
  let cur = "";
  let has = false;
  let q: '"' | "'" | undefined;
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i]!;
    if (q) {
      if (c === q) q = undefined;
      else if (c === "\\" && q === '"' && i + 1 < cmd.length) cur += cmd[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      q = c;
      has = true;
    } else if (c === "\\" && i + 1 < cmd.length) {
      cur += cmd[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = "";
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

export async function runKubectl(kubeconfigYaml: string, argv: string[]): Promise<{ exitCode: number; logs: string }> {
  const kubectl = findKubectl();
  if (!kubectl) {
    return { exitCode: 127, logs: "kubectl: command not found (aksemu runs command invoke with a real kubectl: set AKSEMU_KUBECTL, or run `node scripts/tools.mjs` to extract the bundled one)\n" };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aksemu-runcommand-"));
  const kubeconfig = path.join(dir, "kubeconfig");
  fs.writeFileSync(kubeconfig, kubeconfigYaml, { mode: 0o600 });
  try {
    return await new Promise((resolve) => {
      const p = spawn(kubectl, argv, { env: { PATH: process.env.PATH ?? "", HOME: dir, KUBECONFIG: kubeconfig }, cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
      let logs = "";
      const take = (c: Buffer) => {
        if (logs.length < MAX_OUTPUT) logs += c.toString("utf8");
      };
      p.stdout.on("data", take);
      p.stderr.on("data", take);
      const timer = setTimeout(() => {
        logs += `\ncommand timed out after ${TIMEOUT_MS / 1000}s\n`;
        p.kill("SIGKILL");
      }, TIMEOUT_MS);
      p.on("error", (e) => {
        clearTimeout(timer);
        resolve({ exitCode: 127, logs: `${e.message}\n` });
      });
      p.on("close", (code) => {
        clearTimeout(timer);
        resolve({ exitCode: code ?? 1, logs });
      });
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
