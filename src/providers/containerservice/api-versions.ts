// Microsoft.ContainerService api-versions (reference/aks-vnet-integration.md §2.2) and which of
// them carry apiServerAccessProfile.enableVnetIntegration / subnetId. Pure data + predicates.
import { compareApiVersions, isPreview } from "../../arm/api-version.js";

const STABLE = [
  "2019-02-01", "2019-04-01", "2019-06-01", "2019-08-01", "2019-10-01", "2019-11-01",
  "2020-01-01", "2020-02-01", "2020-03-01", "2020-04-01", "2020-06-01", "2020-07-01", "2020-09-01", "2020-11-01", "2020-12-01",
  "2021-02-01", "2021-03-01", "2021-05-01", "2021-07-01", "2021-08-01", "2021-09-01", "2021-10-01",
  "2022-01-01", "2022-02-01", "2022-03-01", "2022-04-01", "2022-06-01", "2022-07-01", "2022-09-01", "2022-11-01",
  "2023-01-01", "2023-02-01", "2023-03-01", "2023-04-01", "2023-05-01", "2023-06-01", "2023-07-01", "2023-08-01",
  "2023-09-01", "2023-10-01", "2023-11-01",
  "2024-01-01", "2024-02-01", "2024-05-01", "2024-07-01", "2024-08-01", "2024-09-01", "2024-10-01",
  "2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01", "2025-05-01", "2025-06-01", "2025-07-01", "2025-08-01",
  "2025-09-01", "2025-10-01",
  "2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01", "2026-06-01",
] as const;

const PREVIEW = [
  "2021-11-01-preview", "2022-01-02-preview", "2022-02-02-preview", "2022-03-02-preview",
  "2022-04-02-preview", "2022-05-02-preview", "2022-06-02-preview", "2022-07-02-preview", "2022-08-02-preview",
  "2022-08-03-preview", "2022-09-02-preview", "2022-10-02-preview", "2022-11-02-preview",
  "2023-01-02-preview", "2023-02-02-preview", "2023-03-02-preview", "2023-04-02-preview", "2023-05-02-preview",
  "2023-06-02-preview", "2023-07-02-preview", "2023-08-02-preview", "2023-09-02-preview", "2023-10-02-preview",
  "2023-11-02-preview",
  "2024-01-02-preview", "2024-02-02-preview", "2024-03-02-preview", "2024-04-02-preview", "2024-05-02-preview",
  "2024-06-02-preview", "2024-07-02-preview", "2024-09-02-preview", "2024-10-02-preview",
  "2025-01-02-preview", "2025-02-02-preview", "2025-03-02-preview", "2025-04-02-preview", "2025-05-02-preview",
  "2025-06-02-preview", "2025-07-02-preview", "2025-08-02-preview", "2025-09-02-preview", "2025-10-02-preview",
  "2026-01-02-preview", "2026-02-02-preview", "2026-03-02-preview",
] as const;

export const MANAGED_CLUSTER_API_VERSIONS: readonly string[] = [...STABLE, ...PREVIEW];
/** What @azure/arm-containerservice 25.5.0 sends by default. */
export const DEFAULT_API_VERSION = "2026-06-01";

/** First api-versions whose apiServerAccessProfile has enableVnetIntegration/subnetId (§2.2). */
export const VNET_INTEGRATION_FIRST_PREVIEW = "2022-04-02-preview";
export const VNET_INTEGRATION_FIRST_STABLE = "2025-03-01";

/** Does this api-version carry apiServerAccessProfile.enableVnetIntegration and subnetId? */
export function hasVnetIntegrationFields(apiVersion: string): boolean {
  if (isPreview(apiVersion)) return compareApiVersions(apiVersion, VNET_INTEGRATION_FIRST_PREVIEW) >= 0;
  return compareApiVersions(apiVersion, VNET_INTEGRATION_FIRST_STABLE) >= 0;
}

/** First api-versions whose spec examples show `eTag` on the cluster and its agent pools (ManagedClustersGet.json). */
export const ETAG_FIRST_PREVIEW = "2024-05-02-preview";
export const ETAG_FIRST_STABLE = "2024-09-01";

export function hasETag(apiVersion: string): boolean {
  return compareApiVersions(apiVersion, isPreview(apiVersion) ? ETAG_FIRST_PREVIEW : ETAG_FIRST_STABLE) >= 0;
}

/** Preview api-versions need the EnableAPIServerVnetIntegrationPreview feature for VNet integration. */
export function needsPreviewFeature(apiVersion: string): boolean {
  return isPreview(apiVersion);
}

export const VNET_INTEGRATION_FEATURE = "EnableAPIServerVnetIntegrationPreview";
export const CS_NAMESPACE = "Microsoft.ContainerService";
export const MANAGED_CLUSTER_TYPE = "Microsoft.ContainerService/managedClusters";
export const AGENT_POOL_TYPE = "Microsoft.ContainerService/managedClusters/agentPools";

/** First api-versions whose ManagedClusterSKU.name has `Automatic` (reference/aks-automatic.md §2.1). */
export const AUTOMATIC_FIRST_PREVIEW = "2024-03-02-preview";
export const AUTOMATIC_FIRST_STABLE = "2025-07-01";

export function hasAutomaticSku(apiVersion: string): boolean {
  return compareApiVersions(apiVersion, isPreview(apiVersion) ? AUTOMATIC_FIRST_PREVIEW : AUTOMATIC_FIRST_STABLE) >= 0;
}

/** First api-versions with properties.hostedSystemProfile (managed system node pools). */
export const HOSTED_SYSTEM_FIRST_PREVIEW = "2025-08-02-preview";
export const HOSTED_SYSTEM_FIRST_STABLE = "2026-02-01";

export function hasHostedSystemProfile(apiVersion: string): boolean {
  return compareApiVersions(apiVersion, isPreview(apiVersion) ? HOSTED_SYSTEM_FIRST_PREVIEW : HOSTED_SYSTEM_FIRST_STABLE) >= 0;
}

/** Microsoft's own Bicep sample sends hostedSystemProfile at 2024-03-02-preview: honoured on every version that has Automatic. */
export function acceptsHostedSystemProfile(apiVersion: string): boolean {
  return hasAutomaticSku(apiVersion);
}
