// One place that builds a kind's ResourceInfo, so each group's file only names what differs.
import type { Strategy } from "../types.js";

/** A builder of ResourceInfo for one group/version. */
export const infoFor =
  (group: string, version: string) =>
  (resource: string, kind: string, namespaced: boolean, extra: Partial<Strategy["info"]> = {}): Strategy["info"] => ({
    group,
    version,
    resource,
    kind,
    singular: kind.toLowerCase(),
    namespaced,
    subresources: [],
    ...extra,
  });
