// Two `aksemu start --store etcd://...` processes started at the same instant over an empty etcd
// (a fresh key prefix each round, on a 3-member cluster): exactly one CA, one token-signing key
// and one data version end up in the store, each written once (etcd version 1); both processes
// serve, with the same CA, and a token one process issued is accepted by the other.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { needEtcdServer, startEtcdCluster } from "../helpers/etcd-cluster.js";
import { SUBSCRIPTION_ID, TENANT_ID, rawRequest, startEmulator, type RunningEmulator } from "../helpers/emulator.js";
import { EtcdKv } from "../../src/store/kv-etcd.js";
import { text } from "../../src/store/kv.js";

const ROUNDS = 3;

/** A token for ARM's own audience (what az asks for), issued by emu. */
async function armToken(emu: RunningEmulator): Promise<string> {
  const body = `grant_type=client_credentials&client_id=c&client_secret=x&scope=${encodeURIComponent("https://management.azure.com/.default")}`;
  const r = await rawRequest(emu.endpoint, emu.caPem, "POST", `/${TENANT_ID}/oauth2/v2.0/token`, body, { "content-type": "application/x-www-form-urlencoded" });
  assert.equal(r.status, 200, r.text);
  return r.body.access_token as string;
}

describe("two aksemu processes started at once over an empty etcd", { skip: needEtcdServer() }, () => {
  test("one CA, one signing key, one data version; both serve and accept each other's tokens", async () => {
    const cluster = await startEtcdCluster();
    const kv = new EtcdKv({ endpoints: cluster.members.map((m) => m.clientUrl) });
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const prefix = `/start-${round}/`;
        assert.equal((await kv.range(prefix, { prefix: true, countOnly: true })).count, 0, "empty under the prefix");
        const store = `${cluster.storeUrl}${prefix}`;
        const started = await Promise.allSettled([
          startEmulator({ args: ["--host", "127.0.0.2", "--store", store] }),
          startEmulator({ args: ["--host", "127.0.0.3", "--store", store] }),
        ]);
        const procs = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
        try {
          for (const s of started) if (s.status === "rejected") throw s.reason;
          const [a, b] = procs as [RunningEmulator, RunningEmulator];
          const secrets = (await kv.range(`${prefix}data/secret/`, { prefix: true })).kvs;
          assert.deepEqual(secrets.map((k) => k.key.slice(prefix.length)), ["data/secret/ca", "data/secret/entra-signing-key"], `round ${round}: one CA and one signing key`);
          for (const k of secrets) assert.equal(k.version, 1n, `${k.key} written once, never replaced`);
          const dv = (await kv.range(`${prefix}meta/data-version`)).kvs;
          assert.equal(dv.length, 1);
          assert.equal(dv[0]!.version, 1n, "the data version written once");
          assert.equal(text(dv[0]!.value), "1");
          assert.equal(a.caPem, b.caPem, "both serve with the store's CA");

          // Each serves; a token from one is accepted by the other.
          const rg = `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/rg-start-${round}?api-version=2021-04-01`;
          const put = await a.request("PUT", rg, { location: "eastus" });
          assert.equal(put.status, 201, put.text);
          const fromA = await armToken(a);
          const fromB = await armToken(b);
          const viaB = await rawRequest(b.endpoint, b.caPem, "GET", rg, undefined, { authorization: `Bearer ${fromA}` });
          assert.equal(viaB.status, 200, `a's token at b: ${viaB.text}`);
          assert.equal(viaB.body.name, `rg-start-${round}`);
          const viaA = await rawRequest(a.endpoint, a.caPem, "GET", rg, undefined, { authorization: `Bearer ${fromB}` });
          assert.equal(viaA.status, 200, `b's token at a: ${viaA.text}`);
          const forged = await rawRequest(a.endpoint, a.caPem, "GET", rg, undefined, { authorization: `Bearer ${fromB.slice(0, -4)}AAAA` });
          assert.equal(forged.status, 401, "a token with a wrong signature is still refused");
        } finally {
          await Promise.all(procs.map((p) => p.stop()));
        }
      }
    } finally {
      await kv.close();
      await cluster.stop();
    }
  });
});
