// Azure resource-ID grammar (reference/arm-contract.md §1). Pure functions, no I/O.
// Literal segments and names compare case-insensitively; we keep the caller's casing
// for display and use lower-case keys for storage.

export interface ProviderBlock {
  namespace: string;
  /** type segments, e.g. ["virtualNetworks", "subnets"] */
  types: string[];
  /** names matching types; one shorter when the path ends at a collection */
  names: string[];
}

export interface ParsedId {
  subscriptionId?: string;
  resourceGroup?: string;
  /** provider blocks in order; more than one means an extension resource (e.g. roleAssignments on a subnet) */
  blocks: ProviderBlock[];
}

const NAME_FORBIDDEN = /[<>%&:\\?/\u0000-\u001f]/;

export function splitPath(path: string): string[] {
  const segs = path.split("/").filter((s) => s.length > 0);
  if (!path.includes("%")) return segs; // nothing to decode
  return segs.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
}

/**
 * Parse an ARM path (no host, no query). Returns undefined when it is not of the
 * /subscriptions/.../providers/... shape at all.
 */
export function parseId(path: string): ParsedId | undefined {
  const s = splitPath(path);
  const out: ParsedId = { blocks: [] };
  let i = 0;
  if (eq(s[0], "subscriptions")) {
    if (s.length < 2) return undefined;
    out.subscriptionId = s[1];
    i = 2;
    if (eq(s[i], "resourcegroups")) {
      if (s.length < i + 2) return undefined;
      out.resourceGroup = s[i + 1];
      i += 2;
    }
  }
  while (i < s.length) {
    if (!eq(s[i], "providers") || i + 1 >= s.length) return undefined;
    const block: ProviderBlock = { namespace: s[i + 1]!, types: [], names: [] };
    i += 2;
    while (i < s.length && !eq(s[i], "providers")) {
      block.types.push(s[i]!);
      if (i + 1 < s.length && !eq(s[i + 1], "providers")) block.names.push(s[i + 1]!);
      else if (i + 1 < s.length) return undefined; // "type/providers" is not valid
      i += 2;
    }
    out.blocks.push(block);
  }
  return out;
}

export function eq(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** Build the canonical display id for a resource (callers' casing kept). */
export function buildId(p: { subscriptionId?: string; resourceGroup?: string; blocks: ProviderBlock[] }): string {
  let id = "";
  if (p.subscriptionId) id += `/subscriptions/${p.subscriptionId}`;
  if (p.resourceGroup) id += `/resourceGroups/${p.resourceGroup}`;
  for (const b of p.blocks) {
    id += `/providers/${b.namespace}`;
    b.types.forEach((t, k) => {
      id += `/${t}`;
      if (b.names[k] !== undefined) id += `/${b.names[k]}`;
    });
  }
  return id;
}

/** Full type name of the innermost block: "Microsoft.Network/virtualNetworks/subnets". */
export function typeOf(block: ProviderBlock): string {
  return [block.namespace, ...block.types].join("/");
}

export function isValidName(name: string): boolean {
  return name.length >= 1 && name.length <= 260 && !NAME_FORBIDDEN.test(name);
}

/** Storage key of a resource id: case-insensitive identity. */
export function idKey(id: string): string {
  return id.toLowerCase().replace(/\/+$/, "");
}

/** Parent resource id of a child resource id (drops the last type/name pair), or undefined for top-level. */
export function parentId(id: string): string | undefined {
  const p = parseId(id);
  if (!p || p.blocks.length === 0) return undefined;
  const last = p.blocks[p.blocks.length - 1]!;
  if (last.types.length <= 1) return undefined;
  const blocks = p.blocks.slice(0, -1).concat([{ ...last, types: last.types.slice(0, -1), names: last.names.slice(0, -1) }]);
  return buildId({ ...p, blocks });
}

/** Scope id an extension resource sits on (everything before its last provider block). */
export function extensionScope(p: ParsedId): string {
  return buildId({ ...p, blocks: p.blocks.slice(0, -1) }) || "/";
}

/** Is `id` equal to or below `scope` on segment boundaries (case-insensitive)? */
export function isWithinScope(id: string, scope: string): boolean {
  const a = idKey(id);
  const b = idKey(scope);
  if (b === "" || b === "/") return true;
  return a === b || a.startsWith(b + "/");
}

export function resourceGroupOf(id: string): string | undefined {
  return parseId(id)?.resourceGroup;
}

export function subscriptionOf(id: string): string | undefined {
  return parseId(id)?.subscriptionId;
}

/** Last path segment (the resource name). */
export function nameOf(id: string): string {
  const s = splitPath(id);
  return s[s.length - 1] ?? "";
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isGuid(s: string): boolean {
  return GUID.test(s);
}

const RG_NAME = /^[-\p{L}\p{N}_.()]+$/u;
/** ARM's resource-group name rule: 1–90 chars of letters, digits, - _ . ( ), not ending with '.'. */
export function checkResourceGroupName(name: string): { ok: true } | { ok: false; invalidChars?: string } {
  if (name.length < 1 || name.length > 90 || name.endsWith(".")) return { ok: false };
  if (RG_NAME.test(name)) return { ok: true };
  const bad = [...new Set([...name].filter((c) => !/[-\p{L}\p{N}_.()]/u.test(c)))].join("");
  return { ok: false, invalidChars: bad };
}
