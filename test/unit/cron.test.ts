// The CronJob schedule parser and next-time arithmetic (pure).
import { test } from "node:test";
import assert from "node:assert/strict";
import { lastBetween, nextAfter, parseCron } from "../../src/sim/cron.js";
import { indexRanges } from "../../src/sim/controllers/job.js";
import { scaledClock } from "../../src/sim/clock.js";

const at = (s: string) => Date.parse(s);
const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

test("cron: fields, ranges, steps, names, macros", () => {
  assert.equal(iso(nextAfter(parseCron("*/15 * * * *"), at("2026-01-01T10:07:30Z"))), "2026-01-01T10:15:00.000Z");
  assert.equal(iso(nextAfter(parseCron("0 9-17/4 * * MON-FRI"), at("2026-01-02T17:00:00Z"))), "2026-01-05T09:00:00.000Z");
  assert.equal(iso(nextAfter(parseCron("@monthly"), at("2026-02-15T00:00:00Z"))), "2026-03-01T00:00:00.000Z");
  assert.equal(iso(nextAfter(parseCron("30 2 29 feb *"), at("2026-03-01T00:00:00Z"))), "2028-02-29T02:30:00.000Z");
  // both day fields restricted: either matches
  assert.equal(iso(nextAfter(parseCron("0 0 13 * 5"), at("2026-01-01T00:00:00Z"))), "2026-01-02T00:00:00.000Z");
  assert.equal(iso(nextAfter(parseCron("0 0 * * 7"), at("2026-01-01T00:00:00Z"))), "2026-01-04T00:00:00.000Z");
  assert.equal(iso(nextAfter(parseCron("CRON_TZ=UTC 5 4 * * *"), at("2026-01-01T00:00:00Z"))), "2026-01-01T04:05:00.000Z");
  const r = lastBetween(parseCron("* * * * *"), at("2026-01-01T00:00:00Z"), at("2026-01-01T00:03:10Z"));
  assert.deepEqual([iso(r.time), r.missed], ["2026-01-01T00:03:00.000Z", 3]);
  assert.equal(lastBetween(parseCron("0 0 1 1 *"), at("2026-01-02T00:00:00Z"), at("2026-06-01T00:00:00Z")).time, undefined);
});

test("cron: refusals", () => {
  assert.throws(() => parseCron("* * * *"), /expected exactly 5 fields, found 4/);
  assert.throws(() => parseCron("61 * * * *"), /end of range \(61\) above maximum \(59\)/);
  assert.throws(() => parseCron("*/0 * * * *"), /step of range should be a positive number/);
  assert.throws(() => parseCron("x * * * *"), /failed to parse int from x/);
  assert.throws(() => parseCron("TZ=Europe/Berlin * * * * *"), /unknown time zone Europe\/Berlin/);
});

test("completedIndexes ranges and the scaled clock", () => {
  assert.equal(indexRanges([5, 0, 1, 2, 7, 8]), "0-2,5,7-8");
  assert.equal(indexRanges([]), "");
  const c = scaledClock(60, Date.now());
  const t = c.now() + 60_000;
  assert.ok(c.realDelay(t) <= 1000 && c.realDelay(t) > 900);
});
