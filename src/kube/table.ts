// Server-side printing (as=Table): column definitions from the strategy, one row per object,
// rows[].object as PartialObjectMetadata (or the full object with includeObject=Object).
import { ageCol, nameCol } from "./kinds/common.js";
import type { Strategy, TableColumn } from "./types.js";
import type { Obj } from "./util.js";

export type IncludeObject = "None" | "Metadata" | "Object";

export function columnsOf(s: Strategy): TableColumn[] {
  return s.columns ?? [nameCol, ageCol];
}

export function columnDefinitions(s: Strategy): Record<string, unknown>[] {
  return columnsOf(s).map((c) => ({ name: c.name, type: c.type, format: c.format ?? "", description: c.description, priority: c.priority ?? 0 }));
}

export function tableRow(s: Strategy, o: Obj, include: IncludeObject, metaApiVersion: string, now = Date.now()): Record<string, unknown> {
  const view = s.toStorage ? s.toStorage(o) : o;
  const cells = columnsOf(s).map((c) => {
    try {
      return c.cell(view, now);
    } catch {
      return "<unknown>";
    }
  });
  const row: Record<string, unknown> = { cells };
  if (s.info.kind === "Pod") {
    const phase = o.status?.phase;
    if (phase === "Succeeded" || phase === "Failed")
      row.conditions = [{ type: "Completed", status: "True", reason: phase, message: "The pod has completed successfully." }];
  }
  if (include === "Metadata") row.object = { kind: "PartialObjectMetadata", apiVersion: metaApiVersion, metadata: o.metadata };
  else if (include === "Object") row.object = o;
  return row;
}

export function toTable(
  s: Strategy,
  items: Obj[],
  opts: { include: IncludeObject; apiVersion: string; resourceVersion?: string; continue?: string; noHeaders?: boolean },
): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  if (opts.resourceVersion !== undefined) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  const now = Date.now();
  return {
    kind: "Table",
    apiVersion: opts.apiVersion,
    metadata,
    columnDefinitions: opts.noHeaders ? null : columnDefinitions(s),
    rows: items.map((o) => tableRow(s, o, opts.include, opts.apiVersion, now)),
  };
}
