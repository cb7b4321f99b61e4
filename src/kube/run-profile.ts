// How a simulated container runs and how it ends: data on the pod, never guessed from the image
// or the command (no container runs in aksemu). Pods with restartPolicy Never/OnFailure run for
// the `pod-complete` stage delay (latency key kube.pod.complete, or kwok's per-pod annotation
// `pod-complete.stage.kwok.x-k8s.io/delay`) and exit with `aksemu.io/exit-code` (default 0);
// restartPolicy Always pods run until deleted. `aksemu.io/output` holds lines the container's log
// shows (the only "application output" there is), `aksemu.io/cpu` / `aksemu.io/memory` its usage
// for metrics.k8s.io.
import type { Obj } from "./util.js";

export const RUN = {
  exitCode: "aksemu.io/exit-code",
  output: "aksemu.io/output",
  cpu: "aksemu.io/cpu",
  memory: "aksemu.io/memory",
} as const;

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
