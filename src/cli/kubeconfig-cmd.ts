// `aksemu kubeconfig`: a kubeconfig for one emulated cluster. With --vnet it is the cluster as a
// machine inside the cluster's VNet sees it: for a private cluster the private FQDN (which in
// Azure resolves, inside the VNet, to the kube-apiserver ILB frontend) is the server name; the
// emulator serves that endpoint on a loopback port, so the kubeconfig works from the host.
import fs from "node:fs";
import YAML from "yaml";
import { connect, emulatorRequest, str, type Flags } from "./emulator-client.js";

export async function kubeconfigCommand(flags: Flags, dataDir: string): Promise<void> {
  const rg = str(flags, "resource-group", "g");
  const name = str(flags, "name", "n");
  if (!rg || !name) {
    console.error("aksemu: usage: aksemu kubeconfig --resource-group <rg> --name <cluster> [--admin] [--vnet] [--file <path>]");
    process.exit(2);
  }
  const { endpoint, ca, auth, base } = await connect(dataDir, rg, name);
  const request = (method: string, p: string, headers: Record<string, string>, body?: string) => emulatorRequest(endpoint, ca, method, p, headers, body);
  const v = "api-version=2025-03-01";
  const action = flags.admin ? "listClusterAdminCredential" : "listClusterUserCredential";
  // server-fqdn=public names the loopback endpoint the emulator serves the cluster on.
  const cred = await request("POST", `${base}/${action}?${v}&server-fqdn=public`, { ...auth, "content-type": "application/json" }, "{}");
  if (cred.status !== 200) {
    console.error(`aksemu: (${cred.json?.error?.code}) ${cred.json?.error?.message ?? `HTTP ${cred.status}`}`);
    process.exit(1);
  }
  const doc = YAML.parse(Buffer.from(cred.json.kubeconfigs[0].value, "base64").toString("utf8"));
  let header = "";
  if (flags.vnet) {
    const cluster = await request("GET", `${base}?${v}`, auth);
    const view = await request("GET", `${base}/emulatorView?${v}`, auth);
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
