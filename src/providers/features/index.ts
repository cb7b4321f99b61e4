import type { ProviderPlugin } from "../plugin.js";
import { FEATURE_REGISTRATIONS } from "../../arm/features.js";
import { provideService } from "../../arm/services.js";
import { featureRoutes, reconcileFeature, isFeatureEffective, FEATURE_TYPE } from "./features.js";

export const featuresProvider: ProviderPlugin = {
  name: "Microsoft.Features",
  register(h) {
    h.addRoutes(featureRoutes(h.env));
    h.addReconciler(FEATURE_TYPE, reconcileFeature);
    provideService(h.env, FEATURE_REGISTRATIONS, { isEffective: isFeatureEffective });
  },
};
