// The seed walkthrough with the CURRENT Azure CLI (pinned in scripts/clients.mjs, installed into
// .tools/az-venv by `npm run clients`): the 19 commands are read from the seed's table
// (test/fixtures/WALKTHROUGH.md) and run verbatim, no `az rest`. Then what users run around
// them. `az extension add` needs the extension index on the internet: offline, az's own error.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { startEmulator, tempDir, REPO_ROOT, type RunningEmulator } from "../helpers/emulator.js";
import { setupAz } from "../helpers/az.js";
import { CURRENT_AZ, KUBECTL, needClient } from "../helpers/clients.js";
import { parseWalkthrough, fill, splitArgs, stepRunner, type WalkthroughStep } from "./commands.js";
import { runProcess } from "../helpers/run.js";


const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 300_000) => runProcess(cmd, args, env, timeoutMs);

describe("the seed walkthrough with the current az", { skip: needClient(CURRENT_AZ, "the current azure-cli") }, () => {
  let emu: RunningEmulator;
  let env: NodeJS.ProcessEnv;
  let steps: WalkthroughStep[];
  const values: Record<string, string> = {
    "resource-group": "cz-rg",
    rg: "cz-rg",
    location: "westus2",
    "vnet-name": "cz-vnet",
    vnet: "cz-vnet",
    "apiserver-subnet-name": "apiserver",
    "cluster-subnet-name": "nodes",
    "managed-identity-name": "cz-identity",
  };
  const az = (args: string[]) => run(CURRENT_AZ, args, env);
  const json = async (args: string[]) => {
    const r = await az([...args, "-o", "json"]);
    assert.equal(r.code, 0, `az ${args.join(" ")} failed:\n${r.stderr}`);
    return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
  };
  const table = async (args: string[]) => {
    const r = await az([...args, "-o", "table"]);
    assert.equal(r.code, 0, `az ${args.join(" ")} failed:\n${r.stderr}`);
    return r.stdout;
  };
  /** Walkthrough step n, verbatim, with placeholder values (commands.ts). */
  const { step, ok } = stepRunner(() => steps, values, az);

  before(async () => {
    steps = parseWalkthrough(fs.readFileSync(path.join(REPO_ROOT, "test/fixtures/WALKTHROUGH.md"), "utf8"));
    assert.equal(steps.length, 19);
    emu = await startEmulator({ latency: "instant", allowRunCommand: true }); // the walkthrough's command invoke
    const s = await setupAz(emu, { azPath: CURRENT_AZ, timeoutMs: 600_000 });
    assert.match(s.setupOutput, /Azure CLI 2\.\d+\.\d+ .*core\.instance_discovery=false/s);
    env = { ...process.env, ...s.env, HOME: tempDir("aksemu-cz-home-") };
    delete env.KUBECONFIG;
  });
  after(async () => {
    await emu?.stop();
  });

  test("steps 1-5: extension index unreachable offline (az's own error), feature flag, provider, resource group", async () => {
    const ext = await step(1, {}, false);
    assert.equal(ext.code, 1);
    assert.match(ext.stderr, /Unable to get extension index\.\s+Please ensure you have network connection\./);
    const reg = await ok(2);
    assert.match(reg.properties.state, /Registering|Registered/);
    let state = "";
    for (let i = 0; i < 20 && state !== "Registered"; i++) state = (await ok(3)).properties.state;
    assert.equal(state, "Registered");
    const prov = await step(4, {}, false);
    assert.equal(prov.code, 0, prov.stderr);
    assert.equal((await ok(5)).location, "westus2");
  });

  test("steps 6-7: managed VNet clusters, public and private; defaults resolved as AKS does", async () => {
    const pub = await ok(6, { "cluster-name": "managed-public" });
    assert.equal(pub.provisioningState, "Succeeded");
    assert.equal(pub.apiServerAccessProfile.enableVnetIntegration, true);
    // az sends osDiskSizeGB 0 ("not given"): the service resolves 128 for Standard_DS2_v2.
    assert.equal(pub.agentPoolProfiles[0].osDiskSizeGb, 128);
    // api-versions that have them: eTag on the cluster and each pool; the load balancer profile's computed fields.
    assert.match(pub.eTag, /\S/);
    assert.match(pub.agentPoolProfiles[0].eTag, /\S/);
    const lbp = pub.networkProfile.loadBalancerProfile;
    assert.equal(lbp.allocatedOutboundPorts, 0);
    assert.equal(lbp.idleTimeoutInMinutes, 30);
    assert.match(lbp.effectiveOutboundIPs[0].id, /\/resourceGroups\/MC_cz-rg_managed-public_westus2\/providers\/Microsoft\.Network\/publicIPAddresses\//i);
    const priv = await ok(7, { "cluster-name": "managed-private" });
    assert.equal(priv.apiServerAccessProfile.enablePrivateCluster, true);
    assert.match(priv.privateFqdn, /\.private\.westus2\.azmk8s\.io$/);
  });

  let apiserverSubnetId = "";
  let clusterSubnetId = "";
  let identity: { id: string; clientId: string; principalId: string };

  test("steps 8-13: VNet, delegated /28, node /24, identity, Network Contributor on both subnets (az role, no az rest)", async () => {
    const vnet = await ok(8);
    assert.deepEqual(vnet.newVNet.addressSpace.addressPrefixes, ["172.19.0.0/16"]);
    const api = await ok(9);
    assert.equal(api.addressPrefix, "172.19.0.0/28");
    assert.equal(api.delegations[0].serviceName, "Microsoft.ContainerService/managedClusters");
    assert.equal(api.purpose, "", "a delegated subnet shows purpose ''");
    apiserverSubnetId = api.id;
    clusterSubnetId = (await ok(10)).id;
    identity = await ok(11);
    Object.assign(values, {
      "apiserver-subnet-resource-id": apiserverSubnetId, "cluster-subnet-resource-id": clusterSubnetId,
      "managed-identity-client-id": identity.clientId, "managed-identity-resource-id": identity.id,
    });
    const ra1 = await ok(12);
    assert.equal(ra1.scope.toLowerCase(), apiserverSubnetId.toLowerCase());
    assert.equal(ra1.principalId, identity.principalId);
    const ra2 = await ok(13);
    assert.equal(ra2.scope.toLowerCase(), clusterSubnetId.toLowerCase());
    const list = await json(["role", "assignment", "list", "--scope", clusterSubnetId]);
    assert.ok(list.some((x: { roleDefinitionName: string; principalId: string }) => x.roleDefinitionName === "Network Contributor" && x.principalId === identity.principalId), JSON.stringify(list));
  });

  test("step 14: BYO VNet public cluster; the subnets list the ILB frontend, the node NICs and the service association link", async () => {
    const c = await ok(14, { "cluster-name": "byo-public" });
    assert.equal(c.provisioningState, "Succeeded");
    assert.equal(c.apiServerAccessProfile.subnetId.toLowerCase(), apiserverSubnetId.toLowerCase());
    const api = await json(["network", "vnet", "subnet", "show", "--ids", apiserverSubnetId]);
    assert.ok(api.ipConfigurations.some((x: { id: string }) => /loadBalancers\/kube-apiserver\/frontendIPConfigurations\/kube-apiserver-frontend$/i.test(x.id)));
    assert.equal(api.serviceAssociationLinks[0].linkedResourceType, "Microsoft.ContainerService/managedClusters");
    const nodes = await json(["network", "vnet", "subnet", "show", "-g", "cz-rg", "--vnet-name", "cz-vnet", "-n", "nodes"]);
    const nics = (nodes.ipConfigurations as Array<{ id: string }>).filter((x) => /\/virtualMachineScaleSets\/aks-nodepool1-\d{8}-vmss\/virtualMachines\/\d+\/networkInterfaces\/[^/]+\/ipConfigurations\/ipconfig\d+$/i.test(x.id));
    assert.equal(nics.length, 3 * 31, "3 nodes x (1 + 30 Azure CNI pod addresses)");
    const lb = await json(["network", "lb", "show", "-g", c.nodeResourceGroup, "-n", "kube-apiserver"]);
    assert.equal(lb.frontendIPConfigurations[0].privateIPAddress, "172.19.0.4");
    assert.deepEqual(lb.inboundNatRules, []);
  });

  test("step 15 on the same /28 runs out of addresses; after az aks delete of step 14's cluster it succeeds", async () => {
    const full = await step(15, { "cluster-name": "byo-private" });
    assert.notEqual(full.code, 0);
    assert.match(full.stderr, /\((InsufficientSubnetSize|SubnetIsFull)\)/);
    const del = await az(["aks", "delete", "-g", "cz-rg", "-n", "byo-public", "--yes"]);
    assert.equal(del.code, 0, del.stderr);
    const c = await ok(15, { "cluster-name": "byo-private" });
    assert.equal(c.apiServerAccessProfile.enablePrivateCluster, true);
    const zones = await table(["network", "private-dns", "zone", "list", "-g", c.nodeResourceGroup]);
    assert.match(zones, /private\.westus2\.azmk8s\.io/);
    const zone = c.privateFqdn.split(".").slice(1).join(".");
    const records = await json(["network", "private-dns", "record-set", "list", "-g", c.nodeResourceGroup, "-z", zone]);
    assert.ok(records.some((r: { aRecords?: Array<{ ipv4Address: string }> }) => r.aRecords?.[0]?.ipv4Address === "172.19.0.4"), JSON.stringify(records));
  });

  test("step 16: converting an existing cluster (verbatim az aks update) keeps its FQDN", async () => {
    const sub2 = await json(["network", "vnet", "subnet", "create", "-g", "cz-rg", "--vnet-name", "cz-vnet", "-n", "apiserver2", "--delegations", "Microsoft.ContainerService/managedClusters", "--address-prefixes", "172.19.2.0/28"]);
    await json(["role", "assignment", "create", "--scope", sub2.id, "--role", "Network Contributor", "--assignee", identity.clientId]);
    const before = await json(["aks", "create", "-g", "cz-rg", "-n", "convert-me", "--node-count", "1", "--network-plugin", "azure", "--vnet-subnet-id", clusterSubnetId, "--assign-identity", identity.id]);
    assert.notEqual(before.apiServerAccessProfile?.enableVnetIntegration, true);
    const after = await ok(16, { "cluster-name": "convert-me", "apiserver-subnet-resource-id": sub2.id });
    assert.equal(after.apiServerAccessProfile.enableVnetIntegration, true);
    assert.equal(after.fqdn, before.fqdn);
    assert.notEqual(after.agentPoolProfiles[0].nodeImageVersion, before.agentPoolProfiles[0].nodeImageVersion);
    values["cluster-name"] = "convert-me";
  });

  test("steps 17-18: private mode on and off, hostname kept", async () => {
    const on = await ok(17);
    assert.equal(on.apiServerAccessProfile.enablePrivateCluster, true);
    const off = await ok(18);
    assert.equal(off.apiServerAccessProfile.enablePrivateCluster, false);
    assert.equal(off.fqdn, on.fqdn);
  });

  test("step 19: get-credentials (user and --admin, az's context names) and kubectl lists the nodes", async (t) => {
    const r = await step(19, { "cluster-name": "managed-public" }, false);
    assert.equal(r.code, 0, r.stderr);
    const admin = await az(["aks", "get-credentials", "-g", "cz-rg", "-n", "managed-public", "--admin"]);
    assert.equal(admin.code, 0, admin.stderr);
    const kc = YAML.parse(fs.readFileSync(path.join(env.HOME!, ".kube/config"), "utf8"));
    assert.deepEqual(kc.contexts.map((c: { name: string }) => c.name).sort(), ["managed-public", "managed-public-admin"]);
    assert.equal(kc["current-context"], "managed-public-admin");
    if (!fs.existsSync(KUBECTL)) return t.skip(".tools/kubectl-v32 missing (npm test's tools step extracts it)");
    for (const ctx of ["managed-public", "managed-public-admin"]) {
      const k = await run(KUBECTL, ["--context", ctx, "get", "nodes"], env, 60_000);
      assert.equal(k.code, 0, k.stderr);
      assert.match(k.stdout, /aks-nodepool1-\d{8}-vmss000000\s+Ready/);
    }
  });

  test("around the walkthrough: show/list tables, upgrades and versions, node pools, stop/start, node image, authorized ranges, command invoke, delete --no-wait", async () => {
    const g = ["-g", "cz-rg"];
    assert.match(await table(["aks", "show", ...g, "-n", "managed-public"]), /managed-public\s+westus2\s+cz-rg\s+1\.31\.10\s+1\.31\.10\s+Succeeded/);
    const list = await table(["aks", "list", ...g]);
    for (const n of ["managed-public", "managed-private", "byo-private", "convert-me"]) assert.match(list, new RegExp(`^${n}\\s`, "m"));
    const up = await json(["aks", "get-upgrades", ...g, "-n", "managed-public"]);
    assert.equal(up.controlPlaneProfile.kubernetesVersion, "1.31.10");
    assert.deepEqual(up.controlPlaneProfile.upgrades.map((u: { kubernetesVersion: string }) => u.kubernetesVersion), ["1.32.6"]);
    assert.match(await table(["aks", "get-versions", "-l", "westus2"]), /1\.33\.2/);
    const c = ["--cluster-name", "managed-public", ...g];
    const added = await json(["aks", "nodepool", "add", ...c, "-n", "user1", "--node-count", "1"]);
    assert.equal(added.mode, "User");
    assert.equal(added.osDiskSizeGb, 128);
    assert.equal((await json(["aks", "nodepool", "scale", ...c, "-n", "user1", "--node-count", "2"])).count, 2);
    const pup = await json(["aks", "nodepool", "get-upgrades", ...c, "--nodepool-name", "user1"]);
    assert.match(pup.latestNodeImageVersion, /^AKSUbuntu-/);
    const img = await az(["aks", "nodepool", "upgrade", ...c, "-n", "user1", "--node-image-only"]);
    assert.equal(img.code, 0, img.stderr);
    assert.equal((await json(["aks", "nodepool", "show", ...c, "-n", "user1"])).nodeImageVersion, pup.latestNodeImageVersion);
    assert.match(await table(["aks", "nodepool", "list", ...c]), /user1\s+Linux\s+1\.31\.10\s+Standard_DS2_v2\s+2\s+30\s+Succeeded/);
    const del = await az(["aks", "nodepool", "delete", ...c, "-n", "user1"]);
    assert.equal(del.code, 0, del.stderr);
    assert.equal((await json(["aks", "nodepool", "list", ...c])).length, 1);
    const ni = await az(["aks", "upgrade", ...g, "-n", "managed-public", "--node-image-only", "--yes", "-o", "json"]);
    assert.equal(ni.code, 0, ni.stderr);
    const shown = await json(["aks", "show", ...g, "-n", "managed-public"]);
    assert.equal(shown.agentPoolProfiles[0].nodeImageVersion, pup.latestNodeImageVersion);
    const ranges = await json(["aks", "update", ...g, "-n", "managed-public", "--api-server-authorized-ip-ranges", "20.30.40.0/24"]);
    assert.deepEqual(ranges.apiServerAccessProfile.authorizedIpRanges, ["20.30.40.0/24"]);
    assert.equal((await az(["aks", "stop", ...g, "-n", "managed-public"])).code, 0);
    assert.equal((await json(["aks", "show", ...g, "-n", "managed-public"])).powerState.code, "Stopped");
    assert.equal((await az(["aks", "start", ...g, "-n", "managed-public"])).code, 0);
    const inv = await az(["aks", "command", "invoke", ...g, "-n", "managed-public", "--command", "kubectl get nodes"]);
    assert.equal(inv.code, 0, inv.stderr);
    assert.match(inv.stdout, /command started at .*exitcode=0/);
    assert.match(inv.stdout, /aks-nodepool1-\d{8}-vmss000000\s+Ready/);
    const gone = await az(["aks", "delete", ...g, "-n", "managed-private", "--no-wait", "--yes"]);
    assert.equal(gone.code, 0, gone.stderr);
    let state = "Deleting";
    for (let i = 0; i < 30 && state === "Deleting"; i++) {
      const s = await az(["aks", "show", ...g, "-n", "managed-private", "--query", "provisioningState", "-o", "tsv"]);
      state = s.code === 0 ? s.stdout.trim() : "gone";
    }
    assert.equal(state, "gone");
  });
});
