// Error classes of scalekit-mcp. Every error the package throws or rejects with is one of these,
// so callers can branch with `instanceof` and read `status`, `code`, `errorCode` and `traceId`.

export class ScalekitError extends Error {
  constructor(message, props = {}) {
    super(message);
    this.name = new.target.name;
    /** HTTP status of the answer that caused the error, or null when there was none. */
    this.status = props.status ?? null;
    /** gRPC status name (`NOT_FOUND`, `INVALID_ARGUMENT`, ...) or the package's own code. */
    this.code = props.code ?? 'UNKNOWN';
    /** `error_code` of the first ErrorInfo detail the server sent, or null. */
    this.errorCode = props.errorCode ?? null;
    /** The server's `x-trace-id`, for support requests, or null. */
    this.traceId = props.traceId ?? null;
    /** The parsed `details` of the server's error body. */
    this.details = props.details ?? [];
  }
}

/** Invalid input, caught before any request was sent. `field` names the offending option. */
export class ValidationError extends ScalekitError {
  constructor(message, props = {}) {
    super(message, { code: 'INVALID_ARGUMENT', ...props });
    this.field = props.field ?? null;
  }
}

/** 400: the server rejected the request (for example a connection that does not exist). */
export class BadRequestError extends ScalekitError {
  constructor(message, props = {}) {
    super(message, props);
    /** The request field the server named, when it named one. */
    this.field = props.field ?? null;
  }
}
/** 401: wrong client credentials, or an access token the server refused twice. */
export class AuthenticationError extends ScalekitError {}
/** 403: the credentials lack the permission for this call. */
export class PermissionDeniedError extends ScalekitError {}
/** 404: the config, instance or connection does not exist. */
export class NotFoundError extends ScalekitError {}
/** 409: a config with this name already exists. */
export class ConflictError extends ScalekitError {}
/** 429: rate limited, after the retries ran out. `retryAfterMs` is the server's hint, if any. */
export class RateLimitError extends ScalekitError {
  constructor(message, props = {}) {
    super(message, props);
    this.retryAfterMs = props.retryAfterMs ?? null;
  }
}
/** 5xx: the server failed, after the retries ran out. */
export class InternalServerError extends ScalekitError {}
/** Any other HTTP error status. */
export class ApiError extends ScalekitError {}
/** A 2xx answer that is not what the contract describes (not JSON, wrong shape, too large). */
export class InvalidResponseError extends ScalekitError {}
/** The request could not reach the server (refused, reset, DNS), after the retries ran out. */
export class ConnectionError extends ScalekitError {}
/** The call did not complete within `timeoutMs`. */
export class TimeoutError extends ScalekitError {}
/** The caller's `AbortSignal` aborted the call. */
export class AbortError extends ScalekitError {}
/** `waitForAuth` gave up: some connections were still not ACTIVE after `timeoutMs`. */
export class AuthTimeoutError extends ScalekitError {
  constructor(message, props = {}) {
    super(message, props);
    /** The last auth state seen, with the pending connections. */
    this.state = props.state ?? null;
  }
}
/** A credentialed client was used in a browser, where its secret would be exposed. */
export class BrowserEnvironmentError extends ScalekitError {}

const BY_KIND = {
  Validation: ValidationError,
  BadRequest: BadRequestError,
  Authentication: AuthenticationError,
  PermissionDenied: PermissionDeniedError,
  NotFound: NotFoundError,
  Conflict: ConflictError,
  RateLimit: RateLimitError,
  InternalServer: InternalServerError,
  Api: ApiError,
  InvalidResponse: InvalidResponseError,
  Connection: ConnectionError,
  Timeout: TimeoutError,
  Abort: AbortError,
  AuthTimeout: AuthTimeoutError,
  BrowserEnvironment: BrowserEnvironmentError,
};

/**
 * Turns what the wasm core rejected with (a plain object describing the error) into an error
 * class. Anything else (a fault of the runtime itself) becomes a plain ScalekitError.
 */
export function fromCore(raw) {
  if (raw instanceof ScalekitError) return raw;
  if (raw !== null && typeof raw === 'object' && !(raw instanceof Error) && typeof raw.kind === 'string') {
    const Cls = Object.hasOwn(BY_KIND, raw.kind) ? BY_KIND[raw.kind] : ScalekitError;
    return new Cls(String(raw.message ?? raw.kind), raw);
  }
  const message = raw instanceof Error ? `${raw.name}: ${raw.message}` : 'unexpected failure in scalekit-mcp';
  return new ScalekitError(message, { code: 'INTERNAL' });
}

export function validationError(field, message) {
  return new ValidationError(message, { field });
}
