// Services one provider offers the others. Providers never import each other (the layering test
// checks it): the providing plugin registers an implementation under a typed key when it
// registers, as a Fastify plugin decorates its instance, and a consumer asks for it by that key.
// The contract (the key and its interface) lives in arm/, below both. A service nobody
// registered is a typed error, never a silent default.
import type { ArmEnv } from "./types.js";

type Services = Pick<ArmEnv, "services">;

/** A service's name with the type of its implementation attached. */
export interface ServiceKey<T> {
  readonly name: string;
  /** Never set: carries T so provide/need agree on it. */
  readonly implementation?: T;
}

export function serviceKey<T>(name: string): ServiceKey<T> {
  return { name };
}

export class ServiceNotRegisteredError extends Error {
  constructor(readonly service: string) {
    super(`service '${service}' is not registered: the provider that offers it is not part of this emulator`);
    this.name = "ServiceNotRegisteredError";
  }
}

/** Registers the implementation (the provider that owns the contract calls this in register()). */
export function provideService<T>(env: Services, key: ServiceKey<T>, impl: T): void {
  env.services.set(key.name, impl);
}

/** The registered implementation; ServiceNotRegisteredError when there is none. */
export function needService<T>(env: Services, key: ServiceKey<T>): T {
  const impl = env.services.get(key.name) as T | undefined;
  if (impl === undefined) throw new ServiceNotRegisteredError(key.name);
  return impl;
}
