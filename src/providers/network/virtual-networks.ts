// Microsoft.Network/virtualNetworks. Subnets live as child records and are rendered inline; a VNet
// PUT carrying `subnets` creates, updates and deletes children through the same buildSubnet() as a
// subnet PUT. Without `subnets`: before 2023-11-01 the existing subnets are deleted, from
// 2023-11-01 on they are kept (and must still fit the address space). PATCH is UpdateTags.
import type { Txn } from "../../store/store.js";
import type { ActionDef, ArmEnv, DeleteCtx, ResourceRecord, ResourceTypeDef, WriteCtx, RenderCtx } from "../../arm/types.js";
import { deleteRecordTree, listChildren, putRecord } from "../../arm/repo.js";
import { idKey, nameOf } from "../../arm/resource-id.js";
import { contains, parseAddress } from "../../network/cidr.js";
import { NetErrors } from "./errors.js";
import { NRP_API_VERSIONS, NRP_DEFAULT_API_VERSION, vnetPutKeepsOmittedSubnets } from "./api-versions.js";
import {
  NS, T, arr, checkNrpName, getTyped, refId, throwIfDeleting, envelope, guid, nrpDeleteStage, nrpLifecycle, obj, pick, throwIfBusy, weakEtag, PUT_STATE,
} from "./common.js";
import { forgetSubnetOwners, loadPools, usageOf, type SubnetInternal } from "./ipam-store.js";
import {
  buildSubnet, checkSubnetDeletable, freeAddressesNear, parsePrefixes, renderSubnet, subnetCidrs,
} from "./subnets.js";

const PASSTHROUGH = [
  "enableVmProtection", "ddosProtectionPlan", "bgpCommunities", "encryption", "flowTimeoutInMinutes", "ipAllocations",
  "privateEndpointVNetPolicies",
] as const;

const SUBNET_NAME = /^\w(?:[\w.-]{0,78}\w)?$/;

function subnetsOf(tx: Pick<Txn, "get" | "list">, vnetId: string): ResourceRecord[] {
  return listChildren(tx, vnetId, T.subnet).sort(
    (a, b) => Number((a.internal as SubnetInternal | undefined)?.seq ?? 0) - Number((b.internal as SubnetInternal | undefined)?.seq ?? 0),
  );
}

function vnetPut(ctx: WriteCtx): ResourceRecord {
  const { env, tx, id, body, existing, apiVersion } = ctx;
  const props = obj(body.properties);
  const name = nameOf(id);
  const prefixTexts = arr(obj(props.addressSpace).addressPrefixes).map(String);
  const prefixes = parsePrefixes(prefixTexts, id);
  const children = existing ? subnetsOf(tx, id) : [];
  for (const c of children) throwIfBusy(env, ctx.tx, c, ctx.caller);
  const state = PUT_STATE;
  let seq = children.reduce((m, c) => Math.max(m, Number((c.internal as SubnetInternal | undefined)?.seq ?? 0)), 0);

  let toDelete: ResourceRecord[];
  if (Array.isArray(props.subnets)) {
    const built: Array<{ name: string; prefixes: ReturnType<typeof subnetCidrs> }> = [];
    const keep = new Set<string>();
    const writes: ResourceRecord[] = [];
    for (const entry of props.subnets) {
      const e = obj(entry);
      const sname = typeof e.name === "string" && e.name !== "" ? e.name : typeof e.id === "string" ? nameOf(e.id) : "";
      if (!SUBNET_NAME.test(sname)) throw NetErrors.invalidResourceName.make({ name: sname });
      const subnetId = `${id}/subnets/${sname}`;
      const ex = children.find((c) => idKey(c.id) === idKey(subnetId));
      const nsgRef = refId(obj(e.properties).networkSecurityGroup);
      if (nsgRef) throwIfDeleting(env, tx, getTyped(tx, nsgRef, T.nsg), ctx.caller);
      const { rec, prefixes: sp } = buildSubnet({
        tx, vnet: { id, name, location: body.location ?? existing?.location, prefixes },
        subnetId, name: sname, body: e, existing: ex, siblings: built, state, seq: ex ? 0 : ++seq,
      });
      built.push({ name: sname, prefixes: sp });
      keep.add(idKey(subnetId));
      writes.push(rec);
    }
    toDelete = children.filter((c) => !keep.has(idKey(c.id)));
    for (const c of toDelete) checkSubnetDeletable(tx, c);
    for (const w of writes) putRecord(tx, w);
  } else if (vnetPutKeepsOmittedSubnets(apiVersion)) {
    for (const c of children) {
      if (subnetCidrs(c).some((p) => !prefixes.some((v) => contains(v, p)))) {
        throw NetErrors.subnetRangeOutsideVnet.make({ subnet: c.name, vnet: name });
      }
    }
    toDelete = [];
  } else {
    toDelete = children;
    for (const c of toDelete) checkSubnetDeletable(tx, c);
  }
  for (const c of toDelete) {
    forgetSubnetOwners(tx, c);
    deleteRecordTree(tx, c.id);
  }

  const properties: Record<string, any> = {
    provisioningState: state,
    resourceGuid: existing?.properties?.resourceGuid ?? guid(),
    addressSpace: { addressPrefixes: prefixTexts },
    dhcpOptions: { dnsServers: arr(obj(props.dhcpOptions).dnsServers).map(String) },
    enableDdosProtection: typeof props.enableDdosProtection === "boolean" ? props.enableDdosProtection : false,
    ...pick(props, PASSTHROUGH),
  };
  return {
    id, name, type: T.vnet,
    location: body.location ?? existing?.location,
    tags: body.tags ?? undefined,
    etag: weakEtag(),
    properties,
    internal: { ...(existing?.internal ?? {}) },
  };
}

function checkVnetDeletable(env: ArmEnv, tx: Txn, rec: ResourceRecord, caller?: DeleteCtx["caller"], ctx: Pick<DeleteCtx, "cascade" | "cascadeScope"> = { cascade: false }): void {
  for (const s of subnetsOf(tx, rec.id)) {
    if (!ctx.cascade) throwIfBusy(env, tx, s, caller);
    checkSubnetDeletable(tx, s, ctx);
  }
}

function vnetFinalizeDelete(tx: Txn, _env: ArmEnv, rec: ResourceRecord): void {
  for (const s of subnetsOf(tx, rec.id)) forgetSubnetOwners(tx, s);
}

/** Inline subnets written by the VNet PUT finish with it. */
function vnetPutComplete(tx: Txn, _env: ArmEnv, rec: ResourceRecord): void {
  for (const s of subnetsOf(tx, rec.id)) {
    if (s.properties?.provisioningState === "Updating" && !(s.internal as SubnetInternal | undefined)?.activeOperation) {
      putRecord(tx, { ...s, properties: { ...s.properties, provisioningState: "Succeeded" } });
    }
  }
}

function renderVnet(rec: ResourceRecord, ctx: RenderCtx): Record<string, unknown> {
  const p = rec.properties ?? {};
  const props: Record<string, unknown> = {
    provisioningState: p.provisioningState ?? "Succeeded",
    resourceGuid: p.resourceGuid,
    addressSpace: p.addressSpace ?? { addressPrefixes: [] },
    dhcpOptions: p.dhcpOptions ?? { dnsServers: [] },
    subnets: subnetsOf(ctx.tx, rec.id).map((s) => renderSubnet(s, ctx.tx)),
    virtualNetworkPeerings: [],
    enableDdosProtection: p.enableDdosProtection ?? false,
  };
  for (const k of PASSTHROUGH) if (p[k] !== undefined) props[k] = p[k];
  return envelope(rec, props);
}

const vnetActions: Record<string, ActionDef> = {
  CheckIPAddressAvailability: {
    method: "GET",
    run: ({ tx, record, query }) => {
      const ip = query("ipAddress") ?? "";
      const addr = parseAddress(ip);
      if (!addr) throw NetErrors.privateIPAddressInvalid.make({ address: ip, id: record.id });
      for (const s of subnetsOf(tx, record.id)) {
        const pools = loadPools(s);
        const pool = pools.find((p) => contains(p.prefix, addr));
        if (!pool) continue;
        if (pool.isFree(ip)) return { status: 200, body: { available: true } };
        return {
          status: 200,
          body: { available: false, availableIPAddresses: freeAddressesNear(pools, 5), isPlatformReserved: pool.isReserved(ip) },
        };
      }
      return { status: 200, body: { available: false, availableIPAddresses: [], isPlatformReserved: false } };
    },
  },
  usages: {
    method: "GET",
    run: ({ tx, record }) => {
      const value = subnetsOf(tx, record.id).map((s) => {
        const u = usageOf(loadPools(s));
        return {
          currentValue: u.used,
          id: s.id,
          limit: u.total - u.reserved,
          name: { localizedValue: "Subnet size and usage", value: "Subnet size and usage" },
          unit: "Count",
        };
      });
      return { status: 200, body: { value } };
    },
  },
};

export const virtualNetworkType: ResourceTypeDef = {
  namespace: NS,
  type: "virtualNetworks",
  apiVersions: NRP_API_VERSIONS,
  defaultApiVersion: NRP_DEFAULT_API_VERSION,
  scope: "resourceGroup",
  tracked: true,
  capabilities: "CrossResourceGroupResourceMove, CrossSubscriptionResourceMove, SupportsTags, SupportsLocation",
  strategy: {
    checkId: checkNrpName,
    put: vnetPut,
    ...nrpLifecycle({ checkDelete: (tx, env, rec) => { for (const s of subnetsOf(tx, rec.id)) checkSubnetDeletable(tx, s); }, finalizeDelete: vnetFinalizeDelete, onPutComplete: vnetPutComplete }),
    asyncDelete: (ctx) => {
      throwIfBusy(ctx.env, ctx.tx, ctx.record, ctx.caller);
      checkVnetDeletable(ctx.env, ctx.tx, ctx.record, ctx.caller);
      return nrpDeleteStage(ctx);
    },
    delete: (ctx) => {
      checkVnetDeletable(ctx.env, ctx.tx, ctx.record, undefined, ctx);
      vnetFinalizeDelete(ctx.tx, ctx.env, ctx.record);
    },
        render: renderVnet,
    actions: vnetActions,
  },
};
