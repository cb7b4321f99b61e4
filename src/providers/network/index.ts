// Microsoft.Network provider plugin: registers the resource types (VNets, subnets, load balancers,
// NICs, NSGs and rules, public IPs, Private DNS zones/record sets/links, availableDelegations) and the
// NetworkModel service other providers (AKS) use for subnets, addresses and service links.
import type { ProviderPlugin } from "../plugin.js";
import { NETWORK_MODEL } from "../../arm/network-model.js";
import { provideService } from "../../arm/services.js";
import { createNetworkModel } from "./model-impl.js";
import { virtualNetworkType } from "./virtual-networks.js";
import { subnetType } from "./subnets.js";
import { loadBalancerType } from "./load-balancers.js";
import { networkInterfaceType } from "./network-interfaces.js";
import { networkSecurityGroupType, securityRuleType } from "./network-security-groups.js";
import { privateDnsZoneType, recordSetTypes, virtualNetworkLinkType } from "./private-dns.js";
import { availableDelegationsType } from "./available-delegations.js";
import { publicIPAddressType } from "./public-ip-addresses.js";
import { nrpEnvelopeError } from "./tags.js";
import type { ResourceTypeDef } from "../../arm/types.js";

/** NRP answers an unreadable `location`/`tags` with 400 InvalidRequestFormat (PUT and PATCH alike). */
function withNrpEnvelope(def: ResourceTypeDef): ResourceTypeDef {
  return { ...def, strategy: { ...def.strategy, envelopeError: nrpEnvelopeError } };
}

export const networkProvider: ProviderPlugin = {
  name: "Microsoft.Network",
  register(host) {
    for (const def of [
      virtualNetworkType, subnetType, loadBalancerType, networkInterfaceType, networkSecurityGroupType, securityRuleType, publicIPAddressType,
      privateDnsZoneType, ...recordSetTypes, virtualNetworkLinkType, availableDelegationsType,
    ]) {
      host.registerType(withNrpEnvelope(def));
    }
    provideService(host.env, NETWORK_MODEL, createNetworkModel(host.env));
  },
};
