// LangChain.js (@langchain/mcp-adapters): loadMcpTools() over an MCP SDK client that has the
// session's `fetch` (MultiServerMCPClient takes only static headers, which cannot renew). The
// tools are LangChain tools for createAgent({ model, tools }) or a LangGraph agent.
//   npm install && npm run langchain
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { loadMcpTools } from '@langchain/mcp-adapters';
import { callTwice, seedFlow } from './setup.mjs';

const flow = await seedFlow('LangChain.js');
const { mcp, config, identifier, show } = flow;
try {
  const session = await mcp.agentSession({ configId: config.id, identifier });
  const client = new Client({ name: 'my-agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(session.url), { fetch: session.fetch }));
  const tools = await loadMcpTools('scalekit', client);

  show('tools', tools.map((t) => t.name).join(', '));
  const fetchMails = tools.find((t) => t.name === 'gmail_fetch_mails');
  await callTwice(flow, (args) => fetchMails.invoke(args));

  await client.close();
  await session.close();
} finally {
  await flow.close();
}
