// kubectl (Go yaml) and az (PyYAML) read kubeconfigs as YAML 1.1: a cluster named `on`, `yes`,
// `n` ... must come out quoted, or the kubeconfig fails to load ("cannot unmarshal bool").
import { test } from "node:test";
import assert from "node:assert/strict";
import YAML from "yaml";
import { buildKubeconfig } from "../../src/providers/containerservice/kubeconfig.js";
import { dumpKubeconfig } from "../../src/cli/azl/kubeconfig.js";

const NAMES = ["on", "off", "yes", "no", "y", "n", "true", "null", "1e3", "0x1f"];

test("AKS credentials: every name stays a string under YAML 1.1", () => {
  for (const name of NAMES) {
    const text = buildKubeconfig({ clusterName: name, resourceGroup: "rg", role: "clusterAdmin", server: "https://127.0.0.1:1", caPem: "x", token: "t" });
    const doc = YAML.parse(text, { version: "1.1" });
    assert.equal(doc.clusters[0].name, name, text);
    assert.equal(doc.contexts[0].name, name, text);
    assert.equal(doc["current-context"], name, text);
  }
});

test("azl's merged kubeconfig: every name stays a string under YAML 1.1", () => {
  for (const name of NAMES) {
    const text = dumpKubeconfig({ apiVersion: "v1", kind: "Config", clusters: [{ name, cluster: { server: "https://x" } }], "current-context": name });
    const doc = YAML.parse(text, { version: "1.1" });
    assert.equal(doc.clusters[0].name, name, text);
    assert.equal(doc["current-context"], name, text);
  }
});
