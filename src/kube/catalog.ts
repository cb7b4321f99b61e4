// The resource catalog: every kind the endpoint serves, looked up by URL parts or by kind.
// Discovery and OpenAPI documents are derived from it, so adding a kind is one strategy entry.
// Built-in kinds are static; each cluster's Kinds adds the custom resources its CRDs define.
import { admissionKinds } from "./kinds/admission.js";
import { apiextensionsKinds } from "./kinds/apiextensions.js";
import { appsKinds } from "./kinds/apps.js";
import { authKinds } from "./kinds/auth.js";
import { autoscalingKinds } from "./kinds/autoscaling.js";
import { coreKinds } from "./kinds/core.js";
import { metricsKinds } from "./kinds/metrics.js";
import { networkingKinds } from "./kinds/networking.js";
import { otherKinds } from "./kinds/other.js";
import { policyKinds } from "./kinds/policy.js";
import { rbacKinds } from "./kinds/rbac.js";
import { storageKinds } from "./kinds/storage.js";
import type { ResourceInfo, Strategy } from "./types.js";

export const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export const strategies: Strategy[] = [
  ...coreKinds,
  ...appsKinds,
  ...autoscalingKinds,
  ...otherKinds,
  ...storageKinds,
  ...rbacKinds,
  ...networkingKinds,
  ...policyKinds,
  ...admissionKinds,
  ...apiextensionsKinds,
  ...authKinds,
  ...metricsKinds,
];

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

/** Stored (persisted) kinds: review kinds like SelfSubjectAccessReview are create-only, metrics are computed; neither is stored. */
function stored(s: Strategy): boolean {
  return !s.virtual && !s.view;
}

/** One cluster's view of the catalog: the built-in kinds plus its custom resources. */
export class Kinds {
  private custom: Strategy[] = [];
  private customByGVR = new Map<string, Strategy>();

  constructor(private readonly load: () => Strategy[] = () => []) {}

  private dirty = true;

  /** Custom resource definitions changed: rebuild on next use. */
  invalidate(): void {
    this.dirty = true;
  }

  private refresh(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.custom = this.load();
    this.customByGVR = new Map(this.custom.map((s) => [`${s.info.group}/${s.info.version}/${s.info.resource}`, s]));
  }

  all(): Strategy[] {
    this.refresh();
    return this.custom.length ? [...strategies, ...this.custom] : strategies;
  }

  customKinds(): Strategy[] {
    this.refresh();
    return this.custom;
  }

  lookup(group: string, version: string, resource: string): Strategy | undefined {
    const s = lookup(group, version, resource);
    if (s) return s;
    this.refresh();
    return this.customByGVR.get(`${group}/${version}/${resource}`);
  }

  lookupKind(group: string, kind: string): Strategy | undefined {
    const s = lookupKind(group, kind);
    if (s) return s;
    this.refresh();
    return this.custom.find((c) => c.info.group === group && c.info.kind === kind && c.storageVersion) ?? this.custom.find((c) => c.info.group === group && c.info.kind === kind);
  }

  groupVersions(): GroupVersion[] {
    const seen = new Map<string, GroupVersion>();
    for (const s of this.all()) seen.set(`${s.info.group}/${s.info.version}`, { group: s.info.group, version: s.info.version });
    return [...seen.values()];
  }

  resourcesIn(group: string, version: string): Strategy[] {
    return this.all().filter((s) => s.info.group === group && s.info.version === version);
  }

  /** Storage segments whose objects live in a namespace (namespace deletion empties them). */
  namespacedStorages(): { storage: string; strategy: Strategy }[] {
    return this.storages().filter((x) => x.strategy.info.namespaced);
  }

  /** One strategy per storage segment (the storage version for custom resources). */
  storages(): { storage: string; strategy: Strategy }[] {
    const seen = new Map<string, Strategy>();
    for (const s of this.all()) {
      if (!stored(s)) continue;
      const k = storageOf(s.info);
      if (!seen.has(k) || s.storageVersion) seen.set(k, s);
    }
    return [...seen.entries()].map(([storage, strategy]) => ({ storage, strategy }));
  }

  byStorage(storage: string): Strategy | undefined {
    return this.storages().find((x) => x.storage === storage)?.strategy;
  }
}

/** The built-in kinds alone (no cluster): used where no registry is at hand. */
export const builtinKinds = new Kinds();

export function groupVersions(): GroupVersion[] {
  return builtinKinds.groupVersions();
}

export function resourcesIn(group: string, version: string): Strategy[] {
  return builtinKinds.resourcesIn(group, version);
}

export function namespacedStorages(): { storage: string; strategy: Strategy }[] {
  return builtinKinds.namespacedStorages();
}

export function allStorages(): { storage: string; strategy: Strategy }[] {
  return builtinKinds.storages();
}
