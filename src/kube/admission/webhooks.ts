// Admission webhooks: no webhook server can run in the emulator (containers never run), so a
// matching webhook's call always fails the way it fails on a cluster whose backend is down:
// failurePolicy Fail → 500 "failed calling webhook", Ignore → the request proceeds.
import { strategyFor } from "../catalog.js";
import { errors } from "../errors.js";
import { fromStructured, matchLabels } from "../selectors.js";
import type { Reader, Registry } from "../registry.js";
import type { Strategy } from "../types.js";
import { isObj, type Obj } from "../util.js";

const vwcS = strategyFor("validatingwebhookconfigurations", "admissionregistration.k8s.io");
const mwcS = strategyFor("mutatingwebhookconfigurations", "admissionregistration.k8s.io");
const svcS = strategyFor("services");
const epS = strategyFor("endpoints");
const nsS = strategyFor("namespaces");

function matchesList(list: unknown, v: string): boolean {
  return Array.isArray(list) && (list.includes("*") || list.includes(v));
}

function ruleMatches(rule: Obj, op: string, s: Strategy, sub: string | undefined): boolean {
  if (!matchesList(rule.operations, op) && !matchesList(rule.operations, "*")) return false;
  if (!matchesList(rule.apiGroups, s.info.group) || !matchesList(rule.apiVersions, s.info.version)) return false;
  const res = sub ? `${s.info.resource}/${sub}` : s.info.resource;
  const ok = ((rule.resources ?? []) as string[]).some((r) => r === "*" || r === res || r === "*/*" || (sub && r === `*/${sub}`) || (!sub && r === `${s.info.resource}`));
  if (!ok) return false;
  const scope = rule.scope ?? "*";
  return scope === "*" || (scope === "Namespaced") === s.info.namespaced;
}

/** Why the call fails: the Go url.Error text a cluster without the backend prints. */
function callError(reg: Registry, w: Obj, s: Strategy, r: Reader): string {
  const cc = w.clientConfig ?? {};
  if (cc.url) return `failed to call webhook: Post "${cc.url}?timeout=${w.timeoutSeconds ?? 10}s": dial tcp: connect: connection refused`;
  const svc = cc.service ?? {};
  const url = `https://${svc.name}.${svc.namespace}.svc:${svc.port ?? 443}${svc.path ?? ""}?timeout=${w.timeoutSeconds ?? 10}s`;
  void s;
  if (!reg.tryGet(svcS, svc.namespace, svc.name, r)) return `failed to call webhook: Post "${url}": service "${svc.name}" not found`;
  const ep = reg.tryGet(epS, svc.namespace, svc.name, r);
  const ready = ((ep?.subsets ?? []) as Obj[]).some((ss) => (ss.addresses ?? []).length > 0);
  if (!ready) return `failed to call webhook: Post "${url}": no endpoints available for service "${svc.name}"`;
  // Endpoints exist (simulated pods are Ready) but no process listens behind them.
  return `failed to call webhook: Post "${url}": dial tcp ${((ep!.subsets[0].addresses ?? [])[0] ?? {}).ip}:${svc.port ?? 443}: connect: connection refused`;
}

export function callWebhooks(reg: Registry, op: "CREATE" | "UPDATE", s: Strategy, ns: string | undefined, obj: Obj, r: Reader = reg.store): void {
  // Webhook configurations never apply to themselves (kube-apiserver exempts them).
  if (s.info.group === "admissionregistration.k8s.io") return;
  let nsLabels: Record<string, string> | undefined;
  const namespaceLabels = () => (nsLabels ??= ns ? (reg.tryGet(nsS, undefined, ns, r)?.metadata?.labels ?? {}) : {});
  for (const cfgS of [mwcS, vwcS]) {
    for (const cfg of reg.listIn(r, cfgS, undefined)) {
      for (const w of (cfg.webhooks ?? []) as Obj[]) {
        if (!((w.rules ?? []) as Obj[]).some((r) => isObj(r) && ruleMatches(r, op, s, undefined))) continue;
        if (ns && isObj(w.namespaceSelector) && !matchLabels(fromStructured(w.namespaceSelector) ?? [], namespaceLabels())) continue;
        if (isObj(w.objectSelector) && !matchLabels(fromStructured(w.objectSelector) ?? [], obj.metadata?.labels ?? {})) continue;
        if ((w.failurePolicy ?? "Fail") === "Ignore") continue;
        throw errors.internal(`failed calling webhook "${w.name}": ${callError(reg, w, s, r)}`);
      }
    }
  }
}
