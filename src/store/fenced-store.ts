// A view of a store whose every transaction first runs a fence (store/ownership.ts: "is this work
// still mine?"), so whatever writes through the view (a cluster's Kubernetes registry, its simulated
// controllers and kubelets) writes nothing once the process no longer owns the work: the check
// and the writes commit in one transaction, so a former owner's late write fails whole.
import type { Store, Txn } from "./store.js";

/** `refused` hears every error a transaction through the view rejects with, after it settled. */
export function fencedStore(store: Store, fence: (tx: Txn) => void, refused?: (e: unknown) => void): Store {
  // A Proxy rather than a class: every other member (optional ones included, and the engine's
  // own extras) stays exactly the underlying store's.
  return new Proxy(store, {
    get(target, prop) {
      // The fence runs inside fn, so it is reread on every rerun of an optimistic store.
      if (prop === "txn")
        return <R>(fn: (tx: Txn) => R): Promise<R> =>
          target
            .txn((tx) => {
              fence(tx);
              return fn(tx);
            })
            .catch((e: unknown) => {
              refused?.(e);
              throw e;
            });
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
