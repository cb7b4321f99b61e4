// After an emulator restart: bring every running cluster's Kubernetes API back (KubeHost keeps
// ports and credentials in the store, so kubeconfigs handed out before stay valid). The same path
// takes over clusters whose owning process is gone (`unownedOnly`, run periodically): the
// backend claims each one before it brings it up, so a cluster runs in one process only.
import type { ArmEnv, ResourceRecord } from "../../arm/types.js";
import { listByType } from "../../arm/repo.js";
import { getSubscription } from "../../arm/state.js";
import { MANAGED_CLUSTER_TYPE } from "./api-versions.js";
import { kubeBackend } from "./kube-backend.js";
import { kubeSpec } from "./kube.js";
import { internalOf } from "./model.js";
import { mutateCluster } from "./reconcile.js";
import { idKey } from "../../arm/resource-id.js";
import { OwnedElsewhereError } from "../../store/ownership.js";

const CONCURRENCY = 8;

export async function restartRunningClusters(env: ArmEnv, opts: { unownedOnly?: boolean } = {}): Promise<number> {
  const backend = kubeBackend(env);
  if (!backend) return 0;
  const subs = env.store.list<{ subscriptionId: string }>("sub:").map((e) => e.value.subscriptionId);
  const todo: ResourceRecord[] = [];
  for (const sub of subs) {
    if (!getSubscription(env.store, sub)) continue;
    for (const rec of listByType(env.store, sub, MANAGED_CLUSTER_TYPE)) {
      // Clusters with an operation in flight are brought up by that operation's kube stage.
      if (rec.properties.powerState?.code !== "Running" || rec.properties.provisioningState !== "Succeeded" || !internalOf(rec).kube) continue;
      if (opts.unownedOnly && !(backend.needsOwner ? backend.needsOwner(idKey(rec.id)) : false)) continue;
      todo.push(rec);
    }
  }
  let i = 0;
  const worker = async () => {
    while (i < todo.length) {
      const rec = todo[i++]!;
      try {
        const creds = await backend.ensureRunning(kubeSpec(rec));
        // Taken over by this process: kubeconfigs handed out from now on name its address.
        const old = internalOf(rec).kube;
        if (old && (old.host !== creds.host || old.port !== creds.port)) await mutateCluster(env, rec.id, (_tx, _r, m) => void (m.internal.kube = creds));
      } catch (e) {
        if (e instanceof OwnedElsewhereError) continue; // another live process runs it
        console.error(`[aksemu] could not restart the Kubernetes API of ${rec.id}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return todo.length;
}
