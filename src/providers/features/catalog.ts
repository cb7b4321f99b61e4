// Preview features the emulator knows, per namespace. Registering any other name answers
// FeatureNotFound, as Azure does for features that do not exist in the cloud.
export const KNOWN_FEATURES: Record<string, string[]> = {
  "Microsoft.ContainerService": [
    "EnableAPIServerVnetIntegrationPreview",
    "AKS-ExtensionManager",
    "EnableWorkloadIdentityPreview",
    "NodeOsUpgradeChannelPreview",
    "AKSNetworkModePreview",
    "AzureOverlayPreview",
    "EnablePrivateClusterPublicFQDN",
    "PodSubnetPreview",
    "AKS-AzureKeyVaultSecretsProvider",
    "KubeletDisk",
    "NRGLockdownPreview",
    "AutomaticSKUPreview",
  ],
  "Microsoft.Network": ["AllowBringYourOwnPublicIpAddress", "EnableSubnetDelegationToManagedClusters"],
  "Microsoft.Compute": ["EncryptionAtHost", "UseStandardSecurityType"],
};

export function findFeature(ns: string, name: string): { ns: string; name: string } | undefined {
  const nsKey = Object.keys(KNOWN_FEATURES).find((k) => k.toLowerCase() === ns.toLowerCase());
  if (!nsKey) return undefined;
  const f = KNOWN_FEATURES[nsKey]!.find((n) => n.toLowerCase() === name.toLowerCase());
  return f ? { ns: nsKey, name: f } : undefined;
}
