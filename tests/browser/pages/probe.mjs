// What the browser tests ask of the package in one browser context (a window or a worker).
// `refusals` must send nothing; `allowed` opts in and makes real calls to the emulator.

const NOT_A_BROWSER = { versions: { node: '20.0.0' }, env: {} };

export function describeContext() {
  const g = globalThis;
  return {
    hasWindow: typeof g.window !== 'undefined',
    hasDocument: typeof g.document !== 'undefined',
    workerGlobalScope: typeof g.WorkerGlobalScope,
    importScripts: typeof g.importScripts,
    constructorName: g.constructor?.name ?? null,
  };
}

function errorView(err, api) {
  return {
    name: err?.name ?? null,
    code: err?.code ?? null,
    status: err?.status ?? null,
    message: typeof err?.message === 'string' ? err.message : String(err),
    isBrowserEnvironmentError: err instanceof api.BrowserEnvironmentError,
    isScalekitError: err instanceof api.ScalekitError,
    isError: err instanceof Error,
    json: (() => { try { return JSON.stringify(err); } catch { return null; } })(),
    stack: typeof err?.stack === 'string' ? err.stack : '',
  };
}

async function settle(fn, api) {
  try {
    const value = await fn();
    return { resolved: true, value: value === undefined ? null : value };
  } catch (err) {
    return errorView(err, api);
  }
}

/** A client holding a secret: the constructor refuses; so does every method of a client that
 *  was built while the page pretended to be Node (`process.versions.node`), once it no longer does. */
export async function refusals(api, creds) {
  const constructed = await settle(() => {
    new api.ScalekitMcp(creds);
    return 'constructed';
  }, api);
  const withFalse = await settle(() => {
    new api.ScalekitMcp({ ...creds, dangerouslyAllowBrowser: false });
    return 'constructed';
  }, api);

  const hadProcess = 'process' in globalThis;
  globalThis.process = NOT_A_BROWSER;
  let client;
  try {
    client = new api.ScalekitMcp(creds);
  } finally {
    if (!hadProcess) delete globalThis.process;
  }
  const calls = {
    createConfig: () => client.createConfig({ name: 'never-sent', connectionToolMappings: [{ connectionName: 'MY_GMAIL' }] }),
    ensureInstance: () => client.ensureInstance({ configName: 'never-sent', userIdentifier: 'u1' }),
    getInstanceAuthState: () => client.getInstanceAuthState({ instanceId: 'inst_1', includeAuthLinks: true }),
    createSessionToken: () => client.createSessionToken({ configId: 'cfg_1', identifier: 'u1', expirySeconds: 600 }),
    listConfigs: () => client.listConfigs(),
    deleteInstance: () => client.deleteInstance('inst_1'),
    waitForAuth: () => client.waitForAuth({ instanceId: 'inst_1' }, { timeoutMs: 2000 }),
    configsIterator: () => client.configs().next(),
  };
  const methods = {};
  for (const [name, call] of Object.entries(calls)) methods[name] = await settle(call, api);
  return { context: describeContext(), constructed, withFalse, methods };
}

/** With `dangerouslyAllowBrowser: true` the page talks to the emulator (cross-origin, CORS). */
export async function allowed(api, creds, name) {
  const mcp = new api.ScalekitMcp({ ...creds, dangerouslyAllowBrowser: true });
  const result = await settle(async () => {
    const config = await mcp.createConfig({ name, connectionToolMappings: [{ connectionName: 'MY_GMAIL', tools: ['gmail_fetch_mails'] }] });
    const instance = await mcp.ensureInstance({ configName: name, userIdentifier: 'browser-user@example.com' });
    return { configId: config.id, configName: config.name, instanceId: instance.id, instanceConfigId: instance.config.id };
  }, api);
  return { context: describeContext(), result };
}
