// Where ARM resource records live in the store. One primary key per resource plus a
// per-type index, so "list this type in the subscription" does not scan everything.
import type { Txn } from "../store/store.js";
import type { ResourceRecord } from "./types.js";
import { idKey, subscriptionOf } from "./resource-id.js";

type Reader = Pick<Txn, "get" | "list">;

export const RES = "res:";
const TYPE_IDX = "typ:";

export function recordKey(id: string): string {
  return RES + idKey(id);
}

function typeIndexKey(rec: ResourceRecord): string {
  return `${TYPE_IDX}${(subscriptionOf(rec.id) ?? "").toLowerCase()}:${rec.type.toLowerCase()}:${idKey(rec.id)}`;
}

export function getRecord(tx: Reader, id: string): ResourceRecord | undefined {
  return tx.get<ResourceRecord>(recordKey(id))?.value;
}

export function putRecord(tx: Txn, rec: ResourceRecord): void {
  tx.put(recordKey(rec.id), rec);
  tx.put(typeIndexKey(rec), rec.id);
}

/** Remove a record, its children and any extension resources (role assignments) below it. */
export function deleteRecordTree(tx: Txn, id: string): number {
  const base = recordKey(id);
  let n = 0;
  for (const e of tx.list<ResourceRecord>(base + "/")) {
    tx.delete(typeIndexKey(e.value));
    tx.delete(e.key);
    n++;
  }
  const own = tx.get<ResourceRecord>(base);
  if (own) {
    tx.delete(typeIndexKey(own.value));
    tx.delete(base);
    n++;
  }
  return n;
}

/** Direct children of `parentId` of the given type (e.g. subnets of a VNet). */
export function listChildren(tx: Reader, parentId: string, type: string): ResourceRecord[] {
  const prefix = recordKey(parentId) + "/";
  const t = type.toLowerCase();
  return tx
    .list<ResourceRecord>(prefix)
    .filter((e) => e.key.slice(prefix.length).split("/").length === 2)
    .map((e) => e.value)
    .filter((r) => r.type.toLowerCase() === t);
}

/** All resources of a type in a subscription (index scan). */
export function listByType(tx: Reader, subscriptionId: string, type: string): ResourceRecord[] {
  const prefix = `${TYPE_IDX}${subscriptionId.toLowerCase()}:${type.toLowerCase()}:`;
  const out: ResourceRecord[] = [];
  for (const e of tx.list<string>(prefix)) {
    const r = getRecord(tx, e.value);
    if (r) out.push(r);
  }
  return out;
}

/** Resources of a type within one resource group. */
export function listByTypeInGroup(tx: Reader, subscriptionId: string, resourceGroup: string, type: string): ResourceRecord[] {
  const prefix = `${TYPE_IDX}${subscriptionId.toLowerCase()}:${type.toLowerCase()}:/subscriptions/${subscriptionId.toLowerCase()}/resourcegroups/${resourceGroup.toLowerCase()}/`;
  const out: ResourceRecord[] = [];
  for (const e of tx.list<string>(prefix)) {
    const r = getRecord(tx, e.value);
    if (r) out.push(r);
  }
  return out;
}

/** Every resource record in a resource group (top-level and children). */
export function listInGroup(tx: Reader, subscriptionId: string, resourceGroup: string): ResourceRecord[] {
  const prefix = `${RES}/subscriptions/${subscriptionId.toLowerCase()}/resourcegroups/${resourceGroup.toLowerCase()}/providers/`;
  return tx.list<ResourceRecord>(prefix).map((e) => e.value);
}
