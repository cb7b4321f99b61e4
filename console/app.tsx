// The aksemu web console (read-only, live): the network map, clusters, DNS, resources and the
// activity log, as tabs over one event stream of the emulator's data API.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { follow, openSession, type Feed } from "./api.js";
import { Legend, Vnet } from "./network.js";
import { ClusterPanel } from "./cluster.js";
import { DnsPanel } from "./dns.js";
import { ResourcesPanel } from "./resources.js";
import { ActivityPanel } from "./activity.js";

const TABS = [
  ["network", "Network map"],
  ["cluster", "Clusters"],
  ["dns", "DNS"],
  ["resources", "Resources"],
  ["activity", "Activity"],
] as const;
type Tab = (typeof TABS)[number][0];

function App() {
  const [feed, setFeed] = useState<Feed>({ state: "connecting" });
  const [session, setSession] = useState<string>("opening");
  const [tab, setTab] = useState<Tab>("network");
  useEffect(() => {
    let close = () => undefined as void;
    void openSession().then((s) => {
      setSession(s);
      close = follow(setFeed);
    });
    return () => close();
  }, []);
  const { map, views } = feed;
  // Arrow keys move between tabs, as the WAI-ARIA tabs pattern has it.
  const onKey = (e: KeyboardEvent) => {
    const i = TABS.findIndex(([t]) => t === tab);
    const next = e.key === "ArrowRight" ? (i + 1) % TABS.length : e.key === "ArrowLeft" ? (i + TABS.length - 1) % TABS.length : -1;
    if (next < 0) return;
    setTab(TABS[next]![0]);
    (document.getElementById(`tab-${TABS[next]![0]}`) as HTMLElement | null)?.focus();
  };
  return (
    <>
      <header>
        <h1>aksemu console</h1>
        <p class={`status s-${feed.state}`} role="status" aria-live="polite" data-revision={views?.revision ?? map?.revision ?? ""}>
          {feed.state === "live" ? `live, store revision ${Math.max(map?.revision ?? 0, views?.revision ?? 0)}` : feed.state === "connecting" ? "connecting…" : session === "refused" || !map ? "not connected: open the console link that 'aksemu start' printed (it carries this run's key)" : "connection lost; retrying"}
        </p>
        <nav role="tablist" aria-label="Views" onKeyDown={onKey}>
          {TABS.map(([t, label]) => (
            <button type="button" role="tab" id={`tab-${t}`} aria-controls={`panel-${t}`} aria-selected={tab === t} tabIndex={tab === t ? 0 : -1} onClick={() => setTab(t)}>
              {label}
            </button>
          ))}
        </nav>
      </header>
      <main>
        <div id={`panel-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`} data-view={tab}>
        {tab === "network" && (
          <>
            <Legend />
            {map && map.vnets.length === 0 && <p class="muted">No virtual networks yet. Create one (az network vnet create) and it appears here.</p>}
            {map?.vnets.map((v) => <Vnet v={v} />)}
          </>
        )}
        {tab === "cluster" && views?.clusters && <ClusterPanel clusters={views.clusters} />}
        {tab === "dns" && views?.dns && <DnsPanel dns={views.dns} />}
        {tab === "resources" && views?.resources && <ResourcesPanel subs={views.resources} revision={views.revision} />}
        {tab === "activity" && views?.activity && <ActivityPanel rows={views.activity} />}
        </div>
      </main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
