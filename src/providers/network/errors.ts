// Every error the Network provider returns (reference/arm-contract.md §4, §8.4). NRP errors carry
// `details: []` (nrp: true). `source` names where the verbatim text was seen; "emulator" marks our
// own wording, and "(inferred)" marks a real text used in a situation no source confirmed.
import { defineError } from "../../arm/errors.js";

const g = "Microsoft.Network";

export const NetErrors = {
  invalidRequestFormat: defineError<Record<string, never>>({
    group: g, code: "InvalidRequestFormat", status: 400, nrp: true,
    template: "Cannot parse the request.",
    source: "Azure/azure-cli#21034 (NRP's answer to a body it cannot deserialize; detail InvalidJson)",
  }),
  invalidAddressPrefixFormat: defineError<{ prefix: string; id: string }>({
    group: g, code: "InvalidAddressPrefixFormat", status: 400, nrp: true,
    template: "Address prefix {prefix} of resource {id} is not formatted correctly. It should follow CIDR notation, for example 10.0.0.0/24.",
    source: "Azure/azure-service-operator#997",
  }),
  invalidCidrNotation: defineError<{ prefix: string; id: string; normalized: string }>({
    group: g, code: "InvalidCIDRNotation", status: 400, nrp: true,
    template: "The address prefix {prefix} in resource {id} has an invalid CIDR notation. For the given prefix length, the address prefix should be {normalized}.",
    source: "a Terraform log and a support-wiki template (public material, repository not identified)",
  }),
  invalidSubnet: defineError<{ subnet: string; vnet: string }>({
    group: g, code: "NetcfgInvalidSubnet", status: 400, nrp: true,
    template: "Subnet '{subnet}' is not valid in virtual network '{vnet}'.",
    source: "Azure/azure-cli#28097, microsoft/AzureTRE#2111 (text); used for prefixes smaller than /29 or missing (inferred)",
  }),
  subnetRangeOutsideVnet: defineError<{ subnet: string; vnet: string }>({
    group: g, code: "NetcfgSubnetRangeOutsideVnet", status: 400, nrp: true,
    template: "Subnet '{subnet}' is not valid because its IP address range is outside the IP address range of virtual network '{vnet}'.",
    source: "MicrosoftDocs/azure-docs#123869",
  }),
  subnetRangesOverlap: defineError<{ subnet: string; vnet: string }>({
    group: g, code: "NetcfgSubnetRangesOverlap", status: 400, nrp: true,
    template: "Subnet '{subnet}' is not valid because its IP address range overlaps with that of an existing subnet in virtual network '{vnet}'.",
    source: "MicrosoftDocs/azure-docs#123869",
  }),
  inUseSubnetCannotBeDeleted: defineError<{ subnet: string; user: string }>({
    group: g, code: "InUseSubnetCannotBeDeleted", status: 400, nrp: true,
    template: "Subnet {subnet} is in use by {user} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.",
    source: "microsoft/nav-arm-templates#161, Azure/deployment-stacks#150 (SAL), hashicorp/terraform-provider-azurerm#4784 (VNet PUT)",
  }),
  delegationsCannotChange: defineError<{ subnetId: string; from: string; to: string; user: string }>({
    group: g, code: "SubnetDelegationsCannotChangeWhenSubnetUsedByResource", status: 400, nrp: true,
    template: "Delegations of subnet {subnetId} cannot be changed from [{from}] to [{to}] because it is being used by the resource {user}.",
    source: "MicrosoftDocs/azure-docs#39112, virtual-kubelet/virtual-kubelet#647",
  }),
  missingRequiredDelegation: defineError<{ subnetId: string; services: string; salId: string }>({
    group: g, code: "SubnetMissingRequiredDelegation", status: 400, nrp: true,
    template: "Subnet {subnetId} requires any of the following delegation(s) [{services}] to reference service association link {salId}.",
    source: "MicrosoftDocs/azure-docs#48902, #92894",
  }),
  inUsePrefixCannotBeDeleted: defineError<{ prefix: string; subnet: string }>({
    group: g, code: "InUsePrefixCannotBeDeleted", status: 400, nrp: true,
    template: "IpPrefix {prefix} on Subnet {subnet} has active allocations and cannot be deleted.",
    source: "hashicorp/terraform-provider-azurerm#11211",
  }),
  invalidServiceNameOnDelegation: defineError<{ name: string; subnetId: string; service: string }>({
    group: g, code: "InvalidServiceNameOnDelegation", status: 400, nrp: true,
    template: "Delegation {name} of subnet {subnetId} has an invalid service name {service}. Use the availableDelegations API to list valid service names.",
    source: "emulator (code seen in public Terraform/ARM material; text not found)",
  }),
  invalidResourceReference: defineError<{ ref: string; id: string }>({
    group: g, code: "InvalidResourceReference", status: 400, nrp: true,
    template: "Resource {ref} referenced by resource {id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.",
    source: "MicrosoftDocs/azure-docs#81734 (status 400 inferred)",
  }),
  invalidResourceName: defineError<{ name: string }>({
    group: g, code: "InvalidResourceName", status: 400, nrp: true,
    template: "Resource name {name} is invalid. The name can be up to 80 characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'.",
    source: "rh-mobb/documentation#204 (status 400 inferred)",
  }),
  subnetIsFull: defineError<{ name: string; prefix: string; count: number }>({
    group: g, code: "SubnetIsFull", status: 400, nrp: true,
    template: "Subnet {name} with address prefix {prefix} does not have enough capacity for {count} IP addresses.",
    source: "Azure/AKS#2119, MicrosoftDocs/SupportArticles-docs",
  }),
  privateIPAddressIsAllocated: defineError<{ ipConfig: string; address: string; owner: string }>({
    group: g, code: "PrivateIPAddressIsAllocated", status: 400, nrp: true,
    template: "IP configuration {ipConfig} is using the private IP address {address} which is already allocated to resource {owner}.",
    source: "MicrosoftDocs (Azure Database for PostgreSQL flexible server private endpoint troubleshooting)",
  }),
  privateIPAddressNotInSubnet: defineError<{ address: string; prefix: string }>({
    group: g, code: "PrivateIPAddressNotInSubnet", status: 400, nrp: true,
    template: "Private static IP address {address} does not belong to the range of subnet prefix {prefix}.",
    source: "public kubectl/az transcripts (e.g. AKS ingress samples; repository not identified)",
  }),
  privateIPAddressInReservedRange: defineError<{ address: string; prefix: string }>({
    group: g, code: "PrivateIPAddressInReservedRange", status: 400, nrp: true,
    template: "Private static IP address {address} falls within reserved IP range of subnet prefix {prefix}.",
    source: "emulator (code from MicrosoftDocs common-deployment-errors; text not found)",
  }),
  privateIPAddressInvalid: defineError<{ address: string; id: string }>({
    group: g, code: "InvalidPrivateIPAddressFormat", status: 400, nrp: true,
    template: "Private IP address {address} of resource {id} is not a valid IP address.",
    source: "emulator",
  }),
  inUseNsgCannotBeDeleted: defineError<{ nsg: string; users: string }>({
    group: g, code: "InUseNetworkSecurityGroupCannotBeDeleted", status: 400, nrp: true,
    template: "Network security group {nsg} cannot be deleted because it is in use by the following resources: {users}.",
    source: "public ARM response captured in a test suite (repository not identified)",
  }),
  securityRuleInvalidPriority: defineError<{ priority: string }>({
    group: g, code: "SecurityRuleInvalidPriority", status: 400, nrp: true,
    template: "Security rule has invalid Priority. Value provided: {priority} Allowed range 100-4096.",
    source: "public az transcripts (repository not identified)",
  }),
  securityRuleConflict: defineError<{ rule: string; other: string }>({
    group: g, code: "SecurityRuleConflict", status: 400, nrp: true,
    template: "Security rule {rule} conflicts with rule {other}. Rules cannot have the same Priority and Direction. To learn more, see aka.ms/nsgrules.",
    source: "public az transcripts (older text ends after 'Direction.')",
  }),
  anotherOperationInProgress: defineError<{ url: string }>({
    group: g, code: "AnotherOperationInProgress", status: 409, nrp: true,
    template: "Another operation on this or dependent resource is in progress. To retrieve status of the operation use uri: {url}.",
    source: "microsoft/AzureTRE#2222 (status 409 inferred)",
  }),
  notFound: defineError<{ id: string }>({
    group: g, code: "NotFound", status: 404, nrp: true,
    template: "Resource {id} not found.",
    source: "az network vnet subnet show outputs (public material)",
  }),
  privateDnsOverlappingNamespaces: defineError<{ zoneA: string; zoneB: string }>({
    group: g, code: "BadRequest", status: 400,
    template: "A virtual network cannot be linked to multiple zones with overlapping namespaces. You tried to link virtual network with '{zoneA}' and '{zoneB}' zones.",
    source: "MicrosoftDocs/azure-aks-docs#212, microsoft-foundry/foundry-samples#214",
  }),
  publicIPAddressCannotBeDeleted: defineError<{ pip: string; user: string }>({
    group: g, code: "PublicIPAddressCannotBeDeleted", status: 400, nrp: true,
    template: "Public IP address {pip} can not be deleted since it is still allocated to resource {user}. In order to delete the public IP, disassociate/detach the Public IP address from the resource.  To learn how to do this, see aka.ms/deletepublicip.",
    source: "hashicorp/packer and Terraform logs (public material); AKS troubleshooting docs",
  }),
  cannotDeleteResource: defineError<{ ids: string }>({
    group: g, code: "CannotDeleteResource", status: 409,
    template: "Cannot delete resource while nested resources exist. Some existing nested resource IDs include: {ids}. Please delete all nested resources before deleting this resource.",
    source: "learntocloud/networking-lab#8 (private DNS zone with a virtual network link)",
  }),
  privateDnsInvalidRecord: defineError<{ detail: string }>({
    group: g, code: "BadRequest", status: 400,
    template: "The record set is invalid: {detail}",
    source: "emulator",
  }),
  notAllowed: defineError<{ what: string }>({
    group: g, code: "MethodNotAllowed", status: 405, nrp: true,
    template: "{what} is read-only; it cannot be created, updated or deleted.",
    source: "emulator",
  }),
};
