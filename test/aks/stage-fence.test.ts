// A long-running operation's stage writes through the owner's fence (arm/operations.ts): two
// EmulatorCores over one store stand in for two processes. A's stage is paused mid-way (awaiting a
// gate, as a stalled process would be) while its claim goes away (its lease revoked: what expiry
// does) and B takes the operation over and finishes it; when A's stage resumes, its write is
// refused with OwnershipLostError and B's value stays. Without the fence A's late write would win.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EmulatorCore } from "../../src/emulator.js";
import type { ReconcileCtx, ReconcileStep } from "../../src/arm/types.js";
import { opOwnerKey } from "../../src/arm/operations.js";
import { OwnershipLostError } from "../../src/store/ownership.js";
import { tempDir, SUBSCRIPTION_ID } from "../helpers/emulator.js";

const TYPE = "Test.Fence/gated";
const KEY = "test-stage-fence/value";

test("a stage's write from a process that lost the operation's claim is refused; the new owner's write stays", async () => {
  const dataDir = tempDir("aksemu-stage-fence-");
  const a = await EmulatorCore.open({ dataDir, latency: "instant", leaseTtlSeconds: 2 });
  let b: EmulatorCore | undefined;
  try {
    b = await EmulatorCore.openBeside(a, { latency: "instant", leaseTtlSeconds: 2 });

    let entered!: () => void;
    const aEntered = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let aOutcome: Promise<unknown> | undefined;
    a.ops.builtins.set(TYPE.toLowerCase(), async ({ env }: ReconcileCtx): Promise<ReconcileStep> => {
      entered();
      await gate;
      aOutcome = env.store.txn((tx) => void tx.put(KEY, "a"));
      await aOutcome;
      return { done: true };
    });
    b.ops.builtins.set(TYPE.toLowerCase(), async ({ env }: ReconcileCtx): Promise<ReconcileStep> => {
      await env.store.txn((tx) => void tx.put(KEY, "b"));
      return { done: true };
    });
    await a.startClaiming();
    await b.startClaiming();

    const op = await a.env.store.txn((tx) =>
      a.env.ops.start(tx, {
        kind: "action", resourceId: `/subscriptions/${SUBSCRIPTION_ID}/providers/Test.Fence/gated/one`, type: TYPE, namespace: "Test.Fence",
        location: "westus2", subscriptionId: SUBSCRIPTION_ID, apiVersion: "2020-01-01", stage: "only", delayMs: 0,
      }),
    );
    await aEntered;
    const aClaim = a.env.store.get(opOwnerKey(op.name));
    assert.ok(aClaim, "A owns the operation while its stage runs");

    // A's lease goes (as after a stall longer than its TTL); B's claim loop takes the operation over.
    await a.env.store.revokeLease(a.member.lease);
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      b.ops.waitFor(op.name),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("operation not finished by B")), 30_000))),
    ]).finally(() => clearTimeout(timer));
    assert.equal(done.status, "Succeeded", JSON.stringify(done.error));
    assert.equal(a.env.store.get(KEY)?.value, "b");

    // A resumes: its stage's write must not land.
    release();
    await new Promise<void>((r) => {
      const wait = () => (aOutcome ? r() : setTimeout(wait, 5));
      wait();
    });
    await assert.rejects(aOutcome!, OwnershipLostError);
    assert.equal(a.env.store.get(KEY)?.value, "b", "the former owner's stage wrote nothing");
    assert.equal(b.env.ops.get(op.name)?.status, "Succeeded");
  } finally {
    await b?.close();
    await a.close();
  }
});
