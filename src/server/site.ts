// The emulator's own addresses. Absolute URLs the emulator hands out (Azure-AsyncOperation,
// Location, nextLink, OIDC documents) are built from them, never from an arbitrary Host
// header: a poller sends its bearer token to whatever host those URLs name.

/** Addresses that bind every interface: nobody reaches a listener at them. */
const WILDCARDS = ["0.0.0.0", "::", "[::]"];

/**
 * The address a process is reached at: `--advertise-address` if given, else the `--host` it
 * binds to unless that is a wildcard, else 127.0.0.1.
 */
export function advertisedAddress(host: string | undefined, advertise: string | undefined): string {
  if (advertise) return advertise;
  if (host && !WILDCARDS.includes(host)) return host;
  return "127.0.0.1";
}

/** An address as it appears in a URL's authority (IPv6 in brackets). */
export function urlHost(address: string): string {
  return address.includes(":") && !address.startsWith("[") ? `[${address}]` : address.toLowerCase();
}

export class Site {
  /** Set once the listener is bound (port 0 picks a free one). */
  port = 0;
  /** Where clients reach this process (advertisedAddress). */
  readonly address: string;

  constructor(private readonly host?: string, advertise?: string) {
    this.address = advertisedAddress(host, advertise);
  }

  /** The configured endpoint, as `aksemu start` prints it: the advertised address. */
  get endpoint(): string {
    return `https://${urlHost(this.address)}:${this.port}`;
  }

  /** Host names that reach this listener: the loopback names, the --host and the advertised address. */
  hostNames(): string[] {
    const names = ["localhost", "127.0.0.1", "[::1]"];
    for (const h of [this.host, this.address]) if (h && !WILDCARDS.includes(h)) names.push(urlHost(h));
    return [...new Set(names)];
  }

  /** Names and addresses this listener's certificate covers (hostNames without brackets). */
  certificateNames(): string[] {
    return this.hostNames().map((h) => h.replace(/^\[|\]$/g, ""));
  }

  /** Every origin a client may have been configured with (`https://host:port`). */
  origins(): string[] {
    return this.hostNames().map((h) => `https://${h}:${this.port}`);
  }

  /** origins() as a set, rebuilt when the port changes (asked on every request). */
  private originSet: { port: number; set: Set<string> } | undefined;

  /** The origin for one request: the Host the client used when it names this emulator, else the configured endpoint. */
  baseFor(hostHeader: string | undefined): string {
    if (hostHeader) {
      if (this.originSet?.port !== this.port) this.originSet = { port: this.port, set: new Set(this.origins()) };
      const origin = `https://${hostHeader.toLowerCase()}`;
      if (this.originSet.set.has(origin)) return origin;
    }
    return this.endpoint;
  }
}
