// CronJob controller (cronjob_controllerv2, simplified): at each scheduled time of the
// simulation clock create Job `<cronjob>-<minutes since epoch>` from the job template, honour
// suspend, concurrencyPolicy and startingDeadlineSeconds, track status.active /
// lastScheduleTime / lastSuccessfulTime and prune finished Jobs past the history limits.
import { strategyFor } from "../../kube/catalog.js";
import { StatusError } from "../../kube/errors.js";
import { clone, type Obj } from "../../kube/util.js";
import { lastBetween, nextAfter, parseCron } from "../cron.js";
import type { Controller, SimContext } from "../types.js";
import { finishedCondition } from "./job.js";
import { controllerRef, MANAGER, ownerRef } from "./util.js";

const cjS = strategyFor("cronjobs", "batch");
const jobS = strategyFor("jobs", "batch");
const COMPONENT = "cronjob-controller";

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

async function swallow404(fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 404)) throw err;
  }
}

export async function reconcileCronJob(ctx: SimContext, key: string): Promise<void> {
  const c = ctx.cache.get(key);
  if (!c || c.value.metadata.deletionTimestamp) return;
  const cj = c.value;
  const ns = c.namespace!;
  const spec = cj.spec ?? {};
  let sched;
  try {
    if (spec.timeZone && !["UTC", "Etc/UTC"].includes(spec.timeZone)) throw new Error(`unknown time zone ${spec.timeZone}`);
    sched = parseCron(String(spec.schedule ?? ""));
  } catch (err) {
    const bad = spec.timeZone && !["UTC", "Etc/UTC"].includes(spec.timeZone);
    ctx.event(cj, bad
      ? { type: "Warning", reason: "UnknownTimeZone", message: `invalid timeZone: "${spec.timeZone}": ${(err as Error).message} (aksemu knows UTC only)`, component: COMPONENT }
      : { type: "Warning", reason: "UnparseableSchedule", message: `unparseable schedule: "${spec.schedule}" : ${(err as Error).message}`, component: COMPONENT });
    return;
  }
  const now = ctx.clock.now();
  const jobs = ctx.cache.dependents(cj.metadata.uid, "batch/jobs").map((j) => j.value).filter((j) => controllerRef(j)?.uid === cj.metadata.uid);
  const finished = jobs.filter((j) => finishedCondition(j));
  const active = jobs.filter((j) => !finishedCondition(j) && !j.metadata.deletionTimestamp);
  const wasActive = new Set(((cj.status?.active ?? []) as Obj[]).map((r) => r.uid));
  let lastSuccessful: string | undefined = cj.status?.lastSuccessfulTime;
  for (const j of finished) {
    const cond = finishedCondition(j)!;
    if (wasActive.has(j.metadata.uid)) ctx.event(cj, { type: "Normal", reason: "SawCompletedJob", message: `Saw completed job: ${j.metadata.name}, status: ${cond.type}`, component: COMPONENT });
    if (cond.type === "Complete" && j.status?.completionTime && (!lastSuccessful || j.status.completionTime > lastSuccessful)) lastSuccessful = j.status.completionTime;
  }

  let lastSchedule: string | undefined = cj.status?.lastScheduleTime;
  if (!spec.suspend) {
    const earliest = Date.parse(lastSchedule ?? cj.metadata.creationTimestamp ?? "") || now;
    const { time } = lastBetween(sched, earliest, now);
    const tooLate = time !== undefined && spec.startingDeadlineSeconds !== undefined && spec.startingDeadlineSeconds !== null && now - time > Number(spec.startingDeadlineSeconds) * 1000;
    if (time !== undefined && !tooLate && !(spec.concurrencyPolicy === "Forbid" && active.length)) {
      if (spec.concurrencyPolicy === "Replace") {
        for (const j of active.splice(0)) {
          await swallow404(() => ctx.registry.delete(jobS, ns, j.metadata.name, { propagationPolicy: "Background" }));
          ctx.event(cj, { type: "Normal", reason: "SuccessfulDelete", message: `Deleted job ${j.metadata.name}`, component: COMPONENT });
        }
      }
      const t = spec.jobTemplate ?? {};
      const name = `${cj.metadata.name}-${Math.floor(time / 60_000)}`;
      const job = {
        metadata: {
          name, namespace: ns,
          labels: clone(t.metadata?.labels ?? {}),
          annotations: { ...clone(t.metadata?.annotations ?? {}), "batch.kubernetes.io/cronjob-scheduled-timestamp": iso(time) },
          ownerReferences: [ownerRef({ ...cj, apiVersion: "batch/v1", kind: "CronJob" })],
        },
        spec: clone(t.spec ?? {}),
      };
      try {
        const r = await ctx.registry.create(jobS, ns, job, { fieldManager: MANAGER, internal: true });
        active.push(r.obj);
        ctx.event(cj, { type: "Normal", reason: "SuccessfulCreate", message: `Created job ${name}`, component: COMPONENT });
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 409)) {
          ctx.event(cj, { type: "Warning", reason: "FailedCreate", message: `Error creating job: ${err instanceof Error ? err.message : String(err)}`, component: COMPONENT });
          throw err;
        }
      }
      lastSchedule = iso(time);
    }
  }

  // History limits: the oldest finished Jobs go first.
  const byStart = (a: Obj, b: Obj) => String(a.status?.startTime ?? a.metadata.creationTimestamp).localeCompare(String(b.status?.startTime ?? b.metadata.creationTimestamp));
  for (const [type, limit] of [["Complete", spec.successfulJobsHistoryLimit ?? 3], ["Failed", spec.failedJobsHistoryLimit ?? 1]] as const) {
    const list = finished.filter((j) => finishedCondition(j)!.type === type).sort(byStart);
    for (const j of list.slice(0, Math.max(0, list.length - Number(limit)))) {
      await swallow404(() => ctx.registry.delete(jobS, ns, j.metadata.name, { propagationPolicy: "Background" }));
      ctx.event(cj, { type: "Normal", reason: "SuccessfulDelete", message: `Deleted job ${j.metadata.name}`, component: COMPONENT });
    }
  }

  await ctx.registry.mutate(cjS, ns, c.name, (o) => {
    const st: Obj = { ...(o.status ?? {}) };
    const refs = active.map((j) => ({ kind: "Job", namespace: ns, name: j.metadata.name, uid: j.metadata.uid, apiVersion: "batch/v1", resourceVersion: j.metadata.resourceVersion }));
    if (refs.length) st.active = refs;
    else delete st.active;
    if (lastSchedule) st.lastScheduleTime = lastSchedule;
    if (lastSuccessful) st.lastSuccessfulTime = lastSuccessful;
    o.status = st;
  }, { fieldManager: MANAGER, internal: true, subresource: "status" });

  const next = nextAfter(sched, now);
  if (next !== undefined && !spec.suspend) ctx.at(`cronjob:${key}`, () => reconcileCronJob(ctx, key), ctx.clock.realDelay(next) + 1);
}

export const cronJobController: Controller = {
  name: "cronjob",
  watches: ["batch/cronjobs", "batch/jobs"],
  onChange(ctx, ch) {
    if (ch.storage === "batch/cronjobs") {
      if (ch.type === "put") ctx.enqueue(`cronjob:${ch.key}`, () => reconcileCronJob(ctx, ch.key), ctx.latency.delay("kube.controller"));
      return;
    }
    for (const v of [ch.value, ch.prev]) {
      const ref = v && controllerRef(v);
      if (ref?.kind !== "CronJob") continue;
      const owner = ctx.cache.byUidKey(ref.uid);
      if (owner) ctx.enqueue(`cronjob:${owner.key}`, () => reconcileCronJob(ctx, owner.key), ctx.latency.delay("kube.controller"));
    }
  },
};
