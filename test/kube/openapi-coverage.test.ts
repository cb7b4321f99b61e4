// Pure checks of what the API server publishes about itself: every served built-in kind has
// kube-apiserver's schema in OpenAPI v2 and v3 (with the patch metadata kubectl's strategic
// merge relies on, and the same merge keys the registry uses), docs/coverage.md names every
// served group/version and kind, and the RBAC escalation rule cover check.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { uncovered } from "../../src/kube/auth/escalation.js";
import { builtinKinds } from "../../src/kube/catalog.js";
import { openapiV2Json, openapiV2Protobuf, openapiV3Doc, openapiV3Index } from "../../src/kube/openapi.js";
import type { Obj } from "../../src/kube/util.js";
import { repoRoot } from "./harness.js";

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; items?: Schema; allOf?: Schema[]; $ref?: string };

const gvks = (s: Schema) => (s["x-kubernetes-group-version-kind"] ?? []) as { group: string; version: string; kind: string }[];

test("every served built-in kind publishes kube-apiserver's schema in v2 and v3", () => {
  const v2 = openapiV2Json("1.31.2") as { definitions: Record<string, Schema> };
  for (const s of builtinKinds.all()) {
    // metrics.k8s.io is metrics-server's API on AKS; its schema is not in kube-apiserver's own.
    if (s.view) continue;
    const { group, version, kind } = s.info;
    const has = (defs: Record<string, Schema>) => Object.values(defs).some((d) => gvks(d).some((g) => g.group === group && g.version === version && g.kind === kind));
    assert.ok(has(v2.definitions), `v2 lacks ${group}/${version} ${kind}`);
    const v3 = openapiV3Doc(group, version, "1.31.2") as { components: { schemas: Record<string, Schema> } };
    assert.ok(has(v3.components.schemas), `v3 lacks ${group}/${version} ${kind}`);
    // Each v3 document is closed: every $ref resolves inside it.
    const text = JSON.stringify(v3.components.schemas);
    for (const m of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) assert.ok(v3.components.schemas[m[1]!], `${group}/${version}: dangling ${m[1]}`);
  }
  // Nothing is published for a kind the server does not serve.
  for (const d of Object.values(v2.definitions))
    for (const g of gvks(d).filter((x) => x.kind !== "DeleteOptions" && x.kind !== "WatchEvent"))
      assert.ok(builtinKinds.lookupKind(g.group, g.kind), `v2 publishes ${g.group}/${g.version} ${g.kind}, which is not served`);
  const index = openapiV3Index("1.31.2") as { paths: Record<string, { serverRelativeURL: string }> };
  assert.match(index.paths["apis/apps/v1"]!.serverRelativeURL, /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);
  assert.ok(openapiV2Protobuf("1.31.2").length > 500_000, "the protobuf document carries the definitions");
});

test("the published merge keys are the ones the registry's strategic merge uses", () => {
  const defs = (openapiV2Json("1.31.2") as { definitions: Record<string, Schema> }).definitions;
  const podSpec = defs["io.k8s.api.core.v1.PodSpec"]!.properties!;
  assert.equal(podSpec.containers!["x-kubernetes-patch-merge-key"], "name");
  assert.equal(podSpec.containers!["x-kubernetes-patch-strategy"], "merge");
  assert.equal(defs["io.k8s.api.core.v1.Container"]!.properties!.ports!["x-kubernetes-patch-merge-key"], "containerPort");
  assert.deepEqual(defs["io.k8s.api.core.v1.ServiceSpec"]!.properties!.ports!["x-kubernetes-list-map-keys"], ["port", "protocol"]);
  assert.equal(defs["io.k8s.api.policy.v1.PodDisruptionBudgetSpec"]!.properties!.selector!["x-kubernetes-patch-strategy"], "replace");
  // The registry's own patch metadata agrees with the published schema for the pod template.
  const deploy = builtinKinds.lookupKind("apps", "Deployment")!;
  const meta = (deploy.patchMeta ?? {}) as Record<string, { key?: string }>;
  assert.equal(meta["spec.template.spec.containers"]?.key, "name");
  // v3 wraps a $ref that has siblings in allOf, as kube-apiserver's v3 documents do.
  const apps = openapiV3Doc("apps", "v1", "1.31.2") as { components: { schemas: Record<string, Schema> } };
  const spec = apps.components.schemas["io.k8s.api.apps.v1.Deployment"]!.properties!.spec!;
  assert.deepEqual(spec.allOf, [{ $ref: "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec" }]);
});

test("every merge key of the registry's strategic merge matches the published schema's", () => {
  const defs = (openapiV2Json("1.31.2") as { definitions: Record<string, Schema> }).definitions;
  const deref = (s: Schema | undefined): Schema | undefined => (s?.$ref ? defs[s.$ref.replace("#/definitions/", "")] : s);
  const checked: string[] = [];
  for (const s of builtinKinds.all()) {
    const root = Object.values(defs).find((d) => gvks(d).some((g) => g.group === s.info.group && g.version === s.info.version && g.kind === s.info.kind));
    for (const [p, m] of Object.entries((s.patchMeta ?? {}) as Record<string, { key?: string }>)) {
      if (!m.key) continue;
      let node: Schema | undefined = root;
      let prop: Schema | undefined;
      for (const seg of p.split(".")) {
        node = deref(node);
        if (node?.type === "array" || node?.items) node = deref(node.items);
        prop = node?.properties?.[seg];
        node = prop;
      }
      // A kind stored in another version's form (autoscaling/v1 HPA) keys that form's lists too.
      if (!prop && s.toStorage) continue;
      assert.ok(prop, `${s.info.kind}: ${p} is not in the published schema`);
      // A few status condition lists are list-type map for server-side apply but have no
      // strategic merge key; the registry keys them by the list-map key (clients only write
      // them through server-side apply or whole-object updates of /status).
      const listMap = prop!["x-kubernetes-list-type"] === "map" && JSON.stringify(prop!["x-kubernetes-list-map-keys"]) === JSON.stringify([m.key]);
      if (!(p === "status.conditions" && listMap)) assert.equal(prop!["x-kubernetes-patch-merge-key"], m.key, `${s.info.kind}: ${p}`);
      checked.push(`${s.info.kind}:${p}`);
    }
  }
  assert.ok(checked.length > 50, `only ${checked.length} merge keys checked`);
});

test("docs/coverage.md lists every served group/version and kind", () => {
  const doc = fs.readFileSync(path.join(repoRoot, "docs/coverage.md"), "utf8");
  const rows = new Map<string, string>();
  for (const line of doc.split("\n")) {
    const m = /^\| (`[^|]+) \| ([^|]+) \|/.exec(line);
    if (m) for (const gv of m[1]!.matchAll(/`([^`]+)`/g)) rows.set(gv[1]!, m[2]!);
  }
  for (const s of builtinKinds.all()) {
    const gv = s.info.group ? `${s.info.group}/${s.info.version}` : s.info.version;
    const row = rows.get(gv);
    assert.ok(row, `docs/coverage.md has no row for ${gv}`);
    assert.match(row!, new RegExp(`\\b${s.info.kind}\\b`), `docs/coverage.md's ${gv} row does not name ${s.info.kind}`);
  }
});

test("escalation cover check: verbs, subresource wildcards, resource names, non-resource URLs", () => {
  const rule = (verbs: string[], resources: string[], extra: Obj = {}): Obj => ({ apiGroups: [""], verbs, resources, ...extra });
  assert.deepEqual(uncovered([rule(["*"], ["pods"])], [rule(["get", "delete"], ["pods"])]), []);
  assert.deepEqual(uncovered([rule(["get"], ["*/scale"])], [rule(["get"], ["deployments/scale"])]), []);
  assert.equal(uncovered([rule(["get"], ["pods"], { resourceNames: ["a"] })], [rule(["get"], ["pods"])]).length, 1);
  assert.deepEqual(uncovered([rule(["get"], ["pods"])], [rule(["get"], ["pods"], { resourceNames: ["a"] })]), []);
  assert.deepEqual(uncovered([{ verbs: ["get"], nonResourceURLs: ["/healthz/*"] }], [{ verbs: ["get"], nonResourceURLs: ["/healthz/etcd"] }]), []);
  const missing = uncovered([rule(["get"], ["pods"])], [rule(["get", "list"], ["pods", "secrets"])]);
  assert.deepEqual(missing.map((r) => `${r.resources[0]}:${r.verbs[0]}`), ["pods:list", "secrets:get", "secrets:list"]);
});
