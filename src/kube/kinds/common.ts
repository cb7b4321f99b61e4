// Column and helper building blocks for the per-kind strategies.
import type { TableColumn } from "../types.js";
import { age, type Obj } from "../util.js";

export const nameCol: TableColumn = {
  name: "Name",
  type: "string",
  format: "name",
  description:
    "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
  cell: (o) => o.metadata?.name ?? "",
};

export const ageCol: TableColumn = {
  name: "Age",
  type: "string",
  description:
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
  cell: (o, now) => age(o.metadata?.creationTimestamp, now),
};

export function col(name: string, type: TableColumn["type"], cell: TableColumn["cell"], priority = 0, description = ""): TableColumn {
  return { name, type, description: description || name, priority, cell };
}

export function labelsString(m: Record<string, string> | undefined): string {
  const e = Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return e.length ? e.map(([k, v]) => `${k}=${v}`).join(",") : "<none>";
}

export function cond(o: Obj, type: string): Obj | undefined {
  return ((o.status?.conditions ?? []) as Obj[]).find((c) => c?.type === type);
}

export function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

/** Fields of ObjectMeta accepted by strict decoding. */
export const METADATA_FIELDS = new Set([
  "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
  "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields",
]);
