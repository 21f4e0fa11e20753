// Uses every method, option and result of the client; must compile with `tsc --strict`.
import {
  ScalekitMcp, ScalekitError, ValidationError, NotFoundError, RateLimitError, AuthTimeoutError,
  type McpConfig, type McpInstance, type InstanceAuthState, type ConnectedAccounts, type SessionToken,
  type ListConfigsResult, type ListInstancesResult,
  type AgentSession, type AgentSessionSummary,
} from 'scalekit-mcp';

export async function flow(): Promise<string> {
  const mcp = new ScalekitMcp({ envUrl: 'https://acme.scalekit.dev', clientId: 'id', clientSecret: 'secret', timeoutMs: 5000, maxRetries: 1 });
  const fromEnv: ScalekitMcp = ScalekitMcp.fromEnv({ timeoutMs: 1000 });
  const controller = new AbortController();
  const opts = { signal: controller.signal, timeoutMs: 2000 };

  const config: McpConfig = await mcp.createConfig({
    name: 'email-calendar',
    description: 'mail and calendar',
    connectionToolMappings: [{ connectionName: 'gmail', tools: ['gmail_fetch_mails'] }, { connectionName: 'googlecalendar' }],
  }, opts);
  const id: string = config.id;
  const url: string = config.mcpServerUrl;
  const tools: string[] = config.connectionToolMappings[0]?.tools ?? [];
  const provider: string | undefined = config.connectionToolMappings[0]?.provider;

  const listed: ListConfigsResult = await mcp.listConfigs({ filter: { name: 'email-calendar', provider: 'GMAIL' }, search: 'mail', pageSize: 30 });
  const total: number = listed.totalSize;
  const next: string = listed.nextPageToken;
  for await (const c of mcp.configs({ pageSize: 10 }, { signal: controller.signal })) {
    const n: string = c.name;
    void n;
  }
  await mcp.getConfig(id);
  await mcp.updateConfig({ configId: id, description: 'new' });
  const accounts: ConnectedAccounts = await mcp.listConnectedAccounts({ configId: id, identifier: 'u', includeAuthLink: true });
  const active: boolean = accounts.allActive;
  const link: string | undefined = accounts.connectedAccounts[0]?.authenticationLink;

  const instance: McpInstance = await mcp.ensureInstance({ configName: 'email-calendar', userIdentifier: 'user_123' });
  await mcp.ensureInstance({ configName: 'email-calendar', userIdentifier: 'user_123', name: 'daily' }, { timeoutMs: 100 });
  const lastUsed: string | null = instance.lastUsedAt;
  const instances: ListInstancesResult = await mcp.listInstances({ filter: { userIdentifier: 'user_123' } });
  for await (const i of mcp.instances({ filter: { configName: 'email-calendar' } })) void i.url;
  await mcp.updateInstance({ instanceId: instance.id, name: 'renamed' });
  const state: InstanceAuthState = await mcp.getInstanceAuthState({ instanceId: instance.id, includeAuthLinks: true });
  const status: string | undefined = state.connections[0]?.connectedAccountStatus;
  const ready: InstanceAuthState = await mcp.waitForAuth({ instanceId: instance.id }, {
    timeoutMs: 60_000, pollIntervalMs: 1000, includeAuthLinks: true,
    onPending: (s) => { void s.connections.length; },
  });
  const readyForUser: ConnectedAccounts = await mcp.waitForAuth({ configId: id, identifier: 'u' });

  const token: SessionToken = await mcp.createSessionToken({ configId: id, identifier: 'user_123', expirySeconds: 3600, accessLevel: 'READ_ONLY' });
  await mcp.createConnectionSessionToken({ connectionName: 'gmail', identifier: 'user_123', accessLevel: 'FULL' });
  await mcp.deleteInstance(instance.id);
  const deleted: void = await mcp.deleteConfig(id);

  try {
    await mcp.getConfig('missing');
  } catch (err) {
    if (err instanceof NotFoundError) { const s: number | null = err.status; const t: string | null = err.traceId; void s; void t; }
    if (err instanceof ValidationError) { const f: string | null = err.field; void f; }
    if (err instanceof RateLimitError) { const ms: number | null = err.retryAfterMs; void ms; }
    if (err instanceof AuthTimeoutError) { void err.state; }
    if (err instanceof ScalekitError) { const c: string = err.code; const e: string | null = err.errorCode; void c; void e; }
  }
  void [fromEnv, url, tools, provider, total, next, active, link, lastUsed, instances, status, ready, readyForUser, deleted];
  return token.token + token.expiresAt;
}

// Agent sessions: each kind, detached members, and the framework `fetch` shapes they must fit.
type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;
export async function agents(mcp: ScalekitMcp): Promise<string> {
  const session: AgentSession<'config'> = await mcp.agentSession({
    configId: 'cfg_1', identifier: 'user_123', expirySeconds: 900, accessLevel: 'READ_ONLY', renewBeforeMs: 30_000,
    fetch: (input, init) => fetch(input, init),
  }, { timeoutMs: 5000 });
  const { url, fetch: agentFetch } = session;
  const sdkFetch: FetchLike = agentFetch;
  const globalLike: typeof fetch = session.fetch;
  const headers: Record<string, string> = await session.headers();
  const minted: SessionToken = await session.token();
  const connection = await mcp.agentSession({ connectionName: 'gmail', identifier: 'user_123', url: 'https://x.example/mcp' });
  const kind: 'connection' = connection.kind;
  const instance = await mcp.agentSession({ instanceId: 'inst_1' });
  const none: null = await instance.token();
  const summary: AgentSessionSummary = instance.toJSON();
  const closed: boolean = session.closed;
  await Promise.all([session.close(), connection.close(), instance.close()]);
  void [sdkFetch, globalLike, headers, kind, none, summary, closed];
  return url + minted.expiresAt;
}
