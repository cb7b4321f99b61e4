// The Store contract lets an engine run a transaction's fn more than once (an optimistic engine
// reruns it on conflict, as kube-apiserver's GuaranteedUpdate does), so every fn must read and
// write only through its tx and do nothing else. This runs the emulator with every transaction
// run twice, the first run discarded (test/helpers/rerun-store.ts), and checks nothing leaks:
//   1. the resource-service script (VNet, subnets, identity, role assignments, an AKS cluster that
//      joins a delegated subnet and brings up its node resource group, ILB, scale set and
//      Kubernetes API with its simulation, failures, an action, deletes) answers exactly as with
//      each fn run once;
//   2. contention: 50 NICs created at once in one subnet through the resource service, every
//      allocation rerun after the others may have committed: no address twice, and every
//      acknowledged NIC is there with its address after a restart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { tempDir, TENANT_ID } from "../helpers/emulator.js";
import { rerunEveryTxn } from "../helpers/rerun-store.js";
import { EmulatorCore } from "../../src/emulator.js";
import type { Caller } from "../../src/arm/caller.js";
import type { SqliteStore } from "../../src/store/sqlite-store.js";
import { NestedTxnError } from "../../src/store/store.js";
import { resourceGroups } from "../../src/arm/resource-groups.js";
import { getRecord } from "../../src/arm/repo.js";
import { networkModel } from "../../src/arm/network-model.js";
import { LOCATION, NRP, SUB, rgId, subnetId, vnetId } from "./helpers.js";
import { assertSameSteps, script, serviceDriver, type Outcome } from "./service-script.js";

test("every transaction run twice (first run discarded): the resource-service script answers as with one run", async () => {
  const once = await EmulatorCore.open({ dataDir: tempDir("aksemu-once-"), latency: "instant" });
  let plain: Record<string, unknown>;
  try {
    plain = await script(serviceDriver(once));
  } finally {
    await once.close();
  }
  const twice = await EmulatorCore.open({ dataDir: tempDir("aksemu-twice-"), latency: "instant" });
  const rerun = rerunEveryTxn(twice.env.store as SqliteStore);
  let rerunOut: Record<string, unknown>;
  try {
    rerunOut = await script(serviceDriver(twice));
    // The operations and the cluster's simulation wrote through the rerunning store as well.
    assert.ok(rerun.reruns() > 30, `transactions rerun: ${rerun.reruns()}`);
  } finally {
    rerun.restore();
    await twice.close();
  }
  const d = rerunOut as Record<string, Outcome>;
  assert.equal(d["cluster.put"]!.operation?.status, "Succeeded", JSON.stringify(d["cluster.put"]));
  assert.equal(d["cluster.gone"]!.status, 404);
  assertSameSteps(rerunOut, plain);
});

test("a transaction's fn may not start another transaction: store.txn inside fn throws and nothing is written", async () => {
  const core = await EmulatorCore.open({ dataDir: tempDir("aksemu-nested-"), latency: "instant" });
  try {
    const store = core.env.store;
    await assert.rejects(
      store.txn((tx) => {
        tx.put("nested/outer", 1);
        void store.txn((inner) => inner.put("nested/inner", 2));
      }),
      NestedTxnError,
    );
    assert.equal(store.get("nested/outer"), undefined);
    assert.equal(store.get("nested/inner"), undefined);
  } finally {
    await core.close();
  }
});

test("contention: 50 NICs created at once in one subnet, every allocation rerun: no address twice, all acknowledged NICs durable", async () => {
  const dataDir = tempDir("aksemu-contend-");
  const RG = "contend";
  const subnet = subnetId(RG, "vnet", "nodes");
  const nicId = (i: number) => `${rgId(RG)}/providers/Microsoft.Network/networkInterfaces/nic-${i}`;
  const N = 50;
  const acked = new Map<string, string>();
  const core = await EmulatorCore.open({ dataDir, latency: "instant" });
  try {
    const svc = core.resources;
    const caller: Caller = { principal: { objectId: randomUUID(), appId: "test-client", tenantId: TENANT_ID }, correlationId: randomUUID(), origin: core.env.endpoint() };
    const put = (id: string, body: Record<string, unknown>) => svc.put(svc.resolve(id, "PUT", NRP), body, { caller });
    const settled = async (r: Awaited<ReturnType<typeof put>>) => (r.operation ? core.ops.waitFor(r.operation.name) : undefined);
    await core.env.store.txn((tx) => resourceGroups(core.env).ensure(tx, core.env, SUB, RG, LOCATION));
    await settled(await put(vnetId(RG, "vnet"), { location: LOCATION, properties: { addressSpace: { addressPrefixes: ["10.70.0.0/16"] } } }));
    await settled(await put(subnet, { properties: { addressPrefix: "10.70.1.0/26" } }));
    const rerun = rerunEveryTxn(core.env.store as SqliteStore);
    try {
      // All first runs happen before any second run: each commit sees allocations made after its first run.
      const results = await Promise.all(
        Array.from({ length: N }, (_, i) =>
          put(nicId(i), { location: LOCATION, properties: { ipConfigurations: [{ name: "ipconfig1", properties: { subnet: { id: subnet } } }] } }),
        ),
      );
      await core.env.store.synced?.();
      for (const [i, r] of results.entries()) {
        const ip = r.record.properties.ipConfigurations[0].properties.privateIPAddress as string;
        assert.ok(ip, `nic-${i} got an address`);
        acked.set(nicId(i), ip);
      }
      assert.ok(rerun.reruns() >= N, `every allocation ran twice (${rerun.reruns()} reruns)`);
      await Promise.all(results.map(settled));
    } finally {
      rerun.restore();
    }
    const ips = [...acked.values()];
    assert.equal(new Set(ips).size, N, `no address twice: ${ips.join(", ")}`);
    // /26: 64 addresses, Azure reserves 5: 59 usable.
    assert.ok(ips.every((ip) => ip.startsWith("10.70.1.")), ips.join(", "));
  } finally {
    await core.close();
  }
  // A restart: every acknowledged NIC is there with the address it was given, and the subnet lists each once.
  const again = await EmulatorCore.open({ dataDir, latency: "instant" });
  try {
    for (const [id, ip] of acked) {
      const rec = getRecord(again.env.store, id);
      assert.ok(rec, `${id} survived the restart`);
      assert.equal(rec.properties.ipConfigurations[0].properties.privateIPAddress, ip);
    }
    // The subnet's address book holds each acknowledged address once, owned by its NIC.
    const inUse = networkModel(again.env).addressesInUse(again.env.store, subnet);
    assert.equal(inUse.length, N, JSON.stringify(inUse));
    assert.deepEqual(new Set(inUse.map((a) => a.address)), new Set(acked.values()));
    for (const a of inUse) assert.ok(a.owner.toLowerCase().includes("/networkinterfaces/nic-"), a.owner);
  } finally {
    await again.close();
  }
});
