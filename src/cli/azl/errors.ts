// az's error model (azure/cli/core/azclierror.py) and rendering (knack logging + azure-core's
// HttpResponseError string form). Exit codes: 2 for argument errors, 3 for ResourceNotFoundError,
// 1 for everything else, as az's handle_exception does.

export type AzErrorType =
  | "CommandNotFoundError"
  | "UnrecognizedArgumentError"
  | "RequiredArgumentMissingError"
  | "MutuallyExclusiveArgumentError"
  | "InvalidArgumentValueError"
  | "ArgumentUsageError"
  | "BadRequestError"
  | "UnauthorizedError"
  | "ForbiddenError"
  | "ResourceNotFoundError"
  | "AzureInternalError"
  | "AzureResponseError"
  | "AzureConnectionError"
  | "ClientRequestError"
  | "FileOperationError"
  | "ValidationError"
  | "UnclassifiedUserFault"
  | "CLIInternalError"
  | "NoTTYError"
  | "ManualInterrupt";

export interface Recommendation {
  command: string;
  description: string;
}

export class AzCliError extends Error {
  readonly type: AzErrorType;
  /** Manual recommendations printed one per line after the message. */
  recommendations: string[] = [];
  /** "Examples from AI knowledge base" (az takes them from help examples when offline). */
  exampleRecommendations: Recommendation[] = [];
  /** Parser errors exit with 2. */
  exitCode: number;

  constructor(type: AzErrorType, message: string, exitCode?: number) {
    super(message);
    this.type = type;
    this.exitCode = exitCode ?? (type === "ResourceNotFoundError" ? 3 : 1);
  }

  recommend(text: string): this {
    this.recommendations.push(text);
    return this;
  }
}

export const err = {
  validation: (m: string) => new AzCliError("ValidationError", m),
  invalidValue: (m: string) => new AzCliError("InvalidArgumentValueError", m),
  required: (m: string) => new AzCliError("RequiredArgumentMissingError", m),
  mutuallyExclusive: (m: string) => new AzCliError("MutuallyExclusiveArgumentError", m),
  usage: (m: string) => new AzCliError("ArgumentUsageError", m),
  cli: (m: string) => new AzCliError("UnclassifiedUserFault", m),
  notFound: (m: string) => new AzCliError("ResourceNotFoundError", m),
  file: (m: string) => new AzCliError("FileOperationError", m),
};

/** Shape of an ARM/ODataV4 error (azure-core ODataV4Format). */
export interface ODataError {
  code?: string;
  message?: string;
  target?: string;
  details?: ODataError[] | null;
  innererror?: unknown;
  additionalInfo?: unknown;
}

function odataToString(e: ODataError): string {
  // azure.core.exceptions.ODataV4Format.__str__ / message_details
  const code = e.code ?? "Unknown";
  const message = e.message ?? "";
  let s = `Code: ${code}\nMessage: ${message}`;
  if (e.target) s += `\nTarget: ${e.target}`;
  if (e.details && e.details.length) {
    s += "\nException Details:";
    for (const d of e.details) {
      s += odataFull(d)
        .split("\n")
        .map((l) => "\t" + l)
        .join("\n");
    }
  }
  if (e.innererror) s += `\nInner error: ${JSON.stringify(e.innererror, null, 4)}`;
  return s;
}

function odataFull(e: ODataError): string {
  return `(${e.code ?? "Unknown"}) ${e.message ?? ""}\n${odataToString(e)}`;
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  412: "Precondition Failed",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

function typeForStatus(status: number | undefined): AzErrorType {
  // azure/cli/core/util.py get_error_type_by_status_code
  if (status === 400) return "BadRequestError";
  if (status === 401) return "UnauthorizedError";
  if (status === 403) return "ForbiddenError";
  if (status === 404) return "ResourceNotFoundError";
  if (status !== undefined && status >= 500) return "AzureInternalError";
  return "AzureResponseError";
}

/** Convert an error thrown by the Azure SDK for JS (RestError or LRO failure) to az's error. */
export function fromSdkError(e: unknown, lastErrorBody?: string, lroBody?: string): AzCliError {
  if (e instanceof AzCliError) return e;
  const anyE = e as {
    name?: string;
    code?: string;
    statusCode?: number;
    message?: string;
    details?: unknown;
    response?: { bodyAsText?: string | null; status?: number };
  };
  if (anyE && (anyE.name === "RestError" || anyE.statusCode !== undefined || anyE.response)) {
    const status = anyE.statusCode ?? anyE.response?.status;
    let body: ODataError | undefined;
    const text = anyE.response?.bodyAsText || (status !== undefined && status >= 400 ? lastErrorBody : undefined);
    if (text) {
      try {
        const parsed = JSON.parse(text) as { error?: ODataError } & ODataError;
        body = parsed.error ?? (parsed.code ? parsed : undefined);
      } catch {
        body = undefined;
      }
    }
    if (!body && anyE.details && typeof anyE.details === "object") {
      const d = anyE.details as { error?: ODataError } & ODataError;
      body = d.error ?? (d.code ? d : undefined);
    }
    // modular (TypeSpec) clients put the service error's code and message on the RestError itself
    if (!body && anyE.code && anyE.message && !/^Unexpected status code/.test(anyE.message)) body = { code: anyE.code, message: anyE.message };
    if (body && body.code) return new AzCliError(typeForStatus(status), odataFull(body));
    if (status !== undefined) {
      return new AzCliError(typeForStatus(status), `Operation returned an invalid status '${REASONS[status] ?? status}'`);
    }
    return new AzCliError("AzureResponseError", anyE.message ?? String(e));
  }
  const msg = e instanceof Error ? e.message : String(e);
  if (/^The long-running operation has failed/.test(msg) || /^Operation (?:failed|cancelled|canceled)/i.test(msg)) {
    // azure-core's LRO poller raises HttpResponseError with the operation's error object
    if (lroBody) {
      try {
        const b = JSON.parse(lroBody) as { error?: ODataError; properties?: { error?: ODataError } };
        const oe = b.error ?? b.properties?.error;
        if (oe?.code) return new AzCliError("AzureResponseError", odataFull(oe));
      } catch {
        /* fall through */
      }
    }
    const m2 = /^The long-running operation has failed\.?\s*([A-Za-z0-9_.]+)\.\s*([\s\S]*)$/.exec(msg);
    if (m2) return new AzCliError("AzureResponseError", odataFull({ code: m2[1], message: m2[2] }));
    return new AzCliError("AzureResponseError", msg);
  }
  const code = (e as { code?: string })?.code;
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "ECONNRESET" || /ECONNREFUSED/.test(msg)) {
    return new AzCliError("AzureConnectionError", msg);
  }
  // LRO failures surface as plain Errors carrying the service error in the message.
  const m = /^\(([^)]+)\) /.exec(msg);
  if (m) return new AzCliError("AzureResponseError", msg);
  return new AzCliError("CLIInternalError", msg);
}

/** ODataV4 error string for an error object (used for LRO failures that carry {code, message}). */
export function formatServiceError(e: ODataError): string {
  return odataFull(e);
}
