// Types of `scalekit-mcp/emulator`: a local Scalekit environment for tests and demos.

export declare const DEFAULT_CLIENT_ID: 'skc_emulator';
export declare const DEFAULT_CLIENT_SECRET: 'sks_emulator_secret';
/** The CLI's default port; `startEmulator()` defaults to a free port. */
export declare const DEFAULT_PORT: 4010;
export declare const DEFAULT_TOKEN_TTL: 3600;
export declare const DEFAULT_AUTH_LINK_TTL: 60;

export interface EmulatorTool {
  name: string;
  /** Human-readable name (MCP `title` and `annotations.title`); defaults to the name in words. */
  title?: string;
  description?: string;
  /** Read-only tools are the only ones a READ_ONLY session token exposes (default false). */
  readOnly?: boolean;
  /** JSON Schema of the tool's arguments (default: an object schema without properties). */
  inputSchema?: Record<string, unknown>;
  /** MCP tool annotations; `readOnlyHint`, if given, must agree with `readOnly`. */
  annotations?: {
    title?: string;
    readOnlyHint?: boolean;
    /** Default: not read-only. */
    destructiveHint?: boolean;
    /** Default: read-only. */
    idempotentHint?: boolean;
    /** Default: true. */
    openWorldHint?: boolean;
  };
  /** The tools API's `tags` (default []). */
  tags?: string[];
  /** The tools API's `metadata` (default {}). */
  metadata?: Record<string, unknown>;
}

/** A connected account the catalogue seeds at start and after every reset. */
export interface EmulatorFixtureAccount {
  identifier: string;
  /** Default 'ACTIVE'. */
  status?: AccountStatus;
  /** The scope `filter.organization_id` of `GET /api/v1/tools` matches (default ''). */
  organizationId?: string;
  /** The scope `filter.user_id` of `GET /api/v1/tools` matches (default ''). */
  userId?: string;
  /** Custom tools of this account; none may reuse a name of the connection's tools. */
  tools?: EmulatorTool[];
}

export interface EmulatorConnection {
  name: string;
  /** Defaults to a stable `conn_<18 digits>` derived from the name. */
  id?: string;
  /** Defaults to the upper-cased name. */
  provider?: string;
  /** The connection's key_id (MCP URL segment, connection tokens); defaults to the name; "" = no key, no links. */
  key?: string;
  tools?: EmulatorTool[];
  accounts?: EmulatorFixtureAccount[];
}

export interface EmulatorFixtures {
  connections: EmulatorConnection[];
}

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  clientId?: string;
  clientSecret?: string;
  /** A catalogue of connections replacing the built-in one: a JSON file path or an object. */
  fixtures?: string | EmulatorFixtures | EmulatorConnection[];
  /** Access-token lifetime in seconds (default 3600). */
  tokenTtl?: number;
  /** Authentication-link lifetime in seconds (default 60). */
  authLinkTtl?: number;
  /** Do not keep the process alive for the server (default false). */
  unref?: boolean;
  /** How MCP requests are answered when the client accepts JSON and SSE equally (default 'json'). */
  mcpResponse?: 'json' | 'sse';
}

export type AccountStatus = 'ACTIVE' | 'EXPIRED' | 'PENDING_AUTH' | 'PENDING_VERIFICATION' | 'DISCONNECTED';

export interface EmulatorAccount {
  connectionName: string;
  identifier: string;
  connectedAccountId: string;
  status: AccountStatus;
}

/** An account as `setAccountTools()` answers it. */
export interface EmulatorAccountWithTools extends EmulatorAccount {
  organizationId: string;
  userId: string;
  /** The names of its custom tools. */
  tools: string[];
}

export interface EmulatorFault {
  /** Applies to requests whose raw path starts with this. */
  pathPrefix: string;
  /** How many requests it applies to (default 1). */
  count?: number;
  /** Only requests with this method. */
  method?: string;
  /** Answer this HTTP status (body: the matching Status JSON unless `body` is given). */
  status?: number;
  /** `Retry-After` header value: seconds or an HTTP date. */
  retryAfter?: string | number;
  /** Raw response body. */
  body?: string;
  contentType?: string;
  /** Wait first; alone, the request is then handled normally. */
  delayMs?: number;
  /** Drop the connection without answering. */
  destroy?: boolean;
  /** Answer a streamed body of exactly this many bytes. */
  bodyBytes?: number;
}

export interface EmulatorRequest {
  method: string;
  /** The raw path, without the query string. */
  path: string;
  /** Query parameters; repeated ones become arrays. */
  query: Record<string, string | string[]>;
  /** As received, lower-case names; `authorization` is "<redacted>". */
  headers: Record<string, string | string[]>;
  /** Parsed JSON, form fields (client_secret redacted), raw text, or null. */
  body: unknown;
  /** The HTTP status answered; null when the connection was dropped. */
  status: number | null;
}

export interface EmulatorCounters {
  tokenRequests: number;
  apiRequests: number;
}

export interface EmulatorJwks {
  keys: Array<{ kty: 'RSA'; n: string; e: string; kid: string; alg: 'RS256'; use: 'sig' }>;
}

/** The emulator's clock. */
export interface EmulatorClock {
  /** Emulator time, RFC 3339 UTC. */
  now: string;
  /** Emulator time in milliseconds since the epoch. */
  nowMs: number;
  /** How far emulator time is ahead of the system clock, in milliseconds (0 after start or `reset()`). */
  offsetMs: number;
}

/** Thrown by `authorize()` for a link that cannot be used. */
export interface AuthorizeError extends Error {
  outcome: 'used' | 'expired' | 'unknown';
  status: 409 | 410 | 404;
}

export interface Emulator {
  /** `http://HOST:PORT`, the environment URL to give a client. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Stops the server and drops every connection. */
  close(): Promise<void>;
  /** Forgets configs, instances, accounts, links, tokens, faults, the log and the counters; the clock goes back to the system clock. */
  reset(): void;
  /**
   * Moves the emulator's "now" forward by `ms` milliseconds (a non-negative integer; RangeError
   * otherwise): access tokens, session tokens and authentication links expire as if the time had
   * passed, and tokens minted afterwards carry the advanced time.
   */
  advanceTime(ms: number): EmulatorClock;
  /** The emulator's clock. */
  clock(): EmulatorClock;
  /** Sets the status of a connected account, creating it if missing. */
  setAccountStatus(account: { connectionName: string; identifier: string; status: AccountStatus }): EmulatorAccount;
  accounts(): EmulatorAccount[];
  /**
   * Replaces the custom tools of a connected account (`[]` removes them), creating the account
   * (ACTIVE unless `status` says otherwise) when missing. The tools appear in `GET /api/v1/tools`
   * when the account is named (connector + identifier, the identifier alone, or the connected
   * account id), and on the MCP URLs of its user wherever the connection is mapped with all its
   * tools and on the connection's own MCP URL.
   */
  setAccountTools(options: {
    connectionName: string;
    identifier: string;
    tools: EmulatorTool[];
    status?: AccountStatus;
    organizationId?: string;
    userId?: string;
  }): EmulatorAccountWithTools;
  /** Every access token issued so far expires now; returns how many. */
  expireTokens(): number;
  injectFault(fault: EmulatorFault): EmulatorFault & { count: number };
  faults(): Array<EmulatorFault & { count: number }>;
  clearFaults(): void;
  requests(): EmulatorRequest[];
  clearRequests(): void;
  counters(): EmulatorCounters;
  /** Plays the user opening an authentication link (URL or token); throws an AuthorizeError when unusable. */
  authorize(link: string): EmulatorAccount;
  jwks(): EmulatorJwks;
  /**
   * Mints a session token without the API's checks: accounts need not be ACTIVE, and `expiresIn`
   * (seconds, default 3600) may be zero or negative for an already-expired token. Exactly one of
   * `configId` (the config's virtual server) and `connectionName` (the connection's MCP server).
   */
  sessionToken(options: {
    configId?: string;
    connectionName?: string;
    identifier: string;
    accessLevel?: 'FULL' | 'READ_ONLY';
    expiresIn?: number;
  }): { token: string; expiresAt: string };
  /** Signs any claims with the environment's key: an RS256 JWT verifiable with `/keys`. */
  signJwt(claims: Record<string, unknown>): string;
}

export declare function startEmulator(options?: EmulatorOptions): Promise<Emulator>;
