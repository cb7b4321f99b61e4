// Provider-to-provider services (arm/services.ts): what a provider registers is what the consumer
// gets, and a service nobody registered is a typed error rather than a default.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ServiceNotRegisteredError, needService, provideService, serviceKey } from "../../src/arm/services.js";
import { networkModel } from "../../src/arm/network-model.js";
import { resourceGroups } from "../../src/arm/resource-groups.js";
import { featureRegistrations } from "../../src/arm/features.js";

test("needService returns the registered implementation", () => {
  const env = { services: new Map<string, unknown>() };
  const key = serviceKey<{ answer(): number }>("test.answer");
  const impl = { answer: () => 42 };
  provideService(env, key, impl);
  assert.equal(needService(env, key), impl);
});

test("every contract in arm/ fails with ServiceNotRegisteredError when its provider is absent", () => {
  const env = { services: new Map<string, unknown>() };
  for (const [name, get] of [
    ["network.model", () => networkModel(env)],
    ["resources.resourceGroups", () => resourceGroups(env)],
    ["features.registrations", () => featureRegistrations(env)],
  ] as const) {
    assert.throws(get, (e: unknown) => e instanceof ServiceNotRegisteredError && e.service === name, name);
  }
});
