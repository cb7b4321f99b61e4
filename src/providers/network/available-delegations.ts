// GET .../providers/Microsoft.Network/locations/{location}/availableDelegations (subscription and
// resource-group forms): the services a subnet in that region can be delegated to.
import type { ResourceRecord, ResourceTypeDef } from "../../arm/types.js";
import { isKnownLocation } from "../../arm/locations.js";
import { NetErrors } from "./errors.js";
import { NRP_API_VERSIONS, NRP_DEFAULT_API_VERSION } from "./api-versions.js";
import { NS } from "./common.js";
import { DELEGATION_ACTIONS, renderAvailableDelegation } from "./delegations.js";

export const availableDelegationsType: ResourceTypeDef = {
  namespace: NS,
  type: "locations/availableDelegations",
  apiVersions: NRP_API_VERSIONS,
  defaultApiVersion: NRP_DEFAULT_API_VERSION,
  scope: "subscription",
  tracked: false,
  strategy: {
    put: () => {
      throw NetErrors.notAllowed.make({ what: "availableDelegations" });
    },
    listAt: (ctx) => {
      const loc = ctx.parsed.blocks[0]?.names[0]?.replace(/\s+/g, "").toLowerCase() ?? "";
      if (!isKnownLocation(loc)) return [];
      const scope = ctx.parsed.resourceGroup
        ? `/subscriptions/${ctx.parsed.subscriptionId}/resourceGroups/${ctx.parsed.resourceGroup}`
        : `/subscriptions/${ctx.parsed.subscriptionId}`;
      return DELEGATION_ACTIONS.map(([svc, actions]): ResourceRecord => {
        const v = renderAvailableDelegation(scope, svc, actions);
        return { id: v.id, name: v.name, type: v.type, properties: { serviceName: v.serviceName, actions: v.actions } };
      });
    },
    render: (rec) => ({ name: rec.name, id: rec.id, type: rec.type, serviceName: rec.properties.serviceName, actions: rec.properties.actions }),
  },
};
