// Seed walkthrough, managed VNet (#6, #7), conversion (#16), private toggles (#17, #18),
// stop/start, credentials (#19) and agent pools through the real @azure/arm-containerservice
// (default api-version 2026-06-01) plus raw REST at 2022-04-02-preview.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import YAML from "yaml";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { startEmulator, SUBSCRIPTION_ID, type RunningEmulator } from "../helpers/emulator.js";
import {
  LOCATION, NRP, PREVIEW, STABLE, clusterBody, clusterId, createCluster, del, expectError, get, identity, networkContributor, put,
  registerVnetIntegrationFeature, resourceGroup, rgId, subnet, subnetView, usage, view, vnet,
} from "./helpers.js";

let emu: RunningEmulator;
let aks: ContainerServiceClient;
const RG = "rg-managed";
const DELEGATED = "Microsoft.ContainerService/managedClusters";

before(async () => {
  emu = await startEmulator();
  const o = emu.sdkOptions();
  aks = new ContainerServiceClient(emu.credential(), SUBSCRIPTION_ID, {
    endpoint: o.endpoint, credentials: { scopes: o.credentialScopes }, tlsOptions: o.tlsOptions, updateIntervalInMs: 20,
  } as never);
  await registerVnetIntegrationFeature(emu);
  await resourceGroup(emu, RG);
});

after(async () => {
  await emu?.stop();
});

const poll = { updateIntervalInMs: 20 };

test("managed VNet public cluster (#6): aks-vnet with delegated aks-apiserver-subnet in the node RG", async () => {
  const { res, op, cluster } = await createCluster(emu, RG, "mv1", clusterBody({ integrate: true }));
  assert.equal(res.status, 201, res.text);
  assert.equal(op.status, "Succeeded", JSON.stringify(op));
  assert.equal(cluster.properties.apiServerAccessProfile.enableVnetIntegration, true);
  assert.equal(cluster.properties.apiServerAccessProfile.subnetId, "", "managed VNet: subnetId is the empty string on the wire");
  const nrg = rgId(cluster.properties.nodeResourceGroup);
  const vnets = (await get(emu, `${nrg}/providers/Microsoft.Network/virtualNetworks`, NRP)).body.value;
  assert.equal(vnets.length, 1);
  const digits = /^aks-vnet-(\d{8})$/.exec(vnets[0].name)?.[1];
  assert.ok(digits, vnets[0].name);
  assert.deepEqual(vnets[0].properties.addressSpace.addressPrefixes, ["10.224.0.0/12"]);
  const api = (await get(emu, `${vnets[0].id}/subnets/aks-apiserver-subnet`, NRP)).body;
  assert.equal(api.properties.addressPrefix, "10.226.0.0/28");
  assert.equal(api.properties.delegations[0].name, "aks-delegation");
  assert.equal(api.properties.delegations[0].properties.serviceName, DELEGATED);
  assert.equal(api.properties.serviceAssociationLinks[0].name, "AzureKubernetesService");
  assert.equal(api.properties.serviceAssociationLinks[0].properties.allowDelete, false);
  const nodes = (await get(emu, `${vnets[0].id}/subnets/aks-subnet`, NRP)).body;
  assert.equal(nodes.properties.addressPrefix, "10.224.0.0/16");
  const nsg = await get(emu, `${nrg}/providers/Microsoft.Network/networkSecurityGroups/aks-agentpool-${digits}-nsg`, NRP);
  assert.equal(nsg.status, 200, nsg.text);
  const kubelet = await get(emu, `${nrg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mv1-agentpool`, "2023-01-31");
  assert.equal(kubelet.status, 200);
  assert.equal(cluster.properties.identityProfile.kubeletidentity.objectId, kubelet.body.properties.principalId);
  const outbound = await get(emu, `${nrg}/providers/Microsoft.Network/loadBalancers/kubernetes`, NRP);
  assert.equal(outbound.status, 200, outbound.text);
  const v = await view(emu, RG, "mv1");
  assert.equal(v.apiServer.address, "10.226.0.4");
  assert.equal(v.nodes[0].kubeletServer, "https://10.226.0.4:443");
  assert.match(v.nodes[0].internalIP, /^10\.224\.0\.\d+$/);
  assert.equal(cluster.identity.type, "SystemAssigned");
  assert.match(cluster.identity.principalId, /^[0-9a-f-]{36}$/);
});

test("managed VNet private cluster (#7)", async () => {
  const { op, cluster } = await createCluster(emu, RG, "mv2", clusterBody({ integrate: true, private: true }));
  assert.equal(op.status, "Succeeded", JSON.stringify(op));
  assert.match(cluster.properties.privateFQDN, /^mv2-rg-managed-000000-[0-9a-f]{8}\.[0-9a-f-]{36}\.private\.westus2\.azmk8s\.io$/);
  const v = await view(emu, RG, "mv2");
  const priv = v.dns.find((r: any) => r.zone === "private");
  assert.equal(priv.address, "10.226.0.4");
  assert.match(priv.zoneId, /\/providers\/Microsoft\.Network\/privateDnsZones\/[0-9a-f-]{36}\.private\.westus2\.azmk8s\.io$/);
});

test("SDK (2026-06-01): create non-integrated BYO, list, get, agent pools; then convert (#16)", async () => {
  await vnet(emu, RG, "vnet", "172.19.0.0/16");
  const api = await subnet(emu, RG, "vnet", "apiserver", "172.19.0.0/28", DELEGATED);
  const nodes = await subnet(emu, RG, "vnet", "nodes", "172.19.1.0/24");
  const mi = await identity(emu, RG, "aks-identity");
  await networkContributor(emu, api, mi.principalId);
  await networkContributor(emu, nodes, mi.principalId);
  const created = await aks.managedClusters.createOrUpdate(RG, "conv", {
    location: LOCATION,
    identity: { type: "UserAssigned", userAssignedIdentities: { [mi.id]: {} } },
    dnsPrefix: "conv",
    agentPoolProfiles: [{ name: "nodepool1", count: 2, vmSize: "Standard_DS2_v2", mode: "System", vnetSubnetID: nodes }],
    networkProfile: { networkPlugin: "azure" },
  } as never, poll);
  assert.equal(created.provisioningState, "Succeeded");
  assert.match(created.fqdn!, /^conv-[0-9a-f]{8}\.hcp\.westus2\.azmk8s\.io$/);
  assert.equal(created.apiServerAccessProfile, undefined);
  const before = await view(emu, RG, "conv");
  assert.equal(before.apiServer.mode, "public");
  assert.equal(before.nodes[0].kubeletServer, `https://${created.fqdn}:443`);
  const listed = [];
  for await (const c of aks.managedClusters.listByResourceGroup(RG)) listed.push(c.name);
  assert.ok(listed.includes("conv") && listed.includes("mv1"), listed.join(","));
  const all = [];
  for await (const c of aks.managedClusters.list()) all.push(c.name);
  assert.ok(all.includes("conv"));
  const pools = [];
  for await (const p of aks.agentPools.list(RG, "conv")) pools.push(p);
  assert.equal(pools.length, 1);
  assert.equal(pools[0]!.count, 2);
  assert.equal(pools[0]!.vnetSubnetID, nodes);

  // scale through agentPools: node addresses follow
  const scaled = await aks.agentPools.createOrUpdate(RG, "conv", "nodepool1", { count: 3, vnetSubnetID: nodes, mode: "System", vmSize: "Standard_DS2_v2" } as never, poll);
  assert.equal(scaled.count, 3);
  assert.equal((await aks.managedClusters.get(RG, "conv")).agentPoolProfiles![0]!.count, 3);
  assert.equal((await view(emu, RG, "conv")).nodes.length, 3);

  // conversion without subnetId is refused (server message; az says '--apiserver-subnet-id is required ...')
  const cid = clusterId(RG, "conv");
  const current = (await get(emu, cid, STABLE)).body;
  const noSubnet = { ...current, properties: { ...current.properties, apiServerAccessProfile: { enableVnetIntegration: true } } };
  expectError((await put(emu, cid, noSubnet, STABLE)).res, 400, "ApiserverSubnetConfigError",
    "apiServerAccessProfile.subnetId is required when updating an existing cluster to enable apiserver vnet integration.");
  // private toggle on a non-integrated cluster is refused
  const privOnly = { ...current, properties: { ...current.properties, apiServerAccessProfile: { enablePrivateCluster: true } } };
  expectError((await put(emu, cid, privOnly, STABLE)).res, 400, "OperationNotAllowed", /VNet Integration/);

  // convert (az aks update --enable-apiserver-vnet-integration --apiserver-subnet-id)
  const image = current.properties.agentPoolProfiles[0].nodeImageVersion;
  const updated = await aks.managedClusters.createOrUpdate(RG, "conv", {
    ...(await aks.managedClusters.get(RG, "conv")),
    apiServerAccessProfile: { enableVnetIntegration: true, subnetId: api },
  } as never, poll);
  assert.equal(updated.provisioningState, "Succeeded");
  assert.equal(updated.fqdn, created.fqdn, "hostname stays");
  assert.equal(updated.apiServerAccessProfile!.enableVnetIntegration, true);
  assert.equal(updated.apiServerAccessProfile!.subnetId, api);
  assert.notEqual(updated.agentPoolProfiles![0]!.nodeImageVersion, image, "node image upgraded on all pools");
  const after = await view(emu, RG, "conv");
  assert.equal(after.apiServer.mode, "ilb");
  assert.equal(after.apiServer.address, "172.19.0.4", "API server address moves into the delegated subnet");
  assert.equal(after.nodes[0].kubeletServer, "https://172.19.0.4:443");
  assert.equal(after.dns[0].address, before.dns[0].address, "public record still the public endpoint");
  assert.match(after.warnings[0], /stop and start/);

  // one-way and fixed subnet
  const now = (await get(emu, cid, STABLE)).body;
  expectError((await put(emu, cid, { ...now, properties: { ...now.properties, apiServerAccessProfile: { ...now.properties.apiServerAccessProfile, enableVnetIntegration: false } } }, STABLE)).res,
    400, "OperationNotAllowed", /cannot be changed from true to false/);
  const api2 = await subnet(emu, RG, "vnet", "apiserver2", "172.19.2.0/28", DELEGATED);
  expectError((await put(emu, cid, { ...now, properties: { ...now.properties, apiServerAccessProfile: { ...now.properties.apiServerAccessProfile, subnetId: api2 } } }, STABLE)).res,
    400, "OperationNotAllowed", /subnetId cannot be changed/);

  // stop/start (GA: completes the migration)
  await aks.managedClusters.stop(RG, "conv", poll);
  let c = await aks.managedClusters.get(RG, "conv");
  assert.equal(c.powerState!.code, "Stopped");
  assert.equal(c.provisioningState, "Succeeded");
  await aks.managedClusters.start(RG, "conv", poll);
  c = await aks.managedClusters.get(RG, "conv");
  assert.equal(c.powerState!.code, "Running");
  assert.deepEqual((await view(emu, RG, "conv")).warnings, []);
});

test("private mode on/off on an integrated cluster (#17, #18): same hostname, DNS records follow", async () => {
  const cid = clusterId(RG, "mv1");
  const cur = (await get(emu, cid, PREVIEW)).body;
  const fqdn = cur.properties.fqdn;
  const on = { ...cur, properties: { ...cur.properties, apiServerAccessProfile: { ...cur.properties.apiServerAccessProfile, enablePrivateCluster: true } } };
  const r1 = await put(emu, cid, on, PREVIEW);
  assert.equal(r1.res.status, 200, r1.res.text);
  assert.equal(r1.res.body.properties.provisioningState, "Updating");
  assert.equal(r1.op.status, "Succeeded", JSON.stringify(r1.op));
  const priv = (await get(emu, cid, PREVIEW)).body;
  assert.equal(priv.properties.fqdn, fqdn);
  assert.ok(priv.properties.privateFQDN.startsWith(fqdn.split(".")[0] + "."));
  let v = await view(emu, RG, "mv1");
  assert.deepEqual(v.dns.map((r: any) => [r.zone, r.address]), [["public", "10.226.0.4"], ["public", "10.226.0.4"], ["private", "10.226.0.4"]]);
  const zoneId = v.dns[2].zoneId;
  assert.equal((await get(emu, zoneId, "2020-06-01")).status, 200);

  // disable public FQDN → the public records go
  const noPub = { ...priv, properties: { ...priv.properties, apiServerAccessProfile: { ...priv.properties.apiServerAccessProfile, enablePrivateClusterPublicFQDN: false } } };
  assert.equal((await put(emu, cid, noPub, PREVIEW)).op.status, "Succeeded");
  const np = (await get(emu, cid, PREVIEW)).body;
  assert.equal(np.properties.fqdn, undefined);
  v = await view(emu, RG, "mv1");
  assert.deepEqual(v.dns.map((r: any) => r.zone), ["private"]);

  // az aks update --disable-private-cluster: a full PUT with enablePrivateCluster=false
  const off = { ...np, properties: { ...np.properties, apiServerAccessProfile: { ...np.properties.apiServerAccessProfile, enablePrivateCluster: false } } };
  const r2 = await put(emu, cid, off, PREVIEW);
  assert.equal(r2.op.status, "Succeeded", JSON.stringify(r2.op));
  const pub = (await get(emu, cid, PREVIEW)).body;
  assert.equal(pub.properties.fqdn, fqdn, "hostname stays");
  assert.equal(pub.properties.privateFQDN, undefined);
  assert.equal(pub.properties.apiServerAccessProfile.privateDNSZone, undefined);
  v = await view(emu, RG, "mv1");
  assert.deepEqual(v.dns.map((r: any) => r.zone), ["public", "public"]);
  assert.notEqual(v.dns[0].address, "10.226.0.4", "public record points at the public endpoint again");
  assert.equal((await get(emu, zoneId, "2020-06-01")).status, 404, "system private zone removed");
});

test("kubernetesVersions and orchestrators (location-level)", async () => {
  const kv = await aks.managedClusters.listKubernetesVersions(LOCATION);
  assert.ok(kv.values!.some((v) => v.version === "1.31" && v.isDefault));
  const o = await emu.request("GET", `/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.ContainerService/locations/${LOCATION}/orchestrators?api-version=2019-08-01`);
  assert.equal(o.status, 200);
  assert.ok(o.body.properties.orchestrators.some((x: any) => x.orchestratorVersion === "1.31.10" && x.default));
});

test("get-credentials through the SDK (#19)", async () => {
  const user = await aks.managedClusters.listClusterUserCredentials(RG, "mv1");
  const kc = YAML.parse(Buffer.from(user.kubeconfigs![0]!.value!).toString("utf8"));
  assert.equal(kc.users[0].name, `clusterUser_${RG}_mv1`);
  const admin = await aks.managedClusters.listClusterAdminCredentials(RG, "mv1");
  assert.equal(admin.kubeconfigs![0]!.name, "clusterAdmin");
  // a private cluster's kubeconfig names its private FQDN, public with server-fqdn=public
  const p = await aks.managedClusters.listClusterUserCredentials(RG, "mv2", { serverFqdn: "public" } as never);
  const pk = YAML.parse(Buffer.from(p.kubeconfigs![0]!.value!).toString("utf8"));
  const fq = (await aks.managedClusters.get(RG, "mv2")).fqdn;
  const c = pk.clusters[0].cluster;
  assert.ok(c.server === `https://${fq}:443` || c["tls-server-name"] === fq, JSON.stringify(c));
});

test("delete through the SDK and a resource-group cascade release everything", async () => {
  const before = (await get(emu, clusterId(RG, "conv"), STABLE)).body;
  const api = before.properties.apiServerAccessProfile.subnetId;
  await aks.managedClusters.delete(RG, "conv", poll);
  assert.equal((await get(emu, clusterId(RG, "conv"), STABLE)).status, 404);
  assert.equal((await emu.request("GET", `${rgId(before.properties.nodeResourceGroup)}?api-version=2021-04-01`)).status, 404);
  const s = await subnetView(emu, api);
  assert.equal(s.properties.serviceAssociationLinks, undefined);
  assert.equal((await usage(emu, api)).used, 0, "API server addresses released");
  assert.equal((await usage(emu, before.properties.agentPoolProfiles[0].vnetSubnetID)).used, 0, "node addresses released");
  assert.equal((s.properties.ipConfigurations ?? []).length, 0);
  // RG delete cascades through the clusters to their node RGs
  const nrgs = [];
  for await (const c of aks.managedClusters.listByResourceGroup(RG)) nrgs.push(c.nodeResourceGroup!);
  const d = await emu.request("DELETE", `${rgId(RG)}?api-version=2021-04-01`);
  assert.equal(d.status, 202);
  await del(emu, rgId(RG), "2021-04-01").catch(() => undefined);
  for (let i = 0; i < 200; i++) {
    if ((await emu.request("GET", `${rgId(RG)}?api-version=2021-04-01`)).status === 404) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const n of nrgs) assert.equal((await emu.request("GET", `${rgId(n)}?api-version=2021-04-01`)).status, 404, n);
});
