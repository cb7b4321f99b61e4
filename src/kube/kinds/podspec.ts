// PodSpec knowledge shared by Pods and every workload template: defaults (SetDefaults_PodSpec,
// SetDefaults_Container), validation, strategic-merge keys, and the QoS class.
import { cause, type StatusCause } from "../errors.js";
import type { PatchMeta } from "../types.js";
import { isObj, randomSuffix, type Obj } from "../util.js";

function arr(v: unknown): Obj[] {
  return Array.isArray(v) ? (v as Obj[]) : [];
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function defaultContainer(c: Obj): void {
  if (!c.terminationMessagePath) c.terminationMessagePath = "/dev/termination-log";
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = "File";
  if (!c.imagePullPolicy) {
    const image = String(c.image ?? "");
    const lastSeg = image.split("/").pop() ?? "";
    const tagged = lastSeg.includes(":") && !image.includes("@");
    const tag = tagged ? lastSeg.split(":").pop() : undefined;
    c.imagePullPolicy = image.includes("@") ? "IfNotPresent" : !tagged || tag === "latest" ? "Always" : "IfNotPresent";
  }
  if (c.resources === undefined) c.resources = {};
  for (const p of (c.ports ?? []) as Obj[]) if (isObj(p) && !p.protocol) p.protocol = "TCP";
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
    if (!isObj(probe)) continue;
    probe.timeoutSeconds ??= 1;
    probe.periodSeconds ??= 10;
    probe.successThreshold ??= 1;
    probe.failureThreshold ??= 3;
    if (isObj(probe.httpGet)) probe.httpGet.scheme ??= "HTTP";
  }
}

/** Defaults every PodSpec gets, in pods and templates alike. */
export function defaultPodSpec(spec: Obj): void {
  if (!spec.restartPolicy) spec.restartPolicy = "Always";
  if (spec.terminationGracePeriodSeconds === undefined) spec.terminationGracePeriodSeconds = 30;
  if (!spec.dnsPolicy) spec.dnsPolicy = "ClusterFirst";
  if (spec.securityContext === undefined) spec.securityContext = {};
  if (!spec.schedulerName) spec.schedulerName = "default-scheduler";
  for (const c of [...arr(spec.containers), ...arr(spec.initContainers)]) if (isObj(c)) defaultContainer(c);
  for (const v of arr(spec.volumes)) {
    if (!isObj(v)) continue;
    if (isObj(v.configMap)) v.configMap.defaultMode ??= 420;
    if (isObj(v.secret)) v.secret.defaultMode ??= 420;
    if (isObj(v.projected)) v.projected.defaultMode ??= 420;
  }
}

const BUILTIN_PRIORITY: Record<string, number> = { "system-node-critical": 2000001000, "system-cluster-critical": 2000000000 };

/** What admission adds to a real Pod (not to templates): service account, token volume, tolerations, priority. */
export function admitPod(spec: Obj): void {
  if (spec.enableServiceLinks === undefined) spec.enableServiceLinks = true;
  if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || "default";
  spec.serviceAccount = spec.serviceAccountName;
  if (spec.priority === undefined) spec.priority = BUILTIN_PRIORITY[spec.priorityClassName] ?? 0;
  if (!spec.preemptionPolicy) spec.preemptionPolicy = "PreemptLowerPriority";
  const tolerations = (spec.tolerations ??= []) as Obj[];
  for (const key of ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]) {
    if (!tolerations.some((t) => t.key === key)) tolerations.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 });
  }
  if (spec.automountServiceAccountToken !== false) {
    const volumes = (spec.volumes ??= []) as Obj[];
    if (!volumes.some((v) => String(v.name).startsWith("kube-api-access-"))) {
      const name = `kube-api-access-${randomSuffix(5)}`;
      volumes.push({
        name,
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
            { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
            { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
          ],
        },
      });
      for (const c of [...arr(spec.containers), ...arr(spec.initContainers)]) {
        if (!isObj(c)) continue;
        const mounts = (c.volumeMounts ??= []) as Obj[];
        mounts.push({ name, readOnly: true, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" });
      }
    }
  }
}

export function qosClass(spec: Obj): string {
  let anyReq = false;
  let guaranteed = true;
  for (const c of (spec.containers ?? []) as Obj[]) {
    const r = (c.resources ?? {}) as Obj;
    const req = (r.requests ?? {}) as Obj;
    const lim = (r.limits ?? {}) as Obj;
    if (Object.keys(req).length || Object.keys(lim).length) anyReq = true;
    for (const k of ["cpu", "memory"]) {
      const l = lim[k];
      const q = req[k] ?? l;
      if (l === undefined || String(q) !== String(l)) guaranteed = false;
    }
  }
  if (!anyReq) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

export function validatePodSpec(spec: unknown, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  if (!isObj(spec)) return [cause.required(path)];
  const containers = spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    out.push(cause.required(`${path}.containers`));
    return out;
  }
  const names = new Set<string>();
  containers.forEach((c: unknown, i: number) => {
    const p = `${path}.containers[${i}]`;
    if (!isObj(c)) {
      out.push(cause.invalid(p, c, "must be an object"));
      return;
    }
    if (!c.name) out.push(cause.required(`${p}.name`));
    else if (typeof c.name !== "string" || !DNS1123_LABEL.test(c.name) || c.name.length > 63)
      out.push(cause.invalid(`${p}.name`, c.name, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
    else if (names.has(c.name)) out.push(cause.duplicate(`${p}.name`, c.name));
    else names.add(c.name);
    if (!c.image) out.push(cause.required(`${p}.image`));
    for (const [j, port] of ((Array.isArray(c.ports) ? c.ports : []) as Obj[]).entries()) {
      const cp = port?.containerPort;
      if (typeof cp !== "number" || cp < 1 || cp > 65535)
        out.push(cause.invalid(`${p}.ports[${j}].containerPort`, cp, "must be between 1 and 65535, inclusive"));
    }
  });
  const rp = spec.restartPolicy;
  if (rp !== undefined && !["Always", "OnFailure", "Never"].includes(rp)) out.push(cause.notSupported(`${path}.restartPolicy`, rp, ["Always", "OnFailure", "Never"]));
  return out;
}

const CONTAINER_META: PatchMeta = {
  ports: { key: "containerPort" },
  env: { key: "name" },
  volumeMounts: { key: "mountPath" },
  volumeDevices: { key: "devicePath" },
};

/** SMP keys of a PodSpec at prefix (e.g. "spec" for pods, "spec.template.spec" for workloads). */
export function podSpecPatchMeta(prefix: string): PatchMeta {
  const m: PatchMeta = {};
  const add = (p: string, v: PatchMeta[string]) => (m[`${prefix}.${p}`] = v);
  for (const list of ["containers", "initContainers", "ephemeralContainers"]) {
    add(list, { key: "name" });
    for (const [k, v] of Object.entries(CONTAINER_META)) add(`${list}.${k}`, v);
  }
  add("imagePullSecrets", { key: "name" });
  add("schedulingGates", { key: "name" });
  add("volumes", { key: "name", retainKeys: true });
  add("resourceClaims", { key: "name", retainKeys: true });
  add("hostAliases", { key: "ip" });
  add("topologySpreadConstraints", { key: "topologyKey" });
  return m;
}

export const METADATA_PATCH_META: PatchMeta = {
  "metadata.ownerReferences": { key: "uid" },
  "metadata.finalizers": { primitiveMerge: true },
};

export const CONDITIONS_META: PatchMeta = { "status.conditions": { key: "type" } };

/** PodSpec fields as of 1.32, for strict field validation of pod specs. */
export const POD_SPEC_FIELDS = [
  "activeDeadlineSeconds", "affinity", "automountServiceAccountToken", "containers", "dnsConfig", "dnsPolicy", "enableServiceLinks",
  "ephemeralContainers", "hostAliases", "hostIPC", "hostNetwork", "hostPID", "hostUsers", "hostname", "imagePullSecrets", "initContainers",
  "nodeName", "nodeSelector", "os", "overhead", "preemptionPolicy", "priority", "priorityClassName", "readinessGates", "resourceClaims",
  "resources", "restartPolicy", "runtimeClassName", "schedulerName", "schedulingGates", "securityContext", "serviceAccount",
  "serviceAccountName", "setHostnameAsFQDN", "shareProcessNamespace", "subdomain", "terminationGracePeriodSeconds", "tolerations",
  "topologySpreadConstraints", "volumes",
];

export function containerNames(spec: Obj | undefined): string {
  const cs = ((spec?.containers ?? []) as Obj[]).map((c) => c.name);
  return cs.length ? cs.join(",") : "<none>";
}

export function containerImages(spec: Obj | undefined): string {
  const cs = ((spec?.containers ?? []) as Obj[]).map((c) => c.image);
  return cs.length ? cs.join(",") : "<none>";
}
