// One cluster's Kubernetes API over HTTP: authentication, URL → (resource, namespace, name,
// subresource), content negotiation (JSON, YAML, Table), watch streams, and Status errors.
// Every handler error becomes a Status; nothing thrown here takes the listener down.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import type { Duplex } from "node:stream";
import { timingSafeEqual } from "node:crypto";
import YAML from "yaml";
import { apiVersionOf, lookup, strategyFor } from "./catalog.js";
import { handleStreamUpgrade } from "./streaming.js";
import { apiGroup, apiGroupList, apiVersions, resourceList, versionInfo } from "./discovery.js";
import { errors, StatusError, statusObject, successStatus } from "./errors.js";
import { OPENAPI_V2_PROTOBUF, openapiV2Json, openapiV2Protobuf, openapiV3Doc, openapiV3Index } from "./openapi.js";
import { PATCH_TYPES } from "./patch.js";
import { decodeProtobufObject, isProtobuf, PROTOBUF_CONTENT_TYPE } from "./proto/decode.js";
import type { DeleteOptions, KubeWatchEvent, ListOptions, Registry, WatchOptions, WriteOptions } from "./registry.js";
import { fromStructured, matchFields, matchLabels, selectorString } from "./selectors.js";
import { bindPod, podLog } from "./subresources.js";
import { toTable, type IncludeObject } from "./table.js";
import { asHeaderBytes, warningHeaders } from "./warnings.js";
import type { Strategy } from "./types.js";
import type { Kinds } from "./catalog.js";
import { authorize, isSuperUser, type UserInfo } from "./auth/rbac.js";
import { issuedFingerprints, signIfApproved, stampRequester, updateApproval, type CsrSigner } from "./csr.js";
import { checkAccess, impersonate, verbOf } from "./auth/request.js";
import { answerReview, tokenRequest } from "./auth/reviews.js";
import { verifyToken } from "./auth/tokens.js";
import { evict } from "./admission/disruption.js";
import { clone, isObj, nowTime, randomHex, type Obj } from "./util.js";
import { StoreBusyError } from "../store/store.js";
import { StoreConflictError, StoreTxnTooLargeError, StoreUnavailableError } from "../store/kv-store.js";

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** A JSON answer already serialized (the list path joins cached object JSON). */
class JsonText {
  constructor(readonly text: string) {}
}

export type User = UserInfo;

export interface ClusterHandle {
  registry: Registry;
  kubernetesVersion(): string;
  /** host:port clients reached, for /api serverAddressByClientCIDRs. */
  serverAddress(): string;
  tokens(): { token: string; user: User }[];
  /**
   * SHA-256 fingerprints (as Node prints them) of the client certificates issued for THIS cluster.
   * Every cluster's certificates chain to the emulator CA, so the chain alone would let one
   * cluster's kubeconfig open another; AKS clusters each have their own CA.
   */
  clientCertFingerprints?(): string[];
  /** Signs approved CertificateSigningRequests with the cluster CA. */
  signCsr?: CsrSigner;
}

interface Negotiated {
  kind: "json" | "yaml" | "table" | "pom";
  tableVersion?: string;
}

function parseAccept(h: string | undefined): Negotiated {
  if (!h) return { kind: "json" };
  let sawSupported = false;
  for (const raw of h.split(",")) {
    const [type, ...paramParts] = raw.split(";").map((x) => x.trim());
    const params = Object.fromEntries(paramParts.map((p) => p.split("=").map((x) => x.trim()) as [string, string]));
    const t = (type ?? "").toLowerCase();
    if (t === "application/json" || t === "*/*" || t === "application/*") {
      if (params.as === "Table" && (params.g ?? "meta.k8s.io") === "meta.k8s.io" && (params.v === "v1" || params.v === "v1beta1"))
        return { kind: "table", tableVersion: `meta.k8s.io/${params.v}` };
      if ((params.as === "PartialObjectMetadata" || params.as === "PartialObjectMetadataList") && (params.v === "v1" || params.v === "v1beta1"))
        return { kind: "pom", tableVersion: `meta.k8s.io/${params.v}` };
      if (params.as) continue; // an unsupported transformation (e.g. APIGroupDiscoveryList): try the next one
      return { kind: "json" };
    }
    if (t === "application/yaml") return { kind: "yaml" };
    if (t) sawSupported = sawSupported || false;
  }
  if (!sawSupported && /protobuf|cbor/.test(h) && !/json|\*\/\*|yaml/.test(h)) throw errors.notAcceptable();
  return { kind: "json" };
}

function queryFlag(v: string | null): boolean {
  return v === "true" || v === "1";
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw errors.badRequest(`invalid value for ${name}: ${v}`);
  return n;
}

interface Route {
  strategy: Strategy;
  namespace?: string;
  name?: string;
  subresource?: string;
  watchPath: boolean;
}

/** Upper bound of a watch's timeoutSeconds (setTimeout overflows past ~24.8 days). */
const MAX_WATCH_SECONDS = 3600;

/** How long a request body may take to arrive (kube-apiserver's default --request-timeout is 60 s). */
export const DEFAULT_BODY_TIMEOUT_MS = 60_000;

export interface ApiServerOptions {
  /** Time allowed for a request body to arrive in full; then 504 Timeout and the connection closes. */
  bodyTimeoutMs?: number;
}

export class ApiServer {
  private readonly streams = new Set<ServerResponse>();
  private readonly bodyTimeoutMs: number;

  constructor(
    private readonly cluster: ClusterHandle,
    opts: ApiServerOptions = {},
  ) {
    this.bodyTimeoutMs = opts.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  }

  private get kinds(): Kinds {
    return this.cluster.registry.kinds;
  }

  /** End every open watch (cluster stopping). */
  closeStreams(): void {
    for (const s of this.streams) s.end();
    this.streams.clear();
  }

  /** exec / attach / portforward: the upgrade and the "containers are simulated" answer (streaming.ts). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    handleStreamUpgrade(req, socket, head, { authenticated: !!this.authenticate(req), pod: (ns, name) => this.cluster.registry.tryGet(strategyFor("pods"), ns, name) });
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    this.dispatch(req, res).catch((err) => this.fail(res, err));
  }

  private fail(res: ServerResponse, err: unknown): void {
    if (err instanceof StoreBusyError) err = errors.serviceUnavailable("the state store is locked by another process; nothing was written, retry the request");
    if (err instanceof StoreConflictError || err instanceof StoreUnavailableError) err = errors.serviceUnavailable(err.message);
    if (err instanceof StoreTxnTooLargeError) err = errors.badRequest(err.message);
    const se = err instanceof StatusError ? err : errors.internal(String((err as Error)?.message ?? err));
    if (!(err instanceof StatusError)) console.error("kube api: internal error:", err);
    if (res.headersSent) {
      res.end();
      return;
    }
    // The unread rest of a timed-out body cannot be skipped: answer, then close the connection.
    if ((res.req as IncomingMessage & { timedOut?: boolean }).timedOut) {
      res.shouldKeepAlive = false;
      res.on("finish", () => res.req.socket.destroy());
    }
    this.send(res, se.code, se.toStatus());
  }

  private send(res: ServerResponse, code: number, body: unknown, neg: Negotiated = { kind: "json" }, warnings: string[] = []): void {
    const headers: Record<string, string | string[]> = { "Cache-Control": "no-cache, private" };
    const warning = warningHeaders(warnings).map(asHeaderBytes);
    if (warning.length) headers["Warning"] = warning;
    headers["Content-Type"] = neg.kind === "yaml" ? "application/yaml" : "application/json";
    // A Buffer, not a string: Node sends headers glued to a string body in the body's encoding
    // (UTF-8), which would re-encode the Latin-1-carried Warning bytes.
    const text = body instanceof JsonText ? body.text : neg.kind === "yaml" ? YAML.stringify(body) : JSON.stringify(body);
    const payload = Buffer.from(text, "utf8");
    headers["Content-Length"] = String(payload.length);
    this.whenDurable(res, () => {
      res.writeHead(code, headers);
      res.end(payload);
    });
  }

  /**
   * Run `answer` once every write committed so far is on disk (Store.synced: group commit), as
   * kube-apiserver answers only after etcd's commit. The disk refusing the log fails the answer.
   */
  private whenDurable(res: ServerResponse, answer: () => void): void {
    const gate = this.cluster.registry.store.synced?.();
    if (!gate) return answer();
    gate.then(answer, () => {
      if (res.headersSent) return void res.destroy();
      const body = JSON.stringify(errors.internal("the state store could not make the write durable (fsync failed); its outcome is unknown").toStatus());
      res.writeHead(500, { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)) });
      res.end(body);
    });
  }

  private authenticate(req: IncomingMessage): User | undefined {
    const sock = req.socket as TLSSocket;
    if (sock.authorized && typeof sock.getPeerCertificate === "function") {
      const cert = sock.getPeerCertificate();
      const subj = cert?.subject as unknown as Record<string, string | string[]> | undefined;
      const pinned = this.cluster.clientCertFingerprints?.();
      // Certificates signed through this cluster's CSRs (kube-apiserver-client signer) count too.
      if (subj?.CN && (!pinned || pinned.includes(cert.fingerprint256) || issuedFingerprints(this.cluster.registry).has(cert.fingerprint256))) {
        const o = subj.O;
        return { name: String(subj.CN), groups: [...(Array.isArray(o) ? o : o ? [o] : []), "system:authenticated"] };
      }
    }
    const auth = req.headers.authorization;
    if (auth && /^Bearer\s+/i.test(auth)) {
      const token = Buffer.from(auth.replace(/^Bearer\s+/i, "").trim());
      for (const t of this.cluster.tokens()) {
        const b = Buffer.from(t.token);
        if (b.length === token.length && timingSafeEqual(b, token)) return t.user;
      }
      // Service account tokens (TokenRequest): signature, expiry, audience, live service account.
      const sa = verifyToken(this.cluster.registry, token.toString("utf8"));
      if (sa && "user" in sa) return sa.user;
    }
    return undefined;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The request target as sent (Go reads it literally; WHATWG URL parsing would treat "/\\x" as a host).
    const target = req.url ?? "/";
    const qi = target.indexOf("?");
    const rawPath = qi < 0 ? target : target.slice(0, qi);
    const path = rawPath.replace(/\/+$/, "") || "/";
    const method = (req.method ?? "GET").toUpperCase();
    const q = new URLSearchParams(qi < 0 ? "" : target.slice(qi + 1));

    // Health and version are readable anonymously (system:public-info-viewer).
    if (method === "GET" && (path === "/healthz" || path === "/livez" || path === "/readyz")) {
      res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("ok");
      return;
    }
    if (method === "GET" && path === "/version") return this.send(res, 200, versionInfo(this.cluster.kubernetesVersion()));

    // A store served from a replica (etcd) sees every write committed before the request once
    // fresh() resolves, an etcd round trip: only for a caller who authenticated, so an anonymous
    // one cannot make the server talk to the store. The credential is then judged again on the
    // caught-up replica: it may have been made (or revoked) through another process a moment ago.
    let authenticated = this.authenticate(req);
    const fresh = this.cluster.registry.store.fresh;
    if (fresh && (authenticated || presentsCredential(req))) {
      const seen = fresh.call(this.cluster.registry.store);
      if (seen) {
        await seen;
        authenticated = this.authenticate(req);
      }
    }
    if (!authenticated) {
      // Drain the body so the client sees the 401 rather than a reset.
      req.resume();
      throw errors.unauthorized();
    }
    let user: User;
    try {
      user = impersonate(this.cluster.registry, authenticated, req.headers, req.url ?? "/");
      // Non-resource paths (discovery, OpenAPI) are authorized by path; resources in resource().
      const isResource = (path.startsWith("/api/") || path.startsWith("/apis/")) && path.split("/").filter(Boolean).length > (path.startsWith("/api/") ? 2 : 3);
      if (!isResource && !isSuperUser(user)) checkAccess(this.cluster.registry, { user, verb: method === "HEAD" ? "get" : method.toLowerCase(), resourceRequest: false, path });
    } catch (err) {
      req.resume();
      throw err;
    }

    const segs = path.split("/").filter(Boolean).map((seg) => {
      try {
        return decodeURIComponent(seg);
      } catch {
        throw errors.badRequest(`invalid URL escape in path segment ${JSON.stringify(seg)}`);
      }
    });
    if (segs[0] === "openapi") return this.openapi(req, res, segs);
    if (segs[0] === "api" || segs[0] === "apis") {
      const isCore = segs[0] === "api";
      if (method === "GET") {
        if (isCore && segs.length === 1) return this.send(res, 200, apiVersions(this.cluster.serverAddress()));
        if (!isCore && segs.length === 1) return this.send(res, 200, apiGroupList(this.kinds));
        if (!isCore && segs.length === 2) {
          const g = apiGroup(segs[1]!, this.kinds);
          if (!g) throw errors.pathNotFound();
          return this.send(res, 200, g);
        }
      }
      const group = isCore ? "" : (segs[1] ?? "");
      const version = isCore ? (segs[1] ?? "") : (segs[2] ?? "");
      const rest = segs.slice(isCore ? 2 : 3);
      if (rest.length === 0) {
        if (method !== "GET") throw errors.methodNotAllowed();
        const doc = resourceList(group, version, this.kinds);
        if (!doc) throw errors.pathNotFound();
        return this.send(res, 200, doc);
      }
      const route = this.route(group, version, rest);
      return this.resource(req, res, method, q, route, user);
    }
    throw errors.pathNotFound();
  }

  private route(group: string, version: string, segs: string[]): Route {
    let rest = segs;
    let watchPath = false;
    if (rest[0] === "watch") {
      watchPath = true;
      rest = rest.slice(1);
    }
    let namespace: string | undefined;
    if (rest[0] === "namespaces" && rest.length >= 3 && !(rest.length === 3 && (rest[2] === "status" || rest[2] === "finalize"))) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [resource, name, subresource, ...extra] = rest;
    const strategy = resource ? this.kinds.lookup(group, version, resource) : undefined;
    if (!strategy || extra.length) throw errors.pathNotFound();
    if (namespace !== undefined && !strategy.info.namespaced) throw errors.pathNotFound();
    if (namespace === undefined && strategy.info.namespaced && name !== undefined) throw errors.pathNotFound();
    if (subresource !== undefined && !strategy.info.subresources.includes(subresource)) throw errors.pathNotFound();
    return { strategy, namespace, name, subresource, watchPath };
  }

  private async openapi(req: IncomingMessage, res: ServerResponse, segs: string[]): Promise<void> {
    const v = this.cluster.kubernetesVersion();
    if (segs[1] === "v2" && segs.length === 2) {
      const accept = req.headers.accept ?? "";
      if (/protobuf/.test(accept) || !/json/.test(accept)) {
        const body = openapiV2Protobuf(v, this.kinds);
        res.writeHead(200, { "Content-Type": OPENAPI_V2_PROTOBUF, "Content-Length": String(body.length) });
        res.end(body);
        return;
      }
      return this.send(res, 200, openapiV2Json(v, this.kinds));
    }
    if (segs[1] === "v3") {
      if (segs.length === 2) return this.send(res, 200, openapiV3Index(v, this.kinds));
      const rest = segs.slice(2);
      const [kind, a, b] = rest;
      const doc = kind === "api" && rest.length === 2 ? openapiV3Doc("", a!, v, this.kinds) : kind === "apis" && rest.length === 3 ? openapiV3Doc(a!, b!, v, this.kinds) : undefined;
      if (!doc) throw errors.pathNotFound();
      return this.send(res, 200, doc);
    }
    throw errors.pathNotFound();
  }

  // --- bodies ---------------------------------------------------------------------------------

  private readBody(req: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let tooBig = false;
      // A body that never finishes must not hold the request (and its socket) forever.
      const timer = setTimeout(() => {
        req.socket.setKeepAlive?.(false);
        (req as IncomingMessage & { timedOut?: boolean }).timedOut = true;
        reject(errors.requestTimeout());
      }, this.bodyTimeoutMs);
      timer.unref();
      req.once("end", () => clearTimeout(timer));
      req.once("close", () => clearTimeout(timer));
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) {
          tooBig = true;
          // Keep draining (so the client reads our 413), but stop buffering; give up on absurd sizes.
          if (size > MAX_BODY_BYTES * 8) req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on("end", () => (tooBig ? reject(errors.tooLarge(MAX_BODY_BYTES)) : resolve(Buffer.concat(chunks))));
      req.on("error", (e) => reject(tooBig ? errors.tooLarge(MAX_BODY_BYTES) : e));
      req.on("close", () => {
        if (tooBig) reject(errors.tooLarge(MAX_BODY_BYTES));
      });
    });
  }

  private parseObjectBody(buf: Buffer, contentType: string): unknown {
    const ct = contentType.split(";")[0]!.trim().toLowerCase();
    const text = buf.toString("utf8");
    if (ct === "" || ct === "application/json" || ct === "*/*") return parseJson(text);
    if (ct === "application/yaml" || ct === "text/yaml" || ct === "application/x-yaml") return parseYaml(text);
    if (ct === PROTOBUF_CONTENT_TYPE) return decodeProtobuf(buf);
    throw errors.unsupportedMediaType(ct, ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"]);
  }

  private writeOptions(q: URLSearchParams, req: IncomingMessage): WriteOptions {
    const dryRun = q.getAll("dryRun");
    for (const d of dryRun) if (d !== "All") throw errors.badRequest(`Invalid dryRun value: ${JSON.stringify(d)}; supported values: "All"`);
    const fv = q.get("fieldValidation") ?? undefined;
    if (fv !== undefined && fv !== "" && !["Strict", "Warn", "Ignore"].includes(fv))
      throw errors.badRequest(`fieldValidation ${fv} is not a valid value: must be one of Ignore, Warn, or Strict`);
    let fieldManager = q.get("fieldManager") ?? undefined;
    if (fieldManager !== undefined && fieldManager.length > 128)
      throw errors.invalid("PatchOptions", "meta.k8s.io", "", [{ reason: "FieldValueTooLong", message: "Too long: may not be more than 128 bytes", field: "fieldManager" }]);
    const ua = String(req.headers["user-agent"] ?? "");
    const forApply = (req.headers["content-type"] ?? "").startsWith(PATCH_TYPES.apply);
    if (!fieldManager && !forApply) fieldManager = ua.split("/")[0] || "unknown";
    return {
      dryRun: dryRun.length > 0,
      fieldValidation: (fv || undefined) as WriteOptions["fieldValidation"],
      fieldManager,
      force: queryFlag(q.get("force")),
    };
  }

  // --- resources ------------------------------------------------------------------------------

  private authorizeRoute(method: string, q: URLSearchParams, route: Route, user: User): void {
    if (isSuperUser(user)) return;
    const { strategy: s, namespace: ns, subresource: sub } = route;
    const watch = route.watchPath || queryFlag(q.get("watch"));
    let name = route.name;
    // A list/watch narrowed to one name by field selector is authorized for that name.
    if (!name && method === "GET") name = /(?:^|,)metadata\.name=([^,]+)/.exec(q.get("fieldSelector") ?? "")?.[1];
    const verb = verbOf(method, route.name !== undefined, watch);
    checkAccess(this.cluster.registry, { user, verb, resourceRequest: true, namespace: ns, apiGroup: s.info.group, apiVersion: s.info.version, resource: s.info.resource, subresource: sub, name });
  }

  private async resource(req: IncomingMessage, res: ServerResponse, method: string, q: URLSearchParams, route: Route, user: User): Promise<void> {
    const { strategy: s, namespace: ns, name, subresource: sub } = route;
    const reg = this.cluster.registry;
    const neg = method === "GET" ? parseAccept(req.headers.accept) : parseAccept(req.headers.accept);
    try {
      this.authorizeRoute(method, q, route, user);
    } catch (err) {
      req.resume();
      throw err;
    }
    if (s.view) return this.view(res, method, q, route, neg);
    if (s.virtual) {
      if (method !== "POST" || name !== undefined) throw errors.methodNotAllowed();
      const body = this.parseObjectBody(await this.readBody(req), req.headers["content-type"] ?? "application/json");
      return this.send(res, 201, answerReview(reg, s, ns, body, user), neg);
    }

    if (sub && !["status", "scale", "finalize"].includes(sub)) return this.otherSubresource(req, res, method, q, route, user);

    if (name === undefined) {
      // Collection.
      if (method === "GET") {
        const lo = listOptions(q);
        if (route.watchPath || queryFlag(q.get("watch"))) return this.watch(req, res, s, ns, { ...lo, ...watchOptions(q) }, q, neg);
        if (neg.kind === "json") {
          // Joined from each object's cached JSON: the same bytes as serialising the whole list.
          const j = reg.listJson(s, ns, lo);
          const head = JSON.stringify({ kind: `${s.info.kind}List`, apiVersion: apiVersionOf(s.info), metadata: listMeta(j) }).slice(0, -1);
          return this.send(res, 200, new JsonText(`${head},"items":[${j.items.join(",")}]}`), neg);
        }
        const r = reg.list(s, ns, lo);
        if (neg.kind === "table") {
          return this.send(res, 200, toTable(s, r.items, { include: includeObject(q), apiVersion: neg.tableVersion!, resourceVersion: r.resourceVersion, continue: r.continue }));
        }
        if (neg.kind === "pom") {
          return this.send(res, 200, {
            kind: "PartialObjectMetadataList",
            apiVersion: neg.tableVersion,
            metadata: listMeta(r),
            items: r.items.map((o) => ({ kind: "PartialObjectMetadata", apiVersion: neg.tableVersion, metadata: o.metadata })),
          });
        }
        return this.send(res, 200, { kind: `${s.info.kind}List`, apiVersion: apiVersionOf(s.info), metadata: listMeta(r), items: r.items }, neg);
      }
      if (method === "POST") {
        const body = this.parseObjectBody(await this.readBody(req), req.headers["content-type"] ?? "application/json");
        if (s.info.resource === "certificatesigningrequests") stampRequester(body, user);
        const r = await reg.create(s, ns, body, { ...this.writeOptions(q, req), user });
        return this.send(res, 201, r.obj, neg, r.warnings);
      }
      if (method === "DELETE") {
        const dopts = await this.deleteOptions(req, q);
        const items = await reg.deleteCollection(s, ns, listOptions(q), dopts);
        return this.send(res, 200, { kind: `${s.info.kind}List`, apiVersion: apiVersionOf(s.info), metadata: { resourceVersion: String(reg.store.revision()) }, items }, neg);
      }
      throw errors.methodNotAllowed();
    }

    if (sub === "scale") return this.scale(req, res, method, q, route);
    if (sub === "finalize") {
      if (method !== "PUT") throw errors.methodNotAllowed();
      const body = this.parseObjectBody(await this.readBody(req), req.headers["content-type"] ?? "application/json") as Obj;
      const fin = isObj(body) && isObj(body.spec) && Array.isArray(body.spec.finalizers) ? body.spec.finalizers : [];
      const r = await reg.mutate(s, ns, name, (o) => (o.spec = { ...(o.spec ?? {}), finalizers: fin }), { ...this.writeOptions(q, req), internal: true });
      if (!r) throw errors.notFound(s.info.resource, s.info.group, name);
      return this.send(res, 200, r.obj, neg);
    }
    const status = sub === "status";
    switch (method) {
      case "GET": {
        if (route.watchPath || queryFlag(q.get("watch"))) {
          const lo = listOptions(q);
          const fs = [`metadata.name=${name}`, lo.fieldSelector].filter(Boolean).join(",");
          return this.watch(req, res, s, ns, { ...lo, ...watchOptions(q), fieldSelector: fs }, q, neg);
        }
        const o = reg.get(s, ns, name);
        if (neg.kind === "table") return this.send(res, 200, toTable(s, [o], { include: includeObject(q), apiVersion: neg.tableVersion!, resourceVersion: o.metadata.resourceVersion }));
        if (neg.kind === "pom") return this.send(res, 200, { kind: "PartialObjectMetadata", apiVersion: neg.tableVersion, metadata: o.metadata });
        return this.send(res, 200, o, neg);
      }
      case "PUT": {
        const body = this.parseObjectBody(await this.readBody(req), req.headers["content-type"] ?? "application/json");
        const r = await reg.update(s, ns, name, body, { ...this.writeOptions(q, req), subresource: status ? "status" : undefined, user });
        return this.send(res, r.created ? 201 : 200, r.obj, neg, r.warnings);
      }
      case "PATCH": {
        const ct = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
        // Custom resources have no strategic-merge metadata: kube-apiserver refuses that patch type.
        const accepted = s.noStrategicMerge ? [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply] : [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply, PATCH_TYPES.strategic];
        if (!(accepted as string[]).includes(ct)) {
          req.resume();
          throw errors.unsupportedMediaType(ct, accepted);
        }
        const buf = await this.readBody(req);
        const body = ct === PATCH_TYPES.apply ? parseYaml(buf.toString("utf8")) : parseJson(buf.toString("utf8"));
        const r = await reg.patch(s, ns, name, ct, body, { ...this.writeOptions(q, req), subresource: status ? "status" : undefined, user });
        return this.send(res, r.created ? 201 : 200, r.obj, neg, r.warnings);
      }
      case "DELETE": {
        if (status) throw errors.methodNotAllowed();
        const r = await reg.delete(s, ns, name, await this.deleteOptions(req, q));
        return this.send(res, 200, r.body, neg);
      }
      default:
        throw errors.methodNotAllowed();
    }
  }

  /** Computed kinds (metrics.k8s.io): get and list only, filtered as the serving component filters. */
  private view(res: ServerResponse, method: string, q: URLSearchParams, route: Route, neg: Negotiated): void {
    const { strategy: s, namespace: ns, name, subresource } = route;
    const watch = route.watchPath || queryFlag(q.get("watch"));
    if (method !== "GET" || watch || subresource) throw errors.methodNotAllowed();
    const reg = this.cluster.registry;
    const rv = String(reg.store.revision());
    if (name !== undefined) {
      const o = s.view!(reg, ns, name)[0]!;
      if (neg.kind === "table") return this.send(res, 200, toTable(s, [o], { include: includeObject(q), apiVersion: neg.tableVersion! }));
      if (neg.kind === "pom") return this.send(res, 200, { kind: "PartialObjectMetadata", apiVersion: neg.tableVersion, metadata: o.metadata });
      return this.send(res, 200, o, neg);
    }
    const { labels, fields, getters } = reg.selectors(s, listOptions(q));
    const items = s.view!(reg, ns).filter((o) => matchLabels(labels, o.metadata?.labels) && matchFields(fields, getters, o));
    if (neg.kind === "table") return this.send(res, 200, toTable(s, items, { include: includeObject(q), apiVersion: neg.tableVersion!, resourceVersion: rv }));
    if (neg.kind === "pom")
      return this.send(res, 200, { kind: "PartialObjectMetadataList", apiVersion: neg.tableVersion, metadata: {}, items: items.map((o) => ({ kind: "PartialObjectMetadata", apiVersion: neg.tableVersion, metadata: o.metadata })) });
    return this.send(res, 200, { kind: `${s.info.kind}List`, apiVersion: apiVersionOf(s.info), metadata: {}, items }, neg);
  }

  private async deleteOptions(req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
    const buf = await this.readBody(req);
    let body: Obj = {};
    if (buf.length) {
      const parsed = isProtobuf(buf) ? decodeProtobuf(buf) : parseJson(buf.toString("utf8"));
      if (isObj(parsed)) body = parsed;
    }
    const o: DeleteOptions = {};
    const pp = q.get("propagationPolicy") ?? body.propagationPolicy;
    if (pp !== undefined && pp !== null) {
      if (!["Orphan", "Background", "Foreground"].includes(pp))
        throw errors.invalid("DeleteOptions", "meta.k8s.io", "", [{ reason: "FieldValueNotSupported", message: `Unsupported value: "${pp}": supported values: "Foreground", "Background", "Orphan"`, field: "propagationPolicy" }]);
      o.propagationPolicy = pp;
    }
    const g = intParam(q, "gracePeriodSeconds") ?? (typeof body.gracePeriodSeconds === "number" ? body.gracePeriodSeconds : undefined);
    if (g !== undefined) o.gracePeriodSeconds = g;
    if (isObj(body.preconditions)) o.preconditions = body.preconditions;
    if (q.getAll("dryRun").length || (Array.isArray(body.dryRun) && body.dryRun.length)) o.dryRun = true;
    const od = q.get("orphanDependents") ?? body.orphanDependents;
    if (od !== undefined && od !== null) o.orphanDependents = od === true || od === "true";
    return o;
  }

  // --- watch ----------------------------------------------------------------------------------

  private watch(req: IncomingMessage, res: ServerResponse, s: Strategy, ns: string | undefined, wo: WatchOptions, q: URLSearchParams, neg: Negotiated): void {
    const reg = this.cluster.registry;
    const timeoutSeconds = intParam(q, "timeoutSeconds") ?? 1800;
    let headersOut = false;
    let first = true;
    const buffered: string[] = [];
    const write = (ev: KubeWatchEvent) => {
      let object: Obj = ev.object;
      if (neg.kind === "table" && (ev.type === "ADDED" || ev.type === "MODIFIED" || ev.type === "DELETED")) {
        object = toTable(s, [ev.object], { include: includeObject(q), apiVersion: neg.tableVersion!, resourceVersion: ev.object.metadata?.resourceVersion, noHeaders: !first });
        first = false;
      } else if (neg.kind === "table" && ev.type === "BOOKMARK") {
        object = { kind: "Table", apiVersion: neg.tableVersion, metadata: { resourceVersion: ev.object.metadata?.resourceVersion }, columnDefinitions: null, rows: null };
      } else if (neg.kind === "pom" && ev.type !== "ERROR") {
        object = { kind: "PartialObjectMetadata", apiVersion: neg.tableVersion, metadata: ev.object.metadata };
      }
      const line = JSON.stringify({ type: ev.type, object }) + "\n";
      if (!headersOut) buffered.push(line);
      else send(line);
    };
    // An event goes out once its write is durable, and after every earlier event of this stream.
    let queue: Promise<void> | undefined;
    const send = (line: string) => {
      const gate = reg.store.synced?.();
      if (!gate && !queue) return void res.write(line);
      const ready = Promise.all([queue, gate]);
      const mine: Promise<void> = ready.then(
        () => {
          if (!res.writableEnded) res.write(line);
          if (queue === mine) queue = undefined;
        },
        () => {
          if (queue === mine) queue = undefined;
          res.destroy(); // the disk refused the log: the watcher reconnects and relists
        },
      );
      queue = mine;
    };
    let stop: () => void = () => {};
    try {
      stop = reg.watch(s, ns, wo, write);
    } catch (err) {
      if (err instanceof StatusError && (err.code === 410 || err.reason === "Timeout")) {
        // Too old or too new (past authn/authz and a parsed resourceVersion): a 200 stream with one
        // ERROR event, as the etcd watcher and the watch cache answer.
        res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
        res.end(JSON.stringify({ type: "ERROR", object: err.toStatus() }) + "\n");
        return;
      }
      throw err;
    }
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
    res.flushHeaders();
    headersOut = true;
    for (const l of buffered) send(l);
    this.streams.add(res);
    const bookmark = () =>
      write({ type: "BOOKMARK", object: { kind: s.info.kind, apiVersion: apiVersionOf(s.info), metadata: { resourceVersion: String(reg.store.revision()) } } });
    const timers: NodeJS.Timeout[] = [];
    const finish = () => {
      stop();
      for (const t of timers) clearTimeout(t);
      this.streams.delete(res);
      const end = () => void (res.writableEnded || res.end());
      if (queue) void queue.then(end);
      else end();
    };
    if (wo.allowWatchBookmarks) {
      const t = setInterval(bookmark, 60_000);
      t.unref();
      timers.push(t);
    }
    const to = setTimeout(() => {
      if (wo.allowWatchBookmarks) bookmark();
      finish();
    }, Math.min(MAX_WATCH_SECONDS, Math.max(0, timeoutSeconds)) * 1000);
    to.unref();
    timers.push(to);
    req.on("close", finish);
    res.on("close", finish);
  }

  // --- subresources ---------------------------------------------------------------------------

  private scaleOf(o: Obj): Obj {
    const sel = fromStructured(o.spec?.selector);
    return {
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: {
        name: o.metadata.name,
        namespace: o.metadata.namespace,
        uid: o.metadata.uid,
        resourceVersion: o.metadata.resourceVersion,
        creationTimestamp: o.metadata.creationTimestamp,
      },
      spec: { replicas: o.spec?.replicas ?? 0 },
      status: { replicas: o.status?.replicas ?? 0, selector: sel ? selectorString(sel) : "" },
    };
  }

  private async scale(req: IncomingMessage, res: ServerResponse, method: string, q: URLSearchParams, route: Route): Promise<void> {
    const { strategy: s, namespace: ns, name } = route;
    const reg = this.cluster.registry;
    const cur = reg.get(s, ns, name!);
    if (method === "GET") return this.send(res, 200, this.scaleOf(cur));
    let scale: Obj;
    if (method === "PUT") {
      scale = this.parseObjectBody(await this.readBody(req), req.headers["content-type"] ?? "application/json") as Obj;
    } else if (method === "PATCH") {
      const ct = (req.headers["content-type"] ?? "").split(";")[0]!.trim();
      const buf = await this.readBody(req);
      const base = this.scaleOf(cur);
      const { mergePatch, jsonPatch, strategicMerge } = await import("./patch.js");
      const body = ct === PATCH_TYPES.apply ? parseYaml(buf.toString("utf8")) : parseJson(buf.toString("utf8"));
      if (ct === PATCH_TYPES.json) scale = jsonPatch(base, body);
      else if (ct === PATCH_TYPES.merge) scale = mergePatch(base, body) as Obj;
      else if (ct === PATCH_TYPES.strategic || ct === PATCH_TYPES.apply) scale = strategicMerge(base, body as Obj, {});
      else throw errors.unsupportedMediaType(ct, [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply, PATCH_TYPES.strategic]);
    } else throw errors.methodNotAllowed();
    if (!isObj(scale)) throw errors.badRequest("body must be a Scale object");
    const replicas = scale.spec?.replicas;
    if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0)
      throw errors.invalid("Scale", "autoscaling", name!, [{ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, field: "spec.replicas" }]);
    const rv = scale.metadata?.resourceVersion;
    if (method === "PUT" && rv && rv !== cur.metadata.resourceVersion) throw errors.conflict(s.info.resource, s.info.group, name!);
    const next = clone(cur);
    next.spec.replicas = replicas;
    const r = await reg.update(s, ns, name!, next, this.writeOptions(q, req));
    return this.send(res, 200, this.scaleOf(r.obj));
  }

  private async otherSubresource(req: IncomingMessage, res: ServerResponse, method: string, q: URLSearchParams, route: Route, user: User): Promise<void> {
    const { strategy: s, namespace: ns, name, subresource: sub } = route;
    const reg = this.cluster.registry;
    if (!name) throw errors.pathNotFound();
    switch (sub) {
      case "log": {
        if (method !== "GET") throw errors.methodNotAllowed();
        const pod = reg.get(s, ns, name);
        const text = podLog(pod, { container: q.get("container") ?? undefined, tailLines: intParam(q, "tailLines"), timestamps: queryFlag(q.get("timestamps")), previous: queryFlag(q.get("previous")) });
        res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": String(Buffer.byteLength(text)) });
        res.end(text);
        return;
      }
      case "binding": {
        if (method !== "POST") throw errors.methodNotAllowed();
        const body = this.parseObjectBody(await this.readBody(req), req.headers["content-type"] ?? "application/json") as Obj;
        const target = isObj(body) && isObj(body.target) ? body.target.name : undefined;
        if (!target) throw errors.invalid("Binding", "", name, [{ reason: "FieldValueRequired", message: "Required value", field: "target.name" }]);
        await bindPod(reg, s, ns!, name, String(target), this.writeOptions(q, req).fieldManager ?? "unknown");
        return this.send(res, 201, successStatus({}));
      }
      case "eviction": {
        if (method !== "POST") throw errors.methodNotAllowed();
        const buf = await this.readBody(req);
        const body = buf.length ? this.parseObjectBody(buf, req.headers["content-type"] ?? "application/json") : {};
        await evict(reg, ns!, name, isObj(body) ? body.deleteOptions : undefined);
        return this.send(res, 201, successStatus({}));
      }
      case "token": {
        if (method !== "POST") throw errors.methodNotAllowed();
        const body = this.parseObjectBody(await this.readBody(req), req.headers["content-type"] ?? "application/json");
        return this.send(res, 201, tokenRequest(reg, ns!, name, body));
      }
      case "exec":
      case "attach":
      case "portforward":
        req.resume();
        throw errors.badRequest("Upgrade request required");
      case "proxy":
        req.resume();
        throw errors.serviceUnavailable(`no endpoints available for ${s.info.singular} "${name}"`);
      case "approval": {
        if (method === "GET") return this.send(res, 200, reg.get(s, ns, name));
        if (method !== "PUT") throw errors.methodNotAllowed();
        const body = this.parseObjectBody(await this.readBody(req), req.headers["content-type"] ?? "application/json");
        const csr = reg.get(s, ns, name);
        if (!isSuperUser(user)) {
          const signer = String(csr.spec?.signerName ?? "");
          const d = authorize(reg, { user, verb: "approve", resourceRequest: true, apiGroup: "certificates.k8s.io", resource: "signers", name: signer });
          if (!d.allowed) throw errors.forbidden("certificatesigningrequests", "certificates.k8s.io", name, `user not permitted to approve requests with signerName "${signer}"`);
        }
        await updateApproval(reg, name, body, this.writeOptions(q, req).fieldManager ?? "unknown");
        await signIfApproved(reg, name, this.cluster.signCsr);
        return this.send(res, 200, reg.get(s, ns, name));
      }
      case "ephemeralcontainers": {
        if (method === "GET") return this.send(res, 200, reg.get(s, ns, name));
        throw errors.methodNotAllowed();
      }
      default:
        throw errors.pathNotFound();
    }
  }
}

/**
 * The raw HTTP answer to a request Node could not parse (unknown method, bad header, oversized
 * headers): a Status, then the connection closes, instead of a silent reset.
 */
export function unparsableRequestResponse(err: NodeJS.ErrnoException): string {
  const tooLarge = err.code === "HPE_HEADER_OVERFLOW";
  const code = tooLarge ? 431 : 400;
  const body = JSON.stringify(
    tooLarge
      ? statusObject(431, "RequestHeaderFieldsTooLarge", "Request Header Fields Too Large")
      : statusObject(400, "BadRequest", `the server could not parse the request: ${err.code ?? "malformed HTTP"}`),
  );
  return `HTTP/1.1 ${code} ${tooLarge ? "Request Header Fields Too Large" : "Bad Request"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

function listOptions(q: URLSearchParams): ListOptions {
  return {
    labelSelector: q.get("labelSelector") ?? undefined,
    fieldSelector: q.get("fieldSelector") ?? undefined,
    limit: intParam(q, "limit"),
    continue: q.get("continue") ?? undefined,
    resourceVersion: q.get("resourceVersion") ?? undefined,
    resourceVersionMatch: q.get("resourceVersionMatch") ?? undefined,
  };
}

function watchOptions(q: URLSearchParams): Partial<WatchOptions> {
  return { allowWatchBookmarks: queryFlag(q.get("allowWatchBookmarks")), sendInitialEvents: queryFlag(q.get("sendInitialEvents")) };
}

function includeObject(q: URLSearchParams): IncludeObject {
  const v = q.get("includeObject");
  return v === "None" || v === "Object" ? v : "Metadata";
}

function listMeta(r: { resourceVersion: string; continue?: string; remainingItemCount?: number }): Obj {
  const m: Obj = { resourceVersion: r.resourceVersion };
  if (r.continue) m.continue = r.continue;
  if (r.remainingItemCount !== undefined) m.remainingItemCount = r.remainingItemCount;
  return m;
}

/**
 * Deepest nesting a request body may have. Go's decoders stop at 10000; the registry's recursive
 * merge, managedFields and comparison code needs a lower bound to stay far from the stack limit,
 * and no Kubernetes object comes near it.
 */
export const MAX_BODY_DEPTH = 1000;

function tooDeep(): StatusError {
  return errors.badRequest(`the request body nests deeper than ${MAX_BODY_DEPTH} levels`);
}

/** JSON nesting deeper than the limit, found on the text (before JSON.parse builds it). */
function jsonTooDeep(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_BODY_DEPTH) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** A decoded value nesting deeper than the limit; a YAML alias cycle (`a: &x [*x]`) counts as infinitely deep. */
function valueTooDeep(v: unknown): boolean {
  const stack: Array<[unknown, number]> = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (x === null || typeof x !== "object") continue;
    if (d >= MAX_BODY_DEPTH) return true;
    for (const c of Array.isArray(x) ? x : Object.values(x)) if (c !== null && typeof c === "object") stack.push([c, d + 1]);
  }
  return false;
}

function decodeProtobuf(buf: Buffer): unknown {
  const v = decodeProtobufObject(buf);
  if (valueTooDeep(v)) throw tooDeep();
  return v;
}

export function parseJson(text: string): unknown {
  if (!text.trim()) throw errors.badRequest("the body of the request was empty");
  if (jsonTooDeep(text)) throw tooDeep();
  try {
    return JSON.parse(text);
  } catch (err) {
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

export function parseYaml(text: string): unknown {
  if (!text.trim()) throw errors.badRequest("the body of the request was empty");
  let value: unknown;
  try {
    const docs = YAML.parseAllDocuments(text);
    if (docs.length !== 1) throw new Error(docs.length === 0 ? "empty document" : "multiple documents are not supported");
    const d = docs[0]!;
    if (d.errors.length) throw d.errors[0];
    value = d.toJSON();
  } catch (err) {
    throw errors.badRequest(`error converting YAML to JSON: yaml: ${String((err as Error).message).split("\n")[0]}`);
  }
  if (valueTooDeep(value)) throw tooDeep();
  return value;
}

export { statusObject };

/** Whether a request carries a credential at all: a client certificate the cluster's CA signed, or a bearer token. */
function presentsCredential(req: IncomingMessage): boolean {
  if ((req.socket as TLSSocket).authorized) return true;
  return /^Bearer\s+\S/i.test(req.headers.authorization ?? "");
}
