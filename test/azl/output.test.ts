import { test } from "node:test";
import assert from "node:assert/strict";
import { applyQuery, formatJson, formatTable, formatTsv, formatYaml, render } from "../../src/cli/azl/output.js";
import { addResourceGroup, azKey, flattenProperties, toAz } from "../../src/cli/azl/shape.js";
import { getCloseMatches, seqRatio } from "../../src/cli/azl/pyutil.js";
import { fromSdkError } from "../../src/cli/azl/errors.js";

test("json: sorted keys, 2-space indent, trailing newline", () => {
  assert.equal(formatJson({ b: 1, a: { d: null, c: [true] } }), '{\n  "a": {\n    "c": [\n      true\n    ],\n    "d": null\n  },\n  "b": 1\n}\n');
});

test("table: knack auto table with tabulate simple layout", () => {
  const rows = [
    { name: "rg1", location: "westus2", id: "/x", tags: { a: "b" }, managedBy: null },
    { name: "resource-group-2", location: "eastus" },
  ];
  assert.equal(formatTable(rows, undefined, false), "Location    Name\n----------  ----------------\nwestus2     rg1\neastus      resource-group-2\n");
});

test("table: group list transformer", () => {
  const t = "[].{Name:name, Location:location, Status:properties.provisioningState}";
  const out = formatTable([{ name: "rg1", location: "westus2", properties: { provisioningState: "Succeeded" } }], t, false);
  assert.equal(out, "Name    Location    Status\n------  ----------  ---------\nrg1     westus2     Succeeded\n");
});

test("tsv: values sorted by key, nested objects blank, lists as length", () => {
  assert.equal(formatTsv([{ b: "x", a: true, c: { z: 1 }, d: [1, 2] }]), "True\tx\t\t2\n");
  assert.equal(formatTsv("plain"), "plain\n");
  assert.equal(formatTsv(true), "true\n");
  assert.equal(formatTsv(applyQuery({ id: "i", name: "n" }, "{z:name, a:id}")), "n\ti\n");
});

test("query then render", () => {
  const data = [{ name: "a", n: 1 }, { name: "b", n: 2 }];
  assert.equal(render(applyQuery(data, "[?n > `1`].name"), "tsv", { color: false, queryActive: true }), "b\n");
  assert.equal(render(applyQuery(data, "[0].name"), "json", { color: false, queryActive: true }), '"a"\n');
});

test("yaml: sorted keys, sequences flush with their key", () => {
  assert.equal(formatYaml({ b: [1, 2], a: "x" }), "a: x\nb:\n- 1\n- 2\n");
});

test("az casing of SDK attribute names", () => {
  assert.equal(azKey("vnetSubnetID"), "vnetSubnetId");
  assert.equal(azKey("privateDNSZone"), "privateDnsZone");
  assert.equal(azKey("enablePrivateClusterPublicFQDN"), "enablePrivateClusterPublicFqdn");
  assert.equal(azKey("authorizedIPRanges"), "authorizedIpRanges");
  assert.equal(azKey("osDiskSizeGB"), "osDiskSizeGb");
  assert.equal(azKey("dnsServiceIP"), "dnsServiceIp");
  assert.equal(azKey("enableRbac"), "enableRbac");
  assert.equal(azKey("eTag"), "eTag");
  assert.equal(azKey("provisioningState"), "provisioningState");
});

test("toAz: undefined -> null, map keys preserved, dates in Python isoformat", () => {
  const id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x";
  const v = toAz({
    apiServerAccessProfile: { privateDNSZone: undefined, subnetId: "" },
    tags: { "Some-Key": "V" },
    identity: { userAssignedIdentities: { [id]: { principalId: "p", clientId: undefined } } },
    when: new Date("2024-01-02T03:04:05.678Z"),
  }) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.deepEqual(v.apiServerAccessProfile, { privateDnsZone: null, subnetId: "" });
  assert.deepEqual(v.tags, { "Some-Key": "V" });
  assert.deepEqual(v.identity.userAssignedIdentities[id], { principalId: "p", clientId: null });
  assert.equal(v.when, "2024-01-02T03:04:05.678000+00:00");
});

test("resourceGroup is added where az's _parse_id finds one (resources, not groups)", () => {
  const sub = {
    id: "/subscriptions/s/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/v/subnets/a",
    delegations: [{ id: "/subscriptions/s/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/v/subnets/a/delegations/0" }],
  };
  addResourceGroup(sub);
  assert.equal((sub as Record<string, unknown>).resourceGroup, "rg1");
  assert.equal((sub.delegations[0] as Record<string, unknown>).resourceGroup, "rg1");
  const g = { id: "/subscriptions/s/resourceGroups/rg1" };
  addResourceGroup(g);
  assert.equal("resourceGroup" in g, false);
});

test("flattenProperties flattens every level (network x-ms-client-flatten)", () => {
  const raw = { name: "s", properties: { addressPrefix: "10.0.0.0/24", delegations: [{ name: "0", properties: { serviceName: "Microsoft.ContainerService/managedClusters", actions: [] } }] } };
  assert.deepEqual(flattenProperties(raw), { name: "s", addressPrefix: "10.0.0.0/24", delegations: [{ name: "0", serviceName: "Microsoft.ContainerService/managedClusters", actions: [] }] });
});

test("difflib port", () => {
  assert.equal(Math.round(seqRatio("abcd", "bcde") * 100), 75);
  assert.deepEqual(getCloseMatches("appel", ["ape", "apple", "peach", "puppy"]), ["apple", "ape"]);
  assert.deepEqual(getCloseMatches("creat", ["create", "update", "delete"], 3, 0.7), ["create"]);
});

test("service errors print like azure-core's HttpResponseError", () => {
  const e = fromSdkError({
    name: "RestError",
    statusCode: 404,
    response: { status: 404, bodyAsText: JSON.stringify({ error: { code: "ResourceGroupNotFound", message: "Resource group 'x' could not be found." } }) },
  });
  assert.equal(e.type, "ResourceNotFoundError");
  assert.equal(e.exitCode, 3);
  assert.equal(e.message, "(ResourceGroupNotFound) Resource group 'x' could not be found.\nCode: ResourceGroupNotFound\nMessage: Resource group 'x' could not be found.");
  const d = fromSdkError({
    name: "RestError",
    statusCode: 409,
    response: {
      status: 409,
      bodyAsText: JSON.stringify({ error: { code: "MissingSubscriptionRegistration", message: "m", details: [{ code: "MissingSubscriptionRegistration", target: "Microsoft.X", message: "m" }] } }),
    },
  });
  assert.equal(d.exitCode, 1);
  assert.equal(d.message, "(MissingSubscriptionRegistration) m\nCode: MissingSubscriptionRegistration\nMessage: m\nException Details:\t(MissingSubscriptionRegistration) m\n\tCode: MissingSubscriptionRegistration\n\tMessage: m\n\tTarget: Microsoft.X");
  assert.equal(fromSdkError({ name: "RestError", statusCode: 500, response: { status: 500, bodyAsText: "" } }).message, "Operation returned an invalid status 'Internal Server Error'");
});
