// How the activity log is kept (providers/insights): the records of the write requests answered in
// one event-loop turn share one store transaction, a later turn's get their own, nothing is kept
// for a subscription that does not exist, and retention (the newest `max` records) is enforced
// once per `trimEvery` records instead of counting the whole log on every write. On the shipped
// store (SqliteStore in a temporary directory), driven directly.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { subKey } from "../../src/arm/state.js";
import { ACTIVITY, activityRecords, recordActivities } from "../../src/providers/insights/activity-store.js";
import { ActivityRecorder } from "../../src/providers/insights/record-request.js";
import type { ActivityRecord } from "../../src/providers/insights/activity-log.js";

const SUB = "00000000-0000-0000-0000-00000000a11c";
const OTHER = "00000000-0000-0000-0000-0000000000b0";
const MISSING = "00000000-0000-0000-0000-00000000dead";
const prefix = (sub: string) => `${ACTIVITY}${sub}:`;

let seq = 0;
function record(sub = SUB): ActivityRecord {
  const i = seq++;
  const begin = new Date(Date.UTC(2026, 11, 8) + i * 1000).toISOString();
  return {
    subscriptionId: sub,
    correlationId: `c-${i}`,
    requestId: `r-${String(i).padStart(6, "0")}`,
    method: "PUT",
    resourceId: `/subscriptions/${sub}/resourceGroups/rg${i}`,
    resourceType: "Microsoft.Resources/resourceGroups",
    provider: "Microsoft.Resources",
    resourceGroup: `rg${i}`,
    operationName: "Microsoft.Resources/subscriptions/resourceGroups/write",
    principal: { objectId: "o", appId: "a", tenantId: "t" },
    begin,
    end: begin,
    statusCode: 201,
  };
}

async function withStore(fn: (store: SqliteStore) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aksemu-activity-"));
  const store = SqliteStore.open(path.join(dir, "state.db"), { soleWriter: true, leaseCheckMs: 0 });
  try {
    await store.txn((tx) => {
      for (const sub of [SUB, OTHER]) tx.put(subKey(sub), { subscriptionId: sub, displayName: sub, state: "Enabled", tenantId: "t" });
    });
    await fn(store);
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const turn = () => new Promise<void>((r) => setImmediate(r));

test("the records of one turn share one transaction; a later turn's get their own; a missing subscription keeps nothing", async () => {
  await withStore(async (store) => {
    const rec = new ActivityRecorder(store, 1000, 100);
    const rev0 = store.revision();
    const first = [record(), record(), record(OTHER), record(MISSING), record()];
    for (const r of first) rec.record(r);
    assert.equal(store.revision(), rev0, "nothing is written during the turn that answered the requests");
    await rec.flush();
    assert.equal(store.revision(), rev0 + 1, "five records, one transaction");
    assert.deepEqual(store.list<ActivityRecord>(prefix(SUB)).map((e) => e.value.requestId), [first[0]!, first[1]!, first[4]!].map((r) => r.requestId));
    assert.equal(store.count(prefix(OTHER)), 1);
    assert.equal(store.count(prefix(MISSING)), 0, "a typo'd subscription id leaves nothing");

    rec.record(record());
    await turn();
    await turn();
    rec.record(record());
    await rec.flush();
    assert.equal(store.revision(), rev0 + 3, "requests answered in different turns: one transaction each");
    assert.equal(store.count(prefix(SUB)), 5);
  });
});

test("retention: the log is cut to its newest max records once per trimEvery records, oldest first", async () => {
  await withStore(async (store) => {
    const max = 10;
    const trimEvery = 4;
    const rec = new ActivityRecorder(store, max, trimEvery);
    const all: ActivityRecord[] = [];
    let most = 0;
    for (let i = 0; i < 40; i++) {
      const r = record();
      all.push(r);
      rec.record(r);
      if (i % 3 === 2) await rec.flush(); // batches of three
      most = Math.max(most, store.count(prefix(SUB)));
    }
    await rec.flush();
    const kept = store.list<ActivityRecord>(prefix(SUB)).map((e) => e.value.requestId);
    assert.ok(most <= max + trimEvery + 2, `between checks the log may run over by less than a check interval and a batch: at most ${most}`);
    assert.ok(kept.length >= max && kept.length <= max + trimEvery + 2, `${kept.length} kept`);
    assert.deepEqual(kept, all.slice(-kept.length).map((r) => r.requestId), "the newest are kept, in time order");
  });
});

test("recordActivities trims exactly to max only for the subscriptions asked, and leaves the others", async () => {
  await withStore(async (store) => {
    await recordActivities(store, Array.from({ length: 8 }, () => record()));
    await recordActivities(store, Array.from({ length: 8 }, () => record(OTHER)));
    assert.equal(store.count(prefix(SUB)), 8);
    const newest = record();
    await recordActivities(store, [newest, record(OTHER)], new Set([SUB]), 5);
    const kept = store.list<ActivityRecord>(prefix(SUB)).map((e) => e.value.requestId);
    assert.equal(kept.length, 5);
    assert.equal(kept.at(-1), newest.requestId);
    assert.equal(store.count(prefix(OTHER)), 9, "not asked to trim: untouched");
  });
});

test("a record whose transaction fails is logged, not thrown, and later records are still kept", async () => {
  await withStore(async (store) => {
    const rec = new ActivityRecorder(store, 100, 10);
    const errors: unknown[][] = [];
    const log = console.error;
    console.error = (...a: unknown[]) => void errors.push(a);
    try {
      // A value JSON cannot represent makes the store refuse the whole transaction.
      rec.record({ ...record(), statusCode: 10n as unknown as number });
      await rec.flush();
    } finally {
      console.error = log;
    }
    assert.equal(errors.length, 1, "one log line for the failed batch");
    assert.equal(store.count(prefix(SUB)), 0);
    rec.record(record());
    await rec.flush();
    assert.equal(store.count(prefix(SUB)), 1);
  });
});

test("the console's newest records: the same from the store (keys first, then only those values) and from a transaction's reader", async () => {
  await withStore(async (store) => {
    const all = Array.from({ length: 12 }, () => record());
    await recordActivities(store, all);
    const ids = (rows: ReturnType<typeof activityRecords>) => rows.map((r) => r.record.requestId);
    const newest = all.slice(-5).reverse().map((r) => r.requestId);
    assert.deepEqual(ids(activityRecords(store, SUB, 5)), newest, "newest first");
    assert.deepEqual(await store.txn((tx) => ids(activityRecords(tx, SUB, 5))), newest, "a Txn has no listRevisions: it reads the whole log");
    assert.deepEqual(ids(activityRecords(store, SUB, 50)), all.slice().reverse().map((r) => r.requestId), "fewer than the limit: all of them");
    assert.deepEqual(ids(activityRecords(store, SUB, 12)), all.slice().reverse().map((r) => r.requestId));
  });
});
