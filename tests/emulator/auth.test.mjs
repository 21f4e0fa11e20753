// The token endpoint, bearer checks, JWKS, trace ids and CORS.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET } from '../../js/emulator/index.mjs';
import { errorInfo, sleep, start, verifyJwt } from './helpers.mjs';

let emulator;
let client;
before(async () => ({ emulator, client } = await start()));
after(() => emulator.close());
beforeEach(() => emulator.reset());

const tokenRequest = (fields, headers = {}) =>
  fetch(`${emulator.url}/oauth/token`, { method: 'POST', body: new URLSearchParams(fields), headers });

describe('POST /oauth/token', () => {
  test('default credentials are the exported constants', () => {
    assert.equal(DEFAULT_CLIENT_ID, 'skc_emulator');
    assert.equal(DEFAULT_CLIENT_SECRET, 'sks_emulator_secret');
    assert.equal(emulator.clientId, DEFAULT_CLIENT_ID);
    assert.equal(emulator.clientSecret, DEFAULT_CLIENT_SECRET);
  });

  test('client credentials in the form body give a Bearer token', async () => {
    const res = await tokenRequest({ grant_type: 'client_credentials', client_id: DEFAULT_CLIENT_ID, client_secret: DEFAULT_CLIENT_SECRET });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.match(res.headers.get('x-trace-id'), /^[0-9a-f]{32}$/);
    const body = await res.json();
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3600);
    assert.equal(body.scope, 'openid');
    // The token works on an API route.
    const list = await client.call('GET', '/api/v1/mcp/configs', { token: body.access_token });
    assert.equal(list.status, 200);
  });

  test('the access token is an RS256 JWT verifiable with /keys', async () => {
    const token = await client.login();
    const jwks = await (await fetch(`${emulator.url}/keys`)).json();
    const { valid, header, payload } = verifyJwt(token, jwks);
    assert.ok(valid);
    assert.equal(header.alg, 'RS256');
    assert.match(header.kid, /^snk_[0-9a-f]+$/);
    assert.equal(payload.iss, emulator.url);
    assert.equal(payload.sub, DEFAULT_CLIENT_ID);
    assert.equal(payload.exp - payload.iat, 3600);
  });

  test('HTTP Basic credentials are accepted', async () => {
    const basic = Buffer.from(`${DEFAULT_CLIENT_ID}:${DEFAULT_CLIENT_SECRET}`).toString('base64');
    const res = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: `Basic ${basic}` });
    assert.equal(res.status, 200);
    assert.ok((await res.json()).access_token);
  });

  test('a wrong secret is 401 invalid_client', async () => {
    const res = await tokenRequest({ grant_type: 'client_credentials', client_id: DEFAULT_CLIENT_ID, client_secret: 'nope' });
    assert.equal(res.status, 401);
    assert.ok(res.headers.get('x-trace-id'));
    const body = await res.json();
    assert.equal(body.error, 'invalid_client');
    assert.match(body.error_description, /\S/);
  });

  test('an unknown client id is 401 invalid_client', async () => {
    const res = await tokenRequest({ grant_type: 'client_credentials', client_id: 'skc_other', client_secret: DEFAULT_CLIENT_SECRET });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error, 'invalid_client');
  });

  test('missing credentials are 401 invalid_client', async () => {
    const res = await tokenRequest({ grant_type: 'client_credentials' });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error, 'invalid_client');
  });

  test('a grant other than client_credentials is 400 unsupported_grant_type', async () => {
    const res = await tokenRequest({ grant_type: 'password', client_id: DEFAULT_CLIENT_ID, client_secret: DEFAULT_CLIENT_SECRET });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.error, 'unsupported_grant_type');
    assert.match(body.error_description, /password/);
  });

  test('a missing grant_type is 400 invalid_request', async () => {
    const res = await tokenRequest({ client_id: DEFAULT_CLIENT_ID, client_secret: DEFAULT_CLIENT_SECRET });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error, 'invalid_request');
  });

  test('a JSON body is 400 invalid_request', async () => {
    const res = await fetch(`${emulator.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: DEFAULT_CLIENT_ID, client_secret: DEFAULT_CLIENT_SECRET }),
    });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error, 'invalid_request');
  });

  test('GET /oauth/token is 405', async () => {
    const res = await fetch(`${emulator.url}/oauth/token`);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
  });

  test('custom credentials replace the defaults', async () => {
    const other = await start({ clientId: 'skc_custom', clientSecret: 'sks_custom' });
    try {
      const bad = await fetch(`${other.emulator.url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: DEFAULT_CLIENT_ID, client_secret: DEFAULT_CLIENT_SECRET }),
      });
      assert.equal(bad.status, 401);
      assert.ok(await other.client.login());
    } finally {
      await other.emulator.close();
    }
  });
});

describe('bearer tokens on API routes', () => {
  const assertUnauthenticated = (res, message) => {
    assert.equal(res.status, 401);
    assert.equal(res.json.code, 16);
    assert.equal(res.json.message, message);
    assert.equal(errorInfo(res.json).error_code, 'UNAUTHENTICATED');
    assert.ok(res.headers.get('x-trace-id'));
  };

  test('a missing token is 401 "Token empty"', async () => {
    assertUnauthenticated(await client.call('GET', '/api/v1/mcp/configs', { token: null }), 'Token empty');
  });

  test('an empty Bearer is 401 "Token empty"', async () => {
    const res = await client.call('GET', '/api/v1/mcp/configs', { token: null, headers: { authorization: 'Bearer ' } });
    assertUnauthenticated(res, 'Token empty');
  });

  test('an unknown token is 401 "invalid token"', async () => {
    assertUnauthenticated(await client.call('GET', '/api/v1/mcp/configs', { token: 'not-a-token' }), 'invalid token');
  });

  test('a token of another emulator is 401 "invalid token"', async () => {
    const other = await start();
    try {
      const foreign = await other.client.login();
      assertUnauthenticated(await client.call('GET', '/api/v1/mcp/configs', { token: foreign }), 'invalid token');
    } finally {
      await other.emulator.close();
    }
  });

  test('expireTokens() makes issued tokens 401 "token expired"; a new token works', async () => {
    const old = await client.login();
    assert.equal((await client.call('GET', '/api/v1/mcp/configs')).status, 200);
    assert.equal(emulator.expireTokens(), 1);
    assertUnauthenticated(await client.call('GET', '/api/v1/mcp/configs', { token: old }), 'token expired');
    await client.login();
    assert.equal((await client.call('GET', '/api/v1/mcp/configs')).status, 200);
  });

  test('POST /_emulator/expire-tokens does the same over HTTP', async () => {
    await client.login();
    const r = await client.call('POST', '/_emulator/expire-tokens', { token: null });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { expired: 1 });
    assertUnauthenticated(await client.call('GET', '/api/v1/mcp/configs'), 'token expired');
  });

  test('tokens expire by themselves after token-ttl', async () => {
    const short = await start({ tokenTtl: 1 });
    try {
      const body = await (
        await fetch(`${short.emulator.url}/oauth/token`, {
          method: 'POST',
          body: new URLSearchParams({ grant_type: 'client_credentials', client_id: DEFAULT_CLIENT_ID, client_secret: DEFAULT_CLIENT_SECRET }),
        })
      ).json();
      assert.equal(body.expires_in, 1);
      await sleep(2100);
      const res = await short.client.call('GET', '/api/v1/mcp/configs', { token: body.access_token });
      assertUnauthenticated(res, 'token expired');
    } finally {
      await short.emulator.close();
    }
  });

  test('reset() forgets issued tokens', async () => {
    await client.login();
    emulator.reset();
    assertUnauthenticated(await client.call('GET', '/api/v1/mcp/configs'), 'invalid token');
  });

  test('routing comes before authentication: unknown route without a token is 404', async () => {
    const res = await client.call('GET', '/api/v1/nothing', { token: null });
    assert.equal(res.status, 404);
    assert.deepEqual(res.json, { code: 5, message: 'Not Found', details: [] });
  });
});

describe('GET /keys', () => {
  test('serves an RSA JWKS with kid, alg and use', async () => {
    const res = await fetch(`${emulator.url}/keys`);
    assert.equal(res.status, 200);
    const { keys } = await res.json();
    assert.equal(keys.length, 1);
    const [key] = keys;
    assert.equal(key.kty, 'RSA');
    assert.equal(key.alg, 'RS256');
    assert.equal(key.use, 'sig');
    assert.equal(key.e, 'AQAB');
    assert.ok(key.n.length > 300);
    assert.match(key.kid, /^snk_[0-9a-f]{16}$/);
    assert.equal(key.d, undefined, 'no private parts');
    assert.deepEqual(emulator.jwks(), { keys });
  });
});

describe('CORS and trace ids', () => {
  test('every response has CORS headers and a fresh x-trace-id', async () => {
    const a = await client.call('GET', '/api/v1/mcp/configs', { token: null });
    const b = await client.call('GET', '/nowhere');
    for (const r of [a, b]) {
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      assert.equal(r.headers.get('access-control-expose-headers'), 'x-trace-id, retry-after');
      assert.match(r.headers.get('x-trace-id'), /^[0-9a-f]{32}$/);
    }
    assert.notEqual(a.headers.get('x-trace-id'), b.headers.get('x-trace-id'));
  });

  test('OPTIONS preflight is 204 with allowed methods and headers, without authentication', async () => {
    const res = await fetch(`${emulator.url}/api/v1/mcp/configs/cfg_1`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization, content-type, x-sdk-version',
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    const methods = res.headers.get('access-control-allow-methods').split(/,\s*/);
    for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) assert.ok(methods.includes(m), m);
    const allowed = res.headers.get('access-control-allow-headers').split(/,\s*/);
    assert.deepEqual(allowed.slice(0, 2), ['authorization', 'content-type']);
    assert.ok(allowed.includes('x-sdk-version'));
    assert.ok(res.headers.get('x-trace-id'));
    // Preflights are not API requests.
    assert.equal(emulator.counters().apiRequests, 0);
    assert.deepEqual(emulator.requests(), []);
  });
});
