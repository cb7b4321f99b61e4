// Real kubectl v1.20.2 (Debian's kubernetes-client) against a KubeHost: the oldest client the
// contract covers (legacy discovery, protobuf OpenAPI v2 for validation and server dry-run).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { KUBECTL_120, kubectl, kubectlOk, kubectlMissing, startEnv, type Env } from "./harness.js";

const skip = kubectlMissing(KUBECTL_120);
const K = KUBECTL_120;

describe("kubectl v1.20", { skip }, () => {
  let e: Env;
  const k = (...args: string[]) => kubectl(e, K, args);
  const ok = kubectlOk(() => e, K);

  before(async () => {
    e = await startEnv();
  });
  after(async () => {
    await e?.close();
  });

  test("version prints the server struct", async () => {
    assert.match(await ok("version"), /Server Version: version\.Info\{Major:"1", Minor:"31", GitVersion:"v1\.31\.2"/);
  });

  test("get nodes -o wide, get pods -A", async () => {
    const nodes = await ok("get", "nodes", "-o", "wide");
    for (const n of e.spec.nodes) assert.match(nodes, new RegExp(`${n.name}\\s+Ready\\s+agent\\s+\\S+\\s+v1\\.31\\.2\\s+${n.internalIP.replace(/\./g, "\\.")}`));
    assert.match(await ok("get", "pods", "-A"), /kube-system\s+coredns-\w+-\w{5}\s+1\/1\s+Running/);
  });

  test("apply (validate on), unchanged, server dry-run, server-side apply", async () => {
    const p = path.join(e.dir, "cm120.yaml");
    fs.writeFileSync(p, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old\ndata:\n  a: \"1\"\n");
    assert.match(await ok("apply", "-f", p), /configmap\/old created/);
    assert.match(await ok("apply", "-f", p), /configmap\/old unchanged/);
    assert.match(await ok("apply", "-f", p, "--dry-run=server"), /configmap\/old unchanged \(server dry run\)/);
    fs.writeFileSync(p, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old\ndata:\n  a: \"2\"\n");
    assert.match(await ok("apply", "-f", p), /configmap\/old configured/);
    fs.writeFileSync(p, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old-ssa\ndata:\n  a: \"1\"\n");
    assert.match(await ok("apply", "--server-side", "-f", p), /serverside-applied/);
  });

  test("create deployment, rollout status, scale, wait, describe", async () => {
    assert.match(await ok("create", "deployment", "web", "--image=nginx:1.25"), /created/);
    assert.match(await ok("rollout", "status", "deployment/web", "--timeout=30s"), /successfully rolled out/);
    await ok("scale", "deployment", "web", "--replicas=3");
    assert.match(await ok("wait", "--for=condition=Available", "deployment/web", "--timeout=30s"), /condition met/);
    await ok("rollout", "status", "deployment/web", "--timeout=30s");
    assert.match(await ok("get", "deploy", "web"), /web\s+3\/3\s+3\s+3/);
    assert.match(await ok("describe", "deploy", "web"), /NewReplicaSet:\s+web-\w+ \(3\/3 replicas created\)/);
  });

  test("label, patch, get -w, delete", async () => {
    assert.match(await ok("label", "deploy", "web", "tier=front"), /labeled/);
    assert.match(await ok("patch", "deploy", "web", "-p", '{"spec":{"template":{"metadata":{"labels":{"v":"2"}}}}}'), /patched/);
    await ok("rollout", "status", "deployment/web", "--timeout=30s");
    const w = await k("get", "deploy", "web", "-w", "--request-timeout=2s");
    assert.match(w.stdout, /web\s+3\/3/);
    assert.match(await ok("delete", "deploy", "web"), /deleted/);
    const r = await k("get", "deploy", "web");
    assert.match(r.stderr, /NotFound/);
    await e.host.idle(e.spec.id);
    const pods = await k("get", "pods", "-l", "app=web");
    assert.match(pods.stderr, /No resources found in default namespace/);
  });
});
