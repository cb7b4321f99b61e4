import { test } from "node:test";
import assert from "node:assert/strict";
import { filterForApiVersion, normalizeProperties, normalizeNetworkProfile, addressesPerNode } from "../../src/providers/containerservice/spec.js";
import { renderManagedCluster } from "../../src/providers/containerservice/render.js";
import { applyPrivateDns } from "../../src/providers/containerservice/private-dns.js";
import { buildKubeconfig, buildKubeletKubeconfig } from "../../src/providers/containerservice/kubeconfig.js";
import YAML from "yaml";
import { ArmError } from "../../src/arm/errors.js";

const body = { location: "westus2", properties: { apiServerAccessProfile: { enableVnetIntegration: true, subnetId: "/x", enablePrivateCluster: false }, agentPoolProfiles: [{ name: "nodepool1" }] } };

test("fields are dropped silently on api-versions that lack them", () => {
  assert.deepEqual(filterForApiVersion(body, "2022-11-01").properties.apiServerAccessProfile, { enablePrivateCluster: false });
  assert.deepEqual(filterForApiVersion(body, "2025-02-01").properties.apiServerAccessProfile, { enablePrivateCluster: false });
  assert.equal(filterForApiVersion(body, "2022-04-02-preview").properties.apiServerAccessProfile.enableVnetIntegration, true);
  assert.equal(filterForApiVersion(body, "2025-03-01").properties.apiServerAccessProfile.subnetId, "/x");
});

function rec(props: Record<string, any>) {
  return { id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c", name: "c", type: "Microsoft.ContainerService/managedClusters", location: "westus2", properties: props };
}

test("render per api-version; managed VNet renders subnetId \"\"", () => {
  const props = { provisioningState: "Succeeded", agentPoolProfiles: [{ name: "nodepool1", count: 1 }], apiServerAccessProfile: { enableVnetIntegration: true, enablePrivateCluster: false } };
  const newer = renderManagedCluster(rec(props), "2026-06-01") as any;
  assert.equal(newer.type, "Microsoft.ContainerService/ManagedClusters");
  assert.deepEqual(newer.properties.apiServerAccessProfile, { enableVnetIntegration: true, enablePrivateCluster: false, subnetId: "" });
  assert.equal(newer.properties.agentPoolProfiles[0].provisioningState, "Succeeded");
  const old = renderManagedCluster(rec(props), "2022-11-01") as any;
  assert.equal(old.properties.apiServerAccessProfile, undefined);
  const byo = renderManagedCluster(rec({ ...props, agentPoolProfiles: [{ name: "p", vnetSubnetID: "/n" }], apiServerAccessProfile: { enableVnetIntegration: true, subnetId: "/a" } }), "2022-04-02-preview") as any;
  assert.equal(byo.properties.apiServerAccessProfile.subnetId, "/a");
});

const nctx = { name: "c", resourceGroup: "rg", subscriptionId: "s", location: "westus2", apiVersion: "2026-06-01", defaultDnsPrefix: "c-rg-s" };

test("defaults as AKS fills them", () => {
  const p = normalizeProperties({ agentPoolProfiles: [{ name: "nodepool1" }], networkProfile: { networkPlugin: "azure" } }, nctx);
  assert.equal(p.kubernetesVersion, "1.31.10");
  assert.equal(p.currentKubernetesVersion, "1.31.10");
  assert.equal(p.dnsPrefix, "c-rg-s");
  assert.deepEqual([p.networkProfile.serviceCidr, p.networkProfile.dnsServiceIP, p.networkProfile.outboundType, p.networkProfile.loadBalancerSku], ["10.0.0.0/16", "10.0.0.10", "loadBalancer", "standard"]);
  assert.equal(p.networkProfile.podCidr, undefined);
  const pool = p.agentPoolProfiles[0];
  assert.deepEqual([pool.mode, pool.osType, pool.osSKU, pool.maxPods, pool.type], ["System", "Linux", "Ubuntu", 30, "VirtualMachineScaleSets"]);
  assert.match(pool.nodeImageVersion, /^AKSUbuntu-2204gen2containerd-/);
  const kubenet = normalizeNetworkProfile({ networkPlugin: "kubenet" }, undefined);
  assert.equal(kubenet.podCidr, "10.244.0.0/16");
  const overlay = normalizeNetworkProfile(undefined, undefined);
  assert.deepEqual([overlay.networkPlugin, overlay.networkPluginMode, overlay.podCidr], ["azure", "overlay", "10.244.0.0/16"]);
  assert.equal(addressesPerNode({ networkPlugin: "azure" }, 30), 31);
  assert.equal(addressesPerNode({ networkPlugin: "azure", networkPluginMode: "overlay" }, 250), 1);
});

test("updates keep fields the request leaves out; dnsPrefix is immutable", () => {
  const first = normalizeProperties({ agentPoolProfiles: [{ name: "nodepool1", count: 3 }], networkProfile: { networkPlugin: "azure" }, apiServerAccessProfile: { enableVnetIntegration: true, subnetId: "/a" } }, nctx);
  const again = normalizeProperties({ agentPoolProfiles: [{ name: "nodepool1", count: 4 }] }, { ...nctx, existing: first });
  assert.equal(again.apiServerAccessProfile.enableVnetIntegration, true);
  assert.equal(again.apiServerAccessProfile.subnetId, "/a");
  assert.equal(again.agentPoolProfiles[0].count, 4);
  assert.throws(() => normalizeProperties({ dnsPrefix: "other" }, { ...nctx, existing: first }), (e) => e instanceof ArmError && e.code === "PropertyChangeNotAllowed");
  assert.throws(() => normalizeProperties({ networkProfile: { networkPlugin: "kubenet" } }, { ...nctx, existing: first }), (e) => e instanceof ArmError && /networkProfile\.networkPlugin/.test(e.message));
});

test("private DNS defaults and zone-mode rules", () => {
  const id = { kind: "SystemAssigned" as const };
  const base = { isCreate: true, region: "eastus", identity: id, zoneExists: () => true, canWriteZone: () => true };
  const next: any = { enablePrivateCluster: true, enableVnetIntegration: true };
  applyPrivateDns({ ...base, requested: {}, next });
  assert.equal(next.privateDNSZone, "system");
  assert.equal(next.enablePrivateClusterPublicFQDN, true);
  const pub: any = { enablePrivateCluster: false, privateDNSZone: "system" };
  assert.throws(() => applyPrivateDns({ ...base, requested: { privateDNSZone: "system" }, next: pub }), (e) => e instanceof ArmError && /must be empty for a public cluster/.test(e.message));
  assert.throws(() => applyPrivateDns({ ...base, requested: {}, next: { enablePrivateCluster: true, privateDNSZone: "none", enablePrivateClusterPublicFQDN: false } }), /not supported together/);
  const zone = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/private.eastus.azmk8s.io";
  assert.throws(() => applyPrivateDns({ ...base, requested: {}, next: { enablePrivateCluster: true, enableVnetIntegration: true, privateDNSZone: zone } }), /user-assigned/);
  applyPrivateDns({ ...base, identity: { kind: "UserAssigned", principalId: "p" }, requested: {}, next: { enablePrivateCluster: true, enableVnetIntegration: true, privateDNSZone: zone } });
  assert.throws(() => applyPrivateDns({ ...base, identity: { kind: "UserAssigned", principalId: "p" }, canWriteZone: () => false, requested: {}, next: { enablePrivateCluster: true, enableVnetIntegration: true, privateDNSZone: zone } }), (e) => e instanceof ArmError && e.code === "CustomPrivateDNSZoneMissingPermissionError");
  const bad = zone.replace("private.eastus", "privatelink.eastus");
  assert.throws(() => applyPrivateDns({ ...base, identity: { kind: "UserAssigned", principalId: "p" }, requested: {}, next: { enablePrivateCluster: true, enableVnetIntegration: true, privateDNSZone: bad } }), /is invalid/);
  // update: system → none allowed, none → system refused
  const prev = { enablePrivateCluster: true, privateDNSZone: "system" };
  applyPrivateDns({ ...base, isCreate: false, previous: prev, requested: { privateDNSZone: "none" }, next: { enablePrivateCluster: true, privateDNSZone: "none" } });
  assert.throws(() => applyPrivateDns({ ...base, isCreate: false, previous: { enablePrivateCluster: true, privateDNSZone: "none" }, requested: { privateDNSZone: "system" }, next: { enablePrivateCluster: true, privateDNSZone: "system" } }), (e) => e instanceof ArmError && e.code === "OperationNotAllowed");
});

test("kubeconfig in AKS shape", () => {
  const y = YAML.parse(buildKubeconfig({ clusterName: "c", resourceGroup: "rg", role: "clusterAdmin", server: "https://127.0.0.1:1234", tlsServerName: "c-1.hcp.eastus.azmk8s.io", caPem: "CA", token: "t" }));
  assert.equal(y.clusters[0].name, "c");
  assert.equal(y.clusters[0].cluster["tls-server-name"], "c-1.hcp.eastus.azmk8s.io");
  assert.equal(Buffer.from(y.clusters[0].cluster["certificate-authority-data"], "base64").toString(), "CA");
  assert.equal(y.users[0].name, "clusterAdmin_rg_c");
  assert.equal(y.contexts[0].name, "c", "az appends -admin when it merges");
  assert.equal(y["current-context"], "c");
  const u = YAML.parse(buildKubeconfig({ clusterName: "c", resourceGroup: "rg", role: "clusterUser", server: "https://x:443", caPem: "CA", token: "t" }));
  assert.equal(u.contexts[0].name, "c");
  assert.equal(u.users[0].name, "clusterUser_rg_c");
  assert.equal(YAML.parse(buildKubeletKubeconfig({ server: "https://172.19.0.4:443" })).clusters[0].cluster.server, "https://172.19.0.4:443");
});
