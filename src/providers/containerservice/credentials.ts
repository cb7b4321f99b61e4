// listClusterUserCredential / listClusterAdminCredential / listClusterMonitoringUserCredential.
import type { ActionCtx, ActionResult, ResourceRecord } from "../../arm/types.js";
import { AksErrors } from "./errors.js";
import { internalOf } from "./model.js";
import { buildKubeconfig } from "./kubeconfig.js";
import { zoneMode } from "./private-dns.js";
import { clusterParts } from "./model.js";
import type { IssuedPair } from "./kube-backend.js";

/** An address as a URL names it (IPv6 in brackets). */
function urlHost(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}

type Role = "clusterUser" | "clusterAdmin" | "clusterMonitoringUser";

/**
 * Which server a kubeconfig names. Public: the FQDN (with a Kubernetes backend: the advertised
 * address of the process running the cluster, <address>:<port>, and tls-server-name <fqdn>). Private: the private FQDN, which does not resolve from the host (as
 * in Azure), unless server-fqdn=public or privateDNSZone=none.
 */
export function kubeconfigServer(rec: ResourceRecord, serverFqdn: string | undefined): { server: string; tlsServerName?: string } {
  const props = rec.properties;
  const kube = internalOf(rec).kube;
  const asp = props.apiServerAccessProfile ?? {};
  const priv = asp.enablePrivateCluster === true;
  const usePrivate = priv && props.privateFQDN && (serverFqdn ?? "").toLowerCase() !== "public" && zoneMode(asp.privateDNSZone).kind !== "none";
  if (usePrivate || !props.fqdn) return { server: `https://${props.privateFQDN}:443` };
  if (kube && !kube.generated) return { server: `https://${urlHost(kube.host ?? "127.0.0.1")}:${kube.port}`, tlsServerName: props.fqdn };
  return { server: `https://${props.fqdn}:443` };
}

function pair(v: IssuedPair | string | undefined, key: string | undefined): { cert?: string; key?: string } {
  if (!v) return {};
  if (typeof v === "string") return { cert: v, key };
  return { cert: v.certPem, key: v.keyPem };
}

export function credentialAction(role: Role) {
  return {
    method: "POST" as const,
    run(ctx: ActionCtx): ActionResult {
      const rec = ctx.record;
      const serverFqdn = ctx.query("server-fqdn");
      if (serverFqdn !== undefined && !["public", "private", "publiccustom"].includes(serverFqdn.toLowerCase())) throw AksErrors.invalidServerFqdn.make({ v: serverFqdn });
      const format = ctx.query("format");
      if (format !== undefined && !["azure", "exec"].includes(format.toLowerCase())) throw AksErrors.invalidFormat.make({ format });
      const kube = internalOf(rec).kube;
      if (!kube) throw AksErrors.clusterNotReady.make({ state: String(rec.properties.provisioningState) });
      if (role === "clusterAdmin" && rec.properties.disableLocalAccounts === true) throw AksErrors.localAccountsDisabled.make({});
      const { rg, name } = clusterParts(rec.id);
      const { server, tlsServerName } = kubeconfigServer(rec, serverFqdn);
      const aad = !!rec.properties.aadProfile && role === "clusterUser";
      const cert = role === "clusterAdmin" ? pair(kube.adminCert, kube.adminKey) : role === "clusterUser" && !aad ? pair(kube.userCert, kube.userKey) : {};
      const yaml = buildKubeconfig({
        clusterName: name,
        resourceGroup: rg,
        role,
        server,
        tlsServerName,
        caPem: kube.caPem,
        token: aad ? undefined : role === "clusterAdmin" ? kube.adminToken : kube.userToken,
        clientCertPem: cert.cert,
        clientKeyPem: cert.key,
        exec: aad ? { serverId: "6dae42f8-4368-4678-94ff-3960e28e3630", tenantId: rec.properties.aadProfile.tenantID ?? ctx.env.tenantId } : undefined,
      });
      return { status: 200, body: { kubeconfigs: [{ name: role, value: Buffer.from(yaml, "utf8").toString("base64") }] } };
    },
  };
}
