// The etcd engine of the etcd-shaped store (src/store/kv-etcd.ts) against a real etcd v3.6
// (.tools/bin/etcd, built by `npm run clients`): the shared conformance suite that SQLite passes,
// then what is particular to talking to a server (typed errors for its refusals, a dead server).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { EtcdKv } from "../../src/store/kv-etcd.js";
import { KvClosedError, LeaseNotFoundError, RequestTooLargeError, bytes, text } from "../../src/store/kv.js";
import { ETCD, needClient } from "../helpers/clients.js";
import { startEtcd, type EtcdServer } from "../helpers/etcd-server.js";
import { kvConformance, type KvHarness } from "./kv-conformance.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("etcd engine", { skip: needClient(ETCD, "etcd v3.6") }, () => {
  let server: EtcdServer;
  before(async () => {
    server = await startEtcd();
  });
  after(async () => {
    await server?.stop();
  });

  kvConformance("etcd", async (): Promise<KvHarness> => {
    const clients = new Set<EtcdKv>();
    return {
      async open() {
        const kv = new EtcdKv({ endpoints: [server.endpoint] });
        clients.add(kv);
        return kv;
      },
      // etcd's lease clock is real: wait, then until no lease that is due is still there (the
      // leader revokes expired leases on its next check, every 500 ms). Bounded: 10 s.
      async advance(ms) {
        await sleep(ms);
        const kv = new EtcdKv({ endpoints: [server.endpoint] });
        try {
          const deadline = Date.now() + 10_000;
          for (;;) {
            const due = [];
            for (const id of await kv.leases()) {
              const st = await kv.timeToLive(id);
              if (st && st.ttl <= 0) due.push(id);
            }
            if (due.length === 0) return;
            if (Date.now() > deadline) throw new Error(`leases ${due.join(", ")} still there 10 s after they expired`);
            await sleep(100);
          }
        } finally {
          await kv.close();
        }
      },
      // The server is shared by the file's tests (each uses its own key prefix); leases left
      // behind are revoked so that none expires during a later test.
      async cleanup() {
        const kv = new EtcdKv({ endpoints: [server.endpoint] });
        try {
          for (const id of await kv.leases()) await kv.revoke(id).catch(() => undefined);
        } finally {
          await kv.close();
        }
      },
    };
  });

  test("etcd: the server's refusals arrive as kv.ts's typed errors", async () => {
    const kv = new EtcdKv({ endpoints: [server.endpoint] });
    try {
      await assert.rejects(kv.put("/e/big", new Uint8Array(kv.limits.maxRequestBytes + 1)), RequestTooLargeError);
      await assert.rejects(kv.put("/e/k", bytes("v"), { lease: "424242" }), LeaseNotFoundError);
      await assert.rejects(kv.keepAlive("424242"), LeaseNotFoundError);
      assert.equal(await kv.timeToLive("424242"), undefined);
      const l = await kv.grant(1);
      assert.equal(l.ttl, kv.limits.minLeaseTtl, "etcd raises a TTL below its minimum");
      await kv.revoke(l.id);
      assert.equal((await kv.range("/e/", { prefix: true })).count, 0, "nothing was written");
    } finally {
      await kv.close();
    }
    await assert.rejects(kv.range("/e/"), KvClosedError);
  });

  test("etcd: a watch breaks with an error when its server dies; requests then fail", async () => {
    const own = await startEtcd();
    const kv = new EtcdKv({ endpoints: [own.endpoint], dialTimeoutMs: 2_000 });
    try {
      await kv.put("/d/a", bytes("1"));
      const w = kv.watch("/d/", { prefix: true });
      await kv.put("/d/a", bytes("2")); // after the watch is established (requests wait for it)
      const it = w[Symbol.asyncIterator]();
      const first = await it.next();
      assert.equal(first.done, false);
      assert.equal(text(first.value!.events[0]!.kv.value), "2");
      await own.stop();
      await assert.rejects(it.next(), "the watch ends with an error, not silently");
      await assert.rejects(kv.range("/d/a"));
    } finally {
      await kv.close();
      await own.stop();
    }
  });
});
