// The console's only link to the emulator: its read-only data API (src/console/routes.ts).
// The key from the printed link's #fragment is traded for an HttpOnly cookie, then removed from
// the address bar; the event stream pushes a fresh network map after every write.
import type { NetworkMap } from "../src/console/network-map-types.js";

export type { NetworkMap };

const API = "/aksemu/console";

/** Present the link's key (if the page was opened with one) and drop it from the address bar. */
export async function openSession(): Promise<"ok" | "no-key" | "refused"> {
  const m = /(?:^#|&)key=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (!m) return "no-key";
  history.replaceState(null, "", location.pathname + location.search);
  const r = await fetch(`${API}/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key: m[1] }), credentials: "same-origin" });
  return r.ok ? "ok" : "refused";
}

export type Feed = { state: "connecting" | "live" | "lost"; map?: NetworkMap };

/** Follow the network map; `onChange` gets every snapshot and connection change. Returns a closer. */
export function followNetwork(onChange: (f: Feed) => void): () => void {
  let map: NetworkMap | undefined;
  const es = new EventSource(`${API}/events`, { withCredentials: true });
  es.addEventListener("network", (e) => {
    map = JSON.parse((e as MessageEvent<string>).data) as NetworkMap;
    onChange({ state: "live", map });
  });
  es.onerror = () => onChange({ state: es.readyState === EventSource.CLOSED ? "lost" : "connecting", map });
  return () => es.close();
}
