// The OpenAI Agents SDK (@openai/agents): MCPServerStreamableHttp's `fetch` option. With
// OPENAI_API_KEY set, `await run(agent, 'Summarise my unread email')` lets the model call them.
//   npm install && npm run openai-agents
import { Agent, MCPServerStreamableHttp } from '@openai/agents';
import { callTwice, seedFlow } from './setup.mjs';

const flow = await seedFlow('OpenAI Agents SDK');
const { mcp, config, identifier, show } = flow;
try {
  const session = await mcp.agentSession({ configId: config.id, identifier });
  const server = new MCPServerStreamableHttp({ name: 'scalekit', url: session.url, fetch: session.fetch });
  await server.connect();
  const agent = new Agent({ name: 'Assistant', instructions: 'You read the user\'s email and calendar.', mcpServers: [server] });

  show('tools', (await agent.getMcpTools({ context: {} })).map((t) => t.name).join(', '));
  await callTwice(flow, (args) => server.callTool('gmail_fetch_mails', args));

  await server.close();
  await session.close();
} finally {
  await flow.close();
}
