// AKS Automatic (sku.name Automatic) on the managed VNet and on a custom VNet with API Server VNet
// Integration (reference/aks-automatic.md): the REST contract (defaults, refusals, rendering per
// api-version, the managed system pool) and azl's `aks create --sku automatic`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { AZL_BIN, startEmulator, tempDir, type RunningEmulator } from "../helpers/emulator.js";
import {
  LOCATION, NRP, clusterId, createCluster, del, expectError, get, identity, networkContributor, post, put, resourceGroup, rgId, subnet, vnet, vnetId,
} from "./helpers.js";

let emu: RunningEmulator;
const RG = "rg-auto";
const DELEGATED = "Microsoft.ContainerService/managedClusters";
const V = "2026-06-01";
let api: string;
let userNodes: string;
let systemNodes: string;
let mi: { id: string; principalId: string; clientId: string };

/** The body of Microsoft's public custom-network sample (Azure-Samples/aks-samples automatic/custom-network/public/bicep/aks.bicep). */
function sampleBody(o: { identityId: string; api: string; system: string; nodes: string; private?: boolean }): any {
  return {
    location: LOCATION,
    sku: { name: "Automatic" },
    identity: { type: "UserAssigned", userAssignedIdentities: { [o.identityId]: {} } },
    properties: {
      apiServerAccessProfile: { subnetId: o.api, ...(o.private ? { enablePrivateCluster: true } : {}) },
      networkProfile: { outboundType: "loadBalancer" },
      hostedSystemProfile: { systemNodeSubnetID: o.system, nodeSubnetID: o.nodes },
    },
  };
}

before(async () => {
  emu = await startEmulator({ latency: "instant" });
  await resourceGroup(emu, RG);
  await vnet(emu, RG, "automatic-vnet", "172.19.0.0/16");
  api = await subnet(emu, RG, "automatic-vnet", "apiServerSubnet", "172.19.0.0/28", DELEGATED);
  userNodes = await subnet(emu, RG, "automatic-vnet", "userNodeSubnet", "172.19.1.0/24");
  systemNodes = await subnet(emu, RG, "automatic-vnet", "systemNodeSubnet", "172.19.0.64/26");
  mi = await identity(emu, RG, "automatic-uami");
  // the sample assigns Network Contributor once, at VNet scope
  await networkContributor(emu, vnetId(RG, "automatic-vnet"), mi.principalId);
});

after(async () => {
  await emu?.stop();
});

test("managed VNet: sku + identity only comes back preconfigured; managed system pool hidden; sku.name per api-version", async () => {
  const { res, op, cluster } = await createCluster(emu, RG, "auto-managed", { location: LOCATION, sku: { name: "Automatic" }, identity: { type: "SystemAssigned" } }, "2026-02-01");
  assert.equal(res.status, 201, res.text);
  assert.equal(op.status, "Succeeded", JSON.stringify(op));
  const p = cluster.properties;
  assert.deepEqual(cluster.sku, { name: "Automatic", tier: "Standard" });
  assert.deepEqual(p.hostedSystemProfile, { enabled: true });
  assert.deepEqual(p.nodeProvisioningProfile, { mode: "Auto", defaultNodePools: "Auto" });
  assert.equal(p.networkProfile.networkPlugin, "azure");
  assert.equal(p.networkProfile.networkPluginMode, "overlay");
  assert.equal(p.networkProfile.networkPolicy, "cilium");
  assert.equal(p.networkProfile.networkDataplane, "cilium");
  assert.equal(p.networkProfile.outboundType, "managedNATGateway");
  assert.equal(p.apiServerAccessProfile.enableVnetIntegration, true);
  assert.equal(p.apiServerAccessProfile.subnetId, "", "managed VNet integration renders subnetId \"\"");
  assert.deepEqual(p.aadProfile, { managed: true, enableAzureRBAC: true, tenantID: "00000000-0000-0000-0000-000000000001" });
  assert.equal(p.enableRBAC, true);
  assert.equal(p.disableLocalAccounts, true);
  assert.equal(p.oidcIssuerProfile.enabled, true);
  assert.match(p.oidcIssuerProfile.issuerURL, /^https:\/\/westus2\.oic\.prod-aks\.azure\.com\/00000000-0000-0000-0000-000000000001\/[0-9a-f-]{36}\/$/);
  assert.deepEqual(p.securityProfile, { workloadIdentity: { enabled: true }, imageCleaner: { enabled: true, intervalHours: 168 } });
  assert.deepEqual(p.autoUpgradeProfile, { upgradeChannel: "stable", nodeOSUpgradeChannel: "NodeImage" });
  assert.deepEqual(p.workloadAutoScalerProfile, { keda: { enabled: true }, verticalPodAutoscaler: { enabled: true } });
  assert.deepEqual(p.ingressProfile, { webAppRouting: { enabled: true } });
  assert.deepEqual(p.addonProfiles, { azurepolicy: { enabled: true } });
  assert.deepEqual(p.nodeResourceGroupProfile, { restrictionLevel: "ReadOnly" });
  assert.equal(p.safeguardsProfile.level, "Enforce");
  assert.equal(p.agentPoolProfiles, undefined, "the managed system pool is not listed");
  const pools = await get(emu, `${clusterId(RG, "auto-managed")}/agentPools`, V);
  assert.deepEqual(pools.body.value, []);
  // ... but it exists: three system nodes on the managed VNet
  const view = (await get(emu, `${clusterId(RG, "auto-managed")}/emulatorView`, V)).body;
  assert.equal(view.nodes.length, 3);
  assert.ok(view.nodes.every((n: any) => /^aks-hostedpool-\d{8}-vmss00000[0-2]$/.test(n.name)), JSON.stringify(view.nodes));
  assert.equal(view.apiServer.mode, "ilb");
  // sku.name exists from 2025-07-01 (stable) / 2024-03-02-preview; hostedSystemProfile from 2026-02-01 / 2025-08-02-preview
  const g0701 = (await get(emu, clusterId(RG, "auto-managed"), "2025-07-01")).body;
  assert.deepEqual(g0701.sku, { name: "Automatic", tier: "Standard" });
  assert.equal(g0701.properties.hostedSystemProfile, undefined);
  const g0501 = (await get(emu, clusterId(RG, "auto-managed"), "2025-05-01")).body;
  assert.deepEqual(g0501.sku, { tier: "Standard" });
  assert.equal((await get(emu, clusterId(RG, "auto-managed"), "2024-03-02-preview")).body.sku.name, "Automatic");
  assert.equal((await get(emu, clusterId(RG, "auto-managed"), "2024-02-02-preview")).body.sku.name, undefined);
  // no local accounts: admin credentials refused; user credentials are Entra (kubelogin) ones
  expectError(await post(emu, `${clusterId(RG, "auto-managed")}/listClusterAdminCredential`, V), 400, "BadRequest", /disable local accounts/);
  const user = await post(emu, `${clusterId(RG, "auto-managed")}/listClusterUserCredential`, V);
  assert.equal(user.status, 200, user.text);
  assert.match(Buffer.from(user.body.kubeconfigs[0].value, "base64").toString(), /kubelogin/);
  // managed system pools cannot be stopped
  expectError(await post(emu, `${clusterId(RG, "auto-managed")}/stop`, V), 400, "OperationNotAllowed",
    "Stopping a cluster with managed system node pools (hostedSystemProfile.enabled) is not supported.");
  // Windows pools are not supported
  const win = await put(emu, `${clusterId(RG, "auto-managed")}/agentPools/win1`, { properties: { osType: "Windows", count: 1, mode: "User" } }, V);
  expectError(win.res, 400, "InvalidParameter", "Agent pool 'win1': Windows node pools (osType Windows) are not supported on clusters with sku.name 'Automatic'.");
  // a partial update keeps what Automatic owns
  const upd = await put(emu, clusterId(RG, "auto-managed"), { location: LOCATION, sku: { name: "Automatic", tier: "Standard" }, tags: { a: "b" } }, V);
  assert.equal(upd.op.status, "Succeeded", JSON.stringify(upd.op));
  const after = (await get(emu, clusterId(RG, "auto-managed"), V)).body;
  assert.deepEqual(after.properties.nodeProvisioningProfile, { mode: "Auto", defaultNodePools: "Auto" });
  assert.equal(after.properties.disableLocalAccounts, true);
  assert.equal(after.properties.agentPoolProfiles, undefined);
  assert.equal((await get(emu, `${clusterId(RG, "auto-managed")}/emulatorView`, V)).body.nodes.length, 3);
  await del(emu, clusterId(RG, "auto-managed"), V);
});

test("custom VNet (Microsoft's sample body at 2024-03-02-preview): VNet-integrated API server, managed system nodes in the system subnet", async () => {
  const { res, op } = await createCluster(emu, RG, "automatic", sampleBody({ identityId: mi.id, api, system: systemNodes, nodes: userNodes }), "2024-03-02-preview");
  assert.equal(res.status, 201, res.text);
  assert.equal(op.status, "Succeeded", JSON.stringify(op));
  const c = (await get(emu, clusterId(RG, "automatic"), V)).body;
  assert.deepEqual(c.properties.hostedSystemProfile, { enabled: true, systemNodeSubnetID: systemNodes, nodeSubnetID: userNodes });
  assert.equal(c.properties.apiServerAccessProfile.enableVnetIntegration, true);
  assert.equal(c.properties.apiServerAccessProfile.subnetId, api);
  assert.equal(c.properties.networkProfile.outboundType, "loadBalancer");
  assert.equal(c.properties.networkProfile.networkPluginMode, "overlay");
  const view = (await get(emu, `${clusterId(RG, "automatic")}/emulatorView`, V)).body;
  assert.equal(view.apiServer.mode, "ilb");
  assert.equal(view.apiServer.address, "172.19.0.4");
  assert.equal(view.nodes.length, 3);
  for (const n of view.nodes) assert.match(n.internalIP, /^172\.19\.0\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])$/, "managed system nodes in 172.19.0.64/26");
  // private variant on the same subnets (the API server subnet is shared by clusters)
  const priv = await createCluster(emu, RG, "automatic-private", sampleBody({ identityId: mi.id, api: await subnet(emu, RG, "automatic-vnet", "apiServerSubnet2", "172.19.0.16/28", DELEGATED), system: systemNodes, nodes: userNodes, private: true }), "2024-03-02-preview");
  assert.equal(priv.op.status, "Succeeded", JSON.stringify(priv.op));
  const pc = (await get(emu, clusterId(RG, "automatic-private"), V)).body;
  assert.equal(pc.properties.apiServerAccessProfile.enablePrivateCluster, true);
  assert.match(pc.properties.privateFQDN, /\.private\.westus2\.azmk8s\.io$/);
  for (const n of ["automatic", "automatic-private"]) await del(emu, clusterId(RG, n), V);
});

test("refusals: api-version, Base → Automatic, conflicting preconfiguration, subnet trio rules, identity", async () => {
  const body = (over: (b: any) => void) => {
    const b = sampleBody({ identityId: mi.id, api, system: systemNodes, nodes: userNodes });
    over(b);
    return b;
  };
  const cases: Array<[string, any, string, string, string | RegExp]> = [
    ["api-version without Automatic", body(() => undefined), "2025-05-01", "InvalidParameter",
      "The value 'Automatic' of sku.name is not supported by api-version '2025-05-01'; use 2024-03-02-preview or later, or 2025-07-01 or later."],
    ["kubenet", body((b) => (b.properties.networkProfile.networkPlugin = "kubenet")), V, "InvalidParameter",
      "networkProfile.networkPlugin 'kubenet' is not supported for a cluster with sku.name 'Automatic'; Automatic clusters use Azure CNI Overlay with Cilium (networkPlugin azure)."],
    ["network policy calico", body((b) => (b.properties.networkProfile.networkPolicy = "calico")), V, "InvalidParameter", /networkProfile\.networkPolicy 'calico'/],
    ["integration off", body((b) => (b.properties.apiServerAccessProfile.enableVnetIntegration = false)), V, "InvalidParameter", /apiServerAccessProfile\.enableVnetIntegration 'false'/],
    ["NAP Manual", body((b) => (b.properties.nodeProvisioningProfile = { mode: "Manual" })), V, "InvalidParameter", /nodeProvisioningProfile\.mode 'Manual'/],
    ["local accounts on", body((b) => (b.properties.disableLocalAccounts = false)), V, "InvalidParameter", /disableLocalAccounts 'false'/],
    ["trio incomplete", body((b) => delete b.properties.hostedSystemProfile.nodeSubnetID), V, "InvalidParameter",
      "hostedSystemProfile.systemNodeSubnetID must be provided together with hostedSystemProfile.nodeSubnetID and apiServerAccessProfile.subnetId, and all three subnet IDs must belong to the same VNet."],
    ["system = node subnet", body((b) => (b.properties.hostedSystemProfile.nodeSubnetID = systemNodes)), V, "InvalidParameter",
      "hostedSystemProfile.systemNodeSubnetID must be different from hostedSystemProfile.nodeSubnetID."],
    ["SystemAssigned on a custom VNet", body((b) => (b.identity = { type: "SystemAssigned" })), V, "InvalidParameter", /needs a user-assigned cluster identity/],
    ["Windows pool", body((b) => (b.properties.agentPoolProfiles = [{ name: "win", osType: "Windows", count: 1, mode: "User" }])), V, "InvalidParameter", /Windows node pools/],
  ];
  for (const [what, b, v, code, msg] of cases) {
    const r = await createCluster(emu, RG, "refused", b, v);
    assert.equal(r.res.status, 400, `${what}: ${r.res.text}`);
    expectError(r.res, 400, code, msg);
  }
  // system node subnet smaller than /26, in another VNet
  const small = await subnet(emu, RG, "automatic-vnet", "smallSystem", "172.19.2.0/27");
  expectError((await createCluster(emu, RG, "refused", body((b) => (b.properties.hostedSystemProfile.systemNodeSubnetID = small)), V)).res, 400, "InvalidParameter",
    `hostedSystemProfile.systemNodeSubnetID '${small}' has address prefix 172.19.2.0/27; the system node subnet must be /26 or larger.`);
  await vnet(emu, RG, "other-vnet", "10.60.0.0/16");
  const other = await subnet(emu, RG, "other-vnet", "system", "10.60.0.0/26");
  expectError((await createCluster(emu, RG, "refused", body((b) => (b.properties.hostedSystemProfile.systemNodeSubnetID = other)), V)).res, 400, "InvalidParameter", /all three subnet IDs must belong to the same VNet/);
  // a managed-VNet Automatic cluster cannot use a user-assigned NAT gateway (text quoted from the RP)
  expectError((await createCluster(emu, RG, "refused", { location: LOCATION, sku: { name: "Automatic" }, identity: { type: "SystemAssigned" }, properties: { networkProfile: { outboundType: "userAssignedNATGateway" } } }, V)).res,
    400, "UserAssignedNATGatewayWithManagedVNetNotAllowed", "Outbound type is userAssignedNATGateway but agent pool `hostedpool` is not using custom VNet, which is not allowed.");
  assert.equal((await get(emu, clusterId(RG, "refused"), V)).status, 404, "nothing written");
  // hostedSystemProfile without Automatic
  expectError((await createCluster(emu, RG, "refused", { ...body(() => undefined), sku: { name: "Base" } }, V)).res, 400, "InvalidParameter",
    "properties.hostedSystemProfile can only be set on a cluster with sku.name 'Automatic'.");
  // Base → Automatic is not supported
  const base = await createCluster(emu, RG, "base1", { location: LOCATION, identity: { type: "SystemAssigned" }, properties: { agentPoolProfiles: [{ name: "nodepool1", count: 1, mode: "System" }] } }, V);
  assert.equal(base.op.status, "Succeeded", JSON.stringify(base.op));
  assert.deepEqual(base.cluster.sku, { name: "Base", tier: "Free" });
  const conv = await put(emu, clusterId(RG, "base1"), { location: LOCATION, sku: { name: "Automatic" } }, V);
  expectError(conv.res, 400, "OperationNotAllowed", "Changing sku.name from 'Base' to 'Automatic' is not supported.");
  await del(emu, clusterId(RG, "base1"), V);
});

test("the identity without Network Contributor: accepted, then the create fails writing the API server's load balancer", async () => {
  const bare = await identity(emu, RG, "no-rights");
  const { res, op, cluster } = await createCluster(emu, RG, "auto-norights", sampleBody({ identityId: bare.id, api, system: systemNodes, nodes: userNodes }), V);
  assert.equal(res.status, 201, res.text);
  assert.equal(op.status, "Failed");
  assert.equal(op.error.code, "LinkedAuthorizationFailed");
  assert.equal(op.error.message, `The client '${bare.clientId}' with object id '${bare.principalId}' has permission to perform action 'Microsoft.Network/loadBalancers/write' on scope '${rgId(`MC_${RG}_auto-norights_${LOCATION}`)}/providers/Microsoft.Network/loadBalancers/kube-apiserver'; however, it does not have permission to perform action 'Microsoft.Network/virtualNetworks/subnets/join/action' on the linked scope(s) '${api}' or the linked scope(s) are invalid.`);
  assert.equal(cluster.properties.provisioningState, "Failed");
  await del(emu, clusterId(RG, "auto-norights"), V);
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

test("azl aks create --sku automatic: the custom-network quickstart's command, public and --enable-private-cluster, and az's client-side rules", async () => {
  const home = tempDir("aksemu-auto-azl-");
  const env = { PATH: process.env.PATH, HOME: home, AKSEMU_ENDPOINT: emu.endpoint, AKSEMU_DATA_DIR: emu.dataDir };
  const azl = (args: string[]) => new Promise<Run>((resolve) => {
    execFile(process.execPath, [AZL_BIN, ...args], { env }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }));
  });
  const rg = "automatic-rg";
  let r = await azl(["group", "create", "-n", rg, "-l", "eastus", "-o", "none"]);
  assert.equal(r.code, 0, r.stderr);
  await azl(["network", "vnet", "create", "-g", rg, "-n", "automatic-vnet", "--address-prefixes", "172.19.0.0/16", "-o", "none"]);
  const sn = async (n: string, prefix: string, extra: string[] = []) => {
    const x = await azl(["network", "vnet", "subnet", "create", "-g", rg, "--vnet-name", "automatic-vnet", "-n", n, "--address-prefixes", prefix, ...extra, "-o", "json"]);
    assert.equal(x.code, 0, x.stderr);
    return JSON.parse(x.stdout).id as string;
  };
  const apiId = await sn("apiServerSubnet", "172.19.0.0/28", ["--delegations", "Microsoft.ContainerService/managedClusters"]);
  const userId = await sn("userNodeSubnet", "172.19.1.0/24");
  const sysId = await sn("managedSystemNodeSubnet", "172.19.0.64/26");
  r = await azl(["identity", "create", "-g", rg, "-n", "automatic-uami", "-o", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const uami = JSON.parse(r.stdout);
  // no role assignment by hand: az (and azl) grant Network Contributor on the three subnets before the PUT
  const create = ["aks", "create", "-g", rg, "-n", "automatic", "-l", "eastus", "--apiserver-subnet-id", apiId, "--node-subnet-id", userId,
    "--system-node-subnet-id", sysId, "--assign-identity", uami.id, "--sku", "automatic", "--no-ssh-key", "-o", "json"];
  r = await azl(create);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout);
  assert.deepEqual(c.sku, { name: "Automatic", tier: "Standard" });
  assert.equal(c.hostedSystemProfile.enabled, true);
  assert.equal(c.hostedSystemProfile.systemNodeSubnetId, sysId);
  assert.equal(c.hostedSystemProfile.nodeSubnetId, userId);
  assert.equal(c.apiServerAccessProfile.enableVnetIntegration, true);
  assert.equal(c.apiServerAccessProfile.subnetId, apiId);
  assert.equal(c.agentPoolProfiles, null);
  assert.equal(c.networkProfile.networkPluginMode, "overlay");
  assert.equal(c.networkProfile.networkDataplane, "cilium");
  assert.equal(c.networkProfile.outboundType, "loadBalancer");
  assert.equal(c.nodeProvisioningProfile.mode, "Auto");
  assert.equal(c.disableLocalAccounts, true);
  r = await azl(["role", "assignment", "list", "--assignee", uami.principalId, "--all", "-o", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const scopes = JSON.parse(r.stdout).filter((x: any) => x.roleDefinitionName === "Network Contributor").map((x: any) => x.scope.toLowerCase()).sort();
  assert.deepEqual(scopes, [apiId, sysId, userId].map((x) => x.toLowerCase()).sort());
  // private variant on the same subnets
  const apiId2 = await sn("apiServerSubnet2", "172.19.0.16/28", ["--delegations", "Microsoft.ContainerService/managedClusters"]);
  r = await azl(["aks", "create", "-g", rg, "-n", "automatic-private", "-l", "eastus", "--apiserver-subnet-id", apiId2, "--node-subnet-id", userId,
    "--system-node-subnet-id", sysId, "--assign-identity", uami.id, "--sku", "automatic", "--no-ssh-key", "--enable-private-cluster", "-o", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const pc = JSON.parse(r.stdout);
  assert.equal(pc.apiServerAccessProfile.enablePrivateCluster, true);
  assert.match(pc.privateFqdn, /\.private\.eastus\.azmk8s\.io$/);
  // --sku automatic with --vnet-subnet-id and --apiserver-subnet-id (no managed system pool): integration implied, the pool on the subnet
  const clusterSubnet = await sn("clusterSubnet", "172.19.2.0/24");
  const apiId3 = await sn("apiServerSubnet3", "172.19.0.32/28", ["--delegations", "Microsoft.ContainerService/managedClusters"]);
  await azl(["role", "assignment", "create", "--scope", apiId3, "--role", "Network Contributor", "--assignee-object-id", uami.principalId, "--assignee-principal-type", "ServicePrincipal", "-o", "none"]);
  r = await azl(["aks", "create", "-g", rg, "-n", "automatic-vnet-subnet", "--vnet-subnet-id", clusterSubnet, "--apiserver-subnet-id", apiId3, "--assign-identity", uami.id, "--sku", "automatic", "--no-ssh-key", "-o", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const vc = JSON.parse(r.stdout);
  assert.equal(vc.apiServerAccessProfile.enableVnetIntegration, true);
  assert.equal(vc.agentPoolProfiles[0].vnetSubnetId, clusterSubnet);
  assert.equal(vc.hostedSystemProfile, null);
  // az's client-side rules, verbatim
  r = await azl(["aks", "create", "-g", rg, "-n", "x", "--apiserver-subnet-id", apiId, "--system-node-subnet-id", sysId, "--sku", "automatic", "--no-ssh-key"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /BYO VNet for a Managed System Pool \(Automatic cluster\) requires all three subnets\. Missing: --node-subnet-id\./);
  r = await azl(["aks", "create", "-g", rg, "-n", "x", "--enable-hosted-system", "--no-ssh-key"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /"--enable-hosted-system" requires "--sku automatic"\./);
  // the service's refusals come through
  r = await azl(["aks", "create", "-g", rg, "-n", "x", "--sku", "automatic", "--network-plugin", "kubenet", "--no-ssh-key"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\(InvalidParameter\) networkProfile\.networkPlugin 'kubenet' is not supported for a cluster with sku\.name 'Automatic'/);
  r = await azl(["aks", "stop", "-g", rg, "-n", "automatic"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Stopping a cluster with managed system node pools/);
  r = await azl(["aks", "nodepool", "list", "-g", rg, "--cluster-name", "automatic", "-o", "json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), []);
});
