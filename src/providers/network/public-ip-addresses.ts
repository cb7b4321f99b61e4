// Microsoft.Network/publicIPAddresses (AKS puts its outbound IP in the node resource group).
// Static addresses (Standard SKU is always Static) come from an emulator-wide counter in
// 20.0.0.0/8, so they are unique and stable across updates; Dynamic ones have no address (Azure
// assigns them only when associated). `ipConfiguration` is computed from the LB frontends and NIC
// ipConfigurations that reference the address, which also keep it from being deleted.
import type { Txn } from "../../store/store.js";
import type { DeleteCtx, ResourceRecord, ResourceTypeDef, RenderCtx, WriteCtx } from "../../arm/types.js";
import { listByType } from "../../arm/repo.js";
import { idKey, nameOf, subscriptionOf } from "../../arm/resource-id.js";
import { NetErrors } from "./errors.js";
import { NRP_API_VERSIONS, NRP_DEFAULT_API_VERSION } from "./api-versions.js";
import { NS, T, arr, blockingUsers, checkNrpName, envelope, guid, nrpDeleteStage, nrpLifecycle, obj, pick, refId, throwIfBusy, weakEtag, PUT_STATE } from "./common.js";
import { addressAt, formatAddress, formatCidr, requireCidr } from "../../network/cidr.js";

type Reader = Pick<Txn, "get" | "list">;
const COUNTER = "netpip:next";
/** Where the emulator's public IPs come from, in order (20.64.0.1, 20.64.0.2, ...). */
const PUBLIC_POOL = requireCidr("20.64.0.0/10");
const PASSTHROUGH = ["dnsSettings", "ipTags", "ddosSettings", "deleteOption", "publicIPPrefix", "natGateway"] as const;

function nextPublicAddress(tx: Txn): string {
  const n = (tx.get<number>(COUNTER)?.value ?? 0) + 1;
  tx.put(COUNTER, n);
  const address = addressAt(PUBLIC_POOL, n);
  if (!address) throw new RangeError(`the emulator's public address pool ${formatCidr(PUBLIC_POOL)} is exhausted`);
  return formatAddress(address);
}

function pipPut(ctx: WriteCtx): ResourceRecord {
  const { tx, id, body, existing } = ctx;
  const props = obj(body.properties);
  const sku = obj(body.sku);
  const skuName = typeof sku.name === "string" ? sku.name : existing?.sku ? String((existing.sku as { name?: string }).name) : "Basic";
  const method = typeof props.publicIPAllocationMethod === "string" ? props.publicIPAllocationMethod : skuName.toLowerCase() === "standard" ? "Static" : "Dynamic";
  const properties: Record<string, any> = {
    provisioningState: PUT_STATE,
    resourceGuid: existing?.properties?.resourceGuid ?? guid(),
    publicIPAddressVersion: typeof props.publicIPAddressVersion === "string" ? props.publicIPAddressVersion : "IPv4",
    publicIPAllocationMethod: method,
    idleTimeoutInMinutes: typeof props.idleTimeoutInMinutes === "number" ? props.idleTimeoutInMinutes : 4,
    ipTags: [],
    ...pick(props, PASSTHROUGH),
  };
  if (method === "Static") properties.ipAddress = existing?.properties?.ipAddress ?? nextPublicAddress(tx);
  const rec: ResourceRecord = {
    id, name: nameOf(id), type: T.pip,
    location: body.location ?? existing?.location,
    tags: body.tags ?? undefined,
    sku: { name: skuName, tier: typeof sku.tier === "string" ? sku.tier : "Regional" },
    etag: weakEtag(),
    properties,
    internal: { ...(existing?.internal ?? {}) },
  };
  if (Array.isArray(body.zones)) rec.zones = body.zones;
  return rec;
}

/** The LB frontends / NIC ipConfigurations using the address. */
function usersOf(tx: Reader, pipId: string): string[] {
  const sub = subscriptionOf(pipId) ?? "";
  const out: string[] = [];
  for (const lb of listByType(tx, sub, T.lb)) {
    for (const f of arr(lb.properties?.frontendIPConfigurations)) if (idKey(refId(f.properties?.publicIPAddress) ?? "") === idKey(pipId)) out.push(String(f.id));
  }
  for (const nic of listByType(tx, sub, T.nic)) {
    for (const c of arr(nic.properties?.ipConfigurations)) if (idKey(refId(c.properties?.publicIPAddress) ?? "") === idKey(pipId)) out.push(String(c.id));
  }
  return out;
}

function userOf(tx: Reader, pipId: string): string | undefined {
  return usersOf(tx, pipId)[0];
}

function checkPipDeletable(tx: Reader, rec: ResourceRecord, ctx: Pick<DeleteCtx, "cascade" | "cascadeScope"> = { cascade: false }): void {
  const user = blockingUsers(ctx, usersOf(tx, rec.id), (x) => x)[0];
  if (user) throw NetErrors.publicIPAddressCannotBeDeleted.make({ pip: rec.id, user });
}

function renderPip(rec: ResourceRecord, ctx: RenderCtx): Record<string, unknown> {
  const p = rec.properties ?? {};
  const user = userOf(ctx.tx, rec.id);
  return envelope(rec, { ...p, provisioningState: p.provisioningState ?? "Succeeded", ...(user ? { ipConfiguration: { id: user } } : {}) });
}

export const publicIPAddressType: ResourceTypeDef = {
  namespace: NS,
  type: "publicIPAddresses",
  apiVersions: NRP_API_VERSIONS,
  defaultApiVersion: NRP_DEFAULT_API_VERSION,
  scope: "resourceGroup",
  tracked: true,
  capabilities: "SupportsTags, SupportsLocation",
  strategy: {
    checkId: checkNrpName,
    put: pipPut,
    ...nrpLifecycle({ checkDelete: (tx, _env, rec) => checkPipDeletable(tx, rec) }),
    asyncDelete: (ctx) => {
      throwIfBusy(ctx.env, ctx.tx, ctx.record, ctx.caller);
      checkPipDeletable(ctx.tx, ctx.record);
      return nrpDeleteStage(ctx);
    },
    delete: (ctx) => {
      checkPipDeletable(ctx.tx, ctx.record, ctx);
    },
        render: renderPip,
  },
};
