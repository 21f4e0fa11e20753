// Connected accounts and the authentication-link flow: listing with and without links,
// PENDING_AUTH creation, opening links (authorized / expired / reused / unknown), and the
// account-status control.

import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { errorInfo, sleep, start, servedEmulator } from './helpers.mjs';

let emulator;
let client;
let config;
servedEmulator((started) => ({ emulator, client } = started));
beforeEach(async () => {
  config = await client.createConfig({
    name: 'agent',
    connection_tool_mappings: [{ connection_name: 'gmail' }, { connection_name: 'MY_CALENDAR', tools: ['googlecalendar_list_events'] }],
  });
});

const connectedAccounts = (body, id = config.id) => client.call('POST', `/api/v1/mcp/configs/${id}/connected_accounts`, { body });
const LINK = /^http:\/\/127\.0\.0\.1:\d+\/_emulator\/authorize\/[A-Za-z0-9_-]{20,}$/;

describe('POST /api/v1/mcp/configs/{config_id}/connected_accounts', () => {
  test('without include_auth_link: one entry per connection, nothing created, optional fields omitted', async () => {
    const res = await connectedAccounts({ identifier: 'alice@example.com' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json.connected_accounts, [
      { connection_id: config.connection_tool_mappings[0].connection_id, connection_name: 'gmail', provider: 'GMAIL', authentication_link: '' },
      { connection_id: config.connection_tool_mappings[1].connection_id, connection_name: 'MY_CALENDAR', provider: 'GOOGLE_CALENDAR', authentication_link: '' },
    ]);
    assert.deepEqual(emulator.accounts(), []);
  });

  test('with include_auth_link: accounts are created PENDING_AUTH and each gets a fresh link', async () => {
    const res = await connectedAccounts({ identifier: 'alice@example.com', include_auth_link: true });
    assert.equal(res.status, 200);
    const [gmail, calendar] = res.json.connected_accounts;
    for (const entry of [gmail, calendar]) {
      assert.match(entry.connected_account_id, /^ca_\d{18}$/);
      assert.equal(entry.connected_account_status, 'PENDING_AUTH');
      assert.match(entry.authentication_link, LINK);
      assert.ok(entry.authentication_link.startsWith(emulator.url));
    }
    assert.deepEqual(Object.keys(gmail), ['connection_id', 'connection_name', 'provider', 'connected_account_id', 'connected_account_status', 'authentication_link']);
    assert.notEqual(gmail.authentication_link, calendar.authentication_link);
    assert.equal(emulator.accounts().length, 2);

    // Asking again keeps the accounts but issues new links.
    const again = await connectedAccounts({ identifier: 'alice@example.com', includeAuthLink: true });
    assert.equal(again.json.connected_accounts[0].connected_account_id, gmail.connected_account_id);
    assert.notEqual(again.json.connected_accounts[0].authentication_link, gmail.authentication_link);

    // Now listed without links, the existing accounts show up.
    const plain = await connectedAccounts({ identifier: 'alice@example.com' });
    assert.equal(plain.json.connected_accounts[0].connected_account_id, gmail.connected_account_id);
    assert.equal(plain.json.connected_accounts[0].connected_account_status, 'PENDING_AUTH');
    assert.equal(plain.json.connected_accounts[0].authentication_link, '');
  });

  test('accounts are per user identifier', async () => {
    await connectedAccounts({ identifier: 'alice', include_auth_link: true });
    const bob = await connectedAccounts({ identifier: 'bob' });
    assert.ok(bob.json.connected_accounts.every((e) => !('connected_account_id' in e)));
  });

  test('identifier is required; unknown config is 404; bad JSON types are 400', async () => {
    const missing = await connectedAccounts({ include_auth_link: true });
    assert.equal(missing.status, 400);
    const v = errorInfo(missing.json).validation_error_info.field_violations;
    assert.deepEqual(v.map((x) => [x.field, x.constraint]), [['identifier', 'required']]);
    const notFound = await connectedAccounts({ identifier: 'a' }, 'cfg_123');
    assert.equal(notFound.status, 404);
    assert.equal(notFound.json.code, 5);
    const wrongType = await connectedAccounts({ identifier: 'a', include_auth_link: 'yes' });
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.json.message, /include_auth_link/);
  });
});

describe('authentication links', () => {
  async function links(identifier = 'alice') {
    const res = await connectedAccounts({ identifier, include_auth_link: true });
    return res.json.connected_accounts.map((e) => e.authentication_link);
  }

  test('opening a link shows a page and turns the account ACTIVE', async () => {
    const [gmailLink] = await links();
    const page = await fetch(gmailLink);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    const html = await page.text();
    assert.match(html, /ACTIVE/);
    assert.match(html, /gmail/);
    const after = await connectedAccounts({ identifier: 'alice' });
    assert.deepEqual(after.json.connected_accounts.map((e) => e.connected_account_status), ['ACTIVE', 'PENDING_AUTH']);
  });

  test('a link works once: reuse is 409 and says so', async () => {
    const [link] = await links();
    assert.equal((await fetch(link)).status, 200);
    const reused = await fetch(link);
    assert.equal(reused.status, 409);
    assert.match(await reused.text(), /already been used/);
  });

  test('an unknown link is 404', async () => {
    const res = await fetch(`${emulator.url}/_emulator/authorize/nope`);
    assert.equal(res.status, 404);
    assert.match(await res.text(), /does not exist/);
  });

  test('links from before a reset are unknown', async () => {
    const [link] = await links();
    emulator.reset();
    assert.equal((await fetch(link)).status, 404);
  });

  test('an expired link is 410 and leaves the account pending', async () => {
    const short = await start({ authLinkTtl: 1 });
    try {
      await short.client.login();
      const cfg = await short.client.createConfig({ name: 'x', connection_tool_mappings: [{ connection_name: 'slack' }] });
      const res = await short.client.call('POST', `/api/v1/mcp/configs/${cfg.id}/connected_accounts`, { body: { identifier: 'u', include_auth_link: true } });
      const [{ authentication_link: link }] = res.json.connected_accounts;
      await sleep(1100);
      const page = await fetch(link);
      assert.equal(page.status, 410);
      assert.match(await page.text(), /expired/);
      assert.equal(short.emulator.accounts()[0].status, 'PENDING_AUTH');
    } finally {
      await short.emulator.close();
    }
  });

  test('authorize(link) on the handle plays the user; failures throw with outcome and status', async () => {
    const [link, calLink] = await links();
    const account = emulator.authorize(link);
    assert.equal(account.status, 'ACTIVE');
    assert.equal(account.connectionName, 'gmail');
    assert.equal(account.identifier, 'alice');
    assert.match(account.connectedAccountId, /^ca_/);
    assert.throws(() => emulator.authorize(link), (err) => err.outcome === 'used' && err.status === 409);
    assert.throws(() => emulator.authorize('http://x/_emulator/authorize/zzz'), (err) => err.outcome === 'unknown' && err.status === 404);
    // The bare token works as well as the URL.
    assert.equal(emulator.authorize(calLink.split('/').pop()).connectionName, 'MY_CALENDAR');
  });

  test('link requests are not in the request log', async () => {
    const [link] = await links();
    emulator.clearRequests();
    await fetch(link);
    assert.deepEqual(emulator.requests(), []);
  });

  test('a connection without a key gets accounts but no links', async () => {
    const keyless = await start({
      fixtures: { connections: [{ name: 'sso', provider: 'OKTA', key: '' }, { name: 'jira', provider: 'JIRA', tools: [{ name: 'jira_search', readOnly: true }] }] },
    });
    try {
      await keyless.client.login();
      const cfg = await keyless.client.createConfig({ name: 'k', connection_tool_mappings: [{ connection_name: 'sso' }, { connection_name: 'jira' }] });
      const res = await keyless.client.call('POST', `/api/v1/mcp/configs/${cfg.id}/connected_accounts`, { body: { identifier: 'u', include_auth_link: true } });
      const [sso, jira] = res.json.connected_accounts;
      assert.equal(sso.authentication_link, '');
      assert.equal(sso.connected_account_status, 'PENDING_AUTH');
      assert.match(jira.authentication_link, /\/_emulator\/authorize\//);
    } finally {
      await keyless.emulator.close();
    }
  });
});

describe('account status control', () => {
  test('setAccountStatus creates or updates an account', async () => {
    const created = emulator.setAccountStatus({ connectionName: 'gmail', identifier: 'carol', status: 'ACTIVE' });
    assert.equal(created.status, 'ACTIVE');
    const expired = emulator.setAccountStatus({ connectionName: 'gmail', identifier: 'carol', status: 'EXPIRED' });
    assert.equal(expired.connectedAccountId, created.connectedAccountId);
    const res = await connectedAccounts({ identifier: 'carol' });
    assert.equal(res.json.connected_accounts[0].connected_account_status, 'EXPIRED');
    assert.equal(res.json.connected_accounts[0].connected_account_id, created.connectedAccountId);
  });

  test('POST /_emulator/accounts does the same over HTTP, without a token', async () => {
    for (const status of ['DISCONNECTED', 'PENDING_AUTH', 'ACTIVE']) {
      const res = await client.call('POST', '/_emulator/accounts', { token: null, body: { connection_name: 'MY_CALENDAR', identifier: 'dave', status } });
      assert.equal(res.status, 200);
      assert.equal(res.json.account.status, status);
      assert.equal(res.json.account.connection_name, 'MY_CALENDAR');
      assert.match(res.json.account.connected_account_id, /^ca_/);
    }
    const list = await client.call('GET', '/_emulator/accounts', { token: null });
    assert.deepEqual(list.json.accounts.map((a) => [a.connection_name, a.identifier, a.status]), [['MY_CALENDAR', 'dave', 'ACTIVE']]);
  });

  test('an unknown connection is 404 and a bad status is 400', async () => {
    const unknown = await client.call('POST', '/_emulator/accounts', { body: { connection_name: 'nope', identifier: 'x', status: 'ACTIVE' } });
    assert.equal(unknown.status, 404);
    const bad = await client.call('POST', '/_emulator/accounts', { body: { connection_name: 'gmail', identifier: 'x', status: 'active' } });
    assert.equal(bad.status, 400);
    assert.match(bad.json.message, /ACTIVE/);
    const missing = await client.call('POST', '/_emulator/accounts', { body: { connection_name: 'gmail' } });
    assert.equal(missing.status, 400);
    assert.throws(() => emulator.setAccountStatus({ connectionName: 'nope', identifier: 'x', status: 'ACTIVE' }), /nope/);
  });
});
