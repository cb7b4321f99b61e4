// Which writes wake which console view: heartbeats, leases and events wake none; a node's Ready
// change, a pod's node/address/phase, cluster and private DNS records wake the views that show them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { VIEW_WATCH } from "../../src/console/view-watch.js";
import type { WatchEvent } from "../../src/store/store.js";

const ev = (key: string, value: unknown, prev?: unknown, type: "put" | "delete" = "put"): WatchEvent => ({ type, key, value, prev, revision: 1 } as WatchEvent);
const K = "kube//subscriptions/s/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/c1/r/";
const node = (ready: string, beat: string) => ({ metadata: { name: "n1" }, status: { conditions: [{ type: "Ready", status: ready, lastHeartbeatTime: beat }] } });
const pod = (ip: string | undefined, phase: string, rv: string) => ({ metadata: { name: "p", resourceVersion: rv }, spec: { nodeName: "n1" }, status: { podIP: ip, phase } });
const wakes = (view: keyof typeof VIEW_WATCH, e: WatchEvent) => VIEW_WATCH[view].relevant?.(e) ?? true;

test("the Clusters view: node Ready changes and pod facts, not heartbeats, leases or events", () => {
  assert.equal(wakes("clusters", ev(`${K}core/nodes/n1`, node("True", "t2"), node("True", "t1"))), false, "a heartbeat");
  assert.equal(wakes("clusters", ev(`${K}core/nodes/n1`, node("False", "t2"), node("True", "t1"))), true, "NotReady");
  assert.equal(wakes("clusters", ev(`${K}core/nodes/n2`, node("True", "t1"))), true, "a new node");
  assert.equal(wakes("clusters", ev(`${K}core/nodes/n1`, node("True", "t1"), undefined, "delete")), true);
  assert.equal(wakes("clusters", ev(`${K}core/pods/kube-system/p`, pod("10.0.0.9", "Running", "2"), pod("10.0.0.9", "Running", "1"))), false, "a status write with the same facts");
  assert.equal(wakes("clusters", ev(`${K}core/pods/kube-system/p`, pod("10.0.0.9", "Running", "2"), pod(undefined, "Pending", "1"))), true, "the pod got its address");
  assert.equal(wakes("clusters", ev(`${K}coordination.k8s.io/leases/kube-node-lease/n1`, {}, {})), false);
  assert.equal(wakes("clusters", ev(`${K}core/events/default/e1`, {})), false);
  assert.equal(wakes("clusters", ev("res:/subscriptions/s/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/c1", {})), true);
  assert.equal(wakes("clusters", ev("res:/subscriptions/s/resourcegroups/mc_rg/providers/microsoft.network/networkinterfaces/nic1", {})), false);
});

test("the DNS view: cluster and private zone records only; Resources and Activity: everything under their prefixes", () => {
  assert.equal(wakes("dns", ev("res:/subscriptions/s/resourcegroups/mc/providers/microsoft.network/privatednszones/z.io/a/api", {})), true);
  assert.equal(wakes("dns", ev("res:/subscriptions/s/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/c1", {})), true);
  assert.equal(wakes("dns", ev("res:/subscriptions/s/resourcegroups/rg/providers/microsoft.network/virtualnetworks/v", {})), false);
  assert.equal(wakes("resources", ev("res:/subscriptions/s/resourcegroups/rg/providers/microsoft.network/virtualnetworks/v", {})), true);
  assert.deepEqual(VIEW_WATCH.activity.prefixes, ["activity:", "op:"]);
  assert.ok(!VIEW_WATCH.clusters.prefixes.includes("activity:"), "a request's activity record does not re-read the clusters");
});
