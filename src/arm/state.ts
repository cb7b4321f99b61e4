// ARM-level state shared by the front door and providers: subscriptions, resource groups
// and provider registrations.
import type { Store, Txn } from "../store/store.js";
import { derivedOf } from "./read-cache.js";
import { getRecord, recordKey } from "./repo.js";
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

/** Whether the subscription exists, answered from the read cache while its record is unchanged (outside transactions). */
export function subscriptionExists(store: Store, sub: string): boolean {
  return derivedOf(store, "subscription-exists", (e) => e?.value !== undefined && e.value !== null).get(subKey(sub));
}

export function resourceGroupId(sub: string, rg: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}`;
}

export function getResourceGroup(tx: Reader, sub: string, rg: string): ResourceRecord | undefined {
  return getRecord(tx, resourceGroupId(sub, rg));
}

/** A resource group's provisioning state (undefined when it does not exist), from the read cache as subscriptionExists. */
export function resourceGroupState(store: Store, sub: string, rg: string): { provisioningState: string | undefined } | undefined {
  return derivedOf(store, "resource-group-state", (e) => groupState(e?.value as ResourceRecord | undefined)).get(recordKey(resourceGroupId(sub, rg)));
}

export function groupState(rec: ResourceRecord | undefined): { provisioningState: string | undefined } | undefined {
  return rec ? { provisioningState: rec.properties?.provisioningState as string | undefined } : undefined;
}

export function getProviderRegistration(tx: Reader, sub: string, ns: string): ProviderRegistration {
  return tx.get<ProviderRegistration>(providerKey(sub, ns))?.value ?? { namespace: ns, registrationState: "Registered", registeredAt: new Date(0).toISOString() };
}

/** ARM's location normalisation: "West US 2" → "westus2". */
export function normalizeLocation(loc: string): string {
  return loc.replace(/\s+/g, "").toLowerCase();
}
