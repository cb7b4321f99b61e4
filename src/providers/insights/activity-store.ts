// The activity log in the store: one record per ARM write request under `activity:{sub}:`,
// keyed by its begin time (so keys sort by time), about MAX_RECORDS per subscription (the
// oldest go first, as Azure drops events after 90 days). Events are derived on read, so a
// long-running operation's final event appears when its operation record ends, with no write here.
import type { Store, Txn } from "../../store/store.js";
import type { OperationRecord } from "../../arm/types.js";
import { opKey } from "../../arm/operations.js";
import { getSubscription } from "../../arm/state.js";
import { eventsOf, type ActivityRecord, type EventData } from "./activity-log.js";

type Reader = Pick<Txn, "get" | "list">;

export const ACTIVITY = "activity:";
export const MAX_RECORDS = 5000;

const prefixOf = (sub: string) => `${ACTIVITY}${sub.toLowerCase()}:`;

/**
 * Keep requests' records in one transaction (only for subscriptions that exist: a typo'd id
 * leaves nothing). For each subscription in `trim`, the log is then cut to its newest `max`
 * records: counting a log reads all of it, so callers trim now and then, not on every record
 * (ActivityRecorder: once per TRIM_EVERY records).
 */
export function recordActivities(store: Store, records: readonly ActivityRecord[], trim: ReadonlySet<string> = new Set(), max = MAX_RECORDS): Promise<void> {
  return store.txn((tx) => {
    const known = new Map<string, boolean>();
    for (const r of records) {
      const sub = r.subscriptionId.toLowerCase();
      let ok = known.get(sub);
      if (ok === undefined) known.set(sub, (ok = !!getSubscription(tx, r.subscriptionId)));
      if (ok) tx.put(`${prefixOf(sub)}${r.begin}:${r.requestId}`, r);
    }
    for (const [sub, ok] of known) {
      if (!ok || !trim.has(sub)) continue;
      const over = tx.count(prefixOf(sub)) - max;
      if (over > 0) for (const e of tx.list(prefixOf(sub), { limit: over })) tx.delete(e.key);
    }
  });
}

/** Every event of a subscription's log, newest first. */
export function activityEvents(reader: Reader, sub: string): EventData[] {
  const out: EventData[] = [];
  for (const e of reader.list<ActivityRecord>(prefixOf(sub))) {
    const r = e.value;
    const op = r.asyncOperation ? reader.get<OperationRecord>(opKey(r.asyncOperation))?.value : undefined;
    out.push(...eventsOf(r, op));
  }
  return out.sort((a, b) => b.eventTimestamp.localeCompare(a.eventTimestamp) || b.eventDataId.localeCompare(a.eventDataId));
}

/** The records themselves, newest first, with their operation (the console's Activity view). */
export function activityRecords(reader: Reader & Partial<Pick<Store, "listRevisions">>, sub: string, limit: number): Array<{ record: ActivityRecord; operation?: Pick<OperationRecord, "status" | "stage" | "endTime" | "error"> }> {
  const prefix = prefixOf(sub);
  // Only the newest `limit` are parsed: where they start is found from the keys alone (a log holds
  // thousands of records and the console's feed re-reads this view as writes arrive).
  const keys = limit > 0 ? reader.listRevisions?.(prefix) : undefined;
  const all = keys && keys.length > limit ? reader.list<ActivityRecord>(prefix, { startAfter: keys[keys.length - limit - 1]!.key }) : reader.list<ActivityRecord>(prefix);
  return all.slice(-limit).reverse().map((e) => {
    const op = e.value.asyncOperation ? reader.get<OperationRecord>(opKey(e.value.asyncOperation))?.value : undefined;
    return { record: e.value, operation: op && { status: op.status, stage: op.stage, endTime: op.endTime, error: op.error } };
  });
}
