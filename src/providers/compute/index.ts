// Microsoft.Compute provider plugin: the AKS-managed virtual machine scale sets of a node resource
// group (one `aks-<pool>-<digits>-vmss` per agent pool). They are written only by the
// ContainerService provider, inside the transaction that allocates the nodes' addresses
// (putResourceInternal), and go with the node resource group. Clients can read them, their
// instances (`/virtualMachines`) and the instances' NICs (`/networkInterfaces`), all derived from
// the instance list stored with the scale set (a copy of the cluster's node allocations); PUT/PATCH/
// DELETE by anyone but the providers' own principal is refused (AKS owns them: scale the agent
// pool instead), as a deny assignment on a managed resource group exempts only its resource provider.
import { randomUUID } from "node:crypto";
import type { ProviderPlugin } from "../plugin.js";
import type { ListCtx, ResourceRecord, ResourceStrategy, ResourceTypeDef, WriteCtx } from "../../arm/types.js";
import type { Txn } from "../../store/store.js";
import { defineError } from "../../arm/errors.js";
import { E } from "../../arm/catalog.js";
import { getRecord } from "../../arm/repo.js";
import { nameOf, parseId, type ParsedId } from "../../arm/resource-id.js";
import { diskType } from "./disks.js";
import { isSystemPrincipal, type Caller } from "../../arm/caller.js";

export const NS = "Microsoft.Compute";
export const VMSS_TYPE = "Microsoft.Compute/virtualMachineScaleSets";
export const VMSS_VM_TYPE = "Microsoft.Compute/virtualMachineScaleSets/virtualMachines";
const VMSS_VM_NIC_TYPE = "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/networkInterfaces";

/** Compute api-versions (specification/compute, Microsoft.Compute/ComputeRP stable releases). */
export const COMPUTE_API_VERSIONS = ["2022-08-01", "2022-11-01", "2023-03-01", "2023-07-01", "2023-09-01", "2024-03-01", "2024-07-01", "2024-11-01"] as const;
/** The VMSS NIC views are served by the Network RP (vmssNetworkInterface.json); SDKs pin 2018-10-01 for them. */
const VMSS_NIC_API_VERSIONS = ["2017-03-30", "2018-10-01", ...COMPUTE_API_VERSIONS];

/** One scale-set instance: a copy of one node allocation of the owning cluster. */
export interface ScaleSetInstance {
  instanceId: string;
  computerName: string;
  subnetId: string;
  ip: string;
  /** Azure CNI: secondary addresses of the instance NIC (pod IPs). */
  podIPs: string[];
}

/** What the ContainerService provider stores in a scale set's `internal`. */
export interface ScaleSetInternal {
  managedBy: string;
  pool: string;
  instances: ScaleSetInstance[];
}

const g = NS;
export const ComputeErrors = {
  managedByAks: defineError<{ name: string; rg: string; verb: string }>({ group: g, code: "OperationNotAllowed", status: 409,
    template: "(emulator) '{name}' in the managed node resource group '{rg}' is created and updated by AKS: clients cannot {verb} it here. Change the agent pool (count, vmSize) through Microsoft.ContainerService instead.",
    source: "emulator" }),
};

function verbOf(method: string): string {
  return method === "DELETE" ? "delete" : method === "PATCH" ? "update" : "create or replace";
}

function refuse(parsed: ParsedId, method: string): never {
  const b = parsed.blocks[parsed.blocks.length - 1]!;
  throw ComputeErrors.managedByAks.make({ name: b.names[0] ?? "", rg: parsed.resourceGroup ?? "", verb: verbOf(method) });
}

const checkWrite = (_id: string, parsed: ParsedId, method: string, caller: Caller): void => {
  if ((method === "PUT" || method === "PATCH" || method === "DELETE") && !isSystemPrincipal(caller.principal)) refuse(parsed, method);
};

function scaleSetInternal(rec: ResourceRecord | undefined): ScaleSetInternal | undefined {
  const i = rec?.internal as ScaleSetInternal | undefined;
  return i && Array.isArray(i.instances) ? i : undefined;
}

const vmssStrategy: ResourceStrategy = {
  checkId: checkWrite,
  put(ctx: WriteCtx): ResourceRecord {
    const ex = ctx.existing;
    const body = ctx.body ?? {};
    const internal: ScaleSetInternal = body.internal ?? scaleSetInternal(ex) ?? { managedBy: "", pool: "", instances: [] };
    return {
      id: ctx.id,
      name: nameOf(ctx.id),
      type: VMSS_TYPE,
      location: body.location ?? ex?.location,
      tags: body.tags ?? ex?.tags ?? {},
      sku: { ...(body.sku ?? {}), capacity: internal.instances.length },
      properties: {
        ...(body.properties ?? {}),
        provisioningState: "Succeeded",
        uniqueId: ex?.properties.uniqueId ?? randomUUID(),
        timeCreated: ex?.properties.timeCreated ?? ctx.env.now().toISOString(),
      },
      internal,
    };
  },
  patch(ctx: WriteCtx): ResourceRecord {
    refuse(ctx.parsed, "PATCH");
  },
  delete(ctx) {
    // Cascades (the node resource group going) take the scale set with them.
    if (!ctx.cascade && !isSystemPrincipal(ctx.principal)) refuse(parseId(ctx.record.id)!, "DELETE");
  },
  render(rec: ResourceRecord) {
    return { id: rec.id, name: rec.name, type: VMSS_TYPE, location: rec.location, tags: rec.tags ?? {}, sku: rec.sku, properties: rec.properties };
  },
};

// ---- instance views (computed from the scale set's stored instances) ----

/** Scale set id, instance id and NIC name of an id below a scale set. */
function splitChild(id: string): { vmssId: string; rest: string[] } | undefined {
  const m = /^(.*\/providers\/Microsoft\.Compute\/virtualMachineScaleSets\/[^/]+)\/(.*)$/i.exec(id);
  return m ? { vmssId: m[1]!, rest: m[2]!.split("/") } : undefined;
}

function vmRecord(vmss: ResourceRecord, inst: ScaleSetInstance): ResourceRecord {
  const id = `${vmss.id}/virtualMachines/${inst.instanceId}`;
  return {
    id, name: `${vmss.name}_${inst.instanceId}`, type: VMSS_VM_TYPE, location: vmss.location, tags: vmss.tags ?? {},
    sku: { name: (vmss.sku as any)?.name, tier: "Standard" },
    properties: {
      instanceId: inst.instanceId,
      latestModelApplied: true,
      hardwareProfile: { vmSize: (vmss.sku as any)?.name },
      storageProfile: { imageReference: vmss.properties.virtualMachineProfile?.storageProfile?.imageReference },
      osProfile: { computerName: inst.computerName, adminUsername: vmss.properties.virtualMachineProfile?.osProfile?.adminUsername ?? "azureuser" },
      networkProfile: { networkInterfaces: [{ id: `${id}/networkInterfaces/${nicName(vmss)}` }] },
      provisioningState: "Succeeded",
    },
  };
}

function nicName(vmss: ResourceRecord): string {
  return vmss.properties.virtualMachineProfile?.networkProfile?.networkInterfaceConfigurations?.[0]?.name ?? vmss.name;
}

function nicRecord(vmss: ResourceRecord, inst: ScaleSetInstance): ResourceRecord {
  const vmId = `${vmss.id}/virtualMachines/${inst.instanceId}`;
  const id = `${vmId}/networkInterfaces/${nicName(vmss)}`;
  const ipconf = (n: number, address: string, primary: boolean) => ({
    name: `ipconfig${n}`,
    id: `${id}/ipConfigurations/ipconfig${n}`,
    properties: {
      provisioningState: "Succeeded", privateIPAddress: address, privateIPAllocationMethod: "Dynamic", privateIPAddressVersion: "IPv4",
      subnet: { id: inst.subnetId }, primary,
    },
  });
  return {
    id, name: nicName(vmss), type: VMSS_VM_NIC_TYPE, location: vmss.location, tags: vmss.tags ?? {},
    properties: {
      provisioningState: "Succeeded",
      ipConfigurations: [ipconf(1, inst.ip, true), ...inst.podIPs.map((a, k) => ipconf(k + 2, a, false))],
      enableAcceleratedNetworking: false,
      enableIPForwarding: true,
      primary: true,
      virtualMachine: { id: vmId },
    },
  };
}

function scaleSetAt(tx: Pick<Txn, "get" | "list">, vmssId: string): ResourceRecord | undefined {
  const rec = getRecord(tx, vmssId);
  return rec && rec.type.toLowerCase() === VMSS_TYPE.toLowerCase() ? rec : undefined;
}

const readOnlyChild = (
  pick: (vmss: ResourceRecord, inst: ScaleSetInstance) => ResourceRecord,
  itemPath: (rest: string[], vmss: ResourceRecord) => string | undefined,
  listScope: (scopeId: string) => { vmssId: string; instanceId?: string } | undefined,
): ResourceStrategy => ({
  checkId: checkWrite,
  put(ctx: WriteCtx): ResourceRecord {
    refuse(ctx.parsed, "PUT");
  },
  lookup(tx, id) {
    const s = splitChild(id);
    if (!s) return undefined;
    const vmss = scaleSetAt(tx, s.vmssId);
    if (!vmss) return undefined;
    const instanceId = itemPath(s.rest, vmss);
    const inst = scaleSetInternal(vmss)?.instances.find((i) => i.instanceId === instanceId);
    return inst ? pick(vmss, inst) : undefined;
  },
  listAt(ctx: ListCtx) {
    const sc = listScope(ctx.scopeId);
    const vmss = sc ? scaleSetAt(ctx.tx, sc.vmssId) : undefined;
    if (!vmss) throw E.parentResourceNotFound.make({ parent: nameOf(sc?.vmssId ?? ctx.scopeId) });
    return (scaleSetInternal(vmss)?.instances ?? []).filter((i) => sc!.instanceId === undefined || i.instanceId === sc!.instanceId).map((i) => pick(vmss, i));
  },
  render(rec: ResourceRecord) {
    const { internal: _i, systemData: _s, etag: _e, ...out } = rec;
    if (rec.type === VMSS_VM_TYPE) {
      const { instanceId, ...properties } = rec.properties;
      return { ...out, instanceId, properties };
    }
    return { ...out, type: "Microsoft.Network/networkInterfaces" };
  },
});

const vmItem = (rest: string[]) => (rest.length === 2 && rest[0]!.toLowerCase() === "virtualmachines" ? rest[1] : undefined);
const vmNicItem = (rest: string[], vmss: ResourceRecord) =>
  rest.length === 4 && rest[0]!.toLowerCase() === "virtualmachines" && rest[2]!.toLowerCase() === "networkinterfaces" && rest[3]!.toLowerCase() === nicName(vmss).toLowerCase() ? rest[1] : undefined;
const atScaleSet = (scopeId: string) => (/\/virtualMachineScaleSets\/[^/]+$/i.test(scopeId) ? { vmssId: scopeId } : undefined);
const atInstance = (scopeId: string) => {
  const m = /^(.*\/virtualMachineScaleSets\/[^/]+)\/virtualMachines\/([^/]+)$/i.exec(scopeId);
  return m ? { vmssId: m[1]!, instanceId: m[2]! } : undefined;
};

function types(): ResourceTypeDef[] {
  const child = (type: string, strategy: ResourceStrategy, versions: readonly string[]): ResourceTypeDef =>
    ({ namespace: NS, type, apiVersions: versions, scope: "resourceGroup", tracked: false, strategy, defaultApiVersion: "2024-07-01" });
  return [
    { namespace: NS, type: "virtualMachineScaleSets", apiVersions: COMPUTE_API_VERSIONS, scope: "resourceGroup", tracked: true, strategy: vmssStrategy, defaultApiVersion: "2024-07-01" },
    child("virtualMachineScaleSets/virtualMachines", readOnlyChild(vmRecord, vmItem, atScaleSet), COMPUTE_API_VERSIONS),
    child("virtualMachineScaleSets/networkInterfaces", readOnlyChild(nicRecord, () => undefined, atScaleSet), VMSS_NIC_API_VERSIONS),
    child("virtualMachineScaleSets/virtualMachines/networkInterfaces", readOnlyChild(nicRecord, vmNicItem, atInstance), VMSS_NIC_API_VERSIONS),
  ];
}

export const computeProvider: ProviderPlugin = {
  name: "Microsoft.Compute",
  register(h) {
    for (const t of types()) h.registerType(t);
    h.registerType(diskType);
  },
};
