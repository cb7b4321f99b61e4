// Errors as typed values. Every error the emulator can return is declared once in a
// catalog entry (code, HTTP status, message template, where the text comes from), and
// docs/fidelity.md is generated from these catalogs (scripts/gen-docs.mjs).

export interface ErrorDetail {
  code: string;
  message: string;
  target?: string;
  details?: ErrorDetail[];
  additionalInfo?: unknown[];
}

export class ArmError extends Error {
  readonly status: number;
  readonly code: string;
  readonly target?: string;
  readonly details?: ErrorDetail[];
  /** Extra response headers (e.g. x-ms-failure-cause: gateway for ARM-generated errors). */
  readonly headers: Record<string, string>;
  /** Render `"details": []` even when empty, as the Network RP does. */
  readonly alwaysDetails: boolean;
  constructor(
    status: number,
    code: string,
    message: string,
    opts: { target?: string; details?: ErrorDetail[]; headers?: Record<string, string>; alwaysDetails?: boolean } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.target = opts.target;
    this.details = opts.details;
    this.headers = opts.headers ?? {};
    this.alwaysDetails = opts.alwaysDetails ?? false;
  }

  toBody(): { error: ErrorDetail } {
    const error: ErrorDetail = { code: this.code, message: this.message };
    if (this.target) error.target = this.target;
    if (this.details || this.alwaysDetails) error.details = this.details ?? [];
    return { error };
  }
}

/** Who answers: ARM's front door ("gateway"), or a resource provider. */
export type ErrorOrigin = "gateway" | "rp";

export interface ErrorSpec<A extends Record<string, string | number>> {
  code: string;
  status: number;
  /** Message with {placeholders} named after the args. */
  template: string;
  /** Public source of the verbatim text, or "emulator" for our own wording. */
  source: string;
  verbatim: boolean;
  origin: ErrorOrigin;
  /** Network RP errors always carry `details: []`. */
  nrp?: boolean;
  make(args: A, opts?: { target?: string; details?: ErrorDetail[] }): ArmError;
}

const registry: ErrorSpec<any>[] = [];

export function defineError<A extends Record<string, string | number> = Record<string, never>>(def: {
  code: string;
  status: number;
  template: string;
  source: string;
  verbatim?: boolean;
  origin?: ErrorOrigin;
  nrp?: boolean;
  group: string;
}): ErrorSpec<A> {
  const spec: ErrorSpec<A> & { group: string } = {
    code: def.code,
    status: def.status,
    template: def.template,
    source: def.source,
    verbatim: def.verbatim ?? !def.source.startsWith("emulator"),
    origin: def.origin ?? "rp",
    nrp: def.nrp,
    group: def.group,
    make(args: A, opts = {}) {
      const message = def.template.replace(/\{(\w+)\}/g, (_, k: string) => {
        const v = (args as Record<string, unknown>)[k];
        if (v === undefined) throw new Error(`error ${def.code}: missing arg ${k}`);
        return String(v);
      });
      return new ArmError(def.status, def.code, message, {
        target: opts.target,
        details: opts.details,
        headers: def.origin === "gateway" ? { "x-ms-failure-cause": "gateway" } : {},
        alwaysDetails: def.nrp,
      });
    },
  };
  registry.push(spec);
  return spec;
}

export function errorCatalog(): ReadonlyArray<ErrorSpec<any> & { group?: string }> {
  return registry;
}
