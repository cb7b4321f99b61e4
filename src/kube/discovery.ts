// Legacy discovery documents (/api, /apis, /api/v1, /apis/{g}/{v}) and /version, all derived
// from the catalog. Always plain application/json: clients fall back to legacy discovery by
// the response Content-Type, so aggregated discovery is never required (and never a 406).
import { createHash } from "node:crypto";
import { ALL_VERBS, groupVersions, resourcesIn } from "./catalog.js";
import type { Strategy } from "./types.js";

interface SubresourceDef {
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}

const SUBRESOURCES: Record<string, (s: Strategy) => SubresourceDef> = {
  status: (s) => ({ kind: s.info.kind, verbs: ["get", "patch", "update"] }),
  scale: () => ({ kind: "Scale", group: "autoscaling", version: "v1", verbs: ["get", "patch", "update"] }),
  log: () => ({ kind: "Pod", verbs: ["get"] }),
  binding: () => ({ kind: "Binding", verbs: ["create"] }),
  eviction: () => ({ kind: "Eviction", group: "policy", version: "v1", verbs: ["create"] }),
  exec: () => ({ kind: "PodExecOptions", verbs: ["create", "get"] }),
  attach: () => ({ kind: "PodAttachOptions", verbs: ["create", "get"] }),
  portforward: () => ({ kind: "PodPortForwardOptions", verbs: ["create", "get"] }),
  ephemeralcontainers: (s) => ({ kind: s.info.kind, verbs: ["get", "patch", "update"] }),
  finalize: () => ({ kind: "Namespace", verbs: ["update"] }),
  proxy: (s) => ({ kind: `${s.info.kind}ProxyOptions`, verbs: ["create", "delete", "get", "patch", "update"] }),
  token: () => ({ kind: "TokenRequest", group: "authentication.k8s.io", version: "v1", verbs: ["create"] }),
};

function storageVersionHash(s: Strategy): string {
  return createHash("sha256").update(`${s.info.group}/${s.info.version}/${s.info.kind}`).digest("base64").slice(0, 11);
}

export function resourceList(group: string, version: string): Record<string, unknown> | undefined {
  const list = resourcesIn(group, version);
  if (!list.length) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const s of list) {
    const r: Record<string, unknown> = {
      name: s.info.resource,
      singularName: s.info.singular,
      namespaced: s.info.namespaced,
      kind: s.info.kind,
      verbs: s.info.verbs ?? ALL_VERBS,
    };
    if (s.info.shortNames?.length) r.shortNames = s.info.shortNames;
    if (s.info.categories?.length) r.categories = s.info.categories;
    r.storageVersionHash = storageVersionHash(s);
    resources.push(r);
    for (const sub of s.info.subresources) {
      const d = SUBRESOURCES[sub]?.(s);
      if (!d) continue;
      const e: Record<string, unknown> = { name: `${s.info.resource}/${sub}`, singularName: "", namespaced: s.info.namespaced };
      if (d.group) e.group = d.group;
      if (d.version) e.version = d.version;
      e.kind = d.kind;
      e.verbs = d.verbs;
      resources.push(e);
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${version}` : version, resources };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
}

function groupEntry(name: string): Record<string, unknown> {
  const versions = groupVersions()
    .filter((gv) => gv.group === name)
    .map((gv) => ({ groupVersion: `${gv.group}/${gv.version}`, version: gv.version }));
  return { name, versions, preferredVersion: versions[0] };
}

export function apiGroupList(): Record<string, unknown> {
  const names = [...new Set(groupVersions().map((gv) => gv.group).filter((g) => g !== ""))];
  return { kind: "APIGroupList", apiVersion: "v1", groups: names.map(groupEntry) };
}

export function apiGroup(name: string): Record<string, unknown> | undefined {
  if (!name || !groupVersions().some((gv) => gv.group === name)) return undefined;
  return { kind: "APIGroup", apiVersion: "v1", ...groupEntry(name) };
}

/** GET /version for a cluster at kubernetesVersion ("1.31.2"). */
export function versionInfo(kubernetesVersion: string): Record<string, unknown> {
  const [major = "1", minor = "0"] = kubernetesVersion.split(".");
  const commit = createHash("sha1").update(`aksemu-${kubernetesVersion}`).digest("hex");
  return {
    major,
    minor,
    gitVersion: `v${kubernetesVersion}`,
    gitCommit: commit,
    gitTreeState: "clean",
    buildDate: "2024-09-11T00:00:00Z",
    goVersion: "go1.22.6",
    compiler: "gc",
    platform: "linux/amd64",
  };
}
