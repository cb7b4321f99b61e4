// Objects kube-apiserver creates in every cluster on start (bootstrap RBAC policy, system
// priority classes, local APIServices, the default flow-control objects). Idempotent: missing
// objects are created, existing ones (possibly edited by the user) are left alone.
import { BOOTSTRAP_ANNOTATIONS, BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES, BOOTSTRAP_LABELS } from "./auth/bootstrap-policy.js";
import { strategyFor } from "./catalog.js";
import { SYSTEM_PRIORITY_CLASSES } from "./kinds/policy.js";
import type { Registry } from "./registry.js";
import type { Txn } from "../store/store.js";
import { clone, type Obj } from "./util.js";

function ensure(tx: Txn, reg: Registry, resource: string, group: string, body: Obj): void {
  const s = strategyFor(resource, group);
  if (reg.tryGet(s, undefined, body.metadata.name, tx)) return;
  reg.createIn(tx, s, undefined, body, { fieldManager: "kube-apiserver", internal: true });
}

export function seedApiServerObjects(reg: Registry): Promise<void> {
  return reg.store.txn((tx) => {
    const rbac = "rbac.authorization.k8s.io";
    const mark = (o: Obj): Obj => {
      const c = clone(o);
      c.metadata.labels = { ...BOOTSTRAP_LABELS, ...(c.metadata.labels ?? {}) };
      c.metadata.annotations = { ...BOOTSTRAP_ANNOTATIONS };
      if (c.subjects === undefined) delete c.subjects;
      return c;
    };
    for (const r of BOOTSTRAP_CLUSTER_ROLES) ensure(tx, reg, "clusterroles", rbac, mark(r));
    for (const b of BOOTSTRAP_CLUSTER_ROLE_BINDINGS) ensure(tx, reg, "clusterrolebindings", rbac, mark(b));
    for (const pc of SYSTEM_PRIORITY_CLASSES) ensure(tx, reg, "priorityclasses", "scheduling.k8s.io", { metadata: { name: pc.name }, value: pc.value, description: pc.description, globalDefault: false });
    const groups = new Map<string, string>();
    for (const s of reg.kinds.all()) if (!groups.has(`${s.info.version}.${s.info.group}`)) groups.set(`${s.info.version}.${s.info.group}`, s.info.group);
    for (const [name, group] of groups) {
      if (!group) continue; // the core group's "v1." is not a DNS subdomain the generic name check accepts
      const version = name.split(".")[0]!;
      // AKS's metrics-server add-on registers metrics.k8s.io through the aggregator.
      if (group === "metrics.k8s.io")
        ensure(tx, reg, "apiservices", "apiregistration.k8s.io", {
          metadata: { name },
          spec: { service: { namespace: "kube-system", name: "metrics-server", port: 443 }, group, version, insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 100 },
        });
      else
        ensure(tx, reg, "apiservices", "apiregistration.k8s.io", {
          metadata: { name, labels: { "kube-aggregator.kubernetes.io/automanaged": "onstart" } },
          spec: { group, version, groupPriorityMinimum: 17000, versionPriority: 15 },
        });
    }
    const fc = "flowcontrol.apiserver.k8s.io";
    const auto = { "apf.kubernetes.io/autoupdate-spec": "true" };
    ensure(tx, reg, "prioritylevelconfigurations", fc, { metadata: { name: "exempt", annotations: auto }, spec: { type: "Exempt", exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } } });
    for (const [name, shares, lend] of [["catch-all", 5, 0], ["global-default", 20, 50], ["leader-election", 10, 0], ["node-high", 40, 25], ["system", 30, 33], ["workload-high", 40, 50], ["workload-low", 100, 90]] as const)
      ensure(tx, reg, "prioritylevelconfigurations", fc, {
        metadata: { name, annotations: auto },
        spec: { type: "Limited", limited: { nominalConcurrencyShares: shares, lendablePercent: lend, limitResponse: name === "catch-all" ? { type: "Reject" } : { type: "Queue", queuing: { queues: 64, handSize: 6, queueLengthLimit: 50 } } } },
      });
    const fs = (name: string, pl: string, precedence: number, subjects: Obj[], method = "ByUser") =>
      ensure(tx, reg, "flowschemas", fc, {
        metadata: { name, annotations: auto },
        spec: {
          priorityLevelConfiguration: { name: pl },
          matchingPrecedence: precedence,
          distinguisherMethod: pl === "exempt" ? undefined : { type: method },
          rules: [{ subjects, resourceRules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"], clusterScope: true, namespaces: ["*"] }], nonResourceRules: [{ verbs: ["*"], nonResourceURLs: ["*"] }] }],
        },
      });
    const group = (name: string) => ({ kind: "Group", group: { name } });
    fs("exempt", "exempt", 1, [group("system:masters")]);
    fs("system-nodes", "system", 500, [group("system:nodes")]);
    fs("kube-controller-manager", "workload-high", 800, [{ kind: "User", user: { name: "system:kube-controller-manager" } }], "ByNamespace");
    fs("service-accounts", "workload-low", 9000, [group("system:serviceaccounts")]);
    fs("global-default", "global-default", 9900, [group("system:unauthenticated"), group("system:authenticated")]);
    fs("catch-all", "catch-all", 10000, [group("system:unauthenticated"), group("system:authenticated")]);
  });
}
