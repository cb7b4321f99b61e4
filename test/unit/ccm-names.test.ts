// Names cloud-provider-azure gives Azure resources of a LoadBalancer Service (worked example of
// the reference notes: Service UID e4c14592-2a79-423e-846f-4b25fe393d6c).
import { test } from "node:test";
import assert from "node:assert/strict";
import { allowRuleName, frontendName, lbBaseName, publicIpName, ruleName, taggedServices } from "../../src/providers/containerservice/ccm-names.js";

test("cloud-provider-azure names", () => {
  const base = lbBaseName("e4c14592-2a79-423e-846f-4b25fe393d6c");
  assert.equal(base, "ae4c145922a79423e846f4b25fe393d6");
  assert.equal(publicIpName(base), "kubernetes-ae4c145922a79423e846f4b25fe393d6");
  assert.equal(ruleName(base, "TCP", 80), "ae4c145922a79423e846f4b25fe393d6-TCP-80");
  assert.equal(frontendName(base, "apps-subnet"), "ae4c145922a79423e846f4b25fe393d6-apps-subnet");
  assert.equal(allowRuleName("Tcp", ["Internet"], [80]), "k8s-azure-lb_allow_IPv4_d39272f7f57ed937951650d93992ad77");
  assert.equal(allowRuleName("TCP", ["Internet"], [80, 443]), "k8s-azure-lb_allow_IPv4_556f7044ec033071ec0dfcf7cd85bc93");
  assert.deepEqual(taggedServices({ "k8s-azure-service": "default/a, ns/b" }), ["default/a", "ns/b"]);
  assert.deepEqual(taggedServices(null), []);
  assert.equal(frontendName(base, "x".repeat(80)).length, 75);
});
