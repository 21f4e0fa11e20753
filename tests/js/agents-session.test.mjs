// agentSession() itself, through the built package against the emulator: the URL of each kind
// of session and its look-up, what `fetch` sends (the inputs the global fetch takes, the caller's
// headers, no token to other origins), one mint however many wait, the renewal before expiry
// (the session's clock moved with node:test's mock timers) and on a 401 `invalid_token` (once,
// never for other 401s or bodies that cannot be sent twice), clock skew and an `expiresAt` that
// says nothing, failed mints, close(), abort signals, input validation, and that no token or
// instance URL shows in an inspection, a serialization, an error or a log line.
import { test, describe, afterEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { readFileSync } from 'node:fs';
import { ScalekitMcp, ScalekitError, ValidationError, BadRequestError, InternalServerError } from 'scalekit-mcp';
import { clientFor, jwtClaims, sharedEmulator } from './helpers.mjs';
import { USER, WHITELIST, configTokenPath, logOf, mcpSdk, seedConfig } from './agents-helpers.mjs';

const catalogue = JSON.parse(readFileSync(new URL('../../js/emulator/catalogue.json', import.meta.url), 'utf8'));

let emulator;
let mcp;

sharedEmulator((e) => {
  emulator = e;
  mcp = clientFor({ ScalekitMcp }, e, { maxRetries: 0 });
});
afterEach(() => mock.timers.reset());

/** Moves the local clock (Date) and the emulator's, which reads Date too, forward together. */
function localClock() {
  mock.timers.enable({ apis: ['Date'], now: Date.now() });
  return (ms) => mock.timers.tick(ms);
}

/** The URL and headers of a fetch call, read the way fetch reads them. */
function seen(input, init) {
  const request = input instanceof Request ? input : null;
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return { url, headers: new Headers(init?.headers ?? request?.headers), init, request };
}

/** A base fetch that records what it was asked and passes it on (or answers with `respond`). */
function recorder(respond = (input, init) => fetch(input, init)) {
  const calls = [];
  return {
    calls,
    fetch: async (input, init) => {
      const call = seen(input, init);
      calls.push(call);
      return respond(input, init, calls.length, call);
    },
  };
}

const refusal = (error = 'invalid_token') => new Response('{"error":"refused"}', {
  status: 401,
  headers: {
    'content-type': 'application/json',
    'www-authenticate': `Bearer realm="test"${error ? `, error="${error}", error_description="the session token expired"` : ''}`,
  },
});
const ok = () => new Response('{"ok":true}', { status: 200, headers: { 'content-type': 'application/json' } });
const claimsOf = jwtClaims;

describe('each kind of session', () => {
  test('config: url is the config\'s mcpServerUrl, looked up once; nothing is minted until first use', async () => {
    const config = await seedConfig(emulator, mcp);
    const getPath = `/api/v1/mcp/configs/${config.id}`;
    const gets = () => emulator.requests().filter((r) => r.method === 'GET' && r.path === getPath).length;
    const session = await mcp.agentSession({ configId: config.id, identifier: USER });
    const log = logOf(emulator, session.url, configTokenPath(config.id));
    assert.equal(session.kind, 'config');
    assert.equal(session.url, config.mcpServerUrl);
    assert.equal(session.closed, false);
    assert.equal(gets(), 1);
    assert.equal(log.mints(), 0);

    const { token, expiresAt } = await session.token();
    assert.equal(log.mints(), 1);
    const claims = claimsOf(token);
    assert.equal(claims.aud, config.mcpServerUrl);
    assert.equal(claims.sub, USER);
    assert.equal(Date.parse(expiresAt), claims.exp * 1000);
    assert.deepEqual(await session.headers(), { Authorization: `Bearer ${token}` });
    assert.equal(log.mints(), 1, 'headers() and token() share the token');

    const given = await mcp.agentSession({ configId: config.id, identifier: USER, url: config.mcpServerUrl });
    assert.equal(given.url, config.mcpServerUrl);
    assert.equal(gets(), 1, 'no look-up when the url is given');
    await Promise.all([session.close(), given.close()]);
  });

  test('config: READ_ONLY and expirySeconds reach the token; the agent sees only the read-only tools', async () => {
    const config = await seedConfig(emulator, mcp, ['gmail_fetch_mails', 'gmail_send_mail', 'googlecalendar_list_events']);
    const session = await mcp.agentSession({ configId: config.id, identifier: USER, accessLevel: 'READ_ONLY', expirySeconds: 900 });
    const claims = claimsOf((await session.token()).token);
    assert.equal(claims.access_level, 'READ_ONLY');
    assert.equal(claims.exp - claims.iat, 900);
    const agent = await mcpSdk(session);
    try {
      assert.deepEqual((await agent.list()).sort(), ['gmail_fetch_mails', 'googlecalendar_list_events']);
    } finally {
      await agent.close();
      await session.close();
    }
  });

  test('connection: url is the connection\'s MCP URL, the audience of its tokens; the agent gets every tool of the connection', async () => {
    emulator.setAccountStatus({ connectionName: 'MY_GMAIL', identifier: USER, status: 'ACTIVE' });
    const session = await mcp.agentSession({ connectionName: 'MY_GMAIL', identifier: USER, expirySeconds: 60 });
    assert.equal(session.kind, 'connection');
    assert.equal(session.url, `${emulator.url}/mcp/v3/connections/MY_GMAIL`);
    const log = logOf(emulator, session.url, '/api/v1/mcp/connections/MY_GMAIL/tokens');
    const agent = await mcpSdk(session);
    try {
      const gmail = catalogue.connections.find((c) => c.name === 'MY_GMAIL').tools.map((t) => t.name);
      assert.deepEqual((await agent.list()), gmail);
      assert.equal(claimsOf((await session.token()).token).aud, session.url);
      assert.equal((await agent.call('gmail_fetch_mails')).connection, 'MY_GMAIL');
      emulator.advanceTime(61_000);
      assert.equal((await agent.call('gmail_search', { query: 'x' })).user, USER);
      assert.equal(log.mints(), 2);
      assert.equal(log.refusals(), 1);
    } finally {
      await agent.close();
      await session.close();
    }
  });

  test('instance: url is the instance URL, looked up once; fetch sends no token, headers() is {}, token() is null', async () => {
    const config = await seedConfig(emulator, mcp);
    const instance = await mcp.ensureInstance({ configName: config.name, userIdentifier: USER });
    const getPath = `/api/v1/mcp/instances/${instance.id}`;
    const gets = () => emulator.requests().filter((r) => r.method === 'GET' && r.path === getPath).length;
    const mintsBefore = emulator.requests().filter((r) => r.path.endsWith('/tokens')).length;
    const base = recorder();
    const session = await mcp.agentSession({ instanceId: instance.id, fetch: base.fetch });
    assert.equal(session.kind, 'instance');
    assert.equal(session.url, instance.url);
    assert.equal(gets(), 1);
    assert.deepEqual(await session.headers(), {});
    assert.equal(await session.token(), null);
    const agent = await mcpSdk(session);
    try {
      assert.deepEqual((await agent.list()).sort(), [...WHITELIST].sort());
      assert.equal((await agent.call('gmail_fetch_mails')).user, USER);
    } finally {
      await agent.close();
    }
    assert.ok(base.calls.length >= 3);
    assert.ok(base.calls.every((c) => !c.headers.has('authorization')));
    assert.equal(emulator.requests().filter((r) => r.path.endsWith('/tokens')).length, mintsBefore);
    const given = await mcp.agentSession({ instanceId: instance.id, url: instance.url });
    assert.equal(gets(), 1, 'no look-up when the url is given');
    await Promise.all([session.close(), given.close()]);
  });

  test('every member works detached', async () => {
    const config = await seedConfig(emulator, mcp);
    const session = await mcp.agentSession({ configId: config.id, identifier: USER });
    const { url, fetch: agentFetch, headers, token, close } = session;
    const minted = await token();
    assert.deepEqual(await headers(), { Authorization: `Bearer ${minted.token}` });
    const res = await agentFetch(url, { method: 'DELETE', headers: { 'mcp-session-id': 'none' } });
    assert.equal(res.status, 404); // authenticated: past the token check, no such MCP session
    await close();
    assert.equal(session.closed, true);
  });
});

describe('fetch', () => {
  test('takes a string, a URL or a Request; keeps the caller\'s headers; replaces its Authorization', async () => {
    const config = await seedConfig(emulator, mcp);
    const base = recorder();
    const session = await mcp.agentSession({ configId: config.id, identifier: USER, fetch: base.fetch });
    const { token } = await session.token();
    const initialize = JSON.stringify({
      jsonrpc: '2.0', id: 1, method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'x-agent': 'a1', authorization: 'Bearer mine' };
    const answers = [
      await session.fetch(session.url, { method: 'POST', headers, body: initialize }),
      await session.fetch(new URL(session.url), { method: 'POST', headers: new Headers(headers), body: initialize }),
      await session.fetch(new Request(session.url, { method: 'POST', headers, body: initialize })),
      await session.fetch(new Request(session.url, { method: 'POST', headers: { 'x-agent': 'ignored' }, body: initialize }), { headers }),
    ];
    for (const res of answers) {
      assert.equal(res.status, 200);
      assert.equal((await res.json()).result.serverInfo.name.length > 0, true);
    }
    assert.equal(base.calls.length, 4);
    for (const call of base.calls) {
      assert.equal(call.headers.get('authorization'), `Bearer ${token}`);
      assert.equal(call.headers.get('x-agent'), 'a1');
      assert.equal(call.headers.get('content-type'), 'application/json');
    }
    const logged = emulator.requests().filter((r) => r.path === new URL(session.url).pathname);
    assert.deepEqual(logged.map((r) => r.headers['x-agent']), ['a1', 'a1', 'a1', 'a1']);
    await session.close();
  });

  test('requests to another origin go out unchanged, without a token and without a mint', async () => {
    const config = await seedConfig(emulator, mcp);
    const base = recorder(() => ok());
    const session = await mcp.agentSession({ configId: config.id, identifier: USER, fetch: base.fetch });
    const log = logOf(emulator, session.url, configTokenPath(config.id));
    const elsewhere = 'https://api.example.com/v1/chat';
    const res = await session.fetch(elsewhere, { method: 'POST', headers: { authorization: 'Bearer provider-key' }, body: '{}' });
    assert.equal(res.status, 200);
    assert.equal(base.calls[0].url, elsewhere);
    assert.equal(base.calls[0].headers.get('authorization'), 'Bearer provider-key');
    assert.equal(log.mints(), 0);
    await session.close();
  });

  test('one mint for 50 requests that all start before there is a token', async () => {
    const config = await seedConfig(emulator, mcp);
    const base = recorder(() => ok());
    const session = await mcp.agentSession({ configId: config.id, identifier: USER, fetch: base.fetch });
    const log = logOf(emulator, session.url, configTokenPath(config.id));
    await Promise.all([
      ...Array.from({ length: 40 }, () => session.fetch(session.url, { method: 'POST', body: '{}' })),
      ...Array.from({ length: 5 }, () => session.headers()),
      ...Array.from({ length: 5 }, () => session.token()),
    ]);
    assert.equal(log.mints(), 1);
    assert.equal(new Set(base.calls.map((c) => c.headers.get('authorization'))).size, 1);
    await session.close();
  });

  test('a 401 invalid_token: one renewal, the same request repeated with the new token', async () => {
    const config = await seedConfig(emulator, mcp);
    const bodies = [];
    const base = recorder(async (input, init, n, call) => {
      bodies.push(call.request ? await call.request.text() : init.body);
      return n === 1 ? refusal() : ok();
    });
    const session = await mcp.agentSession({ configId: config.id, identifier: USER, fetch: base.fetch });
    const log = logOf(emulator, session.url, configTokenPath(config.id));
    const res = await session.fetch(new Request(session.url, { method: 'POST', headers: { 'x-agent': 'a1' }, body: '{"n":1}' }));
    assert.equal(res.status, 200);
    assert.equal(base.calls.length, 2);
    assert.deepEqual(bodies, ['{"n":1}', '{"n":1}'], 'the Request body is sent again');
    const [first, second] = base.calls.map((c) => c.headers.get('authorization'));
    assert.notEqual(first, second);
    assert.equal(second, `Bearer ${(await session.token()).token}`);
    assert.equal(base.calls[1].headers.get('x-agent'), 'a1');
    assert.equal(log.mints(), 2);
    await session.close();
  });

  test('a second 401 is answered to the caller: no loop of mints', async () => {
    const config = await seedConfig(emulator, mcp);
    const base = recorder(() => refusal());
    const session = await mcp.agentSession({ configId: config.id, identifier: USER, fetch: base.fetch });
    const log = logOf(emulator, session.url, configTokenPath(config.id));
    const res = await session.fetch(session.url, { method: 'POST', body: '{}' });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate'), /invalid_token/);
    assert.equal(base.calls.length, 2);
    assert.equal(log.mints(), 2);
    await session.close();
  });

  test('other 401s, and bodies that cannot be sent twice, are answered as they come', async () => {
    const config = await seedConfig(emulator, mcp);
    const base = recorder((input, init) => (init.body === 'plain' ? refusal('') : refusal()));
    const session = await mcp.agentSession({ configId: config.id, identifier: USER, fetch: base.fetch });
    const log = logOf(emulator, session.url, configTokenPath(config.id));
    assert.equal((await session.fetch(session.url, { method: 'POST', body: 'plain' })).status, 401);
    assert.equal(base.calls.length, 1, 'no error="invalid_token": not repeated');
    const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('{}')); c.close(); } });
    assert.equal((await session.fetch(session.url, { method: 'POST', body: stream, duplex: 'half' })).status, 401);
    assert.equal(base.calls.length, 2, 'a stream body: not repeated');
    assert.equal(log.mints(), 1);
    await session.close();
  });

  test('an aborted signal rejects the request waiting for a mint as fetch would; the mint goes on for the others', async () => {
    const config = await seedConfig(emulator, mcp);
    emulator.injectFault({ pathPrefix: configTokenPath(config.id), delayMs: 300 });
    const base = recorder(() => ok());
    const session = await mcp.agentSession({ configId: config.id, identifier: USER, fetch: base.fetch });
    const controller = new AbortController();
    const waiting = session.fetch(session.url, { method: 'POST', body: '{}', signal: controller.signal });
    const other = session.headers();
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(waiting, (err) => err.name === 'AbortError');
    assert.match((await other).Authorization, /^Bearer /);
    assert.equal(base.calls.length, 0);
    const already = AbortSignal.abort();
    await assert.rejects(session.fetch(session.url, { signal: already }), (err) => err.name === 'AbortError');
    await session.close();
  });
});

describe('renewal', () => {
  test('before expiry: a request past the renewal time mints first, with no 401 (renewBeforeMs, at most half the lifetime)', async () => {
    const tick = localClock();
    const config = await seedConfig(emulator, mcp);
    const session = await mcp.agentSession({ configId: config.id, identifier: USER, expirySeconds: 120, renewBeforeMs: 30_000 });
    const log = logOf(emulator, session.url, configTokenPath(config.id));
    const agent = await mcpSdk(session);
    try {
      await agent.call('gmail_fetch_mails');
      tick(85_000); // 35 s before expiry: not yet
      await agent.call('gmail_fetch_mails');
      assert.equal(log.mints(), 1);
      tick(10_000); // 25 s before expiry
      await agent.call('gmail_fetch_mails');
      assert.equal(log.mints(), 2);
      assert.equal(log.refusals(), 0);
      assert.equal(log.initializes(), 1);

      const short = await mcp.agentSession({ configId: config.id, identifier: USER, expirySeconds: 60, renewBeforeMs: 3_600_000 });
      await short.token();
      tick(29_000);
      await short.token();
      assert.equal(log.mints(), 3, 'a margin longer than the token: renewed at half its lifetime, not on every call');
      tick(2_000);
      await short.token();
      assert.equal(log.mints(), 4);
      await short.close();
    } finally {
      await agent.close();
      await session.close();
    }
  });

  test('a renewal that fails while the token has time left: the token in use serves, the next request tries again', async () => {
    const tick = localClock();
    const config = await seedConfig(emulator, mcp);
    const session = await mcp.agentSession({ configId: config.id, identifier: USER, expirySeconds: 60 });
    const log = logOf(emulator, session.url, configTokenPath(config.id));
    const agent = await mcpSdk(session);
    try {
      await agent.call('gmail_fetch_mails');
      tick(40_000);
      emulator.injectFault({ pathPrefix: configTokenPath(config.id), status: 503 });
      assert.equal((await agent.call('gmail_fetch_mails')).user, USER);
      assert.equal(log.mints(), 1);
      await agent.call('gmail_fetch_mails');
      assert.equal(log.mints(), 2);
      assert.equal(log.refusals(), 0);
    } finally {
      await agent.close();
      await session.close();
    }
  });

  test('a failed mint with no token to fall back on rejects with the package\'s error; the next request mints again', async () => {
    const config = await seedConfig(emulator, mcp);
    emulator.setAccountStatus({ connectionName: 'MY_GMAIL', identifier: USER, status: 'EXPIRED' });
    const session = await mcp.agentSession({ configId: config.id, identifier: USER });
    await assert.rejects(session.fetch(session.url, { method: 'POST', body: '{}' }), (err) => {
      assert.ok(err instanceof BadRequestError, `${err.name}: ${err.message}`);
      assert.equal(err.code, 'FAILED_PRECONDITION');
      return true;
    });
    emulator.injectFault({ pathPrefix: configTokenPath(config.id), status: 500 });
    await assert.rejects(session.headers(), InternalServerError);
    emulator.setAccountStatus({ connectionName: 'MY_GMAIL', identifier: USER, status: 'ACTIVE' });
    assert.match((await session.headers()).Authorization, /^Bearer /);
    await session.close();
  });

  test('a local clock far ahead (expiresAt already past on arrival): no mint per request; the lifetime is counted locally', async () => {
    const config = await seedConfig(emulator, mcp);
    const real = emulator.sessionToken({ configId: config.id, identifier: USER, expiresIn: 3600 });
    emulator.injectFault({ pathPrefix: configTokenPath(config.id), body: { token: real.token, expires_at: '2001-01-01T00:00:00Z' } });
    const session = await mcp.agentSession({ configId: config.id, identifier: USER });
    const log = logOf(emulator, session.url, configTokenPath(config.id));
    const agent = await mcpSdk(session);
    try {
      for (let i = 0; i < 10; i += 1) assert.equal((await agent.call('gmail_fetch_mails')).user, USER);
      assert.equal(log.mints(), 1);
      assert.equal(log.refusals(), 0);
    } finally {
      await agent.close();
      await session.close();
    }
  });

  for (const expiresAt of ['', 'in an hour']) {
    test(`expiresAt ${JSON.stringify(expiresAt)} and a token without iat: renewed on the server's 401`, async () => {
      const tick = localClock();
      const config = await seedConfig(emulator, mcp);
      const opaque = emulator.signJwt({
        sub: USER, aud: config.mcpServerUrl, exp: Math.floor(emulator.clock().nowMs / 1000) + 60, token_type: 'mcp_session', access_level: 'FULL',
      });
      emulator.injectFault({ pathPrefix: configTokenPath(config.id), body: { token: opaque, expires_at: expiresAt } });
      const session = await mcp.agentSession({ configId: config.id, identifier: USER });
      const log = logOf(emulator, session.url, configTokenPath(config.id));
      const agent = await mcpSdk(session);
      try {
        assert.equal((await session.token()).expiresAt, expiresAt);
        tick(59_000);
        await agent.call('gmail_fetch_mails');
        assert.equal(log.mints(), 1, 'nothing says when it runs out: no early renewal');
        tick(2_000);
        await agent.call('gmail_fetch_mails');
        assert.equal(log.mints(), 2);
        assert.equal(log.refusals(), 1);
      } finally {
        await agent.close();
        await session.close();
      }
    });
  }
});

describe('close()', () => {
  test('refuses fetch, headers() and token() with SESSION_CLOSED; an in-flight mint is abandoned', async () => {
    const config = await seedConfig(emulator, mcp);
    emulator.injectFault({ pathPrefix: configTokenPath(config.id), delayMs: 300 });
    const base = recorder(() => ok());
    const session = await mcp.agentSession({ configId: config.id, identifier: USER, fetch: base.fetch });
    const waiting = session.fetch(session.url, { method: 'POST', body: '{}' });
    setTimeout(() => session.close(), 20);
    const closed = (err) => {
      assert.ok(err instanceof ScalekitError, `${err?.name}: ${err?.message}`);
      assert.equal(err.code, 'SESSION_CLOSED');
      assert.match(err.message, /closed/);
      return true;
    };
    await assert.rejects(waiting, closed);
    assert.equal(session.closed, true);
    await assert.rejects(session.fetch(session.url), closed);
    await assert.rejects(session.headers(), closed);
    await assert.rejects(session.token(), closed);
    assert.equal(base.calls.length, 0);
    assert.equal(session.toJSON().closed, true);

    const instance = await mcp.ensureInstance({ configName: config.name, userIdentifier: USER });
    const plain = await mcp.agentSession({ instanceId: instance.id, url: instance.url });
    await plain[Symbol.asyncDispose]();
    await assert.rejects(plain.fetch(plain.url), closed);
  });
});

describe('secrets', () => {
  test('no token and no whole instance URL in inspect, JSON, keys, errors or anything written out', async () => {
    const config = await seedConfig(emulator, mcp);
    const instance = await mcp.ensureInstance({ configName: config.name, userIdentifier: USER });
    const written = [];
    const originals = {};
    for (const name of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
      originals[name] = console[name];
      console[name] = (...args) => { written.push(args.map(String).join(' ')); };
    }
    const out = process.stdout.write;
    const err = process.stderr.write;
    process.stdout.write = function write(chunk, ...rest) { written.push(String(chunk)); return out.call(this, chunk, ...rest); };
    process.stderr.write = function write(chunk, ...rest) { written.push(String(chunk)); return err.call(this, chunk, ...rest); };
    const secrets = [instance.url];
    const shown = [];
    try {
      const sessions = [
        await mcp.agentSession({ configId: config.id, identifier: USER, expirySeconds: 60 }),
        await mcp.agentSession({ connectionName: 'MY_GMAIL', identifier: USER }),
        await mcp.agentSession({ instanceId: instance.id }),
      ];
      for (const session of sessions) {
        const agent = await mcpSdk(session);
        await agent.call('gmail_fetch_mails');
        emulator.advanceTime(61_000);
        await agent.call('gmail_fetch_mails');
        await agent.close();
        const minted = await session.token();
        if (minted) secrets.push(minted.token);
        shown.push(inspect(session), inspect(session, { showHidden: true, depth: 5 }), JSON.stringify(session),
          String(session), Object.keys(session).join(','), JSON.stringify({ ...session }));
        assert.deepEqual(Object.keys(session), []);
      }
      assert.match(inspect(sessions[2]), /url: "http:\/\/127\.0\.0\.1:\d+\/mcp\/v2\/inst…"/);
      assert.equal(sessions[0].toJSON().expiresAt, (await sessions[0].token()).expiresAt);

      emulator.setAccountStatus({ connectionName: 'MY_GMAIL', identifier: USER, status: 'EXPIRED' });
      emulator.advanceTime(61_000);
      await sessions[0].fetch(sessions[0].url, { method: 'POST', body: '{}' }).catch((e) => shown.push(e.message, e.stack, JSON.stringify(e), inspect(e)));
      await Promise.all(sessions.map((s) => s.close()));
      for (const session of sessions) {
        await session.fetch(session.url).catch((e) => shown.push(e.message, e.stack, JSON.stringify(e), inspect(e)));
      }
      assert.ok(shown.some((s) => /FAILED_PRECONDITION/.test(s)), 'the failed mint was seen');
      assert.ok(shown.some((s) => /SESSION_CLOSED/.test(s)));
    } finally {
      Object.assign(console, originals);
      process.stdout.write = out;
      process.stderr.write = err;
    }
    assert.equal(secrets.length, 3);
    for (const secret of secrets) {
      for (const text of [...shown, ...written]) assert.ok(!text.includes(secret), `a secret in: ${text.slice(0, 200)}`);
    }
  });
});

describe('input', () => {
  const cases = [
    [undefined, 'input'],
    [{}, 'input'],
    [{ identifier: USER }, 'input'],
    [{ configId: 'cfg_1' }, 'identifier'],
    [{ configId: 'cfg_1', identifier: '' }, 'identifier'],
    [{ configId: 'cfg_1', identifier: 'x'.repeat(256) }, 'identifier'],
    [{ connectionName: 'MY_GMAIL' }, 'identifier'],
    [{ configId: 'cfg_1', connectionName: 'MY_GMAIL', identifier: USER }, 'input'],
    [{ configId: 'cfg_1', instanceId: 'inst_1', identifier: USER }, 'input'],
    [{ configId: '', identifier: USER }, 'configId'],
    [{ configId: 42, identifier: USER }, 'configId'],
    [{ configId: 'cfg_1', identifier: USER, expirySeconds: 59 }, 'expirySeconds'],
    [{ configId: 'cfg_1', identifier: USER, expirySeconds: 86_401 }, 'expirySeconds'],
    [{ configId: 'cfg_1', identifier: USER, expirySeconds: 90.5 }, 'expirySeconds'],
    [{ configId: 'cfg_1', identifier: USER, accessLevel: 'ADMIN' }, 'accessLevel'],
    [{ configId: 'cfg_1', identifier: USER, renewBeforeMs: -1 }, 'renewBeforeMs'],
    [{ configId: 'cfg_1', identifier: USER, renewBeforeMs: Infinity }, 'renewBeforeMs'],
    [{ configId: 'cfg_1', identifier: USER, url: 'not a url' }, 'url'],
    [{ configId: 'cfg_1', identifier: USER, url: 'ftp://x.example/mcp' }, 'url'],
    [{ configId: 'cfg_1', identifier: USER, fetch: 'fetch' }, 'fetch'],
    [{ configId: 'cfg_1', identifier: USER, expiry: 60 }, 'expiry'],
    [{ instanceId: 'inst_1', identifier: USER }, 'identifier'],
    [{ instanceId: 'inst_1', expirySeconds: 60 }, 'expirySeconds'],
    [{ configId: 'cfg_1', get identifier() { throw new Error('boom'); } }, 'identifier'],
    // The rules of the calls that mint the tokens and look up the instance, as they state them.
    [{ connectionName: '..', identifier: USER }, 'connectionName'],
    [{ configId: 'c'.repeat(256), identifier: USER }, 'configId'],
    [{ instanceId: '.' }, 'instanceId'],
    [(() => { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy; })(), 'input'],
  ];
  for (const [input, field] of cases) {
    test(`${inspect(input, { breakLength: Infinity, getters: false })} is a ValidationError on ${field}, before any request`, async () => {
      const before = emulator.requests().length;
      await assert.rejects(mcp.agentSession(input), (err) => {
        assert.ok(err instanceof ValidationError, `${err?.name}: ${err?.message}`);
        assert.equal(err.field, field);
        return true;
      });
      assert.equal(emulator.requests().length, before);
    });
  }

  test('options other than signal and timeoutMs are a ValidationError, with or without a look-up', async () => {
    for (const input of [{ configId: 'cfg_1', identifier: USER }, { instanceId: 'inst_1', url: 'https://x.example/mcp' }]) {
      await assert.rejects(mcp.agentSession(input, { timeout: 5 }), (err) => err instanceof ValidationError && err.field === 'options.timeout');
      await assert.rejects(mcp.agentSession(input, 'fast'), (err) => err instanceof ValidationError && err.field === 'options');
    }
  });

  test('unknown config or instance: the look-up\'s NotFoundError', async () => {
    await assert.rejects(mcp.agentSession({ configId: 'cfg_missing', identifier: USER }), { name: 'NotFoundError' });
    await assert.rejects(mcp.agentSession({ instanceId: 'inst_missing' }), { name: 'NotFoundError' });
  });
});
