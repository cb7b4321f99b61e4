// what-if: the change list ARM answers for POST .../deployments/{name}/whatIf, computed from the
// engine's plan and the current state (Spec WhatIfOperationResult: changeType Create, Delete,
// Ignore, Deploy, NoChange, Modify; property changes Create, Delete, Modify, Array, NoEffect).
// Only what the template says is compared: properties the service adds (provisioningState, ids,
// principalId) are not changes, so a redeploy of the same template reports NoChange. Pure.
import { type Json, type JsonObject, isObject } from "./values.js";

export type ChangeType = "Create" | "Delete" | "Ignore" | "Deploy" | "NoChange" | "Modify" | "Unsupported";
export type PropertyChangeType = "Create" | "Delete" | "Modify" | "Array" | "NoEffect";

export interface PropertyChange {
  path: string;
  propertyChangeType: PropertyChangeType;
  before?: Json;
  after?: Json;
  children?: PropertyChange[];
}

export interface WhatIfChange {
  resourceId: string;
  symbolicName?: string;
  changeType: ChangeType;
  before?: JsonObject;
  after?: JsonObject;
  delta?: PropertyChange[];
}

export interface DesiredResource {
  id: string;
  type: string;
  name: string;
  apiVersion: string;
  symbolicName?: string;
  body: JsonObject;
}

const lc = (s: string) => s.toLowerCase();

/** Two leaves are the same when equal, or when they are ids/locations that differ only in case (and, for locations, spaces). */
function sameLeaf(path: string, a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a === "string" && typeof b === "string") {
    if (/(^|\.)location$/i.test(path)) return lc(a).replace(/\s+/g, "") === lc(b).replace(/\s+/g, "");
    if (a.startsWith("/subscriptions/") || b.startsWith("/subscriptions/")) return lc(a) === lc(b);
  }
  return false;
}

/** The changes that turn `before` into what `after` asks for; keys `after` leaves out are not compared. */
export function propertyDelta(before: Json | undefined, after: Json | undefined, path = ""): PropertyChange[] {
  if (after === undefined) return [];
  if (before === undefined || before === null) {
    if (after === null) return [];
    // ARM names each new leaf under a parent the resource lacks (Spec example: `tags.myNewTag`, not `tags`)
    if (isObject(after) && Object.keys(after).length) return Object.entries(after).flatMap(([k, v]) => propertyDelta(undefined, v, path ? `${path}.${k}` : k));
    return [{ path, propertyChangeType: "Create", after }];
  }
  if (isObject(after) && isObject(before)) {
    const out: PropertyChange[] = [];
    for (const [k, v] of Object.entries(after)) {
      const bk = Object.keys(before).find((x) => lc(x) === lc(k));
      // ARM's JSON keys compare case-insensitively
      out.push(...propertyDelta(bk === undefined ? undefined : before[bk], v, path ? `${path}.${k}` : k));
    }
    return out;
  }
  if (Array.isArray(after) && Array.isArray(before)) {
    const children: PropertyChange[] = [];
    for (let i = 0; i < Math.max(after.length, before.length); i++) {
      if (i >= before.length) children.push({ path: String(i), propertyChangeType: "Create", after: after[i]! });
      else if (i >= after.length) children.push({ path: String(i), propertyChangeType: "Delete", before: before[i]! });
      else {
        const d = propertyDelta(before[i], after[i], "");
        if (d.length) children.push(isObject(after[i]) || Array.isArray(after[i]) ? { path: String(i), propertyChangeType: "Modify", before: before[i]!, after: after[i]!, children: d } : { ...d[0]!, path: String(i) });
      }
    }
    return children.length ? [{ path, propertyChangeType: "Array", before, after, children }] : [];
  }
  return sameLeaf(path, before, after) ? [] : [{ path, propertyChangeType: "Modify", before, after }];
}

/**
 * The what-if change list: every desired resource (Create, NoChange or Modify; nested
 * deployments are Deploy) and, for the resources already in the target scope that the template
 * does not mention, Ignore (Incremental) or Delete (Complete).
 */
export function whatIf(desired: DesiredResource[], current: (id: string) => JsonObject | undefined, inScope: { id: string }[], mode: "Incremental" | "Complete"): WhatIfChange[] {
  const out: WhatIfChange[] = [];
  const mentioned = new Set(desired.map((d) => lc(d.id)));
  for (const d of desired) {
    // the Spec example's order; az prints `[apiVersion]` beside each resource, read from `before` first
    const after: JsonObject = { apiVersion: d.apiVersion, id: d.id, type: d.type, name: d.name, ...d.body };
    const c: WhatIfChange = { resourceId: d.id, changeType: "Create", after };
    if (d.symbolicName) c.symbolicName = d.symbolicName;
    if (lc(d.type) === "microsoft.resources/deployments") c.changeType = "Deploy";
    else {
      const before = current(d.id);
      if (before) {
        c.before = { apiVersion: d.apiVersion, ...before };
        const delta = propertyDelta(before, d.body);
        c.changeType = delta.length ? "Modify" : "NoChange";
        if (delta.length) c.delta = delta;
      }
    }
    out.push(c);
  }
  for (const r of inScope) {
    if (mentioned.has(lc(r.id))) continue;
    const before = current(r.id);
    out.push({ resourceId: r.id, changeType: mode === "Complete" ? "Delete" : "Ignore", ...(before ? { before } : {}) });
  }
  return out.sort((a, b) => (lc(a.resourceId) < lc(b.resourceId) ? -1 : lc(a.resourceId) > lc(b.resourceId) ? 1 : 0));
}
