// kwok-style stages: behaviour as data. Each stage names the resource it acts on, a selector
// deciding whether an object is in that stage, the latency key for its delay, and a pure
// function producing the next status (or a delete). The engine does the rest.
import type { Obj } from "../kube/util.js";
import { nowTime } from "../kube/util.js";
import { nodeStatus } from "./node-template.js";
import type { EventSpec, SimContext } from "./types.js";
import { crashLoopBackoffMs, runProfile } from "../kube/run-profile.js";
import { claimsBound } from "./controllers/volumes.js";
import { addressAt, formatAddress, parseIPv4Cidr, size } from "../network/cidr.js";

export interface StageEffect {
  /** Replaces .status (written through the status subresource). */
  status?: Obj;
  /** Delete the object (grace 0). */
  delete?: boolean;
  events?: EventSpec[];
}

export interface Stage {
  name: string;
  /** Storage segment the stage applies to. */
  resource: string;
  /** Latency profile key for the delay before next() runs. */
  delay: string;
  /** Field manager recorded for the write. */
  manager: string;
  selector(o: Obj, ctx: SimContext): boolean;
  next(o: Obj, ctx: SimContext): StageEffect | undefined;
  /** Per-object delay (ms) instead of the latency key (e.g. kubelet's crash-loop back-off). */
  delayFor?(o: Obj): number | undefined;
}

function cond(o: Obj, type: string): Obj | undefined {
  return ((o.status?.conditions ?? []) as Obj[]).find((c) => c.type === type);
}

function containerStatuses(o: Obj, state: "waiting" | "running", now: string): Obj[] {
  return ((o.spec?.containers ?? []) as Obj[]).map((c) => {
    const image = String(c.image ?? "");
    const st: Obj = {
      name: c.name,
      image: image.includes("/") || image.includes(".") ? image : `docker.io/library/${image}`,
      imageID: state === "running" ? `${image.split(":")[0]}@sha256:${hex(image, 64)}` : "",
      ready: state === "running",
      restartCount: 0,
      started: state === "running",
      state: state === "running" ? { running: { startedAt: now } } : { waiting: { reason: "ContainerCreating" } },
    };
    if (state === "running") st.containerID = `containerd://${hex(`${o.metadata.uid}/${c.name}`, 64)}`;
    return st;
  });
}

function allRunning(o: Obj): boolean {
  const st = (o.status?.containerStatuses ?? []) as Obj[];
  return st.length > 0 && st.every((x) => !!x.state?.running);
}

function hex(s: string, n: number): string {
  // Deterministic pseudo-digest (not security relevant).
  let h = 2166136261;
  let out = "";
  for (let i = 0; out.length < n; i++) {
    h ^= s.charCodeAt(i % Math.max(1, s.length)) + i;
    h = Math.imul(h, 16777619) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out.slice(0, n);
}

/** Lowest free address of the node's pod IP pool (hostNetwork pods use the node IP). */
function allocatePodIP(o: Obj, ctx: SimContext): string | undefined {
  const node = ctx.nodeSpec(o.spec.nodeName);
  if (!node) return undefined;
  if (o.spec.hostNetwork) return node.internalIP;
  const used = new Set<string>();
  for (const p of ctx.cache.podsOnNode(node.name)) {
    const ip = p.value.status?.podIP;
    // A finished pod's sandbox is gone, and its address with it.
    const done = p.value.status?.phase === "Succeeded" || p.value.status?.phase === "Failed";
    if (ip && !done && p.value.metadata?.uid !== o.metadata.uid && !p.value.spec?.hostNetwork) used.add(ip);
  }
  const fromList = node.podIPs.find((ip) => !used.has(ip));
  if (fromList || node.podIPs.length > 0 || !node.podCIDR) return fromList;
  return firstFreeInCidr(node.podCIDR, used, node.maxPods);
}

/** Overlay / kubenet: pods take host addresses of the node's podCIDR from .2 on (.1 is the bridge / gateway). */
export function firstFreeInCidr(cidr: string, used: Set<string>, maxPods?: number): string | undefined {
  const block = parseIPv4Cidr(cidr);
  if (!block || block.prefixLength > 30) return undefined;
  const total = Number(size(block));
  const limit = Math.min(total - 2, 2 + (maxPods ?? total));
  for (let i = 2; i <= limit; i++) {
    const ip = formatAddress(addressAt(block, i)!);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}

function podConditions(o: Obj, ready: boolean, now: string): Obj[] {
  const keep = (type: string, status: string) => {
    const c = cond(o, type);
    return c && c.status === status ? c.lastTransitionTime : now;
  };
  const c = (type: string, status: string, extra: Obj = {}) => ({ type, status, lastProbeTime: null, lastTransitionTime: keep(type, status), ...extra });
  const notReady = { reason: "ContainersNotReady", message: `containers with unready status: [${((o.spec?.containers ?? []) as Obj[]).map((x) => x.name).join(" ")}]` };
  return [
    c("PodReadyToStartContainers", "True"),
    c("Initialized", "True"),
    ready ? c("Ready", "True") : c("Ready", "False", notReady),
    ready ? c("ContainersReady", "True") : c("ContainersReady", "False", notReady),
    c("PodScheduled", "True"),
  ];
}

export const podStages: Stage[] = [
  {
    name: "pod-create",
    resource: "core/pods",
    delay: "kube.pod.create",
    manager: "kubelet",
    // The kubelet starts the sandbox once every claim the pod mounts is bound.
    selector: (o, ctx) => !!o.spec?.nodeName && !o.metadata?.deletionTimestamp && !o.status?.hostIP && !!ctx.nodeSpec(o.spec.nodeName) && claimsBound(ctx, o),
    next(o, ctx) {
      const ip = allocatePodIP(o, ctx);
      const node = ctx.nodeSpec(o.spec.nodeName)!;
      const now = nowTime();
      if (!ip) {
        return {
          events: [{ type: "Warning", reason: "FailedCreatePodSandBox", message: `Failed to create pod sandbox: no IP addresses available in node ${node.name}'s pool`, component: "kubelet", host: node.name }],
        };
      }
      const image = ((o.spec?.containers ?? []) as Obj[])[0]?.image ?? "";
      return {
        status: {
          ...o.status,
          phase: "Pending",
          conditions: podConditions(o, false, now),
          hostIP: node.internalIP,
          hostIPs: [{ ip: node.internalIP }],
          podIP: ip,
          podIPs: [{ ip }],
          startTime: now,
          containerStatuses: containerStatuses(o, "waiting", now),
        },
        events: [
          { type: "Normal", reason: "Pulled", message: `Container image "${image}" already present on machine`, component: "kubelet", host: node.name, fieldPath: `spec.containers{${((o.spec?.containers ?? []) as Obj[])[0]?.name}}` },
        ],
      };
    },
  },
  {
    name: "pod-ready",
    resource: "core/pods",
    delay: "kube.pod.ready",
    manager: "kubelet",
    selector: (o) => !!o.status?.podIP && o.status?.phase === "Pending" && !o.metadata?.deletionTimestamp,
    next(o) {
      const now = nowTime();
      const c0 = ((o.spec?.containers ?? []) as Obj[])[0]?.name;
      return {
        status: { ...o.status, phase: "Running", conditions: podConditions(o, true, now), containerStatuses: containerStatuses(o, "running", now) },
        events: [
          { type: "Normal", reason: "Created", message: `Created container ${c0}`, component: "kubelet", host: o.spec.nodeName, fieldPath: `spec.containers{${c0}}` },
          { type: "Normal", reason: "Started", message: `Started container ${c0}`, component: "kubelet", host: o.spec.nodeName, fieldPath: `spec.containers{${c0}}` },
        ],
      };
    },
  },
  {
    // The container ends as the pod's run profile says: Succeeded / Failed, or (OnFailure, non-zero) a restart after back-off.
    name: "pod-complete",
    resource: "core/pods",
    delay: "kube.pod.complete",
    manager: "kubelet",
    selector: (o) => o.status?.phase === "Running" && !o.metadata?.deletionTimestamp && runProfile(o).completes && allRunning(o),
    next(o) {
      const now = nowTime();
      const { exitCode } = runProfile(o);
      const terminated = (st: Obj): Obj => ({
        exitCode, reason: exitCode === 0 ? "Completed" : "Error", startedAt: st.state?.running?.startedAt ?? now, finishedAt: now, containerID: st.containerID,
      });
      const statuses = ((o.status?.containerStatuses ?? []) as Obj[]);
      if (exitCode !== 0 && o.spec?.restartPolicy === "OnFailure") {
        const c0 = statuses[0]?.name;
        return {
          status: {
            ...o.status,
            conditions: podConditions(o, false, now),
            containerStatuses: statuses.map((st) => ({ ...st, ready: false, started: false, restartCount: Number(st.restartCount ?? 0) + 1, lastState: { terminated: terminated(st) }, state: { waiting: { reason: "CrashLoopBackOff", message: `back-off ${crashLoopBackoffMs(Number(st.restartCount ?? 0) + 1) / 1000}s restarting failed container=${st.name} pod=${o.metadata.name}_${o.metadata.namespace}(${o.metadata.uid})` } } })),
          },
          events: [{ type: "Warning", reason: "BackOff", message: `Back-off restarting failed container ${c0} in pod ${o.metadata.name}_${o.metadata.namespace}(${o.metadata.uid})`, component: "kubelet", host: o.spec.nodeName, fieldPath: `spec.containers{${c0}}` }],
        };
      }
      const reason = "PodCompleted";
      const conds = podConditions(o, false, now).map((c) => (c.type === "Ready" || c.type === "ContainersReady" ? { ...c, reason, message: undefined } : c.type === "PodReadyToStartContainers" ? { ...c, status: "False" } : c));
      for (const c of conds) if (c.message === undefined) delete c.message;
      return {
        status: {
          ...o.status,
          phase: exitCode === 0 ? "Succeeded" : "Failed",
          conditions: conds,
          containerStatuses: statuses.map((st) => ({ ...st, ready: false, started: false, state: { terminated: terminated(st) } })),
        },
      };
    },
  },
  {
    name: "pod-restart",
    resource: "core/pods",
    delay: "kube.pod.ready",
    manager: "kubelet",
    selector: (o) => o.status?.phase === "Running" && !o.metadata?.deletionTimestamp && ((o.status?.containerStatuses ?? []) as Obj[]).some((st) => st.state?.waiting?.reason === "CrashLoopBackOff"),
    delayFor: (o) => crashLoopBackoffMs(Math.max(0, ...((o.status?.containerStatuses ?? []) as Obj[]).map((st) => Number(st.restartCount ?? 0)))),
    next(o) {
      const now = nowTime();
      const c0 = ((o.spec?.containers ?? []) as Obj[])[0]?.name;
      return {
        status: {
          ...o.status,
          conditions: podConditions(o, true, now),
          containerStatuses: ((o.status?.containerStatuses ?? []) as Obj[]).map((st) => ({ ...st, ready: true, started: true, state: { running: { startedAt: now } } })),
        },
        events: [{ type: "Normal", reason: "Started", message: `Started container ${c0}`, component: "kubelet", host: o.spec.nodeName, fieldPath: `spec.containers{${c0}}` }],
      };
    },
  },
  {
    name: "pod-delete",
    resource: "core/pods",
    delay: "kube.pod.delete",
    manager: "kubelet",
    selector: (o) => !!o.metadata?.deletionTimestamp && !(o.metadata?.finalizers ?? []).length,
    next: () => ({ delete: true }),
  },
];

export const nodeStages: Stage[] = [
  {
    name: "node-initialize",
    resource: "core/nodes",
    delay: "kube.node.ready",
    manager: "kubelet",
    selector: (o, ctx) => cond(o, "Ready")?.status !== "True" && !!ctx.nodeSpec(o.metadata.name) && !o.metadata?.deletionTimestamp,
    next(o, ctx) {
      const spec = ctx.nodeSpec(o.metadata.name)!;
      return {
        status: nodeStatus(ctx.info(), spec, nowTime(), o.status),
        events: [
          { type: "Normal", reason: "NodeReady", message: `Node ${spec.name} status is now: NodeReady`, component: "kubelet", host: spec.name },
        ],
      };
    },
  },
];

export const allStages: Stage[] = [...nodeStages, ...podStages];

/** Per-object delay override, kwok's `<stage>.stage.kwok.x-k8s.io/delay` annotation ("5s", "300ms"). */
export function delayOverride(o: Obj, stage: string): number | undefined {
  const v = o.metadata?.annotations?.[`${stage}.stage.kwok.x-k8s.io/delay`];
  if (typeof v !== "string") return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? "s"] ?? 1000);
}
