// Microsoft.Network/loadBalancers: one record; frontends, backend pools, rules and probes are
// inline sub-resources with ids `<lb>/<collection>/<name>` and the LB's etag. A frontend in a
// subnet gets its private address from the subnet's pool (Static: the given one; Dynamic: the
// lowest free, kept across updates) and shows up in the subnet's ipConfigurations. Backend
// addresses given by IP are counted in their subnet (see claimBackendAddress). Deleting the LB
// (directly, or in a resource-group cascade) releases everything.
import type { Txn } from "../../store/store.js";
import type { ArmEnv, ResourceRecord, ResourceTypeDef, WriteCtx } from "../../arm/types.js";
import { idKey } from "../../arm/resource-id.js";
import { NetErrors } from "./errors.js";
import { T, addressHoldingType, arr, envelope, getTyped, guid, obj, pick, refId, throwIfDeleting, weakEtag, PUT_STATE } from "./common.js";
import { SubnetCache, assignIpConfigs, claimBackendAddress, heldIpConfigs, releaseOwners } from "./ipconfigs.js";

const SUB = {
  frontendIPConfigurations: "Microsoft.Network/loadBalancers/frontendIPConfigurations",
  backendAddressPools: "Microsoft.Network/loadBalancers/backendAddressPools",
  loadBalancingRules: "Microsoft.Network/loadBalancers/loadBalancingRules",
  probes: "Microsoft.Network/loadBalancers/probes",
  inboundNatRules: "Microsoft.Network/loadBalancers/inboundNatRules",
  outboundRules: "Microsoft.Network/loadBalancers/outboundRules",
  inboundNatPools: "Microsoft.Network/loadBalancers/inboundNatPools",
} as const;
type Collection = keyof typeof SUB;

const RULE_KEYS = ["protocol", "frontendPort", "backendPort", "idleTimeoutInMinutes", "enableFloatingIP", "enableTcpReset", "loadDistribution", "disableOutboundSnat"] as const;
const PROBE_KEYS = ["protocol", "port", "intervalInSeconds", "numberOfProbes", "probeThreshold", "requestPath", "noHealthyBackendsBehavior"] as const;

function named(x: unknown, i: number, what: string): { name: string; props: Record<string, any>; raw: Record<string, any> } {
  const o = obj(x);
  const name = typeof o.name === "string" && o.name !== "" ? o.name : typeof o.id === "string" ? o.id.split("/").pop()! : `${what}${i}`;
  return { name, props: obj(o.properties), raw: o };
}

function backendOwner(poolId: string, name: string): string {
  return `${poolId}/loadBalancerBackendAddresses/${name}`;
}

function lbPut(ctx: WriteCtx): ResourceRecord {
  const { tx, env, id, body, existing } = ctx;
  const props = obj(body.properties);
  const subId = (c: Collection, name: string) => `${id}/${c}/${name}`;

  const fes = arr(props.frontendIPConfigurations).map((x, i) => {
    const { name, props: p, raw } = named(x, i, "frontend");
    const address = typeof p.privateIPAddress === "string" && p.privateIPAddress !== "" ? p.privateIPAddress : undefined;
    const method: "Static" | "Dynamic" = p.privateIPAllocationMethod === "Static" || (p.privateIPAllocationMethod === undefined && address) ? "Static" : "Dynamic";
    return { name, id: subId("frontendIPConfigurations", name), subnetId: refId(p.subnet), publicIp: refId(p.publicIPAddress), method, address, version: p.privateIPAddressVersion ?? "IPv4", zones: raw.zones };
  });
  const pools = arr(props.backendAddressPools).map((x, i) => {
    const { name, props: p } = named(x, i, "pool");
    const poolId = subId("backendAddressPools", name);
    const addresses = arr(p.loadBalancerBackendAddresses).map((a, j) => {
      const { name: an, props: ap } = named(a, j, "address");
      return { name: an, ipAddress: typeof ap.ipAddress === "string" ? ap.ipAddress : undefined, vnetId: refId(ap.virtualNetwork), subnetId: refId(ap.subnet), extra: pick(ap, ["adminState"]) };
    });
    return { name, id: poolId, addresses };
  });
  const probes = arr(props.probes).map((x, i) => {
    const { name, props: p } = named(x, i, "probe");
    return { name, id: subId("probes", name), props: pick(p, PROBE_KEYS) };
  });
  const has = (list: Array<{ id: string }>, ref: string | undefined) => ref === undefined || list.some((x) => idKey(x.id) === idKey(ref));
  const rules = arr(props.loadBalancingRules).map((x, i) => {
    const { name, props: p } = named(x, i, "rule");
    const fe = refId(p.frontendIPConfiguration);
    const pool = refId(p.backendAddressPool);
    const pools2 = arr(p.backendAddressPools).map(refId).filter((v): v is string => !!v);
    const probe = refId(p.probe);
    for (const [list, ref] of [[fes, fe], [pools, pool], [probes, probe], ...pools2.map((r) => [pools, r] as const)] as const) {
      if (!has(list as Array<{ id: string }>, ref)) throw NetErrors.invalidResourceReference.make({ ref: ref!, id });
    }
    return { name, id: subId("loadBalancingRules", name), fe, pool, pools: pools2, probe, props: pick(p, RULE_KEYS) };
  });

  for (const f of fes) {
    if (f.publicIp && !getTyped(tx, f.publicIp, T.pip)) throw NetErrors.invalidResourceReference.make({ ref: f.publicIp, id });
    if (f.publicIp) throwIfDeleting(env, tx, getTyped(tx, f.publicIp, T.pip), ctx.caller);
  }
  // Addresses: frontends, then backend addresses; one cache so the subnet is written once.
  const cache = new SubnetCache(tx, env, ctx.caller);
  releaseOwners(cache, tx, arr(existing?.internal?.backendOwners).map(String));
  const assigned = assignIpConfigs(cache, id, heldIpConfigs(existing, "frontendIPConfigurations"),
    fes.filter((f) => f.subnetId).map((f) => ({ id: f.id, subnetId: f.subnetId, method: f.method, address: f.address })));
  const backendOwners: string[] = [];
  for (const p of pools) {
    for (const a of p.addresses) {
      if (!a.ipAddress) continue;
      const owner = backendOwner(p.id, a.name);
      claimBackendAddress(cache, tx, id, owner, a.ipAddress, a.vnetId, a.subnetId);
      backendOwners.push(owner);
    }
  }
  cache.saveAll();

  const rulesUsing = (pred: (r: (typeof rules)[number]) => boolean) => rules.filter(pred).map((r) => ({ id: r.id }));
  const withRules = (o: Record<string, any>, refs: Array<{ id: string }>) => (refs.length ? { ...o, loadBalancingRules: refs } : o);
  const properties: Record<string, any> = {
    provisioningState: PUT_STATE,
    resourceGuid: existing?.properties?.resourceGuid ?? guid(),
    frontendIPConfigurations: fes.map((f) => {
      const p: Record<string, any> = { privateIPAllocationMethod: f.method };
      const addr = assigned.get(idKey(f.id));
      if (addr) p.privateIPAddress = addr;
      if (f.subnetId) p.subnet = { id: f.subnetId };
      if (f.publicIp) p.publicIPAddress = { id: f.publicIp };
      if (f.subnetId) p.privateIPAddressVersion = f.version;
      const out: Record<string, any> = { name: f.name, id: f.id, type: SUB.frontendIPConfigurations, properties: withRules(p, rulesUsing((r) => idKey(r.fe ?? "") === idKey(f.id))) };
      if (f.zones !== undefined) out.zones = f.zones;
      return out;
    }),
    backendAddressPools: pools.map((p) => ({
      name: p.name, id: p.id, type: SUB.backendAddressPools,
      properties: withRules({
        loadBalancerBackendAddresses: p.addresses.map((a) => {
          const ap: Record<string, any> = { ...a.extra };
          if (a.ipAddress !== undefined) ap.ipAddress = a.ipAddress;
          if (a.vnetId) ap.virtualNetwork = { id: a.vnetId };
          if (a.subnetId) ap.subnet = { id: a.subnetId };
          return { name: a.name, properties: ap };
        }),
      }, rulesUsing((r) => idKey(r.pool ?? "") === idKey(p.id) || r.pools.some((x) => idKey(x) === idKey(p.id)))),
    })),
    loadBalancingRules: rules.map((r) => {
      const p: Record<string, any> = { ...r.props };
      if (r.fe) p.frontendIPConfiguration = { id: r.fe };
      if (r.pool) p.backendAddressPool = { id: r.pool };
      if (r.pools.length) p.backendAddressPools = r.pools.map((x) => ({ id: x }));
      if (r.probe) p.probe = { id: r.probe };
      p.idleTimeoutInMinutes ??= 4;
      p.enableFloatingIP ??= false;
      p.enableTcpReset ??= false;
      p.loadDistribution ??= "Default";
      p.disableOutboundSnat ??= false;
      return { name: r.name, id: r.id, type: SUB.loadBalancingRules, properties: p };
    }),
    probes: probes.map((p) => ({
      name: p.name, id: p.id, type: SUB.probes,
      properties: withRules({ intervalInSeconds: 15, numberOfProbes: 2, probeThreshold: 1, ...p.props }, rulesUsing((r) => idKey(r.probe ?? "") === idKey(p.id))),
    })),
    inboundNatRules: passthroughList(props.inboundNatRules, id, "inboundNatRules"),
    outboundRules: passthroughList(props.outboundRules, id, "outboundRules"),
    inboundNatPools: passthroughList(props.inboundNatPools, id, "inboundNatPools"),
  };
  const sku = obj(body.sku);
  return {
    id, name: id.split("/").pop()!, type: T.lb,
    location: body.location ?? existing?.location,
    tags: body.tags ?? undefined,
    sku: { name: typeof sku.name === "string" ? sku.name : "Basic", tier: typeof sku.tier === "string" ? sku.tier : "Regional" },
    etag: weakEtag(),
    properties,
    internal: { ...(existing?.internal ?? {}), backendOwners },
  };
}

function passthroughList(x: unknown, lbId: string, c: Collection): Array<Record<string, any>> {
  return arr(x).map((e, i) => {
    const { name, props } = named(e, i, c);
    return { name, id: `${lbId}/${c}/${name}`, type: SUB[c], properties: props };
  });
}

/** Release everything the LB holds (frontends and backend addresses). */
function releaseLb(tx: Txn, env: ArmEnv, rec: ResourceRecord): void {
  const cache = new SubnetCache(tx, env);
  assignIpConfigs(cache, rec.id, heldIpConfigs(rec, "frontendIPConfigurations"), []);
  releaseOwners(cache, tx, arr(rec.internal?.backendOwners).map(String));
  cache.saveAll();
}

function renderLb(rec: ResourceRecord): Record<string, unknown> {
  const p = rec.properties ?? {};
  const ps = p.provisioningState ?? "Succeeded";
  const nested = (list: unknown) =>
    arr(list).map((x) => ({ name: x.name, id: x.id, etag: rec.etag, type: x.type, properties: { provisioningState: ps, ...x.properties }, ...(x.zones !== undefined ? { zones: x.zones } : {}) }));
  return envelope(rec, {
    provisioningState: ps,
    resourceGuid: p.resourceGuid,
    frontendIPConfigurations: nested(p.frontendIPConfigurations),
    backendAddressPools: nested(p.backendAddressPools),
    loadBalancingRules: nested(p.loadBalancingRules),
    probes: nested(p.probes),
    inboundNatRules: nested(p.inboundNatRules),
    outboundRules: nested(p.outboundRules),
    inboundNatPools: nested(p.inboundNatPools),
  });
}

export const loadBalancerType: ResourceTypeDef = addressHoldingType({ type: "loadBalancers", put: lbPut, release: releaseLb, render: renderLb });
