// Everything a command handler needs: how azl finds and trusts the emulator, the credential,
// the subscription, lazily created Azure SDK for JS clients (all requests go through the SDK
// pipeline, with az-style --debug request logging), prompts and az's logger.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { AzCliError } from "./errors.js";
import { withProgress } from "./progress.js";
import { findLocalSocket, localSocketClient } from "./local-socket.js";
import type { GlobalArgs } from "./types.js";

export interface AzlIO {
  stdout(s: string): void;
  stderr(s: string): void;
  /** both stdout and stderr are terminals (knack enables color only then) */
  color: boolean;
  stdinIsTTY: boolean;
  /** stderr is a terminal: az's progress spinner shows only then */
  stderrIsTTY?: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** read one line from the terminal */
  prompt?(question: string): Promise<string>;
}

const COLORS = { error: "\x1b[91m", warning: "\x1b[33m", info: "\x1b[32m", debug: "\x1b[36m", reset: "\x1b[0m" };

export class Logger {
  constructor(
    private io: AzlIO,
    private level: number, // 1 error, 2 warning, 3 info, 4 debug
  ) {}
  private emit(lvl: "error" | "warning" | "info" | "debug", n: number, msg: string, name?: string): void {
    if (n > this.level) return;
    const parts: string[] = [];
    if (!this.io.color) parts.push(lvl.toUpperCase());
    if (this.level === 4) parts.push(name ?? "cli.azure.cli.core");
    parts.push(msg);
    let line = parts.join(": ");
    if (this.io.color) line = COLORS[lvl] + line + COLORS.reset;
    this.io.stderr(line + "\n");
  }
  error(msg: string, name?: string): void {
    this.emit("error", 1, msg, name);
  }
  warning(msg: string, name?: string): void {
    this.emit("warning", 2, msg, name);
  }
  info(msg: string, name?: string): void {
    this.emit("info", 3, msg, name);
  }
  debug(msg: string, name?: string): void {
    this.emit("debug", 4, msg, name);
  }
  get isDebug(): boolean {
    return this.level === 4;
  }
}

type TokenCacheFile = Record<
  string,
  { token: string; expiresOnTimestamp: number; subscriptions?: Array<{ subscriptionId: string; displayName?: string }> }
>;

export interface AzlEnv {
  endpoint: string;
  dataDir: string;
  ca?: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** The emulator's same-user Unix socket for this endpoint, when there is one (local-socket.ts). */
  localSocket?: string;
}

export const DEFAULT_ENDPOINT = "https://127.0.0.1:8443";
export const DEFAULT_TENANT = "00000000-0000-0000-0000-000000000001";

export function resolveEnv(env: NodeJS.ProcessEnv, cwd: string): AzlEnv {
  const endpoint = (env.AKSEMU_ENDPOINT || DEFAULT_ENDPOINT).replace(/\/+$/, "");
  const dataDir = resolve(cwd, env.AKSEMU_DATA_DIR || ".aksemu");
  const caPath = join(dataDir, "ca.pem");
  const ca = existsSync(caPath) ? readFileSync(caPath, "utf8") : undefined;
  return {
    endpoint,
    dataDir,
    ca,
    tenantId: env.AKSEMU_TENANT_ID || DEFAULT_TENANT,
    clientId: env.AKSEMU_CLIENT_ID || "azl-client",
    clientSecret: env.AKSEMU_CLIENT_SECRET || "azl-secret",
    localSocket: findLocalSocket(env, endpoint, dataDir),
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  bodyAsText: string;
}

/** Error thrown for >= 400 answers of raw requests, shaped like @azure/core-rest-pipeline's RestError. */
export class RawRestError extends Error {
  override name = "RestError";
  constructor(
    message: string,
    public statusCode: number,
    public response: { status: number; bodyAsText: string },
  ) {
    super(message);
  }
}

export class CommandContext {
  readonly log: Logger;
  /** dests of the arguments given on the command line (az's "safe_params") */
  specified: string[] = [];
  private _cred?: TokenCredential;
  private _sub?: Promise<string>;
  private clients = new Map<string, unknown>();
  private _pipeline?: import("@azure/core-rest-pipeline").Pipeline;

  constructor(
    readonly io: AzlIO,
    readonly env: AzlEnv,
    readonly globals: GlobalArgs,
  ) {
    this.log = new Logger(io, globals.onlyShowErrors ? 1 : globals.debug ? 4 : globals.verbose ? 3 : 2);
  }

  private _transport?: Promise<import("@azure/core-rest-pipeline").HttpClient>;

  /** The HTTP client every SDK client, the credential and raw requests share: the local socket or HTTPS. */
  transport(): Promise<import("@azure/core-rest-pipeline").HttpClient> {
    this._transport ??= import("@azure/core-rest-pipeline").then((rp) => {
      let https: import("@azure/core-rest-pipeline").HttpClient | undefined;
      const fallback = () => (https ??= rp.createDefaultHttpClient());
      const sock = this.env.localSocket;
      if (!sock) return fallback();
      this.log.debug(`Using the emulator's local socket ${sock} for ${this.env.endpoint}`, "cli.azure.cli.core.sdk.policies");
      return localSocketClient(sock, this.env.endpoint, rp, fallback, (why) => this.log.debug(`${why}; using HTTPS`, "cli.azure.cli.core.sdk.policies"));
    });
    return this._transport;
  }

  /** Options shared by every SDK client. */
  clientOptions(httpClient?: import("@azure/core-rest-pipeline").HttpClient): Record<string, unknown> {
    return {
      httpClient,
      endpoint: this.env.endpoint,
      tlsOptions: this.env.ca ? { ca: this.env.ca } : undefined,
      userAgentOptions: { userAgentPrefix: "azl AZURECLI/2.79.0 (aksemu)" },
      additionalPolicies: [{ policy: this.debugPolicy(), position: "perRetry" }],
      retryOptions: { maxRetries: 2 },
    };
  }

  /** Body of the last >= 400 answer seen by any SDK pipeline (paging errors drop it). */
  lastErrorBody?: string;
  /** Body of the last failed long-running-operation status seen (core-lro only keeps code/message). */
  lastLroErrorBody?: string;

  private debugPolicy(): PipelinePolicy {
    const log = this.log;
    const self = this;
    return {
      name: "azlDebugLogPolicy",
      async sendRequest(request: PipelineRequest, next) {
        if (log.isDebug) {
          const n = "cli.azure.cli.core.sdk.policies";
          log.debug(`Request URL: '${request.url}'`, n);
          log.debug(`Request method: '${request.method}'`, n);
          log.debug("Request headers:", n);
          for (const [k, v] of request.headers) {
            log.debug(`    '${k}': '${k.toLowerCase() === "authorization" ? "*****" : v}'`, n);
          }
          if (typeof request.body === "string") log.debug(`Request body:\n${request.body}`, n);
          else log.debug("Request body:\nThis request has no body", n);
        }
        const response: PipelineResponse = await next(request);
        if (response.status >= 400 && response.bodyAsText) self.lastErrorBody = response.bodyAsText;
        else if (response.bodyAsText && /"status"\s*:\s*"(Failed|Canceled)"|"provisioningState"\s*:\s*"(Failed|Canceled)"/.test(response.bodyAsText)) {
          self.lastLroErrorBody = response.bodyAsText;
        }
        if (log.isDebug) {
          const n = "cli.azure.cli.core.sdk.policies";
          const u = new URL(request.url);
          log.debug(`${u.protocol}//${u.hostname}:${u.port || 443} "${request.method} ${u.pathname}${u.search} HTTP/1.1" ${response.status} ${response.headers.get("content-length") ?? "None"}`, "urllib3.connectionpool");
          log.debug(`Response status: ${response.status}`, n);
          log.debug("Response headers:", n);
          for (const [k, v] of response.headers) log.debug(`    '${k}': '${v}'`, n);
          if (response.bodyAsText) {
            const secret = /\/oauth2\/|\/token\b/.test(u.pathname);
            log.debug(`Response content:\n${secret ? "(token response redacted)" : response.bodyAsText}`, n);
          }
        }
        return response;
      },
    };
  }

  /** Token cache shared by azl invocations (like az's MSAL cache): ~/.azl/tokens.json. */
  private cacheFile(): string {
    return join(this.io.env.AZL_CONFIG_DIR || join(this.io.env.HOME || homedir(), ".azl"), "tokens.json");
  }

  private readCache(): TokenCacheFile {
    try {
      return JSON.parse(readFileSync(this.cacheFile(), "utf8")) as TokenCacheFile;
    } catch {
      return {};
    }
  }

  private writeCache(update: (c: TokenCacheFile) => void): void {
    try {
      const c = this.readCache();
      update(c);
      const f = this.cacheFile();
      mkdirSync(dirname(f), { recursive: true, mode: 0o700 });
      const tmp = `${f}.${process.pid}`;
      writeFileSync(tmp, JSON.stringify(c), { mode: 0o600 });
      renameSync(tmp, f);
    } catch {
      /* the cache is an optimisation only */
    }
  }

  private cacheKey(scope: string): string {
    return `${this.env.endpoint}|${this.env.tenantId}|${this.env.clientId}|${scope}`;
  }

  /** Forget cached tokens and subscription (after a 401 with a cached token). */
  clearCache(): void {
    this.writeCache((c) => {
      for (const k of Object.keys(c)) if (k.startsWith(this.env.endpoint + "|")) delete c[k];
    });
    this._cred = undefined;
    this._sub = undefined;
    this.clients.clear();
    this._pipeline = undefined;
  }

  usedCachedToken = false;

  async credential(): Promise<TokenCredential> {
    if (!this._cred) {
      const self = this;
      let inner: TokenCredential | undefined;
      const fresh = async (scopes: string | string[], options?: import("@azure/core-auth").GetTokenOptions) => {
        if (!inner) {
          const { ClientSecretCredential } = await import("@azure/identity");
          inner = self.makeCredential(ClientSecretCredential, await self.transport());
        }
        const t = await inner.getToken(scopes, options);
        if (t) {
          const key = self.cacheKey(([] as string[]).concat(scopes).join(" "));
          self.writeCache((c) => {
            c[key] = { token: t.token, expiresOnTimestamp: t.expiresOnTimestamp };
          });
        }
        return t;
      };
      // one token per scope per process (the SDK clients and raw requests share it)
      const cache = new Map<string, Promise<import("@azure/core-auth").AccessToken | null>>();
      this._cred = {
        getToken: (scopes, options) => {
          const key = ([] as string[]).concat(scopes).join(" ");
          const hit = cache.get(key);
          if (hit) return hit;
          const disk = self.readCache()[self.cacheKey(key)];
          let p: Promise<import("@azure/core-auth").AccessToken | null>;
          if (disk && disk.expiresOnTimestamp - Date.now() > 5 * 60_000 && self.io.env.AZL_NO_TOKEN_CACHE !== "1") {
            self.usedCachedToken = true;
            p = Promise.resolve({ token: disk.token, expiresOnTimestamp: disk.expiresOnTimestamp });
          } else p = fresh(scopes, options);
          cache.set(key, p);
          p.catch(() => cache.delete(key));
          return p;
        },
      };
    }
    return this._cred;
  }

  private makeCredential(ClientSecretCredential: typeof import("@azure/identity").ClientSecretCredential, httpClient: import("@azure/core-rest-pipeline").HttpClient): TokenCredential {
    return new ClientSecretCredential(this.env.tenantId, this.env.clientId, this.env.clientSecret, {
      httpClient,
      authorityHost: this.env.endpoint,
      disableInstanceDiscovery: true,
      tlsOptions: this.env.ca ? { ca: this.env.ca } : undefined,
      additionalPolicies: [{ policy: this.debugPolicy(), position: "perRetry" }],
    } as never);
  }

  /** Wait for a long-running operation with az's progress spinner (stderr terminals only). */
  lro<T>(work: Promise<T>): Promise<T> {
    return withProgress(!!this.io.stderrIsTTY, (s) => this.io.stderr(s), work);
  }

  /**
   * Raw request through @azure/core-rest-pipeline (bearer token, TLS settings, debug log).
   * `rawBody` is sent as is; `scope: null` sends no Authorization header; `allowErrors` returns
   * >= 400 answers instead of throwing.
   */
  async request(
    method: string,
    pathOrUrl: string,
    opts: { query?: Record<string, string>; body?: unknown; rawBody?: string; headers?: Record<string, string>; scope?: string | null; allowErrors?: boolean } = {},
  ): Promise<RawResponse> {
    const rp = await import("@azure/core-rest-pipeline");
    if (!this._pipeline) {
      this._pipeline = rp.createPipelineFromOptions({
        tlsOptions: this.env.ca ? { ca: this.env.ca } : undefined,
        userAgentOptions: { userAgentPrefix: "azl AZURECLI/2.79.0 (aksemu)" },
        retryOptions: { maxRetries: 2 },
      });
      this._pipeline.addPolicy(this.debugPolicy(), { phase: "Sign" });
    }
    const url = new URL(pathOrUrl.startsWith("http") ? pathOrUrl : this.env.endpoint + pathOrUrl);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
    const requestHeaders = opts.headers ?? { "content-type": "application/json", accept: "application/json" };
    const request = rp.createPipelineRequest({
      url: url.toString(),
      method: method as never,
      headers: rp.createHttpHeaders(requestHeaders),
      body: opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
      tlsSettings: this.env.ca ? { ca: this.env.ca } : undefined,
    });
    if (opts.scope !== null) {
      const cred = await this.credential();
      const token = await cred.getToken(opts.scope ?? `${this.env.endpoint}/.default`);
      if (token) request.headers.set("authorization", `Bearer ${token.token}`);
    }
    const res = await this._pipeline.sendRequest(await this.transport(), request);
    const text = res.bodyAsText ?? "";
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of res.headers) headers[k] = v;
    if (res.status >= 400 && !opts.allowErrors) {
      throw new RawRestError(`Operation returned an invalid status ${res.status}`, res.status, { status: res.status, bodyAsText: text });
    }
    return { status: res.status, headers, body, bodyAsText: text };
  }

  /** The subscription: --subscription, AKSEMU_SUBSCRIPTION_ID, or the first of GET /subscriptions. */
  subscriptionId(): Promise<string> {
    if (!this._sub) {
      this._sub = (async () => {
        const wanted = this.globals.subscription ?? this.io.env.AKSEMU_SUBSCRIPTION_ID;
        if (wanted && /^[0-9a-f-]{36}$/i.test(wanted)) return wanted;
        const subKey = `${this.env.endpoint}|subscriptions`;
        const cached = this.readCache()[subKey];
        let subs: Array<{ subscriptionId: string; displayName?: string }>;
        if (cached?.subscriptions && cached.expiresOnTimestamp > Date.now()) subs = cached.subscriptions;
        else {
          const res = await this.request("GET", "/subscriptions", { query: { "api-version": "2022-12-01" } });
          subs = (res.body as { value?: Array<{ subscriptionId: string; displayName?: string }> })?.value ?? [];
          this.writeCache((c) => {
            c[subKey] = { token: "", expiresOnTimestamp: Date.now() + 10 * 60_000, subscriptions: subs.map((x) => ({ subscriptionId: x.subscriptionId, displayName: x.displayName })) };
          });
        }
        if (wanted) {
          const hit = subs.find((s) => s.displayName?.toLowerCase() === wanted.toLowerCase() || s.subscriptionId === wanted);
          if (!hit) throw new AzCliError("UnclassifiedUserFault", `Subscription '${wanted}' not found. Check the spelling and casing and try again.`);
          return hit.subscriptionId;
        }
        if (!subs.length) throw new AzCliError("UnclassifiedUserFault", "No subscriptions found for azl-client.");
        return subs[0]!.subscriptionId;
      })();
    }
    return this._sub;
  }

  private async client<T>(key: string, make: (cred: TokenCredential, sub: string, options: Record<string, unknown>) => Promise<T>): Promise<T> {
    if (!this.clients.has(key)) {
      const cred = await this.credential();
      const sub = await this.subscriptionId();
      this.clients.set(key, await make(cred, sub, this.clientOptions(await this.transport())));
    }
    return this.clients.get(key) as T;
  }

  resources(): Promise<import("@azure/arm-resources").ResourceManagementClient> {
    return this.client("resources", async (c, s, o) => {
      const { ResourceManagementClient } = await import("@azure/arm-resources");
      return new ResourceManagementClient(c, s, o);
    });
  }

  network(): Promise<import("@azure/arm-network").NetworkManagementClient> {
    return this.client("network", async (c, s, o) => {
      const { NetworkManagementClient } = await import("@azure/arm-network");
      return new NetworkManagementClient(c, s, o);
    });
  }

  msi(): Promise<import("@azure/arm-msi").ManagedServiceIdentityClient> {
    return this.client("msi", async (c, s, o) => {
      const { ManagedServiceIdentityClient } = await import("@azure/arm-msi");
      return new ManagedServiceIdentityClient(c, s, o);
    });
  }

  authorization(): Promise<import("@azure/arm-authorization").AuthorizationManagementClient> {
    return this.client("authorization", async (c, s, o) => {
      // a CommonJS package: its module.exports is `default` both natively and in the esbuild bundle
      const { AuthorizationManagementClient } = (await import("@azure/arm-authorization")).default;
      return new AuthorizationManagementClient(c, s, o);
    });
  }

  aks(): Promise<import("@azure/arm-containerservice").ContainerServiceClient> {
    return this.client("aks", async (c, s, o) => {
      const { ContainerServiceClient } = await import("@azure/arm-containerservice");
      // modular client (25.x): `endpoint`, no baseUri; its token scope stays management.azure.com
      return new ContainerServiceClient(c, s, o as never);
    });
  }

  /** knack prompt_y_n; without a terminal az fails asking for --yes. */
  async confirm(message = "Are you sure you want to perform this operation?"): Promise<boolean> {
    if (!this.io.stdinIsTTY || !this.io.prompt) {
      throw new AzCliError("NoTTYError", "Unable to prompt for confirmation as no tty available. Use --yes.");
    }
    for (;;) {
      const ans = (await this.io.prompt(`${message} (y/n): `)).trim().toLowerCase();
      if (ans === "y" || ans === "yes") return true;
      if (ans === "n" || ans === "no") return false;
      if (ans === "") continue;
      this.io.stderr("Please enter 'y' or 'n'.\n");
    }
  }
}

/** LRO polling interval for SDK pollers (the emulator's Retry-After usually wins). */
export const POLL_MS = 500;
