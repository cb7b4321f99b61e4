// LimitRanger (k/k plugin/pkg/admission/limitranger): fill each container's missing limits and
// requests from the namespace's Container LimitRanges, then enforce min/max.
import { strategyFor } from "../catalog.js";
import { StatusError } from "../errors.js";
import { parseQuantity } from "../quantity.js";
import type { Reader, Registry } from "../registry.js";
import type { Obj } from "../util.js";

const lrS = strategyFor("limitranges");

export function applyLimitRanges(reg: Registry, ns: string, pod: Obj, r: Reader = reg.store): void {
  const items = reg.listIn(r, lrS, ns).flatMap((lr) => ((lr.spec?.limits ?? []) as Obj[]).filter((l) => l.type === "Container"));
  if (!items.length) return;
  const notes: string[] = [];
  const name = pod.metadata?.name || pod.metadata?.generateName || "Unknown";
  const refuse = (msg: string) => new StatusError(403, "Forbidden", `pods "${name}" is forbidden: ${msg}`, { name, kind: "pods" });
  for (const c of [...((pod.spec?.initContainers ?? []) as Obj[]), ...((pod.spec?.containers ?? []) as Obj[])]) {
    c.resources ??= {};
    const setReq: string[] = [];
    const setLim: string[] = [];
    for (const l of items) {
      for (const [r, v] of Object.entries((l.default ?? {}) as Obj)) if (c.resources.limits?.[r] === undefined) ((c.resources.limits ??= {})[r] = v), setLim.push(r);
      for (const [r, v] of Object.entries((l.defaultRequest ?? {}) as Obj)) if (c.resources.requests?.[r] === undefined) ((c.resources.requests ??= {})[r] = v), setReq.push(r);
    }
    if (setReq.length) notes.push(`${setReq.join(", ")} request for ${c === pod.spec?.initContainers?.[0] ? "init container" : "container"} ${c.name}`);
    if (setLim.length) notes.push(`${setLim.join(", ")} limit for container ${c.name}`);
    for (const l of items) {
      for (const [r, max] of Object.entries((l.max ?? {}) as Obj)) {
        const lim = c.resources.limits?.[r];
        if (lim === undefined) throw refuse(`maximum ${r} usage per Container is ${max}.  No limit is specified`);
        if ((parseQuantity(lim) ?? 0) > (parseQuantity(max) ?? Infinity)) throw refuse(`maximum ${r} usage per Container is ${max}, but limit is ${lim}`);
      }
      for (const [r, min] of Object.entries((l.min ?? {}) as Obj)) {
        const req = c.resources.requests?.[r];
        if (req === undefined) throw refuse(`minimum ${r} usage per Container is ${min}.  No request is specified`);
        if ((parseQuantity(req) ?? 0) < (parseQuantity(min) ?? 0)) throw refuse(`minimum ${r} usage per Container is ${min}, but request is ${req}`);
      }
    }
  }
  if (notes.length) (pod.metadata.annotations ??= {})["kubernetes.io/limit-ranger"] = `LimitRanger plugin set: ${notes.join("; ")}`;
}
