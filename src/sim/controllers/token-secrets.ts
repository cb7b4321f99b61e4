// Legacy service account token Secrets (type kubernetes.io/service-account-token): the token
// controller fills data.token, ca.crt and namespace for the named service account. The token is
// bound to the Secret, so deleting the Secret (or the service account) revokes it.
import { issueToken } from "../../kube/auth/tokens.js";
import { strategyFor } from "../../kube/catalog.js";
import { StatusError } from "../../kube/errors.js";
import type { Controller, SimContext } from "../types.js";

const secretS = strategyFor("secrets");
const saS = strategyFor("serviceaccounts");
const TYPE = "kubernetes.io/service-account-token";
/** Legacy tokens never expire; ten years stands in for "no exp claim". */
const LIFETIME = 10 * 365 * 86400;

async function fill(ctx: SimContext, ns: string, name: string): Promise<void> {
  const sec = ctx.registry.tryGet(secretS, ns, name);
  if (!sec || sec.type !== TYPE || sec.data?.token || sec.metadata.deletionTimestamp) return;
  const saName = sec.metadata.annotations?.["kubernetes.io/service-account.name"];
  const sa = saName ? ctx.registry.tryGet(saS, ns, saName) : undefined;
  if (!sa) return;
  const { token } = issueToken(ctx.registry, sa, ["https://kubernetes.default.svc.cluster.local"], LIFETIME, { kind: "Secret", name, uid: sec.metadata.uid });
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  try {
    await ctx.registry.mutate(secretS, ns, name, (o) => {
      o.metadata.annotations = { ...(o.metadata.annotations ?? {}), "kubernetes.io/service-account.uid": sa.metadata.uid };
      o.data = { ...(o.data ?? {}), "ca.crt": b64(ctx.info().caPem ?? ""), namespace: b64(ns), token: b64(token) };
    }, { fieldManager: "kube-controller-manager", internal: true });
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 404)) throw err;
  }
}

export const tokenSecretController: Controller = {
  name: "serviceaccount-token",
  watches: ["core/secrets"],
  onChange(ctx, ch) {
    if (ch.type !== "put" || ch.value?.type !== TYPE || ch.value.data?.token) return;
    const p = ctx.cache.parse(ch.key);
    if (p?.namespace) ctx.enqueue(`sa-token:${ch.key}`, () => fill(ctx, p.namespace!, p.name), 0);
  },
};
