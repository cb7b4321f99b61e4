// Keys live in the store, shared by every process over it (src/store/shared-secret.ts): two
// processes starting together over one store agree on one CA and one token-signing key, each
// issuing its own listener certificate from that CA; a data directory from before keeps its CA
// and signing key (adopted into the store, the key files removed).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { X509Certificate, createPublicKey, generateKeyPairSync } from "node:crypto";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { SECRET_KEYS, sharedSecret } from "../../src/store/shared-secret.js";
import { CaPki, issueListenerCert } from "../../src/server/pki.js";
import { TokenService } from "../../src/entra/tokens.js";
import { startEmulator, tempDir } from "../helpers/emulator.js";

test("two connections racing to create a secret store one value, and both get it", async () => {
  const file = path.join(tempDir("aksemu-secret-"), "state.db");
  const a = SqliteStore.open(file);
  const b = SqliteStore.open(file);
  try {
    let made = 0;
    // Both see the key absent and make a candidate before either commits.
    const slow = (v: string) => async () => {
      made++;
      await new Promise((r) => setTimeout(r, 50));
      return { v };
    };
    const [x, y] = await Promise.all([sharedSecret(a, "secret/t", slow("a")), sharedSecret(b, "secret/t", slow("b"))]);
    assert.equal(made, 2, "both made a candidate");
    assert.deepEqual(x, y, "one value for both");
    assert.deepEqual(a.get("secret/t")!.value, x);
    assert.deepEqual(await sharedSecret(b, "secret/t", () => assert.fail("not made again")), x);
  } finally {
    a.close();
    b.close();
  }
});

test("two processes starting together over one store: one CA, one signing key, each its own listener certificate", async () => {
  const root = tempDir("aksemu-shared-");
  const file = path.join(root, "state.db");
  const [dirA, dirB] = [path.join(root, "a"), path.join(root, "b")];
  for (const d of [dirA, dirB]) fs.mkdirSync(d, { mode: 0o700 });
  const a = SqliteStore.open(file);
  const b = SqliteStore.open(file);
  try {
    const [pa, pb] = await Promise.all([CaPki.shared(a, dirA), CaPki.shared(b, dirB)]);
    assert.equal(pa.caPem, pb.caPem);
    for (const d of [dirA, dirB]) assert.equal(fs.readFileSync(path.join(d, "ca.pem"), "utf8"), pa.caPem, "the CA certificate is written out for clients");
    const [ta, tb] = await Promise.all([TokenService.shared(a, dirA), TokenService.shared(b, dirB)]);
    assert.equal(ta.kid, tb.kid);
    const token = await ta.issue({ tid: "t", oid: "o", appid: "a", aud: "x", iss: "i" });
    assert.equal((await tb.verify(token)).ok, true, "a token one process issued verifies in the other");
    const [ca, cb] = await Promise.all([issueListenerCert(pa, ["localhost", "127.0.0.2"]), issueListenerCert(pb, ["localhost", "127.0.0.3"])]);
    const root = new X509Certificate(pa.caPem);
    for (const [c, ip] of [[ca, "127.0.0.2"], [cb, "127.0.0.3"]] as const) {
      const x = new X509Certificate(c.certPem);
      assert.ok(x.checkIssued(root) && x.verify(root.publicKey), "issued by the shared CA");
      assert.ok(x.checkIP(ip), `${ip} in ${x.subjectAltName}`);
    }
    assert.equal(new X509Certificate(ca.certPem).checkIP("127.0.0.3"), undefined, "each certificate covers its own process's address only");
    for (const d of [dirA, dirB]) assert.deepEqual(fs.readdirSync(d).sort(), ["ca.pem"], "no key in the data directory");
  } finally {
    a.close();
    b.close();
  }
});

test("a data directory from before the store held the keys keeps its CA and signing key", async () => {
  const dataDir = tempDir("aksemu-legacy-");
  fs.chmodSync(dataDir, 0o700);
  // What an older version wrote: an ECDSA P-256 CA (PKCS#8 key), the RS256 signing key, the listener's certificate.
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path.join(dataDir, "ca-key.pem"), "-out", path.join(dataDir, "ca.pem"),
    "-subj", "/CN=aksemu local CA/O=aksemu", "-days", "30", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"], { stdio: "ignore" });
  const oldCa = fs.readFileSync(path.join(dataDir, "ca.pem"), "utf8");
  const signing = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  fs.writeFileSync(path.join(dataDir, "entra-signing-key.pem"), signing, { mode: 0o600 });
  fs.writeFileSync(path.join(dataDir, "server.pem"), "stale", { mode: 0o600 });
  fs.writeFileSync(path.join(dataDir, "server-key.pem"), "stale", { mode: 0o600 });
  for (const f of fs.readdirSync(dataDir)) fs.chmodSync(path.join(dataDir, f), 0o600);
  const emu = await startEmulator({ dataDir });
  try {
    assert.equal(emu.caPem, oldCa, "the CA users trusted stays");
    // The listener's new certificate chains to it (rawRequest verifies against the old ca.pem).
    const jwks = await emu.request("GET", "/common/discovery/keys");
    assert.equal(jwks.status, 200, jwks.text);
    const want = createPublicKey(signing).export({ format: "jwk" });
    assert.ok(jwks.body.keys.some((k: any) => k.n === want.n && k.e === want.e), "the old signing key still signs");
    const files = fs.readdirSync(dataDir);
    for (const f of ["ca-key.pem", "entra-signing-key.pem", "server.pem", "server-key.pem"]) assert.ok(!files.includes(f), `${f} removed: ${files}`);
  } finally {
    await emu.stop();
  }
  // And after a restart from the store alone.
  const again = await startEmulator({ dataDir });
  try {
    assert.equal(again.caPem, oldCa);
    assert.equal((await again.request("GET", "/common/discovery/keys")).status, 200);
  } finally {
    await again.stop();
  }
});
