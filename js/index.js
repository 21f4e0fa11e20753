// Entry point shared by every runtime build: the client and the error classes.
export { ScalekitMcp } from './client.js';
export {
  ScalekitError,
  ValidationError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  RateLimitError,
  InternalServerError,
  ApiError,
  InvalidResponseError,
  ConnectionError,
  TimeoutError,
  AbortError,
  AuthTimeoutError,
  BrowserEnvironmentError,
} from './errors.js';
