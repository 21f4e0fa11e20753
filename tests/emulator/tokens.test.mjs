// Session tokens: minting on the config and connection paths, JWT verification against /keys,
// claims, expiry and access-level rules, and refusals while accounts are not ACTIVE.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { errorInfo, start, verifyJwt } from './helpers.mjs';

let emulator;
let client;
let config;
let jwks;
before(async () => {
  ({ emulator, client } = await start());
  jwks = await (await fetch(`${emulator.url}/keys`)).json();
});
after(() => emulator.close());
beforeEach(async () => {
  emulator.reset();
  await client.login();
  config = await client.createConfig({
    name: 'mail-agent',
    connection_tool_mappings: [{ connection_name: 'gmail' }, { connection_name: 'googlecalendar' }],
  });
});

const configToken = (body, id = config.id) => client.call('POST', `/api/v1/mcp/configs/${id}/tokens`, { body });
const connectionToken = (key, body) => client.call('POST', `/api/v1/mcp/connections/${key}/tokens`, { body });

function activate(identifier, ...connections) {
  return connections.map((connectionName) => emulator.setAccountStatus({ connectionName, identifier, status: 'ACTIVE' }));
}

function assertViolation(res, field, constraint) {
  assert.equal(res.status, 400, res.text);
  assert.equal(res.json.code, 3);
  const violations = errorInfo(res.json).validation_error_info.field_violations;
  assert.ok(violations.some((v) => v.field === field && v.constraint === constraint), JSON.stringify(violations));
}

describe('POST /api/v1/mcp/configs/{mcp_config_id}/tokens', () => {
  test('mints an RS256 JWT for the config: sub, aud, exp, mcp_cfg, ca_ids', async () => {
    const accounts = activate('alice@example.com', 'gmail', 'googlecalendar');
    const before = Math.floor(Date.now() / 1000);
    const res = await configToken({ identifier: 'alice@example.com', expiry: '3600s' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.json), ['token', 'expires_at']);
    const { valid, header, payload } = verifyJwt(res.json.token, jwks);
    assert.ok(valid, 'signature verifies with /keys');
    assert.equal(header.alg, 'RS256');
    assert.equal(header.kid, jwks.keys[0].kid);
    assert.equal(payload.iss, emulator.url);
    assert.equal(payload.sub, 'alice@example.com');
    assert.equal(payload.aud, config.mcp_server_url);
    assert.equal(payload.mcp_cfg, config.id);
    assert.equal(payload.conn_id, undefined);
    assert.deepEqual(payload.ca_ids, accounts.map((a) => a.connectedAccountId));
    assert.equal(payload.token_type, 'mcp_session');
    assert.equal(payload.access_level, 'FULL');
    assert.ok(payload.iat >= before && payload.iat <= before + 2);
    assert.equal(payload.exp - payload.iat, 3600);
    assert.equal(res.json.expires_at, new Date(payload.exp * 1000).toISOString().replace('.000Z', 'Z'));
    assert.match(res.json.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test('expiry defaults to 1h and accepts fractional seconds', async () => {
    activate('u', 'gmail', 'googlecalendar');
    const def = verifyJwt((await configToken({ identifier: 'u' })).json.token, jwks).payload;
    assert.equal(def.exp - def.iat, 3600);
    const frac = verifyJwt((await configToken({ identifier: 'u', expiry: '90.5s' })).json.token, jwks).payload;
    assert.equal(frac.exp - frac.iat, 90);
    const max = verifyJwt((await configToken({ identifier: 'u', expiry: '86400s' })).json.token, jwks).payload;
    assert.equal(max.exp - max.iat, 86400);
  });

  test('access_level READ_ONLY is carried in the token; FULL and "" mean FULL', async () => {
    activate('u', 'gmail', 'googlecalendar');
    const ro = verifyJwt((await configToken({ identifier: 'u', access_level: 'READ_ONLY' })).json.token, jwks).payload;
    assert.equal(ro.access_level, 'READ_ONLY');
    const full = verifyJwt((await configToken({ identifier: 'u', accessLevel: 'FULL' })).json.token, jwks).payload;
    assert.equal(full.access_level, 'FULL');
    const empty = verifyJwt((await configToken({ identifier: 'u', access_level: '' })).json.token, jwks).payload;
    assert.equal(empty.access_level, 'FULL');
  });

  test('refused with 400 FAILED_PRECONDITION while a connection has no ACTIVE account', async () => {
    const none = await configToken({ identifier: 'bob' });
    assert.equal(none.status, 400);
    assert.equal(none.json.code, 9);
    assert.equal(errorInfo(none.json).error_code, 'FAILED_PRECONDITION');
    assert.match(none.json.message, /gmail/);

    // One connection active, the other pending: still refused, naming the pending one.
    await client.call('POST', `/api/v1/mcp/configs/${config.id}/connected_accounts`, { body: { identifier: 'bob', include_auth_link: true } });
    activate('bob', 'gmail');
    const partial = await configToken({ identifier: 'bob' });
    assert.equal(partial.status, 400);
    assert.match(partial.json.message, /googlecalendar.*PENDING_AUTH/);

    // EXPIRED is not ACTIVE either.
    activate('bob', 'googlecalendar');
    emulator.setAccountStatus({ connectionName: 'gmail', identifier: 'bob', status: 'EXPIRED' });
    assert.equal((await configToken({ identifier: 'bob' })).status, 400);

    emulator.setAccountStatus({ connectionName: 'gmail', identifier: 'bob', status: 'ACTIVE' });
    assert.equal((await configToken({ identifier: 'bob' })).status, 200);
  });

  test('the full flow: pending -> link -> ACTIVE -> mint', async () => {
    const res = await client.call('POST', `/api/v1/mcp/configs/${config.id}/connected_accounts`, { body: { identifier: 'eve', include_auth_link: true } });
    assert.equal((await configToken({ identifier: 'eve' })).status, 400);
    for (const entry of res.json.connected_accounts) assert.equal((await fetch(entry.authentication_link)).status, 200);
    const minted = await configToken({ identifier: 'eve' });
    assert.equal(minted.status, 200);
    assert.deepEqual(verifyJwt(minted.json.token, jwks).payload.ca_ids, res.json.connected_accounts.map((e) => e.connected_account_id));
  });

  test('a config without connections is 400', async () => {
    const empty = await client.createConfig({ name: 'empty' });
    const res = await configToken({ identifier: 'u' }, empty.id);
    assert.equal(res.status, 400);
    assert.equal(res.json.code, 9);
    assert.match(res.json.message, /no connections/);
  });

  test('an unknown config is 404', async () => {
    const res = await configToken({ identifier: 'u' }, 'cfg_999999999999999999');
    assert.equal(res.status, 404);
    assert.equal(res.json.code, 5);
  });

  describe('validation', () => {
    test('identifier is 1-255 characters', async () => {
      assertViolation(await configToken({}), 'identifier', 'string.min_len');
      assertViolation(await configToken({ identifier: '' }), 'identifier', 'string.min_len');
      assertViolation(await configToken({ identifier: 'x'.repeat(256) }), 'identifier', 'string.max_len');
    });

    test('expiry must be between 60s and 24h', async () => {
      for (const expiry of ['59s', '59.999s', '86401s', '0s', '-60s']) {
        const res = await configToken({ identifier: 'u', expiry });
        assertViolation(res, 'expiry', 'duration.range');
      }
    });

    test('expiry must be a protojson Duration string', async () => {
      for (const expiry of ['1h', '3600', '3600 s', 3600, '1.0000000001s', { seconds: 3600 }]) {
        const res = await configToken({ identifier: 'u', expiry });
        assert.equal(res.status, 400, JSON.stringify(expiry));
        assert.equal(res.json.code, 3);
        assert.match(res.json.message, /expiry|Duration/);
      }
    });

    test('access_level must be "", FULL or READ_ONLY (case-sensitive)', async () => {
      for (const level of ['read_only', 'ADMIN', 'Full']) {
        assertViolation(await configToken({ identifier: 'u', access_level: level }), 'access_level', 'string.in');
      }
    });

    test('exactly one of mcp_config_id and key_id', async () => {
      const both = await configToken({ identifier: 'u', key_id: 'gmail' });
      assertViolation(both, '', 'mcp_config_id_xor_key_id');
      assert.match(errorInfo(both.json).validation_error_info.field_violations[0].description, /exactly one of mcp_config_id or key_id/);
      const neither = await client.call('POST', '/api/v1/mcp/configs//tokens', { body: { identifier: 'u' } });
      assertViolation(neither, '', 'mcp_config_id_xor_key_id');
    });

    test('the path wins over mcp_config_id in the body', async () => {
      activate('u', 'gmail', 'googlecalendar');
      const res = await configToken({ identifier: 'u', mcp_config_id: 'cfg_other' });
      assert.equal(res.status, 200);
      assert.equal(verifyJwt(res.json.token, jwks).payload.mcp_cfg, config.id);
    });
  });
});

describe('POST /api/v1/mcp/connections/{key_id}/tokens', () => {
  test('mints for the connection: aud is its MCP URL, conn_id and ca_ids', async () => {
    const [account] = activate('alice', 'slack');
    const res = await connectionToken('slack', { identifier: 'alice', expiry: '120s', access_level: 'READ_ONLY' });
    assert.equal(res.status, 200, res.text);
    const { valid, payload } = verifyJwt(res.json.token, jwks);
    assert.ok(valid);
    assert.equal(payload.aud, `${emulator.url}/mcp/v3/connections/slack`);
    assert.equal(payload.sub, 'alice');
    assert.equal(payload.conn_id, await catalogueId('slack'));
    assert.equal(payload.mcp_cfg, undefined);
    assert.deepEqual(payload.ca_ids, [account.connectedAccountId]);
    assert.equal(payload.access_level, 'READ_ONLY');
    assert.equal(payload.exp - payload.iat, 120);
  });

  test('refused while the account is not ACTIVE; 404 for an unknown connection', async () => {
    const none = await connectionToken('github', { identifier: 'alice' });
    assert.equal(none.status, 400);
    assert.equal(none.json.code, 9);
    emulator.setAccountStatus({ connectionName: 'github', identifier: 'alice', status: 'DISCONNECTED' });
    assert.equal((await connectionToken('github', { identifier: 'alice' })).status, 400);
    const unknown = await connectionToken('nope', { identifier: 'alice' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.code, 5);
  });

  test('validation applies on this path too', async () => {
    assertViolation(await connectionToken('gmail', {}), 'identifier', 'string.min_len');
    assertViolation(await connectionToken('gmail', { identifier: 'u', mcp_config_id: config.id }), '', 'mcp_config_id_xor_key_id');
    assertViolation(await connectionToken('gmail', { identifier: 'u', expiry: '30s' }), 'expiry', 'duration.range');
  });
});

// The connection id as the config API reports it.
async function catalogueId(name) {
  const cfg = await client.createConfig({ name: `lookup-${name}`.toLowerCase(), connection_tool_mappings: [{ connection_name: name }] });
  return cfg.connection_tool_mappings[0].connection_id;
}

describe('Signer.verify', () => {
  test('accepts its own unexpired tokens only', async () => {
    const { createSigner } = await import('../../js/emulator/jwt.mjs');
    const signer = await createSigner();
    const other = await createSigner();
    const exp = Math.floor(Date.now() / 1000) + 60;
    const token = signer.sign({ sub: 'u', exp });
    assert.deepEqual(signer.verify(token), { sub: 'u', exp });
    assert.equal(other.verify(token), null, 'another key');
    assert.equal(signer.verify(`${token.slice(0, -4)}AAAA`), null, 'tampered signature');
    assert.equal(signer.verify(signer.sign({ exp: 1 })), null, 'expired');
    assert.equal(signer.verify('not.a.jwt'), null);
    const { valid } = verifyJwt(token, signer.jwks());
    assert.ok(valid);
  });
});
