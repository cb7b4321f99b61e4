// `az aks command invoke` for a running cluster: AKS runs the command with a shell in a pod that
// has kubectl, helm and an admin kubeconfig; the emulator runs it with `sh -c` in a sandbox
// directory holding the real kubectl (and helm when installed) against the cluster's own listener
// with the admin credentials. Private clusters work too, as in Azure, because the command runs
// "inside" the cluster's network.
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

/** helm for the sandbox, when one is installed (AKSEMU_HELM or .tools/bin/helm). */
function findHelm(): string | undefined {
  for (const c of [process.env.AKSEMU_HELM, path.join(PACKAGE_ROOT, ".tools/bin/helm")]) {
    if (c && fs.existsSync(c)) return c;
  }
  return undefined;
}

/**
 * Run `sh -c command` as AKS's command pod does: a fresh working directory whose bin/ holds
 * kubectl (and helm when present) ahead of the system tools, KUBECONFIG pointing at the
 * cluster's admin kubeconfig, nothing else from the emulator's environment, a timeout that kills
 * the whole process group, and an output cap. It runs on this machine as the emulator's user.
 */
export async function runInSandbox(kubeconfigYaml: string, command: string, o: { timeoutMs?: number; maxOutput?: number } = {}): Promise<{ exitCode: number; logs: string }> {
  const timeoutMs = o.timeoutMs ?? TIMEOUT_MS;
  const maxOutput = o.maxOutput ?? MAX_OUTPUT;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aksemu-runcommand-"));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  const kubectl = findKubectl();
  if (kubectl) fs.symlinkSync(kubectl, path.join(bin, "kubectl"));
  const helm = findHelm();
  if (helm) fs.symlinkSync(helm, path.join(bin, "helm"));
  const kubeconfig = path.join(dir, "kubeconfig");
  fs.writeFileSync(kubeconfig, kubeconfigYaml, { mode: 0o600 });
  try {
    return await new Promise((resolve) => {
      const p = spawn("/bin/sh", ["-c", command], {
        env: { PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`, HOME: dir, KUBECONFIG: kubeconfig, LANG: "C.UTF-8" },
        cwd: dir,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      let logs = "";
      let truncated = false;
      const take = (c: Buffer) => {
        if (logs.length >= maxOutput) {
          truncated = true;
          return;
        }
        logs += c.toString("utf8");
        if (logs.length > maxOutput) {
          logs = logs.slice(0, maxOutput);
          truncated = true;
        }
      };
      p.stdout.on("data", take);
      p.stderr.on("data", take);
      const killGroup = () => {
        try {
          if (p.pid) process.kill(-p.pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      };
      const timer = setTimeout(() => {
        logs += `\ncommand timed out after ${timeoutMs / 1000}s\n`;
        killGroup();
      }, timeoutMs);
      p.on("error", (e) => {
        clearTimeout(timer);
        resolve({ exitCode: 127, logs: `${e.message}\n` });
      });
      p.on("close", (code, signal) => {
        clearTimeout(timer);
        if (truncated) logs += `\n[output truncated at ${maxOutput} bytes]\n`;
        resolve({ exitCode: code ?? (signal ? 137 : 1), logs });
      });
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
