// MCP over the Streamable HTTP transport on the MCP URLs the emulator hands out:
//
//   <base>/mcp/v2/instances/<48 hex>      an instance's url: pre-authenticated, no header needed
//   <base>/mcp/v3/servers/<uuid>          a config's mcp_server_url: Authorization: Bearer <session token>
//   <base>/mcp/v3/connections/<key_id>    a connection's MCP server: Authorization: Bearer <session token>
//
// Each URL is one MCP endpoint:
//   POST    one JSON-RPC message (batches are refused, as since MCP 2025-06-18). `initialize` opens
//           a session (its id in the `Mcp-Session-Id` answer header) and negotiates the version,
//           whatever headers it carries. Any other message that declares a protocol version the
//           emulator does not serve (`MCP-Protocol-Version`, or `params._meta` of newer revisions)
//           is a 400 naming the served ones, before any session check. Every later message needs
//           the session header (missing: 400; unknown, ended, or opened on another URL or for
//           another user: 404) and, when it sends `MCP-Protocol-Version`, the negotiated version
//           (otherwise 400).
//           Notifications and responses: 202, no body. Requests: 200 with the JSON-RPC answer as
//           `application/json` or as one `text/event-stream` event, whichever the Accept header
//           prefers (a tie goes to the emulator's `mcpResponse` preference, JSON by default); an
//           Accept allowing neither: 406. The body must be `application/json` (415).
//   GET     405: the emulator offers no server-initiated stream.
//   DELETE  ends the session (200); later requests with its id: 404. An unserved
//           `MCP-Protocol-Version`: 400, as for POST.
// Checked first on every method, in order: a browser `Origin` that is neither loopback nor the
// emulator's own host (403), a URL that names no live instance, config or connection (404 with
// the gateway's {"code":5,"message":"Not Found","details":[]}: deleting an instance or a config
// ends its URLs), and for bearer URLs the session token (401 with
// `WWW-Authenticate: Bearer ...`): an RS256 signature by this environment, an unexpired `exp`, a
// `token_type` of "mcp_session" and an `aud` equal to the URL requested.
// Malformed JSON: 400 with JSON-RPC error -32700; not a JSON-RPC 2.0 message: 400 with -32600.
// Other errors at the HTTP level carry a JSON-RPC error body with `id: null` too.

import {
  answer,
  configTools,
  connectionTools,
  initializeResult,
  MCP_PROTOCOL_VERSIONS,
  negotiateProtocolVersion,
  readInitializeParams,
  RpcCode,
  RpcError,
  userAccountTools,
} from './mcp-tools.mjs';
import { errors } from './errors.mjs';
import { configServerUrl, connectionUrl, instanceUrl } from './urls.mjs';

/** Response headers browsers may read on MCP answers. */
const EXPOSE_HEADERS = 'x-trace-id, retry-after, mcp-session-id, www-authenticate';
const REALM = 'scalekit-emulator';
const SESSION_NOT_FOUND = -32001;
const TRANSPORT_ERROR = -32000;

/** A JSON-RPC error body for an HTTP-level failure on an MCP URL. */
export function jsonRpcErrorBody(message, code = TRANSPORT_ERROR, id = null) {
  return { jsonrpc: '2.0', error: { code, message }, id };
}

/** An HTTP-level failure: answered with `status` and a JSON-RPC error body. */
class McpHttpError extends Error {
  constructor(status, code, message, headers = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

const fail = (status, code, message, headers) => new McpHttpError(status, code, message, headers);

// ---- the three kinds of MCP URLs ---------------------------------------------------------------

/**
 * Each resolver turns the route parameters into an endpoint, or null when the URL serves nothing.
 * `toolsFor(user)` gives the tools the URL serves to a user (custom tools differ per user).
 */
function resolveInstance(emu, params) {
  const instance = emu.store.instanceByUrlToken(params.instance_token);
  if (!instance) return null;
  const config = emu.store.configs.get(instance.configId);
  if (!config) return null;
  return {
    target: `instance:${instance.id}`,
    url: instanceUrl(emu.baseUrl, instance),
    bearer: false,
    user: instance.userIdentifier,
    toolsFor: configToolsFor(emu, config),
    instance,
  };
}

/** The tools of `config` as `user` sees them (with the custom tools of their accounts). */
const configToolsFor = (emu, config) => (user) => configTools(emu.catalogue, config, userAccountTools(emu.store, user));

function resolveServer(emu, params) {
  const config = emu.store.configByServerUuid(params.server_id);
  if (!config) return null;
  return {
    target: `server:${config.id}`,
    url: configServerUrl(emu.baseUrl, config),
    bearer: true,
    toolsFor: configToolsFor(emu, config),
  };
}

function resolveConnection(emu, params) {
  const connection = emu.catalogue.byKey(params.key_id);
  if (!connection) return null;
  return {
    target: `connection:${connection.name}`,
    url: connectionUrl(emu.baseUrl, connection),
    bearer: true,
    toolsFor: (user) => connectionTools(connection, userAccountTools(emu.store, user)),
  };
}

/** Route handlers (any method) for the three URL shapes of urls.mjs. */
export const instanceEndpoint = (ctx) => serve(ctx, resolveInstance);
export const serverEndpoint = (ctx) => serve(ctx, resolveServer);
export const connectionEndpoint = (ctx) => serve(ctx, resolveConnection);

// ---- the pipeline --------------------------------------------------------------------------------

function serve(ctx, resolve) {
  const headers = { 'access-control-expose-headers': EXPOSE_HEADERS };
  try {
    checkOrigin(ctx.req);
    const endpoint = resolve(ctx.emu, ctx.params);
    if (!endpoint) throw errors.routeNotFound(); // as the gateway answers any unknown path
    const identity = endpoint.bearer ? authenticate(ctx.emu, ctx.req, endpoint) : { user: endpoint.user, accessLevel: 'FULL' };
    const scope = { ...endpoint, ...identity, tools: endpoint.toolsFor(identity.user) };
    switch (ctx.req.method) {
      case 'POST':
        return post(ctx, scope, headers);
      case 'DELETE':
        return endSession(ctx, scope, headers);
      case 'GET':
        throw fail(405, TRANSPORT_ERROR, 'Method Not Allowed: this server offers no server-initiated stream', { allow: 'POST, DELETE' });
      default:
        throw fail(405, TRANSPORT_ERROR, 'Method Not Allowed', { allow: 'POST, DELETE' });
    }
  } catch (err) {
    if (!(err instanceof McpHttpError)) throw err;
    return { status: err.status, json: jsonRpcErrorBody(err.message, err.code), headers: { ...headers, ...err.headers } };
  }
}

const LOOPBACK = /^(localhost|.+\.localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** Browsers send `Origin`: only pages on loopback or on the emulator's own host may call (DNS rebinding). */
function checkOrigin(req) {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let url;
  try {
    url = new URL(origin);
  } catch {
    throw fail(403, TRANSPORT_ERROR, 'Forbidden: invalid Origin');
  }
  if (LOOPBACK.test(url.hostname) || url.host === req.headers.host) return;
  throw fail(403, TRANSPORT_ERROR, `Forbidden: Origin ${origin} is not allowed`);
}

/** Checks the session token of a bearer URL; returns {user, accessLevel} or throws a 401. */
function authenticate(emu, req, endpoint) {
  const header = (req.headers.authorization ?? '').trim();
  const m = /^Bearer(?:\s+(\S*))?\s*$/i.exec(header);
  const token = m?.[1];
  if (!token) {
    throw fail(401, TRANSPORT_ERROR, 'Unauthorized: this MCP server needs "Authorization: Bearer <session token>"', {
      'www-authenticate': `Bearer realm="${REALM}"`,
    });
  }
  const refuse = (description) =>
    fail(401, TRANSPORT_ERROR, `Unauthorized: ${description}`, {
      'www-authenticate': `Bearer realm="${REALM}", error="invalid_token", error_description="${description}"`,
    });
  const checked = emu.signer.check(token, emu.clock.now());
  if (checked.error === 'expired') throw refuse('the session token expired');
  if (checked.error) throw refuse('the session token is not valid');
  const claims = checked.claims;
  if (claims.token_type !== 'mcp_session') throw refuse('not an MCP session token');
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(endpoint.url)) throw refuse('the session token is for another MCP server');
  if (typeof claims.sub !== 'string' || claims.sub === '') throw refuse('the session token names no user');
  const accessLevel = claims.access_level ?? 'FULL';
  if (accessLevel !== 'FULL' && accessLevel !== 'READ_ONLY') throw refuse('the session token has an unknown access level');
  return { user: claims.sub, accessLevel };
}

function post(ctx, scope, headers) {
  const { emu, req } = ctx;
  if (mediaType(req.headers['content-type']) !== 'application/json') {
    throw fail(415, TRANSPORT_ERROR, 'Unsupported Media Type: the body must be application/json');
  }
  let message;
  try {
    message = JSON.parse(ctx.body ? ctx.body.toString('utf8') : '');
  } catch (err) {
    throw fail(400, RpcCode.PARSE_ERROR, `Parse error: ${err.message}`);
  }
  if (Array.isArray(message)) {
    throw fail(400, RpcCode.INVALID_REQUEST, 'Invalid Request: JSON-RPC batches are not supported; send one message per request');
  }
  const kind = classify(message);
  const type = kind === 'request' ? responseType(req.headers.accept, emu.mcpResponse) : 'json';
  if (!type) throw fail(406, TRANSPORT_ERROR, 'Not Acceptable: the client must accept application/json or text/event-stream');

  if (kind === 'request' && message.method === 'initialize') return initialize(ctx, scope, message, type, headers);
  checkProtocolVersion(req, message);

  const session = sessionOf(emu, req, scope);
  if (kind !== 'request') {
    if (kind === 'notification' && message.method === 'notifications/initialized') session.initialized = true;
    return { status: 202, empty: true, headers };
  }
  let reply;
  try {
    reply = { jsonrpc: '2.0', id: message.id, result: answer(emu, scope, session, message.method, message.params) };
  } catch (err) {
    if (!(err instanceof RpcError)) throw err;
    reply = { jsonrpc: '2.0', id: message.id, error: err.toJson() };
  }
  touch(emu, scope);
  return respond(reply, type, headers);
}

function initialize(ctx, scope, message, type, headers) {
  const { emu, req } = ctx;
  if (req.headers['mcp-session-id'] !== undefined) {
    sessionOf(emu, req, scope);
    throw fail(400, RpcCode.INVALID_REQUEST, 'Invalid Request: this session is already initialized');
  }
  let params;
  try {
    params = readInitializeParams(message.params);
  } catch (err) {
    if (!(err instanceof RpcError)) throw err;
    return respond({ jsonrpc: '2.0', id: message.id, error: err.toJson() }, type, headers);
  }
  const protocolVersion = negotiateProtocolVersion(params.protocolVersion);
  const session = emu.store.openMcpSession({
    target: scope.target,
    subject: scope.user,
    protocolVersion,
    clientInfo: params.clientInfo,
  });
  touch(emu, scope);
  const reply = { jsonrpc: '2.0', id: message.id, result: initializeResult(protocolVersion) };
  return respond(reply, type, { ...headers, 'mcp-session-id': session.id });
}

function endSession(ctx, scope, headers) {
  checkProtocolVersion(ctx.req);
  const session = sessionOf(ctx.emu, ctx.req, scope);
  ctx.emu.store.closeMcpSession(session.id);
  return { status: 200, empty: true, headers };
}

/** The open session a request names; a protocol version header must be the one it negotiated. */
function sessionOf(emu, req, scope) {
  const id = req.headers['mcp-session-id'];
  if (id === undefined || id === '') {
    throw fail(400, TRANSPORT_ERROR, 'Bad Request: Mcp-Session-Id header is required (send initialize first)');
  }
  const session = emu.store.mcpSession(id);
  if (!session || session.target !== scope.target || session.subject !== scope.user) {
    throw fail(404, SESSION_NOT_FOUND, 'Session not found');
  }
  const version = req.headers['mcp-protocol-version'];
  if (version !== undefined && version !== session.protocolVersion) {
    throw fail(400, TRANSPORT_ERROR, `Bad Request: MCP-Protocol-Version ${version} is not the version negotiated for this session (${session.protocolVersion})`);
  }
  return session;
}

/** Where revisions from 2026-07-28 on declare their protocol version inside a request. */
const META_PROTOCOL_VERSION = 'io.modelcontextprotocol/protocolVersion';

/**
 * The protocol revision a request declares: its `MCP-Protocol-Version` header or, without one,
 * the version in `params._meta` (where newer revisions put it as well). undefined when it
 * declares none.
 */
function declaredVersion(req, message) {
  const header = req.headers['mcp-protocol-version'];
  if (header !== undefined) return header;
  const meta = message?.params?._meta;
  const version = meta !== null && typeof meta === 'object' ? meta[META_PROTOCOL_VERSION] : undefined;
  return typeof version === 'string' ? version : undefined;
}

/**
 * Refuses a request (other than `initialize`, which negotiates) that declares a protocol revision
 * the emulator does not serve, before any session check: 400 with a JSON-RPC error that names
 * the version and lists the served ones, as a 2025-11-25 server answers an unsupported
 * `MCP-Protocol-Version`. A client that probed with a newer revision (`server/discover` under
 * 2026-07-28, say) reads this as a server of the initialize era and falls back to `initialize`;
 * the newer revisions' own UnsupportedProtocolVersionError (-32022) would tell it the opposite.
 */
function checkProtocolVersion(req, message) {
  const version = declaredVersion(req, message);
  if (version === undefined || MCP_PROTOCOL_VERSIONS.includes(version)) return;
  throw fail(400, TRANSPORT_ERROR, `Bad Request: Unsupported protocol version: ${version} (supported versions: ${MCP_PROTOCOL_VERSIONS.join(', ')})`);
}

/** Instances remember when they were last used (their `last_used_at`). */
function touch(emu, scope) {
  if (scope.instance) scope.instance.lastUsedAt = emu.clock.now();
}

/**
 * Classifies a JSON-RPC 2.0 message: 'request', 'notification' or 'response' (a client's answer
 * to a server request). Anything else is a 400 "Invalid Request".
 */
function classify(message) {
  const invalid = (why) => fail(400, RpcCode.INVALID_REQUEST, `Invalid Request: ${why}`);
  if (message === null || typeof message !== 'object') throw invalid('expected a JSON-RPC message object');
  if (message.jsonrpc !== '2.0') throw invalid('"jsonrpc" must be "2.0"');
  const hasId = Object.hasOwn(message, 'id');
  if (hasId && !(typeof message.id === 'string' || Number.isInteger(message.id))) {
    throw invalid('"id" must be a string or an integer');
  }
  if (Object.hasOwn(message, 'method')) {
    if (typeof message.method !== 'string' || message.method === '') throw invalid('"method" must be a non-empty string');
    if (message.params !== undefined && (message.params === null || typeof message.params !== 'object')) {
      throw invalid('"params" must be an object');
    }
    return hasId ? 'request' : 'notification';
  }
  if (hasId && (Object.hasOwn(message, 'result') || Object.hasOwn(message, 'error'))) return 'response';
  throw invalid('expected a request, a notification or a response');
}

/** Answers a JSON-RPC reply as JSON (`type` 'json') or as one SSE event ('sse'). */
function respond(reply, type, headers) {
  if (type === 'json') return { status: 200, json: reply, headers };
  return {
    status: 200,
    text: `event: message\ndata: ${JSON.stringify(reply)}\n\n`,
    headers: { ...headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform' },
  };
}

/**
 * 'json' or 'sse' for an Accept header (quality values respected, exact types before wildcards),
 * `preferred` when both are equally acceptable, null when neither is.
 */
export function responseType(accept, preferred = 'json') {
  if (accept === undefined || accept.trim() === '') return preferred;
  const ranges = accept.split(',').map((part) => {
    const [type, ...params] = part.split(';');
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    return { type: type.trim().toLowerCase(), q: Number.isFinite(q) ? q : 0 };
  });
  const quality = (mediaRange) => {
    const major = `${mediaRange.split('/')[0]}/*`;
    let best = 0;
    let specificity = -1;
    for (const r of ranges) {
      const s = r.type === mediaRange ? 2 : r.type === major ? 1 : r.type === '*/*' ? 0 : -1;
      if (s > specificity) {
        specificity = s;
        best = r.q;
      }
    }
    return specificity < 0 ? 0 : best;
  };
  const json = quality('application/json');
  const sse = quality('text/event-stream');
  if (json <= 0 && sse <= 0) return null;
  if (json === sse) return preferred;
  return json > sse ? 'json' : 'sse';
}

const mediaType = (header) => (header ?? '').split(';')[0].trim().toLowerCase();
