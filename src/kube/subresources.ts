// pods/log: the simulated lifecycle of the container and the output its run profile configures
// (src/kube/run-profile.ts), since no container really runs. Errors mirror the kubelet's wording.
import { errors } from "./errors.js";
import type { Registry } from "./registry.js";
import type { Strategy } from "./types.js";
import { nowTime, type Obj } from "./util.js";
import { runProfile } from "./run-profile.js";

export interface LogOptions {
  container?: string;
  tailLines?: number;
  timestamps?: boolean;
  previous?: boolean;
}

export function podLog(pod: Obj, o: LogOptions): string {
  const name = pod.metadata.name;
  const containers = (pod.spec?.containers ?? []) as Obj[];
  let c: Obj | undefined;
  if (o.container) {
    c = [...containers, ...((pod.spec?.initContainers ?? []) as Obj[])].find((x) => x.name === o.container);
    if (!c) throw errors.badRequest(`container ${o.container} is not valid for pod ${name}`);
  } else if (containers.length === 1) {
    c = containers[0];
  } else {
    throw errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.map((x) => x.name).join(" ")}]`);
  }
  const st = ((pod.status?.containerStatuses ?? []) as Obj[]).find((x) => x.name === c!.name);
  if (!st?.state?.running && !st?.state?.terminated) {
    const reason = st?.state?.waiting?.reason ?? "ContainerCreating";
    throw errors.badRequest(`container "${c!.name}" in pod "${name}" is waiting to start: ${reason}`);
  }
  if (o.previous) throw errors.badRequest(`previous terminated container "${c!.name}" in pod "${name}" not found`);
  const started = Date.parse(st.state.running?.startedAt ?? st.state.terminated?.startedAt ?? pod.status?.startTime ?? "") || Date.now();
  const image = String(c!.image ?? "");
  const cmd = [...((c!.command ?? []) as string[]), ...((c!.args ?? []) as string[])];
  // No container runs in aksemu: the log is the simulated lifecycle plus the lines the pod's run
  // profile configures (annotation aksemu.io/output), never imitation application output.
  const lines: [number, string][] = [
    [0, `aksemu: simulated container ${c!.name} (image ${image}) started on node ${pod.spec?.nodeName ?? "<none>"}; containers do not run in aksemu${cmd.length ? `, so ${JSON.stringify(cmd)} was not executed` : ""}`],
  ];
  for (const l of runProfile(pod).output) lines.push([0, l]);
  const term = st.state.terminated;
  if (term) {
    const end = Date.parse(term.finishedAt ?? "") || started;
    lines.push([Math.max(0, (end - started) / 1000), `aksemu: simulated container ${c!.name} exited with code ${term.exitCode} (${term.reason})`]);
  }
  let out = lines.map(([dt, l]) => (o.timestamps ? `${new Date(started + dt * 1000).toISOString().replace("Z", "000000Z").replace(/\.(\d{3})000000Z/, ".$1000000Z")} ${l}` : l));
  if (o.tailLines !== undefined && o.tailLines >= 0) out = out.slice(Math.max(0, out.length - o.tailLines));
  return out.length ? out.join("\n") + "\n" : "";
}

/** Binding: set spec.nodeName once, then mark the pod scheduled. */
export async function bindPod(reg: Registry, s: Strategy, ns: string, name: string, node: string, manager: string): Promise<Obj> {
  const pod = reg.get(s, ns, name);
  if (pod.spec?.nodeName) throw errors.conflict(s.info.resource, s.info.group, name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
  await reg.mutate(s, ns, name, (o) => (o.spec.nodeName = node), { fieldManager: manager, internal: true, subresource: "binding" });
  const r = await reg.mutate(
    s,
    ns,
    name,
    (o) => {
      const conds = ((o.status ??= {}).conditions ??= []) as Obj[];
      const c = conds.find((x) => x.type === "PodScheduled");
      const fresh = { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: nowTime() };
      if (c) Object.assign(c, fresh);
      else conds.push(fresh);
    },
    { fieldManager: manager, internal: true, subresource: "status" },
  );
  return r!.obj;
}

