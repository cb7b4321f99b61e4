// Node heartbeats: each Ready node's Lease in kube-node-lease is renewed every 10 s (the
// kubelet's leaseDuration/4), all nodes of a cluster in ONE transaction, so watchers see a
// MODIFIED now and then but never a write storm. Node status heartbeats every 5 minutes.
import { strategyFor } from "../kube/catalog.js";
import { StatusError } from "../kube/errors.js";
import { nowMicro, nowTime, type Obj } from "../kube/util.js";
import type { Controller, SimContext } from "./types.js";

const leaseS = strategyFor("leases", "coordination.k8s.io");
const nodeS = strategyFor("nodes");
export const LEASE_RENEW_MS = 10_000;
const STATUS_EVERY = 30; // × 10 s = 5 min

export async function renewLeases(ctx: SimContext): Promise<void> {
  const nodes = ctx.cache.list("core/nodes").map((n) => n.value).filter((n) => ((n.status?.conditions ?? []) as Obj[]).some((c) => c.type === "Ready" && c.status === "True"));
  if (!nodes.length || !ctx.cache.getObj("core/namespaces", undefined, "kube-node-lease")) return;
  await ctx.registry.store.txn((tx) => {
    for (const n of nodes) {
      const name = n.metadata.name;
      const now = nowMicro();
      try {
        const existing = ctx.cache.getObj("coordination.k8s.io/leases", "kube-node-lease", name);
        if (!existing) {
          ctx.registry.createIn(
            tx,
            leaseS,
            "kube-node-lease",
            {
              metadata: { name, namespace: "kube-node-lease", ownerReferences: [{ apiVersion: "v1", kind: "Node", name, uid: n.metadata.uid }] },
              spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: now },
            },
            { fieldManager: "kubelet", internal: true },
          );
        } else {
          ctx.registry.mutateIn(tx, leaseS, "kube-node-lease", name, (o) => {
            o.spec = { ...(o.spec ?? {}), holderIdentity: name, leaseDurationSeconds: 40, renewTime: now };
          }, { fieldManager: "kubelet", internal: true });
        }
      } catch (err) {
        if (!(err instanceof StatusError)) throw err;
      }
    }
  });
}

async function nodeStatusHeartbeat(ctx: SimContext): Promise<void> {
  const now = nowTime();
  await ctx.registry.store.txn((tx) => {
    for (const c of ctx.cache.list("core/nodes")) {
      try {
        ctx.registry.mutateIn(tx, nodeS, undefined, c.name, (o) => {
          for (const cond of (o.status?.conditions ?? []) as Obj[]) cond.lastHeartbeatTime = now;
        }, { fieldManager: "kubelet", internal: true, subresource: "status" });
      } catch (err) {
        if (!(err instanceof StatusError)) throw err;
      }
    }
  });
}

export function startHeartbeats(ctx: SimContext): () => void {
  let tick = 0;
  const beat = async (n: number) => {
    try {
      await renewLeases(ctx);
      if (n % STATUS_EVERY === 0) await nodeStatusHeartbeat(ctx);
    } catch (err) {
      console.error("sim: heartbeat failed:", err);
    }
  };
  const t = setInterval(() => void beat(++tick), LEASE_RENEW_MS);
  t.unref();
  return () => clearInterval(t);
}

/** Creates a node's Lease as soon as it turns Ready (describe node reads it). */
export const leaseController: Controller = {
  name: "node-lease",
  watches: ["core/nodes"],
  onChange(ctx, ch) {
    if (ch.type !== "put") return;
    const ready = ((ch.value.status?.conditions ?? []) as Obj[]).some((c) => c.type === "Ready" && c.status === "True");
    if (ready && !ctx.cache.getObj("coordination.k8s.io/leases", "kube-node-lease", ch.value.metadata.name)) ctx.enqueue("lease:renew", () => renewLeases(ctx));
  },
};
