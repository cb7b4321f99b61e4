// The cluster's long-running operations as data: each pipeline is a list of stages, each stage one
// idempotent step (re-run as-is after a restart). Sync stages run in one store transaction on a
// fresh copy of the record; the kube stage awaits the KubeBackend.
import type { Txn } from "../../store/store.js";
import type { ArmEnv, OperationRecord, ReconcileCtx, ReconcileStep, ResourceRecord } from "../../arm/types.js";
import { ArmError } from "../../arm/errors.js";
import { idKey } from "../../arm/resource-id.js";
import { deleteRecordTree, getRecord, putRecord } from "../../arm/repo.js";
import { deleteServicePrincipal } from "../../entra/directory.js";
import { internalOf, type ClusterInternal } from "./model.js";
import { ensureApiServer, ensureManagedVnet, ensureNodeResourceGroup, ensureNodes, ensureOutbound, ensurePrivateDns, teardown } from "./topology.js";
import { kubeBackend } from "./kube-backend.js";
import { AksErrors } from "./errors.js";
import { generatedCredentials, kubeSpec } from "./kube.js";
import { syncAgentPoolRecords } from "./agent-pool-records.js";
import { rbacCan } from "./facts.js";
import { JOIN_ACTION } from "./validate.js";
import { linkedAuthorizationFailure, userAssignedOf, type LinkedAuthorizationInput } from "./linked-authorization.js";

type Mut = { props: Record<string, any>; internal: ClusterInternal };
type SyncStage = (tx: Txn, env: ArmEnv, rec: ResourceRecord, m: Mut, op: OperationRecord) => void;
type AsyncStage = (env: ArmEnv, op: OperationRecord) => Promise<ReconcileStep | void>;

interface Stage {
  run: SyncStage | AsyncStage;
  async?: boolean;
  /** Next stage; undefined = the operation ends. */
  next?: string;
  /** Latency-profile key applied before the next stage (the operation's visible duration). */
  delayBeforeNext?: (op: OperationRecord) => string;
}

/** An operation that is no longer the cluster's active one (a DELETE took over) must not change it. */
export function superseded(rec: ResourceRecord | undefined, op: OperationRecord | undefined): boolean {
  if (!op || !(op.kind === "put" || op.data?.setsProvisioningState)) return false; // runCommand etc. own no state
  const active = rec?.internal?.activeOperation;
  return !!active && active !== op.name;
}

function preempted(op: OperationRecord, rec: ResourceRecord | undefined): ArmError {
  return new ArmError(409, "OperationPreempted", `Operation ${op.name} was preempted by a more recent operation (${rec?.internal?.activeOperation ?? "delete"}) on ${op.resourceId}.`);
}

/**
 * Apply fn to a fresh copy of the cluster record and store it (one transaction). With `op`, the
 * transaction refuses (OperationPreempted, nothing written) once op is no longer the active one.
 */
export function mutateCluster<R>(env: ArmEnv, id: string, fn: (tx: Txn, rec: ResourceRecord, m: Mut) => R, op?: OperationRecord): Promise<R> {
  return env.store.txn((tx) => {
    const rec = getRecord(tx, id);
    if (!rec) throw new ArmError(404, "NotFound", `Managed cluster ${id} no longer exists.`);
    if (superseded(rec, op)) throw preempted(op!, rec);
    const m: Mut = { props: structuredClone(rec.properties), internal: structuredClone(internalOf(rec)) };
    const out = fn(tx, rec, m);
    const next: ResourceRecord = { ...rec, properties: m.props, internal: m.internal };
    putRecord(tx, next);
    return out;
  });
}

/** What the linked-authorization check needs, from a cluster record (pool and cluster operations). */
export function joinInput(tx: Parameters<typeof rbacCan>[0], rec: ResourceRecord, props: Record<string, any>, int: ClusterInternal): LinkedAuthorizationInput {
  return {
    checks: int.joinChecks ?? [], identity: userAssignedOf(rec.identity), subscriptionId: rec.id.split("/")[2]!,
    nodeResourceGroup: String(props.nodeResourceGroup), digits: int.digits, pools: props.agentPoolProfiles ?? [],
    canJoin: (p, s) => rbacCan(tx, p, JOIN_ACTION, s),
  };
}

/**
 * Before the API server's load balancer and the scale sets go into the BYO subnets: may the cluster
 * identity join them? Azure accepted the PUT; this is where its provisioning fails. An async stage,
 * so the node resource group made by the network stage stays (as in Azure) when it fails.
 */
const authorizeStage: AsyncStage = async (env, op) => {
  const rec = getRecord(env.store, op.resourceId);
  if (!rec) throw new ArmError(404, "NotFound", `Managed cluster ${op.resourceId} no longer exists.`);
  if (superseded(rec, op)) throw preempted(op, rec);
  const denied = linkedAuthorizationFailure(joinInput(env.store, rec, rec.properties, internalOf(rec)));
  if (denied) throw denied;
};

const kubeStage: AsyncStage = async (env, op) => {
  const rec = getRecord(env.store, op.resourceId);
  if (!rec) throw new ArmError(404, "NotFound", `Managed cluster ${op.resourceId} no longer exists.`);
  if (superseded(rec, op)) throw preempted(op, rec);
  if (rec.properties.powerState?.code === "Stopped") return;
  const backend = kubeBackend(env);
  let creds;
  if (backend) creds = await backend.ensureRunning(kubeSpec(rec));
  else if (!internalOf(rec).kube) creds = await generatedCredentials(env, rec);
  const after = getRecord(env.store, op.resourceId);
  if (!after && backend) {
    // Deleted while the API came up: do not leave kube state behind.
    await backend.remove(idKey(op.resourceId));
    throw preempted(op, undefined);
  }
  if (creds) await mutateCluster(env, op.resourceId, (_tx, _r, m) => void (m.internal.kube = creds), op);
};

const finish = (extra?: (m: Mut) => void): SyncStage => (tx, _env, rec, m) => {
  m.props.provisioningState = "Succeeded";
  delete m.internal.joinChecks;
  extra?.(m);
  syncAgentPoolRecords(tx, { ...rec, properties: m.props, internal: m.internal });
};

export const STAGES: Record<string, Stage> = {
  // create / update (PUT)
  network: { run: (tx, env, rec, m) => (ensureNodeResourceGroup(tx, env, rec, m), ensureManagedVnet(tx, env, rec, m)), next: "authorize" },
  authorize: { run: authorizeStage, async: true, next: "apiserver" },
  apiserver: { run: (tx, env, rec, m) => ensureApiServer(tx, env, rec, m), next: "nodes" },
  nodes: { run: (tx, env, rec, m) => ensureNodes(tx, env, rec, m), next: "outbound" },
  outbound: { run: (tx, env, rec, m) => ensureOutbound(tx, env, rec, m), next: "dns" },
  dns: { run: (tx, env, rec, m) => ensurePrivateDns(tx, env, rec, m), next: "kube" },
  kube: { run: kubeStage, async: true, next: "finish", delayBeforeNext: (op) => (op.data?.created ? "managedClusters.create" : "managedClusters.update") },
  finish: { run: finish() },

  // agent pool PUT: nodes of the changed pool, then kube, then done
  poolNodes: { run: (tx, env, rec, m) => ensureNodes(tx, env, rec, m), next: "poolKube" },
  poolKube: { run: kubeStage, async: true, next: "poolFinish" },
  poolFinish: { run: finish() },

  // stop / start
  stop: {
    run: (async (env: ArmEnv, op: OperationRecord) => {
      const backend = kubeBackend(env);
      if (backend) await backend.stop(idKey(op.resourceId));
    }) as AsyncStage,
    async: true,
    next: "stopped",
  },
  stopped: { run: finish((m) => void (m.props.powerState = { code: "Stopped" })) },
  start: {
    run: (_tx, _env, _rec, m) => {
      m.props.powerState = { code: "Running" };
      m.internal.restartRequired = false;
    },
    next: "startKube",
  },
  startKube: { run: kubeStage, async: true, next: "started" },
  started: { run: finish() },

  // runCommand
  runCommand: {
    run: (async (env: ArmEnv, op: OperationRecord) => {
      const rec = getRecord(env.store, op.resourceId);
      if (!rec) throw new ArmError(404, "NotFound", `Managed cluster ${op.resourceId} no longer exists.`);
      const command = String(op.data?.command ?? "");
      const startedAt = new Date(op.startTime).toISOString();
      const backend = kubeBackend(env);
      // An operation accepted before a restart without the opt-in does not run either.
      if (backend?.runCommandAllowed !== true) throw AksErrors.runCommandNotEnabled.make({});
      let out = backend?.runCommand ? await backend.runCommand(idKey(rec.id), command) : undefined;
      if (!out) out = { exitCode: 127, logs: `aksemu: '${command}' needs the cluster's Kubernetes API, which is not running in this emulator process.\n` };
      return {
        done: true,
        result: {
          status: 200,
          body: { id: op.name.replace(/-/g, ""), properties: { provisioningState: "Succeeded", exitCode: out.exitCode, startedAt, finishedAt: env.now().toISOString(), logs: out.logs, reason: out.exitCode === 0 ? "" : "CommandFailed" } },
        },
      };
    }) as AsyncStage,
    async: true,
  },
};

/**
 * The engine entry point for every cluster operation. Consecutive synchronous stages with no delay
 * between them run in ONE transaction (all or nothing, so a crash re-runs the chain from its first
 * stage, which is what the engine's recorded stage says); async stages (the KubeBackend) and
 * latency-profile delays end a step.
 */
export async function reconcileCluster(ctx: ReconcileCtx): Promise<ReconcileStep> {
  const { env, op } = ctx;
  if (op.kind === "delete") return reconcileDelete(env, op);
  const current = getRecord(env.store, op.resourceId);
  if (superseded(current, op)) throw preempted(op, current);
  let name = op.stage;
  let stage = STAGES[name];
  if (!stage) throw new ArmError(500, "InternalServerError", `unknown managedClusters stage ${name}`);
  if (stage.async) {
    const r = await (stage.run as AsyncStage)(env, op);
    if (r) return r;
    // No delay after it (instant profile): the synchronous stages that follow (finish) run in this
    // step, not one turn of the event loop later behind the new cluster's simulation. A crash in
    // between re-runs the async stage (idempotent) and then them.
    const delayMs = stage.delayBeforeNext ? env.latency.delay(stage.delayBeforeNext(op)) : 0;
    const following = stage.next ? STAGES[stage.next] : undefined;
    if (!following) return { done: true };
    if (following.async || delayMs > 0) return { next: stage.next!, delayMs };
    name = stage.next!;
    stage = following;
  }
  const first = stage;
  // The chain's last stage is fn's result (fn may run more than once: it starts from `first` each time).
  stage = await mutateCluster(env, op.resourceId, (tx, rec, m) => {
    let st = first;
    for (;;) {
      (st.run as SyncStage)(tx, env, rec, m, op);
      const nextStage = st.next ? STAGES[st.next] : undefined;
      if (!nextStage || nextStage.async || st.delayBeforeNext) return st;
      st = nextStage;
    }
  }, op);
  if (!stage.next) return { done: true };
  const delayMs = stage.delayBeforeNext ? env.latency.delay(stage.delayBeforeNext(op)) : 0;
  return { next: stage.next, delayMs };
}

async function reconcileDelete(env: ArmEnv, op: OperationRecord): Promise<ReconcileStep> {
  const backend = kubeBackend(env);
  if (backend) await backend.remove(idKey(op.resourceId));
  await env.store.txn((tx) => {
    const rec = getRecord(tx, op.resourceId);
    if (!rec) return;
    deleteCluster(tx, env, rec);
    deleteRecordTree(tx, rec.id);
  });
  return { done: true, result: { status: 200 } };
}

/** Everything a deleted cluster leaves behind goes (inside tx); the record itself is removed by the caller. */
export function deleteCluster(tx: Txn, env: ArmEnv, rec: ResourceRecord): void {
  teardown(tx, env, rec);
  const sys = internalOf(rec).systemIdentity;
  if (sys) deleteServicePrincipal(tx, sys.principalId);
}

