// Microsoft.ContainerService/managedClusters/agentPools: GET/list/PUT (scale, add)/DELETE. A pool
// write changes the parent's agentPoolProfiles, then the node stage converges node addresses.
import { randomUUID } from "node:crypto";
import type { ActionDef, ActionResult, ArmEnv, DeleteCtx, ReconcileCtx, ReconcileStep, ResourceRecord, ResourceStrategy, WriteCtx } from "../../arm/types.js";
import { ArmError } from "../../arm/errors.js";
import { E } from "../../arm/catalog.js";
import { isBusy } from "../../arm/records.js";
import { deleteRecordTree, getRecord, putRecord } from "../../arm/repo.js";
import { parentId } from "../../arm/resource-id.js";
import { AksErrors } from "./errors.js";
import { normalizeAgentPool, addressesPerNode, nodeSubnetIds, sameId } from "./spec.js";
import { internalOf } from "./model.js";
import { identityFacts, subnetFacts } from "./facts.js";
import { validateCluster } from "./validate.js";
import { isAutomatic, isHostedPool } from "./automatic.js";
import { linkedAuthorizationFailure } from "./linked-authorization.js";
import { joinInput, mutateCluster } from "./reconcile.js";
import { ensureNodes } from "./topology.js";
import { kubeBackend } from "./kube-backend.js";
import { kubeSpec } from "./kube.js";
import { poolRecord, syncAgentPoolRecords } from "./agent-pool-records.js";
import { renderAgentPool } from "./render.js";
import { latestNodeImageFor } from "./versions.js";
import { DEFAULT_API_VERSION } from "./api-versions.js";
import { validatePodCidrCapacity, validatePoolShape } from "./shape.js";

function parentCluster(ctx: { tx: WriteCtx["tx"]; env: ArmEnv }, id: string): ResourceRecord {
  const cid = parentId(id)!;
  const c = getRecord(ctx.tx, cid);
  if (!c) throw E.parentResourceNotFound.make({ parent: cid.split("/").pop()! });
  if (isBusy(c)) throw E.anotherOperationInProgress.make({ url: cid });
  return c;
}

function put(ctx: WriteCtx): ResourceRecord {
  const { tx, env, id } = ctx;
  const cluster = parentCluster(ctx, id);
  const name = id.split("/").pop()!;
  const props = cluster.properties;
  const pools: any[] = props.agentPoolProfiles ?? [];
  const existing = pools.find((p) => p.name === name);
  validatePoolShape(ctx.body?.properties, "properties", props.currentKubernetesVersion ?? props.kubernetesVersion);
  const profile = normalizeAgentPool({ ...(ctx.body?.properties ?? {}), name }, {
    kubernetesVersion: props.kubernetesVersion, network: props.networkProfile ?? {}, existing, isFirst: false,
  });
  if (isAutomatic(cluster.sku) && String(profile.osType).toLowerCase() === "windows") throw AksErrors.automaticWindowsPool.make({ name });
  // The managed system pool is AKS's own (not an agentPools resource a client can write).
  if (isHostedPool(existing, props)) throw AksErrors.agentPoolImmutable.make({ prop: `${name} (AKS's managed system node pool)` });
  profile.eTag = randomUUID();
  const nextPools = existing ? pools.map((p) => (p.name === name ? profile : p)) : [...pools, profile];
  if (!nextPools.some((p) => p.mode === "System")) throw AksErrors.lastSystemPool.make({ name });
  // Node subnet rules (exists, same VNet, not delegated, identity may join, capacity).
  const byoBefore = nodeSubnetIds(props);
  const nextProps = { ...props, agentPoolProfiles: nextPools };
  validatePodCidrCapacity(nextProps);
  const all = nodeSubnetIds(nextProps);
  if (all.length > 0 && byoBefore.length === 0 && pools.length > 0) throw AksErrors.invalidAgentPool.make({ detail: "a cluster on the AKS-managed VNet cannot add pools with vnetSubnetID" });
  if (byoBefore.length > 0 && !profile.vnetSubnetID) throw AksErrors.invalidAgentPool.make({ detail: "agent pools of a BYO VNet cluster need vnetSubnetID" });
  const held = (internalOf(cluster).nodes ?? []).filter((n) => n.pool === name).length;
  const demand = new Map<string, number>();
  if (profile.vnetSubnetID && profile.count > held) demand.set(String(profile.vnetSubnetID).toLowerCase(), (profile.count - held) * addressesPerNode(props.networkProfile ?? {}, profile.maxPods));
  const asp = props.apiServerAccessProfile ?? {};
  const joinChecks = validateCluster({
    isCreate: false, clusterId: cluster.id, requested: {}, next: asp, previous: asp, preview: false, featureEffective: true,
    nodeSubnetIds: all, newNodeSubnetIds: all.filter((s) => !byoBefore.some((b) => sameId(b, s))),
    subnet: (sid) => subnetFacts(tx, env, sid), identity: identityFacts(tx, cluster.identity),
    nodeDemand: demand, loadBalancerSku: props.networkProfile?.loadBalancerSku ?? "standard",
  });
  // The cluster is busy until the pool operation ends (a cluster PUT meanwhile gets 409).
  const busy = markBusy(cluster, nextProps, name, existing);
  putRecord(tx, { ...busy, internal: { ...busy.internal, joinChecks } });
  const rec = poolRecord({ ...cluster, properties: nextProps }, profile);
  rec.properties.provisioningState = existing ? "Updating" : "Creating";
  return rec;
}

const POOL_OP = (name: string) => `agentPool:${name.toLowerCase()}`;

interface PoolRollback {
  name: string;
  /** The pool's profile before the request (undefined: the request added the pool). */
  previous?: Record<string, any>;
}

/** The cluster record with the new pools, Updating and owned by the pool's (not yet named) operation. */
function markBusy(cluster: ResourceRecord, props: Record<string, any>, name: string, previous: Record<string, any> | undefined): ResourceRecord {
  const rollback: PoolRollback = { name, previous };
  return {
    ...cluster,
    properties: { ...props, provisioningState: "Updating" },
    internal: { ...cluster.internal, activeOperation: POOL_OP(name), poolRollback: rollback, eTag: randomUUID() },
  };
}

/** Does this pool operation (still) own the cluster? Claims it on first sight of the placeholder. */
function ownsCluster(rec: ResourceRecord, op: ReconcileCtx["op"], name: string): boolean {
  const active = rec.internal?.activeOperation;
  return active === op.name || active === POOL_OP(name) || active === undefined;
}

function release(tx: Parameters<typeof putRecord>[0], rec: ResourceRecord, provisioningState: string, props?: Record<string, any>): void {
  const internal = { ...rec.internal };
  delete internal.activeOperation;
  delete internal.poolRollback;
  putRecord(tx, { ...rec, properties: { ...(props ?? rec.properties), provisioningState }, internal });
}

async function reconcile(ctx: ReconcileCtx): Promise<ReconcileStep> {
  try {
    return await reconcilePool(ctx);
  } catch (err) {
    await rollback(ctx);
    throw err;
  }
}

/** A failed pool operation: put the pool back as it was (releasing node addresses of added nodes) and leave the cluster Failed, not Succeeded with phantom nodes. */
async function rollback(ctx: ReconcileCtx): Promise<void> {
  const { env, op } = ctx;
  const clusterId = parentId(op.resourceId)!;
  const name = op.resourceId.split("/").pop()!;
  try {
    await env.store.txn((tx) => {
      const c = getRecord(tx, clusterId);
      if (!c || !ownsCluster(c, op, name)) return;
      const rb = c.internal?.poolRollback as PoolRollback | undefined;
      let pools: any[] = c.properties.agentPoolProfiles ?? [];
      if (rb && op.kind !== "delete") {
        pools = rb.previous ? pools.map((p) => (p.name === rb.name ? rb.previous : p)) : pools.filter((p) => p.name !== rb.name);
      }
      const m = { props: { ...c.properties, agentPoolProfiles: pools }, internal: structuredClone(internalOf(c)) };
      ensureNodes(tx, env, c, m);
      const next = { ...c, properties: m.props, internal: m.internal };
      release(tx, next, "Failed");
      syncAgentPoolRecords(tx, { ...next, properties: { ...m.props, provisioningState: "Failed" } });
    });
  } catch (e) {
    console.error(`agent pool ${op.resourceId}: rollback after failure failed:`, e);
  }
}

function preempted(op: ReconcileCtx["op"], cluster: ResourceRecord | undefined): ArmError {
  return new ArmError(409, "OperationPreempted", `Operation ${op.name} was preempted by a more recent operation (${cluster?.internal?.activeOperation ?? "delete"}) on the managed cluster.`);
}

async function reconcilePool(ctx: ReconcileCtx): Promise<ReconcileStep> {
  const { env, op } = ctx;
  const clusterId = parentId(op.resourceId)!;
  const name = op.resourceId.split("/").pop()!;
  if (op.stage === "poolNodes" || op.stage === "poolDelete") {
    await mutateCluster(env, clusterId, (tx, rec, m) => {
      if (!ownsCluster(rec, op, name)) throw preempted(op, rec);
      m.internal.activeOperation = op.name;
      // The pool's scale set is written into its subnet as the cluster identity now (Azure fails the operation here).
      const denied = op.stage === "poolNodes" ? linkedAuthorizationFailure(joinInput(tx, rec, m.props, m.internal)) : undefined;
      if (denied) throw denied;
      delete m.internal.joinChecks;
      if (op.stage === "poolDelete") m.props.agentPoolProfiles = (m.props.agentPoolProfiles ?? []).filter((p: any) => p.name !== name);
      ensureNodes(tx, env, rec, m);
      if (op.stage === "poolDelete") deleteRecordTree(tx, op.resourceId);
    });
    return { next: "poolKube", delayMs: env.latency.delay("managedClusters.update") };
  }
  if (op.stage === "poolNodeImage") {
    // upgradeNodeImageVersion: reimage the pool's nodes to the latest image (kubelets show it in the kube stage).
    await mutateCluster(env, clusterId, (_tx, rec, m) => {
      if (!ownsCluster(rec, op, name)) throw preempted(op, rec);
      m.internal.activeOperation = op.name;
      m.props.agentPoolProfiles = (m.props.agentPoolProfiles ?? []).map((p: any) =>
        p.name === name ? { ...p, nodeImageVersion: latestNodeImageFor(p.osSKU ?? "Ubuntu", p.osType ?? "Linux"), eTag: randomUUID() } : p);
    });
    return { next: "poolKube", delayMs: env.latency.delay("managedClusters.update") };
  }
  if (op.stage === "poolKube") {
    const rec = getRecord(env.store, clusterId);
    if (rec && !ownsCluster(rec, op, name)) throw preempted(op, rec);
    const backend = kubeBackend(env);
    if (rec && backend && rec.properties.powerState?.code !== "Stopped") {
      const creds = await backend.ensureRunning(kubeSpec(rec));
      await mutateCluster(env, clusterId, (_tx, _r, m) => void (m.internal.kube = creds));
    }
    await env.store.txn((tx) => {
      const c = getRecord(tx, clusterId);
      if (!c) return;
      if (!ownsCluster(c, op, name)) throw preempted(op, c);
      const done = { ...c, properties: { ...c.properties, provisioningState: "Succeeded" } };
      release(tx, done, "Succeeded");
      syncAgentPoolRecords(tx, done);
    });
    if (op.kind === "delete") return { done: true, result: { status: 200 } };
    // The action's result is the agent pool (AgentPools_UpgradeNodeImageVersion answers with it).
    const pool = op.kind === "action" ? getRecord(env.store, op.resourceId) : undefined;
    return pool ? { done: true, result: { status: 200, body: renderAgentPool(pool, DEFAULT_API_VERSION) } } : { done: true };
  }
  throw new ArmError(500, "InternalServerError", `unknown agentPools stage ${op.stage}`);
}

const poolActions: Record<string, ActionDef> = {
  upgradeNodeImageVersion: {
    method: "POST",
    run(ctx): ActionResult {
      const cluster = getRecord(ctx.tx, parentId(ctx.record.id)!);
      if (!cluster) throw E.parentResourceNotFound.make({ parent: parentId(ctx.record.id)!.split("/").pop()! });
      if (isBusy(cluster)) throw E.anotherOperationInProgress.make({ url: cluster.id });
      if (cluster.properties.powerState?.code === "Stopped") throw AksErrors.clusterStopped.make({ op: "upgradeNodeImageVersion" });
      const profile = (cluster.properties.agentPoolProfiles ?? []).find((p: any) => p.name === ctx.record.name);
      // The cluster is busy until the reimage ends (a cluster PUT meanwhile gets 409).
      putRecord(ctx.tx, markBusy(cluster, cluster.properties, ctx.record.name, profile));
      return { async: { stage: "poolNodeImage", delayMs: 0, provisioningState: "UpgradingNodeImageVersion" } };
    },
  },
};

export const agentPoolStrategy: ResourceStrategy = {
  put,
  asyncPut: () => ({ stage: "poolNodes", delayMs: 0 }),
  asyncDelete(ctx: DeleteCtx) {
    const cluster = getRecord(ctx.tx, parentId(ctx.record.id)!);
    if (cluster) {
      if (isBusy(cluster)) throw E.anotherOperationInProgress.make({ url: cluster.id });
      const rest = (cluster.properties.agentPoolProfiles ?? []).filter((p: any) => p.name !== ctx.record.name);
      if (!rest.some((p: any) => p.mode === "System")) throw AksErrors.lastSystemPool.make({ name: ctx.record.name });
      putRecord(ctx.tx, markBusy(cluster, cluster.properties, ctx.record.name, undefined));
    }
    return { stage: "poolDelete", delayMs: 0 };
  },
  reconcile,
  actions: poolActions,
  render: (rec, ctx) => renderAgentPool(rec, ctx.apiVersion),
};
