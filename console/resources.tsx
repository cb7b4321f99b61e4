// The Resources view (like Azure's resource explorer): subscriptions → resource groups →
// resources, each resource's JSON as GET renders it at any api-version its type supports, and
// the subscription's provider and feature registrations.
import { useEffect, useState } from "preact/hooks";
import { resourceJson } from "./api.js";
import type { SubscriptionView } from "../src/console/view-types.js";

function ResourceJson({ id, revision }: { id: string; revision: number }) {
  const [version, setVersion] = useState<string | undefined>(undefined);
  const [doc, setDoc] = useState<Awaited<ReturnType<typeof resourceJson>> | undefined>(undefined);
  // Re-read when the store moves on, so the JSON stays live too.
  useEffect(() => {
    let gone = false;
    void resourceJson(id, version).then((d) => !gone && setDoc(d));
    return () => {
      gone = true;
    };
  }, [id, version, revision]);
  if (!doc) return <p class="muted">loading…</p>;
  if ("error" in doc) return <p class="warning">{doc.error}</p>;
  return (
    <div class="json">
      <label>
        api-version{" "}
        <select value={doc.apiVersion} onChange={(e) => setVersion((e.target as HTMLSelectElement).value)}>
          {doc.apiVersions.map((v) => <option value={v}>{v}</option>)}
        </select>
      </label>
      <pre tabIndex={0} aria-label={`JSON of ${id} at api-version ${doc.apiVersion}`}>{JSON.stringify(doc.resource, null, 2)}</pre>
    </div>
  );
}

export function ResourcesPanel({ subs, revision }: { subs: SubscriptionView[]; revision: number }) {
  const [open, setOpen] = useState<string | undefined>(undefined);
  return (
    <>
      {subs.map((s) => (
        <section class="card" aria-labelledby={`s-${s.subscriptionId}`} data-subscription={s.subscriptionId}>
          <h2 id={`s-${s.subscriptionId}`}>{s.displayName ?? "subscription"} <span class="muted">{s.subscriptionId}</span></h2>
          {s.groups.length === 0 && <p class="muted">No resource groups.</p>}
          {s.groups.map((g) => (
            <details open data-group={g.name}>
              <summary>{g.name} <span class="muted">{g.location} · {g.resources.length} resources · {g.provisioningState}</span></summary>
              <ul class="resources">
                {g.resources.map((r) => (
                  <li data-resource={r.id}>
                    <button type="button" class="linkish" aria-expanded={open === r.id} onClick={() => setOpen(open === r.id ? undefined : r.id)}>
                      {r.id.split("/providers/").pop()}
                    </button>{" "}
                    <span class="muted">{r.provisioningState}</span>
                    {open === r.id && <ResourceJson id={r.id} revision={revision} />}
                  </li>
                ))}
              </ul>
            </details>
          ))}
          <details>
            <summary>Providers and features</summary>
            <table>
              <thead><tr><th scope="col">Provider or feature</th><th scope="col">State</th></tr></thead>
              <tbody>
                {s.providers.map((p) => <tr data-provider={p.namespace}><td>{p.namespace}</td><td>{p.registrationState}</td></tr>)}
                {s.features.map((f) => <tr data-feature={f.name}><td>{f.name}</td><td>{f.state}</td></tr>)}
              </tbody>
            </table>
          </details>
        </section>
      ))}
    </>
  );
}
