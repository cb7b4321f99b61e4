// Child process of the kill -9 test in group-commit.test.ts: 16 concurrent writers each commit a
// key through SqliteStore.txn and print "ack <key> <revision>" only once store.synced() says the
// commit is on disk (as the HTTP answers do); the parent kills it with SIGKILL mid-run.
import { SqliteStore } from "../../src/store/sqlite-store.js";

const store = SqliteStore.open(process.argv[2]!);
await Promise.all(
  Array.from({ length: 16 }, async (_, w) => {
    for (let i = 0; i < 100_000; i++) {
      const key = `/kill/${w}/${i}`;
      const rev = await store.txn((tx) => tx.put(key, { w, i }));
      await store.synced();
      process.stdout.write(`ack ${key} ${rev}\n`);
      await new Promise((r) => setImmediate(r)); // let the other writers interleave
    }
  }),
);
