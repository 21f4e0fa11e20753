// MCP over Streamable HTTP on the emulator's MCP URLs, with raw fetch: initialize and version
// negotiation, sessions, the protocol version header, JSON and SSE answers by Accept, GET/DELETE,
// JSON-RPC errors, Origin checks, 404 for deleted objects, the request log, faults and reset.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { start } from './helpers.mjs';
import { BOTH, LATEST, RawMcp, opened as openedOn, sseMessages } from './mcp-helpers.mjs';

let emulator;
let client;
let config;
let instance;
before(async () => {
  ({ emulator, client } = await start());
});
after(() => emulator.close());
beforeEach(async () => {
  emulator.reset();
  await client.login();
  config = await client.createConfig({
    name: 'mail-agent',
    connection_tool_mappings: [{ connection_name: 'gmail', tools: ['gmail_fetch_mails', 'gmail_send_mail'] }],
  });
  const res = await client.call('POST', '/api/v1/mcp/instances', { body: { config_name: 'mail-agent', user_identifier: 'alice' } });
  instance = res.json.instance;
});

const rpc = (method, params, id = 1) => ({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
const initParams = (protocolVersion = LATEST) => ({
  protocolVersion,
  capabilities: {},
  clientInfo: { name: 'raw-test', version: '1.0.0' },
});

const opened = (url = instance.url, options) => openedOn(url, options);

describe('initialize', () => {
  test('answers the server info and capabilities and opens a session', async () => {
    const mcp = new RawMcp(instance.url);
    const res = await mcp.send(rpc('initialize', initParams(), 7), { session: false, version: false });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.contentType, 'application/json');
    assert.equal(res.json.jsonrpc, '2.0');
    assert.equal(res.json.id, 7);
    assert.equal(res.json.result.protocolVersion, LATEST);
    assert.deepEqual(res.json.result.capabilities, { tools: { listChanged: false } });
    assert.equal(res.json.result.serverInfo.name, 'scalekit-mcp-emulator');
    assert.equal(typeof res.json.result.serverInfo.version, 'string');
    const sessionId = res.headers.get('mcp-session-id');
    assert.match(sessionId, /^[\x21-\x7e]{16,}$/);
    assert.match(res.headers.get('access-control-expose-headers'), /mcp-session-id/);
    assert.ok(res.headers.get('x-trace-id'));
  });

  test('every initialize opens a new session', async () => {
    const a = await opened();
    const b = await opened();
    assert.notEqual(a.sessionId, b.sessionId);
  });

  test('negotiates the protocol version: a served one is echoed, anything else gets the latest', async () => {
    const cases = [
      ['2025-11-25', '2025-11-25'],
      ['2025-06-18', '2025-06-18'],
      ['2025-03-26', '2025-03-26'],
      ['2024-11-05', LATEST],
      ['2099-01-01', LATEST],
    ];
    for (const [asked, answered] of cases) {
      const res = await new RawMcp(instance.url).send(rpc('initialize', initParams(asked)), { session: false, version: false });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.result.protocolVersion, answered, asked);
    }
  });

  test('bad initialize params are -32602 and open no session', async () => {
    for (const params of [undefined, {}, { protocolVersion: 1, capabilities: {}, clientInfo: { name: 'x', version: '1' } }, { protocolVersion: LATEST, capabilities: {} }]) {
      const res = await new RawMcp(instance.url).send(rpc('initialize', params, 'init'), { session: false, version: false });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.id, 'init');
      assert.equal(res.json.error.code, -32602, JSON.stringify(params));
      assert.equal(res.headers.get('mcp-session-id'), null);
    }
  });

  test('initialize on an open session is refused', async () => {
    const mcp = await opened();
    const res = await mcp.send(rpc('initialize', initParams()));
    assert.equal(res.status, 400);
    assert.equal(res.json.error.code, -32600);
    assert.equal(res.json.id, null);
  });

  test('initialize with an unknown session id is 404', async () => {
    const res = await new RawMcp(instance.url).send(rpc('initialize', initParams()), { session: 'nope', version: false });
    assert.equal(res.status, 404);
  });
});

describe('messages', () => {
  test('notifications and client responses are 202 with no body', async () => {
    const mcp = await opened();
    for (const message of [
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 3 } },
      { jsonrpc: '2.0', method: 'notifications/something-new' },
      { jsonrpc: '2.0', id: 'srv-1', result: {} },
      { jsonrpc: '2.0', id: 'srv-2', error: { code: -1, message: 'no' } },
    ]) {
      const res = await mcp.send(message);
      assert.equal(res.status, 202, JSON.stringify(message));
      assert.equal(res.text, '');
    }
  });

  test('ping answers {} with the request id (numbers and strings)', async () => {
    const mcp = await opened();
    for (const id of [42, 'abc', 0]) {
      const res = await mcp.send(rpc('ping', undefined, id));
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, { jsonrpc: '2.0', id, result: {} });
    }
  });

  test('an unknown method is -32601 on HTTP 200', async () => {
    const mcp = await opened();
    for (const method of ['resources/list', 'prompts/list', 'logging/setLevel', 'nope']) {
      const res = await mcp.send(rpc(method, {}, 9));
      assert.equal(res.status, 200);
      assert.equal(res.json.id, 9);
      assert.equal(res.json.error.code, -32601, method);
      assert.match(res.json.error.message, new RegExp(method.replace('/', '\\/')));
    }
  });

  test('malformed JSON is 400 with -32700 and id null', async () => {
    const mcp = await opened();
    for (const body of ['{"jsonrpc":"2.0",', 'not json', '']) {
      const res = await mcp.send(body);
      assert.equal(res.status, 400, body);
      assert.equal(res.json.error.code, -32700);
      assert.equal(res.json.id, null);
    }
  });

  test('batches are refused with -32600', async () => {
    const mcp = await opened();
    const res = await mcp.send([rpc('ping', undefined, 1), rpc('ping', undefined, 2)]);
    assert.equal(res.status, 400);
    assert.equal(res.json.error.code, -32600);
    assert.match(res.json.error.message, /batch/i);
  });

  test('messages that are not JSON-RPC 2.0 are 400 with -32600', async () => {
    const mcp = await opened();
    for (const message of [
      42,
      null,
      'ping',
      { id: 1, method: 'ping' },
      { jsonrpc: '1.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', id: null, method: 'ping' },
      { jsonrpc: '2.0', id: 1.5, method: 'ping' },
      { jsonrpc: '2.0', id: {}, method: 'ping' },
      { jsonrpc: '2.0', id: 1, method: 7 },
      { jsonrpc: '2.0', id: 1, method: 'ping', params: 'x' },
      { jsonrpc: '2.0', id: 1 },
      { jsonrpc: '2.0' },
    ]) {
      const res = await mcp.send(JSON.stringify(message));
      assert.equal(res.status, 400, JSON.stringify(message));
      assert.equal(res.json.error.code, -32600, JSON.stringify(message));
    }
  });

  test('the body must be application/json (415)', async () => {
    const mcp = await opened();
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', null]) {
      const res = await mcp.send(rpc('ping'), { contentType });
      assert.equal(res.status, 415, String(contentType));
      assert.equal(res.json.error.code, -32000);
    }
    assert.equal((await mcp.send(rpc('ping'), { contentType: 'application/json; charset=utf-8' })).status, 200);
  });
});

describe('sessions', () => {
  test('requests other than initialize need Mcp-Session-Id (400)', async () => {
    const res = await new RawMcp(instance.url).send(rpc('tools/list', {}), { session: false });
    assert.equal(res.status, 400);
    assert.match(res.json.error.message, /Mcp-Session-Id/);
    const note = await new RawMcp(instance.url).send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    assert.equal(note.status, 400);
  });

  test('an unknown session id is 404 with -32001', async () => {
    const res = await new RawMcp(instance.url).send(rpc('ping'), { session: 'f'.repeat(32) });
    assert.equal(res.status, 404);
    assert.equal(res.json.error.code, -32001);
  });

  test('DELETE ends the session: then 404; a second DELETE is 404', async () => {
    const mcp = await opened();
    assert.equal((await mcp.request('ping')).status, 200);
    const del = await mcp.close();
    assert.equal(del.status, 200);
    assert.equal(del.text, '');
    assert.equal((await mcp.request('ping')).status, 404);
    assert.equal((await mcp.close()).status, 404);
  });

  test('DELETE without a session id is 400', async () => {
    const res = await new RawMcp(instance.url).close();
    assert.equal(res.status, 400);
  });

  test('a session belongs to the URL it was opened on', async () => {
    const other = (await client.call('POST', '/api/v1/mcp/instances', { body: { config_name: 'mail-agent', user_identifier: 'bob' } })).json.instance;
    const mcp = await opened();
    const res = await new RawMcp(other.url).send(rpc('ping'), { session: mcp.sessionId, version: LATEST });
    assert.equal(res.status, 404);
    assert.equal((await mcp.request('ping')).status, 200);
  });

  test('reset forgets sessions', async () => {
    const mcp = await opened();
    emulator.reset();
    // The instance is gone too: its URL is 404 whatever the session.
    assert.equal((await mcp.request('ping')).status, 404);
  });
});

describe('MCP-Protocol-Version header', () => {
  test('absent: the negotiated version is assumed', async () => {
    const mcp = await opened();
    assert.equal((await mcp.request('ping', undefined, { version: false })).status, 200);
  });

  test('an unsupported version is 400', async () => {
    const mcp = await opened();
    for (const version of ['2099-01-01', 'banana', '2024-11-05']) {
      const res = await mcp.request('ping', undefined, { version });
      assert.equal(res.status, 400, version);
      assert.match(res.json.error.message, /Unsupported protocol version/);
    }
  });

  test('a version other than the negotiated one is 400', async () => {
    const mcp = new RawMcp(instance.url);
    await mcp.initialize({ protocolVersion: '2025-06-18' });
    assert.equal(mcp.protocolVersion, '2025-06-18');
    assert.equal((await mcp.request('ping')).status, 200);
    const res = await mcp.request('ping', undefined, { version: LATEST });
    assert.equal(res.status, 400);
    assert.match(res.json.error.message, /negotiated/);
  });

  test('DELETE checks it too', async () => {
    const mcp = await opened();
    assert.equal((await mcp.close({ version: '1999-01-01' })).status, 400);
    assert.equal((await mcp.close()).status, 200);
  });
});

describe('answers as JSON or SSE by Accept', () => {
  test('application/json only: JSON', async () => {
    const mcp = await opened();
    const res = await mcp.request('ping', undefined, { accept: 'application/json' });
    assert.equal(res.contentType, 'application/json');
    assert.deepEqual(res.json.result, {});
  });

  test('text/event-stream only: one SSE message event carrying the answer', async () => {
    const mcp = new RawMcp(instance.url);
    const init = await mcp.initialize({ accept: 'text/event-stream' });
    assert.equal(init.status, 200);
    assert.equal(init.contentType, 'text/event-stream');
    assert.ok(mcp.sessionId, 'the session id comes with the SSE answer');
    assert.equal(init.json.result.protocolVersion, LATEST);
    const res = await mcp.request('tools/list', {}, { accept: 'text/event-stream' });
    assert.equal(res.status, 200);
    assert.equal(res.contentType, 'text/event-stream');
    assert.match(res.headers.get('cache-control'), /no-cache/);
    assert.match(res.text, /^event: message\ndata: \{.*\}\n\n$/);
    assert.equal(sseMessages(res.text).length, 1);
    assert.deepEqual(res.json.result.tools.map((t) => t.name), ['gmail_fetch_mails', 'gmail_send_mail']);
  });

  test('errors to requests follow the same choice', async () => {
    const mcp = await opened();
    const res = await mcp.request('nope', {}, { accept: 'text/event-stream' });
    assert.equal(res.contentType, 'text/event-stream');
    assert.equal(res.json.error.code, -32601);
  });

  test('both accepted equally: JSON by default', async () => {
    const mcp = await opened();
    const res = await mcp.request('ping', undefined, { accept: BOTH });
    assert.equal(res.contentType, 'application/json');
  });

  test('quality values decide', async () => {
    const mcp = await opened();
    const cases = [
      ['application/json;q=0.5, text/event-stream', 'text/event-stream'],
      ['text/event-stream;q=0.2, application/json;q=0.9', 'application/json'],
      ['*/*', 'application/json'],
      ['application/*', 'application/json'],
      ['text/*', 'text/event-stream'],
      ['text/event-stream, */*;q=0.1', 'text/event-stream'],
    ];
    for (const [accept, type] of cases) {
      const res = await mcp.request('ping', undefined, { accept });
      assert.equal(res.status, 200, accept);
      assert.equal(res.contentType, type, accept);
    }
  });

  test('no Accept header: JSON', async () => {
    const mcp = await opened();
    const res = await mcp.request('ping', undefined, { accept: null });
    // fetch sends "*/*" when no Accept is given
    assert.equal(res.contentType, 'application/json');
  });

  test('neither acceptable: 406', async () => {
    const mcp = await opened();
    for (const accept of ['text/html', 'application/json;q=0, text/event-stream;q=0', 'image/png']) {
      const res = await mcp.request('ping', undefined, { accept });
      assert.equal(res.status, 406, accept);
      assert.equal(res.contentType, 'application/json');
      assert.equal(res.json.error.code, -32000);
    }
  });

  test('notifications do not depend on Accept', async () => {
    const mcp = await opened();
    const res = await mcp.send({ jsonrpc: '2.0', method: 'notifications/initialized' }, { accept: 'text/html' });
    assert.equal(res.status, 202);
  });

  test('an emulator started with mcpResponse: "sse" answers SSE when both are accepted', async () => {
    const { emulator: sseEmulator, client: sseClient } = await start({ mcpResponse: 'sse' });
    try {
      await sseClient.login();
      await sseClient.createConfig({ name: 'x', connection_tool_mappings: [{ connection_name: 'slack' }] });
      const inst = (await sseClient.call('POST', '/api/v1/mcp/instances', { body: { config_name: 'x', user_identifier: 'u' } })).json.instance;
      const mcp = new RawMcp(inst.url);
      const init = await mcp.initialize();
      assert.equal(init.contentType, 'text/event-stream');
      assert.equal((await mcp.request('ping')).contentType, 'text/event-stream');
      assert.equal((await mcp.request('ping', undefined, { accept: 'application/json' })).contentType, 'application/json');
    } finally {
      await sseEmulator.close();
    }
  });

  test('mcpResponse must be json or sse', async () => {
    await assert.rejects(start({ mcpResponse: 'xml' }), TypeError);
  });
});

describe('GET, other methods, Origin, CORS', () => {
  test('GET is 405 (no server-initiated stream) with Allow', async () => {
    const mcp = await opened();
    const res = await mcp.send(undefined, { method: 'GET', accept: 'text/event-stream' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST, DELETE');
    assert.equal(res.json.error.code, -32000);
  });

  test('PUT and PATCH are 405', async () => {
    for (const method of ['PUT', 'PATCH']) {
      const res = await new RawMcp(instance.url).send('{}', { method });
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.get('allow'), 'POST, DELETE');
    }
  });

  test('a foreign browser Origin is 403; loopback origins and the emulator itself are fine', async () => {
    for (const origin of ['https://evil.example', 'http://127.0.0.1.evil.example', 'null']) {
      const res = await new RawMcp(instance.url).send(rpc('initialize', initParams()), { session: false, headers: { origin } });
      assert.equal(res.status, 403, origin);
    }
    for (const origin of ['http://localhost:6274', 'http://127.0.0.1:3000', 'http://[::1]:8080', emulator.url]) {
      const res = await new RawMcp(instance.url).send(rpc('initialize', initParams()), { session: false, headers: { origin } });
      assert.equal(res.status, 200, origin);
    }
  });

  test('OPTIONS preflight allows the MCP headers', async () => {
    const res = await fetch(instance.url, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:6274',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'mcp-session-id, mcp-protocol-version, authorization, content-type',
      },
    });
    assert.equal(res.status, 204);
    const allowed = res.headers.get('access-control-allow-headers').split(/,\s*/);
    for (const h of ['mcp-session-id', 'mcp-protocol-version', 'authorization', 'content-type']) assert.ok(allowed.includes(h), h);
    assert.match(res.headers.get('access-control-allow-methods'), /DELETE/);
  });
});

describe('URLs that serve nothing', () => {
  test('unknown instance, server and connection URLs are 404 (as any unknown path)', async () => {
    for (const path of ['/mcp/v2/instances/abc', `/mcp/v3/servers/${crypto.randomUUID()}`, '/mcp/v3/connections/nope']) {
      const res = await new RawMcp(`${emulator.url}${path}`).send(rpc('initialize', initParams()), { session: false });
      assert.equal(res.status, 404, path);
      assert.deepEqual(res.json, { code: 5, message: 'Not Found', details: [] });
    }
  });

  test('deleting an instance ends its URL, open sessions included', async () => {
    const mcp = await opened();
    assert.equal((await client.call('DELETE', `/api/v1/mcp/instances/${instance.id}`)).status, 200);
    assert.equal((await mcp.request('ping')).status, 404);
    assert.equal((await new RawMcp(instance.url).initialize()).status, 404);
  });

  test('deleting a config ends its server URL and its instances\' URLs', async () => {
    emulator.setAccountStatus({ connectionName: 'gmail', identifier: 'alice', status: 'ACTIVE' });
    const token = (await client.call('POST', `/api/v1/mcp/configs/${config.id}/tokens`, { body: { identifier: 'alice' } })).json.token;
    const server = await opened(config.mcp_server_url, { token });
    const inst = await opened();
    assert.equal((await client.call('DELETE', `/api/v1/mcp/configs/${config.id}`)).status, 200);
    assert.equal((await server.request('ping')).status, 404);
    assert.equal((await inst.request('ping')).status, 404);
    assert.equal((await new RawMcp(config.mcp_server_url, { token }).initialize()).status, 404);
  });

  test('a URL with a trailing segment is not an MCP URL', async () => {
    const res = await new RawMcp(`${instance.url}/extra`).send(rpc('initialize', initParams()), { session: false });
    assert.equal(res.status, 404);
  });
});

describe('request log, faults, last_used_at', () => {
  test('MCP requests are logged with their status; authorization is redacted', async () => {
    emulator.setAccountStatus({ connectionName: 'gmail', identifier: 'alice', status: 'ACTIVE' });
    const token = (await client.call('POST', `/api/v1/mcp/configs/${config.id}/tokens`, { body: { identifier: 'alice' } })).json.token;
    emulator.clearRequests();
    const mcp = await opened(config.mcp_server_url, { token });
    await mcp.request('tools/list', {});
    const log = emulator.requests();
    const path = new URL(config.mcp_server_url).pathname;
    assert.deepEqual(log.map((e) => [e.method, e.path, e.status]), [
      ['POST', path, 200],
      ['POST', path, 202],
      ['POST', path, 200],
    ]);
    assert.equal(log[0].body.method, 'initialize');
    assert.equal(log[2].body.method, 'tools/list');
    assert.equal(log[0].headers.authorization, '<redacted>');
    assert.ok(!JSON.stringify(log).includes(token));
    assert.equal(log[2].headers['mcp-session-id'], mcp.sessionId);
  });

  test('faults apply by path prefix to MCP URLs', async () => {
    const mcp = await opened();
    emulator.injectFault({ pathPrefix: '/mcp/', status: 503, retryAfter: 2 });
    const res = await mcp.request('ping');
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '2');
    assert.equal((await mcp.request('ping')).status, 200);

    emulator.injectFault({ pathPrefix: new URL(instance.url).pathname, method: 'POST', destroy: true });
    await assert.rejects(mcp.request('ping'));
    assert.equal(emulator.requests().at(-1).status, null);

    emulator.injectFault({ pathPrefix: '/mcp/v2/', delayMs: 150 });
    const started = Date.now();
    assert.equal((await mcp.request('ping')).status, 200);
    assert.ok(Date.now() - started >= 140);
  });

  test('an instance records when its URL was last used', async () => {
    const get = async () => (await client.call('GET', `/api/v1/mcp/instances/${instance.id}`)).json.instance.last_used_at;
    assert.equal(await get(), '0001-01-01T00:00:00Z');
    const before = Date.now() - 1000;
    const mcp = await opened();
    await mcp.request('tools/list', {});
    const used = await get();
    assert.match(used, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.ok(Date.parse(used) >= before && Date.parse(used) <= Date.now() + 1000);
  });

  test('the body limit holds on MCP URLs', async () => {
    const mcp = await opened();
    const res = await mcp.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(1024 * 1024 + 10) } }));
    assert.equal(res.status, 413);
    assert.equal((await mcp.request('ping')).status, 200);
  });
});

describe('cli --mcp-response', () => {
  const CLI = new URL('../../js/emulator/cli.mjs', import.meta.url).pathname;

  test('sse: MCP answers are SSE when both are accepted; a bad value exits 2', async () => {
    const { spawn, spawnSync } = await import('node:child_process');
    const { createInterface } = await import('node:readline');
    const child = spawn(process.execPath, [CLI, '--port', '0', '--mcp-response', 'sse'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const first = await new Promise((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`cli exited with ${code}`)));
      });
      const url = /^listening on (\S+)$/.exec(first)[1];
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'skc_emulator', client_secret: 'sks_emulator_secret' });
      const { access_token: token } = await (await fetch(`${url}/oauth/token`, { method: 'POST', body: form })).json();
      const api = (path, body) =>
        fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
      await api('/api/v1/mcp/configs', { name: 'x', connection_tool_mappings: [{ connection_name: 'notion' }] });
      const { instance: inst } = await api('/api/v1/mcp/instances', { config_name: 'x', user_identifier: 'u' });
      const res = await new RawMcp(inst.url).initialize();
      assert.equal(res.status, 200);
      assert.equal(res.contentType, 'text/event-stream');
    } finally {
      child.kill('SIGTERM');
    }
    const bad = spawnSync(process.execPath, [CLI, '--port', '0', '--mcp-response', 'xml'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--mcp-response must be json or sse/);
    const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    assert.match(help.stdout, /--mcp-response/);
  });
});
