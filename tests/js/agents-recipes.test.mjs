// The recipes under examples/agents, run as a user runs them, against the emulator they start:
// each connects its framework through agentSession, lists the config's two tools, calls one, and
// calls it again after the emulator's clock has passed the session token's expiry (two mints).
// The MCP SDK, AI SDK and OpenAI Agents recipes use this checkout's dev dependencies; LangChain
// and Mastra, at the versions examples/agents/package.json pins, are installed from the registry
// into the tool cache the runtime suites use (about 15 s the first time, 230 MB).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureInstalled, exampleManifest } from '../runtimes/tools.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const hook = fileURLToPath(new URL('./agents-recipes-resolve.mjs', import.meta.url));
let deps;

const RECIPES = [
  { file: 'mcp-sdk.mjs', title: 'MCP TypeScript SDK', tools: 'gmail_fetch_mails, googlecalendar_list_events' },
  { file: 'ai-sdk.mjs', title: 'Vercel AI SDK', tools: 'gmail_fetch_mails, googlecalendar_list_events' },
  { file: 'openai-agents.mjs', title: 'OpenAI Agents SDK', tools: 'gmail_fetch_mails, googlecalendar_list_events' },
  { file: 'langchain.mjs', title: 'LangChain.js', tools: 'gmail_fetch_mails, googlecalendar_list_events' },
  { file: 'mastra.mjs', title: 'Mastra', tools: 'scalekit_gmail_fetch_mails, scalekit_googlecalendar_list_events' },
];

function run(file) {
  return new Promise((resolve) => {
    const env = { ...process.env, SCALEKIT_MCP_RECIPE_DEPS: deps };
    for (const v of ['SCALEKIT_ENV_URL', 'SCALEKIT_CLIENT_ID', 'SCALEKIT_CLIENT_SECRET']) delete env[v];
    const child = spawn(process.execPath, ['--import', hook, `examples/agents/${file}`], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill(), 60_000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });
}

/** The recipes' dependencies that are not dev dependencies of the package. */
before(async () => {
  const manifest = exampleManifest('agents', {});
  const own = ['@langchain/mcp-adapters', '@langchain/core', '@langchain/langgraph', '@mastra/mcp', '@mastra/core', 'zod'];
  manifest.dependencies = Object.fromEntries(Object.entries(manifest.dependencies).filter(([name]) => own.includes(name)));
  ({ dir: deps } = await ensureInstalled('agent-recipes', manifest));
});

for (const recipe of RECIPES) {
  test(`examples/agents/${recipe.file} runs against the emulator and carries on past the token's expiry`, async () => {
    const { code, out } = await run(recipe.file);
    assert.equal(code, 0, out);
    const lines = out.trim().split('\n');
    assert.match(lines[0], new RegExp(`^${recipe.title}, against the emulator \\(http://127\\.0\\.0\\.1:\\d+\\)$`));
    assert.deepEqual(lines.slice(1), [
      `  tools: ${recipe.tools}`,
      '  gmail_fetch_mails: answered for user_123',
      '  61 minutes later, gmail_fetch_mails: answered for user_123 (session tokens minted: 2)',
    ]);
  });
}
