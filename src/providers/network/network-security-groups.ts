// Microsoft.Network/networkSecurityGroups and their child securityRules. Rules are child records
// (so `networkSecurityGroups/{nsg}/securityRules/{rule}` works for users) rendered inline; an NSG
// PUT replaces the rule set with its `securityRules`. defaultSecurityRules are Azure's six fixed
// rules. `subnets` and `networkInterfaces` are computed from the subnets/NICs referencing the NSG,
// which also keep it from being deleted.
import type { Txn } from "../../store/store.js";
import type { ArmEnv, DeleteCtx, ResourceRecord, ResourceTypeDef, RenderCtx, WriteCtx } from "../../arm/types.js";
import { deleteRecordTree, listByType, listChildren, putRecord } from "../../arm/repo.js";
import { idKey, nameOf, parentId, subscriptionOf } from "../../arm/resource-id.js";
import { NetErrors } from "./errors.js";
import { NRP_API_VERSIONS, NRP_DEFAULT_API_VERSION } from "./api-versions.js";
import {
  NS, T, arr, blockingUsers, checkNrpName, envelope, getTyped, guid, nrpDeleteStage, nrpLifecycle, obj, pick, refId, throwIfBusy, weakEtag, PUT_STATE,
} from "./common.js";

type Reader = Pick<Txn, "get" | "list">;

const DEFAULT_RULES: ReadonlyArray<readonly [string, string, string, string, string, number, string]> = [
  // name, description, source, destination, access, priority, direction
  ["AllowVnetInBound", "Allow inbound traffic from all VMs in VNET", "VirtualNetwork", "VirtualNetwork", "Allow", 65000, "Inbound"],
  ["AllowAzureLoadBalancerInBound", "Allow inbound traffic from azure load balancer", "AzureLoadBalancer", "*", "Allow", 65001, "Inbound"],
  ["DenyAllInBound", "Deny all inbound traffic", "*", "*", "Deny", 65500, "Inbound"],
  ["AllowVnetOutBound", "Allow outbound traffic from all VMs to all VMs in VNET", "VirtualNetwork", "VirtualNetwork", "Allow", 65000, "Outbound"],
  ["AllowInternetOutBound", "Allow outbound traffic from all VMs to Internet", "*", "Internet", "Allow", 65001, "Outbound"],
  ["DenyAllOutBound", "Deny all outbound traffic", "*", "*", "Deny", 65500, "Outbound"],
];

const RULE_KEYS = [
  "description", "protocol", "sourcePortRange", "destinationPortRange", "sourceAddressPrefix", "destinationAddressPrefix",
  "sourceAddressPrefixes", "destinationAddressPrefixes", "sourcePortRanges", "destinationPortRanges",
  "sourceApplicationSecurityGroups", "destinationApplicationSecurityGroups", "access", "priority", "direction",
] as const;

/** Validate one rule against the other rules of the NSG and build its record. */
function buildRule(ruleId: string, name: string, body: unknown, siblings: ResourceRecord[], state: string): ResourceRecord {
  const p = obj(obj(body).properties);
  const priority = Number(p.priority);
  if (!Number.isInteger(priority) || priority < 100 || priority > 4096) {
    throw NetErrors.securityRuleInvalidPriority.make({ priority: String(p.priority ?? "") });
  }
  const direction = String(p.direction ?? "Inbound");
  const clash = siblings.find((s) => idKey(s.id) !== idKey(ruleId) && Number(s.properties.priority) === priority && String(s.properties.direction).toLowerCase() === direction.toLowerCase());
  if (clash) throw NetErrors.securityRuleConflict.make({ rule: name, other: clash.name });
  const properties: Record<string, any> = {
    provisioningState: state,
    protocol: "*",
    sourcePortRanges: [], destinationPortRanges: [], sourceAddressPrefixes: [], destinationAddressPrefixes: [],
    ...pick(p, RULE_KEYS),
    priority,
    direction,
  };
  return { id: ruleId, name, type: T.securityRule, etag: weakEtag(), properties };
}

function renderRule(rec: ResourceRecord, etag?: string): Record<string, unknown> {
  return { name: rec.name, id: rec.id, etag: etag ?? rec.etag, type: T.securityRule, properties: rec.properties };
}

function rulesOf(tx: Reader, nsgId: string): ResourceRecord[] {
  return listChildren(tx, nsgId, T.securityRule).sort((a, b) => Number(a.properties.priority) - Number(b.properties.priority));
}

function nsgPut(ctx: WriteCtx): ResourceRecord {
  const { tx, env, id, body, existing } = ctx;
  const props = obj(body.properties);
  const state = PUT_STATE;
  const old = existing ? rulesOf(tx, id) : [];
  for (const r of old) throwIfBusy(env, ctx.tx, r, ctx.caller);
  const built: ResourceRecord[] = [];
  for (const x of arr(props.securityRules)) {
    const o = obj(x);
    const name = typeof o.name === "string" && o.name !== "" ? o.name : typeof o.id === "string" ? nameOf(o.id) : "";
    if (!/^\w(?:[\w.-]{0,78}\w)?$/.test(name)) throw NetErrors.invalidResourceName.make({ name });
    built.push(buildRule(`${id}/securityRules/${name}`, name, o, built, state));
  }
  const keep = new Set(built.map((r) => idKey(r.id)));
  for (const r of old) if (!keep.has(idKey(r.id))) deleteRecordTree(tx, r.id);
  for (const r of built) putRecord(tx, r);
  return {
    id, name: nameOf(id), type: T.nsg,
    location: body.location ?? existing?.location,
    tags: body.tags ?? undefined,
    etag: weakEtag(),
    properties: { provisioningState: state, resourceGuid: existing?.properties?.resourceGuid ?? guid(), ...pick(props, ["flushConnection"]) },
    internal: { ...(existing?.internal ?? {}) },
  };
}

/** Subnets and NICs referencing the NSG. */
function usersOf(tx: Reader, nsgId: string): { subnets: string[]; nics: string[] } {
  const sub = subscriptionOf(nsgId) ?? "";
  const subnets = listByType(tx, sub, T.subnet).filter((s) => idKey(refId(s.properties?.networkSecurityGroup) ?? "") === idKey(nsgId)).map((s) => s.id);
  const nics = listByType(tx, sub, T.nic).filter((n) => idKey(refId(n.properties?.networkSecurityGroup) ?? "") === idKey(nsgId)).map((n) => n.id);
  return { subnets, nics };
}

function checkNsgDeletable(tx: Reader, rec: ResourceRecord, ctx: Pick<DeleteCtx, "cascade" | "cascadeScope"> = { cascade: false }): void {
  const u = usersOf(tx, rec.id);
  const all = blockingUsers(ctx, [...u.nics, ...u.subnets], (x) => x);
  if (all.length > 0) throw NetErrors.inUseNsgCannotBeDeleted.make({ nsg: rec.id, users: all.join(", ") });
}

function renderNsg(rec: ResourceRecord, ctx: RenderCtx): Record<string, unknown> {
  const p = rec.properties ?? {};
  const ps = p.provisioningState ?? "Succeeded";
  const u = usersOf(ctx.tx, rec.id);
  const props: Record<string, unknown> = {
    provisioningState: ps,
    resourceGuid: p.resourceGuid,
    securityRules: rulesOf(ctx.tx, rec.id).map((r) => renderRule(r, rec.etag)),
    defaultSecurityRules: DEFAULT_RULES.map(([name, description, src, dst, access, priority, direction]) => ({
      name,
      id: `${rec.id}/defaultSecurityRules/${name}`,
      etag: rec.etag,
      type: "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
      properties: {
        provisioningState: ps, description, protocol: "*", sourcePortRange: "*", destinationPortRange: "*",
        sourceAddressPrefix: src, destinationAddressPrefix: dst, access, priority, direction,
        sourcePortRanges: [], destinationPortRanges: [], sourceAddressPrefixes: [], destinationAddressPrefixes: [],
      },
    })),
  };
  if (p.flushConnection !== undefined) props.flushConnection = p.flushConnection;
  if (u.subnets.length) props.subnets = u.subnets.map((id) => ({ id }));
  if (u.nics.length) props.networkInterfaces = u.nics.map((id) => ({ id }));
  return envelope(rec, props);
}

function nsgPutComplete(tx: Txn, _env: ArmEnv, rec: ResourceRecord): void {
  for (const r of rulesOf(tx, rec.id)) {
    if (r.properties.provisioningState === "Updating" && !r.internal?.activeOperation) {
      putRecord(tx, { ...r, properties: { ...r.properties, provisioningState: "Succeeded" } });
    }
  }
}

export const networkSecurityGroupType: ResourceTypeDef = {
  namespace: NS,
  type: "networkSecurityGroups",
  apiVersions: NRP_API_VERSIONS,
  defaultApiVersion: NRP_DEFAULT_API_VERSION,
  scope: "resourceGroup",
  tracked: true,
  capabilities: "SupportsTags, SupportsLocation",
  strategy: {
    checkId: checkNrpName,
    put: nsgPut,
    ...nrpLifecycle({ checkDelete: (tx, _env, rec) => checkNsgDeletable(tx, rec), onPutComplete: nsgPutComplete }),
    asyncDelete: (ctx: DeleteCtx) => {
      throwIfBusy(ctx.env, ctx.tx, ctx.record, ctx.caller);
      checkNsgDeletable(ctx.tx, ctx.record);
      return nrpDeleteStage(ctx);
    },
    delete: (ctx: DeleteCtx) => {
      checkNsgDeletable(ctx.tx, ctx.record, ctx);
    },
        render: renderNsg,
  },
};

function touchNsg(tx: Txn, nsgId: string): void {
  const nsg = getTyped(tx, nsgId, T.nsg);
  if (nsg) putRecord(tx, { ...nsg, etag: weakEtag() });
}

export const securityRuleType: ResourceTypeDef = {
  namespace: NS,
  type: "networkSecurityGroups/securityRules",
  apiVersions: NRP_API_VERSIONS,
  defaultApiVersion: NRP_DEFAULT_API_VERSION,
  scope: "resourceGroup",
  tracked: false,
  strategy: {
    checkId: checkNrpName,
    put: (ctx: WriteCtx) => {
      const nsgId = parentId(ctx.id)!;
      const nsg = getTyped(ctx.tx, nsgId, T.nsg);
      if (!nsg) throw NetErrors.notFound.make({ id: nsgId });
      throwIfBusy(ctx.env, ctx.tx, nsg, ctx.caller);
      const rec = buildRule(ctx.id, nameOf(ctx.id), ctx.body, rulesOf(ctx.tx, nsgId), PUT_STATE);
      touchNsg(ctx.tx, nsgId);
      return { ...rec, internal: { ...(ctx.existing?.internal ?? {}) } };
    },
    ...nrpLifecycle({ finalizeDelete: (tx, _env, rec) => touchNsg(tx, parentId(rec.id)!) }),
    asyncDelete: (ctx: DeleteCtx) => {
      throwIfBusy(ctx.env, ctx.tx, getTyped(ctx.tx, parentId(ctx.record.id)!, T.nsg), ctx.caller);
      return nrpDeleteStage(ctx);
    },
    delete: (ctx: DeleteCtx) => touchNsg(ctx.tx, parentId(ctx.record.id)!),
        render: (rec) => renderRule(rec),
  },
};
