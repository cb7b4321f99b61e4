// The DNS view: private DNS zones with their records and virtual network links, and the public
// records (AKS-owned, azmk8s.io) each cluster has now: private mode removes the public one.
import type { Views } from "../src/console/view-types.js";

export function DnsPanel({ dns }: { dns: Views["dns"] }) {
  return (
    <>
      <section class="card" aria-labelledby="h-public-dns" data-dns="public">
        <h2 id="h-public-dns">Public records</h2>
        {dns.publicRecords.length === 0 ? (
          <p class="muted" data-empty="public">No public API server records.</p>
        ) : (
          <table>
            <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Address</th><th scope="col">Cluster</th></tr></thead>
            <tbody>
              {dns.publicRecords.map((r) => (
                <tr data-record={r.name} data-address={r.address}><td><code>{r.name}</code></td><td>A</td><td><code>{r.address}</code></td><td>{r.cluster}</td></tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {dns.zones.length === 0 && <p class="muted">No private DNS zones.</p>}
      {dns.zones.map((z) => (
        <section class="card" aria-labelledby={`z-${z.id}`} data-zone={z.name}>
          <h2 id={`z-${z.id}`}>{z.name} <span class="muted">private zone in {z.resourceGroup}</span></h2>
          <table>
            <caption>Records</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Values</th><th scope="col">TTL</th></tr></thead>
            <tbody>
              {z.records.map((r) => (
                <tr data-record={`${r.type} ${r.name}`}><td><code>{r.name}</code></td><td>{r.type}</td><td><code>{r.values.join(", ")}</code></td><td>{r.ttl ?? ""}</td></tr>
              ))}
            </tbody>
          </table>
          <p class="facts">
            {z.links.length === 0 ? <span class="muted">no virtual network links</span> : z.links.map((l) => (
              <span class="tag" title={l.vnetId}>link {l.name} → {l.vnetId.split("/").pop()}{l.registrationEnabled ? " (auto-registration)" : ""}</span>
            ))}
          </p>
        </section>
      ))}
    </>
  );
}
