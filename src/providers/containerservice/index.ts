// Microsoft.ContainerService provider plugin (being built).
import type { ProviderPlugin } from "../plugin.js";

export const containerServiceProvider: ProviderPlugin = {
  name: "Microsoft.ContainerService",
  register() {},
};
