// The seed flow each recipe starts from, so that a recipe file holds only what is particular to
// its framework: a config whose tools the agent gets, and the user's connections ACTIVE.
//
// With SCALEKIT_ENV_URL, SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET set, it uses your Scalekit
// environment (connections MY_GMAIL and MY_CALENDAR, or RECIPE_GMAIL / RECIPE_CALENDAR) and waits
// for you to open the authorization links it prints. Otherwise it starts the package's emulator
// on 127.0.0.1, plays the user's part, and can move the emulator's clock past the session
// token's expiry, so that each recipe shows its framework carrying on with a renewed token.
import { ScalekitMcp, ConflictError } from 'scalekit-mcp';

export const USER = process.env.RECIPE_USER ?? 'user_123';
const GMAIL = process.env.RECIPE_GMAIL ?? 'MY_GMAIL';
const CALENDAR = process.env.RECIPE_CALENDAR ?? 'MY_CALENDAR';
const CONFIG_NAME = 'agent-recipes';
const live = ['SCALEKIT_ENV_URL', 'SCALEKIT_CLIENT_ID', 'SCALEKIT_CLIENT_SECRET'].every((v) => process.env[v]);

export async function seedFlow(recipe) {
  let emulator = null;
  let mcp;
  if (live) {
    mcp = ScalekitMcp.fromEnv();
  } else {
    const { startEmulator } = await import('scalekit-mcp/emulator');
    emulator = await startEmulator();
    mcp = new ScalekitMcp({ envUrl: emulator.url, clientId: emulator.clientId, clientSecret: emulator.clientSecret });
  }
  console.log(`${recipe}, against ${live ? `Scalekit (${mcp.envUrl})` : `the emulator (${emulator.url})`}`);

  let config;
  try {
    config = await mcp.createConfig({
      name: CONFIG_NAME,
      description: 'Reads email and calendar events',
      connectionToolMappings: [
        { connectionName: GMAIL, tools: ['gmail_fetch_mails'] },
        { connectionName: CALENDAR, tools: ['googlecalendar_list_events'] },
      ],
    });
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    [config] = (await mcp.listConfigs({ filter: { name: CONFIG_NAME } })).configs;
  }

  const accounts = await mcp.listConnectedAccounts({ configId: config.id, identifier: USER, includeAuthLink: true });
  for (const account of accounts.connectedAccounts) {
    if (account.connectedAccountStatus === 'ACTIVE') continue;
    if (emulator) emulator.authorize(account.authenticationLink);
    else console.log(`  open as ${USER}: ${account.connectionName} ${account.authenticationLink}`);
  }
  await mcp.waitForAuth({ configId: config.id, identifier: USER }, { timeoutMs: 10 * 60_000 });

  const tokenPath = `/api/v1/mcp/configs/${config.id}/tokens`;
  return {
    mcp,
    config,
    identifier: USER,
    /** What the recipe shows: `session` as it prints, the tools, and each call's outcome. */
    show: (label, value) => console.log(`  ${label}: ${value}`),
    /**
     * Emulator only (null otherwise): moves the emulator's clock `ms` forward, past the session
     * token's expiry, and answers how many session tokens were minted so far.
     */
    later: emulator
      ? (ms) => {
          emulator.advanceTime(ms);
          return () => emulator.requests().filter((r) => r.path === tokenPath && r.status === 200).length;
        }
      : null,
    close: async () => {
      await emulator?.close();
    },
  };
}

/**
 * The part every recipe shares once its framework is connected: call a tool, and on the emulator
 * call it again an hour and a minute later, when the first session token has expired.
 */
export async function callTwice({ show, later }, call) {
  const first = await call({ query: 'is:unread' });
  show('gmail_fetch_mails', describe(first));
  if (!later) return;
  const minted = later(61 * 60_000);
  const second = await call({ query: 'is:starred' });
  show('61 minutes later, gmail_fetch_mails', `${describe(second)} (session tokens minted: ${minted()})`);
}

/** One line for a tool result, whatever shape the framework hands it back in. */
function describe(result) {
  const text = typeof result === 'string' ? result : JSON.stringify(result);
  const user = /"user\\?":\\?"([^"\\]+)/.exec(text)?.[1];
  return user ? `answered for ${user}` : text.slice(0, 120);
}
