// Real kubectl v1.32 against a real KubeHost over HTTPS (client cert + token kubeconfig).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { KUBECTL_V32, kubectl, kubectlOk, kubectlMissing, startEnv, type Env } from "./harness.js";

const skip = kubectlMissing(KUBECTL_V32);
const K = KUBECTL_V32;

/** Run `kubectl get ... -w`, do action once it is streaming, resolve when predicate(output) holds. */
function watchUntil(e: Env, args: string[], action: () => Promise<unknown>, done: (out: string) => boolean, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(K, args, { env: e.env });
    let out = "";
    let acted = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`watch timed out; output so far:\n${out}`));
    }, timeoutMs);
    child.stdout.on("data", (d) => {
      out += String(d);
      if (!acted) {
        acted = true;
        action().catch(reject);
      }
      if (done(out)) {
        clearTimeout(timer);
        child.kill("SIGKILL");
        resolve(out);
      }
    });
    child.stderr.on("data", (d) => (out += String(d)));
    child.on("error", reject);
  });
}

describe("kubectl v1.32", { skip }, () => {
  let e: Env;
  const k = (...args: string[]) => kubectl(e, K, args);
  const ok = kubectlOk(() => e, K);
  const file = (name: string, text: string) => {
    const p = path.join(e.dir, name);
    fs.writeFileSync(p, text);
    return p;
  };

  before(async () => {
    e = await startEnv();
  });
  after(async () => {
    await e?.close();
  });

  test("version and cluster-info", async () => {
    assert.match(await ok("version"), /Server Version: v1\.31\.2/);
    const ci = await ok("cluster-info");
    assert.match(ci, new RegExp(`Kubernetes control plane is running at https://127\\.0\\.0\\.1:${e.port}`));
    assert.match(ci, /CoreDNS is running at .*kube-dns:dns\/proxy/);
    assert.match(ci, /Metrics-server is running at/);
  });

  test("get nodes -o wide shows the spec's InternalIPs and kubelet version", async () => {
    const out = await ok("get", "nodes", "-o", "wide");
    for (const n of e.spec.nodes) assert.match(out, new RegExp(`${n.name}\\s+Ready\\s+agent\\s+\\S+\\s+v1\\.31\\.2\\s+${n.internalIP.replace(/\./g, "\\.")}\\s`));
    assert.match(out, /Ubuntu 22\.04\.5 LTS\s+5\.15\.0-\d+-azure\s+containerd:\/\/1\.7/);
    const labels = JSON.parse(await ok("get", "node", e.spec.nodes[0]!.name, "-o", "json")).metadata.labels;
    assert.equal(labels["kubernetes.azure.com/agentpool"], "nodepool1");
    assert.equal(labels["kubernetes.azure.com/cluster"], "MC_rg_demo_eastus");
  });

  test("get pods -A: AKS system pods are Running; no konnectivity with Azure CNI", async () => {
    const out = await ok("get", "pods", "-A");
    assert.match(out, /kube-system\s+coredns-\w+-\w{5}\s+1\/1\s+Running/);
    assert.match(out, /kube-system\s+kube-proxy-\w{5}\s+1\/1\s+Running/);
    assert.match(out, /kube-system\s+azure-cns-\w{5}/);
    assert.doesNotMatch(out, /konnectivity/);
    assert.doesNotMatch(out, /Pending|ContainerCreating/);
  });

  test("api-resources and unknown kinds", async () => {
    const out = await ok("api-resources");
    assert.match(out, /deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
    const r = await k("get", "foos");
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /the server doesn't have a resource type "foos"/);
  });

  test("apply -f (client-side): created, unchanged, configured; create duplicate fails", async () => {
    const p = file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  a: \"1\"\n");
    assert.match(await ok("apply", "-f", p), /configmap\/demo created/);
    assert.match(await ok("apply", "-f", p), /configmap\/demo unchanged/);
    file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  b: \"2\"\n");
    assert.match(await ok("apply", "-f", p), /configmap\/demo configured/);
    const cm = JSON.parse(await ok("get", "cm", "demo", "-o", "json"));
    assert.deepEqual(cm.data, { b: "2" });
    const dup = await k("create", "-f", p);
    assert.match(dup.stderr, /Error from server \(AlreadyExists\).*configmaps "demo" already exists/);
    assert.match(await ok("apply", "-f", p, "--dry-run=server"), /configmap\/demo unchanged \(server dry run\)/);
  });

  test("apply --server-side, re-apply, field removal and conflicts", async () => {
    const p = file("ssa.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  labels: {team: a}\ndata:\n  x: \"1\"\n  y: \"2\"\n");
    assert.match(await ok("apply", "--server-side", "-f", p), /configmap\/ssa serverside-applied/);
    const rv1 = JSON.parse(await ok("get", "cm", "ssa", "-o", "json")).metadata.resourceVersion;
    await ok("apply", "--server-side", "-f", p);
    const cm1 = JSON.parse(await ok("get", "cm", "ssa", "-o", "json", "--show-managed-fields"));
    assert.equal(cm1.metadata.resourceVersion, rv1, "identical apply is a no-op");
    assert.equal(cm1.metadata.managedFields[0].operation, "Apply");
    file("ssa.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  labels: {team: a}\ndata:\n  x: \"1\"\n");
    await ok("apply", "--server-side", "-f", p);
    assert.deepEqual(JSON.parse(await ok("get", "cm", "ssa", "-o", "json")).data, { x: "1" }, "field no longer applied is removed");
    await ok("patch", "cm", "ssa", "--type=merge", "-p", '{"data":{"x":"changed"}}');
    const c = await k("apply", "--server-side", "-f", p);
    assert.notEqual(c.code, 0);
    assert.match(c.stderr, /conflict/i);
    assert.match(await ok("apply", "--server-side", "--force-conflicts", "-f", p), /serverside-applied/);
  });

  test("create deployment (protobuf body), rollout status, scale, wait", async () => {
    assert.match(await ok("create", "deployment", "nginx", "--image=nginx:1.25", "--replicas=3"), /deployment.apps\/nginx created/);
    assert.match(await ok("rollout", "status", "deployment/nginx", "--timeout=30s"), /successfully rolled out/);
    assert.match(await ok("scale", "deployment", "nginx", "--replicas=5"), /scaled/);
    assert.match(await ok("wait", "--for=condition=Available", "deployment/nginx", "--timeout=30s"), /condition met/);
    await ok("rollout", "status", "deployment/nginx", "--timeout=30s");
    const d = JSON.parse(await ok("get", "deploy", "nginx", "-o", "json"));
    assert.equal(d.status.readyReplicas, 5);
    assert.equal(d.metadata.annotations["deployment.kubernetes.io/revision"], "1");
    const pods = await ok("get", "pods", "-l", "app=nginx", "-o", "wide");
    assert.equal(pods.trim().split("\n").length, 6);
    assert.match(pods, /nginx-\w+-\w{5}\s+1\/1\s+Running\s+0\s+\S+\s+10\.224\.0\.\d+\s+aks-nodepool1/);
  });

  test("rolling update on template change, describe, rollout undo", async () => {
    await ok("set", "image", "deployment/nginx", "nginx=nginx:1.27");
    await ok("rollout", "status", "deployment/nginx", "--timeout=30s");
    const rs = await ok("get", "rs", "-l", "app=nginx", "-o", "json");
    const items = JSON.parse(rs).items as { spec: { replicas: number }; metadata: { annotations: Record<string, string> } }[];
    assert.equal(items.length, 2);
    assert.deepEqual(items.map((i) => i.spec.replicas).sort(), [0, 5]);
    const desc = await ok("describe", "deployment", "nginx");
    assert.match(desc, /NewReplicaSet:\s+nginx-\w+ \(5\/5 replicas created\)/);
    assert.match(desc, /ScalingReplicaSet/);
    assert.match(await ok("rollout", "history", "deployment/nginx"), /1\s+<none>\s*\n2/);
    await ok("rollout", "undo", "deployment/nginx");
    await ok("rollout", "status", "deployment/nginx", "--timeout=30s");
    const d = JSON.parse(await ok("get", "deploy", "nginx", "-o", "json"));
    assert.equal(d.spec.template.spec.containers[0].image, "nginx:1.25");
    assert.equal(d.metadata.annotations["deployment.kubernetes.io/revision"], "3");
  });

  test("label and patch (strategic, merge, json), patched (no change)", async () => {
    assert.match(await ok("label", "deployment", "nginx", "tier=web"), /labeled/);
    assert.match(await ok("patch", "deployment", "nginx", "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","env":[{"name":"A","value":"1"}]}]}}}}'), /patched/);
    const d = JSON.parse(await ok("get", "deploy", "nginx", "-o", "json"));
    assert.equal(d.spec.template.spec.containers.length, 1, "SMP merges containers by name");
    assert.equal(d.spec.template.spec.containers[0].image, "nginx:1.25");
    assert.deepEqual(d.spec.template.spec.containers[0].env, [{ name: "A", value: "1" }]);
    assert.match(await ok("patch", "deployment", "nginx", "--type=merge", "-p", '{"metadata":{"annotations":{"note":"x"}}}'), /patched/);
    assert.match(await ok("patch", "deployment", "nginx", "--type=json", "-p", '[{"op":"replace","path":"/spec/replicas","value":2}]'), /patched/);
    assert.match(await ok("patch", "deployment", "nginx", "--type=merge", "-p", '{"spec":{"replicas":2}}'), /patched \(no change\)/);
    await ok("rollout", "status", "deployment/nginx", "--timeout=30s");
    const bad = await k("patch", "deployment", "nginx", "--type=json", "-p", '[{"op":"remove","path":"/metadata/labels/nope"}]');
    assert.notEqual(bad.code, 0);
  });

  test("get -w streams changes", async () => {
    const out = await watchUntil(
      e,
      ["get", "configmaps", "-w", "--request-timeout=30s"],
      () => k("create", "configmap", "watched", "--from-literal=k=v"),
      (o) => /watched\s+1\s+\S+\s*\n/.test(o), // the whole row, not just the name chunk
    );
    assert.match(out, /NAME\s+DATA\s+AGE/);
    assert.match(out, /watched\s+1/);
  });

  test("describe pod, logs, events", async () => {
    const pod = (await ok("get", "pods", "-l", "app=nginx", "-o", "name")).trim().split("\n")[0]!;
    const desc = await ok("describe", pod);
    assert.match(desc, /Status:\s+Running/);
    assert.match(desc, /IP:\s+10\.224\.0\.\d+/);
    assert.match(desc, /Node:\s+aks-nodepool1-\d+-vmss\d+\/10\.224\.0\.\d+/);
    assert.match(desc, /Successfully assigned default\//);
    assert.match(await ok("logs", pod), /aksemu: simulated container nginx/);
    assert.match(await ok("get", "events"), /Scheduled/);
  });

  test("services get endpoints from ready pods", async () => {
    await ok("expose", "deployment", "nginx", "--port=80", "--target-port=80");
    await e.host.idle(e.spec.id);
    const ep = await ok("get", "endpoints", "nginx");
    assert.match(ep, /10\.224\.0\.\d+:80/);
    assert.match(await ok("describe", "svc", "nginx"), /Endpoints:\s+10\.224/);
  });

  test("delete (waits), wait --for=delete, namespace termination", async () => {
    const pod = (await ok("get", "pods", "-l", "app=nginx", "-o", "name")).trim().split("\n")[0]!;
    assert.match(await ok("delete", pod), /deleted/);
    assert.match(await ok("delete", "deployment", "nginx"), /deployment.apps "nginx" deleted/);
    await ok("wait", "--for=delete", "pods", "-l", "app=nginx", "--timeout=30s");
    const r = await k("get", "pods", "-l", "app=nginx");
    assert.match(r.stderr, /No resources found in default namespace/);
    await ok("create", "namespace", "scratch");
    await ok("create", "configmap", "x", "-n", "scratch", "--from-literal=a=b");
    assert.match(await ok("delete", "namespace", "scratch", "--timeout=30s"), /namespace "scratch" deleted/);
    const gone = await k("get", "namespace", "scratch");
    assert.match(gone.stderr, /NotFound/);
  });

  test("run a pod, wait for Ready, exec is refused cleanly", async () => {
    // The simulated container runs for an hour (run duration is data: kwok's pod-complete stage delay).
    await ok("run", "one", "--image=busybox", "--restart=Never", "--annotations=pod-complete.stage.kwok.x-k8s.io/delay=1h", "--", "sleep", "3600");
    assert.match(await ok("wait", "--for=condition=Ready", "pod/one", "--timeout=30s"), /condition met/);
    const ex = await k("exec", "one", "--", "true");
    assert.notEqual(ex.code, 0);
    assert.match(await ok("get", "pod", "one"), /one\s+1\/1\s+Running/);
  });
});
