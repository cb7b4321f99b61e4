// metrics.k8s.io and the HorizontalPodAutoscaler with real kubectl: `kubectl top` prints the
// simulated usage and follows it when the pods' usage annotation changes; an HPA scales a
// Deployment 2 → 5 under simulated load on a sped-up clock; v1 and v2 are one object; kube's
// validation texts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import YAML from "yaml";
import { parseQuantity } from "../../src/kube/quantity.js";
import { scaledClock } from "../../src/sim/clock.js";
import { eventually } from "../helpers/emulator.js";
import { KUBECTL_120, KUBECTL_V32, kubectl, kubectlMissing, startEnv, type Env } from "./harness.js";

const missing = kubectlMissing(KUBECTL_V32);
let e: Env;

before(async () => {
  if (missing) return;
  // 15 emulated seconds (one HPA sync period) per 50 ms.
  e = await startEnv(undefined, {}, { clock: scaledClock(300) });
});
after(async () => e?.close());

async function k(args: string[], input?: string, bin = KUBECTL_V32): Promise<string> {
  const r = await kubectl(e, bin, args, { input });
  assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

function deployment(name: string, replicas: number, cpu = "100m"): string {
  return YAML.stringify({
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "web", image: "nginx", resources: { requests: { cpu, memory: "64Mi" } } }] } } },
  });
}

async function runningPods(label: string): Promise<string[]> {
  const items = JSON.parse(await k(["get", "pods", "-l", label, "-o", "json"])).items as any[];
  return items.filter((p) => p.status.phase === "Running" && !p.metadata.deletionTimestamp).map((p) => p.metadata.name);
}

test("kubectl top nodes/pods print simulated usage that follows the usage annotation", { skip: missing }, async () => {
  await k(["apply", "-f", "-"], deployment("topweb", 2, "200m"));
  await eventually(async () => (await runningPods("app=topweb")).length === 2, "2 pods running");

  const discovery = JSON.parse(await k(["get", "--raw", "/apis/metrics.k8s.io/v1beta1"]));
  assert.deepEqual(discovery.resources.map((r: any) => [r.name, r.kind, r.verbs.join(",")]), [["nodes", "NodeMetrics", "get,list"], ["pods", "PodMetrics", "get,list"]]);
  assert.match(await k(["get", "apiservice", "v1beta1.metrics.k8s.io"]), /v1beta1\.metrics\.k8s\.io\s+kube-system\/metrics-server\s+True/);

  // Default: 10 % of the 200m request, half of the 64Mi.
  let top = await k(["top", "pods", "-l", "app=topweb"]);
  assert.match(top, /NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
  for (const line of top.trim().split("\n").slice(1)) assert.match(line, /^topweb-\S+\s+20m\s+32Mi\s*$/);

  const pods = await runningPods("app=topweb");
  await k(["annotate", "pods", pods[0]!, "aksemu.io/cpu=750m", "aksemu.io/memory=300Mi"]);
  top = await k(["top", "pods", "-l", "app=topweb"]);
  assert.match(top, new RegExp(`${pods[0]}\\s+750m\\s+300Mi`));

  const raw = JSON.parse(await k(["get", "--raw", `/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/${pods[0]}`]));
  assert.equal(raw.kind, "PodMetrics");
  assert.equal(raw.window, "15s");
  assert.deepEqual(raw.containers, [{ name: "web", usage: { cpu: "750m", memory: "300Mi" } }]);

  const nodes = await k(["top", "nodes"]);
  assert.match(nodes, /NAME\s+CPU\(cores\)\s+CPU(\(%\)|%)\s+MEMORY\(bytes\)\s+MEMORY(\(%\)|%)/);
  assert.equal(nodes.trim().split("\n").length, 4, nodes);
  for (const line of nodes.trim().split("\n").slice(1)) assert.match(line, /^aks-nodepool1-\S+\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%\s*$/);
  // The node carrying the loaded pod reports at least its 750m.
  const node = JSON.parse(await k(["get", "pod", pods[0]!, "-o", "json"])).spec.nodeName;
  const nm = JSON.parse(await k(["get", "--raw", `/apis/metrics.k8s.io/v1beta1/nodes/${node}`]));
  assert.ok((parseQuantity(nm.usage.cpu) ?? 0) >= 0.75, nm.usage.cpu);

  // metrics-server's aggregated reader role makes metrics part of view; RBAC applies as to any resource.
  await k(["create", "rolebinding", "bob-view", "--clusterrole=view", "--user=bob"]);
  await eventually(async () => (await kubectl(e, KUBECTL_V32, ["top", "pods", "-l", "app=topweb", "--as=bob"])).code === 0, "view may read pod metrics");
  const denied = await kubectl(e, KUBECTL_V32, ["top", "nodes", "--as=bob"]);
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /nodes\.metrics\.k8s\.io is forbidden: User "bob" cannot list resource "nodes" in API group "metrics\.k8s\.io" at the cluster scope/);

  const gone = await kubectl(e, KUBECTL_V32, ["top", "pod", "nope"]);
  assert.notEqual(gone.code, 0);
  assert.match(gone.stderr, /pods "nope" not found/);
});

test("kubectl 1.20 top pods and nodes", { skip: missing || kubectlMissing(KUBECTL_120) }, async () => {
  const top = await k(["top", "pods", "-n", "kube-system"], undefined, KUBECTL_120);
  assert.match(top, /coredns-\S+\s+\d+m\s+\d+Mi/);
  const nodes = await k(["top", "nodes"], undefined, KUBECTL_120);
  assert.match(nodes, /aks-nodepool1-\S+\s+\d+m\s+\d+%/);
});

test("kubectl 1.20 autoscale (autoscaling/v1 protobuf), get and describe hpa", { skip: missing || kubectlMissing(KUBECTL_120) }, async () => {
  await k(["apply", "-f", "-"], deployment("old", 1));
  await k(["autoscale", "deployment", "old", "--cpu-percent=60", "--min=1", "--max=3"], undefined, KUBECTL_120);
  const v1 = JSON.parse(await k(["get", "horizontalpodautoscalers.v1.autoscaling", "old", "-o", "json"]));
  assert.equal(v1.spec.targetCPUUtilizationPercentage, 60);
  await eventually(async () => /old\s+Deployment\/old\s+cpu: 10%\/60%\s+1\s+3\s+1\s+/.test(await k(["get", "hpa", "old"], undefined, KUBECTL_120)), "kubectl 1.20 get hpa");
  const d = await k(["describe", "hpa", "old"]);
  assert.match(d, /Reference:\s+Deployment\/old/);
  assert.match(d, /AbleToScale\s+True/);
  assert.match(d, /ScalingActive\s+True\s+ValidMetricFound/);
});

test("an HPA scales a Deployment 2 → 5 under simulated load; kubectl get hpa shows it", { skip: missing }, async () => {
  await k(["apply", "-f", "-"], deployment("php", 2));
  await eventually(async () => (await runningPods("app=php")).length === 2, "2 pods running");
  await k(["autoscale", "deployment", "php", "--cpu-percent=50", "--min=2", "--max=5"]);
  // Idle (10m of 100m): 10 % of a 50 % target, but never below minReplicas.
  await eventually(async () => /cpu: 10%\/50%/.test(await k(["get", "hpa", "php"])), "idle utilization shown");
  const idle = await k(["get", "hpa", "php"]);
  assert.match(idle, /NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE/);
  assert.match(idle, /php\s+Deployment\/php\s+cpu: 10%\/50%\s+2\s+5\s+2\s+/);

  // Load: every running pod at 250m (250 % of its request).
  for (const p of await runningPods("app=php")) await k(["annotate", "pods", p, "aksemu.io/cpu=250m"]);
  await eventually(async () => JSON.parse(await k(["get", "deploy", "php", "-o", "json"])).spec.replicas === 5, "scaled to 5");
  const hpa = JSON.parse(await k(["get", "horizontalpodautoscalers.v2.autoscaling", "php", "-o", "json"]));
  assert.equal(hpa.status.desiredReplicas, 5);
  const conds = Object.fromEntries(hpa.status.conditions.map((c: any) => [c.type, c]));
  assert.equal(conds.AbleToScale.status, "True");
  assert.deepEqual([conds.ScalingActive.status, conds.ScalingActive.reason, conds.ScalingActive.message], ["True", "ValidMetricFound", "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)"]);
  assert.ok(conds.ScalingLimited);
  assert.equal(hpa.status.currentMetrics[0].resource.name, "cpu");
  assert.ok(hpa.status.currentMetrics[0].resource.current.averageUtilization > 50);
  const events = await k(["get", "events", "--field-selector", "involvedObject.name=php,reason=SuccessfulRescale", "-o", "json"]);
  const msgs = JSON.parse(events).items.map((x: any) => x.message);
  assert.ok(msgs.some((m: string) => /^New size: [45]; reason: cpu resource utilization \(percentage of request\) above target$/.test(m)), msgs.join("\n"));
  await eventually(async () => /php\s+Deployment\/php\s+cpu: \d+%\/50%\s+2\s+5\s+5\s+/.test(await k(["get", "hpa", "php"])), "REPLICAS 5 in kubectl get hpa");

  // The same object through autoscaling/v1.
  const v1 = JSON.parse(await k(["get", "horizontalpodautoscalers.v1.autoscaling", "php", "-o", "json"]));
  assert.equal(v1.apiVersion, "autoscaling/v1");
  assert.equal(v1.spec.targetCPUUtilizationPercentage, 50);
  assert.equal(v1.status.currentReplicas, 5);
  assert.ok(v1.status.currentCPUUtilizationPercentage > 50);
  assert.ok(JSON.parse(v1.metadata.annotations["autoscaling.alpha.kubernetes.io/conditions"]).length >= 3);
});

test("autoscaling/v1 and v2 are served, stored once, converted both ways", { skip: missing }, async () => {
  await k(["apply", "-f", "-"], YAML.stringify({
    apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler", metadata: { name: "conv" },
    spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "none" }, maxReplicas: 3, targetCPUUtilizationPercentage: 70 },
  }));
  const v2 = JSON.parse(await k(["get", "horizontalpodautoscalers.v2.autoscaling", "conv", "-o", "json"]));
  assert.equal(v2.spec.minReplicas, 1);
  assert.deepEqual(v2.spec.metrics, [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }]);
  // A v2-only metric travels to v1 in the annotation and back.
  await k(["apply", "-f", "-"], YAML.stringify({
    apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "mem" },
    spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "none" }, maxReplicas: 3, metrics: [{ type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "100Mi" } } }], behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } },
  }));
  const m1 = JSON.parse(await k(["get", "horizontalpodautoscalers.v1.autoscaling", "mem", "-o", "json"]));
  assert.equal(m1.spec.targetCPUUtilizationPercentage, undefined);
  assert.deepEqual(JSON.parse(m1.metadata.annotations["autoscaling.alpha.kubernetes.io/metrics"]), [{ type: "Resource", resource: { name: "memory", targetAverageValue: "100Mi" } }]);
  assert.equal(JSON.parse(m1.metadata.annotations["autoscaling.alpha.kubernetes.io/behavior"]).ScaleDown.StabilizationWindowSeconds, 60);
  const m2 = JSON.parse(await k(["get", "hpa", "mem", "-o", "json"]));
  assert.equal(m2.apiVersion, "autoscaling/v2");
  assert.deepEqual(m2.spec.behavior.scaleUp, { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Pods", value: 4, periodSeconds: 15 }, { type: "Percent", value: 100, periodSeconds: 15 }] });
  assert.ok(!Object.keys(m2.metadata.annotations ?? {}).some((a) => a.startsWith("autoscaling.alpha.kubernetes.io/")));
  // The missing target is reported as the controller reports it.
  await eventually(async () => {
    const o = JSON.parse(await k(["get", "hpa", "conv", "-o", "json"]));
    const c = (o.status.conditions ?? []).find((x: any) => x.type === "AbleToScale");
    return c?.status === "False" && c.reason === "FailedGetScale" && c.message === 'the HPA controller was unable to get the target\'s current scale: deployments.apps "none" not found';
  }, "FailedGetScale condition");
  const list = JSON.parse(await k(["get", "--raw", "/apis/autoscaling"]));
  assert.equal(list.preferredVersion.version, "v2");
});

test("HPA validation failures give kube-apiserver's messages", { skip: missing }, async () => {
  const bad = await kubectl(e, KUBECTL_V32, ["apply", "-f", "-"], {
    input: YAML.stringify({ apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "bad" }, spec: { scaleTargetRef: { kind: "Deployment", name: "" }, minReplicas: 3, maxReplicas: 2, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 0 } } }] } }),
  });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /The HorizontalPodAutoscaler "bad" is invalid: /);
  assert.match(bad.stderr, /spec\.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`/);
  assert.match(bad.stderr, /spec\.scaleTargetRef\.name: Required value/);
  assert.match(bad.stderr, /spec\.metrics\[0\]\.resource\.target\.averageUtilization: Invalid value: 0: must be greater than 0/);
  const zero = await kubectl(e, KUBECTL_V32, ["apply", "-f", "-"], {
    input: YAML.stringify({ apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler", metadata: { name: "zero" }, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "php" }, minReplicas: 0, maxReplicas: 3 } }),
  });
  assert.notEqual(zero.code, 0);
  assert.match(zero.stderr, /spec\.minReplicas: Invalid value: 0: must be greater than or equal to 1/);
  const pol = await kubectl(e, KUBECTL_V32, ["apply", "-f", "-"], {
    input: YAML.stringify({ apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "pol" }, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "php" }, maxReplicas: 3, behavior: { scaleUp: { selectPolicy: "Sometimes", policies: [{ type: "Pods", value: 0, periodSeconds: 1801 }] } } } }),
  });
  assert.notEqual(pol.code, 0);
  assert.match(pol.stderr, /spec\.behavior\.scaleUp\.selectPolicy: Unsupported value: "Sometimes": supported values: "Disabled", "Max", "Min"/);
  assert.match(pol.stderr, /spec\.behavior\.scaleUp\.policies\[0\]\.value: Invalid value: 0: must be greater than zero/);
  assert.match(pol.stderr, /spec\.behavior\.scaleUp\.policies\[0\]\.periodSeconds: Invalid value: 1801: must be less than or equal to 1800/);
});
