// An informer-style cache of one cluster's objects, fed by the store's watch, with the
// indexes controllers need (owner uid, uid, pods per node). Values are the stored form and
// must be treated as read-only (clone before writing).
import type { Obj } from "../kube/util.js";

export interface Cached {
  key: string;
  storage: string;
  namespace?: string;
  name: string;
  value: Obj;
}

export class Cache {
  private readonly byKey = new Map<string, Cached>();
  private readonly byStorage = new Map<string, Set<string>>();
  private readonly byOwner = new Map<string, Set<string>>();
  private readonly byUid = new Map<string, string>();
  private readonly podsByNode = new Map<string, Set<string>>();

  constructor(private readonly prefix: string) {}

  /** Split a full store key into storage, namespace, name. */
  parse(key: string): { storage: string; namespace?: string; name: string } | undefined {
    if (!key.startsWith(this.prefix)) return undefined;
    const parts = key.slice(this.prefix.length).split("/");
    if (parts.length === 3) return { storage: `${parts[0]}/${parts[1]}`, name: parts[2]! };
    if (parts.length === 4) return { storage: `${parts[0]}/${parts[1]}`, namespace: parts[2], name: parts[3]! };
    return undefined;
  }

  put(key: string, value: Obj): Cached | undefined {
    const p = this.parse(key);
    if (!p) return undefined;
    this.remove(key);
    const c: Cached = { key, ...p, value };
    this.byKey.set(key, c);
    add(this.byStorage, p.storage, key);
    const uid = value.metadata?.uid;
    if (uid) this.byUid.set(uid, key);
    for (const r of (value.metadata?.ownerReferences ?? []) as Obj[]) if (r?.uid) add(this.byOwner, r.uid, key);
    if (p.storage === "core/pods" && value.spec?.nodeName) add(this.podsByNode, value.spec.nodeName, key);
    return c;
  }

  remove(key: string): void {
    const c = this.byKey.get(key);
    if (!c) return;
    this.byKey.delete(key);
    del(this.byStorage, c.storage, key);
    const uid = c.value.metadata?.uid;
    if (uid && this.byUid.get(uid) === key) this.byUid.delete(uid);
    for (const r of (c.value.metadata?.ownerReferences ?? []) as Obj[]) if (r?.uid) del(this.byOwner, r.uid, key);
    if (c.storage === "core/pods" && c.value.spec?.nodeName) del(this.podsByNode, c.value.spec.nodeName, key);
  }

  get(key: string): Cached | undefined {
    return this.byKey.get(key);
  }

  getObj(storage: string, namespace: string | undefined, name: string): Obj | undefined {
    return this.byKey.get(namespace ? `${this.prefix}${storage}/${namespace}/${name}` : `${this.prefix}${storage}/${name}`)?.value;
  }

  list(storage: string, namespace?: string): Cached[] {
    const keys = this.byStorage.get(storage);
    if (!keys) return [];
    const out: Cached[] = [];
    for (const k of keys) {
      const c = this.byKey.get(k)!;
      if (namespace === undefined || c.namespace === namespace) out.push(c);
    }
    return out;
  }

  dependents(uid: string, storage?: string): Cached[] {
    const keys = this.byOwner.get(uid);
    if (!keys) return [];
    const out: Cached[] = [];
    for (const k of keys) {
      const c = this.byKey.get(k);
      if (c && (!storage || c.storage === storage)) out.push(c);
    }
    return out;
  }

  hasUid(uid: string): boolean {
    return this.byUid.has(uid);
  }

  byUidKey(uid: string): Cached | undefined {
    const k = this.byUid.get(uid);
    return k ? this.byKey.get(k) : undefined;
  }

  podsOnNode(node: string): Cached[] {
    const keys = this.podsByNode.get(node);
    return keys ? [...keys].map((k) => this.byKey.get(k)!).filter(Boolean) : [];
  }

  all(): Cached[] {
    return [...this.byKey.values()];
  }

  size(): number {
    return this.byKey.size;
  }

  clear(): void {
    this.byKey.clear();
    this.byStorage.clear();
    this.byOwner.clear();
    this.byUid.clear();
    this.podsByNode.clear();
  }
}

function add(m: Map<string, Set<string>>, k: string, v: string): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}

function del(m: Map<string, Set<string>>, k: string, v: string): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (!s.size) m.delete(k);
}
