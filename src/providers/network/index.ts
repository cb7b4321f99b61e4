// Microsoft.Network provider plugin (being built).
import type { ProviderPlugin } from "../plugin.js";

export const networkProvider: ProviderPlugin = {
  name: "Microsoft.Network",
  register() {},
};
