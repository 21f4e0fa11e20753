// The floor the benchmarks compare against: what a user would write by hand instead of installing
// scalekit-mcp. Plain JavaScript over the global `fetch`, no dependencies, for the three calls of
// the seed flow. It does what the package does for those calls and no more: one access token
// shared by concurrent callers (requested once, renewed a minute before it expires), JSON bodies,
// snake_case wire names mapped to the same camelCase objects the package returns, and an Error
// for any answer that is not 2xx. It has no input checks, retries, timeouts or typed errors.
//
// Runs unchanged in Node (import, or require through the generated CommonJS copy) and workerd.

const ZERO_TIMESTAMP = '0001-01-01T00:00:00Z';

function mapping(m) {
  const out = {
    connectionId: m.connection_id,
    connectionName: m.connection_name,
    provider: m.provider,
    tools: m.tools ?? [],
  };
  if (m.connected_account_id !== undefined) out.connectedAccountId = m.connected_account_id;
  if (m.connected_account_status !== undefined) out.connectedAccountStatus = m.connected_account_status;
  return out;
}

function config(c) {
  return {
    id: c.id,
    name: c.name,
    description: c.description ?? '',
    connectionToolMappings: (c.connection_tool_mappings ?? []).map(mapping),
    mcpServerUrl: c.mcp_server_url ?? '',
  };
}

function instance(i) {
  return {
    id: i.id,
    name: i.name,
    userIdentifier: i.user_identifier,
    config: config(i.config),
    url: i.url,
    lastUsedAt: !i.last_used_at || i.last_used_at === ZERO_TIMESTAMP ? null : i.last_used_at,
    updatedAt: i.updated_at ?? null,
  };
}

export class BaselineClient {
  #envUrl;
  #clientId;
  #clientSecret;
  #token = null; // { value, renewAt }
  #pending = null; // the token request in flight, shared by every caller

  constructor({ envUrl, clientId, clientSecret }) {
    this.#envUrl = envUrl.replace(/\/+$/, '');
    this.#clientId = clientId;
    this.#clientSecret = clientSecret;
  }

  async #accessToken() {
    if (this.#token && Date.now() < this.#token.renewAt) return this.#token.value;
    this.#pending ??= (async () => {
      try {
        const res = await fetch(`${this.#envUrl}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: this.#clientId,
            client_secret: this.#clientSecret,
          }),
        });
        if (!res.ok) throw new Error(`token request failed: HTTP ${res.status}`);
        const body = await res.json();
        this.#token = { value: body.access_token, renewAt: Date.now() + (body.expires_in - 60) * 1000 };
        return body.access_token;
      } finally {
        this.#pending = null;
      }
    })();
    return this.#pending;
  }

  async #request(method, path, body) {
    const token = await this.#accessToken();
    const headers = { authorization: `Bearer ${token}` };
    const init = { method, headers };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await fetch(`${this.#envUrl}${path}`, init);
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}: ${json?.message ?? ''}`);
    return json;
  }

  async ensureInstance({ configName, userIdentifier, name }) {
    const body = { config_name: configName, user_identifier: userIdentifier };
    if (name !== undefined) body.name = name;
    return instance((await this.#request('POST', '/api/v1/mcp/instances', body)).instance);
  }

  async getConfig(configId) {
    return config((await this.#request('GET', `/api/v1/mcp/configs/${encodeURIComponent(configId)}`)).config);
  }

  async createSessionToken({ configId, identifier, expirySeconds }) {
    const body = { identifier };
    if (expirySeconds !== undefined) body.expiry = `${expirySeconds}s`;
    const out = await this.#request('POST', `/api/v1/mcp/configs/${encodeURIComponent(configId)}/tokens`, body);
    return { token: out.token, expiresAt: out.expires_at };
  }
}
