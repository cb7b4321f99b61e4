// Microsoft.Authorization provider plugin (being built).
import type { ProviderPlugin } from "../plugin.js";

export const authorizationProvider: ProviderPlugin = {
  name: "Microsoft.Authorization",
  register() {},
};
