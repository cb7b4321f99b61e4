// core/v1 PersistentVolume and PersistentVolumeClaim: kube-apiserver's defaults and validation
// (the texts of k8s.io/kubernetes pkg/apis/core/validation); binding and provisioning are the
// simulation's (src/sim/controllers/volumes.ts).
import { cause, type StatusCause } from "../errors.js";
import { parseQuantity } from "../quantity.js";
import type { Strategy } from "../types.js";
import { deepEqual, isObj, type Obj } from "../util.js";
import { ageCol, col, nameCol } from "./common.js";

const ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
const modes = (o: Obj) => ((o.spec?.accessModes ?? []) as string[]).map((m) => ({ ReadWriteOnce: "RWO", ReadOnlyMany: "ROX", ReadWriteMany: "RWX", ReadWriteOncePod: "RWOP" })[m] ?? m).join(",");

function validateAccessModes(o: Obj, out: StatusCause[]): void {
  const am = o.spec?.accessModes;
  if (!Array.isArray(am) || am.length === 0) out.push(cause.required("spec.accessModes", "at least 1 access mode is required"));
  else for (const m of am) if (!ACCESS_MODES.includes(m)) out.push(cause.notSupported("spec.accessModes", m, ACCESS_MODES));
  if (Array.isArray(am) && am.includes("ReadWriteOncePod") && am.length > 1) out.push(cause.forbidden("spec.accessModes", "may not use ReadWriteOncePod with other access modes"));
}

export const persistentvolumeclaims: Strategy = {
  info: { group: "", version: "v1", resource: "persistentvolumeclaims", kind: "PersistentVolumeClaim", singular: "persistentvolumeclaim", namespaced: true, shortNames: ["pvc"], subresources: ["status"] },
  statusSubresource: true,
  fields: ["spec", "status"],
  specFields: ["accessModes", "dataSource", "dataSourceRef", "resources", "selector", "storageClassName", "volumeAttributesClassName", "volumeMode", "volumeName"],
  prepareForCreate(o) {
    o.spec = isObj(o.spec) ? o.spec : {};
    o.spec.volumeMode ??= "Filesystem";
    o.status = { phase: "Pending" };
  },
  prepareForUpdate(o, old) {
    o.spec = isObj(o.spec) ? o.spec : {};
    o.spec.volumeMode ??= old.spec?.volumeMode ?? "Filesystem";
    // The PV controller binds: volumeName and the default class may be set once by it.
    if (!o.spec.volumeName && old.spec?.volumeName) o.spec.volumeName = old.spec.volumeName;
  },
  validate(o, old) {
    const out: StatusCause[] = [];
    validateAccessModes(o, out);
    const req = o.spec?.resources?.requests?.storage;
    if (req === undefined) out.push(cause.required("spec.resources[storage]"));
    else if (parseQuantity(req) === undefined) out.push(cause.invalid("spec.resources.requests.storage", req, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
    else if ((parseQuantity(req) ?? 0) <= 0) out.push(cause.invalid("spec.resources.requests.storage", req, "must be greater than zero"));
    if (o.spec?.volumeMode !== undefined && !["Block", "Filesystem"].includes(o.spec.volumeMode)) out.push(cause.notSupported("spec.volumeMode", o.spec.volumeMode, ["Block", "Filesystem"]));
    if (old) {
      const strip = (x: Obj) => ({ ...(x.spec ?? {}), resources: undefined, volumeAttributesClassName: undefined, volumeName: old.spec?.volumeName ? x.spec?.volumeName : undefined, storageClassName: old.spec?.storageClassName ? x.spec?.storageClassName : undefined });
      if (!deepEqual(JSON.parse(JSON.stringify(strip(o))), JSON.parse(JSON.stringify(strip(old))))) {
        out.push(cause.forbidden("spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"));
      }
      const was = parseQuantity(old.spec?.resources?.requests?.storage);
      const now = parseQuantity(req);
      if (was !== undefined && now !== undefined && now < was) out.push(cause.forbidden("spec.resources.requests.storage", "field can not be less than previous value"));
    }
    return out;
  },
  columns: [
    nameCol,
    col("Status", "string", (o) => o.status?.phase ?? ""),
    col("Volume", "string", (o) => o.spec?.volumeName ?? ""),
    col("Capacity", "string", (o) => o.status?.capacity?.storage ?? ""),
    col("Access Modes", "string", (o) => (o.status?.phase === "Bound" ? ((o.status?.accessModes ?? []) as string[]).map((m) => modes({ spec: { accessModes: [m] } })).join(",") : "")),
    col("StorageClass", "string", (o) => o.spec?.storageClassName ?? ""),
    col("VolumeAttributesClass", "string", (o) => o.spec?.volumeAttributesClassName ?? "<unset>"),
    ageCol,
    col("VolumeMode", "string", (o) => o.spec?.volumeMode ?? "", 1),
  ],
  patchMeta: { "status.conditions": { key: "type" } },
};

export const persistentvolumes: Strategy = {
  info: { group: "", version: "v1", resource: "persistentvolumes", kind: "PersistentVolume", singular: "persistentvolume", namespaced: false, shortNames: ["pv"], subresources: ["status"] },
  statusSubresource: true,
  fields: ["spec", "status"],
  prepareForCreate(o) {
    o.spec = isObj(o.spec) ? o.spec : {};
    o.spec.persistentVolumeReclaimPolicy ??= "Retain";
    o.spec.volumeMode ??= "Filesystem";
    o.status = { phase: "Pending" };
  },
  validate(o) {
    const out: StatusCause[] = [];
    validateAccessModes(o, out);
    const cap = o.spec?.capacity?.storage;
    if (cap === undefined) out.push(cause.required("spec.capacity"));
    else if (parseQuantity(cap) === undefined) out.push(cause.invalid("spec.capacity.storage", cap, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
    const sources = ["csi", "hostPath", "local", "nfs", "azureDisk", "azureFile", "iscsi", "fc"].filter((k) => o.spec?.[k] !== undefined);
    if (sources.length === 0) out.push(cause.required("spec", "must specify a volume type"));
    if (sources.length > 1) out.push(cause.forbidden(`spec.${sources[1]}`, "may not specify more than 1 volume type"));
    const rp = o.spec?.persistentVolumeReclaimPolicy;
    if (!["Delete", "Recycle", "Retain"].includes(rp)) out.push(cause.notSupported("spec.persistentVolumeReclaimPolicy", rp, ["Delete", "Recycle", "Retain"]));
    return out;
  },
  columns: [
    nameCol,
    col("Capacity", "string", (o) => o.spec?.capacity?.storage ?? ""),
    col("Access Modes", "string", modes),
    col("Reclaim Policy", "string", (o) => o.spec?.persistentVolumeReclaimPolicy ?? ""),
    col("Status", "string", (o) => o.status?.phase ?? ""),
    col("Claim", "string", (o) => (o.spec?.claimRef ? `${o.spec.claimRef.namespace}/${o.spec.claimRef.name}` : "")),
    col("StorageClass", "string", (o) => o.spec?.storageClassName ?? ""),
    col("VolumeAttributesClass", "string", (o) => o.spec?.volumeAttributesClassName ?? "<unset>"),
    col("Reason", "string", (o) => o.status?.reason ?? ""),
    ageCol,
    col("VolumeMode", "string", (o) => o.spec?.volumeMode ?? "", 1),
  ],
};

export const storageKinds: Strategy[] = [persistentvolumeclaims, persistentvolumes];
