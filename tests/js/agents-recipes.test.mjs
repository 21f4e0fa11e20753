// The recipes under examples/agents, run as a user runs them, against the emulator they start:
// each connects its framework through agentSession, lists the config's two tools, calls one, and
// calls it again after the emulator's clock has passed the session token's expiry (two mints).
// The MCP SDK, AI SDK and OpenAI Agents recipes use this checkout's dev dependencies; LangChain
// and Mastra, at the versions examples/agents/package.json pins, are installed from the registry
// into the tool cache the runtime suites use (about 15 s the first time, 230 MB).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { run } from '../runtimes/consumer.mjs';
import { ensureInstalled, recipeTool } from '../runtimes/tools.mjs';

const hook = fileURLToPath(new URL('./agents-recipes-resolve.mjs', import.meta.url));
let deps;

const RECIPES = [
  { file: 'mcp-sdk.mjs', title: 'MCP TypeScript SDK', tools: 'gmail_fetch_mails, googlecalendar_list_events' },
  { file: 'ai-sdk.mjs', title: 'Vercel AI SDK', tools: 'gmail_fetch_mails, googlecalendar_list_events' },
  { file: 'openai-agents.mjs', title: 'OpenAI Agents SDK', tools: 'gmail_fetch_mails, googlecalendar_list_events' },
  { file: 'langchain.mjs', title: 'LangChain.js', tools: 'gmail_fetch_mails, googlecalendar_list_events' },
  { file: 'mastra.mjs', title: 'Mastra', tools: 'scalekit_gmail_fetch_mails, scalekit_googlecalendar_list_events' },
];

/** Runs a recipe as a user would, with no Scalekit environment set: it starts the emulator itself. */
function runRecipe(file) {
  const env = { SCALEKIT_MCP_RECIPE_DEPS: deps, SCALEKIT_ENV_URL: undefined, SCALEKIT_CLIENT_ID: undefined, SCALEKIT_CLIENT_SECRET: undefined };
  return run(process.execPath, ['--import', hook, `examples/agents/${file}`], { env, timeoutMs: 60_000 });
}

before(async () => {
  const { name, manifest } = recipeTool();
  ({ dir: deps } = await ensureInstalled(name, manifest));
});

for (const recipe of RECIPES) {
  test(`examples/agents/${recipe.file} runs against the emulator and carries on past the token's expiry`, async () => {
    const { code, stdout, stderr } = await runRecipe(recipe.file);
    assert.equal(code, 0, `${stdout}\n${stderr}`);
    const lines = stdout.trim().split('\n');
    assert.match(lines[0], new RegExp(`^${recipe.title}, against the emulator \\(http://127\\.0\\.0\\.1:\\d+\\)$`));
    assert.deepEqual(lines.slice(1), [
      `  tools: ${recipe.tools}`,
      '  gmail_fetch_mails: answered for user_123',
      '  61 minutes later, gmail_fetch_mails: answered for user_123 (session tokens minted: 2)',
    ]);
  });
}
