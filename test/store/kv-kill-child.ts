// Child process of the kill -9 test in kv-sqlite.test.ts: 16 concurrent writers put unique keys
// and bump one counter through guaranteedUpdate, printing "ack <key> <value> <revision>" only
// after the store acknowledged; the parent kills it with SIGKILL mid-run.
import { SqliteKv } from "../../src/store/kv-sqlite.js";
import { bytes, text } from "../../src/store/kv.js";
import { guaranteedUpdate } from "../../src/store/kv-update.js";

const kv = SqliteKv.open(process.argv[2]!, { leaseCheckMs: 0 });
const say = (key: string, value: string, rev: bigint) => process.stdout.write(`ack ${key} ${value} ${rev}\n`);

await Promise.all(
  Array.from({ length: 16 }, async (_, w) => {
    for (let i = 0; i < 100_000; i++) {
      if (i % 5 === 4) {
        const r = await guaranteedUpdate(kv, "/kill/counter", (cur) => bytes(String(Number(cur ? text(cur.value) : "0") + 1)));
        say("/kill/counter", text(r.kv!.value), r.revision);
      } else {
        const key = `/kill/${w}/${i}`;
        const r = await kv.put(key, bytes(`v${w}-${i}`));
        say(key, `v${w}-${i}`, r.revision);
      }
    }
  }),
);
