// Type and format checks of a managedCluster / agentPool PUT body, before defaults are applied:
// each failure is a 400 InvalidParameter naming the property path (instead of a crash later on).
import { AksErrors } from "./errors.js";
import { KUBERNETES_VERSIONS, resolveKubernetesVersion } from "./versions.js";
import { NODE_POD_CIDR_PREFIX_LENGTH, isSubnetId } from "./spec.js";
import { type IpAddress, contains, offsetOf, parseIPv4Address, parseIPv4Cidr, size, subnetCount } from "../../network/cidr.js";

const bad = (path: string, detail: string) => AksErrors.invalidProperty.make({ path, detail });

const DNS_LABEL = /^[a-zA-Z0-9]$|^[a-zA-Z0-9][-a-zA-Z0-9]{0,52}[a-zA-Z0-9]$/;

const DEFAULT_SERVICE_CIDR = "10.0.0.0/16";
const DEFAULT_DNS_SERVICE_IP = "10.0.0.10";

function parseIp(v: unknown): IpAddress | undefined {
  return typeof v === "string" ? parseIPv4Address(v) : undefined;
}

function optString(v: unknown, path: string): void {
  if (v !== undefined && v !== null && typeof v !== "string") throw bad(path, `must be a string, got ${JSON.stringify(v)}`);
}

function optBool(v: unknown, path: string): void {
  if (v !== undefined && v !== null && typeof v !== "boolean") throw bad(path, `must be a boolean (true or false), got ${JSON.stringify(v)}`);
}

function minorOf(v: string): [number, number] {
  const [a, b] = v.split(".").map(Number);
  return [a ?? 0, b ?? 0];
}

/** -1 / 0 / 1 comparing two x.y[.z] versions. */
export function compareVersions(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Agent pool checks (path: "properties.agentPoolProfiles[1]" or "properties" for the pool resource). */
export function validatePoolShape(pool: any, path: string, controlPlaneVersion: string | undefined): void {
  if (!pool || typeof pool !== "object") return; // normalizeAgentPool reports it
  if (pool.maxPods !== undefined && pool.maxPods !== null && (!Number.isInteger(pool.maxPods) || pool.maxPods < 10 || pool.maxPods > 250)) {
    throw bad(`${path}.maxPods`, `must be an integer from 10 to 250, got ${JSON.stringify(pool.maxPods)}`);
  }
  optString(pool.vnetSubnetID, `${path}.vnetSubnetID`);
  if (pool.vnetSubnetID && !isSubnetId(pool.vnetSubnetID)) throw bad(`${path}.vnetSubnetID`, `'${pool.vnetSubnetID}' is not a subnet resource id`);
  optString(pool.osType, `${path}.osType`);
  if (pool.availabilityZones !== undefined && pool.availabilityZones !== null
    && (!Array.isArray(pool.availabilityZones) || pool.availabilityZones.some((z: unknown) => typeof z !== "string"))) {
    throw bad(`${path}.availabilityZones`, "must be an array of strings");
  }
  const ov = pool.orchestratorVersion;
  if (ov !== undefined && ov !== null && ov !== "") {
    if (typeof ov !== "string") throw bad(`${path}.orchestratorVersion`, "must be a string");
    const resolved = resolveKubernetesVersion(ov);
    if (!resolved) throw bad(`${path}.orchestratorVersion`, `version ${ov} is not supported; supported: ${KUBERNETES_VERSIONS.join(", ")}`);
    const cp = controlPlaneVersion ? resolveKubernetesVersion(controlPlaneVersion) : undefined;
    if (cp && compareVersions(resolved, cp) > 0) throw bad(`${path}.orchestratorVersion`, `${ov} is above the control plane version ${controlPlaneVersion}`);
  }
}

/** Cluster PUT body checks (before defaults; `existing` = stored properties on update). */
export function validateClusterShape(body: any, existing?: Record<string, any>): void {
  if (body?.tags !== undefined && body.tags !== null) {
    if (typeof body.tags !== "object" || Array.isArray(body.tags)) throw bad("tags", "must be an object of string values");
    for (const [k, v] of Object.entries(body.tags)) if (typeof v !== "string") throw bad(`tags.${k}`, `must be a string, got ${JSON.stringify(v)}`);
  }
  const p = body?.properties;
  if (!p || typeof p !== "object") return;
  for (const k of ["dnsPrefix", "fqdnSubdomain"] as const) {
    optString(p[k], `properties.${k}`);
    if (typeof p[k] === "string" && p[k] !== "" && !DNS_LABEL.test(p[k])) {
      throw bad(`properties.${k}`, `'${p[k]}' must be 1 to 54 letters, digits and hyphens, starting and ending with a letter or digit`);
    }
  }
  // kubernetesVersion: supported (normalizeProperties), no downgrade, no skipped minor.
  if (typeof p.kubernetesVersion === "string" && p.kubernetesVersion !== "" && existing?.currentKubernetesVersion) {
    const next = resolveKubernetesVersion(p.kubernetesVersion);
    const cur = String(existing.currentKubernetesVersion);
    if (next) {
      if (compareVersions(next, cur) < 0) throw bad("properties.kubernetesVersion", `downgrading from ${cur} to ${p.kubernetesVersion} is not allowed`);
      const [a1, b1] = minorOf(cur);
      const [a2, b2] = minorOf(next);
      if (a2 !== a1 || b2 - b1 > 1) throw bad("properties.kubernetesVersion", `upgrading from ${cur} to ${p.kubernetesVersion} skips a minor version; upgrade one minor version at a time`);
    }
  } else if (p.kubernetesVersion !== undefined && p.kubernetesVersion !== null) optString(p.kubernetesVersion, "properties.kubernetesVersion");
  const cpVersion = (typeof p.kubernetesVersion === "string" && p.kubernetesVersion) || existing?.kubernetesVersion || undefined;
  if (Array.isArray(p.agentPoolProfiles)) p.agentPoolProfiles.forEach((ap: any, i: number) => validatePoolShape(ap, `properties.agentPoolProfiles[${i}]`, cpVersion));

  const np = p.networkProfile;
  if (np !== undefined && np !== null) {
    if (typeof np !== "object") throw bad("properties.networkProfile", "must be an object");
    optString(np.loadBalancerSku, "properties.networkProfile.loadBalancerSku");
    if (typeof np.loadBalancerSku === "string" && !["basic", "standard"].includes(np.loadBalancerSku.toLowerCase())) {
      throw bad("properties.networkProfile.loadBalancerSku", `'${np.loadBalancerSku}' must be basic or standard`);
    }
    for (const k of ["podCidr", "serviceCidr"] as const) {
      if (np[k] !== undefined && np[k] !== null && !parseIPv4Cidr(np[k])) throw bad(`properties.networkProfile.${k}`, `${JSON.stringify(np[k])} is not a valid IPv4 CIDR`);
    }
    const pod = parseIPv4Cidr(np.podCidr);
    if (pod && pod.prefixLength > NODE_POD_CIDR_PREFIX_LENGTH) throw bad("properties.networkProfile.podCidr", `${np.podCidr} is smaller than the /${NODE_POD_CIDR_PREFIX_LENGTH} each node needs`);
    if (np.dnsServiceIP !== undefined && np.dnsServiceIP !== null) {
      const ip = parseIp(np.dnsServiceIP);
      if (ip === undefined) throw bad("properties.networkProfile.dnsServiceIP", `${JSON.stringify(np.dnsServiceIP)} is not a valid IPv4 address`);
      const svcText = np.serviceCidr ?? existing?.networkProfile?.serviceCidr ?? DEFAULT_SERVICE_CIDR;
      const svc = parseIPv4Cidr(svcText)!;
      if (!contains(svc, ip)) throw bad("properties.networkProfile.dnsServiceIP", `${np.dnsServiceIP} is not inside serviceCidr ${np.serviceCidr ?? DEFAULT_SERVICE_CIDR}`);
      const at = offsetOf(svc, ip);
      if (at === 0n || at === 1n || at === size(svc) - 1n) {
        throw bad("properties.networkProfile.dnsServiceIP", `${np.dnsServiceIP} must not be the network, first (kubernetes Service) or broadcast address of serviceCidr`);
      }
    } else if (np.serviceCidr !== undefined && np.serviceCidr !== null) {
      const svc = parseIPv4Cidr(np.serviceCidr)!;
      if (!contains(svc, parseIp(DEFAULT_DNS_SERVICE_IP)!)) throw bad("properties.networkProfile.dnsServiceIP", `is required when serviceCidr ${np.serviceCidr} does not contain ${DEFAULT_DNS_SERVICE_IP}`);
    }
  }
  const asp = p.apiServerAccessProfile;
  if (asp !== undefined && asp !== null) {
    if (typeof asp !== "object" || Array.isArray(asp)) throw bad("properties.apiServerAccessProfile", "must be an object");
    for (const k of ["enableVnetIntegration", "enablePrivateCluster", "enablePrivateClusterPublicFQDN", "disableRunCommand"]) optBool(asp[k], `properties.apiServerAccessProfile.${k}`);
    optString(asp.privateDNSZone, "properties.apiServerAccessProfile.privateDNSZone");
    optString(asp.subnetId, "properties.apiServerAccessProfile.subnetId");
    if (typeof asp.subnetId === "string" && asp.subnetId !== "" && !isSubnetId(asp.subnetId)) throw bad("properties.apiServerAccessProfile.subnetId", `'${asp.subnetId}' is not a subnet resource id`);
    if (asp.authorizedIPRanges !== undefined && asp.authorizedIPRanges !== null
      && (!Array.isArray(asp.authorizedIPRanges) || asp.authorizedIPRanges.some((r: unknown) => typeof r !== "string"))) {
      throw bad("properties.apiServerAccessProfile.authorizedIPRanges", "must be an array of strings");
    }
  }
}

/** After defaults: every node needs a /24 of the pod CIDR (overlay / kubenet). */
export function validatePodCidrCapacity(props: Record<string, any>): void {
  const pod = parseIPv4Cidr(props.networkProfile?.podCidr);
  if (!pod) return;
  const capacity = Number(subnetCount(pod, NODE_POD_CIDR_PREFIX_LENGTH));
  const nodes = (props.agentPoolProfiles ?? []).reduce((n: number, ap: any) => n + (Number(ap.count) || 0), 0);
  if (nodes > capacity) throw bad("properties.networkProfile.podCidr", `${props.networkProfile.podCidr} has room for ${capacity} nodes (a /${NODE_POD_CIDR_PREFIX_LENGTH} each); the agent pools ask for ${nodes}`);
}
