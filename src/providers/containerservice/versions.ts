// Kubernetes versions and node images the emulated AKS offers (data).
export const KUBERNETES_VERSIONS = ["1.30.14", "1.31.10", "1.32.6", "1.33.2"] as const;
export const DEFAULT_KUBERNETES_VERSION = "1.31.10";

/** Node image of new clusters, and the one a VNet-integration conversion reimages to. */
export const NODE_IMAGE_DEFAULT = "AKSUbuntu-2204gen2containerd-202411.12.0";
export const NODE_IMAGE_LATEST = "AKSUbuntu-2204gen2containerd-202501.12.0";

/** "1.31" → newest 1.31.x; "1.31.10" → itself; unknown → undefined. */
export function resolveKubernetesVersion(v: string): string | undefined {
  if ((KUBERNETES_VERSIONS as readonly string[]).includes(v)) return v;
  if (/^\d+\.\d+$/.test(v)) {
    const m = KUBERNETES_VERSIONS.filter((k) => k.startsWith(v + "."));
    return m[m.length - 1];
  }
  return undefined;
}

export function nodeImageFor(osSku: string, osType: string): string {
  if (osType === "Windows") return "AKSWindows-2022-containerd-20348.2966.241211";
  if (osSku === "AzureLinux" || osSku === "CBLMariner") return "AKSAzureLinux-V2gen2-202411.12.0";
  return NODE_IMAGE_DEFAULT;
}

/** Versions a cluster or pool on `current` can upgrade to: later patches of its minor and of the next minor (AKS skips no minor). */
export function availableUpgrades(current: string): string[] {
  const [maj, min] = current.split(".").map(Number);
  return KUBERNETES_VERSIONS.filter((v) => {
    const [vMaj, vMin, vPatch] = v.split(".").map(Number);
    const [, , cPatch] = current.split(".").map(Number);
    if (vMaj !== maj) return false;
    return (vMin === min! && vPatch! > cPatch!) || vMin === min! + 1;
  });
}

/** The node image a pool upgrades to (`upgradeNodeImageVersion`, the upgrade profile's latestNodeImageVersion). */
export function latestNodeImageFor(osSku: string, osType: string): string {
  const current = nodeImageFor(osSku, osType);
  return current === NODE_IMAGE_DEFAULT ? NODE_IMAGE_LATEST : current;
}
