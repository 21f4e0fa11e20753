// A Node HTTP server that gives each user their own MCP server when they log in.
//
//   POST /login   {"userId": "user_123"}
//   -> 200 {"instanceId", "mcpUrl", "allActive", "authorize": [{"connection", "link"}]}
//
// `ensureInstance` is idempotent, so calling it on every login is safe: the first login creates
// the user's instance, later ones return the same instance and URL. The MCP URL is
// pre-authenticated (anyone holding it acts as the user), so this endpoint belongs behind your
// own authentication and answers your agent backend; send only the authorization links to the
// user's browser.
//
//   SCALEKIT_ENV_URL=... SCALEKIT_CLIENT_ID=... SCALEKIT_CLIENT_SECRET=... \
//   MCP_CONFIG_NAME=email-calendar-assistant PORT=3000 node server.mjs
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { ScalekitMcp, ScalekitError, ValidationError, NotFoundError } from 'scalekit-mcp';

const MAX_BODY = 16 * 1024;

async function readJson(req) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw new RangeError('request body too large');
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** The request handler, given a client and the name of the MCP config users get. */
export function createApp({ mcp, configName }) {
  return createServer(async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/login') return send(res, 404, { error: 'not found' });
    let userId;
    try {
      ({ userId } = await readJson(req));
    } catch {
      return send(res, 400, { error: 'expected a JSON body {"userId": "..."}' });
    }
    if (typeof userId !== 'string' || userId === '') return send(res, 400, { error: 'userId is required' });
    try {
      const instance = await mcp.ensureInstance({ configName, userIdentifier: userId });
      const state = await mcp.getInstanceAuthState({ instanceId: instance.id, includeAuthLinks: true });
      send(res, 200, {
        instanceId: instance.id,
        mcpUrl: instance.url,
        allActive: state.allActive,
        authorize: state.connections
          .filter((c) => c.connectedAccountStatus !== 'ACTIVE')
          .map((c) => ({ connection: c.connectionName, link: c.authenticationLink })),
      });
    } catch (err) {
      if (err instanceof ValidationError) return send(res, 400, { error: err.message, field: err.field });
      if (err instanceof NotFoundError) return send(res, 404, { error: err.message });
      if (err instanceof ScalekitError) return send(res, 502, { error: err.code, traceId: err.traceId });
      send(res, 500, { error: 'internal error' });
    }
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const configName = process.env.MCP_CONFIG_NAME;
  if (!configName) throw new Error('set MCP_CONFIG_NAME to the name of your MCP config');
  const server = createApp({ mcp: ScalekitMcp.fromEnv(), configName });
  server.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
    const { address, port } = server.address();
    console.log(`listening on http://${address}:${port}`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
