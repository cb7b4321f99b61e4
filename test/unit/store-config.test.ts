// parseStoreLocation (src/store/store-config.ts): what --store / AKSEMU_STORE accept, and that
// every refusal says what would be accepted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { StoreConfigError, parseStoreLocation } from "../../src/store/store-config.js";

test("store location: sqlite is the default; etcd:// takes one or more host:port and an optional prefix", () => {
  assert.deepEqual(parseStoreLocation(undefined), { kind: "sqlite" });
  assert.deepEqual(parseStoreLocation(""), { kind: "sqlite" });
  assert.deepEqual(parseStoreLocation("sqlite"), { kind: "sqlite" });
  assert.deepEqual(parseStoreLocation("etcd://127.0.0.1:2379"), { kind: "etcd", endpoints: ["http://127.0.0.1:2379"], prefix: "/aksemu/" });
  assert.deepEqual(parseStoreLocation("etcd://a:2379,b.example:32379,[::1]:2379/team-a"), {
    kind: "etcd",
    endpoints: ["http://a:2379", "http://b.example:32379", "http://[::1]:2379"],
    prefix: "/team-a/",
  });
  assert.deepEqual(parseStoreLocation("ETCD://h:1/"), { kind: "etcd", endpoints: ["http://h:1"], prefix: "/aksemu/" });
});

test("store location: a wrong scheme, a missing port or a non-URL is refused naming what is accepted", () => {
  const refused = (raw: string, re: RegExp, source?: string) =>
    assert.throws(() => parseStoreLocation(raw, source), (e: unknown) => e instanceof StoreConfigError && re.test(e.message) && /accepted: sqlite .* or etcd:\/\/host:port/.test(e.message) || (e instanceof StoreConfigError && re.test(e.message) && /e\.g\. etcd:\/\/127\.0\.0\.1:2379/.test(e.message)));
  refused("http://127.0.0.1:2379", /^--store 'http:\/\/127\.0\.0\.1:2379': unsupported scheme 'http:\/\/'/);
  refused("etcds://h:2379", /unsupported scheme 'etcds:\/\/'/);
  refused("redis://h:1", /^AKSEMU_STORE 'redis:\/\/h:1'/, "AKSEMU_STORE");
  refused("127.0.0.1:2379", /is not a store location/);
  refused("etcd://127.0.0.1", /'127\.0\.0\.1' is not host:port/);
  refused("etcd://h:0", /'h:0' is not host:port/);
  refused("etcd://h:2379,", /'' is not host:port/);
  refused("etcd://", /'' is not host:port/);
});
