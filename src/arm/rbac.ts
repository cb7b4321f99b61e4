// CONTRACT FILE (implemented by the Authorization provider): Azure RBAC evaluation.
// can(principal, action, scope): an assignment at S applies to every id at or below S on
// segment boundaries (case-insensitive; "/" covers everything). Operations match
// case-insensitively with '*' wildcards. NotActions are subtracted per role definition (they
// are not a deny rule, learn.microsoft.com role-definitions): allowed when some assignment at or above
// the scope has a role whose permission block matches the action and none of its NotActions
// (src/providers/authorization/matching.ts). The provider registers the implementation.
import type { Txn } from "../store/store.js";

type Reader = Pick<Txn, "get" | "list">;

export type RbacCheck = (tx: Reader, principalId: string, action: string, scope: string) => boolean;

let impl: RbacCheck | undefined;

/** No Authorization provider registered an evaluator: callers must deny, never assume access. */
export class RbacNotRegisteredError extends Error {
  constructor() {
    super("RBAC evaluation not registered (Authorization provider missing)");
    this.name = "RbacNotRegisteredError";
  }
}

/** The Authorization provider registers its evaluator; undefined removes it (tests). */
export function setRbacImplementation(fn: RbacCheck | undefined): void {
  impl = fn;
}

export function can(tx: Reader, principalId: string, action: string, scope: string): boolean {
  if (!impl) throw new RbacNotRegisteredError();
  return impl(tx, principalId, action, scope);
}
