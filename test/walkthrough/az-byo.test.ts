// The BYO VNet flow of the walkthrough with Debian's real azure-cli 2.45. It has no VNet
// integration flags (added in az 2.73), so those requests go through `az rest` at a stable
// api-version that has them (2025-03-01), as the reference recommends. Two Debian packaging
// bugs are worked around on the client side, not hidden: `az network …` fails before sending
// anything ('NoneType' object has no attribute 'standard_medium'), and `az role assignment
// create` crashes after its Graph look-up ('RoleAssignmentsOperations' object has no attribute
// 'config'); both are replaced by `az rest` with the same REST call.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { spawn } from "node:child_process";
import { startEmulator, REPO_ROOT, SUBSCRIPTION_ID, type RunningEmulator } from "../helpers/emulator.js";
import { findAz, setupAz, type Az } from "../helpers/az.js";

const azPath = findAz();
const KUBECTL = path.join(REPO_ROOT, ".tools/kubectl-v32");
const RG = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/azrg`;
const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet`;
const NETWORK_CONTRIBUTOR = `/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7`;

describe("Debian azure-cli: the BYO VNet flow", { skip: azPath ? false : "no az on this machine (.ci/run installs Debian's azure-cli)" }, () => {
  let emu: RunningEmulator;
  let az: Az;
  let env: Record<string, string>;
  const ok = async (args: string[]) => {
    const r = await az(args, { timeoutMs: 180_000 });
    assert.equal(r.code, 0, `az ${args.join(" ")} failed (${r.code}):\n${r.stderr}`);
    return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
  };
  const rest = (method: string, url: string, body?: unknown) =>
    ok(["rest", "--method", method, "--url", url, ...(body ? ["--body", JSON.stringify(body)] : []), "-o", "json"]);

  before(async () => {
    emu = await startEmulator({ latency: "instant" });
    const s = await setupAz(emu, { azPath });
    az = s.az;
    env = s.env;
  });
  after(async () => {
    await emu?.stop();
  });

  let identity: { id: string; clientId: string; principalId: string };

  test("group, VNet with delegated /28 and node /24, identity, Network Contributor on both subnets", async () => {
    await ok(["group", "create", "-n", "azrg", "-l", "westus2", "-o", "json"]);
    await rest("put", `${VNET}?api-version=2023-09-01`, {
      location: "westus2",
      properties: {
        addressSpace: { addressPrefixes: ["172.19.0.0/16"] },
        subnets: [
          { name: "apiserver", properties: { addressPrefix: "172.19.0.0/28", delegations: [{ name: "0", properties: { serviceName: "Microsoft.ContainerService/managedClusters" } }] } },
          { name: "nodes", properties: { addressPrefix: "172.19.1.0/24" } },
          { name: "plain", properties: { addressPrefix: "172.19.2.0/28" } },
        ],
      },
    });
    const sub = await rest("get", `${VNET}/subnets/apiserver?api-version=2023-09-01`);
    assert.deepEqual(sub.properties.delegations[0].properties.actions, ["Microsoft.Network/virtualNetworks/subnets/join/action"]);
    identity = await ok(["identity", "create", "-g", "azrg", "-n", "aksid", "-o", "json"]);
    for (const s of ["apiserver", "nodes", "plain"]) {
      const scope = `${VNET}/subnets/${s}`;
      const r = await az(["role", "assignment", "create", "--scope", scope, "--role", "Network Contributor", "--assignee", identity.clientId, "-o", "json"], { timeoutMs: 180_000 });
      if (r.code !== 0) {
        assert.match(r.stderr, /has no attribute 'config'/, `unexpected az failure:\n${r.stderr}`);
        await rest("put", `${scope}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?api-version=2022-04-01`, {
          properties: { roleDefinitionId: NETWORK_CONTRIBUTOR, principalId: identity.principalId, principalType: "ServicePrincipal" },
        });
      }
    }
  });

  test("az aks create with core flags: private cluster in the BYO node subnet", async () => {
    const c = await ok(["aks", "create", "-g", "azrg", "-n", "core", "--network-plugin", "azure", "--vnet-subnet-id", `${VNET}/subnets/nodes`,
      "--assign-identity", identity.id, "--enable-private-cluster", "--node-count", "1", "--generate-ssh-keys", "--skip-subnet-role-assignment", "-o", "json"]);
    assert.equal(c.provisioningState, "Succeeded");
    assert.match(c.privateFqdn, /\.privatelink\.westus2\.azmk8s\.io$/, "a classic private cluster (no VNet integration) uses privatelink");
    assert.equal(c.agentPoolProfiles[0].vnetSubnetId, `${VNET}/subnets/nodes`);
  });

  test("a VNet-integrated cluster through az rest; az aks show (2022-11-01) does not know the fields; get-credentials and kubectl work", async (t) => {
    const url = `${RG}/providers/Microsoft.ContainerService/managedClusters/vni?api-version=2025-03-01`;
    const created = await rest("put", url, {
      location: "westus2",
      identity: { type: "UserAssigned", userAssignedIdentities: { [identity.id]: {} } },
      properties: {
        dnsPrefix: "vni",
        agentPoolProfiles: [{ name: "nodepool1", count: 1, vmSize: "Standard_DS2_v2", mode: "System", vnetSubnetID: `${VNET}/subnets/nodes` }],
        networkProfile: { networkPlugin: "azure" },
        apiServerAccessProfile: { enableVnetIntegration: true, subnetId: `${VNET}/subnets/apiserver` },
      },
    });
    assert.match(created.properties.provisioningState, /Creating|Succeeded/);
    let show: any;
    for (let i = 0; i < 100; i++) {
      show = await ok(["aks", "show", "-g", "azrg", "-n", "vni", "-o", "json"]);
      if (show.provisioningState !== "Creating") break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(show.provisioningState, "Succeeded");
    assert.equal(show.apiServerAccessProfile?.enableVnetIntegration, undefined, "2022-11-01 has no enableVnetIntegration");
    const full = await rest("get", url);
    assert.equal(full.properties.apiServerAccessProfile.enableVnetIntegration, true);
    const lb = await rest("get", `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${full.properties.nodeResourceGroup}/providers/Microsoft.Network/loadBalancers/kube-apiserver?api-version=2023-09-01`);
    assert.equal(lb.properties.frontendIPConfigurations[0].properties.privateIPAddress, "172.19.0.4");
    const kubeconfig = path.join(env.AZURE_CONFIG_DIR!, "..", "vni.kubeconfig");
    await az(["aks", "get-credentials", "-g", "azrg", "-n", "vni", "--file", kubeconfig], { timeoutMs: 120_000 }).then((r) => assert.equal(r.code, 0, r.stderr));
    assert.match(fs.readFileSync(kubeconfig, "utf8"), /server: https:\/\/127\.0\.0\.1:\d+/);
    if (!fs.existsSync(KUBECTL)) return t.skip("no .tools/kubectl-v32");
    const k = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const p = spawn(KUBECTL, ["--kubeconfig", kubeconfig, "get", "nodes", "-o", "wide"], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      p.stdout.on("data", (c) => (out += c));
      p.stderr.on("data", (c) => (err += c));
      const timer = setTimeout(() => p.kill("SIGKILL"), 60_000);
      p.on("close", (code) => (clearTimeout(timer), resolve({ code, out, err })));
    });
    assert.equal(k.code, 0, k.err);
    assert.match(k.out, /Ready\s+agent.*172\.19\.1\.\d+/);
  });

  test("az prints Azure's error for an undelegated API server subnet and exits non-zero", async () => {
    const r = await az(["rest", "--method", "put", "--url", `${RG}/providers/Microsoft.ContainerService/managedClusters/bad?api-version=2025-03-01`, "--body", JSON.stringify({
      location: "westus2",
      identity: { type: "UserAssigned", userAssignedIdentities: { [identity.id]: {} } },
      properties: {
        dnsPrefix: "bad",
        agentPoolProfiles: [{ name: "nodepool1", count: 1, mode: "System", vnetSubnetID: `${VNET}/subnets/nodes` }],
        networkProfile: { networkPlugin: "azure" },
        apiServerAccessProfile: { enableVnetIntegration: true, subnetId: `${VNET}/subnets/plain` },
      },
    })], { timeoutMs: 120_000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Bad Request|ApiserverSubnetConfigError|delegat/i);
    const gone = await az(["aks", "show", "-g", "azrg", "-n", "bad"], { timeoutMs: 120_000 });
    assert.notEqual(gone.code, 0, "nothing was written");
  });
});
