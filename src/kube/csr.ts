// CertificateSigningRequest flow (certificates.k8s.io/v1): the requester's identity is recorded
// on create; `kubectl certificate approve|deny` writes the approval subresource; an approved
// request for a built-in signer is signed by the cluster CA (kube-controller-manager's signer).
import { X509Certificate } from "node:crypto";
import type { UserInfo } from "./auth/rbac.js";
import { strategyFor } from "./catalog.js";
import { cause, errors } from "./errors.js";
import type { Registry } from "./registry.js";
import { isObj, nowTime, type Obj } from "./util.js";

const csrS = strategyFor("certificatesigningrequests", "certificates.k8s.io");

export type CsrSigner = (o: { csrPem: string; serverAuth: boolean; clientAuth: boolean; expirationSeconds?: number }) => Promise<string>;

const SIGNED_BY_CA = new Set(["kubernetes.io/kube-apiserver-client", "kubernetes.io/kube-apiserver-client-kubelet", "kubernetes.io/kubelet-serving"]);

/** Server-set spec fields: who asked (never taken from the client). */
export function stampRequester(body: unknown, user: UserInfo): void {
  if (!isObj(body)) return;
  const spec = (body.spec = isObj(body.spec) ? body.spec : {});
  spec.username = user.name;
  spec.groups = user.groups;
  if (user.uid) spec.uid = user.uid;
  else delete spec.uid;
  if (user.extra) spec.extra = user.extra;
  else delete spec.extra;
}

/** PUT .../approval: only status.conditions change (Approved / Denied, mutually exclusive). */
export async function updateApproval(reg: Registry, name: string, body: unknown, manager: string): Promise<Obj> {
  const conds = isObj(body) && isObj(body.status) && Array.isArray(body.status.conditions) ? (body.status.conditions as Obj[]) : [];
  const types = conds.map((c) => c?.type);
  const bad: ReturnType<typeof cause.invalid>[] = [];
  conds.forEach((c, i) => {
    if (!["Approved", "Denied", "Failed"].includes(c?.type)) bad.push(cause.notSupported(`status.conditions[${i}].type`, c?.type ?? "", ["Approved", "Denied", "Failed"]));
  });
  if (types.includes("Approved") && types.includes("Denied")) bad.push(cause.invalid(`status.conditions[${types.indexOf("Denied")}].type`, "Denied", "Approved and Denied conditions are mutually exclusive"));
  if (bad.length) throw errors.invalid("CertificateSigningRequest", "certificates.k8s.io", name, bad);
  const now = nowTime();
  const r = await reg.mutate(csrS, undefined, name, (o) => {
    o.status = isObj(o.status) ? o.status : {};
    o.status.conditions = conds.map((c) => ({ status: "True", lastUpdateTime: now, lastTransitionTime: now, ...c }));
  }, { fieldManager: manager, subresource: "status" });
  if (!r) throw errors.notFound("certificatesigningrequests", "certificates.k8s.io", name);
  return r.obj;
}

/** Sign an approved request for a built-in signer; no-op otherwise. */
export async function signIfApproved(reg: Registry, name: string, sign: CsrSigner | undefined): Promise<void> {
  const csr = reg.tryGet(csrS, undefined, name);
  if (!csr || !sign || csr.status?.certificate || !SIGNED_BY_CA.has(csr.spec?.signerName)) return;
  const conds = (csr.status?.conditions ?? []) as Obj[];
  if (!conds.some((c) => c.type === "Approved" && c.status === "True") || conds.some((c) => c.type === "Denied" || c.type === "Failed")) return;
  const usages = (csr.spec?.usages ?? []) as string[];
  let cert: string;
  try {
    cert = await sign({
      csrPem: Buffer.from(String(csr.spec.request), "base64").toString("utf8"),
      clientAuth: usages.includes("client auth"),
      serverAuth: usages.includes("server auth"),
      expirationSeconds: csr.spec.expirationSeconds,
    });
  } catch (err) {
    const now = nowTime();
    await reg.mutate(csrS, undefined, name, (o) => {
      o.status.conditions = [...((o.status.conditions ?? []) as Obj[]), { type: "Failed", status: "True", reason: "SignerValidationFailure", message: String((err as Error).message), lastUpdateTime: now, lastTransitionTime: now }];
    }, { fieldManager: "kube-controller-manager", internal: true, subresource: "status" });
    return;
  }
  await reg.mutate(csrS, undefined, name, (o) => (o.status.certificate = Buffer.from(cert).toString("base64")), { fieldManager: "kube-controller-manager", internal: true, subresource: "status" });
}

/** Fingerprints of certificates this cluster issued through CSRs (accepted like its own credentials). */
export function issuedFingerprints(reg: Registry): Set<string> {
  const out = new Set<string>();
  for (const c of reg.list(csrS, undefined).items) {
    if (!c.status?.certificate || c.spec?.signerName !== "kubernetes.io/kube-apiserver-client") continue;
    try {
      out.add(new X509Certificate(Buffer.from(String(c.status.certificate), "base64")).fingerprint256);
    } catch {
      // not a certificate we can read: never accepted
    }
  }
  return out;
}
