// Requests with the path sent byte for byte (no URL normalisation: dot segments, %2F and
// double encoding reach the emulator as written), over one keep-alive agent.
import https from "node:https";

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
}

export function rawClient(port: number, ca: string) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 8, ca });
  const send = (method: string, path: string, opts: { headers?: Record<string, string>; body?: string } = {}) =>
    new Promise<RawAnswer>((resolve, reject) => {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.body !== undefined) headers["content-length"] = String(Buffer.byteLength(opts.body));
      const req = https.request(
        // servername/checkServerIdentity: a forged Host header must not change which certificate we expect
        { host: "127.0.0.1", port, method, path, headers, agent, servername: "localhost", checkServerIdentity: () => undefined, timeout: 30_000 },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c) => (text += c));
          res.on("end", () => {
            let body: any;
            try {
              body = text ? JSON.parse(text) : undefined;
            } catch {
              body = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error(`timeout: ${method} ${path}`)));
      req.on("error", reject);
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    });
  return { send, close: () => agent.destroy() };
}
