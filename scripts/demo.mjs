// The flow an app runs to hand its AI agent a user's tools, step by step:
//
//   1. an MCP config for the agent role (ensureConfig: created once, then left as it is),
//   2. the user's instance and its pre-authenticated MCP URL (on every login),
//   3. the user's connections: authorization links for those not ACTIVE, then wait until all are,
//   4. a short-lived session token for the config's virtual MCP server,
//   5. what the agent sees: an MCP client connects to the user's URL, and to the virtual server
//      with the session token, and lists the tools (needs the dev dependency
//      @modelcontextprotocol/sdk; skipped with a note without it),
//   6. the agent session: an MCP client connected through mcp.agentSession(), whose fetch mints
//      the session token and renews it; against the emulator, its clock is moved past the
//      token's expiry to show the next tool call going through with a renewed token.
//
// With SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET set it talks to Scalekit;
// otherwise it starts the package's emulator on 127.0.0.1 and plays the user's part itself.
import { inspect } from 'node:util';
import { ScalekitMcp } from 'scalekit-mcp';

const CONFIG_NAME = process.env.DEMO_CONFIG_NAME ?? 'email-calendar-assistant';
const USER = process.env.DEMO_USER ?? 'john-doe';
const GMAIL = process.env.DEMO_GMAIL_CONNECTION ?? 'MY_GMAIL';
const CALENDAR = process.env.DEMO_CALENDAR_CONNECTION ?? 'MY_CALENDAR';

const live = ['SCALEKIT_ENV_URL', 'SCALEKIT_CLIENT_ID', 'SCALEKIT_CLIENT_SECRET'].every((v) => process.env[v]);
let emulator = null;
if (!live) {
  const { startEmulator } = await import('scalekit-mcp/emulator');
  emulator = await startEmulator({ port: 0 });
  process.env.SCALEKIT_ENV_URL = emulator.url;
  process.env.SCALEKIT_CLIENT_ID = emulator.clientId;
  process.env.SCALEKIT_CLIENT_SECRET = emulator.clientSecret;
}

/** Shows enough of a credential-like string to recognise it, not enough to use it. */
function shorten(secret) {
  if (secret.length <= 16) return `${secret.slice(0, 4)}…`;
  try {
    const url = new URL(secret);
    const path = url.pathname.split('/');
    const last = path.pop() ?? '';
    return `${url.origin}${path.join('/')}/${last.slice(0, 6)}…`;
  } catch {
    return `${secret.slice(0, 10)}…${secret.slice(-4)}`;
  }
}

const step = (n, text) => console.log(`\n${n}. ${text}`);

/** The MCP SDK's client pieces, or null when the package is not installed. */
async function loadMcpSdk() {
  try {
    const [{ Client }, { StreamableHTTPClientTransport }] = await Promise.all([
      import('@modelcontextprotocol/sdk/client/index.js'),
      import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
    ]);
    return { Client, StreamableHTTPClientTransport };
  } catch (err) {
    if (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND') return null;
    throw err;
  }
}

/** Connects an MCP client as the agent would and prints the tools it is offered. */
async function showTools({ Client, StreamableHTTPClientTransport }, label, url, token) {
  const client = new Client({ name: 'scalekit-mcp-demo', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: token ? { headers: { Authorization: `Bearer ${token}` } } : undefined,
  });
  try {
    await client.connect(transport);
    const { tools } = await client.listTools();
    const server = client.getServerVersion();
    console.log(`   ${label}: ${tools.length} tool${tools.length === 1 ? '' : 's'} (MCP ${transport.protocolVersion}, server ${server?.name ?? '?'})`);
    const width = Math.max(...tools.map((t) => t.name.length), 4);
    for (const tool of tools) {
      const access = tool.annotations?.readOnlyHint ? 'read-only' : 'can write';
      const description = (tool.description ?? '').replace(/\s+/g, ' ').trim();
      const short = description.length > 72 ? `${description.slice(0, 71)}…` : description;
      console.log(`     ${tool.name.padEnd(width)}  ${access.padEnd(9)}  ${short}`);
    }
    await transport.terminateSession().catch(() => {});
  } finally {
    await client.close();
  }
}

/**
 * Connects an MCP client through mcp.agentSession() and calls a tool; on the emulator, moves its
 * clock past the session token's expiry and calls again, showing the renewal.
 */
async function showAgentSession({ Client, StreamableHTTPClientTransport }, mcp, config) {
  const agent = await mcp.agentSession({ configId: config.id, identifier: USER, expirySeconds: 60 });
  const client = new Client({ name: 'scalekit-mcp-demo', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(agent.url), { fetch: agent.fetch });
  const tokenPath = `/api/v1/mcp/configs/${config.id}/tokens`;
  const minted = () => emulator.requests().filter((r) => r.path === tokenPath && r.status === 200).length;
  const before = emulator ? minted() : 0;
  try {
    await client.connect(transport);
    const { tools } = await client.listTools();
    console.log('   const agent = await mcp.agentSession({ configId, identifier, expirySeconds: 60 })');
    console.log('   new StreamableHTTPClientTransport(new URL(agent.url), { fetch: agent.fetch })');
    console.log(`   ${inspect(agent)}`);
    console.log(`   tools: ${tools.map((t) => t.name).join(', ')}`);
    const call = async () => {
      const result = await client.callTool({ name: 'gmail_fetch_mails', arguments: { query: 'is:unread' } });
      return result.isError ? 'a tool error' : `answered for ${result.structuredContent?.user ?? USER}`;
    };
    const first = (await agent.token()).expiresAt;
    console.log(`   gmail_fetch_mails: ${await call()} (token expires ${first})`);
    if (emulator) {
      emulator.advanceTime(61_000);
      console.log('   the emulator\'s clock moves 61 s on: the token has expired for the server');
      const answer = await call();
      const renewed = (await agent.token()).expiresAt;
      console.log(`   gmail_fetch_mails: ${answer}, same MCP session (token renewed, expires ${renewed}; tokens minted: ${minted() - before})`);
    } else {
      console.log('   the session renews its token before it runs out, and once more if the server refuses it');
    }
    await transport.terminateSession().catch(() => {});
  } finally {
    await client.close();
    await agent.close();
  }
}

try {
  console.log(live
    ? `Scalekit environment: ${process.env.SCALEKIT_ENV_URL}`
    : `No Scalekit credentials set: using the emulator at ${emulator.url}`);
  const mcp = ScalekitMcp.fromEnv();

  step(1, `MCP config "${CONFIG_NAME}" (once per agent role; kept as code with ensureConfig)`);
  const ensured = await mcp.ensureConfig({
    name: CONFIG_NAME,
    description: 'Reads email and creates calendar reminders',
    connectionToolMappings: [
      { connectionName: GMAIL, tools: ['gmail_fetch_mails'] },
      { connectionName: CALENDAR, tools: ['googlecalendar_create_event'] },
    ],
  }, { checkTools: true });
  const config = ensured.config;
  const changed = ensured.action === 'updated' ? ` (${ensured.changes.map((c) => c.kind).join(', ')})` : '';
  console.log(`   ${ensured.action} ${config.id}${changed}`);
  for (const m of config.connectionToolMappings) {
    console.log(`   ${m.connectionName} (${m.provider}): ${m.tools.length ? m.tools.join(', ') : 'all tools'}`);
  }

  step(2, `Instance for user "${USER}" (call on every login: idempotent)`);
  const instance = await mcp.ensureInstance({ configName: config.name, userIdentifier: USER });
  const again = await mcp.ensureInstance({ configName: config.name, userIdentifier: USER });
  console.log(`   ${instance.id} "${instance.name}" (second call: ${again.id === instance.id ? 'same instance' : 'a different instance?'})`);
  console.log(`   MCP URL ${shorten(instance.url)}  (pre-authenticated: keep it server-side)`);

  step(3, 'Connections the user must authorize');
  const state = await mcp.getInstanceAuthState({ instanceId: instance.id, includeAuthLinks: true });
  const pending = state.connections.filter((c) => c.connectedAccountStatus.toUpperCase() !== 'ACTIVE');
  for (const c of state.connections) {
    const link = c.authenticationLink ? `  link: ${c.authenticationLink}` : '';
    console.log(`   ${c.connectionName.padEnd(12)} ${c.connectedAccountStatus || 'no account'}${pending.includes(c) ? link : ''}`);
  }

  if (pending.length) {
    if (emulator) {
      console.log('   the user opens each link and grants access (played here by the emulator):');
      for (const c of pending) {
        const page = await fetch(c.authenticationLink);
        console.log(`     ${c.connectionName}: HTTP ${page.status}`);
      }
    } else {
      console.log('   open the links above as the user; waiting for every connection to be ACTIVE…');
    }
    const ready = await mcp.waitForAuth({ instanceId: instance.id }, {
      timeoutMs: 10 * 60_000,
      onPending: (s) => {
        const names = s.connections.filter((c) => c.connectedAccountStatus !== 'ACTIVE').map((c) => c.connectionName);
        console.log(`   still waiting for: ${names.join(', ')}`);
      },
    });
    console.log(`   all ${ready.connections.length} connections ACTIVE`);
  } else {
    console.log('   all connections already ACTIVE');
  }

  step(4, 'Session token for the virtual MCP server (mint one per agent run)');
  const session = await mcp.createSessionToken({ configId: config.id, identifier: USER, expirySeconds: 1800 });
  const minutes = Math.round((Date.parse(session.expiresAt) - Date.now()) / 60_000);
  console.log(`   token ${shorten(session.token)} expires ${session.expiresAt} (in ${minutes} min)`);
  console.log(`   server ${config.mcpServerUrl ? shorten(config.mcpServerUrl) : '(virtual MCP server URLs are not enabled in this environment)'}`);

  console.log('\nHand the agent either URL:');
  console.log(`   per-user URL     ${shorten(instance.url)}`);
  console.log(`   virtual server   ${config.mcpServerUrl ? shorten(config.mcpServerUrl) : '-'} with "Authorization: Bearer <token>"`);

  step(5, 'What the agent sees: an MCP client on each URL');
  const sdk = await loadMcpSdk();
  if (!sdk) {
    console.log('   skipped: @modelcontextprotocol/sdk is not installed (npm install --save-dev @modelcontextprotocol/sdk)');
  } else {
    await showTools(sdk, 'per-user URL', instance.url);
    if (config.mcpServerUrl) {
      await showTools(sdk, 'virtual server + session token', config.mcpServerUrl, session.token);
    }
  }

  step(6, 'The agent session: what an agent framework is given (url + a fetch that keeps the token fresh)');
  if (!sdk || !config.mcpServerUrl) {
    console.log(`   skipped: ${sdk ? 'this environment has no virtual MCP server URLs' : '@modelcontextprotocol/sdk is not installed'}`);
  } else {
    await showAgentSession(sdk, mcp, config);
  }
} catch (err) {
  console.error(`\ndemo failed: ${err.name}: ${err.message}${err.traceId ? ` (trace ${err.traceId})` : ''}`);
  process.exitCode = 1;
} finally {
  await emulator?.close();
}
