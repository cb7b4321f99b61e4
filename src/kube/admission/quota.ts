// ResourceQuota (apiserver plugin/resourcequota + k/k pkg/quota/v1/evaluator/core): usage of a
// namespace computed from its objects; a create that would exceed a hard limit is refused with
// kube's "exceeded quota" text. Pure over the lists it is given, plus the registry reads.
import { strategyFor } from "../catalog.js";
import { StatusError } from "../errors.js";
import { formatQuantity, parseQuantity } from "../quantity.js";
import type { Reader, Registry } from "../registry.js";
import type { Strategy } from "../types.js";
import type { Obj } from "../util.js";

const quotaS = strategyFor("resourcequotas");

const COUNTED: Record<string, [resource: string, group: string]> = {
  pods: ["pods", ""],
  services: ["services", ""],
  configmaps: ["configmaps", ""],
  secrets: ["secrets", ""],
  replicationcontrollers: ["replicationcontrollers", ""],
  resourcequotas: ["resourcequotas", ""],
  persistentvolumeclaims: ["persistentvolumeclaims", ""],
};

function podActive(p: Obj): boolean {
  return p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed" && !p.metadata?.deletionTimestamp;
}

/** Compute-resource usage of one pod: requests.cpu, limits.memory, ... (cpu/memory = requests). */
export function podUsage(p: Obj): Record<string, number> {
  const u: Record<string, number> = { pods: 1 };
  for (const c of (p.spec?.containers ?? []) as Obj[]) {
    for (const [kind, m] of [["requests", c.resources?.requests], ["limits", c.resources?.limits]] as const) {
      for (const [r, v] of Object.entries((m ?? {}) as Obj)) {
        const n = parseQuantity(v) ?? 0;
        u[`${kind}.${r}`] = (u[`${kind}.${r}`] ?? 0) + n;
        if (kind === "requests") u[r] = (u[r] ?? 0) + n;
      }
    }
  }
  return u;
}

function usageOf(obj: Obj, s: Strategy): Record<string, number> {
  if (s.info.group === "" && s.info.resource === "pods") return podUsage(obj);
  const u: Record<string, number> = { [`count/${s.info.group ? `${s.info.resource}.${s.info.group}` : s.info.resource}`]: 1 };
  const legacy = Object.entries(COUNTED).find(([, [r, g]]) => r === s.info.resource && g === s.info.group);
  if (legacy) u[legacy[0]] = 1;
  if (s.info.resource === "services" && obj.spec?.type === "LoadBalancer") u["services.loadbalancers"] = 1;
  if (s.info.resource === "services" && obj.spec?.type === "NodePort") u["services.nodeports"] = 1;
  return u;
}

/** Current usage of a quota's hard resources in its namespace. */
export function quotaUsed(reg: Registry, quota: Obj, r: Reader = reg.store): Record<string, string> {
  const ns = quota.metadata.namespace;
  const hard = (quota.spec?.hard ?? {}) as Obj;
  const totals: Record<string, number> = {};
  const byStorage = new Map<string, Strategy>();
  for (const k of Object.keys(hard)) {
    let s: Strategy | undefined;
    if (k.startsWith("count/")) {
      const [res, ...g] = k.slice(6).split(".");
      s = reg.kinds.storages().find((x) => x.strategy.info.resource === res && x.strategy.info.group === g.join("."))?.strategy;
    } else if (COUNTED[k]) s = strategyFor(COUNTED[k][0], COUNTED[k][1]);
    else if (k.startsWith("services.")) s = strategyFor("services");
    else s = strategyFor("pods");
    if (s) byStorage.set(`${s.info.group}/${s.info.resource}`, s);
  }
  for (const s of byStorage.values()) {
    for (const o of reg.listIn(r, s, ns)) {
      if (s.info.resource === "pods" && !podActive(o)) continue;
      for (const [k, v] of Object.entries(usageOf(o, s))) totals[k] = (totals[k] ?? 0) + v;
    }
  }
  const used: Record<string, string> = {};
  for (const k of Object.keys(hard)) used[k] = formatQuantity(totals[k] ?? 0, String(hard[k]));
  return used;
}

/** Refuse a create that would exceed any quota of the namespace. */
export function checkQuota(reg: Registry, s: Strategy, ns: string, obj: Obj, r: Reader = reg.store): void {
  const quotas = reg.listIn(r, quotaS, ns);
  if (!quotas.length) return;
  const req = usageOf(obj, s);
  for (const q of quotas.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))) {
    const hard = (q.spec?.hard ?? {}) as Obj;
    const relevant = Object.keys(hard).filter((k) => req[k] !== undefined);
    if (!relevant.length) continue;
    const used = quotaUsed(reg, q, r);
    const exceeded = relevant.filter((k) => (parseQuantity(used[k]) ?? 0) + req[k]! > (parseQuantity(hard[k]) ?? Infinity)).sort();
    if (!exceeded.length) continue;
    const list = (f: (k: string) => string) => exceeded.map((k) => `${k}=${f(k)}`).join(",");
    const name = obj.metadata?.name || obj.metadata?.generateName || "Unknown";
    const qualified = s.info.group ? `${s.info.resource}.${s.info.group}` : s.info.resource;
    throw new StatusError(403, "Forbidden", `${qualified} "${name}" is forbidden: exceeded quota: ${q.metadata.name}, requested: ${list((k) => formatQuantity(req[k]!, String(hard[k])))}, used: ${list((k) => used[k]!)}, limited: ${list((k) => String(hard[k]))}`, {
      name,
      ...(s.info.group ? { group: s.info.group } : {}),
      kind: s.info.resource,
    });
  }
}
