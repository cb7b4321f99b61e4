// pods/exec, pods/attach and pods/portforward: no container runs in aksemu, so these accept the
// client's upgrade the way the kubelet does and then answer on the protocol's error channel that
// containers are simulated. kubectl then prints that message and exits 1 instead of failing on
// the protocol. Two transports, as kubectl uses them:
//   - WebSocket (kubectl ≥ 1.30): channel protocols v5/v4.channel.k8s.io (exec, attach; channel 3
//     carries a metav1.Status) and SPDY/3.1+portforward.k8s.io (port-forward: SPDY frames tunnelled
//     in WebSocket binary messages);
//   - SPDY/3.1 over the upgraded connection (older kubectl, e.g. 1.20).
// The SPDY part is the minimum a server needs here: read SYN_STREAM (zlib header blocks with the
// SPDY/3 dictionary), answer SYN_REPLY, write one DATA frame per stream and FIN it.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import zlib from "node:zlib";
import { WebSocketServer, type WebSocket } from "ws";
import type { Obj } from "./util.js";

export interface StreamTarget {
  authenticated: boolean;
  pod(ns: string, name: string): Obj | undefined;
}

const WS_EXEC = ["v5.channel.k8s.io", "v4.channel.k8s.io"];
const WS_PORTFORWARD = "SPDY/3.1+portforward.k8s.io";
const SPDY_EXEC = ["v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"];
const SPDY_PORTFORWARD = "portforward.k8s.io";

function statusBody(code: number, reason: string, message: string): Obj {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

/** A plain HTTP answer on the raw socket (before any upgrade). */
function refuse(socket: Duplex, code: number, reason: string, message: string): void {
  const body = JSON.stringify(statusBody(code, reason, message));
  const text = { 400: "Bad Request", 401: "Unauthorized", 404: "Not Found" }[code] ?? "Error";
  socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

interface Request {
  kind: "exec" | "attach" | "portforward";
  ns: string;
  pod: Obj;
  message: string;
}

/** What the client asked for, or a plain refusal (unknown path or pod, bad container, finished pod). */
function parse(req: IncomingMessage, socket: Duplex, t: StreamTarget): Request | undefined {
  const url = new URL(req.url ?? "/", "https://kube.local");
  const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)\/?$/.exec(url.pathname);
  if (!t.authenticated) {
    refuse(socket, 401, "Unauthorized", "Unauthorized");
    return undefined;
  }
  if (!m) {
    refuse(socket, 404, "NotFound", "the server could not find the requested resource");
    return undefined;
  }
  const [ns, name, kind] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!), m[3] as Request["kind"]];
  const pod = t.pod(ns, name);
  if (!pod) {
    refuse(socket, 404, "NotFound", `pods "${name}" not found`);
    return undefined;
  }
  const q = url.searchParams;
  const containers = ((pod.spec?.containers ?? []) as Obj[]).map((c) => String(c.name));
  if (kind !== "portforward") {
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") {
      refuse(socket, 400, "BadRequest", `cannot ${kind} into a container in a completed pod; current phase is ${phase}`);
      return undefined;
    }
    const c = q.get("container") ?? (containers.length === 1 ? containers[0] : undefined);
    if (!c) {
      refuse(socket, 400, "BadRequest", `a container name must be specified for pod ${name}, choose one of: [${containers.join(" ")}]`);
      return undefined;
    }
    if (!containers.includes(c)) {
      refuse(socket, 400, "BadRequest", `container ${c} is not valid for pod ${name}`);
      return undefined;
    }
    const what = kind === "exec" ? `run ${JSON.stringify(q.getAll("command"))} in` : "attach to";
    return { kind, ns, pod, message: `containers are simulated in aksemu: cannot ${what} container "${c}" of pod ${ns}/${name}, no container process exists (kubectl logs shows its simulated lifecycle)` };
  }
  return { kind, ns, pod, message: "" };
}

function portforwardMessage(r: Request, port: string): string {
  // The kubelet's wording for a failed forward, with the reason.
  return `error forwarding port ${port} to pod ${r.pod.metadata.name}, uid ${r.pod.metadata.uid}: containers are simulated in aksemu, nothing listens in pod ${r.ns}/${r.pod.metadata.name}`;
}

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => pickWsProtocol([...offered]) ?? false });

function pickWsProtocol(offered: string[]): string | undefined {
  if (offered.includes(WS_PORTFORWARD)) return WS_PORTFORWARD;
  return WS_EXEC.find((p) => offered.includes(p));
}

function splitHeader(v: string | string[] | undefined): string[] {
  return (Array.isArray(v) ? v : [v ?? ""]).flatMap((x) => x.split(",")).map((x) => x.trim()).filter(Boolean);
}

/** Entry point for the HTTPS server's 'upgrade' event. */
export function handleStreamUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, t: StreamTarget): void {
  socket.on("error", () => socket.destroy());
  const r = parse(req, socket, t);
  if (!r) return;
  const upgrade = String(req.headers.upgrade ?? "").toLowerCase();
  if (upgrade === "websocket") {
    const offered = splitHeader(req.headers["sec-websocket-protocol"]);
    const proto = pickWsProtocol(offered);
    if (!proto || (r.kind === "portforward") !== (proto === WS_PORTFORWARD)) {
      refuse(socket, 400, "BadRequest", `unable to upgrade: none of the offered subprotocols [${offered.join(" ")}] is supported`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => (proto === WS_PORTFORWARD ? tunnelledSpdy(ws, r) : wsExec(ws, r)));
    return;
  }
  if (upgrade.startsWith("spdy/3.1")) {
    const offered = splitHeader(req.headers["x-stream-protocol-version"]);
    const proto = r.kind === "portforward" ? (offered.includes(SPDY_PORTFORWARD) ? SPDY_PORTFORWARD : undefined) : SPDY_EXEC.find((p) => offered.includes(p));
    if (!proto) {
      refuse(socket, 400, "BadRequest", `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(" ")}]`);
      return;
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${proto}\r\n\r\n`);
    const session = new SpdySession((b) => socket.write(b), () => socket.end(), r, proto);
    if (head.length) session.feed(head);
    socket.on("data", (b: Buffer) => session.feed(b));
    return;
  }
  refuse(socket, 400, "BadRequest", "Upgrade request required");
}

/** exec/attach over the WebSocket channel protocol: the Status on channel 3, then close. */
function wsExec(ws: WebSocket, r: Request): void {
  const status = Buffer.from(JSON.stringify(statusBody(503, "ServiceUnavailable", r.message)));
  ws.on("error", () => ws.terminate());
  ws.send(Buffer.concat([Buffer.from([3]), status]), () => ws.close(1000));
  setTimeout(() => ws.terminate(), 5000).unref();
}

function tunnelledSpdy(ws: WebSocket, r: Request): void {
  ws.on("error", () => ws.terminate());
  const session = new SpdySession((b) => ws.send(b), () => ws.close(1000), r, WS_PORTFORWARD);
  ws.on("message", (data) => session.feed(Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[])));
}

// --- SPDY/3.1, server side, the minimum ------------------------------------------------------

const DICT_WORDS = [
  "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset", "accept-encoding", "accept-language", "accept-ranges", "age", "allow",
  "authorization", "cache-control", "connection", "content-base", "content-encoding", "content-language", "content-length", "content-location",
  "content-md5", "content-range", "content-type", "date", "etag", "expect", "expires", "from", "host", "if-match", "if-modified-since", "if-none-match",
  "if-range", "if-unmodified-since", "last-modified", "location", "max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range",
  "referer", "retry-after", "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "vary", "via", "warning", "www-authenticate",
  "method", "get", "status", "200 OK", "version", "HTTP/1.1", "url", "public", "set-cookie", "keep-alive", "origin",
];
const DICT_TAIL =
  "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505203 Non-Authoritative Information204 No Content" +
  "301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable" +
  "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif," +
  "application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

/** The SPDY/3 header-compression dictionary (draft-mbelshe-httpbis-spdy-00 §2.6.10.1), 1423 bytes. */
export const SPDY_DICTIONARY = Buffer.concat([
  ...DICT_WORDS.map((w) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    return Buffer.concat([len, Buffer.from(w, "latin1")]);
  }),
  Buffer.from(DICT_TAIL, "latin1"),
]);

function adler32(b: Buffer): number {
  let a = 1;
  let s = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    s = (s + a) % 65521;
  }
  return ((s << 16) | a) >>> 0;
}

/** zlib stream header with the preset-dictionary flag (level 0 = stored blocks follow). */
function zlibHeader(): Buffer {
  const cmf = 0x78;
  let flg = 0x20; // FDICT, FLEVEL 0
  flg += 31 - ((cmf * 256 + flg) % 31);
  const h = Buffer.alloc(6);
  h[0] = cmf;
  h[1] = flg;
  h.writeUInt32BE(adler32(SPDY_DICTIONARY), 2);
  return h;
}

/**
 * A header block as non-final stored deflate blocks: the data, then an empty one (a sync flush),
 * so the peer's inflater hands the data over without reading past the frame.
 */
function storedBlock(data: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h[0] = 0;
  h.writeUInt16LE(data.length, 1);
  h.writeUInt16LE(~data.length & 0xffff, 3);
  return Buffer.concat([h, data]);
}

function headerBlock(pairs: Array<[string, string]>): Buffer {
  const parts = [Buffer.alloc(4)];
  parts[0]!.writeUInt32BE(pairs.length);
  for (const [k, v] of pairs) {
    for (const s of [k, v]) {
      const b = Buffer.from(s);
      const l = Buffer.alloc(4);
      l.writeUInt32BE(b.length);
      parts.push(l, b);
    }
  }
  return Buffer.concat(parts);
}

function parseHeaderBlock(b: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let o = 4;
  const n = b.readUInt32BE(0);
  for (let i = 0; i < n && o + 4 <= b.length; i++) {
    const kl = b.readUInt32BE(o);
    const k = b.subarray(o + 4, o + 4 + kl).toString().toLowerCase();
    o += 4 + kl;
    const vl = b.readUInt32BE(o);
    out[k] = b.subarray(o + 4, o + 4 + vl).toString();
    o += 4 + vl;
  }
  return out;
}

const SYN_STREAM = 1;
const SYN_REPLY = 2;
const PING = 6;
const GOAWAY = 7;
const FLAG_FIN = 1;

export class SpdySession {
  private buf = Buffer.alloc(0);
  private inflateIn: Buffer[] = [];
  private inflatedLength = 0;
  private sentHeader = false;
  private closed = false;

  constructor(private readonly write: (b: Buffer) => void, private readonly close: () => void, private readonly r: Request, private readonly protocol: string) {}

  feed(chunk: Buffer): void {
    if (this.closed) return;
    this.buf = Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= 8) {
      const len = this.buf.readUIntBE(5, 3);
      if (this.buf.length < 8 + len) return;
      const frame = this.buf.subarray(0, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      try {
        this.frame(frame);
      } catch {
        this.shutdown();
        return;
      }
    }
  }

  private frame(f: Buffer): void {
    if (!(f[0]! & 0x80)) return; // client data (stdin, forwarded bytes): nothing runs to read it
    const type = f.readUInt16BE(2);
    const payload = f.subarray(8);
    if (type === SYN_STREAM) {
      const id = payload.readUInt32BE(0) & 0x7fffffff;
      const headers = this.inflate(payload.subarray(10));
      this.reply(id, headers);
    } else if (type === PING) {
      this.write(f);
    } else if (type === GOAWAY) {
      this.shutdown();
    }
  }

  /** Client header blocks share one zlib stream; inflate everything so far and keep the new tail. */
  private inflate(block: Buffer): Record<string, string> {
    this.inflateIn.push(block);
    const all = zlib.inflateSync(Buffer.concat(this.inflateIn), { dictionary: SPDY_DICTIONARY, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const fresh = all.subarray(this.inflatedLength);
    this.inflatedLength = all.length;
    return parseHeaderBlock(fresh);
  }

  private control(type: number, flags: number, payload: Buffer): Buffer {
    const h = Buffer.alloc(8);
    h.writeUInt16BE(0x8003, 0);
    h.writeUInt16BE(type, 2);
    h[4] = flags;
    h.writeUIntBE(payload.length, 5, 3);
    return Buffer.concat([h, payload]);
  }

  private data(id: number, flags: number, payload: Buffer): Buffer {
    const h = Buffer.alloc(8);
    h.writeUInt32BE(id & 0x7fffffff, 0);
    h[4] = flags;
    h.writeUIntBE(payload.length, 5, 3);
    return Buffer.concat([h, payload]);
  }

  private reply(id: number, headers: Record<string, string>): void {
    const sid = Buffer.alloc(4);
    sid.writeUInt32BE(id);
    const block = Buffer.concat([storedBlock(headerBlock([])), storedBlock(Buffer.alloc(0))]);
    const compressed = this.sentHeader ? block : Buffer.concat([zlibHeader(), block]);
    this.sentHeader = true;
    this.write(this.control(SYN_REPLY, 0, Buffer.concat([sid, compressed])));
    const type = headers["streamtype"];
    let body = Buffer.alloc(0);
    if (type === "error") {
      if (this.r.kind === "portforward") body = Buffer.from(portforwardMessage(this.r, headers["port"] ?? "?"));
      else if (this.protocol === "v4.channel.k8s.io") body = Buffer.from(JSON.stringify(statusBody(503, "ServiceUnavailable", this.r.message)));
      else body = Buffer.from(this.r.message);
    }
    if (body.length) this.write(this.data(id, 0, body));
    this.write(this.data(id, FLAG_FIN, Buffer.alloc(0)));
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    this.close();
  }
}
