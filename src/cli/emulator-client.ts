// A running emulator as the CLI reaches it: its endpoint and CA from the data directory, a token
// from its Entra endpoint, and the ARM id of one managed cluster.
import fs from "node:fs";
import path from "node:path";
import https from "node:https";

export type Flags = Record<string, string | true>;

export function str(f: Flags, ...names: string[]): string | undefined {
  for (const n of names) if (typeof f[n] === "string") return f[n] as string;
  return undefined;
}

export function emulatorRequest(endpoint: string, ca: Buffer, method: string, p: string, headers: Record<string, string>, body?: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(p, endpoint), { method, ca, headers: { ...headers, ...(body !== undefined ? { "content-length": String(Buffer.byteLength(body)) } : {}) }, timeout: 30_000 }, (res) => {
      let t = "";
      res.on("data", (c) => (t += c));
      res.on("end", () => {
        let json: any;
        try {
          json = t ? JSON.parse(t) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on("timeout", () => req.destroy(new Error("request timed out")));
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Endpoint, CA and a bearer token for the emulator running on dataDir; exits with a message when it is not running. */
export async function connect(dataDir: string, rg: string, name: string): Promise<{ endpoint: string; ca: Buffer; auth: Record<string, string>; base: string }> {
  let info: { endpoint: string };
  try {
    info = JSON.parse(fs.readFileSync(path.join(dataDir, "aksemu.json"), "utf8"));
  } catch {
    console.error(`aksemu: not running with data directory ${dataDir} (start it with aksemu start)`);
    process.exit(3);
  }
  const ca = fs.readFileSync(path.join(dataDir, "ca.pem"));
  const health = await emulatorRequest(info.endpoint, ca, "GET", "/aksemu/health", {});
  const sub = health.json?.subscriptionId as string;
  const tenant = health.json?.tenantId as string;
  const tok = await emulatorRequest(info.endpoint, ca, "POST", `/${tenant}/oauth2/v2.0/token`, { "content-type": "application/x-www-form-urlencoded" },
    `grant_type=client_credentials&client_id=aksemu-cli&client_secret=aksemu&scope=${encodeURIComponent(info.endpoint + "/.default")}`);
  const auth = { authorization: `Bearer ${tok.json.access_token}` };
  const base = `/subscriptions/${sub}/resourceGroups/${encodeURIComponent(rg)}/providers/Microsoft.ContainerService/managedClusters/${encodeURIComponent(name)}`;
  return { endpoint: info.endpoint, ca, auth, base };
}
