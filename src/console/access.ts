// Who may read the console's data: a loopback client that presents this run's console key.
// The data shows every subscription's resources, and on a shared machine every local user can
// reach a loopback port, so loopback alone is not enough; the key is random per start, printed
// only to whoever ran `aksemu start` (and kept in the owner-only data directory), and compared
// in constant time. The page trades the key (from the link's #fragment, never sent in a URL)
// for an HttpOnly, SameSite=Strict cookie scoped to the data API.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { RequestContext } from "../http/context.js";
import { contains, parseAddress, requireCidr } from "../network/cidr.js";
import { ConsoleErrors } from "./errors.js";

export const CONSOLE_COOKIE = "aksemu-console";
export const CONSOLE_KEY_HEADER = "x-aksemu-console-key";
export const CONSOLE_API = "/aksemu/console";

const LOOPBACK = [requireCidr("127.0.0.0/8"), requireCidr("::1/128")];

/** Is the peer address a loopback address (IPv4-mapped IPv6 included)? */
export function isLoopback(peer: string | undefined): boolean {
  const a = parseAddress((peer ?? "").replace(/^::ffff:(?=[^:]*\.)/i, ""));
  return !!a && LOOPBACK.some((c) => c.family === a.family && contains(c, a));
}

/** The key a request presents: the console cookie, else the header (scripts, tests). */
export function presentedKey(ctx: Pick<RequestContext, "header">): string | undefined {
  const h = ctx.header(CONSOLE_KEY_HEADER);
  if (h) return h;
  for (const part of (ctx.header("cookie") ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === CONSOLE_COOKIE) return part.slice(i + 1).trim();
  }
  return undefined;
}

export class ConsoleAccess {
  /** 256 random bits, base64url (fits a URL fragment and a cookie unescaped). */
  readonly key: string;
  private readonly digest: Buffer;

  constructor(key = randomBytes(32).toString("base64url")) {
    this.key = key;
    this.digest = createHash("sha256").update(key).digest();
  }

  /** Constant time in the key's content: both sides are hashed to 32 bytes first. */
  matches(candidate: string | undefined): boolean {
    if (candidate === undefined) return false;
    return timingSafeEqual(createHash("sha256").update(candidate).digest(), this.digest);
  }

  /** Throws 403 for a non-loopback peer, 401 without the right key. */
  check(ctx: RequestContext, candidate: string | undefined = presentedKey(ctx)): void {
    const peer = ctx.req.socket.remoteAddress;
    if (!isLoopback(peer)) throw ConsoleErrors.consoleNotLoopback.make({ peer: peer ?? "unknown" });
    if (!this.matches(candidate)) throw ConsoleErrors.consoleKeyRequired.make({});
  }

  /** The Set-Cookie value that carries the key for the data API (HTTPS only, no script access). */
  cookie(): string {
    return `${CONSOLE_COOKIE}=${this.key}; Path=${CONSOLE_API}; Secure; HttpOnly; SameSite=Strict`;
  }
}
