// Microsoft.ManagedIdentity provider plugin (being built).
import type { ProviderPlugin } from "../plugin.js";

export const managedIdentityProvider: ProviderPlugin = {
  name: "Microsoft.ManagedIdentity",
  register() {},
};
