// `aksemu kubeconfig`: a kubeconfig for one emulated cluster. With --vnet it is the cluster as a
// machine inside the cluster's VNet sees it: for a private cluster the private FQDN (which in
// Azure resolves, inside the VNet, to the kube-apiserver ILB frontend) is the server name; the
// emulator serves that endpoint on a loopback port, so the kubeconfig works from the host.
import fs from "node:fs";
import path from "node:path";
import https from "node:https";
import YAML from "yaml";

type Flags = Record<string, string | true>;

function str(f: Flags, ...names: string[]): string | undefined {
  for (const n of names) if (typeof f[n] === "string") return f[n] as string;
  return undefined;
}

function request(endpoint: string, ca: Buffer, method: string, p: string, headers: Record<string, string>, body?: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(p, endpoint), { method, ca, headers: { ...headers, ...(body !== undefined ? { "content-length": String(Buffer.byteLength(body)) } : {}) }, timeout: 30_000 }, (res) => {
      let t = "";
      res.on("data", (c) => (t += c));
      res.on("end", () => {
        let json: any;
        try {
          json = t ? JSON.parse(t) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on("timeout", () => req.destroy(new Error("request timed out")));
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export async function kubeconfigCommand(flags: Flags, dataDir: string): Promise<void> {
  const rg = str(flags, "resource-group", "g");
  const name = str(flags, "name", "n");
  if (!rg || !name) {
    console.error("aksemu: usage: aksemu kubeconfig --resource-group <rg> --name <cluster> [--admin] [--vnet] [--file <path>]");
    process.exit(2);
  }
  let info: { endpoint: string };
  try {
    info = JSON.parse(fs.readFileSync(path.join(dataDir, "aksemu.json"), "utf8"));
  } catch {
    console.error(`aksemu: not running with data directory ${dataDir} (start it with aksemu start)`);
    process.exit(3);
  }
  const ca = fs.readFileSync(path.join(dataDir, "ca.pem"));
  const health = await request(info.endpoint, ca, "GET", "/aksemu/health", {});
  const sub = health.json?.subscriptionId as string;
  const tenant = health.json?.tenantId as string;
  const tok = await request(info.endpoint, ca, "POST", `/${tenant}/oauth2/v2.0/token`, { "content-type": "application/x-www-form-urlencoded" },
    `grant_type=client_credentials&client_id=aksemu-cli&client_secret=aksemu&scope=${encodeURIComponent(info.endpoint + "/.default")}`);
  const auth = { authorization: `Bearer ${tok.json.access_token}` };
  const base = `/subscriptions/${sub}/resourceGroups/${encodeURIComponent(rg)}/providers/Microsoft.ContainerService/managedClusters/${encodeURIComponent(name)}`;
  const v = "api-version=2025-03-01";
  const action = flags.admin ? "listClusterAdminCredential" : "listClusterUserCredential";
  // server-fqdn=public names the loopback endpoint the emulator serves the cluster on.
  const cred = await request(info.endpoint, ca, "POST", `${base}/${action}?${v}&server-fqdn=public`, { ...auth, "content-type": "application/json" }, "{}");
  if (cred.status !== 200) {
    console.error(`aksemu: (${cred.json?.error?.code}) ${cred.json?.error?.message ?? `HTTP ${cred.status}`}`);
    process.exit(1);
  }
  const doc = YAML.parse(Buffer.from(cred.json.kubeconfigs[0].value, "base64").toString("utf8"));
  let header = "";
  if (flags.vnet) {
    const cluster = await request(info.endpoint, ca, "GET", `${base}?${v}`, auth);
    const view = await request(info.endpoint, ca, "GET", `${base}/emulatorView?${v}`, auth);
    const p = cluster.json.properties;
    const serverName = p.apiServerAccessProfile?.enablePrivateCluster && p.privateFQDN ? p.privateFQDN : p.fqdn;
    const address = view.json?.apiServer?.address;
    for (const c of doc.clusters ?? []) c.cluster["tls-server-name"] = serverName;
    header = `# aksemu: ${name} as seen from inside its VNet: ${serverName} resolves there to ${address} ` +
      `(${view.json?.apiServer?.mode === "ilb" ? "the kube-apiserver internal load balancer frontend" : "the API server address"}); ` +
      `the emulator serves that endpoint at ${doc.clusters?.[0]?.cluster?.server}.\n`;
  }
  const text = header + YAML.stringify(doc);
  const file = str(flags, "file", "f");
  if (!file || file === "-") process.stdout.write(text);
  else {
    fs.writeFileSync(file, text, { mode: 0o600 });
    console.log(`aksemu: wrote ${flags.vnet ? "VNet-side " : ""}kubeconfig for ${name} to ${file}`);
  }
}
