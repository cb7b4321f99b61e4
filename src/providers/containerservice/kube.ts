// The Kubernetes side of a cluster: the KubeClusterSpec handed to the KubeBackend (nodes with
// their subnet addresses), and credentials when no backend is plugged in.
import "reflect-metadata";
import { randomBytes, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import type { ArmEnv, ResourceRecord } from "../../arm/types.js";
import { clusterParts, internalOf } from "./model.js";
import { idKey } from "../../arm/resource-id.js";
import type { KubeClusterSpec, KubeCredentials } from "./kube-backend.js";
import { kubeletServer } from "./views.js";
import { vmssName } from "./names.js";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export function kubeSpec(rec: ResourceRecord): KubeClusterSpec {
  const props = rec.properties;
  const int = internalOf(rec);
  const { sub, rg, name } = clusterParts(rec.id);
  const fqdn = props.fqdn ?? props.privateFQDN;
  const server = kubeletServer(rec);
  return {
    // KubeHost keys clusters by the lower-cased ARM id (store prefix kube/<id>/).
    id: idKey(rec.id),
    name,
    resourceGroup: rg,
    location: rec.location!,
    nodeResourceGroup: props.nodeResourceGroup,
    kubernetesVersion: props.currentKubernetesVersion,
    fqdn,
    extraSans: [props.privateFQDN, props.azurePortalFQDN, int.apiServer?.address, "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"].filter(Boolean) as string[],
    apiServerAddress: server,
    serviceCidr: props.networkProfile?.serviceCidr,
    dnsServiceIP: props.networkProfile?.dnsServiceIP,
    networkPlugin: props.networkProfile?.networkPlugin,
    networkPluginMode: props.networkProfile?.networkPluginMode,
    apiServerIP: int.apiServer?.address,
    kubeletIdentityClientId: props.identityProfile?.kubeletidentity?.clientId,
    nodes: (int.nodes ?? []).map((n) => {
      const pool = (props.agentPoolProfiles ?? []).find((p: any) => p.name === n.pool) ?? {};
      return {
        name: n.name,
        pool: n.pool,
        mode: pool.mode ?? "User",
        internalIP: n.ip,
        podIPs: n.podIPs,
        podCIDR: n.podCIDR,
        maxPods: pool.maxPods,
        vmSize: pool.vmSize,
        osSku: pool.osSKU,
        nodeImageVersion: pool.nodeImageVersion,
        osType: pool.osType,
        kubeletVersion: pool.currentOrchestratorVersion ?? pool.orchestratorVersion,
        zone: Array.isArray(pool.availabilityZones) && pool.availabilityZones.length ? String(pool.availabilityZones[n.index % pool.availabilityZones.length]) : undefined,
        providerID: `azure:///subscriptions/${sub}/resourceGroups/${String(props.nodeResourceGroup).toLowerCase()}/providers/Microsoft.Compute/virtualMachineScaleSets/${vmssName(n.pool, int.digits)}/virtualMachines/${n.index}`,
        kubeletServer: server,
      };
    }),
    port: int.kube?.port,
  };
}

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

/** Without a KubeBackend: the emulator CA (env.services "pki") or, failing that, a per-cluster self-signed CA, and static tokens. */
export async function generatedCredentials(env: ArmEnv, rec: ResourceRecord): Promise<KubeCredentials & { generated: true }> {
  const pki = env.services.get("pki") as { caPem?: string } | undefined;
  let caPem = pki?.caPem;
  if (!caPem) {
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as unknown as CryptoKeyPair;
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomBytes(8).toString("hex").replace(/^./, "1"),
      name: `CN=ca,O=aksemu ${rec.name}`,
      notBefore: new Date(now - 86_400_000),
      notAfter: new Date(now + 3650 * 86_400_000),
      signingAlgorithm: ALG,
      keys,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
    });
    caPem = cert.toString("pem") + "\n";
  }
  return { port: 443, caPem, adminToken: randomBytes(32).toString("hex"), userToken: randomBytes(32).toString("hex"), generated: true };
}
