// The seed walkthrough, run verbatim: the commands are read from test/fixtures/WALKTHROUGH.md
// (a copy of shared/seed/WALKTHROUGH.md), `az` is replaced by the bundled `azl`, and each step's
// outcome is checked as Azure would produce it. Then the failure cases the walkthrough implies.
// Run against one emulator (walkthrough.test.ts) and against several front doors over one store,
// commands sent to each in turn (multi-process.test.ts).
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { tempDir, AZL_BIN, REPO_ROOT, type RunningEmulator } from "../helpers/emulator.js";
import type { Fleet } from "../helpers/fleet.js";
import { parseWalkthrough, fill, splitArgs, stepRunner, SEED_VALUES, type WalkthroughStep } from "./commands.js";
import { runProcess } from "../helpers/run.js";

const KUBECTL = path.join(REPO_ROOT, ".tools/kubectl-v32");

const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000) => runProcess(cmd, args, env, timeoutMs);

export function seedWalkthrough(title: string, start: () => Promise<Fleet>, opts: { skip?: string | false } = {}): void {
describe(title, { skip: opts.skip }, () => {
  let fleet: Fleet;
  let emu: RunningEmulator;
  let env: NodeJS.ProcessEnv;
  let steps: WalkthroughStep[];
  const values: Record<string, string> = { ...SEED_VALUES };
  // Each command goes to the next front door in turn (one, or several over one store).
  let turn = 0;
  const azl = (args: string[]) => run(process.execPath, [AZL_BIN, ...args], { ...env, AKSEMU_ENDPOINT: fleet.members[turn++ % fleet.members.length]!.endpoint });
  const json = async (args: string[]) => {
    const r = await azl([...args, "-o", "json"]);
    assert.equal(r.code, 0, `azl ${args.join(" ")} failed:\n${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  /** Walkthrough step n, verbatim, with placeholder values (commands.ts). */
  const { step, ok } = stepRunner(() => steps, values, azl);

  before(async () => {
    steps = parseWalkthrough(fs.readFileSync(path.join(REPO_ROOT, "test/fixtures/WALKTHROUGH.md"), "utf8"));
    fleet = await start();
    emu = fleet.members[0]!;
    const home = tempDir("aksemu-wt-home-");
    env = { ...process.env, HOME: home, AKSEMU_ENDPOINT: emu.endpoint, AKSEMU_DATA_DIR: emu.dataDir, KUBECONFIG: "" };
    delete env.KUBECONFIG;
  });
  after(async () => {
    await fleet?.stop();
  });

  test("steps 1-5: extension, feature flag (Registering → Registered), provider, resource group", async () => {
    const ext = await step(1, {}, false);
    assert.equal(ext.code, 0, ext.stderr);
    const reg = await ok(2);
    assert.match(reg.properties.state, /Registering|Registered/);
    let state = "";
    for (let i = 0; i < 100 && state !== "Registered"; i++) {
      state = (await ok(3)).properties.state;
      if (state !== "Registered") await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(state, "Registered");
    const prov = await step(4, {}, false);
    assert.equal(prov.code, 0, prov.stderr);
    const rg = await ok(5);
    assert.equal(rg.location, "westus2");
  });

  test("steps 6-7: managed VNet clusters, public and private", async () => {
    const pub = await ok(6, { "cluster-name": "managed-public" });
    assert.equal(pub.provisioningState, "Succeeded");
    assert.equal(pub.apiServerAccessProfile.enableVnetIntegration, true);
    assert.match(pub.fqdn, /^managed-pu-wt-rg-000000-[0-9a-f]{8}\.hcp\.westus2\.azmk8s\.io$/);
    const nodeRg = pub.nodeResourceGroup;
    assert.equal(nodeRg, "MC_wt-rg_managed-public_westus2");
    const vnets = await json(["network", "vnet", "list", "-g", nodeRg]);
    assert.equal(vnets.length, 1);
    assert.match(vnets[0].name, /^aks-vnet-\d{8}$/);
    const sub = await json(["network", "vnet", "subnet", "show", "-g", nodeRg, "--vnet-name", vnets[0].name, "-n", "aks-apiserver-subnet"]);
    assert.equal(sub.delegations[0].serviceName, "Microsoft.ContainerService/managedClusters");
    const priv = await ok(7, { "cluster-name": "managed-private" });
    assert.equal(priv.apiServerAccessProfile.enablePrivateCluster, true);
    assert.match(priv.privateFqdn, /\.private\.westus2\.azmk8s\.io$/);
  });

  let apiserverSubnetId = "";
  let clusterSubnetId = "";
  let identity: { id: string; clientId: string; principalId: string };

  test("steps 8-13: VNet, delegated /28, node /24, identity, Network Contributor on both subnets", async () => {
    const vnet = await ok(8);
    assert.deepEqual(vnet.newVNet.addressSpace.addressPrefixes, ["172.19.0.0/16"]);
    const api = await ok(9);
    assert.equal(api.addressPrefix, "172.19.0.0/28");
    assert.deepEqual(api.delegations[0].actions, ["Microsoft.Network/virtualNetworks/subnets/join/action"]);
    apiserverSubnetId = api.id;
    const nodes = await ok(10);
    clusterSubnetId = nodes.id;
    identity = await ok(11);
    assert.match(identity.clientId, /^[0-9a-f-]{36}$/);
    const ids = { "apiserver-subnet-resource-id": apiserverSubnetId, "cluster-subnet-resource-id": clusterSubnetId, "managed-identity-client-id": identity.clientId, "managed-identity-resource-id": identity.id };
    Object.assign(values, ids);
    const ra1 = await ok(12);
    assert.equal(ra1.scope.toLowerCase(), apiserverSubnetId.toLowerCase());
    const ra2 = await ok(13);
    assert.equal(ra2.scope.toLowerCase(), clusterSubnetId.toLowerCase());
    assert.equal(ra2.principalId, identity.principalId);
  });

  test("step 14: BYO VNet public cluster: ILB kube-apiserver at 172.19.0.4, nodes in 172.19.1.0/24", async () => {
    const c = await ok(14, { "cluster-name": "byo-public" });
    assert.equal(c.provisioningState, "Succeeded");
    assert.equal(c.apiServerAccessProfile.subnetId.toLowerCase(), apiserverSubnetId.toLowerCase());
    const lb = await json(["network", "vnet", "subnet", "show", "--ids", apiserverSubnetId]).catch(() => undefined);
    const sub = lb ?? (await json(["network", "vnet", "subnet", "show", "-g", "wt-rg", "--vnet-name", "wt-vnet", "-n", "apiserver"]));
    assert.ok(sub.ipConfigurations.some((x: { id: string }) => /loadBalancers\/kube-apiserver\/frontendIPConfigurations\/kube-apiserver-frontend$/i.test(x.id)), "ILB frontend uses the delegated subnet");
    assert.equal(sub.serviceAssociationLinks[0].linkedResourceType, "Microsoft.ContainerService/managedClusters");
    const inv = await azl(["aks", "command", "invoke", "-g", "wt-rg", "-n", "byo-public", "--command", "kubectl get nodes -o wide"]);
    assert.equal(inv.code, 0, inv.stderr);
    assert.match(inv.stdout, /172\.19\.1\.\d+/, "nodes have addresses from the node subnet");
  });

  test("step 15 on the same /28 runs out of addresses (a cluster reserves 9 of its 11); after deleting step 14's cluster it succeeds", async () => {
    const full = await step(15, { "cluster-name": "byo-private" });
    assert.notEqual(full.code, 0);
    assert.match(full.stderr, /InsufficientSubnetSize|SubnetIsFull/);
    const del = await azl(["aks", "delete", "-g", "wt-rg", "-n", "byo-public", "--yes"]);
    assert.equal(del.code, 0, del.stderr);
    const c = await ok(15, { "cluster-name": "byo-private" });
    assert.equal(c.apiServerAccessProfile.enablePrivateCluster, true);
    assert.match(c.privateFqdn, /^byo-privat-wt-rg-000000-[0-9a-f]{8}\.[0-9a-f-]{36}\.private\.westus2\.azmk8s\.io$/);
  });

  test("step 16: converting an existing cluster keeps its FQDN and moves the API server into the delegated subnet", async () => {
    // An existing cluster without VNet integration and a second delegated subnet for it.
    const sub2 = await json(["network", "vnet", "subnet", "create", "-g", "wt-rg", "--vnet-name", "wt-vnet", "-n", "apiserver2", "--delegations", "Microsoft.ContainerService/managedClusters", "--address-prefixes", "172.19.2.0/28"]);
    const ra = await azl(["role", "assignment", "create", "--scope", sub2.id, "--role", "Network Contributor", "--assignee", identity.clientId]);
    assert.equal(ra.code, 0, ra.stderr);
    const before = await json(["aks", "create", "-g", "wt-rg", "-n", "convert-me", "--node-count", "1", "--network-plugin", "azure", "--vnet-subnet-id", clusterSubnetId, "--assign-identity", identity.id]);
    assert.equal(before.apiServerAccessProfile?.enableVnetIntegration ?? false, false);
    const after = await ok(16, { "cluster-name": "convert-me", "apiserver-subnet-resource-id": sub2.id });
    assert.equal(after.apiServerAccessProfile.enableVnetIntegration, true);
    assert.equal(after.fqdn, before.fqdn, "the hostname stays");
    const pools = after.agentPoolProfiles as Array<{ nodeImageVersion: string }>;
    assert.notEqual(pools[0]!.nodeImageVersion, (before.agentPoolProfiles as Array<{ nodeImageVersion: string }>)[0]!.nodeImageVersion, "node image upgraded");
    // Inside the cluster (through its own Kubernetes API): nodes reimaged, kubelets now use the ILB address.
    const newImage = pools[0]!.nodeImageVersion;
    const nodes = await azl(["aks", "command", "invoke", "-g", "wt-rg", "-n", "convert-me", "--command", "kubectl get nodes -L kubernetes.azure.com/node-image-version"]);
    assert.equal(nodes.code, 0, nodes.stderr);
    assert.match(nodes.stdout, new RegExp(newImage.replace(/[.]/g, "\\.")));
    const kubelet = await azl(["aks", "command", "invoke", "-g", "wt-rg", "-n", "convert-me", "--command", "kubectl get configmap -n kube-system aksemu-kubelet-kubeconfig -o jsonpath={.data.server}"]);
    assert.equal(kubelet.code, 0, kubelet.stderr);
    assert.match(kubelet.stdout, /https:\/\/172\.19\.2\.4:443/, "kubelets reach the API server at the ILB address in the delegated subnet");
    values["cluster-name"] = "convert-me";
  });

  test("steps 17-18: private mode on and off on the integrated cluster, hostname kept", async () => {
    const on = await ok(17);
    assert.equal(on.apiServerAccessProfile.enablePrivateCluster, true);
    const off = await ok(18);
    assert.equal(off.apiServerAccessProfile.enablePrivateCluster, false);
    assert.equal(off.fqdn, on.fqdn);
  });

  test("step 19: get-credentials merges the kubeconfig and kubectl lists the nodes", async (t) => {
    const r = await step(19, { "cluster-name": "managed-public" }, false);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr + r.stdout, /Merged "managed-public" as current context/);
    if (!fs.existsSync(KUBECTL)) return t.skip(".tools/kubectl-v32 missing (npm run tools)");
    const k = await run(KUBECTL, ["get", "nodes", "-o", "wide"], env, 60_000);
    assert.equal(k.code, 0, k.stderr);
    assert.match(k.stdout, /aks-nodepool1-\d{8}-vmss000000\s+Ready/);
    // A private cluster's kubeconfig names the private FQDN, which does not resolve from the host (as in Azure).
    const p = await azl(["aks", "get-credentials", "-g", "wt-rg", "-n", "byo-private", "--file", path.join(env.HOME!, "private.kubeconfig")]);
    assert.equal(p.code, 0, p.stderr);
    const kp = await run(KUBECTL, ["--kubeconfig", path.join(env.HOME!, "private.kubeconfig"), "get", "nodes", "--request-timeout=10s"], env, 60_000);
    assert.notEqual(kp.code, 0);
    assert.match(kp.stderr, /no such host|lookup|dial tcp|Unable to connect/i);
    // The VNet-side kubeconfig (the cluster as a VM in its VNet sees it) works.
    const vnetKc = path.join(env.HOME!, "vnet.kubeconfig");
    const kc = await run(process.execPath, [path.join(REPO_ROOT, "dist/src/cli/aksemu.js"), "kubeconfig", "-g", "wt-rg", "-n", "byo-private", "--vnet", "--file", vnetKc, "--data-dir", emu.dataDir], env, 60_000);
    assert.equal(kc.code, 0, kc.stderr);
    assert.match(fs.readFileSync(vnetKc, "utf8"), /tls-server-name: byo-privat-wt-rg-000000-[0-9a-f]{8}\.[0-9a-f-]{36}\.private\.westus2\.azmk8s\.io/);
    const kv = await run(KUBECTL, ["--kubeconfig", vnetKc, "get", "nodes"], env, 60_000);
    assert.equal(kv.code, 0, kv.stderr);
    assert.match(kv.stdout, /Ready/);
  });

  test("failure cases print az's or Azure's message and exit non-zero", async () => {
    const base = ["aks", "create", "-g", "wt-rg", "--network-plugin", "azure", "--enable-apiserver-vnet-integration", "--assign-identity", identity.id, "--vnet-subnet-id", clusterSubnetId];
    // Undelegated API server subnet.
    const plain = await json(["network", "vnet", "subnet", "create", "-g", "wt-rg", "--vnet-name", "wt-vnet", "-n", "plain", "--address-prefixes", "172.19.3.0/28"]);
    await azl(["role", "assignment", "create", "--scope", plain.id, "--role", "Network Contributor", "--assignee", identity.clientId]);
    let r = await azl([...base, "-n", "f-undelegated", "--apiserver-subnet-id", plain.id]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\(ApiserverSubnetConfigError\) apiServerAccessProfile\.subnetId '[^']+\/subnets\/plain' must be delegated to Microsoft\.ContainerService\/managedClusters\./);
    // A /29 delegated subnet is too small.
    const small = await json(["network", "vnet", "subnet", "create", "-g", "wt-rg", "--vnet-name", "wt-vnet", "-n", "small", "--delegations", "Microsoft.ContainerService/managedClusters", "--address-prefixes", "172.19.4.0/29"]);
    await azl(["role", "assignment", "create", "--scope", small.id, "--role", "Network Contributor", "--assignee", identity.clientId]);
    r = await azl([...base, "-n", "f-small", "--apiserver-subnet-id", small.id]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\(ApiserverSubnetConfigError\) .*has address prefix 172\.19\.4\.0\/29; the API server subnet must be \/28 or larger\./);
    // A delegated subnet in another VNet.
    await json(["network", "vnet", "create", "-g", "wt-rg", "-n", "other-vnet", "--address-prefixes", "10.50.0.0/16"]);
    const other = await json(["network", "vnet", "subnet", "create", "-g", "wt-rg", "--vnet-name", "other-vnet", "-n", "api", "--delegations", "Microsoft.ContainerService/managedClusters", "--address-prefixes", "10.50.0.0/28"]);
    await azl(["role", "assignment", "create", "--scope", other.id, "--role", "Network Contributor", "--assignee", identity.clientId]);
    r = await azl([...base, "-n", "f-othervnet", "--apiserver-subnet-id", other.id]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\(ApiserverSubnetConfigError\) .*is in virtual network '[^']*\/virtualNetworks\/other-vnet'.*must be in the same virtual network as the cluster nodes\./);
    // Missing role assignment: a fresh identity without Network Contributor.
    const id2 = await json(["identity", "create", "-g", "wt-rg", "-n", "no-rights"]);
    const sub5 = await json(["network", "vnet", "subnet", "create", "-g", "wt-rg", "--vnet-name", "wt-vnet", "-n", "apiserver5", "--delegations", "Microsoft.ContainerService/managedClusters", "--address-prefixes", "172.19.5.0/28"]);
    r = await azl(["aks", "create", "-g", "wt-rg", "-n", "f-norights", "--network-plugin", "azure", "--enable-apiserver-vnet-integration", "--assign-identity", id2.id, "--vnet-subnet-id", clusterSubnetId, "--apiserver-subnet-id", sub5.id]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /LinkedAuthorizationFailed/);
    // Azure accepts the PUT; provisioning fails writing the API server's load balancer into the subnet as the identity
    assert.match(r.stderr, new RegExp(`The client '${id2.clientId}' with object id '${id2.principalId}' has permission to perform action 'Microsoft\\.Network/loadBalancers/write'`));
    assert.match(r.stderr, /Microsoft\.Network\/virtualNetworks\/subnets\/join\/action/);
    // Private mode on a cluster without VNet integration (az's client-side rule).
    await json(["aks", "create", "-g", "wt-rg", "-n", "classic", "--node-count", "1", "--network-plugin", "azure", "--vnet-subnet-id", clusterSubnetId, "--assign-identity", identity.id]);
    r = await azl(["aks", "update", "-g", "wt-rg", "-n", "classic", "--enable-private-cluster"]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Enabling private cluster requires enabling apiserver vnet integration\(--enable-apiserver-vnet-integration\)\./);
    // Disabling VNet integration: az has no flag for it, and the service refuses it over REST.
    r = await azl(["aks", "update", "-g", "wt-rg", "-n", "convert-me", "--disable-apiserver-vnet-integration"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unrecognized arguments: --disable-apiserver-vnet-integration/);
    const cur = await emu.request("GET", `${values["apiserver-subnet-resource-id"]!.split("/providers/")[0]}/providers/Microsoft.ContainerService/managedClusters/convert-me?api-version=2025-03-01`);
    assert.equal(cur.status, 200);
    const body = cur.body;
    body.properties.apiServerAccessProfile.enableVnetIntegration = false;
    const off = await emu.request("PUT", `${body.id}?api-version=2025-03-01`, body);
    assert.equal(off.status, 400, off.text);
    assert.equal(off.body.error.code, "OperationNotAllowed");
    assert.match(off.body.error.message, /enableVnetIntegration/);
    // The misspelt flag from the page's prose.
    r = await azl(["aks", "create", "-n", "x", "-g", "wt-rg", "--network-plugin", "azure", "--enable-api-server-vnet-integration"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unrecognized arguments: --enable-api-server-vnet-integration/);
    assert.match(r.stderr, /--enable-apiserver-vnet-integration/);
  });
});
}
