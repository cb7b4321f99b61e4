// mayRetry (src/store/kv-etcd.ts): which failed etcd requests the client sends again to another
// member. Reads on any unavailability; writes only when they cannot have been applied, since a
// Txn whose answer was lost may have committed and must not commit twice.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mayRetry } from "../../src/store/kv-etcd.js";
import { CompactedError, LeaseNotFoundError } from "../../src/store/kv.js";

const grpc = (m: string) => new Error(m);

test("etcd failover: a request that never reached a server moves on, read or write", () => {
  for (const m of [
    "14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:2379. Resolution note: ",
    "14 UNAVAILABLE: Channel closed before call started",
    "2 UNKNOWN: raft proposal dropped",
    "14 UNAVAILABLE: etcdserver: no leader",
    "8 RESOURCE_EXHAUSTED: etcdserver: too many requests",
  ]) {
    assert.equal(mayRetry("write", grpc(m)), true, m);
    assert.equal(mayRetry("read", grpc(m)), true, m);
  }
});

test("etcd failover: a lost answer is repeated for a read, never for a write", () => {
  for (const m of [
    "14 UNAVAILABLE: Connection dropped",
    "14 UNAVAILABLE: read ECONNRESET",
    "14 UNAVAILABLE: etcdserver: request timed out",
    "14 UNAVAILABLE: etcdserver: request timed out, possibly due to previous leader failure",
    "14 UNAVAILABLE: etcdserver: leader changed",
    "4 DEADLINE_EXCEEDED: Deadline exceeded",
  ]) {
    assert.equal(mayRetry("read", grpc(m)), true, m);
    assert.equal(mayRetry("write", grpc(m)), false, m);
  }
});

test("etcd failover: the server's typed answers and other errors are never repeated", () => {
  for (const e of [new CompactedError(5n, 9n), new LeaseNotFoundError("7"), grpc("3 INVALID_ARGUMENT: etcdserver: duplicate key given in txn request"), grpc("boom")]) {
    assert.equal(mayRetry("read", e), false, e.message);
    assert.equal(mayRetry("write", e), false, e.message);
  }
});
