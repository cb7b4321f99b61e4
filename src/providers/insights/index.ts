// Microsoft.Insights, the activity log only: GET /subscriptions/{sub}/providers/Microsoft.Insights/
// eventtypes/management/values (api-version 2015-04-01, what `az monitor activity-log list`
// calls) over the records the front door keeps per ARM write request (activity-store.ts).
import type { ProviderPlugin } from "../plugin.js";
import type { Route } from "../../arm/router.js";
import type { ArmEnv } from "../../arm/types.js";
import { E } from "../../arm/catalog.js";
import { getSubscription } from "../../arm/state.js";
import { matches, parseActivityFilter, project } from "./activity-log.js";
import { activityEvents } from "./activity-store.js";

export const ACTIVITY_LOG_API_VERSION = "2015-04-01";
const PAGE = 200;

export function activityLogRoutes(env: ArmEnv): Route[] {
  return [
    {
      method: "GET",
      pattern: "/subscriptions/{sub}/providers/Microsoft.Insights/eventtypes/management/values",
      handler: (ctx, p) => {
        const v = ctx.query("api-version");
        if (!v) throw E.missingApiVersion.make({});
        if (v !== ACTIVITY_LOG_API_VERSION) throw E.invalidApiVersion.make({ v, list: ACTIVITY_LOG_API_VERSION });
        const sub = p.sub!;
        if (!getSubscription(env.store, sub)) {
          if (!/^[0-9a-f-]{36}$/i.test(sub)) throw E.invalidSubscriptionId.make({ sub });
          throw E.subscriptionNotFound.make({ sub });
        }
        const filter = parseActivityFilter(ctx.query("$filter"), env.now().getTime());
        const all = activityEvents(env.store, sub).filter((e) => matches(e, filter));
        const skip = Number(ctx.query("$skipToken") ?? "0");
        const start = Number.isInteger(skip) && skip > 0 ? skip : 0;
        const body: { value: unknown[]; nextLink?: string } = { value: all.slice(start, start + PAGE).map((e) => project(e, ctx.query("$select"))) };
        if (start + PAGE < all.length) {
          const u = new URL(ctx.url.toString());
          u.searchParams.set("$skipToken", String(start + PAGE));
          body.nextLink = ctx.absolute(u.pathname + u.search);
        }
        ctx.send(200, body);
      },
    },
  ];
}

export const insightsProvider: ProviderPlugin = {
  name: "Microsoft.Insights",
  register(h) {
    h.addRoutes(activityLogRoutes(h.env));
  },
};
