// The simulation's work queue: failing work items back off and are eventually dropped instead of
// being requeued every few milliseconds forever.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { Registry } from "../../src/kube/registry.js";
import { StatusError } from "../../src/kube/errors.js";
import { SimEngine } from "../../src/sim/engine.js";

function engine() {
  const store = SqliteStore.open(":memory:");
  const registry = new Registry(store, "engine-test", { strategyContext: () => ({}) as any });
  const eng = new SimEngine({
    registry, latency: { delay: () => 0 }, events: false, controllers: [], stages: [],
    info: () => ({ kubernetesVersion: "1.31.10", location: "westus2", networkPlugin: "azure", apiServerAddress: "https://10.0.0.1:443", nodes: [] }),
  });
  return { eng, store };
}

test("sim engine: permanent 404/409/422 and other failures are retried with backoff a bounded number of times, then dropped", { timeout: 30_000 }, async () => {
  const { eng, store } = engine();
  eng.start();
  const errLog = console.error;
  console.error = () => undefined;
  try {
    const calls: Record<string, number> = { nf: 0, conflict: 0, invalid: 0, boom: 0, ok: 0 };
    eng.enqueue("nf", () => { calls.nf!++; throw new StatusError(404, "NotFound", "gone"); });
    eng.enqueue("conflict", () => { calls.conflict!++; throw new StatusError(409, "Conflict", "stale"); });
    eng.enqueue("invalid", () => { calls.invalid!++; throw new StatusError(422, "Invalid", "bad"); });
    eng.enqueue("boom", () => { calls.boom!++; throw new Error("boom"); });
    let flaky = 0;
    eng.enqueue("ok", () => { calls.ok!++; if (flaky++ < 2) throw new StatusError(409, "Conflict", "stale once"); });
    const keepAlive = setInterval(() => undefined, 50); // the engine's timers are unref'd
    await eng.idle(); // never resolved while items were requeued forever
    clearInterval(keepAlive);
    assert.equal(calls.invalid, 1, "422 is permanent: no retry");
    assert.ok(calls.nf! > 1 && calls.nf! <= 10, `404 retried a few times: ${calls.nf}`);
    assert.ok(calls.conflict! > 1 && calls.conflict! <= 10, `409 retried a few times: ${calls.conflict}`);
    assert.ok(calls.boom! > 1 && calls.boom! <= 10, `other errors back off, bounded: ${calls.boom}`);
    assert.equal(calls.ok, 3, "a transient conflict succeeds on retry");
  } finally {
    console.error = errLog;
    eng.stop();
    store.close?.();
  }
});
