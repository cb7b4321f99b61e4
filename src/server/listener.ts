// HTTPS listeners on the IPv4 and IPv6 loopback addresses (clients resolve "localhost"
// either way), sharing one port.
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Listening {
  port: number;
  hosts: string[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void> | undefined;

function listenOne(server: https.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** The handler renders its own errors; this only guards against a bug escaping it. */
export function guarded(handler: Handler): (req: IncomingMessage, res: ServerResponse) => void {
  const failed = (req: IncomingMessage, res: ServerResponse, err: unknown) => {
    console.error("[aksemu] unhandled error in request handler:", err);
    if (!res.headersSent) res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify({ error: { code: "InternalServerError", message: "The emulator hit an internal error." } }));
  };
  return (req, res) => {
    // The handler may finish at once (returns no promise) or later; a bug may escape either way.
    let r: void | Promise<void>;
    try {
      r = handler(req, res);
    } catch (err) {
      failed(req, res, err);
      return;
    }
    if (r instanceof Promise) r.catch((err) => failed(req, res, err));
  };
}

export async function listenHttps(opts: { cert: string; key: string; port: number; host?: string; handler: Handler }): Promise<Listening> {
  const make = () => {
    const serve = guarded(opts.handler);
    const s = https.createServer({ cert: opts.cert, key: opts.key, minVersion: "TLSv1.2" }, serve);
    // "Expect: 100-continue": no automatic 100; the request context sends it when a handler reads
    // the body, so a request refused early (401, 413) is answered before the client uploads anything.
    s.on("checkContinue", serve);
    s.keepAliveTimeout = 65_000;
    s.headersTimeout = 66_000;
    return s;
  };
  const servers: https.Server[] = [];
  const hosts: string[] = [];
  const primaryHost = opts.host ?? "127.0.0.1";
  const primary = make();
  const port = await listenOne(primary, primaryHost, opts.port);
  servers.push(primary);
  hosts.push(primaryHost);
  if (primaryHost === "127.0.0.1") {
    const v6 = make();
    try {
      await listenOne(v6, "::1", port);
      servers.push(v6);
      hosts.push("::1");
    } catch {
      // No IPv6 loopback here: IPv4 alone is fine.
    }
  }
  return {
    port,
    hosts,
    close: () =>
      Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      ).then(() => undefined),
  };
}
