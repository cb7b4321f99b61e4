// The plugin boundary between the ARM machinery and the providers: a provider registers
// resource types, routes and reconcilers through this host and touches nothing else.
import type { Route } from "../arm/router.js";
import type { ArmEnv, ResourceStrategy, ResourceTypeDef } from "../arm/types.js";

export interface ProviderHost {
  env: ArmEnv;
  registerType(def: ResourceTypeDef): void;
  addRoutes(routes: Route[]): void;
  /** Reconciler for operations whose type is not a registered resource type. */
  addReconciler(type: string, fn: NonNullable<ResourceStrategy["reconcile"]>): void;
  /** Run once after every provider registered and the store is open (seed data, watchers). */
  onStart(fn: () => void | Promise<void>): void;
  onStop(fn: () => void | Promise<void>): void;
  /**
   * Run whenever work may have lost its owner (at start, periodically, when a lease expired):
   * claim what should run and runs nowhere (store/ownership.ts).
   */
  onClaim(fn: () => void | Promise<void>): void;
}

export interface ProviderPlugin {
  name: string;
  register(host: ProviderHost): void;
}
