// Kubeconfigs the credential actions return, in AKS's shape (reference/kube-api.md §1): cluster
// `<cluster>`, user `clusterUser_<rg>_<cluster>` / `clusterAdmin_<rg>_<cluster>`, context `<cluster>`
// for every role: az appends `-admin` itself when it merges an admin kubeconfig (a context whose
// user starts with clusterAdmin), so `az aks get-credentials --admin` makes `<cluster>-admin`.
// Pure: YAML text from data.
import YAML from "yaml";

export interface KubeconfigInput {
  clusterName: string;
  resourceGroup: string;
  role: "clusterUser" | "clusterAdmin" | "clusterMonitoringUser";
  server: string;
  tlsServerName?: string;
  caPem: string;
  token?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  /** format=exec: a kubelogin exec user instead of static credentials (AAD clusters). */
  exec?: { serverId: string; tenantId: string };
}

/**
 * kubectl (Go) and az (PyYAML) read kubeconfigs as YAML 1.1, where an unquoted `on`, `yes`, `n`
 * ... is a boolean: write 1.1 so such cluster names come out quoted.
 */
const KUBECONFIG_YAML = { version: "1.1" } as const;

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

export function buildKubeconfig(i: KubeconfigInput): string {
  const userName = `${i.role}_${i.resourceGroup}_${i.clusterName}`;
  const contextName = i.clusterName;
  const cluster: Record<string, unknown> = { "certificate-authority-data": b64(i.caPem), server: i.server };
  if (i.tlsServerName) cluster["tls-server-name"] = i.tlsServerName;
  let user: Record<string, unknown>;
  if (i.exec) {
    user = {
      exec: {
        apiVersion: "client.authentication.k8s.io/v1beta1",
        command: "kubelogin",
        args: ["get-token", "--environment", "AzurePublicCloud", "--server-id", i.exec.serverId, "--client-id", "80faf920-1908-4b52-b5ef-a8e7bedfc67a", "--tenant-id", i.exec.tenantId, "--login", "devicecode"],
        env: null,
        provideClusterInfo: false,
        interactiveMode: "IfAvailable",
      },
    };
  } else {
    user = {};
    if (i.clientCertPem && i.clientKeyPem) {
      user["client-certificate-data"] = b64(i.clientCertPem);
      user["client-key-data"] = b64(i.clientKeyPem);
    }
    if (i.token) user.token = i.token;
  }
  const doc = {
    apiVersion: "v1",
    clusters: [{ cluster, name: i.clusterName }],
    contexts: [{ context: { cluster: i.clusterName, user: userName }, name: contextName }],
    "current-context": contextName,
    kind: "Config",
    preferences: {},
    users: [{ name: userName, user }],
  };
  return YAML.stringify(doc, KUBECONFIG_YAML);
}

/** The kubelet kubeconfig of a node (/var/lib/kubelet/kubeconfig) as AKS writes it; `server` per §3.5. */
export function buildKubeletKubeconfig(o: { server: string }): string {
  const doc = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "localcluster", cluster: { "certificate-authority": "/etc/kubernetes/certs/ca.crt", server: o.server } }],
    users: [{ name: "client", user: { "client-certificate": "/etc/kubernetes/certs/client.crt", "client-key": "/etc/kubernetes/certs/client.key" } }],
    contexts: [{ context: { cluster: "localcluster", user: "client" }, name: "localclustercontext" }],
    "current-context": "localclustercontext",
  };
  return YAML.stringify(doc, KUBECONFIG_YAML);
}
