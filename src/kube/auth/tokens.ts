// Service account tokens (TokenRequest, `kubectl create token`): RS256 JWTs signed with a
// per-cluster key kept under kube/<id>/_sa, with kube's claims (k/k pkg/serviceaccount/claims.go).
// Verification checks signature, expiry, audience, and that the service account (and a bound
// object) still exists with the same uid.
import { createPrivateKey, createPublicKey, generateKeyPair, randomUUID, sign, verify, type KeyObject } from "node:crypto";
import { strategyFor } from "../catalog.js";
import type { Registry } from "../registry.js";
import { isObj, type Obj } from "../util.js";
import type { UserInfo } from "./rbac.js";

export const API_AUDIENCE = "https://kubernetes.default.svc.cluster.local";
export const ISSUER = "https://kubernetes.default.svc.cluster.local";
/** AKS caps token lifetime at 24 h (longer requests are lowered). */
export const MAX_EXPIRATION_SECONDS = 24 * 3600;

const saS = strategyFor("serviceaccounts");
const keys = new WeakMap<Registry, { priv: KeyObject; pub: KeyObject; kid: string }>();

const keyName = (reg: Registry) => `kube/${reg.clusterId}/_sa`;

/**
 * Make sure the cluster has its signing key (generated once, kept in the store): called when the
 * cluster's API starts, before any token is issued or checked. Of two racing starters the first
 * commit wins and both use its key.
 */
export async function ensureSigningKey(reg: Registry): Promise<void> {
  const key = keyName(reg);
  if (reg.store.get(key)) return;
  const pem = await takeRsaKey();
  await reg.store.txn((tx) => {
    if (!tx.get(key)) tx.put(key, { privateKeyPem: pem });
  });
}

// RSA-2048 generation takes 100-600 ms of CPU (kube signs service-account tokens RS256 by default,
// so the key stays RSA). Keys are made ahead on the thread pool, so a cluster's API start takes a
// ready (or half-made) one instead of blocking the event loop for a whole generation.
const POOL_SIZE = 2;
const pool: Array<Promise<string>> = [];

function generatePem(): Promise<string> {
  const p = new Promise<string>((resolve, reject) =>
    generateKeyPair("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } }, (err, _pub, priv) =>
      err ? reject(err) : resolve(priv)),
  );
  // Until someone takes it, a failure is nobody's: the taker sees it (and generates again).
  p.catch(() => undefined);
  return p;
}

/** Start making keys ahead (idempotent): called when a cluster's API is about to start. */
export function warmSigningKeys(): void {
  while (pool.length < POOL_SIZE) pool.push(generatePem());
}

/**
 * Refill a second after a take, not at once: on a 2-core machine the generation would otherwise
 * share the CPU with the rest of the new cluster's start (its API, its simulation).
 */
const REFILL_DELAY_MS = 1000;

/** A fresh RSA-2048 private key (PKCS#8 PEM), from the pool; each key is handed out once. */
async function takeRsaKey(): Promise<string> {
  const next = pool.shift() ?? generatePem();
  setTimeout(warmSigningKeys, REFILL_DELAY_MS).unref();
  return next.catch(() => generatePem());
}

function keyOf(reg: Registry): { priv: KeyObject; pub: KeyObject; kid: string } {
  let k = keys.get(reg);
  if (k) return k;
  const pem = reg.store.get<{ privateKeyPem: string }>(keyName(reg))?.value.privateKeyPem;
  if (!pem) throw new Error(`cluster ${reg.clusterId} has no service-account signing key yet (ensureSigningKey)`);
  const priv = createPrivateKey(pem);
  const pub = createPublicKey(priv);
  const kid = Buffer.from(pub.export({ type: "spki", format: "der" })).subarray(-16).toString("base64url");
  k = { priv, pub, kid };
  keys.set(reg, k);
  return k;
}

const b64 = (x: unknown) => Buffer.from(JSON.stringify(x)).toString("base64url");

export interface BoundObject {
  kind: "Pod" | "Secret" | "Node";
  name: string;
  uid: string;
}

export function issueToken(reg: Registry, sa: Obj, audiences: string[], expirationSeconds: number, bound?: BoundObject, nowMs = Date.now()): { token: string; exp: number } {
  const { priv, kid } = keyOf(reg);
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + expirationSeconds;
  const k8s: Obj = { namespace: sa.metadata.namespace, serviceaccount: { name: sa.metadata.name, uid: sa.metadata.uid } };
  if (bound) k8s[bound.kind.toLowerCase()] = { name: bound.name, uid: bound.uid };
  const claims = { aud: audiences, exp, iat, iss: ISSUER, jti: randomUUID(), "kubernetes.io": k8s, nbf: iat, sub: `system:serviceaccount:${sa.metadata.namespace}:${sa.metadata.name}` };
  const head = `${b64({ alg: "RS256", kid })}.${b64(claims)}`;
  const sig = sign("sha256", Buffer.from(head), priv).toString("base64url");
  return { token: `${head}.${sig}`, exp };
}

export type TokenCheck = { user: UserInfo; audiences: string[] } | { error: string } | undefined;

/** undefined = not a service account token of this cluster; { error } = ours but invalid. */
export function verifyToken(reg: Registry, token: string, audiences: string[] = [API_AUDIENCE], nowMs = Date.now()): TokenCheck {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  let header: Obj;
  let claims: Obj;
  try {
    header = JSON.parse(Buffer.from(parts[0]!, "base64url").toString("utf8"));
    claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (!isObj(header) || !isObj(claims) || header.alg !== "RS256" || claims.iss !== ISSUER) return undefined;
  const { pub, kid } = keyOf(reg);
  if (header.kid !== kid) return undefined;
  if (!verify("sha256", Buffer.from(`${parts[0]}.${parts[1]}`), pub, Buffer.from(parts[2]!, "base64url"))) return undefined;
  if (typeof claims.exp !== "number" || claims.exp * 1000 <= nowMs) return { error: "service account token has expired" };
  const aud = (Array.isArray(claims.aud) ? claims.aud : [claims.aud]) as string[];
  const matched = audiences.filter((a) => aud.includes(a));
  if (!matched.length) return { error: "token audiences " + JSON.stringify(aud) + " is invalid for the target audiences " + JSON.stringify(audiences) };
  const k8s = claims["kubernetes.io"] ?? {};
  const ns = k8s.namespace;
  const saName = k8s.serviceaccount?.name;
  const sa = ns && saName ? reg.tryGet(saS, ns, saName) : undefined;
  if (!sa) return { error: `serviceaccounts "${saName}" not found` };
  if (sa.metadata.uid !== k8s.serviceaccount?.uid) return { error: `service account UID (${sa.metadata.uid}) does not match claim (${k8s.serviceaccount?.uid})` };
  for (const kind of ["pod", "secret"] as const) {
    const b = k8s[kind];
    if (!isObj(b)) continue;
    const o = reg.tryGet(strategyFor(kind === "pod" ? "pods" : "secrets"), ns, b.name);
    if (!o || o.metadata.uid !== b.uid || o.metadata.deletionTimestamp) return { error: "service account token has been invalidated" };
  }
  const extra: Record<string, string[]> = { "authentication.kubernetes.io/credential-id": [`JTI=${claims.jti}`] };
  if (isObj(k8s.pod)) {
    extra["authentication.kubernetes.io/pod-name"] = [k8s.pod.name];
    extra["authentication.kubernetes.io/pod-uid"] = [k8s.pod.uid];
  }
  return {
    user: { name: claims.sub, uid: sa.metadata.uid, groups: ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"], extra },
    audiences: matched,
  };
}
