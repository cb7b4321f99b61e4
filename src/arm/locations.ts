// Azure public-cloud regions (name → display name), as `az account list-locations` prints them.
export const LOCATIONS: ReadonlyArray<readonly [string, string]> = [
  ["eastus", "East US"], ["eastus2", "East US 2"], ["southcentralus", "South Central US"], ["westus2", "West US 2"],
  ["westus3", "West US 3"], ["australiaeast", "Australia East"], ["southeastasia", "Southeast Asia"], ["northeurope", "North Europe"],
  ["swedencentral", "Sweden Central"], ["uksouth", "UK South"], ["westeurope", "West Europe"], ["centralus", "Central US"],
  ["southafricanorth", "South Africa North"], ["centralindia", "Central India"], ["eastasia", "East Asia"], ["japaneast", "Japan East"],
  ["koreacentral", "Korea Central"], ["canadacentral", "Canada Central"], ["francecentral", "France Central"],
  ["germanywestcentral", "Germany West Central"], ["italynorth", "Italy North"], ["norwayeast", "Norway East"],
  ["polandcentral", "Poland Central"], ["spaincentral", "Spain Central"], ["switzerlandnorth", "Switzerland North"],
  ["mexicocentral", "Mexico Central"], ["uaenorth", "UAE North"], ["brazilsouth", "Brazil South"], ["israelcentral", "Israel Central"],
  ["qatarcentral", "Qatar Central"], ["northcentralus", "North Central US"], ["westus", "West US"], ["westcentralus", "West Central US"],
  ["japanwest", "Japan West"], ["koreasouth", "Korea South"], ["southindia", "South India"], ["westindia", "West India"],
  ["canadaeast", "Canada East"], ["ukwest", "UK West"], ["australiasoutheast", "Australia Southeast"], ["australiacentral", "Australia Central"],
  ["francesouth", "France South"], ["germanynorth", "Germany North"], ["norwaywest", "Norway West"], ["switzerlandwest", "Switzerland West"],
  ["uaecentral", "UAE Central"], ["brazilsoutheast", "Brazil Southeast"], ["southafricawest", "South Africa West"],
  ["newzealandnorth", "New Zealand North"], ["indonesiacentral", "Indonesia Central"], ["malaysiawest", "Malaysia West"],
  ["chilecentral", "Chile Central"], ["austriaeast", "Austria East"], ["belgiumcentral", "Belgium Central"],
];

const BY_NAME = new Map(LOCATIONS.map(([n, d]) => [n, d]));

export function isKnownLocation(normalized: string): boolean {
  return BY_NAME.has(normalized);
}

export function displayName(normalized: string): string {
  return BY_NAME.get(normalized) ?? normalized;
}

export function allLocationNames(): string[] {
  return LOCATIONS.map(([n]) => n);
}
