// Custom resources: one generic-registry strategy per served version of every established
// CRD, built from the CRD object (as apiextensions-apiserver's customresource registry does).
// Conversion is "None": versions share one storage and differ only in apiVersion.
import { cause, type StatusCause } from "../errors.js";
import { ageCol, nameCol } from "../kinds/common.js";
import type { Strategy, TableColumn } from "../types.js";
import { age, clone, isObj, type Obj } from "../util.js";
import { evalJsonPath, parseJsonPath } from "./jsonpath.js";
import { applyDefaults, listMapKeys, prune, validateValue, type Schema } from "./schema.js";

export function isEstablished(crd: Obj): boolean {
  return ((crd.status?.conditions ?? []) as Obj[]).some((c) => c.type === "Established" && c.status === "True");
}

function printerColumns(cols: Obj[]): TableColumn[] {
  if (!cols.length) return [nameCol, { ...ageCol, type: "date" }];
  const out: TableColumn[] = [nameCol];
  for (const c of cols) {
    const steps = parseJsonPath(String(c.jsonPath ?? ""));
    const type = (["integer", "number", "boolean", "date", "string"].includes(c.type) ? c.type : "string") as TableColumn["type"];
    out.push({
      name: String(c.name),
      type,
      format: c.format ?? "",
      description: c.description ?? `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
      priority: c.priority ?? 0,
      cell(o, now) {
        const vals = steps ? evalJsonPath(o, steps) : [];
        if (!vals.length) return null;
        const v = vals[0];
        switch (type) {
          case "integer":
            return typeof v === "number" ? Math.trunc(v) : null;
          case "number":
            return typeof v === "number" ? v : null;
          case "boolean":
            return typeof v === "boolean" ? v : null;
          case "date":
            return typeof v === "string" ? age(v, now) : null;
          default:
            return vals.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(" ");
        }
      },
    });
  }
  return out;
}

/** The schema of one version (spec.versions[].schema, or the legacy top-level spec.validation). */
export function versionSchema(crd: Obj, v: Obj): Schema {
  return v.schema?.openAPIV3Schema ?? crd.spec?.validation?.openAPIV3Schema ?? { type: "object", "x-kubernetes-preserve-unknown-fields": true };
}

function prepare(o: Obj, schema: Schema): void {
  prune(o, schema);
  applyDefaults(o, schema);
}

export function strategiesFor(crd: Obj): Strategy[] {
  const spec = crd.spec ?? {};
  const names = crd.status?.acceptedNames?.plural ? crd.status.acceptedNames : spec.names ?? {};
  const out: Strategy[] = [];
  for (const v of (spec.versions ?? []) as Obj[]) {
    if (!v.served) continue;
    const schema = versionSchema(crd, v);
    const sub = v.subresources ?? spec.subresources ?? {};
    const hasStatus = isObj(sub.status);
    const scale = isObj(sub.scale) ? sub.scale : undefined;
    const kind = String(names.kind);
    const s: Strategy = {
      info: {
        group: String(spec.group),
        version: String(v.name),
        resource: String(names.plural),
        kind,
        singular: String(names.singular ?? kind.toLowerCase()),
        namespaced: spec.scope === "Namespaced",
        shortNames: names.shortNames,
        categories: names.categories,
        subresources: [...(hasStatus ? ["status"] : []), ...(scale ? ["scale"] : [])],
      },
      storageVersion: !!v.storage,
      statusSubresource: hasStatus,
      generation: "spec",
      noStrategicMerge: true,
      requireResourceVersionOnUpdate: true,
      scalePaths: scale ? { specReplicasPath: scale.specReplicasPath, statusReplicasPath: scale.statusReplicasPath, labelSelectorPath: scale.labelSelectorPath } : undefined,
      unknownFields(body) {
        const c = clone(body);
        return prune(c, schema);
      },
      prepareForCreate(o) {
        if (hasStatus) delete o.status;
        prepare(o, schema);
      },
      prepareForUpdate(o) {
        prepare(o, schema);
      },
      validate(o) {
        const errs: StatusCause[] = [];
        validateValue(o, schema, "", errs);
        if (scale) {
          const r = evalJsonPath(o, parseJsonPath(scale.specReplicasPath) ?? []);
          if (r.length && (typeof r[0] !== "number" || !Number.isInteger(r[0]) || r[0] < 0)) errs.push(cause.invalid(scale.specReplicasPath.replace(/^\./, ""), r[0], "should be a non-negative integer"));
        }
        return errs;
      },
      columns: printerColumns((v.additionalPrinterColumns ?? spec.additionalPrinterColumns ?? []) as Obj[]),
      patchMeta: listMapKeys(schema),
      openapiSchema: publishedSchema(schema),
    };
    out.push(s);
  }
  return out;
}

/** The schema as published: with apiVersion/kind/metadata declared, as apiextensions' builder adds them. */
function publishedSchema(schema: Schema): Obj {
  const props = isObj(schema.properties) ? schema.properties : {};
  return {
    ...schema,
    properties: {
      apiVersion: { type: "string", description: "APIVersion defines the versioned schema of this representation of an object." },
      kind: { type: "string", description: "Kind is a string value representing the REST resource this object represents." },
      metadata: { type: "object", description: "Standard object's metadata." },
      ...props,
    },
  };
}
