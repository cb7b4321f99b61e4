import type { ProviderPlugin } from "../plugin.js";
import { RESOURCE_GROUPS } from "../../arm/resource-groups.js";
import { provideService } from "../../arm/services.js";
import { createResourceGroupRecord, deleteResourceGroupNow, resourceGroupRoutes, reconcileResourceGroupDelete, RG_TYPE } from "./resource-groups.js";
import { subscriptionRoutes, seedSubscription } from "./subscriptions.js";
import { providerRoutes, reconcileProviderRegistration, PROVIDER_TYPE } from "./providers.js";
import { operationRoutes } from "../../arm/operation-routes.js";
import { deploymentRoutes, failInterruptedDeployments } from "./deployments.js";

export const resourcesProvider: ProviderPlugin = {
  name: "Microsoft.Resources",
  register(h) {
    h.addRoutes([...operationRoutes(h.env), ...subscriptionRoutes(h.env), ...resourceGroupRoutes(h.env), ...providerRoutes(h.env), ...deploymentRoutes(h.env)]);
    h.onStart(() => failInterruptedDeployments(h.env));
    h.addReconciler(RG_TYPE, reconcileResourceGroupDelete);
    h.addReconciler(PROVIDER_TYPE, reconcileProviderRegistration);
    provideService(h.env, RESOURCE_GROUPS, { ensure: createResourceGroupRecord, deleteNow: deleteResourceGroupNow });
    h.onStart(() => h.env.store.txn((tx) => seedSubscription(tx, h.env.subscriptionId, h.env.tenantId)));
  },
};
