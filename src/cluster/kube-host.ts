// Cluster composition, the layer above kube/ (the Kubernetes API) and sim/ (kubelets and
// controllers): one KubeHost per emulator process runs a Kubernetes API endpoint (its own HTTPS
// host:port) and a simulation engine per emulated cluster. The AKS provider computes nodes, IPs
// and pools from Azure resources and calls ensureRunning; all that happens inside the cluster is
// owned here. kube/ and sim/ never import this folder.
//
// Persisted per cluster under kube/<id>/_meta: port, tokens, client certificates and the
// server certificate, so kubeconfigs stay valid across emulator restarts.
//
// With a member (store/ownership.ts), a cluster runs (listener and simulation) only in the process
// that claimed its owner key `owner/cluster/<id>`; when that process's lease is gone, any other may
// claim it and bring it up from the store.
import https from "node:https";
import { isIP, type Socket } from "node:net";
import { X509Certificate } from "node:crypto";
import YAML from "yaml";
import type { Store, Txn } from "../store/store.js";
import { Member, OwnedElsewhereError, OwnershipLostError, OWNER_PREFIX } from "../store/ownership.js";
import { fencedStore } from "../store/fenced-store.js";
import { SimEngine } from "../sim/engine.js";
import { reconcileNodes, seedCluster, kubernetesServiceIP, type SeedInfo } from "../sim/seed.js";
import { addressAt, formatAddress, requireCidr, size } from "../network/cidr.js";
import type { Clock, CloudProvider, LatencyProfile, SimNodeSpec } from "../sim/types.js";
import { strategyFor } from "../kube/catalog.js";
import { StatusError } from "../kube/errors.js";
import { ApiServer, unparsableRequestResponse, type User } from "../kube/http.js";
import { Registry } from "../kube/registry.js";
import { seedApiServerObjects } from "../kube/bootstrap.js";
import { ensureSigningKey, warmSigningKeys } from "../kube/auth/tokens.js";
import { admissionChain } from "../kube/admission/index.js";
import type { StrategyContext } from "../kube/types.js";
import { fnv32a, randomHex, type Obj } from "../kube/util.js";
import { runInSandbox } from "../kube/run-command.js";

/** A node as the AKS provider describes it: the simulation's node spec. */
export type KubeNodeSpec = SimNodeSpec;

export interface KubeClusterSpec {
  /** Stable cluster key (lower-cased ARM id); store prefix is `kube/${id}/`. */
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  nodeResourceGroup: string;
  /** e.g. "1.31.2" */
  kubernetesVersion: string;
  /** The name in kubeconfigs (tls-server-name) and in the certificate SANs. */
  fqdn: string;
  extraSans?: string[];
  /** What kubelets use: "https://172.19.0.4:443" with VNet integration, else https://<fqdn>:443. */
  apiServerAddress: string;
  serviceCidr: string;
  dnsServiceIP: string;
  networkPlugin: string;
  networkPluginMode?: string;
  /** The API server's address as the cluster's network sees it (ILB / private endpoint / public IP): default/kubernetes Endpoints. */
  apiServerIP?: string;
  /** identityProfile.kubeletidentity.clientId (node label kubernetes.azure.com/kubelet-identity-client-id). */
  kubeletIdentityClientId?: string;
  nodes: KubeNodeSpec[];
  /** Persisted port to reuse; 0/undefined = the one remembered, else a free one. */
  port?: number;
}

export interface IssuedPair {
  certPem: string;
  keyPem: string;
}

export interface KubeCredentials {
  port: number;
  /** Address of the process whose listener serves the cluster (its advertised address). */
  host: string;
  caPem: string;
  adminToken: string;
  userToken: string;
  adminCert: IssuedPair;
  userCert: IssuedPair;
}

/** Structural view of src/server/pki.ts. */
export interface KubePki {
  readonly caPem: string;
  issueServerCert(o: { commonName: string; dnsNames: string[]; ipAddresses: string[] }): Promise<IssuedPair>;
  issueClientCert(o: { commonName: string; organizations: string[] }): Promise<IssuedPair>;
  signCsr?(o: { csrPem: string; serverAuth: boolean; clientAuth: boolean; expirationSeconds?: number }): Promise<string>;
}

export interface KubeconfigOptions {
  user: "clusterAdmin" | "clusterUser";
  clusterName: string;
  userName: string;
  contextName: string;
  /** https://127.0.0.1:<port> */
  server: string;
  tlsServerName?: string;
}

interface ClusterMeta {
  port: number;
  /** Advertised address of the process running the cluster (absent before multi-process: 127.0.0.1). */
  host?: string;
  adminToken: string;
  userToken: string;
  adminCert: IssuedPair;
  userCert: IssuedPair;
  serverCert?: IssuedPair & { sans: string[] };
}

interface Running {
  spec: KubeClusterSpec;
  meta: ClusterMeta;
  server: https.Server;
  sockets: Set<Socket>;
  api: ApiServer;
  registry: Registry;
  engine: SimEngine;
  /** Fencing token of this process's claim on the cluster (with a member). */
  token?: number;
}

/**
 * A change to a cluster that runs in another live process, handed to it through the store: the
 * requester writes `kube-handover/<id>`, the owner (watching the prefix) applies it to the cluster
 * it runs and answers under `kube-handover-done/<id>` with the request's revision.
 */
type Handover = { action: "ensure"; spec: KubeClusterSpec } | { action: "stop" };
interface HandoverDone {
  revision: number;
  error?: string;
}
const HANDOVER_PREFIX = "kube-handover/";
const HANDOVER_DONE_PREFIX = "kube-handover-done/";
/** How long a requester waits for a live owner to apply a handover before "try again later" (OwnedElsewhereError). */
const HANDOVER_TIMEOUT_MS = 30_000;

/** Users behind the two credential kinds (no RBAC: both are cluster admins, as non-AAD AKS). */
const ADMIN_USER: User = { name: "masterclient", groups: ["system:masters", "system:authenticated"] };
const CLUSTER_USER: User = { name: "clusterUser", groups: ["system:masters", "system:authenticated"] };

export class KubeHost {
  private readonly store: Store;
  private readonly pki: KubePki;
  /** Address the clusters' listeners bind to. */
  private readonly host: string;
  /** Address clients reach them at: in kubeconfigs and the server certificates' SANs. */
  private readonly address: string;
  private readonly latency: LatencyProfile;
  private readonly events: boolean;
  /** Request-body read timeout of every cluster's listener (default: the API server's 60 s). */
  private readonly bodyTimeoutMs: number | undefined;
  private readonly running = new Map<string, Running>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private cloudProvider?: CloudProvider;

  private readonly clock?: Clock;
  private readonly member?: Member;
  private unwatchHandovers?: () => void;

  /** `az aks command invoke` runs commands on this machine only when the operator opted in (`aksemu start --allow-run-command`). */
  readonly runCommandAllowed: boolean;

  constructor(opts: { store: Store; pki: KubePki; host?: string; advertise?: string; latency: LatencyProfile; events?: boolean; bodyTimeoutMs?: number; clock?: Clock; member?: Member; allowRunCommand?: boolean }) {
    this.runCommandAllowed = opts.allowRunCommand === true;
    this.member = opts.member;
    // Our lease is gone, so are our claims: stop every cluster here (another process may run them now).
    opts.member?.onLost(() => void this.haltAll());
    // Changes other processes hand over for clusters running here (only those: the rest is ignored).
    if (opts.member) {
      this.unwatchHandovers = opts.store.watch(HANDOVER_PREFIX, undefined, (evs) => {
        for (const e of evs) if (e.type === "put") this.applyHandover(e.key.slice(HANDOVER_PREFIX.length), e.value as Handover, e.revision);
      });
    }
    this.bodyTimeoutMs = opts.bodyTimeoutMs;
    this.clock = opts.clock;
    this.store = opts.store;
    this.pki = opts.pki;
    this.host = opts.host ?? "127.0.0.1";
    this.address = opts.advertise ?? (["0.0.0.0", "::"].includes(this.host) ? "127.0.0.1" : this.host);
    this.latency = opts.latency;
    this.events = opts.events ?? true;
  }

  private metaKey(id: string): string {
    return `kube/${id}/_meta`;
  }

  private ownerKey(id: string): string {
    return `${OWNER_PREFIX}cluster/${id}`;
  }

  /** Neither running here nor owned by a live process: a cluster that should run can be claimed. */
  needsOwner(id: string): boolean {
    if (this.running.has(id)) return false;
    return !this.member || !Member.owner(this.store, this.ownerKey(id));
  }

  /** Serialise operations per cluster (ensureRunning may be called concurrently). */
  private exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.locks.set(id, tail);
    // The last in line drops the entry: a host that saw N clusters come and go keeps none of them.
    void tail.then(() => {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    });
    return next;
  }

  /** The cloud behind every cluster (AKS: the provider's cloud-controller-manager and CSI drivers). */
  attachCloud(p: CloudProvider): void {
    this.cloudProvider = p;
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  /** The cluster's registry (for tests and the provider's inspection); undefined when stopped. */
  registry(id: string): Registry | undefined {
    return this.running.get(id)?.registry;
  }

  /** Resolves once the simulation has nothing left to do (controllers converged). */
  async idle(id: string): Promise<void> {
    const r = this.running.get(id);
    if (r) await r.engine.idle();
  }

  ensureRunning(spec: KubeClusterSpec): Promise<KubeCredentials> {
    return this.exclusive(spec.id, () => this.doEnsure(spec));
  }

  private async loadMeta(spec: KubeClusterSpec): Promise<ClusterMeta> {
    const cur = this.store.get<ClusterMeta>(this.metaKey(spec.id))?.value;
    const sans = [...new Set([...serverSans(spec), this.address])].sort();
    const serverOk = !!cur?.serverCert && sameSet(cur.serverCert.sans, sans) && issuedBy(cur.serverCert.certPem, this.pki.caPem);
    const ipAddresses = sans.filter((s) => isIP(s) !== 0);
    const dnsNames = sans.filter((s) => !ipAddresses.includes(s));
    // Issued together: their key generation and signing overlap on the thread pool (a cluster create waits for them).
    const [adminCert, userCert, serverCert] = await Promise.all([
      cur ? cur.adminCert : this.pki.issueClientCert({ commonName: ADMIN_USER.name, organizations: ["system:masters"] }),
      cur ? cur.userCert : this.pki.issueClientCert({ commonName: CLUSTER_USER.name, organizations: ["system:masters"] }),
      serverOk ? cur!.serverCert! : this.pki.issueServerCert({ commonName: "apiserver", dnsNames, ipAddresses }).then((c) => ({ ...c, sans })),
    ]);
    const meta: ClusterMeta = cur ?? { port: 0, adminToken: randomHex(16), userToken: randomHex(16), adminCert, userCert };
    meta.serverCert = serverCert;
    return meta;
  }

  private async saveMeta(id: string, meta: ClusterMeta): Promise<void> {
    await this.store.txn((tx) => tx.put(this.metaKey(id), meta));
  }

  private async doEnsure(spec: KubeClusterSpec): Promise<KubeCredentials> {
    let r = this.running.get(spec.id);
    if (!r) {
      // A new cluster: its service-account key (and the next clusters') made meanwhile, off the event loop.
      if (!this.store.get(this.metaKey(spec.id))) warmSigningKeys();
      let token: number | undefined;
      const m = this.member;
      if (m) {
        const key = this.ownerKey(spec.id);
        // Claim it, or hand the spec to the live process that runs it; its owner may change meanwhile.
        for (let attempt = 0; ; attempt++) {
          await m.ensureLease();
          // The token is the owner key's create revision, read once committed.
          if (await this.store.txn((tx) => m.claim(tx, key))) token = m.token(key);
          if (token !== undefined) break;
          if (await this.handOver(spec.id, { action: "ensure", spec })) return this.storedCredentials(spec.id)!;
          const owner = Member.owner(this.store, key);
          if (attempt >= 4 && owner) throw new OwnedElsewhereError(key, owner);
        }
      }
      try {
        r = await this.startHere(spec, token);
      } catch (e) {
        if (m && token !== undefined) await this.store.txn((tx) => m.release(tx, this.ownerKey(spec.id), token!));
        throw e;
      }
    } else {
      const meta = await this.loadMeta(spec);
      r.spec = spec;
      if (meta.serverCert!.certPem !== r.meta.serverCert!.certPem) {
        r.server.setSecureContext({ key: meta.serverCert!.keyPem, cert: meta.serverCert!.certPem, ca: [this.pki.caPem] });
      }
      meta.port = r.meta.port;
      meta.host = r.meta.host;
      r.meta = meta;
      await this.saveMeta(spec.id, meta);
    }
    r.engine.refreshInfo();
    const info = seedInfo(spec, this.pki.caPem);
    await seedCluster(r.registry, info);
    await seedApiServerObjects(r.registry);
    await ensureSigningKey(r.registry);
    const changes = await reconcileNodes(r.registry, info);
    if (!r.engine.isRunning) r.engine.start();
    await this.afterNodeChanges(r, changes.reimaged, changes.upgraded);
    return this.credentials(r.meta);
  }

  /** The cluster's listener and simulation in this process (the claim, if any, is taken). */
  private async startHere(spec: KubeClusterSpec, token: number | undefined): Promise<Running> {
    const meta = await this.loadMeta(spec);
    // Every write for this cluster (API requests, controllers, kubelets) is fenced on our claim: after a
    // takeover nothing more from here lands, and the cluster stops here at the first refused write.
    const m = this.member;
    const store = m && token !== undefined
      ? fencedStore(
        this.store,
        (tx) => m.fence(tx, this.ownerKey(spec.id), token),
        // After the refused transaction (never inside its fn, which may run again): stop here.
        (e) => {
          if (e instanceof OwnershipLostError && this.running.get(spec.id)?.token === token) void this.exclusive(spec.id, () => this.doStop(spec.id, false));
        },
      )
      : this.store;
    const registry: Registry = new Registry(store, spec.id, {
      strategyContext: (internal, tx) => this.strategyContext(spec.id, internal, tx),
      admit: admissionChain(() => registry),
    });
    const holder: { spec: KubeClusterSpec } = { spec };
    const pinned = [meta.adminCert.certPem, meta.userCert.certPem].map((pem) => new X509Certificate(pem).fingerprint256);
    const api = new ApiServer({
      registry,
      kubernetesVersion: () => (this.running.get(spec.id)?.spec ?? holder.spec).kubernetesVersion,
      serverAddress: () => `${this.address}:${meta.port}`,
      tokens: () => [
        { token: meta.adminToken, user: ADMIN_USER },
        { token: meta.userToken, user: CLUSTER_USER },
      ],
      clientCertFingerprints: () => pinned,
      signCsr: this.pki.signCsr ? (o) => this.pki.signCsr!(o) : undefined,
    }, { bodyTimeoutMs: this.bodyTimeoutMs });
    const engine = new SimEngine({
      registry,
      latency: this.latency,
      events: this.events,
      info: () => ({ ...simInfo(this.running.get(spec.id)?.spec ?? holder.spec), caPem: this.pki.caPem }),
      cloud: () => this.cloudProvider?.forCluster(spec.id),
      clock: this.clock,
    });
    const sockets = new Set<Socket>();
    const server = https.createServer(
      {
        key: meta.serverCert!.keyPem,
        cert: meta.serverCert!.certPem,
        ca: [this.pki.caPem],
        requestCert: true,
        rejectUnauthorized: false,
        // Node's default of 5 s would cut long-lived watches' keep-alive sockets oddly; kube uses none.
        keepAliveTimeout: 65_000,
      },
      (req, res) => api.handle(req, res),
    );
    server.on("upgrade", (req, socket, head) => api.upgrade(req, socket, head));
    server.on("connection", (s: Socket) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    });
    server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
      if (process.env.AKSEMU_DEBUG) console.error("kube clientError", err, String((err as { rawPacket?: Buffer }).rawPacket ?? ""));
      if (socket.writable && err.code !== "ECONNRESET") socket.end(unparsableRequestResponse(err));
      else socket.destroy();
    });
    server.requestTimeout = 0;
    server.headersTimeout = 60_000;
    const wantPort = spec.port || meta.port || 0;
    const port = await listen(server, this.host, wantPort).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE" && wantPort !== 0) {
        console.error(`kube: port ${wantPort} for ${spec.name} is taken; picking a free one (old kubeconfigs will not reach it)`);
        return listen(server, this.host, 0);
      }
      throw err;
    });
    meta.port = port;
    meta.host = this.address;
    await this.saveMeta(spec.id, meta);
    const r: Running = { spec, meta, server, sockets, api, registry, engine, token };
    this.running.set(spec.id, r);
    return r;
  }

  /** Reimaged nodes restart their pods (the VM rebooted); upgrades keep pods. */
  private async afterNodeChanges(r: Running, reimaged: string[], upgraded: string[]): Promise<void> {
    const podS = strategyFor("pods");
    const nodeS = strategyFor("nodes");
    for (const name of reimaged) {
      const node = r.registry.tryGet(nodeS, undefined, name);
      if (node) r.engine.event(node, { type: "Warning", reason: "Rebooted", message: `Node ${name} has been rebooted, boot id: ${node.status?.nodeInfo?.bootID ?? ""}`, component: "kubelet", host: name });
      for (const p of r.engine.cache.podsOnNode(name)) {
        try {
          await r.registry.delete(podS, p.namespace, p.name, { gracePeriodSeconds: 0 });
        } catch (err) {
          if (!(err instanceof StatusError && err.code === 404)) throw err;
        }
      }
    }
    for (const name of upgraded) {
      const node = r.registry.tryGet(nodeS, undefined, name);
      if (node) r.engine.event(node, { type: "Normal", reason: "NodeUpgrade", message: `Kubelet on ${name} upgraded to ${node.status?.nodeInfo?.kubeletVersion}`, component: "kubelet", host: name });
    }
  }

  private credentials(meta: ClusterMeta): KubeCredentials {
    return {
      port: meta.port,
      host: meta.host ?? "127.0.0.1",
      caPem: this.pki.caPem,
      adminToken: meta.adminToken,
      userToken: meta.userToken,
      adminCert: meta.adminCert,
      userCert: meta.userCert,
    };
  }

  /** Stored credentials of a cluster (running or not); undefined if never started. */
  storedCredentials(id: string): KubeCredentials | undefined {
    const meta = this.store.get<ClusterMeta>(this.metaKey(id))?.value;
    return meta ? this.credentials(meta) : undefined;
  }

  /** Stop the cluster here, or have the live process that runs it stop it. */
  stop(id: string): Promise<void> {
    return this.exclusive(id, () => this.stopAnywhere(id));
  }

  private async stopAnywhere(id: string): Promise<void> {
    if (this.running.has(id) || !this.member) return this.doStop(id);
    await this.handOver(id, { action: "stop" });
  }

  /**
   * Hand a change to the live process that runs the cluster and wait until it applied it (its
   * error, if any, is thrown here). False when no other process runs it, or its owner went away
   * meanwhile: the caller claims the cluster instead. OwnedElsewhereError when the owner stays
   * live but does not answer in time (a stalled process): try again later.
   */
  private async handOver(id: string, h: Handover): Promise<boolean> {
    const key = this.ownerKey(id);
    const owner = Member.owner(this.store, key);
    if (!owner || owner.member === this.member?.id) return false;
    const rev = await this.store.txn((tx) => tx.put(HANDOVER_PREFIX + id, h));
    const deadline = Date.now() + HANDOVER_TIMEOUT_MS;
    for (;;) {
      const done = this.store.get<HandoverDone>(HANDOVER_DONE_PREFIX + id)?.value;
      if (done && done.revision >= rev) {
        if (done.error) throw new Error(done.error);
        return true;
      }
      const cur = Member.owner(this.store, key);
      if (!cur || cur.lease !== owner.lease) return false;
      if (Date.now() > deadline) throw new OwnedElsewhereError(key, owner);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Owner side of handOver: apply a change for a cluster running here, then answer with the request's revision. */
  private applyHandover(id: string, h: Handover, revision: number): void {
    if (!this.running.has(id)) return;
    void this.exclusive(id, async () => {
      if (!this.running.has(id)) return; // stopped meanwhile: the requester sees the claim gone
      let error: string | undefined;
      try {
        if (h.action === "ensure") await this.doEnsure(h.spec);
        else await this.doStop(id);
      } catch (e) {
        error = (e as Error).message;
      }
      await this.store.txn((tx) => tx.put<HandoverDone>(HANDOVER_DONE_PREFIX + id, { revision, ...(error ? { error } : {}) }));
    });
  }

  /**
   * Stop every cluster here without writing to the store (claims stay until the lease goes):
   * what a process that died leaves behind, and what one that lost its lease must do.
   */
  async haltAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.exclusive(id, () => this.doStop(id, false))));
  }

  private async doStop(id: string, release = true): Promise<void> {
    const r = this.running.get(id);
    if (!r) return;
    this.running.delete(id);
    const m = this.member;
    if (release && m && r.token !== undefined) await this.store.txn((tx) => m.release(tx, this.ownerKey(id), r.token!));
    r.engine.stop();
    r.api.closeStreams();
    r.registry.close();
    await new Promise<void>((resolve) => {
      r.server.close(() => resolve());
      for (const s of r.sockets) s.destroy();
    });
  }

  remove(id: string): Promise<void> {
    return this.exclusive(id, async () => {
      await this.stopAnywhere(id);
      await this.store.txn((tx) => {
        tx.deletePrefix(`kube/${id}/`);
        tx.delete(HANDOVER_PREFIX + id);
        tx.delete(HANDOVER_DONE_PREFIX + id);
      });
    });
  }

  kubeconfig(id: string, o: KubeconfigOptions): string {
    const meta = this.store.get<ClusterMeta>(this.metaKey(id))?.value;
    if (!meta) throw new Error(`no Kubernetes credentials for cluster ${id}`);
    const cert = o.user === "clusterAdmin" ? meta.adminCert : meta.userCert;
    const token = o.user === "clusterAdmin" ? meta.adminToken : meta.userToken;
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    const cluster: Obj = { "certificate-authority-data": b64(this.pki.caPem), server: o.server };
    if (o.tlsServerName) cluster["tls-server-name"] = o.tlsServerName;
    // YAML 1.1 as kubectl reads it: a cluster named `on` or `yes` stays a string.
    return YAML.stringify({
      apiVersion: "v1",
      clusters: [{ cluster, name: o.clusterName }],
      contexts: [{ context: { cluster: o.clusterName, user: o.userName }, name: o.contextName }],
      "current-context": o.contextName,
      kind: "Config",
      preferences: {},
      users: [{ name: o.userName, user: { "client-certificate-data": b64(cert.certPem), "client-key-data": b64(cert.keyPem), token } }],
    }, { version: "1.1" });
  }

  /** `az aks command invoke`: the command runs with `sh -c` beside kubectl (and helm) and the admin kubeconfig, like AKS's command pod. */
  async runCommand(id: string, command: string): Promise<{ exitCode: number; logs: string }> {
    if (!this.runCommandAllowed) throw new Error("run command is not enabled in this emulator (aksemu start --allow-run-command)");
    // kubectl reaches the cluster over the network, so the command runs from whichever process got
    // the request: against this process's listener, or the one of the live process that runs it.
    const r = this.running.get(id);
    const meta = this.store.get<ClusterMeta>(this.metaKey(id))?.value;
    const elsewhere = !r && !!this.member && !!Member.owner(this.store, this.ownerKey(id));
    if (!meta || (!r && !elsewhere)) return { exitCode: 1, logs: "The cluster's API server is not running.\n" };
    const host = r ? this.address : meta.host ?? "127.0.0.1";
    const name = r?.spec.name ?? id.split("/").pop()!;
    const kubeconfig = this.kubeconfig(id, {
      user: "clusterAdmin",
      clusterName: name,
      userName: "clusterAdmin",
      contextName: name,
      server: `https://${host.includes(":") ? `[${host}]` : host}:${r?.meta.port ?? meta.port}`,
      // The serving process's certificate names its address; the FQDN only when it runs here (spec at hand).
      tlsServerName: r?.spec.fqdn,
    });
    return runInSandbox(kubeconfig, command);
  }

  async closeAll(): Promise<void> {
    this.unwatchHandovers?.();
    this.unwatchHandovers = undefined;
    await Promise.all([...this.running.keys()].map((id) => this.stop(id)));
  }

  // --- strategy context: IP allocation -------------------------------------------------------

  /** Allocations read the services through tx, so two concurrent creates cannot both take one address. */
  private strategyContext(id: string, internal: boolean, tx: Pick<Txn, "list">): StrategyContext {
    const r = this.running.get(id);
    const spec = r?.spec;
    const reg = r?.registry;
    const used = () => {
      const ips = new Set<string>();
      const ports = new Set<number>();
      if (reg) {
        for (const e of tx.list<Obj>(`${reg.prefix}core/services/`)) {
          for (const ip of (e.value.spec?.clusterIPs ?? [e.value.spec?.clusterIP]) as string[]) if (ip) ips.add(ip);
          for (const p of (e.value.spec?.ports ?? []) as Obj[]) if (p.nodePort) ports.add(p.nodePort);
        }
      }
      return { ips, ports };
    };
    return {
      now: Date.now(),
      internal,
      clusterCaPem: () => this.pki.caPem,
      allocateClusterIP: (ns, name) => {
        const serviceCidr = spec?.serviceCidr ?? "10.0.0.0/16";
        const cidr = requireCidr(serviceCidr);
        const { ips } = used();
        const reserved = new Set([kubernetesServiceIP(serviceCidr), spec?.dnsServiceIP ?? ""]);
        // Like kube: a pseudo-random address in the range (stable per name here), probing upward;
        // never the network address nor the last one.
        const span = Math.max(1, Number(size(cidr)) - 2);
        const start = fnv32a(`${ns}/${name}`) % span;
        for (let i = 0; i < span; i++) {
          const ip = formatAddress(addressAt(cidr, 1 + ((start + i) % span))!);
          if (!ips.has(ip) && !reserved.has(ip)) return ip;
        }
        throw new StatusError(500, "InternalError", "Internal error occurred: failed to allocate a serviceIP: range is full");
      },
      allocateNodePort: () => {
        const { ports } = used();
        for (let i = 0; i < 2768; i++) {
          const p = 30000 + ((fnv32a(`${Date.now()}-${i}`) + i) % 2768);
          if (!ports.has(p)) return p;
        }
        throw new StatusError(500, "InternalError", "Internal error occurred: failed to allocate a nodePort: range is full");
      },
    };
  }
}

function serverSans(spec: KubeClusterSpec): string[] {
  const apiHost = spec.apiServerAddress.replace(/^https?:\/\//, "").replace(/:\d+$/, "");
  const sans = [
    "127.0.0.1",
    "localhost",
    spec.fqdn,
    ...(spec.extraSans ?? []),
    apiHost,
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
    kubernetesServiceIP(spec.serviceCidr),
  ];
  return [...new Set(sans.filter(Boolean))].sort();
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
}

function issuedBy(certPem: string, caPem: string): boolean {
  try {
    return new X509Certificate(certPem).checkIssued(new X509Certificate(caPem)) && Date.parse(new X509Certificate(certPem).validTo) > Date.now() + 86_400_000;
  } catch {
    return false;
  }
}

function listen(server: https.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off("listening", onListening);
      reject(err);
    };
    const onListening = () => {
      server.off("error", onError);
      const a = server.address();
      resolve(typeof a === "object" && a ? a.port : port);
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}

function simNodes(spec: KubeClusterSpec): SimNodeSpec[] {
  return spec.nodes.map((n) => ({ ...n }));
}

function simInfo(spec: KubeClusterSpec) {
  return {
    kubernetesVersion: spec.kubernetesVersion,
    location: spec.location,
    networkPlugin: spec.networkPlugin,
    networkPluginMode: spec.networkPluginMode,
    apiServerAddress: spec.apiServerAddress,
    apiServerIP: spec.apiServerIP,
    kubeletIdentityClientId: spec.kubeletIdentityClientId,
    nodes: simNodes(spec),
  };
}

function seedInfo(spec: KubeClusterSpec, caPem: string): SeedInfo {
  return { ...simInfo(spec), nodeResourceGroup: spec.nodeResourceGroup, serviceCidr: spec.serviceCidr, dnsServiceIP: spec.dnsServiceIP, caPem, fqdn: spec.fqdn };
}

