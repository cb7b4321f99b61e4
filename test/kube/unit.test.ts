// Pure pieces: strategic merge patch, merge patch, selectors, field sets, durations, protobuf.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fieldSetOf, toFieldsV1, fromFieldsV1, displayPath } from "../../src/kube/fieldpath.js";
import { podSpecPatchMeta, METADATA_PATCH_META } from "../../src/kube/kinds/podspec.js";
import { mergePatch, strategicMerge } from "../../src/kube/patch.js";
import { decodeProtobufObject } from "../../src/kube/proto/decode.js";
import { fromStructured, matchLabels, parseFieldSelector, parseLabelSelector } from "../../src/kube/selectors.js";
import { humanDuration, nowMicro } from "../../src/kube/util.js";

const meta = { ...METADATA_PATCH_META, ...podSpecPatchMeta("spec") };

describe("strategic merge patch", () => {
  const pod = {
    metadata: { finalizers: ["a"], labels: { x: "1" } },
    spec: { containers: [{ name: "a", image: "1", env: [{ name: "A", value: "1" }], ports: [{ containerPort: 80 }] }, { name: "b", image: "2" }], tolerations: [{ key: "t" }] },
  };
  test("merges keyed lists by key and replaces atomic lists", () => {
    const r = strategicMerge(pod, { spec: { containers: [{ name: "a", image: "9", env: [{ name: "B", value: "2" }] }], tolerations: [{ key: "u" }] } }, meta);
    assert.equal(r.spec.containers.length, 2);
    assert.equal(r.spec.containers[0].image, "9");
    assert.deepEqual(r.spec.containers[0].env.map((e: { name: string }) => e.name), ["A", "B"]);
    assert.deepEqual(r.spec.tolerations, [{ key: "u" }]);
    assert.deepEqual(pod.spec.containers[0]!.image, "1", "input untouched");
  });
  test("$patch delete/replace, null deletes, primitive merge, $deleteFromPrimitiveList, $setElementOrder, $retainKeys", () => {
    assert.equal(strategicMerge(pod, { spec: { containers: [{ name: "b", $patch: "delete" }] } }, meta).spec.containers.length, 1);
    assert.deepEqual(strategicMerge(pod, { spec: { containers: [{ name: "z", image: "z" }, { $patch: "replace" }] } }, meta).spec.containers, [{ name: "z", image: "z" }]);
    assert.deepEqual(strategicMerge(pod, { metadata: { labels: { x: null, y: "2" } } }, meta).metadata.labels, { y: "2" });
    assert.deepEqual(strategicMerge(pod, { metadata: { finalizers: ["b", "a"] } }, meta).metadata.finalizers, ["a", "b"]);
    assert.deepEqual(strategicMerge(pod, { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } }, meta).metadata.finalizers, []);
    const ordered = strategicMerge(pod, { spec: { "$setElementOrder/containers": [{ name: "b" }, { name: "a" }] } }, meta);
    assert.deepEqual(ordered.spec.containers.map((c: { name: string }) => c.name), ["b", "a"]);
    const rk = strategicMerge({ s: { type: "A", rollingUpdate: { x: 1 } } }, { s: { $retainKeys: ["type"], type: "B" } }, {});
    assert.deepEqual(rk, { s: { type: "B" } });
    assert.deepEqual(strategicMerge(pod, { spec: { $patch: "replace", containers: [] } }, meta).spec, { containers: [] });
  });
  test("merge patch (RFC 7386)", () => {
    assert.deepEqual(mergePatch({ a: 1, b: { c: 2, d: 3 } }, { b: { c: null, e: 4 }, f: [1] }), { a: 1, b: { d: 3, e: 4 }, f: [1] });
  });
});

describe("selectors", () => {
  test("label selector grammar", () => {
    const s = parseLabelSelector("a=b,c==d,e!=f,g in (h, i),j notin (k),l,!m");
    assert.ok(matchLabels(s, { a: "b", c: "d", g: "i", l: "" }));
    assert.ok(!matchLabels(s, { a: "b", c: "d", g: "i", l: "", m: "x" }));
    assert.ok(!matchLabels(s, { a: "b", c: "d", e: "f", g: "i", l: "" }));
    assert.throws(() => parseLabelSelector("a in (b"));
  });
  test("structured selectors and field selectors", () => {
    const s = fromStructured({ matchLabels: { app: "x" }, matchExpressions: [{ key: "tier", operator: "NotIn", values: ["db"] }] })!;
    assert.ok(matchLabels(s, { app: "x", tier: "web" }));
    assert.deepEqual(parseFieldSelector("spec.nodeName=n1,status.phase!=Failed"), [
      { field: "spec.nodeName", op: "=", value: "n1" },
      { field: "status.phase", op: "!=", value: "Failed" },
    ]);
  });
});

describe("field sets", () => {
  test("FieldsV1 round trip with keyed lists", () => {
    const fs = fieldSetOf({ metadata: { name: "x", labels: { a: "1" } }, spec: { containers: [{ name: "c", image: "i" }] }, status: { phase: "P" } }, meta, "main");
    const v1 = toFieldsV1(fs);
    assert.deepEqual(v1, { "f:metadata": { "f:labels": { "f:a": {} } }, "f:spec": { "f:containers": { 'k:{"name":"c"}': { ".": {}, "f:name": {}, "f:image": {} } } } });
    assert.equal(fromFieldsV1(v1).size, fs.size);
    assert.equal(displayPath(["f:spec", "f:containers", 'k:{"name":"c"}', "f:image"]), '.spec.containers[name="c"].image');
  });
});

describe("time formats", () => {
  test("HumanDuration and MicroTime", () => {
    assert.equal(humanDuration(5_000), "5s");
    assert.equal(humanDuration(150_000), "2m30s");
    assert.equal(humanDuration(4 * 3600_000), "4h");
    assert.equal(humanDuration(3 * 86400_000 + 3600_000), "3d1h");
    assert.match(nowMicro(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });
});

describe("protobuf decoding", () => {
  // Minimal encoder for the test (same wire format kubectl's typed clients send).
  const varint = (n: number) => {
    const o: number[] = [];
    while (n > 0x7f) {
      o.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    o.push(n);
    return Buffer.from(o);
  };
  const ld = (f: number, b: Buffer | string) => {
    const x = typeof b === "string" ? Buffer.from(b) : b;
    return Buffer.concat([varint((f << 3) | 2), varint(x.length), x]);
  };
  const vi = (f: number, n: number) => Buffer.concat([varint(f << 3), varint(n)]);
  test("decodes a ConfigMap and a Deployment with IntOrString, maps and nested messages", () => {
    const cmRaw = Buffer.concat([ld(1, Buffer.concat([ld(1, "cm"), ld(11, Buffer.concat([ld(1, "k"), ld(2, "v")]))])), ld(2, Buffer.concat([ld(1, "a"), ld(2, "1")]))]);
    const env = (apiVersion: string, kind: string, raw: Buffer) => Buffer.concat([Buffer.from("k8s\0", "binary"), ld(1, Buffer.concat([ld(1, apiVersion), ld(2, kind)])), ld(2, raw)]);
    assert.deepEqual(decodeProtobufObject(env("v1", "ConfigMap", cmRaw)), { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", labels: { k: "v" } }, data: { a: "1" } });
    const strategy = ld(4, Buffer.concat([ld(1, "RollingUpdate"), ld(2, Buffer.concat([ld(1, Buffer.concat([vi(1, 1), ld(3, "25%")])), ld(2, Buffer.concat([vi(1, 0), vi(2, 2)]))]))]));
    const spec = Buffer.concat([vi(1, 0), strategy]);
    const d = decodeProtobufObject(env("apps/v1", "Deployment", Buffer.concat([ld(1, ld(1, "d")), ld(2, spec)])));
    assert.deepEqual(d.spec, { replicas: 0, strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: 2 } } });
  });
});
