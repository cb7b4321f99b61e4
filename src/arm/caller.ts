// Who asks the resource service for something, as data: the principal the request runs as, the
// correlation id that ties the work to the client's request, and the origin links are built on
// (Azure-AsyncOperation URLs in headers and in AnotherOperationInProgress messages). A client
// request over HTTP, a provider's side effect and (next) a template deployment are all callers
// of this one shape, so nothing below the HTTP adapter can tell them apart.
import { randomUUID } from "node:crypto";
import type { Principal } from "../http/context.js";
import type { ArmEnv } from "./types.js";

export type { Principal };

export interface Caller {
  principal: Principal;
  correlationId: string;
  /** `https://host:port` the caller reached the emulator at. */
  origin: string;
}

/**
 * The resource providers' own identity: the principal AKS writes its node resource group's
 * resources as (load balancer, NICs, DNS, scale sets). Resources managed by a provider refuse
 * writes from anyone else (providers/compute).
 */
export const SYSTEM_PRINCIPAL: Principal = { objectId: "00000000-0000-0000-0000-00000000a5e0", appId: "aksemu", tenantId: "" };

export function isSystemPrincipal(p: Principal): boolean {
  return p.objectId === SYSTEM_PRINCIPAL.objectId;
}

/** A caller acting for the emulator's providers (their side effects), on the emulator's configured endpoint. */
export function systemCaller(env: Pick<ArmEnv, "endpoint">, correlationId: string = randomUUID()): Caller {
  return { principal: SYSTEM_PRINCIPAL, correlationId, origin: env.endpoint() };
}
