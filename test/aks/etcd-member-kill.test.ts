// Issue 12's acceptance bullet through aksemu itself: 2 `aksemu start --store etcd://...`
// processes over a 3-member etcd, 40 concurrent ARM writers (resource group PUTs, half through
// each process); mid-run the etcd member both processes talk to (the first listed), made the
// raft leader beforehand, is killed with -9: both processes fail over and the others elect a
// new leader. Service continues (both processes acknowledge writes after the kill) and every
// acknowledged write is found afterwards by a GET through each process (counted as the SQLite
// durability test counts them). A write that was not acknowledged (503: its answer lost when the
// member died) promises nothing.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { needEtcdServer, startEtcdCluster } from "../helpers/etcd-cluster.js";
import { startFleet } from "../helpers/fleet.js";
import { eventually, SUBSCRIPTION_ID, type RunningEmulator } from "../helpers/emulator.js";

const WRITERS = 40;
const rg = (name: string) => `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/${name}?api-version=2021-04-01`;

describe("kill -9 of an etcd member under 40 concurrent ARM writers through 2 aksemu processes", { skip: needEtcdServer() }, () => {
  test("service continues and every acknowledged write is there, through either process", async () => {
    const cluster = await startEtcdCluster();
    let fleet: Awaited<ReturnType<typeof startFleet>> | undefined;
    try {
      fleet = await startFleet({ count: 2, store: cluster.storeUrl });
      const procs = fleet.members as [RunningEmulator, RunningEmulator];
      const victim = cluster.members[0]!; // the first listed: the member both processes talk to
      await cluster.moveLeader(victim);
      const acked: string[] = [];
      const ackedAfter = [0, 0];
      const failures = new Map<string, number>();
      let killed = false;
      let stop = false;
      const writer = async (w: number) => {
        const emu = procs[w % 2]!;
        for (let n = 0; !stop; n++) {
          const name = `dur-${w}-${n}`;
          const afterKill = killed;
          try {
            const r = await emu.request("PUT", rg(name), { location: "eastus", tags: { writer: String(w), n: String(n) } });
            if (r.status === 200 || r.status === 201) {
              acked.push(name);
              if (afterKill) ackedAfter[w % 2]!++;
              continue;
            }
            const why = `${r.status} ${r.body?.error?.code ?? r.text.slice(0, 80)}`;
            failures.set(why, (failures.get(why) ?? 0) + 1);
          } catch (e) {
            const why = (e as Error).message.slice(0, 80);
            failures.set(why, (failures.get(why) ?? 0) + 1);
          }
          // Not acknowledged: nothing is promised about it. Pause as a client's retry would.
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
      await eventually(() => acked.length >= 200, "200 writes acknowledged before the kill", 120_000, 20);
      await victim.kill9();
      killed = true;
      await eventually(() => ackedAfter[0]! >= 100 && ackedAfter[1]! >= 100, `100 writes acknowledged by each process after the kill (${ackedAfter.join(", ")}; failures: ${[...failures].map(([k, v]) => `${v}× ${k}`).join("; ")})`, 120_000, 50);
      stop = true;
      await Promise.all(writers);

      // Every acknowledged write, through each process (GETs wait for the replica: read-your-writes across processes).
      const missing: string[][] = [[], []];
      for (const [i, emu] of procs.entries()) {
        for (let k = 0; k < acked.length; k += 20) {
          await Promise.all(acked.slice(k, k + 20).map(async (name) => {
            const r = await emu.request("GET", rg(name));
            if (r.status !== 200) missing[i]!.push(`${name}: ${r.status}`);
            else assert.equal(r.body.name, name);
          }));
        }
      }
      console.log(
        `aksemu over etcd, member ${victim.name} killed (the leader): ${acked.length} acknowledged ` +
          `(${ackedAfter[0]} + ${ackedAfter[1]} after the kill), not acknowledged: ${[...failures].map(([k, v]) => `${v}× ${k}`).join("; ") || "none"}`,
      );
      // Failover, not luck: only writes whose answer the kill lost may fail (each process commits
      // one txn at a time, so a handful), not a share of every later request.
      const failed = [...failures.values()].reduce((a, b) => a + b, 0);
      assert.ok(failed <= WRITERS, `${failed} writes not acknowledged: more than the writes in flight at the kill`);
      assert.deepEqual(missing[0], [], "every acknowledged write is found through process 1");
      assert.deepEqual(missing[1], [], "every acknowledged write is found through process 2");
      // The list (paged: follow nextLink) has every acknowledged write too.
      const listed = new Set<string>();
      let next: string | undefined = `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups?api-version=2021-04-01`;
      while (next) {
        const page = await procs[0].request("GET", next);
        assert.equal(page.status, 200, page.text);
        for (const g of page.body.value as Array<{ name: string }>) listed.add(g.name);
        next = page.body.nextLink ? new URL(page.body.nextLink as string).pathname + new URL(page.body.nextLink as string).search : undefined;
      }
      assert.deepEqual(acked.filter((n) => !listed.has(n)), [], "the list has every acknowledged write");
    } finally {
      await fleet?.stop();
      await cluster.stop();
    }
  });
});
