// The long-running-operation engine. Operations are records in the store; the engine runs
// each one's current stage when it is due and persists the next. After a restart every
// InProgress operation is picked up again at its recorded stage (stages are idempotent),
// so an interrupted create finishes or fails cleanly instead of leaving half-made state.
import { randomUUID } from "node:crypto";
import type { Txn } from "../store/store.js";
import { ArmError } from "./errors.js";
import { getRecord, putRecord } from "./repo.js";
import type { ArmEnv, OperationRecord, OperationScheduler } from "./types.js";
import { StoreBusyError } from "../store/store.js";

const RETRY_WHEN_LOCKED_MS = 1000;

const OP = "op:";

export function opKey(name: string): string {
  return OP + name.toLowerCase();
}

export class OperationEngine implements OperationScheduler {
  private timers = new Map<string, NodeJS.Timeout>();
  private running = new Set<string>();
  private env!: ArmEnv;
  private stopped = false;
  /** Resolvers waiting for an operation to reach a terminal state (tests, CLI --wait). */
  private waiters = new Map<string, Array<(op: OperationRecord) => void>>();

  attach(env: ArmEnv): void {
    this.env = env;
  }

  start(
    tx: Txn,
    o: Omit<OperationRecord, "status" | "startTime" | "dueAt" | "name"> & { delayMs: number; name?: string },
  ): OperationRecord {
    const { delayMs, ...rest } = o;
    const op: OperationRecord = {
      ...rest,
      name: o.name ?? randomUUID(),
      status: "InProgress",
      startTime: this.env.now().toISOString(),
      dueAt: Date.now() + delayMs,
    };
    tx.put(opKey(op.name), op);
    // Schedule after commit: the timer fires on a later turn of the event loop.
    this.schedule(op);
    return op;
  }

  get(name: string): OperationRecord | undefined {
    return this.env.store.get<OperationRecord>(opKey(name))?.value;
  }

  /** Resume every operation that was in progress when the process stopped. */
  resumeAll(): number {
    const pending = this.env.store.list<OperationRecord>(OP).filter((e) => e.value.status === "InProgress");
    for (const e of pending) this.schedule(e.value);
    return pending.length;
  }

  waitFor(name: string): Promise<OperationRecord> {
    const cur = this.get(name);
    if (cur && cur.status !== "InProgress") return Promise.resolve(cur);
    return new Promise((resolve) => {
      const list = this.waiters.get(name) ?? [];
      list.push(resolve);
      this.waiters.set(name, list);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** Resolves when no operation is running or due within `ms` (used by graceful shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await new Promise((r) => setTimeout(r, 10));
  }

  private schedule(op: OperationRecord): void {
    if (this.stopped) return;
    const prev = this.timers.get(op.name);
    if (prev) clearTimeout(prev);
    const wait = Math.max(0, op.dueAt - Date.now());
    const t = setTimeout(() => {
      this.timers.delete(op.name);
      void this.run(op.name);
    }, wait);
    this.timers.set(op.name, t);
  }

  private async run(name: string): Promise<void> {
    if (this.stopped || this.running.has(name)) return;
    const op = this.get(name);
    if (!op || op.status !== "InProgress") return;
    this.running.add(name);
    try {
      const def = this.env.registry.find(op.type);
      const reconcile = def?.strategy.reconcile ?? this.builtins.get(op.type.toLowerCase());
      if (!reconcile) throw new ArmError(500, "InternalServerError", `no reconciler for ${op.type}`);
      const step = await reconcile({ env: this.env, op });
      if (this.stopped) return;
      if ("done" in step) {
        this.finish(name, { status: "Succeeded", result: step.result });
      } else {
        const next = this.env.store.txn((tx) => {
          const cur = tx.get<OperationRecord>(opKey(name))?.value;
          if (!cur || cur.status !== "InProgress") return undefined;
          const upd: OperationRecord = { ...cur, stage: step.next, dueAt: Date.now() + step.delayMs, data: { ...cur.data, ...step.data } };
          tx.put(opKey(name), upd);
          return upd;
        });
        if (next) this.schedule(next);
      }
    } catch (err) {
      if (this.stopped) return;
      if (err instanceof StoreBusyError) return this.retryLater(name); // stages are idempotent: run it again
      const e = err instanceof ArmError ? err : new ArmError(500, "InternalServerError", `operation failed: ${(err as Error).message}`);
      if (!(err instanceof ArmError)) console.error(`operation ${name} crashed:`, err);
      try {
        this.finish(name, { status: "Failed", error: e.toBody().error as OperationRecord["error"] });
      } catch (again) {
        if (!(again instanceof StoreBusyError)) throw again;
        this.retryLater(name);
      }
    } finally {
      this.running.delete(name);
    }
  }

  /** Another process holds the database lock: the operation stays InProgress and its stage runs again shortly. */
  private retryLater(name: string): void {
    const op = this.get(name);
    if (op) this.schedule({ ...op, dueAt: Date.now() + RETRY_WHEN_LOCKED_MS });
  }

  private finish(name: string, patch: Partial<OperationRecord>): void {
    const done = this.env.store.txn((tx) => {
      const cur = tx.get<OperationRecord>(opKey(name))?.value;
      if (!cur) return undefined;
      const upd: OperationRecord = { ...cur, ...patch, endTime: this.env.now().toISOString() };
      tx.put(opKey(name), upd);
      if (upd.status !== "Succeeded") {
        const rec = getRecord(tx, upd.resourceId);
        // Only the operation that owns the resource may change it (a superseded one must not).
        if (rec && (rec.internal?.activeOperation === undefined || rec.internal.activeOperation === upd.name)) {
          const internal = { ...rec.internal };
          delete internal.activeOperation;
          if (upd.kind === "rgdelete") {
            // A resource group whose deletion failed is usable again, with everything still in it.
            putRecord(tx, { ...rec, properties: { ...rec.properties, provisioningState: "Succeeded" }, internal });
          } else if (upd.kind === "put" || upd.kind === "delete" || (upd.kind === "action" && upd.data?.setsProvisioningState)) {
            // As ARM shows it: a failed create/update/delete (or state-changing action) leaves Failed.
            putRecord(tx, { ...rec, properties: { ...rec.properties, provisioningState: "Failed" }, internal });
          } else {
            putRecord(tx, { ...rec, internal });
          }
        }
      }
      return upd;
    });
    if (done) for (const w of this.waiters.get(name) ?? []) w(done);
    this.waiters.delete(name);
  }

  /** Reconcilers for operations that are not owned by a resource type (resource-group delete, providers). */
  readonly builtins = new Map<string, NonNullable<import("./types.js").ResourceStrategy["reconcile"]>>();
}
