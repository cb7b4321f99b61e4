// The cloud metadata document GET /metadata/endpoints (reference/arm-contract.md §11):
// an object for api-version >= 2022-09-01, an array for 2019-05-01/2020-06-01, and the
// legacy object for 1.0 and 2015-01-01. Endpoints point at the emulator itself.
import type { Route } from "../arm/router.js";
import type { RequestContext } from "../http/context.js";

export const CLOUD_NAME = "AksEmu";

function full(base: string) {
  const root = base + "/";
  return {
    name: CLOUD_NAME,
    portal: base,
    resourceManager: root,
    authentication: { loginEndpoint: root, audiences: [root, base], tenant: "common", identityProvider: "AAD" },
    media: base,
    graphAudience: root,
    graph: root,
    batch: root,
    vmImageAliasDoc: `${base}/aliases.json`,
    activeDirectoryDataLake: root,
    sqlManagement: root,
    microsoftGraphResourceId: root,
    appInsightsResourceId: base,
    appInsightsTelemetryChannelResourceId: `${base}/v2/track`,
    attestationResourceId: base,
    synapseAnalyticsResourceId: base,
    logAnalyticsResourceId: base,
    ossrDbmsResourceId: base,
    ossrdbmsResourceId: base,
    gallery: root,
    suffixes: {
      azureDataLakeStoreFileSystem: "azuredatalakestore.aksemu.local",
      acrLoginServer: "azurecr.aksemu.local",
      sqlServerHostname: ".database.aksemu.local",
      azureDataLakeAnalyticsCatalogAndJob: "azuredatalakeanalytics.aksemu.local",
      keyVaultDns: "vault.aksemu.local",
      storage: "core.aksemu.local",
      azureFrontDoorEndpointSuffix: "azurefd.aksemu.local",
      storageSyncEndpointSuffix: "afs.aksemu.local",
      mhsmDns: "managedhsm.aksemu.local",
      mysqlServerEndpoint: "mysql.database.aksemu.local",
      postgresqlServerEndpoint: "postgres.database.aksemu.local",
      mariadbServerEndpoint: "mariadb.database.aksemu.local",
      synapseAnalytics: "dev.azuresynapse.aksemu.local",
      attestationEndpoint: "attest.aksemu.local",
    },
  };
}

const NEWER_ONLY = ["microsoftGraphResourceId", "appInsightsResourceId", "appInsightsTelemetryChannelResourceId", "attestationResourceId",
  "synapseAnalyticsResourceId", "logAnalyticsResourceId", "ossrDbmsResourceId", "ossrdbmsResourceId"];
const NEWER_SUFFIXES = ["storageSyncEndpointSuffix", "mhsmDns", "mysqlServerEndpoint", "postgresqlServerEndpoint", "mariadbServerEndpoint", "synapseAnalytics", "attestationEndpoint"];

export function metadataDocument(base: string, apiVersion: string | undefined): unknown {
  const v = apiVersion ?? "2022-09-01";
  if (v === "1.0" || v < "2019-05-01") {
    return {
      galleryEndpoint: base + "/",
      graphEndpoint: base + "/",
      portalEndpoint: base + "/",
      authentication: { loginEndpoint: base + "/", audiences: [base + "/"] },
    };
  }
  const doc = full(base) as Record<string, any>;
  if (v >= "2022-09-01") return doc;
  for (const k of NEWER_ONLY) delete doc[k];
  for (const k of NEWER_SUFFIXES) delete doc.suffixes[k];
  doc.authentication.audiences = [base + "/"];
  return [doc];
}

export function metadataRoutes(): Route[] {
  return [
    {
      method: "GET",
      pattern: "/metadata/endpoints",
      auth: false,
      handler: (ctx: RequestContext) => ctx.send(200, metadataDocument(ctx.baseUrl, ctx.query("api-version"))),
    },
  ];
}
