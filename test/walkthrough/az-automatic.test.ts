// AKS Automatic on a custom VNet with the CURRENT Azure CLI (pinned in scripts/clients.mjs), as the
// custom-network quickstart runs it. `az aks create --sku automatic` grants Network Contributor on
// the three subnets, then enables the monitoring add-on, whose default Log Analytics workspace az
// looks up per cloud name: for any cloud it does not know (the emulator's `AksEmu`) az 2.91 logs
// "AKS Monitoring addon not supported in cloud" and fails with its own UnboundLocalError before
// the cluster PUT. So the cluster comes from the quickstart's Bicep body through
// `az resource create --is-full-object`, and the current az then drives it: show, update, nodepool
// list, stop (refused), get-credentials (Entra/kubelogin; --admin refused).
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startEmulator, tempDir, type RunningEmulator } from "../helpers/emulator.js";
import { setupAz } from "../helpers/az.js";
import { CURRENT_AZ, needClient } from "../helpers/clients.js";
import { runProcess } from "../helpers/run.js";


const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 300_000) => runProcess(cmd, args, env, timeoutMs);

describe("AKS Automatic on a custom VNet with the current az", { skip: needClient(CURRENT_AZ, "the current azure-cli") }, () => {
  let emu: RunningEmulator;
  let env: NodeJS.ProcessEnv;
  let home: string;
  const rg = "automatic-rg";
  const az = (args: string[]) => run(CURRENT_AZ, args, env);
  const json = async (args: string[]) => {
    const r = await az([...args, "-o", "json"]);
    assert.equal(r.code, 0, `az ${args.join(" ")} failed:\n${r.stderr}`);
    return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
  };
  const ids: Record<string, string> = {};
  let uami: { id: string; principalId: string; clientId: string };

  before(async () => {
    emu = await startEmulator({ latency: "instant" });
    const s = await setupAz(emu, { azPath: CURRENT_AZ, timeoutMs: 600_000 });
    home = tempDir("aksemu-auto-home-");
    env = { ...process.env, ...s.env, HOME: home };
    delete env.KUBECONFIG;
  });
  after(async () => {
    await emu?.stop();
  });

  test("the quickstart's network and identity (define-vars, create-rg, create-vnet, create-uami)", async () => {
    await json(["group", "create", "-n", rg, "-l", "eastus"]);
    await json(["network", "vnet", "create", "-g", rg, "-n", "automatic-vnet", "--address-prefixes", "172.19.0.0/16"]);
    for (const [n, prefix, extra] of [["apiServerSubnet", "172.19.0.0/28", ["--delegations", "Microsoft.ContainerService/managedClusters"]], ["userNodeSubnet", "172.19.1.0/24", []], ["managedSystemNodeSubnet", "172.19.0.64/26", []]] as const) {
      ids[n] = (await json(["network", "vnet", "subnet", "create", "-g", rg, "--vnet-name", "automatic-vnet", "-n", n, "--address-prefixes", prefix, ...extra])).id;
    }
    uami = await json(["identity", "create", "-g", rg, "-n", "automatic-uami"]);
  });

  test("az aks create --sku automatic: Network Contributor on the three subnets, then az's monitoring add-on stops at the unknown cloud", async () => {
    const r = await az(["aks", "create", "-g", rg, "-n", "automatic", "-l", "eastus", "--apiserver-subnet-id", ids.apiServerSubnet!, "--node-subnet-id", ids.userNodeSubnet!,
      "--system-node-subnet-id", ids.managedSystemNodeSubnet!, "--assign-identity", uami.id, "--sku", "automatic", "--no-ssh-key"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /AKS Monitoring addon not supported in cloud : AksEmu/);
    assert.match(r.stderr, /cannot access local variable 'workspace_region' where it is not associated with a value/);
    const ra = await json(["role", "assignment", "list", "--assignee", uami.principalId, "--all"]);
    const scopes = ra.filter((x: any) => x.roleDefinitionName === "Network Contributor").map((x: any) => x.scope.toLowerCase()).sort();
    assert.deepEqual(scopes, Object.values(ids).map((x) => x.toLowerCase()).sort(), "az granted the identity Network Contributor on the subnet trio before the PUT");
    const show = await az(["aks", "show", "-g", rg, "-n", "automatic"]);
    assert.equal(show.code, 3, "no cluster was created");
  });

  test("the quickstart's Bicep body (2024-03-02-preview) through az resource create, then az aks show / update / nodepool list / stop / get-credentials", async () => {
    const body = {
      location: "eastus",
      sku: { name: "Automatic" },
      identity: { type: "UserAssigned", userAssignedIdentities: { [uami.id]: {} } },
      properties: {
        apiServerAccessProfile: { subnetId: ids.apiServerSubnet },
        networkProfile: { outboundType: "loadBalancer" },
        hostedSystemProfile: { systemNodeSubnetID: ids.managedSystemNodeSubnet, nodeSubnetID: ids.userNodeSubnet },
      },
    };
    const file = path.join(home, "aks.json");
    fs.writeFileSync(file, JSON.stringify(body));
    const created = await json(["resource", "create", "-g", rg, "-n", "automatic", "--resource-type", "Microsoft.ContainerService/managedClusters",
      "--api-version", "2024-03-02-preview", "--is-full-object", "--properties", `@${file}`]);
    assert.equal(created.properties.provisioningState, "Succeeded");
    const c = await json(["aks", "show", "-g", rg, "-n", "automatic"]);
    assert.deepEqual(c.sku, { name: "Automatic", tier: "Standard" });
    assert.deepEqual(c.hostedSystemProfile, { enabled: true, nodeSubnetId: ids.userNodeSubnet, systemNodeSubnetId: ids.managedSystemNodeSubnet });
    assert.equal(c.apiServerAccessProfile.enableVnetIntegration, true);
    assert.equal(c.apiServerAccessProfile.subnetId, ids.apiServerSubnet);
    assert.equal(c.agentPoolProfiles, null);
    assert.equal(c.nodeProvisioningProfile.mode, "Auto");
    assert.equal(c.networkProfile.networkPluginMode, "overlay");
    assert.equal(c.networkProfile.networkPolicy, "cilium");
    assert.equal(c.disableLocalAccounts, true);
    // az's update path reads no agentPoolProfiles on a managed-system cluster and keeps the rest
    const u = await json(["aks", "update", "-g", rg, "-n", "automatic", "--tags", "env=test"]);
    assert.deepEqual(u.tags, { env: "test" });
    assert.equal(u.hostedSystemProfile.enabled, true);
    assert.equal(u.nodeProvisioningProfile.mode, "Auto");
    assert.deepEqual(await json(["aks", "nodepool", "list", "-g", rg, "--cluster-name", "automatic"]), []);
    const stop = await az(["aks", "stop", "-g", rg, "-n", "automatic"]);
    assert.equal(stop.code, 1);
    assert.match(stop.stderr, /\(OperationNotAllowed\) Stopping a cluster with managed system node pools \(hostedSystemProfile\.enabled\) is not supported\./);
    const kc = path.join(home, "automatic.kubeconfig");
    const cred = await az(["aks", "get-credentials", "-g", rg, "-n", "automatic", "--file", kc]);
    assert.equal(cred.code, 0, cred.stderr);
    assert.match(fs.readFileSync(kc, "utf8"), /command: kubelogin/);
    const admin = await az(["aks", "get-credentials", "-g", rg, "-n", "automatic", "--admin", "--file", kc]);
    assert.equal(admin.code, 1);
    assert.match(admin.stderr, /Getting static credential is not allowed because this cluster is set to disable local accounts\./);
  });
});
