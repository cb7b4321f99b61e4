// Rerun-safety harness: makes a SqliteStore behave like an optimistic engine that loses the race
// once on EVERY transaction. Each fn runs twice: the first run happens inside a real SQLite
// transaction (so it reads and writes for real) that is then rolled back by a private sentinel,
// the second run comes a microtask later (other work may commit in between, as after a conflict)
// and commits. A txn fn with side effects outside tx (timers, pushes, caches, events) then shows
// them twice or with values from a run that never committed.
import type { SqliteStore } from "../../src/store/sqlite-store.js";
import type { Txn } from "../../src/store/store.js";

export interface Rerunning {
  /** Transactions whose fn ran twice (the first run discarded). */
  reruns(): number;
  /** Back to the store's own txn. */
  restore(): void;
}

export function rerunEveryTxn(store: SqliteStore): Rerunning {
  const discarded = new Error("rerun-store: first run discarded");
  const own = store.txn;
  let n = 0;
  const txn = <R>(fn: (tx: Txn) => R): Promise<R> => {
    // Called inside another transaction's fn: the store throws synchronously (NestedTxnError).
    const first = own.call(store, (tx: Txn) => {
      fn(tx);
      throw discarded;
    });
    return first.then(
      () => {
        throw new Error("rerun-store: the first run committed");
      },
      (e: unknown) => {
        if (e !== discarded) throw e; // fn threw: nothing written, the error is the answer
        n++;
        return own.call(store, fn) as Promise<R>;
      },
    );
  };
  store.txn = txn;
  return {
    reruns: () => n,
    restore: () => {
      store.txn = own;
    },
  };
}
