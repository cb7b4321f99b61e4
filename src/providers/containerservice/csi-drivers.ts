// The clusters' CSI drivers as AKS runs them: Azure Disk (disk.csi.azure.com) creates a managed
// disk `pvc-<claim uid>` in the node resource group, named, sized and tagged as the driver does
// (reference: aks-cloud-provider-effects.md §7); DeleteVolume removes it unless it is attached.
// Azure Files (file.csi.azure.com) needs Microsoft.Storage, which the emulator does not have, so
// its claims are refused with a message saying so.
import type { Txn } from "../../store/store.js";
import type { ArmEnv, ResourceRecord } from "../../arm/types.js";
import { getRecord } from "../../arm/repo.js";
import { CloudError, type ProvisionedVolume, type VolumeRequest } from "../../sim/types.js";
import { roundUpGiB } from "../../kube/quantity.js";

const DISK_TYPE = "Microsoft.Compute/disks";
/** The driver's own list of supported skuName values (azuredisk-csi-driver's validation, not the Disk RP's). */
const DISK_SKUS = ["Standard_LRS", "Premium_LRS", "StandardSSD_LRS", "UltraSSD_LRS", "Premium_ZRS", "StandardSSD_ZRS", "PremiumV2_LRS"];
import { clusterParts, removeResource } from "./model.js";

export const DISK_DRIVER = "disk.csi.azure.com";
export const FILE_DRIVER = "file.csi.azure.com";

type Put = (tx: Txn, env: ArmEnv, id: string, type: string, body: any) => ResourceRecord;

function lowerKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

/** `tags` parameter: "k1=v1,k2=v2" (delimiter from tagValueDelimiter). */
function parseTags(s: string | undefined, delimiter = ","): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of (s ?? "").split(delimiter).map((x) => x.trim()).filter(Boolean)) {
    const i = kv.indexOf("=");
    if (i <= 0) throw new CloudError(`rpc error: code = InvalidArgument desc = Failed parsing disk parameters: Tags '${s}' are invalid, the format should like: 'key1=value1,key2=value2'`);
    out[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
  }
  return out;
}

export function createVolume(tx: Txn, env: ArmEnv, cluster: ResourceRecord, req: VolumeRequest, put: Put): ProvisionedVolume | undefined {
  if (req.provisioner === FILE_DRIVER) {
    throw new CloudError("rpc error: code = Unimplemented desc = aksemu has no Microsoft.Storage provider, so Azure Files shares (storage account f<hex>, share pvc-<uid>) cannot be created; use a disk.csi.azure.com class such as managed-csi");
  }
  if (req.provisioner !== DISK_DRIVER) return undefined;
  const p = lowerKeys(req.parameters);
  const sku = p.skuname ?? p.storageaccounttype ?? "StandardSSD_LRS";
  const known = DISK_SKUS.find((s) => s.toLowerCase() === sku.toLowerCase());
  if (!known) {
    throw new CloudError(`rpc error: code = InvalidArgument desc = Failed parsing disk parameters: azureDisk - ${sku} is not supported sku/storageaccounttype. Supported values are [${DISK_SKUS.join(" ")}]`);
  }
  const { sub } = clusterParts(cluster.id);
  if (p.subscriptionid && !p.resourcegroup) throw new CloudError(`rpc error: code = InvalidArgument desc = resourceGroup must be specified when subscriptionID(${p.subscriptionid}) is not empty`);
  const rg = p.resourcegroup || String(cluster.properties.nodeResourceGroup);
  const name = p.diskname || req.pvName;
  const gib = roundUpGiB(req.requestBytes);
  const id = `/subscriptions/${p.subscriptionid || sub}/resourceGroups/${rg}/providers/Microsoft.Compute/disks/${name}`;
  const ns = String(req.pvc.metadata.namespace);
  const tags = {
    ...parseTags(p.tags, p.tagvaluedelimiter || ","),
    "k8s-azure-created-by": "kubernetes-azure-dd",
    "kubernetes.io-created-for-pv-name": req.pvName,
    "kubernetes.io-created-for-pvc-name": String(req.pvc.metadata.name),
    "kubernetes.io-created-for-pvc-namespace": ns,
  };
  // An LRS disk lives in the zone of the node its first consumer runs on; ZRS disks in none.
  const zoneNumber = !known.endsWith("_ZRS") && req.zone ? /-(\d+)$/.exec(req.zone)?.[1] : undefined;
  const body: any = {
    location: p.location || cluster.location,
    tags,
    sku: { name: known },
    properties: { creationData: { createOption: "Empty" }, diskSizeGB: gib, networkAccessPolicy: "DenyAll", publicNetworkAccess: "Disabled" },
  };
  if (zoneNumber) body.zones = [zoneNumber];
  if (!getRecord(tx, id)) put(tx, env, id, DISK_TYPE, body);
  const attrs: Record<string, string> = {
    "csi.storage.k8s.io/pv/name": req.pvName,
    "csi.storage.k8s.io/pvc/name": String(req.pvc.metadata.name),
    "csi.storage.k8s.io/pvc/namespace": ns,
    requestedsizegib: String(gib),
    skuname: known,
  };
  return { volumeHandle: id, capacityGiB: gib, volumeAttributes: attrs, zones: zoneNumber ? [req.zone!] : undefined };
}

export function deleteVolume(tx: Txn, env: ArmEnv, provisioner: string, handle: string): void {
  if (provisioner !== DISK_DRIVER) return;
  const disk = getRecord(tx, handle);
  if (!disk) return; // "azureDisk - disk(%s) is already deleted": success
  if (disk.managedBy) throw new CloudError(`rpc error: code = Internal desc = disk(${handle}) already attached to node(${disk.managedBy}), could not be deleted`);
  removeResource(tx, env, handle);
}
