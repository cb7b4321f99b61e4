// azl beyond the walkthrough, through the bundled azl against a real emulator: rest,
// account get-access-token, resource list/show, network lb/public-ip/nic/nsg/private-dns,
// aks nodepool *, aks scale/get-versions; output formats and az's errors.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import https from "node:https";
import { startEmulator, tempDir, AZL_BIN, SUBSCRIPTION_ID, type RunningEmulator } from "../helpers/emulator.js";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  json: () => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe("azl commands around the walkthrough", () => {
  let emu: RunningEmulator;
  let env: NodeJS.ProcessEnv;
  const azl = (...args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      const p = spawn(process.execPath, [AZL_BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      p.stdout.on("data", (c) => (stdout += c));
      p.stderr.on("data", (c) => (stderr += c));
      p.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr, json: () => JSON.parse(stdout) }));
    });
  const ok = async (...args: string[]) => {
    const r = await azl(...args);
    assert.equal(r.code, 0, `azl ${args.join(" ")}:\n${r.stderr}`);
    // piped stderr never carries the terminal spinner
    assert.ok(!r.stderr.includes("\r"), r.stderr);
    return r;
  };

  before(async () => {
    emu = await startEmulator({ latency: "instant" });
    env = { PATH: process.env.PATH, HOME: tempDir("azl-cmds-home-"), AKSEMU_ENDPOINT: emu.endpoint, AKSEMU_DATA_DIR: emu.dataDir };
    await ok("group", "create", "-n", "rg1", "-l", "westus2", "-o", "none");
  });
  after(async () => {
    await emu?.stop();
  });

  test("account get-access-token: az's fields, and the token is accepted by the emulator", async () => {
    const t = (await ok("account", "get-access-token")).json();
    assert.deepEqual(Object.keys(t).sort(), ["accessToken", "expiresOn", "expires_on", "subscription", "tenant", "tokenType"]);
    assert.equal(t.tokenType, "Bearer");
    assert.equal(t.subscription, SUBSCRIPTION_ID);
    assert.match(t.expiresOn, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    assert.equal(typeof t.expires_on, "number");
    const status = await new Promise<number>((resolve, reject) => {
      https
        .get(`${emu.endpoint}/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/rg1?api-version=2021-04-01`, { ca: emu.caPem, headers: { authorization: `Bearer ${t.accessToken}` } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on("error", reject);
    });
    assert.equal(status, 200);
    const scoped = (await ok("account", "get-access-token", "--scope", `${emu.endpoint}/.default`, "--query", "tokenType", "-o", "tsv")).stdout;
    assert.equal(scoped, "Bearer\n");
    const both = await azl("account", "get-access-token", "--scope", "x/.default", "--resource", "https://x/");
    assert.equal(both.code, 1);
    assert.equal(both.stderr, "ERROR: resource and scopes can't be provided at the same time.\n");
  });

  test("rest: relative URL with {subscriptionId}, PUT with a body, and az's error for a 404", async () => {
    const put = await ok("rest", "--method", "put", "--url", "/subscriptions/{subscriptionId}/resourcegroups/rg-rest?api-version=2021-04-01", "--body", '{"location": "eastus", "tags": {"a": "b"}}');
    assert.equal(put.json().location, "eastus");
    assert.deepEqual(put.json().tags, { a: "b" });
    const get = await ok("rest", "--url", `${emu.endpoint}/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/rg-rest`, "--uri-parameters", "api-version=2021-04-01", "--query", "name", "-o", "tsv");
    assert.equal(get.stdout, "rg-rest\n");
    const missing = await azl("rest", "--url", "/subscriptions/{subscriptionId}/resourcegroups/nope?api-version=2021-04-01");
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `ERROR: Not Found({"error":{"code":"ResourceGroupNotFound","message":"Resource group 'nope' could not be found."}})\n`);
    const anonymous = await azl("rest", "--url", "/subscriptions/{subscriptionId}/resourcegroups?api-version=2021-04-01", "--skip-authorization-header");
    assert.equal(anonymous.code, 1);
    assert.match(anonymous.stderr, /^ERROR: Unauthorized\(/);
  });

  test("network public-ip and nsg: create/show/list/delete, nsg rules with az's table", async () => {
    const pip = (await ok("network", "public-ip", "create", "-g", "rg1", "-n", "pip1")).json();
    assert.equal(pip.publicIp.name, "pip1");
    assert.equal(pip.publicIp.sku.name, "Standard");
    assert.equal(pip.publicIp.publicIPAllocationMethod, "Static");
    assert.equal(pip.publicIp.resourceGroup, "rg1");
    assert.equal((await ok("network", "public-ip", "show", "-g", "rg1", "-n", "pip1", "--query", "publicIPAddressVersion", "-o", "tsv")).stdout, "IPv4\n");
    assert.deepEqual((await ok("network", "public-ip", "list", "-g", "rg1", "--query", "[].name")).json(), ["pip1"]);
    await ok("network", "public-ip", "delete", "-g", "rg1", "-n", "pip1");
    assert.deepEqual((await ok("network", "public-ip", "list", "-g", "rg1")).json(), []);

    const nsg = (await ok("network", "nsg", "create", "-g", "rg1", "-n", "nsg1")).json();
    assert.equal(nsg.NewNSG.name, "nsg1");
    assert.ok(nsg.NewNSG.defaultSecurityRules.some((r: { name: string }) => r.name === "DenyAllInBound"));
    const rule = (await ok("network", "nsg", "rule", "create", "-g", "rg1", "--nsg-name", "nsg1", "-n", "web", "--priority", "100", "--destination-port-ranges", "80", "443", "--protocol", "Tcp")).json();
    assert.deepEqual(rule.destinationPortRanges, ["80", "443"]);
    assert.equal(rule.sourceAddressPrefix, "*");
    assert.equal(rule.access, "Allow");
    const table = (await ok("network", "nsg", "rule", "list", "-g", "rg1", "--nsg-name", "nsg1", "-o", "table")).stdout.split("\n");
    assert.match(table[0]!, /^Name +ResourceGroup +Priority +SourcePortRanges +SourceAddressPrefixes +SourceASG +Access +Protocol +Direction +DestinationPortRanges/);
    assert.match(table[2]!, /^web +rg1 +100 +\* +\* +None +Allow +Tcp +Inbound +80, 443 /);
    assert.equal(table.filter(Boolean).length, 3, "no default rules without --include-default");
    const withDefaults = (await ok("network", "nsg", "rule", "list", "-g", "rg1", "--nsg-name", "nsg1", "--include-default", "--query", "length(@)")).json();
    assert.ok(withDefaults > 1);
    assert.equal((await ok("network", "nsg", "rule", "show", "-g", "rg1", "--nsg-name", "nsg1", "-n", "web", "-o", "tsv", "--query", "priority")).stdout, "100\n");
    assert.deepEqual((await ok("network", "nsg", "list", "-g", "rg1", "--query", "[].name")).json(), ["nsg1"]);
    await ok("network", "nsg", "delete", "-g", "rg1", "-n", "nsg1");
    const gone = await azl("network", "nsg", "show", "-g", "rg1", "-n", "nsg1");
    assert.equal(gone.code, 3);
    assert.match(gone.stderr, /ResourceNotFound/);
  });

  let nodeRg = "";
  test("aks nodepool add/list/show/scale/upgrade/delete and aks scale, with az's checks", async () => {
    const mc = (await ok("aks", "create", "-g", "rg1", "-n", "c1", "--network-plugin", "azure", "--node-count", "1", "--enable-apiserver-vnet-integration", "--enable-private-cluster")).json();
    nodeRg = mc.nodeResourceGroup;
    const add = (await ok("aks", "nodepool", "add", "-g", "rg1", "--cluster-name", "c1", "-n", "user1", "--node-count", "2", "--labels", "team=a", "--node-taints", "k=v:NoSchedule")).json();
    assert.equal(add.name, "user1");
    assert.equal(add.mode, "User");
    assert.equal(add.count, 2);
    assert.deepEqual(add.nodeLabels, { team: "a" });
    assert.deepEqual(add.nodeTaints, ["k=v:NoSchedule"]);
    assert.equal(add.provisioningState, "Succeeded");
    const again = await azl("aks", "nodepool", "add", "-g", "rg1", "--cluster-name", "c1", "-n", "user1");
    assert.equal(again.code, 1);
    assert.match(again.stderr, /ERROR: Node pool user1 already exists, please try a different name, use 'aks nodepool list' to get current list of node pool\n$/);
    const table = (await ok("aks", "nodepool", "list", "-g", "rg1", "--cluster-name", "c1", "-o", "table")).stdout.split("\n");
    assert.match(table[0]!, /^Name +OsType +KubernetesVersion +VmSize +Count +MaxPods +ProvisioningState +Mode$/);
    assert.equal(table.filter(Boolean).length, 4);
    assert.equal((await ok("aks", "nodepool", "show", "-g", "rg1", "--cluster-name", "c1", "-n", "user1", "--query", "vmSize", "-o", "tsv")).stdout, "Standard_DS2_v2\n");
    assert.equal((await ok("aks", "nodepool", "scale", "-g", "rg1", "--cluster-name", "c1", "-n", "user1", "--node-count", "3", "--query", "count")).stdout, "3\n");
    const same = await azl("aks", "nodepool", "scale", "-g", "rg1", "--cluster-name", "c1", "-n", "user1", "--node-count", "3");
    assert.equal(same.code, 1);
    assert.match(same.stderr, /ERROR: The new node count is the same as the current node count\.\n$/);
    const versions = (await ok("aks", "get-versions", "-l", "westus2")).json();
    const current = add.orchestratorVersion as string;
    const newer = Object.values(versions.values as Array<{ patchVersions: Record<string, { upgrades: string[] }> }>)
      .flatMap((v) => Object.entries(v.patchVersions))
      .find(([v]) => v === current)?.[1].upgrades[0];
    assert.ok(newer, `an upgrade from ${current} is offered`);
    const conflict = await azl("aks", "nodepool", "upgrade", "-g", "rg1", "--cluster-name", "c1", "-n", "user1", "-k", newer!, "--node-image-only");
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /Conflicting flags\. Upgrading the Kubernetes version will also upgrade node image version\./);
    const noTty = await azl("aks", "nodepool", "upgrade", "-g", "rg1", "--cluster-name", "c1", "-n", "user1");
    assert.equal(noTty.code, 1);
    assert.match(noTty.stderr, /Unable to prompt for confirmation as no tty available\. Use --yes\./);
    const auto = (await ok("aks", "nodepool", "update", "-g", "rg1", "--cluster-name", "c1", "-n", "user1", "--enable-cluster-autoscaler", "--min-count", "1", "--max-count", "4", "--labels", "team=b")).json();
    assert.deepEqual([auto.enableAutoScaling, auto.minCount, auto.maxCount], [true, 1, 4]);
    assert.deepEqual(auto.nodeLabels, { team: "b" });
    const scaleAuto = await azl("aks", "nodepool", "scale", "-g", "rg1", "--cluster-name", "c1", "-n", "user1", "--node-count", "2");
    assert.equal(scaleAuto.code, 1);
    assert.match(scaleAuto.stderr, /ERROR: Cannot scale cluster autoscaler enabled node pool\.\n$/);
    const both = await azl("aks", "nodepool", "update", "-g", "rg1", "--cluster-name", "c1", "-n", "user1", "-e", "-d");
    assert.equal(both.code, 1);
    assert.match(both.stderr, /Cannot specify "--enable-cluster-autoscaler" or "--disable-cluster-autoscaler" or "--update-cluster-autoscaler" at the same time\./);
    assert.equal((await ok("aks", "nodepool", "update", "-g", "rg1", "--cluster-name", "c1", "-n", "user1", "--disable-cluster-autoscaler", "--query", "enableAutoScaling")).stdout, "false\n");
    const sameVersion = (await ok("aks", "nodepool", "upgrade", "-g", "rg1", "--cluster-name", "c1", "-n", "user1", "--yes")).json();
    assert.equal(sameVersion.orchestratorVersion, current);
    const scaled = (await ok("aks", "scale", "-g", "rg1", "-n", "c1", "--nodepool-name", "nodepool1", "--node-count", "2")).json();
    assert.equal(scaled.agentPoolProfiles.find((p: { name: string }) => p.name === "nodepool1").count, 2);
    const ambiguous = await azl("aks", "scale", "-g", "rg1", "-n", "c1", "--node-count", "2");
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stderr, /There are more than one node pool in the cluster\. Please specify nodepool name or use az aks nodepool command to scale node pool/);
    await ok("aks", "nodepool", "delete", "-g", "rg1", "--cluster-name", "c1", "-n", "user1");
    assert.deepEqual((await ok("aks", "nodepool", "list", "-g", "rg1", "--cluster-name", "c1", "--query", "[].name")).json(), ["nodepool1"]);
    const missing = await azl("aks", "nodepool", "delete", "-g", "rg1", "--cluster-name", "c1", "-n", "user1");
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /ERROR: Node pool user1 doesnt exist, use 'aks nodepool list' to get current node pool list\n$/);
  });

  test("aks get-versions -o table: az's columns, newest first", async () => {
    const lines = (await ok("aks", "get-versions", "-l", "westus2", "-o", "table")).stdout.split("\n").filter(Boolean);
    assert.match(lines[0]!, /^KubernetesVersion +IsPreview +Upgrades +SupportPlan$/);
    const versions = lines.slice(2).map((l) => l.split(/\s+/)[0]!);
    const sorted = [...versions].sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
    assert.deepEqual(versions, sorted);
    assert.match(lines[2]!, /None available/);
  });

  test("aks get-upgrades and aks nodepool get-upgrades read the upgrade profiles", async () => {
    const mc = (await ok("aks", "show", "-g", "rg1", "-n", "c1")).json();
    const up = (await ok("aks", "get-upgrades", "-g", "rg1", "-n", "c1")).json();
    assert.equal(up.name, "default");
    assert.equal(up.resourceGroup, "rg1");
    assert.equal(up.controlPlaneProfile.kubernetesVersion, mc.currentKubernetesVersion);
    assert.ok(Array.isArray(up.controlPlaneProfile.upgrades));
    assert.deepEqual(up.agentPoolProfiles.map((p: { name: string }) => p.name), ["nodepool1"]);
    const table = (await ok("aks", "get-upgrades", "-g", "rg1", "-n", "c1", "-o", "table")).stdout.split("\n");
    assert.match(table[0]!, /^Name +ResourceGroup +MasterVersion +Upgrades$/);
    assert.match(table[2]!, new RegExp(`^default +rg1 +${mc.currentKubernetesVersion.replace(/\./g, "\\.")} +`));
    const pool = (await ok("aks", "nodepool", "get-upgrades", "-g", "rg1", "--cluster-name", "c1", "--nodepool-name", "nodepool1")).json();
    assert.equal(pool.name, "default");
    assert.equal(pool.osType, "Linux");
    assert.equal(pool.kubernetesVersion, mc.agentPoolProfiles[0].currentOrchestratorVersion);
    assert.ok(Array.isArray(pool.upgrades));
  });

  test("aks upgrade: --node-image-only upgrades every pool's node image; -k upgrades the control plane and the pools", async () => {
    const noTty = await azl("aks", "upgrade", "-g", "rg1", "-n", "c1", "--node-image-only");
    assert.equal(noTty.code, 1);
    assert.match(noTty.stderr, /Unable to prompt for confirmation as no tty available\. Use --yes\./);
    const up = (await ok("aks", "get-upgrades", "-g", "rg1", "-n", "c1")).json();
    const newer = up.controlPlaneProfile.upgrades?.[0]?.kubernetesVersion as string | undefined;
    assert.ok(newer, "an upgrade is offered");
    const conflict = await azl("aks", "upgrade", "-g", "rg1", "-n", "c1", "-k", newer!, "--node-image-only", "--yes");
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /Conflicting flags\. Upgrading the Kubernetes version will also upgrade node image version\./);
    const latest = (await ok("aks", "nodepool", "get-upgrades", "-g", "rg1", "--cluster-name", "c1", "--nodepool-name", "nodepool1")).json().latestNodeImageVersion as string;
    const image = (await ok("aks", "upgrade", "-g", "rg1", "-n", "c1", "--node-image-only", "--yes")).json();
    assert.equal(image.name, "c1");
    // az submits the node image upgrades without waiting: the pool reaches the latest image on its own
    let pool: { nodeImageVersion: string; provisioningState: string } | undefined;
    for (let i = 0; i < 100; i++) {
      pool = (await ok("aks", "nodepool", "show", "-g", "rg1", "--cluster-name", "c1", "-n", "nodepool1")).json();
      if (pool!.provisioningState === "Succeeded" && pool!.nodeImageVersion === latest) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(pool!.nodeImageVersion, latest);
    const mc = (await ok("aks", "upgrade", "-g", "rg1", "-n", "c1", "-k", newer!, "--yes")).json();
    assert.equal(mc.kubernetesVersion, newer);
    assert.equal(mc.provisioningState, "Succeeded");
    assert.deepEqual(mc.agentPoolProfiles.map((p: { orchestratorVersion: string }) => p.orchestratorVersion), mc.agentPoolProfiles.map(() => newer));
    const same = await azl("aks", "upgrade", "-g", "rg1", "-n", "c1", "-k", newer!, "--yes", "-o", "none");
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stderr, /WARNING: The cluster is already on version .* and is not in a failed state\./);
  });

  test("node resource group: network lb, nic, private-dns and resource list/show", async () => {
    assert.ok(nodeRg, "the cluster of the previous test exists");
    const lbs = (await ok("network", "lb", "list", "-g", nodeRg, "--query", "[].name")).json() as string[];
    assert.ok(lbs.includes("kube-apiserver"), lbs.join(","));
    const lb = (await ok("network", "lb", "show", "-g", nodeRg, "-n", "kube-apiserver")).json();
    assert.equal(lb.resourceGroup, nodeRg);
    assert.ok(Array.isArray(lb.frontendIPConfigurations));
    const fe = (await ok("network", "lb", "frontend-ip", "list", "-g", nodeRg, "--lb-name", "kube-apiserver")).json();
    assert.equal(fe.length, 1);
    assert.match(fe[0].privateIPAddress, /^\d+\.\d+\.\d+\.\d+$/);
    const one = (await ok("network", "lb", "frontend-ip", "show", "-g", nodeRg, "--lb-name", "kube-apiserver", "-n", fe[0].name)).json();
    assert.equal(one.id, fe[0].id);
    const noFe = await azl("network", "lb", "frontend-ip", "show", "-g", nodeRg, "--lb-name", "kube-apiserver", "-n", "nope");
    assert.equal(noFe.code, 1);
    assert.equal(noFe.stderr, "ERROR: ResourceNotFoundError\n");
    assert.ok(Array.isArray((await ok("network", "lb", "address-pool", "list", "-g", nodeRg, "--lb-name", "kube-apiserver")).json()));
    assert.ok(Array.isArray((await ok("network", "lb", "rule", "list", "-g", nodeRg, "--lb-name", "kube-apiserver")).json()));
    assert.ok(Array.isArray((await ok("network", "nic", "list", "-g", nodeRg)).json()));

    const zones = (await ok("network", "private-dns", "zone", "list", "-g", nodeRg)).json();
    assert.equal(zones.length, 1);
    const zone = zones[0].name as string;
    assert.match(zone, /\.private\.westus2\.azmk8s\.io$/);
    assert.equal(zones[0].resourceGroup, nodeRg);
    assert.ok("numberOfRecordSets" in zones[0]);
    const zt = (await ok("network", "private-dns", "zone", "show", "-g", nodeRg, "-n", zone, "-o", "table")).stdout;
    assert.match(zt, /^ZoneName +ResourceGroup +RecordSets +MaxRecordSets/);
    const all = (await ok("network", "private-dns", "record-set", "list", "-g", nodeRg, "-z", zone)).json();
    assert.ok(all.some((r: { type: string }) => r.type.endsWith("/SOA")));
    const a = (await ok("network", "private-dns", "record-set", "a", "list", "-g", nodeRg, "-z", zone)).json();
    assert.equal(a.length, 1);
    assert.ok(a[0].aRecords[0].ipv4Address === fe[0].privateIPAddress, "the A record points at the kube-apiserver ILB");
    assert.ok(!("mxRecords" in a[0]), "empty record lists are dropped as az does");
    assert.equal((await ok("network", "private-dns", "record-set", "a", "show", "-g", nodeRg, "-z", zone, "-n", a[0].name, "--query", "ttl")).json(), a[0].ttl);
    const links = (await ok("network", "private-dns", "link", "vnet", "list", "-g", nodeRg, "-z", zone)).json();
    assert.equal(links.length, 1);
    assert.match(links[0].virtualNetwork.id, /\/virtualNetworks\//);
    assert.equal((await ok("network", "private-dns", "link", "vnet", "show", "-g", nodeRg, "-z", zone, "-n", links[0].name, "--query", "name", "-o", "tsv")).stdout.trim(), links[0].name);

    const res = (await ok("resource", "list", "-g", nodeRg, "--resource-type", "Microsoft.Network/loadBalancers")).json();
    assert.deepEqual(res.map((r: { type: string }) => r.type).filter((t: string) => t !== "Microsoft.Network/loadBalancers"), []);
    assert.ok(res.length >= 1);
    const rt = (await ok("resource", "list", "-g", nodeRg, "-o", "table")).stdout;
    assert.match(rt, /^Name +ResourceGroup +Location +Type/);
    const byId = (await ok("resource", "show", "--ids", lb.id)).json();
    assert.equal(byId.id, lb.id);
    assert.ok(byId.properties.frontendIPConfigurations, "properties stay nested as the service sent them");
    const pool = (await ok("resource", "show", "-g", "rg1", "-n", "c1/nodepool1", "--resource-type", "Microsoft.ContainerService/managedClusters/agentPools")).json();
    assert.equal(pool.properties.count, 2);
    const bad = await azl("resource", "list", "--resource-type", "loadBalancers");
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, "ERROR: Malformed resource-type: --resource-type=<namespace>/<resource-type> expected.\n");
  });
});
