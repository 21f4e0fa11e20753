// Declarations of the client and the error classes. The data shapes they use (inputs and results)
// are generated from the Rust model into js/types/generated and placed above this text in the
// package's index.d.ts.

/** Options of `new ScalekitMcp(options)`. */
export interface ScalekitMcpOptions {
  /** Your Scalekit environment URL, `https://<env>.scalekit.com` (http only for localhost). */
  envUrl: string;
  clientId: string;
  clientSecret: string;
  /** Default time limit of each call, retries included, in milliseconds. Default 20000. */
  timeoutMs?: number;
  /** How many times a failed request that is safe to repeat is retried. Default 2; 0 disables. */
  maxRetries?: number;
  /**
   * Allow a client holding the client secret in a browser. Anyone who can open the page can read
   * the secret; mint tokens and URLs on a server instead.
   */
  dangerouslyAllowBrowser?: boolean;
  /**
   * What the client logs: `'off'` (the default, or `SCALEKIT_MCP_LOG` when set), `'error'`,
   * `'warn'`, `'info'` (retries, re-authentication, Retry-After waits, ensureConfig) or
   * `'debug'` (every attempt, token request and waitForAuth poll).
   */
  logLevel?: LogLevel;
  /** Where lines go: any object with `error`, `warn`, `info` and `debug` methods. Default `console`. */
  logger?: Logger;
  /** Called before and after every attempt with a frozen, redacted description of it. */
  hooks?: Hooks;
}

export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug';

export interface Logger {
  error?(line: string): void;
  warn?(line: string): void;
  info?(line: string): void;
  debug?(line: string): void;
}

/** An attempt as hooks see it. The URL hides query values that may identify a user. */
export interface AttemptInfo {
  /** The method name (`getConfig`), or `accessToken` for the token request. */
  readonly operation: string;
  readonly method: string;
  readonly url: string;
  /** The client's number of the call (token requests are calls too): with `attempt`, a key. */
  readonly call: number;
  /** 1 for the first attempt of a call. */
  readonly attempt: number;
  /** `onResponse` only: the status, when there was an answer. */
  readonly status?: number;
  readonly durationMs?: number;
  readonly traceId?: string;
  /** `onResponse` only, when the attempt failed. */
  readonly error?: { readonly kind: string; readonly code: string; readonly message: string };
  /** `onResponse` only: what the client does next. */
  readonly next?: 'done' | 'retry' | 'reauthenticate';
  /** How long the client waits before the retry. */
  readonly waitMs?: number;
  /**
   * `onResponse` only, when an error status or a connection failure ends the call: why it was not
   * retried (absent for a timeout, an abort or an answer the client cannot use, which are never
   * retried). `notRetryable` (a status never retried, such as 404), `notSafeToRepeat` (retried for reads,
   * but this request may have reached the server and could act twice, such as a create),
   * `retriesSpent` (`maxRetries` made), `retryAfterTooLong` (the server's Retry-After is over
   * 60 s) or `noTimeLeft` (the wait would outlast the call's timeout).
   */
  readonly gaveUp?: 'notRetryable' | 'notSafeToRepeat' | 'retriesSpent' | 'retryAfterTooLong' | 'noTimeLeft';
}

export interface Hooks {
  onRequest?(attempt: AttemptInfo): void | Promise<void>;
  onResponse?(attempt: AttemptInfo): void | Promise<void>;
}

/** Options every call accepts as its last argument. */
export interface CallOptions {
  /** Aborts the call: it rejects with `AbortError` at once. */
  signal?: AbortSignal;
  /** Time limit of this call, retries included, in milliseconds. */
  timeoutMs?: number;
}

/** Options of the calls that write a config. */
export interface WriteOptions extends CallOptions {
  /**
   * Check every named tool against its connection's tools first (a tools API request per
   * connection, kept for 5 minutes): an unknown name is a `ValidationError` naming the closest
   * ones, before anything is written.
   */
  checkTools?: boolean;
}

/**
 * Input of `ensureConfig`: the config as it should be, in the shape `createConfig` takes; its
 * mappings are compared as sets with the existing config's.
 */
export type EnsureConfigInput = CreateConfigInput;

/** Options of `ensureConfig`. */
export interface EnsureConfigOptions extends WriteOptions {
  /** Only plan: read the config and say what would change, without writing. */
  dryRun?: boolean;
}

/** What `waitForAuth` waits on: an instance, or a config for one user. */
export type WaitForAuthTarget = { instanceId: string } | { configId: string; identifier: string };

export interface WaitForAuthOptions<S> {
  signal?: AbortSignal;
  /** Give up after this long with `AuthTimeoutError`. Default 300000 (5 minutes). */
  timeoutMs?: number;
  /** First interval between polls in milliseconds; it grows up to 15 s. Default 2000, at least 500. */
  pollIntervalMs?: number;
  /** Ask for fresh authorization links on every poll. */
  includeAuthLinks?: boolean;
  /** Called with each state that still has pending connections. */
  onPending?: (state: S) => void | Promise<void>;
}

/** A `fetch` as the global one: what agent frameworks' MCP clients take as their `fetch` option. */
export type AgentFetch = typeof globalThis.fetch;

/** What every session with a session token takes besides its target. */
export interface AgentSessionTokenOptions {
  /** Your app's identifier of the user, as in `createSessionToken` (1-255 characters). */
  identifier: string;
  /** The MCP URL, when you have it: skips the look-up (`getConfig`) a config session makes. */
  url?: string;
  /** Lifetime of each token minted, 60-86400 s. Default: the server's (3600 s). */
  expirySeconds?: number;
  accessLevel?: AccessLevel;
  /**
   * How long before a token runs out it is renewed, in milliseconds; at most half its lifetime.
   * Default 60000.
   */
  renewBeforeMs?: number;
  /** The `fetch` the session's `fetch` sends through. Default: the global `fetch`. */
  fetch?: AgentFetch;
}

/** `agentSession()` for a config's virtual MCP server, with tokens from `createSessionToken`. */
export interface ConfigAgentSessionInput extends AgentSessionTokenOptions {
  configId: string;
  connectionName?: never;
  instanceId?: never;
}

/** `agentSession()` for a connection's own MCP server, with tokens from `createConnectionSessionToken`. */
export interface ConnectionAgentSessionInput extends AgentSessionTokenOptions {
  connectionName: string;
  configId?: never;
  instanceId?: never;
}

/** `agentSession()` for a user's pre-authenticated instance URL: no token. */
export interface InstanceAgentSessionInput {
  instanceId: string;
  /** The instance's `url`, when you have it: skips the look-up (`getInstance`). */
  url?: string;
  fetch?: AgentFetch;
  configId?: never;
  connectionName?: never;
  identifier?: never;
}

export type AgentSessionKind = 'config' | 'connection' | 'instance';

/** What a session shows of itself (`JSON.stringify`, `util.inspect`): no token, the URL cut short. */
export interface AgentSessionSummary {
  kind: AgentSessionKind;
  configId?: string;
  connectionName?: string;
  instanceId?: string;
  identifier?: string;
  /** The origin and the first characters of the path, then `…`. */
  url: string;
  /** Expiry of the token in use; null before the first mint. Absent for instance sessions. */
  expiresAt?: string | null;
  closed: boolean;
}

/**
 * What an agent's MCP client needs to reach one MCP URL. Every member also works detached
 * (`const { url, fetch } = session`). After `close()`, `fetch`, `headers()` and `token()` reject
 * with a `ScalekitError` whose `code` is `SESSION_CLOSED`.
 */
export interface AgentSession<K extends AgentSessionKind = AgentSessionKind> {
  readonly kind: K;
  /** The MCP URL to give the agent (for an instance session, a credential: keep it server-side). */
  readonly url: string;
  readonly closed: boolean;
  /**
   * Takes what the global `fetch` takes. Requests to the URL's origin carry
   * `Authorization: Bearer <token>` with the caller's other headers; the token is minted on
   * first use, renewed before it runs out, and renewed once more, the request repeated, when
   * the server answers 401 `invalid_token`. One mint at a time, however many requests wait.
   * Requests to other origins, and every request of an instance session, go out unchanged.
   */
  readonly fetch: AgentFetch;
  /** The headers the next request would carry, for frameworks that only take static headers. */
  headers(): Promise<Record<string, string>>;
  /** The token in use, minted or renewed when due; null for an instance session. */
  token(): Promise<K extends 'instance' ? null : SessionToken>;
  /** Stops the session: no more mints; an in-flight mint is abandoned. */
  close(): Promise<void>;
  toJSON(): AgentSessionSummary;
}

export declare class ScalekitMcp {
  constructor(options: ScalekitMcpOptions);
  /** A client from SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET. */
  static fromEnv(overrides?: Partial<ScalekitMcpOptions>): ScalekitMcp;

  readonly envUrl: string;
  readonly clientId: string;

  createConfig(input: CreateConfigInput, options?: WriteOptions): Promise<McpConfig>;
  /** The config named `input.name`, created, updated or left as it is to match `input`. */
  ensureConfig(input: EnsureConfigInput, options?: EnsureConfigOptions): Promise<EnsureConfigResult>;
  getConfig(configId: string, options?: CallOptions): Promise<McpConfig>;
  listConfigs(input?: ListConfigsInput, options?: CallOptions): Promise<ListConfigsResult>;
  /** Every config matching the filter, one page at a time as the loop asks for more. */
  configs(input?: Omit<ListConfigsInput, 'pageToken'>, options?: CallOptions): AsyncGenerator<McpConfig, void, undefined>;
  updateConfig(input: UpdateConfigInput, options?: WriteOptions): Promise<McpConfig>;
  deleteConfig(configId: string, options?: CallOptions): Promise<void>;
  listConnectedAccounts(input: ListConnectedAccountsInput, options?: CallOptions): Promise<ConnectedAccounts>;
  createSessionToken(input: CreateSessionTokenInput, options?: CallOptions): Promise<SessionToken>;
  createConnectionSessionToken(input: CreateConnectionSessionTokenInput, options?: CallOptions): Promise<SessionToken>;

  ensureInstance(input: EnsureInstanceInput, options?: CallOptions): Promise<McpInstance>;
  getInstance(instanceId: string, options?: CallOptions): Promise<McpInstance>;
  listInstances(input?: ListInstancesInput, options?: CallOptions): Promise<ListInstancesResult>;
  /** Every instance matching the filter, one page at a time as the loop asks for more. */
  instances(input?: Omit<ListInstancesInput, 'pageToken'>, options?: CallOptions): AsyncGenerator<McpInstance, void, undefined>;
  updateInstance(input: UpdateInstanceInput, options?: CallOptions): Promise<McpInstance>;
  deleteInstance(instanceId: string, options?: CallOptions): Promise<void>;
  getInstanceAuthState(input: GetInstanceAuthStateInput, options?: CallOptions): Promise<InstanceAuthState>;

  /** A page of the tools catalogue. */
  listTools(input?: ListToolsInput, options?: CallOptions): Promise<ListToolsResult>;
  /** Every tool matching the filter, one page at a time as the loop asks for more. */
  tools(input?: Omit<ListToolsInput, 'pageToken'>, options?: CallOptions): AsyncGenerator<Tool, void, undefined>;

  waitForAuth(target: { instanceId: string }, options?: WaitForAuthOptions<InstanceAuthState>): Promise<InstanceAuthState>;
  waitForAuth(target: { configId: string; identifier: string }, options?: WaitForAuthOptions<ConnectedAccounts>): Promise<ConnectedAccounts>;

  /**
   * An agent session for a config's virtual server, a connection, or an instance URL: `url` and
   * a `fetch` that keeps the session token fresh. `options` apply to the URL look-up.
   */
  agentSession(input: ConfigAgentSessionInput, options?: CallOptions): Promise<AgentSession<'config'>>;
  agentSession(input: ConnectionAgentSessionInput, options?: CallOptions): Promise<AgentSession<'connection'>>;
  agentSession(input: InstanceAgentSessionInput, options?: CallOptions): Promise<AgentSession<'instance'>>;

  toJSON(): { envUrl: string; clientId: string };
}

/** Fields every error of the package carries. */
export interface ScalekitErrorProps {
  status?: number | null;
  code?: string;
  errorCode?: string | null;
  traceId?: string | null;
  details?: ErrorDetail[];
}

export declare class ScalekitError extends Error {
  constructor(message: string, props?: ScalekitErrorProps);
  /** HTTP status of the answer that caused the error, or null when there was none. */
  readonly status: number | null;
  /** gRPC status name (`NOT_FOUND`, `INVALID_ARGUMENT`, ...) or the package's own code. */
  readonly code: string;
  /** `error_code` of the server's first ErrorInfo detail. */
  readonly errorCode: string | null;
  /** The server's `x-trace-id`. */
  readonly traceId: string | null;
  readonly details: ErrorDetail[];
}
/** Invalid input, caught before any request was sent. */
export declare class ValidationError extends ScalekitError {
  /** The option at fault, as a path such as `connectionToolMappings[0].connectionName`. */
  readonly field: string | null;
}
export declare class BadRequestError extends ScalekitError {
  readonly field: string | null;
}
export declare class AuthenticationError extends ScalekitError {}
export declare class PermissionDeniedError extends ScalekitError {}
export declare class NotFoundError extends ScalekitError {}
export declare class ConflictError extends ScalekitError {}
export declare class RateLimitError extends ScalekitError {
  /** How long the server asked to wait, in milliseconds, when it said. */
  readonly retryAfterMs: number | null;
}
export declare class InternalServerError extends ScalekitError {}
export declare class ApiError extends ScalekitError {}
export declare class InvalidResponseError extends ScalekitError {}
export declare class ConnectionError extends ScalekitError {}
export declare class TimeoutError extends ScalekitError {}
export declare class AbortError extends ScalekitError {}
export declare class AuthTimeoutError extends ScalekitError {
  /** The last state seen before giving up. */
  state: InstanceAuthState | ConnectedAccounts | null;
}
export declare class BrowserEnvironmentError extends ScalekitError {}
