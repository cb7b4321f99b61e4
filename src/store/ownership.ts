// Who runs a piece of background work (a long-running operation, a cluster's simulation): the
// process whose lease holds the work's owner key. Each process is a member with one lease (TTL,
// kept alive at TTL/3 as etcd's Go client does) and a member key attached to it. Claiming work =
// creating `owner/<kind>/<id>` attached to the lease, only if absent, inside a store transaction,
// so of two claimers exactly one wins. The key's create revision is the owner's fencing token:
// a write that must only happen while the work is still ours checks it in the same transaction
// (etcd's Campaign/Proclaim pattern, docs/architecture.md "Ownership"). When a member dies its
// lease expires, the store deletes its keys, and any member may claim the work again.
import { randomUUID } from "node:crypto";
import type { LeaseId, Store, Txn } from "./store.js";
import { LeaseNotFoundError } from "./store.js";

export const MEMBER_PREFIX = "member/";
export const OWNER_PREFIX = "owner/";
/** Default lease TTL: the reference's 10–15 s, long enough for any synchronous stall of the event loop. */
export const DEFAULT_LEASE_TTL_SECONDS = 10;
/** etcd's minimum lease TTL at default election timeouts; above an hour a dead process's work waits too long. */
export const LEASE_TTL_RANGE = { min: 2, max: 3600 } as const;

/** A --lease-ttl (or AKSEMU_LEASE_TTL) that cannot be used; the message says what would do. */
export class LeaseTtlError extends Error {}

/**
 * Parse a lease TTL in whole seconds (pure): undefined/"" = the default. Refused with a message
 * naming the source, the value, the accepted range and what the TTL decides.
 */
export function parseLeaseTtl(raw: string | undefined, source = "--lease-ttl"): number {
  const v = (raw ?? "").trim();
  if (v === "") return DEFAULT_LEASE_TTL_SECONDS;
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < LEASE_TTL_RANGE.min || n > LEASE_TTL_RANGE.max) {
    throw new LeaseTtlError(
      `invalid ${source} '${v}': whole seconds from ${LEASE_TTL_RANGE.min} to ${LEASE_TTL_RANGE.max} ` +
        `(how long a process's ownership leases last: another process takes over a dead one's work within it; default ${DEFAULT_LEASE_TTL_SECONDS})`,
    );
  }
  return n;
}

export interface OwnerValue {
  member: string;
  lease: LeaseId;
  since: string;
}

/** The work is owned by another live member; nothing was done. Try again later (or after its lease is gone). */
export class OwnedElsewhereError extends Error {
  constructor(readonly key: string, readonly owner: OwnerValue) {
    super(`${key} is owned by member ${owner.member} (lease ${owner.lease})`);
  }
}

/** This member no longer owns the work (its lease expired, another member claimed it): stop at once. */
export class OwnershipLostError extends Error {
  constructor(readonly key: string) {
    super(`ownership of ${key} was lost`);
  }
}

/** Read-only access to the store: a Txn or the Store itself. */
type Reader = Pick<Store, "get"> | Pick<Txn, "get">;

export class Member {
  /** The member id: stable for the life of the process (a new lease after a loss keeps it). */
  readonly id: string;
  readonly ttlSeconds: number;
  private leaseId: LeaseId = "0";
  private timer?: NodeJS.Timeout;
  private readonly lostHandlers: Array<() => void> = [];
  private active = false;
  /** A new lease being granted after a loss. */
  private renewing: Promise<void> | undefined;

  constructor(private readonly store: Store, opts: { ttlSeconds?: number; id?: string } = {}) {
    this.id = opts.id ?? randomUUID();
    this.ttlSeconds = opts.ttlSeconds ?? DEFAULT_LEASE_TTL_SECONDS;
  }

  get lease(): LeaseId {
    return this.leaseId;
  }

  /** Grant the lease, announce the member, keep the lease alive. */
  async start(): Promise<void> {
    if (this.active) return;
    this.active = true;
    await this.grant();
    this.timer = setInterval(() => void this.keepAlive(), Math.max(200, Math.floor((this.ttlSeconds * 1000) / 3)));
    this.timer.unref();
  }

  /** Called (synchronously, before a new lease is granted) when the lease turns out to be gone: every claim made under it is void. */
  onLost(fn: () => void): void {
    this.lostHandlers.push(fn);
  }

  /** Stop keeping the lease alive and leave it to expire: what a killed process does. Writes nothing. */
  halt(): void {
    this.active = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Graceful exit: revoke the lease, so every key of this member goes at once and others may claim its work now. */
  async close(): Promise<void> {
    const wasActive = this.active;
    this.halt();
    if (!wasActive) return;
    try {
      await this.store.revokeLease(this.leaseId);
    } catch (e) {
      if (!(e instanceof LeaseNotFoundError)) throw e;
    }
  }

  /**
   * Claim `key` for this member (inside tx): create it if absent, attached to the lease. True if
   * the key is now ours, false if another member holds it. Reads and writes only through tx
   * (rerun-safe); a lease that is gone makes the put throw LeaseNotFoundError (call ensureLease()
   * before the transaction to renew it first). The fencing token is the key's create revision,
   * known only once the transaction committed (an optimistic engine's tx.revision is a guess):
   * take it with token(key) after the txn resolves.
   */
  claim(tx: Txn, key: string): boolean {
    const cur = tx.get<OwnerValue>(key);
    if (cur) return cur.lease === this.leaseId && cur.value.member === this.id;
    tx.put<OwnerValue>(key, { member: this.id, lease: this.leaseId, since: new Date().toISOString() }, { lease: this.leaseId });
    return true;
  }

  /** After a committed claim: the fencing token (create revision) of key if it is ours, else undefined (lost meanwhile). */
  token(key: string): number | undefined {
    const cur = this.store.get<OwnerValue>(key);
    return cur && cur.lease === this.leaseId && cur.value.member === this.id ? cur.createRevision : undefined;
  }

  /** Whether the work under key is still ours with this token. */
  holds(r: Reader, key: string, token: number): boolean {
    const cur = r.get<OwnerValue>(key);
    return cur !== undefined && cur.createRevision === token && cur.lease === this.leaseId;
  }

  /** Throw OwnershipLostError unless the work is still ours (the fence of an owner's write). */
  fence(tx: Txn, key: string, token: number): void {
    if (!this.holds(tx, key, token)) throw new OwnershipLostError(key);
  }

  /** Give the work up (inside tx), if it is still ours. */
  release(tx: Txn, key: string, token: number): void {
    if (this.holds(tx, key, token)) tx.delete(key);
  }

  /** The owner of key, if any (live: the store deletes it with its lease). */
  static owner(r: Reader, key: string): OwnerValue | undefined {
    return r.get<OwnerValue>(key)?.value;
  }

  private async grant(): Promise<void> {
    const id = (await this.store.grantLease(this.ttlSeconds)).id;
    this.leaseId = id;
    const since = new Date().toISOString();
    await this.store.txn((tx) => tx.put(MEMBER_PREFIX + this.id, { id: this.id, lease: id, pid: process.pid, since }, { lease: id }));
  }

  private async keepAlive(): Promise<void> {
    if (!this.active || this.renewing) return;
    try {
      await this.store.keepAliveLease(this.leaseId);
    } catch (e) {
      if (e instanceof LeaseNotFoundError) await this.lost();
      else console.error("ownership: keep-alive failed:", e); // e.g. store busy: the next tick tries again
    }
  }

  /**
   * A claim needs a live lease: if it expired unnoticed (a long stall), drop everything and take a
   * new one. Call before a transaction that claims.
   */
  async ensureLease(): Promise<void> {
    if (this.renewing) return this.renewing;
    if (await this.store.leaseTimeToLive(this.leaseId)) return;
    await this.lost();
  }

  private lost(): Promise<void> {
    if (this.renewing) return this.renewing;
    console.error(`ownership: member ${this.id} lost lease ${this.leaseId}; dropping its work and taking a new lease`);
    for (const fn of this.lostHandlers) {
      try {
        fn();
      } catch (e) {
        console.error("ownership: lost handler failed:", e);
      }
    }
    // One renewal at a time: a keep-alive tick and a claimer may both find the lease gone.
    this.renewing = this.grant().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }
}
