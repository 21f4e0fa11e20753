// The clock control: GET/POST /_emulator/clock and advanceTime() move the emulator's "now", so access
// tokens, session tokens (on the MCP URLs) and authentication links expire without waiting, and
// everything minted afterwards carries emulator time. reset() puts the clock back.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { errorInfo, start, verifyJwt } from './helpers.mjs';
import { RawMcp } from './mcp-helpers.mjs';

const TOKEN_TTL = 120; // seconds
const LINK_TTL = 60; // seconds
const USER = 'alice@example.com';

let emulator;
let client;
let config;
let jwks;
before(async () => {
  ({ emulator, client } = await start({ tokenTtl: TOKEN_TTL, authLinkTtl: LINK_TTL }));
  jwks = await (await fetch(`${emulator.url}/keys`)).json();
});
after(() => emulator.close());
beforeEach(async () => {
  emulator.reset();
  await client.login();
  config = await client.createConfig({ name: 'mail-agent', connection_tool_mappings: [{ connection_name: 'gmail' }] });
});

const listConfigs = () => client.call('GET', '/api/v1/mcp/configs');
const clock = (body) => client.call(body === undefined ? 'GET' : 'POST', '/_emulator/clock', { body, token: null });

describe('the clock control', () => {
  test('GET /_emulator/clock: the system clock and no offset at first', async () => {
    const before = Date.now();
    const res = await clock();
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.json), ['now', 'now_ms', 'offset_ms']);
    assert.equal(res.json.offset_ms, 0);
    assert.ok(res.json.now_ms >= before && res.json.now_ms <= Date.now());
    assert.equal(Date.parse(res.json.now), res.json.now_ms);
    assert.deepEqual(Object.keys(emulator.clock()), ['now', 'nowMs', 'offsetMs']);
  });

  test('POST {advance_ms} and advanceTime(ms) add up; the answer is emulator time', async () => {
    const res = await clock({ advance_ms: 90_000 });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.offset_ms, 90_000);
    assert.ok(res.json.now_ms >= Date.now() + 89_000);
    const state = emulator.advanceTime(10_000);
    assert.equal(state.offsetMs, 100_000);
    assert.ok(state.nowMs - Date.now() >= 99_000 && state.nowMs - Date.now() <= 100_000);
    assert.equal((await clock({ advanceMs: 0 })).json.offset_ms, 100_000, 'camelCase and 0 are accepted');
    assert.equal((await clock()).json.offset_ms, 100_000);
  });

  test('bad advances: 400 over HTTP, RangeError on the handle; nothing moves', async () => {
    for (const body of [{ advance_ms: -1 }, { advance_ms: 1.5 }, { advance_ms: '1000' }, {}, { advance_ms: 1, extra: 1 }]) {
      const res = await clock(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.json.code, 3);
      assert.equal(errorInfo(res.json).error_code, 'INVALID_ARGUMENT');
    }
    assert.equal((await clock('not json')).status, 400);
    assert.throws(() => emulator.advanceTime(-5), RangeError);
    assert.throws(() => emulator.advanceTime(Number.NaN), RangeError);
    assert.throws(() => emulator.advanceTime(), RangeError);
    assert.equal(emulator.clock().offsetMs, 0);
  });

  test('reset() and POST /_emulator/reset put the clock back to the system clock', async () => {
    emulator.advanceTime(3_600_000);
    emulator.reset();
    assert.equal(emulator.clock().offsetMs, 0);
    await clock({ advance_ms: 5000 });
    await client.call('POST', '/_emulator/reset', { token: null });
    assert.equal((await clock()).json.offset_ms, 0);
  });

  test('clock requests are neither logged, counted nor faulted', async () => {
    emulator.clearRequests();
    const counted = emulator.counters();
    emulator.injectFault({ pathPrefix: '/_emulator/', status: 503, count: 5 });
    assert.equal((await clock()).status, 200);
    assert.equal((await clock({ advance_ms: 1 })).status, 200);
    assert.deepEqual(emulator.requests(), []);
    assert.deepEqual(emulator.counters(), counted);
    assert.equal(emulator.faults()[0].count, 5);
  });
});

describe('access tokens', () => {
  test('a token expires once its lifetime has passed in emulator time', async () => {
    assert.equal((await listConfigs()).status, 200);
    emulator.advanceTime((TOKEN_TTL - 1) * 1000);
    assert.equal((await listConfigs()).status, 200, 'one second short of its lifetime: still valid');
    emulator.advanceTime(1000);
    const res = await listConfigs();
    assert.equal(res.status, 401);
    assert.equal(res.json.message, 'token expired');
    assert.equal(errorInfo(res.json).error_code, 'UNAUTHENTICATED');
  });

  test('a token minted after an advance carries emulator time and lives its full lifetime from there', async () => {
    emulator.advanceTime(24 * 3600 * 1000);
    const res = await fetch(`${emulator.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: emulator.clientId, client_secret: emulator.clientSecret }),
    });
    const body = await res.json();
    assert.equal(body.expires_in, TOKEN_TTL);
    const { valid, payload } = verifyJwt(body.access_token, jwks);
    assert.ok(valid);
    const now = Math.floor(emulator.clock().nowMs / 1000);
    assert.ok(Math.abs(payload.iat - now) <= 1, `iat ${payload.iat} is emulator time ${now}`);
    assert.equal(payload.exp - payload.iat, TOKEN_TTL);
    client.token = body.access_token;
    emulator.advanceTime((TOKEN_TTL - 1) * 1000);
    assert.equal((await listConfigs()).status, 200);
    emulator.advanceTime(1000);
    assert.equal((await listConfigs()).status, 401);
  });

  test('a reset clock does not revive an expired token, and expireTokens() still works', async () => {
    emulator.advanceTime(TOKEN_TTL * 1000);
    assert.equal((await listConfigs()).status, 401);
    await client.login();
    assert.equal((await listConfigs()).status, 200);
    emulator.expireTokens();
    assert.equal((await listConfigs()).json.message, 'token expired');
  });
});

describe('session tokens on the MCP URLs', () => {
  async function mint(expiry) {
    emulator.setAccountStatus({ connectionName: 'gmail', identifier: USER, status: 'ACTIVE' });
    const res = await client.call('POST', `/api/v1/mcp/configs/${config.id}/tokens`, { body: { identifier: USER, expiry } });
    assert.equal(res.status, 200, res.text);
    return res.json;
  }

  test('a session token is refused with "expired" once advanceTime passes its exp', async () => {
    const { token } = await mint('60s');
    const mcp = new RawMcp(config.mcp_server_url, { token });
    assert.equal((await mcp.initialize()).status, 200);
    emulator.advanceTime(59_000);
    assert.equal((await mcp.request('ping')).status, 200, 'one second before exp');
    emulator.advanceTime(1000);
    const res = await mcp.request('ping');
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate'), /error="invalid_token", error_description="the session token expired"/);
    assert.equal(res.json.error.code, -32000);
    assert.equal(res.json.id, null);
  });

  test('a token minted after the advance has exp and expires_at in emulator time and opens the server', async () => {
    const stale = await mint('60s');
    emulator.advanceTime(10 * 60 * 1000);
    // The API's own access token lives 120 s: log in again at the new time.
    await client.login();
    const fresh = await mint('300s');
    const { payload } = verifyJwt(fresh.token, jwks);
    const now = Math.floor(emulator.clock().nowMs / 1000);
    assert.ok(Math.abs(payload.iat - now) <= 1);
    assert.equal(payload.exp - payload.iat, 300);
    assert.equal(fresh.expires_at, new Date(payload.exp * 1000).toISOString().replace('.000Z', 'Z'));
    assert.ok(Date.parse(fresh.expires_at) > Date.now() + 10 * 60 * 1000, 'expires_at is ahead of the system clock');

    assert.equal((await new RawMcp(config.mcp_server_url, { token: stale.token }).initialize()).status, 401);
    const mcp = new RawMcp(config.mcp_server_url, { token: fresh.token });
    assert.equal((await mcp.initialize()).status, 200);
    assert.deepEqual(await mcp.toolNames(), ['gmail_fetch_mails', 'gmail_get_message_by_id', 'gmail_search', 'gmail_list_drafts', 'gmail_send_mail', 'gmail_create_draft']);
  });

  test('the handle\'s sessionToken() uses emulator time too', async () => {
    emulator.advanceTime(3_600_000);
    const { token, expiresAt } = emulator.sessionToken({ configId: config.id, identifier: USER, expiresIn: 30 });
    const { payload } = verifyJwt(token, jwks);
    assert.ok(Math.abs(payload.exp - Math.floor(emulator.clock().nowMs / 1000) - 30) <= 1);
    assert.equal(Date.parse(expiresAt), payload.exp * 1000);
    const mcp = new RawMcp(config.mcp_server_url, { token });
    assert.equal((await mcp.initialize()).status, 200, 'valid in emulator time although its exp is past the system clock + 30 s');
    emulator.advanceTime(30_000);
    assert.equal((await mcp.request('ping')).status, 401);
  });

  test('instances remember last_used_at in emulator time', async () => {
    const res = await client.call('POST', '/api/v1/mcp/instances', { body: { config_name: 'mail-agent', user_identifier: USER } });
    emulator.advanceTime(7 * 24 * 3600 * 1000);
    await client.login();
    assert.equal((await new RawMcp(res.json.instance.url).initialize()).status, 200);
    const got = await client.call('GET', `/api/v1/mcp/instances/${res.json.instance.id}`);
    const lastUsed = Date.parse(got.json.instance.last_used_at);
    assert.ok(lastUsed > Date.now() + 6 * 24 * 3600 * 1000, got.json.instance.last_used_at);
  });
});

describe('authentication links', () => {
  async function link() {
    const res = await client.call('POST', `/api/v1/mcp/configs/${config.id}/connected_accounts`, { body: { identifier: USER, include_auth_link: true } });
    assert.equal(res.status, 200, res.text);
    return res.json.connected_accounts[0].authentication_link;
  }

  test('a link expires after authLinkTtl of emulator time (410 page, handle outcome "expired")', async () => {
    const first = await link();
    const second = await link();
    emulator.advanceTime((LINK_TTL - 1) * 1000);
    assert.equal(emulator.authorize(first).status, 'ACTIVE', 'still valid one second before it expires');
    emulator.setAccountStatus({ connectionName: 'gmail', identifier: USER, status: 'PENDING_AUTH' });
    emulator.advanceTime(1000);
    const page = await fetch(second);
    assert.equal(page.status, 410);
    assert.throws(() => emulator.authorize(second), (err) => err.outcome === 'expired' && err.status === 410);
    assert.equal(emulator.accounts()[0].status, 'PENDING_AUTH');
  });

  test('a link issued after the advance is valid for its own lifetime', async () => {
    emulator.advanceTime(3_600_000);
    await client.login();
    const fresh = await link();
    emulator.advanceTime((LINK_TTL - 1) * 1000);
    assert.equal((await fetch(fresh)).status, 200);
    assert.equal(emulator.accounts()[0].status, 'ACTIVE');
  });
});
