// A Next.js route handler: the agent backend asks for a user's MCP access; the handler ensures the
// user's instance and either returns the links the user still has to open, or a session token for
// the config's MCP server. app/api/mcp-session/route.js serves it on the Edge runtime (Vercel
// Edge), app/api/mcp-session-node/route.js on the Node.js runtime; the code is the same.
//
//   POST /api/mcp-session        {"userId": "user_123"}   (Edge runtime)
//   POST /api/mcp-session-node   {"userId": "user_123"}   (Node.js runtime)
//   -> 200 {"status": "authorization_required", "instanceId", "authorize": [{"connection", "link"}]}
//   -> 200 {"status": "ready", "instanceId", "mcpServerUrl", "token", "expiresAt"}
//
// Set SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID, SCALEKIT_CLIENT_SECRET and MCP_CONFIG_NAME in the
// project's environment variables (.env.local, or the Vercel project's settings). Put the route
// behind your own authentication.
import { ScalekitMcp, ScalekitError, ValidationError, NotFoundError } from 'scalekit-mcp';

// One client per runtime instance: its access token is cached and shared by every request.
let client = null;

function scalekit() {
  client ??= new ScalekitMcp({
    envUrl: process.env.SCALEKIT_ENV_URL,
    clientId: process.env.SCALEKIT_CLIENT_ID,
    clientSecret: process.env.SCALEKIT_CLIENT_SECRET,
  });
  return client;
}

export async function POST(req) {
  let userId;
  try {
    ({ userId } = await req.json());
  } catch {
    return Response.json({ error: 'expected a JSON body {"userId": "..."}' }, { status: 400 });
  }
  if (typeof userId !== 'string' || userId === '') {
    return Response.json({ error: 'userId is required' }, { status: 400 });
  }

  const mcp = scalekit();
  try {
    const instance = await mcp.ensureInstance({ configName: process.env.MCP_CONFIG_NAME, userIdentifier: userId });
    const state = await mcp.getInstanceAuthState({ instanceId: instance.id, includeAuthLinks: true });
    if (!state.allActive) {
      return Response.json({
        status: 'authorization_required',
        instanceId: instance.id,
        authorize: state.connections
          .filter((c) => c.connectedAccountStatus !== 'ACTIVE')
          .map((c) => ({ connection: c.connectionName, link: c.authenticationLink })),
      });
    }
    const { token, expiresAt } = await mcp.createSessionToken({
      configId: instance.config.id,
      identifier: userId,
      expirySeconds: 900,
    });
    return Response.json({
      status: 'ready',
      instanceId: instance.id,
      mcpServerUrl: instance.config.mcpServerUrl,
      token,
      expiresAt,
    });
  } catch (err) {
    if (err instanceof ValidationError) return Response.json({ error: err.message, field: err.field }, { status: 400 });
    if (err instanceof NotFoundError) return Response.json({ error: err.message }, { status: 404 });
    if (err instanceof ScalekitError) return Response.json({ error: err.code, traceId: err.traceId }, { status: 502 });
    throw err;
  }
}
