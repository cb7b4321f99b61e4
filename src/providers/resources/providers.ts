// Resource providers: list/show/register/unregister (reference/arm-contract.md §6).
// Registration is asynchronous (Registering → Registered after the latency profile's delay);
// preview features registered before a provider registration completes take effect with it.
import type { RequestContext } from "../../http/context.js";
import type { Route } from "../../arm/router.js";
import type { ArmEnv, ReconcileCtx, ReconcileStep } from "../../arm/types.js";
import { E } from "../../arm/catalog.js";
import { requireApiVersion, sendPage } from "../../arm/generic.js";
import { sortApiVersions } from "../../arm/api-version.js";
import { displayName, LOCATIONS } from "../../arm/locations.js";
import { getProviderRegistration, getSubscription, providerKey, type ProviderRegistration } from "../../arm/state.js";
import { RESOURCES_API_VERSIONS, FEATURES_API_VERSIONS, checkArmApiVersion } from "../../arm/arm-api-versions.js";

export const PROVIDER_TYPE = "Microsoft.Resources/providers";

/** Namespaces ARM itself serves (always registered) besides those with resource types. */
const BUILTIN_NAMESPACES: Record<string, Array<{ resourceType: string; apiVersions: readonly string[] }>> = {
  "Microsoft.Resources": [
    { resourceType: "resourceGroups", apiVersions: RESOURCES_API_VERSIONS },
    { resourceType: "subscriptions", apiVersions: RESOURCES_API_VERSIONS },
    { resourceType: "providers", apiVersions: RESOURCES_API_VERSIONS },
    { resourceType: "tenants", apiVersions: RESOURCES_API_VERSIONS },
    { resourceType: "operationresults", apiVersions: RESOURCES_API_VERSIONS },
  ],
  "Microsoft.Features": [
    { resourceType: "features", apiVersions: FEATURES_API_VERSIONS },
    { resourceType: "providers", apiVersions: FEATURES_API_VERSIONS },
  ],
};

function namespaces(env: ArmEnv): string[] {
  return [...new Set([...Object.keys(BUILTIN_NAMESPACES), ...env.registry.all().map((d) => d.namespace)])].sort();
}

function canonicalNamespace(env: ArmEnv, ns: string): string | undefined {
  return namespaces(env).find((n) => n.toLowerCase() === ns.toLowerCase());
}

function renderProvider(env: ArmEnv, sub: string | undefined, ns: string) {
  const reg = sub ? getProviderRegistration(env.store, sub, ns) : undefined;
  const allLocs = LOCATIONS.map(([, d]) => d);
  const types = [
    ...(BUILTIN_NAMESPACES[ns] ?? []).map((t) => ({ resourceType: t.resourceType, locations: [], apiVersions: sortApiVersions(t.apiVersions), capabilities: "None" })),
    ...env.registry
      .all()
      .filter((d) => d.namespace === ns)
      .map((d) => {
        const versions = sortApiVersions(d.apiVersions);
        return {
          resourceType: d.type,
          locations: d.tracked ? allLocs : [],
          // Extended (edge zone) locations per region (GetProvider.json); the emulator has none.
          locationMappings: [],
          apiVersions: versions,
          defaultApiVersion: d.defaultApiVersion ?? versions.find((v) => !v.includes("-")) ?? versions[0],
          capabilities: d.capabilities ?? (d.tracked ? "CrossResourceGroupResourceMove, CrossSubscriptionResourceMove, SupportsTags, SupportsLocation" : "None"),
        };
      }),
    { resourceType: "locations", locations: [], apiVersions: ["2024-01-01"], capabilities: "None" },
    { resourceType: "locations/operations", locations: allLocs, apiVersions: ["2024-01-01"], capabilities: "None" },
    { resourceType: "operations", locations: [], apiVersions: ["2024-01-01"], capabilities: "None" },
  ];
  const out: Record<string, unknown> = { namespace: ns, resourceTypes: types };
  if (sub) {
    out.id = `/subscriptions/${sub}/providers/${ns}`;
    out.registrationState = BUILTIN_NAMESPACES[ns] ? "Registered" : reg!.registrationState;
    out.registrationPolicy = BUILTIN_NAMESPACES[ns] ? "RegistrationFree" : "RegistrationRequired";
  } else out.id = `/providers/${ns}`;
  return out;
}

export async function reconcileProviderRegistration(ctx: ReconcileCtx): Promise<ReconcileStep> {
  const { env, op } = ctx;
  const ns = op.data!.namespace as string;
  const target = op.data!.target as ProviderRegistration["registrationState"];
  const now = env.now().toISOString();
  await env.store.txn((tx) => {
    const cur = tx.get<ProviderRegistration & { operation?: string }>(providerKey(op.subscriptionId, ns))?.value;
    if (cur?.operation !== undefined && cur.operation !== op.name) return; // superseded by a later request
    tx.put<ProviderRegistration>(providerKey(op.subscriptionId, ns), {
      namespace: ns,
      registrationState: target,
      registeredAt: target === "Registered" ? now : cur?.registeredAt,
    });
  });
  return { done: true };
}

export function providerRoutes(env: ArmEnv): Route[] {
  const check = (ctx: RequestContext, sub?: string) => {
    checkArmApiVersion(requireApiVersion(ctx), RESOURCES_API_VERSIONS);
    if (sub && !getSubscription(env.store, sub)) throw E.subscriptionNotFound.make({ sub });
  };
  const nsOr404 = (ns: string) => {
    const c = canonicalNamespace(env, ns);
    if (!c) throw E.invalidResourceNamespace.make({ ns });
    return c;
  };
  const change = (target: "Registered" | "Unregistered") => async (ctx: RequestContext, p: Record<string, string>) => {
    check(ctx, p.sub);
    const ns = nsOr404(p.ns!);
    if (BUILTIN_NAMESPACES[ns]) return ctx.send(200, renderProvider(env, p.sub!, ns));
    await env.store.txn((tx) => {
      const cur = getProviderRegistration(tx, p.sub!, ns);
      // Registering again refreshes propagation of registered preview features.
      const op = env.ops.start(tx, {
        kind: "action", action: target === "Registered" ? "register" : "unregister", resourceId: `/subscriptions/${p.sub}/providers/${ns}`,
        type: PROVIDER_TYPE, namespace: "Microsoft.Resources", location: "global", subscriptionId: p.sub!, apiVersion: ctx.query("api-version")!,
        stage: "complete", delayMs: env.latency.delay("providers.register"), data: { namespace: ns, target }, principal: ctx.principal,
      });
      tx.put(providerKey(p.sub!, ns), { ...cur, namespace: ns, registrationState: target === "Registered" ? "Registering" : "Unregistering", operation: op.name });
    });
    ctx.send(200, renderProvider(env, p.sub!, ns));
  };
  return [
    {
      method: "GET",
      pattern: "/subscriptions/{sub}/providers",
      handler: (ctx, p) => {
        check(ctx, p.sub);
        sendPage(ctx, namespaces(env).map((ns) => renderProvider(env, p.sub!, ns)), (x) => String(x.namespace));
      },
    },
    {
      method: "GET",
      pattern: "/subscriptions/{sub}/providers/{ns}",
      handler: (ctx, p) => {
        check(ctx, p.sub);
        ctx.send(200, renderProvider(env, p.sub!, nsOr404(p.ns!)));
      },
    },
    { method: "POST", pattern: "/subscriptions/{sub}/providers/{ns}/register", handler: change("Registered") },
    { method: "POST", pattern: "/subscriptions/{sub}/providers/{ns}/unregister", handler: change("Unregistered") },
    {
      method: "GET",
      pattern: "/providers",
      handler: (ctx) => {
        check(ctx);
        sendPage(ctx, namespaces(env).map((ns) => renderProvider(env, undefined, ns)), (x) => String(x.namespace));
      },
    },
    {
      method: "GET",
      pattern: "/providers/{ns}",
      handler: (ctx, p) => {
        check(ctx);
        ctx.send(200, renderProvider(env, undefined, nsOr404(p.ns!)));
      },
    },
  ];
}

export { displayName };
