import { test } from "node:test";
import assert from "node:assert/strict";
import {
  apiServerPublicIp, defaultDnsPrefix, digits8, fqdnLabel, guidFrom, hash8, isAllowedCustomZoneName, isValidClusterName, isValidDnsPrefix,
  managedVnetName, nodeName, nodeResourceGroupName, nsgName, portalFqdn, privateFqdn, publicFqdn, systemPrivateZone, vmssName,
} from "../../src/providers/containerservice/names.js";
import { hasVnetIntegrationFields, MANAGED_CLUSTER_API_VERSIONS } from "../../src/providers/containerservice/api-versions.js";
import { resolveKubernetesVersion } from "../../src/providers/containerservice/versions.js";

test("FQDN formats (§3.5)", () => {
  const h = hash8("seed");
  assert.match(h, /^[0-9a-f]{8}$/);
  const label = fqdnLabel("MyPrefix", h);
  assert.equal(label, `myprefix-${h}`);
  assert.equal(publicFqdn(label, "westus2"), `myprefix-${h}.hcp.westus2.azmk8s.io`);
  assert.equal(portalFqdn(label, "westus2"), `myprefix-${h}.portal.hcp.westus2.azmk8s.io`);
  const guid = guidFrom("x");
  assert.match(guid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(systemPrivateZone(guid, "eastus", true), `${guid}.private.eastus.azmk8s.io`);
  assert.equal(systemPrivateZone(guid, "eastus", false), `${guid}.privatelink.eastus.azmk8s.io`);
  assert.equal(privateFqdn(label, systemPrivateZone(guid, "eastus", true)), `${label}.${guid}.private.eastus.azmk8s.io`);
});

test("node resource group and node RG resource names (§3.3, §3.4)", () => {
  assert.equal(nodeResourceGroupName("rg1", "clustername1", "location1"), "MC_rg1_clustername1_location1");
  assert.equal(nodeResourceGroupName("r".repeat(60), "c".repeat(40), "westus2").length, 80);
  const d = digits8("abc");
  assert.match(d, /^\d{8}$/);
  assert.equal(managedVnetName(d), `aks-vnet-${d}`);
  assert.equal(nsgName(d), `aks-agentpool-${d}-nsg`);
  assert.equal(vmssName("nodepool1", "12345678"), "aks-nodepool1-12345678-vmss");
  assert.equal(nodeName("nodepool1", "12345678", 0), "aks-nodepool1-12345678-vmss000000");
  assert.equal(nodeName("nodepool1", "12345678", 11), "aks-nodepool1-12345678-vmss00000b");
});

test("default dnsPrefix follows az (<name[:10]>-<rg[:16]>-<sub[:6]>)", () => {
  assert.equal(defaultDnsPrefix("myAKSCluster", "myResourceGroup", "19da35d3-9a1a-4f3b-9b9c-3c56ef409fcb"), "myAKSClust-myResourceGroup-19da35");
  assert.ok(isValidDnsPrefix(defaultDnsPrefix("1st_cluster", "rg.with.dots", "abcdef00-0000")));
});

test("names and prefixes are validated", () => {
  assert.ok(isValidClusterName("a"));
  assert.ok(isValidClusterName("my_cluster-1"));
  assert.ok(!isValidClusterName("-bad"));
  assert.ok(!isValidClusterName("x".repeat(64)));
  assert.ok(!isValidDnsPrefix("bad_prefix"));
});

test("custom private zone names (§5.3)", () => {
  assert.ok(isAllowedCustomZoneName("private.eastus.azmk8s.io", "eastus", true));
  assert.ok(isAllowedCustomZoneName("team1.private.eastus.azmk8s.io", "eastus", true));
  assert.ok(!isAllowedCustomZoneName("privatelink.eastus.azmk8s.io", "eastus", true));
  assert.ok(isAllowedCustomZoneName("privatelink.eastus.azmk8s.io", "eastus", false));
  assert.ok(!isAllowedCustomZoneName(`${"a".repeat(33)}.private.eastus.azmk8s.io`, "eastus", true));
  assert.ok(!isAllowedCustomZoneName("private.westus.azmk8s.io", "eastus", true));
});

test("api-versions carrying enableVnetIntegration/subnetId (§2.2)", () => {
  for (const v of ["2022-04-02-preview", "2022-05-02-preview", "2024-03-02-preview", "2025-03-01", "2025-10-01", "2026-06-01"]) assert.ok(hasVnetIntegrationFields(v), v);
  for (const v of ["2022-03-02-preview", "2022-11-01", "2024-05-01", "2024-09-01", "2025-02-01"]) assert.ok(!hasVnetIntegrationFields(v), v);
  for (const v of ["2022-11-01", "2022-04-02-preview", "2026-06-01", "2025-03-01"]) assert.ok(MANAGED_CLUSTER_API_VERSIONS.includes(v), v);
});

test("kubernetes versions resolve minor-only requests", () => {
  assert.equal(resolveKubernetesVersion("1.31"), "1.31.10");
  assert.equal(resolveKubernetesVersion("1.32.6"), "1.32.6");
  assert.equal(resolveKubernetesVersion("1.10"), undefined);
});

test("public API server address is stable and public-looking", () => {
  assert.equal(apiServerPublicIp("0a0b0c0d"), apiServerPublicIp("0a0b0c0d"));
  assert.match(apiServerPublicIp("ffffffff"), /^20\.\d+\.\d+\.\d+$/);
});
