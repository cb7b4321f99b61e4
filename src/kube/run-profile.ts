// How a simulated container runs and how it ends: data on the pod, never guessed from the image
// or the command (no container runs in aksemu). Pods with restartPolicy Never/OnFailure run for
// the `pod-complete` stage delay (latency key kube.pod.complete, or kwok's per-pod annotation
// `pod-complete.stage.kwok.x-k8s.io/delay`) and exit with `aksemu.io/exit-code` (default 0);
// restartPolicy Always pods run until deleted. `aksemu.io/output` holds lines the container's log
// shows (the only "application output" there is), `aksemu.io/cpu` / `aksemu.io/memory` its usage
// for metrics.k8s.io (containerUsage below).
import { parseQuantity } from "./quantity.js";
import type { Obj } from "./util.js";

export const RUN = {
  exitCode: "aksemu.io/exit-code",
  output: "aksemu.io/output",
  cpu: "aksemu.io/cpu",
  memory: "aksemu.io/memory",
} as const;

/** kwok's names for the same data (its ResourceUsage examples read them), accepted as aliases. */
export const KWOK_USAGE = { cpu: "kwok.x-k8s.io/usage-cpu", memory: "kwok.x-k8s.io/usage-memory" } as const;

/**
 * Usage of a container nobody set: a fraction of what it requests (an idle service), or a floor
 * when it requests nothing. Data, not code paths: docs/coverage.md quotes these numbers.
 */
export const IDLE_USAGE = {
  cpuOfRequest: 0.1,
  cpuFloorCores: 0.001,
  memoryOfRequest: 0.5,
  memoryFloorBytes: 2 ** 20,
} as const;

export interface ContainerUsage {
  name: string;
  /** Cores. */
  cpu: number;
  /** Bytes. */
  memory: number;
}

/**
 * One annotation value: a quantity for every container ("250m"), or per container
 * ("app=250m,sidecar=5m"; containers not named keep their default). Unparseable → undefined.
 */
function usageFor(value: string | undefined, container: string): number | undefined {
  if (typeof value !== "string" || !value.trim()) return undefined;
  if (!value.includes("=")) {
    const n = parseQuantity(value.trim());
    return n !== undefined && n >= 0 ? n : undefined;
  }
  for (const part of value.split(",")) {
    const [k, v] = part.split("=").map((x) => x.trim());
    if (k === container) {
      const n = parseQuantity(v);
      return n !== undefined && n >= 0 ? n : undefined;
    }
  }
  return undefined;
}

/**
 * What each container of a running pod uses, as the kubelet would report it: the pod's
 * `aksemu.io/cpu` / `aksemu.io/memory` annotations (or kwok's `kwok.x-k8s.io/usage-*`), else
 * IDLE_USAGE of its requests. CPU never exceeds a CPU limit (the container is throttled there).
 */
export function containerUsage(pod: Obj): ContainerUsage[] {
  const ann = (pod.metadata?.annotations ?? {}) as Record<string, string>;
  return ((pod.spec?.containers ?? []) as Obj[]).map((c) => {
    const name = String(c?.name ?? "");
    const req = (c?.resources?.requests ?? {}) as Obj;
    const lim = (c?.resources?.limits ?? {}) as Obj;
    // kube defaults requests to limits when only limits are set.
    const reqCpu = parseQuantity(req.cpu ?? lim.cpu);
    const reqMem = parseQuantity(req.memory ?? lim.memory);
    let cpu = usageFor(ann[RUN.cpu], name) ?? usageFor(ann[KWOK_USAGE.cpu], name) ?? (reqCpu ? reqCpu * IDLE_USAGE.cpuOfRequest : IDLE_USAGE.cpuFloorCores);
    const limCpu = parseQuantity(lim.cpu);
    if (limCpu !== undefined && limCpu > 0) cpu = Math.min(cpu, limCpu);
    const memory = usageFor(ann[RUN.memory], name) ?? usageFor(ann[KWOK_USAGE.memory], name) ?? (reqMem ? reqMem * IDLE_USAGE.memoryOfRequest : IDLE_USAGE.memoryFloorBytes);
    return { name, cpu, memory };
  });
}

export interface RunProfile {
  /** The container ends by itself (restartPolicy Never/OnFailure). */
  completes: boolean;
  exitCode: number;
  /** Configured log lines. */
  output: string[];
}

export function runProfile(pod: Obj): RunProfile {
  const ann = (pod.metadata?.annotations ?? {}) as Record<string, string>;
  const rp = pod.spec?.restartPolicy ?? "Always";
  const code = Number.parseInt(ann[RUN.exitCode] ?? "0", 10);
  const out = ann[RUN.output];
  return {
    completes: rp === "Never" || rp === "OnFailure",
    exitCode: Number.isInteger(code) && code >= 0 && code <= 255 ? code : 1,
    output: typeof out === "string" && out !== "" ? out.replace(/\n$/, "").split("\n") : [],
  };
}

/** kubelet's crash-loop back-off before restart n (1-based): 10 s doubling up to 5 min. */
export function crashLoopBackoffMs(restarts: number): number {
  return Math.min(300_000, 10_000 * 2 ** Math.max(0, restarts - 1));
}
