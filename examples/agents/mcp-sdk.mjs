// The MCP TypeScript SDK (@modelcontextprotocol/sdk): the transport's `fetch` option.
//   npm install && npm run mcp-sdk
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { callTwice, seedFlow } from './setup.mjs';

const flow = await seedFlow('MCP TypeScript SDK');
const { mcp, config, identifier, show } = flow;
try {
  const session = await mcp.agentSession({ configId: config.id, identifier });
  const client = new Client({ name: 'my-agent', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(session.url), { fetch: session.fetch });
  await client.connect(transport);

  const { tools } = await client.listTools();
  show('tools', tools.map((t) => t.name).join(', '));
  await callTwice(flow, async (args) => (await client.callTool({ name: 'gmail_fetch_mails', arguments: args })).structuredContent);

  await transport.terminateSession();
  await client.close();
  await session.close();
} finally {
  await flow.close();
}
