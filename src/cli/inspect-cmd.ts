// `aksemu inspect`: read-only node-level views of a cluster that no Kubernetes or Azure API shows
// (where kubelets reach the API server, the DNS records public and private), from the
// emulator's GET …/managedClusters/{name}/emulatorView. In AKS these live on the nodes; aksemu
// has no nodes to log into, so it shows them here instead of imitating a shell.
import { connect, emulatorRequest, str, type Flags } from "./emulator-client.js";

const VIEWS = ["kubelet-kubeconfig", "dns", "nodes", "apiserver", "all"];

export async function inspectCommand(args: string[], flags: Flags, dataDir: string): Promise<void> {
  const rg = str(flags, "resource-group", "g");
  const name = str(flags, "name", "n");
  const what = args[0] ?? "all";
  if (!rg || !name || !VIEWS.includes(what)) {
    console.error(`aksemu: usage: aksemu inspect [${VIEWS.join("|")}] -g <rg> -n <cluster>`);
    process.exit(2);
  }
  const { endpoint, ca, auth, base } = await connect(dataDir, rg, name);
  const r = await emulatorRequest(endpoint, ca, "GET", `${base}/emulatorView?api-version=2025-03-01`, auth);
  if (r.status !== 200) {
    console.error(`aksemu: (${r.json?.error?.code}) ${r.json?.error?.message ?? `HTTP ${r.status}`}`);
    process.exit(1);
  }
  const v = r.json;
  switch (what) {
    case "kubelet-kubeconfig":
      process.stdout.write(v.kubeletKubeconfig);
      return;
    case "dns":
      for (const d of v.dns as Array<{ zone: string; name: string; type: string; address: string }>) console.log(`${d.zone}\t${d.name}\t${d.type}\t${d.address}`);
      return;
    case "nodes":
      for (const n of v.nodes as Array<{ name: string; internalIP: string; kubeletServer: string }>) console.log(`${n.name}\t${n.internalIP}\t${n.kubeletServer}`);
      return;
    case "apiserver":
      console.log(JSON.stringify(v.apiServer, null, 2));
      return;
    default:
      console.log(JSON.stringify(v, null, 2));
  }
}
