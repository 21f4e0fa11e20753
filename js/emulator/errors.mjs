// Errors the way Scalekit's grpc-gateway writes them.
//
// Every failure of an API route is a `google.rpc.Status` JSON body
//   {"code": <gRPC code>, "message": "...", "details": [ErrorInfo...]}
// sent with the HTTP status grpc-gateway derives from the gRPC code. Errors raised by the
// service itself carry one `scalekit.v1.errdetails.ErrorInfo` detail whose `error_code` is the
// gRPC code name (plus `validation_error_info` for validation failures); errors raised by the
// gateway itself (unknown route, wrong method, undecodable body) have `details: []`.

import { STATUS_CODES } from 'node:http';

/** gRPC status codes by name. */
export const Code = Object.freeze({
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
});

const CODE_NAMES = Object.fromEntries(Object.entries(Code).map(([name, n]) => [n, name]));

// grpc-gateway's HTTPStatusFromCode.
const HTTP_FOR_CODE = {
  0: 200, 1: 499, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429,
  9: 400, 10: 409, 11: 400, 12: 501, 13: 500, 14: 503, 15: 500, 16: 401,
};

// The reverse direction, used to give an injected fault a plausible Status body.
const CODE_FOR_HTTP = {
  400: Code.INVALID_ARGUMENT, 401: Code.UNAUTHENTICATED, 403: Code.PERMISSION_DENIED,
  404: Code.NOT_FOUND, 409: Code.ABORTED, 412: Code.FAILED_PRECONDITION,
  413: Code.RESOURCE_EXHAUSTED, 429: Code.RESOURCE_EXHAUSTED, 499: Code.CANCELLED,
  500: Code.INTERNAL, 501: Code.UNIMPLEMENTED, 502: Code.UNAVAILABLE,
  503: Code.UNAVAILABLE, 504: Code.DEADLINE_EXCEEDED,
};

export const ERROR_INFO_TYPE = 'type.googleapis.com/scalekit.v1.errdetails.ErrorInfo';

export function codeName(code) {
  return CODE_NAMES[code] ?? 'UNKNOWN';
}

export function httpStatusForCode(code) {
  return HTTP_FOR_CODE[code] ?? 500;
}

export function codeForHttpStatus(status) {
  if (CODE_FOR_HTTP[status] !== undefined) return CODE_FOR_HTTP[status];
  if (status >= 200 && status < 300) return Code.OK;
  if (status >= 400 && status < 500) return Code.INVALID_ARGUMENT;
  return Code.UNKNOWN;
}

/**
 * An error answered as a Status body.
 *  - `httpStatus` overrides the status derived from `code` (the gateway does this for 404/405 routing errors).
 *  - `violations` ([{field, description, constraint}]) become `validation_error_info.field_violations`.
 *  - `gateway: true` marks errors produced by the gateway layer: their `details` is empty.
 */
export class ApiError extends Error {
  constructor(code, message, { httpStatus, violations, gateway = false } = {}) {
    super(message);
    this.code = code;
    this.httpStatus = httpStatus ?? httpStatusForCode(code);
    this.violations = violations ?? null;
    this.gateway = gateway;
  }

  toBody() {
    if (this.gateway) return { code: this.code, message: this.message, details: [] };
    const info = { '@type': ERROR_INFO_TYPE, error_code: codeName(this.code) };
    if (this.violations) info.validation_error_info = { field_violations: this.violations };
    return { code: this.code, message: this.message, details: [info] };
  }
}

/** A field violation in buf.validate style. */
export function violation(field, constraint, description) {
  return { field, description, constraint };
}

/** Status body for an HTTP status, as used for injected faults. */
export function statusBodyForHttp(status) {
  const code = codeForHttpStatus(status);
  if (code === Code.OK) return {};
  return new ApiError(code, STATUS_CODES[status] ?? `HTTP ${status}`).toBody();
}

// Constructors for the errors the emulator answers.
export const errors = {
  validation: (violations, message = 'Validation error') =>
    new ApiError(Code.INVALID_ARGUMENT, message, { violations }),
  invalidArgument: (message, violations) =>
    new ApiError(Code.INVALID_ARGUMENT, message, { violations }),
  notFound: (message) => new ApiError(Code.NOT_FOUND, message),
  alreadyExists: (message) => new ApiError(Code.ALREADY_EXISTS, message),
  failedPrecondition: (message) => new ApiError(Code.FAILED_PRECONDITION, message),
  unauthenticated: (message) => new ApiError(Code.UNAUTHENTICATED, message),
  internal: (message) => new ApiError(Code.INTERNAL, message),

  // Gateway-level errors (empty details).
  badBody: (message) => new ApiError(Code.INVALID_ARGUMENT, message, { gateway: true }),
  routeNotFound: () => new ApiError(Code.NOT_FOUND, 'Not Found', { gateway: true }),
  methodNotAllowed: () =>
    new ApiError(Code.UNIMPLEMENTED, 'Method Not Allowed', { httpStatus: 405, gateway: true }),
  payloadTooLarge: (limit) =>
    new ApiError(Code.RESOURCE_EXHAUSTED, `request body larger than ${limit} bytes`, {
      httpStatus: 413,
      gateway: true,
    }),
};
