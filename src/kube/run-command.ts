// `az aks command invoke` for a running cluster: AKS runs the command with a shell in a pod that
// has kubectl, helm and an admin kubeconfig; the emulator runs it with `sh -c` in a sandbox
// directory holding the real kubectl (and helm when installed) against the cluster's own listener
// with the admin credentials. Private clusters work too, as in Azure, because the command runs
// "inside" the cluster's network. The command is kept away from the emulator's data directory where
// the machine allows (an unprivileged uid as root, bubblewrap when installed): any local user can get
// a token, so the emulator runs it only when the operator opted in (aksemu start --allow-run-command).
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

/** The account a command runs as when the emulator runs as root: the kernel's overflow uid/gid, `nobody`/`nogroup`. */
export const UNPRIVILEGED_ID = 65534;

/** How a command is kept away from the emulator's data: where the machine allows, a bubblewrap sandbox and/or an unprivileged uid. */
export interface Isolation {
  /** bwrap runs the command with only the system directories, read-only, and the sandbox directory in view. */
  bwrap?: string;
  /** The uid/gid the command runs as (when the emulator runs as root); undefined: the emulator's own user. */
  uid?: number;
}

const ROOT_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];
const ETC_FILES = ["/etc/ssl", "/etc/ca-certificates", "/etc/pki", "/etc/hosts", "/etc/resolv.conf", "/etc/nsswitch.conf", "/etc/passwd", "/etc/group", "/etc/localtime"];

/** bwrap's arguments: system directories read-only, fresh /proc, /dev and /tmp, the sandbox directory writable, no data directory, no $HOME. */
function bwrapArgs(dir: string, binds: Array<[string, string]>): string[] {
  const a = ["--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"];
  for (const d of ROOT_DIRS) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(d);
    } catch {
      continue;
    }
    // merged /usr: /bin -> usr/bin stays a symlink inside.
    if (st.isSymbolicLink()) a.push("--symlink", fs.readlinkSync(d), d);
    else a.push("--ro-bind", d, d);
  }
  for (const f of ETC_FILES) a.push("--ro-bind-try", f, f);
  a.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp");
  if (dir) a.push("--bind", dir, dir, "--chdir", dir);
  for (const [src, dst] of binds) a.push("--ro-bind", src, dst);
  return a;
}

/** bwrap: AKSEMU_BWRAP (a path, or `off` to run without it), else the system's. */
function findBwrap(): string | undefined {
  if (process.env.AKSEMU_BWRAP === "off") return undefined;
  for (const c of [process.env.AKSEMU_BWRAP, "/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"]) {
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

let probed: Promise<Isolation> | undefined;

/**
 * What this machine allows, found once: as root the command drops to nobody/nogroup; bwrap is used
 * when installed and it can actually start a sandbox here (user namespaces may be off, e.g. in a
 * container).
 */
export function isolation(): Promise<Isolation> {
  probed ??= (async () => {
    const uid = process.getuid?.() === 0 ? UNPRIVILEGED_ID : undefined;
    const bwrap = findBwrap();
    if (!bwrap) return { uid };
    const ok = await new Promise<boolean>((resolve) => {
      const p = spawn(bwrap, [...bwrapArgs("", []), "--", "/bin/sh", "-c", "exit 0"], { stdio: "ignore", env: {}, ...(uid !== undefined ? { uid, gid: uid } : {}) });
      p.on("error", () => resolve(false));
      p.on("close", (code) => resolve(code === 0));
    });
    return ok ? { bwrap, uid } : { uid };
  })();
  return probed;
}

/** One line for the start banner: how commands run. */
export function describeIsolation(i: Isolation): string {
  const who = i.uid !== undefined ? `uid/gid ${i.uid} (nobody)` : `the emulator's user (uid ${process.getuid?.() ?? "?"})`;
  return i.bwrap ? `in a bubblewrap sandbox as ${who}` : `as ${who}, without a sandbox (bubblewrap not usable here)`;
}

/** Whether uid/gid may execute `file`: every directory on its real path searchable and the file executable for them. */
function executableFor(file: string, uid: number, gid: number): boolean {
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    return false;
  }
  const allowed = (st: fs.Stats) => {
    const bits = st.uid === uid ? (st.mode >> 6) & 7 : st.gid === gid ? (st.mode >> 3) & 7 : st.mode & 7;
    return (bits & 1) !== 0;
  };
  let p = real;
  for (;;) {
    if (!allowed(fs.statSync(p))) return false;
    const up = path.dirname(p);
    if (up === p) return true;
    p = up;
  }
}

/**
 * Run `sh -c command` as AKS's command pod does: a fresh working directory whose bin/ holds
 * kubectl (and helm when present) ahead of the system tools, KUBECONFIG pointing at the
 * cluster's admin kubeconfig, nothing else from the emulator's environment, a timeout that kills
 * the whole process group, and an output cap. The command never runs as root: as root it drops
 * to nobody/nogroup; with bubblewrap it sees only the system directories (read-only) and its
 * own directory, not the data directory or $HOME. Without either it runs as the emulator's user.
 */
export async function runInSandbox(
  kubeconfigYaml: string,
  command: string,
  o: { timeoutMs?: number; maxOutput?: number; isolation?: Isolation } = {},
): Promise<{ exitCode: number; logs: string }> {
  const timeoutMs = o.timeoutMs ?? TIMEOUT_MS;
  const maxOutput = o.maxOutput ?? MAX_OUTPUT;
  const iso = o.isolation ?? (await isolation());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aksemu-runcommand-"));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  const kubeconfig = path.join(dir, "kubeconfig");
  fs.writeFileSync(kubeconfig, kubeconfigYaml, { mode: 0o600 });
  const binds: Array<[string, string]> = [];
  for (const [name, tool] of [["kubectl", findKubectl()], ["helm", findHelm()]] as const) {
    if (!tool) continue;
    const dst = path.join(bin, name);
    if (iso.uid !== undefined && !executableFor(tool, iso.uid, iso.uid)) {
      // The unprivileged user cannot reach the emulator's copy (e.g. under /root): it gets its own.
      fs.copyFileSync(fs.realpathSync(tool), dst);
      fs.chmodSync(dst, 0o755);
    } else if (iso.bwrap) {
      fs.writeFileSync(dst, "", { mode: 0o755 }); // mount point
      binds.push([fs.realpathSync(tool), dst]);
    } else fs.symlinkSync(tool, dst);
  }
  if (iso.uid !== undefined) for (const p of [dir, bin, kubeconfig, ...fs.readdirSync(bin).map((f) => path.join(bin, f))]) fs.chownSync(p, iso.uid, iso.uid);
  const [file, args] = iso.bwrap ? [iso.bwrap, [...bwrapArgs(dir, binds), "--", "/bin/sh", "-c", command]] : ["/bin/sh", ["-c", command]];
  try {
    return await new Promise((resolve) => {
      const p = spawn(file, args, {
        env: { PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`, HOME: dir, KUBECONFIG: kubeconfig, LANG: "C.UTF-8" },
        cwd: dir,
        ...(iso.uid !== undefined ? { uid: iso.uid, gid: iso.uid } : {}),
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
        killGroup(); // what the command left running in the background ends with it
        if (truncated) logs += `\n[output truncated at ${maxOutput} bytes]\n`;
        resolve({ exitCode: code ?? (signal ? 137 : 1), logs });
      });
    });
  } finally {
    await removeSandbox(dir, iso.uid);
  }
}

/**
 * Remove the sandbox directory. When the command ran as another user, that user removes it: a
 * process it left behind could swap a subdirectory for a symlink while root walks the tree.
 */
async function removeSandbox(dir: string, uid: number | undefined): Promise<void> {
  if (uid === undefined) return fs.rmSync(dir, { recursive: true, force: true });
  await new Promise<void>((resolve) => {
    const p = spawn("/bin/rm", ["-rf", "--", dir], { stdio: "ignore", env: {}, cwd: "/", uid, gid: uid });
    p.on("error", () => resolve());
    p.on("close", () => resolve());
  });
}
