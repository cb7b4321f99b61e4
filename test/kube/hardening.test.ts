// Bad input on the Kubernetes API (issue 10 #6, #8): every answer is a Status or a committed
// success, never a 500 after a write; deep or cyclic bodies are 400; resourceVersion is parsed as
// the storage layer does; a watch from the future ends with the watch cache's Timeout; a request
// body that never finishes is cut off.
import assert from "node:assert/strict";
import fs from "node:fs";
import https from "node:https";
import tls from "node:tls";
import { after, before, describe, test } from "node:test";
import YAML from "yaml";
import { startEnv, type Env } from "./harness.js";

interface Resp {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function creds(e: Env): { token: string; ca: string } {
  const kc = YAML.parse(fs.readFileSync(e.kubeconfig, "utf8"));
  return { token: kc.users[0].user.token, ca: Buffer.from(kc.clusters[0].cluster["certificate-authority-data"], "base64").toString() };
}

function request(e: Env, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Resp> {
  const { token, ca } = creds(e);
  return new Promise((resolve, reject) => {
    const r = https.request(
      {
        host: "127.0.0.1", port: e.port, method, path, ca, servername: e.spec.fqdn, timeout: 15_000,
        headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)) } : {}), ...headers },
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

function isStatus(r: Resp, code: number, reason: string): void {
  assert.equal(r.status, code, r.body);
  assert.equal(r.json?.kind, "Status", r.body);
  assert.equal(r.json.code, code, r.body);
  assert.equal(r.json.reason, reason, r.body);
}

describe("kube API hardening", () => {
  let e: Env;
  before(async () => {
    e = await startEnv(undefined, {}, { bodyTimeoutMs: 400 });
  });
  after(async () => {
    await e?.close();
  });

  test("an unknown field name outside Latin-1 gets a 201 with the Warning as kube-apiserver encodes it (UTF-8 bytes)", async () => {
    const body = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "warn-utf8" }, data: { a: "1" }, "字段": 1, 'q"b\\': 2 });
    const r = await request(e, "POST", "/api/v1/namespaces/default/configmaps", body);
    assert.equal(r.status, 201, r.body);
    const raw = ([] as string[]).concat(r.headers.warning ?? []);
    // Node hands header bytes over as Latin-1; the bytes are UTF-8, as Go writes them.
    const decoded = raw.flatMap((h) => Buffer.from(h, "latin1").toString("utf8").split(/,(?=\s*299 )/).map((x) => x.trim()));
    assert.ok(decoded.includes('299 - "unknown field \\"字段\\""'), JSON.stringify(decoded));
    assert.ok(decoded.includes('299 - "unknown field \\"q\\"b\\\\\\""'), JSON.stringify(decoded));
    assert.equal((await request(e, "GET", "/api/v1/namespaces/default/configmaps/warn-utf8")).status, 200);

    // A field name with a control character: kube-apiserver drops that warning (and still creates).
    const ctl = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "warn-ctl" }, "a\nb": 1 });
    const r2 = await request(e, "POST", "/api/v1/namespaces/default/configmaps", ctl);
    assert.equal(r2.status, 201, r2.body);
    assert.equal(r2.headers.warning, undefined);
    // Apply and PUT paths carry the same warnings.
    const put = await request(e, "PUT", "/api/v1/namespaces/default/configmaps/warn-utf8", JSON.stringify({ ...JSON.parse(r.body), "ключ": 1 }));
    assert.equal(put.status, 200, put.body);
    assert.match(Buffer.from(String(put.headers.warning), "latin1").toString("utf8"), /unknown field \\"ключ\\"/);
  });

  test("5,000-deep JSON and YAML alias cycles are 400 Status on create, update and every patch type; nothing is stored", async () => {
    const deep = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":${"[".repeat(5000)}${"]".repeat(5000)}}`;
    isStatus(await request(e, "POST", "/api/v1/namespaces/default/configmaps", deep), 400, "BadRequest");
    const cycle = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cyc\nkey: &a [*a]\n";
    isStatus(await request(e, "POST", "/api/v1/namespaces/default/configmaps", cycle, { "Content-Type": "application/yaml" }), 400, "BadRequest");
    assert.equal((await request(e, "GET", "/api/v1/namespaces/default/configmaps/deep")).status, 404);
    assert.equal((await request(e, "GET", "/api/v1/namespaces/default/configmaps/cyc")).status, 404);

    const cm = await request(e, "POST", "/api/v1/namespaces/default/configmaps", JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "target" } }));
    assert.equal(cm.status, 201, cm.body);
    const path = "/api/v1/namespaces/default/configmaps/target";
    isStatus(await request(e, "PUT", path, deep.replace('"deep"', '"target"')), 400, "BadRequest");
    const deepPatch = `{"x":${"{\"a\":".repeat(5000)}1${"}".repeat(5000)}}`;
    for (const ct of ["application/merge-patch+json", "application/strategic-merge-patch+json"]) {
      isStatus(await request(e, "PATCH", path, deepPatch, { "Content-Type": ct }), 400, "BadRequest");
    }
    isStatus(await request(e, "PATCH", path, `[{"op":"add","path":"/x","value":${"[".repeat(5000)}${"]".repeat(5000)}}]`, { "Content-Type": "application/json-patch+json" }), 400, "BadRequest");
    isStatus(await request(e, "PATCH", `${path}?fieldManager=t`, cycle.replace("cyc", "target"), { "Content-Type": "application/apply-patch+yaml" }), 400, "BadRequest");
    const now = await request(e, "GET", path);
    assert.equal(now.json.metadata.resourceVersion, cm.json.metadata.resourceVersion, "rejected writes changed nothing");
  });

  test("resourceVersion that is not a uint64 is a 400 on list and watch; a future one is the watch cache's Timeout", async () => {
    for (const rv of ["abc", "-1", "1.5", "99999999999999999999"]) {
      const l = await request(e, "GET", `/api/v1/namespaces/default/configmaps?resourceVersion=${encodeURIComponent(rv)}`);
      isStatus(l, 400, "BadRequest");
      assert.match(l.json.message, new RegExp(`^resourceVersion: Invalid value: "${rv.replace(/\./g, "\\.")}": strconv\\.ParseUint: parsing`), l.body);
      isStatus(await request(e, "GET", `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${encodeURIComponent(rv)}`), 400, "BadRequest");
    }
    const list = await request(e, "GET", "/api/v1/namespaces/default/configmaps");
    const future = Number(list.json.metadata.resourceVersion) + 1000;
    const l = await request(e, "GET", `/api/v1/namespaces/default/configmaps?resourceVersion=${future}`);
    isStatus(l, 504, "Timeout");
    assert.equal(l.json.message, `Timeout: Too large resource version: ${future}, current: ${list.json.metadata.resourceVersion}`);
    assert.equal(l.json.details.causes[0].reason, "ResourceVersionTooLarge");
    // The watch answers 200 with one ERROR event and ends (it used to stream forever).
    const w = await request(e, "GET", `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${future}`);
    assert.equal(w.status, 200, w.body);
    const events = w.body.trim().split("\n").map((x) => JSON.parse(x));
    assert.equal(events.length, 1, w.body);
    assert.equal(events[0].type, "ERROR");
    assert.equal(events[0].object.code, 504);
    assert.equal(events[0].object.details.causes[0].reason, "ResourceVersionTooLarge");
  });

  test("a request body that stops arriving is answered 504 Timeout and the connection is closed", async () => {
    const { token, ca } = creds(e);
    const sock = tls.connect({ host: "127.0.0.1", port: e.port, ca, servername: e.spec.fqdn });
    await new Promise((r) => sock.once("secureConnect", r));
    sock.write(`POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"apiVersion":`);
    let text = "";
    sock.on("data", (c) => (text += String(c)));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`connection still open: ${text}`)), 10_000);
      sock.once("close", () => {
        clearTimeout(t);
        resolve();
      });
    });
    assert.match(text, /^HTTP\/1\.1 504 /, text);
    const json = JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4));
    assert.equal(json.kind, "Status");
    assert.equal(json.reason, "Timeout");
    // The listener is still serving.
    assert.equal((await request(e, "GET", "/api/v1/namespaces/default/configmaps")).status, 200);
  });
});
