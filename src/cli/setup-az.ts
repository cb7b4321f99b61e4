// `aksemu setup az`: point a real Azure CLI at a running emulator, in an isolated
// AZURE_CONFIG_DIR (reference/clients.md §2–§3):
//   1. CA bundle = system CAs + the emulator CA (REQUESTS_CA_BUNDLE replaces requests' bundle);
//   2. `az cloud register/update --cloud-config {...}` with every AD endpoint set, so the
//      msrestazure discovery of old az is skipped and nothing goes to the public cloud;
//   3. instance discovery off: on az < 2.53 (no core.instance_discovery, e.g. Debian's 2.45)
//      the AD endpoint is `<endpoint>/adfs`, which MSAL treats as ADFS ("known to the
//      developer": no call to login.microsoftonline.com, OIDC from /adfs/.well-known/...);
//      on newer az the AD endpoint is the emulator itself plus `core.instance_discovery=false`;
//   4. `az cloud set`, `az login --service-principal` (any id/secret) with the tenant GUID
//      (a GUID skips az's tenant-name resolution, which would fetch {ad}/{tenant}/.well-known);
//   5. print what it did and the environment the user must export.
// `--print` prints the commands without running them; `--profile <p>` registers the cloud with
// an az API profile (e.g. 2020-09-01-hybrid, which Debian's az 2.45 needs for `az network`).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { CLOUD_NAME } from "../server/metadata.js";
import { DataDirLock } from "../store/data-dir.js";

type Flags = Record<string, string | true>;

interface RuntimeInfo {
  pid: number;
  port: number;
  endpoint: string;
}

const DEFAULT_TENANT = "00000000-0000-0000-0000-000000000001";
const DEFAULT_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
const AZ_TIMEOUT_MS = 120_000;
/** First az release with `core.instance_discovery` (Azure/azure-cli PR #27494, Sept 2023). */
const INSTANCE_DISCOVERY_SINCE = [2, 53, 0];

const SYSTEM_CA_CANDIDATES = [
  "/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Alpine
  "/etc/pki/tls/certs/ca-bundle.crt", // Fedora, RHEL
  "/etc/ssl/cert.pem", // macOS, OpenBSD
  "/etc/ssl/ca-bundle.pem", // openSUSE
];

function str(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === "string" ? v : undefined;
}

function fail(msg: string): never {
  console.error(`aksemu setup az: ${msg}`);
  process.exit(1);
}

/** POSIX shell quoting for printed commands. */
export function shq(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function parseAzVersion(text: string): number[] | undefined {
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const v = j["azure-cli"];
    if (typeof v === "string") return v.split(".").map((x) => parseInt(x, 10) || 0);
  } catch {
    /* not JSON: `az --version` text */
  }
  const m = /azure-cli\s+(\d+)\.(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function versionAtLeast(v: number[], min: number[]): boolean {
  for (let i = 0; i < min.length; i++) {
    const a = v[i] ?? 0;
    if (a !== min[i]) return a > min[i]!;
  }
  return true;
}

function systemCaBundle(): { path: string; pem: string } | undefined {
  const fromEnv = process.env.AKSEMU_SYSTEM_CA_BUNDLE;
  for (const p of [fromEnv, ...SYSTEM_CA_CANDIDATES]) {
    if (p && fs.existsSync(p)) return { path: p, pem: fs.readFileSync(p, "utf8") };
  }
  // certifi's bundle (what requests uses by default), via any python3 that has it.
  for (const py of ["python3", "/usr/bin/python3", "/opt/az/bin/python3"]) {
    const r = spawnSync(py, ["-c", "import certifi; print(certifi.where())"], { encoding: "utf8", timeout: 20_000, stdio: ["ignore", "pipe", "pipe"] });
    const p = r.status === 0 ? r.stdout.trim() : "";
    if (p && fs.existsSync(p)) return { path: p, pem: fs.readFileSync(p, "utf8") };
  }
  return undefined;
}

export interface AzPlan {
  azVersion?: string;
  newAz: boolean;
  configDir: string;
  bundlePath: string;
  env: Record<string, string>;
  commands: string[][];
}

/** The az invocations (without the leading "az") for an emulator endpoint. */
export function planAzCommands(o: { endpoint: string; newAz: boolean; tenantId: string; clientId: string; secret: string; cloudName: string; update: boolean; profile?: string }): string[][] {
  const ep = o.endpoint.replace(/\/+$/, "");
  const root = ep + "/";
  const cloudConfig = {
    ...(o.profile ? { profile: o.profile } : {}),
    endpoints: {
      activeDirectory: o.newAz ? ep : `${ep}/adfs`,
      activeDirectoryResourceId: root,
      activeDirectoryGraphResourceId: root,
      microsoftGraphResourceId: root,
      resourceManager: root,
      management: root,
      gallery: root,
      sqlManagement: root,
    },
    suffixes: {
      storageEndpoint: "core.aksemu.local",
      keyvaultDns: ".vault.aksemu.local",
      sqlServerHostname: ".database.aksemu.local",
      acrLoginServerEndpoint: ".azurecr.aksemu.local",
    },
  };
  const cmds: string[][] = [];
  cmds.push(["cloud", o.update ? "update" : "register", "--name", o.cloudName, "--cloud-config", JSON.stringify(cloudConfig)]);
  cmds.push(["cloud", "set", "--name", o.cloudName]);
  const config = ["core.collect_telemetry=false"];
  if (o.newAz) config.unshift("core.instance_discovery=false");
  cmds.push(["config", "set", ...config]);
  cmds.push(["login", "--service-principal", "--username", o.clientId, "--password", o.secret, "--tenant", o.tenantId, "--output", "json"]);
  return cmds;
}

function runAz(az: string, args: string[], env: Record<string, string>): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(az, args, {
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: AZ_TIMEOUT_MS,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (r.error) return { code: -1, stdout: r.stdout ?? "", stderr: `${(r.error as Error).message}\n${r.stderr ?? ""}` };
  return { code: r.status ?? (r.signal ? 128 : -1), stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** The emulator accepts any secret; only a user-chosen one (--client-secret) is hidden in the output. */
function redact(args: string[], hide: boolean): string[] {
  const out = [...args];
  const i = out.indexOf("--password");
  if (hide && i >= 0 && i + 1 < out.length) out[i + 1] = "<secret>";
  return out;
}

export async function setupAz(flags: Flags): Promise<void> {
  const dataDir = path.resolve(str(flags, "data-dir") ?? process.env.AKSEMU_DATA_DIR ?? ".aksemu");
  const printOnly = flags.print === true || flags.print === "true";
  let info: RuntimeInfo;
  try {
    info = JSON.parse(fs.readFileSync(path.join(dataDir, "aksemu.json"), "utf8")) as RuntimeInfo;
  } catch {
    fail(`no running emulator found (${path.join(dataDir, "aksemu.json")} is missing); start one with: aksemu start --data-dir ${dataDir}`);
  }
  if (!printOnly && !DataDirLock.isHeld(dataDir)) {
    fail(`the emulator recorded in ${path.join(dataDir, "aksemu.json")} (pid ${info.pid}) is not running; start it with: aksemu start --data-dir ${dataDir}`);
  }
  const caPath = path.join(dataDir, "ca.pem");
  if (!fs.existsSync(caPath)) fail(`${caPath} is missing; is ${dataDir} an aksemu data directory?`);
  const endpoint = info.endpoint.replace(/\/+$/, "");
  const configDir = path.resolve(str(flags, "config-dir") ?? path.join(dataDir, "azure-cli"));
  const bundlePath = path.join(dataDir, "ca-bundle.pem");
  const az = str(flags, "az") ?? process.env.AKSEMU_AZ ?? "az";
  const tenantId = str(flags, "tenant") ?? DEFAULT_TENANT;
  const clientId = str(flags, "client-id") ?? "aksemu-cli";
  const secret = str(flags, "client-secret") ?? "aksemu-secret";
  const hideSecret = str(flags, "client-secret") !== undefined;
  const env: Record<string, string> = {
    AZURE_CONFIG_DIR: configDir,
    REQUESTS_CA_BUNDLE: bundlePath,
    AZURE_CORE_COLLECT_TELEMETRY: "false",
  };

  // Which az is this? (old az: ADFS-style authority; new az: core.instance_discovery=false)
  let azVersion: number[] | undefined;
  const forced = str(flags, "az-version");
  if (forced) azVersion = parseAzVersion(`azure-cli ${forced}`);
  else {
    const v = runAz(az, ["version", "--output", "json"], env);
    azVersion = v.code === 0 ? parseAzVersion(v.stdout) : undefined;
    if (!azVersion) {
      const v2 = runAz(az, ["--version"], env);
      azVersion = v2.code === 0 ? parseAzVersion(v2.stdout) : undefined;
    }
    if (!azVersion && !printOnly) fail(`could not run '${az} version' (is the Azure CLI installed? pass --az <path>)`);
  }
  const newAz = azVersion ? versionAtLeast(azVersion, INSTANCE_DISCOVERY_SINCE) : false;
  const versionText = azVersion ? azVersion.join(".") : "unknown (assuming < 2.53)";

  // CA bundle: system CAs + the emulator CA.
  const sys = systemCaBundle();
  const caPem = fs.readFileSync(caPath, "utf8");
  if (!printOnly) {
    fs.mkdirSync(configDir, { recursive: true });
    const bundle = `${sys ? sys.pem.trimEnd() + "\n" : ""}# aksemu CA (${caPath})\n${caPem.trimEnd()}\n`;
    fs.writeFileSync(bundlePath + ".tmp", bundle);
    fs.renameSync(bundlePath + ".tmp", bundlePath);
  }

  // Re-running set-up (new port after a restart) updates the registered cloud instead.
  const cloudsFile = path.join(configDir, "clouds.config");
  const registered = !printOnly && fs.existsSync(cloudsFile) && new RegExp(`^\\[${CLOUD_NAME}\\]\\s*$`, "m").test(fs.readFileSync(cloudsFile, "utf8"));
  const profile = str(flags, "profile");
  const commands = planAzCommands({ endpoint, newAz, tenantId, clientId, secret, cloudName: CLOUD_NAME, update: registered, profile });

  const out: string[] = [];
  out.push(`aksemu setup az: Azure CLI ${versionText} -> ${endpoint}`);
  out.push(`  config dir: ${configDir}${str(flags, "config-dir") ? "" : " (isolated; your ~/.azure is untouched)"}`);
  out.push(`  CA bundle:  ${bundlePath} = ${sys ? sys.path : "(no system CA bundle found)"} + ${caPath}`);
  out.push(
    newAz
      ? `  login:      authority ${endpoint}/${tenantId}, core.instance_discovery=false`
      : `  login:      ADFS-style authority ${endpoint}/adfs (az < 2.53 has no core.instance_discovery; MSAL skips instance discovery for ADFS)`,
  );
  out.push("");
  out.push(printOnly ? "Commands (not run, --print):" : "Ran:");
  out.push(`  export AZURE_CONFIG_DIR=${shq(configDir)} REQUESTS_CA_BUNDLE=${shq(bundlePath)}`);
  if (printOnly) {
    out.push(`  cat ${shq(sys?.path ?? "/etc/ssl/certs/ca-certificates.crt")} ${shq(caPath)} > ${shq(bundlePath)}`);
    out.push(`  # if the cloud is already registered (emulator restarted on another port), use 'az cloud update' with the same arguments`);
  }
  let login: Array<{ id?: string; tenantId?: string; name?: string }> = [];
  for (const args of commands) {
    out.push(`  az ${redact(args, hideSecret).map(shq).join(" ")}`);
    if (printOnly) continue;
    let r = runAz(az, args, env);
    if (r.code !== 0 && args[0] === "cloud" && args[1] === "register" && /already registered/i.test(r.stderr)) {
      const upd = ["cloud", "update", ...args.slice(2)];
      out.push(`  az ${upd.map(shq).join(" ")}`);
      r = runAz(az, upd, env);
    }
    if (r.code !== 0) {
      console.log(out.join("\n"));
      fail(`'az ${redact(args, hideSecret).slice(0, 2).join(" ")}' failed (exit ${r.code}):\n${r.stderr.trim() || r.stdout.trim()}\nRe-run it with --debug (and the two variables above exported) to see the HTTP exchange.`);
    }
    if (args[0] === "login") {
      try {
        login = JSON.parse(r.stdout);
      } catch {
        login = [];
      }
    }
  }
  out.push("");
  if (!printOnly) {
    const sub = login[0];
    out.push(`Logged in as service principal '${clientId}' to cloud ${CLOUD_NAME} (subscription ${sub?.id ?? DEFAULT_SUBSCRIPTION}, tenant ${sub?.tenantId ?? tenantId}).`);
    out.push("");
  }
  out.push("Export these in every shell that runs az against the emulator:");
  out.push(`  export AZURE_CONFIG_DIR=${shq(configDir)}`);
  out.push(`  export REQUESTS_CA_BUNDLE=${shq(bundlePath)}`);
  out.push(`then e.g.: az group create -n demo -l eastus`);
  // Debian/Ubuntu's packaged az (not Microsoft's /opt/az build) lives in dist-packages.
  if (!newAz && !profile && fs.existsSync("/usr/lib/python3/dist-packages/azure/cli/core/__init__.py")) {
    out.push("");
    out.push("Debian's azure-cli 2.45 (python3-azure 20230112) has client-side bugs that no server can fix:");
    out.push("  - az role assignment/definition create|list crash ('...Operations' object has no attribute 'config',");
    out.push("    Azure/azure-cli#24959): use 'az rest' for roleAssignments, or a newer az;");
    out.push("  - az network needs the 2020-09-01-hybrid profile (its 'latest' network models are missing):");
    out.push("    re-run with --profile 2020-09-01-hybrid (az aks then uses api-version 2020-11-01).");
  }
  out.push("");
  out.push("Azure SDK for JavaScript:");
  out.push(`  export NODE_EXTRA_CA_CERTS=${shq(caPath)}`);
  out.push(`  const credential = new ClientSecretCredential("${tenantId}", "any-client", "any-secret",`);
  out.push(`    { authorityHost: "${endpoint}", disableInstanceDiscovery: true });`);
  out.push(`  const client = new ResourceManagementClient(credential, "${DEFAULT_SUBSCRIPTION}",`);
  out.push(`    { endpoint: "${endpoint}", credentialScopes: ["${endpoint}/.default"] });`);
  out.push("");
  out.push("Terraform (azurerm):");
  out.push(`  export ARM_METADATA_HOSTNAME=${new URL(endpoint).host} SSL_CERT_FILE=${shq(bundlePath)}`);
  out.push(`  export ARM_TENANT_ID=${tenantId} ARM_SUBSCRIPTION_ID=${DEFAULT_SUBSCRIPTION} ARM_CLIENT_ID=any-client ARM_CLIENT_SECRET=any-secret`);
  out.push(`  provider "azurerm" {`);
  out.push(`    features {}`);
  out.push(`    resource_provider_registrations = "none"   # azurerm v4 (v3: skip_provider_registration = true)`);
  out.push(`  }`);
  console.log(out.join("\n"));
}
