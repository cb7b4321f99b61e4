// The NetworkModel (contract in ./model.ts) other providers use: subnet views with address usage,
// allocation and release of addresses, delegation checks and service association links. Every
// call works inside the caller's transaction, so an allocation is atomic with the write that
// needs it (a failed AKS create leaves no addresses held).
import type { Txn } from "../../store/store.js";
import type { ArmEnv } from "../../arm/types.js";
import { parentId } from "../../arm/resource-id.js";
import { parseAddress, formatAddress } from "../../network/cidr.js";
import type { NetworkModel, SubnetView } from "../../arm/network-model.js";
import { NetErrors } from "./errors.js";
import { T, arr, getTyped, obj } from "./common.js";
import { SubnetHandle, loadPools, releaseOwner, subnetIpConfigurations, subnetPrefixes, usageOf, type SubnetInternal } from "./ipam-store.js";

type Reader = Pick<Txn, "get" | "list">;

function delegationServices(rec: { properties: Record<string, any> }): string[] {
  return arr(rec.properties?.delegations).map((d) => String(obj(obj(d).properties).serviceName ?? ""));
}

export function createNetworkModel(env: ArmEnv): NetworkModel {
  const mustLoad = (tx: Txn, subnetId: string): SubnetHandle => {
    const h = SubnetHandle.load(tx, env, subnetId);
    if (!h) throw NetErrors.notFound.make({ id: subnetId });
    return h;
  };
  return {
    getSubnet(tx: Reader, subnetId: string): SubnetView | undefined {
      const rec = getTyped(tx, subnetId, T.subnet);
      if (!rec) return undefined;
      const int = (rec.internal ?? {}) as SubnetInternal;
      return {
        id: rec.id,
        name: rec.name,
        vnetId: parentId(rec.id)!,
        addressPrefixes: subnetPrefixes(rec),
        delegations: delegationServices(rec),
        serviceAssociationLinks: (int.sals ?? []).map((s) => ({ name: s.name, linkedResourceType: s.linkedResourceType, link: s.link, allowDelete: s.allowDelete })),
        ipConfigurations: [...subnetIpConfigurations(tx, rec)],
        privateEndpoints: [...(int.privateEndpoints ?? [])],
        usage: usageOf(loadPools(rec)),
      };
    },

    addressesInUse(tx: Reader, subnetId: string): Array<{ address: string; owner: string }> {
      const rec = getTyped(tx, subnetId, T.subnet);
      if (!rec) return [];
      const out: Array<{ address: string; owner: string }> = [];
      for (const pool of loadPools(rec)) {
        for (const run of pool.toJSON().allocations) {
          const first = parseAddress(run.first)!;
          for (let i = 0; i < run.count; i++) {
            out.push({ address: formatAddress({ family: first.family, value: first.value + BigInt(i) }), owner: run.owner });
          }
        }
      }
      return out;
    },

    allocate(tx: Txn, subnetId: string, owner: string, count: number): string[] {
      if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
      const h = mustLoad(tx, subnetId);
      if (count === 0) return [];
      const addrs = h.allocate(owner, count);
      h.save();
      return addrs;
    },

    allocateForIpConfigurations(tx: Txn, subnetId: string, owner: string, ipConfigurationIds: string[]): string[] {
      const h = mustLoad(tx, subnetId);
      if (ipConfigurationIds.length === 0) return [];
      const addrs = h.allocate(owner, ipConfigurationIds.length);
      h.attachOwnedIpConfigurations(owner, ipConfigurationIds);
      h.save();
      return addrs;
    },

    release(tx: Txn, owner: string, subnetId?: string): number {
      return releaseOwner(tx, owner, subnetId);
    },

    isDelegatedTo(tx: Reader, subnetId: string, serviceName: string): boolean {
      const rec = getTyped(tx, subnetId, T.subnet);
      return !!rec && delegationServices(rec).some((s) => s.toLowerCase() === serviceName.toLowerCase());
    },

    addServiceAssociationLink(tx: Txn, subnetId: string, sal: { name: string; linkedResourceType: string; link: string; allowDelete: boolean }): void {
      const h = mustLoad(tx, subnetId);
      if (!delegationServices(h.rec).some((s) => s.toLowerCase() === sal.linkedResourceType.toLowerCase())) {
        throw NetErrors.missingRequiredDelegation.make({ subnetId: h.rec.id, services: sal.linkedResourceType, salId: `${h.rec.id}/serviceAssociationLinks/${sal.name}` });
      }
      const rest = h.sals.filter((s) => s.name.toLowerCase() !== sal.name.toLowerCase());
      h.setSals([...rest, { name: sal.name, linkedResourceType: sal.linkedResourceType, link: sal.link, allowDelete: sal.allowDelete }]);
      h.bumpEtag();
      h.save();
    },

    removeServiceAssociationLink(tx: Txn, subnetId: string, name: string): void {
      const rec = getTyped(tx, subnetId, T.subnet);
      if (!rec) return;
      const h = SubnetHandle.fromRecord(tx, rec);
      const rest = h.sals.filter((s) => s.name.toLowerCase() !== name.toLowerCase());
      if (rest.length === h.sals.length) return;
      h.setSals(rest);
      h.bumpEtag();
      h.save();
    },
  };
}
