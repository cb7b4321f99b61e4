// Issue 17 acceptance with real kubectl (1.32 and Debian's 1.20): a static install manifest
// (RBAC with aggregation, CRD + custom resource, webhooks, networking and policy kinds, PVC,
// HPA) applies; every kind answers get/describe/explain; RBAC (can-i, --as, tokens, 403 texts); CRD schema
// refusals; PDB-refused drain; quota refusing the 11th pod; webhook failurePolicy.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import assert from "node:assert/strict";
import { webcrypto } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { KUBECTL_120, KUBECTL_V32, kubectl, kubectlOk, kubectlMissing, repoRoot, startEnv, type Env } from "./harness.js";

const FIXTURES = path.join(repoRoot, "test/fixtures/manifests");
const STATIC = path.join(FIXTURES, "static-install.yaml");
const APPS = path.join(FIXTURES, "static-install-apps.yaml");

/** Every built-in kind of the fixture, as `kubectl explain` names it, with its group/version. */
const BUILTIN_KINDS: [resource: string, kind: string, version: string][] = [
  ["namespaces", "Namespace", "v1"], ["serviceaccounts", "ServiceAccount", "v1"], ["configmaps", "ConfigMap", "v1"], ["services", "Service", "v1"],
  ["persistentvolumeclaims", "PersistentVolumeClaim", "v1"], ["resourcequotas", "ResourceQuota", "v1"], ["limitranges", "LimitRange", "v1"],
  ["deployments", "Deployment", "apps/v1"], ["roles", "Role", "rbac.authorization.k8s.io/v1"], ["clusterroles", "ClusterRole", "rbac.authorization.k8s.io/v1"],
  ["rolebindings", "RoleBinding", "rbac.authorization.k8s.io/v1"], ["clusterrolebindings", "ClusterRoleBinding", "rbac.authorization.k8s.io/v1"],
  ["ingressclasses", "IngressClass", "networking.k8s.io/v1"], ["ingresses", "Ingress", "networking.k8s.io/v1"], ["networkpolicies", "NetworkPolicy", "networking.k8s.io/v1"],
  ["validatingwebhookconfigurations", "ValidatingWebhookConfiguration", "admissionregistration.k8s.io/v1"], ["priorityclasses", "PriorityClass", "scheduling.k8s.io/v1"],
  ["customresourcedefinitions", "CustomResourceDefinition", "apiextensions.k8s.io/v1"], ["poddisruptionbudgets", "PodDisruptionBudget", "policy/v1"],
  ["horizontalpodautoscalers", "HorizontalPodAutoscaler", "autoscaling/v2"],
];

/**
 * Objects a second `kubectl apply` of the fixture patches on a real cluster too: the aggregated
 * ClusterRole (its applied rules: [] differ from the aggregated live rules), the webhook whose
 * atomic rules list gains the server default scope: "*", and the PDB whose selector has patch
 * strategy "replace" (kubectl always sends it). Everything else is "unchanged".
 */
const REAPPLY_CONFIGURED = ["clusterrole.rbac.authorization.k8s.io/monitoring", "validatingwebhookconfiguration.admissionregistration.k8s.io/ingress-nginx-admission", "poddisruptionbudget.policy/ingress-nginx"];

function reapplied(out: string): { configured: string[]; other: string[] } {
  const lines = out.trim().split("\n");
  return {
    configured: lines.filter((l) => / configured$/.test(l)).map((l) => l.replace(/ configured$/, "")),
    other: lines.filter((l) => !/ (configured|unchanged)$/.test(l)),
  };
}

function docs(file: string): number {
  return fs.readFileSync(file, "utf8").split(/^---$/m).filter((d) => /^kind:/m.test(d)).length;
}

describe("static manifests, RBAC, CRDs and policy with kubectl v1.32", { skip: kubectlMissing(KUBECTL_V32) }, () => {
  let e: Env;
  const k = (...args: string[]) => kubectl(e, KUBECTL_V32, args);
  const ok = kubectlOk(() => e, KUBECTL_V32);
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

  test("the static install manifest applies: created for every object", async () => {
    const out1 = await ok("apply", "-f", STATIC);
    assert.equal(out1.trim().split("\n").filter((l) => / created$/.test(l)).length, docs(STATIC), out1);
    const out2 = await ok("apply", "-f", APPS);
    assert.equal(out2.trim().split("\n").filter((l) => / created$/.test(l)).length, docs(APPS), out2);
    // Re-apply: the strategic merge patches kubectl builds from the published schemas' merge
    // keys leave everything unchanged but the objects a real cluster also reports configured.
    for (let i = 0; i < 2; i++) {
      const again = reapplied((await ok("apply", "-f", STATIC)) + (await ok("apply", "-f", APPS)));
      assert.deepEqual(again.other, []);
      assert.deepEqual(again.configured.sort(), [...REAPPLY_CONFIGURED].sort());
    }
  });

  test("get, describe and explain on every kind", async () => {
    const kinds = [
      ["role", "ingress-nginx", "-n", "ingress-nginx"], ["clusterrole", "ingress-nginx"], ["rolebinding", "ingress-nginx", "-n", "ingress-nginx"],
      ["clusterrolebinding", "ingress-nginx"], ["ingressclass", "nginx"], ["validatingwebhookconfiguration", "ingress-nginx-admission"],
      ["priorityclass", "ingress-critical"], ["crd", "widgets.example.com"], ["widget", "w1", "-n", "ingress-nginx"], ["ingress", "web", "-n", "ingress-nginx"],
      ["networkpolicy", "allow-ingress", "-n", "ingress-nginx"], ["pdb", "ingress-nginx", "-n", "ingress-nginx"], ["quota", "pods", "-n", "ingress-nginx"],
      ["limitrange", "defaults", "-n", "ingress-nginx"], ["pvc", "controller-cache", "-n", "ingress-nginx"], ["hpa", "ingress-nginx-controller", "-n", "ingress-nginx"],
    ];
    for (const [kind, name, ...rest] of kinds) {
      assert.match(await ok("get", kind!, name!, ...rest), new RegExp(`^NAME`, "m"));
      assert.match(await ok("describe", kind!, name!, ...rest), new RegExp(`Name:\\s+${name!.replace(/\./g, "\\.")}`));
    }
    assert.match(await ok("get", "clusterrolebinding", "ingress-nginx", "-o", "wide"), /ClusterRole\/ingress-nginx.*ingress-nginx\/ingress-nginx/);
    assert.match(await ok("get", "ingress", "-n", "ingress-nginx"), /web\s+nginx\s+web\.example\.com\s+80/);
    assert.match(await ok("get", "wd", "-n", "ingress-nginx"), /^w1\s+1\s+\S*\s*\d+s/m);
    assert.match(await ok("get", "pvc", "-n", "ingress-nginx"), /controller-cache\s+Pending\s+managed-csi/);
    assert.match(await ok("get", "hpa", "-n", "ingress-nginx"), /ingress-nginx-controller\s+Deployment\/ingress-nginx-controller\s+cpu: \S+\/80%\s+2\s+2\s+2/);
    // explain reads kube-apiserver's own schemas from /openapi/v3.
    for (const [resource, kind, version] of BUILTIN_KINDS) {
      const out = await ok("explain", resource);
      assert.match(out, new RegExp(`KIND:\\s+${kind}\\n`), out);
      assert.match(out, new RegExp(`VERSION:\\s+${version.split("/").pop()}\\n`), out);
      assert.match(out, /metadata\s+<ObjectMeta>/, out);
    }
    const strategy = await ok("explain", "deployment.spec.strategy");
    assert.match(strategy, /FIELD: strategy <DeploymentStrategy>/);
    assert.match(strategy, /The deployment strategy to use to replace existing pods with new ones\./);
    assert.match(await ok("explain", "pods.spec.containers"), /name\t<string> -required-\n\s+Name of the container specified as a DNS_LABEL\./);
    assert.match(await ok("explain", "pdb.spec.selector"), /FIELD: selector <LabelSelector>/);
    assert.match(await ok("explain", "rolebinding.roleRef.kind"), /Kind is the type of resource being referenced/);
    const ex = await ok("explain", "widgets.spec");
    assert.match(ex, /KIND:\s+Widget/);
    assert.match(ex, /image\s+<string> -required-/);
    assert.match(ex, /Container image\./);
  });

  test("aggregation: user ClusterRoles and the default view role pick up labelled rules", async () => {
    const mon = JSON.parse(await ok("get", "clusterrole", "monitoring", "-o", "json"));
    assert.deepEqual(mon.rules, [{ apiGroups: [""], resources: ["services", "endpoints", "pods"], verbs: ["get", "list", "watch"] }]);
    const view = JSON.parse(await ok("get", "clusterrole", "view", "-o", "json"));
    assert.ok(view.rules.some((r: { apiGroups: string[]; resources: string[] }) => r.apiGroups.includes("example.com") && r.resources.includes("widgets")), "widgets-view aggregated into view");
    const admin = JSON.parse(await ok("get", "clusterrole", "admin", "-o", "json"));
    assert.ok(admin.rules.some((r: { resources: string[] }) => r.resources.includes("rolebindings")));
    assert.ok(admin.rules.some((r: { resources: string[] }) => r.resources.includes("widgets")), "view ⊂ edit ⊂ admin");
  });

  test("auth can-i: admin, service account without and with a binding, --list", async () => {
    assert.equal((await ok("auth", "can-i", "delete", "nodes")).trim(), "yes");
    await ok("create", "serviceaccount", "bot");
    const no = await k("auth", "can-i", "list", "pods", "--as", "system:serviceaccount:default:bot");
    assert.equal(no.stdout.trim(), "no");
    assert.equal(no.code, 1);
    const denied = await k("get", "pods", "--as", "system:serviceaccount:default:bot");
    assert.match(denied.stderr, /Error from server \(Forbidden\): pods is forbidden: User "system:serviceaccount:default:bot" cannot list resource "pods" in API group "" in the namespace "default"/);
    await ok("create", "rolebinding", "bot-view", "--clusterrole=view", "--serviceaccount=default:bot");
    assert.equal((await ok("auth", "can-i", "list", "pods", "--as", "system:serviceaccount:default:bot")).trim(), "yes");
    assert.equal((await k("auth", "can-i", "list", "secrets", "--as", "system:serviceaccount:default:bot")).stdout.trim(), "no");
    assert.equal((await k("auth", "can-i", "list", "pods", "-n", "kube-system", "--as", "system:serviceaccount:default:bot")).stdout.trim(), "no");
    const list = await ok("auth", "can-i", "--list", "--as", "system:serviceaccount:default:bot");
    assert.match(list, /^pods\s+\[\]\s+\[\]\s+\[get list watch\]/m);
    assert.match(list, /selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/);
  });

  test("a service account token: 403 without a binding, 200 after binding it; expiry and audience are checked", async () => {
    await ok("create", "serviceaccount", "reader", "-n", "ingress-nginx");
    const token = (await ok("create", "token", "reader", "-n", "ingress-nginx", "--duration=1h")).trim();
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const cfg = JSON.parse(await ok("config", "view", "--raw", "-o", "json"));
    const cluster = cfg.contexts[0].context.cluster;
    await ok("config", "set-credentials", "reader", `--token=${token}`);
    await ok("config", "set-context", "reader", `--cluster=${cluster}`, "--user=reader");
    const r1 = await k("--context", "reader", "get", "configmaps", "-n", "ingress-nginx");
    assert.match(r1.stderr, /configmaps is forbidden: User "system:serviceaccount:ingress-nginx:reader" cannot list resource "configmaps" in API group "" in the namespace "ingress-nginx"/);
    await ok("create", "rolebinding", "reader", "--clusterrole=view", "--serviceaccount=ingress-nginx:reader", "-n", "ingress-nginx");
    assert.match(await ok("--context", "reader", "get", "configmaps", "-n", "ingress-nginx"), /ingress-nginx-controller/);
    assert.match(await ok("--context", "reader", "auth", "whoami"), /system:serviceaccount:ingress-nginx:reader/);
    // Impersonation is itself authorized.
    const imp = await k("--context", "reader", "get", "pods", "--as", "admin");
    assert.match(imp.stderr, /users "admin" is forbidden: User "system:serviceaccount:ingress-nginx:reader" cannot impersonate resource "users" in API group "" at the cluster scope/);
    // A token for another audience is not accepted by the API server.
    const other = (await ok("create", "token", "reader", "-n", "ingress-nginx", "--audience=vault")).trim();
    await ok("config", "set-credentials", "reader", `--token=${other}`);
    const r2 = await k("--context", "reader", "get", "configmaps", "-n", "ingress-nginx");
    assert.match(r2.stderr, /Unauthorized|must be logged in/);
    // A legacy token Secret is populated by the token controller and its token logs in.
    await ok("apply", "-f", file("sa-secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: reader-token\n  namespace: ingress-nginx\n  annotations:\n    kubernetes.io/service-account.name: reader\ntype: kubernetes.io/service-account-token\n"));
    let legacy = "";
    for (let i = 0; i < 50 && !legacy; i++) {
      legacy = (await ok("get", "secret", "reader-token", "-n", "ingress-nginx", "-o", "jsonpath={.data.token}")).trim();
      if (!legacy) await new Promise((res) => setTimeout(res, 100));
    }
    await ok("config", "set-credentials", "reader", `--token=${Buffer.from(legacy, "base64").toString("utf8")}`);
    assert.match(await ok("--context", "reader", "get", "configmaps", "-n", "ingress-nginx"), /ingress-nginx-controller/);
    // Deleting the service account invalidates its tokens.
    await ok("config", "set-credentials", "reader", `--token=${token}`);
    await ok("delete", "serviceaccount", "reader", "-n", "ingress-nginx");
    const r3 = await k("--context", "reader", "get", "configmaps", "-n", "ingress-nginx");
    assert.match(r3.stderr, /Unauthorized|must be logged in/);
  });

  test("custom resources: schema violations refused with kube-apiserver's texts, pruning, status subresource", async () => {
    const bad = file("bad.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: bad\nspec:\n  image: x\n  size: \"big\"\n  mode: turbo\n");
    const r = await k("apply", "-f", bad);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The Widget "bad" is invalid: \n?\* ?spec\.mode: Unsupported value: "turbo": supported values: "fast", "slow"|spec\.mode: Unsupported value: "turbo"/);
    assert.match(r.stderr, /spec\.size: Invalid value: "string": spec\.size in body must be of type integer: "string"/);
    const big = file("big.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: big\nspec:\n  size: 11\n");
    const r2 = await k("create", "-f", big);
    assert.match(r2.stderr, /spec\.image: Required value/);
    assert.match(r2.stderr, /spec\.size: Invalid value: 11: spec\.size in body should be less than or equal to 10/);
    const unknown = file("unknown.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: typo\nspec:\n  image: x\n  colour: red\n");
    const r3 = await k("apply", "-f", unknown);
    assert.match(r3.stderr, /strict decoding error: unknown field "spec\.colour"/);
    await ok("apply", "-f", unknown, "--validate=false");
    const typo = JSON.parse(await ok("get", "widget", "typo", "-o", "json"));
    assert.deepEqual(typo.spec, { image: "x", size: 1 }, "unknown field pruned, default applied");
    // Status only through /status.
    await ok("patch", "widget", "typo", "--type=merge", "-p", '{"status":{"phase":"Ignored"}}');
    assert.equal(JSON.parse(await ok("get", "widget", "typo", "-o", "json")).status, undefined);
    await ok("patch", "widget", "typo", "--subresource=status", "--type=merge", "-p", '{"status":{"phase":"Ready"}}');
    assert.match(await ok("get", "widget", "typo"), /typo\s+1\s+Ready/);
    const smp = await k("patch", "widget", "typo", "-p", '{"spec":{"size":2}}');
    assert.match(smp.stderr, /strategic merge patch is not supported|UnsupportedMediaType|unknown format/);
    // Watch works for custom resources.
    const w = await ok("get", "widgets", "--watch-only", "--request-timeout=1s");
    void w;
  });

  test("a CRD without a schema, then deleting a CRD deletes its objects", async () => {
    const crd = file("gadget.yaml", [
      "apiVersion: apiextensions.k8s.io/v1", "kind: CustomResourceDefinition", "metadata:", "  name: gadgets.example.com", "spec:", "  group: example.com",
      "  scope: Cluster", "  names: {plural: gadgets, singular: gadget, kind: Gadget}", "  versions:", "  - name: v1", "    served: true", "    storage: true", "",
    ].join("\n"));
    const r = await k("apply", "-f", crd);
    assert.match(r.stderr, /spec\.versions\[0\]\.schema\.openAPIV3Schema: Required value: schemas are required/);
    fs.appendFileSync(crd, "    schema:\n      openAPIV3Schema:\n        type: object\n        x-kubernetes-preserve-unknown-fields: true\n");
    await ok("apply", "-f", crd);
    await ok("wait", "--for=condition=Established", "crd/gadgets.example.com", "--timeout=10s");
    await ok("apply", "-f", file("g1.yaml", "apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g1\nanything: goes\n"));
    assert.equal(JSON.parse(await ok("get", "gadget", "g1", "-o", "json")).anything, "goes");
    await ok("delete", "crd", "gadgets.example.com");
    const gone = await k("get", "gadgets");
    // kubectl's cached discovery still knows the type, so it asks and gets 404 (as documented for real clusters).
    assert.match(gone.stderr, /the server doesn't have a resource type "gadgets"|Unable to list "example\.com\/v1, Resource=gadgets": the server could not find the requested resource/);
    await ok("apply", "-f", crd);
    await ok("wait", "--for=condition=Established", "crd/gadgets.example.com", "--timeout=10s");
    for (let i = 0; i < 50 && /g1/.test(await ok("get", "gadgets")); i++) await new Promise((res) => setTimeout(res, 100));
    assert.doesNotMatch(await ok("get", "gadgets"), /g1/, "recreated CRD starts empty");
  });

  test("kubectl drain is refused by a PodDisruptionBudget", async () => {
    await ok("wait", "--for=condition=Available", "deploy/ingress-nginx-controller", "-n", "ingress-nginx", "--timeout=20s");
    const pods = JSON.parse(await ok("get", "pods", "-n", "ingress-nginx", "-l", "app.kubernetes.io/name=ingress-nginx", "-o", "json")).items;
    assert.equal(pods.length, 2);
    const node = pods[0].spec.nodeName;
    const r = await kubectl(e, KUBECTL_V32, ["drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=4s", "--pod-selector=app.kubernetes.io/name=ingress-nginx"], { timeoutMs: 30_000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /Cannot evict pod as it would violate the pod's disruption budget/);
    assert.match(await ok("get", "node", node), /SchedulingDisabled/);
    await ok("uncordon", node);
  });

  test("a ResourceQuota refuses the 11th pod; LimitRange defaults are applied", async () => {
    await ok("create", "namespace", "q");
    await ok("create", "quota", "ten", "--hard=pods=10", "-n", "q");
    await ok("create", "-f", file("lr.yaml", "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: lr\n  namespace: q\nspec:\n  limits:\n  - type: Container\n    default: {cpu: 200m}\n"));
    for (let i = 1; i <= 10; i++) await ok("run", `p${i}`, "--image=nginx", "-n", "q");
    const r = await k("run", "p11", "--image=nginx", "-n", "q");
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pods "p11" is forbidden: exceeded quota: ten, requested: pods=1, used: pods=10, limited: pods=10/);
    const p1 = JSON.parse(await ok("get", "pod", "p1", "-n", "q", "-o", "json"));
    assert.deepEqual(p1.spec.containers[0].resources, { limits: { cpu: "200m" }, requests: { cpu: "200m" } });
    for (let i = 0; i < 50 && !/pods: 10\/10/.test(await ok("get", "quota", "ten", "-n", "q")); i++) await new Promise((res) => setTimeout(res, 100));
    assert.match(await ok("describe", "quota", "ten", "-n", "q"), /pods\s+10\s+10/);
  });

  test("webhooks follow failurePolicy when their backend cannot answer", async () => {
    const hook = (policy: string) =>
      file(`hook-${policy}.yaml`, [
        "apiVersion: admissionregistration.k8s.io/v1", "kind: ValidatingWebhookConfiguration", "metadata:", `  name: deny-cm-${policy.toLowerCase()}`, "webhooks:",
        `- name: cm.${policy.toLowerCase()}.example.com`, "  admissionReviewVersions: [v1]", "  sideEffects: None", `  failurePolicy: ${policy}`,
        "  objectSelector: {matchLabels: {hooked: \"yes\"}}",
        "  rules: [{apiGroups: [\"\"], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]",
        "  clientConfig: {service: {name: missing-svc, namespace: default, path: /validate}}", "",
      ].join("\n"));
    await ok("apply", "-f", hook("Ignore"));
    await ok("create", "configmap", "c1", "--from-literal=a=b");
    await ok("apply", "-f", file("c2.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c2\n  labels: {hooked: \"yes\"}\n"));
    await ok("apply", "-f", hook("Fail"));
    const r = await k("apply", "-f", file("c3.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c3\n  labels: {hooked: \"yes\"}\n"));
    assert.match(r.stderr, /Internal error occurred: failed calling webhook "cm\.fail\.example\.com": failed to call webhook: Post "https:\/\/missing-svc\.default\.svc:443\/validate\?timeout=10s": service "missing-svc" not found/);
    await ok("create", "configmap", "c4", "--from-literal=a=b");
  });

  test("typed create subcommands POST protobuf for the new kinds", async () => {
    assert.match(await ok("create", "clusterrole", "pod-reader", "--verb=get,list", "--resource=pods"), /created/);
    assert.match(await ok("create", "role", "pod-reader", "--verb=get", "--resource=pods"), /created/);
    assert.match(await ok("create", "clusterrolebinding", "pr", "--clusterrole=pod-reader", "--user=bob"), /created/);
    assert.match(await ok("create", "priorityclass", "high", "--value=1000", "--description=high"), /created/);
    assert.match(await ok("create", "ingress", "simple", "--rule=foo.com/bar=svc1:8080"), /created/);
    // Protobuf-embedded (inline) structs decode into their parent: rules[].http, not ingressRuleValue.
    assert.deepEqual(JSON.parse(await ok("get", "ingress", "simple", "-o", "json")).spec.rules[0], {
      host: "foo.com",
      http: { paths: [{ path: "/bar", pathType: "Exact", backend: { service: { name: "svc1", port: { number: 8080 } } } }] },
    });
    assert.match(await ok("create", "pdb", "pdb1", "--selector=app=x", "--min-available=1"), /created/);
    assert.equal((await ok("auth", "can-i", "get", "pods", "--as", "bob")).trim(), "yes");
    const bad = await k("create", "priorityclass", "system-mine", "--value=5");
    assert.match(bad.stderr, /priority class names with 'system-' prefix are reserved for system use only/);
    const ing = await k("create", "ingress", "bad", "--rule=foo.com/bar=svc1:8080", "--dry-run=server", "-o", "json");
    assert.equal(ing.code, 0);
  });

  test("a CertificateSigningRequest approved with kubectl is signed by the cluster CA, and the certificate logs in", async () => {
    const keys = (await webcrypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const req = await x509.Pkcs10CertificateRequestGenerator.create({ name: "CN=jane,O=devs", keys, signingAlgorithm: { name: "ECDSA", hash: "SHA-256" } });
    const keyPem = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)).toString("base64").replace(/(.{64})/g, "$1\n").trim()}\n-----END PRIVATE KEY-----\n`;
    const csr = file("csr.yaml", [
      "apiVersion: certificates.k8s.io/v1", "kind: CertificateSigningRequest", "metadata:", "  name: jane", "spec:",
      `  request: ${Buffer.from(req.toString("pem")).toString("base64")}`, "  signerName: kubernetes.io/kube-apiserver-client", "  expirationSeconds: 86400", "  usages: [client auth]", "",
    ].join("\n"));
    await ok("apply", "-f", csr);
    assert.match(await ok("get", "csr", "jane"), /jane\s+\S+\s+kubernetes\.io\/kube-apiserver-client\s+masterclient\s+24h\s+Pending/);
    assert.match(await ok("certificate", "approve", "jane"), /approved/);
    assert.match(await ok("get", "csr", "jane"), /Approved,Issued/);
    const certPem = Buffer.from((await ok("get", "csr", "jane", "-o", "jsonpath={.status.certificate}")).trim(), "base64").toString("utf8");
    assert.match(certPem, /BEGIN CERTIFICATE/);
    const cfg = JSON.parse(await ok("config", "view", "--raw", "-o", "json"));
    await ok("config", "set-credentials", "jane", `--client-certificate=${file("jane.crt", certPem)}`, `--client-key=${file("jane.key", keyPem)}`, "--embed-certs");
    await ok("config", "set-context", "jane", `--cluster=${cfg.contexts[0].context.cluster}`, "--user=jane");
    assert.match(await ok("--context", "jane", "auth", "whoami"), /Username\s+jane[\s\S]*Groups\s+\[devs system:authenticated\]/);
    const r = await k("--context", "jane", "get", "secrets");
    assert.match(r.stderr, /secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" in the namespace "default"/);
  });

  test("RBAC escalation: roles and bindings granting what the writer does not hold are refused unless it holds escalate/bind", async () => {
    await ok("create", "namespace", "esc");
    await ok("create", "serviceaccount", "dev", "-n", "esc");
    await ok("create", "role", "rbac-editor", "-n", "esc", "--verb=get,list,create,update,patch", "--resource=roles,rolebindings");
    await ok("create", "role", "pods-get", "-n", "esc", "--verb=get", "--resource=pods");
    await ok("create", "rolebinding", "dev-rbac", "-n", "esc", "--role=rbac-editor", "--serviceaccount=esc:dev");
    await ok("create", "rolebinding", "dev-pods", "-n", "esc", "--role=pods-get", "--serviceaccount=esc:dev");
    const as = ["-n", "esc", "--as", "system:serviceaccount:esc:dev"];
    const groups = '(groups=["system:serviceaccounts" "system:serviceaccounts:esc" "system:authenticated"])';
    // Rules the user holds: allowed; rules it does not: kube-apiserver's ConfirmNoEscalation text.
    await ok("create", "role", "held", "--verb=get", "--resource=pods", ...as);
    const role = await k("create", "role", "secrets", "--verb=get,list", "--resource=secrets", ...as);
    assert.notEqual(role.code, 0);
    assert.ok(role.stderr.includes(`roles.rbac.authorization.k8s.io "secrets" is forbidden: user "system:serviceaccount:esc:dev" ${groups} is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}`), role.stderr);
    // Updating a held role to add what is not held is refused the same way.
    const upd = await k("patch", "role", "held", "--type=merge", "-p", '{"rules":[{"apiGroups":[""],"resources":["nodes","pods"],"verbs":["get"]}]}', ...as);
    assert.ok(upd.stderr.includes('{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}'), upd.stderr);
    // Binding: a role whose rules the user holds is fine; admin is not; a missing role is named.
    await ok("create", "rolebinding", "b-held", "--role=held", "--user=x", ...as);
    const adm = await k("create", "rolebinding", "b-admin", "--clusterrole=admin", "--user=x", ...as);
    assert.match(adm.stderr, /rolebindings\.rbac\.authorization\.k8s\.io "b-admin" is forbidden: user "system:serviceaccount:esc:dev" .* is attempting to grant RBAC permissions not currently held:\n[\s\S]*\{APIGroups:\[""\], Resources:\["configmaps"\], Verbs:\[/);
    const missing = await k("create", "rolebinding", "b-none", "--role=none", "--user=x", ...as);
    assert.match(missing.stderr, /rolebindings\.rbac\.authorization\.k8s\.io "b-none" is forbidden: role\.rbac\.authorization\.k8s\.io "none" not found/);
    // ClusterRoles need cluster scope; server-side dry run checks too.
    const dry = await k("create", "role", "dry", "--verb=delete", "--resource=pods", "--dry-run=server", ...as);
    assert.match(dry.stderr, /is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["pods"\], Verbs:\["delete"\]\}/);
    // escalate on roles and bind on the admin ClusterRole lift the checks.
    await ok("create", "role", "esc-bind", "-n", "esc", "--verb=escalate", "--resource=roles");
    await ok("create", "role", "bind-admin", "-n", "esc", "--verb=bind", "--resource=clusterroles", "--resource-name=admin");
    await ok("create", "rolebinding", "dev-esc", "-n", "esc", "--role=esc-bind", "--serviceaccount=esc:dev");
    await ok("create", "rolebinding", "dev-bind", "-n", "esc", "--role=bind-admin", "--serviceaccount=esc:dev");
    await ok("create", "role", "secrets", "--verb=get,list", "--resource=secrets", ...as);
    await ok("create", "rolebinding", "b-admin", "--clusterrole=admin", "--user=x", ...as);
    const edit = await k("create", "rolebinding", "b-edit", "--clusterrole=edit", "--user=x", ...as);
    assert.match(edit.stderr, /"b-edit" is forbidden: .* is attempting to grant RBAC permissions not currently held/);
  });

  test("server-side apply of an existing CRD twice (Helm v4's crds/ on a second release) keeps the defaulted fields", async () => {
    const crd = file("ssa-crd.yaml", [
      "apiVersion: apiextensions.k8s.io/v1", "kind: CustomResourceDefinition", "metadata:", "  name: things.example.com", "spec:", "  group: example.com",
      "  scope: Namespaced", "  names: {plural: things, kind: Thing}", "  versions:", "  - name: v1", "    served: true", "    storage: true",
      "    schema:", "      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}", "",
    ].join("\n"));
    for (let i = 0; i < 3; i++) assert.match(await ok("apply", "--server-side", "--force-conflicts", "--field-manager=helm", "-f", crd), /serverside-applied/);
    const live = JSON.parse(await ok("get", "crd", "things.example.com", "-o", "json", "--show-managed-fields"));
    assert.deepEqual(live.spec.conversion, { strategy: "None" });
    assert.equal(live.spec.names.listKind, "ThingList");
    // The applier owns what it sent, not the server's defaults.
    const mine = live.metadata.managedFields.find((m: { manager: string }) => m.manager === "helm");
    assert.equal(mine.operation, "Apply");
    assert.equal(mine.fieldsV1["f:spec"]["f:conversion"], undefined);
  });

  test("a ReplicationController keeps its replicas: replaced pods, scale, cascade delete", async () => {
    await ok("apply", "-f", file("rc.yaml", [
      "apiVersion: v1", "kind: ReplicationController", "metadata:", "  name: web", "spec:", "  replicas: 3", "  selector: {app: rc-web}", "  template:",
      "    metadata:", "      labels: {app: rc-web}", "    spec:", "      containers:", "      - name: nginx", "        image: nginx", "",
    ].join("\n")));
    const pods = async () => JSON.parse(await ok("get", "pods", "-l", "app=rc-web", "-o", "json")).items.filter((p: { metadata: { deletionTimestamp?: string } }) => !p.metadata.deletionTimestamp);
    const until = async (n: number) => {
      for (let i = 0; i < 100 && (await pods()).length !== n; i++) await new Promise((res) => setTimeout(res, 100));
      return pods();
    };
    const three = await until(3);
    assert.equal(three.length, 3);
    assert.deepEqual(three[0].metadata.ownerReferences[0], { apiVersion: "v1", kind: "ReplicationController", name: "web", uid: JSON.parse(await ok("get", "rc", "web", "-o", "json")).metadata.uid, controller: true, blockOwnerDeletion: true });
    await ok("delete", "pod", three[0].metadata.name, "--wait=false");
    const again = await until(3);
    assert.ok(!again.some((p: { metadata: { name: string } }) => p.metadata.name === three[0].metadata.name), "the deleted pod was replaced");
    await ok("scale", "rc", "web", "--replicas=1");
    assert.equal((await until(1)).length, 1);
    for (let i = 0; i < 50 && !/^web\s+1\s+1\s+1/m.test(await ok("get", "rc", "web")); i++) await new Promise((res) => setTimeout(res, 100));
    assert.match(await ok("get", "rc", "web"), /^web\s+1\s+1\s+1\s/m);
    assert.match(await ok("describe", "rc", "web"), /SuccessfulDelete\s+\S+\s+replication-controller\s+Deleted pod:/);
    await ok("delete", "rc", "web");
    assert.equal((await until(0)).length, 0);
  });

  test("api-resources lists the new groups", async () => {
    const out = await ok("api-resources");
    for (const re of [/clusterroles\s+rbac\.authorization\.k8s\.io\/v1\s+false\s+ClusterRole/, /ingresses\s+ing\s+networking\.k8s\.io\/v1\s+true\s+Ingress/, /poddisruptionbudgets\s+pdb\s+policy\/v1\s+true/, /customresourcedefinitions\s+crd,crds\s+apiextensions\.k8s\.io\/v1\s+false/, /widgets\s+wd\s+example\.com\/v1\s+true\s+Widget/, /selfsubjectaccessreviews\s+authorization\.k8s\.io\/v1\s+false/])
      assert.match(out, re);
  });
});

describe("static manifests with kubectl v1.20", { skip: kubectlMissing(KUBECTL_120) }, () => {
  let e: Env;
  const ok = kubectlOk(() => e, KUBECTL_120);
  before(async () => {
    e = await startEnv();
  });
  after(async () => {
    await e?.close();
  });

  test("apply, get, describe, auth can-i", async () => {
    assert.equal((await ok("apply", "-f", STATIC)).trim().split("\n").filter((l) => / created$/.test(l)).length, docs(STATIC));
    assert.equal((await ok("apply", "-f", APPS)).trim().split("\n").filter((l) => / created$/.test(l)).length, docs(APPS));
    assert.match(await ok("get", "widgets", "-A"), /w1/);
    assert.match(await ok("describe", "clusterrole", "monitoring"), /endpoints/);
    assert.equal((await ok("auth", "can-i", "list", "pods")).trim(), "yes");
    const r = await kubectl(e, KUBECTL_120, ["auth", "can-i", "delete", "pods", "--as", "system:serviceaccount:ingress-nginx:ingress-nginx", "-n", "kube-system"]);
    assert.equal(r.stdout.trim(), "no");
    assert.equal((await ok("auth", "can-i", "list", "pods", "--as", "system:serviceaccount:ingress-nginx:ingress-nginx", "-n", "ingress-nginx")).trim(), "yes");
  });

  test("re-apply leaves the fixture unchanged but what a real cluster reports configured", async () => {
    const again = reapplied((await ok("apply", "-f", STATIC)) + (await ok("apply", "-f", APPS)));
    assert.deepEqual(again.other, []);
    // kubectl 1.20 does not resend the PDB's "replace" selector when it is unchanged.
    assert.deepEqual(again.configured.sort(), REAPPLY_CONFIGURED.filter((o) => !o.startsWith("poddisruptionbudget")).sort());
  });

  test("get, describe and explain (OpenAPI v2 protobuf) on every built-in kind", async () => {
    const names: Record<string, string[]> = {
      namespaces: ["ingress-nginx"], serviceaccounts: ["ingress-nginx", "-n", "ingress-nginx"], configmaps: ["ingress-nginx-controller", "-n", "ingress-nginx"],
      services: ["ingress-nginx-controller", "-n", "ingress-nginx"], persistentvolumeclaims: ["controller-cache", "-n", "ingress-nginx"],
      resourcequotas: ["pods", "-n", "ingress-nginx"], limitranges: ["defaults", "-n", "ingress-nginx"], deployments: ["ingress-nginx-controller", "-n", "ingress-nginx"],
      roles: ["ingress-nginx", "-n", "ingress-nginx"], clusterroles: ["ingress-nginx"], rolebindings: ["ingress-nginx", "-n", "ingress-nginx"], clusterrolebindings: ["ingress-nginx"],
      ingressclasses: ["nginx"], ingresses: ["web", "-n", "ingress-nginx"], networkpolicies: ["allow-ingress", "-n", "ingress-nginx"],
      validatingwebhookconfigurations: ["ingress-nginx-admission"], priorityclasses: ["ingress-critical"], customresourcedefinitions: ["widgets.example.com"],
      poddisruptionbudgets: ["ingress-nginx", "-n", "ingress-nginx"], horizontalpodautoscalers: ["ingress-nginx-controller", "-n", "ingress-nginx"],
    };
    for (const [resource, kind, version] of BUILTIN_KINDS) {
      const [name, ...rest] = names[resource]!;
      assert.match(await ok("get", resource, name!, ...rest), /^NAME/m);
      // kubectl 1.20 describes PDBs through policy/v1beta1, which clusters since 1.25 (AKS included) no longer serve.
      if (resource === "poddisruptionbudgets") assert.match((await kubectl(e, KUBECTL_120, ["describe", resource, name!, ...rest])).stderr, /the server could not find the requested resource/);
      else assert.match(await ok("describe", resource, name!, ...rest), new RegExp(`Name:\\s+${name!.replace(/\./g, "\\.")}`));
      const out = await ok("explain", resource);
      assert.match(out, new RegExp(`KIND:\\s+${kind}\\n`), out);
      assert.match(out, new RegExp(`VERSION:\\s+${version.replace(/\./g, "\\.")}\\n`), out);
      assert.match(out, /metadata\t<Object>/, out);
    }
    assert.match(await ok("explain", "deployment.spec.strategy"), /The deployment strategy to use to replace existing pods with new ones\./);
    assert.match(await ok("explain", "pods.spec.containers"), /name\t<string> -required-/);
    // The custom resource too: its CRD schema is in OpenAPI v2, so kubectl 1.20 explains and validates it.
    assert.match(await ok("describe", "widget", "w1", "-n", "ingress-nginx"), /Name:\s+w1/);
    assert.match(await ok("explain", "widgets.spec"), /image\t<string> -required-\n\s+Container image\./);
    const typo = await kubectl(e, KUBECTL_120, ["apply", "-f", "-"], { input: "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: typo\n  namespace: ingress-nginx\nspec:\n  image: x\n  colour: red\n" });
    assert.match(typo.stderr, /ValidationError\(Widget\.spec\): unknown field "colour" in com\.example\.v1\.Widget\.spec/);
  });
});
