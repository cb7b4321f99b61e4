// End to end: start the emulator on a free port with a temporary data dir and run the azl bin as
// a child process against it, following the walkthrough (and its companions). Every provider
// the walkthrough uses is served, so every step is a real assertion.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as yamlParse } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..", "..");
const AKSEMU = join(root, "dist", "src", "cli", "aksemu.js");
const AZL = join(root, "dist", "azl", "azl.js");

let server: ChildProcess | undefined;
let endpoint = "";
let work = "";
let serverLog = "";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  json: () => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function azl(...args: string[]): Promise<Run> {
  return new Promise((res) => {
    execFile(
      process.execPath,
      [AZL, ...args],
      {
        env: {
          PATH: process.env.PATH,
          HOME: join(work, "home"),
          AKSEMU_ENDPOINT: endpoint,
          AKSEMU_DATA_DIR: join(work, "data"),
        },
        cwd: work,
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : 1) : 0;
        res({ code, stdout, stderr, json: () => JSON.parse(stdout) });
      },
    );
  });
}

before(async () => {
  if (!existsSync(AKSEMU)) return;
  work = mkdtempSync(join(tmpdir(), "azl-e2e-"));
  server = spawn(process.execPath, [AKSEMU, "start", "--port", "0", "--data-dir", join(work, "data"), "--latency", "instant"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  endpoint = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`emulator did not become ready:\n${serverLog}`)), 30_000);
    const onData = (d: Buffer) => {
      serverLog += d.toString();
      const m = /READY (https:\/\/\S+)/.exec(serverLog);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    };
    server!.stdout!.on("data", onData);
    server!.stderr!.on("data", (d: Buffer) => (serverLog += d.toString()));
    server!.on("exit", (code) => rej(new Error(`emulator exited with ${code}:\n${serverLog}`)));
  });
});

after(() => {
  if (server && server.exitCode === null) server.kill("SIGTERM");
  if (work) rmSync(work, { recursive: true, force: true });
});

const SUB_RE = /^\/subscriptions\/[^/]+\/resourceGroups\/rg1\/providers\/Microsoft\.Network\/virtualNetworks\/vnet1\/subnets\/(apiserver|nodes)$/;

test("azl against aksemu: the walkthrough", async (t) => {
  // Tests run from the build, so a missing CLI is a broken build, not a reason to skip.
  assert.ok(existsSync(AKSEMU), `${AKSEMU} is missing: run npm run build`);
  const state: Record<string, string> = {};

  await t.test("1. extension add / update", async () => {
    const a = await azl("extension", "add", "--name", "aks-preview");
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stderr, "WARNING: azl has the aks-preview extension's commands and flags built in (as aks-preview 19.0.0b1); nothing was downloaded or installed.\n");
    const u = await azl("extension", "update", "--name", "aks-preview");
    assert.equal(u.code, 0, u.stderr);
    assert.match(u.stderr, /built in \(as aks-preview 19\.0\.0b1\); nothing was downloaded or installed\./);
    const l = await azl("extension", "list", "--query", "[0].version", "-o", "tsv");
    assert.equal(l.stdout.trim(), "19.0.0b1");
  });

  await t.test("2-4. feature register/show, provider register", async () => {
    const r = await azl("feature", "register", "--namespace", "Microsoft.ContainerService", "--name", "EnableAPIServerVnetIntegrationPreview");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json().name, "Microsoft.ContainerService/EnableAPIServerVnetIntegrationPreview");
    assert.match(r.json().properties.state, /^(Registering|Registered)$/);
    assert.match(r.stderr, /Once the feature 'EnableAPIServerVnetIntegrationPreview' is registered, invoking 'az provider register -n Microsoft\.ContainerService' is required/);
    const s = await azl("feature", "show", "--namespace", "Microsoft.ContainerService", "--name", "EnableAPIServerVnetIntegrationPreview", "--query", "properties.state", "-o", "tsv");
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout.trim(), /^(Registering|Registered)$/);
    const p = await azl("provider", "register", "--namespace", "Microsoft.ContainerService");
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stderr, /Registering is still on-going\. You can monitor using 'az provider show -n Microsoft\.ContainerService'/);
  });

  await t.test("5. group create / show / exists / list -o table", async () => {
    const c = await azl("group", "create", "-l", "westus2", "-n", "rg1");
    assert.equal(c.code, 0, c.stderr);
    assert.deepEqual(c.json().properties, { provisioningState: "Succeeded" });
    assert.equal(c.json().managedBy, null);
    const e = await azl("group", "exists", "-n", "rg1");
    assert.equal(e.stdout, "true\n");
    const tbl = await azl("group", "list", "-o", "table");
    assert.match(tbl.stdout, /^Name +Location +Status\n-+ +-+ +-+\nrg1 +westus2 +Succeeded\n$/);
    const missing = await azl("group", "show", "-n", "nope");
    assert.equal(missing.code, 3);
    assert.equal(missing.stderr, "ERROR: (ResourceGroupNotFound) Resource group 'nope' could not be found.\nCode: ResourceGroupNotFound\nMessage: Resource group 'nope' could not be found.\n");
  });

  await t.test("8-10. vnet, delegated API server subnet, node subnet", async () => {
    const v = await azl("network", "vnet", "create", "-n", "vnet1", "-g", "rg1", "-l", "westus2", "--address-prefixes", "172.19.0.0/16");
    assert.equal(v.code, 0, v.stderr);
    assert.deepEqual(v.json().newVNet.addressSpace.addressPrefixes, ["172.19.0.0/16"]);
    assert.equal(v.json().newVNet.resourceGroup, "rg1");
    const a = await azl("network", "vnet", "subnet", "create", "-g", "rg1", "--vnet-name", "vnet1", "--name", "apiserver", "--delegations", "Microsoft.ContainerService/managedClusters", "--address-prefixes", "172.19.0.0/28");
    assert.equal(a.code, 0, a.stderr);
    const sub = a.json();
    assert.match(sub.id, SUB_RE);
    assert.equal(sub.addressPrefix, "172.19.0.0/28");
    assert.equal(sub.delegations[0].name, "0");
    assert.equal(sub.delegations[0].serviceName, "Microsoft.ContainerService/managedClusters");
    assert.equal(sub.delegations[0].resourceGroup, "rg1");
    state.apiserver = sub.id;
    const n = await azl("network", "vnet", "subnet", "create", "-g", "rg1", "--vnet-name", "vnet1", "--name", "nodes", "--address-prefixes", "172.19.1.0/24", "--query", "id", "-o", "tsv");
    assert.equal(n.code, 0, n.stderr);
    state.nodes = n.stdout.trim();
    assert.match(state.nodes, SUB_RE);
    const l = await azl("network", "vnet", "subnet", "list", "-g", "rg1", "--vnet-name", "vnet1", "--query", "[].name");
    assert.deepEqual(l.json().sort(), ["apiserver", "nodes"]);
    const vt = await azl("network", "vnet", "list", "-g", "rg1", "-o", "table");
    assert.match(vt.stdout, /^Name +ResourceGroup +Location +NumSubnets +Prefixes/);
  });

  await t.test("11-13. identity and role assignments by client id", async () => {
    const i = await azl("identity", "create", "-g", "rg1", "-n", "id1", "-l", "westus2");
    assert.equal(i.code, 0, i.stderr);
    const id = i.json();
    assert.match(id.clientId, /^[0-9a-f-]{36}$/);
    assert.match(id.principalId, /^[0-9a-f-]{36}$/);
    state.identityId = id.id;
    state.clientId = id.clientId;
    state.principalId = id.principalId;
    assert.ok(state.apiserver && state.nodes, "the subnets of steps 8-10 exist");
    for (const scope of [state.apiserver, state.nodes]) {
      const r = await azl("role", "assignment", "create", "--scope", scope, "--role", "Network Contributor", "--assignee", state.clientId);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json().principalId, state.principalId);
      assert.equal(r.json().principalType, "ServicePrincipal");
      assert.match(r.json().roleDefinitionId, /4d97b98b-1d4f-4787-a291-c67834d212e7$/);
      assert.equal(r.json().scope.toLowerCase(), scope.toLowerCase());
    }
    const l = await azl("role", "assignment", "list", "--all", "--assignee", state.clientId, "--query", "[].roleDefinitionName", "-o", "tsv");
    assert.equal(l.code, 0, l.stderr);
    assert.ok(l.stdout.split("\n").includes("Network Contributor"));
  });

  await t.test("unrecognized flag from the docs' prose gets az's error and a suggestion", async () => {
    const r = await azl("aks", "create", "-n", "c", "-g", "rg1", "-l", "westus2", "--network-plugin", "azure", "--enable-api-server-vnet-integration");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^ERROR: unrecognized arguments: --enable-api-server-vnet-integration\nThe most similar choice to '--enable-api-server-vnet-integration' is:\n\t--enable-apiserver-vnet-integration\n/);
  });

  await t.test("6, 14-19, stop/start, command invoke, get-credentials", async () => {
    const probe = await azl("aks", "list", "-g", "rg1");
    assert.equal(probe.code, 0, probe.stderr);
    const m = await azl("aks", "create", "-n", "managed1", "-g", "rg1", "-l", "westus2", "--network-plugin", "azure", "--enable-apiserver-vnet-integration");
    assert.equal(m.code, 0, m.stderr);
    const mc = m.json();
    assert.equal(mc.apiServerAccessProfile.enableVnetIntegration, true);
    assert.ok("privateDnsZone" in mc.apiServerAccessProfile);
    assert.ok("enablePrivateClusterPublicFqdn" in mc.apiServerAccessProfile);
    assert.equal(mc.resourceGroup, "rg1");
    assert.equal(mc.agentPoolProfiles[0].name, "nodepool1");
    assert.equal(mc.agentPoolProfiles[0].count, 3);
    assert.match(mc.dnsPrefix, /^managed1-rg1-[0-9a-f]{6}$/);
    {
      assert.ok(state.nodes && state.apiserver && state.identityId, "the subnets and identity of steps 8-13 exist");
      const b = await azl(
        "aks", "create", "-n", "byo1", "-g", "rg1", "-l", "westus2", "--network-plugin", "azure", "--enable-apiserver-vnet-integration",
        "--vnet-subnet-id", state.nodes!, "--apiserver-subnet-id", state.apiserver!, "--assign-identity", state.identityId,
      );
      assert.equal(b.code, 0, b.stderr);
      assert.equal(b.json().apiServerAccessProfile.subnetId.toLowerCase(), state.apiserver!.toLowerCase());
      assert.equal(b.json().identity.type, "UserAssigned");
      assert.equal(b.json().agentPoolProfiles[0].vnetSubnetId.toLowerCase(), state.nodes!.toLowerCase());
      const on = await azl("aks", "update", "-n", "byo1", "-g", "rg1", "--enable-private-cluster");
      assert.equal(on.code, 0, on.stderr);
      assert.equal(on.json().apiServerAccessProfile.enablePrivateCluster, true);
      const off = await azl("aks", "update", "-n", "byo1", "-g", "rg1", "--disable-private-cluster");
      assert.equal(off.code, 0, off.stderr);
      assert.equal(off.json().apiServerAccessProfile.enablePrivateCluster, false);
    }
    const show = await azl("aks", "show", "-n", "managed1", "-g", "rg1", "-o", "table");
    assert.match(show.stdout, /^Name +Location +ResourceGroup +KubernetesVersion +CurrentKubernetesVersion +ProvisioningState +Fqdn\n/);
    const kc = join(work, "kubeconfig");
    const g = await azl("aks", "get-credentials", "-g", "rg1", "-n", "managed1", "--file", kc);
    assert.equal(g.code, 0, g.stderr);
    assert.match(g.stderr, new RegExp(`Merged "managed1" as current context in ${kc.replace(/[/.]/g, "\\$&")}`));
    const cfg = yamlParse(readFileSync(kc, "utf8"));
    assert.equal(cfg["current-context"], "managed1");
    const again = await azl("aks", "get-credentials", "-g", "rg1", "-n", "managed1", "--file", kc);
    assert.equal(again.code, 0, again.stderr);
    const stop = await azl("aks", "stop", "-n", "managed1", "-g", "rg1");
    assert.equal(stop.code, 0, stop.stderr);
    const st1 = await azl("aks", "show", "-n", "managed1", "-g", "rg1", "--query", "powerState.code", "-o", "tsv");
    assert.equal(st1.stdout.trim(), "Stopped");
    const start = await azl("aks", "start", "-n", "managed1", "-g", "rg1");
    assert.equal(start.code, 0, start.stderr);
    const inv = await azl("aks", "command", "invoke", "-g", "rg1", "-n", "managed1", "--command", "kubectl get nodes");
    assert.equal(inv.code, 0, inv.stderr);
    assert.match(inv.stdout, /^command started at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00:00, finished at .* with exitcode=0\n/);
    // The output is the real cluster's: its three nodepool1 nodes, Ready.
    const nodeLines = inv.stdout.split("\n").filter((l) => /^aks-nodepool1-\S+\s+Ready\s/.test(l));
    assert.equal(nodeLines.length, 3, inv.stdout);
    assert.match(inv.stdout, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/m);
    const del = await azl("aks", "delete", "-n", "managed1", "-g", "rg1", "--yes");
    assert.equal(del.code, 0, del.stderr);
    const gone = await azl("aks", "show", "-n", "managed1", "-g", "rg1");
    assert.equal(gone.code, 3, gone.stderr);
    assert.match(gone.stderr, /^WARNING: .*\nERROR: \((ResourceNotFound|NotFound)\) /);
  });

  await t.test("group delete: the group holding a BYO-VNet cluster and its VNet goes (the cluster releases its SAL and addresses first)", async () => {
    const d = await azl("group", "delete", "-n", "rg1", "--yes");
    assert.equal(d.code, 0, d.stderr);
    const e = await azl("group", "exists", "-n", "rg1");
    assert.equal(e.stdout, "false\n");
  });
});
