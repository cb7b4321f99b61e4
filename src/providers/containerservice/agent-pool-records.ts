// agentPools child records mirror properties.agentPoolProfiles of their cluster (the cluster is
// the source of truth), so GET .../agentPools/{name} and the cluster's view always agree.
import type { Txn } from "../../store/store.js";
import type { ResourceRecord } from "../../arm/types.js";
import { deleteRecordTree, getRecord, listChildren, putRecord } from "../../arm/repo.js";
import { AGENT_POOL_TYPE } from "./api-versions.js";
import { isHostedPool } from "./automatic.js";

export function poolRecord(cluster: ResourceRecord, profile: Record<string, any>): ResourceRecord {
  const { name, ...rest } = profile;
  return {
    id: `${cluster.id}/agentPools/${name}`,
    name,
    type: AGENT_POOL_TYPE,
    properties: { ...rest, provisioningState: cluster.properties.provisioningState, powerState: cluster.properties.powerState ?? { code: "Running" } },
  };
}

export function syncAgentPoolRecords(tx: Txn, cluster: ResourceRecord): void {
  const want = new Set<string>();
  for (const p of cluster.properties.agentPoolProfiles ?? []) {
    if (isHostedPool(p, cluster.properties)) continue; // AKS's own system pool: not an agentPools resource
    const r = poolRecord(cluster, p);
    want.add(r.name.toLowerCase());
    const cur = getRecord(tx, r.id);
    putRecord(tx, { ...r, systemData: cur?.systemData ?? cluster.systemData, internal: cur?.internal });
  }
  for (const c of listChildren(tx, cluster.id, AGENT_POOL_TYPE)) if (!want.has(c.name.toLowerCase())) deleteRecordTree(tx, c.id);
}
