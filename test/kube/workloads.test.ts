// Controllers that finish, with real kubectl 1.32: Jobs (completions/parallelism, backoffLimit,
// activeDeadlineSeconds, TTL), CronJobs on a sped-up clock, StatefulSets, bare pods with
// restartPolicy Never; logs show the simulated lifecycle, not imitation output.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import YAML from "yaml";
import { scaledClock } from "../../src/sim/clock.js";
import { eventually } from "../helpers/emulator.js";
import { KUBECTL_V32, kubectl, kubectlMissing, startEnv, type Env } from "./harness.js";

const missing = kubectlMissing(KUBECTL_V32);
let e: Env;

before(async () => {
  if (missing) return;
  // One emulated minute per 100 ms: CronJobs fire, deadlines pass, TTLs expire quickly.
  e = await startEnv(undefined, {}, { clock: scaledClock(600) });
});
after(async () => e?.close());

async function k(args: string[], input?: string): Promise<string> {
  const r = await kubectl(e, KUBECTL_V32, args, { input });
  assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

function job(name: string, spec: Record<string, unknown>, podAnnotations: Record<string, string> = {}): string {
  return YAML.stringify({
    apiVersion: "batch/v1", kind: "Job", metadata: { name },
    spec: { ...spec, template: { metadata: { annotations: podAnnotations }, spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox", command: ["sh", "-c", "exit 0"] }] } } },
  });
}

test("Job completions 5 parallelism 2 completes; kubectl wait returns", { skip: missing }, async () => {
  await k(["apply", "-f", "-"], job("batch5", { completions: 5, parallelism: 2 }));
  const w = await kubectl(e, KUBECTL_V32, ["wait", "--for=condition=complete", "job/batch5", "--timeout=60s"]);
  assert.equal(w.code, 0, w.stderr);
  assert.match(w.stdout, /job.batch\/batch5 condition met/);
  const j = JSON.parse(await k(["get", "job", "batch5", "-o", "json"]));
  assert.equal(j.status.succeeded, 5);
  assert.ok(j.status.completionTime && j.status.startTime);
  const c = j.status.conditions.find((x: any) => x.type === "Complete");
  assert.deepEqual([c.status, c.reason], ["True", "CompletionsReached"]);
  const pods = JSON.parse(await k(["get", "pods", "-l", "job-name=batch5", "-o", "json"])).items;
  assert.equal(pods.length, 5);
  assert.ok(pods.every((p: any) => p.status.phase === "Succeeded" && p.status.containerStatuses[0].state.terminated.reason === "Completed"));
  assert.match(await k(["get", "job", "batch5"]), /batch5\s+Complete\s+5\/5/);
});

test("Job past its backoffLimit fails; activeDeadlineSeconds fails it on the emulator clock", { skip: missing }, async () => {
  await k(["apply", "-f", "-"], job("boom", { backoffLimit: 1 }, { "aksemu.io/exit-code": "3" }));
  const w = await kubectl(e, KUBECTL_V32, ["wait", "--for=condition=failed", "job/boom", "--timeout=60s"]);
  assert.equal(w.code, 0, w.stderr);
  const j = JSON.parse(await k(["get", "job", "boom", "-o", "json"]));
  assert.equal(j.status.failed, 2);
  assert.equal(j.status.conditions.find((x: any) => x.type === "Failed").reason, "BackoffLimitExceeded");
  const pod = JSON.parse(await k(["get", "pods", "-l", "job-name=boom", "-o", "json"])).items[0];
  assert.equal(pod.status.containerStatuses[0].state.terminated.exitCode, 3);

  // Runs for an emulated hour, deadline 2 emulated minutes.
  await k(["apply", "-f", "-"], job("slow", { activeDeadlineSeconds: 120 }, { "pod-complete.stage.kwok.x-k8s.io/delay": "1h" }));
  const w2 = await kubectl(e, KUBECTL_V32, ["wait", "--for=condition=failed", "job/slow", "--timeout=60s"]);
  assert.equal(w2.code, 0, w2.stderr);
  const s = JSON.parse(await k(["get", "job", "slow", "-o", "json"]));
  assert.deepEqual([s.status.conditions.find((x: any) => x.type === "Failed").reason, s.status.conditions.find((x: any) => x.type === "Failed").message], ["DeadlineExceeded", "Job was active longer than specified deadline"]);
  await eventually(async () => JSON.parse(await k(["get", "pods", "-l", "job-name=slow", "-o", "json"])).items.length === 0, "deadline deletes the running pod");
});

test("ttlSecondsAfterFinished deletes the Job and its pods", { skip: missing }, async () => {
  await k(["apply", "-f", "-"], job("short", { ttlSecondsAfterFinished: 60 }));
  await eventually(async () => (await kubectl(e, KUBECTL_V32, ["get", "job", "short"])).code !== 0, "Job gone after its TTL");
  await eventually(async () => JSON.parse(await k(["get", "pods", "-l", "job-name=short", "-o", "json"])).items.length === 0, "its pods gone");
});

test("CronJob fires on the sped-up clock and keeps its history limit", { skip: missing }, async () => {
  await k(["apply", "-f", "-"], YAML.stringify({
    apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "tick" },
    spec: { schedule: "*/1 * * * *", successfulJobsHistoryLimit: 2, jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "c", image: "busybox" }] } } } } },
  }));
  await eventually(async () => {
    const ev = await k(["get", "events", "--field-selector", "involvedObject.name=tick,reason=SuccessfulCreate", "-o", "json"]);
    return JSON.parse(ev).items.reduce((n: number, x: any) => n + (x.count ?? 1), 0) >= 4;
  }, "four scheduled Jobs", 60_000, 100);
  const cj = JSON.parse(await k(["get", "cronjob", "tick", "-o", "json"]));
  assert.ok(cj.status.lastScheduleTime);
  assert.ok(cj.status.lastSuccessfulTime);
  await k(["patch", "cronjob", "tick", "-p", '{"spec":{"suspend":true}}']);
  const jobs = await eventually(async () => {
    const items = JSON.parse(await k(["get", "jobs", "-o", "json"])).items.filter((j: any) => j.metadata.ownerReferences?.[0]?.name === "tick");
    const done = items.filter((j: any) => j.status?.conditions?.some((c: any) => c.type === "Complete"));
    return done.length <= 2 && items.length === done.length ? items : undefined;
  }, "history pruned to 2", 30_000, 100);
  for (const j of jobs) assert.match(j.metadata.name, /^tick-\d+$/);
});

test("kubectl run --restart=Never completes; logs are the simulated lifecycle", { skip: missing }, async () => {
  await k(["run", "tmp", "--image=busybox", "--restart=Never", "--", "echo", "hello"]);
  const w = await kubectl(e, KUBECTL_V32, ["wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/tmp", "--timeout=60s"]);
  assert.equal(w.code, 0, w.stderr);
  const logs = await k(["logs", "tmp"]);
  assert.match(logs, /simulated container tmp \(image busybox\)/);
  assert.match(logs, /\["echo","hello"\] was not executed/);
  assert.match(logs, /exited with code 0 \(Completed\)/);
  assert.doesNotMatch(logs, /^hello$/m, "no imitation of the command's output");
  await k(["run", "talk", "--image=busybox", "--restart=Never", "--annotations=aksemu.io/output=line one\nline two"]);
  await eventually(async () => (await k(["get", "pod", "talk", "-o", "jsonpath={.status.phase}"])) === "Succeeded", "talk Succeeded");
  assert.match(await k(["logs", "talk"]), /\nline one\nline two\n/);
});

test("StatefulSet: ordered stable names, status, scale down from the top, partitioned update", { skip: missing }, async () => {
  await k(["apply", "-f", "-"], YAML.stringify({
    apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "db" },
    spec: { serviceName: "db", replicas: 3, selector: { matchLabels: { app: "db" } }, template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "c", image: "postgres:16" }] } } },
  }));
  const r = await kubectl(e, KUBECTL_V32, ["rollout", "status", "sts/db", "--timeout=60s"]);
  assert.equal(r.code, 0, r.stderr);
  const pods = JSON.parse(await k(["get", "pods", "-l", "app=db", "-o", "json"])).items;
  assert.deepEqual(pods.map((p: any) => p.metadata.name).sort(), ["db-0", "db-1", "db-2"]);
  assert.ok(pods.every((p: any) => p.spec.hostname === p.metadata.name && p.spec.subdomain === "db"));
  const ev = JSON.parse(await k(["get", "events", "--field-selector", "involvedObject.name=db,reason=SuccessfulCreate", "-o", "json"])).items;
  assert.deepEqual(ev.sort((a: any, b: any) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion)).map((x: any) => x.message), [
    "create Pod db-0 in StatefulSet db successful", "create Pod db-1 in StatefulSet db successful", "create Pod db-2 in StatefulSet db successful",
  ]);
  const sts = JSON.parse(await k(["get", "sts", "db", "-o", "json"]));
  assert.equal(sts.status.readyReplicas, 3);
  assert.equal(sts.status.currentRevision, sts.status.updateRevision);
  // partitioned update: only ordinals ≥ 2 move to the new revision
  await k(["patch", "sts", "db", "-p", '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}},"template":{"spec":{"containers":[{"name":"c","image":"postgres:17"}]}}}}']);
  const next = await eventually(async () => {
    const s = JSON.parse(await k(["get", "sts", "db", "-o", "json"]));
    return s.status.updatedReplicas === 1 && s.status.readyReplicas === 3 ? s : undefined;
  }, "db-2 updated");
  const revs = JSON.parse(await k(["get", "pods", "-l", "app=db", "-o", "json"])).items.map((p: any) => [p.metadata.name, p.metadata.labels["controller-revision-hash"]]).sort();
  assert.deepEqual(revs.map((x: any) => x[1] === next.status.updateRevision), [false, false, true]);
  await k(["scale", "sts", "db", "--replicas=1"]);
  await eventually(async () => JSON.parse(await k(["get", "pods", "-l", "app=db", "-o", "json"])).items.map((p: any) => p.metadata.name).join() === "db-0", "scaled down to db-0");
});

test("PersistentVolumeClaim: kube-apiserver's validation and defaults; without a cloud the claim waits for its provisioner", { skip: missing }, async () => {
  const bad = await kubectl(e, KUBECTL_V32, ["apply", "-f", "-"], { input: YAML.stringify({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "bad" }, spec: { resources: { requests: {} } } }) });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /PersistentVolumeClaim "bad" is invalid: \n\* spec\.accessModes: Required value: at least 1 access mode is required\n\* spec\.resources\[storage\]: Required value/);
  await k(["apply", "-f", "-"], YAML.stringify({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "c1" }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: "managed-csi-premium", resources: { requests: { storage: "5Gi" } } } }));
  const shrink = await kubectl(e, KUBECTL_V32, ["patch", "pvc", "c1", "-p", '{"spec":{"resources":{"requests":{"storage":"1Gi"}}}}']);
  assert.notEqual(shrink.code, 0);
  assert.match(shrink.stderr, /spec\.resources\.requests\.storage: Forbidden: field can not be less than previous value/);
  const c1 = JSON.parse(await k(["get", "pvc", "c1", "-o", "json"]));
  assert.deepEqual([c1.status.phase, c1.spec.volumeMode, c1.metadata.finalizers], ["Pending", "Filesystem", ["kubernetes.io/pvc-protection"]]);
  assert.match(await k(["get", "pvc", "c1"]), /c1\s+Pending\s+managed-csi-premium/);
});
