import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as yamlParse } from "yaml";
import { applyUpdate, buildCreateBody, defaultDnsPrefix, splitRanges } from "../../src/cli/azl/commands/aks.js";
import { buildDelegations, defaultSubnetPrefix } from "../../src/cli/azl/commands/network.js";
import { parseTags } from "../../src/cli/azl/commands/common.js";
import { parse } from "../../src/cli/azl/parser.js";
import { buildTree as tree } from "../../src/cli/azl/commands/index.js";
import { CommandContext, Logger } from "../../src/cli/azl/context.js";
import { printOrMergeCredentials } from "../../src/cli/azl/kubeconfig.js";
import { fakeIO } from "./helpers.js";

const SUB = "00000000-0000-0000-0000-000000000000";
const SUBNET = (n: string) => `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/${n}`;
const IDENTITY = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1`;

function args(argv: string[]) {
  const r = parse(tree(), argv);
  if (r.kind !== "command") throw new Error("not a command");
  return r.args;
}

function ctx(): CommandContext {
  return new CommandContext(fakeIO(), { endpoint: "https://127.0.0.1:1", dataDir: "/tmp/x", tenantId: "t", clientId: "c", clientSecret: "s" }, {
    output: "json",
    debug: false,
    verbose: false,
    onlyShowErrors: false,
    help: false,
  });
}

async function create(extra: string[]) {
  return buildCreateBody(ctx(), args(["aks", "create", "-n", "myAKSCluster", "-g", "my-resource-group", ...extra]), { location: "westus2", subscriptionId: SUB });
}

test("default dns prefix follows _get_default_dns_prefix", () => {
  assert.equal(defaultDnsPrefix("aks-cluster", "rg-aks-public-vnet-integration", "17b128aa-0000"), "aks-cluste-rg-aks-public-vn-17b128");
  assert.equal(defaultDnsPrefix("1abc", "my_rg", SUB), "a1abc-myrg-000000");
});

test("walkthrough #6: managed VNet, public cluster", async () => {
  const mc = await create(["-l", "westus2", "--network-plugin", "azure", "--enable-apiserver-vnet-integration"]);
  assert.deepEqual(mc.apiServerAccessProfile, { enableVnetIntegration: true });
  assert.equal(mc.identity.type, "SystemAssigned");
  assert.equal(mc.networkProfile.networkPlugin, "azure");
  assert.equal(mc.networkProfile.loadBalancerSku, "standard");
  assert.equal(mc.agentPoolProfiles[0].name, "nodepool1");
  assert.equal(mc.agentPoolProfiles[0].count, 3);
  assert.equal(mc.agentPoolProfiles[0].mode, "System");
  assert.equal(mc.agentPoolProfiles[0].vnetSubnetID, undefined);
  assert.equal(mc.dnsPrefix, "myAKSClust-my-resource-grou-000000");
  assert.equal(mc.location, "westus2");
});

test("walkthrough #7: managed VNet, private cluster", async () => {
  const mc = await create(["--network-plugin", "azure", "--enable-apiserver-vnet-integration", "--enable-private-cluster"]);
  assert.deepEqual(JSON.parse(JSON.stringify(mc.apiServerAccessProfile)), { enablePrivateCluster: true, enableVnetIntegration: true });
});

test("walkthrough #14/#15: BYO VNet with user-assigned identity", async () => {
  const base = ["--network-plugin", "azure", "--enable-apiserver-vnet-integration", "--vnet-subnet-id", SUBNET("nodes"), "--apiserver-subnet-id", SUBNET("apiserver"), "--assign-identity", IDENTITY];
  const mc = await create(base);
  assert.deepEqual(mc.apiServerAccessProfile, { enableVnetIntegration: true, subnetId: SUBNET("apiserver") });
  assert.deepEqual(mc.identity, { type: "UserAssigned", userAssignedIdentities: { [IDENTITY]: {} } });
  assert.equal(mc.agentPoolProfiles[0].vnetSubnetID, SUBNET("nodes"));
  const priv = await create([...base, "--enable-private-cluster"]);
  assert.equal(priv.apiServerAccessProfile.enablePrivateCluster, true);
  assert.equal(priv.apiServerAccessProfile.subnetId, SUBNET("apiserver"));
});

test("create validation messages (client side, verbatim)", async () => {
  await assert.rejects(create(["--enable-apiserver-vnet-integration", "--apiserver-subnet-id", SUBNET("a")]), { message: '"--apiserver-subnet-id" requires "--vnet-subnet-id".' });
  await assert.rejects(create(["--vnet-subnet-id", SUBNET("n"), "--apiserver-subnet-id", SUBNET("a")]), {
    message: '"--apiserver-subnet-id" requires "--enable-apiserver-vnet-integration".',
  });
  await assert.rejects(create(["--enable-apiserver-vnet-integration", "--apiserver-subnet-id", "not-an-id"]), { message: "--apiserver-subnet-id is not a valid Azure resource ID." });
  await assert.rejects(create(["--enable-private-cluster", "--load-balancer-sku", "basic"]), { message: "Please use standard load balancer for private cluster" });
  await assert.rejects(create(["--enable-private-cluster", "--api-server-authorized-ip-ranges", "1.2.3.4/32"]), {
    message: "--api-server-authorized-ip-ranges is not supported for private cluster",
  });
  await assert.rejects(create(["--disable-public-fqdn"]), { message: "--disable-public-fqdn should only be used with --enable-private-cluster" });
  await assert.rejects(create(["--private-dns-zone", "system"]), { message: "Invalid private dns zone for public cluster. It should always be empty for public cluster" });
  await assert.rejects(create(["--enable-private-cluster", "--private-dns-zone", "foo"]), { message: "foo is not a valid Azure resource ID." });
});

test("create: az's argument validators", async () => {
  await assert.rejects(create(["--nodepool-name", "pool_1"]), { message: "--nodepool-name should contain only alphanumeric characters" });
  await assert.rejects(create(["--nodepool-name", "averyveryverylongname"]), { message: "--nodepool-name can contain at most 12 characters" });
  await assert.rejects(create(["-k", "latest"]), { message: '--kubernetes-version should be the full version number or major.minor version number, such as "1.7.12" or "1.7"' });
  await assert.rejects(create(["--api-server-authorized-ip-ranges", "0.0.0.0/32,1.2.3.4/32"]), /0\.0\.0\.0\/32 is not allowed with other IP ranges/);
  await assert.rejects(create(["--api-server-authorized-ip-ranges", "1.2.3.4/24"]), { message: "--api-server-authorized-ip-ranges should be a list of IPv4 addresses or CIDRs" });
  await assert.rejects(create(["--api-server-authorized-ip-ranges", "10.0.0.0/8"]), { message: "--api-server-authorized-ip-ranges must be global non-reserved addresses or CIDRs" });
  await assert.rejects(
    buildCreateBody(ctx(), args(["aks", "create", "-n", "bad_name", "-g", "rg"]), { location: "westus2", subscriptionId: SUB }),
    { message: "--name cannot exceed 63 characters and can only contain letters, numbers, or dashes (-)." },
  );
});

test("create: authorized ranges, disable public fqdn, tags", async () => {
  const mc = await create(["--api-server-authorized-ip-ranges", "1.2.3.4/32, 5.6.7.0/24", "--tags", "a=b", "c"]);
  assert.deepEqual(mc.apiServerAccessProfile.authorizedIPRanges, ["1.2.3.4/32", "5.6.7.0/24"]);
  assert.deepEqual(mc.tags, { a: "b", c: "" });
  const p = await create(["--enable-private-cluster", "--disable-public-fqdn", "--private-dns-zone", "none"]).catch((e: Error) => e);
  assert.equal((p as Error).message, "--disable-public-fqdn cannot be applied for none mode private dns zone cluster");
  const q = await create(["--enable-private-cluster", "--disable-public-fqdn"]);
  assert.equal(q.apiServerAccessProfile.enablePrivateClusterPublicFqdn, false);
});

function cluster(api?: Record<string, unknown>) {
  return { location: "westus2", apiServerAccessProfile: api, agentPoolProfiles: [{ name: "nodepool1", count: 3 }], networkProfile: { loadBalancerSku: "standard" } };
}

test("update #16: convert to VNet integration", () => {
  const mc = applyUpdate(cluster(), args(["aks", "update", "-n", "c", "-g", "rg", "--enable-apiserver-vnet-integration", "--apiserver-subnet-id", SUBNET("apiserver")]));
  assert.deepEqual(mc.apiServerAccessProfile, { enableVnetIntegration: true, subnetId: SUBNET("apiserver") });
  assert.throws(() => applyUpdate(cluster(), args(["aks", "update", "-n", "c", "-g", "rg", "--enable-apiserver-vnet-integration"])), {
    message: "--apiserver-subnet-id is required for update with --enable-apiserver-vnet-integration.",
  });
});

test("update #17/#18: private mode toggles on an integrated cluster (full model, enablePrivateCluster: false)", () => {
  const on = applyUpdate(cluster({ enableVnetIntegration: true, subnetId: "" }), args(["aks", "update", "-n", "c", "-g", "rg", "--enable-private-cluster"]));
  assert.deepEqual(on.apiServerAccessProfile, { enableVnetIntegration: true, subnetId: "", enablePrivateCluster: true });
  const off = applyUpdate(cluster({ enableVnetIntegration: true, enablePrivateCluster: true }), args(["aks", "update", "-n", "c", "-g", "rg", "--disable-private-cluster"]));
  assert.deepEqual(off.apiServerAccessProfile, { enableVnetIntegration: true, enablePrivateCluster: false });
  assert.equal(off.agentPoolProfiles.length, 1);
  assert.throws(() => applyUpdate(cluster(), args(["aks", "update", "-n", "c", "-g", "rg", "--enable-private-cluster"])), {
    message: "Enabling private cluster requires enabling apiserver vnet integration(--enable-apiserver-vnet-integration).",
  });
  assert.throws(() => applyUpdate(cluster(), args(["aks", "update", "-n", "c", "-g", "rg", "--disable-private-cluster"])), {
    message: "Disabling private cluster requires enabling apiserver vnet integration(--enable-apiserver-vnet-integration).",
  });
  assert.throws(() => applyUpdate(cluster(), args(["aks", "update", "-n", "c", "-g", "rg", "--enable-public-fqdn"])), {
    message: "--enable-public-fqdn can only be used for private cluster",
  });
  assert.throws(
    () => applyUpdate(cluster({ enableVnetIntegration: true, enablePrivateCluster: true }), args(["aks", "update", "-n", "c", "-g", "rg", "--enable-public-fqdn", "--disable-public-fqdn"])),
    { message: "Cannot specify '--enable-public-fqdn' and '--disable-public-fqdn' at the same time" },
  );
});

test("update: authorized ranges cleared with an empty string, autoscaler", () => {
  const mc = applyUpdate(cluster({ authorizedIPRanges: ["1.1.1.1/32"] }), args(["aks", "update", "-n", "c", "-g", "rg", "--api-server-authorized-ip-ranges", ""]));
  assert.deepEqual(mc.apiServerAccessProfile.authorizedIPRanges, []);
  const as = applyUpdate(cluster(), args(["aks", "update", "-n", "c", "-g", "rg", "-e", "--min-count", "1", "--max-count", "5"]));
  assert.equal(as.agentPoolProfiles[0].enableAutoScaling, true);
  assert.equal(as.agentPoolProfiles[0].maxCount, 5);
  assert.deepEqual(splitRanges(undefined), undefined);
});

test("subnet delegations as az sends them", () => {
  assert.deepEqual(buildDelegations(["Microsoft.ContainerService/managedClusters"]), [{ name: "0", serviceName: "Microsoft.ContainerService/managedClusters" }]);
  assert.deepEqual(buildDelegations(["Microsoft.ContainerService.managedClusters", "Microsoft.Sql/servers"]), [
    { name: "0", serviceName: "Microsoft.ContainerService/managedClusters" },
    { name: "1", serviceName: "Microsoft.Sql/servers" },
  ]);
  assert.equal(buildDelegations(null), undefined);
  assert.equal(defaultSubnetPrefix("10.0.0.0/16"), "10.0.0.0/24");
  assert.equal(defaultSubnetPrefix("10.0.0.0/28"), "10.0.0.0/28");
  assert.deepEqual(parseTags([""]), {});
});

function kubeconfig(name: string, server: string, user = "clusterUser_rg_" + name): string {
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: Q0E=
    server: ${server}
  name: ${name}
contexts:
- context:
    cluster: ${name}
    user: ${user}
  name: ${name}
current-context: ${name}
kind: Config
preferences: {}
users:
- name: ${user}
  user:
    token: abc
`;
}

test("get-credentials merge: new file, second cluster, conflicts, --overwrite-existing, --context", async () => {
  const dir = mkdtempSync(join(tmpdir(), "azl-kube-"));
  const path = join(dir, "sub", "config");
  const io = fakeIO();
  const log = new Logger(io, 2);
  await printOrMergeCredentials(path, kubeconfig("c1", "https://a:443"), false, undefined, (s) => io.stdout(s), log);
  assert.equal((statSync(path).mode & 0o777).toString(8), "600");
  assert.match(io.err.join(""), new RegExp(`WARNING: Merged "c1" as current context in ${path.replace(/[/.]/g, "\\$&")}\n`));
  await printOrMergeCredentials(path, kubeconfig("c2", "https://b:443"), false, undefined, (s) => io.stdout(s), log);
  let cfg = yamlParse(readFileSync(path, "utf8"));
  assert.deepEqual(cfg.clusters.map((c: { name: string }) => c.name), ["c1", "c2"]);
  assert.equal(cfg["current-context"], "c2");
  // identical entry: merged silently
  await printOrMergeCredentials(path, kubeconfig("c1", "https://a:443"), false, undefined, (s) => io.stdout(s), log);
  // different object with the same name: error without --overwrite-existing
  await assert.rejects(printOrMergeCredentials(path, kubeconfig("c1", "https://changed:443"), false, undefined, (s) => io.stdout(s), log), {
    message: "A different object named c1 already exists in clusters in your kubeconfig file.",
  });
  await printOrMergeCredentials(path, kubeconfig("c1", "https://changed:443"), true, undefined, (s) => io.stdout(s), log);
  cfg = yamlParse(readFileSync(path, "utf8"));
  assert.equal(cfg.clusters.find((c: { name: string }) => c.name === "c1").cluster.server, "https://changed:443");
  await printOrMergeCredentials(path, kubeconfig("c3", "https://c:443"), false, "mine", (s) => io.stdout(s), log);
  cfg = yamlParse(readFileSync(path, "utf8"));
  assert.equal(cfg["current-context"], "mine");
  assert.ok(cfg.clusters.some((c: { name: string }) => c.name === "mine"));
  // "-" prints to stdout
  await printOrMergeCredentials("-", "x: 1", false, undefined, (s) => io.stdout(s), log);
  assert.equal(io.out.join(""), "x: 1\n");
  // permissions warning
  const loose = join(dir, "loose");
  writeFileSync(loose, "", { mode: 0o644 });
  await printOrMergeCredentials(loose, kubeconfig("c9", "https://z:443"), false, undefined, (s) => io.stdout(s), log);
  assert.match(io.err.join(""), /has permissions "644"\.\nIt should be readable and writable only by its owner\./);
});
