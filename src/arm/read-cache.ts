// What the read path derives from one stored value (a rendered answer, "does this subscription
// exist"), kept per key and reused while the key's mod revision is unchanged: a repeated GET
// neither parses the stored JSON nor renders and serializes the answer again. The Kubernetes list
// path does the same with serialized objects (kube/registry.ts). Validity is asked of the store
// on every read (Store.modRevision), so a write by any path, process or transaction shows at once.
import type { Entry, Store } from "../store/store.js";

/** Entries kept per derivation (a full cache is dropped and refilled, as the store's row cache is). */
const LIMIT = 4096;

interface Kept<V> {
  modRevision: number;
  value: V;
}

/** derive(the entry at a key, or undefined), computed once per mod revision of the key. */
export class Derived<V> {
  private kept = new Map<string, Kept<V>>();

  /** derive must depend on the entry alone (not on other keys, the clock or the request). */
  constructor(private readonly store: Store, private readonly derive: (e: Entry | undefined) => V) {}

  get(key: string): V {
    const mod = this.store.modRevision?.(key);
    // No cheap revision (an engine without modRevision, or inside a transaction): no caching.
    if (mod === undefined) return this.derive(this.store.get(key));
    const k = this.kept.get(key);
    if (k !== undefined && k.modRevision === mod) return k.value;
    const e = this.store.get(key);
    const value = this.derive(e);
    if (this.kept.size >= LIMIT) this.kept.clear();
    this.kept.set(key, { modRevision: e?.modRevision ?? 0, value });
    return value;
  }
}

const perStore = new WeakMap<Store, Map<string, Derived<unknown>>>();

/** The derivation named `name` over store (made with derive on first use; one per store and name). */
export function derivedOf<V>(store: Store, name: string, derive: (e: Entry | undefined) => V): Derived<V> {
  let byName = perStore.get(store);
  if (!byName) perStore.set(store, (byName = new Map()));
  let d = byName.get(name);
  if (!d) byName.set(name, (d = new Derived(store, derive)));
  return d as Derived<V>;
}
