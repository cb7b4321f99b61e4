// Every provider the emulator serves, in registration order.
import type { ProviderPlugin } from "./plugin.js";
import { resourcesProvider } from "./resources/index.js";
import { featuresProvider } from "./features/index.js";
import { authorizationProvider } from "./authorization/index.js";
import { managedIdentityProvider } from "./managedidentity/index.js";
import { networkProvider } from "./network/index.js";
import { computeProvider } from "./compute/index.js";
import { containerServiceProvider } from "./containerservice/index.js";
import { insightsProvider } from "./insights/index.js";

export const PROVIDERS: ProviderPlugin[] = [
  resourcesProvider,
  featuresProvider,
  authorizationProvider,
  managedIdentityProvider,
  networkProvider,
  computeProvider,
  containerServiceProvider,
  insightsProvider,
];
