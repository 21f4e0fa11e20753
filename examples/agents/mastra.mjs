// Mastra (@mastra/mcp): the server definition's `fetch` option. The tools go to
// new Agent({ name, instructions, model, tools }).
//   npm install && npm run mastra
import { MCPClient } from '@mastra/mcp';
import { callTwice, seedFlow } from './setup.mjs';

const flow = await seedFlow('Mastra');
const { mcp, config, identifier, show } = flow;
try {
  const session = await mcp.agentSession({ configId: config.id, identifier });
  const client = new MCPClient({ servers: { scalekit: { url: new URL(session.url), fetch: session.fetch } } });
  const tools = await client.listTools(); // named <server>_<tool>

  show('tools', Object.keys(tools).join(', '));
  await callTwice(flow, (args) => tools.scalekit_gmail_fetch_mails.execute(args));

  await client.disconnect();
  await session.close();
} finally {
  await flow.close();
}
