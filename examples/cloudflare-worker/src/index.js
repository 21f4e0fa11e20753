// A Cloudflare Worker that mints short-lived MCP session tokens for your agent.
//
//   POST /session   {"userId": "user_123"}
//   -> 200 {"mcpServerUrl", "token", "expiresAt"}
//   -> 409 {"error": "FAILED_PRECONDITION", ...} while the user has not authorized every connection
//
// The agent connects to `mcpServerUrl` with `Authorization: Bearer <token>`. The client secret
// stays in the Worker's secrets (`wrangler secret put SCALEKIT_CLIENT_SECRET`). Put this endpoint
// behind your own authentication: whoever can call it gets tokens for any user.
import { ScalekitMcp, ScalekitError, ValidationError, NotFoundError, BadRequestError } from 'scalekit-mcp';

// One client per isolate: its access token is cached and reused by later requests.
let client = null;
let clientKey = '';
const configs = new Map();

function scalekit(env) {
  const key = `${env.SCALEKIT_ENV_URL}\n${env.SCALEKIT_CLIENT_ID}`;
  if (client === null || key !== clientKey) {
    client = new ScalekitMcp({
      envUrl: env.SCALEKIT_ENV_URL,
      clientId: env.SCALEKIT_CLIENT_ID,
      clientSecret: env.SCALEKIT_CLIENT_SECRET,
    });
    clientKey = key;
    configs.clear();
  }
  return client;
}

async function serverUrl(mcp, configId) {
  if (!configs.has(configId)) configs.set(configId, (await mcp.getConfig(configId)).mcpServerUrl);
  return configs.get(configId);
}

function json(status, body) {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (request.method !== 'POST' || url.pathname !== '/session') return json(404, { error: 'not found' });
    let body;
    try {
      body = await request.json();
    } catch {
      return json(400, { error: 'expected a JSON body {"userId": "..."}' });
    }
    const userId = body?.userId;
    if (typeof userId !== 'string' || userId === '') return json(400, { error: 'userId is required' });

    const mcp = scalekit(env);
    try {
      const mcpServerUrl = await serverUrl(mcp, env.MCP_CONFIG_ID);
      const { token, expiresAt } = await mcp.createSessionToken({
        configId: env.MCP_CONFIG_ID,
        identifier: userId,
        expirySeconds: Number(env.SESSION_TTL_SECONDS ?? 900),
      });
      return json(200, { mcpServerUrl, token, expiresAt });
    } catch (err) {
      if (err instanceof ValidationError) return json(400, { error: err.message, field: err.field });
      if (err instanceof NotFoundError) return json(404, { error: err.message });
      // the user has not authorized every connection of the config yet
      if (err instanceof BadRequestError) return json(409, { error: err.code, message: err.message });
      if (err instanceof ScalekitError) return json(502, { error: err.code, traceId: err.traceId });
      throw err;
    }
  },
};
