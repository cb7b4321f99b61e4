// networking.k8s.io/v1: Ingress, IngressClass, NetworkPolicy, with the validation texts of
// k/k pkg/apis/networking/validation (the ones manifests actually trip over).
import { infoFor } from "./info.js";
import { cause, type StatusCause } from "../errors.js";
import { fromStructured, selectorString } from "../selectors.js";
import type { Strategy } from "../types.js";
import { isObj, type Obj } from "../util.js";
import { ageCol, col, nameCol } from "./common.js";

const net = infoFor("networking.k8s.io", "v1");

const PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"];
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function validateBackend(b: Obj, p: string): StatusCause[] {
  const out: StatusCause[] = [];
  if (b.resource && b.service) return [cause.invalid(p, "", "cannot set both resource and service backends")];
  if (!b.resource && !b.service) return [cause.invalid(p, "", "resource or service backend is required")];
  if (isObj(b.service)) {
    if (!b.service.name) out.push(cause.required(`${p}.service.name`));
    const port = b.service.port;
    if (!isObj(port) || (port.name === undefined && port.number === undefined)) out.push(cause.required(`${p}.service.port`, "port name or number is required"));
    else if (port.name !== undefined && port.number !== undefined) out.push(cause.invalid(`${p}.service.port`, port, "cannot set both port name & port number"));
  }
  return out;
}

function validatePath(path: unknown, pathType: string, p: string): StatusCause[] {
  if (pathType === "ImplementationSpecific" && (path === undefined || path === "")) return [];
  if (typeof path !== "string" || !path.startsWith("/")) return [cause.invalid(`${p}.path`, path ?? "", "must be an absolute path")];
  if (pathType === "ImplementationSpecific") return [];
  for (const bad of ["//", "/./", "/../", "%2f", "%2F"]) if (path.includes(bad)) return [cause.invalid(`${p}.path`, path, `must not contain '${bad}'`)];
  for (const bad of ["/..", "/."]) if (path.endsWith(bad)) return [cause.invalid(`${p}.path`, path, `cannot end with '${bad}'`)];
  return [];
}

function validateHost(h: unknown, p: string): StatusCause[] {
  if (typeof h !== "string" || h === "") return [];
  if (IPV4.test(h)) return [cause.invalid(p, h, "must be a DNS name, not an IP address")];
  const name = h.startsWith("*.") ? h.slice(2) : h;
  if (!DNS1123_SUBDOMAIN.test(name))
    return [
      cause.invalid(
        p,
        h,
        h.startsWith("*")
          ? "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
          : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ),
    ];
  return [];
}

export function validateIngress(o: Obj, old?: Obj): StatusCause[] {
  const out: StatusCause[] = [];
  const spec = isObj(o.spec) ? o.spec : {};
  const rules = (Array.isArray(spec.rules) ? spec.rules : []) as Obj[];
  if (!spec.defaultBackend && rules.length === 0) out.push(cause.invalid("spec", spec, "either `defaultBackend` or `rules` must be specified"));
  if (isObj(spec.defaultBackend)) out.push(...validateBackend(spec.defaultBackend, "spec.defaultBackend"));
  rules.forEach((r, i) => {
    const p = `spec.rules[${i}]`;
    out.push(...validateHost(r.host, `${p}.host`));
    if (!isObj(r.http)) return;
    const paths = (Array.isArray(r.http.paths) ? r.http.paths : []) as Obj[];
    if (!paths.length) out.push(cause.required(`${p}.http.paths`));
    paths.forEach((x, j) => {
      const pp = `${p}.http.paths[${j}]`;
      if (!x.pathType) out.push(cause.required(`${pp}.pathType`, "pathType must be specified"));
      else if (!PATH_TYPES.includes(x.pathType)) out.push(cause.notSupported(`${pp}.pathType`, x.pathType, PATH_TYPES));
      else out.push(...validatePath(x.path, x.pathType, pp));
      if (!isObj(x.backend)) out.push(cause.required(`${pp}.backend`));
      else out.push(...validateBackend(x.backend, `${pp}.backend`));
    });
  });
  ((Array.isArray(spec.tls) ? spec.tls : []) as Obj[]).forEach((t, i) =>
    ((t.hosts ?? []) as unknown[]).forEach((h, j) => out.push(...validateHost(h, `spec.tls[${i}].hosts[${j}]`))),
  );
  if (spec.ingressClassName !== undefined && !DNS1123_SUBDOMAIN.test(String(spec.ingressClassName)))
    out.push(cause.invalid("spec.ingressClassName", spec.ingressClassName, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
  const ann = o.metadata?.annotations?.["kubernetes.io/ingress.class"];
  if (!old && ann !== undefined && spec.ingressClassName !== undefined && ann !== spec.ingressClassName)
    out.push(cause.invalid("annotations.kubernetes.io/ingress.class", ann, "must match `ingressClassName` when both are specified"));
  return out;
}

function ingressHosts(o: Obj): string {
  const hosts = ((o.spec?.rules ?? []) as Obj[]).map((r) => r.host).filter(Boolean) as string[];
  if (!hosts.length) return "*";
  return hosts.length > 4 ? `${hosts.slice(0, 4).join(",")} + ${hosts.length - 4} more...` : hosts.join(",");
}

function lbAddresses(o: Obj): string {
  return ((o.status?.loadBalancer?.ingress ?? []) as Obj[]).map((i) => i.ip ?? i.hostname).filter(Boolean).join(",");
}

export const ingresses: Strategy = {
  info: net("ingresses", "Ingress", true, { shortNames: ["ing"], subresources: ["status"] }),
  statusSubresource: true,
  generation: "spec",
  fields: ["spec", "status"],
  specFields: ["defaultBackend", "ingressClassName", "rules", "tls"],
  prepareForCreate(o) {
    o.status = { loadBalancer: {} };
  },
  validate: (o, old) => validateIngress(o, old),
  columns: [
    nameCol,
    col("Class", "string", (o) => o.spec?.ingressClassName ?? o.metadata?.annotations?.["kubernetes.io/ingress.class"] ?? "<none>"),
    col("Hosts", "string", ingressHosts),
    col("Address", "string", lbAddresses),
    col("Ports", "string", (o) => ((o.spec?.tls ?? []) as Obj[]).length ? "80, 443" : "80"),
    ageCol,
  ],
  patchMeta: { "spec.rules": {}, "spec.tls": {} },
};

export const ingressclasses: Strategy = {
  info: net("ingressclasses", "IngressClass", false),
  fields: ["spec"],
  specFields: ["controller", "parameters"],
  validate(o, old) {
    const out: StatusCause[] = [];
    const c = o.spec?.controller;
    if (!c) out.push(cause.required("spec.controller"));
    else if (String(c).length > 250) out.push({ reason: "FieldValueTooLong", message: "Too long: may not be more than 250 bytes", field: "spec.controller" });
    if (old && old.spec?.controller !== c) out.push(cause.invalid("spec.controller", c, "field is immutable"));
    const params = o.spec?.parameters;
    if (isObj(params)) {
      if (!params.kind) out.push(cause.required("spec.parameters.kind"));
      if (!params.name) out.push(cause.required("spec.parameters.name"));
      const scope = params.scope ?? "Cluster";
      if (!["Cluster", "Namespace"].includes(scope)) out.push(cause.notSupported("spec.parameters.scope", scope, ["Cluster", "Namespace"]));
      if (scope === "Namespace" && !params.namespace) out.push(cause.required("spec.parameters.namespace", "`parameters.scope` is set to 'Namespace'"));
      if (scope === "Cluster" && params.namespace) out.push(cause.forbidden("spec.parameters.namespace", "`parameters.scope` is set to 'Cluster'"));
    }
    return out;
  },
  columns: [
    nameCol,
    col("Controller", "string", (o) => o.spec?.controller ?? ""),
    col("Parameters", "string", (o) => {
      const p = o.spec?.parameters;
      return isObj(p) ? `${p.apiGroup ? `${p.kind}.${p.apiGroup}` : p.kind}/${p.name}` : "<none>";
    }),
    ageCol,
  ],
};

const POLICY_TYPES = ["Ingress", "Egress"];
const PROTOCOLS = ["SCTP", "TCP", "UDP"];

function validatePeers(peers: unknown, p: string): StatusCause[] {
  const out: StatusCause[] = [];
  ((Array.isArray(peers) ? peers : []) as Obj[]).forEach((peer, i) => {
    const pp = `${p}[${i}]`;
    const n = ["podSelector", "namespaceSelector", "ipBlock"].filter((k) => peer?.[k] !== undefined && peer?.[k] !== null).length;
    if (n === 0) out.push(cause.required(pp, "must specify a peer"));
    else if (peer.ipBlock && n > 1) out.push(cause.forbidden(pp, "may not specify both ipBlock and another peer"));
    if (isObj(peer.ipBlock) && !peer.ipBlock.cidr) out.push(cause.required(`${pp}.ipBlock.cidr`));
  });
  return out;
}

function validatePorts(ports: unknown, p: string): StatusCause[] {
  const out: StatusCause[] = [];
  ((Array.isArray(ports) ? ports : []) as Obj[]).forEach((port, i) => {
    const pp = `${p}[${i}]`;
    if (port.protocol !== undefined && !PROTOCOLS.includes(port.protocol)) out.push(cause.notSupported(`${pp}.protocol`, port.protocol, PROTOCOLS));
    if (port.endPort !== undefined) {
      if (port.port === undefined) out.push(cause.required(`${pp}.endPort`, "may not be specified when `port` is not specified"));
      else if (typeof port.port !== "number") out.push(cause.forbidden(`${pp}.endPort`, "may not be specified when `port` is non-numeric"));
      else if (port.endPort < port.port) out.push(cause.invalid(`${pp}.endPort`, port.endPort, "must be greater than or equal to `port`"));
    }
  });
  return out;
}

export const networkpolicies: Strategy = {
  info: net("networkpolicies", "NetworkPolicy", true, { shortNames: ["netpol"] }),
  generation: "spec",
  fields: ["spec"],
  specFields: ["podSelector", "ingress", "egress", "policyTypes"],
  prepareForCreate(o) {
    o.spec = isObj(o.spec) ? o.spec : {};
    o.spec.podSelector ??= {};
    o.spec.policyTypes ??= o.spec.egress ? ["Ingress", "Egress"] : ["Ingress"];
  },
  prepareForUpdate(o) {
    o.spec = isObj(o.spec) ? o.spec : {};
    o.spec.podSelector ??= {};
    o.spec.policyTypes ??= o.spec.egress ? ["Ingress", "Egress"] : ["Ingress"];
  },
  validate(o) {
    const out: StatusCause[] = [];
    const s = o.spec ?? {};
    const pts = (s.policyTypes ?? []) as string[];
    if (pts.length > 2) out.push(cause.invalid("spec.policyTypes", pts, "may not specify more than two policyTypes"));
    pts.forEach((t, i) => {
      if (!POLICY_TYPES.includes(t)) out.push(cause.notSupported(`spec.policyTypes[${i}]`, t, POLICY_TYPES));
    });
    ((s.ingress ?? []) as Obj[]).forEach((r, i) => out.push(...validatePeers(r.from, `spec.ingress[${i}].from`), ...validatePorts(r.ports, `spec.ingress[${i}].ports`)));
    ((s.egress ?? []) as Obj[]).forEach((r, i) => out.push(...validatePeers(r.to, `spec.egress[${i}].to`), ...validatePorts(r.ports, `spec.egress[${i}].ports`)));
    return out;
  },
  columns: [
    nameCol,
    col("Pod-Selector", "string", (o) => {
      const sel = fromStructured(o.spec?.podSelector);
      const s = sel ? selectorString(sel) : "";
      return s || "<none>";
    }),
    ageCol,
  ],
};

export const networkingKinds: Strategy[] = [ingressclasses, ingresses, networkpolicies];
