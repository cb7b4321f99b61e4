// The emulator's certificate authority: generated once and kept in the state store, so users
// trust it once and every process sharing the store signs with the same CA. Certificates pass Python 3.13's strict X.509 checks (critical
// basicConstraints on the CA, SKI/AKI, SANs, serverAuth EKU): see reference/clients.md §2.
import "reflect-metadata"; // @peculiar/x509 (tsyringe) needs it loaded first
import { webcrypto } from "node:crypto";
import { isIP } from "node:net";
import fs from "node:fs";
import path from "node:path";
import * as x509 from "@peculiar/x509";
import { writeAtomic } from "../store/atomic-file.js";
import { SECRET_KEYS, sharedSecret } from "../store/shared-secret.js";
import type { Store } from "../store/store.js";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY = 24 * 3600 * 1000;

export interface IssuedCert {
  certPem: string;
  keyPem: string;
}

export interface Pki {
  readonly caPem: string;
  issueServerCert(o: { commonName: string; dnsNames: string[]; ipAddresses: string[] }): Promise<IssuedCert>;
  issueClientCert(o: { commonName: string; organizations: string[] }): Promise<IssuedCert>;
}

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString("base64").replace(/(.{64})/g, "$1\n").trim();
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  return toPem(await webcrypto.subtle.exportKey("pkcs8", key as unknown as webcrypto.CryptoKey), "PRIVATE KEY");
}

async function importKeyPem(pem: string): Promise<CryptoKey> {
  const b64 = pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
  return (await webcrypto.subtle.importKey("pkcs8", Buffer.from(b64, "base64"), ALG, true, ["sign"])) as unknown as CryptoKey;
}

function serial(): string {
  // Positive 16-byte serial (leading byte < 0x80 keeps the DER INTEGER positive).
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = b[0]! & 0x7f | 0x10;
  return Buffer.from(b).toString("hex");
}

interface StoredCa {
  certPem: string;
  keyPem: string;
}

/** Files a data directory held before the CA and the listener's certificate moved to the store. */
const LEGACY = { cert: "ca.pem", key: "ca-key.pem", serverCert: "server.pem", serverKey: "server-key.pem" };

async function newCa(): Promise<StoredCa> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as unknown as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: "CN=aksemu local CA,O=aksemu",
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 3650 * DAY),
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString("pem") + "\n", keyPem: await exportKeyPem(keys.privateKey) };
}

/** The CA of an older data directory (both files present), to keep the trust users gave it. */
function legacyCa(dir: string): StoredCa | undefined {
  const certPath = path.join(dir, LEGACY.cert);
  const keyPath = path.join(dir, LEGACY.key);
  if (!fs.existsSync(certPath) || !fs.existsSync(keyPath)) return undefined;
  return { certPem: fs.readFileSync(certPath, "utf8"), keyPem: fs.readFileSync(keyPath, "utf8") };
}

export class CaPki implements Pki {
  private constructor(
    readonly caPem: string,
    private readonly caCert: x509.X509Certificate,
    private readonly caKey: CryptoKey,
  ) {}

  private static async from(ca: StoredCa): Promise<CaPki> {
    return new CaPki(ca.certPem, new x509.X509Certificate(ca.certPem), await importKeyPem(ca.keyPem));
  }

  /** A new CA kept nowhere (tests and benchmarks of one component). */
  static async create(): Promise<CaPki> {
    return CaPki.from(await newCa());
  }

  /**
   * The CA every process sharing `store` uses (store key secret/ca, created once). A data
   * directory's CA from before the store held it is adopted when the store has none (its key file
   * is then removed: the store holds it). The certificate, no secret, is written to
   * `<dataDir>/ca.pem` for clients to trust.
   */
  static async shared(store: Store, dataDir: string): Promise<CaPki> {
    const old = legacyCa(dataDir);
    const ca = await sharedSecret<StoredCa>(store, SECRET_KEYS.ca, () => old ?? newCa());
    if (old && old.keyPem === ca.keyPem) fs.rmSync(path.join(dataDir, LEGACY.key), { force: true });
    // The listener's certificate is issued per process at start now (issueListenerCert).
    for (const f of [LEGACY.serverCert, LEGACY.serverKey]) fs.rmSync(path.join(dataDir, f), { force: true });
    const certPath = path.join(dataDir, LEGACY.cert);
    if (!fs.existsSync(certPath) || fs.readFileSync(certPath, "utf8") !== ca.certPem) writeAtomic(certPath, ca.certPem, 0o600);
    return CaPki.from(ca);
  }

  private async issue(name: string, extensions: x509.Extension[]): Promise<IssuedCert> {
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as unknown as CryptoKeyPair;
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: name,
      issuer: this.caCert.subject,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 825 * DAY),
      signingAlgorithm: ALG,
      publicKey: keys.publicKey,
      signingKey: this.caKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(this.caCert, false),
        ...extensions,
      ],
    });
    return { certPem: cert.toString("pem") + "\n", keyPem: await exportKeyPem(keys.privateKey) };
  }

  issueServerCert(o: { commonName: string; dnsNames: string[]; ipAddresses: string[] }): Promise<IssuedCert> {
    const san = [
      ...unique(o.dnsNames).map((value) => ({ type: "dns" as const, value })),
      ...unique(o.ipAddresses).map((value) => ({ type: "ip" as const, value })),
    ];
    return this.issue(`CN=${escapeDn(o.commonName)}`, [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(san),
    ]);
  }

  /**
   * Sign a PKCS#10 request (CertificateSigningRequest approved for a built-in signer): the
   * requested subject and public key, the usages' key purposes, the requested lifetime.
   */
  async signCsr(o: { csrPem: string; serverAuth: boolean; clientAuth: boolean; expirationSeconds?: number }): Promise<string> {
    const csr = new x509.Pkcs10CertificateRequest(o.csrPem);
    if (!(await csr.verify())) throw new Error("the certificate request signature is invalid");
    const now = Date.now();
    const publicKey = await csr.publicKey.export();
    const eku = [...(o.clientAuth ? [x509.ExtendedKeyUsage.clientAuth] : []), ...(o.serverAuth ? [x509.ExtendedKeyUsage.serverAuth] : [])];
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: csr.subject,
      issuer: this.caCert.subject,
      notBefore: new Date(now - 5 * 60_000),
      notAfter: new Date(now + (o.expirationSeconds ?? 365 * 86400) * 1000),
      signingAlgorithm: ALG,
      publicKey,
      signingKey: this.caKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        ...(eku.length ? [new x509.ExtendedKeyUsageExtension(eku)] : []),
        await x509.AuthorityKeyIdentifierExtension.create(this.caCert, false),
      ],
    });
    return cert.toString("pem") + "\n";
  }

  issueClientCert(o: { commonName: string; organizations: string[] }): Promise<IssuedCert> {
    const name = [...o.organizations.map((org) => `O=${escapeDn(org)}`), `CN=${escapeDn(o.commonName)}`].join(",");
    return this.issue(name, [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ]);
  }
}

/**
 * This process's listener certificate, issued from the shared CA at every start (each process
 * has its own addresses; nothing to persist): SANs are the names and addresses it is reached at.
 */
export function issueListenerCert(pki: Pki, hosts: string[]): Promise<IssuedCert> {
  const isIp = (h: string) => isIP(h) !== 0;
  return pki.issueServerCert({
    commonName: hosts.find((h) => !isIp(h)) ?? "localhost",
    dnsNames: hosts.filter((h) => !isIp(h)),
    ipAddresses: hosts.filter(isIp),
  });
}

function unique(xs: string[]): string[] {
  return [...new Set(xs.filter(Boolean))];
}

function escapeDn(s: string): string {
  return s.replace(/([,+"\\<>;=])/g, "\\$1");
}
