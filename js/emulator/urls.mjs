// The shapes of the URLs the emulator hands out. All of them point at the emulator itself and
// contain crypto-random parts where the real service's do, so they are unguessable and stable
// for the lifetime of the object they belong to.

/** A config's virtual MCP server: `<base>/mcp/v3/servers/<uuid v4>` (its `mcp_server_url`). */
export const configServerUrl = (base, config) => `${base}/mcp/v3/servers/${config.serverUuid}`;

/** A per-user MCP instance: `<base>/mcp/v2/instances/<48 hex>` (its `url`). */
export const instanceUrl = (base, instance) => `${base}/mcp/v2/instances/${instance.urlToken}`;

/** A connection-level MCP server: `<base>/mcp/v3/connections/<key_id>` (aud of connection tokens). */
export const connectionUrl = (base, connection) => `${base}/mcp/v3/connections/${encodeURIComponent(connection.key)}`;

/** An authentication link: `<base>/_emulator/authorize/<token>`; opening it authorizes the account. */
export const authLinkUrl = (base, token) => `${base}/_emulator/authorize/${token}`;

/** The token at the end of an authentication link (accepts the full URL or the bare token). */
export function authLinkToken(link) {
  const text = String(link).split(/[?#]/)[0].replace(/\/+$/, '');
  return text.slice(text.lastIndexOf('/') + 1);
}

/** The last path segment of a URL (used to match `filter.mcp_server_url` by UUID). */
export function lastPathSegment(url) {
  const path = String(url).split(/[?#]/)[0].replace(/\/+$/, '');
  return path.slice(path.lastIndexOf('/') + 1);
}
