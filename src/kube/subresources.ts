// pods/log: a plausible, deterministic log derived from the pod's own state (image, start
// time, ports), since no container really runs. Errors mirror the kubelet's wording.
import { errors } from "./errors.js";
import type { Registry } from "./registry.js";
import type { Strategy } from "./types.js";
import { nowTime, type Obj } from "./util.js";

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
  const ports = ((c!.ports ?? []) as Obj[]).map((p) => p.containerPort);
  const lines: [number, string][] = [
    [0, `aksemu: container ${c!.name} (image ${image}) started on node ${pod.spec?.nodeName ?? "<none>"}`],
    [1, `aksemu: pod ${pod.metadata.namespace}/${name} IP ${pod.status?.podIP ?? "<none>"}`],
  ];
  if (/nginx/.test(image)) {
    lines.push([2, "/docker-entrypoint.sh: Configuration complete; ready for start up"]);
    lines.push([3, `nginx: start worker processes`]);
  } else if (ports.length) {
    lines.push([2, `listening on ${ports.map((p) => `:${p}`).join(", ")}`]);
  } else {
    lines.push([2, "ready"]);
  }
  let out = lines.map(([dt, l]) => (o.timestamps ? `${new Date(started + dt * 1000).toISOString().replace("Z", "000000Z").replace(/\.(\d{3})000000Z/, ".$1000000Z")} ${l}` : l));
  if (o.tailLines !== undefined && o.tailLines >= 0) out = out.slice(Math.max(0, out.length - o.tailLines));
  return out.length ? out.join("\n") + "\n" : "";
}

/** Binding: set spec.nodeName once, then mark the pod scheduled. */
export function bindPod(reg: Registry, s: Strategy, ns: string, name: string, node: string, manager: string): Obj {
  const pod = reg.get(s, ns, name);
  if (pod.spec?.nodeName) throw errors.conflict(s.info.resource, s.info.group, name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
  reg.mutate(s, ns, name, (o) => (o.spec.nodeName = node), { fieldManager: manager, internal: true, subresource: "binding" });
  const r = reg.mutate(
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

