// The cloud service controller (k8s.io/cloud-provider controllers/service): for every Service of
// type LoadBalancer, add the cleanup finalizer, ask the cluster's cloud to ensure the load
// balancer, and write status.loadBalancer in the same store transaction as the cloud's writes;
// on deletion or a type change, release everything and drop the finalizer. Events carry the
// controller's own reasons and texts. Without a cloud (bare KubeHost) nothing happens, as on a
// cluster without a cloud provider. Failures are retried when the Service changes.
import { strategyFor } from "../../kube/catalog.js";
import { StatusError, errors } from "../../kube/errors.js";
import type { Obj } from "../../kube/util.js";
import { CloudError, type ClusterCloud, type Controller, type SimContext } from "../types.js";

export const LB_FINALIZER = "service.kubernetes.io/load-balancer-cleanup";
const COMPONENT = "service-controller";
const MANAGER = "cloud-controller-manager";
const svcS = strategyFor("services");

/** What the last successful ensure saw, per Service uid: re-ensure only when it changes. */
const ensured = new Map<string, string>();

function desired(svc: Obj): string {
  const ann = Object.entries((svc.metadata?.annotations ?? {}) as Record<string, string>).filter(([k]) => k.startsWith("service.beta.kubernetes.io/")).sort();
  const ports = ((svc.spec?.ports ?? []) as Obj[]).map((p) => [p.port, p.protocol ?? "TCP", p.nodePort ?? null]);
  return JSON.stringify([ann, ports, svc.spec?.loadBalancerIP ?? null, svc.spec?.loadBalancerSourceRanges ?? null, svc.spec?.externalTrafficPolicy ?? null, svc.spec?.healthCheckNodePort ?? null]);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sameIngress(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}

export async function reconcileService(ctx: SimContext, key: string): Promise<void> {
  const c = ctx.cache.get(key);
  const cloud = ctx.cloud();
  if (!c || !cloud) return;
  const svc = c.value;
  const finalizers = (svc.metadata?.finalizers ?? []) as string[];
  const wantLb = svc.spec?.type === "LoadBalancer" && !svc.metadata?.deletionTimestamp;
  if (!wantLb) {
    if (finalizers.includes(LB_FINALIZER)) await deleteLoadBalancer(ctx, cloud, c.namespace, c.name, svc);
    return;
  }
  const want = desired(svc);
  if (ensured.get(svc.metadata.uid) === want && (svc.status?.loadBalancer?.ingress ?? []).length && finalizers.includes(LB_FINALIZER)) return;
  if (!finalizers.includes(LB_FINALIZER)) {
    await ctx.registry.mutate(svcS, c.namespace, c.name, (o) => {
      o.metadata.finalizers = [...(o.metadata.finalizers ?? []), LB_FINALIZER];
    }, { fieldManager: MANAGER, internal: true });
  }
  ctx.event(svc, { type: "Normal", reason: "EnsuringLoadBalancer", message: "Ensuring load balancer", component: COMPONENT });
  try {
    await ctx.registry.store.txn((tx) => {
      const cur = ctx.registry.tryGet(svcS, c.namespace, c.name, tx);
      if (!cur) throw errors.notFound(svcS.info.resource, svcS.info.group, c.name);
      const ingress = cloud.ensureLoadBalancer(tx, cur);
      if (!sameIngress(cur.status?.loadBalancer?.ingress, ingress)) {
        ctx.registry.mutateIn(tx, svcS, c.namespace, c.name, (o) => {
          o.status = { ...(o.status ?? {}), loadBalancer: { ingress } };
        }, { fieldManager: MANAGER, internal: true, subresource: "status" });
      }
    });
  } catch (err) {
    if (err instanceof StatusError && err.code === 404) return;
    ensured.delete(svc.metadata.uid);
    if (!(err instanceof CloudError)) console.error(`sim: ensure load balancer for ${c.namespace}/${c.name} failed:`, err);
    ctx.event(svc, { type: "Warning", reason: "SyncLoadBalancerFailed", message: `Error syncing load balancer: failed to ensure load balancer: ${messageOf(err)}`, component: COMPONENT });
    return;
  }
  ensured.set(svc.metadata.uid, want);
  ctx.event(svc, { type: "Normal", reason: "EnsuredLoadBalancer", message: "Ensured load balancer", component: COMPONENT });
}

async function deleteLoadBalancer(ctx: SimContext, cloud: ClusterCloud, ns: string | undefined, name: string, svc: Obj): Promise<void> {
  ctx.event(svc, { type: "Normal", reason: "DeletingLoadBalancer", message: "Deleting load balancer", component: COMPONENT });
  try {
    await ctx.registry.store.txn((tx) => {
      cloud.ensureLoadBalancerDeleted(tx, svc);
      if ((svc.status?.loadBalancer?.ingress ?? []).length && !svc.metadata?.deletionTimestamp) {
        ctx.registry.mutateIn(tx, svcS, ns, name, (o) => {
          o.status = { ...(o.status ?? {}), loadBalancer: {} };
        }, { fieldManager: MANAGER, internal: true, subresource: "status" });
      }
      ctx.registry.mutateIn(tx, svcS, ns, name, (o) => {
        o.metadata.finalizers = ((o.metadata.finalizers ?? []) as string[]).filter((f) => f !== LB_FINALIZER);
      }, { fieldManager: MANAGER, internal: true });
    });
  } catch (err) {
    if (err instanceof StatusError && err.code === 404) return;
    if (!(err instanceof CloudError)) console.error(`sim: delete load balancer for ${ns}/${name} failed:`, err);
    ctx.event(svc, { type: "Warning", reason: "SyncLoadBalancerFailed", message: `Error syncing load balancer: failed to delete load balancer: ${messageOf(err)}`, component: COMPONENT });
    return;
  }
  ensured.delete(svc.metadata.uid);
  ctx.event(svc, { type: "Normal", reason: "DeletedLoadBalancer", message: "Deleted load balancer", component: COMPONENT });
}

export const serviceLoadBalancerController: Controller = {
  name: "service-lb",
  watches: ["core/services"],
  onChange(ctx, ch) {
    if (ch.type !== "put") return;
    const v = ch.value;
    if (v.spec?.type !== "LoadBalancer" && !((v.metadata?.finalizers ?? []) as string[]).includes(LB_FINALIZER)) return;
    if (!ctx.cloud()) return;
    ctx.enqueue(`svc-lb:${ch.key}`, () => reconcileService(ctx, ch.key), ctx.latency.delay("kube.service.lb"));
  },
};
