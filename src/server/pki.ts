// The emulator's certificate authority: generated once per data directory and persisted,
// so users trust it once. Certificates pass Python 3.13's strict X.509 checks (critical
// basicConstraints on the CA, SKI/AKI, SANs, serverAuth EKU): see reference/clients.md §2.
import "reflect-metadata"; // @peculiar/x509 (tsyringe) needs it loaded first
import { webcrypto, X509Certificate as NodeX509 } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as x509 from "@peculiar/x509";
import { writeAtomic } from "../store/atomic-file.js";

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

export class FilePki implements Pki {
  private constructor(
    readonly caPem: string,
    private readonly caCert: x509.X509Certificate,
    private readonly caKey: CryptoKey,
  ) {}

  /** Load the CA from dir (ca.pem, ca-key.pem) or create and persist it. */
  static async open(dir: string): Promise<FilePki> {
    const certPath = path.join(dir, "ca.pem");
    const keyPath = path.join(dir, "ca-key.pem");
    if (fs.existsSync(certPath) && fs.existsSync(keyPath)) {
      const caPem = fs.readFileSync(certPath, "utf8");
      return new FilePki(caPem, new x509.X509Certificate(caPem), await importKeyPem(fs.readFileSync(keyPath, "utf8")));
    }
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
    const caPem = cert.toString("pem") + "\n";
    fs.mkdirSync(dir, { recursive: true });
    // Key first, then cert: the cert's presence marks a complete CA (atomic via rename).
    writeAtomic(keyPath, await exportKeyPem(keys.privateKey), 0o600);
    writeAtomic(certPath, caPem, 0o600);
    return new FilePki(caPem, cert, keys.privateKey);
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

/** Server certificate for the ARM listener, persisted beside the CA and reissued if it no longer matches. */
export async function loadOrIssueServerCert(pki: FilePki, dir: string, hosts: string[]): Promise<IssuedCert> {
  const certPath = path.join(dir, "server.pem");
  const keyPath = path.join(dir, "server-key.pem");
  if (fs.existsSync(certPath) && fs.existsSync(keyPath)) {
    const certPem = fs.readFileSync(certPath, "utf8");
    const c = new NodeX509(certPem);
    const fresh = c.checkIssued(new NodeX509(pki.caPem)) && Date.parse(c.validTo) > Date.now() + 30 * DAY;
    const sans = c.subjectAltName ?? "";
    if (fresh && hosts.every((h) => sans.includes(h))) return { certPem, keyPem: fs.readFileSync(keyPath, "utf8") };
  }
  const isIp = (h: string) => /^[\d.]+$/.test(h) || h.includes(":");
  const issued = await pki.issueServerCert({
    commonName: "localhost",
    dnsNames: hosts.filter((h) => !isIp(h)),
    ipAddresses: hosts.filter(isIp),
  });
  writeAtomic(keyPath, issued.keyPem, 0o600);
  writeAtomic(certPath, issued.certPem, 0o600);
  return issued;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs.filter(Boolean))];
}

function escapeDn(s: string): string {
  return s.replace(/([,+"\\<>;=])/g, "\\$1");
}
