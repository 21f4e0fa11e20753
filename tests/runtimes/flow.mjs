// The seed flow, written with web-standard APIs only (fetch, URL, crypto.getRandomValues), so that
// Node, Deno, Bun, workerd and an edge bundle all run the very same code against the emulator.
// It checks what it can on the spot and returns a report that the Node side checks in depth
// (ids, statuses, the request log, the JWT signature and claims).

class FlowError extends Error {
  constructor(message) {
    super(message);
    this.name = 'FlowError';
  }
}

function check(condition, message) {
  if (!condition) throw new FlowError(message);
}

function randomTag() {
  const bytes = new Uint8Array(4);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** What the code sees of its runtime, for the report. */
export function describeRuntime() {
  const g = globalThis;
  return {
    node: g.process?.versions?.node ?? null,
    deno: g.Deno?.version?.deno ?? null,
    bun: g.Bun?.version ?? null,
    edgeRuntime: typeof g.EdgeRuntime === 'string' ? g.EdgeRuntime : null,
    userAgent: typeof g.navigator?.userAgent === 'string' ? g.navigator.userAgent : null,
    hasWindow: typeof g.window !== 'undefined',
    hasDocument: typeof g.document !== 'undefined',
    webSocketPair: typeof g.WebSocketPair === 'function',
  };
}

/** The error fields the report carries (never the message of a secret-bearing object). */
function errorView(err) {
  return {
    name: err?.name ?? null,
    code: err?.code ?? null,
    status: err?.status ?? null,
    field: err?.field ?? null,
    message: typeof err?.message === 'string' ? err.message : String(err),
  };
}

async function expectRejection(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new FlowError('expected a rejection, got a result');
}

/**
 * Runs createConfig, ensureInstance twice, getInstanceAuthState with links, the user opening each
 * link, getInstanceAuthState again, createSessionToken; then one ValidationError and one
 * NotFoundError, to show the error classes work in this runtime too.
 *
 * @param {object} api    the module namespace of `scalekit-mcp` as this runtime loaded it
 * @param {{ envUrl: string, clientId: string, clientSecret: string, tag: string }} options
 */
export async function seedFlow(api, { envUrl, clientId, clientSecret, tag }) {
  const { ScalekitMcp } = api;
  const mcp = new ScalekitMcp({ envUrl, clientId, clientSecret });
  const name = `rt-${tag}-${randomTag()}`;
  const user = `user-${tag}-${randomTag()}@example.com`;

  const config = await mcp.createConfig({
    name,
    description: `seed flow in ${tag}`,
    connectionToolMappings: [
      { connectionName: 'MY_GMAIL', tools: ['gmail_fetch_mails'] },
      { connectionName: 'MY_CALENDAR', tools: ['googlecalendar_create_event'] },
    ],
  });
  check(config.name === name, `config name ${config.name}`);

  const first = await mcp.ensureInstance({ configName: name, userIdentifier: user });
  const second = await mcp.ensureInstance({ configName: name, userIdentifier: user });
  check(first.id === second.id, `ensureInstance gave ${first.id} then ${second.id}`);

  const pending = await mcp.getInstanceAuthState({ instanceId: first.id, includeAuthLinks: true });
  check(pending.allActive === false, 'a new user has no active connection');

  // The user opens each link and grants access.
  const linkStatuses = [];
  for (const c of pending.connections) {
    const page = await fetch(c.authenticationLink);
    await page.text();
    linkStatuses.push(page.status);
  }

  const ready = await mcp.getInstanceAuthState({ instanceId: first.id, includeAuthLinks: false });
  check(ready.allActive === true, `after authorizing, allActive is ${ready.allActive}`);

  const session = await mcp.createSessionToken({
    configId: config.id,
    identifier: user,
    expirySeconds: 900,
    accessLevel: 'READ_ONLY',
  });
  check(typeof session.token === 'string' && session.token.split('.').length === 3, 'a session token is a JWT');

  const invalid = await expectRejection(mcp.createConfig({ name: 'Not A Valid Name!' }));
  const missing = await expectRejection(mcp.getConfig('cfg_does_not_exist'));

  return {
    runtime: describeRuntime(),
    user,
    config: {
      id: config.id,
      name: config.name,
      mcpServerUrl: config.mcpServerUrl,
      connections: config.connectionToolMappings.map((m) => [m.connectionName, m.tools]),
    },
    instance: { id: first.id, againId: second.id, url: first.url, againUrl: second.url, configId: first.config.id },
    pending: {
      allActive: pending.allActive,
      connections: pending.connections.map((c) => ({
        connectionName: c.connectionName,
        status: c.connectedAccountStatus,
        link: c.authenticationLink,
      })),
    },
    linkStatuses,
    ready: {
      allActive: ready.allActive,
      connections: ready.connections.map((c) => ({ connectionName: c.connectionName, status: c.connectedAccountStatus })),
    },
    session,
    errors: {
      validation: {
        ...errorView(invalid),
        isClass: invalid instanceof api.ValidationError,
        isBase: invalid instanceof api.ScalekitError,
      },
      notFound: {
        ...errorView(missing),
        isClass: missing instanceof api.NotFoundError,
        isBase: missing instanceof api.ScalekitError,
      },
    },
  };
}

/** A failure as JSON for the Node side, with the runtime it happened in. */
export function failureReport(err) {
  return { failed: true, runtime: describeRuntime(), error: errorView(err), stack: err?.stack ?? null };
}
