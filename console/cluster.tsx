// The Cluster view: each cluster's API server endpoints (public FQDN, private FQDN, VIP, who can
// reach each), the kubelets' API server address, and node pools → nodes → pods with addresses
// and phases. Conversion and private-mode changes show as they happen: the endpoint rows change.
import type { ClusterView } from "../src/console/view-types.js";

function Cluster({ c }: { c: ClusterView }) {
  return (
    <article class="card" aria-labelledby={`c-${c.id}`} data-cluster={c.name}>
      <h2 id={`c-${c.id}`}>{c.name}</h2>
      <p class="facts">
        <span>resource group {c.resourceGroup}</span>
        <span data-field="provisioningState">{c.provisioningState}</span>
        {c.powerState && <span>power {c.powerState}</span>}
        <span class="tag">{c.vnetIntegration ? "API Server VNet Integration" : "no VNet integration"}</span>
        <span class="tag" data-field="private">{c.privateCluster ? "private cluster" : "public API server"}</span>
      </p>
      <table class="endpoints">
        <caption>API server endpoints of {c.name}</caption>
        <thead><tr><th scope="col">Endpoint</th><th scope="col">Value</th><th scope="col">Reachable from</th></tr></thead>
        <tbody>
          {c.endpoints.map((e) => (
            <tr data-endpoint={e.what}><th scope="row">{e.what}</th><td><code>{e.value}</code></td><td>{e.reach}</td></tr>
          ))}
          <tr data-endpoint="kubelet"><th scope="row">kubelets' API server</th><td><code>{c.kubeletServer}</code></td><td>every node's kubeconfig</td></tr>
        </tbody>
      </table>
      {c.warnings.map((w) => <p class="warning" role="note">{w}</p>)}
      {c.pools.map((p) => (
        <section aria-label={`Node pool ${p.name}`} data-pool={p.name}>
          <h3>node pool {p.name} <span class="muted">{p.nodes.length} node{p.nodes.length === 1 ? "" : "s"}{p.vmSize ? `, ${p.vmSize}` : ""}</span></h3>
          <table>
            <thead><tr><th scope="col">Node / pod</th><th scope="col">Address</th><th scope="col">State</th></tr></thead>
            <tbody>
              {p.nodes.flatMap((n) => [
                <tr class="node-row" data-node={n.name} data-ip={n.ip}>
                  <th scope="row">{n.name}</th><td><code>{n.ip}</code></td><td>{n.ready === undefined ? "registering" : n.ready ? "Ready" : "NotReady"}</td>
                </tr>,
                ...n.pods.map((pod) => (
                  <tr class="pod-row" data-pod={`${pod.namespace}/${pod.name}`} data-ip={pod.ip ?? ""}>
                    <td class="indent">{pod.namespace}/{pod.name}</td><td><code>{pod.ip ?? "—"}</code></td><td>{pod.phase ?? ""}</td>
                  </tr>
                )),
              ])}
            </tbody>
          </table>
        </section>
      ))}
    </article>
  );
}

export function ClusterPanel({ clusters }: { clusters: ClusterView[] }) {
  if (clusters.length === 0) return <p class="muted">No clusters yet. Create one (azl aks create) and it appears here.</p>;
  return <>{clusters.map((c) => <Cluster c={c} />)}</>;
}
