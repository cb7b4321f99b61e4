// The long-running-operation engine. Operations are records in the store; the engine runs
// each one's current stage when it is due and persists the next. After a restart every
// InProgress operation is picked up again at its recorded stage (stages are idempotent),
// so an interrupted create finishes or fails cleanly instead of leaving half-made state.
//
// Each operation is owned through its owner key (store/ownership.ts): the process that starts it
// claims it under its lease; whoever finds an InProgress operation without an owner (at start, or
// later because its owner's lease expired) claims it and resumes it at its recorded stage, the
// same path as after a crash. The stage advance and the final write are fenced on the claim.
import { randomUUID } from "node:crypto";
import type { Txn } from "../store/store.js";
import { Member, OwnedElsewhereError, OwnershipLostError, OWNER_PREFIX } from "../store/ownership.js";
import { fencedStore } from "../store/fenced-store.js";
import { ArmError } from "./errors.js";
import { getRecord, putRecord } from "./repo.js";
import type { ArmEnv, OperationRecord, OperationScheduler } from "./types.js";
import { StoreBusyError } from "../store/store.js";

const RETRY_WHEN_LOCKED_MS = 1000;

const OP = "op:";
/** Index of InProgress operations (written and removed with the record), so claim passes read only those. */
const OP_PENDING = "opq:";
const OP_OWNER = `${OWNER_PREFIX}op/`;

export function opKey(name: string): string {
  return OP + name.toLowerCase();
}

export function opOwnerKey(name: string): string {
  return OP_OWNER + name.toLowerCase();
}

export class OperationEngine implements OperationScheduler {
  private timers = new Map<string, NodeJS.Timeout>();
  private running = new Set<string>();
  private env!: ArmEnv;
  private member!: Member;
  /** Fencing tokens of the operations this process owns (name → owner key's create revision). */
  private readonly tokens = new Map<string, number>();
  private stopped = false;
  /** The first claim pass reads every record: data directories from before the pending index have none. */
  private scannedAll = false;

  attach(env: ArmEnv, member: Member): void {
    this.env = env;
    this.member = member;
    // An operation this member started (start() inside someone's transaction) is scheduled once
    // that transaction has committed: start() itself must not touch timers (its fn may rerun or
    // roll back), so the engine learns of it from the pending index's put event.
    env.store.watch(OP_PENDING, undefined, (evs) => {
      for (const e of evs) if (e.type === "put") this.adoptStarted((e.value as { name: string }).name);
    });
    // The lease is gone: every claim under it is void (another process may hold them now).
    member.onLost(() => {
      for (const t of this.timers.values()) clearTimeout(t);
      this.timers.clear();
      this.tokens.clear();
    });
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
    if (!this.member.claim(tx, opOwnerKey(op.name))) throw new OwnedElsewhereError(opOwnerKey(op.name), Member.owner(tx, opOwnerKey(op.name))!);
    op.owner = { member: this.member.id, lease: this.member.lease };
    tx.put(opKey(op.name), op);
    // Its put event, after commit, schedules the operation here (adoptStarted).
    tx.put(OP_PENDING + op.name.toLowerCase(), { name: op.name });
    return op;
  }

  /** After commit: an InProgress operation whose owner key is this member's gets its token and timer. */
  private adoptStarted(name: string): void {
    if (this.stopped || this.tokens.has(name)) return;
    const op = this.get(name);
    if (!op || op.status !== "InProgress" || op.owner?.member !== this.member.id) return;
    const owner = this.env.store.get<{ member: string }>(opOwnerKey(name));
    if (!owner || owner.lease !== this.member.lease || owner.value.member !== this.member.id) return;
    this.tokens.set(op.name, owner.createRevision);
    this.schedule(op);
  }

  get(name: string, reader: Pick<Txn, "get"> = this.env.store): OperationRecord | undefined {
    return reader.get<OperationRecord>(opKey(name))?.value;
  }

  /**
   * Claim every InProgress operation that has no owner (its process stopped or its lease expired)
   * and resume it at its recorded stage. After a restart that is every one of them. Returns how
   * many this call claimed.
   */
  async claimOrphans(): Promise<number> {
    if (this.stopped) return 0;
    let claimed = 0;
    const names = this.scannedAll
      ? this.env.store.list<{ name: string }>(OP_PENDING).map((e) => e.value.name)
      : this.env.store.list<OperationRecord>(OP).filter((e) => e.value.status === "InProgress").map((e) => e.value.name);
    this.scannedAll = true;
    for (const name of names) {
      if (this.tokens.has(name)) continue;
      if (Member.owner(this.env.store, opOwnerKey(name))) continue; // a live owner (cheap check before the write)
      await this.member.ensureLease();
      if (this.stopped) return claimed;
      const won = await this.env.store.txn((tx) => {
        const cur = tx.get<OperationRecord>(opKey(name))?.value;
        if (!cur || cur.status !== "InProgress") {
          tx.delete(OP_PENDING + name.toLowerCase()); // ended without the index (older versions)
          return undefined;
        }
        if (!this.member.claim(tx, opOwnerKey(name))) return undefined;
        const upd: OperationRecord = { ...cur, owner: { member: this.member.id, lease: this.member.lease } };
        tx.put(opKey(name), upd);
        tx.put(OP_PENDING + name.toLowerCase(), { name });
        return { upd };
      });
      if (!won) continue;
      // The token is the owner key's create revision, read once committed.
      const token = this.member.token(opOwnerKey(name));
      if (token === undefined) continue; // lost again already (lease expired meanwhile)
      if (this.tokens.get(name) !== token) {
        this.tokens.set(name, token);
        this.schedule(won.upd);
      }
      claimed++;
    }
    return claimed;
  }

  /** Resolves when the operation reaches a terminal state, whichever process finishes it. */
  waitFor(name: string): Promise<OperationRecord> {
    const cur = this.get(name);
    if (cur && cur.status !== "InProgress") return Promise.resolve(cur);
    const key = opKey(name);
    return new Promise((resolve) => {
      const unwatch = this.env.store.watch(key, undefined, (evs) => {
        for (const e of evs) {
          const op = e.value as OperationRecord;
          if (e.key === key && e.type === "put" && op.status !== "InProgress") {
            unwatch();
            resolve(op);
            return;
          }
        }
      });
    });
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.tokens.clear();
  }

  /** Drop an operation this process no longer owns: no timer, no token; its new owner carries on. */
  private drop(name: string): void {
    const t = this.timers.get(name);
    if (t) clearTimeout(t);
    this.timers.delete(name);
    this.tokens.delete(name);
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
    const token = this.tokens.get(name);
    if (token === undefined || !this.member.holds(this.env.store, opOwnerKey(name), token)) return this.drop(name);
    const op = this.get(name);
    if (!op || op.status !== "InProgress") return this.drop(name);
    this.running.add(name);
    try {
      const def = this.env.registry.find(op.type);
      const reconcile = def?.strategy.reconcile ?? this.builtins.get(op.type.toLowerCase());
      if (!reconcile) throw new ArmError(500, "InternalServerError", `no reconciler for ${op.type}`);
      // The stage's own writes (a cluster's record, its network, DNS, ...) go through the claim's
      // fence too: a former owner that stalled past its lease commits nothing of the stage.
      const env: ArmEnv = { ...this.env, store: fencedStore(this.env.store, (tx) => this.member.fence(tx, opOwnerKey(name), token)) };
      const step = await reconcile({ env, op });
      if (this.stopped) return;
      if ("done" in step) {
        await this.finish(name, token, { status: "Succeeded", result: step.result });
      } else {
        const dueAt = Date.now() + step.delayMs;
        const next = await this.env.store.txn((tx) => {
          this.member.fence(tx, opOwnerKey(name), token);
          const cur = tx.get<OperationRecord>(opKey(name))?.value;
          if (!cur || cur.status !== "InProgress") return undefined;
          const upd: OperationRecord = { ...cur, stage: step.next, dueAt, data: { ...cur.data, ...step.data } };
          tx.put(opKey(name), upd);
          return upd;
        });
        if (next && !this.stopped) this.schedule(next);
      }
    } catch (err) {
      if (this.stopped) return;
      if (err instanceof OwnershipLostError) return this.drop(name); // another process owns it now
      // Another process holds the database lock, or the cluster this stage needs runs elsewhere:
      // stages are idempotent, run it again.
      if (err instanceof StoreBusyError || err instanceof OwnedElsewhereError) return this.retryLater(name);
      const e = err instanceof ArmError ? err : new ArmError(500, "InternalServerError", `operation failed: ${(err as Error).message}`);
      if (!(err instanceof ArmError)) console.error(`operation ${name} crashed:`, err);
      try {
        await this.finish(name, token, { status: "Failed", error: e.toBody().error as OperationRecord["error"] });
      } catch (again) {
        if (again instanceof OwnershipLostError) return this.drop(name);
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

  private async finish(name: string, token: number, patch: Partial<OperationRecord>): Promise<void> {
    const endTime = this.env.now().toISOString();
    await this.env.store.txn((tx) => {
      this.member.fence(tx, opOwnerKey(name), token);
      const cur = tx.get<OperationRecord>(opKey(name))?.value;
      if (!cur) return undefined;
      const upd: OperationRecord = { ...cur, ...patch, endTime };
      tx.put(opKey(name), upd);
      tx.delete(OP_PENDING + name.toLowerCase());
      this.member.release(tx, opOwnerKey(name), token);
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
    this.tokens.delete(name);
  }

  /** Reconcilers for operations that are not owned by a resource type (resource-group delete, providers). */
  readonly builtins = new Map<string, NonNullable<import("./types.js").ResourceStrategy["reconcile"]>>();
}
