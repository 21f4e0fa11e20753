// The Vercel AI SDK (@ai-sdk/mcp): the http transport's `fetch` option. The tools go to
// generateText / streamText as they are: generateText({ model, tools, prompt }).
//   npm install && npm run ai-sdk
import { createMCPClient } from '@ai-sdk/mcp';
import { callTwice, seedFlow } from './setup.mjs';

const flow = await seedFlow('Vercel AI SDK');
const { mcp, config, identifier, show } = flow;
try {
  const session = await mcp.agentSession({ configId: config.id, identifier });
  const client = await createMCPClient({ transport: { type: 'http', url: session.url, fetch: session.fetch } });
  const tools = await client.tools();

  show('tools', Object.keys(tools).join(', '));
  let calls = 0;
  await callTwice(flow, (args) => tools.gmail_fetch_mails.execute(args, { toolCallId: `call_${++calls}`, messages: [] }));

  await client.close();
  await session.close();
} finally {
  await flow.close();
}
