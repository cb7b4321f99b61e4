// One HTTP request as every route handler sees it: ids, the authenticated principal, body, and
// response helpers. It sits below arm/, entra/ and providers/ (their HTTP adapters and routes take
// it); nothing below the HTTP adapters sees it: the resource service takes a Caller (arm/caller.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";

/** Who a verified bearer token names (server/auth.ts sets it on the request). */
export interface Principal {
  /** Entra object id (oid claim). */
  objectId: string;
  /** Application (client) id (appid/azp claim). */
  appId: string;
  tenantId: string;
}

export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

/**
 * The request target on the emulator's own origin. Only the path and query are taken from the
 * client: an absolute-form target (`https://elsewhere/...`) or a path the URL parser would read
 * as an authority (`/\\elsewhere/...`, `//elsewhere/...`) never changes the host of URLs built from it.
 */
export function requestUrl(target: string, baseUrl: string): URL {
  let pathAndQuery = target;
  if (!target.startsWith("/")) {
    try {
      const u = new URL(target);
      pathAndQuery = u.pathname + u.search;
    } catch {
      pathAndQuery = "/" + target;
    }
  }
  // "//subscriptions/..." (SDKs join "{endpoint}/{scope}" with a scope that starts with "/") is a path, not a protocol-relative URL.
  return new URL(baseUrl + pathAndQuery.replace(/^[/\\]{2,}/, "/"));
}

/**
 * A request target the URL parser would hand back unchanged as pathname and search: origin-form,
 * only characters it neither percent-encodes nor rewrites, no `//` or `/\\` start, no dot
 * segment (`/.`, `%2e`), no fragment. Such a target is split by hand; anything else goes through
 * requestUrl (the same answer, slower).
 */
const PLAIN_TARGET = /^\/(?![/\\])[A-Za-z0-9\-._~!$&()*+,;=:@%/]*(\?[A-Za-z0-9\-._~!$&()*+,;=:@%/]*)?$/;
const DOT_SEGMENT = /\/\.|%2e/i;

/** A plain target's path and query (without `?`), exactly as requestUrl's pathname and search; undefined for any other target. */
export function plainTarget(target: string): { path: string; query: string } | undefined {
  if (!PLAIN_TARGET.test(target) || DOT_SEGMENT.test(target)) return undefined;
  const q = target.indexOf("?");
  return q < 0 ? { path: target, query: "" } : { path: target.slice(0, q), query: target.slice(q + 1) };
}

/** A query string's parameters in order, as URLSearchParams reads it (split by hand when there is nothing to decode). */
export function queryPairs(raw: string): Array<[string, string]> {
  if (/[%+]/.test(raw) || raw.startsWith("?")) return [...new URLSearchParams(raw.startsWith("?") ? "&" + raw : raw)];
  const out: Array<[string, string]> = [];
  for (const pair of raw.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    out.push(eq < 0 ? [pair, ""] : [pair.slice(0, eq), pair.slice(eq + 1)]);
  }
  return out;
}

/** `20261207T221458Z`, as ARM's routing ids carry it; recomputed once per second, not per answer. */
let stamp = { second: -1, text: "" };
function routingTimestamp(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== stamp.second) stamp = { second, text: new Date(second * 1000).toISOString().replace(/[-:]|\.\d+/g, "") };
  return stamp.text;
}

export class RequestContext {
  readonly requestId = randomUUID();
  readonly correlationId: string;
  readonly method: string;
  /** The path (as URL's pathname) and the query string without `?`, when the target is plain. */
  private plain?: { path: string; query: string };
  private parsedUrl?: URL;
  principal?: Principal;
  private bodyPromise?: Promise<Buffer>;
  /** Set once a response has been sent. */
  done = false;
  /** What `send` answered (status, headers, the ARM error if any): the activity log records it. */
  answered?: { status: number; headers: Record<string, string>; error?: { code?: string; message?: string } };
  /**
   * The store's durability barrier (Store.synced): an answer leaves only once every write
   * committed before it is on disk, so concurrent writers share one fsync (group commit).
   */
  durable?: () => Promise<void> | undefined;

  constructor(readonly req: IncomingMessage, readonly res: ServerResponse, readonly baseUrl: string) {
    this.method = (req.method ?? "GET").toUpperCase();
    this.plain = plainTarget(req.url ?? "/");
    const cid = req.headers["x-ms-correlation-request-id"];
    this.correlationId = typeof cid === "string" && cid ? cid : this.requestId;
  }

  /** The request's URL on the emulator's own origin (requestUrl), parsed when first asked for. */
  get url(): URL {
    return (this.parsedUrl ??= requestUrl(this.req.url ?? "/", this.baseUrl));
  }

  get path(): string {
    return this.plain ? this.plain.path : this.url.pathname;
  }

  private queryByName?: Map<string, string>;

  query(name: string): string | undefined {
    // ARM query parameter names are case-insensitive in practice (api-version, $filter...); the first one given wins.
    if (!this.queryByName) {
      const byName = (this.queryByName = new Map());
      for (const [k, v] of this.plain ? queryPairs(this.plain.query) : this.url.searchParams) {
        const lk = k.toLowerCase();
        if (!byName.has(lk)) byName.set(lk, v);
      }
    }
    return this.queryByName.get(name.toLowerCase());
  }

  header(name: string): string | undefined {
    const v = this.req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  }

  /** A body the client announced as larger than the limit gets 413 before any of it is read (no 100 Continue). */
  checkDeclaredLength(limit = MAX_BODY_BYTES): void {
    const n = Number(this.header("content-length") ?? "0");
    if (Number.isFinite(n) && n > limit) throw new BodyTooLargeError(`body larger than ${limit} bytes`);
  }

  rawBody(limit = MAX_BODY_BYTES): Promise<Buffer> {
    if (!this.bodyPromise) {
      // The listener leaves "Expect: 100-continue" to us: ask for the body only when a handler reads it.
      if (/100-continue/i.test(this.header("expect") ?? "") && !this.res.headersSent) this.res.writeContinue();
      this.bodyPromise = new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let over = false;
        this.req.on("data", (c: Buffer) => {
          if (over) return; // drain and drop the rest, so the client reads our 413 instead of a reset
          size += c.length;
          if (size > limit) {
            over = true;
            chunks.length = 0;
            reject(new BodyTooLargeError(`body larger than ${limit} bytes`));
            return;
          }
          chunks.push(c);
        });
        this.req.on("end", () => resolve(Buffer.concat(chunks)));
        this.req.on("error", reject);
      });
    }
    return this.bodyPromise;
  }

  /** Absolute URL on the host the client used (ARM builds Location/nextLink from the referer). */
  absolute(pathAndQuery: string): string {
    return new URL(pathAndQuery, this.baseUrl).toString();
  }

  send(status: number, body?: unknown, headers: Record<string, string> = {}): void {
    if (this.done) return;
    this.done = true;
    const h: Record<string, string> = {
      "x-ms-request-id": this.requestId,
      "x-ms-correlation-request-id": this.correlationId,
      "x-ms-routing-request-id": `LOCAL:${routingTimestamp()}:${this.requestId}`,
      "cache-control": "no-cache",
      pragma: "no-cache",
      expires: "-1",
      "strict-transport-security": "max-age=31536000; includeSubDomains",
      "x-content-type-options": "nosniff",
      ...headers,
    };
    const clientReq = this.header("x-ms-client-request-id");
    if (clientReq && this.header("x-ms-return-client-request-id") === "true") h["x-ms-client-request-id"] = clientReq;
    const error = status >= 400 && body && typeof body === "object" ? (body as { error?: { code?: string; message?: string } }).error : undefined;
    this.answered = { status, headers: h, error: error ? { code: error.code, message: error.message } : undefined };
    let text: string | undefined;
    if (body === undefined || status === 204) h["content-length"] = "0";
    else {
      text = typeof body === "string" ? body : JSON.stringify(body);
      if (!h["content-type"]) h["content-type"] = "application/json; charset=utf-8";
      h["content-length"] = String(Buffer.byteLength(text));
    }
    const write = () => {
      this.res.writeHead(status, h);
      this.res.end(this.method === "HEAD" ? undefined : text);
    };
    const gate = this.durable?.();
    if (!gate) return write();
    gate.then(write, () => {
      // The disk refused the write-ahead log: nothing may be reported as done.
      const failed = JSON.stringify({ error: { code: "InternalServerError", message: "The emulator could not make its state durable (fsync failed); the request's outcome is unknown." } });
      this.res.writeHead(500, { "x-ms-request-id": this.requestId, "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(failed)) });
      this.res.end(failed);
    });
  }
}
