// Shapes shared by the registry, the per-kind strategies and the HTTP layer.
import type { StatusCause } from "./errors.js";
import type { FieldGetter } from "./selectors.js";
import type { Obj } from "./util.js";
import type { Registry } from "./registry.js";

export interface ResourceInfo {
  group: string;
  version: string;
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Subresources served, e.g. status, scale, log, binding. */
  subresources: string[];
  /** Kinds sharing one storage (events.k8s.io/v1 stores core/v1 Events): "group/resource". */
  storage?: string;
  /** apiVersion of the shared storage's objects (default "v1", the core/v1 Event storage). */
  storageApiVersion?: string;
  /** Verbs when not the full set (e.g. read-only kinds). */
  verbs?: string[];
}

export interface TableColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format?: string;
  description: string;
  /** 0 = always shown; 1 = `-o wide` only. */
  priority?: number;
  cell(o: Obj, now: number): unknown;
}

/** Strategic-merge-patch metadata: dotted path (list items add no segment) → list semantics. */
export type PatchMeta = Record<string, { key?: string; primitiveMerge?: boolean; retainKeys?: boolean }>;

/** What a strategy may ask of the cluster while defaulting (IP allocation, CA data). */
export interface StrategyContext {
  readonly now: number;
  allocateClusterIP(ns: string, name: string): string;
  allocateNodePort(): number;
  clusterCaPem(): string;
  /** Set when a trusted internal writer (the simulation) performs the write. */
  readonly internal: boolean;
}

export interface Strategy {
  info: ResourceInfo;
  /** Main-resource writes ignore .status; /status writes change only .status. */
  statusSubresource?: boolean;
  /** When metadata.generation is tracked and what bumps it. */
  generation?: "spec" | "spec+annotations";
  /** Defaults and status reset on create (mutates). */
  prepareForCreate?(obj: Obj, ctx: StrategyContext): void;
  /** Defaults on update (mutates new); old is the stored object. */
  prepareForUpdate?(obj: Obj, old: Obj, ctx: StrategyContext): void;
  validate?(obj: Obj, old: Obj | undefined, ctx: StrategyContext): StatusCause[];
  fieldSelectors?: Record<string, FieldGetter>;
  columns?: TableColumn[];
  patchMeta?: PatchMeta;
  /** Known top-level fields for fieldValidation (besides apiVersion, kind, metadata). */
  fields?: string[];
  /** Known fields of .spec (checked when present). */
  specFields?: string[];
  /** Conversion to/from the shared storage representation. */
  toStorage?(obj: Obj): Obj;
  fromStorage?(obj: Obj): Obj;
  /** Grace period for a DELETE without an explicit one; undefined = immediate. */
  defaultGracePeriod?(obj: Obj): number | undefined;
  /** Names are path segments, not DNS subdomains (RBAC kinds). */
  pathSegmentName?: boolean;
  /** Create-only, never stored (access reviews, TokenReview): answered by the auth layer. */
  virtual?: boolean;
  /** Custom resources: this version is the CRD's storage version. */
  storageVersion?: boolean;
  /** Custom resources refuse strategic merge patch (415), as kube-apiserver does. */
  noStrategicMerge?: boolean;
  /** Schema-driven unknown-field paths for fieldValidation (replaces fields/specFields). */
  unknownFields?(body: Obj): string[];
  /** PUT without metadata.resourceVersion is refused (custom resources). */
  requireResourceVersionOnUpdate?: boolean;
  /** OpenAPI v3 schema published for `kubectl explain` (custom resources: the CRD's schema). */
  openapiSchema?: Obj;
  /** Scale subresource paths (custom resources); built-ins use spec.replicas/status.replicas. */
  scalePaths?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  /**
   * Never stored: computed from other objects on every read (metrics.k8s.io, as metrics-server
   * computes it). Returns the items of a list, or the one named item (throwing NotFound as the
   * serving component does). Only get and list are served.
   */
  view?(reg: Registry, namespace: string | undefined, name?: string): Obj[];
}
