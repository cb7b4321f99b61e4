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

export type Feed = { state: "connecting" | "live" | "lost"; map?: NetworkMap; views?: Views };

/** Follow the network map and the views; `onChange` gets every snapshot and connection change. Returns a closer. */
export function follow(onChange: (f: Feed) => void): () => void {
  let map: NetworkMap | undefined;
  let views: Views | undefined;
  const es = new EventSource(`${API}/events`, { withCredentials: true });
  es.addEventListener("network", (e) => {
    map = JSON.parse((e as MessageEvent<string>).data) as NetworkMap;
    onChange({ state: "live", map, views });
  });
  es.addEventListener("views", (e) => {
    views = JSON.parse((e as MessageEvent<string>).data) as Views;
    onChange({ state: "live", map, views });
  });
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
