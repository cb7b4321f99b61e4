// Legacy discovery documents (/api, /apis, /api/v1, /apis/{g}/{v}) and /version, all derived
// from the catalog. Always plain application/json: clients fall back to legacy discovery by
// the response Content-Type, so aggregated discovery is never required (and never a 406).
import { createHash } from "node:crypto";
import { ALL_VERBS, builtinKinds, type Kinds } from "./catalog.js";
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
  approval: (s) => ({ kind: s.info.kind, verbs: ["get", "patch", "update"] }),
  token: () => ({ kind: "TokenRequest", group: "authentication.k8s.io", version: "v1", verbs: ["create"] }),
};

/** One hash per storage: versions that share a storage (autoscaling v1/v2) report the same one, as kube's do. */
function storageVersionHash(s: Strategy, kinds: Kinds): string {
  const st = (s.info.storage && kinds.byStorage(s.info.storage)) || s;
  return createHash("sha256").update(`${st.info.group}/${st.info.version}/${st.info.kind}`).digest("base64").slice(0, 11);
}

export function resourceList(group: string, version: string, kinds: Kinds = builtinKinds): Record<string, unknown> | undefined {
  const list = kinds.resourcesIn(group, version);
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
    if (!s.view) r.storageVersionHash = storageVersionHash(s, kinds);
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

/** Kube-aware version order (v2 > v1 > v1beta2 > v1beta1 > v1alpha1 > others alphabetically). */
export function versionPriority(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0] as const;
    return [m[2] === "alpha" ? 1 : m[2] === "beta" ? 2 : 3, Number(m[1]), Number(m[3] ?? 0)] as const;
  };
  const [ka, ma, na] = parse(a);
  const [kb, mb, nb] = parse(b);
  if (ka !== kb) return kb - ka;
  if (ka === 0) return a < b ? -1 : a > b ? 1 : 0;
  return ma !== mb ? mb - ma : nb - na;
}

function groupEntry(name: string, kinds: Kinds): Record<string, unknown> {
  const versions = kinds
    .groupVersions()
    .sort((a, b) => versionPriority(a.version, b.version))
    .filter((gv) => gv.group === name)
    .map((gv) => ({ groupVersion: `${gv.group}/${gv.version}`, version: gv.version }));
  return { name, versions, preferredVersion: versions[0] };
}

export function apiGroupList(kinds: Kinds = builtinKinds): Record<string, unknown> {
  const names = [...new Set(kinds.groupVersions().map((gv) => gv.group).filter((g) => g !== ""))];
  return { kind: "APIGroupList", apiVersion: "v1", groups: names.map((n) => groupEntry(n, kinds)) };
}

export function apiGroup(name: string, kinds: Kinds = builtinKinds): Record<string, unknown> | undefined {
  if (!name || !kinds.groupVersions().some((gv) => gv.group === name)) return undefined;
  return { kind: "APIGroup", apiVersion: "v1", ...groupEntry(name, kinds) };
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
