// The JSON list path joins each object's cached serialized JSON (kube-apiserver's serialization
// cache). The bytes must be exactly what serialising the parsed list gives, before and after
// writes (a changed or deleted object never answers from the cache), page by page with limit and
// continue, per view when two kinds share storage (core and events.k8s.io Events).
import assert from "node:assert/strict";
import https from "node:https";
import fs from "node:fs";
import { after, before, describe, test } from "node:test";
import YAML from "yaml";
import { strategyFor } from "../../src/kube/catalog.js";
import type { Registry } from "../../src/kube/registry.js";
import { startEnv, type Env } from "./harness.js";

describe("kube list: serialized-object cache", () => {
  let e: Env;
  let reg: Registry;
  let token = "";
  let ca = "";

  function get(path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const r = https.request({ host: "127.0.0.1", port: e.port, path, ca, servername: e.spec.fqdn, headers: { Authorization: `Bearer ${token}` }, timeout: 15_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      });
      r.on("error", reject);
      r.end();
    });
  }

  /** What the list answer was before the cache: the parsed list, serialised whole. */
  function expected(kind: string, apiVersion: string, r: { items: unknown[]; resourceVersion: string; continue?: string }): string {
    const metadata: Record<string, unknown> = { resourceVersion: r.resourceVersion };
    if (r.continue) metadata.continue = r.continue;
    return JSON.stringify({ kind, apiVersion, metadata, items: r.items });
  }

  before(async () => {
    e = await startEnv();
    const kc = YAML.parse(fs.readFileSync(e.kubeconfig, "utf8"));
    token = kc.users[0].user.token;
    ca = Buffer.from(kc.clusters[0].cluster["certificate-authority-data"], "base64").toString();
    reg = e.host.registry(e.spec.id)!;
    await reg.create(strategyFor("namespaces"), undefined, { metadata: { name: "cache" } }, { fieldManager: "test" });
    for (let i = 0; i < 30; i++) {
      await reg.create(strategyFor("configmaps"), "cache", { metadata: { name: `cm-${String(i).padStart(2, "0")}`, labels: { half: String(i % 2) } }, data: { i: String(i), text: "ünïcödé \"quoted\" \\ <tag>" } }, { fieldManager: "test" });
    }
  });
  after(async () => {
    await e?.close();
  });

  const cms = strategyFor("configmaps");

  test("a JSON list is byte for byte the serialised parsed list, also on the second (cached) read", async () => {
    for (let round = 0; round < 2; round++) {
      const r = await get("/api/v1/namespaces/cache/configmaps");
      assert.equal(r.status, 200);
      assert.equal(r.body, expected("ConfigMapList", "v1", reg.list(cms, "cache")), `round ${round}`);
    }
  });

  test("after an update and a delete the list shows the new object and drops the old one", async () => {
    await get("/api/v1/namespaces/cache/configmaps"); // fill the cache
    const cur = reg.get(cms, "cache", "cm-03");
    await reg.update(cms, "cache", "cm-03", { ...cur, data: { i: "changed" } }, { fieldManager: "test" });
    await reg.delete(cms, "cache", "cm-04", {});
    const r = await get("/api/v1/namespaces/cache/configmaps");
    const body = JSON.parse(r.body);
    const c3 = body.items.find((x: any) => x.metadata.name === "cm-03"); // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.deepEqual(c3.data, { i: "changed" });
    assert.equal(c3.metadata.resourceVersion, reg.get(cms, "cache", "cm-03").metadata.resourceVersion);
    assert.ok(!body.items.some((x: any) => x.metadata.name === "cm-04"), "deleted object not listed"); // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(r.body, expected("ConfigMapList", "v1", reg.list(cms, "cache")));
  });

  test("limit and continue page exactly as the parsed list does", async () => {
    let cont: string | undefined;
    let pages = 0;
    do {
      const q = `limit=7${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`;
      const r = await get(`/api/v1/namespaces/cache/configmaps?${q}`);
      assert.equal(r.status, 200);
      const want = reg.list(cms, "cache", { limit: 7, continue: cont });
      assert.equal(r.body, expected("ConfigMapList", "v1", want), `page ${pages}`);
      cont = JSON.parse(r.body).metadata.continue;
      pages++;
    } while (cont && pages < 10);
    assert.equal(pages, Math.ceil(reg.list(cms, "cache").items.length / 7));
  });

  test("selectors still filter; an unknown continue token is 400", async () => {
    const r = await get("/api/v1/namespaces/cache/configmaps?labelSelector=half%3D1");
    assert.equal(r.body, expected("ConfigMapList", "v1", reg.list(cms, "cache", { labelSelector: "half=1" })));
    assert.ok(JSON.parse(r.body).items.every((x: any) => x.metadata.labels.half === "1")); // eslint-disable-line @typescript-eslint/no-explicit-any
    const bad = await get("/api/v1/namespaces/cache/configmaps?limit=5&continue=not-a-token");
    assert.equal(bad.status, 400);
  });

  test("two views of one stored object (core and events.k8s.io Events) each answer their own rendering", async () => {
    await reg.create(strategyFor("events"), "cache", { metadata: { name: "ev1" }, involvedObject: { kind: "ConfigMap", namespace: "cache", name: "cm-00" }, reason: "Tested", message: "m", type: "Normal" }, { fieldManager: "test" });
    for (let round = 0; round < 2; round++) {
      const core = JSON.parse((await get("/api/v1/namespaces/cache/events")).body);
      const ev = JSON.parse((await get("/apis/events.k8s.io/v1/namespaces/cache/events")).body);
      assert.equal(core.items[0].apiVersion, "v1");
      assert.equal(core.items[0].kind, "Event");
      assert.equal(ev.items[0].apiVersion, "events.k8s.io/v1");
      assert.equal(ev.items[0].note, "m", "events.k8s.io renders message as note");
    }
  });
});
