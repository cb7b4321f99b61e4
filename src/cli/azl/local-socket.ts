// azl's transport to an emulator on this machine: when the emulator's data directory holds its
// same-user Unix socket for the configured port (server/local-socket.ts), requests for the
// endpoint's origin go there as plain HTTP (same headers, same bearer token) instead of through a
// TLS handshake. Node 20 parses its ~140 bundled root certificates the first time any TLS
// context is made (about 20 ms of a ~25 ms `node -e 0`), whatever `ca` is given: the socket is
// what brings a one-request command near Node's own start-up. Any other URL, a socket that is gone
// (ENOENT, ECONNREFUSED: the emulator stopped) or a body that cannot be replayed goes through
// the SDK's default HTTPS client. AZL_NO_LOCAL_SOCKET=1 turns it off.
// The socket gets the bearer token with no server proof (no TLS), so azl uses only a socket the
// emulator's own layout vouches for: this user's socket in this user's run and data directories,
// neither writable by anyone else. Otherwise (a `.aksemu` another local user planted in a shared
// working directory) azl goes over HTTPS, where the server must still present a certificate.
import { lstatSync, statSync, type Stats } from "node:fs";
import type http from "node:http";
import { dirname } from "node:path";
import type { HttpClient, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { localSocketPath } from "../../server/socket-path.js";

type Rp = Pick<typeof import("@azure/core-rest-pipeline"), "createHttpHeaders" | "RestError">;

/** Owned by `uid` and writable by no one else (no symbolic link: lstat). */
function ownedPrivately(s: Stats, uid: number | undefined): boolean {
  return (uid === undefined || s.uid === uid) && (s.mode & 0o022) === 0;
}

/**
 * The emulator's socket for `endpoint` in `dataDir`, if one is there, not turned off, and owned
 * (with its run and data directories) by `uid` (this process's user).
 */
export function findLocalSocket(env: NodeJS.ProcessEnv, endpoint: string, dataDir: string, uid = process.getuid?.()): string | undefined {
  if (env.AZL_NO_LOCAL_SOCKET === "1" || process.platform === "win32") return undefined;
  let port: number;
  try {
    const u = new URL(endpoint);
    if (u.protocol !== "https:") return undefined;
    port = Number(u.port || 443);
  } catch {
    return undefined;
  }
  const p = localSocketPath(dataDir, port);
  try {
    const sock = lstatSync(p);
    if (!sock.isSocket() || !(uid === undefined || sock.uid === uid)) return undefined;
    const run = lstatSync(dirname(p));
    const data = statSync(dataDir); // a data directory reached through a link of this user is fine: its target decides
    return run.isDirectory() && ownedPrivately(run, uid) && ownedPrivately(data, uid) ? p : undefined;
  } catch {
    return undefined;
  }
}

function isStream(b: unknown): b is NodeJS.ReadableStream {
  return !!b && typeof (b as { pipe?: unknown }).pipe === "function";
}

/** Connection refused before anything was sent: safe to send the same request elsewhere. */
const GONE = new Set(["ENOENT", "ECONNREFUSED", "ENOTSOCK"]);

export function localSocketClient(socketPath: string, endpoint: string, rp: Rp, fallback: () => HttpClient, onFallback?: (why: string) => void): HttpClient {
  const origin = new URL(endpoint).origin;
  // node:http is loaded with the first request (commands without one, and --help, never pay for it)
  let agent: Promise<{ http: typeof http; agent: http.Agent }> | undefined;
  let gone = false;
  const viaFallback = (request: PipelineRequest, why?: string) => {
    if (why) onFallback?.(why);
    return fallback().sendRequest(request);
  };
  return {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const url = new URL(request.url);
      const body = typeof request.body === "function" ? (request.body as () => unknown)() : request.body;
      const replayable = body === undefined || body === null || typeof body === "string" || body instanceof Uint8Array;
      if (gone || url.origin !== origin || !(replayable || isStream(body))) return viaFallback(request);
      if (request.abortSignal?.aborted) throw new rp.RestError("The operation was aborted.", { code: "ABORT_ERR", request });
      const headers: Record<string, string> = request.headers.toJSON({ preserveCase: true });
      headers.host = url.host;
      if (typeof body === "string" || body instanceof Uint8Array) headers["Content-Length"] = String(Buffer.byteLength(body as string | Uint8Array));
      agent ??= import("node:http").then((m) => ({ http: m.default, agent: new m.default.Agent({ keepAlive: true }) }));
      const h = await agent;
      let res: http.IncomingMessage;
      try {
        res = await new Promise<http.IncomingMessage>((resolve, reject) => {
          const req = h.http.request({ socketPath, agent: h.agent, method: request.method, path: url.pathname + url.search, headers }, resolve);
          req.once("error", reject);
          if (request.timeout > 0) req.setTimeout(request.timeout, () => req.destroy(Object.assign(new Error(`request to '${url.pathname}' timed out`), { code: "ETIMEDOUT" })));
          request.abortSignal?.addEventListener("abort", () => req.destroy(Object.assign(new Error("The operation was aborted."), { code: "ABORT_ERR" })), { once: true });
          if (isStream(body)) body.pipe(req);
          else req.end(body ?? undefined);
        });
      } catch (e) {
        const code = String((e as { code?: unknown }).code ?? "");
        if (GONE.has(code) && replayable) {
          gone = true;
          return viaFallback(request, `local socket ${socketPath}: ${code}`);
        }
        throw new rp.RestError((e as Error).message, { code: code || rp.RestError.REQUEST_SEND_ERROR, request });
      }
      const responseHeaders = rp.createHttpHeaders();
      for (const [k, v] of Object.entries(res.headers)) {
        const value = Array.isArray(v) ? v[0] : v;
        if (value !== undefined) responseHeaders.set(k, value);
      }
      const response: PipelineResponse = { request, status: res.statusCode ?? 0, headers: responseHeaders };
      if (request.method === "HEAD") {
        res.resume();
        return response;
      }
      let stream: NodeJS.ReadableStream = res;
      const enc = res.headers["content-encoding"];
      if (enc === "gzip" || enc === "deflate") {
        const zlib = await import("node:zlib");
        stream = res.pipe(enc === "gzip" ? zlib.createGunzip() : zlib.createInflate());
      }
      const codes = request.streamResponseStatusCodes;
      if (codes?.has(Number.POSITIVE_INFINITY) || codes?.has(response.status)) {
        response.readableStreamBody = stream;
        return response;
      }
      response.bodyAsText = await new Promise<string>((resolve, reject) => {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        stream.on("error", (e: Error) => reject(new rp.RestError(`Error reading response as text: ${e.message}`, { code: rp.RestError.PARSE_ERROR, request })));
      });
      return response;
    },
  };
}
