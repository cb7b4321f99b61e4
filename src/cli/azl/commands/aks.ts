// az aks create/update/show/list/delete/stop/start/get-credentials/command invoke/command result
// over the modular @azure/arm-containerservice client (25.x). Flags, defaults, help texts and the
// client-side validation messages follow azure-cli's acs module and the aks-preview extension
// (_params.py, _help.py, _validators.py, managed_cluster_decorator.py, custom.py).
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { basename, delimiter, dirname, join, relative } from "node:path";
import type { ArgSpec, CommandSpec, Example, ParsedArgs } from "../types.js";
import { POLL_MS, type CommandContext } from "../context.js";
import { AzCliError } from "../errors.js";
import { toAz } from "../shape.js";
import { printOrMergeCredentials } from "../kubeconfig.js";
import { zipStored } from "../zip.js";
import { sdkScope } from "./role.js";
import { collect, isValidResourceId, location, noWait, parseResourceId, parseTags, rg, str, tags, yes } from "./common.js";
import { type IpAddress, contains, firstAddress, parseIPv4Cidr, requireCidr } from "../../../network/cidr.js";

const EXT = "aks-preview";
const NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7";

// ------------------------------------------------------------------------------- helpers
/** acs custom.py _get_default_dns_prefix */
export function defaultDnsPrefix(name: string, resourceGroup: string, subscriptionId: string): string {
  let namePart = name.replace(/[^A-Za-z0-9-]/g, "").slice(0, 10);
  if (!/^[A-Za-z]/.test(namePart)) namePart = ("a" + namePart).slice(0, 10);
  const rgPart = resourceGroup.replace(/[^A-Za-z0-9-]/g, "").slice(0, 16);
  return `${namePart}-${rgPart}-${subscriptionId.slice(0, 6)}`;
}

const isSystemOrNone = (z: string) => ["system", "none"].includes(z.toLowerCase());

/** "a,b , c" -> ["a","b","c"]; "" -> [] (clears on update) */
export function splitRanges(v: unknown): string[] | undefined {
  if (v === null || v === undefined) return undefined;
  const s = String(v);
  if (s === "") return [];
  return s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
}

/** OpenSSH "ssh-rsa AAAA..." public key from a Node RSA public key. */
function opensshRsa(jwk: { n?: string; e?: string }, comment: string): string {
  const mpint = (b64u: string) => {
    let buf = Buffer.from(b64u, "base64url");
    if (buf[0]! & 0x80) buf = Buffer.concat([Buffer.from([0]), buf]);
    return buf;
  };
  const str = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const blob = Buffer.concat([str(Buffer.from("ssh-rsa")), str(mpint(jwk.e!)), str(mpint(jwk.n!))]);
  return `ssh-rsa ${blob.toString("base64")} ${comment}`;
}

/** acs _validators.validate_ssh_key (+ --generate-ssh-keys); undefined = no SSH key. */
async function resolveSshKey(ctx: CommandContext, a: ParsedArgs): Promise<string | undefined> {
  if (a.no_ssh_key) return undefined;
  const home = ctx.io.env.HOME || homedir();
  // the default (~/.ssh/id_rsa.pub) is only an error when the user named a key explicitly
  const given = ctx.specified.includes("ssh_key_value") ? str(a.ssh_key_value) : undefined;
  const path = given ?? join(home, ".ssh", "id_rsa.pub");
  const expanded = path.startsWith("~") ? join(home, path.slice(1)) : path;
  if (existsSync(expanded)) return readFileSync(expanded, "utf8").trim();
  if (given && /^(ssh-rsa|ssh-ed25519|ecdsa-sha2-\S+) \S+/.test(given)) return given.trim();
  if (a.generate_ssh_keys) {
    const pub = expanded;
    const priv = pub.toLowerCase().endsWith(".pub") ? pub.slice(0, -4) : pub + ".private";
    ctx.log.warning(
      `SSH key files '${priv}' and '${pub}' have been generated under ~/.ssh to allow SSH access to the VM. If using machines without permanent storage like Azure Cloud Shell without an attached file share, back up your keys to a safe location`,
    );
    // node:crypto is loaded only here: importing it costs every azl command start-up time
    const { generateKeyPairSync } = await import("node:crypto");
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const content = opensshRsa(publicKey.export({ format: "jwk" }) as { n?: string; e?: string }, "azl-generated");
    mkdirSync(dirname(pub), { recursive: true, mode: 0o700 });
    writeFileSync(priv, privateKey.export({ type: "pkcs1", format: "pem" }) as string, { mode: 0o600 });
    writeFileSync(pub, content + "\n", { mode: 0o644 });
    return content;
  }
  if (given) {
    throw new AzCliError(
      "InvalidArgumentValueError",
      "Provided ssh key (" + given + ") is invalid or non-existent",
    );
  }
  return undefined;
}

/** Python ipaddress is_global for IPv4 (private, loopback, link-local, shared, reserved ranges are not). */
const NOT_GLOBAL_V4 = [
  "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
  "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "224.0.0.0/4",
].map(requireCidr);

function isGlobalV4(ip: IpAddress): boolean {
  return !NOT_GLOBAL_V4.some((n) => contains(n, ip));
}

/** acs _validators.validate_ip_ranges */
function validateIpRanges(v: unknown): void {
  if (v === null || v === undefined || v === "") return;
  const ranges = String(v).split(",").map((x) => x.trim());
  if (ranges.includes("0.0.0.0/32") && ranges.length > 1) {
    throw new AzCliError(
      "UnclassifiedUserFault",
      "Setting --api-server-authorized-ip-ranges to 0.0.0.0/32 is not allowed with other IP ranges. Refer to https://aka.ms/aks/whitelist for more details",
    );
  }
  if (ranges.includes("") && ranges.length > 1) throw new AzCliError("UnclassifiedUserFault", "--api-server-authorized-ip-ranges cannot be disabled and simultaneously enabled");
  for (const r of ranges) {
    if (r === "0.0.0.0/32" || r === "") continue;
    if (r.includes(":")) throw new AzCliError("UnclassifiedUserFault", "--api-server-authorized-ip-ranges cannot be IPv6 addresses");
    // ipaddress.ip_network(r, strict=True): a bare address is a /32; host bits are an error.
    const net = parseIPv4Cidr(r.includes("/") ? r : `${r}/32`);
    if (!net) {
      throw new AzCliError("UnclassifiedUserFault", "--api-server-authorized-ip-ranges should be a list of IPv4 addresses or CIDRs");
    }
    if (!isGlobalV4(firstAddress(net))) throw new AzCliError("UnclassifiedUserFault", "--api-server-authorized-ip-ranges must be global non-reserved addresses or CIDRs");
  }
}

function validateIds(a: ParsedArgs): void {
  // acs _validators: validate_linux_host_name, validate_nodepool_name, validate_k8s_version, validate_ip_ranges
  if (a.name !== undefined && a.nodepool_name !== undefined) {
    // create only (update has no --nodepool-name)
    const rfc1123 = /^([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9])(\.([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9]))*$/;
    if (!rfc1123.test(String(a.name))) {
      throw new AzCliError("InvalidArgumentValueError", "--name cannot exceed 63 characters and can only contain letters, numbers, or dashes (-).");
    }
    const np = String(a.nodepool_name ?? "");
    if (np !== "") {
      if (np.length > 12) throw new AzCliError("InvalidArgumentValueError", "--nodepool-name can contain at most 12 characters");
      if (!/^[A-Za-z0-9]+$/.test(np)) throw new AzCliError("InvalidArgumentValueError", "--nodepool-name should contain only alphanumeric characters");
    }
  }
  if (a.kubernetes_version && !/^\d+\.\d+(\.\d+)?$/.test(String(a.kubernetes_version))) {
    throw new AzCliError("InvalidArgumentValueError", '--kubernetes-version should be the full version number or major.minor version number, such as "1.7.12" or "1.7"');
  }
  validateIpRanges(a.api_server_authorized_ip_ranges);
  // acs _validators: validate_vnet_subnet_id, validate_pod_subnet_id, validate_apiserver_subnet_id, validate_assign_identity
  const check = (key: string, flag: string) => {
    const v = a[key];
    if (v !== null && v !== undefined && v !== "" && !isValidResourceId(String(v))) {
      throw new AzCliError("InvalidArgumentValueError", `${flag} is not a valid Azure resource ID.`);
    }
  };
  check("vnet_subnet_id", "--vnet-subnet-id");
  check("pod_subnet_id", "--pod-subnet-id");
  check("apiserver_subnet_id", "--apiserver-subnet-id");
  check("system_node_subnet_id", "--system-node-subnet-id");
  check("node_subnet_id", "--node-subnet-id");
  check("assign_identity", "--assign-identity");
  check("assign_kubelet_identity", "--assign-kubelet-identity");
  if (a.private_dns_zone && !isSystemOrNone(String(a.private_dns_zone)) && !isValidResourceId(String(a.private_dns_zone))) {
    throw new AzCliError("InvalidArgumentValueError", `${String(a.private_dns_zone)} is not a valid Azure resource ID.`);
  }
}

type MC = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Shape an SDK ManagedCluster like az prints it. `removeNulls` = acs custom.py _remove_nulls. */
export function shapeCluster(mc: unknown, removeNulls = false): Record<string, unknown> {
  const o = toAz(mc) as Record<string, unknown>;
  if (removeNulls) {
    if (o.tags === null) delete o.tags;
    for (const p of (o.agentPoolProfiles as Array<Record<string, unknown>> | null) ?? []) {
      if (p.osDiskSizeGb === null) delete p.osDiskSizeGb;
      if (p.vnetSubnetId === null) delete p.vnetSubnetId;
    }
    const sp = o.servicePrincipalProfile as Record<string, unknown> | null;
    if (sp && sp.secret === null) delete sp.secret;
  }
  return o;
}

const AKS_TABLE = `{
  name: name,
  location: location,
  resourceGroup: resourceGroup,
  kubernetesVersion: kubernetesVersion,
  currentKubernetesVersion: currentKubernetesVersion,
  provisioningState: provisioningState,
  fqdn: fqdn || privateFqdn
}`;

async function subnetRoleAssignmentExists(ctx: CommandContext, scope: string): Promise<boolean> {
  const c = await ctx.authorization();
  for (const i of await collect(c.roleAssignments.listForScope(sdkScope(scope), { filter: "atScope()" }))) {
    if ((i.scope ?? "").toLowerCase() === scope.toLowerCase() && (i.roleDefinitionId ?? "").toLowerCase().endsWith(NETWORK_CONTRIBUTOR)) return true;
  }
  return false;
}

async function addNetworkContributor(ctx: CommandContext, principalId: string, scope: string): Promise<boolean> {
  try {
    const c = await ctx.authorization();
    const sub = await ctx.subscriptionId();
    await c.roleAssignments.create(sdkScope(scope), globalThis.crypto.randomUUID(), {
      roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${NETWORK_CONTRIBUTOR}`,
      principalId,
      principalType: "ServicePrincipal",
    } as never);
    return true;
  } catch (e) {
    ctx.log.debug(`role assignment failed: ${(e as Error).message}`);
    return false;
  }
}

async function identityPrincipalId(ctx: CommandContext, id: string): Promise<string | undefined> {
  const p = parseResourceId(id);
  if (!p) return undefined;
  const c = await ctx.msi();
  return (await c.userAssignedIdentities.get(p.resourceGroup, p.name)).principalId;
}

// ------------------------------------------------------------------------------- create
export async function buildCreateBody(ctx: CommandContext, a: ParsedArgs, opts: { location: string; subscriptionId: string; sshKey?: string }): Promise<MC> {
  validateIds(a);
  const name = String(a.name);
  const group = String(a.resource_group_name);
  const vnetSubnetId = str(a.vnet_subnet_id);
  const apiserverSubnetId = str(a.apiserver_subnet_id);
  const enableVnetIntegration = a.enable_apiserver_vnet_integration === true;
  const enablePrivate = a.enable_private_cluster === true;
  const lbSku = str(a.load_balancer_sku)?.toLowerCase();
  const ranges = splitRanges(a.api_server_authorized_ip_ranges);
  const automatic = String(a.sku ?? "").toLowerCase() === "automatic";
  const systemNodeSubnetId = str(a.system_node_subnet_id);
  const nodeSubnetId = str(a.node_subnet_id);
  // managed_cluster_decorator.py (2.91): validate_byo_hosted_system_subnets
  if (a.enable_hosted_system && !automatic) throw new AzCliError("RequiredArgumentMissingError", '"--enable-hosted-system" requires "--sku automatic".');
  if (systemNodeSubnetId || nodeSubnetId) {
    const missing = [[systemNodeSubnetId, "--system-node-subnet-id"], [nodeSubnetId, "--node-subnet-id"], [apiserverSubnetId, "--apiserver-subnet-id"]].filter(([v]) => !v).map(([, f]) => f);
    if (missing.length) {
      throw new AzCliError("RequiredArgumentMissingError", `BYO VNet for a Managed System Pool (Automatic cluster) requires all three subnets. Missing: ${missing.join(", ")}.`);
    }
    if (!automatic) throw new AzCliError("RequiredArgumentMissingError", '"--system-node-subnet-id" / "--node-subnet-id" require "--sku automatic".');
  }
  // get_enable_hosted_system: explicit, or implied by the subnet trio
  const hostedSystem = a.enable_hosted_system === true || !!(systemNodeSubnetId && nodeSubnetId && apiserverSubnetId);
  // managed_cluster_decorator.py: _get_apiserver_subnet_id / _get_enable_apiserver_vnet_integration
  if (apiserverSubnetId && !vnetSubnetId && !systemNodeSubnetId && !nodeSubnetId) throw new AzCliError("RequiredArgumentMissingError", '"--apiserver-subnet-id" requires "--vnet-subnet-id".');
  if (apiserverSubnetId && !enableVnetIntegration && !automatic) {
    throw new AzCliError("RequiredArgumentMissingError", '"--apiserver-subnet-id" requires "--enable-apiserver-vnet-integration".');
  }
  // get_enable_private_cluster (create)
  if (enablePrivate) {
    if (lbSku === "basic") throw new AzCliError("InvalidArgumentValueError", "Please use standard load balancer for private cluster");
    if (ranges && ranges.length) throw new AzCliError("MutuallyExclusiveArgumentError", "--api-server-authorized-ip-ranges is not supported for private cluster");
  } else {
    if (a.disable_public_fqdn) throw new AzCliError("InvalidArgumentValueError", "--disable-public-fqdn should only be used with --enable-private-cluster");
    if (a.private_dns_zone) throw new AzCliError("InvalidArgumentValueError", "Invalid private dns zone for public cluster. It should always be empty for public cluster");
  }
  if (ranges && ranges.length && lbSku === "basic") {
    throw new AzCliError("InvalidArgumentValueError", "--api-server-authorized-ip-ranges can only be used with standard load balancer");
  }
  if (a.fqdn_subdomain && (!a.private_dns_zone || isSystemOrNone(String(a.private_dns_zone)))) {
    throw new AzCliError("InvalidArgumentValueError", "--fqdn-subdomain should only be used for private cluster with custom private dns zone");
  }
  if (a.disable_public_fqdn && a.private_dns_zone && String(a.private_dns_zone).toLowerCase() === "none") {
    throw new AzCliError("InvalidArgumentValueError", "--disable-public-fqdn cannot be applied for none mode private dns zone cluster");
  }
  if (a.enable_cluster_autoscaler) {
    if (a.min_count === null || a.max_count === null) {
      throw new AzCliError("RequiredArgumentMissingError", "Please specify both min-count and max-count when --enable-cluster-autoscaler enabled");
    }
    if (Number(a.min_count) > Number(a.max_count)) throw new AzCliError("InvalidArgumentValueError", "Value of min-count should be less than or equal to value of max-count");
  } else if (a.min_count !== null || a.max_count !== null) {
    throw new AzCliError("RequiredArgumentMissingError", "Cluster autoscaler is not enabled for this node pool. Please specify --enable-cluster-autoscaler to enable it.");
  }

  const pool: MC = {
    name: String(a.nodepool_name ?? "nodepool1"),
    count: Number(a.node_count ?? 3),
    vmSize: str(a.node_vm_size),
    osType: "Linux",
    osSKU: str(a.os_sku),
    mode: "System",
    type: str(a.vm_set_type) ?? "VirtualMachineScaleSets",
    vnetSubnetID: vnetSubnetId,
    podSubnetID: str(a.pod_subnet_id),
    osDiskSizeGB: a.node_osdisk_size ?? undefined,
    osDiskType: str(a.node_osdisk_type),
    maxPods: a.max_pods ?? undefined,
    availabilityZones: (a.zones as string[] | null) ?? undefined,
    enableNodePublicIP: a.enable_node_public_ip === true ? true : undefined,
    enableEncryptionAtHost: a.enable_encryption_at_host === true ? true : undefined,
    enableFips: a.enable_fips_image === true ? true : undefined,
    nodeLabels: parseTags(a.nodepool_labels),
    tags: parseTags(a.nodepool_tags),
    nodeTaints: a.nodepool_taints ? String(a.nodepool_taints).split(",").map((t) => t.trim()) : undefined,
  };
  if (a.enable_cluster_autoscaler) {
    pool.enableAutoScaling = true;
    pool.minCount = a.min_count;
    pool.maxCount = a.max_count;
  }
  const networkProfile: MC = {
    networkPlugin: str(a.network_plugin),
    networkPluginMode: str(a.network_plugin_mode),
    networkPolicy: str(a.network_policy),
    networkDataplane: str(a.network_dataplane),
    podCidr: str(a.pod_cidr),
    serviceCidr: str(a.service_cidr),
    dnsServiceIP: str(a.dns_service_ip),
    loadBalancerSku: lbSku ?? "standard",
    outboundType: str(a.outbound_type) ?? "loadBalancer",
  };
  // _get_outbound_type: "outbound_type of Automatic SKU should be ManagedNATGateway if no subnet id provided."
  if (automatic && !vnetSubnetId && !systemNodeSubnetId && !nodeSubnetId && networkProfile.outboundType === "loadBalancer") networkProfile.outboundType = "managedNATGateway";
  if (networkProfile.networkPlugin === "kubenet" && networkProfile.networkPluginMode) {
    throw new AzCliError("InvalidArgumentValueError", "--network-plugin-mode is only supported with --network-plugin azure.");
  }
  let api: MC | undefined;
  if ((ranges && ranges.length) || enablePrivate) {
    api = {
      authorizedIPRanges: ranges && ranges.length ? ranges : undefined,
      enablePrivateCluster: enablePrivate ? true : undefined,
      enablePrivateClusterPublicFqdn: a.disable_public_fqdn ? false : undefined,
      privateDNSZone: str(a.private_dns_zone),
    };
  }
  if (enableVnetIntegration) {
    api ??= {};
    api.enableVnetIntegration = true;
  }
  if (apiserverSubnetId) {
    api ??= {};
    api.subnetId = apiserverSubnetId;
    // "BYO VNet for Managed System Pool (Automatic SKU) requires apiserver VNet integration"
    if (systemNodeSubnetId || nodeSubnetId) api.enableVnetIntegration = true;
  }
  if (a.disable_run_command) {
    api ??= {};
    api.disableRunCommand = true;
  }
  const mc: MC = {
    location: opts.location,
    tags: parseTags(a.tags),
    kubernetesVersion: str(a.kubernetes_version),
    dnsPrefix: a.fqdn_subdomain ? undefined : str(a.dns_name_prefix) ?? defaultDnsPrefix(name, group, opts.subscriptionId),
    fqdnSubdomain: str(a.fqdn_subdomain),
    enableRbac: a.disable_rbac ? false : true,
    // set_up_agentpool_profile: a managed system pool cluster sends no pools
    agentPoolProfiles: hostedSystem ? undefined : [pool],
    networkProfile,
    apiServerAccessProfile: api,
    nodeResourceGroup: str(a.node_resource_group),
    disableLocalAccounts: a.disable_local_accounts === true ? true : undefined,
  };
  if (opts.sshKey) mc.linuxProfile = { adminUsername: String(a.admin_username ?? "azureuser"), ssh: { publicKeys: [{ keyData: opts.sshKey }] } };
  if (a.service_principal) {
    if (!a.client_secret) throw new AzCliError("RequiredArgumentMissingError", "--client-secret is required if --service-principal is specified");
    mc.servicePrincipalProfile = { clientId: String(a.service_principal), secret: String(a.client_secret) };
  } else if (a.assign_identity) {
    mc.identity = { type: "UserAssigned", userAssignedIdentities: { [String(a.assign_identity)]: {} } };
  } else {
    mc.identity = { type: "SystemAssigned" };
  }
  if (a.assign_kubelet_identity) {
    if (!a.assign_identity) throw new AzCliError("RequiredArgumentMissingError", '--assign-kubelet-identity can only be specified when --assign-identity is specified');
    mc.identityProfile = { kubeletidentity: { resourceId: String(a.assign_kubelet_identity) } };
  }
  if (a.tier) mc.sku = { name: "Base", tier: String(a.tier)[0]!.toUpperCase() + String(a.tier).slice(1) };
  if (automatic) {
    // set_up_sku: "default tier for automatic sku is standard"; automatic disables local accounts
    mc.sku = { name: "Automatic", tier: String(a.tier ?? "").toLowerCase() === "premium" ? "Premium" : "Standard" };
    mc.disableLocalAccounts = true;
  }
  if (hostedSystem) {
    mc.hostedSystemProfile = { enabled: true, systemNodeSubnetID: systemNodeSubnetId, nodeSubnetID: nodeSubnetId };
  }
  if (a.enable_oidc_issuer) mc.oidcIssuerProfile = { enabled: true };
  if (a.enable_workload_identity) mc.securityProfile = { workloadIdentity: { enabled: true } };
  if (a.enable_aad) {
    mc.aadProfile = {
      managed: true,
      enableAzureRbac: a.enable_azure_rbac === true ? true : undefined,
      adminGroupObjectIDs: a.aad_admin_group_object_ids ? String(a.aad_admin_group_object_ids).split(",") : undefined,
      tenantID: str(a.aad_tenant_id),
    };
  } else if (a.enable_azure_rbac) {
    throw new AzCliError("RequiredArgumentMissingError", "--enable-azure-rbac can only be used together with --enable-aad");
  }
  return mc;
}

// ------------------------------------------------------------------------------- update
function isIntegrated(mc: MC): boolean {
  return mc.apiServerAccessProfile?.enableVnetIntegration === true;
}
function isPrivate(mc: MC): boolean {
  return mc.apiServerAccessProfile?.enablePrivateCluster === true;
}

/** Apply `az aks update` flags to the GET result (full PUT follows, as az does). */
export function applyUpdate(mc: MC, a: ParsedArgs): MC {
  validateIds(a);
  const api: MC = { ...(mc.apiServerAccessProfile ?? {}) };
  const ranges = splitRanges(a.api_server_authorized_ip_ranges);
  const enableVnet = a.enable_apiserver_vnet_integration === true;
  const subnet = str(a.apiserver_subnet_id);
  // _get_enable_apiserver_vnet_integration / _get_apiserver_subnet_id (update)
  if (enableVnet && !isIntegrated(mc) && !subnet) {
    throw new AzCliError("RequiredArgumentMissingError", "--apiserver-subnet-id is required for update with --enable-apiserver-vnet-integration.");
  }
  if (subnet && !enableVnet) {
    throw new AzCliError("RequiredArgumentMissingError", '"--apiserver-subnet-id" requires "--enable-apiserver-vnet-integration".');
  }
  if (a.enable_private_cluster && a.disable_private_cluster) {
    throw new AzCliError("MutuallyExclusiveArgumentError", "Cannot specify '--enable-private-cluster' and '--disable-private-cluster' at the same time");
  }
  if (a.enable_private_cluster && !enableVnet && !isIntegrated(mc)) {
    throw new AzCliError("ArgumentUsageError", "Enabling private cluster requires enabling apiserver vnet integration(--enable-apiserver-vnet-integration).");
  }
  if (a.disable_private_cluster && !enableVnet && !isIntegrated(mc)) {
    throw new AzCliError("ArgumentUsageError", "Disabling private cluster requires enabling apiserver vnet integration(--enable-apiserver-vnet-integration).");
  }
  if (a.enable_public_fqdn && a.disable_public_fqdn) {
    throw new AzCliError("MutuallyExclusiveArgumentError", "Cannot specify '--enable-public-fqdn' and '--disable-public-fqdn' at the same time");
  }
  const willBePrivate = a.disable_private_cluster ? false : a.enable_private_cluster ? true : isPrivate(mc);
  if (willBePrivate) {
    if (ranges && ranges.length) throw new AzCliError("MutuallyExclusiveArgumentError", "--api-server-authorized-ip-ranges is not supported for private cluster");
    if (a.disable_public_fqdn && String(api.privateDNSZone ?? a.private_dns_zone ?? "").toLowerCase() === "none") {
      throw new AzCliError("InvalidArgumentValueError", "--disable-public-fqdn cannot be applied for none mode private dns zone cluster");
    }
  } else {
    if (a.disable_public_fqdn) throw new AzCliError("InvalidArgumentValueError", "--disable-public-fqdn can only be used for private cluster");
    if (a.enable_public_fqdn) throw new AzCliError("InvalidArgumentValueError", "--enable-public-fqdn can only be used for private cluster");
  }
  if (ranges && ranges.length && String(mc.networkProfile?.loadBalancerSku ?? "").toLowerCase() === "basic") {
    throw new AzCliError("InvalidArgumentValueError", "--api-server-authorized-ip-ranges can only be used with standard load balancer");
  }
  // update_api_server_access_profile
  if (ranges !== undefined) api.authorizedIPRanges = ranges;
  if (a.enable_public_fqdn) api.enablePrivateClusterPublicFqdn = true;
  if (a.disable_public_fqdn) api.enablePrivateClusterPublicFqdn = false;
  if (a.private_dns_zone) api.privateDNSZone = String(a.private_dns_zone);
  if (enableVnet) api.enableVnetIntegration = true;
  if (subnet) api.subnetId = subnet;
  if (a.enable_private_cluster) api.enablePrivateCluster = true;
  if (a.disable_private_cluster) api.enablePrivateCluster = false;
  if (a.disable_run_command) api.disableRunCommand = true;
  if (a.enable_run_command) api.disableRunCommand = false;
  const empty = Object.values(api).every((v) => v === undefined || v === null);
  mc.apiServerAccessProfile = empty ? undefined : api;

  if (a.tags !== null && a.tags !== undefined) mc.tags = parseTags(a.tags);
  const pools = (mc.agentPoolProfiles ?? []) as MC[];
  if (autoscalerFlagCount(a) === 1 && pools.length !== 1) {
    throw new AzCliError(
      "ArgumentUsageError",
      'There are more than one node pool in the cluster. Please use "az aks nodepool" command to update per node pool auto scaler settings',
    );
  }
  if (pools.length === 1) applyAutoscalerFlags(pools[0]!, a);
  if (a.tier) mc.sku = { name: mc.sku?.name ?? "Base", tier: String(a.tier)[0]!.toUpperCase() + String(a.tier).slice(1) };
  if (a.assign_identity) mc.identity = { type: "UserAssigned", userAssignedIdentities: { [String(a.assign_identity)]: {} } };
  else if (a.enable_managed_identity && (!mc.identity || mc.identity.type === "None")) mc.identity = { type: "SystemAssigned" };
  const np: MC = { ...(mc.networkProfile ?? {}) };
  if (a.network_plugin) np.networkPlugin = a.network_plugin;
  if (a.network_plugin_mode) np.networkPluginMode = a.network_plugin_mode;
  if (a.network_policy) np.networkPolicy = a.network_policy;
  if (a.network_dataplane) np.networkDataplane = a.network_dataplane;
  if (a.pod_cidr) np.podCidr = a.pod_cidr;
  if (a.outbound_type) np.outboundType = a.outbound_type;
  mc.networkProfile = np;
  if (a.enable_oidc_issuer) mc.oidcIssuerProfile = { enabled: true };
  if (a.enable_workload_identity) mc.securityProfile = { ...(mc.securityProfile ?? {}), workloadIdentity: { enabled: true } };
  if (a.disable_workload_identity) mc.securityProfile = { ...(mc.securityProfile ?? {}), workloadIdentity: { enabled: false } };
  if (a.disable_local_accounts) mc.disableLocalAccounts = true;
  if (a.enable_local_accounts) mc.disableLocalAccounts = false;
  return mc;
}

/** How many of --enable/--disable/--update-cluster-autoscaler were given (at most one may be). */
function autoscalerFlagCount(a: ParsedArgs): number {
  const flags = [a.enable_cluster_autoscaler, a.disable_cluster_autoscaler, a.update_cluster_autoscaler].filter(Boolean).length;
  if (flags > 1) {
    throw new AzCliError(
      "MutuallyExclusiveArgumentError",
      'Cannot specify "--enable-cluster-autoscaler" or "--disable-cluster-autoscaler" or "--update-cluster-autoscaler" at the same time.',
    );
  }
  return flags;
}

/** The autoscaler flags of `aks update` and `aks nodepool update` applied to one pool. */
export function applyAutoscalerFlags(p: MC, a: ParsedArgs): void {
  if (autoscalerFlagCount(a) === 0) return;
  if (a.enable_cluster_autoscaler || a.update_cluster_autoscaler) {
    if (a.min_count === null || a.max_count === null) {
      throw new AzCliError("RequiredArgumentMissingError", "Please specify both min-count and max-count when --enable-cluster-autoscaler enabled");
    }
    if (Number(a.min_count) > Number(a.max_count)) throw new AzCliError("InvalidArgumentValueError", "value of min-count should be less than or equal to value of max-count.");
    if (a.enable_cluster_autoscaler && p.enableAutoScaling) {
      throw new AzCliError("UnclassifiedUserFault", 'Cluster autoscaler is already enabled for this node pool.\nPlease run "az aks --update-cluster-autoscaler" if you want to update min-count or max-count.');
    }
    p.enableAutoScaling = true;
    p.minCount = a.min_count;
    p.maxCount = a.max_count;
  } else {
    p.enableAutoScaling = false;
    p.minCount = undefined;
    p.maxCount = undefined;
  }
}

// ------------------------------------------------------------------------------- arguments
const name: ArgSpec = { dest: "name", options: ["--name", "-n"], required: true, help: "Name of the managed cluster." };

const APISERVER_FLAGS: ArgSpec[] = [
  { dest: "enable_apiserver_vnet_integration", options: ["--enable-apiserver-vnet-integration"], kind: "flag", help: "Enable integration of user vnet with control plane apiserver pods." },
  {
    dest: "apiserver_subnet_id",
    options: ["--apiserver-subnet-id"],
    help: "The ID of a subnet in an existing VNet into which to assign control plane apiserver pods(requires --enable-apiserver-vnet-integration)",
  },
];

const networkPlugin: ArgSpec = {
  dest: "network_plugin",
  options: ["--network-plugin"],
  choices: ["azure", "kubenet", "none"],
  help: "The Kubernetes network plugin to use.",
  longHelp: 'Specify "azure" for routable pod IPs from VNET, "kubenet" for non-routable pod IPs with an overlay network, or "none" for no networking configured.',
};
const networkPluginMode: ArgSpec = {
  dest: "network_plugin_mode",
  options: ["--network-plugin-mode"],
  choices: ["overlay"],
  help: "The network plugin mode to use.",
  longHelp: 'Used to control the mode the network plugin should operate in. For example, "overlay" used with --network-plugin=azure will use an overlay network (non-VNET IPs) for pods in the cluster.',
};
const networkDataplane: ArgSpec = {
  dest: "network_dataplane",
  options: ["--network-dataplane"],
  choices: ["azure", "cilium"],
  help: "The network dataplane to use.",
  longHelp: 'Network dataplane used in the Kubernetes cluster. Specify "azure" to use the Azure dataplane (default) or "cilium" to enable Cilium dataplane.',
};
const tier: ArgSpec = {
  dest: "tier",
  options: ["--tier"],
  choices: ["free", "standard", "premium"],
  help: "Specify SKU tier for managed clusters. '--tier standard' enables a standard managed cluster service with a financially backed SLA. '--tier free' does not have a financially backed SLA.",
};
const authorizedRanges: ArgSpec = {
  dest: "api_server_authorized_ip_ranges",
  options: ["--api-server-authorized-ip-ranges"],
  help: "Comma-separated list of authorized apiserver IP ranges. Set to 0.0.0.0/32 to restrict apiserver traffic to node pools.",
};
const assignIdentity: ArgSpec = { dest: "assign_identity", options: ["--assign-identity"], help: "Specify an existing user assigned identity to manage cluster resource group." };
const tagsArg = tags({ help: "The tags of the managed cluster. The managed cluster instance and all resources managed by the cloud provider will be tagged." });

const createArgs: ArgSpec[] = [
  rg(),
  name,
  location(),
  { dest: "kubernetes_version", options: ["--kubernetes-version", "-k"], help: 'Version of Kubernetes to use for creating the cluster, such as "1.7.12" or "1.8.7".', valueSources: ["`az aks get-versions`"] },
  { dest: "dns_name_prefix", options: ["--dns-name-prefix", "-p"], help: "Prefix for hostnames that are created. If not specified, generate a hostname using the managed cluster and resource group names." },
  {
    dest: "node_count",
    options: ["--node-count", "-c"],
    kind: "int",
    default: 3,
    help: "Number of nodes in the Kubernetes node pool. It is required when --enable-cluster-autoscaler specified. After creating a cluster, you can change the size of its node pool with `az aks scale`.",
  },
  { dest: "node_vm_size", options: ["--node-vm-size", "-s"], help: "Size of Virtual Machines to create as Kubernetes nodes." },
  { dest: "nodepool_name", options: ["--nodepool-name"], default: "nodepool1", help: "Node pool name, up to 12 alphanumeric characters." },
  { dest: "nodepool_tags", options: ["--nodepool-tags"], nargs: "*", help: 'space-separated tags: key[=value] [key[=value] ...]. Use "" to clear existing tags.' },
  { dest: "nodepool_labels", options: ["--nodepool-labels"], nargs: "*", help: "The node labels for all node pools in this cluster. See https://aka.ms/node-labels for syntax of labels." },
  { dest: "nodepool_taints", options: ["--nodepool-taints"], help: "The node taints for all node pools in this cluster." },
  { dest: "os_sku", options: ["--os-sku"], choices: ["AzureLinux", "AzureLinux3", "CBLMariner", "Mariner", "Ubuntu", "Ubuntu2204", "Ubuntu2404"], help: "The os-sku of the agent node pool. Ubuntu or CBLMariner." },
  { dest: "node_osdisk_size", options: ["--node-osdisk-size"], kind: "int", help: "Size in GiB of the OS disk for each node in the node pool. Minimum 30 GiB." },
  {
    dest: "node_osdisk_type",
    options: ["--node-osdisk-type"],
    choices: ["Ephemeral", "Managed"],
    help: "OS disk type to be used for machines in a given agent pool. Defaults to 'Ephemeral' when possible in conjunction with VM size and OS disk size. May not be changed for this pool after creation. ('Ephemeral' or 'Managed')",
  },
  {
    dest: "max_pods",
    options: ["--max-pods", "-m"],
    kind: "int",
    help: "The maximum number of pods deployable to a node.",
    longHelp: 'If not specified, defaults based on network-plugin. 30 for "azure", 110 for "kubenet", or 250 for "none".',
  },
  { dest: "zones", options: ["--zones", "-z"], nargs: "+", help: "Space-separated list of availability zones where agent nodes will be placed." },
  { dest: "vm_set_type", options: ["--vm-set-type"], help: "Agent pool vm set type. VirtualMachineScaleSets, AvailabilitySet or VirtualMachines(Preview)." },
  { dest: "enable_cluster_autoscaler", options: ["--enable-cluster-autoscaler"], kind: "flag", help: "Enable cluster autoscaler, default value is false.", longHelp: "If specified, please make sure the kubernetes version is larger than 1.10.6." },
  { dest: "min_count", options: ["--min-count"], kind: "int", help: 'Minimun nodes count used for autoscaler, when "--enable-cluster-autoscaler" specified. Please specify the value in the range of [1, 1000].' },
  { dest: "max_count", options: ["--max-count"], kind: "int", help: 'Maximum nodes count used for autoscaler, when "--enable-cluster-autoscaler" specified. Please specify the value in the range of [1, 1000].' },
  { dest: "enable_node_public_ip", options: ["--enable-node-public-ip"], kind: "flag", help: "Enable VMSS node public IP." },
  { dest: "enable_encryption_at_host", options: ["--enable-encryption-at-host"], kind: "flag", help: "Enable EncryptionAtHost on agent node pool." },
  { dest: "enable_fips_image", options: ["--enable-fips-image"], kind: "flag", help: "Use FIPS-enabled OS on agent nodes." },
  networkPlugin,
  networkPluginMode,
  {
    dest: "network_policy",
    options: ["--network-policy"],
    help: "(PREVIEW) The Kubernetes network policy to use.",
    longHelp:
      'Using together with "azure" network plugin. Specify "azure" for Azure network policy manager, "calico" for calico network policy controller, "cilium" for Azure CNI Overlay powered by Cilium. Defaults to "" (network policy disabled).',
  },
  networkDataplane,
  { dest: "pod_cidr", options: ["--pod-cidr"], help: "A CIDR notation IP range from which to assign pod IPs when kubenet is used.", longHelp: "This range must not overlap with any Subnet IP ranges. For example, 172.244.0.0/16." },
  { dest: "service_cidr", options: ["--service-cidr"], help: "A CIDR notation IP range from which to assign service cluster IPs.", longHelp: "This range must not overlap with any Subnet IP ranges. For example, 10.0.0.0/16." },
  {
    dest: "dns_service_ip",
    options: ["--dns-service-ip"],
    help: "An IP address assigned to the Kubernetes DNS service.",
    longHelp: 'This address must be within the Kubernetes service address range specified by "--service-cidr". For example, 10.0.0.10.',
  },
  {
    dest: "load_balancer_sku",
    options: ["--load-balancer-sku"],
    choices: ["basic", "standard"],
    help: "Azure Load Balancer SKU selection for your cluster. basic or standard.",
    longHelp: "Select between Basic or Standard Azure Load Balancer SKU for your AKS cluster.",
  },
  {
    dest: "outbound_type",
    options: ["--outbound-type"],
    choices: ["loadBalancer", "userDefinedRouting", "managedNATGateway", "userAssignedNATGateway", "none"],
    help: "How outbound traffic will be configured for a cluster.",
    longHelp:
      "Select between loadBalancer, userDefinedRouting, managedNATGateway and userAssignedNATGateway. If not set, defaults to type loadBalancer. Requires --vnet-subnet-id to be provided with a preconfigured route table and --load-balancer-sku to be Standard.",
  },
  { dest: "vnet_subnet_id", options: ["--vnet-subnet-id"], help: "The ID of a subnet in an existing VNet into which to deploy the cluster." },
  { dest: "pod_subnet_id", options: ["--pod-subnet-id"], help: "The ID of a subnet in an existing VNet into which to assign pods in the cluster (requires azure network-plugin)" },
  ...APISERVER_FLAGS,
  { dest: "enable_private_cluster", options: ["--enable-private-cluster"], kind: "flag", help: "Enable private cluster." },
  {
    dest: "private_dns_zone",
    options: ["--private-dns-zone"],
    help: 'Private dns zone mode for private cluster. "none" mode is in preview.',
    longHelp: 'Allowed values are "system", "none" (Preview) or your custom private dns zone resource id. If not set, defaults to type system. Requires --enable-private-cluster to be used.',
  },
  { dest: "fqdn_subdomain", options: ["--fqdn-subdomain"], help: "Prefix for FQDN that is created for private cluster with custom private dns zone scenario." },
  { dest: "disable_public_fqdn", options: ["--disable-public-fqdn"], kind: "flag", help: "Disable public fqdn feature for private cluster." },
  authorizedRanges,
  { dest: "disable_run_command", options: ["--disable-run-command"], kind: "flag", help: "Disable Run command feature for the cluster." },
  {
    dest: "enable_managed_identity",
    options: ["--enable-managed-identity"],
    kind: "flag",
    help: 'Using managed identity to manage cluster resource group. Default value is true, you can explicitly specify "--client-id" and "--secret" to disable managed identity.',
  },
  assignIdentity,
  { dest: "assign_kubelet_identity", options: ["--assign-kubelet-identity"], help: "Specify an existing user assigned identity for kubelet's usage, which is typically used to pull image from ACR." },
  {
    dest: "service_principal",
    options: ["--service-principal"],
    help: "Service principal used for authentication to Azure APIs.",
    longHelp: "If not specified, a new service principal is created and cached at $HOME/.azure/aksServicePrincipal.json to be used by subsequent `az aks` commands.",
  },
  { dest: "client_secret", options: ["--client-secret"], help: "Secret associated with the service principal. This argument is required if `--service-principal` is specified." },
  {
    dest: "skip_subnet_role_assignment",
    options: ["--skip-subnet-role-assignment"],
    kind: "flag",
    help: "Skip role assignment for subnet (advanced networking).",
    longHelp: "If specified, please make sure your service principal has the access to your subnet.",
  },
  { dest: "node_resource_group", options: ["--node-resource-group"], help: "The node resource group is the resource group where all customer's resources will be created in, such as virtual machines." },
  { dest: "admin_username", options: ["--admin-username", "-u"], default: "azureuser", help: "User account to create on node VMs for SSH access." },
  { dest: "generate_ssh_keys", options: ["--generate-ssh-keys"], kind: "flag", help: "Generate SSH public and private key files if missing." },
  {
    dest: "ssh_key_value",
    options: ["--ssh-key-value"],
    default: "~/.ssh/id_rsa.pub",
    help: "Public key path or key contents to install on node VMs for SSH access. For example, 'ssh-rsa AAAAB...snip...UcyupgH azureuser@linuxvm'.",
  },
  { dest: "no_ssh_key", options: ["--no-ssh-key", "-x"], kind: "flag", help: "Do not use or create a local SSH key.", longHelp: "To access nodes after creating a cluster with this option, use the Azure Portal." },
  tier,
  { dest: "sku", options: ["--sku"], choices: ["automatic", "base"], help: "Specify SKU name for managed clusters. Use '--sku base' enables a base managed cluster. Use '--sku automatic' enables an automatic managed cluster." },
  { dest: "enable_hosted_system", options: ["--enable-hosted-system"], kind: "flag", help: "(Automatic SKU) Explicitly opt in to a Managed System Pool for the Automatic cluster." },
  { dest: "system_node_subnet_id", options: ["--system-node-subnet-id"], help: "(Automatic SKU) The ID of a subnet in an existing VNet to be used by the Managed System Pool in an Automatic cluster." },
  { dest: "node_subnet_id", options: ["--node-subnet-id"], help: "(Automatic SKU) The ID of a subnet in an existing VNet to be used by user node pools in an Automatic cluster." },
  { dest: "enable_oidc_issuer", options: ["--enable-oidc-issuer"], kind: "flag", help: "Enable OIDC issuer." },
  { dest: "enable_workload_identity", options: ["--enable-workload-identity"], kind: "flag", help: "(PREVIEW) Enable workload identity addon." },
  { dest: "enable_aad", options: ["--enable-aad"], kind: "flag", help: "Enable managed AAD feature for cluster." },
  { dest: "enable_azure_rbac", options: ["--enable-azure-rbac"], kind: "flag", help: "Enable Azure RBAC to control authorization checks on cluster." },
  { dest: "aad_admin_group_object_ids", options: ["--aad-admin-group-object-ids"], help: "Comma-separated list of aad group object IDs that will be set as cluster admin." },
  { dest: "aad_tenant_id", options: ["--aad-tenant-id"], help: "The ID of an Azure Active Directory tenant." },
  { dest: "disable_local_accounts", options: ["--disable-local-accounts"], kind: "flag", help: "(Preview) If set to true, getting static credential will be disabled for this cluster." },
  { dest: "disable_rbac", options: ["--disable-rbac"], kind: "flag", help: "Disable Kubernetes Role-Based Access Control." },
  { dest: "enable_addons", options: ["--enable-addons", "-a"], help: "Enable the Kubernetes addons in a comma-separated list.", ignored: true },
  { dest: "attach_acr", options: ["--attach-acr"], help: "Grant the 'acrpull' role assignment to the ACR specified by name or resource ID.", ignored: true },
  { dest: "aks_custom_headers", options: ["--aks-custom-headers"], help: "Send custom headers. When specified, format should be Key1=Value1,Key2=Value2", ignored: true },
  tagsArg,
  noWait(),
  yes(),
];

const updateArgs: ArgSpec[] = [
  rg(),
  name,
  ...APISERVER_FLAGS,
  { dest: "enable_private_cluster", options: ["--enable-private-cluster"], kind: "flag", help: "Enable private cluster for apiserver vnet integration cluster." },
  { dest: "disable_private_cluster", options: ["--disable-private-cluster"], kind: "flag", help: "Disable private cluster for apiserver vnet integration cluster." },
  { dest: "private_dns_zone", options: ["--private-dns-zone"], help: "The private dns zone mode for private cluster." },
  { dest: "enable_public_fqdn", options: ["--enable-public-fqdn"], kind: "flag", help: "Enable public fqdn feature for private cluster." },
  { dest: "disable_public_fqdn", options: ["--disable-public-fqdn"], kind: "flag", help: "Disable public fqdn feature for private cluster." },
  { ...authorizedRanges, help: 'Comma-separated list of authorized apiserver IP ranges. Set to "" to allow all traffic on a previously restricted cluster. Set to 0.0.0.0/32 to restrict apiserver traffic to node pools.' },
  { dest: "enable_cluster_autoscaler", options: ["--enable-cluster-autoscaler", "-e"], kind: "flag", help: "Enable cluster autoscaler." },
  { dest: "disable_cluster_autoscaler", options: ["--disable-cluster-autoscaler", "-d"], kind: "flag", help: "Disable cluster autoscaler." },
  { dest: "update_cluster_autoscaler", options: ["--update-cluster-autoscaler", "-u"], kind: "flag", help: "Update min-count or max-count for cluster autoscaler." },
  { dest: "min_count", options: ["--min-count"], kind: "int", help: 'Minimun nodes count used for autoscaler, when "--enable-cluster-autoscaler" specified. Please specify the value in the range of [1, 1000]' },
  { dest: "max_count", options: ["--max-count"], kind: "int", help: 'Maximum nodes count used for autoscaler, when "--enable-cluster-autoscaler" specified. Please specify the value in the range of [1, 1000]' },
  { ...tier, help: "Specify SKU tier for managed clusters. '--tier standard' enables a standard managed cluster service with a financially backed SLA. '--tier free' changes a standard managed cluster to a free one." },
  { dest: "enable_managed_identity", options: ["--enable-managed-identity"], kind: "flag", help: "Update current cluster to managed identity to manage cluster resource group." },
  assignIdentity,
  networkPlugin,
  networkPluginMode,
  {
    dest: "network_policy",
    options: ["--network-policy"],
    choices: ["azure", "calico", "cilium", "none"],
    help: "Update the mode of a network policy.",
    longHelp: 'Specify "azure" for Azure network policy manager, "cilium" for Azure CNI Overlay powered by Cilium. Defaults to "" (network policy disabled).',
  },
  networkDataplane,
  { dest: "pod_cidr", options: ["--pod-cidr"], help: "A CIDR notation IP range from which to assign pod IPs when kubenet is used.", longHelp: "This range must not overlap with any Subnet IP ranges. For example, 172.244.0.0/16." },
  { dest: "outbound_type", options: ["--outbound-type"], choices: ["loadBalancer", "userDefinedRouting", "managedNATGateway", "userAssignedNATGateway", "none"], help: "How outbound traffic will be configured for a cluster." },
  { dest: "enable_oidc_issuer", options: ["--enable-oidc-issuer"], kind: "flag", help: "Enable OIDC issuer." },
  { dest: "enable_workload_identity", options: ["--enable-workload-identity"], kind: "flag", help: "(PREVIEW) Enable Workload Identity addon for cluster." },
  { dest: "disable_workload_identity", options: ["--disable-workload-identity"], kind: "flag", help: "(PREVIEW) Disable Workload Identity addon for cluster." },
  { dest: "enable_run_command", options: ["--enable-run-command"], kind: "flag", help: "Enable Run command feature for the cluster." },
  { dest: "disable_run_command", options: ["--disable-run-command"], kind: "flag", help: "Disable Run command feature for the cluster." },
  { dest: "disable_local_accounts", options: ["--disable-local-accounts"], kind: "flag", help: "(Preview) If set to true, getting static credential will be disabled for this cluster." },
  { dest: "enable_local_accounts", options: ["--enable-local-accounts"], kind: "flag", help: "(Preview) If set to true, will enable getting static credential for this cluster." },
  { dest: "attach_acr", options: ["--attach-acr"], help: "Grant the 'acrpull' role assignment to the ACR specified by name or resource ID.", ignored: true },
  { dest: "detach_acr", options: ["--detach-acr"], help: "Disable the 'acrpull' role assignment to the ACR specified by name or resource ID.", ignored: true },
  { dest: "aks_custom_headers", options: ["--aks-custom-headers"], help: "Send custom headers. When specified, format should be Key1=Value1,Key2=Value2", ignored: true },
  tagsArg,
  noWait(),
  yes(),
];

const CREATE_EXAMPLES: Example[] = [
  { name: "Create a Kubernetes cluster with an existing SSH public key.", text: "az aks create -g MyResourceGroup -n MyManagedCluster --ssh-key-value /path/to/publickey" },
  { name: "Create a Kubernetes cluster with a specific version.", text: "az aks create -g MyResourceGroup -n MyManagedCluster --kubernetes-version 1.13.9" },
  { name: "Create a Kubernetes cluster with a larger node pool.", text: "az aks create -g MyResourceGroup -n MyManagedCluster --node-count 7" },
  {
    name: "Create a kubernetes cluster with cluster autosclaler enabled.",
    text: "az aks create -g MyResourceGroup -n MyManagedCluster --kubernetes-version 1.13.9 --node-count 3 --enable-cluster-autoscaler --min-count 1 --max-count 5",
  },
  {
    name: "Create a kubernetes cluster with default kubernetes vesrion, default SKU load balancer(standard) and default vm set type(VirtualMachineScaleSets).",
    text: "az aks create -g MyResourceGroup -n MyManagedCluster",
  },
  {
    name: "Create a kubernetes cluster with authorized apiserver IP ranges.",
    text: "az aks create -g MyResourceGroup -n MyManagedCluster --api-server-authorized-ip-ranges 193.168.1.0/24,194.168.1.0/24,195.168.1.0",
  },
  {
    name: "Create a kubernetes cluster with userDefinedRouting, standard load balancer SKU and a custom subnet preconfigured with a route table",
    text: "az aks create -g MyResourceGroup -n MyManagedCluster --outbound-type userDefinedRouting --load-balancer-sku standard --vnet-subnet-id customUserSubnetVnetID",
  },
  { name: "Create a kubernetes cluster with custom tags", text: 'az aks create -g MyResourceGroup -n MyManagedCluster --tags "foo=bar" "baz=qux"' },
  {
    name: "Create a kubernetes cluster with custom control plane identity and kubelet identity.",
    text: "az aks create -g MyResourceGroup -n MyManagedCluster --assign-identity <control-plane-identity-resource-id> --assign-kubelet-identity <kubelet-identity-resource-id>",
  },
  { name: "Create a kubernetes cluster with no CNI installed.", text: "az aks create -g MyResourceGroup -n MyManagedCluster --network-plugin none" },
];

const UPDATE_EXAMPLES: Example[] = [
  { name: "Reconcile the cluster back to its current state.", text: "az aks update -g MyResourceGroup -n MyManagedCluster" },
  { name: "Enable cluster-autoscaler within node count range [1,5]", text: "az aks update --enable-cluster-autoscaler --min-count 1 --max-count 5 -g MyResourceGroup -n MyManagedCluster" },
  { name: "Disable cluster-autoscaler for an existing cluster", text: "az aks update --disable-cluster-autoscaler -g MyResourceGroup -n MyManagedCluster" },
  { name: "Update min-count or max-count for cluster autoscaler.", text: "az aks update --update-cluster-autoscaler --min-count 1 --max-count 10 -g MyResourceGroup -n MyManagedCluster" },
  { name: "Update a kubernetes cluster with authorized apiserver ip ranges.", text: "az aks update -g MyResourceGroup -n MyManagedCluster --api-server-authorized-ip-ranges 193.168.1.0/24,194.168.1.0/24" },
  { name: "Disable authorized apiserver ip ranges feature for a kubernetes cluster.", text: 'az aks update -g MyResourceGroup -n MyManagedCluster --api-server-authorized-ip-ranges ""' },
  { name: "Restrict apiserver traffic in a kubernetes cluster to agentpool nodes.", text: "az aks update -g MyResourceGroup -n MyManagedCluster --api-server-authorized-ip-ranges 0.0.0.0/32" },
  { name: "Update a AKS-managed AAD cluster with tenant ID or admin group object IDs.", text: "az aks update -g MyResourceGroup -n MyManagedCluster --aad-admin-group-object-ids <id-1,id-2> --aad-tenant-id <id>" },
  { name: "Update the tags of a kubernetes cluster", text: 'az aks update -g MyResourceGroup -n MyManagedCLuster --tags "foo=bar" "baz=qux"' },
];

// ------------------------------------------------------------------------------- handlers
async function clusterLocation(ctx: CommandContext, a: ParsedArgs): Promise<string> {
  const l = str(a.location);
  if (l) return l;
  const c = await ctx.resources();
  return (await c.resourceGroups.get(String(a.resource_group_name))).location;
}

async function createHandler(ctx: CommandContext, a: ParsedArgs): Promise<unknown> {
  validateIds(a);
  const sub = await ctx.subscriptionId();
  const sshKey = await resolveSshKey(ctx, a);
  const loc = await clusterLocation(ctx, a);
  const mc = await buildCreateBody(ctx, a, { location: loc, subscriptionId: sub, sshKey });
  const group = String(a.resource_group_name);
  const clusterName = String(a.name);
  // process_add_role_assignment_for_vnet_subnet
  let needPostCreationGrant = false;
  const vnetSubnetId = str(a.vnet_subnet_id);
  if (vnetSubnetId && !a.skip_subnet_role_assignment && !(await subnetRoleAssignmentExists(ctx, vnetSubnetId))) {
    if (!mc.servicePrincipalProfile && !a.assign_identity) needPostCreationGrant = true;
    else if (a.assign_identity) {
      const pid = await identityPrincipalId(ctx, String(a.assign_identity));
      if (!pid || !(await addNetworkContributor(ctx, pid, vnetSubnetId))) {
        ctx.log.warning("Could not create a role assignment for subnet. Are you an Owner on this subscription?");
      }
    }
  }
  // ... and the Managed System Pool subnet trio (system node, node, API server)
  const trio = mc.hostedSystemProfile ? [str(a.system_node_subnet_id), str(a.node_subnet_id), str(a.apiserver_subnet_id)].filter((x, i, all): x is string => !!x && all.indexOf(x) === i) : [];
  const pendingTrio: string[] = [];
  if (trio.length && !a.skip_subnet_role_assignment) {
    const pid = a.assign_identity ? await identityPrincipalId(ctx, String(a.assign_identity)) : undefined;
    for (const subnetId of trio) {
      if (await subnetRoleAssignmentExists(ctx, subnetId)) continue;
      if (!mc.servicePrincipalProfile && !a.assign_identity) {
        pendingTrio.push(subnetId);
        needPostCreationGrant = true;
      } else if (!pid || !(await addNetworkContributor(ctx, pid, subnetId))) {
        ctx.log.warning(`Could not create a role assignment for subnet ${subnetId}. Are you an Owner on this subscription?`);
      }
    }
  }
  const c = await ctx.aks();
  const poller = c.managedClusters.createOrUpdate(group, clusterName, mc as never, { updateIntervalInMs: POLL_MS });
  if (a.no_wait && !needPostCreationGrant) {
    await poller.submitted();
    return undefined;
  }
  const result = (await ctx.lro(poller.pollUntilDone())) as MC;
  if (needPostCreationGrant) {
    const pid = result.identity?.principalId as string | undefined;
    for (const subnetId of vnetSubnetId ? [vnetSubnetId, ...pendingTrio] : pendingTrio) {
      if (!pid || !(await addNetworkContributor(ctx, pid, subnetId))) {
        ctx.log.warning("Could not create a role assignment for subnet. Are you an Owner on this subscription?");
      }
    }
  }
  return shapeCluster(result);
}

async function updateHandler(ctx: CommandContext, a: ParsedArgs): Promise<unknown> {
  const group = String(a.resource_group_name);
  const clusterName = String(a.name);
  const c = await ctx.aks();
  const current = (await c.managedClusters.get(group, clusterName)) as MC;
  const mc = applyUpdate(current, a);
  const poller = c.managedClusters.createOrUpdate(group, clusterName, mc as never, { updateIntervalInMs: POLL_MS });
  if (a.no_wait) {
    await poller.submitted();
    return undefined;
  }
  return shapeCluster(await ctx.lro(poller.pollUntilDone()));
}

/** Python's str(datetime) for an aware UTC datetime: "2024-01-02 03:04:05.678000+00:00" */
function pyDateStr(d: unknown): string {
  if (!(d instanceof Date)) return String(d ?? "None");
  const iso = d.toISOString();
  const ms = d.getUTCMilliseconds();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms ? "." + String(ms).padStart(3, "0") + "000" : ""}+00:00`;
}

function commandContextZip(files: string[] | null, cwd: string): string {
  if (!files || !files.length) return "";
  const entries: Array<{ name: string; data: Buffer }> = [];
  if (files.length === 1 && files[0] === ".") {
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) entries.push({ name: relative(cwd, p), data: readFileSync(p) });
      }
    };
    walk(cwd);
  } else {
    for (const f of files) {
      if (f === ".") throw new AzCliError("ValidationError", ". is used to attach current folder, not expecting other attachements.");
      const p = join(cwd, f);
      if (!existsSync(p) || !statSync(p).isFile()) throw new AzCliError("ValidationError", `${f} is not valid file, or not accessable.`);
      entries.push({ name: basename(f), data: readFileSync(p) });
    }
  }
  if (!entries.length) return "";
  return zipStored(entries).toString("base64");
}

function printCommandResult(ctx: CommandContext, r: MC, specifiedOutput: boolean): unknown {
  if (specifiedOutput) return toAz(r);
  const green = ctx.io.color ? "\x1b[32m" : "";
  const red = ctx.io.color ? "\x1b[31m" : "";
  const blue = ctx.io.color ? "\x1b[34m" : "";
  const reset = ctx.io.color ? "\x1b[0m" : "";
  if (r.provisioningState === "Succeeded") {
    ctx.io.stdout(`${green}command started at ${pyDateStr(r.startedAt)}, finished at ${pyDateStr(r.finishedAt)} with exitcode=${String(r.exitCode)}${reset}\n`);
    ctx.io.stdout(`${String(r.logs ?? "")}\n`);
    return undefined;
  }
  if (r.provisioningState === "Failed") {
    ctx.io.stdout(`${red}command failed with reason: ${String(r.reason)}${reset}\n`);
    return undefined;
  }
  ctx.io.stdout(`${blue}command is in ${String(r.provisioningState)} state${reset}\n`);
  return undefined;
}

async function commandInProgress(ctx: CommandContext, group: string, clusterName: string, commandId: string): Promise<void> {
  const sub = await ctx.subscriptionId();
  try {
    const res = await ctx.request("GET", `/subscriptions/${sub}/resourceGroups/${group}/providers/Microsoft.ContainerService/managedClusters/${clusterName}/commandResults/${commandId}`, {
      query: { "api-version": "2026-06-01" },
    });
    const p = ((res.body as MC)?.properties ?? {}) as MC;
    if (res.body) {
      ctx.io.stdout(`command id: ${commandId}, started at: ${String(p.startedAt ?? "None")}, status: ${String(p.provisioningState ?? "None")}\n`);
      ctx.io.stdout(`Please use command "az aks command result -g ${group} -n ${clusterName} -i ${commandId}" to get the future execution result\n`);
      return;
    }
  } catch {
    /* fall through */
  }
  ctx.io.stdout(`failed to fetch command result for command id: ${commandId}\n`);
}

export const aksCommands: CommandSpec[] = [
  {
    name: "aks create",
    summary: "Create a new managed Kubernetes cluster.",
    extension: EXT,
    args: createArgs,
    examples: CREATE_EXAMPLES,
    tableTransformer: (r) => [r].map((x) => aksTableRow(x)),
    handler: createHandler,
  },
  {
    name: "aks update",
    summary: "Update the properties of a managed Kubernetes cluster.",
    longSummary:
      "Update the properties of a managed Kubernetes cluster. Can be used for example to enable/disable cluster-autoscaler.  When called with no optional arguments this attempts to move the cluster to its goal state without changing the current cluster configuration. This can be used to move out of a non succeeded state.",
    extension: EXT,
    args: updateArgs,
    examples: UPDATE_EXAMPLES,
    tableTransformer: (r) => [aksTableRow(r)],
    handler: updateHandler,
  },
  {
    name: "aks show",
    summary: "Show the details for a managed Kubernetes cluster.",
    extension: EXT,
    args: [rg(), name],
    examples: [{ name: "Show the details for a managed Kubernetes cluster", text: "az aks show -g MyResourceGroup -n MyManagedCluster" }],
    tableTransformer: (r) => [aksTableRow(r)],
    handler: async (ctx, a) => shapeCluster(await (await ctx.aks()).managedClusters.get(String(a.resource_group_name), String(a.name)), true),
  },
  {
    name: "aks list",
    summary: "List managed Kubernetes clusters.",
    extension: EXT,
    args: [rg({ required: false })],
    tableTransformer: (r) => (r as unknown[]).map(aksTableRow),
    handler: async (ctx, a) => {
      const c = await ctx.aks();
      const it = a.resource_group_name ? c.managedClusters.listByResourceGroup(String(a.resource_group_name)) : c.managedClusters.list();
      return (await collect(it)).map((m) => shapeCluster(m, true));
    },
  },
  {
    name: "aks delete",
    summary: "Delete a managed Kubernetes cluster.",
    extension: EXT,
    args: [rg(), name, noWait(), yes(), { dest: "ignore_pod_disruption_budget", options: ["--ignore-pod-disruption-budget"], kind: "flag", help: "Ignore-pod-disruption-budget=true to delete those pods on a node without considering Pod Disruption Budget.", ignored: true }],
    confirmation: true,
    examples: [{ name: "Delete a managed Kubernetes cluster. (autogenerated)", text: "az aks delete --name MyManagedCluster --resource-group MyResourceGroup" }],
    handler: async (ctx, a) => {
      const poller = (await ctx.aks()).managedClusters.delete(String(a.resource_group_name), String(a.name), { updateIntervalInMs: POLL_MS });
      if (a.no_wait) await poller.submitted();
      else await ctx.lro(poller.pollUntilDone());
      return undefined;
    },
  },
  {
    name: "aks stop",
    summary: "Stop a managed cluster.",
    longSummary:
      "This can only be performed on Azure Virtual Machine Scale set backed clusters. Stopping a cluster stops the control plane and agent nodes entirely, while maintaining all object and cluster state. A cluster does not accrue charges while it is stopped. See `stopping a cluster <https://docs.microsoft.com/azure/aks/start-stop-cluster>`_ for more details about stopping a cluster.",
    extension: EXT,
    args: [rg(), name, noWait()],
    examples: [{ name: "Stop a managed cluster. (autogenerated)", text: "az aks stop --name MyManagedCluster --resource-group MyResourceGroup" }],
    handler: async (ctx, a) => {
      const poller = (await ctx.aks()).managedClusters.stop(String(a.resource_group_name), String(a.name), { updateIntervalInMs: POLL_MS });
      if (a.no_wait) await poller.submitted();
      else await ctx.lro(poller.pollUntilDone());
      return undefined;
    },
  },
  {
    name: "aks start",
    summary: "Starts a previously stopped Managed Cluster.",
    longSummary: "See `starting a cluster <https://docs.microsoft.com/azure/aks/start-stop-cluster>`_ for more details about starting a cluster.",
    extension: EXT,
    args: [rg(), name, noWait()],
    examples: [{ name: "Starts a previously stopped Managed Cluster. (autogenerated)", text: "az aks start --name MyManagedCluster --resource-group MyResourceGroup" }],
    handler: async (ctx, a) => {
      const poller = (await ctx.aks()).managedClusters.start(String(a.resource_group_name), String(a.name), { updateIntervalInMs: POLL_MS });
      if (a.no_wait) await poller.submitted();
      else await ctx.lro(poller.pollUntilDone());
      return undefined;
    },
  },
  {
    name: "aks get-credentials",
    summary: "Get access credentials for a managed Kubernetes cluster.",
    extension: EXT,
    args: [
      rg(),
      name,
      { dest: "admin", options: ["--admin", "-a"], kind: "flag", help: "Get cluster administrator credentials.  Default: cluster user credentials." },
      { dest: "path", options: ["--file", "-f"], default: join("~", ".kube", "config"), help: 'Kubernetes configuration file to update. Use "-" to print YAML to stdout instead.' },
      { dest: "overwrite_existing", options: ["--overwrite-existing"], kind: "flag", help: "Overwrite any existing cluster entry with the same name." },
      {
        dest: "context_name",
        options: ["--context"],
        help: "If specified, overwrite the default context name. The `--admin` parameter takes precedence over `--context`.",
      },
      { dest: "public_fqdn", options: ["--public-fqdn"], kind: "flag", help: "Get private cluster credential with server address to be public fqdn." },
      {
        dest: "credential_format",
        options: ["--format"],
        choices: ["azure", "exec"],
        help: 'Specify the format of the returned credential. Available values are ["exec", "azure"].  Only take effect when requesting clusterUser credential of AAD clusters.',
      },
    ],
    examples: [{ name: "Get access credentials for a managed Kubernetes cluster. (autogenerated)", text: "az aks get-credentials --name MyManagedCluster --resource-group MyResourceGroup" }],
    handler: async (ctx, a) => {
      const c = await ctx.aks();
      const group = String(a.resource_group_name);
      const clusterName = String(a.name);
      const serverFqdn = a.public_fqdn ? "public" : undefined;
      if (a.credential_format && a.admin) throw new AzCliError("InvalidArgumentValueError", "--format can only be specified when requesting clusterUser credential.");
      const creds = a.admin
        ? await c.managedClusters.listClusterAdminCredentials(group, clusterName, { serverFqdn })
        : await c.managedClusters.listClusterUserCredentials(group, clusterName, {
            serverFqdn,
            format: a.credential_format ? (String(a.credential_format).toLowerCase() as never) : undefined,
          });
      const home = ctx.io.env.HOME || homedir();
      const defaultPath = join(home, ".kube", "config");
      let path = String(a.path ?? "~/.kube/config");
      if (path.startsWith("~")) path = join(home, path.slice(1));
      if (ctx.io.env.KUBECONFIG && path === defaultPath) {
        const first = ctx.io.env.KUBECONFIG.split(delimiter)[0];
        if (first) {
          ctx.log.info(`The default path '${path}' is replaced by '${first}' defined in KUBECONFIG.`);
          path = first;
        } else ctx.log.warning(`Invalid path '${first ?? ""}' defined in KUBECONFIG.`);
      }
      if (!creds) throw new AzCliError("UnclassifiedUserFault", "No Kubernetes credentials found.");
      const value = creds.kubeconfigs?.[0]?.value;
      if (!value) throw new AzCliError("UnclassifiedUserFault", "Fail to find kubeconfig file.");
      const kubeconfig = Buffer.from(value).toString("utf8");
      const contextName = a.admin ? undefined : str(a.context_name);
      await printOrMergeCredentials(path, kubeconfig, a.overwrite_existing === true, contextName, (s) => ctx.io.stdout(s), ctx.log, ctx.io.stdinIsTTY && ctx.io.prompt ? (q) => ctx.confirm(q) : undefined);
      return undefined;
    },
  },
  {
    name: "aks command invoke",
    summary: "Run a shell command (with kubectl, helm) on your aks cluster, support attaching files as well.",
    extension: EXT,
    args: [
      rg(),
      name,
      { dest: "command_string", options: ["--command", "-c"], required: true, help: "The command to run." },
      { dest: "command_files", options: ["--file", "-f"], nargs: "+", help: "Attach any files the command may use, or use '.' to upload the current folder." },
      noWait(),
    ],
    examples: [
      { name: "Run a kubectl command", text: 'az aks command invoke -g MyResourceGroup -n MyManagedCluster -c "kubectl get pods -n kube-system"' },
      { name: "Run a helm command", text: 'az aks command invoke -g MyResourceGroup -n MyManagedCluster -c "helm repo add bitnami https://charts.bitnami.com/bitnami && helm repo update && helm install my-release bitnami/nginx"' },
      { name: "Run a kubectl command with yaml file attached", text: 'az aks command invoke -g MyResourceGroup -n MyManagedCluster -c "kubectl apply -f deployment.yaml -n default" -f deployment.yaml' },
      { name: "Run a kubectl command with a folder attached", text: 'az aks command invoke -g MyResourceGroup -n MyManagedCluster -c "kubectl apply -f deployment.yaml -n default" -f .' },
    ],
    handler: async (ctx, a) => {
      const group = String(a.resource_group_name);
      const clusterName = String(a.name);
      const c = await ctx.aks();
      await c.managedClusters.get(group, clusterName);
      if (!a.command_string) throw new AzCliError("ValidationError", "Command cannot be empty.");
      const request = { command: String(a.command_string), context: commandContextZip(a.command_files as string[] | null, ctx.io.cwd) };
      const specifiedOutput = ctx.specified.includes("_output_format");
      if (a.no_wait) {
        const sub = await ctx.subscriptionId();
        const res = await ctx.request("POST", `/subscriptions/${sub}/resourceGroups/${group}/providers/Microsoft.ContainerService/managedClusters/${clusterName}/runCommand`, {
          query: { "api-version": "2026-06-01" },
          body: request,
        });
        const loc = res.headers["location"] ?? "";
        const m = /commandResults\/(\w*)\?/.exec(loc);
        if (m) await commandInProgress(ctx, group, clusterName, m[1]!);
        return undefined;
      }
      const result = (await ctx.lro(c.managedClusters.runCommand(group, clusterName, request, { updateIntervalInMs: POLL_MS }).pollUntilDone())) as MC;
      return printCommandResult(ctx, result, specifiedOutput);
    },
  },
  {
    name: "aks command result",
    summary: "Fetch result from previously triggered 'aks command invoke'.",
    extension: EXT,
    args: [rg(), name, { dest: "command_id", options: ["--command-id", "-i"], required: true, help: 'The command ID from "aks command invoke".' }],
    examples: [{ name: "Get result from previous command invocation", text: "az aks command result -g MyResourceGroup -n MyManagedCluster -i 0e9ea3be08ea4d1e8f6f3e2c7f2a8b9a" }],
    handler: async (ctx, a) => {
      const group = String(a.resource_group_name);
      const clusterName = String(a.name);
      if (!a.command_id) throw new AzCliError("ValidationError", "CommandID cannot be empty.");
      const c = await ctx.aks();
      const r = (await c.managedClusters.getCommandResult(group, clusterName, String(a.command_id))) as MC | undefined;
      if (!r) {
        await commandInProgress(ctx, group, clusterName, String(a.command_id));
        return undefined;
      }
      return printCommandResult(ctx, r, ctx.specified.includes("_output_format"));
    },
  },
];

/** acs _format.py _aks_table_format */
export function aksTableRow(r: unknown): Record<string, unknown> {
  const o = (r ?? {}) as Record<string, unknown>;
  return {
    name: o.name,
    location: o.location,
    resourceGroup: o.resourceGroup,
    kubernetesVersion: o.kubernetesVersion,
    currentKubernetesVersion: o.currentKubernetesVersion,
    provisioningState: o.provisioningState,
    fqdn: o.fqdn || o.privateFqdn,
  };
}
void AKS_TABLE;
