// The emulated directory: service principals (Entra objects) that role assignments name.
// Managed identities register theirs here; applications that sign in get one on first use.
import type { Txn } from "../store/store.js";
import { objectIdForApp } from "./tokens.js";

type Reader = Pick<Txn, "get" | "list">;

export interface ServicePrincipal {
  id: string; // object id
  appId: string;
  displayName: string;
  servicePrincipalType: "Application" | "ManagedIdentity";
  /** ARM id of the managed identity, for ManagedIdentity principals. */
  alternativeNames?: string[];
  createdDateTime: string;
}

const byId = (oid: string) => `sp:id:${oid.toLowerCase()}`;
const byApp = (appId: string) => `sp:app:${appId.toLowerCase()}`;

export function putServicePrincipal(tx: Txn, sp: ServicePrincipal): void {
  tx.put(byId(sp.id), sp);
  tx.put(byApp(sp.appId), sp.id);
}

export function deleteServicePrincipal(tx: Txn, oid: string): void {
  const sp = getServicePrincipal(tx, oid);
  if (!sp) return;
  tx.delete(byId(oid));
  tx.delete(byApp(sp.appId));
}

export function getServicePrincipal(tx: Reader, oid: string): ServicePrincipal | undefined {
  return tx.get<ServicePrincipal>(byId(oid))?.value;
}

export function findServicePrincipalByAppId(tx: Reader, appId: string): ServicePrincipal | undefined {
  const oid = tx.get<string>(byApp(appId))?.value;
  return oid ? getServicePrincipal(tx, oid) : undefined;
}

export function listServicePrincipals(tx: Reader): ServicePrincipal[] {
  return tx.list<ServicePrincipal>("sp:id:").map((e) => e.value);
}

/** The principal an application signs in as: its registered SP, or a new Application SP. */
export function ensureAppPrincipal(tx: Txn, appId: string, now: Date): ServicePrincipal {
  const found = findServicePrincipalByAppId(tx, appId);
  if (found) return found;
  const sp: ServicePrincipal = {
    id: objectIdForApp(appId),
    appId,
    displayName: appId,
    servicePrincipalType: "Application",
    createdDateTime: now.toISOString(),
  };
  putServicePrincipal(tx, sp);
  return sp;
}
