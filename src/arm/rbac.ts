// CONTRACT FILE (implemented by the Authorization provider): Azure RBAC evaluation.
// can(principal, action, scope): an assignment at S applies to every id at or below S on
// segment boundaries; effective actions = union(actions) - union(notActions), matched
// case-insensitively with '*' wildcards (reference/arm-contract.md §10).
import type { Txn } from "../store/store.js";

type Reader = Pick<Txn, "get" | "list">;

export type RbacCheck = (tx: Reader, principalId: string, action: string, scope: string) => boolean;

let impl: RbacCheck | undefined;

export function setRbacImplementation(fn: RbacCheck): void {
  impl = fn;
}

export function can(tx: Reader, principalId: string, action: string, scope: string): boolean {
  if (!impl) throw new Error("RBAC evaluation not registered (Authorization provider missing)");
  return impl(tx, principalId, action, scope);
}
