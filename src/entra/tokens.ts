// Token issuance and validation: RS256 JWTs signed with a key kept in the state store, so tokens
// stay valid across restarts and every process sharing the store accepts them. Claims follow Entra's app tokens.
import { createHash, generateKeyPairSync, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { SignJWT, jwtVerify, exportJWK, type JWK } from "jose";
import { SECRET_KEYS, sharedSecret } from "../store/shared-secret.js";
import type { Store } from "../store/store.js";

/** Where a data directory kept the key before the store held it. */
const LEGACY_KEY_FILE = "entra-signing-key.pem";

export interface TokenClaims {
  tid: string;
  oid: string;
  appid: string;
  aud: string;
  iss: string;
  [k: string]: unknown;
}

export class TokenService {
  /** Verified tokens, so each request does not pay an RS256 verification (bounded, expiry-checked). */
  private readonly verified = new Map<string, TokenClaims & { exp?: number }>();

  private constructor(private readonly privateKey: KeyObject, private readonly publicKey: KeyObject, readonly kid: string) {}

  /**
   * The signing key every process sharing `store` uses (store key secret/entra-signing-key,
   * created once), so a token one process issued verifies in any other. A data directory's key
   * file from before the store held it is adopted when the store has none, then removed.
   */
  static async shared(store: Store, dataDir: string): Promise<TokenService> {
    const file = path.join(dataDir, LEGACY_KEY_FILE);
    const old = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    const { privateKeyPem } = await sharedSecret(store, SECRET_KEYS.entraSigningKey, () => ({
      privateKeyPem: old ?? generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    }));
    if (old === privateKeyPem) fs.rmSync(file, { force: true });
    return TokenService.fromPem(privateKeyPem);
  }

  /** A service over a key kept nowhere else (tests). */
  static fromPem(pem: string): TokenService {
    const privateKey = createPrivateKey(pem);
    const publicKey = createPublicKey(privateKey);
    const kid = createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("base64url").slice(0, 27);
    return new TokenService(privateKey, publicKey, kid);
  }

  async issue(claims: TokenClaims, lifetimeSeconds = 3600): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...claims, idtyp: "app", ver: claims.ver ?? "1.0" })
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: this.kid, x5t: this.kid })
      .setIssuedAt(now)
      .setNotBefore(now - 300)
      .setExpirationTime(now + lifetimeSeconds)
      .sign(this.privateKey);
  }

  /** Verify signature and lifetime; returns the claims or an error reason. */
  async verify(token: string): Promise<{ ok: true; claims: TokenClaims } | { ok: false; reason: "invalid" | "expired"; exp?: number }> {
    const hit = this.verified.get(token);
    if (hit && (hit.exp === undefined || hit.exp * 1000 > Date.now())) return { ok: true, claims: hit };
    try {
      const { payload } = await jwtVerify(token, this.publicKey, { algorithms: ["RS256"], clockTolerance: 300 });
      if (this.verified.size >= 1000) this.verified.clear();
      this.verified.set(token, payload as unknown as TokenClaims);
      return { ok: true, claims: payload as unknown as TokenClaims };
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "ERR_JWT_EXPIRED") {
        const payload = (e as { payload?: { exp?: number } }).payload;
        return { ok: false, reason: "expired", exp: payload?.exp };
      }
      return { ok: false, reason: "invalid" };
    }
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    const jwk = await exportJWK(this.publicKey);
    return { keys: [{ ...jwk, kid: this.kid, x5t: this.kid, use: "sig", alg: "RS256", kty: "RSA" }] };
  }
}

/** Stable object id for an application that has no directory object yet (any client id works). */
export function objectIdForApp(appId: string): string {
  const h = createHash("sha256").update("aksemu-app:" + appId.toLowerCase()).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
