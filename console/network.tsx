// The network map: each VNet's address space with its subnets drawn to scale, and each subnet's
// addresses as a strip of holders; click (or Enter on) a holder for its owning resource.
import { useState } from "preact/hooks";
import type { AddressRun, PrefixView, SubnetMapView, VnetMapView } from "../src/console/network-map-types.js";

const KIND_NAMES: Record<AddressRun["kind"], string> = {
  "azure-reserved": "Azure reserved",
  "apiserver-vip": "kube-apiserver ILB VIP",
  "apiserver-reserved": "API server reserved block",
  "private-endpoint": "private endpoint",
  node: "node",
  pod: "pod addresses",
  "lb-frontend": "load balancer frontend",
  nic: "network interface",
  other: "other",
};

const pct = (n: number, of: number) => `${((n / of) * 100).toFixed(4)}%`;

const range = (run: AddressRun) => (run.count === 1 ? run.first : `${run.first} – ${run.last}`);

function Strip({ p, subnet }: { p: PrefixView; subnet: string }) {
  const [picked, pick] = useState<AddressRun | undefined>(undefined);
  if (!p.size) return <p class="note">{p.prefix}: too large to draw address by address.</p>;
  return (
    <>
      <div class="strip" role="group" aria-label={`Addresses of ${subnet} ${p.prefix}`} data-prefix={p.prefix}>
        {p.runs.map((r) => (
          <button
            type="button"
            class={`run k-${r.kind}${picked?.offset === r.offset ? " picked" : ""}`}
            style={{ left: pct(r.offset, p.size!), width: `max(4px, ${pct(r.count, p.size!)})` }}
            title={`${range(r)}: ${r.label}`}
            aria-label={`${r.first}${r.count > 1 ? `, ${r.count} addresses` : ""}: ${r.label}`}
            aria-pressed={picked?.offset === r.offset}
            data-kind={r.kind}
            data-first={r.first}
            data-count={r.count}
            onClick={() => pick(picked?.offset === r.offset ? undefined : r)}
          />
        ))}
      </div>
      <p class="picked-detail" aria-live="polite">
        {picked && (
          <>
            <code>{range(picked)}</code> ({picked.count}) {picked.label}
            {picked.owner && <> — held by <code class="owner">{picked.owner}</code></>}
          </>
        )}
      </p>
    </>
  );
}

function Subnet({ s }: { s: SubnetMapView }) {
  return (
    <section class="subnet" aria-labelledby={`h-${s.id}`} data-subnet={s.name}>
      <h3 id={`h-${s.id}`}>
        {s.name} <span class="prefix">{s.prefixes.map((p) => p.prefix).join(", ")}</span>
      </h3>
      <p class="facts">
        {s.delegations.length > 0 ? <span class="tag">delegated to {s.delegations.join(", ")}</span> : <span class="muted">no delegation</span>}
        {s.serviceAssociationLinks.map((l) => (
          <span class="tag" title={l.link}>service association link {l.name} ({l.linkedResourceType})</span>
        ))}
        {s.prefixes.map((p) => (p.firstFree ? <span class="muted">next free {p.firstFree}</span> : <span class="tag">full</span>))}
      </p>
      {s.prefixes.map((p) => (
        <>
          <Strip p={p} subnet={s.name} />
          <details>
            <summary>Holders of {p.prefix}</summary>
            <table>
              <thead>
                <tr><th scope="col">Addresses</th><th scope="col">Count</th><th scope="col">Held by</th></tr>
              </thead>
              <tbody>
                {p.runs.map((r) => (
                  <tr data-kind={r.kind}>
                    <td><code>{range(r)}</code></td>
                    <td>{r.count}</td>
                    <td><span class={`swatch k-${r.kind}`} aria-hidden="true" />{r.label}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      ))}
    </section>
  );
}

export function Vnet({ v }: { v: VnetMapView }) {
  return (
    <article class="vnet" aria-labelledby={`h-${v.id}`} data-vnet={v.name}>
      <h2 id={`h-${v.id}`}>{v.name}</h2>
      <p class="facts">
        <span>resource group {v.resourceGroup}</span>
        {v.location && <span>{v.location}</span>}
        <span>address space {v.addressSpace.map((a) => a.prefix).join(", ")}</span>
      </p>
      {v.addressSpace.map((a, i) =>
        a.size ? (
          <div class="space" role="list" aria-label={`Subnets in ${a.prefix}, to scale`}>
            {v.subnets.flatMap((s) =>
              s.prefixes
                .filter((p) => p.spaceIndex === i && p.size)
                .map((p) => (
                  <span role="listitem" class="space-subnet" style={{ left: pct(p.spaceOffset!, a.size!), width: `max(3px, ${pct(p.size!, a.size!)})` }} title={`${s.name} ${p.prefix}`} aria-label={`${s.name} ${p.prefix}`}>
                    <span class="space-label">{s.name}</span>
                  </span>
                )),
            )}
          </div>
        ) : null,
      )}
      {v.subnets.length === 0 ? <p class="muted">No subnets.</p> : v.subnets.map((s) => <Subnet s={s} />)}
    </article>
  );
}

export function Legend() {
  return (
    <ul class="legend" aria-label="Legend">
      {Object.entries(KIND_NAMES).map(([k, name]) => (
        <li><span class={`swatch k-${k}`} aria-hidden="true" />{name}</li>
      ))}
    </ul>
  );
}

