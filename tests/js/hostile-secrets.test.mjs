// Hostile servers and secrets: redirects never carry a credential away, and no secret reaches an
// error in any encoding, however the server echoes it; short secrets do not mangle messages.
// Each case runs against a server of its own on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import * as api from 'scalekit-mcp';
import { rawServer, failure } from './helpers.mjs';

const { ApiError, AuthenticationError, InternalServerError, InvalidResponseError } = api;

/** Everything an error shows: message, stack, inspect, JSON, and its own fields. */
function shown(err) {
  return [err.message, err.stack, inspect(err, { showHidden: true, depth: 10 }), JSON.stringify(err), JSON.stringify(err.details)].join('\n');
}

/** `secret` in the forms a server may echo it: as sent, JSON-escaped, form- and percent-encoded. */
function encodings(secret) {
  return [secret, JSON.stringify(secret).slice(1, -1), new URLSearchParams({ s: secret }).toString().slice(2), encodeURIComponent(secret)];
}

function assertHidden(err, secret) {
  const text = shown(err);
  for (const form of encodings(secret)) {
    assert.ok(!text.includes(form), `the secret appears as ${JSON.stringify(form)} in:\n${text}`);
    // No prefix long enough to matter either.
    assert.ok(!text.includes(form.slice(0, 12)), `a prefix of the secret appears in:\n${text}`);
  }
}

test('a redirect of the token request is not followed: the secret stays home', async () => {
  const thief = await rawServer((req, res) => res.end('{}'));
  for (const status of [301, 302, 303, 307, 308]) {
    const server = await rawServer(() => {}, {
      onToken: (req, res) => {
        res.writeHead(status, { location: `${thief.url}/oauth/token?code=stolen-code-value` });
        res.end();
      },
    });
    try {
      const err = await failure(server.client({ maxRetries: 2 }).listConfigs());
      assert.ok(err instanceof ApiError, `${status}: ${err.name}: ${err.message}`);
      assert.equal(err.code, 'REDIRECTED');
      assert.equal(err.status, status);
      assert.ok(err.message.includes(`HTTP ${status}`), err.message);
      assert.ok(err.message.includes(thief.url), `names the other origin: ${err.message}`);
      assert.ok(!err.message.includes('stolen-code-value') && !err.message.includes('/oauth/token?'), err.message);
      assert.equal(server.hits('/oauth/token'), 1, 'not retried');
    } finally {
      await server.close();
    }
  }
  assert.equal(thief.requests.length, 0, 'nothing reached the other origin');
  await thief.close();
});

test('a redirect of an API call is not followed: no answer from another origin, no token sent there', async () => {
  const thief = await rawServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ config: { id: 'cfg_from_elsewhere' } }));
  });
  const server = await rawServer((req, res) => {
    res.writeHead(307, { location: `${thief.url}${req.url}` });
    res.end();
  });
  try {
    const err = await failure(server.client().getConfig('cfg_1'));
    assert.ok(err instanceof ApiError && err.code === 'REDIRECTED', `${err.name}: ${err.message}`);
    assert.equal(err.status, 307);
    assert.equal(thief.requests.length, 0, 'the other origin saw no request, so no bearer token');
    // A relative redirect stays within the environment, and is still not followed.
    const relative = await rawServer((req, res) => {
      res.writeHead(302, { location: '/elsewhere' });
      res.end();
    });
    const err2 = await failure(relative.client().getConfig('cfg_1'));
    assert.ok(err2.message.includes(relative.url), err2.message);
    assert.equal(relative.hits('/elsewhere'), 0);
    await relative.close();
  } finally {
    await server.close();
    await thief.close();
  }
});

test('one-letter secrets do not mangle messages or change error classes', async () => {
  let n = 0;
  const server = await rawServer((req, res) => {
    n += 1;
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: 14, message: 'The operation was aborted: backend unavailable, please retry later' }));
  });
  try {
    for (const secret of ['b', 'a', 'e', 'l', '"', 'o']) {
      const mcp = server.client({ clientSecret: secret, maxRetries: 0 });
      for (let i = 0; i < 10; i += 1) {
        const err = await failure(mcp.getConfig('cfg_1'));
        assert.ok(err instanceof InternalServerError, `${secret}: ${err.name}: ${err.message}`);
        assert.equal(err.code, 'UNAVAILABLE');
        assert.equal(err.message, 'The operation was aborted: backend unavailable, please retry later (HTTP 503)');
      }
    }
    assert.equal(n, 60);
  } finally {
    await server.close();
  }
});

test('a secret with quotes, backslashes and URL characters is hidden in every encoding the server echoes', async () => {
  const secret = 'sk"live\\quote+/=&%2B%2F?#é-secret-value';
  const server = await rawServer(() => {}, {
    onToken: (req, res, body) => {
      // The server echoes the form body as received (percent-encoded), the secret raw, and as
      // JSON would escape it.
      const raw = new URLSearchParams(body).get('client_secret');
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_client', error_description: `bad ${body} | raw ${raw} | json ${JSON.stringify(raw)}` }));
    },
  });
  try {
    const err = await failure(server.client({ clientSecret: secret, maxRetries: 0 }).listConfigs());
    assert.ok(err instanceof AuthenticationError, `${err.name}: ${err.message}`);
    assert.equal(err.errorCode, 'invalid_client');
    assertHidden(err, secret);
    assert.ok(err.message.includes('[redacted]'), err.message);
  } finally {
    await server.close();
  }
});

test('a long message is redacted before it is cut: no prefix of the secret survives', async () => {
  const secret = 'sk_live_0123456789abcdefghijklmnopqrstuvwxyz';
  const server = await rawServer(() => {}, {
    onToken: (req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `${'x'.repeat(280)} ${secret} trailing text` }));
    },
  });
  try {
    const err = await failure(server.client({ clientSecret: secret, maxRetries: 0 }).listConfigs());
    assert.ok(err instanceof InternalServerError);
    assertHidden(err, secret);
    assert.ok(!err.message.includes('sk_live_0123'), err.message);
  } finally {
    await server.close();
  }
});

test('session tokens, bearer tokens and MCP URLs echoed by the server are redacted', async () => {
  const jwt = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1c2VyXzEyMyJ9.c2lnbmF0dXJlLWJ5dGVz';
  const instanceUrl = 'https://acme.scalekit.com/mcp/v2/f3a9c0d1e2b4a5968778695a4b3c2d1e';
  const server = await rawServer((req, res) => {
    res.writeHead(500, { 'content-type': 'application/json', 'x-trace-id': 'trace-1' });
    res.end(JSON.stringify({
      code: 13,
      message: `token ${jwt} for ${instanceUrl} failed (authorization: Bearer tok)`,
      details: [{ '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: `see ${instanceUrl}`, url: instanceUrl }] }],
    }));
  }, { token: 'access-token-that-is-long-enough' });
  try {
    const err = await failure(server.client({ maxRetries: 0 }).getConfig('cfg_1'));
    assert.ok(err instanceof InternalServerError, err.message);
    const text = shown(err);
    for (const secret of [jwt, instanceUrl, 'f3a9c0d1e2b4a5968778695a4b3c2d1e', 'eyJzdWIiOiJ1c2VyXzEyMyJ9']) {
      assert.ok(!text.includes(secret), `${secret} appears in:\n${text}`);
    }
    assert.ok(err.message.includes('https://acme.scalekit.com/[redacted]'), err.message);
    assert.equal(err.traceId, 'trace-1');
  } finally {
    await server.close();
  }
});

test('an access token that cannot be sent in a header is refused, never quoted, and not kept', async () => {
  for (const bad of ['tok\nwith-a-line-break-0123456789', 'tok\u0000with-a-nul-0123456789', 'tok with a space 0123456789']) {
    const server = await rawServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ configs: [] }));
    }, { token: bad });
    try {
      const mcp = server.client({ maxRetries: 0 });
      for (let i = 0; i < 2; i += 1) {
        const err = await failure(mcp.listConfigs());
        assert.ok(err instanceof InvalidResponseError, `${JSON.stringify(bad)}: ${err.name}: ${err.message}`);
        assert.match(err.message, /cannot be sent in a header/);
        assert.ok(!shown(err).includes('0123456789'), shown(err));
      }
      assert.equal(server.hits('/oauth/token'), 2, 'asked again: the refused token was not cached');
      assert.equal(server.hits('/api/v1/mcp/configs'), 0, 'never sent');
    } finally {
      await server.close();
    }
  }
});

test('a client secret or id that is not a valid form value is refused without being quoted', () => {
  for (const [field, value] of [['clientSecret', 'secret-line\nbreak-0123456789'], ['clientSecret', 'nul\u0000-0123456789'], ['clientId', 'id\twith-tab-0123456789']]) {
    let err;
    try {
      new api.ScalekitMcp({ envUrl: 'https://acme.scalekit.com', clientId: 'skc_1', clientSecret: 'ok-secret', [field]: value });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof api.ValidationError, `${field}: ${err}`);
    assert.equal(err.field, field);
    assert.ok(!shown(err).includes('0123456789'), shown(err));
  }
  assert.ok(new api.ScalekitMcp({ envUrl: 'https://acme.scalekit.com', clientId: 'skc_1', clientSecret: 'b' }) instanceof api.ScalekitMcp);
});
