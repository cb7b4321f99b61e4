// Endpoints and EndpointSlice controllers: services with a selector get the IPs of matching
// pods (ready ones as addresses, others as notReadyAddresses), target ports resolved by name.
import { strategyFor } from "../../kube/catalog.js";
import { StatusError } from "../../kube/errors.js";
import { matchLabels } from "../../kube/selectors.js";
import { deepEqual, type Obj } from "../../kube/util.js";
import type { Controller, SimContext } from "../types.js";
import { isPodReady, MANAGER } from "./util.js";

const epS = strategyFor("endpoints");
const sliceS = strategyFor("endpointslices", "discovery.k8s.io");

function resolvePort(svcPort: Obj, pod: Obj): number | undefined {
  const tp = svcPort.targetPort ?? svcPort.port;
  if (typeof tp === "number") return tp;
  const n = Number(tp);
  if (Number.isInteger(n) && String(n) === String(tp)) return n;
  for (const c of (pod.spec?.containers ?? []) as Obj[]) for (const p of (c.ports ?? []) as Obj[]) if (p.name === tp) return p.containerPort;
  return undefined;
}

function selected(svc: Obj): boolean {
  return !!svc.spec?.selector && Object.keys(svc.spec.selector).length > 0 && svc.spec?.type !== "ExternalName";
}

export async function reconcileEndpoints(ctx: SimContext, ns: string, name: string): Promise<void> {
  const svc = ctx.cache.getObj("core/services", ns, name);
  const existing = ctx.cache.getObj("core/endpoints", ns, name);
  if (!svc || svc.metadata.deletionTimestamp) {
    if (existing && existing.metadata?.labels?.["endpoints.kubernetes.io/managed-by"] !== "external") {
      try {
        await ctx.registry.delete(epS, ns, name, {});
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      }
    }
    return;
  }
  if (!selected(svc)) return;
  const sel = Object.entries(svc.spec.selector as Record<string, string>).map(([key, value]) => ({ op: "=" as const, key, value }));
  const pods = ctx.cache
    .list("core/pods", ns)
    .map((p) => p.value)
    .filter((p) => p.status?.podIP && !p.metadata.deletionTimestamp && matchLabels(sel, p.metadata.labels))
    .sort((a, b) => (a.status.podIP < b.status.podIP ? -1 : 1));
  const publishNotReady = !!svc.spec.publishNotReadyAddresses;
  const svcPorts = (svc.spec.ports ?? []) as Obj[];
  const addr = (p: Obj) => ({ ip: p.status.podIP, nodeName: p.spec.nodeName, targetRef: { kind: "Pod", namespace: ns, name: p.metadata.name, uid: p.metadata.uid } });
  const ready = pods.filter((p) => publishNotReady || isPodReady(p));
  const notReady = pods.filter((p) => !publishNotReady && !isPodReady(p));
  const ports = svcPorts
    .map((sp) => {
      const port = pods.length ? resolvePort(sp, pods[0]!) : typeof sp.targetPort === "number" ? sp.targetPort : sp.port;
      const o: Obj = { port, protocol: sp.protocol ?? "TCP" };
      if (sp.name) o.name = sp.name;
      return o;
    })
    .filter((p) => p.port !== undefined);
  const subsets: Obj[] = [];
  if (ready.length || notReady.length) {
    const s: Obj = {};
    if (ready.length) s.addresses = ready.map(addr);
    if (notReady.length) s.notReadyAddresses = notReady.map(addr);
    s.ports = ports;
    subsets.push(s);
  }
  const labels = { ...(svc.metadata.labels ?? {}) };
  const body = { metadata: { name, namespace: ns, labels }, subsets };
  if (!existing) {
    try {
      await ctx.registry.create(epS, ns, body, { fieldManager: MANAGER, internal: true });
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) throw err;
    }
  } else if (!deepEqual(existing.subsets ?? [], subsets) || !deepEqual(existing.metadata.labels ?? {}, labels)) {
    await ctx.registry.mutate(epS, ns, name, (o) => {
      o.subsets = subsets;
      o.metadata.labels = labels;
    }, { fieldManager: MANAGER, internal: true });
  }
  await reconcileSlice(ctx, svc, pods, ports, publishNotReady);
}

async function reconcileSlice(ctx: SimContext, svc: Obj, pods: Obj[], ports: Obj[], publishNotReady: boolean): Promise<void> {
  const ns = svc.metadata.namespace;
  const mine = ctx.cache.list("discovery.k8s.io/endpointslices", ns).filter((c) => c.value.metadata?.labels?.["kubernetes.io/service-name"] === svc.metadata.name && c.value.metadata?.labels?.["endpointslice.kubernetes.io/managed-by"] === "endpointslice-controller.k8s.io");
  const endpoints = pods.map((p) => ({
    addresses: [p.status.podIP],
    conditions: { ready: publishNotReady || isPodReady(p), serving: isPodReady(p), terminating: false },
    nodeName: p.spec.nodeName,
    targetRef: { kind: "Pod", namespace: ns, name: p.metadata.name, uid: p.metadata.uid },
    ...(p.spec?.nodeName && ctx.cache.getObj("core/nodes", undefined, p.spec.nodeName)?.metadata?.labels?.["topology.kubernetes.io/zone"]
      ? { zone: ctx.cache.getObj("core/nodes", undefined, p.spec.nodeName)!.metadata.labels["topology.kubernetes.io/zone"] }
      : {}),
  }));
  const slicePorts = ports.map((p) => ({ name: p.name ?? "", port: p.port, protocol: p.protocol }));
  if (!mine.length) {
    await ctx.registry.create(
      sliceS,
      ns,
      {
        metadata: {
          generateName: `${svc.metadata.name}-`,
          namespace: ns,
          labels: { ...(svc.metadata.labels ?? {}), "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io", "kubernetes.io/service-name": svc.metadata.name },
          ownerReferences: [{ apiVersion: "v1", kind: "Service", name: svc.metadata.name, uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
        addressType: "IPv4",
        endpoints,
        ports: slicePorts,
      },
      { fieldManager: MANAGER, internal: true },
    );
    return;
  }
  const s = mine[0]!;
  if (!deepEqual(s.value.endpoints ?? [], endpoints) || !deepEqual(s.value.ports ?? [], slicePorts)) {
    await ctx.registry.mutate(sliceS, ns, s.name, (o) => {
      o.endpoints = endpoints;
      o.ports = slicePorts;
    }, { fieldManager: MANAGER, internal: true });
  }
}

export const endpointsController: Controller = {
  name: "endpoints",
  watches: ["core/services", "core/pods"],
  onChange(ctx, ch) {
    const delay = ctx.latency.delay("kube.controller");
    const c = ctx.cache.parse(ch.key);
    if (!c?.namespace) return;
    const ns = c.namespace;
    if (ch.storage === "core/services") {
      ctx.enqueue(`ep:${ns}/${c.name}`, () => reconcileEndpoints(ctx, ns, c.name), delay);
      return;
    }
    for (const svc of ctx.cache.list("core/services", ns)) {
      if (!selected(svc.value)) continue;
      const sel = Object.entries(svc.value.spec.selector as Record<string, string>).map(([key, value]) => ({ op: "=" as const, key, value }));
      if (matchLabels(sel, ch.value?.metadata?.labels) || (ch.prev && matchLabels(sel, ch.prev.metadata?.labels)))
        ctx.enqueue(`ep:${ns}/${svc.name}`, () => reconcileEndpoints(ctx, ns, svc.name), delay);
    }
  },
};
