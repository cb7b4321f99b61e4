// Which store writes can change which console view: each view's feed (console/routes.ts) watches
// these prefixes and wakes only for the writes its view shows. Pure.
import type { WatchEvent } from "../store/store.js";
import { RES } from "../arm/repo.js";
import type { ViewName } from "./views.js";

/** A node write the Clusters view shows: new, deleted, or its Ready status changed (not a heartbeat). */
export function nodeChanged(e: WatchEvent): boolean {
  const ready = (n: any) => (n?.status?.conditions ?? []).find((c: any) => c?.type === "Ready")?.status;
  return e.type === "delete" || e.prev === undefined || ready(e.prev) !== ready(e.value);
}

/** A pod write the Clusters view shows: new, deleted, or its node, address or phase changed. */
export function podChanged(e: WatchEvent): boolean {
  const facts = (p: any) => `${p?.spec?.nodeName}|${p?.status?.podIP}|${p?.status?.phase}`;
  return e.type === "delete" || e.prev === undefined || facts(e.prev) !== facts(e.value);
}

const CLUSTER_KEY = /\/providers\/microsoft\.containerservice\/managedclusters\/[^/]+$/;
const ZONE_KEY = /\/providers\/microsoft\.network\/privatednszones\//;

/**
 * What each view reads, as store prefixes, and which writes under them can change it: the
 * simulation's node heartbeats, leases and events (most of a running cluster's writes) and
 * resources a view does not show wake no view.
 */
export const VIEW_WATCH: Record<ViewName, { prefixes: string[]; relevant?: (e: WatchEvent) => boolean }> = {
  clusters: {
    prefixes: [RES, "kube/"],
    relevant: (e) => (e.key.startsWith(RES) ? CLUSTER_KEY.test(e.key) : /\/r\/core\/nodes\//.test(e.key) ? nodeChanged(e) : /\/r\/core\/pods\//.test(e.key) ? podChanged(e) : false),
  },
  dns: { prefixes: [RES], relevant: (e) => CLUSTER_KEY.test(e.key) || ZONE_KEY.test(e.key) },
  resources: { prefixes: [RES, "prov:", "feat:", "sub:"] },
  activity: { prefixes: ["activity:", "op:"] },
};

