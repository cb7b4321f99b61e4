// Microsoft.Network/networkInterfaces: ipConfigurations inline, each with a private address from
// its subnet (Static: given; Dynamic: lowest free, kept across updates) and listed in the subnet's
// ipConfigurations. Deleting the NIC releases the addresses.
import type { Txn } from "../../store/store.js";
import type { ArmEnv, ResourceRecord, ResourceTypeDef, WriteCtx } from "../../arm/types.js";
import { idKey } from "../../arm/resource-id.js";
import { NetErrors } from "./errors.js";
import { T, addressHoldingType, arr, envelope, getTyped, guid, obj, pick, refId, throwIfDeleting, weakEtag, PUT_STATE } from "./common.js";
import { SubnetCache, assignIpConfigs, heldIpConfigs } from "./ipconfigs.js";

const IPCONFIG_TYPE = "Microsoft.Network/networkInterfaces/ipConfigurations";
const IPCONFIG_PASSTHROUGH = ["loadBalancerBackendAddressPools", "loadBalancerInboundNatRules", "applicationSecurityGroups", "applicationGatewayBackendAddressPools", "gatewayLoadBalancer"] as const;
const NIC_PASSTHROUGH = ["enableAcceleratedNetworking", "enableIPForwarding", "disableTcpStateTracking", "auxiliaryMode", "auxiliarySku", "nicType", "workloadType"] as const;

function nicPut(ctx: WriteCtx): ResourceRecord {
  const { tx, env, id, body, existing } = ctx;
  const props = obj(body.properties);
  const nsgId = refId(props.networkSecurityGroup);
  if (nsgId && !getTyped(tx, nsgId, T.nsg)) throw NetErrors.invalidResourceReference.make({ ref: nsgId, id });
  if (nsgId) throwIfDeleting(env, tx, getTyped(tx, nsgId, T.nsg), ctx.caller);
  const configs = arr(props.ipConfigurations).map((x, i) => {
    const o = obj(x);
    const p = obj(o.properties);
    const name = typeof o.name === "string" && o.name !== "" ? o.name : `ipconfig${i + 1}`;
    const address = typeof p.privateIPAddress === "string" && p.privateIPAddress !== "" ? p.privateIPAddress : undefined;
    const method: "Static" | "Dynamic" = p.privateIPAllocationMethod === "Static" || (p.privateIPAllocationMethod === undefined && address) ? "Static" : "Dynamic";
    return { name, id: `${id}/ipConfigurations/${name}`, subnetId: refId(p.subnet), publicIp: refId(p.publicIPAddress), method, address, version: p.privateIPAddressVersion ?? "IPv4", primary: p.primary, extra: pick(p, IPCONFIG_PASSTHROUGH) };
  });
  if (configs.length > 0 && !configs.some((c) => c.primary === true)) configs[0]!.primary = true;
  for (const c of configs) {
    if (c.publicIp && !getTyped(tx, c.publicIp, T.pip)) throw NetErrors.invalidResourceReference.make({ ref: c.publicIp, id });
    if (c.publicIp) throwIfDeleting(env, tx, getTyped(tx, c.publicIp, T.pip), ctx.caller);
  }
  const cache = new SubnetCache(tx, env, ctx.caller);
  const assigned = assignIpConfigs(cache, id, heldIpConfigs(existing, "ipConfigurations"),
    configs.filter((c) => c.subnetId).map((c) => ({ id: c.id, subnetId: c.subnetId, method: c.method, address: c.address })));
  cache.saveAll();
  const dns = obj(props.dnsSettings);
  const properties: Record<string, any> = {
    provisioningState: PUT_STATE,
    resourceGuid: existing?.properties?.resourceGuid ?? guid(),
    ipConfigurations: configs.map((c) => {
      const p: Record<string, any> = { privateIPAllocationMethod: c.method, ...c.extra };
      const addr = assigned.get(idKey(c.id));
      if (addr) p.privateIPAddress = addr;
      if (c.subnetId) p.subnet = { id: c.subnetId };
      if (c.publicIp) p.publicIPAddress = { id: c.publicIp };
      p.primary = c.primary === true;
      p.privateIPAddressVersion = c.version;
      return { name: c.name, id: c.id, type: IPCONFIG_TYPE, properties: p };
    }),
    dnsSettings: { dnsServers: arr(dns.dnsServers).map(String), appliedDnsServers: [] },
    enableAcceleratedNetworking: false,
    enableIPForwarding: false,
    disableTcpStateTracking: false,
    nicType: "Standard",
    auxiliaryMode: "None",
    auxiliarySku: "None",
    ...pick(props, NIC_PASSTHROUGH),
  };
  if (nsgId) properties.networkSecurityGroup = { id: nsgId };
  return {
    id, name: id.split("/").pop()!, type: T.nic,
    location: body.location ?? existing?.location,
    tags: body.tags ?? undefined,
    etag: weakEtag(),
    properties,
    internal: { ...(existing?.internal ?? {}) },
  };
}

function releaseNic(tx: Txn, env: ArmEnv, rec: ResourceRecord): void {
  const cache = new SubnetCache(tx, env);
  assignIpConfigs(cache, rec.id, heldIpConfigs(rec, "ipConfigurations"), []);
  cache.saveAll();
}

function renderNic(rec: ResourceRecord): Record<string, unknown> {
  const p = rec.properties ?? {};
  const ps = p.provisioningState ?? "Succeeded";
  return envelope(rec, {
    ...p,
    provisioningState: ps,
    ipConfigurations: arr(p.ipConfigurations).map((c) => ({ name: c.name, id: c.id, etag: rec.etag, type: c.type, properties: { provisioningState: ps, ...c.properties } })),
    hostedWorkloads: [],
    tapConfigurations: [],
    vnetEncryptionSupported: false,
  });
}

export const networkInterfaceType: ResourceTypeDef = addressHoldingType({ type: "networkInterfaces", put: nicPut, release: releaseNic, render: renderNic });
