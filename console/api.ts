// The console's only link to the emulator: its read-only data API (src/console/routes.ts).
// The key from the printed link's #fragment is traded for an HttpOnly cookie, then removed from
// the address bar; the event stream pushes a fresh network map and fresh views after every write.
import type { NetworkMap } from "../src/console/network-map-types.js";
import type { Views } from "../src/console/view-types.js";

export type { NetworkMap, Views };

const API = "/aksemu/console";

/** Present the link's key (if the page was opened with one) and drop it from the address bar. */
export async function openSession(): Promise<"ok" | "no-key" | "refused"> {
  const m = /(?:^#|&)key=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (!m) return "no-key";
  history.replaceState(null, "", location.pathname + location.search);
  const r = await fetch(`${API}/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key: m[1] }), credentials: "same-origin" });
  return r.ok ? "ok" : "refused";
}

/** `views` fills view by view: a view not yet received is undefined. */
export type Feed = { state: "connecting" | "live" | "lost"; map?: NetworkMap; views?: Partial<Views> & { revision: number } };

/** Follow the network map and the views; `onChange` gets every snapshot and connection change. Returns a closer. */
export function follow(onChange: (f: Feed) => void): () => void {
  let map: NetworkMap | undefined;
  let views: Views | undefined;
  const es = new EventSource(`${API}/events`, { withCredentials: true });
  es.addEventListener("network", (e) => {
    map = JSON.parse((e as MessageEvent<string>).data) as NetworkMap;
    onChange({ state: "live", map, views });
  });
  // Each view comes as its own event ({revision, view}); the page shows a view once it has arrived.
  for (const name of ["clusters", "dns", "resources", "activity"] as const) {
    es.addEventListener(name, (e) => {
      const m = JSON.parse((e as MessageEvent<string>).data) as { revision: number; view: any };
      views = { ...(views ?? {}), [name]: m.view, revision: Math.max(views?.revision ?? 0, m.revision) } as Views;
      onChange({ state: "live", map, views });
    });
  }
  es.onerror = () => onChange({ state: es.readyState === EventSource.CLOSED ? "lost" : "connecting", map, views });
  return () => es.close();
}

/** One resource's JSON at an api-version (its type's newest when none is given). */
export async function resourceJson(id: string, apiVersion?: string): Promise<{ apiVersion: string; apiVersions: string[]; resource: unknown } | { error: string }> {
  const q = new URLSearchParams({ id, ...(apiVersion ? { "api-version": apiVersion } : {}) });
  const r = await fetch(`${API}/resource?${q}`, { credentials: "same-origin" });
  const body = await r.json();
  return r.ok ? body : { error: String(body?.error?.message ?? r.status) };
}
