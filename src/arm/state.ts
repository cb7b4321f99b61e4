// ARM-level state shared by the front door and providers: subscriptions, resource groups
// and provider registrations.
import type { Txn } from "../store/store.js";
import { getRecord } from "./repo.js";
import type { ResourceRecord } from "./types.js";

type Reader = Pick<Txn, "get" | "list">;

export interface SubscriptionRecord {
  subscriptionId: string;
  displayName: string;
  tenantId: string;
  state: "Enabled";
}

export interface ProviderRegistration {
  namespace: string;
  registrationState: "NotRegistered" | "Registering" | "Registered" | "Unregistering" | "Unregistered";
  /** When the last registration completed: preview features registered before it take effect. */
  registeredAt?: string;
}

export const subKey = (sub: string) => `sub:${sub.toLowerCase()}`;
export const providerKey = (sub: string, ns: string) => `prov:${sub.toLowerCase()}:${ns.toLowerCase()}`;

export function getSubscription(tx: Reader, sub: string): SubscriptionRecord | undefined {
  return tx.get<SubscriptionRecord>(subKey(sub))?.value;
}

export function resourceGroupId(sub: string, rg: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}`;
}

export function getResourceGroup(tx: Reader, sub: string, rg: string): ResourceRecord | undefined {
  return getRecord(tx, resourceGroupId(sub, rg));
}

export function getProviderRegistration(tx: Reader, sub: string, ns: string): ProviderRegistration {
  return tx.get<ProviderRegistration>(providerKey(sub, ns))?.value ?? { namespace: ns, registrationState: "Registered", registeredAt: new Date(0).toISOString() };
}

/** ARM's location normalisation: "West US 2" → "westus2". */
export function normalizeLocation(loc: string): string {
  return loc.replace(/\s+/g, "").toLowerCase();
}
