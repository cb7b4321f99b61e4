// One claimer of the claim race (test/store/ownership.test.ts): its own connection to the shared
// database file and its own member; waits at the barrier, then tries to claim every key.
import { parentPort, workerData } from "node:worker_threads";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { StoreBusyError } from "../../src/store/store.js";
import { Member } from "../../src/store/ownership.js";

const { file, keys, barrier } = workerData as { file: string; keys: string[]; barrier: SharedArrayBuffer };
const store = SqliteStore.open(file, { leaseCheckMs: 0 });
const member = new Member(store, { ttlSeconds: 30 });
await member.start();
const gate = new Int32Array(barrier);
Atomics.add(gate, 0, 1);
Atomics.notify(gate, 0);
while (Atomics.load(gate, 1) === 0) Atomics.wait(gate, 1, 0, 50);
const won: string[] = [];
for (const key of keys) {
  for (;;) {
    try {
      if ((await store.txn((tx) => member.claim(tx, key))) !== undefined) won.push(key);
      break;
    } catch (e) {
      if (!(e instanceof StoreBusyError)) throw e; // the other claimer holds the write lock: try again
    }
  }
}
member.halt();
store.close();
parentPort!.postMessage({ member: member.id, won });
