// `az aks command invoke` without a Kubernetes backend that can exec: a few read-only commands
// answered from the cluster's state (what they would print inside the cluster's VNet). Pure.
import type { ResourceRecord } from "../../arm/types.js";
import { internalOf } from "./model.js";
import { buildKubeletKubeconfig } from "./kubeconfig.js";
import { dnsRecords, kubeletServer } from "./views.js";

export interface CommandOutput {
  exitCode: number;
  logs: string;
}

function age(): string {
  return "5m";
}

export function builtinCommand(rec: ResourceRecord, command: string): CommandOutput | undefined {
  const cmd = command.trim().replace(/\s+/g, " ");
  const props = rec.properties;
  const int = internalOf(rec);
  if (/^(sudo )?cat \/var\/lib\/kubelet\/kubeconfig$/.test(cmd)) {
    return { exitCode: 0, logs: buildKubeletKubeconfig({ server: kubeletServer(rec) }) };
  }
  const ns = /^(?:nslookup|host|dig \+short|getent hosts) (\S+)$/.exec(cmd);
  if (ns) {
    // Inside the cluster VNet: private zone records win over public ones.
    const name = ns[1]!.replace(/\.$/, "").toLowerCase();
    const recs = dnsRecords(rec).filter((r) => r.name.toLowerCase() === name).sort((a, b) => (a.zone === "private" ? -1 : b.zone === "private" ? 1 : 0));
    if (recs.length === 0) return { exitCode: 1, logs: `** server can't find ${name}: NXDOMAIN\n` };
    if (cmd.startsWith("dig")) return { exitCode: 0, logs: recs[0]!.address + "\n" };
    return { exitCode: 0, logs: `Server:\t\t168.63.129.16\nAddress:\t168.63.129.16#53\n\nNon-authoritative answer:\nName:\t${name}\nAddress: ${recs[0]!.address}\n` };
  }
  if (/^kubectl get (nodes|node|no)( -o wide)?$/.test(cmd)) {
    const wide = cmd.endsWith("-o wide");
    const rows = (int.nodes ?? []).map((n) => {
      const pool = (props.agentPoolProfiles ?? []).find((p: any) => p.name === n.pool);
      const base = [n.name, props.powerState?.code === "Stopped" ? "NotReady" : "Ready", pool?.mode === "System" ? "<none>" : "<none>", age(), `v${props.currentKubernetesVersion}`];
      return wide ? [...base, n.ip, "<none>", "Ubuntu 22.04.5 LTS", "5.15.0-1074-azure", "containerd://1.7.23-1"] : base;
    });
    const head = wide ? ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"] : ["NAME", "STATUS", "ROLES", "AGE", "VERSION"];
    return { exitCode: 0, logs: table([head, ...rows]) };
  }
  if (/^kubectl cluster-info$/.test(cmd)) {
    const host = props.apiServerAccessProfile?.enablePrivateCluster ? props.privateFQDN : props.fqdn;
    return { exitCode: 0, logs: `Kubernetes control plane is running at https://${host}:443\n` };
  }
  return undefined;
}

function table(rows: string[][]): string {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]! + 3))).join("").trimEnd()).join("\n") + "\n";
}
