// PersistentVolume controller + the CSI external-provisioner, simplified: a claim without a class
// gets the default StorageClass (retroactive assignment); Immediate classes provision at once,
// WaitForFirstConsumer ones once a pod using the claim is scheduled (its node's zone goes to the
// driver); the cluster's cloud creates the volume and, in the same store transaction, the PV
// `pvc-<uid>` is created bound to the claim. A deleted claim releases its PV per the reclaim
// policy (Delete: the cloud deletes the volume, then the PV goes; Retain: the PV is Released).
// Claims in use keep kubernetes.io/pvc-protection until no pod uses them.
import { strategyFor } from "../../kube/catalog.js";
import { StatusError } from "../../kube/errors.js";
import { parseQuantity } from "../../kube/quantity.js";
import type { Obj } from "../../kube/util.js";
import { CloudError, type Controller, type SimContext } from "../types.js";
import { isPodActive, MANAGER } from "./util.js";

const pvcS = strategyFor("persistentvolumeclaims");
const pvS = strategyFor("persistentvolumes");
const COMPONENT = "persistentvolume-controller";
const PVC_PROTECTION = "kubernetes.io/pvc-protection";
const PV_PROTECTION = "kubernetes.io/pv-protection";
const PROVISIONER_FINALIZER = "external-provisioner.volume.kubernetes.io/finalizer";
const DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";
const SELECTED_NODE = "volume.kubernetes.io/selected-node";

function claimNames(pod: Obj): string[] {
  return ((pod.spec?.volumes ?? []) as Obj[]).map((v) => v.persistentVolumeClaim?.claimName).filter(Boolean) as string[];
}

function consumers(ctx: SimContext, ns: string, claim: string): Obj[] {
  return ctx.cache.list("core/pods").map((c) => c.value).filter((p) => p.metadata?.namespace === ns && isPodActive(p) && claimNames(p).includes(claim));
}

/** Every claim the pod uses is Bound (the kubelet waits before it mounts and starts containers). */
export function claimsBound(ctx: Pick<SimContext, "cache">, pod: Obj): boolean {
  return claimNames(pod).every((n) => ctx.cache.getObj("core/persistentvolumeclaims", pod.metadata?.namespace, n)?.status?.phase === "Bound");
}

export async function reconcileClaim(ctx: SimContext, key: string): Promise<void> {
  const c = ctx.cache.get(key);
  if (!c) return;
  const pvc = c.value;
  const ns = c.namespace!;
  if (pvc.metadata.deletionTimestamp) {
    if ((pvc.metadata.finalizers ?? []).includes(PVC_PROTECTION) && consumers(ctx, ns, c.name).length === 0) {
      await ctx.registry.mutate(pvcS, ns, c.name, (o) => (o.metadata.finalizers = (o.metadata.finalizers as string[]).filter((f) => f !== PVC_PROTECTION)), { fieldManager: MANAGER, internal: true });
    }
    return;
  }
  if (!(pvc.metadata.finalizers ?? []).includes(PVC_PROTECTION)) {
    await ctx.registry.mutate(pvcS, ns, c.name, (o) => (o.metadata.finalizers = [...(o.metadata.finalizers ?? []), PVC_PROTECTION]), { fieldManager: MANAGER, internal: true });
    return;
  }
  if (pvc.status?.phase === "Bound" || pvc.spec?.volumeName) return;
  const classes = ctx.cache.list("storage.k8s.io/storageclasses").map((x) => x.value);
  let className: string | undefined = pvc.spec?.storageClassName ?? undefined;
  if (className === undefined) {
    const def = classes.find((s) => s.metadata?.annotations?.[DEFAULT_CLASS] === "true");
    if (!def) return;
    await ctx.registry.mutate(pvcS, ns, c.name, (o) => (o.spec.storageClassName = def.metadata.name), { fieldManager: MANAGER, internal: true });
    return;
  }
  if (className === "") return; // static binding only: no provisioning
  const sc = classes.find((s) => s.metadata?.name === className);
  if (!sc) {
    ctx.event(pvc, { type: "Warning", reason: "ProvisioningFailed", message: `storageclass.storage.k8s.io "${className}" not found`, component: COMPONENT });
    return;
  }
  let zone: string | undefined;
  if (sc.volumeBindingMode === "WaitForFirstConsumer") {
    const pod = consumers(ctx, ns, c.name).find((p) => p.spec?.nodeName);
    if (!pod) {
      ctx.event(pvc, { type: "Normal", reason: "WaitForFirstConsumer", message: "waiting for first consumer to be created before binding", component: COMPONENT });
      return;
    }
    zone = ctx.cache.getObj("core/nodes", undefined, pod.spec.nodeName)?.metadata?.labels?.["topology.kubernetes.io/zone"];
    if (pvc.metadata.annotations?.[SELECTED_NODE] !== pod.spec.nodeName) {
      await ctx.registry.mutate(pvcS, ns, c.name, (o) => ((o.metadata.annotations ??= {})[SELECTED_NODE] = pod.spec.nodeName), { fieldManager: "kube-scheduler", internal: true });
      return;
    }
  }
  const cloud = ctx.cloud();
  const provisioner = String(sc.provisioner);
  if (!cloud) {
    ctx.event(pvc, { type: "Normal", reason: "ExternalProvisioning", message: `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`, component: COMPONENT });
    return;
  }
  const pvName = `pvc-${pvc.metadata.uid}`;
  const requestBytes = parseQuantity(pvc.spec?.resources?.requests?.storage) ?? 0;
  const driverComponent = `${provisioner}_csi-provisioner`;
  ctx.event(pvc, { type: "Normal", reason: "Provisioning", message: `External provisioner is provisioning volume for claim "${ns}/${c.name}"`, component: driverComponent });
  try {
    await ctx.registry.store.txn((tx) => {
      const vol = cloud.createVolume(tx, { pvName, pvc, provisioner, parameters: (sc.parameters ?? {}) as Record<string, string>, requestBytes, zone });
      if (!vol) throw new CloudError(`no CSI driver for provisioner ${provisioner} runs in this cluster`);
      const size = `${vol.capacityGiB}Gi`;
      const pv: Obj = {
        metadata: {
          name: pvName,
          annotations: { "pv.kubernetes.io/provisioned-by": provisioner, "volume.kubernetes.io/provisioner-deletion-secret-name": "", "volume.kubernetes.io/provisioner-deletion-secret-namespace": "" },
          finalizers: [PV_PROTECTION, PROVISIONER_FINALIZER],
        },
        spec: {
          accessModes: pvc.spec.accessModes,
          capacity: { storage: size },
          claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", name: c.name, namespace: ns, uid: pvc.metadata.uid, resourceVersion: pvc.metadata.resourceVersion },
          csi: { driver: provisioner, volumeHandle: vol.volumeHandle, fsType: "ext4", volumeAttributes: vol.volumeAttributes },
          persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? "Delete",
          storageClassName: className,
          volumeMode: pvc.spec.volumeMode ?? "Filesystem",
          ...(vol.zones?.length ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "topology.disk.csi.azure.com/zone", operator: "In", values: vol.zones }] }] } } } : {}),
        },
      };
      ctx.registry.createIn(tx, pvS, undefined, pv, { fieldManager: driverComponent, internal: true });
      ctx.registry.mutateIn(tx, pvS, undefined, pvName, (o) => (o.status = { phase: "Bound", lastPhaseTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, "Z") }), { fieldManager: COMPONENT, internal: true, subresource: "status" });
      ctx.registry.mutateIn(tx, pvcS, ns, c.name, (o) => {
        o.spec.volumeName = pvName;
        Object.assign((o.metadata.annotations ??= {}), {
          "pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes",
          "volume.beta.kubernetes.io/storage-provisioner": provisioner, "volume.kubernetes.io/storage-provisioner": provisioner,
        });
      }, { fieldManager: COMPONENT, internal: true });
      ctx.registry.mutateIn(tx, pvcS, ns, c.name, (o) => (o.status = { phase: "Bound", accessModes: pvc.spec.accessModes, capacity: { storage: size } }), { fieldManager: COMPONENT, internal: true, subresource: "status" });
    });
  } catch (err) {
    if (err instanceof StatusError && (err.code === 404 || err.code === 409)) return;
    if (!(err instanceof CloudError)) throw err;
    ctx.event(pvc, { type: "Warning", reason: "ProvisioningFailed", message: `failed to provision volume with StorageClass "${className}": ${err.message}`, component: driverComponent });
    return;
  }
  ctx.event(pvc, { type: "Normal", reason: "ProvisioningSucceeded", message: `Successfully provisioned volume ${pvName}`, component: driverComponent });
  for (const p of consumers(ctx, ns, c.name)) ctx.touch(`core/pods`, p.metadata.namespace, p.metadata.name);
}

/** A PV whose claim is gone: reclaim it per its policy. */
export async function reconcileVolume(ctx: SimContext, key: string): Promise<void> {
  const c = ctx.cache.get(key);
  if (!c) return;
  const pv = c.value;
  const ref = pv.spec?.claimRef;
  if (!ref || pv.metadata.deletionTimestamp && !(pv.metadata.finalizers ?? []).length) return;
  const claim = ctx.cache.getObj("core/persistentvolumeclaims", ref.namespace, ref.name);
  if (claim && claim.metadata?.uid === ref.uid) return;
  if (pv.spec.persistentVolumeReclaimPolicy === "Delete") {
    const cloud = ctx.cloud();
    try {
      await ctx.registry.store.txn((tx) => {
        if (pv.spec.csi && cloud) cloud.deleteVolume(tx, pv.spec.csi.driver, pv.spec.csi.volumeHandle);
        ctx.registry.mutateIn(tx, pvS, undefined, c.name, (o) => (o.metadata.finalizers = []), { fieldManager: COMPONENT, internal: true });
        ctx.registry.deleteIn(tx, pvS, undefined, c.name, {});
      });
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return;
      if (!(err instanceof CloudError)) throw err;
      ctx.event(pv, { type: "Warning", reason: "VolumeFailedDelete", message: err.message, component: `${pv.spec.csi?.driver}_csi-provisioner` });
    }
  } else if (pv.status?.phase !== "Released") {
    await ctx.registry.mutate(pvS, undefined, c.name, (o) => (o.status = { ...(o.status ?? {}), phase: "Released" }), { fieldManager: COMPONENT, internal: true, subresource: "status" });
  }
}

export const volumeController: Controller = {
  name: "persistentvolume",
  watches: ["core/persistentvolumeclaims", "core/persistentvolumes", "core/pods"],
  onChange(ctx, ch) {
    const d = ctx.latency.delay("kube.controller");
    if (ch.storage === "core/persistentvolumeclaims") {
      if (ch.type === "put") ctx.enqueue(`pvc:${ch.key}`, () => reconcileClaim(ctx, ch.key), d);
      // A deleted claim: its volume is reclaimed.
      for (const pv of ctx.cache.list("core/persistentvolumes")) {
        if (pv.value.spec?.claimRef?.uid === ch.value.metadata?.uid) ctx.enqueue(`pv:${pv.key}`, () => reconcileVolume(ctx, pv.key), d);
      }
      return;
    }
    if (ch.storage === "core/persistentvolumes") {
      if (ch.type === "put") ctx.enqueue(`pv:${ch.key}`, () => reconcileVolume(ctx, ch.key), d);
      return;
    }
    // Pods: a scheduled consumer starts WaitForFirstConsumer provisioning; a gone one releases pvc-protection.
    for (const p of [ch.value, ch.prev]) {
      if (!p) continue;
      for (const n of claimNames(p)) {
        const pvc = ctx.cache.list("core/persistentvolumeclaims").find((x) => x.namespace === p.metadata?.namespace && x.name === n);
        if (pvc) ctx.enqueue(`pvc:${pvc.key}`, () => reconcileClaim(ctx, pvc.key), d);
      }
    }
  },
};
