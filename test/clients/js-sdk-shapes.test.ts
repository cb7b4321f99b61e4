// Response fields Azure's documented examples show, read through the Azure SDK for JS: eTag on the
// cluster and agent pools (api-versions that have it), loadBalancerProfile's computed fields,
// upgrade profiles, osDiskSizeGB 0 resolved, delegated subnets' purpose, node NICs in the node
// subnet's ipConfigurations, load balancers' inboundNatRules, providers' locationMappings; and a
// service-principal cluster with a custom private DNS zone.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { NetworkManagementClient } from "@azure/arm-network";
import { ResourceManagementClient } from "@azure/arm-resources";
import { startEmulator, SUBSCRIPTION_ID, type RunningEmulator } from "../helpers/emulator.js";
import { clusterId, get, resourceGroup, subnetId } from "../aks/helpers.js";

const RG = "shape-rg";

describe("Azure SDK for JS: response shapes of the current api-versions", () => {
  let emu: RunningEmulator;
  let aks: ContainerServiceClient;
  let net: NetworkManagementClient;
  let arm: ResourceManagementClient;

  before(async () => {
    emu = await startEmulator({ latency: "instant" });
    const cred = emu.credential();
    aks = new ContainerServiceClient(cred, SUBSCRIPTION_ID, emu.sdkOptions());
    net = new NetworkManagementClient(cred, SUBSCRIPTION_ID, emu.sdkOptions());
    arm = new ResourceManagementClient(cred, SUBSCRIPTION_ID, emu.sdkOptions());
    await resourceGroup(emu, RG);
    await net.virtualNetworks.beginCreateOrUpdateAndWait(RG, "vnet", {
      location: "westus2",
      addressSpace: { addressPrefixes: ["172.19.0.0/16"] },
      subnets: [
        { name: "apiserver", addressPrefix: "172.19.0.0/28", delegations: [{ name: "aks", serviceName: "Microsoft.ContainerService/managedClusters" }] },
        { name: "nodes", addressPrefix: "172.19.1.0/24" },
      ],
    });
  });
  after(async () => {
    await emu?.stop();
  });

  test("cluster and pools: eTag, osDiskSizeGB 0 → 128, loadBalancerProfile, upgrade profiles, node image upgrade", async () => {
    const c = await aks.managedClusters.beginCreateOrUpdateAndWait(RG, "shapes", {
      location: "westus2",
      identity: { type: "SystemAssigned" },
      dnsPrefix: "shapes",
      agentPoolProfiles: [{ name: "nodepool1", count: 1, mode: "System", osDiskSizeGB: 0, vmSize: "" }],
    });
    assert.match(c.eTag ?? "", /\S/);
    assert.match(c.agentPoolProfiles![0]!.eTag ?? "", /\S/);
    assert.equal(c.agentPoolProfiles![0]!.osDiskSizeGB, 128);
    assert.equal(c.agentPoolProfiles![0]!.vmSize, "Standard_DS2_v2");
    const lbp = c.networkProfile!.loadBalancerProfile!;
    assert.equal(lbp.allocatedOutboundPorts, 0);
    assert.equal(lbp.idleTimeoutInMinutes, 30);
    assert.equal(lbp.effectiveOutboundIPs!.length, 1);
    // An older api-version has no eTag (first seen in the 2024-09-01 and 2024-05-02-preview examples).
    const old = await get(emu, clusterId(RG, "shapes"), "2024-08-01");
    assert.equal(old.body.eTag, undefined);
    assert.equal(old.body.properties.agentPoolProfiles[0].eTag, undefined);
    // Each write gives a new eTag.
    const before = c.eTag;
    const tagged = await aks.managedClusters.beginCreateOrUpdateAndWait(RG, "shapes", { ...c, tags: { t: "1" } });
    assert.notEqual(tagged.eTag, before);

    const up = await aks.managedClusters.getUpgradeProfile(RG, "shapes");
    assert.equal(up.controlPlaneProfile.kubernetesVersion, "1.31.10");
    assert.deepEqual(up.controlPlaneProfile.upgrades!.map((u) => u.kubernetesVersion), ["1.32.6"]);
    assert.deepEqual(up.agentPoolProfiles.map((p) => p.name), ["nodepool1"]);
    const pup = await aks.agentPools.getUpgradeProfile(RG, "shapes", "nodepool1");
    assert.equal(pup.kubernetesVersion, "1.31.10");
    assert.notEqual(pup.latestNodeImageVersion, c.agentPoolProfiles![0]!.nodeImageVersion);
    await aks.agentPools.beginUpgradeNodeImageVersionAndWait(RG, "shapes", "nodepool1");
    const pool = await aks.agentPools.get(RG, "shapes", "nodepool1");
    assert.equal(pool.nodeImageVersion, pup.latestNodeImageVersion);
    assert.equal(pool.provisioningState, "Succeeded");
    // A missing pool's upgrade profile is a 404.
    const missing = await emu.request("GET", `${clusterId(RG, "shapes")}/agentPools/nope/upgradeProfiles/default?api-version=2026-06-01`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, "ResourceNotFound");
  });

  test("subnets, load balancers and providers carry the documented fields", async () => {
    const api = await net.subnets.get(RG, "vnet", "apiserver");
    assert.equal(api.purpose, "", "a delegated subnet shows purpose ''");
    assert.equal((await net.subnets.get(RG, "vnet", "nodes")).purpose, undefined);
    const nodeRg = (await aks.managedClusters.get(RG, "shapes")).nodeResourceGroup!;
    const lb = await net.loadBalancers.get(nodeRg, "kubernetes");
    assert.deepEqual(lb.inboundNatRules, []);
    const prov = await arm.providers.get("Microsoft.ContainerService");
    const mc = prov.resourceTypes!.find((t) => t.resourceType === "managedClusters")!;
    assert.deepEqual(mc.locationMappings, []);
  });

  test("node NICs (ipconfig1..N of each scale-set instance) are listed in the node subnet's ipConfigurations and go with the nodes", async () => {
    const ident = await emu.request("PUT", `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1?api-version=2023-01-31`, { location: "westus2" });
    assert.equal(ident.status, 201, ident.text);
    for (const s of ["apiserver", "nodes"]) {
      const ra = await emu.request("PUT", `${subnetId(RG, "vnet", s)}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`, {
        properties: { roleDefinitionId: `/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7`, principalId: ident.body.properties.principalId },
      });
      assert.equal(ra.status, 201, ra.text);
    }
    await aks.managedClusters.beginCreateOrUpdateAndWait(RG, "byo", {
      location: "westus2",
      identity: { type: "UserAssigned", userAssignedIdentities: { [ident.body.id]: {} } },
      dnsPrefix: "byo",
      agentPoolProfiles: [{ name: "nodepool1", count: 2, mode: "System", vnetSubnetID: subnetId(RG, "vnet", "nodes") }],
      networkProfile: { networkPlugin: "azure" },
      apiServerAccessProfile: { enableVnetIntegration: true, subnetId: subnetId(RG, "vnet", "apiserver") },
    });
    const ids = (await net.subnets.get(RG, "vnet", "nodes")).ipConfigurations!.map((x) => x.id!);
    assert.equal(ids.length, 2 * 31);
    assert.ok(ids.every((id) => /\/virtualMachineScaleSets\/aks-nodepool1-\d{8}-vmss\/virtualMachines\/[01]\/networkInterfaces\/aks-nodepool1-\d{8}-vmss\/ipConfigurations\/ipconfig([1-9]|[12]\d|3[01])$/.test(id)), ids[0]);
    // The NIC the id names exists and holds the address.
    const nic = await emu.request("GET", `${ids[0]!.split("/ipConfigurations/")[0]}?api-version=2018-10-01`);
    assert.equal(nic.status, 200, nic.text);
    assert.equal(nic.body.properties.ipConfigurations[0].properties.subnet.id.toLowerCase(), subnetId(RG, "vnet", "nodes").toLowerCase());
    await aks.agentPools.beginCreateOrUpdateAndWait(RG, "byo", "nodepool1", { count: 1, mode: "System", vnetSubnetID: subnetId(RG, "vnet", "nodes") });
    assert.equal((await net.subnets.get(RG, "vnet", "nodes")).ipConfigurations!.length, 31, "scale-in detaches the removed node's ipconfigs");
    await aks.managedClusters.beginDeleteAndWait(RG, "byo");
    assert.equal((await net.subnets.get(RG, "vnet", "nodes")).ipConfigurations, undefined);
  });

  test("a service-principal cluster may use a custom private DNS zone (a system-assigned one may not)", async () => {
    const zone = "privatelink.westus2.azmk8s.io";
    const z = await emu.request("PUT", `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RG}/providers/Microsoft.Network/privateDnsZones/${zone}?api-version=2020-06-01`, { location: "global" });
    assert.ok(z.status === 200 || z.status === 201, z.text);
    const zoneId = z.body.id as string;
    const body = (extra: Record<string, unknown>) => ({
      location: "westus2", dnsPrefix: "sp",
      agentPoolProfiles: [{ name: "nodepool1", count: 1, mode: "System" }],
      apiServerAccessProfile: { enablePrivateCluster: true, privateDNSZone: zoneId },
      ...extra,
    });
    const { location, ...properties } = body({});
    const sami = await emu.request("PUT", `${clusterId(RG, "sami")}?api-version=2026-06-01`, { location, identity: { type: "SystemAssigned" }, properties });
    assert.equal(sami.status, 400, sami.text);
    assert.match(sami.body.error.message, /requires a user-assigned cluster identity .* or a service principal/);
    const sp = await aks.managedClusters.beginCreateOrUpdateAndWait(RG, "spc", body({ servicePrincipalProfile: { clientId: "11111111-2222-3333-4444-555555555555", secret: "s3cret" } }) as never);
    assert.equal(sp.provisioningState, "Succeeded");
    assert.equal(sp.identity, undefined);
    assert.equal(sp.servicePrincipalProfile!.clientId, "11111111-2222-3333-4444-555555555555");
    assert.equal(sp.servicePrincipalProfile!.secret, undefined, "the secret is never returned");
    assert.match(sp.privateFqdn!, /\.privatelink\.westus2\.azmk8s\.io$/);
  });
});
