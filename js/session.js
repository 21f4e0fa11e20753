// Agent sessions: everything an agent framework's MCP client needs to reach the tools the seed
// flow hands out, in one shape whichever way they are reached.
//
//   config      the config's virtual server URL, with session tokens from createSessionToken
//   connection  a connection's own MCP URL, with tokens from createConnectionSessionToken
//   instance    the user's pre-authenticated instance URL, no token
//
// A session is `{ url, fetch, headers(), token(), close() }`. Its `fetch` adds the bearer token
// to requests for the session's URL, mints the token on first use, renews it before it runs out
// and once more when the server refuses it as `invalid_token`, so that a framework given
// `session.fetch` never sees a session token expire. One mint is in flight at a time, however
// many requests wait for it. The token appears in no error, log line, `JSON.stringify` or
// `util.inspect` of the session; the URL appears there as its first characters only.

import { InvalidResponseError, ScalekitError, validationError } from './errors.js';
import { callOptions, isObject } from './options.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const DEFAULT_RENEW_BEFORE_MS = 60_000;
/** Characters of a URL's path kept where a session shows it (an instance URL is a credential). */
const URL_SHOWN = 12;

/**
 * The inputs of each kind of session, told apart by the key that names the target, and the
 * operation whose input rules its target (and the token's settings) follow.
 */
const KINDS = {
  config: {
    target: 'configId',
    keys: ['configId', 'identifier', 'url', 'expirySeconds', 'accessLevel', 'renewBeforeMs', 'fetch'],
    rules: 'createSessionToken',
  },
  connection: {
    target: 'connectionName',
    keys: ['connectionName', 'identifier', 'url', 'expirySeconds', 'accessLevel', 'renewBeforeMs', 'fetch'],
    rules: 'createConnectionSessionToken',
  },
  instance: {
    target: 'instanceId',
    keys: ['instanceId', 'url', 'fetch'],
    rules: 'getInstance',
  },
};

function sessionClosed() {
  return new ScalekitError('this agent session is closed; start another with agentSession()', {
    code: 'SESSION_CLOSED',
  });
}

/**
 * A URL as a session shows it: the origin and the first characters of the path, never the part
 * that makes an instance URL a credential (nor any user info, query or fragment).
 */
export function shortUrl(url) {
  try {
    const { origin, pathname } = new URL(url);
    return `${origin}${pathname.slice(0, Math.min(URL_SHOWN, Math.floor(pathname.length / 2)))}…`;
  } catch {
    return '…';
  }
}

function originOf(url) {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

/** Reads one option, turning a getter that throws into a ValidationError. */
function read(input, key) {
  try {
    return input[key];
  } catch {
    throw validationError(key, `${key} cannot be read (its getter threw)`);
  }
}

function httpUrl(value, key) {
  if (typeof value !== 'string' || value.length === 0) throw validationError(key, `${key} must be a URL string`);
  let parsed;
  try {
    parsed = new URL(value);
  } catch {
    throw validationError(key, `${key} is not a valid URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw validationError(key, `${key} must be an http(s) URL`);
  }
  return parsed.href;
}

/**
 * Checks `agentSession()` input and returns its settings as plain data. The target, the
 * identifier and the token's settings are checked by `check(operation, input)` against the rules
 * of the operation that mints the token (or looks up the instance), so they are refused here
 * exactly as that call would refuse them.
 */
function settingsOf(input, check) {
  if (!isObject(input)) {
    throw validationError('input', 'agentSession(input) needs { configId, identifier }, { connectionName, identifier } or { instanceId }');
  }
  let keys;
  try {
    keys = Object.keys(input);
  } catch {
    throw validationError('input', 'input cannot be read (a Proxy or getter threw)');
  }
  // Each target read once.
  const targets = Object.fromEntries(Object.keys(KINDS).filter((k) => keys.includes(KINDS[k].target)).map((k) => [k, read(input, KINDS[k].target)]));
  const kinds = Object.keys(targets).filter((k) => targets[k] !== undefined);
  if (kinds.length !== 1) {
    const why = kinds.length === 0 ? 'needs one of' : 'takes only one of';
    throw validationError('input', `agentSession(input) ${why} configId, connectionName or instanceId`);
  }
  const kind = kinds[0];
  const { target, keys: allowed, rules } = KINDS[kind];
  for (const key of keys) {
    if (!allowed.includes(key)) {
      throw validationError(key, `unknown option "${key}" for a ${kind} session; expected one of: ${allowed.join(', ')}`);
    }
  }
  const given = (key) => read(input, key) ?? undefined;
  const settings = { kind, target: targets[kind] };
  const token = kind === 'instance'
    ? {}
    : { identifier: given('identifier'), expirySeconds: given('expirySeconds'), accessLevel: given('accessLevel') };
  check(rules, { [target]: settings.target, ...token });
  Object.assign(settings, token);

  const url = read(input, 'url');
  settings.url = url === undefined || url === null ? null : httpUrl(url, 'url');

  const base = read(input, 'fetch');
  if (base !== undefined && base !== null && typeof base !== 'function') throw validationError('fetch', 'fetch must be a function');
  settings.fetch = base ?? null;
  if (kind === 'instance') return settings;

  const renewBeforeMs = read(input, 'renewBeforeMs');
  if (renewBeforeMs !== undefined && renewBeforeMs !== null) {
    if (typeof renewBeforeMs !== 'number' || !Number.isFinite(renewBeforeMs) || renewBeforeMs < 0) {
      throw validationError('renewBeforeMs', 'renewBeforeMs must be a non-negative, finite number of milliseconds');
    }
  }
  settings.renewBeforeMs = renewBeforeMs ?? DEFAULT_RENEW_BEFORE_MS;
  return settings;
}

/** `exp - iat` of a JWT in milliseconds (both on the server's clock, so skew cancels), or null. */
function jwtLifetimeMs(token) {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1].length > 8192) return null;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '=')));
    const { iat, exp } = claims ?? {};
    if (typeof iat !== 'number' || typeof exp !== 'number' || !Number.isFinite(exp - iat) || exp <= iat) return null;
    return (exp - iat) * 1000;
  } catch {
    return null;
  }
}

/**
 * When a token minted between `sentAt` and `receivedAt` (local clock) is due for renewal
 * (`renewAt`) and when it certainly runs out (`endsAt`); null for either when nothing tells,
 * which leaves the renewal to the first 401.
 *
 * The lifetime comes from the token's own `iat`/`exp` or else the `expirySeconds` asked for (the
 * shorter when both are known), and is counted from `sentAt` on the local clock, which no skew
 * between the clocks can move. The margin is `renewBeforeMs`, at most half the lifetime. The
 * token is due at the earlier of `sentAt + lifetime - margin` and `expiresAt - margin`, but
 * never sooner than half its lifetime after `sentAt`: an `expiresAt` that a local clock running
 * ahead makes look near cannot cause a mint on every request. With no lifetime known, a
 * parseable `expiresAt` still in the future is used alone; an `expiresAt` that is `""`,
 * unparseable or already past tells nothing.
 */
export function tokenTimes({ token, expiresAt, sentAt, receivedAt, expirySeconds, renewBeforeMs }) {
  const fromClaims = jwtLifetimeMs(token);
  const asked = expirySeconds ? expirySeconds * 1000 : null;
  let lifetime = fromClaims !== null && asked !== null ? Math.min(fromClaims, asked) : fromClaims ?? asked;
  const expiresAtMs = typeof expiresAt === 'string' && expiresAt !== '' ? Date.parse(expiresAt) : NaN;
  const hasExpiry = Number.isFinite(expiresAtMs);
  if (lifetime === null) {
    if (!hasExpiry || expiresAtMs <= receivedAt) return { renewAt: null, endsAt: null };
    lifetime = expiresAtMs - sentAt;
  }
  const margin = Math.min(renewBeforeMs, lifetime / 2);
  let at = sentAt + lifetime - margin;
  if (hasExpiry) at = Math.min(at, expiresAtMs - margin);
  return { renewAt: Math.max(at, sentAt + lifetime / 2), endsAt: sentAt + lifetime };
}

/** The header a 401 refusing the token carries: `error="invalid_token"` in a Bearer challenge. */
function refusesToken(response) {
  if (response.status !== 401) return false;
  const challenge = response.headers.get('www-authenticate') ?? '';
  return /(?:^|[\s,])error\s*=\s*"?invalid_token"?/i.test(challenge);
}

function due(record) {
  return record.renewAt !== null && Date.now() >= record.renewAt;
}

/** A Request, of this realm or another (a bundled undici, a test runner's): told by its shape. */
function isRequest(input) {
  if (typeof Request === 'function' && input instanceof Request) return true;
  return input !== null && typeof input === 'object' && !(input instanceof URL) && typeof input.url === 'string' &&
    typeof input.clone === 'function' && typeof input.method === 'string' && input.headers !== undefined;
}

function urlOf(input) {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  if (isRequest(input)) return input.url;
  return String(input);
}

/** A body `fetch` can send twice: none, text, bytes, a Blob, form data, search params. */
function replayable(body) {
  return body === undefined || body === null || typeof body === 'string' || body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) || (typeof Blob === 'function' && body instanceof Blob) ||
    (typeof FormData === 'function' && body instanceof FormData) || body instanceof URLSearchParams;
}

/** Settles as `promise` does, or rejects as `fetch` would as soon as `signal` aborts. */
function untilAborted(promise, signal) {
  if (!signal) return promise;
  const reason = () => signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
  if (signal.aborted) return Promise.reject(reason());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => { signal.removeEventListener('abort', onAbort); resolve(value); },
      (err) => { signal.removeEventListener('abort', onAbort); reject(err); },
    );
  });
}

/**
 * One agent's access to one MCP URL. Made by `ScalekitMcp#agentSession()`; not constructed
 * directly.
 */
class AgentSession {
  #settings;
  #url;
  #mint;
  #base;
  #closed = false;
  /** The token in use, { token, expiresAt, renewAt, endsAt }, or null before the first mint. */
  #current = null;
  /** The mint in flight, which every caller needing a token waits for, or null. */
  #minting = null;
  #mintController = null;
  #fetch;
  #headers;
  #token;
  #close;

  constructor(settings, url, mint) {
    this.#settings = settings;
    this.#url = url;
    this.#mint = mint;
    this.#base = settings.fetch ?? ((input, init) => globalThis.fetch(input, init));
    const origin = new URL(url).origin;
    this.#fetch = (input, init) => this.#send(input, init, origin);
    this.#headers = () => this.#currentHeaders();
    this.#token = () => this.#currentToken();
    this.#close = () => this.#shutDown();
  }

  /** `'config'`, `'connection'` or `'instance'`. */
  get kind() {
    return this.#settings.kind;
  }

  /** The MCP URL to give the agent: a credential itself for instance sessions. */
  get url() {
    return this.#url;
  }

  /** Whether `close()` was called. */
  get closed() {
    return this.#closed;
  }

  /**
   * A `fetch` for the agent's MCP client: `session.fetch(input, init)` takes what the global
   * `fetch` takes. Requests to the session URL's origin get `Authorization: Bearer <token>` (the
   * caller's other headers kept); others go out unchanged. Detached use (`const { fetch } =
   * session`) works.
   */
  get fetch() {
    return this.#fetch;
  }

  /** A promise of the headers the next request would carry: `{ Authorization }`, or `{}`. */
  get headers() {
    return this.#headers;
  }

  /** A promise of the token in use, `{ token, expiresAt }` (minted when due), or null. */
  get token() {
    return this.#token;
  }

  /** Stops the session: no renewal, and every later call rejects with code SESSION_CLOSED. */
  get close() {
    return this.#close;
  }

  #assertOpen() {
    if (this.#closed) throw sessionClosed();
  }

  async #currentHeaders() {
    this.#assertOpen();
    if (this.#settings.kind === 'instance') return {};
    const { token } = await this.#valid();
    return { Authorization: `Bearer ${token}` };
  }

  async #currentToken() {
    this.#assertOpen();
    if (this.#settings.kind === 'instance') return null;
    const { token, expiresAt } = await this.#valid();
    return { token, expiresAt };
  }

  async #shutDown() {
    this.#closed = true;
    this.#current = null;
    this.#mintController?.abort();
  }

  /**
   * The token to use now: the current one unless it is due for renewal. When a renewal fails
   * while the current token has time left, the current one is used and the next request tries
   * again.
   */
  async #valid() {
    const current = this.#current;
    if (current && !due(current)) return current;
    try {
      return await this.#renew(current);
    } catch (err) {
      if (current && this.#current === current && !this.#closed && current.endsAt !== null && Date.now() < current.endsAt) {
        return current;
      }
      throw err;
    }
  }

  /**
   * A token newer than `stale` (the one found due or refused; null when there was none): the
   * one minted since, if any and not due itself, else the result of the mint in flight, else
   * of a new mint. A failed mint fails every caller waiting for it; the next call mints again.
   */
  #renew(stale) {
    const current = this.#current;
    if (current && current !== stale && !due(current)) {
      return Promise.resolve(current);
    }
    if (!this.#minting) {
      this.#minting = this.#mintOnce().finally(() => { this.#minting = null; });
    }
    return this.#minting;
  }

  async #mintOnce() {
    this.#assertOpen();
    const controller = new AbortController();
    this.#mintController = controller;
    const sentAt = Date.now();
    let minted;
    try {
      minted = await this.#mint({ signal: controller.signal });
    } catch (err) {
      if (this.#closed) throw sessionClosed();
      throw err;
    } finally {
      if (this.#mintController === controller) this.#mintController = null;
    }
    if (this.#closed) throw sessionClosed();
    const token = minted?.token;
    if (typeof token !== 'string' || token.length === 0) {
      throw new InvalidResponseError('the session token endpoint answered without a token', { code: 'INVALID_RESPONSE' });
    }
    const expiresAt = typeof minted.expiresAt === 'string' ? minted.expiresAt : '';
    const record = {
      token,
      expiresAt,
      ...tokenTimes({
        token,
        expiresAt,
        sentAt,
        receivedAt: Date.now(),
        expirySeconds: this.#settings.expirySeconds,
        renewBeforeMs: this.#settings.renewBeforeMs,
      }),
    };
    this.#current = record;
    return record;
  }

  async #send(input, init, origin) {
    this.#assertOpen();
    if (this.#settings.kind === 'instance' || originOf(urlOf(input)) !== origin) return this.#base(input, init);

    const request = isRequest(input) ? input : null;
    // a body given in `init` must be one that can be sent twice; a Request's own body is kept
    // for a second attempt by sending a clone the first time
    const canRepeat = init?.body === undefined || replayable(init.body);
    const signal = init?.signal ?? request?.signal ?? null;
    const attempt = (record, last) => {
      const headers = new Headers(init?.headers !== undefined ? init.headers : request?.headers);
      headers.set('authorization', `Bearer ${record.token}`);
      const target = request && !last && canRepeat ? request.clone() : input;
      return this.#base(target, { ...init, headers });
    };

    const first = await untilAborted(this.#valid(), signal);
    this.#assertOpen();
    const response = await attempt(first, !canRepeat);
    if (!canRepeat || !refusesToken(response)) return response;
    await response.body?.cancel().catch(() => {});
    const renewed = await untilAborted(this.#renew(first), signal);
    this.#assertOpen();
    return attempt(renewed, true);
  }

  /** What a session shows of itself: no token, the URL's first characters only. */
  toJSON() {
    const out = { kind: this.#settings.kind, [KINDS[this.#settings.kind].target]: this.#settings.target };
    if (this.#settings.identifier !== undefined) out.identifier = this.#settings.identifier;
    out.url = shortUrl(this.#url);
    if (this.#settings.kind !== 'instance') out.expiresAt = this.#current?.expiresAt ?? null;
    out.closed = this.#closed;
    return out;
  }

  [INSPECT]() {
    const fields = Object.entries(this.toJSON()).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
    return `AgentSession { ${fields.join(', ')} }`;
  }

  get [Symbol.toStringTag]() {
    return 'AgentSession';
  }
}

if (typeof Symbol.asyncDispose === 'symbol') {
  Object.defineProperty(AgentSession.prototype, Symbol.asyncDispose, {
    value() {
      return this.close();
    },
    configurable: true,
    writable: true,
  });
}

/**
 * `mcp.agentSession(input, options)`: checks the input, looks up the URL when it is not given
 * (the config's `mcpServerUrl`, the instance's `url`; a connection's URL follows from the
 * environment URL), and returns the session. `options` (`signal`, `timeoutMs`) apply to that
 * look-up; mints use the client's defaults.
 */
export async function agentSession(mcp, input, options, check) {
  const settings = settingsOf(input, check);
  // Read once and checked, whether or not there is a look-up.
  const lookup = callOptions(options);
  const { kind, target, identifier } = settings;
  let url = settings.url;
  if (url === null) {
    if (kind === 'config') {
      const config = await mcp.getConfig(target, lookup);
      if (!config.mcpServerUrl) {
        throw new ScalekitError(`config ${target} has no virtual MCP server URL (mcpServerUrl is empty in this environment)`, {
          code: 'FAILED_PRECONDITION',
        });
      }
      url = httpUrl(config.mcpServerUrl, 'mcpServerUrl');
    } else if (kind === 'instance') {
      const instance = await mcp.getInstance(target, lookup);
      if (!instance.url) {
        throw new ScalekitError(`instance ${target} has no MCP URL`, { code: 'FAILED_PRECONDITION' });
      }
      url = httpUrl(instance.url, 'url');
    } else {
      url = `${mcp.envUrl}/mcp/v3/connections/${encodeURIComponent(target)}`;
    }
  }
  const tokenInput = { identifier, expirySeconds: settings.expirySeconds, accessLevel: settings.accessLevel };
  const mint = kind === 'config'
    ? (mintOptions) => mcp.createSessionToken({ configId: target, ...tokenInput }, mintOptions)
    : kind === 'connection'
      ? (mintOptions) => mcp.createConnectionSessionToken({ connectionName: target, ...tokenInput }, mintOptions)
      : null;
  return new AgentSession(settings, url, mint);
}
