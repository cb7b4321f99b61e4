// The RBAC objects kube-apiserver bootstraps (k/k plugin/pkg/auth/authorizer/rbac/bootstrappolicy,
// testdata/cluster-roles.yaml and cluster-role-bindings.yaml), plus AKS's own. Data, not code:
// each rule is [apiGroups, resources, verbs] or a non-resource rule.
import type { Obj } from "../util.js";

type Rule = Obj;

const RO = ["get", "list", "watch"];
const RW = ["create", "delete", "deletecollection", "patch", "update"];
const ALL = [...RO, ...RW];

function r(apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]): Rule {
  return resourceNames ? { apiGroups, resources, verbs, resourceNames } : { apiGroups, resources, verbs };
}
function nr(nonResourceURLs: string[], verbs: string[]): Rule {
  return { nonResourceURLs, verbs };
}

const AGG = "rbac.authorization.k8s.io/aggregate-to-";

const viewRules: Rule[] = [
  r([""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"], RO),
  r([""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"], RO),
  r([""], ["namespaces"], RO),
  r(["discovery.k8s.io"], ["endpointslices"], RO),
  r(["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"], RO),
  r(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], RO),
  r(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], RO),
  r(["extensions"], ["daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "ingresses", "ingresses/status", "networkpolicies", "replicasets", "replicasets/scale", "replicasets/status", "replicationcontrollers/scale"], RO),
  r(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], RO),
  r(["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"], RO),
  r(["events.k8s.io"], ["events"], RO),
];

const editRules: Rule[] = [
  r([""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"], RO),
  r([""], ["serviceaccounts"], ["impersonate"]),
  r([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], RW),
  r([""], ["pods/eviction"], ["create"]),
  r([""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"], RW),
  r([""], ["serviceaccounts/token"], ["create"]),
  r(["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"], RW),
  r(["autoscaling"], ["horizontalpodautoscalers"], RW),
  r(["batch"], ["cronjobs", "jobs"], RW),
  r(["extensions"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "ingresses", "networkpolicies", "replicasets", "replicasets/scale", "replicationcontrollers/scale"], RW),
  r(["policy"], ["poddisruptionbudgets"], RW),
  r(["networking.k8s.io"], ["ingresses", "networkpolicies"], RW),
  r(["coordination.k8s.io"], ["leases"], ALL),
  r(["events.k8s.io"], ["events"], RW),
];

const adminRules: Rule[] = [
  r(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
  r(["rbac.authorization.k8s.io"], ["rolebindings", "roles"], ALL),
];

function clusterRole(name: string, rules: Rule[] | null, extra: Obj = {}): Obj {
  return { metadata: { name, ...(extra.metadata ?? {}) }, rules, ...(extra.aggregationRule ? { aggregationRule: extra.aggregationRule } : {}) };
}

const aggregated = (name: string, label: string, labels: Obj = {}) =>
  clusterRole(name, null, { metadata: { labels }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`${AGG}${label}`]: "true" } }] } });

const signerApprover = (name: string, signer: string) => clusterRole(name, [r(["certificates.k8s.io"], ["signers"], ["approve"], [signer])]);

export const BOOTSTRAP_CLUSTER_ROLES: Obj[] = [
  clusterRole("cluster-admin", [r(["*"], ["*"], ["*"]), nr(["*"], ["*"])]),
  aggregated("admin", "admin"),
  aggregated("edit", "edit", { [`${AGG}admin`]: "true" }),
  aggregated("view", "view", { [`${AGG}edit`]: "true" }),
  clusterRole("system:aggregate-to-admin", adminRules, { metadata: { labels: { [`${AGG}admin`]: "true" } } }),
  clusterRole("system:aggregate-to-edit", editRules, { metadata: { labels: { [`${AGG}edit`]: "true" } } }),
  clusterRole("system:aggregate-to-view", viewRules, { metadata: { labels: { [`${AGG}view`]: "true" } } }),
  clusterRole("system:auth-delegator", [r(["authentication.k8s.io"], ["tokenreviews"], ["create"]), r(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"])]),
  clusterRole("system:basic-user", [r(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]), r(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"])]),
  clusterRole("system:certificates.k8s.io:certificatesigningrequests:nodeclient", [r(["certificates.k8s.io"], ["certificatesigningrequests/nodeclient"], ["create"])]),
  clusterRole("system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", [r(["certificates.k8s.io"], ["certificatesigningrequests/selfnodeclient"], ["create"])]),
  signerApprover("system:certificates.k8s.io:kube-apiserver-client-approver", "kubernetes.io/kube-apiserver-client"),
  signerApprover("system:certificates.k8s.io:kube-apiserver-client-kubelet-approver", "kubernetes.io/kube-apiserver-client-kubelet"),
  signerApprover("system:certificates.k8s.io:kubelet-serving-approver", "kubernetes.io/kubelet-serving"),
  signerApprover("system:certificates.k8s.io:legacy-unknown-approver", "kubernetes.io/legacy-unknown"),
  clusterRole("system:discovery", [nr(["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"], ["get"])]),
  clusterRole("system:heapster", [r([""], ["events", "namespaces", "nodes", "pods"], RO), r(["extensions"], ["deployments"], RO)]),
  clusterRole("system:kube-aggregator", [r([""], ["endpoints", "services"], RO)]),
  clusterRole("system:kube-controller-manager", [
    r(["", "events.k8s.io"], ["events"], ["create", "patch", "update"]),
    r(["coordination.k8s.io"], ["leases"], ["create"]),
    r(["coordination.k8s.io"], ["leases"], ["get", "update"], ["kube-controller-manager"]),
    r([""], ["secrets", "serviceaccounts"], ["create"]),
    r([""], ["secrets"], ["delete"]),
    r([""], ["configmaps", "namespaces", "secrets", "serviceaccounts"], ["get"]),
    r([""], ["secrets", "serviceaccounts"], ["update"]),
    r(["authentication.k8s.io"], ["tokenreviews"], ["create"]),
    r(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"]),
    r(["*"], ["*"], ["list", "watch"]),
    r([""], ["serviceaccounts/token"], ["create"]),
  ]),
  clusterRole("system:kube-dns", [r([""], ["endpoints", "services"], ["list", "watch"])]),
  clusterRole("system:kube-scheduler", [
    r(["", "events.k8s.io"], ["events"], ["create", "patch", "update"]),
    r(["coordination.k8s.io"], ["leases"], ["create"]),
    r(["coordination.k8s.io"], ["leases"], ["get", "update"], ["kube-scheduler"]),
    r([""], ["nodes"], RO),
    r([""], ["pods"], ["delete", "get", "list", "watch"]),
    r([""], ["bindings", "pods/binding"], ["create"]),
    r([""], ["pods/status"], ["patch", "update"]),
    r([""], ["replicationcontrollers", "services"], RO),
    r(["apps", "extensions"], ["replicasets"], RO),
    r(["apps"], ["statefulsets"], RO),
    r(["policy"], ["poddisruptionbudgets"], RO),
    r([""], ["persistentvolumeclaims", "persistentvolumes"], RO),
    r(["authentication.k8s.io"], ["tokenreviews"], ["create"]),
    r(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"]),
    r(["storage.k8s.io"], ["csinodes", "csidrivers", "csistoragecapacities", "storageclasses"], RO),
    r([""], ["namespaces"], RO),
  ]),
  clusterRole("system:kubelet-api-admin", [r([""], ["nodes"], ["get", "list", "watch", "proxy"]), r([""], ["nodes/log", "nodes/metrics", "nodes/proxy", "nodes/stats"], ["*"])]),
  clusterRole("system:monitoring", [nr(["/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics", "/metrics/slis", "/readyz", "/readyz/*", "/statusz"], ["get"]), r([""], ["nodes/metrics"], ["get"])]),
  clusterRole("system:node", [
    r(["authentication.k8s.io"], ["tokenreviews"], ["create"]),
    r(["authorization.k8s.io"], ["localsubjectaccessreviews", "subjectaccessreviews"], ["create"]),
    r([""], ["services"], RO),
    r([""], ["nodes"], ["create", "get", "list", "watch"]),
    r([""], ["nodes/status"], ["patch", "update"]),
    r([""], ["nodes"], ["patch", "update"]),
    r(["", "events.k8s.io"], ["events"], ["create", "patch", "update"]),
    r([""], ["pods"], RO),
    r([""], ["pods"], ["create", "delete"]),
    r([""], ["pods/status"], ["patch", "update"]),
    r([""], ["pods/eviction"], ["create"]),
    r([""], ["configmaps", "secrets"], ["get", "list", "watch"]),
    r([""], ["persistentvolumeclaims", "persistentvolumes"], ["get"]),
    r([""], ["endpoints"], ["get"]),
    r(["certificates.k8s.io"], ["certificatesigningrequests"], ["create", "get", "list", "watch"]),
    r(["coordination.k8s.io"], ["leases"], ["create", "delete", "get", "patch", "update"]),
    r(["storage.k8s.io"], ["volumeattachments"], ["get"]),
    r([""], ["serviceaccounts/token"], ["create"]),
    r([""], ["persistentvolumeclaims/status"], ["get", "patch", "update"]),
    r(["storage.k8s.io"], ["csidrivers"], RO),
    r(["storage.k8s.io"], ["csinodes"], ["create", "delete", "get", "patch", "update"]),
    r(["node.k8s.io"], ["runtimeclasses"], RO),
  ]),
  clusterRole("system:node-bootstrapper", [r(["certificates.k8s.io"], ["certificatesigningrequests"], ["create", "get", "list", "watch"])]),
  clusterRole("system:node-problem-detector", [r([""], ["nodes"], ["get"]), r([""], ["nodes/status"], ["patch"]), r(["", "events.k8s.io"], ["events"], ["create", "patch", "update"])]),
  clusterRole("system:node-proxier", [
    r([""], ["endpoints", "services"], ["list", "watch"]),
    r([""], ["nodes"], RO),
    r(["", "events.k8s.io"], ["events"], ["create", "patch", "update"]),
    r(["discovery.k8s.io"], ["endpointslices"], ["list", "watch"]),
  ]),
  clusterRole("system:persistent-volume-provisioner", [
    r([""], ["persistentvolumes"], ["create", "delete", "get", "list", "watch"]),
    r([""], ["persistentvolumeclaims"], ["get", "list", "update", "watch"]),
    r(["storage.k8s.io"], ["storageclasses"], RO),
    r([""], ["events"], ["create", "list", "patch", "update", "watch"]),
  ]),
  clusterRole("system:public-info-viewer", [nr(["/healthz", "/livez", "/readyz", "/version", "/version/"], ["get"])]),
  clusterRole("system:service-account-issuer-discovery", [nr(["/.well-known/openid-configuration", "/.well-known/openid-configuration/", "/openid/v1/jwks", "/openid/v1/jwks/"], ["get"])]),
  clusterRole("system:volume-scheduler", [r([""], ["persistentvolumes"], ["get", "list", "patch", "update", "watch"]), r(["storage.k8s.io"], ["storageclasses"], RO), r([""], ["persistentvolumeclaims"], ["get", "list", "patch", "update", "watch"])]),
  // AKS (support-policies): the role Microsoft support's identity is bound to; its rules are not published.
  clusterRole("aks-service", [r(["*"], ["*"], ["*"]), nr(["*"], ["*"])]),
];

type Subject = [kind: "User" | "Group" | "ServiceAccount", name: string, namespace?: string];

function binding(name: string, role: string, subjects: Subject[]): Obj {
  return {
    metadata: { name },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects: subjects.length
      ? subjects.map(([kind, n, ns]) => (kind === "ServiceAccount" ? { kind, name: n, namespace: ns } : { kind, apiGroup: "rbac.authorization.k8s.io", name: n }))
      : undefined,
  };
}

export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS: Obj[] = [
  binding("cluster-admin", "cluster-admin", [["Group", "system:masters"]]),
  binding("system:basic-user", "system:basic-user", [["Group", "system:authenticated"]]),
  binding("system:discovery", "system:discovery", [["Group", "system:authenticated"]]),
  binding("system:kube-controller-manager", "system:kube-controller-manager", [["User", "system:kube-controller-manager"]]),
  binding("system:kube-dns", "system:kube-dns", [["ServiceAccount", "kube-dns", "kube-system"]]),
  binding("system:kube-scheduler", "system:kube-scheduler", [["User", "system:kube-scheduler"]]),
  binding("system:monitoring", "system:monitoring", [["Group", "system:monitoring"]]),
  binding("system:node", "system:node", []),
  binding("system:node-proxier", "system:node-proxier", [["User", "system:kube-proxy"]]),
  binding("system:public-info-viewer", "system:public-info-viewer", [["Group", "system:authenticated"], ["Group", "system:unauthenticated"]]),
  binding("system:service-account-issuer-discovery", "system:service-account-issuer-discovery", [["Group", "system:serviceaccounts"]]),
  binding("system:volume-scheduler", "system:volume-scheduler", [["User", "system:kube-scheduler"]]),
  binding("aks-service-rolebinding", "aks-service", [["User", "aks-support"]]),
];

/** Labels and annotation every bootstrap object carries. */
export const BOOTSTRAP_LABELS = { "kubernetes.io/bootstrapping": "rbac-defaults" };
export const BOOTSTRAP_ANNOTATIONS = { "rbac.authorization.kubernetes.io/autoupdate": "true" };
