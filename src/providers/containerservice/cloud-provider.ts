// The cluster's cloud as AKS runs it (cloud-provider-azure's load-balancer reconciler, and the CSI
// drivers of csi-drivers.ts): a
// Service of type LoadBalancer becomes a public IP `kubernetes-<base>` + frontend, rules and
// probes on the `kubernetes` load balancer + an NSG allow rule (public), or a frontend in the node
// subnet (or the annotated one) on `kubernetes-internal` (internal), all in the node resource
// group and written through the Network provider's strategies, so IPAM and its errors apply.
// Everything runs in the caller's store transaction (the Service status write joins it).
import type { Txn } from "../../store/store.js";
import type { ArmEnv, ResourceRecord } from "../../arm/types.js";
import { ArmError } from "../../arm/errors.js";
import { getRecord, listByTypeInGroup, listChildren } from "../../arm/repo.js";
import { CloudError, type CloudProvider, type ClusterCloud } from "../../sim/types.js";
import type { Obj } from "../../kube/util.js";
import { clusterParts, ensureResource, internalOf, removeResource } from "./model.js";
import { T, ids, nodeRgId, nodeSubnetOf } from "./topology.js";
import { vnetOfSubnet } from "./spec.js";
import { createVolume, deleteVolume } from "./csi-drivers.js";
import {
  ANN, BACKEND_POOL, CCM_CLUSTER_NAME, INTERNAL_LB, NSG_RULE_PREFIX, PUBLIC_LB, TAG,
  allowRuleName, frontendName, lbBaseName, publicIpName, ruleName, taggedServices,
} from "./ccm-names.js";

const ARM_HOST = "https://management.azure.com";
const DASHES = "-".repeat(80);
const RULE_TYPE = "Microsoft.Network/networkSecurityGroups/securityRules";

/** How the Azure SDK for Go (azcore) prints a failed call, which is what the CCM's events carry. */
function azcoreText(method: string, id: string, err: ArmError): string {
  const reason = err.status === 400 ? "Bad Request" : err.status === 404 ? "Not Found" : err.status === 409 ? "Conflict" : "Error";
  return `${method} ${ARM_HOST}${id}\n${DASHES}\nRESPONSE ${err.status}: ${err.status} ${reason}\nERROR CODE: ${err.code}\n${DASHES}\n${JSON.stringify(err.toBody(), null, 2)}\n${DASHES}\n`;
}

/** An ARM write on the CCM's behalf; NRP refusals become the CCM's error text. */
function armPut(tx: Txn, env: ArmEnv, id: string, type: string, body: any): ResourceRecord {
  try {
    return ensureResource(tx, env, id, type, body);
  } catch (err) {
    if (err instanceof ArmError) throw new CloudError(azcoreText("PUT", id, err));
    throw err;
  }
}

interface Ctx {
  tx: Txn;
  env: ArmEnv;
  cluster: ResourceRecord;
}

const svcKey = (svc: Obj) => `${svc.metadata.namespace}/${svc.metadata.name}`;
const isInternal = (svc: Obj) => svc.metadata?.annotations?.[ANN.internal] === "true";

function lbIds(c: Ctx): { public: string; internal: string } {
  return { public: ids.outboundLb(c.cluster), internal: `${nodeRgId(c.cluster)}/providers/Microsoft.Network/loadBalancers/${INTERNAL_LB}` };
}

/** Everything on the LB that belongs to the Service: frontends and rules/probes named after its base name. */
const owns = (base: string) => (x: { name?: string }) => x.name === base || String(x.name ?? "").startsWith(`${base}-`);

function lbBody(existing: ResourceRecord | undefined, location: string | undefined): any {
  const p = existing?.properties ?? {};
  return {
    location: existing?.location ?? location,
    tags: existing?.tags,
    sku: { name: "Standard", tier: "Regional" },
    properties: {
      frontendIPConfigurations: [...(p.frontendIPConfigurations ?? [])],
      backendAddressPools: [...(p.backendAddressPools ?? [])],
      loadBalancingRules: [...(p.loadBalancingRules ?? [])],
      probes: [...(p.probes ?? [])],
      outboundRules: [...(p.outboundRules ?? [])],
      inboundNatRules: [...(p.inboundNatRules ?? [])],
    },
  };
}

/** Remove the Service's pieces from one LB; delete the LB when no frontend is left. Returns the frontends' old addresses. */
function removeFromLb(c: Ctx, lbId: string, base: string): string[] {
  const lb = getRecord(c.tx, lbId);
  if (!lb) return [];
  const mine = owns(base);
  const p = lb.properties ?? {};
  const gone = (p.frontendIPConfigurations ?? []).filter(mine);
  if (!gone.length && !(p.loadBalancingRules ?? []).some(mine) && !(p.probes ?? []).some(mine)) return [];
  const body = lbBody(lb, lb.location);
  const q = body.properties;
  q.frontendIPConfigurations = q.frontendIPConfigurations.filter((x: any) => !mine(x));
  q.loadBalancingRules = q.loadBalancingRules.filter((x: any) => !mine(x));
  q.probes = q.probes.filter((x: any) => !mine(x));
  if (!q.frontendIPConfigurations.length) removeResource(c.tx, c.env, lbId);
  else armPut(c.tx, c.env, lbId, T.lb, body);
  return gone.map((f: any) => f.properties?.privateIPAddress).filter(Boolean);
}

/** The node subnet (the cloud config's subnetName on AKS) and the VNet it sits in. */
function nodeSubnet(c: Ctx): string {
  const props = c.cluster.properties;
  const internal = internalOf(c.cluster);
  const first = internal.nodes?.[0]?.subnetId;
  return first ?? nodeSubnetOf({ props, internal }, (props.agentPoolProfiles ?? [])[0] ?? {});
}

function ensurePublicIp(c: Ctx, svc: Obj, base: string): ResourceRecord {
  const { sub } = clusterParts(c.cluster.id);
  const rg = String(c.cluster.properties.nodeResourceGroup);
  const requested = svc.metadata?.annotations?.[ANN.ipv4] || svc.spec?.loadBalancerIP;
  if (requested) {
    const pip = listByTypeInGroup(c.tx, sub, rg, T.pip).find((p) => p.properties?.ipAddress === requested);
    if (!pip) throw new CloudError(`user supplied IP Address ${requested} was not found in resource group ${rg}`);
    const names = taggedServices(pip.tags);
    if (names.length && !names.includes(svcKey(svc))) {
      armPut(c.tx, c.env, pip.id, T.pip, { location: pip.location, sku: pip.sku, tags: { ...pip.tags, [TAG.service]: [...names, svcKey(svc)].join(",") }, properties: pip.properties });
    }
    return pip;
  }
  const id = `${nodeRgId(c.cluster)}/providers/Microsoft.Network/publicIPAddresses/${publicIpName(base)}`;
  const cur = getRecord(c.tx, id);
  if (cur) return cur;
  return armPut(c.tx, c.env, id, T.pip, {
    location: c.cluster.location,
    sku: { name: "Standard", tier: "Regional" },
    tags: { [TAG.service]: svcKey(svc), [TAG.clusterName]: CCM_CLUSTER_NAME },
    properties: { publicIPAllocationMethod: "Static", publicIPAddressVersion: "IPv4" },
  });
}

/** Release the PIPs tagged for the Service: untag, and delete those no other Service names. */
function releasePublicIps(c: Ctx, svc: Obj, keep?: string): void {
  const { sub } = clusterParts(c.cluster.id);
  const rg = String(c.cluster.properties.nodeResourceGroup);
  for (const pip of listByTypeInGroup(c.tx, sub, rg, T.pip)) {
    if (keep && pip.id.toLowerCase() === keep.toLowerCase()) continue;
    const names = taggedServices(pip.tags);
    if (!names.includes(svcKey(svc))) continue;
    const rest = names.filter((n) => n !== svcKey(svc));
    if (rest.length) armPut(c.tx, c.env, pip.id, T.pip, { location: pip.location, sku: pip.sku, tags: { ...pip.tags, [TAG.service]: rest.join(",") }, properties: pip.properties });
    else removeResource(c.tx, c.env, pip.id);
  }
}

/** NSG: drop `ips` from every CCM-managed rule, then add `ip` to the rules `want` names; rules left without destinations go. */
function reconcileNsg(c: Ctx, drop: string[], ip: string | undefined, want: Array<{ name: string; protocol: string; ports: number[] }>): void {
  const nsgId = ids.nsg(c.cluster);
  if (!getRecord(c.tx, nsgId)) return;
  const rules = listChildren(c.tx, nsgId, RULE_TYPE);
  const byName = new Map(rules.map((r) => [r.name, r]));
  const dests = (r: ResourceRecord) => [...(r.properties.destinationAddressPrefixes ?? []), ...(r.properties.destinationAddressPrefix ? [r.properties.destinationAddressPrefix] : [])];
  const write = (name: string, base: ResourceRecord | undefined, protocol: string, ports: number[], to: string[], priority: number) => {
    const props: any = {
      protocol, sourcePortRange: "*", sourceAddressPrefix: "Internet", access: "Allow", direction: "Inbound", priority,
    };
    if (ports.length === 1) props.destinationPortRange = String(ports[0]);
    else props.destinationPortRanges = ports.map(String).sort();
    if (to.length === 1) props.destinationAddressPrefix = to[0];
    else props.destinationAddressPrefixes = [...to].sort();
    armPut(c.tx, c.env, base?.id ?? `${nsgId}/securityRules/${name}`, RULE_TYPE, { properties: props });
  };
  const wanted = new Set(want.map((w) => w.name));
  for (const r of rules) {
    if (!r.name.startsWith(NSG_RULE_PREFIX) || wanted.has(r.name)) continue;
    const cur = dests(r);
    const left = cur.filter((d) => !drop.includes(d) && d !== ip);
    if (left.length === cur.length) continue;
    if (!left.length) removeResource(c.tx, c.env, r.id);
    else write(r.name, r, r.properties.protocol, portsOf(r), left, r.properties.priority);
  }
  if (!ip) return;
  for (const w of want) {
    const cur = byName.get(w.name);
    const to = [...new Set([...(cur ? dests(cur).filter((d) => !drop.includes(d)) : []), ip])];
    if (cur && sameSet(dests(cur), to)) continue;
    write(w.name, cur, w.protocol, w.ports, to, cur?.properties.priority ?? freePriority(c, nsgId));
  }
}

function portsOf(r: ResourceRecord): number[] {
  const p = r.properties;
  return (p.destinationPortRanges?.length ? p.destinationPortRanges : [p.destinationPortRange]).map(Number);
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** Lowest free inbound priority from 500 up (cloud-provider-azure's allow rules). */
function freePriority(c: Ctx, nsgId: string): number {
  const used = new Set(listChildren(c.tx, nsgId, RULE_TYPE).filter((r) => String(r.properties?.direction ?? "Inbound") === "Inbound").map((r) => Number(r.properties.priority)));
  for (let p = 500; p <= 4095; p++) if (!used.has(p)) return p;
  throw new CloudError("security rule priority exhausted");
}

function ensureLoadBalancer(c: Ctx, svc: Obj): Array<{ ip: string }> {
  const base = lbBaseName(String(svc.metadata.uid));
  const internal = isInternal(svc);
  const lbs = lbIds(c);
  const lbId = internal ? lbs.internal : lbs.public;
  const oldIps = removeFromLb(c, internal ? lbs.public : lbs.internal, base);
  const ports = ((svc.spec?.ports ?? []) as Obj[]).filter((p) => ["TCP", "UDP", undefined].includes(p.protocol));
  const subnetName: string | undefined = internal ? svc.metadata?.annotations?.[ANN.internalSubnet] || undefined : undefined;
  const fe = frontendName(base, subnetName);

  const existing = getRecord(c.tx, lbId);
  const body = lbBody(existing, c.cluster.location);
  const q = body.properties;
  const mine = owns(base);
  const prevFe = q.frontendIPConfigurations.find((x: any) => x.name === fe);
  q.frontendIPConfigurations = q.frontendIPConfigurations.filter((x: any) => !mine(x));
  q.loadBalancingRules = q.loadBalancingRules.filter((x: any) => !mine(x));
  q.probes = q.probes.filter((x: any) => !mine(x));
  if (!q.backendAddressPools.some((p: any) => p.name === BACKEND_POOL)) q.backendAddressPools.push({ name: BACKEND_POOL, properties: {} });

  let pip: ResourceRecord | undefined;
  const feId = `${lbId}/frontendIPConfigurations/${fe}`;
  if (internal) {
    const nodeSub = nodeSubnet(c);
    let subnetId = nodeSub;
    if (subnetName) {
      const vnet = vnetOfSubnet(nodeSub);
      subnetId = `${vnet}/subnets/${subnetName}`;
      if (!getRecord(c.tx, subnetId)) throw new CloudError(`ensure(${svcKey(svc)}): lb(${INTERNAL_LB}) - failed to get subnet: ${vnet?.split("/").pop()}/${subnetName}`);
    }
    const requested: string | undefined = svc.metadata?.annotations?.[ANN.ipv4] || svc.spec?.loadBalancerIP || undefined;
    const props: any = { subnet: { id: subnetId } };
    const prevAddr = prevFe && prevFe.properties?.subnet?.id?.toLowerCase() === subnetId.toLowerCase() ? prevFe.properties?.privateIPAddress : undefined;
    if (requested) Object.assign(props, { privateIPAllocationMethod: "Static", privateIPAddress: requested });
    else if (prevAddr) Object.assign(props, { privateIPAllocationMethod: prevFe.properties.privateIPAllocationMethod ?? "Dynamic", privateIPAddress: prevAddr });
    else props.privateIPAllocationMethod = "Dynamic";
    q.frontendIPConfigurations.push({ name: fe, properties: props });
  } else {
    pip = ensurePublicIp(c, svc, base);
    q.frontendIPConfigurations.push({ name: fe, properties: { publicIPAddress: { id: pip.id } } });
  }
  const idle = Number(svc.metadata?.annotations?.[ANN.tcpIdle] ?? 4);
  if (!Number.isInteger(idle) || idle < 4 || idle > 100) throw new CloudError(`idle timeout value must be a whole number representing minutes between 4 and 100, actual value: ${svc.metadata?.annotations?.[ANN.tcpIdle]}`);
  for (const p of ports) {
    const proto = String(p.protocol ?? "TCP");
    const name = ruleName(fe, proto, Number(p.port));
    const probe = proto === "TCP" && p.nodePort;
    if (probe) q.probes.push({ name, properties: { protocol: "Tcp", port: Number(p.nodePort), intervalInSeconds: 5, numberOfProbes: 2, probeThreshold: 2 } });
    const rule: any = {
      protocol: proto === "UDP" ? "Udp" : "Tcp", frontendPort: Number(p.port), backendPort: Number(p.port), enableFloatingIP: true, idleTimeoutInMinutes: idle,
      enableTcpReset: proto === "TCP", loadDistribution: svc.spec?.sessionAffinity === "ClientIP" ? "SourceIP" : "Default", disableOutboundSnat: false,
      frontendIPConfiguration: { id: feId }, backendAddressPool: { id: `${lbId}/backendAddressPools/${BACKEND_POOL}` },
    };
    if (probe) rule.probe = { id: `${lbId}/probes/${name}` };
    q.loadBalancingRules.push({ name, properties: rule });
  }
  const lb = armPut(c.tx, c.env, lbId, T.lb, body);
  if (!internal) releasePublicIps(c, svc, pip!.id);
  else releasePublicIps(c, svc);
  const written = (lb.properties.frontendIPConfigurations ?? []).find((x: any) => x.name === fe);
  const ip: string | undefined = internal ? written?.properties?.privateIPAddress : pip?.properties?.ipAddress;
  if (!ip) throw new CloudError(`ensure(${svcKey(svc)}): lb(${internal ? INTERNAL_LB : PUBLIC_LB}) - frontend ${fe} has no address`);
  const nsgOff = svc.metadata?.annotations?.[ANN.disableNsg] === "true";
  const prevIngress = ((svc.status?.loadBalancer?.ingress ?? []) as Obj[]).map((x) => x.ip).filter(Boolean) as string[];
  // Internal frontends are reachable from the VNet through the NSG's default AllowVnetInBound rule (no CCM rule).
  const want = internal || nsgOff ? [] : groupByProtocol(ports).map((g) => ({ name: allowRuleName(g.protocol, ["Internet"], g.ports), ...g }));
  reconcileNsg(c, [...oldIps, ...prevIngress.filter((x) => x !== ip)], internal || nsgOff ? undefined : ip, want);
  if (internal || nsgOff) reconcileNsg(c, [ip], undefined, []);
  return [{ ip }];
}

function groupByProtocol(ports: Obj[]): Array<{ protocol: string; ports: number[] }> {
  const m = new Map<string, number[]>();
  for (const p of ports) {
    const proto = p.protocol === "UDP" ? "Udp" : "Tcp";
    m.set(proto, [...(m.get(proto) ?? []), Number(p.port)]);
  }
  return [...m].map(([protocol, ps]) => ({ protocol, ports: ps }));
}

function ensureLoadBalancerDeleted(c: Ctx, svc: Obj): void {
  const base = lbBaseName(String(svc.metadata.uid));
  const lbs = lbIds(c);
  const pipIps = listByTypeInGroup(c.tx, clusterParts(c.cluster.id).sub, String(c.cluster.properties.nodeResourceGroup), T.pip)
    .filter((p) => taggedServices(p.tags).includes(svcKey(svc))).map((p) => p.properties?.ipAddress).filter(Boolean) as string[];
  const old = [...removeFromLb(c, lbs.public, base), ...removeFromLb(c, lbs.internal, base), ...pipIps];
  const ingress = ((svc.status?.loadBalancer?.ingress ?? []) as Obj[]).map((x) => x.ip).filter(Boolean) as string[];
  reconcileNsg(c, [...old, ...ingress], undefined, []);
  releasePublicIps(c, svc);
}

/** The AKS cloud of every cluster in this emulator, found by the cluster's kube id (its lower-cased ARM id). */
export function aksCloud(env: ArmEnv): CloudProvider {
  return {
    forCluster(clusterId: string): ClusterCloud | undefined {
      const run = <R>(tx: Txn, fn: (c: Ctx) => R): R => {
        const cluster = getRecord(tx, clusterId);
        if (!cluster?.properties?.nodeResourceGroup) throw new CloudError(`cluster ${clusterId} not found`);
        return fn({ tx, env, cluster });
      };
      return {
        ensureLoadBalancer: (tx, svc) => run(tx, (c) => ensureLoadBalancer(c, svc)),
        ensureLoadBalancerDeleted: (tx, svc) => run(tx, (c) => ensureLoadBalancerDeleted(c, svc)),
        createVolume: (tx, req) => run(tx, (c) => createVolume(c.tx, c.env, c.cluster, req, armPut)),
        deleteVolume: (tx, provisioner, handle) => run(tx, (c) => deleteVolume(c.tx, c.env, provisioner, handle)),
      };
    },
  };
}
