// parseLeaseTtl (src/store/ownership.ts): what --lease-ttl / AKSEMU_LEASE_TTL accept, and that a
// refusal names the source, the value and the accepted range.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_LEASE_TTL_SECONDS, LeaseTtlError, parseLeaseTtl } from "../../src/store/ownership.js";

test("lease TTL: whole seconds from 2 to 3600; absent or empty = the default", () => {
  assert.equal(parseLeaseTtl(undefined), DEFAULT_LEASE_TTL_SECONDS);
  assert.equal(parseLeaseTtl(""), DEFAULT_LEASE_TTL_SECONDS);
  assert.equal(parseLeaseTtl("2"), 2);
  assert.equal(parseLeaseTtl(" 15 "), 15);
  assert.equal(parseLeaseTtl("3600"), 3600);
});

test("lease TTL: below etcd's minimum, above an hour, fractions, signs and words are refused", () => {
  for (const v of ["0", "1", "3601", "2.5", "-5", "+5", "1e3", "ten", "10s", "0x10"]) {
    assert.throws(() => parseLeaseTtl(v, "AKSEMU_LEASE_TTL"), (e: unknown) =>
      e instanceof LeaseTtlError && e.message.startsWith(`invalid AKSEMU_LEASE_TTL '${v}': whole seconds from 2 to 3600`) && /default 10\)$/.test(e.message), v);
  }
});
