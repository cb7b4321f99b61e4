// api-versions the Network resource provider accepts. NRP ships one swagger per version for every
// type; clients pin very different ones (Debian's az 2.45 sends 2022-01-01 for VNets/subnets/NSGs
// and 2022-05-01 for load balancers, @azure/arm-network 36.x sends 2025-05-01, Terraform's
// go-azure-sdk 2025-01-01). Private DNS is a separate swagger (`privatedns`) with its own list.
import { compareApiVersions } from "../../arm/api-version.js";

export const NRP_API_VERSIONS: readonly string[] = [
  "2015-06-15", "2016-03-30", "2016-06-01", "2016-07-01", "2016-08-01", "2016-09-01", "2016-10-01", "2016-11-01", "2016-12-01",
  "2017-03-01", "2017-04-01", "2017-06-01", "2017-08-01", "2017-09-01", "2017-10-01", "2017-11-01",
  "2018-01-01", "2018-02-01", "2018-04-01", "2018-06-01", "2018-07-01", "2018-08-01", "2018-10-01", "2018-11-01", "2018-12-01",
  "2019-02-01", "2019-04-01", "2019-06-01", "2019-07-01", "2019-08-01", "2019-09-01", "2019-11-01", "2019-12-01",
  "2020-03-01", "2020-04-01", "2020-05-01", "2020-06-01", "2020-07-01", "2020-08-01", "2020-11-01",
  "2021-02-01", "2021-03-01", "2021-05-01", "2021-08-01",
  "2022-01-01", "2022-05-01", "2022-07-01", "2022-09-01", "2022-11-01",
  "2023-02-01", "2023-04-01", "2023-05-01", "2023-06-01", "2023-09-01", "2023-11-01",
  "2024-01-01", "2024-03-01", "2024-05-01", "2024-07-01", "2024-10-01",
  "2025-01-01", "2025-03-01", "2025-05-01",
];

/** Default api-version reported in provider listings (what @azure/arm-network 36.x sends). */
export const NRP_DEFAULT_API_VERSION = "2025-05-01";

export const PRIVATE_DNS_API_VERSIONS: readonly string[] = ["2018-09-01", "2020-01-01", "2020-06-01", "2024-06-01"];

/**
 * From this api-version on, a VNet PUT without `subnets` keeps the existing subnets; before it,
 * the omitted list means "no subnets" and existing ones are deleted (Azure/bicep-types-az#1687,
 * hashicorp/terraform-provider-azurerm#4784).
 */
export const VNET_PUT_KEEPS_SUBNETS_FROM = "2023-11-01";

export function vnetPutKeepsOmittedSubnets(apiVersion: string): boolean {
  return compareApiVersions(apiVersion, VNET_PUT_KEEPS_SUBNETS_FROM) >= 0;
}
