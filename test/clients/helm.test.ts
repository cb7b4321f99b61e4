// Helm v4 (pinned in scripts/clients.mjs, built into .tools/bin by `npm run clients`) against an
// emulated AKS cluster: install of test/fixtures/helm/demo (Deployment, Service, ConfigMap,
// Secret, ServiceAccount + Role + RoleBinding, Ingress, a CRD from crds/ with a custom resource,
// a pre-install Job hook, NOTES) with --wait, list/status/upgrade/rollback/uninstall. Helm keeps releases as
// Secrets of type helm.sh/release.v1 found by label selector, and purges them with protobuf
// DeleteOptions.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startEmulator, tempDir, REPO_ROOT, type RunningEmulator } from "../helpers/emulator.js";
import { HELM, KUBECTL, needClient } from "../helpers/clients.js";
import { clusterId, ok, post, resourceGroup, STABLE } from "../aks/helpers.js";
import { runProcess } from "../helpers/run.js";

const CHART = path.join(REPO_ROOT, "test/fixtures/helm/demo");

const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 180_000) => runProcess(cmd, args, env, timeoutMs);

describe("Helm v4 against an emulated cluster", { skip: needClient(HELM, "helm v4") }, () => {
  let emu: RunningEmulator;
  let env: NodeJS.ProcessEnv;
  const helm = async (...args: string[]) => {
    const r = await run(HELM, args, env);
    assert.equal(r.code, 0, `helm ${args.join(" ")} failed:\n${r.stderr}`);
    return r.stdout;
  };
  const kubectl = async (...args: string[]) => {
    const r = await run(KUBECTL, args, env, 60_000);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed:\n${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    emu = await startEmulator({ latency: "instant" });
    const home = tempDir("aksemu-helm-");
    const kubeconfig = path.join(home, "kubeconfig");
    await resourceGroup(emu, "helm-rg");
    const cluster = clusterId("helm-rg", "helm-aks");
    await ok(emu, cluster, { location: "westus2", properties: { dnsPrefix: "helm-aks", agentPoolProfiles: [{ name: "nodepool1", count: 1, mode: "System" }] } }, STABLE);
    const creds = await post(emu, `${cluster}/listClusterUserCredential`, STABLE);
    assert.equal(creds.status, 200, creds.text);
    fs.writeFileSync(kubeconfig, Buffer.from(creds.body.kubeconfigs[0].value, "base64"), { mode: 0o600 });
    env = { ...process.env, KUBECONFIG: kubeconfig, HELM_CACHE_HOME: path.join(home, "cache"), HELM_CONFIG_HOME: path.join(home, "config"), HELM_DATA_HOME: path.join(home, "data") };
  });
  after(async () => {
    await emu?.stop();
  });

  test("install --wait, list, status, upgrade, rollback, uninstall", async () => {
    const install = await helm("install", "web", CHART, "--set", "hook.enabled=false", "--wait", "--timeout", "120s");
    assert.match(install, /STATUS: deployed/);
    assert.match(install, /NOTES:\nweb-demo is installed in namespace default \(revision 1\)\./);
    const list = JSON.parse(await helm("list", "-o", "json"));
    assert.deepEqual(list.map((r: { name: string; status: string; revision: string }) => [r.name, r.status, r.revision]), [["web", "deployed", "1"]]);
    // Releases are Secrets of type helm.sh/release.v1 with owner/name labels (found by label selector).
    const secrets = await kubectl("get", "secrets", "-l", "owner=helm,name=web", "-o", "jsonpath={range .items[*]}{.metadata.name} {.type}{\"\\n\"}{end}");
    assert.equal(secrets.trim(), "sh.helm.release.v1.web.v1 helm.sh/release.v1");
    assert.match(await kubectl("get", "deploy", "web-demo"), /web-demo\s+2\/2\s+2\s+2/);
    assert.match(await kubectl("get", "configmap", "web-demo", "-o", "jsonpath={.data.message}"), /^hello from aksemu$/);
    assert.match(await helm("status", "web"), /STATUS: deployed\nREVISION: 1/);
    // RBAC, the CRD (installed from crds/ before the templates) with its custom resource, and an Ingress.
    assert.equal(await kubectl("get", "crd", "greetings.demo.aksemu.io", "-o", "jsonpath={.status.conditions[?(@.type=='Established')].status}"), "True");
    assert.equal(await kubectl("get", "greeting", "web-demo", "-o", "jsonpath={.spec.message}"), "hello from aksemu");
    assert.equal(await kubectl("get", "ingress", "web-demo", "-o", "jsonpath={.spec.rules[0].host}"), "web.demo.example");
    assert.equal((await kubectl("auth", "can-i", "list", "configmaps", "--as", "system:serviceaccount:default:web-demo")).trim(), "yes");
    const denied = await run(KUBECTL, ["auth", "can-i", "delete", "configmaps", "--as", "system:serviceaccount:default:web-demo"], env, 60_000);
    assert.equal(denied.stdout.trim(), "no");

    const up = await helm("upgrade", "web", CHART, "--set", "hook.enabled=false", "--set", "message=bye", "--set", "replicaCount=3", "--wait", "--timeout", "120s");
    assert.match(up, /REVISION: 2/);
    assert.match(await kubectl("get", "deploy", "web-demo"), /web-demo\s+3\/3\s+3\s+3/);
    assert.equal(await kubectl("get", "configmap", "web-demo", "-o", "jsonpath={.data.message}"), "bye");

    await helm("rollback", "web", "1", "--wait", "--timeout", "120s");
    const history = JSON.parse(await helm("history", "web", "-o", "json"));
    assert.deepEqual(history.map((h: { revision: number; status: string }) => [h.revision, h.status]), [[1, "superseded"], [2, "superseded"], [3, "deployed"]]);
    assert.equal(await kubectl("get", "configmap", "web-demo", "-o", "jsonpath={.data.message}"), "hello from aksemu");
    assert.match(await kubectl("get", "deploy", "web-demo"), /web-demo\s+2\/2/);

    await helm("uninstall", "web", "--wait", "--timeout", "120s");
    assert.deepEqual(JSON.parse(await helm("list", "-o", "json")), []);
    assert.equal((await kubectl("get", "secrets,deploy,svc,configmaps,ingresses,roles,rolebindings,serviceaccounts,greetings", "-l", "app.kubernetes.io/instance=web", "-o", "name")).trim(), "");
    assert.equal((await kubectl("get", "secrets", "-l", "owner=helm", "-o", "name")).trim(), "");
  });

  test("a pre-install Job hook runs to completion before the release's resources", async () => {
    // The chart's CRD already exists from the first release; Helm v4 server-side applies crds/
    // again, which must leave the server-defaulted fields (spec.conversion.strategy) in place.
    const install = await helm("install", "hooked", CHART, "--wait", "--timeout", "60s");
    assert.match(install, /STATUS: deployed/);
    assert.match(await kubectl("get", "job", "hooked-demo-migrate", "-o", "jsonpath={.status.succeeded}"), /^1$/);
  });
});
