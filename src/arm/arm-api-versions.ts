// api-versions ARM itself serves for its own namespaces: Microsoft.Resources (subscriptions, groups,
// providers) and Microsoft.Features. Both the Resources and the Features provider answer with them.
import { E } from "./catalog.js";
import { resolveApiVersion, sortApiVersions } from "./api-version.js";

export const RESOURCES_API_VERSIONS = [
  "2014-04-01", "2014-04-01-preview", "2015-01-01", "2015-11-01", "2016-02-01", "2016-06-01", "2016-07-01", "2016-09-01",
  "2017-05-10", "2017-06-01", "2017-08-01", "2018-02-01", "2018-05-01", "2018-06-01", "2019-03-01", "2019-05-01", "2019-05-10",
  "2019-06-01", "2019-07-01", "2019-08-01", "2019-10-01", "2019-11-01", "2020-01-01", "2020-06-01", "2020-08-01", "2020-10-01",
  "2021-01-01", "2021-04-01", "2022-01-01", "2022-09-01", "2022-12-01", "2023-07-01", "2024-03-01", "2024-07-01", "2024-11-01",
  "2025-01-01", "2025-03-01", "2025-04-01",
];

export const FEATURES_API_VERSIONS = ["2014-08-01-preview", "2015-12-01", "2021-07-01"];

export function checkArmApiVersion(v: string, supported: readonly string[]): string {
  const ok = resolveApiVersion(v, supported);
  if (!ok) throw E.invalidApiVersion.make({ v, list: sortApiVersions(supported).join(",") });
  return ok.effective;
}
