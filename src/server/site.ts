// The emulator's own addresses. Absolute URLs the emulator hands out (Azure-AsyncOperation,
// Location, nextLink, OIDC documents) are built from them, never from an arbitrary Host
// header: a poller sends its bearer token to whatever host those URLs name.

export class Site {
  /** Set once the listener is bound (port 0 picks a free one). */
  port = 0;

  constructor(private readonly host?: string) {}

  /** The configured endpoint, as `aksemu start` prints it. */
  get endpoint(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Host names that reach this listener: the loopback names and the --host address. */
  hostNames(): string[] {
    const names = ["localhost", "127.0.0.1", "[::1]"];
    if (this.host && !["127.0.0.1", "0.0.0.0", "::"].includes(this.host)) names.push(this.host.includes(":") ? `[${this.host}]` : this.host.toLowerCase());
    return names;
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
