import type { ProviderPlugin } from "../plugin.js";
import { featureRoutes, reconcileFeature, FEATURE_TYPE } from "./features.js";

export const featuresProvider: ProviderPlugin = {
  name: "Microsoft.Features",
  register(h) {
    h.addRoutes(featureRoutes(h.env));
    h.addReconciler(FEATURE_TYPE, reconcileFeature);
  },
};
