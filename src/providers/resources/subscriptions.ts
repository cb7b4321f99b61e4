// Subscriptions, tenants and locations: what `az login` and SDK credential set-up read.
import type { Route } from "../../arm/router.js";
import type { ArmEnv } from "../../arm/types.js";
import type { Txn } from "../../store/store.js";
import { E } from "../../arm/catalog.js";
import { requireApiVersion } from "../../arm/generic.js";
import { LOCATIONS } from "../../arm/locations.js";
import { getSubscription, subKey, type SubscriptionRecord } from "../../arm/state.js";
import { RESOURCES_API_VERSIONS, checkArmApiVersion } from "../../arm/arm-api-versions.js";

export function seedSubscription(tx: Txn, subscriptionId: string, tenantId: string): void {
  if (!tx.get(subKey(subscriptionId))) {
    tx.put<SubscriptionRecord>(subKey(subscriptionId), { subscriptionId, tenantId, displayName: "aksemu subscription", state: "Enabled" });
  }
}

function renderSubscription(s: SubscriptionRecord) {
  return {
    id: `/subscriptions/${s.subscriptionId}`,
    authorizationSource: "RoleBased",
    managedByTenants: [],
    subscriptionId: s.subscriptionId,
    tenantId: s.tenantId,
    displayName: s.displayName,
    state: s.state,
    subscriptionPolicies: { locationPlacementId: "Public_2014-09-01", quotaId: "PayAsYouGo_2014-09-01", spendingLimit: "Off" },
  };
}

export function subscriptionRoutes(env: ArmEnv): Route[] {
  const v = (ctx: Parameters<Route["handler"]>[0]) => checkArmApiVersion(requireApiVersion(ctx), RESOURCES_API_VERSIONS);
  return [
    {
      method: "GET",
      pattern: "/subscriptions",
      handler: (ctx) => {
        v(ctx);
        const subs = env.store.list<SubscriptionRecord>("sub:").map((e) => renderSubscription(e.value));
        ctx.send(200, { value: subs, count: { type: "Total", value: subs.length } });
      },
    },
    {
      method: "GET",
      pattern: "/subscriptions/{sub}",
      handler: (ctx, p) => {
        v(ctx);
        const s = getSubscription(env.store, p.sub!);
        if (!s) {
          if (!/^[0-9a-f-]{36}$/i.test(p.sub!)) throw E.invalidSubscriptionId.make({ sub: p.sub! });
          throw E.subscriptionNotFound.make({ sub: p.sub! });
        }
        ctx.send(200, renderSubscription(s));
      },
    },
    {
      method: "GET",
      pattern: "/subscriptions/{sub}/locations",
      handler: (ctx, p) => {
        v(ctx);
        if (!getSubscription(env.store, p.sub!)) throw E.subscriptionNotFound.make({ sub: p.sub! });
        ctx.send(200, {
          value: LOCATIONS.map(([name, displayName]) => ({
            id: `/subscriptions/${p.sub}/locations/${name}`,
            name,
            displayName,
            regionalDisplayName: `(Emulated) ${displayName}`,
            type: "Region",
            metadata: { regionType: "Physical", regionCategory: "Recommended" },
          })),
        });
      },
    },
    {
      method: "GET",
      pattern: "/tenants",
      handler: (ctx) => {
        v(ctx);
        ctx.send(200, {
          value: [
            {
              id: `/tenants/${env.tenantId}`,
              tenantId: env.tenantId,
              tenantCategory: "Home",
              countryCode: "US",
              displayName: "aksemu",
              domains: ["aksemu.local"],
              defaultDomain: "aksemu.local",
              tenantType: "AAD",
            },
          ],
        });
      },
    },
  ];
}
