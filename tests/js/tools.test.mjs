// Choosing tools and keeping configs in code: listTools and its iterator over the tools API,
// mapping checks against the catalogue, and ensureConfig's created / updated / unchanged, under
// concurrency and with dryRun, against the emulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from 'scalekit-mcp';
import { startEmulator, clientFor, uniqueName, failure, sharedEmulator } from './helpers.mjs';

const { ValidationError, NotFoundError } = api;
let emulator;
let mcp;

sharedEmulator((e) => {
  emulator = e;
  mcp = clientFor(api, emulator);
});

const toolRequests = () => emulator.requests().filter((r) => r.path === '/api/v1/tools');
const writes = () => emulator.requests().filter((r) => r.path.startsWith('/api/v1/mcp/configs') && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method));

test('listTools: a tool as the MCP server lists it, with its schema and hints', async () => {
  const page = await mcp.listTools({ filter: { connector: 'MY_GMAIL' } });
  assert.deepEqual(Object.keys(page).sort(), ['nextPageToken', 'prevPageToken', 'toolNames', 'tools', 'totalSize']);
  const tool = page.tools.find((t) => t.name === 'gmail_fetch_mails');
  assert.ok(tool, page.toolNames.join(','));
  assert.deepEqual(Object.keys(tool).sort(), ['annotations', 'description', 'id', 'inputSchema', 'isDefault', 'name', 'provider', 'tags', 'updatedAt']);
  assert.equal(tool.provider, 'GMAIL');
  assert.equal(tool.inputSchema.type, 'object');
  assert.equal(tool.annotations.readOnlyHint, true);
  assert.equal(typeof tool.annotations.title, 'string');
  assert.ok(page.toolNames.includes('gmail_send_mail'));
  const send = page.tools.find((t) => t.name === 'gmail_send_mail');
  assert.equal(send.annotations.readOnlyHint, false);
  // The same tools an MCP client of a config with this connection sees.
  assert.equal(page.totalSize, page.tools.length);
});

test('listTools: every filter reaches the server as the gateway names it', async () => {
  await mcp.listTools({ filter: { provider: 'GMAIL', toolName: ['gmail_search', 'gmail_send_mail'], summary: false }, pageSize: 50 });
  await mcp.listTools({ filter: { query: 'gmail get', summary: true } });
  emulator.setAccountTools({ connectionName: 'acme_mcp', identifier: 'alice@example.com', tools: [{ name: 'acme_lookup_order', readOnly: true }] });
  const custom = await mcp.listTools({ filter: { connector: 'acme_mcp', identifier: 'alice@example.com' } });
  assert.deepEqual(custom.toolNames, ['acme_lookup_order']);
  const [a, b, c] = toolRequests().map((r) => r.query);
  assert.deepEqual(a, { 'filter.provider': 'GMAIL', 'filter.tool_name': ['gmail_search', 'gmail_send_mail'], 'filter.summary': 'false', page_size: '50' });
  assert.deepEqual(b, { 'filter.query': 'gmail get', 'filter.summary': 'true' });
  assert.deepEqual(c, { 'filter.connector': 'acme_mcp', 'filter.identifier': 'alice@example.com' });
  const names = await mcp.listTools({ filter: { provider: 'GMAIL', toolName: ['gmail_search', 'gmail_send_mail'] } });
  assert.deepEqual(names.toolNames.sort(), ['gmail_search', 'gmail_send_mail']);
  const summary = await mcp.listTools({ filter: { query: 'gmail get', summary: true } });
  assert.deepEqual(summary.tools, []);
  assert.ok(summary.toolNames.length > 0 && summary.toolNames.every((n) => n.includes('get')), summary.toolNames.join(','));
});

test('listTools: paging with tokens, and the iterator walks every page once', async () => {
  const first = await mcp.listTools({ pageSize: 4 });
  assert.equal(first.tools.length, 4);
  assert.ok(first.nextPageToken);
  const second = await mcp.listTools({ pageSize: 4, pageToken: first.nextPageToken });
  assert.notDeepEqual(second.toolNames, first.toolNames);
  assert.equal(second.prevPageToken !== '', true);
  const all = await mcp.listTools({ pageSize: 1000 });
  const walked = [];
  for await (const tool of mcp.tools({ pageSize: 5 })) walked.push(`${tool.provider}/${tool.name}`);
  assert.equal(walked.length, all.totalSize);
  assert.equal(new Set(walked).size, walked.length, 'no tool twice');
  const pages = toolRequests().filter((r) => r.query.page_size === '5').length;
  assert.equal(pages, Math.ceil(all.totalSize / 5));
  // Stopping early fetches no more.
  emulator.clearRequests();
  for await (const _ of mcp.tools({ pageSize: 2 })) break;
  assert.equal(toolRequests().length, 1);
});

test('listTools: the descriptor rules are checked before anything is sent', async () => {
  const BAD = [
    [{ pageSize: 1001 }, 'pageSize'],
    [{ pageSize: -1 }, 'pageSize'],
    [{ filter: { query: 'ab' } }, 'filter.query'],
    [{ filter: { query: 'x'.repeat(101) } }, 'filter.query'],
    [{ filter: { provider: 'P'.repeat(51) } }, 'filter.provider'],
    [{ filter: { identifier: 'i'.repeat(101) } }, 'filter.identifier'],
    [{ filter: { connectedAccountId: 'c'.repeat(101) } }, 'filter.connectedAccountId'],
    [{ filter: { organizationId: 'o'.repeat(33) } }, 'filter.organizationId'],
    [{ filter: { userId: 'u'.repeat(33) } }, 'filter.userId'],
    [{ filter: { connector: 'bad/name' } }, 'filter.connector'],
    [{ filter: { connector: 'c'.repeat(401) } }, 'filter.connector'],
    [{ filter: { toolName: 'gmail_search' } }, 'filter.toolName'],
    [{ filter: { toolName: [''] } }, 'filter.toolName[0]'],
    [{ filter: { summary: 'yes' } }, 'filter.summary'],
    [{ filter: { tool_name: ['x'] } }, 'filter.tool_name'],
    [{ filter: [] }, 'filter'],
    [{ page_size: 5 }, 'page_size'],
    ['tools', ''],
  ];
  for (const [input, field] of BAD) {
    const err = await failure(mcp.listTools(input));
    assert.ok(err instanceof ValidationError, `${JSON.stringify(input)}: ${err.name}: ${err.message}`);
    assert.equal(err.field, field, `${JSON.stringify(input)}: ${err.message}`);
  }
  assert.equal(toolRequests().length, 0);
  // An unknown connection is the server's 404.
  assert.ok((await failure(mcp.listTools({ filter: { connector: 'nope' } }))) instanceof NotFoundError);
});

test('checkTools: a misspelt tool is refused, naming the closest ones, before anything is written', async () => {
  const input = {
    name: uniqueName('checked'),
    connectionToolMappings: [
      { connectionName: 'MY_CALENDAR', tools: ['googlecalendar_create_event'] },
      { connectionName: 'MY_GMAIL', tools: ['gmail_search', 'gmail_fetch_mail'] },
    ],
  };
  const err = await failure(mcp.createConfig(input, { checkTools: true }));
  assert.ok(err instanceof ValidationError, `${err.name}: ${err.message}`);
  assert.equal(err.field, 'connectionToolMappings[1].tools[1]');
  assert.equal(err.message, 'unknown tool "gmail_fetch_mail" on MY_GMAIL (GMAIL); did you mean "gmail_fetch_mails"?');
  assert.equal(writes().length, 0, 'nothing written');
  // The catalogue is cached: a second check asks the tools API nothing.
  const before = toolRequests().length;
  await failure(mcp.updateConfig({ configId: 'cfg_1', connectionToolMappings: input.connectionToolMappings }, { checkTools: true }));
  assert.equal(toolRequests().length, before, 'cached');
  // An unknown connection names the connection.
  const err2 = await failure(clientFor(api, emulator).createConfig({ name: uniqueName(), connectionToolMappings: [{ connectionName: 'MY_NOPE', tools: ['x'] }] }, { checkTools: true }));
  assert.ok(err2 instanceof ValidationError);
  assert.equal(err2.field, 'connectionToolMappings[0].connectionName');
  // Right names pass, and without checkTools nothing is checked.
  input.connectionToolMappings[1].tools[1] = 'gmail_fetch_mails';
  const config = await mcp.createConfig(input, { checkTools: true });
  assert.equal(config.name, input.name);
  emulator.clearRequests();
  await mcp.createConfig({ name: uniqueName(), connectionToolMappings: [{ connectionName: 'MY_GMAIL' }] });
  assert.equal(toolRequests().length, 0);
  const bad = await failure(mcp.createConfig({ name: uniqueName() }, { checkTools: 'yes' }));
  assert.equal(bad.field, 'options.checkTools');
  assert.equal((await failure(mcp.getConfig('cfg_1', { checkTools: true }))).field, 'options.checkTools');
});

function desired(name) {
  return {
    name,
    description: 'Reads email and creates calendar reminders',
    connectionToolMappings: [
      { connectionName: 'MY_GMAIL', tools: ['gmail_fetch_mails', 'gmail_search'] },
      { connectionName: 'MY_CALENDAR', tools: ['googlecalendar_create_event'] },
    ],
  };
}

test('ensureConfig: created, then unchanged (order does not matter), then updated with the changes named', async () => {
  const name = uniqueName('ensured');
  const created = await mcp.ensureConfig(desired(name));
  assert.equal(created.action, 'created');
  assert.deepEqual(created.changes, [{ kind: 'created' }]);
  assert.equal(created.dryRun, false);
  assert.equal(created.config.name, name);

  emulator.clearRequests();
  const reordered = desired(name);
  reordered.connectionToolMappings.reverse();
  reordered.connectionToolMappings[1].tools.reverse();
  const same = await mcp.ensureConfig(reordered);
  assert.equal(same.action, 'unchanged');
  assert.deepEqual(same.changes, []);
  assert.equal(same.config.id, created.config.id);
  assert.equal(writes().length, 0, 'only the read');

  const changed = desired(name);
  changed.description = 'Now also Slack';
  changed.connectionToolMappings[0].tools = ['gmail_fetch_mails', 'gmail_send_mail'];
  changed.connectionToolMappings.push({ connectionName: 'slack' });
  changed.connectionToolMappings.splice(1, 1);
  const updated = await mcp.ensureConfig(changed);
  assert.equal(updated.action, 'updated');
  assert.deepEqual(updated.changes, [
    { kind: 'description', from: 'Reads email and creates calendar reminders', to: 'Now also Slack' },
    { kind: 'toolsChanged', connectionName: 'MY_GMAIL', added: ['gmail_send_mail'], removed: ['gmail_search'] },
    { kind: 'connectionAdded', connectionName: 'slack', tools: [] },
    { kind: 'connectionRemoved', connectionName: 'MY_CALENDAR' },
  ]);
  assert.equal(updated.config.id, created.config.id);
  assert.equal(updated.config.description, 'Now also Slack');
  const fetched = await mcp.getConfig(created.config.id);
  assert.deepEqual(fetched.connectionToolMappings.map((m) => m.connectionName).sort(), ['MY_GMAIL', 'slack']);
  assert.equal((await mcp.ensureConfig(changed)).action, 'unchanged');
});

test('ensureConfig: dryRun plans without writing', async () => {
  const name = uniqueName('planned');
  const plan = await mcp.ensureConfig(desired(name), { dryRun: true });
  assert.deepEqual(plan, { config: null, action: 'created', changes: [{ kind: 'created' }], dryRun: true });
  assert.equal(writes().length, 0);
  await mcp.ensureConfig(desired(name));
  emulator.clearRequests();
  const changed = { ...desired(name), description: 'other' };
  const plan2 = await mcp.ensureConfig(changed, { dryRun: true });
  assert.equal(plan2.action, 'updated');
  assert.equal(plan2.config.description, 'Reads email and creates calendar reminders', 'the config as it is');
  assert.deepEqual(plan2.changes, [{ kind: 'description', from: 'Reads email and creates calendar reminders', to: 'other' }]);
  assert.equal(writes().length, 0);
});

test('ensureConfig: two processes at once end with one config; a 409 on create is read and compared', async () => {
  const name = uniqueName('raced');
  const a = clientFor(api, emulator);
  const b = clientFor(api, emulator);
  const results = await Promise.all([a.ensureConfig(desired(name)), b.ensureConfig(desired(name))]);
  const ids = new Set(results.map((r) => r.config.id));
  assert.equal(ids.size, 1, 'one config');
  assert.deepEqual(results.map((r) => r.action).sort(), ['created', 'unchanged']);
  const listed = await mcp.listConfigs({ filter: { name } });
  assert.equal(listed.configs.length, 1);

  // The 409 path, scripted: the read finds nothing, the create conflicts, the read after it
  // finds the config someone else made, which differs: it is updated.
  const name2 = uniqueName('conflict');
  const theirs = await mcp.createConfig({ ...desired(name2), description: 'theirs' });
  emulator.injectFault({ pathPrefix: '/api/v1/mcp/configs', method: 'GET', count: 1, body: { configs: [], total_size: 0 } });
  const r = await mcp.ensureConfig(desired(name2));
  assert.equal(r.action, 'updated');
  assert.equal(r.config.id, theirs.id);
  assert.deepEqual(r.changes, [{ kind: 'description', from: 'theirs', to: 'Reads email and creates calendar reminders' }]);
  const statuses = emulator.requests().filter((q) => q.path.startsWith('/api/v1/mcp/configs')).map((q) => `${q.method} ${q.status}`);
  assert.deepEqual(statuses.slice(-4), ['GET 200', 'POST 409', 'GET 200', `PUT 200`]);
});

test('ensureConfig: input checked like createConfig, checkTools too', async () => {
  for (const [input, field] of [
    [{}, 'name'],
    [{ name: 'Bad Name' }, 'name'],
    [{ name: 'ok', connectionToolMappings: [{ connectionName: 'g' }, { connectionName: 'g' }] }, 'connectionToolMappings[1].connectionName'],
    [{ name: 'ok', configId: 'cfg_1' }, 'configId'],
  ]) {
    const err = await failure(mcp.ensureConfig(input));
    assert.ok(err instanceof ValidationError, `${JSON.stringify(input)}: ${err.message}`);
    assert.equal(err.field, field);
  }
  const err = await failure(mcp.ensureConfig({ name: uniqueName(), connectionToolMappings: [{ connectionName: 'MY_GMAIL', tools: ['gmail_serch'] }] }, { checkTools: true }));
  assert.equal(err.field, 'connectionToolMappings[0].tools[0]');
  assert.match(err.message, /did you mean "gmail_search"\?/);
  assert.equal((await failure(mcp.ensureConfig({ name: 'ok' }, { dryRun: 1 }))).field, 'options.dryRun');
  assert.equal(writes().length, 0);
});

test('a call of several requests times out on its own timeoutMs, whichever request runs into it', async () => {
  const { TimeoutError } = api;
  const fresh = clientFor(api, emulator); // no tools cached yet
  const input = (name) => ({ name, connectionToolMappings: [{ connectionName: 'MY_GMAIL', tools: ['gmail_search'] }] });
  // The tools check takes a while, then the next request hangs.
  emulator.injectFault({ pathPrefix: '/api/v1/tools', count: 1, delayMs: 150 });
  emulator.injectFault({ pathPrefix: '/api/v1/mcp/configs', count: 1, delayMs: 3000 });
  const started = Date.now();
  const ensured = await failure(fresh.ensureConfig(input(uniqueName('slow')), { checkTools: true, timeoutMs: 600 }));
  assert.ok(ensured instanceof TimeoutError, ensured.message);
  assert.equal(ensured.message, 'Request timed out after 600 ms');
  assert.ok(Date.now() - started < 1500, `${Date.now() - started} ms`);

  emulator.clearFaults();
  emulator.injectFault({ pathPrefix: '/api/v1/tools', count: 1, delayMs: 150 });
  emulator.injectFault({ pathPrefix: '/api/v1/mcp/configs', count: 1, delayMs: 3000 });
  const other = clientFor(api, emulator);
  const created = await failure(other.createConfig(input(uniqueName('slow')), { checkTools: true, timeoutMs: 600 }));
  assert.ok(created instanceof TimeoutError, created.message);
  assert.equal(created.message, 'Request timed out after 600 ms');
});

test('the demo run twice against one environment: the config is created, then unchanged', { timeout: 300_000 }, async () => {
  const { spawn } = await import('node:child_process');
  const own = await startEmulator({ port: 0 });
  try {
    // The user authorized their connections before: the demo's flow does not wait for them.
    for (const connectionName of ['MY_GMAIL', 'MY_CALENDAR']) own.setAccountStatus({ connectionName, identifier: 'john-doe', status: 'ACTIVE' });
    const runDemo = () => new Promise((resolve) => {
      const child = spawn(process.execPath, ['scripts/demo.mjs'], {
        cwd: new URL('../..', import.meta.url),
        env: { ...process.env, SCALEKIT_ENV_URL: own.url, SCALEKIT_CLIENT_ID: own.clientId, SCALEKIT_CLIENT_SECRET: own.clientSecret, SCALEKIT_MCP_LOG: '' },
      });
      let out = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { out += d; });
      child.on('close', (code) => resolve({ code, out }));
    });
    const first = await runDemo();
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, /1\. MCP config "email-calendar-assistant".*\n {3}created cfg_/);
    const second = await runDemo();
    assert.equal(second.code, 0, second.out);
    assert.match(second.out, /\n {3}unchanged cfg_/);
    assert.equal((await clientFor(api, own).listConfigs({ filter: { name: 'email-calendar-assistant' } })).configs.length, 1);
  } finally {
    await own.close();
  }
});
