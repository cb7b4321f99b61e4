// Every provider the emulator serves, in registration order.
import type { ProviderPlugin } from "./plugin.js";
import { resourcesProvider } from "./resources/index.js";
import { featuresProvider } from "./features/index.js";

export const PROVIDERS: ProviderPlugin[] = [resourcesProvider, featuresProvider];
