// Job controller (kube-controller-manager's job controller, simplified): keep up to
// `parallelism` pods running until `completions` succeeded (NonIndexed) or every index
// succeeded (Indexed); fail the Job past `backoffLimit` failures or `activeDeadlineSeconds`;
// write status and the Complete / Failed conditions with the controller's reasons and texts
// (so `kubectl wait --for=condition=complete` works); delete a finished Job after
// `ttlSecondsAfterFinished`. Deadlines and TTLs read the simulation clock.
import { strategyFor } from "../../kube/catalog.js";
import { StatusError } from "../../kube/errors.js";
import { clone, type Obj } from "../../kube/util.js";
import type { Controller, SimContext } from "../types.js";
import { controllerRef, isPodActive, isPodReady, MANAGER, ownerRef } from "./util.js";

const jobS = strategyFor("jobs", "batch");
const podS = strategyFor("pods");
const COMPONENT = "job-controller";
const INDEX = "batch.kubernetes.io/job-completion-index";

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

export function finishedCondition(job: Obj): Obj | undefined {
  return ((job.status?.conditions ?? []) as Obj[]).find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
}

async function swallow404(fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 404)) throw err;
  }
}

function podIndex(p: Obj): number | undefined {
  const v = p.metadata?.annotations?.[INDEX];
  const n = Number.parseInt(v ?? "", 10);
  return Number.isInteger(n) ? n : undefined;
}

/** "1,3-5" (the completedIndexes format). */
export function indexRanges(xs: number[]): string {
  const s = [...new Set(xs)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    out.push(i === j ? `${s[i]}` : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return out.join(",");
}

export async function reconcileJob(ctx: SimContext, key: string): Promise<void> {
  const c = ctx.cache.get(key);
  if (!c) return;
  const job = c.value;
  const ns = c.namespace!;
  if (job.metadata.deletionTimestamp) return;
  const now = ctx.clock.now();
  const done = finishedCondition(job);
  if (done) {
    await scheduleTtl(ctx, key, job, done, now);
    return;
  }
  const spec = job.spec ?? {};
  const pods = ctx.cache.dependents(job.metadata.uid, "core/pods").map((p) => p.value).filter((p) => controllerRef(p)?.uid === job.metadata.uid);
  const active = pods.filter(isPodActive);
  const succeededPods = pods.filter((p) => p.status?.phase === "Succeeded");
  const failedPods = pods.filter((p) => p.status?.phase === "Failed");
  const onFailure = spec.template?.spec?.restartPolicy === "OnFailure";
  const restarts = onFailure ? active.reduce((n, p) => n + ((p.status?.containerStatuses ?? []) as Obj[]).reduce((m, st) => m + Number(st.restartCount ?? 0), 0), 0) : 0;
  const indexed = spec.completionMode === "Indexed";
  const completions: number | undefined = spec.completions ?? undefined;
  const parallelism = Number(spec.parallelism ?? 1);
  const succeededIdx = indexed ? [...new Set(succeededPods.map(podIndex).filter((i): i is number => i !== undefined && i < (completions ?? 0)))] : [];
  const succeeded = indexed ? succeededIdx.length : succeededPods.length;
  const startTime = Date.parse(job.status?.startTime ?? "") || now;

  let finish: { type: "Complete" | "Failed"; reason: string; message: string } | undefined;
  const deadline = spec.activeDeadlineSeconds !== undefined ? startTime + Number(spec.activeDeadlineSeconds) * 1000 : undefined;
  if (completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0) {
    finish = { type: "Complete", reason: "CompletionsReached", message: "Reached expected number of succeeded pods" };
  } else if (failedPods.length + restarts > Number(spec.backoffLimit ?? 6)) {
    finish = { type: "Failed", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" };
  } else if (deadline !== undefined && deadline <= now) {
    finish = { type: "Failed", reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" };
  }

  let activeCount = active.length;
  if (finish) {
    for (const p of active) await swallow404(() => ctx.registry.delete(podS, ns, p.metadata.name, {}));
    activeCount = 0;
  } else if (!spec.suspend) {
    const t = spec.template ?? {};
    const create = async (index?: number) => {
      const pod: Obj = {
        metadata: {
          generateName: index === undefined ? `${job.metadata.name}-` : `${job.metadata.name}-${index}-`,
          namespace: ns,
          labels: { ...clone(t.metadata?.labels ?? {}), ...(index === undefined ? {} : { [INDEX]: String(index) }) },
          annotations: { ...clone(t.metadata?.annotations ?? {}), ...(index === undefined ? {} : { [INDEX]: String(index) }) },
          ownerReferences: [ownerRef({ ...job, apiVersion: "batch/v1", kind: "Job" })],
        },
        spec: clone(t.spec ?? {}),
      };
      if (index !== undefined) {
        pod.spec.hostname ??= `${job.metadata.name}-${index}`;
        for (const ctr of (pod.spec.containers ?? []) as Obj[]) ctr.env = [...((ctr.env ?? []) as Obj[]), { name: "JOB_COMPLETION_INDEX", valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${INDEX}']` } } }];
      }
      try {
        const r = await ctx.registry.create(podS, ns, pod, { fieldManager: MANAGER, internal: true });
        ctx.event(job, { type: "Normal", reason: "SuccessfulCreate", message: `Created pod: ${r.obj.metadata.name}`, component: COMPONENT });
        activeCount++;
        return true;
      } catch (err) {
        ctx.event(job, { type: "Warning", reason: "FailedCreate", message: `Error creating: ${err instanceof Error ? err.message : String(err)}`, component: COMPONENT });
        return false;
      }
    };
    if (indexed) {
      const busy = new Set([...succeededIdx, ...active.map(podIndex).filter((i): i is number => i !== undefined)]);
      for (let i = 0; i < (completions ?? 0) && activeCount < parallelism; i++) if (!busy.has(i) && !(await create(i))) break;
    } else {
      const want = Math.min(parallelism, completions !== undefined ? completions - succeeded : succeeded > 0 ? 0 : parallelism);
      while (activeCount < want) if (!(await create())) break;
    }
    if (deadline !== undefined) ctx.at(`job-deadline:${key}`, () => reconcileJob(ctx, key), ctx.clock.realDelay(deadline) + 1);
  }

  await ctx.registry.mutate(jobS, ns, c.name, (o) => {
    const st: Obj = { ...(o.status ?? {}) };
    st.startTime ??= iso(startTime);
    st.active = activeCount || undefined;
    st.succeeded = succeeded || undefined;
    st.failed = failedPods.length || undefined;
    st.ready = finish ? 0 : active.filter(isPodReady).length;
    st.terminating = 0;
    st.uncountedTerminatedPods = {};
    if (indexed) st.completedIndexes = indexRanges(succeededIdx) || undefined;
    if (finish) {
      const t = iso(now);
      st.conditions = [...((st.conditions ?? []) as Obj[]).filter((x) => x.type !== finish!.type), { type: finish.type, status: "True", lastProbeTime: t, lastTransitionTime: t, reason: finish.reason, message: finish.message }];
      if (finish.type === "Complete") st.completionTime = t;
    }
    for (const k of Object.keys(st)) if (st[k] === undefined) delete st[k];
    o.status = st;
  }, { fieldManager: MANAGER, internal: true, subresource: "status" });
  if (finish?.type === "Complete") ctx.event(job, { type: "Normal", reason: "Completed", message: "Job completed", component: COMPONENT });
  if (finish?.type === "Failed") ctx.event(job, { type: "Warning", reason: finish.reason, message: finish.message, component: COMPONENT });
}

async function scheduleTtl(ctx: SimContext, key: string, job: Obj, done: Obj, now: number): Promise<void> {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null) return;
  const due = (Date.parse(done.lastTransitionTime ?? "") || now) + Number(ttl) * 1000;
  if (due > now) {
    ctx.at(`job-ttl:${key}`, () => reconcileJob(ctx, key), ctx.clock.realDelay(due) + 1);
    return;
  }
  await swallow404(() => ctx.registry.delete(jobS, job.metadata.namespace, job.metadata.name, { propagationPolicy: "Background", preconditions: { uid: job.metadata.uid } }));
}

export const jobController: Controller = {
  name: "job",
  watches: ["batch/jobs", "core/pods"],
  onChange(ctx, ch) {
    if (ch.storage === "batch/jobs") {
      if (ch.type === "put") ctx.enqueue(`job:${ch.key}`, () => reconcileJob(ctx, ch.key), ctx.latency.delay("kube.controller"));
      return;
    }
    for (const v of [ch.value, ch.prev]) {
      const ref = v && controllerRef(v);
      if (ref?.kind !== "Job") continue;
      const owner = ctx.cache.byUidKey(ref.uid);
      if (owner) ctx.enqueue(`job:${owner.key}`, () => reconcileJob(ctx, owner.key), ctx.latency.delay("kube.controller"));
    }
  },
};
