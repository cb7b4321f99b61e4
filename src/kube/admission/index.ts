// The admission chain the registry runs on every write after validation (kube-apiserver's
// order: mutating — LimitRanger — then validating — ResourceQuota, webhooks).
import { checkEscalation } from "../auth/escalation.js";
import type { AdmissionAttributes, Registry } from "../registry.js";
import { applyLimitRanges } from "./limitranger.js";
import { checkQuota } from "./quota.js";
import { callWebhooks } from "./webhooks.js";

export function admissionChain(reg: () => Registry): (a: AdmissionAttributes) => string[] {
  return (a) => {
    const r = reg();
    const { strategy: s, namespace: ns, obj, opts, tx } = a;
    const isPod = s.info.group === "" && s.info.resource === "pods";
    // kube-apiserver checks this in the RBAC storage itself; here it runs before admission plugins.
    if (opts.user && s.info.group === "rbac.authorization.k8s.io") checkEscalation({ reg: r, user: opts.user, resource: s.info.resource, namespace: ns, obj, old: a.old, tx });
    if (a.operation === "CREATE" && isPod && ns) applyLimitRanges(r, ns, obj, tx);
    // In-process controllers are trusted: webhooks never block the simulation itself.
    if (!opts.internal) callWebhooks(r, a.operation, s, ns, obj, tx);
    if (a.operation === "CREATE" && ns) checkQuota(r, s, ns, obj, tx);
    return [];
  };
}
