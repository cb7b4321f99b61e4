// SqliteStore.modRevision on its cached-read path (soleWriter, as the emulator opens it): what the
// read cache (arm/read-cache.ts) trusts to tell a kept answer is current. The other engines and
// the shared-file path run the conformance case (store-conformance.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SqliteStore } from "../../src/store/sqlite-store.js";

test("modRevision as sole writer: a write, a rollback, a cached miss and a delete show at once", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aksemu-modrev-"));
  const s = SqliteStore.open(path.join(dir, "state.db"), { leaseCheckMs: 0, soleWriter: true });
  try {
    const same = (key: string) => assert.equal(s.modRevision(key), s.get(key)?.modRevision ?? 0, key);
    assert.equal(s.modRevision("k"), 0, "a miss (now cached)");
    await s.txn((tx) => tx.put("k", 1));
    same("k");
    assert.ok(s.modRevision("k")! > 0);
    const before = s.modRevision("k");
    await assert.rejects(
      s.txn((tx) => {
        tx.put("k", 2);
        throw new Error("abort");
      }),
    );
    assert.equal(s.modRevision("k"), before, "a rolled-back write leaves the committed revision");
    await s.txn((tx) => tx.put("k", 3));
    assert.equal(s.modRevision("k"), before! + 1);
    same("k");
    await s.txn((tx) => tx.delete("k"));
    assert.equal(s.modRevision("k"), 0);
    let inside: number | undefined = -1;
    await s.txn((tx) => {
      tx.put("k", 4);
      inside = s.modRevision("k");
    });
    assert.equal(inside, undefined);
    same("k");
  } finally {
    s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
