// Shared pieces of the agent-session tests: a seeded config, what the emulator's request log says
// about mints, refusals and MCP sessions, and each agent framework's own MCP client behind one
// small interface ({ list, call, close }).
import { readFileSync } from 'node:fs';
import { uniqueName } from './helpers.mjs';

export const USER = 'john-doe';
/** The config's whitelist: three of the two connections' twelve tools. */
export const WHITELIST = ['gmail_fetch_mails', 'gmail_search', 'googlecalendar_list_events'];

/** A config with the whitelist and USER's accounts ACTIVE. */
export async function seedConfig(emulator, mcp, tools = WHITELIST) {
  const config = await mcp.createConfig({
    name: uniqueName('agents'),
    connectionToolMappings: [
      { connectionName: 'MY_GMAIL', tools: tools.filter((t) => t.startsWith('gmail_')) },
      { connectionName: 'MY_CALENDAR', tools: tools.filter((t) => t.startsWith('googlecalendar_')) },
    ],
  });
  for (const connectionName of ['MY_GMAIL', 'MY_CALENDAR']) {
    emulator.setAccountStatus({ connectionName, identifier: USER, status: 'ACTIVE' });
  }
  return config;
}

/** What the request log says about one MCP URL and the tokens minted for it. */
export function logOf(emulator, mcpUrl, tokenPath) {
  const path = new URL(mcpUrl).pathname;
  const mcpRequests = () => emulator.requests().filter((r) => r.path === path);
  return {
    /** Session tokens minted (answered 200) at `tokenPath`. */
    mints: () => emulator.requests().filter((r) => r.path === tokenPath && r.method === 'POST' && r.status === 200).length,
    /** MCP requests refused with 401. */
    refusals: () => mcpRequests().filter((r) => r.status === 401).length,
    /** Tool calls answered 200. */
    toolCalls: () => mcpRequests().filter((r) => r.body?.method === 'tools/call' && r.status === 200).length,
    /** initialize requests answered 200. */
    initializes: () => mcpRequests().filter((r) => r.body?.method === 'initialize' && r.status === 200).length,
    /** The distinct Mcp-Session-Id values sent. */
    sessionIds: () => new Set(mcpRequests().map((r) => r.headers['mcp-session-id']).filter(Boolean)),
    requests: mcpRequests,
  };
}

export const configTokenPath = (configId) => `/api/v1/mcp/configs/${configId}/tokens`;

const root = new URL('../../', import.meta.url);
/** The version of the package installed as node_modules/<folder>. */
export function versionOf(folder) {
  return JSON.parse(readFileSync(new URL(`node_modules/${folder}/package.json`, root), 'utf8')).version;
}

/** A tool result's structured content, from the object or, failing that, its JSON text. */
function structured(result, framework) {
  if (result?.isError) throw new Error(`${framework}: tool error ${JSON.stringify(result.content)}`);
  if (result?.structuredContent) return result.structuredContent;
  const content = Array.isArray(result) ? result : result?.content;
  const text = content?.find?.((c) => c.type === 'text')?.text;
  if (typeof text !== 'string') throw new Error(`${framework}: no text content in ${JSON.stringify(result)}`);
  return JSON.parse(text);
}

/** The MCP TypeScript SDK: Client + StreamableHTTPClientTransport with the session's fetch. */
export async function mcpSdk(session) {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const client = new Client({ name: 'agents-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(session.url), { fetch: session.fetch });
  await client.connect(transport);
  return {
    list: async () => (await client.listTools()).tools.map((t) => t.name),
    call: async (name, args = {}) => structured(await client.callTool({ name, arguments: args }), 'mcp-sdk'),
    close: async () => {
      await transport.terminateSession().catch(() => {});
      await client.close();
    },
  };
}

/** The Vercel AI SDK's MCP client (`@ai-sdk/mcp`, or the 1.x alias): its http transport's fetch. */
function aiSdk(specifier) {
  return async (session) => {
    const { createMCPClient } = await import(specifier);
    const client = await createMCPClient({ transport: { type: 'http', url: session.url, fetch: session.fetch } });
    let tools = null;
    let calls = 0;
    return {
      list: async () => {
        tools = await client.tools();
        return Object.keys(tools);
      },
      call: async (name, args) => {
        tools ??= await client.tools();
        calls += 1;
        return structured(await tools[name].execute(args, { toolCallId: `call_${calls}`, messages: [] }), specifier);
      },
      close: () => client.close(),
    };
  };
}

/** The OpenAI Agents SDK: MCPServerStreamableHttp with the session's fetch, served to an Agent. */
async function openAiAgents(session) {
  const { Agent, MCPServerStreamableHttp } = await import('@openai/agents');
  const server = new MCPServerStreamableHttp({ name: 'scalekit', url: session.url, fetch: session.fetch });
  await server.connect();
  const agent = new Agent({ name: 'assistant', instructions: 'Help with email.', mcpServers: [server] });
  return {
    // what the agent itself would be given: its MCP servers' tools
    list: async () => (await agent.getMcpTools({ context: {} })).map((t) => t.name),
    call: async (name, args) => structured(await server.callTool(name, args), '@openai/agents'),
    close: () => server.close(),
  };
}

export const FRAMEWORKS = [
  { name: '@modelcontextprotocol/sdk', version: () => versionOf('@modelcontextprotocol/sdk'), connect: mcpSdk },
  { name: '@ai-sdk/mcp', version: () => versionOf('@ai-sdk/mcp'), connect: aiSdk('@ai-sdk/mcp') },
  { name: '@ai-sdk/mcp 1.x', version: () => versionOf('ai-sdk-mcp-1'), connect: aiSdk('ai-sdk-mcp-1') },
  { name: '@openai/agents', version: () => versionOf('@openai/agents'), connect: openAiAgents },
];
