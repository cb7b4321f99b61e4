// Latency profiles as data: how long each emulated stage takes. "instant" is for tests,
// "fast" the default, "realistic" close to Azure's own timings (minutes for AKS).

export type LatencyProfileName = "instant" | "fast" | "realistic";

/** Stage name → milliseconds, per profile. Unknown stages fall back to "default". */
const PROFILES: Record<LatencyProfileName, Record<string, number>> = {
  instant: { default: 0 },
  fast: {
    default: 50,
    "features.register": 2000,
    "features.unregister": 1000,
    "providers.register": 500,
    "resourceGroups.delete": 200,
    "network.put": 100,
    "network.delete": 100,
    "managedClusters.create": 1500,
    "managedClusters.update": 1000,
    "managedClusters.delete": 800,
    "managedClusters.stop": 800,
    "managedClusters.start": 1000,
    "managedClusters.runCommand": 200,
    "kube.node.ready": 300,
    "kube.pod.create": 200,
    "kube.pod.ready": 300,
    "kube.pod.complete": 1000,
  },
  realistic: {
    default: 1000,
    "features.register": 120_000,
    "features.unregister": 60_000,
    "providers.register": 30_000,
    "resourceGroups.delete": 60_000,
    "network.put": 5_000,
    "network.delete": 10_000,
    "managedClusters.create": 300_000,
    "managedClusters.update": 240_000,
    "managedClusters.delete": 300_000,
    "managedClusters.stop": 180_000,
    "managedClusters.start": 240_000,
    "managedClusters.runCommand": 10_000,
    "kube.node.ready": 30_000,
    "kube.pod.create": 2_000,
    "kube.pod.ready": 5_000,
    "kube.pod.complete": 10_000,
  },
};

export class Latency {
  constructor(readonly profile: LatencyProfileName) {}

  delay(stage: string): number {
    const p = PROFILES[this.profile];
    return p[stage] ?? p.default ?? 0;
  }

  /** Retry-After seconds clients are told to wait between polls. */
  retryAfterSeconds(): number {
    return this.profile === "instant" ? 0 : this.profile === "fast" ? 1 : 10;
  }

  static parse(s: string | undefined): LatencyProfileName {
    if (s === undefined || s === "") return "fast";
    if (s === "instant" || s === "fast" || s === "realistic") return s;
    throw new Error(`unknown latency profile '${s}' (expected instant, fast or realistic)`);
  }
}
