// `az aks command invoke`: the node-level commands a user runs to see the VNet integration
// (the kubelet kubeconfig, DNS look-ups from inside the VNet) answered from the cluster's
// state. kubectl commands are NOT answered here: they run for real against the cluster's
// Kubernetes API (KubeHost.runCommand). Pure.
import type { ResourceRecord } from "../../arm/types.js";
import { internalOf } from "./model.js";
import { buildKubeletKubeconfig } from "./kubeconfig.js";
import { dnsRecords, kubeletServer } from "./views.js";

export interface CommandOutput {
  exitCode: number;
  logs: string;
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
  return undefined;
}
