// Seeing what the client does: the lines of each log level for a scripted run (a retry, a
// Retry-After, a 401 and its new token, a token renewal, a poll, an ensureConfig), the hooks'
// frozen descriptions of each attempt, a hook that throws, SCALEKIT_MCP_LOG, and no secret, token
// or instance URL in any line or hook argument, in any encoding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { inspect } from 'node:util';
import * as api from 'scalekit-mcp';
import { clientFor, uniqueName, createMailCalendarConfig, rawServer, sharedEmulator } from './helpers.mjs';

let emulator;

sharedEmulator((e) => {
  emulator = e;
});

/** A logger that keeps its lines, and hooks that keep their arguments. */
function recorder() {
  const lines = [];
  const logger = Object.fromEntries(['error', 'warn', 'info', 'debug'].map((level) => [level, (line) => lines.push({ level, line })]));
  const seen = [];
  const hooks = { onRequest: (info) => seen.push(info), onResponse: (info) => seen.push(info) };
  return { lines, logger, seen, hooks, at: (level) => lines.filter((l) => l.level === level).map((l) => l.line) };
}

const client = (options) => clientFor(api, emulator, options);

/** A run that retries, waits out a Retry-After, re-authenticates, renews its token and polls. */
async function scriptedRun(mcp) {
  const config = await createMailCalendarConfig(mcp, uniqueName('logged'));
  const instance = await mcp.ensureInstance({ configName: config.name, userIdentifier: 'alice@example.com' });
  emulator.injectFault({ pathPrefix: '/api/v1/mcp/configs', status: 503, count: 1 });
  await mcp.getConfig(config.id);
  emulator.injectFault({ pathPrefix: '/api/v1/mcp/configs', status: 429, retryAfter: '1', count: 1 });
  await mcp.getConfig(config.id);
  emulator.expireTokens();
  await mcp.getConfig(config.id);
  emulator.advanceTime(2 * 3600 * 1000);
  await mcp.listInstances({ filter: { userIdentifier: 'alice@example.com' } });
  let polls = 0;
  await mcp.waitForAuth({ instanceId: instance.id }, {
    pollIntervalMs: 500,
    includeAuthLinks: true,
    onPending: (state) => {
      polls += 1;
      for (const c of state.connections) if (c.authenticationLink) emulator.authorize(c.authenticationLink);
    },
  });
  await mcp.ensureConfig({
    name: config.name,
    description: 'changed',
    connectionToolMappings: config.connectionToolMappings.map((m) => ({ connectionName: m.connectionName, tools: m.tools })),
  });
  const token = await mcp.createSessionToken({ configId: config.id, identifier: 'alice@example.com' });
  try {
    await mcp.getConfig('cfg_missing');
  } catch {
    // logged at error
  }
  return { config, instance, token, polls };
}

test('each level logs what it says, and nothing secret', async () => {
  const r = recorder();
  const mcp = client({ logLevel: 'debug', logger: r.logger, hooks: r.hooks });
  const { instance, token } = await scriptedRun(mcp);

  const debug = r.at('debug');
  assert.ok(debug.some((l) => /^scalekit-mcp: accessToken POST http:\/\/127\.0\.0\.1:\d+\/oauth\/token -> 200 in \d+ ms, attempt 1$/.test(l)), debug.join('\n'));
  assert.ok(debug.filter((l) => l.includes('accessToken POST')).length >= 3, 'the first token, the one after the 401, the renewal');
  assert.ok(debug.some((l) => /getConfig GET .*\/api\/v1\/mcp\/configs\/cfg_\w+ -> 503 in \d+ ms, attempt 1 trace \w+, retrying in \d+ ms/.test(l)), debug.join('\n'));
  assert.ok(debug.some((l) => /-> 401 .*fetching a new access token/.test(l)));
  assert.ok(debug.some((l) => /listInstances GET .*filter\.user_identifier=…/.test(l)), 'query values that identify a user are hidden');
  assert.ok(debug.some((l) => /waitForAuth poll 1: 2 pending \(MY_GMAIL, MY_CALENDAR\), next poll in 500 ms/.test(l)), debug.join('\n'));

  const info = r.at('info');
  assert.ok(info.some((l) => /getConfig retried after 503 \(backoff: waiting \d+ ms, attempt 2 next\)/.test(l)), info.join('\n'));
  assert.ok(info.some((l) => /getConfig retried after 429 \(Retry-After 1000 ms: waiting 1000 ms/.test(l)), info.join('\n'));
  assert.ok(info.some((l) => /getConfig answered 401: fetching a new access token/.test(l)));
  assert.ok(info.some((l) => /ensureConfig logged-\S+: updated, 1 change$/.test(l)), info.join('\n'));
  assert.deepEqual(r.at('error'), ['scalekit-mcp: getConfig failed: NotFound NOT_FOUND: MCP config "cfg_missing" not found (HTTP 404)']);

  // Hooks: a frozen description of each attempt, before and after.
  const requests = r.seen.filter((s) => !('durationMs' in s));
  const responses = r.seen.filter((s) => 'durationMs' in s);
  assert.equal(requests.length, responses.length);
  assert.ok(r.seen.every(Object.isFrozen));
  const retried = responses.find((s) => s.status === 503);
  assert.deepEqual(Object.keys(retried).sort(), ['attempt', 'call', 'durationMs', 'error', 'method', 'next', 'operation', 'status', 'traceId', 'url', 'waitMs']);
  // A response matches its request by call and attempt.
  for (const res of responses) assert.equal(requests.filter((q) => q.call === res.call && q.attempt === res.attempt).length, 1);
  assert.equal(retried.next, 'retry');
  assert.equal(retried.error.kind, 'InternalServer');

  // No secret in any line or hook argument, in any encoding.
  const everything = [...r.lines.map((l) => l.line), ...r.seen.map((s) => inspect(s, { depth: 5 })), JSON.stringify(r.seen)].join('\n');
  const secrets = [emulator.clientSecret, token.token, instance.url, new URL(instance.url).pathname.split('/').pop()];
  for (const secret of secrets) {
    for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)]) {
      assert.ok(!everything.includes(form), `${form} appears in the log`);
    }
  }
  for (const t of emulator.requests().map((q) => q.headers.authorization).filter(Boolean)) assert.ok(!everything.includes(t));
  assert.ok(!/eyJ[\w-]{6,}\./.test(everything), 'no JWT');
  assert.ok(!/Bearer \S/.test(everything), 'no bearer credential');
});

test('the levels are cumulative: info shows no debug line, warn no info, off nothing', async () => {
  for (const [level, seen] of [['info', ['error', 'info']], ['warn', ['error']], ['error', ['error']], ['off', []]]) {
    const r = recorder();
    await scriptedRun(client({ logLevel: level, logger: r.logger }));
    assert.deepEqual([...new Set(r.lines.map((l) => l.level))].sort(), seen.sort(), `${level}: ${r.lines.map((l) => l.line).join('\n')}`);
  }
});

test('warn: a Retry-After over the cap, and an answer taken though it is odd', async () => {
  const server = await rawServer((req, res) => {
    if (req.url.startsWith('/api/v1/mcp/instances/')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ connections: [{ connection_name: 'gmail', connected_account_status: 'SUSPENDED' }] }));
      return;
    }
    res.writeHead(429, { 'retry-after': '120', 'content-type': 'application/json' });
    res.end('{"code":8,"message":"slow down"}');
  });
  try {
    const r = recorder();
    const mcp = server.client({ logLevel: 'warn', logger: r.logger });
    await assert.rejects(mcp.getConfig('cfg_1'), api.RateLimitError);
    await mcp.getInstanceAuthState({ instanceId: 'inst_1' });
    const warn = r.at('warn');
    assert.ok(
      warn.some((l) => /getConfig: not retried after 429: the server asked to wait 120000 ms \(Retry-After\), longer than the client waits for; giving up/.test(l)),
      warn.join('\n'),
    );
    assert.ok(warn.some((l) => /getInstanceAuthState: took an answer the API does not describe: connection "gmail" has the unknown status "SUSPENDED"/.test(l)), warn.join('\n'));
    assert.equal(r.at('error').length, 1, 'the rejected call');
  } finally {
    await server.close();
  }
});

test('why a failure was not retried: the core says, in a line and to onResponse', async () => {
  const server = await rawServer((req, res) => {
    if (req.url.startsWith('/api/v1/mcp/configs/slow')) {
      res.writeHead(429, { 'retry-after': '5', 'content-type': 'application/json' });
      res.end('{"code":8,"message":"slow down"}');
    } else if (req.url.startsWith('/api/v1/mcp/configs/missing')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"code":5,"message":"not found"}');
    } else {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"code":14,"message":"unavailable"}');
    }
  });
  try {
    const r = recorder();
    const mcp = server.client({ logLevel: 'info', logger: r.logger, hooks: r.hooks, maxRetries: 1 });
    const last = () => r.seen.filter((s) => 'durationMs' in s).at(-1);
    await assert.rejects(mcp.getConfig('down'), api.InternalServerError);
    assert.equal(last().gaveUp, 'retriesSpent');
    assert.ok(r.at('info').some((l) => /getConfig: not retried after 503: 1 retry made, as many as maxRetries allows$/.test(l)), r.at('info').join('\n'));
    await assert.rejects(mcp.getConfig('slow', { timeoutMs: 1000 }), api.RateLimitError);
    assert.equal(last().gaveUp, 'noTimeLeft');
    assert.ok(r.at('info').some((l) => /getConfig: not retried after 429: the wait before a retry would not end within the call's timeout$/.test(l)));
    const lines = r.lines.length;
    await assert.rejects(mcp.getConfig('missing'), api.NotFoundError);
    assert.equal(last().gaveUp, 'notRetryable');
    assert.deepEqual(r.lines.slice(lines).map((l) => l.level), ['error'], 'a 404 is never retried: no line says why');
    await assert.rejects(mcp.createConfig({ name: 'made-twice' }), api.InternalServerError);
    assert.equal(last().gaveUp, 'notSafeToRepeat');
    assert.ok(r.at('info').some((l) => /createConfig: not retried after 503: the request may have reached the server, and createConfig is not repeated where it could act twice$/.test(l)), r.at('info').join('\n'));
    await mcp.getConfig('down').catch(() => {});
    assert.ok(r.seen.filter((s) => s.next === 'retry').every((s) => !('gaveUp' in s)), 'a retried attempt gave nothing up');
  } finally {
    await server.close();
  }
});

test('a hook or logger that throws does not break the call; it is logged at warn', async () => {
  const r = recorder();
  const mcp = client({
    logLevel: 'warn',
    logger: r.logger,
    hooks: { onRequest: () => { throw new Error('hook failed'); }, onResponse: async () => { throw new Error('async hook failed'); } },
  });
  const page = await mcp.listConfigs({ pageSize: 1 });
  assert.ok(Array.isArray(page.configs));
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(r.at('warn').some((l) => l.includes('the onRequest hook threw: hook failed')));
  assert.ok(r.at('warn').some((l) => l.includes('the onResponse hook rejected: async hook failed')));
  const broken = client({ logLevel: 'debug', logger: { debug() { throw new Error('logger broke'); } } });
  assert.ok(Array.isArray((await broken.listConfigs()).configs));
});

test('options and SCALEKIT_MCP_LOG are checked, and the environment variable turns logging on', async () => {
  for (const [options, field] of [[{ logLevel: 'verbose' }, 'logLevel'], [{ logger: 5 }, 'logger'], [{ hooks: { onFoo() {} } }, 'hooks.onFoo'], [{ hooks: { onRequest: 1 } }, 'hooks.onRequest']]) {
    assert.throws(() => client(options), (err) => err instanceof api.ValidationError && err.field === field, JSON.stringify(options));
  }
  const previous = process.env.SCALEKIT_MCP_LOG;
  process.env.SCALEKIT_MCP_LOG = 'debug';
  try {
    const r = recorder();
    await client({ logger: r.logger }).listConfigs({ pageSize: 1 });
    assert.ok(r.at('debug').some((l) => l.includes('listConfigs GET')));
    const quiet = recorder();
    await client({ logger: quiet.logger, logLevel: 'off' }).listConfigs({ pageSize: 1 });
    assert.equal(quiet.lines.length, 0, 'the option wins over the variable');
    process.env.SCALEKIT_MCP_LOG = 'loud';
    assert.throws(() => client({}), (err) => err.field === 'SCALEKIT_MCP_LOG');
  } finally {
    if (previous === undefined) delete process.env.SCALEKIT_MCP_LOG;
    else process.env.SCALEKIT_MCP_LOG = previous;
  }
  // fromEnv takes a logger too.
  const r = recorder();
  process.env.SCALEKIT_ENV_URL = emulator.url;
  process.env.SCALEKIT_CLIENT_ID = emulator.clientId;
  process.env.SCALEKIT_CLIENT_SECRET = emulator.clientSecret;
  try {
    await api.ScalekitMcp.fromEnv({ logLevel: 'debug', logger: r.logger }).listConfigs({ pageSize: 1 });
  } finally {
    delete process.env.SCALEKIT_ENV_URL;
    delete process.env.SCALEKIT_CLIENT_ID;
    delete process.env.SCALEKIT_CLIENT_SECRET;
  }
  assert.ok(r.at('debug').length >= 2);
});

test('SCALEKIT_MCP_LOG=debug npm run demo shows the calls', { timeout: 300_000 }, () => {
  const run = spawnSync(process.execPath, ['scripts/demo.mjs'], {
    cwd: new URL('../..', import.meta.url),
    env: { ...process.env, SCALEKIT_MCP_LOG: 'debug', SCALEKIT_ENV_URL: '', SCALEKIT_CLIENT_ID: '', SCALEKIT_CLIENT_SECRET: '' },
    encoding: 'utf8',
    timeout: 240_000,
  });
  const out = `${run.stdout}${run.stderr}`;
  assert.equal(run.status, 0, out);
  assert.match(out, /scalekit-mcp: accessToken POST http:\/\/127\.0\.0\.1:\d+\/oauth\/token -> 200/);
  assert.match(out, /scalekit-mcp: ensureInstance POST .*\/api\/v1\/mcp\/instances -> 200/);
  assert.match(out, /scalekit-mcp: createSessionToken POST/);
  assert.ok(!/eyJ[\w-]{6,}\.[\w-]{6,}\./.test(out.split('\n').filter((l) => l.includes('scalekit-mcp:')).join('\n')), 'no token in a log line');
});
