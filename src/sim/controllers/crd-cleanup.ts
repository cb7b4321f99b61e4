// customresourcecleanup: deleting a CustomResourceDefinition deletes every object of it
// (apiextensions' crd_finalizer). The registry removes the CRD at once; this controller then
// empties its storage, so recreating the CRD starts empty.
import { strategiesFor } from "../../kube/crd/custom.js";
import { StatusError } from "../../kube/errors.js";
import type { Obj } from "../../kube/util.js";
import type { Controller, SimContext } from "../types.js";

const STORAGE = "apiextensions.k8s.io/customresourcedefinitions";

async function cleanup(ctx: SimContext, crd: Obj): Promise<void> {
  const name = crd.metadata?.name;
  // Recreated meanwhile: its objects are the new CRD's.
  if (ctx.cache.getObj(STORAGE, undefined, name)) return;
  const s = strategiesFor({ ...crd, spec: { ...crd.spec, versions: ((crd.spec?.versions ?? []) as Obj[]).map((v) => ({ ...v, served: true })) } }).find((x) => x.storageVersion);
  if (!s) return;
  const storage = `${s.info.group}/${s.info.resource}`;
  for (const c of ctx.cache.list(storage)) {
    try {
      const o = ctx.registry.tryGet(s, c.namespace, c.name);
      if (o?.metadata.finalizers?.length) await ctx.registry.mutate(s, c.namespace, c.name, (x) => (x.metadata.finalizers = []), { fieldManager: "apiextensions-apiserver", internal: true });
      if (ctx.registry.tryGet(s, c.namespace, c.name)) await ctx.registry.delete(s, c.namespace, c.name, { gracePeriodSeconds: 0 });
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  }
}

export const crdCleanupController: Controller = {
  name: "crd-cleanup",
  watches: [STORAGE],
  onChange(ctx, ch) {
    if (ch.type !== "delete") return;
    const crd = (ch.prev ?? ch.value) as Obj;
    if (!crd?.metadata) return;
    ctx.enqueue(`crd-cleanup:${crd.metadata?.name}`, () => cleanup(ctx, crd), 0);
  },
};
