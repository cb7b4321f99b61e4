// The resource types the emulator serves. Providers register a ResourceTypeDef each.
import type { ResourceTypeDef, TypeRegistryView } from "./types.js";

export class TypeRegistry implements TypeRegistryView {
  private readonly byType = new Map<string, ResourceTypeDef>();

  register(def: ResourceTypeDef): void {
    this.byType.set(`${def.namespace}/${def.type}`.toLowerCase(), def);
  }

  find(type: string): ResourceTypeDef | undefined {
    return this.byType.get(type.toLowerCase());
  }

  all(): ResourceTypeDef[] {
    return [...this.byType.values()];
  }

  namespaces(): string[] {
    return [...new Set(this.all().map((d) => d.namespace))];
  }

  knowsNamespace(ns: string): boolean {
    return this.all().some((d) => d.namespace.toLowerCase() === ns.toLowerCase());
  }
}
