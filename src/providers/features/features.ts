// Microsoft.Features (reference/arm-contract.md §7): register → Registering → Registered after
// the latency profile's delay; unregister → Unregistering → Unregistered. A registered preview
// feature takes effect for its namespace once the provider is registered again afterwards.
import type { RequestContext } from "../../http/context.js";
import type { Route } from "../../arm/router.js";
import type { ArmEnv, ReconcileCtx, ReconcileStep } from "../../arm/types.js";
import type { Txn } from "../../store/store.js";
import { E } from "../../arm/catalog.js";
import { defineError } from "../../arm/errors.js";
import { requireApiVersion } from "../../arm/generic.js";
import { getProviderRegistration, getSubscription } from "../../arm/state.js";
import { FEATURES_API_VERSIONS, checkArmApiVersion } from "../../arm/arm-api-versions.js";
import { KNOWN_FEATURES, findFeature } from "./catalog.js";

export const FEATURE_TYPE = "Microsoft.Features/providers/features";

export const FeatureErrors = {
  notFound: defineError<{ feature: string }>({ group: "Microsoft.Features", code: "FeatureNotFound", status: 404,
    template: "The feature '{feature}' could not be found.", source: "MicrosoftDocs/azure-docs#109037" }),
};

type State = "NotRegistered" | "Pending" | "Registering" | "Registered" | "Unregistering" | "Unregistered";
interface FeatureRecord {
  namespace: string;
  name: string;
  state: State;
  /** When the state last became Registered. */
  registeredAt?: string;
  /** The operation that owns the pending transition; completions of older ones are ignored. */
  operation?: string;
}

type Reader = Pick<Txn, "get" | "list">;
const key = (sub: string, ns: string, name: string) => `feat:${sub.toLowerCase()}:${ns.toLowerCase()}/${name.toLowerCase()}`;

function state(tx: Reader, sub: string, ns: string, name: string): FeatureRecord {
  return tx.get<FeatureRecord>(key(sub, ns, name))?.value ?? { namespace: ns, name, state: "NotRegistered" };
}

/** Is the preview feature registered and propagated by a later provider registration? */
export function isFeatureEffective(tx: Reader, sub: string, ns: string, name: string): boolean {
  const f = state(tx, sub, ns, name);
  if (f.state !== "Registered" || !f.registeredAt) return false;
  const prov = getProviderRegistration(tx, sub, ns);
  return prov.registrationState === "Registered" && !!prov.registeredAt && prov.registeredAt >= f.registeredAt;
}

function render(sub: string, f: FeatureRecord) {
  // "operation" is emulator bookkeeping, not part of Azure's FeatureResult.
  return {
    id: `/subscriptions/${sub}/providers/Microsoft.Features/providers/${f.namespace}/features/${f.name}`,
    name: `${f.namespace}/${f.name}`,
    properties: { state: f.state },
    type: FEATURE_TYPE,
  };
}

export async function reconcileFeature(ctx: ReconcileCtx): Promise<ReconcileStep> {
  const { env, op } = ctx;
  const { namespace, name, target } = op.data as { namespace: string; name: string; target: State };
  const now = env.now().toISOString();
  await env.store.txn((tx) => {
    const cur = state(tx, op.subscriptionId, namespace, name);
    if (cur.operation !== undefined && cur.operation !== op.name) return; // superseded by a later request
    tx.put<FeatureRecord>(key(op.subscriptionId, namespace, name), {
      ...cur,
      state: target,
      registeredAt: target === "Registered" ? now : undefined,
      operation: undefined,
    });
  });
  return { done: true };
}

export function featureRoutes(env: ArmEnv): Route[] {
  const check = (ctx: RequestContext, sub: string) => {
    checkArmApiVersion(requireApiVersion(ctx), FEATURES_API_VERSIONS);
    if (!getSubscription(env.store, sub)) throw E.subscriptionNotFound.make({ sub });
  };
  const listFor = (sub: string, nsFilter?: string) => {
    const out = [];
    for (const [ns, names] of Object.entries(KNOWN_FEATURES)) {
      if (nsFilter && ns.toLowerCase() !== nsFilter.toLowerCase()) continue;
      for (const n of names) out.push(render(sub, state(env.store, sub, ns, n)));
    }
    return out;
  };
  const change = (target: "Registered" | "Unregistered") => async (ctx: RequestContext, p: Record<string, string>) => {
    check(ctx, p.sub!);
    const f = findFeature(p.ns!, p.name!);
    if (!f) throw FeatureErrors.notFound.make({ feature: p.name! });
    const rec = await env.store.txn((tx) => {
      const cur = state(tx, p.sub!, f.ns, f.name);
      if (cur.state === target) return cur;
      const next: FeatureRecord = { ...cur, state: target === "Registered" ? "Registering" : "Unregistering" };
      const op = env.ops.start(tx, {
        kind: "action", action: target === "Registered" ? "register" : "unregister", resourceId: render(p.sub!, next).id,
        type: FEATURE_TYPE, namespace: "Microsoft.Features", location: "global", subscriptionId: p.sub!, apiVersion: ctx.query("api-version")!,
        stage: "complete", delayMs: env.latency.delay(target === "Registered" ? "features.register" : "features.unregister"),
        data: { namespace: f.ns, name: f.name, target }, principal: ctx.principal,
      });
      next.operation = op.name;
      tx.put(key(p.sub!, f.ns, f.name), next);
      return next;
    });
    ctx.send(200, render(p.sub!, rec));
  };
  return [
    { method: "GET", pattern: "/subscriptions/{sub}/providers/Microsoft.Features/features", handler: (ctx, p) => (check(ctx, p.sub!), ctx.send(200, { value: listFor(p.sub!) })) },
    {
      method: "GET",
      pattern: "/subscriptions/{sub}/providers/Microsoft.Features/providers/{ns}/features",
      handler: (ctx, p) => (check(ctx, p.sub!), ctx.send(200, { value: listFor(p.sub!, p.ns) })),
    },
    {
      method: "GET",
      pattern: "/subscriptions/{sub}/providers/Microsoft.Features/providers/{ns}/features/{name}",
      handler: (ctx, p) => {
        check(ctx, p.sub!);
        const f = findFeature(p.ns!, p.name!);
        if (!f) throw FeatureErrors.notFound.make({ feature: p.name! });
        ctx.send(200, render(p.sub!, state(env.store, p.sub!, f.ns, f.name)));
      },
    },
    { method: "POST", pattern: "/subscriptions/{sub}/providers/Microsoft.Features/providers/{ns}/features/{name}/register", handler: change("Registered") },
    { method: "POST", pattern: "/subscriptions/{sub}/providers/Microsoft.Features/providers/{ns}/features/{name}/unregister", handler: change("Unregistered") },
  ];
}
