// The route table: every path the emulator serves, in one place.
//
// A route is {method, path, handler, auth}. `auth: true` routes need a valid bearer access token
// (checked by the server before the handler runs). A handler receives
// ctx = {emu, req, res, params, query, body, path} and returns {status, json | html | text,
// headers?} (or {status, empty: true, headers?} for no body), or nothing when it wrote the
// response itself.
// The MCP endpoints (the instance, server and connection URLs of urls.mjs) take every method
// ('*') and authenticate with session tokens themselves (mcp-http.mjs).

import * as api from './api.mjs';
import * as control from './control.mjs';
import * as mcp from './mcp-http.mjs';
import * as tools from './tools-api.mjs';
import { tokenEndpoint } from './oauth.mjs';
import { compilePath } from './router.mjs';

export function route(method, path, handler, { auth = false } = {}) {
  return Object.freeze({ method, path, segments: compilePath(path), handler, auth });
}

const bearer = { auth: true };

export const ROUTES = [
  // Authentication.
  route('POST', '/oauth/token', tokenEndpoint),
  route('GET', '/keys', (ctx) => ({ status: 200, json: ctx.emu.signer.jwks() })),

  // MCP configs.
  route('POST', '/api/v1/mcp/configs', api.createConfig, bearer),
  route('GET', '/api/v1/mcp/configs', api.listConfigs, bearer),
  route('GET', '/api/v1/mcp/configs/{config_id}', api.getConfig, bearer),
  route('PUT', '/api/v1/mcp/configs/{config_id}', api.updateConfig, bearer),
  route('DELETE', '/api/v1/mcp/configs/{config_id}', api.deleteConfig, bearer),
  route('POST', '/api/v1/mcp/configs/{config_id}/connected_accounts', api.listConnectedAccounts, bearer),

  // Session tokens.
  route('POST', '/api/v1/mcp/configs/{mcp_config_id}/tokens', api.createSessionToken, bearer),
  route('POST', '/api/v1/mcp/connections/{key_id}/tokens', api.createConnectionSessionToken, bearer),

  // MCP instances. The custom-method route comes before the plain one.
  route('POST', '/api/v1/mcp/instances', api.ensureInstance, bearer),
  route('GET', '/api/v1/mcp/instances', api.listInstances, bearer),
  route('POST', '/api/v1/mcp/instances/{instance_id}:get_auth_state', api.getInstanceAuthState, bearer),
  route('GET', '/api/v1/mcp/instances/{instance_id}', api.getInstance, bearer),
  route('PATCH', '/api/v1/mcp/instances/{instance_id}', api.updateInstance, bearer),
  route('DELETE', '/api/v1/mcp/instances/{instance_id}', api.deleteInstance, bearer),

  // The tools API: tool discovery (ListTools only).
  route('GET', '/api/v1/tools', tools.listTools, bearer),

  // MCP (Streamable HTTP) on the URLs handed out above.
  route('*', '/mcp/v2/instances/{instance_token}', mcp.instanceEndpoint),
  route('*', '/mcp/v3/servers/{server_id}', mcp.serverEndpoint),
  route('*', '/mcp/v3/connections/{key_id}', mcp.connectionEndpoint),

  // Test controls.
  route('POST', '/_emulator/reset', control.reset),
  route('GET', '/_emulator/accounts', control.listAccounts),
  route('POST', '/_emulator/accounts', control.setAccount),
  route('POST', '/_emulator/account-tools', control.setAccountTools),
  route('POST', '/_emulator/expire-tokens', control.expireTokens),
  route('GET', '/_emulator/faults', control.listFaults),
  route('POST', '/_emulator/faults', control.addFault),
  route('DELETE', '/_emulator/faults', control.clearFaults),
  route('GET', '/_emulator/requests', control.listRequests),
  route('DELETE', '/_emulator/requests', control.clearRequests),
  route('GET', '/_emulator/counters', control.counters),
  route('GET', '/_emulator/clock', control.getClock),
  route('POST', '/_emulator/clock', control.advanceClock),
  route('GET', '/_emulator/authorize/{token}', control.authorize),
];
