// A local Scalekit environment for tests and demos: the OAuth token endpoint, the JWKS, the MCP
// REST API (configs, connected accounts, session tokens, instances), the tools API's ListTools
// and MCP itself (Streamable HTTP) on the instance, virtual server and connection URLs it hands
// out, over real HTTP, plus test controls (a clock among them). Node built-ins only.
//
//   import { startEmulator } from 'scalekit-mcp/emulator';
//   const emulator = await startEmulator();            // a free port on 127.0.0.1
//   // ... point a client at emulator.url with emulator.clientId / emulator.clientSecret ...
//   await emulator.close();

import { signSessionToken } from './api.mjs';
import { loadCatalogue } from './catalogue.mjs';
import { Emulator } from './emulator.mjs';
import { createSigner } from './jwt.mjs';
import { authorizePage } from './pages.mjs';
import { ROUTES } from './routes.mjs';
import { timestamp } from './protojson.mjs';
import { createServer } from './server.mjs';
import { configServerUrl, connectionUrl } from './urls.mjs';

export const DEFAULT_CLIENT_ID = 'skc_emulator';
export const DEFAULT_CLIENT_SECRET = 'sks_emulator_secret';
export const DEFAULT_PORT = 4010; // the CLI's default; startEmulator() defaults to a free port
export const DEFAULT_TOKEN_TTL = 3600;
export const DEFAULT_AUTH_LINK_TTL = 60;

const accountView = (a) => ({
  connectionName: a.connectionName,
  identifier: a.identifier,
  connectedAccountId: a.id,
  status: a.status,
});

const accountToolsView = (a) => ({
  ...accountView(a),
  organizationId: a.organizationId,
  userId: a.userId,
  tools: a.tools.map((t) => t.name),
});

function positiveInteger(value, name) {
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`${name} must be a positive integer (seconds)`);
  return value;
}

// The host part of the emulator's URLs: wildcard addresses are reached through loopback.
function urlHost(host) {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts an emulator.
 * @param {object} [options]
 * @param {number} [options.port=0]          0 picks a free port
 * @param {string} [options.host='127.0.0.1']
 * @param {string} [options.clientId]        default DEFAULT_CLIENT_ID
 * @param {string} [options.clientSecret]    default DEFAULT_CLIENT_SECRET
 * @param {string|object} [options.fixtures] catalogue of connections: a JSON file path or an object
 * @param {number} [options.tokenTtl=3600]   access-token lifetime, seconds
 * @param {number} [options.authLinkTtl=60]  authentication-link lifetime, seconds
 * @param {boolean} [options.unref=false]    do not keep the process alive for the server
 * @param {'json'|'sse'} [options.mcpResponse='json']  MCP answer format when a client accepts both
 */
export async function startEmulator(options = {}) {
  const {
    port = 0,
    host = '127.0.0.1',
    clientId = DEFAULT_CLIENT_ID,
    clientSecret = DEFAULT_CLIENT_SECRET,
    fixtures,
    tokenTtl = DEFAULT_TOKEN_TTL,
    authLinkTtl = DEFAULT_AUTH_LINK_TTL,
    unref = false,
    mcpResponse = 'json',
  } = options;
  if (!clientId || !clientSecret) throw new TypeError('clientId and clientSecret must be non-empty');
  if (mcpResponse !== 'json' && mcpResponse !== 'sse') throw new TypeError("mcpResponse must be 'json' or 'sse'");
  const emu = new Emulator({
    clientId,
    clientSecret,
    tokenTtl: positiveInteger(tokenTtl, 'tokenTtl'),
    authLinkTtl: positiveInteger(authLinkTtl, 'authLinkTtl'),
    catalogue: loadCatalogue(fixtures),
    signer: await createSigner(),
    mcpResponse,
  });

  const server = createServer(emu, ROUTES);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (unref) server.unref();
  const actualPort = server.address().port;
  emu.baseUrl = `http://${urlHost(host)}:${actualPort}`;

  let closing = null;
  return {
    url: emu.baseUrl,
    port: actualPort,
    host,
    clientId,
    clientSecret,

    /** Stops the server and drops every connection, keep-alive ones included. */
    close() {
      closing ??= new Promise((resolve) => {
        server.cancelTimers();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },

    /**
     * Forgets configs, instances, accounts, links, tokens, faults, the log and the counters, and
     * puts the clock back to the system clock.
     */
    reset: () => emu.reset(),

    /**
     * Moves the emulator's "now" forward by `ms` milliseconds (a non-negative integer): access
     * tokens, session tokens and authentication links expire as if that time had passed, and
     * everything minted afterwards carries the advanced time. Returns {now, nowMs, offsetMs}.
     */
    advanceTime(ms) {
      return emu.advanceTime(ms);
    },

    /** The emulator's clock: {now (RFC 3339), nowMs, offsetMs (the total advance since start or reset)}. */
    clock: () => emu.clock.state(),

    /** Sets (creating if missing) the status of a connected account; returns the account. */
    setAccountStatus: ({ connectionName, identifier, status }) =>
      accountView(emu.setAccountStatus({ connectionName, identifier, status })),

    /**
     * Gives a connected account custom tools (the catalogue's tool format), replacing the ones it
     * had (`[]` removes them). The account is created when missing, ACTIVE unless `status` says
     * otherwise; `organizationId` / `userId` set the scope that `filter.organization_id` /
     * `filter.user_id` of `GET /api/v1/tools` match. The tools appear in that listing when the
     * account is named (connector + identifier, the identifier alone, or the connected account id)
     * and on the MCP URLs of its user wherever the connection is mapped with all its tools, and
     * on the connection's own MCP URL. Returns the account with `organizationId`, `userId` and
     * `tools` (the tool names).
     */
    setAccountTools: (options = {}) => accountToolsView(emu.setAccountTools(options)),

    /** Every connected account: [{connectionName, identifier, connectedAccountId, status}]. */
    accounts: () => emu.store.listAccounts().map(accountView),

    /** Every access token issued so far expires now; returns how many. */
    expireTokens: () => emu.expireTokens(),

    /** Queues a fault ({pathPrefix, count, status, retryAfter, body, contentType, delayMs, destroy, bodyBytes, method}). */
    injectFault: (fault) => emu.faults.add(fault),

    /** The pending faults. */
    faults: () => emu.faults.list(),

    clearFaults: () => emu.faults.clear(),

    /** The request log: [{method, path, query, headers, body, status}]. */
    requests: () => emu.recorder.list(),

    clearRequests: () => emu.recorder.clear(),

    /** {tokenRequests, apiRequests}. */
    counters: () => emu.recorder.counters(),

    /**
     * Plays the user opening an authentication link (the URL or its token): the account turns
     * ACTIVE and is returned. An unknown, expired or used link throws an Error whose `outcome` is
     * 'unknown' | 'expired' | 'used' and `status` the HTTP status the link page would have.
     */
    authorize(link) {
      const result = emu.authorize(link);
      if (result.outcome === 'authorized') return accountView(result.account);
      const err = new Error(`authentication link ${result.outcome === 'unknown' ? 'not found' : result.outcome}`);
      err.outcome = result.outcome;
      err.status = authorizePage(result).status;
      throw err;
    },

    /** The JWKS served at /keys. */
    jwks: () => emu.signer.jwks(),

    /**
     * Mints a session token without the API's checks (accounts need not be ACTIVE, the lifetime is
     * free, zero or negative for an already-expired token): for a config's virtual server
     * (`configId`) or a connection's MCP server (`connectionName`). Returns {token, expiresAt}.
     */
    sessionToken({ configId, connectionName, identifier, accessLevel = 'FULL', expiresIn = 3600 } = {}) {
      if (typeof identifier !== 'string' || identifier === '') throw new TypeError('sessionToken needs a non-empty identifier');
      if ((configId === undefined) === (connectionName === undefined)) {
        throw new TypeError('sessionToken needs exactly one of configId and connectionName');
      }
      if (!Number.isFinite(expiresIn)) throw new TypeError('expiresIn must be a number of seconds');
      let aud;
      let claims;
      let connections;
      if (configId !== undefined) {
        const config = emu.store.configs.get(configId);
        if (!config) throw new Error(`no config ${configId}`);
        aud = configServerUrl(emu.baseUrl, config);
        claims = { mcp_cfg: config.id };
        connections = config.mappings.map((m) => m.connectionName);
      } else {
        const connection = emu.catalogue.byName(connectionName);
        if (!connection?.key) throw new Error(`no connection ${connectionName} with a key`);
        aud = connectionUrl(emu.baseUrl, connection);
        claims = { conn_id: connection.id };
        connections = [connection.name];
      }
      const accountIds = connections.map((name) => emu.store.account(name, identifier)?.id).filter(Boolean);
      const { token, exp } = signSessionToken(emu, {
        identifier,
        aud,
        accessLevel,
        expirySeconds: expiresIn,
        claims,
        accountIds,
      });
      return { token, expiresAt: timestamp(exp * 1000) };
    },

    /** Signs any claims with the environment's key (an RS256 JWT verifiable with /keys). */
    signJwt: (claims) => emu.signer.sign(claims),
  };
}
