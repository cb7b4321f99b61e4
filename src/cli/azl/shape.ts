// Turn Azure SDK for JS results into the JSON az prints. az serializes Python SDK models with
// todict(): attribute names (snake_case, derived from the wire names) become camelCase again, so
// acronyms lose their capitals (vnetSubnetID -> vnetSubnetId, privateDNSZone -> privateDnsZone,
// enablePrivateClusterPublicFQDN -> enablePrivateClusterPublicFqdn); every model attribute is
// present, null when unset; and azure-cli adds "resourceGroup" to every object with an ID that
// names one (azure/cli/core/commands/__init__.py _add_resource_group).

/** Python SDK attribute name (autorest naming) in camelCase, as az prints it. */
export function azKey(k: string): string {
  if (!/[A-Z]/.test(k)) return k;
  const snake = k
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
  return snake.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** Fields whose value is a dictionary: keys are data, not attribute names. */
const MAP_FIELDS: Record<string, "plain" | "models"> = {
  tags: "plain",
  userAssignedIdentities: "models",
  addonProfiles: "models",
  identityProfile: "models",
  config: "plain",
  nodeLabels: "plain",
  labels: "plain",
  annotations: "plain",
};

function pyIsoDate(d: Date): string {
  const iso = d.toISOString(); // 2024-01-02T03:04:05.678Z
  const ms = d.getUTCMilliseconds();
  const base = iso.slice(0, 19);
  return ms ? `${base}.${String(ms).padStart(3, "0")}000+00:00` : `${base}+00:00`;
}

export interface ShapeOptions {
  /** Keys under which values are dictionaries (in addition to the defaults). */
  mapFields?: Record<string, "plain" | "models">;
  /** Rename keys to Python-attribute camelCase (default true). */
  rename?: boolean;
}

export function toAz(v: unknown, opts: ShapeOptions = {}, asMap: "plain" | "models" | undefined = undefined): unknown {
  const mapFields = { ...MAP_FIELDS, ...(opts.mapFields ?? {}) };
  const rename = opts.rename !== false;
  if (v === undefined) return null;
  if (v === null) return null;
  if (v instanceof Date) return pyIsoDate(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString("utf8");
  if (Array.isArray(v)) return v.map((x) => toAz(x, opts));
  if (typeof v !== "object") return v;
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (asMap === "plain") {
      out[k] = val === undefined ? null : val;
      continue;
    }
    if (asMap === "models") {
      out[k] = toAz(val, opts);
      continue;
    }
    const key = rename ? azKey(k) : k;
    const mf = mapFields[k];
    out[key] = mf && val && typeof val === "object" && !Array.isArray(val) ? toAz(val, opts, mf) : toAz(val, opts);
  }
  return out;
}


/** azure-cli's _add_resource_group, applied recursively. */
export function addResourceGroup(obj: unknown): void {
  if (Array.isArray(obj)) {
    for (const i of obj) addResourceGroup(i);
    return;
  }
  if (!obj || typeof obj !== "object") return;
  const o = obj as Record<string, unknown>;
  // _parse_id: parts[3] must be "resourceGroups" (any case) and parts[8] (a resource name) must exist
  if (!("resourceGroup" in o) && typeof o.id === "string" && o.id) {
    const parts = o.id.split("/");
    if (parts.length > 8 && parts[3]!.toLowerCase() === "resourcegroups") o.resourceGroup = parts[4];
  }
  for (const [k, v] of Object.entries(o)) if (k !== "sourceVault") addResourceGroup(v);
}

/** Fill missing attributes with null (Python SDK models carry every attribute). */
export function withNulls<T extends Record<string, unknown>>(obj: T, keys: string[]): T {
  const o = obj as Record<string, unknown>;
  for (const k of keys) if (!(k in o)) o[k] = null;
  return obj;
}

/** Move `properties.*` to the parent, recursively (x-ms-client-flatten as the Python SDKs do). */
export function flattenProperties(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(flattenProperties);
  if (!v || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(o)) {
    if (k === "properties" && val && typeof val === "object" && !Array.isArray(val)) {
      for (const [pk, pv] of Object.entries(val as Record<string, unknown>)) out[pk] = flattenProperties(pv);
    } else if (k === "tags") out[k] = val;
    else out[k] = flattenProperties(val);
  }
  return out;
}
