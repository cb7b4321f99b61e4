// Seed walkthrough, BYO VNet (#8–#15) at 2022-04-02-preview, every failure case of §4, sharing
// one delegated subnet, exhaustion, delete. Real emulator process, raw REST.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import YAML from "yaml";
import { spawnSync } from "node:child_process";
import { AKSEMU_BIN, startEmulator, type RunningEmulator } from "../helpers/emulator.js";
import {
  LOCATION, NRP, PREVIEW, PRIVATE_DNS_ZONE_CONTRIBUTOR, clusterBody, clusterId, createCluster, del, expectError, get, identity, networkContributor, ok, post, put, roleAssignment,
  registerVnetIntegrationFeature, resourceGroup, rgId, subnet, subnetView, usage, view, vnet, vnetId,
} from "./helpers.js";

let emu: RunningEmulator;
const RG = "rg-byo";
const DELEGATED = "Microsoft.ContainerService/managedClusters";
let apiSubnet: string;
let nodeSubnet: string;
let mi: { id: string; principalId: string; clientId: string };

before(async () => {
  emu = await startEmulator({ allowRunCommand: true });
  await resourceGroup(emu, RG);
  await vnet(emu, RG, "vnet", "172.19.0.0/16");
  apiSubnet = await subnet(emu, RG, "vnet", "apiserver", "172.19.0.0/28", DELEGATED);
  nodeSubnet = await subnet(emu, RG, "vnet", "nodes", "172.19.1.0/24");
  mi = await identity(emu, RG, "aks-identity");
  await networkContributor(emu, apiSubnet, mi.principalId);
  await networkContributor(emu, nodeSubnet, mi.principalId);
});

after(async () => {
  await emu?.stop();
});

test("preview api-version without the registered feature flag is refused (nothing written)", async () => {
  const r = await createCluster(emu, RG, "noflag", clusterBody({ nodeSubnet, apiSubnet, integrate: true, identityId: mi.id }));
  expectError(r.res, 400, "PreviewFeatureNotRegistered",
    "Feature Microsoft.ContainerService/EnableAPIServerVnetIntegrationPreview is not enabled. Please see https://aka.ms/aks/previews for how to enable features.");
  assert.equal((await get(emu, clusterId(RG, "noflag"), PREVIEW)).status, 404);
  // the same request at a GA api-version needs no flag (validated, then refused here for another reason)
  await registerVnetIntegrationFeature(emu);
});

test("BYO VNet public cluster (#14): ILB at .4, backend pool, SAL, nodes in the node subnet", async () => {
  const { res, op, cluster } = await createCluster(emu, RG, "byo1", clusterBody({ nodeSubnet, apiSubnet, integrate: true, identityId: mi.id }));
  assert.equal(res.status, 201, res.text);
  assert.ok(res.headers["azure-asyncoperation"], "Azure-AsyncOperation header");
  assert.equal(res.body.properties.provisioningState, "Creating");
  assert.equal(op.status, "Succeeded", JSON.stringify(op));
  assert.equal(cluster.properties.provisioningState, "Succeeded");
  assert.equal(cluster.properties.powerState.code, "Running");
  assert.deepEqual(cluster.properties.apiServerAccessProfile.enableVnetIntegration, true);
  assert.equal(cluster.properties.apiServerAccessProfile.subnetId, apiSubnet);
  assert.match(cluster.properties.fqdn, /^byo1-rg-byo-000000-[0-9a-f]{8}\.hcp\.westus2\.azmk8s\.io$/);
  assert.match(cluster.properties.azurePortalFQDN, /\.portal\.hcp\.westus2\.azmk8s\.io$/);
  assert.equal(cluster.properties.privateFQDN, undefined);
  assert.equal(cluster.properties.nodeResourceGroup, `MC_${RG}_byo1_${LOCATION}`);
  assert.equal(cluster.identity.type, "UserAssigned");
  assert.equal(cluster.identity.userAssignedIdentities[mi.id].principalId, mi.principalId);
  assert.equal(cluster.properties.agentPoolProfiles[0].vnetSubnetID, nodeSubnet);
  assert.ok(cluster.properties.identityProfile.kubeletidentity.clientId);

  const nrg = rgId(cluster.properties.nodeResourceGroup);
  const rg = await emu.request("GET", `${nrg}?api-version=2021-04-01`);
  assert.equal(rg.status, 200);
  assert.equal(rg.body.managedBy, clusterId(RG, "byo1"));

  const lb = (await get(emu, `${nrg}/providers/Microsoft.Network/loadBalancers/kube-apiserver`, NRP)).body;
  assert.equal(lb.sku.name, "Standard");
  assert.equal(lb.properties.frontendIPConfigurations[0].name, "kube-apiserver-frontend");
  assert.equal(lb.properties.frontendIPConfigurations[0].properties.privateIPAddress, "172.19.0.4");
  assert.equal(lb.properties.frontendIPConfigurations[0].properties.subnet.id.toLowerCase(), apiSubnet.toLowerCase());
  assert.equal(lb.properties.backendAddressPools[0].name, "kube-apiserver-backendpool");
  const backend = lb.properties.backendAddressPools[0].properties.loadBalancerBackendAddresses.map((a: any) => a.properties.ipAddress);
  assert.equal(backend.length, 4);
  for (const ip of backend) assert.match(ip, /^172\.19\.0\.(\d+)$/);
  assert.equal(lb.properties.loadBalancingRules.length, 1);
  assert.equal(lb.properties.probes.length, 1);

  const s = await subnetView(emu, apiSubnet);
  const sal = s.properties.serviceAssociationLinks?.[0];
  assert.equal(sal?.name, "AzureKubernetesService");
  assert.equal(sal.properties.linkedResourceType, DELEGATED);
  assert.equal(sal.properties.allowDelete, false);
  assert.ok((s.properties.ipConfigurations ?? []).some((c: any) => /kube-apiserver-frontend$/i.test(c.id)));

  const v = await view(emu, RG, "byo1");
  assert.equal(v.apiServer.mode, "ilb");
  assert.equal(v.apiServer.address, "172.19.0.4");
  assert.equal(v.apiServer.reservedAddresses.length, 9, "1 frontend + 8 API server addresses");
  assert.deepEqual(v.apiServer.backendAddresses, backend);
  assert.equal(v.apiServer.konnectivity, false);
  assert.equal(v.nodes.length, 3);
  for (const n of v.nodes) {
    assert.match(n.name, /^aks-nodepool1-\d{8}-vmss00000[0-2]$/);
    assert.match(n.internalIP, /^172\.19\.1\.\d+$/);
    assert.equal(n.podIPs.length, 30);
    assert.equal(n.kubeletServer, "https://172.19.0.4:443");
  }
  assert.equal(YAML.parse(v.kubeletKubeconfig).clusters[0].cluster.server, "https://172.19.0.4:443");
  assert.deepEqual(v.dns.map((r: any) => r.zone), ["public", "public"]);
  assert.equal(v.dns[0].name, cluster.properties.fqdn);

  // address usage through the Network API: 9 of 11 usable in the /28; 3 x (1 + 30 pods) in the node subnet
  assert.deepEqual(await usage(emu, apiSubnet), { used: 9, limit: 11 });
  assert.deepEqual(await usage(emu, nodeSubnet), { used: 93, limit: 251 });
  const avail = await emu.request("GET", `${vnetId(RG, "vnet")}/checkIPAddressAvailability?ipAddress=172.19.0.13&api-version=${NRP}`);
  assert.equal(avail.body.available, true);
});

test("credentials: AKS-shaped kubeconfigs (user, admin, monitoring)", async () => {
  const cid = clusterId(RG, "byo1");
  const fqdn = (await get(emu, cid, PREVIEW)).body.properties.fqdn;
  for (const [action, name, user, ctxName] of [
    ["listClusterUserCredential", "clusterUser", `clusterUser_${RG}_byo1`, "byo1"],
    ["listClusterAdminCredential", "clusterAdmin", `clusterAdmin_${RG}_byo1`, "byo1"],
    ["listClusterMonitoringUserCredential", "clusterMonitoringUser", `clusterMonitoringUser_${RG}_byo1`, "byo1"],
  ] as const) {
    const r = await post(emu, `${cid}/${action}`, PREVIEW);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.kubeconfigs[0].name, name);
    const kc = YAML.parse(Buffer.from(r.body.kubeconfigs[0].value, "base64").toString("utf8"));
    assert.equal(kc.clusters[0].name, "byo1");
    assert.equal(kc.users[0].name, user);
    assert.equal(kc["current-context"], ctxName);
    const c = kc.clusters[0].cluster;
    assert.ok(c.server === `https://${fqdn}:443` || (c.server.startsWith("https://127.0.0.1:") && c["tls-server-name"] === fqdn), JSON.stringify(c));
    assert.match(Buffer.from(c["certificate-authority-data"], "base64").toString(), /BEGIN CERTIFICATE/);
  }
});

test("command invoke runs with a shell beside kubectl, like AKS's command pod; node views come from emulatorView", async () => {
  const cid = clusterId(RG, "byo1");
  const run = async (command: string) => {
    const r = await post(emu, `${cid}/runCommand`, PREVIEW, { command });
    assert.equal(r.status, 202, r.text);
    const loc = new URL(r.headers.location as string);
    for (let i = 0; i < 400; i++) {
      const x = await emu.request("GET", loc.pathname + loc.search);
      if (x.status === 200) return { body: x.body, id: loc.pathname.split("/").pop() };
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error(`command ${command} did not finish`);
  };
  // The simulation brings coredns up after the create succeeded: wait for it as a user would.
  const { body, id } = await run("kubectl wait --for=condition=Ready pod -l k8s-app=kube-dns -n kube-system --timeout=60s >/dev/null && kubectl get pods -A | grep coredns");
  assert.equal(body.properties.exitCode, 0, body.properties.logs);
  assert.match(body.properties.logs, /^kube-system\s+coredns-\S+\s+1\/1\s+Running/m);
  assert.doesNotMatch(body.properties.logs, /NAMESPACE/, "grep ran in the shell, not as kubectl arguments");
  const cr = await get(emu, `${cid}/commandResults/${id}`, PREVIEW);
  assert.equal(cr.status, 200, cr.text);
  assert.equal(cr.body.properties.exitCode, 0);
  const failed = await run("kubectl get ns does-not-exist; exit 3");
  assert.equal(failed.body.properties.exitCode, 3);
  assert.match(failed.body.properties.logs, /namespaces "does-not-exist" not found/);
  // Where the nodes' kubelets reach the API server: the read-only emulator view (aksemu inspect).
  const v = await view(emu, RG, "byo1");
  assert.match(v.kubeletKubeconfig, /server: https:\/\/172\.19\.0\.4:443/);
  assert.ok(v.nodes.every((n: any) => n.kubeletServer === "https://172.19.0.4:443"));
  const cli = spawnSync(process.execPath, [AKSEMU_BIN, "inspect", "kubelet-kubeconfig", "-g", RG, "-n", "byo1", "--data-dir", emu.dataDir], { encoding: "utf8" });
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /server: https:\/\/172\.19\.0\.4:443/);
  const dns = spawnSync(process.execPath, [AKSEMU_BIN, "inspect", "dns", "-g", RG, "-n", "byo1", "--data-dir", emu.dataDir], { encoding: "utf8" });
  assert.equal(dns.status, 0, dns.stderr);
  assert.match(dns.stdout, /^public\tbyo1-\S+\.hcp\.westus2\.azmk8s\.io\tA\t/m);
});

test("a second cluster on the same /28 runs out of addresses (InsufficientSubnetSize)", async () => {
  const r = await createCluster(emu, RG, "byo2", clusterBody({ nodeSubnet, apiSubnet, integrate: true, identityId: mi.id, count: 1 }));
  expectError(r.res, 400, "InsufficientSubnetSize",
    "Pre-allocated IPs 9 exceeds IPs available 2 in Subnet Cidr 172.19.0.0/28, Subnet Name apiserver. http://aka.ms/aks/insufficientsubnetsize");
});

test("BYO validation failures, in Azure's order, nothing written", async () => {
  await vnet(emu, RG, "other", "172.30.0.0/16");
  const otherApi = await subnet(emu, RG, "other", "apiserver", "172.30.0.0/28", DELEGATED);
  const undelegated = await subnet(emu, RG, "vnet", "plain", "172.19.2.0/28");
  const small = await subnet(emu, RG, "vnet", "small", "172.19.3.0/29", DELEGATED);
  const webDelegated = await subnet(emu, RG, "vnet", "web", "172.19.4.0/24", "Microsoft.Web/serverFarms");
  const fresh = await subnet(emu, RG, "vnet", "apiserver2", "172.19.5.0/28", DELEGATED);
  await networkContributor(emu, fresh, mi.principalId);
  await networkContributor(emu, webDelegated, mi.principalId);
  const missing = `${vnetId(RG, "vnet")}/subnets/nope`;
  const cases: Array<[string, any, number, string, string | RegExp]> = [
    ["subnetId without integration", clusterBody({ nodeSubnet, apiSubnet: fresh, identityId: mi.id }), 400, "ApiserverSubnetConfigError",
      "apiServerAccessProfile.subnetId should be empty because apiserverVnetIntegration is not enabled."],
    ["BYO without subnetId", clusterBody({ nodeSubnet, integrate: true, identityId: mi.id }), 400, "ApiserverSubnetConfigError",
      "apiServerAccessProfile.subnetId should not be empty when using custom vnet with apiserverVnetIntegration"],
    ["managed VNet with subnetId", clusterBody({ apiSubnet: fresh, integrate: true }), 400, "ApiserverSubnetConfigError",
      "apiServerAccessProfile.subnetId should be empty when using default vnet with apiserverVnetIntegration"],
    ["subnet not found", clusterBody({ nodeSubnet, apiSubnet: missing, integrate: true, identityId: mi.id }), 400, "SubnetNotFound", /apiServerAccessProfile\.subnetId/],
    ["other VNet", clusterBody({ nodeSubnet, apiSubnet: otherApi, integrate: true, identityId: mi.id }), 400, "ApiserverSubnetConfigError", /same virtual network/],
    ["not delegated", clusterBody({ nodeSubnet, apiSubnet: undelegated, integrate: true, identityId: mi.id }), 400, "ApiserverSubnetConfigError", /must be delegated to Microsoft\.ContainerService\/managedClusters/],
    ["smaller than /28", clusterBody({ nodeSubnet, apiSubnet: small, integrate: true, identityId: mi.id }), 400, "ApiserverSubnetConfigError", /\/28 or larger/],
    ["node subnet delegated", clusterBody({ nodeSubnet: webDelegated, apiSubnet: fresh, integrate: true, identityId: mi.id }), 400, "SubnetIsDelegated",
      `AgentPoolProfile.VnetSubnetID ${webDelegated} cannot be used as it's a delegated subnet. Please check https://aka.ms/adv-network-prerequest for more details.`],
    ["identity missing", clusterBody({ nodeSubnet, apiSubnet: fresh, integrate: true, identityId: `${rgId(RG)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ghost` }), 404, "ResourceNotFound",
      `The Resource 'Microsoft.ManagedIdentity/userAssignedIdentities/ghost' under resource group '${RG}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`],
  ];
  for (const [what, body, status, code, msg] of cases) {
    const r = await createCluster(emu, RG, "bad", body);
    assert.equal(r.res.status, status, `${what}: ${r.res.text}`);
    expectError(r.res, status, code, msg);
  }
  // a node resource group name that is taken
  await resourceGroup(emu, `MC_${RG}_taken_${LOCATION}`);
  expectError((await createCluster(emu, RG, "taken", clusterBody({ nodeSubnet, identityId: mi.id, count: 1 }))).res, 400, "InvalidParameter", /nodeResourceGroup 'MC_rg-byo_taken_westus2' already exists/);
  // identity without Network Contributor on the API server subnet: Azure accepts the PUT and the
  // operation fails when AKS writes the API server's load balancer into the subnet as the identity
  const mi2 = await identity(emu, RG, "no-rights");
  await networkContributor(emu, nodeSubnet, mi2.principalId);
  const r = await createCluster(emu, RG, "bad", clusterBody({ nodeSubnet, apiSubnet: fresh, integrate: true, identityId: mi2.id }));
  assert.equal(r.res.status, 201, r.res.text);
  assert.equal(r.op.status, "Failed", JSON.stringify(r.op));
  const nrg = `MC_${RG}_bad_${LOCATION}`;
  assert.equal(r.op.error.code, "LinkedAuthorizationFailed");
  assert.equal(r.op.error.message,
    `The client '${mi2.clientId}' with object id '${mi2.principalId}' has permission to perform action 'Microsoft.Network/loadBalancers/write' on scope '${rgId(nrg)}/providers/Microsoft.Network/loadBalancers/kube-apiserver'; however, it does not have permission to perform action 'Microsoft.Network/virtualNetworks/subnets/join/action' on the linked scope(s) '${fresh}' or the linked scope(s) are invalid.`);
  assert.equal(r.cluster.properties.provisioningState, "Failed");
  assert.equal((await get(emu, rgId(nrg), "2021-04-01")).status, 200, "the node resource group made before the failure stays");
  // grant the role and PUT again: the failed cluster provisions
  await networkContributor(emu, fresh, mi2.principalId);
  const again = await createCluster(emu, RG, "bad", clusterBody({ nodeSubnet, apiSubnet: fresh, integrate: true, identityId: mi2.id }));
  assert.equal(again.op.status, "Succeeded", JSON.stringify(again.op));
  await del(emu, clusterId(RG, "bad"), PREVIEW);
  // granted on the API server subnet, but not on the node subnet: the scale set write fails
  const mi3 = await identity(emu, RG, "api-only");
  await networkContributor(emu, fresh, mi3.principalId);
  const r3 = await createCluster(emu, RG, "bad3", clusterBody({ nodeSubnet, apiSubnet: fresh, integrate: true, identityId: mi3.id }));
  assert.equal(r3.op.status, "Failed", JSON.stringify(r3.op));
  assert.match(r3.op.error.message, new RegExp(`^The client '${mi3.clientId}' with object id '${mi3.principalId}' has permission to perform action 'Microsoft\\.Compute/virtualMachineScaleSets/write' on scope '[^']*/resourceGroups/MC_${RG}_bad3_${LOCATION}/providers/Microsoft\\.Compute/virtualMachineScaleSets/aks-nodepool1-\\d{8}-vmss'; however, it does not have permission to perform action 'Microsoft\\.Network/virtualNetworks/subnets/join/action' on the linked scope\\(s\\) '${nodeSubnet}' or the linked scope\\(s\\) are invalid\\.$`));
  await del(emu, clusterId(RG, "bad3"), PREVIEW);
  // the fresh subnet is left as it was by all of that
  const s = await subnetView(emu, fresh);
  assert.equal(s.properties.serviceAssociationLinks, undefined);
  // subnet used by another workload (an internal LB of the customer)
  await ok(emu, `${rgId(RG)}/providers/Microsoft.Network/loadBalancers/customer-ilb`, {
    location: LOCATION, sku: { name: "Standard" },
    properties: { frontendIPConfigurations: [{ name: "fe", properties: { subnet: { id: fresh } } }] },
  }, NRP);
  const used = await createCluster(emu, RG, "bad", clusterBody({ nodeSubnet, apiSubnet: fresh, integrate: true, identityId: mi.id }));
  expectError(used.res, 400, "ApiserverSubnetConfigError", /is used by other resources/);
});

test("BYO VNet private cluster (#15): private FQDN, system private DNS zone → ILB address", async () => {
  await vnet(emu, RG, "vnet-priv", "172.20.0.0/16");
  const api = await subnet(emu, RG, "vnet-priv", "apiserver", "172.20.0.0/28", DELEGATED);
  const nodes = await subnet(emu, RG, "vnet-priv", "nodes", "172.20.1.0/24");
  await networkContributor(emu, api, mi.principalId);
  await networkContributor(emu, nodes, mi.principalId);
  const { op, cluster } = await createCluster(emu, RG, "priv1", clusterBody({ nodeSubnet: nodes, apiSubnet: api, integrate: true, private: true, identityId: mi.id }));
  assert.equal(op.status, "Succeeded", JSON.stringify(op));
  const asp = cluster.properties.apiServerAccessProfile;
  assert.equal(asp.enablePrivateCluster, true);
  assert.equal(asp.privateDNSZone, "system");
  const m = /^(priv1-rg-byo-000000-[0-9a-f]{8})\.([0-9a-f-]{36})\.private\.westus2\.azmk8s\.io$/.exec(cluster.properties.privateFQDN);
  assert.ok(m, cluster.properties.privateFQDN);
  assert.equal(cluster.properties.fqdn, `${m[1]}.hcp.westus2.azmk8s.io`, "public FQDN kept by default (enablePrivateClusterPublicFQDN)");
  const zoneId = `${rgId(cluster.properties.nodeResourceGroup)}/providers/Microsoft.Network/privateDnsZones/${m[2]}.private.westus2.azmk8s.io`;
  const a = await get(emu, `${zoneId}/A/${m[1]}`, "2020-06-01");
  assert.equal(a.status, 200, a.text);
  assert.deepEqual(a.body.properties.aRecords, [{ ipv4Address: "172.20.0.4" }]);
  const links = await get(emu, `${zoneId}/virtualNetworkLinks`, "2020-06-01");
  assert.equal(links.body.value[0].properties.virtualNetwork.id.toLowerCase(), vnetId(RG, "vnet-priv").toLowerCase());
  const v = await view(emu, RG, "priv1");
  assert.deepEqual(v.dns.find((r: any) => r.zone === "private"), { zone: "private", name: cluster.properties.privateFQDN, type: "A", address: "172.20.0.4", zoneId });
  assert.equal(v.dns.find((r: any) => r.zone === "public").address, "172.20.0.4", "public FQDN of a private cluster resolves to the private address");
  // kubeconfig: the private FQDN unless server-fqdn=public
  const cid = clusterId(RG, "priv1");
  const kc = (r: any) => YAML.parse(Buffer.from(r.body.kubeconfigs[0].value, "base64").toString("utf8")).clusters[0].cluster;
  assert.equal(kc(await post(emu, `${cid}/listClusterUserCredential`, PREVIEW)).server, `https://${cluster.properties.privateFQDN}:443`);
  const pub = kc(await post(emu, `${cid}/listClusterUserCredential?server-fqdn=public`, PREVIEW));
  assert.ok(pub.server === `https://${cluster.properties.fqdn}:443` || pub["tls-server-name"] === cluster.properties.fqdn, JSON.stringify(pub));
});

test("several clusters share one /27 while addresses last; delete releases addresses, SAL and node RG", async () => {
  await vnet(emu, RG, "shared", "10.50.0.0/16");
  const api = await subnet(emu, RG, "shared", "apiserver", "10.50.0.0/27", DELEGATED);
  const nodes = await subnet(emu, RG, "shared", "nodes", "10.50.1.0/24");
  await networkContributor(emu, vnetId(RG, "shared"), mi.principalId);
  const body = () => clusterBody({ nodeSubnet: nodes, apiSubnet: api, integrate: true, identityId: mi.id, count: 1 });
  const fronts: string[] = [];
  for (const name of ["s1", "s2", "s3"]) {
    const { op } = await createCluster(emu, RG, name, body());
    assert.equal(op.status, "Succeeded", `${name}: ${JSON.stringify(op)}`);
    fronts.push((await view(emu, RG, name)).apiServer.address);
  }
  assert.deepEqual(fronts, ["10.50.0.4", "10.50.0.13", "10.50.0.22"], "each cluster: frontend + 8 reserved, lowest free first");
  const full = await createCluster(emu, RG, "s4", body());
  expectError(full.res, 400, "InsufficientSubnetSize", "Pre-allocated IPs 9 exceeds IPs available 0 in Subnet Cidr 10.50.0.0/27, Subnet Name apiserver. http://aka.ms/aks/insufficientsubnetsize");
  let s = await subnetView(emu, api);
  assert.equal(s.properties.serviceAssociationLinks.length, 1, "one SAL for all clusters");
  assert.deepEqual(await usage(emu, api), { used: 27, limit: 27 });

  // delete s2: its 9 addresses come back, the SAL stays for s1/s3
  const nrg = (await get(emu, clusterId(RG, "s2"), PREVIEW)).body.properties.nodeResourceGroup;
  const d = await emu.request("DELETE", `${clusterId(RG, "s2")}?api-version=${PREVIEW}`);
  assert.equal(d.status, 202, d.text);
  assert.ok(d.headers.location);
  await del(emu, clusterId(RG, "s2"), PREVIEW);
  assert.equal((await get(emu, clusterId(RG, "s2"), PREVIEW)).status, 404);
  assert.equal((await emu.request("GET", `${rgId(nrg)}?api-version=2021-04-01`)).status, 404, "node RG gone");
  s = await subnetView(emu, api);
  assert.equal(s.properties.serviceAssociationLinks.length, 1);
  const { op } = await createCluster(emu, RG, "s4", body());
  assert.equal(op.status, "Succeeded");
  assert.equal((await view(emu, RG, "s4")).apiServer.address, "10.50.0.13", "reuses the released addresses");

  for (const name of ["s1", "s3", "s4"]) await del(emu, clusterId(RG, name), PREVIEW);
  s = await subnetView(emu, api);
  assert.equal(s.properties.serviceAssociationLinks, undefined, "SAL removed with the last cluster");
  assert.equal((await usage(emu, api)).used, 0);
  assert.equal((await usage(emu, nodes)).used, 0);
  assert.equal((s.properties.ipConfigurations ?? []).length, 0);
  // now the subnet (and VNet) can be deleted again
  const ds = await emu.request("DELETE", `${api}?api-version=${NRP}`);
  assert.ok([200, 202, 204].includes(ds.status), ds.text);
});

test("old api-versions: fields dropped from requests and responses", async () => {
  const old = "2022-11-01";
  const r = await get(emu, clusterId(RG, "byo1"), old);
  assert.equal(r.status, 200);
  assert.equal(r.body.properties.apiServerAccessProfile?.enableVnetIntegration, undefined);
  assert.equal(r.body.properties.apiServerAccessProfile?.subnetId, undefined);
  // a PUT at 2022-11-01 with the fields creates a plain (non-integrated) cluster
  const { op } = await put(emu, clusterId(RG, "oldapi"), clusterBody({ nodeSubnet, apiSubnet: `${apiSubnet}x`, integrate: true, identityId: mi.id, count: 1 }), old);
  assert.equal(op.status, "Succeeded", JSON.stringify(op));
  const v = await view(emu, RG, "oldapi");
  // an explicit enableVnetIntegration=false (Terraform sends it) is kept and rendered
  const tf = await put(emu, clusterId(RG, "oldapi"), { ...clusterBody({ nodeSubnet, identityId: mi.id, count: 1 }), properties: { ...clusterBody({ nodeSubnet, identityId: mi.id, count: 1 }).properties, apiServerAccessProfile: { enableVnetIntegration: false } } }, PREVIEW);
  assert.equal(tf.op.status, "Succeeded", JSON.stringify(tf.op));
  assert.equal((await get(emu, clusterId(RG, "oldapi"), PREVIEW)).body.properties.apiServerAccessProfile.enableVnetIntegration, false);
  assert.equal(v.apiServer.mode, "public");
  assert.equal(v.nodes[0].kubeletServer, `https://${(await get(emu, clusterId(RG, "oldapi"), PREVIEW)).body.properties.fqdn}:443`);
  // and a later PUT at 2022-11-01 of an integrated cluster keeps its integration
  const again = await put(emu, clusterId(RG, "byo1"), clusterBody({ nodeSubnet, identityId: mi.id }), old);
  assert.equal(again.op.status, "Succeeded", JSON.stringify(again.op));
  const after = (await get(emu, clusterId(RG, "byo1"), PREVIEW)).body;
  assert.equal(after.properties.apiServerAccessProfile.enableVnetIntegration, true);
  assert.equal(after.properties.apiServerAccessProfile.subnetId, apiSubnet);
});

test("custom private DNS zone: record in the customer's zone; update to 'none' removes it", async () => {
  const zoneName = "team1.private.westus2.azmk8s.io";
  const zoneId = `${rgId(RG)}/providers/Microsoft.Network/privateDnsZones/${zoneName}`;
  await ok(emu, zoneId, { location: "global" }, "2020-06-01");
  await vnet(emu, RG, "vnet-cz", "172.21.0.0/16");
  const api = await subnet(emu, RG, "vnet-cz", "apiserver", "172.21.0.0/28", DELEGATED);
  const nodes = await subnet(emu, RG, "vnet-cz", "nodes", "172.21.1.0/24");
  await networkContributor(emu, vnetId(RG, "vnet-cz"), mi.principalId);
  const body = clusterBody({ nodeSubnet: nodes, apiSubnet: api, integrate: true, private: true, identityId: mi.id, count: 1, extraAsp: { privateDNSZone: zoneId } });
  // without Private DNS Zone Contributor on the zone
  expectError((await createCluster(emu, RG, "cz", body)).res, 400, "CustomPrivateDNSZoneMissingPermissionError", /privateDnsZones\/write/);
  // system-assigned identity is not supported with a custom zone
  const sys = clusterBody({ integrate: true, private: true, count: 1, extraAsp: { privateDNSZone: zoneId } });
  expectError((await createCluster(emu, RG, "cz", sys)).res, 400, "InvalidParameter", /user-assigned/);
  await roleAssignment(emu, zoneId, mi.principalId, PRIVATE_DNS_ZONE_CONTRIBUTOR);
  const { op, cluster } = await createCluster(emu, RG, "cz", body);
  assert.equal(op.status, "Succeeded", JSON.stringify(op));
  const label = cluster.properties.fqdn.split(".")[0];
  assert.equal(cluster.properties.privateFQDN, `${label}.${zoneName}`);
  const a = await get(emu, `${zoneId}/A/${label}`, "2020-06-01");
  assert.deepEqual(a.body.properties.aRecords, [{ ipv4Address: "172.21.0.4" }]);
  // custom → none is allowed, none → system is not
  const cid = clusterId(RG, "cz");
  const none = { ...cluster, properties: { ...cluster.properties, apiServerAccessProfile: { ...cluster.properties.apiServerAccessProfile, privateDNSZone: "none" } } };
  assert.equal((await put(emu, cid, none, PREVIEW)).op.status, "Succeeded");
  assert.equal((await get(emu, `${zoneId}/A/${label}`, "2020-06-01")).status, 404);
  const cur = (await get(emu, cid, PREVIEW)).body;
  const back = { ...cur, properties: { ...cur.properties, apiServerAccessProfile: { ...cur.properties.apiServerAccessProfile, privateDNSZone: "system" } } };
  expectError((await put(emu, cid, back, PREVIEW)).res, 400, "OperationNotAllowed", /only be updated from 'system' or a custom zone to 'none'/);
  // with privateDNSZone none the kubeconfig uses the public FQDN
  const kc = YAML.parse(Buffer.from((await post(emu, `${cid}/listClusterUserCredential`, PREVIEW)).body.kubeconfigs[0].value, "base64").toString()).clusters[0].cluster;
  assert.ok(kc.server.includes(cur.properties.fqdn) || kc["tls-server-name"] === cur.properties.fqdn, JSON.stringify(kc));
});

test("agent pools: add a user pool (addresses from the node subnet), PATCH tags, delete the pool", async () => {
  const cid = clusterId(RG, "byo1");
  const before = await usage(emu, nodeSubnet);
  const r = await put(emu, `${cid}/agentPools/user1`, { properties: { count: 2, mode: "User", vmSize: "Standard_DS2_v2", vnetSubnetID: nodeSubnet } }, PREVIEW);
  assert.ok([200, 201].includes(r.res.status), r.res.text);
  assert.equal(r.op.status, "Succeeded", JSON.stringify(r.op));
  const pool = (await get(emu, `${cid}/agentPools/user1`, PREVIEW)).body;
  assert.equal(pool.properties.mode, "User");
  assert.equal(pool.properties.maxPods, 30);
  const c = (await get(emu, cid, PREVIEW)).body;
  assert.deepEqual(c.properties.agentPoolProfiles.map((p: any) => p.name), ["nodepool1", "user1"]);
  let v = await view(emu, RG, "byo1");
  assert.equal(v.nodes.filter((n: any) => n.pool === "user1").length, 2);
  assert.equal((await usage(emu, nodeSubnet)).used, before.used + 62);
  assert.match(v.nodes.find((n: any) => n.pool === "user1").name, /^aks-user1-\d{8}-vmss000000$/);
  const list = (await get(emu, `${cid}/agentPools`, PREVIEW)).body.value;
  assert.equal(list.length, 2);
  const patched = await emu.request("PATCH", `${cid}?api-version=${PREVIEW}`, { tags: { env: "test" } });
  assert.equal(patched.status, 200, patched.text);
  assert.deepEqual(patched.body.tags, { env: "test" });
  // the last System pool cannot go
  expectError(await emu.request("DELETE", `${cid}/agentPools/nodepool1?api-version=${PREVIEW}`), 400, "OperationNotAllowed", /last System mode pool/);
  await del(emu, `${cid}/agentPools/user1`, PREVIEW);
  assert.equal((await get(emu, `${cid}/agentPools/user1`, PREVIEW)).status, 404);
  v = await view(emu, RG, "byo1");
  assert.equal(v.nodes.filter((n: any) => n.pool === "user1").length, 0);
  assert.equal((await usage(emu, nodeSubnet)).used, before.used, "the pool's node and pod addresses are released");
});

test("classic private cluster (no VNet integration): privatelink zone, private endpoint address in the node subnet", async () => {
  await vnet(emu, RG, "vnet-pl", "172.22.0.0/16");
  const nodes = await subnet(emu, RG, "vnet-pl", "nodes", "172.22.1.0/24");
  await networkContributor(emu, nodes, mi.principalId);
  const { op, cluster } = await createCluster(emu, RG, "pl1", clusterBody({ nodeSubnet: nodes, private: true, identityId: mi.id, count: 1 }), "2026-06-01");
  assert.equal(op.status, "Succeeded", JSON.stringify(op));
  assert.match(cluster.properties.privateFQDN, /^pl1-rg-byo-000000-[0-9a-f]{8}\.[0-9a-f-]{36}\.privatelink\.westus2\.azmk8s\.io$/);
  const v = await view(emu, RG, "pl1");
  assert.equal(v.apiServer.mode, "privateEndpoint");
  assert.match(v.apiServer.address, /^172\.22\.1\.\d+$/);
  assert.equal(v.nodes[0].kubeletServer, `https://${cluster.properties.privateFQDN}:443`, "non-integrated nodes use the FQDN");
  assert.equal(v.dns.find((r: any) => r.zone === "private").address, v.apiServer.address);
  assert.equal((await usage(emu, nodes)).used, 32, "1 node x 31 + the private endpoint");
  // private mode cannot be switched off without VNet integration
  const off = { ...cluster, properties: { ...cluster.properties, apiServerAccessProfile: { ...cluster.properties.apiServerAccessProfile, enablePrivateCluster: false } } };
  expectError((await put(emu, clusterId(RG, "pl1"), off, "2026-06-01")).res, 400, "OperationNotAllowed", /VNet Integration/);
  await del(emu, clusterId(RG, "pl1"), "2026-06-01");
  assert.equal((await usage(emu, nodes)).used, 0);
});
