// core/v1 kinds: what each one does differently from the generic registry.
import { infoFor } from "./info.js";
import { cause, type StatusCause } from "../errors.js";
import type { Strategy, StrategyContext, TableColumn } from "../types.js";
import { age, deepEqual, isObj, type Obj } from "../util.js";
import { ageCol, col, cond, labelsString, nameCol, num } from "./common.js";
import {
  admitPod,
  CONDITIONS_META,
  defaultPodSpec,
  POD_SPEC_FIELDS,
  podSpecPatchMeta,
  qosClass,
  validatePodSpec,
} from "./podspec.js";

const core = infoFor("", "v1");

// --- namespaces -------------------------------------------------------------------------------

export const namespaces: Strategy = {
  info: core("namespaces", "Namespace", false, { shortNames: ["ns"], subresources: ["status", "finalize"] }),
  statusSubresource: true,
  fields: ["spec", "status"],
  prepareForCreate(o) {
    o.spec = { finalizers: ["kubernetes"], ...(isObj(o.spec) ? o.spec : {}) };
    o.status = { phase: "Active" };
    (o.metadata.labels ??= {})["kubernetes.io/metadata.name"] = o.metadata.name;
  },
  prepareForUpdate(o, old) {
    (o.metadata.labels ??= {})["kubernetes.io/metadata.name"] = o.metadata.name;
    o.spec = old.spec; // spec.finalizers only changes through /finalize
  },
  fieldSelectors: { "status.phase": (o) => o.status?.phase },
  columns: [nameCol, col("Status", "string", (o) => o.status?.phase ?? ""), ageCol],
  patchMeta: { ...CONDITIONS_META },
};

// --- nodes ------------------------------------------------------------------------------------

function nodeStatus(o: Obj): string {
  const ready = cond(o, "Ready");
  let s = !ready ? "Unknown" : ready.status === "True" ? "Ready" : ready.status === "False" ? "NotReady" : "Unknown";
  if (o.spec?.unschedulable) s += ",SchedulingDisabled";
  return s;
}

function nodeRoles(o: Obj): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries((o.metadata?.labels ?? {}) as Record<string, string>)) {
    if (k.startsWith("node-role.kubernetes.io/")) roles.add(k.slice("node-role.kubernetes.io/".length) || v);
    else if (k === "kubernetes.io/role" && v) roles.add(v);
  }
  return roles.size ? [...roles].filter(Boolean).sort().join(",") : "<none>";
}

function nodeAddress(o: Obj, type: string): string {
  const a = ((o.status?.addresses ?? []) as Obj[]).find((x) => x.type === type);
  return a?.address ?? "<none>";
}

export const nodes: Strategy = {
  info: core("nodes", "Node", false, { shortNames: ["no"], subresources: ["status", "proxy"] }),
  statusSubresource: true,
  fields: ["spec", "status"],
  fieldSelectors: { "spec.unschedulable": (o) => String(!!o.spec?.unschedulable) },
  columns: [
    nameCol,
    col("Status", "string", nodeStatus),
    col("Roles", "string", nodeRoles),
    ageCol,
    col("Version", "string", (o) => o.status?.nodeInfo?.kubeletVersion ?? ""),
    col("Internal-IP", "string", (o) => nodeAddress(o, "InternalIP"), 1),
    col("External-IP", "string", (o) => nodeAddress(o, "ExternalIP"), 1),
    col("OS-Image", "string", (o) => o.status?.nodeInfo?.osImage || "<unknown>", 1),
    col("Kernel-Version", "string", (o) => o.status?.nodeInfo?.kernelVersion || "<unknown>", 1),
    col("Container-Runtime", "string", (o) => o.status?.nodeInfo?.containerRuntimeVersion || "<unknown>", 1),
  ],
  patchMeta: { ...CONDITIONS_META, "status.addresses": { key: "type" }, "spec.taints": {} },
};

// --- pods -------------------------------------------------------------------------------------

/** printPod's STATUS column. */
export function podPhaseReason(o: Obj): string {
  let reason: string = o.status?.reason || o.status?.phase || "";
  const statuses = (o.status?.containerStatuses ?? []) as Obj[];
  const inits = (o.status?.initContainerStatuses ?? []) as Obj[];
  let initializing = false;
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i]!;
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) continue;
    if (t) reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== "PodInitializing") reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${(o.spec?.initContainers ?? []).length}`;
    initializing = true;
    break;
  }
  if (!initializing) {
    let hasRunning = false;
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!;
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
      else if (c.ready && c.state?.running) hasRunning = true;
    }
    if (reason === "Completed" && hasRunning) reason = cond(o, "Ready")?.status === "True" ? "Running" : "NotReady";
  }
  if (o.metadata?.deletionTimestamp) reason = o.status?.reason === "NodeLost" ? "Unknown" : "Terminating";
  return reason;
}

function podRestarts(o: Obj, now: number): string {
  let n = 0;
  let last: number | undefined;
  for (const c of [...((o.status?.containerStatuses ?? []) as Obj[]), ...((o.status?.initContainerStatuses ?? []) as Obj[])]) {
    n += num(c.restartCount);
    const fin = Date.parse(c.lastState?.terminated?.finishedAt ?? "");
    if (!Number.isNaN(fin) && (last === undefined || fin > last)) last = fin;
  }
  return last !== undefined && n > 0 ? `${n} (${age(new Date(last).toISOString(), now)} ago)` : String(n);
}

function podReady(o: Obj): string {
  const total = (o.spec?.containers ?? []).length;
  const ready = ((o.status?.containerStatuses ?? []) as Obj[]).filter((c) => c.ready && c.state?.running).length;
  return `${ready}/${total}`;
}

const POD_IMMUTABLE_MSG =
  "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

function mutablePodSpecView(spec: Obj): Obj {
  const s = JSON.parse(JSON.stringify(spec ?? {})) as Obj;
  for (const list of ["containers", "initContainers"]) for (const c of (s[list] ?? []) as Obj[]) delete c.image;
  delete s.activeDeadlineSeconds;
  delete s.tolerations;
  delete s.terminationGracePeriodSeconds;
  delete s.nodeName; // set through binding only
  return s;
}

export const pods: Strategy = {
  info: core("pods", "Pod", true, {
    shortNames: ["po"],
    categories: ["all"],
    subresources: ["status", "log", "binding", "eviction", "exec", "attach", "portforward", "ephemeralcontainers"],
  }),
  statusSubresource: true,
  fields: ["spec", "status"],
  specFields: POD_SPEC_FIELDS,
  prepareForCreate(o) {
    o.spec = isObj(o.spec) ? o.spec : {};
    defaultPodSpec(o.spec);
    admitPod(o.spec);
    o.status = { phase: "Pending", qosClass: qosClass(o.spec) };
  },
  prepareForUpdate(o, old, ctx) {
    if (isObj(o.spec)) defaultPodSpec(o.spec);
    // Admission-added fields survive an update that omits them (kubectl replace of a stripped pod).
    if (isObj(o.spec) && isObj(old.spec) && !ctx.internal) {
      for (const k of ["serviceAccountName", "serviceAccount", "priority", "preemptionPolicy", "enableServiceLinks", "nodeName"]) {
        if (o.spec[k] === undefined && old.spec[k] !== undefined) o.spec[k] = old.spec[k];
      }
    }
  },
  validate(o, old) {
    const out = validatePodSpec(o.spec, "spec");
    if (old && !deepEqual(mutablePodSpecView(o.spec), mutablePodSpecView(old.spec))) out.push(cause.forbidden("spec", POD_IMMUTABLE_MSG));
    return out;
  },
  fieldSelectors: {
    "spec.nodeName": (o) => o.spec?.nodeName ?? "",
    "spec.restartPolicy": (o) => o.spec?.restartPolicy ?? "",
    "spec.schedulerName": (o) => o.spec?.schedulerName ?? "",
    "spec.serviceAccountName": (o) => o.spec?.serviceAccountName ?? "",
    "spec.hostNetwork": (o) => String(!!o.spec?.hostNetwork),
    "status.phase": (o) => o.status?.phase ?? "",
    "status.podIP": (o) => o.status?.podIP ?? "",
    "status.nominatedNodeName": (o) => o.status?.nominatedNodeName ?? "",
  },
  columns: [
    nameCol,
    col("Ready", "string", podReady, 0, "The aggregate readiness state of this pod for accepting traffic."),
    col("Status", "string", podPhaseReason, 0, "The aggregate status of the containers in this pod."),
    col("Restarts", "string", podRestarts, 0, "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
    ageCol,
    col("IP", "string", (o) => o.status?.podIP || "<none>", 1, "IP address allocated to the pod."),
    col("Node", "string", (o) => o.spec?.nodeName || "<none>", 1, "Name of the Node this pod is running on."),
    col("Nominated Node", "string", (o) => o.status?.nominatedNodeName || "<none>", 1, "Name of the node the pod is nominated to run on."),
    col("Readiness Gates", "string", (o) => {
      const gates = (o.spec?.readinessGates ?? []) as Obj[];
      if (!gates.length) return "<none>";
      const ok = gates.filter((g) => cond(o, g.conditionType)?.status === "True").length;
      return `${ok}/${gates.length}`;
    }, 1, "Readiness gates of the pod."),
  ],
  patchMeta: {
    ...podSpecPatchMeta("spec"),
    ...CONDITIONS_META,
    "status.podIPs": { key: "ip" },
    "status.hostIPs": { key: "ip" },
  },
  defaultGracePeriod(o) {
    // Unscheduled pods go at once; scheduled ones wait for the (simulated) kubelet.
    if (!o.spec?.nodeName) return 0;
    return typeof o.spec?.terminationGracePeriodSeconds === "number" ? o.spec.terminationGracePeriodSeconds : 30;
  },
};

// --- services ---------------------------------------------------------------------------------

function svcExternalIP(o: Obj): string {
  const type = o.spec?.type ?? "ClusterIP";
  const ext = (o.spec?.externalIPs ?? []) as string[];
  const ingress = ((o.status?.loadBalancer?.ingress ?? []) as Obj[]).map((i) => i.ip || i.hostname).filter(Boolean);
  switch (type) {
    case "LoadBalancer": {
      const all = [...ingress, ...ext];
      return all.length ? all.join(",") : "<pending>";
    }
    case "ExternalName":
      return o.spec?.externalName ?? "<none>";
    default:
      return ext.length ? ext.join(",") : "<none>";
  }
}

function svcPorts(o: Obj): string {
  const ps = (o.spec?.ports ?? []) as Obj[];
  if (!ps.length) return "<none>";
  return ps.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? "TCP"}` : `${p.port}/${p.protocol ?? "TCP"}`)).join(",");
}

export const services: Strategy = {
  info: core("services", "Service", true, { shortNames: ["svc"], categories: ["all"], subresources: ["status", "proxy"] }),
  statusSubresource: true,
  fields: ["spec", "status"],
  specFields: [
    "allocateLoadBalancerNodePorts", "clusterIP", "clusterIPs", "externalIPs", "externalName", "externalTrafficPolicy", "healthCheckNodePort",
    "internalTrafficPolicy", "ipFamilies", "ipFamilyPolicy", "loadBalancerClass", "loadBalancerIP", "loadBalancerSourceRanges", "ports",
    "publishNotReadyAddresses", "selector", "sessionAffinity", "sessionAffinityConfig", "trafficDistribution", "type",
  ],
  prepareForCreate(o, ctx) {
    o.spec = isObj(o.spec) ? o.spec : {};
    defaultServiceSpec(o, ctx);
    o.status = { loadBalancer: {} };
  },
  prepareForUpdate(o, old, ctx) {
    o.spec = isObj(o.spec) ? o.spec : {};
    // clusterIP is immutable and kept when omitted.
    if (!o.spec.clusterIP && old.spec?.clusterIP) {
      o.spec.clusterIP = old.spec.clusterIP;
      o.spec.clusterIPs = old.spec.clusterIPs;
    }
    const oldPorts = (old.spec?.ports ?? []) as Obj[];
    for (const p of (o.spec.ports ?? []) as Obj[]) {
      if (!p.nodePort) p.nodePort = oldPorts.find((q) => q.port === p.port && (q.protocol ?? "TCP") === (p.protocol ?? "TCP"))?.nodePort;
      if (!p.nodePort) delete p.nodePort;
    }
    defaultServiceSpec(o, ctx);
  },
  validate(o, old) {
    const out: StatusCause[] = [];
    const type = o.spec?.type;
    if (!["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"].includes(type))
      out.push(cause.notSupported("spec.type", type, ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]));
    const ports = (o.spec?.ports ?? []) as Obj[];
    if (type !== "ExternalName" && o.spec?.clusterIP !== "None" && ports.length === 0) out.push(cause.required("spec.ports"));
    ports.forEach((p, i) => {
      if (typeof p.port !== "number" || p.port < 1 || p.port > 65535) out.push(cause.invalid(`spec.ports[${i}].port`, p.port, "must be between 1 and 65535, inclusive"));
      if (ports.length > 1 && !p.name) out.push(cause.required(`spec.ports[${i}].name`));
    });
    if (old && old.spec?.clusterIP && o.spec?.clusterIP !== old.spec.clusterIP && old.spec.type !== "ExternalName")
      out.push(cause.invalid("spec.clusterIPs[0]", o.spec?.clusterIP, "may not change once set"));
    return out;
  },
  fieldSelectors: { "spec.clusterIP": (o) => o.spec?.clusterIP ?? "", "spec.type": (o) => o.spec?.type ?? "" },
  columns: [
    nameCol,
    col("Type", "string", (o) => o.spec?.type ?? ""),
    col("Cluster-IP", "string", (o) => o.spec?.clusterIP || "<none>"),
    col("External-IP", "string", svcExternalIP),
    col("Port(s)", "string", svcPorts),
    ageCol,
    col("Selector", "string", (o) => labelsString(o.spec?.selector), 1),
  ],
  patchMeta: { "spec.ports": { key: "port" }, ...CONDITIONS_META },
};

function defaultServiceSpec(o: Obj, ctx: StrategyContext): void {
  const s = o.spec as Obj;
  s.type ??= "ClusterIP";
  if (s.type !== "ExternalName") {
    s.sessionAffinity ??= "None";
    if (!s.clusterIP) s.clusterIP = ctx.allocateClusterIP(o.metadata.namespace, o.metadata.name);
    if (!s.clusterIPs) s.clusterIPs = [s.clusterIP];
    s.ipFamilies ??= ["IPv4"];
    s.ipFamilyPolicy ??= "SingleStack";
    s.internalTrafficPolicy ??= "Cluster";
  }
  for (const p of (s.ports ?? []) as Obj[]) {
    if (!isObj(p)) continue;
    p.protocol ??= "TCP";
    if (p.targetPort === undefined) p.targetPort = p.port;
    if ((s.type === "NodePort" || s.type === "LoadBalancer") && !p.nodePort) p.nodePort = ctx.allocateNodePort();
  }
  if (s.type === "NodePort" || s.type === "LoadBalancer") s.externalTrafficPolicy ??= "Cluster";
  if (s.type === "LoadBalancer") s.allocateLoadBalancerNodePorts ??= true;
}

// --- endpoints --------------------------------------------------------------------------------

export const endpoints: Strategy = {
  info: core("endpoints", "Endpoints", true, { shortNames: ["ep"], singular: "endpoints" }),
  fields: ["subsets"],
  columns: [
    nameCol,
    col("Endpoints", "string", (o) => {
      const list: string[] = [];
      for (const s of (o.subsets ?? []) as Obj[]) {
        const ports = (s.ports ?? []) as Obj[];
        for (const a of (s.addresses ?? []) as Obj[]) {
          if (!ports.length) list.push(a.ip);
          for (const p of ports) list.push(`${a.ip}:${p.port}`);
        }
      }
      if (!list.length) return "<none>";
      return list.length > 3 ? `${list.slice(0, 3).join(",")} + ${list.length - 3} more...` : list.join(",");
    }),
    ageCol,
  ],
};

// --- configmaps / secrets / serviceaccounts ---------------------------------------------------

function immutableData(o: Obj, old: Obj | undefined, keys: string[]): StatusCause[] {
  if (!old?.immutable) return [];
  const out: StatusCause[] = [];
  for (const k of keys) if (!deepEqual(o[k], old[k])) out.push(cause.forbidden(k, "field is immutable when `immutable` is set"));
  if (o.immutable !== true) out.push(cause.forbidden("immutable", "field is immutable when `immutable` is set"));
  return out;
}

export const configmaps: Strategy = {
  info: core("configmaps", "ConfigMap", true, { shortNames: ["cm"] }),
  fields: ["data", "binaryData", "immutable"],
  validate(o, old) {
    const out: StatusCause[] = [];
    for (const [k, v] of Object.entries((o.data ?? {}) as Obj)) {
      if (typeof v !== "string") out.push(cause.invalid(`data[${k}]`, v, "must be a string"));
      if (!/^[-._a-zA-Z0-9]+$/.test(k)) out.push(cause.invalid("data", k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
    }
    return [...out, ...immutableData(o, old, ["data", "binaryData"])];
  },
  columns: [nameCol, col("Data", "integer", (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length), ageCol],
};

function normalizeSecret(o: Obj): void {
  o.type ??= "Opaque";
  if (isObj(o.stringData)) {
    o.data ??= {};
    for (const [k, v] of Object.entries(o.stringData)) o.data[k] = Buffer.from(String(v), "utf8").toString("base64");
  }
  delete o.stringData;
}

export const secrets: Strategy = {
  info: core("secrets", "Secret", true),
  fields: ["data", "stringData", "type", "immutable"],
  prepareForCreate: normalizeSecret,
  prepareForUpdate: normalizeSecret,
  validate(o, old) {
    const out: StatusCause[] = [];
    for (const [k, v] of Object.entries((o.data ?? {}) as Obj)) {
      if (typeof v !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) out.push(cause.invalid(`data[${k}]`, "<secret contents redacted>", "illegal base64 data"));
    }
    if (old && old.type !== o.type) out.push(cause.invalid("type", o.type, "field is immutable"));
    return [...out, ...immutableData(o, old, ["data"])];
  },
  fieldSelectors: { type: (o) => o.type ?? "" },
  columns: [nameCol, col("Type", "string", (o) => o.type ?? ""), col("Data", "integer", (o) => Object.keys(o.data ?? {}).length), ageCol],
};

export const serviceaccounts: Strategy = {
  info: core("serviceaccounts", "ServiceAccount", true, { shortNames: ["sa"], subresources: ["token"] }),
  fields: ["secrets", "imagePullSecrets", "automountServiceAccountToken"],
  columns: [nameCol, col("Secrets", "integer", (o) => (o.secrets ?? []).length), ageCol],
  patchMeta: { secrets: { key: "name" } },
};

// --- events (core/v1; events.k8s.io/v1 shares this storage) ----------------------------------

function eventLastSeen(o: Obj, now: number): string {
  const t = o.series?.lastObservedTime ?? o.lastTimestamp ?? o.eventTime ?? o.firstTimestamp;
  return t ? age(t, now) : "<unknown>";
}

export const eventColumns: TableColumn[] = [
  col("Last Seen", "string", eventLastSeen),
  col("Type", "string", (o) => o.type ?? ""),
  col("Reason", "string", (o) => o.reason ?? ""),
  col("Object", "string", (o) => `${String(o.involvedObject?.kind ?? "").toLowerCase()}/${o.involvedObject?.name ?? ""}`),
  col("Subobject", "string", (o) => o.involvedObject?.fieldPath ?? "", 1),
  col("Source", "string", (o) => {
    const c = o.source?.component || o.reportingComponent || "";
    const h = o.source?.host || o.reportingInstance || "";
    return h ? `${c}, ${h}` : c;
  }, 1),
  col("Message", "string", (o) => String(o.message ?? "").trim()),
  col("First Seen", "string", (o, now) => age(o.firstTimestamp ?? o.eventTime, now), 1),
  col("Count", "integer", (o) => num(o.series?.count ?? o.count), 1),
  col("Name", "string", (o) => o.metadata?.name ?? "", 1),
];

export const events: Strategy = {
  info: core("events", "Event", true, { shortNames: ["ev"] }),
  fields: [
    "involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp", "count", "type", "eventTime", "series", "action",
    "related", "reportingComponent", "reportingInstance",
  ],
  prepareForCreate(o) {
    o.involvedObject ??= {};
    o.reportingComponent ??= "";
    o.reportingInstance ??= "";
  },
  validate(o) {
    const out: StatusCause[] = [];
    if (o.metadata?.namespace && o.involvedObject?.namespace && o.involvedObject.namespace !== o.metadata.namespace)
      out.push(cause.invalid("involvedObject.namespace", o.involvedObject.namespace, "does not match event.namespace"));
    return out;
  },
  fieldSelectors: {
    "involvedObject.kind": (o) => o.involvedObject?.kind ?? "",
    "involvedObject.namespace": (o) => o.involvedObject?.namespace ?? "",
    "involvedObject.name": (o) => o.involvedObject?.name ?? "",
    "involvedObject.uid": (o) => o.involvedObject?.uid ?? "",
    "involvedObject.apiVersion": (o) => o.involvedObject?.apiVersion ?? "",
    "involvedObject.resourceVersion": (o) => o.involvedObject?.resourceVersion ?? "",
    "involvedObject.fieldPath": (o) => o.involvedObject?.fieldPath ?? "",
    reason: (o) => o.reason ?? "",
    reportingComponent: (o) => o.reportingComponent ?? "",
    source: (o) => o.source?.component ?? o.reportingComponent ?? "",
    type: (o) => o.type ?? "",
  },
  columns: eventColumns,
};

export const coreKinds: Strategy[] = [namespaces, nodes, pods, services, endpoints, configmaps, secrets, serviceaccounts, events];
