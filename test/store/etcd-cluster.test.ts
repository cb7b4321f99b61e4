// The 3-member etcd cluster the scale-out tests run on (test/helpers/etcd-cluster.ts): a write
// through one member is read through another; with one member killed (-9) the other two keep a
// quorum and accept writes; the killed member restarts on its data directory and catches up.
// Talks to etcd through its own v3 JSON gateway, so the helper is checked apart from the store.
// Then the store's etcd engine (src/store/kv-etcd.ts) over the cluster: kill -9 one member under
// 40 concurrent writers; writes go on, and every acknowledged write is there afterwards (counted
// as the SQLite durability test counts them).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { needEtcdServer, startEtcdCluster } from "../helpers/etcd-cluster.js";
import { eventually } from "../helpers/emulator.js";
import { EtcdKv } from "../../src/store/kv-etcd.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");

async function call(clientUrl: string, path: string, body: unknown): Promise<any> {
  const res = await fetch(`${clientUrl}${path}`, { method: "POST", body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  const json = await res.json();
  if (!res.ok) throw new Error(`${path} on ${clientUrl}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const put = (url: string, k: string, v: string) => call(url, "/v3/kv/put", { key: b64(k), value: b64(v) });
/** serializable: the member's own copy, without asking the leader (shows what that member holds). */
async function get(url: string, k: string, serializable = false): Promise<string | undefined> {
  const r = await call(url, "/v3/kv/range", { key: b64(k), serializable });
  const kv = r.kvs?.[0];
  return kv ? Buffer.from(kv.value, "base64").toString() : undefined;
}

describe("a 3-member etcd cluster on loopback", { skip: needEtcdServer() }, () => {
  test("replicates, survives kill -9 of a member, and the member rejoins and catches up", async () => {
    const cluster = await startEtcdCluster();
    try {
      const [m0, m1, m2] = cluster.members as [typeof cluster.members[0], typeof cluster.members[0], typeof cluster.members[0]];
      assert.equal(cluster.endpoints.length, 3);
      assert.match(cluster.storeUrl, /^etcd:\/\/127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
      const members = await call(m0.clientUrl, "/v3/cluster/member/list", {});
      assert.equal(members.members.length, 3);

      await put(m0.clientUrl, "a", "1");
      assert.equal(await get(m2.clientUrl, "a"), "1", "written through m0, read through m2");

      await m0.kill9();
      assert.equal(m0.up, false);
      await assert.rejects(fetch(`${m0.clientUrl}/health`), "m0 is gone");
      // Two of three keep the quorum: writes go on (the first may wait for a new leader).
      await eventually(async () => (await put(m1.clientUrl, "b", "2").then(() => true, () => false)), "a write with m0 down", 30_000, 200);
      assert.equal(await get(m2.clientUrl, "b"), "2");

      await m0.restart();
      assert.equal(m0.up, true);
      await eventually(async () => (await get(m0.clientUrl, "b", true)) === "2", "m0 caught up with the write it missed", 30_000, 100);
      assert.equal(await get(m0.clientUrl, "a", true), "1", "and kept what it had before");
    } finally {
      await cluster.stop();
    }
  });

  test("kill -9 of one member under 40 concurrent writers: writes go on, every acknowledged one is there", async () => {
    const cluster = await startEtcdCluster();
    const kv = new EtcdKv({ endpoints: cluster.members.map((m) => m.clientUrl), dialTimeoutMs: 2000 });
    try {
      const acked: string[] = [];
      let failed = 0;
      let ackedAfterKill = 0;
      let killed = false;
      let stop = false;
      const writer = async (w: number) => {
        for (let n = 0; !stop; n++) {
          const key = `w/${w}/${n}`;
          try {
            await kv.put(key, Buffer.from(String(n)));
            acked.push(key);
            if (killed) ackedAfterKill++;
          } catch {
            failed++; // not acknowledged: nothing is promised about it
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      };
      const writers = Array.from({ length: 40 }, (_, w) => writer(w));
      await eventually(() => acked.length >= 400, "400 writes before the kill", 30_000, 20);
      await cluster.members[0]!.kill9();
      killed = true;
      await eventually(() => ackedAfterKill >= 400, `400 writes acknowledged with a member down (${failed} failed meanwhile)`, 60_000, 20);
      stop = true;
      await Promise.all(writers);
      // The client does not fail over (no retries: a retried txn could commit twice), so a request it
      // routes to the dead member fails; a read is safe to repeat.
      const all = await eventually(() => kv.range("w/", { prefix: true }).catch(() => undefined), "a read through a live member", 30_000, 50);
      const found = new Set(all.kvs.map((k) => k.key));
      const missing = acked.filter((k) => !found.has(k));
      console.log(`etcd member kill: ${acked.length} acknowledged (${ackedAfterKill} after the kill), ${failed} failed, ${found.size} found`);
      assert.deepEqual(missing, [], "every acknowledged write is there");
      // The killed member comes back with all of them.
      await cluster.members[0]!.restart();
      const back = new EtcdKv({ endpoints: [cluster.members[0]!.clientUrl] });
      try {
        await eventually(async () => (await back.range("w/", { prefix: true, countOnly: true })).count >= acked.length, "the restarted member caught up", 30_000, 200);
      } finally {
        await back.close();
      }
    } finally {
      await kv.close();
      await cluster.stop();
    }
  });
});
