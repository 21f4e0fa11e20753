// Test controls: request log (with redaction), counters, reset, handle lifecycle and fixtures.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, test } from 'node:test';
import { startEmulator } from '../../js/emulator/index.mjs';
import { start, servedEmulator } from './helpers.mjs';

let emulator;
let client;
servedEmulator((started) => ({ emulator, client } = started));
beforeEach(async () => {
  emulator.clearRequests();
});

describe('request log', () => {
  test('records method, path, query, headers and body; redacts credentials', async () => {
    await client.login();
    await client.call('GET', '/api/v1/mcp/configs', { query: { page_size: '5', 'filter.name': 'x' }, headers: { 'x-sdk-version': 'test/1' } });
    await client.call('POST', '/api/v1/mcp/configs', { body: { name: 'logged' } });
    const log = emulator.requests();
    assert.equal(log.length, 3);

    const [token, list, create] = log;
    assert.equal(token.method, 'POST');
    assert.equal(token.path, '/oauth/token');
    assert.deepEqual(token.body, { grant_type: 'client_credentials', client_id: 'skc_emulator', client_secret: '<redacted>' });
    assert.equal(token.status, 200);

    assert.equal(list.method, 'GET');
    assert.equal(list.path, '/api/v1/mcp/configs');
    assert.deepEqual(list.query, { page_size: '5', 'filter.name': 'x' });
    assert.equal(list.headers.authorization, '<redacted>');
    assert.equal(list.headers['x-sdk-version'], 'test/1');
    assert.equal(list.body, null);
    assert.equal(list.status, 200);

    assert.deepEqual(create.body, { name: 'logged' });
    assert.equal(create.headers['content-type'], 'application/json');
    assert.equal(JSON.stringify(log).includes(emulator.clientSecret), false, 'the secret never appears');
    assert.equal(JSON.stringify(log).includes(client.token), false, 'the bearer never appears');
  });

  test('Basic credentials are redacted too', async () => {
    const basic = Buffer.from(`${emulator.clientId}:${emulator.clientSecret}`).toString('base64');
    await fetch(`${emulator.url}/oauth/token`, { method: 'POST', headers: { authorization: `Basic ${basic}` }, body: new URLSearchParams({ grant_type: 'client_credentials' }) });
    const [entry] = emulator.requests();
    assert.equal(entry.headers.authorization, '<redacted>');
    assert.ok(!JSON.stringify(entry).includes(basic));
  });

  test('records failures, unknown routes and raw bodies with their status', async () => {
    await client.call('GET', '/nowhere');
    await client.call('POST', '/api/v1/mcp/configs', { body: 'not json' });
    await client.call('GET', '/api/v1/mcp/configs', { token: null });
    const log = emulator.requests();
    assert.deepEqual(log.map((r) => [r.path, r.status]), [['/nowhere', 404], ['/api/v1/mcp/configs', 400], ['/api/v1/mcp/configs', 401]]);
    assert.equal(log[1].body, 'not json');
  });

  test('repeated query parameters become arrays; control requests are not logged', async () => {
    await client.call('GET', '/api/v1/mcp/instances?search=a&search=b');
    await client.call('GET', '/_emulator/counters');
    await client.call('POST', '/_emulator/faults', { body: { path_prefix: '/zzz', status: 500 } });
    const log = emulator.requests();
    assert.equal(log.length, 1);
    assert.deepEqual(log[0].query, { search: ['a', 'b'] });
  });

  test('GET/DELETE /_emulator/requests over HTTP', async () => {
    await client.call('GET', '/api/v1/mcp/configs');
    const res = await client.call('GET', '/_emulator/requests', { token: null });
    assert.equal(res.status, 200);
    assert.ok(Array.isArray(res.json));
    assert.deepEqual(res.json, emulator.requests());
    assert.equal(res.json[0].headers.authorization, '<redacted>');
    assert.deepEqual((await client.call('DELETE', '/_emulator/requests')).json, {});
    assert.deepEqual(emulator.requests(), []);
  });

  test('requests() returns a copy', async () => {
    await client.call('GET', '/api/v1/mcp/configs');
    emulator.requests()[0].path = 'changed';
    assert.equal(emulator.requests()[0].path, '/api/v1/mcp/configs');
  });
});

describe('counters', () => {
  test('count token requests and API requests (failed ones included)', async () => {
    emulator.reset();
    assert.deepEqual(emulator.counters(), { tokenRequests: 0, apiRequests: 0 });
    await client.login();
    await client.login();
    await client.call('GET', '/api/v1/mcp/configs');
    await client.call('GET', '/api/v1/mcp/configs', { token: 'bad' });
    await client.call('GET', '/api/v9/unknown');
    await client.call('GET', '/keys');
    assert.deepEqual(emulator.counters(), { tokenRequests: 2, apiRequests: 3 });
    const res = await client.call('GET', '/_emulator/counters');
    assert.deepEqual(res.json, { token_requests: 2, api_requests: 3 });
  });
});

describe('reset', () => {
  test('POST /_emulator/reset forgets configs, instances, accounts, tokens, faults, log and counters', async () => {
    await client.createConfig({ name: 'x', connection_tool_mappings: [{ connection_name: 'gmail' }] });
    await client.call('POST', '/api/v1/mcp/instances', { body: { config_name: 'x', user_identifier: 'u' } });
    emulator.setAccountStatus({ connectionName: 'gmail', identifier: 'u', status: 'ACTIVE' });
    emulator.injectFault({ pathPrefix: '/zzz', status: 500 });
    const res = await client.call('POST', '/_emulator/reset', { token: null });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, {});
    assert.deepEqual(emulator.accounts(), []);
    assert.deepEqual(emulator.faults(), []);
    assert.deepEqual(emulator.requests(), []);
    assert.deepEqual(emulator.counters(), { tokenRequests: 0, apiRequests: 0 });
    assert.equal((await client.call('GET', '/api/v1/mcp/configs')).status, 401, 'old token forgotten');
    await client.login();
    assert.equal((await client.call('GET', '/api/v1/mcp/configs')).json.total_size, 0);
    assert.equal((await client.call('GET', '/api/v1/mcp/instances')).json.total_size, 0);
    // The catalogue stays.
    assert.equal((await client.createConfig({ name: 'y', connection_tool_mappings: [{ connection_name: 'notion' }] })).name, 'y');
  });

  test('wrong method on a control route is 405', async () => {
    const res = await client.call('GET', '/_emulator/reset');
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
  });
});

describe('handle and options', () => {
  test('exposes url, port, host and credentials', () => {
    assert.equal(emulator.url, `http://127.0.0.1:${emulator.port}`);
    assert.equal(emulator.host, '127.0.0.1');
    assert.ok(emulator.port > 0);
  });

  test('close() drops keep-alive connections and is idempotent', async () => {
    const other = await startEmulator();
    const res = await fetch(`${other.url}/keys`); // leaves a keep-alive socket
    assert.equal(res.status, 200);
    await res.text();
    const t0 = Date.now();
    await other.close();
    await other.close();
    assert.ok(Date.now() - t0 < 1000);
    await assert.rejects(fetch(`${other.url}/keys`));
  });

  test('fixtures from a file replace the catalogue', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-'));
    const file = join(dir, 'fixtures.json');
    writeFileSync(
      file,
      JSON.stringify({
        connections: [
          {
            name: 'jira',
            id: 'conn_111111111111111111',
            provider: 'JIRA',
            tools: [{ name: 'jira_search', description: 'Search issues', readOnly: true, inputSchema: { type: 'object', properties: { jql: { type: 'string' } }, required: ['jql'] } }],
          },
        ],
      }),
    );
    const custom = await start({ fixtures: file });
    try {
      await custom.client.login();
      const cfg = await custom.client.createConfig({ name: 'j', connection_tool_mappings: [{ connection_name: 'jira', tools: ['jira_search'] }] });
      assert.deepEqual(cfg.connection_tool_mappings[0], { connection_id: 'conn_111111111111111111', connection_name: 'jira', provider: 'JIRA', tools: ['jira_search'] });
      const gmail = await custom.client.call('POST', '/api/v1/mcp/configs', { body: { name: 'g', connection_tool_mappings: [{ connection_name: 'gmail' }] } });
      assert.equal(gmail.status, 400, 'the built-in catalogue is gone');
    } finally {
      await custom.emulator.close();
    }
  });

  test('bad options are refused', async () => {
    await assert.rejects(startEmulator({ tokenTtl: 0 }), /tokenTtl/);
    await assert.rejects(startEmulator({ authLinkTtl: 1.5 }), /authLinkTtl/);
    await assert.rejects(startEmulator({ fixtures: { connections: [{ name: 'a' }, { name: 'a' }] } }), /duplicate connection name/);
    await assert.rejects(startEmulator({ fixtures: { nope: [] } }), /connections/);
    await assert.rejects(startEmulator({ fixtures: '/nonexistent/fixtures.json' }), /ENOENT/);
  });

  test('a port in use is an error', async () => {
    await assert.rejects(startEmulator({ port: emulator.port }), { code: 'EADDRINUSE' });
  });
});

describe('built-in catalogue', () => {
  test('has the documented connections with JSON-schema tools', async () => {
    const { loadCatalogue } = await import('../../js/emulator/catalogue.mjs');
    const catalogue = loadCatalogue();
    const byName = Object.fromEntries(catalogue.list().map((c) => [c.name, c]));
    const expected = { gmail: 'GMAIL', googlecalendar: 'GOOGLE_CALENDAR', MY_GMAIL: 'GMAIL', MY_CALENDAR: 'GOOGLE_CALENDAR', slack: 'SLACK', github: 'GITHUB', notion: 'NOTION' };
    for (const [name, provider] of Object.entries(expected)) {
      assert.equal(byName[name]?.provider, provider, name);
      assert.match(byName[name].id, /^conn_\d{18}$/);
      assert.ok(byName[name].tools.length >= 4, name);
      for (const tool of byName[name].tools) {
        assert.equal(tool.inputSchema.type, 'object', tool.name);
        assert.equal(typeof tool.inputSchema.properties, 'object');
        assert.ok(Array.isArray(tool.inputSchema.required));
        for (const req of tool.inputSchema.required) assert.ok(req in tool.inputSchema.properties, `${tool.name}.${req}`);
        assert.equal(typeof tool.readOnly, 'boolean');
        assert.ok(tool.description.length > 10);
      }
    }
    const tool = (c, t) => byName[c].tools.find((x) => x.name === t);
    assert.equal(tool('gmail', 'gmail_fetch_mails').readOnly, true);
    assert.equal(tool('gmail', 'gmail_send_mail').readOnly, false);
    assert.ok(tool('gmail', 'gmail_search'));
    assert.equal(tool('googlecalendar', 'googlecalendar_list_events').readOnly, true);
    assert.equal(tool('googlecalendar', 'googlecalendar_create_event').readOnly, false);
    assert.ok(tool('slack', 'slack_send_message'));
    assert.ok(tool('github', 'github_create_issue'));
    assert.ok(tool('notion', 'notion_search'));
    assert.ok(tool('MY_GMAIL', 'gmail_fetch_mails'));
  });
});
