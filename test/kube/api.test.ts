// The API over raw HTTPS: contract details and bad input, each answered with the right
// Status while the server stays up.
import assert from "node:assert/strict";
import https from "node:https";
import fs from "node:fs";
import { after, before, describe, test } from "node:test";
import YAML from "yaml";
import { startEnv, type Env } from "./harness.js";

interface Resp {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe("kube API contract", () => {
  let e: Env;
  let token = "";
  let ca = "";

  function req(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, auth = true): Promise<Resp> {
    return new Promise((resolve, reject) => {
      const r = https.request(
        {
          host: "127.0.0.1",
          port: e.port,
          method,
          path,
          ca,
          servername: e.spec.fqdn,
          headers: {
            ...(auth ? { Authorization: `Bearer ${token}` } : {}),
            ...(body !== undefined ? { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)) } : {}),
            ...headers,
          },
          timeout: 15_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json });
          });
        },
      );
      r.on("timeout", () => r.destroy(new Error("request timeout")));
      r.on("error", reject);
      if (body !== undefined) r.write(body);
      r.end();
    });
  }

  /** Collect watch lines until n events arrived (or the stream ends). */
  function watch(path: string, n: number, during?: () => Promise<unknown>): Promise<{ status: number; events: any[] }> {
    return new Promise((resolve, reject) => {
      const r = https.request({ host: "127.0.0.1", port: e.port, path, ca, servername: e.spec.fqdn, headers: { Authorization: `Bearer ${token}` } }, (res) => {
        let buf = "";
        const events: unknown[] = [];
        const timer = setTimeout(() => {
          r.destroy();
          resolve({ status: res.statusCode ?? 0, events });
        }, 10_000);
        if (during) during().catch(reject);
        res.on("data", (c) => {
          buf += String(c);
          let i;
          while ((i = buf.indexOf("\n")) >= 0) {
            events.push(JSON.parse(buf.slice(0, i)));
            buf = buf.slice(i + 1);
          }
          if (events.length >= n) {
            clearTimeout(timer);
            r.destroy();
            resolve({ status: res.statusCode ?? 0, events });
          }
        });
        res.on("end", () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, events });
        });
      });
      r.on("error", (err) => (String(err).includes("socket hang up") ? undefined : reject(err)));
      r.end();
    });
  }

  before(async () => {
    e = await startEnv();
    const kc = YAML.parse(fs.readFileSync(e.kubeconfig, "utf8"));
    token = kc.users[0].user.token;
    ca = Buffer.from(kc.clusters[0].cluster["certificate-authority-data"], "base64").toString();
  });
  after(async () => {
    await e?.close();
  });

  const cm = (name: string, data: Record<string, string> = { a: "1" }) => JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data });

  test("version, discovery, openapi", async () => {
    const v = await req("GET", "/version", undefined, {}, false);
    assert.equal(v.json.gitVersion, "v1.31.2");
    const api = await req("GET", "/api", undefined, { Accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json" });
    assert.equal(api.status, 200);
    assert.equal(api.headers["content-type"], "application/json");
    assert.equal(api.json.kind, "APIVersions");
    const apps = await req("GET", "/apis/apps/v1");
    assert.ok(apps.json.resources.some((r: any) => r.name === "deployments/scale" && r.kind === "Scale"));
    const v2 = await req("GET", "/openapi/v2", undefined, { Accept: "application/com.github.proto-openapi.spec.v2@v1.0+protobuf" });
    assert.equal(v2.headers["content-type"], "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    const v3 = await req("GET", "/openapi/v3");
    const url = v3.json.paths["apis/apps/v1"].serverRelativeURL as string;
    const doc = await req("GET", url);
    const patch = doc.json.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].patch;
    assert.ok(patch.parameters.some((p: any) => p.name === "fieldValidation"));
    assert.deepEqual(patch["x-kubernetes-group-version-kind"], { group: "apps", version: "v1", kind: "Deployment" });
  });

  test("no credentials → 401 Status; health stays public", async () => {
    const r = await req("GET", "/api/v1/namespaces", undefined, {}, false);
    assert.equal(r.status, 401);
    assert.equal(r.json.reason, "Unauthorized");
    const bad = await req("GET", "/api/v1/namespaces", undefined, { Authorization: "Bearer nope" }, false);
    assert.equal(bad.status, 401);
    assert.equal((await req("GET", "/healthz", undefined, {}, false)).body, "ok");
  });

  test("unknown kinds and paths → 404 NotFound Status", async () => {
    for (const p of ["/api/v1/namespaces/default/foos", "/apis/example.com/v1/widgets", "/apis/apps/v9/deployments", "/nope"]) {
      const r = await req("GET", p);
      assert.equal(r.status, 404, p);
      assert.equal(r.json.kind, "Status");
      assert.equal(r.json.message, "the server could not find the requested resource");
    }
    const nf = await req("GET", "/apis/apps/v1/namespaces/default/deployments/missing");
    assert.equal(nf.json.message, 'deployments.apps "missing" not found');
    assert.deepEqual(nf.json.details, { name: "missing", group: "apps", kind: "deployments" });
  });

  test("malformed JSON and YAML → 400 BadRequest", async () => {
    const j = await req("POST", "/api/v1/namespaces/default/configmaps", "{not json");
    assert.equal(j.status, 400);
    assert.equal(j.json.reason, "BadRequest");
    const y = await req("POST", "/api/v1/namespaces/default/configmaps", "a: [b\n  c: :", { "Content-Type": "application/yaml" });
    assert.equal(y.status, 400);
    const apply = await req("PATCH", "/api/v1/namespaces/default/configmaps/x?fieldManager=t", "a: [", { "Content-Type": "application/apply-patch+yaml" });
    assert.equal(apply.status, 400);
    const wrongKind = await req("POST", "/api/v1/namespaces/default/configmaps", JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "x" } }));
    assert.equal(wrongKind.status, 400);
  });

  test("create: 201, AlreadyExists 409, Invalid 422 with causes, generateName", async () => {
    const c = await req("POST", "/api/v1/namespaces/default/configmaps?fieldManager=t", cm("c1"));
    assert.equal(c.status, 201);
    assert.match(c.json.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(c.json.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.equal(c.json.metadata.managedFields[0].manager, "t");
    const dup = await req("POST", "/api/v1/namespaces/default/configmaps", cm("c1"));
    assert.equal(dup.status, 409);
    assert.equal(dup.json.reason, "AlreadyExists");
    const inv = await req("POST", "/apis/apps/v1/namespaces/default/deployments", JSON.stringify({ metadata: { name: "Bad_Name" }, spec: { replicas: -1 } }));
    assert.equal(inv.status, 422);
    assert.equal(inv.json.reason, "Invalid");
    assert.ok(inv.json.details.causes.length >= 1);
    const gen = await req("POST", "/api/v1/namespaces/default/configmaps", JSON.stringify({ metadata: { generateName: "gen-" } }));
    assert.match(gen.json.metadata.name, /^gen-[a-z0-9]{5}$/);
    const ns = await req("POST", "/api/v1/namespaces/nonexistent/configmaps", cm("x"));
    assert.equal(ns.status, 404);
  });

  test("malformed % escapes in the path → 400 BadRequest Status; huge watch timeoutSeconds is clamped, not overflowed", async () => {
    for (const p of ["/api/v1/namespaces/%zz/configmaps", "/api/v1/namespaces/default/configmaps/a%E0%A4%A"]) {
      const r = await req("GET", p);
      assert.equal(r.status, 400, `${p}: ${r.body}`);
      assert.equal(r.json.kind, "Status");
      assert.equal(r.json.reason, "BadRequest");
    }
    const w = await watch("/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3Dwbig&timeoutSeconds=99999999999", 1, () =>
      req("POST", "/api/v1/namespaces/default/configmaps", cm("wbig")));
    assert.equal(w.status, 200);
    assert.equal(w.events[0]?.type, "ADDED", JSON.stringify(w.events));
  });

  test("optimistic concurrency: stale resourceVersion → 409 Conflict; no-op keeps RV", async () => {
    const c = (await req("POST", "/api/v1/namespaces/default/configmaps", cm("occ"))).json;
    const upd = await req("PUT", "/api/v1/namespaces/default/configmaps/occ", JSON.stringify({ ...c, data: { a: "2" } }));
    assert.equal(upd.status, 200);
    const stale = await req("PUT", "/api/v1/namespaces/default/configmaps/occ", JSON.stringify({ ...c, data: { a: "3" } }));
    assert.equal(stale.status, 409);
    assert.equal(stale.json.reason, "Conflict");
    assert.match(stale.json.message, /the object has been modified/);
    const noop = await req("PATCH", "/api/v1/namespaces/default/configmaps/occ", JSON.stringify({ data: { a: "2" } }), { "Content-Type": "application/merge-patch+json" });
    assert.equal(noop.json.metadata.resourceVersion, upd.json.metadata.resourceVersion);
  });

  test("patch content types: 415 for unknown, apply needs fieldManager, json-patch errors 422", async () => {
    await req("POST", "/api/v1/namespaces/default/configmaps", cm("p1"));
    const u = await req("PATCH", "/api/v1/namespaces/default/configmaps/p1", "{}", { "Content-Type": "text/plain" });
    assert.equal(u.status, 415);
    assert.equal(u.json.reason, "UnsupportedMediaType");
    const cbor = await req("POST", "/api/v1/namespaces/default/configmaps", "x", { "Content-Type": "application/cbor" });
    assert.equal(cbor.status, 415);
    const noMgr = await req("PATCH", "/api/v1/namespaces/default/configmaps/p1", cm("p1"), { "Content-Type": "application/apply-patch+yaml" });
    assert.equal(noMgr.status, 422);
    assert.match(noMgr.json.message, /fieldManager: Required value: is required for apply patch/);
    const jp = await req("PATCH", "/api/v1/namespaces/default/configmaps/p1", '[{"op":"remove","path":"/data/zzz"}]', { "Content-Type": "application/json-patch+json" });
    assert.equal(jp.status, 422);
    const missing = await req("PATCH", "/api/v1/namespaces/default/configmaps/absent", "{}", { "Content-Type": "application/merge-patch+json" });
    assert.equal(missing.status, 404);
    const created = await req("PATCH", "/api/v1/namespaces/default/configmaps/by-apply?fieldManager=me", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: by-apply\ndata:\n  k: v\n", { "Content-Type": "application/apply-patch+yaml" });
    assert.equal(created.status, 201);
    assert.equal(created.json.metadata.managedFields[0].operation, "Apply");
  });

  test("strategic merge patch directives", async () => {
    const dep = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "smp", finalizers: ["a/b"] },
      spec: {
        selector: { matchLabels: { app: "smp" } },
        template: { metadata: { labels: { app: "smp" } }, spec: { containers: [{ name: "a", image: "x", env: [{ name: "E1", value: "1" }] }, { name: "b", image: "y" }] } },
      },
    };
    assert.equal((await req("POST", "/apis/apps/v1/namespaces/default/deployments", JSON.stringify(dep))).status, 201);
    const smp = {
      metadata: { $deleteFromPrimitiveList_placeholder: undefined, finalizers: ["c/d"] },
      spec: {
        template: {
          spec: {
            $setElementOrder$containers: undefined,
            "$setElementOrder/containers": [{ name: "b" }, { name: "a" }],
            containers: [{ name: "a", env: [{ name: "E2", value: "2" }] }, { name: "b", $patch: "delete" }],
          },
        },
      },
    };
    const r = await req("PATCH", "/apis/apps/v1/namespaces/default/deployments/smp", JSON.stringify(smp), { "Content-Type": "application/strategic-merge-patch+json" });
    assert.equal(r.status, 200, r.body);
    const cs = r.json.spec.template.spec.containers;
    assert.equal(cs.length, 1);
    assert.deepEqual(cs[0].env.map((x: any) => x.name), ["E1", "E2"]);
    assert.deepEqual(r.json.metadata.finalizers, ["a/b", "c/d"]);
    const del = await req("PATCH", "/apis/apps/v1/namespaces/default/deployments/smp", JSON.stringify({ metadata: { "$deleteFromPrimitiveList/finalizers": ["a/b", "c/d"] } }), { "Content-Type": "application/strategic-merge-patch+json" });
    assert.equal(del.json.metadata.finalizers, undefined);
    const rk = await req("PATCH", "/apis/apps/v1/namespaces/default/deployments/smp", JSON.stringify({ spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } } }), { "Content-Type": "application/strategic-merge-patch+json" });
    assert.deepEqual(rk.json.spec.strategy, { type: "Recreate" });
    assert.ok(rk.json.metadata.generation >= 2);
  });

  test("fieldValidation Strict/Warn/Ignore", async () => {
    const body = JSON.stringify({ metadata: { name: "fv" }, data: { a: "1" }, bogus: 1 });
    const s = await req("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict", body);
    assert.equal(s.status, 400);
    assert.match(s.json.message, /strict decoding error: unknown field "bogus"/);
    const w = await req("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Warn", body);
    assert.equal(w.status, 201);
    assert.match(String(w.headers["warning"]), /299 - "unknown field \\"bogus\\""/);
    const i = await req("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Ignore", JSON.stringify({ metadata: { name: "fv2" }, bogus: 1 }));
    assert.equal(i.status, 201);
    assert.equal(i.headers["warning"], undefined);
  });

  test("dryRun=All persists nothing", async () => {
    const r = await req("POST", "/api/v1/namespaces/default/configmaps?dryRun=All", cm("dry"));
    assert.equal(r.status, 201);
    assert.equal((await req("GET", "/api/v1/namespaces/default/configmaps/dry")).status, 404);
  });

  test("huge body → 413, server stays up", async () => {
    const big = JSON.stringify({ metadata: { name: "big" }, data: { a: "x".repeat(4 * 1024 * 1024) } });
    const r = await req("POST", "/api/v1/namespaces/default/configmaps", big);
    assert.equal(r.status, 413);
    assert.equal(r.json.reason, "RequestEntityTooLarge");
    assert.equal((await req("GET", "/api/v1/namespaces/default")).status, 200);
  });

  test("status subresource: main writes ignore status, /status writes only status", async () => {
    const d = (await req("GET", "/apis/apps/v1/namespaces/kube-system/deployments/coredns")).json;
    const main = await req("PATCH", "/apis/apps/v1/namespaces/kube-system/deployments/coredns", JSON.stringify({ status: { replicas: 99 } }), { "Content-Type": "application/merge-patch+json" });
    assert.equal(main.json.status.replicas, d.status.replicas);
    assert.equal(main.json.metadata.resourceVersion, d.metadata.resourceVersion);
    const st = await req("PATCH", "/apis/apps/v1/namespaces/kube-system/deployments/coredns/status", JSON.stringify({ spec: { replicas: 7 }, status: { observedGeneration: d.status.observedGeneration } }), { "Content-Type": "application/merge-patch+json" });
    assert.equal(st.status, 200);
    assert.equal(st.json.spec.replicas, d.spec.replicas);
    assert.equal(st.json.metadata.generation, d.metadata.generation);
  });

  test("Table output with PartialObjectMetadata rows", async () => {
    const t = await req("GET", "/api/v1/pods?limit=500", undefined, { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" });
    assert.equal(t.json.kind, "Table");
    assert.equal(t.json.apiVersion, "meta.k8s.io/v1");
    assert.deepEqual(t.json.columnDefinitions.map((c: any) => c.name), ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"]);
    assert.equal(t.json.rows[0].object.kind, "PartialObjectMetadata");
    assert.ok(t.json.rows[0].object.metadata.namespace);
  });

  test("list chunking, label and field selectors", async () => {
    const p1 = await req("GET", "/api/v1/pods?limit=4");
    assert.equal(p1.json.items.length, 4);
    assert.ok(p1.json.metadata.continue);
    let all = p1.json.items.length;
    let cont = p1.json.metadata.continue;
    while (cont) {
      const p = await req("GET", `/api/v1/pods?limit=4&continue=${encodeURIComponent(cont)}`);
      all += p.json.items.length;
      cont = p.json.metadata.continue;
    }
    assert.equal(all, (await req("GET", "/api/v1/pods")).json.items.length);
    const sel = await req("GET", "/api/v1/namespaces/kube-system/pods?labelSelector=" + encodeURIComponent("k8s-app in (kube-dns,metrics-server),!nope"));
    assert.equal(sel.json.items.length, 4);
    const node = e.spec.nodes[0]!.name;
    const fs2 = await req("GET", "/api/v1/pods?fieldSelector=" + encodeURIComponent(`spec.nodeName=${node},status.phase!=Failed`));
    assert.ok(fs2.json.items.length > 0 && fs2.json.items.every((p: any) => p.spec.nodeName === node));
    const badField = await req("GET", "/api/v1/pods?fieldSelector=spec.bogus%3Dx");
    assert.equal(badField.status, 400);
    const badLabel = await req("GET", "/api/v1/pods?labelSelector=" + encodeURIComponent("a in (b"));
    assert.equal(badLabel.status, 400);
  });

  test("watch: synthetic ADDED, live events, resume from RV, 410 Expired, bookmarks, Table events", async () => {
    const created = (await req("POST", "/api/v1/namespaces/default/configmaps", cm("w1"))).json;
    const w0 = await watch("/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3Dw1&resourceVersion=0", 2, () =>
      req("PATCH", "/api/v1/namespaces/default/configmaps/w1", JSON.stringify({ data: { a: "9" } }), { "Content-Type": "application/merge-patch+json" }),
    );
    assert.equal(w0.status, 200);
    assert.deepEqual(w0.events.map((x) => x.type), ["ADDED", "MODIFIED"]);
    assert.equal(w0.events[0].object.kind, "ConfigMap");
    const resumed = await watch(`/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3Dw1&resourceVersion=${created.metadata.resourceVersion}`, 1);
    assert.equal(resumed.events[0].type, "MODIFIED");
    assert.equal(resumed.events[0].object.data.a, "9");
    // Push the store's watch history past its window (outside this cluster's keys), then resume from an old RV.
    const oldRv = created.metadata.resourceVersion;
    await e.store.txn((tx) => {
      for (let i = 0; i < 20_050; i++) tx.put(`test/filler/${i}`, i);
    });
    await e.store.txn((tx) => tx.deletePrefix("test/filler/"));
    const expired = await watch(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${oldRv}`, 1);
    assert.equal(expired.events[0].type, "ERROR");
    assert.equal(expired.events[0].object.code, 410);
    assert.equal(expired.events[0].object.reason, "Expired");
    const timed = await watch("/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion=" + (await req("GET", "/api/v1/namespaces/default/configmaps")).json.metadata.resourceVersion, 5);
    assert.deepEqual(timed.events.map((x) => x.type), ["BOOKMARK"]);
    const tw = await watch("/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3Dw1", 1);
    assert.equal(tw.events[0].object.kind, "ConfigMap");
    const tableWatch = await new Promise<any[]>((resolve, reject) => {
      const r = https.request({ host: "127.0.0.1", port: e.port, path: "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1", ca, servername: e.spec.fqdn, headers: { Authorization: `Bearer ${token}`, Accept: "application/json;as=Table;v=v1;g=meta.k8s.io" } }, (res) => {
        let buf = "";
        res.on("data", (c) => (buf += String(c)));
        res.on("end", () => resolve(buf.trim().split("\n").map((l) => JSON.parse(l))));
      });
      r.on("error", reject);
      r.end();
    });
    assert.equal(tableWatch[0].object.kind, "Table");
    assert.ok(tableWatch[0].object.columnDefinitions.length > 0);
    assert.equal(tableWatch[1].object.columnDefinitions, null);
  });

  test("leases use MicroTime with 6 fractional digits", async () => {
    const l = await req("GET", `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${e.spec.nodes[0]!.name}`);
    assert.equal(l.status, 200);
    assert.match(l.json.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const created = await req("POST", "/apis/coordination.k8s.io/v1/namespaces/default/leases", JSON.stringify({ metadata: { name: "lock" }, spec: { holderIdentity: "me", renewTime: "2024-01-01T00:00:00.123456Z" } }));
    assert.equal(created.status, 201);
  });

  test("finalizers block deletion; cascading delete; Orphan and Foreground", async () => {
    await req("POST", "/api/v1/namespaces/default/configmaps", JSON.stringify({ metadata: { name: "fin", finalizers: ["example.com/hold"] } }));
    const d = await req("DELETE", "/api/v1/namespaces/default/configmaps/fin");
    assert.equal(d.status, 200);
    assert.ok(d.json.metadata.deletionTimestamp);
    assert.equal((await req("GET", "/api/v1/namespaces/default/configmaps/fin")).status, 200);
    await req("PATCH", "/api/v1/namespaces/default/configmaps/fin", JSON.stringify({ metadata: { finalizers: null } }), { "Content-Type": "application/merge-patch+json" });
    assert.equal((await req("GET", "/api/v1/namespaces/default/configmaps/fin")).status, 404);

    const mk = (name: string) =>
      req("POST", "/apis/apps/v1/namespaces/default/replicasets", JSON.stringify({ metadata: { name }, spec: { replicas: 2, selector: { matchLabels: { rs: name } }, template: { metadata: { labels: { rs: name } }, spec: { containers: [{ name: "c", image: "busybox" }] } } } }));
    await mk("orph");
    await e.host.idle(e.spec.id);
    assert.equal((await req("GET", "/api/v1/namespaces/default/pods?labelSelector=rs%3Dorph")).json.items.length, 2);
    await req("DELETE", "/apis/apps/v1/namespaces/default/replicasets/orph", JSON.stringify({ propagationPolicy: "Orphan" }));
    await e.host.idle(e.spec.id);
    const orphans = (await req("GET", "/api/v1/namespaces/default/pods?labelSelector=rs%3Dorph")).json.items;
    assert.equal(orphans.length, 2);
    assert.ok(orphans.every((p: any) => !p.metadata.ownerReferences?.length));

    await mk("fg");
    await e.host.idle(e.spec.id);
    const fg = await req("DELETE", "/apis/apps/v1/namespaces/default/replicasets/fg", JSON.stringify({ propagationPolicy: "Foreground" }));
    assert.ok(fg.json.metadata.finalizers.includes("foregroundDeletion"));
    await e.host.idle(e.spec.id);
    assert.equal((await req("GET", "/apis/apps/v1/namespaces/default/replicasets/fg")).status, 404);
    assert.equal((await req("GET", "/api/v1/namespaces/default/pods?labelSelector=rs%3Dfg")).json.items.length, 0);
  });

  test("deletecollection, methods not allowed, pods/log stub, scale subresource", async () => {
    await req("POST", "/api/v1/namespaces/default/configmaps", JSON.stringify({ metadata: { name: "dc1", labels: { grp: "x" } } }));
    await req("POST", "/api/v1/namespaces/default/configmaps", JSON.stringify({ metadata: { name: "dc2", labels: { grp: "x" } } }));
    const dc = await req("DELETE", "/api/v1/namespaces/default/configmaps?labelSelector=grp%3Dx");
    assert.equal(dc.status, 200);
    assert.equal((await req("GET", "/api/v1/namespaces/default/configmaps?labelSelector=grp%3Dx")).json.items.length, 0);
    assert.equal((await req("PUT", "/api/v1/namespaces/default/configmaps", "{}")).status, 405);
    const pod = (await req("GET", "/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns")).json.items[0];
    const log = await req("GET", `/api/v1/namespaces/kube-system/pods/${pod.metadata.name}/log`);
    assert.match(log.body, /coredns/);
    const sc = await req("GET", "/apis/apps/v1/namespaces/kube-system/deployments/coredns/scale");
    assert.equal(sc.json.kind, "Scale");
    assert.equal(sc.json.spec.replicas, 2);
    assert.match(sc.json.status.selector, /k8s-app=kube-dns/);
  });

  test("server survives garbage requests", async () => {
    for (const [m, p, b, ct] of [
      ["POST", "/api/v1/namespaces/default/configmaps", "[1,2,3]", "application/json"],
      ["POST", "/api/v1/namespaces/default/configmaps", "null", "application/json"],
      ["PUT", "/api/v1/namespaces/default/configmaps/x", '"str"', "application/json"],
      ["PATCH", "/api/v1/namespaces/default/configmaps/c1", "[[[", "application/strategic-merge-patch+json"],
      ["PATCH", "/api/v1/namespaces/default/configmaps/c1", '{"$patch":"bogus"}', "application/strategic-merge-patch+json"],
      ["POST", "/api/v1/namespaces/default/pods", JSON.stringify({ metadata: { name: "p" }, spec: { containers: "x" } }), "application/json"],
      ["GET", "/api/v1/namespaces/default/configmaps?limit=abc", undefined, "application/json"],
      ["POST", "/api/v1/namespaces/default/configmaps", "k8s\u0000garbage", "application/vnd.kubernetes.protobuf"],
    ] as [string, string, string | undefined, string][]) {
      const r = await req(m, p, b, { "Content-Type": ct });
      assert.ok(r.status >= 400 && r.status < 500, `${m} ${p} ${b}: ${r.status} ${r.body}`);
      assert.equal(r.json?.kind, "Status");
    }
    assert.equal((await req("GET", "/version")).status, 200);
  });
});
