// The resource catalog: every kind the endpoint serves, looked up by URL parts or by kind.
// Discovery and OpenAPI documents are derived from it, so adding a kind is one strategy entry.
import { appsKinds } from "./kinds/apps.js";
import { coreKinds } from "./kinds/core.js";
import { otherKinds } from "./kinds/other.js";
import { storageKinds } from "./kinds/storage.js";
import type { ResourceInfo, Strategy } from "./types.js";

export const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export const strategies: Strategy[] = [...coreKinds, ...appsKinds, ...otherKinds, ...storageKinds];

const byGVR = new Map<string, Strategy>();
const byKind = new Map<string, Strategy>();
for (const s of strategies) {
  byGVR.set(`${s.info.group}/${s.info.version}/${s.info.resource}`, s);
  // The first registration of a kind in a group wins (core Event before events.k8s.io Event).
  const k = `${s.info.group}/${s.info.kind}`;
  if (!byKind.has(k)) byKind.set(k, s);
}

export function lookup(group: string, version: string, resource: string): Strategy | undefined {
  return byGVR.get(`${group}/${version}/${resource}`);
}

export function lookupKind(group: string, kind: string): Strategy | undefined {
  return byKind.get(`${group}/${kind}`);
}

export function strategyFor(resource: string, group = ""): Strategy {
  const s = strategies.find((x) => x.info.resource === resource && x.info.group === group);
  if (!s) throw new Error(`unknown resource ${group}/${resource}`);
  return s;
}

/** Storage segment "<group or core>/<resource>" (shared by kinds that are views of one storage). */
export function storageOf(info: ResourceInfo): string {
  return info.storage ?? `${info.group || "core"}/${info.resource}`;
}

export function apiVersionOf(info: ResourceInfo): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

export interface GroupVersion {
  group: string;
  version: string;
}

export function groupVersions(): GroupVersion[] {
  const seen = new Map<string, GroupVersion>();
  for (const s of strategies) seen.set(`${s.info.group}/${s.info.version}`, { group: s.info.group, version: s.info.version });
  return [...seen.values()];
}

export function resourcesIn(group: string, version: string): Strategy[] {
  return strategies.filter((s) => s.info.group === group && s.info.version === version);
}

/** Storage segments whose objects live in a namespace (namespace deletion empties them). */
export function namespacedStorages(): { storage: string; strategy: Strategy }[] {
  const seen = new Map<string, Strategy>();
  for (const s of strategies) if (s.info.namespaced && !seen.has(storageOf(s.info))) seen.set(storageOf(s.info), s);
  return [...seen.entries()].map(([storage, strategy]) => ({ storage, strategy }));
}

export function allStorages(): { storage: string; strategy: Strategy }[] {
  const seen = new Map<string, Strategy>();
  for (const s of strategies) if (!seen.has(storageOf(s.info))) seen.set(storageOf(s.info), s);
  return [...seen.entries()].map(([storage, strategy]) => ({ storage, strategy }));
}
