// CONTRACT FILE: whether a subscription's preview feature is in effect (AKS gates preview
// behaviour on it). The Features provider implements it (providers/features/features.ts) and
// registers it under FEATURE_REGISTRATIONS.
import type { Txn } from "../store/store.js";
import type { ArmEnv } from "./types.js";
import { needService, serviceKey } from "./services.js";

type Reader = Pick<Txn, "get" | "list">;

export interface FeatureRegistrations {
  /** Registered, and the namespace's provider registered again after that (how Azure propagates a feature). */
  isEffective(tx: Reader, subscriptionId: string, namespace: string, feature: string): boolean;
}

export const FEATURE_REGISTRATIONS = serviceKey<FeatureRegistrations>("features.registrations");

export function featureRegistrations(env: Pick<ArmEnv, "services">): FeatureRegistrations {
  return needService(env, FEATURE_REGISTRATIONS);
}
