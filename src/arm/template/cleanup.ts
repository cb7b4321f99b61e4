// Complete mode: which resources of the target resource group a deployment deletes, and in what
// order. ARM deletes "resources that exist in the resource group but aren't specified in the
// template" (docs deployment-modes.md). Pure: the caller lists the group and runs the deletions.
//
// Emulator choices where the docs are silent (docs/fidelity.md):
// - only top-level resources are candidates; their children and extension resources go with them;
// - a top-level resource is kept when the template deploys anything under it (a child such as a
//   subnet, or an extension resource such as a role assignment scoped to it);
// - the order is dependency-safe: a resource whose properties name another candidate (a cluster
//   naming a subnet of a VNet, a NIC naming a public IP) is deleted before it, waves in parallel.
import { waves } from "./graph.js";
import { type Json, isObject } from "./values.js";

export interface GroupResource {
  id: string;
  type: string;
  /** the resource as stored: ids in its values and keys (identity.userAssignedIdentities) are what it names */
  body?: Json;
}

const lc = (s: string) => s.toLowerCase();

/** True when `id` names a top-level resource: `.../providers/{ns}/{type}/{name}` and nothing after. */
export function isTopLevel(id: string): boolean {
  return /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+$/i.test(id);
}

/** The group's top-level resources the template does not deploy, in waves: each wave's resources can be deleted once the earlier waves are gone. */
export function completeModeDeletions(deployed: string[], group: GroupResource[]): GroupResource[][] {
  const mentioned = deployed.map(lc);
  const candidates = group.filter((r) => isTopLevel(r.id) && !mentioned.some((m) => m === lc(r.id) || m.startsWith(`${lc(r.id)}/`)));
  // "after" maps each candidate to the candidates that must be deleted before it (those that name it)
  const after = new Map<string, Set<string>>(candidates.map((c) => [lc(c.id), new Set<string>()]));
  for (const a of candidates) {
    const named = idsIn(a.body ?? null);
    for (const b of candidates) {
      if (a === b) continue;
      const bid = lc(b.id);
      if (named.some((n) => n === bid || n.startsWith(`${bid}/`))) after.get(bid)!.add(lc(a.id));
    }
  }
  const byId = new Map(candidates.map((c) => [lc(c.id), c]));
  const order = waves(after);
  // a reference cycle (two resources naming each other) cannot be ordered: delete them last, together
  if (!order.ok) {
    const done = new Set<string>();
    const out: GroupResource[][] = [];
    const pending = new Map(after);
    for (;;) {
      const ready = [...pending.keys()].filter((k) => [...pending.get(k)!].every((d) => done.has(d)));
      if (!ready.length) break;
      out.push(ready.map((k) => byId.get(k)!));
      for (const k of ready) {
        done.add(k);
        pending.delete(k);
      }
    }
    if (pending.size) out.push([...pending.keys()].map((k) => byId.get(k)!));
    return out;
  }
  return order.waves.map((w) => w.map((k) => byId.get(k)!));
}

/** Every resource id a JSON value mentions, lower-cased. */
function idsIn(v: Json): string[] {
  const out: string[] = [];
  const visit = (x: Json) => {
    if (typeof x === "string") {
      if (/^\/subscriptions\//i.test(x)) out.push(lc(x).replace(/\/+$/, ""));
    } else if (Array.isArray(x)) x.forEach(visit);
    else if (isObject(x))
      for (const [k, y] of Object.entries(x)) {
        visit(k);
        visit(y);
      }
  };
  visit(v);
  return out;
}
