// Microsoft.Compute/disks: managed disks, as the Azure Disk CSI driver creates them for
// PersistentVolumeClaims (and as clients may create them). Synchronous create (the driver polls
// until Succeeded; here it is at once), a deletion refused while the disk is attached (managedBy).
import { randomUUID } from "node:crypto";
import type { DeleteCtx, ResourceRecord, ResourceTypeDef, WriteCtx } from "../../arm/types.js";
import { defineError } from "../../arm/errors.js";
import { nameOf } from "../../arm/resource-id.js";

export const DISK_TYPE = "Microsoft.Compute/disks";
/** DiskRP api-versions (specification/compute, DiskRP stable releases). */
export const DISK_API_VERSIONS = ["2022-07-02", "2023-01-02", "2023-04-02", "2023-10-02", "2024-03-02", "2025-01-02"] as const;
export const DISK_SKUS = ["Standard_LRS", "Premium_LRS", "StandardSSD_LRS", "UltraSSD_LRS", "Premium_ZRS", "StandardSSD_ZRS", "PremiumV2_LRS"];

const g = "Microsoft.Compute";
export const DiskErrors = {
  invalidSku: defineError<{ sku: string }>({ group: g, code: "InvalidParameter", status: 400,
    template: "(emulator) The value '{sku}' of parameter 'sku.name' is not allowed. Allowed values are: Standard_LRS, Premium_LRS, StandardSSD_LRS, UltraSSD_LRS, Premium_ZRS, StandardSSD_ZRS, PremiumV2_LRS.",
    source: "emulator (parameter and allowed values from the DiskRP REST specification)" }),
  missingSize: defineError<Record<string, never>>({ group: g, code: "InvalidParameter", status: 400,
    template: "(emulator) Required parameter 'diskSizeGB' is missing (null) for a disk with createOption 'Empty'.",
    source: "emulator" }),
  attached: defineError<{ name: string; vm: string }>({ group: g, code: "OperationNotAllowed", status: 409,
    template: "Disk {name} is attached to VM {vm}.",
    source: "Azure DiskRP error text quoted in public troubleshooting threads" }),
};

function diskPut(ctx: WriteCtx): ResourceRecord {
  const { id, body, existing } = ctx;
  const props = body?.properties ?? {};
  const sku = String(body?.sku?.name ?? (existing?.sku as { name?: string } | undefined)?.name ?? "Standard_LRS");
  if (!DISK_SKUS.includes(sku)) throw DiskErrors.invalidSku.make({ sku });
  const createOption = String(props.creationData?.createOption ?? existing?.properties?.creationData?.createOption ?? "Empty");
  const size = Number(props.diskSizeGB ?? existing?.properties?.diskSizeGB);
  if (createOption === "Empty" && !(Number.isInteger(size) && size > 0)) throw DiskErrors.missingSize.make({});
  const ex = existing?.properties ?? {};
  const properties: Record<string, any> = {
    ...props,
    creationData: { ...(props.creationData ?? {}), createOption },
    diskSizeGB: size,
    diskSizeBytes: size * 2 ** 30,
    uniqueId: ex.uniqueId ?? randomUUID(),
    timeCreated: ex.timeCreated ?? new Date().toISOString(),
    networkAccessPolicy: props.networkAccessPolicy ?? ex.networkAccessPolicy ?? "AllowAll",
    publicNetworkAccess: props.publicNetworkAccess ?? ex.publicNetworkAccess ?? "Enabled",
    encryption: props.encryption ?? ex.encryption ?? { type: "EncryptionAtRestWithPlatformKey" },
    diskState: existing?.managedBy ? "Attached" : "Unattached",
    provisioningState: "Succeeded",
  };
  const rec: ResourceRecord = { id, name: nameOf(id), type: DISK_TYPE, location: body?.location ?? existing?.location, tags: body?.tags ?? undefined, sku: { name: sku, tier: sku.startsWith("Premium") ? "Premium" : "Standard" }, properties };
  if (Array.isArray(body?.zones)) rec.zones = body.zones;
  if (existing?.managedBy) rec.managedBy = existing.managedBy;
  return rec;
}

export const diskType: ResourceTypeDef = {
  namespace: g,
  type: "disks",
  apiVersions: DISK_API_VERSIONS,
  defaultApiVersion: "2024-03-02",
  scope: "resourceGroup",
  tracked: true,
  strategy: {
    put: diskPut,
    delete(ctx: DeleteCtx) {
      if (ctx.record.managedBy) throw DiskErrors.attached.make({ name: ctx.record.name, vm: String(ctx.record.managedBy) });
    },
  },
};
