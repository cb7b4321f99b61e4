// The HPA's arithmetic (replica calculator, normalization), the v1 ↔ v2 conversion, the
// simulated usage and metrics-server's quantity formats (all pure).
import { test } from "node:test";
import assert from "node:assert/strict";
import { normalizeDesiredReplicas, normalizeWithBehaviors, resourceReplicas, storeScaleEvent, type HpaMemory, type PodMetric, type PodSample } from "../../src/sim/replica-calculator.js";
import { defaultHpaV2, formatHpaTargets, hpaFromV1, hpaToV1, validateHpa } from "../../src/kube/kinds/autoscaling.js";
import { cpuQuantity, memoryQuantity, nodeMetrics, podMetrics } from "../../src/kube/metrics.js";
import { containerUsage } from "../../src/kube/run-profile.js";

const T0 = 1_700_000_000_000;
const old = (name: string, request = 100): PodSample => ({ name, ignored: false, pending: false, startTime: T0 - 3_600_000, ready: { status: "True", transition: T0 - 3_500_000 }, request });
const m = (v: number): PodMetric => ({ value: v, timestamp: T0, windowMs: 15_000 });
const mem = (): HpaMemory => ({ recommendations: [], scaleUpEvents: [], scaleDownEvents: [] });

test("replica calculator: ceil(current × utilization / target), tolerance 0.1", () => {
  const pods = [old("a"), old("b")];
  // 250 % against 50 %: ceil(2 × 5) = 10.
  assert.deepEqual(resourceReplicas(2, 50, "cpu", pods, new Map([["a", m(250)], ["b", m(250)]]), T0), { replicas: 10, utilization: 250, rawAverage: 250 });
  // 54 % against 50 %: ratio 1.08, inside the tolerance: unchanged.
  assert.equal(resourceReplicas(2, 50, "cpu", pods, new Map([["a", m(54)], ["b", m(54)]]), T0).replicas, 2);
  // 56 %: ratio 1.12, outside: ceil(2 × 1.12) = 3.
  assert.equal(resourceReplicas(2, 50, "cpu", pods, new Map([["a", m(56)], ["b", m(56)]]), T0).replicas, 3);
  // 10 % against 50 %: scale down to ceil(2 × 0.2) = 1.
  assert.equal(resourceReplicas(2, 50, "cpu", pods, new Map([["a", m(10)], ["b", m(10)]]), T0).replicas, 1);
});

test("replica calculator: unready and missing pods as kube treats them", () => {
  // A pod that just became ready (within its first window) is unready: on a scale-up it counts as 0.
  const fresh: PodSample = { name: "c", ignored: false, pending: false, startTime: T0 - 5_000, ready: { status: "True", transition: T0 - 5_000 }, request: 100 };
  const r = resourceReplicas(2, 50, "cpu", [old("a"), old("b"), fresh], new Map([["a", m(200)], ["b", m(200)], ["c", m(200)]]), T0);
  // usage ratio 4 on the two ready pods; with c at 0: (400/300)/0.5 = 2.66 → ceil(2.66 × 3) = 8.
  assert.equal(r.replicas, 8);
  // A pod without metrics on a scale-down counts as 100 % of its request.
  const down = resourceReplicas(3, 50, "cpu", [old("a"), old("b"), old("c")], new Map([["a", m(10)], ["b", m(10)]]), T0);
  assert.equal(down.replicas, 3);
  assert.throws(() => resourceReplicas(2, 50, "cpu", [old("a")], new Map(), T0), /unable to get metrics for resource cpu: no metrics returned from resource metrics API/);
  assert.throws(() => resourceReplicas(2, 50, "cpu", [{ ...old("a"), request: undefined, missingRequestContainer: "web" }], new Map([["a", m(10)]]), T0), /missing request for cpu in container web of Pod a/);
});

test("normalization: max(2×current, 4) scale-up limit, 5-minute downscale stabilization, min/max", () => {
  const s = mem();
  const up = normalizeDesiredReplicas(s, 2, 10, 2, 20, T0);
  assert.deepEqual([up.replicas, up.limited.status, up.limited.reason], [4, "True", "ScaleUpLimit"]);
  const capped = normalizeDesiredReplicas(mem(), 4, 10, 2, 5, T0);
  assert.deepEqual([capped.replicas, capped.limited.reason], [5, "TooManyReplicas"]);
  // A recent recommendation of 10 holds a scale-down to 3 ...
  const held = normalizeDesiredReplicas(s, 10, 3, 1, 20, T0 + 60_000);
  assert.deepEqual([held.replicas, held.ableToScale.reason], [10, "ScaleDownStabilized"]);
  // ... until it is older than the window.
  const s2: HpaMemory = { recommendations: [{ replicas: 10, at: T0 }], scaleUpEvents: [], scaleDownEvents: [] };
  assert.equal(normalizeDesiredReplicas(s2, 10, 3, 1, 20, T0 + 301_000).replicas, 3);
});

test("normalization with behavior: policies per period, Disabled, stabilization", () => {
  const s = mem();
  const b = { scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] }, scaleDown: { selectPolicy: "Disabled", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] } };
  const first = normalizeWithBehaviors(s, b, 2, 6, 1, 10, T0);
  assert.deepEqual([first.replicas, first.limited.reason], [3, "ScaleUpLimit"]);
  storeScaleEvent(s, b, 2, 3, T0);
  // Within the 60 s period the one-pod budget is spent.
  assert.equal(normalizeWithBehaviors(s, b, 3, 6, 1, 10, T0 + 30_000).replicas, 3);
  assert.equal(normalizeWithBehaviors(s, b, 3, 6, 1, 10, T0 + 61_000).replicas, 4);
  // scaleDown Disabled: never below current.
  assert.equal(normalizeWithBehaviors(mem(), b, 5, 1, 1, 10, T0).replicas, 5);
});

test("HPA defaults and validation texts", () => {
  const o: any = { spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, maxReplicas: 3, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } };
  defaultHpaV2(o);
  assert.equal(o.spec.minReplicas, 1);
  assert.deepEqual(o.spec.metrics, [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }]);
  assert.deepEqual(o.spec.behavior.scaleDown, { selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }], stabilizationWindowSeconds: 60 });
  assert.deepEqual(o.spec.behavior.scaleUp.policies.map((p: any) => p.type), ["Pods", "Percent"]);
  const msgs = (x: any) => validateHpa(x, undefined).map((c) => `${c.field}: ${c.message}`);
  assert.deepEqual(msgs({ spec: { scaleTargetRef: { kind: "Deployment", name: "a/b" }, maxReplicas: 0, metrics: [{ type: "Pods" }] } }), [
    'spec.maxReplicas: Invalid value: 0: must be greater than 0',
    'spec.scaleTargetRef.name: Invalid value: "a/b": may not contain \'/\'',
    "spec.metrics[0].pods: Required value: must populate information for the given metric source",
  ]);
  assert.deepEqual(msgs({ spec: { scaleTargetRef: { kind: "Deployment", name: "x" }, maxReplicas: 2, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50, averageValue: "100m" } } }] } }), [
    "spec.metrics[0].resource.target.averageValue: Forbidden: may not set both a target raw value and a target utilization",
  ]);
  // minReplicas 0 stays allowed on an object that has it already.
  assert.deepEqual(validateHpa({ spec: { scaleTargetRef: { kind: "D", name: "x" }, minReplicas: 0, maxReplicas: 2, metrics: [{ type: "External", external: { metric: { name: "q" }, target: { type: "Value", value: "1" } } }] } }, { spec: { minReplicas: 0 } }), []);
});

test("v1 ↔ v2 conversion keeps what v1 cannot say in the annotations", () => {
  const v2 = {
    apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "h", annotations: { keep: "me" } },
    spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, minReplicas: 2, maxReplicas: 5, metrics: [
      { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } },
      { type: "Pods", pods: { metric: { name: "rps" }, target: { type: "AverageValue", averageValue: "10" } } },
    ], behavior: { scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Pods", value: 4, periodSeconds: 15 }] } } },
    status: { currentReplicas: 2, desiredReplicas: 3, currentMetrics: [{ type: "Resource", resource: { name: "cpu", current: { averageValue: "250m", averageUtilization: 250 } } }], conditions: [{ type: "AbleToScale", status: "True", reason: "SucceededRescale", message: "m" }] },
  };
  const v1 = hpaToV1(v2);
  assert.equal(v1.apiVersion, "autoscaling/v1");
  assert.deepEqual(v1.spec, { scaleTargetRef: { kind: "Deployment", name: "web", apiVersion: "apps/v1" }, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 50 });
  assert.deepEqual(v1.status, { currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 250 });
  assert.deepEqual(JSON.parse(v1.metadata.annotations["autoscaling.alpha.kubernetes.io/metrics"]), [{ type: "Pods", pods: { metricName: "rps", targetAverageValue: "10" } }]);
  assert.equal(JSON.parse(v1.metadata.annotations["autoscaling.alpha.kubernetes.io/behavior"]).ScaleUp.SelectPolicy, "Max");
  assert.equal(v1.metadata.annotations.keep, "me");
  const back = hpaFromV1(v1);
  // The pods metric comes back first, then the CPU one (kube's order).
  assert.deepEqual(back.spec.metrics.map((x: any) => x.type), ["Pods", "Resource"]);
  assert.deepEqual(back.spec.behavior, v2.spec.behavior);
  assert.deepEqual(back.status.currentMetrics, v2.status.currentMetrics);
  assert.deepEqual(back.status.conditions, v2.status.conditions);
  assert.deepEqual(back.metadata.annotations, { keep: "me" });
  // A bare v1 object gets the implicit 80 % CPU metric.
  assert.deepEqual(hpaFromV1({ spec: { scaleTargetRef: { kind: "Deployment", name: "w" }, maxReplicas: 2 } }).spec.metrics[0].resource.target, { type: "Utilization", averageUtilization: 80 });
});

test("kubectl get hpa TARGETS column", () => {
  const specs = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }, { type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "100Mi" } } }, { type: "Pods", pods: { target: { averageValue: "1" } } }];
  assert.equal(formatHpaTargets(specs, []), "cpu: <unknown>/50%, memory: <unknown>/100Mi + 1 more...");
  assert.equal(formatHpaTargets(specs.slice(0, 1), [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 12, averageValue: "12m" } } }]), "cpu: 12%/50%");
  assert.equal(formatHpaTargets([], []), "<none>");
});

test("simulated usage: annotations per pod or per container, defaults from requests, CPU limit", () => {
  const pod = (ann: Record<string, string>) => ({
    metadata: { name: "p", namespace: "d", annotations: ann, labels: { app: "x" } },
    spec: { nodeName: "n1", containers: [{ name: "web", resources: { requests: { cpu: "200m", memory: "64Mi" }, limits: { cpu: "1" } } }, { name: "side" }] },
    status: { phase: "Running" },
  });
  assert.deepEqual(containerUsage(pod({})).map((c) => [cpuQuantity(c.cpu), memoryQuantity(c.memory)]), [["20m", "32Mi"], ["1m", "1Mi"]]);
  assert.deepEqual(containerUsage(pod({ "aksemu.io/cpu": "web=3,side=5m", "kwok.x-k8s.io/usage-memory": "100Mi" })).map((c) => [cpuQuantity(c.cpu), memoryQuantity(c.memory)]), [["1", "100Mi"], ["5m", "100Mi"]]);
  const pm = podMetrics(pod({ "aksemu.io/cpu": "250m" }), T0)!;
  assert.deepEqual([pm.kind, pm.apiVersion, pm.window, pm.metadata.labels], ["PodMetrics", "metrics.k8s.io/v1beta1", "15s", { app: "x" }]);
  assert.equal(podMetrics({ ...pod({}), status: { phase: "Pending" } }), undefined);
  const node = { metadata: { name: "n1", annotations: { "aksemu.io/cpu": "100m" } }, status: { conditions: [{ type: "Ready", status: "True" }] } };
  assert.deepEqual(nodeMetrics(node, [pod({})], T0)!.usage, { cpu: "121m", memory: "33Mi" });
  assert.equal(cpuQuantity(0.0021431), "2143100n");
  assert.equal(memoryQuantity(25_650_000), "25049Ki");
});
