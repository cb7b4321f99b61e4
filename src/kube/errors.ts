// Kubernetes Status errors as typed values (apimachinery pkg/api/errors). Handlers throw
// StatusError; the HTTP layer renders it. Anything else thrown becomes an InternalError.

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return statusObject(this.code, this.reason, this.message, this.details);
  }
}

export function statusObject(code: number, reason: string, message: string, details?: StatusDetails): Record<string, unknown> {
  const o: Record<string, unknown> = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason };
  if (details) o.details = details;
  o.code = code;
  return o;
}

export function successStatus(details: StatusDetails): Record<string, unknown> {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details };
}

/** "deployments.apps" or "configmaps": the qualified resource in messages. */
export function qualified(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

function gd(group: string): { group?: string } {
  return group ? { group } : {};
}

export const errors = {
  notFound(resource: string, group: string, name: string): StatusError {
    return new StatusError(404, "NotFound", `${qualified(resource, group)} "${name}" not found`, { name, ...gd(group), kind: resource });
  },
  pathNotFound(): StatusError {
    return new StatusError(404, "NotFound", "the server could not find the requested resource", {});
  },
  alreadyExists(resource: string, group: string, name: string): StatusError {
    return new StatusError(409, "AlreadyExists", `${qualified(resource, group)} "${name}" already exists`, { name, ...gd(group), kind: resource });
  },
  conflict(resource: string, group: string, name: string, why = "the object has been modified; please apply your changes to the latest version and try again"): StatusError {
    return new StatusError(409, "Conflict", `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": ${why}`, {
      name,
      ...gd(group),
      kind: resource,
    });
  },
  applyConflict(group: string, kind: string, name: string, causes: StatusCause[]): StatusError {
    const n = causes.length;
    const lines = causes.map((c) => `- ${c.message.replace(/^conflict with /, "")}: ${c.field}`);
    const msg = n === 1 ? `Apply failed with 1 conflict: ${causes[0]!.message}: ${causes[0]!.field}` : `Apply failed with ${n} conflicts: ${lines.join("\n")}`;
    return new StatusError(409, "Conflict", msg, { name, ...gd(group), kind, causes });
  },
  invalid(kind: string, group: string, name: string, causes: StatusCause[]): StatusError {
    const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
    const detail = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
    return new StatusError(422, "Invalid", `${qualified(kind, group)} "${name}" is invalid: ${detail}`, { name, ...gd(group), kind, causes });
  },
  badRequest(message: string): StatusError {
    return new StatusError(400, "BadRequest", message);
  },
  methodNotAllowed(): StatusError {
    return new StatusError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {});
  },
  unsupportedMediaType(contentType: string, accepted: string[]): StatusError {
    return new StatusError(
      415,
      "UnsupportedMediaType",
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
      contentType ? {} : {},
    );
  },
  notAcceptable(): StatusError {
    return new StatusError(406, "NotAcceptable", "only the following media types are accepted: application/json, application/yaml");
  },
  tooLarge(limit: number): StatusError {
    return new StatusError(413, "RequestEntityTooLarge", `Request entity too large: limit is ${limit}`);
  },
  unauthorized(): StatusError {
    return new StatusError(401, "Unauthorized", "Unauthorized");
  },
  forbidden(resource: string, group: string, name: string, why: string): StatusError {
    return new StatusError(403, "Forbidden", `${qualified(resource, group)} "${name}" is forbidden: ${why}`, { name, ...gd(group), kind: resource });
  },
  expired(message: string): StatusError {
    return new StatusError(410, "Expired", message);
  },
  gone(message: string): StatusError {
    return new StatusError(410, "Gone", message);
  },
  internal(message: string): StatusError {
    return new StatusError(500, "InternalError", `Internal error occurred: ${message}`, { causes: [{ reason: "", message }] });
  },
  /** The watch cache's answer to a resourceVersion it has not reached (storage.NewTooLargeResourceVersionError). */
  tooLargeResourceVersion(requested: number, current: number): StatusError {
    return new StatusError(504, "Timeout", `Timeout: Too large resource version: ${requested}, current: ${current}`, {
      causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
      retryAfterSeconds: 1,
    });
  },
  /** A non-long-running request that did not complete in time (the request-timeout filter). */
  requestTimeout(): StatusError {
    return new StatusError(504, "Timeout", "Timeout: request did not complete within requested timeout - context deadline exceeded", {});
  },
  serviceUnavailable(message: string): StatusError {
    return new StatusError(503, "ServiceUnavailable", message);
  },
};

/** Cause helpers mirroring field.ErrorList rendering. */
export const cause = {
  required(field: string, detail = ""): StatusCause {
    return { reason: "FieldValueRequired", message: `Required value${detail ? `: ${detail}` : ""}`, field };
  },
  invalid(field: string, value: unknown, detail: string): StatusCause {
    return { reason: "FieldValueInvalid", message: `Invalid value: ${fmtValue(value)}: ${detail}`, field };
  },
  notSupported(field: string, value: unknown, supported: string[]): StatusCause {
    return {
      reason: "FieldValueNotSupported",
      message: `Unsupported value: ${fmtValue(value)}: supported values: ${supported.map((s) => `"${s}"`).join(", ")}`,
      field,
    };
  },
  forbidden(field: string, detail: string): StatusCause {
    return { reason: "FieldValueForbidden", message: `Forbidden: ${detail}`, field };
  },
  duplicate(field: string, value: unknown): StatusCause {
    return { reason: "FieldValueDuplicate", message: `Duplicate value: ${fmtValue(value)}`, field };
  },
};

function fmtValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (v === undefined) return "null";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}
