// Handlers of the MCP REST routes (`/api/v1/mcp/...`).
//
// Each handler reads its request the way grpc-gateway does (body or query, path parameters
// overriding body fields), checks the descriptor's rules, runs the operation against the store and
// answers the response message as the gateway's marshaler writes it: snake_case names, every
// non-optional field present, proto3 `optional` fields omitted when unset.
//
// A handler receives `ctx` = {emu, params, query, body} and returns {status, json} or throws an
// ApiError. Authentication has been checked by the server before a handler runs.

import { randomBytes } from 'node:crypto';
import { errors } from './errors.mjs';
import * as M from './messages.mjs';
import { paginate } from './paging.mjs';
import { decodeMessage, decodeQuery, parseJsonBody, timestamp, ZERO_TIMESTAMP } from './protojson.mjs';
import { authLinkUrl, configServerUrl, connectionUrl, instanceUrl, lastPathSegment } from './urls.mjs';
import * as V from './validate.mjs';

export const DEFAULT_SESSION_EXPIRY_SECONDS = 3600;

const ok = (json) => ({ status: 200, json });
const readBody = (ctx, schema) => decodeMessage(schema, parseJsonBody(ctx.body));

// ---- wire JSON -------------------------------------------------------------------------------

/**
 * McpConfig. With `identifier` (the instance context) each mapping also carries the user's
 * connected account id and status when that account exists.
 */
export function configJson(emu, config, identifier) {
  return {
    id: config.id,
    name: config.name,
    description: config.description,
    connection_tool_mappings: config.mappings.map((m) => {
      const connection = emu.catalogue.byName(m.connectionName);
      const out = {
        connection_id: connection.id,
        connection_name: connection.name,
        provider: connection.provider,
        tools: [...m.tools],
      };
      const account = identifier === undefined ? undefined : emu.store.account(connection.name, identifier);
      if (account) {
        out.connected_account_id = account.id;
        out.connected_account_status = account.status;
      }
      return out;
    }),
    mcp_server_url: configServerUrl(emu.baseUrl, config),
  };
}

export function instanceJson(emu, instance) {
  return {
    id: instance.id,
    name: instance.name,
    user_identifier: instance.userIdentifier,
    config: configJson(emu, emu.store.getConfig(instance.configId), instance.userIdentifier),
    last_used_at: instance.lastUsedAt ? timestamp(instance.lastUsedAt) : ZERO_TIMESTAMP,
    updated_at: timestamp(instance.updatedAt),
    url: instanceUrl(emu.baseUrl, instance),
  };
}

/**
 * The auth state of every connection of `config` for `identifier`. With `withLinks`, missing
 * accounts are created as PENDING_AUTH and each keyed connection gets a fresh link.
 * `optionalFields` selects McpConnectionAuthState (account fields omitted when there is no
 * account) over McpInstanceConnectionAuthState (account fields "" when there is none).
 */
function authStates(emu, config, identifier, { withLinks, optionalFields }) {
  return config.mappings.map((m) => {
    const connection = emu.catalogue.byName(m.connectionName);
    const account = withLinks
      ? emu.store.ensureAccount(connection.name, identifier)
      : emu.store.account(connection.name, identifier);
    const out = { connection_id: connection.id, connection_name: connection.name, provider: connection.provider };
    if (account || !optionalFields) {
      out.connected_account_id = account?.id ?? '';
      out.connected_account_status = account?.status ?? '';
    }
    out.authentication_link =
      withLinks && connection.key ? authLinkUrl(emu.baseUrl, emu.store.issueAuthLink(account)) : '';
    return out;
  });
}

// ---- configs ---------------------------------------------------------------------------------

export function createConfig(ctx) {
  const { store } = ctx.emu;
  const req = readBody(ctx, M.McpConfig);
  V.validateCreateConfig(req);
  const mappings = store.resolveMappings(req.connection_tool_mappings);
  const config = store.createConfig({ name: req.name, description: req.description, mappings });
  return ok({ config: configJson(ctx.emu, config) });
}

export function listConfigs(ctx) {
  const { store, catalogue } = ctx.emu;
  const req = decodeQuery(M.ListMcpConfigsRequest, ctx.query);
  V.validateListConfigs(req);
  const f = req.filter ?? {};
  const scope = { id: f.id ?? '', name: f.name ?? '', provider: f.provider ?? '', url: f.mcp_server_url ?? '', search: req.search ?? '' };
  const lower = (s) => s.toLowerCase();
  let items = store.listConfigs();
  if (scope.id) items = items.filter((c) => c.id === scope.id);
  if (scope.name) items = items.filter((c) => lower(c.name) === lower(scope.name));
  if (scope.provider) {
    items = items.filter((c) =>
      c.mappings.some((m) => lower(catalogue.byName(m.connectionName).provider) === lower(scope.provider)),
    );
  }
  if (scope.url) {
    const uuid = lower(lastPathSegment(scope.url));
    items = items.filter((c) => c.serverUuid === uuid);
  }
  if (scope.search) items = items.filter((c) => lower(c.name).includes(lower(scope.search)));
  return pageAnswer('configs', items, req, scope, (c) => configJson(ctx.emu, c));
}

export function getConfig(ctx) {
  V.validateId('config_id', ctx.params.config_id);
  return ok({ config: configJson(ctx.emu, ctx.emu.store.getConfig(ctx.params.config_id)) });
}

/**
 * PUT: `description` and `connection_tool_mappings` replace the stored ones when given; as in
 * proto3, an empty string or an empty list is the same as leaving the field out. The name is not
 * a field of the request, so sending it is an unknown-field 400.
 */
export function updateConfig(ctx) {
  const { store } = ctx.emu;
  const req = { ...readBody(ctx, M.UpdateMcpConfigRequest), config_id: ctx.params.config_id };
  V.validateUpdateConfig(req);
  store.getConfig(req.config_id);
  const mappings = req.connection_tool_mappings?.length ? store.resolveMappings(req.connection_tool_mappings) : undefined;
  const config = store.updateConfig(req.config_id, { description: req.description || undefined, mappings });
  return ok({ config: configJson(ctx.emu, config) });
}

export function deleteConfig(ctx) {
  V.validateId('config_id', ctx.params.config_id);
  ctx.emu.store.deleteConfig(ctx.params.config_id);
  return ok({});
}

export function listConnectedAccounts(ctx) {
  const req = { ...readBody(ctx, M.ListMcpConnectedAccountsRequest), config_id: ctx.params.config_id };
  V.validateListConnectedAccounts(req);
  const config = ctx.emu.store.getConfig(req.config_id);
  const states = authStates(ctx.emu, config, req.identifier, { withLinks: !!req.include_auth_link, optionalFields: true });
  return ok({ connected_accounts: states });
}

// ---- session tokens --------------------------------------------------------------------------

function activeAccount(emu, connection, identifier) {
  const account = emu.store.account(connection.name, identifier);
  if (account?.status !== 'ACTIVE') {
    throw errors.failedPrecondition(
      `connection "${connection.name}" has no active connected account for identifier "${identifier}"` +
        (account ? ` (status ${account.status})` : ''),
    );
  }
  return account;
}

/**
 * Signs a session token: `aud` is the MCP URL it opens, `claims` adds `mcp_cfg` or `conn_id`.
 * Returns {token, exp} (exp in seconds since the epoch, emulator time). `expirySeconds` may be zero or negative
 * (the emulator handle uses that to mint already-expired tokens).
 */
export function signSessionToken(emu, { identifier, aud, accessLevel, expirySeconds, claims, accountIds }) {
  const iat = Math.floor(emu.clock.now() / 1000);
  const exp = iat + Math.floor(expirySeconds ?? DEFAULT_SESSION_EXPIRY_SECONDS);
  const token = emu.signer.sign({
    iss: emu.baseUrl,
    sub: identifier,
    aud,
    iat,
    exp,
    jti: randomBytes(12).toString('hex'),
    token_type: 'mcp_session',
    access_level: accessLevel || 'FULL',
    ...claims,
    ca_ids: accountIds,
  });
  return { token, exp };
}

function mint(emu, req, { aud, claims, accountIds }) {
  const { token, exp } = signSessionToken(emu, {
    identifier: req.identifier,
    aud,
    accessLevel: req.access_level,
    expirySeconds: req.expiry,
    claims,
    accountIds,
  });
  return ok({ token, expires_at: timestamp(exp * 1000) });
}

/** POST /api/v1/mcp/configs/{mcp_config_id}/tokens: every mapped connection needs an ACTIVE account. */
export function createSessionToken(ctx) {
  const { emu } = ctx;
  const req = { ...readBody(ctx, M.CreateMcpSessionTokenRequest), mcp_config_id: ctx.params.mcp_config_id };
  V.validateSessionToken(req);
  const config = emu.store.getConfig(req.mcp_config_id);
  if (config.mappings.length === 0) throw errors.failedPrecondition(`MCP config "${config.id}" has no connections`);
  const accounts = config.mappings.map((m) => activeAccount(emu, emu.catalogue.byName(m.connectionName), req.identifier));
  return mint(emu, req, {
    aud: configServerUrl(emu.baseUrl, config),
    claims: { mcp_cfg: config.id },
    accountIds: accounts.map((a) => a.id),
  });
}

/** POST /api/v1/mcp/connections/{key_id}/tokens: the connection's account needs to be ACTIVE. */
export function createConnectionSessionToken(ctx) {
  const { emu } = ctx;
  const req = { ...readBody(ctx, M.CreateMcpSessionTokenRequest), key_id: ctx.params.key_id };
  V.validateSessionToken(req);
  const connection = emu.catalogue.byKey(req.key_id);
  if (!connection) throw errors.notFound(`connection "${req.key_id}" not found`);
  const account = activeAccount(emu, connection, req.identifier);
  return mint(emu, req, {
    aud: connectionUrl(emu.baseUrl, connection),
    claims: { conn_id: connection.id },
    accountIds: [account.id],
  });
}

// ---- instances -------------------------------------------------------------------------------

export function ensureInstance(ctx) {
  const req = readBody(ctx, M.EnsureMcpInstanceRequest);
  V.validateEnsureInstance(req);
  const instance = ctx.emu.store.ensureInstance({
    configName: req.config_name,
    userIdentifier: req.user_identifier,
    name: req.name,
  });
  return ok({ instance: instanceJson(ctx.emu, instance) });
}

export function listInstances(ctx) {
  const req = decodeQuery(M.ListMcpInstancesRequest, ctx.query);
  V.validateListInstances(req);
  const f = req.filter ?? {};
  const scope = {
    id: f.id ?? '',
    name: f.name ?? '',
    config: f.config_name ?? '',
    user: f.user_identifier ?? '',
    search: req.search ?? '',
  };
  const { store } = ctx.emu;
  let items = store.listInstances();
  if (scope.id) items = items.filter((i) => i.id === scope.id);
  if (scope.name) items = items.filter((i) => i.name === scope.name);
  if (scope.config) items = items.filter((i) => store.getConfig(i.configId).name === scope.config);
  if (scope.user) items = items.filter((i) => i.userIdentifier === scope.user);
  if (scope.search) {
    const needle = scope.search.toLowerCase();
    items = items.filter(
      (i) => i.name.toLowerCase().includes(needle) || i.userIdentifier.toLowerCase().includes(needle),
    );
  }
  return pageAnswer('instances', items, req, scope, (i) => instanceJson(ctx.emu, i));
}

/** One page of `items` as a List*Response whose `key` holds the page, each item as `toJson` writes it. */
function pageAnswer(key, items, req, scope, toJson) {
  const page = paginate(items, { pageSize: req.page_size, pageToken: req.page_token, scope });
  return ok({
    [key]: page.page.map(toJson),
    next_page_token: page.nextPageToken,
    prev_page_token: page.prevPageToken,
    total_size: page.totalSize,
  });
}

export function getInstance(ctx) {
  V.validateId('instance_id', ctx.params.instance_id);
  return ok({ instance: instanceJson(ctx.emu, ctx.emu.store.getInstance(ctx.params.instance_id)) });
}

export function updateInstance(ctx) {
  const req = { ...readBody(ctx, M.UpdateMcpInstanceRequest), instance_id: ctx.params.instance_id };
  V.validateId('instance_id', req.instance_id);
  const instance = ctx.emu.store.updateInstance(req.instance_id, { name: req.name, configName: req.config_name });
  return ok({ instance: instanceJson(ctx.emu, instance) });
}

export function deleteInstance(ctx) {
  V.validateId('instance_id', ctx.params.instance_id);
  ctx.emu.store.deleteInstance(ctx.params.instance_id);
  return ok({});
}

/** POST .../{instance_id}:get_auth_state: the rule has no body, so `include_auth_links` is a query parameter. */
export function getInstanceAuthState(ctx) {
  const req = { ...decodeQuery(M.GetMcpInstanceAuthStateRequest, ctx.query), instance_id: ctx.params.instance_id };
  V.validateId('instance_id', req.instance_id);
  const instance = ctx.emu.store.getInstance(req.instance_id);
  const config = ctx.emu.store.getConfig(instance.configId);
  const states = authStates(ctx.emu, config, instance.userIdentifier, {
    withLinks: !!req.include_auth_links,
    optionalFields: false,
  });
  return ok({ connections: states });
}
