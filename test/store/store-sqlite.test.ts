// The Store conformance suite (store-conformance.ts) against the embedded engines: SqliteStore on
// a file (two instances = two connections to it) and KvStore over SqliteKv (two replicas over one
// Kv), so the same contract holds on etcd (kv-store-etcd.test.ts) and without a server.
import { describe } from "node:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { SqliteKv } from "../../src/store/kv-sqlite.js";
import { KvStore } from "../../src/store/kv-store.js";
import { storeConformance, type StoreHarness } from "./store-conformance.js";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "aksemu-store-"));
}

describe("Store conformance: SqliteStore", () => {
  storeConformance("sqlite", async (): Promise<StoreHarness> => {
    const dir = tempDir();
    return {
      open: async () => SqliteStore.open(path.join(dir, "state.db")),
      cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  });
});

describe("Store conformance: KvStore over SqliteKv", () => {
  storeConformance("kv-store/sqlite", async (): Promise<StoreHarness> => {
    const dir = tempDir();
    const kv = SqliteKv.open(path.join(dir, "kv.db"), { leaseCheckMs: 200 });
    return {
      open: () => KvStore.open(kv, { ownsKv: false }),
      cleanup: async () => {
        await kv.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  });
});
