// Secrets every process sharing a store must agree on (the CA, the token-signing key, a cluster's
// service-account key): kept in the store, not in a process's data directory, so any process can
// serve any request. Created once: a candidate is made outside the transaction (key generation
// is slow and may be async), then a create-if-absent transaction decides; of two processes
// starting together, the one whose commit comes second reads and uses the first one's value.
import type { Store } from "./store.js";

/** Store keys of the emulator-wide secrets (per-cluster ones live under the cluster's own prefix). */
export const SECRET_KEYS = {
  ca: "secret/ca",
  entraSigningKey: "secret/entra-signing-key",
} as const;

/**
 * The value under `key`, creating it with `make()` if absent. `make` may run in several processes
 * at once; only one result is ever stored and every caller gets that one.
 */
export async function sharedSecret<T>(store: Store, key: string, make: () => T | Promise<T>): Promise<T> {
  const cur = await store.get<T>(key);
  if (cur) return cur.value;
  const candidate = await make();
  return await store.txn((tx) => {
    const won = tx.get<T>(key);
    if (won) return won.value;
    tx.put(key, candidate);
    return candidate;
  });
}
