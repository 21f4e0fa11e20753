// Production behaviour against the emulator's fault controls: retries, Retry-After, timeouts,
// cancellation, the access token's life, and many concurrent calls on one client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as api from 'scalekit-mcp';
import { clientFor, uniqueName, createMailCalendarConfig, rawServer, sharedEmulator } from './helpers.mjs';

const { InternalServerError, RateLimitError, ConnectionError, TimeoutError, AbortError, AuthenticationError } = api;
let emulator;

sharedEmulator((e) => {
  emulator = e;
});

const apiRequests = (prefix = '/api/') => emulator.requests().filter((r) => r.path.startsWith(prefix));
const tokenRequests = () => emulator.requests().filter((r) => r.path === '/oauth/token').length;
const CONFIGS = '/api/v1/mcp/configs';

async function rejects(promise, Cls) {
  let caught = null;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof Cls, `expected ${Cls.name}, got ${caught ? `${caught.name}: ${caught.message}` : 'a result'}`);
  return caught;
}

async function warmClient(options) {
  const mcp = clientFor(api, emulator, options);
  await mcp.listConfigs({ pageSize: 1 });
  emulator.clearRequests();
  return mcp;
}

// ---- retries ----------------------------------------------------------------------------

for (const status of [408, 429, 500, 502, 503, 504]) {
  test(`a safe request is retried after ${status}`, async () => {
    const mcp = await warmClient();
    emulator.injectFault({ pathPrefix: CONFIGS, count: 2, status, retryAfter: status === 429 ? '0' : undefined });
    const page = await mcp.listConfigs({ pageSize: 1 });
    assert.ok(Array.isArray(page.configs));
    assert.equal(apiRequests().length, 3, 'two failures, then the answer');
  });
}

for (const status of [400, 403, 404, 409, 422]) {
  test(`${status} is not retried`, async () => {
    const mcp = await warmClient();
    emulator.injectFault({ pathPrefix: CONFIGS, count: 3, status });
    await assert.rejects(mcp.listConfigs());
    assert.equal(apiRequests().length, 1);
  });
}

test('connection failures of a safe request are retried', async () => {
  const mcp = await warmClient();
  emulator.injectFault({ pathPrefix: CONFIGS, count: 1, destroy: true });
  const page = await mcp.listConfigs();
  assert.ok(Array.isArray(page.configs));
  assert.equal(apiRequests().length, 2);
});

test('createConfig is not repeated once the server may have acted', async () => {
  const mcp = await warmClient();
  for (const fault of [{ status: 500 }, { status: 503 }, { destroy: true }]) {
    emulator.clearRequests();
    emulator.clearFaults();
    emulator.injectFault({ pathPrefix: CONFIGS, method: 'POST', count: 3, ...fault });
    const err = await rejects(mcp.createConfig({ name: uniqueName() }), fault.destroy ? ConnectionError : InternalServerError);
    assert.ok(err);
    assert.equal(apiRequests().length, 1, `one attempt for ${JSON.stringify(fault)}`);
  }
  emulator.clearFaults();
});

test('createConfig is retried after 429: the server did not act', async () => {
  const mcp = await warmClient();
  emulator.injectFault({ pathPrefix: CONFIGS, method: 'POST', count: 1, status: 429, retryAfter: '0' });
  const config = await mcp.createConfig({ name: uniqueName() });
  assert.match(config.id, /^cfg_/);
  assert.equal(apiRequests().length, 2);
});

test('deleteConfig and deleteInstance are not repeated after 5xx; ensureInstance is', async () => {
  const mcp = await warmClient();
  const config = await createMailCalendarConfig(mcp);
  const instance = await mcp.ensureInstance({ configName: config.name, userIdentifier: 'retry-user' });
  emulator.clearRequests();
  emulator.injectFault({ pathPrefix: '/api/v1/mcp/instances', method: 'POST', count: 1, status: 503 });
  const again = await mcp.ensureInstance({ configName: config.name, userIdentifier: 'retry-user' });
  assert.equal(again.id, instance.id);
  assert.equal(apiRequests().length, 2);

  emulator.clearRequests();
  emulator.injectFault({ pathPrefix: `/api/v1/mcp/instances/${instance.id}`, method: 'DELETE', count: 1, status: 502 });
  await rejects(mcp.deleteInstance(instance.id), InternalServerError);
  assert.equal(apiRequests().length, 1);

  emulator.clearRequests();
  emulator.injectFault({ pathPrefix: `/api/v1/mcp/configs/${config.id}`, method: 'DELETE', count: 1, status: 502 });
  await rejects(mcp.deleteConfig(config.id), InternalServerError);
  assert.equal(apiRequests().length, 1);
});

test('maxRetries: 0 disables retries; the default is 2', async () => {
  const none = await warmClient({ maxRetries: 0 });
  emulator.injectFault({ pathPrefix: CONFIGS, count: 5, status: 503 });
  await rejects(none.listConfigs(), InternalServerError);
  assert.equal(apiRequests().length, 1);

  emulator.clearFaults();
  const dflt = await warmClient();
  emulator.injectFault({ pathPrefix: CONFIGS, count: 5, status: 503 });
  await rejects(dflt.listConfigs(), InternalServerError);
  assert.equal(apiRequests().length, 3);
});

test('Retry-After in seconds is honoured', async () => {
  const mcp = await warmClient();
  emulator.injectFault({ pathPrefix: CONFIGS, count: 1, status: 429, retryAfter: '1' });
  const started = Date.now();
  await mcp.listConfigs();
  const took = Date.now() - started;
  assert.ok(took >= 950 && took < 3000, `waited ${took} ms`);
});

test('Retry-After as an HTTP date is honoured', async () => {
  const mcp = await warmClient();
  const when = new Date(Date.now() + 2000).toUTCString();
  emulator.injectFault({ pathPrefix: CONFIGS, count: 1, status: 503, retryAfter: when });
  const started = Date.now();
  await mcp.listConfigs();
  const took = Date.now() - started;
  assert.ok(took >= 900 && took < 3500, `waited ${took} ms until ${when}`);
});

test('Retry-After beyond 60 s is not waited for: RateLimitError with retryAfterMs', async () => {
  const mcp = await warmClient();
  emulator.injectFault({ pathPrefix: CONFIGS, count: 1, status: 429, retryAfter: '120' });
  const started = Date.now();
  const err = await rejects(mcp.listConfigs(), RateLimitError);
  assert.equal(err.retryAfterMs, 120_000);
  assert.ok(Date.now() - started < 1000);
  assert.equal(apiRequests().length, 1);
});

test('backoff between retries stays within full jitter of 0.5 s and 1 s', async () => {
  const mcp = await warmClient();
  emulator.injectFault({ pathPrefix: CONFIGS, count: 2, status: 503 });
  const started = Date.now();
  await mcp.listConfigs();
  assert.ok(Date.now() - started < 1500 + 500);
});

test('a retry never outlives the call timeout', async () => {
  const mcp = await warmClient();
  emulator.injectFault({ pathPrefix: CONFIGS, count: 3, status: 503, retryAfter: '5' });
  const started = Date.now();
  const err = await rejects(mcp.listConfigs({}, { timeoutMs: 1000 }), api.ScalekitError);
  assert.ok(err instanceof TimeoutError || err instanceof InternalServerError, err.name);
  assert.ok(Date.now() - started < 1500, `rejected after ${Date.now() - started} ms`);
});

test('the signal cancels the sleep between attempts', async () => {
  const mcp = await warmClient();
  emulator.injectFault({ pathPrefix: CONFIGS, count: 3, status: 503, retryAfter: '5' });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 200);
  const started = Date.now();
  await rejects(mcp.listConfigs({}, { signal: controller.signal }), AbortError);
  assert.ok(Date.now() - started < 700);
  assert.equal(apiRequests().length, 1);
});

// ---- timeouts and cancellation ------------------------------------------------------------

test('the client timeoutMs applies to every call; the per-call one overrides it', async () => {
  const mcp = await warmClient({ timeoutMs: 300, maxRetries: 0 });
  emulator.injectFault({ pathPrefix: CONFIGS, count: 1, delayMs: 2000 });
  let started = Date.now();
  await rejects(mcp.listConfigs(), TimeoutError);
  assert.ok(Date.now() - started < 1200);
  emulator.injectFault({ pathPrefix: CONFIGS, count: 1, delayMs: 600 });
  started = Date.now();
  await mcp.listConfigs({}, { timeoutMs: 3000 });
  assert.ok(Date.now() - started >= 550);
});

test('calls due together time out together; a call that answered or is due later is untouched', async () => {
  const mcp = await warmClient({ timeoutMs: 400, maxRetries: 0 });
  const config = await createMailCalendarConfig(mcp);
  emulator.injectFault({ pathPrefix: CONFIGS, count: 4, delayMs: 1500 });
  const started = Date.now();
  const hanging = [1, 2, 3].map(() => mcp.listConfigs().then(() => null, (e) => [e, Date.now() - started]));
  const later = mcp.listConfigs({}, { timeoutMs: 5000 });
  const quick = [1, 2].map((i) => mcp.ensureInstance({ configName: config.name, userIdentifier: `batch-${i}` }));
  for (const instance of await Promise.all(quick)) assert.equal(instance.config.id, config.id);
  for (const outcome of await Promise.all(hanging)) {
    assert.ok(outcome && outcome[0] instanceof TimeoutError, `expected a TimeoutError, got ${outcome?.[0]}`);
    assert.ok(outcome[1] >= 390 && outcome[1] < 1200, `timed out after ${outcome[1]} ms`);
  }
  assert.ok(Array.isArray((await later).configs));
  assert.ok(Date.now() - started >= 1400);
  // The next call is not handed an aborted controller.
  assert.ok(Array.isArray((await mcp.listConfigs()).configs));
});

test('an answer over 10 MiB is dropped without disturbing a call started with it', async () => {
  const mcp = await warmClient({ maxRetries: 0 });
  const config = await createMailCalendarConfig(mcp);
  emulator.injectFault({ pathPrefix: CONFIGS, count: 1, bodyBytes: 11 * 1024 * 1024, contentType: 'application/json' });
  emulator.injectFault({ pathPrefix: '/api/v1/mcp/instances', count: 1, delayMs: 300 });
  const [big, slow] = await Promise.allSettled([
    mcp.listConfigs(),
    mcp.ensureInstance({ configName: config.name, userIdentifier: 'beside-a-big-answer' }),
  ]);
  assert.ok(big.status === 'rejected' && big.reason instanceof api.InvalidResponseError, String(big.reason));
  assert.equal(slow.status, 'fulfilled', String(slow.reason));
  assert.equal(slow.value.config.id, config.id);
});

test('an already-aborted signal sends nothing', async () => {
  const mcp = await warmClient();
  const controller = new AbortController();
  controller.abort();
  await rejects(mcp.listConfigs({}, { signal: controller.signal }), AbortError);
  await rejects(mcp.createConfig({ name: uniqueName() }, { signal: controller.signal }), AbortError);
  assert.equal(emulator.requests().length, 0);
});

test('aborting rejects at once, while the server is still working', async () => {
  const mcp = await warmClient();
  emulator.injectFault({ pathPrefix: CONFIGS, count: 1, delayMs: 3000 });
  const controller = new AbortController();
  const call = mcp.listConfigs({}, { signal: controller.signal });
  await new Promise((r) => setTimeout(r, 100));
  const abortedAt = Date.now();
  controller.abort();
  await rejects(call, AbortError);
  assert.ok(Date.now() - abortedAt < 100);
});

// ---- answers the emulator does not give ---------------------------------------------------

test('a body cut off midway is a ConnectionError: a safe call is retried, createConfig is not', async () => {
  const raw = await rawServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    res.write('{"configs":[');
    setTimeout(() => res.socket.destroy(), 20);
  });
  try {
    const mcp = raw.client({ maxRetries: 1 });
    const listed = await rejects(mcp.listConfigs(), ConnectionError);
    assert.equal(raw.hits('/api/v1/mcp/configs'), 2, 'listed twice');
    assert.match(listed.message, /Could not reach http:\/\/127\.0\.0\.1:\d+/);
    await rejects(mcp.createConfig({ name: uniqueName() }), ConnectionError);
    assert.equal(raw.hits('/api/v1/mcp/configs'), 3, 'the create went out once');
  } finally {
    await raw.close();
  }
});

test('a body over 10 MiB without a declared length is an InvalidResponseError', async () => {
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  const raw = await rawServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    let sent = 0;
    const more = () => {
      while (sent < 11) {
        sent += 1;
        if (!res.write(chunk)) return res.once('drain', more);
      }
      res.end();
    };
    more();
  });
  try {
    const err = await rejects(raw.client({ maxRetries: 0 }).listConfigs(), api.InvalidResponseError);
    assert.match(err.message, /larger than 10 MiB/);
    assert.equal(err.status, 200);
  } finally {
    await raw.close();
  }
});

test('a fetch that throws, or resolves with something else than a Response, is a ConnectionError', async () => {
  const realFetch = globalThis.fetch;
  try {
    globalThis.fetch = () => Promise.resolve({ status: 200, text: () => Promise.resolve('{}') });
    let err = await rejects(clientFor(api, emulator, { maxRetries: 0 }).listConfigs(), ConnectionError);
    assert.match(err.message, /fetch did not return a Response/);
    globalThis.fetch = () => {
      throw new TypeError('fetch is not available here');
    };
    err = await rejects(clientFor(api, emulator, { maxRetries: 0 }).listConfigs(), ConnectionError);
    assert.match(err.message, /fetch is not available here/);
  } finally {
    globalThis.fetch = realFetch;
  }
  assert.ok(Array.isArray((await clientFor(api, emulator).listConfigs()).configs), 'the real fetch works again');
});

// ---- the access token ------------------------------------------------------------------

test('concurrent calls while no token is held make exactly one token request', async () => {
  const mcp = clientFor(api, emulator);
  const results = await Promise.all(Array.from({ length: 50 }, () => mcp.listConfigs({ pageSize: 1 })));
  assert.equal(results.length, 50);
  assert.equal(tokenRequests(), 1);
});

test('an expired token is refreshed once and the call retried', async () => {
  const mcp = await warmClient();
  emulator.expireTokens();
  const results = await Promise.all(Array.from({ length: 10 }, () => mcp.listConfigs({ pageSize: 1 })));
  assert.equal(results.length, 10);
  assert.equal(tokenRequests(), 1, 'one refresh for all the calls that saw the 401');
});

test('a second 401 is an AuthenticationError, not a loop', async () => {
  const mcp = await warmClient();
  emulator.injectFault({ pathPrefix: CONFIGS, count: 10, status: 401 });
  await rejects(mcp.listConfigs(), AuthenticationError);
  assert.equal(apiRequests().length, 2);
  assert.equal(tokenRequests(), 1);
});

test('a failed token request rejects every waiting call alike and does not poison later calls', async () => {
  const mcp = clientFor(api, emulator);
  emulator.injectFault({ pathPrefix: '/oauth/token', count: 1, status: 401 });
  const settled = await Promise.allSettled(Array.from({ length: 10 }, () => mcp.listConfigs()));
  assert.equal(tokenRequests(), 1);
  for (const s of settled) {
    assert.equal(s.status, 'rejected');
    assert.ok(s.reason instanceof AuthenticationError);
    assert.equal(s.reason.message, settled[0].reason.message);
  }
  const page = await mcp.listConfigs();
  assert.ok(Array.isArray(page.configs));
  assert.equal(tokenRequests(), 2);
});

test('odd expires_in values are handled', async () => {
  const grant = await (await fetch(`${emulator.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: emulator.clientId, client_secret: emulator.clientSecret }),
  })).json();
  for (const expiresIn of ['18446744064486179580', '0', '-5', '1.5', '"3600"', 'null', 'missing', '1e400']) {
    emulator.clearRequests();
    const body = expiresIn === 'missing'
      ? `{"access_token":"${grant.access_token}","token_type":"Bearer"}`
      : `{"access_token":"${grant.access_token}","token_type":"Bearer","expires_in":${expiresIn}}`;
    emulator.injectFault({ pathPrefix: '/oauth/token', count: 1, status: 200, body, contentType: 'application/json' });
    const mcp = clientFor(api, emulator);
    for (let i = 0; i < 3; i += 1) await mcp.listConfigs({ pageSize: 1 });
    assert.ok(tokenRequests() <= 2, `expires_in ${expiresIn}: ${tokenRequests()} token requests`);
  }
});

// ---- many callers -------------------------------------------------------------------------

test('1 000 concurrent calls on one client: all correct, one token request', async () => {
  const mcp = clientFor(api, emulator);
  const config = await createMailCalendarConfig(mcp);
  emulator.clearRequests();
  const fresh = clientFor(api, emulator);
  const results = await Promise.all(Array.from({ length: 1000 }, () => fresh.getConfig(config.id)));
  assert.equal(results.length, 1000);
  for (const r of results) assert.equal(r.id, config.id);
  assert.equal(tokenRequests(), 1);
});

test('10 000 sequential calls do not grow memory without bound', async () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const mcp = clientFor(api, emulator);
  const config = await createMailCalendarConfig(mcp);
  for (let i = 0; i < 1000; i += 1) await mcp.getConfig(config.id);
  gc();
  const base = process.memoryUsage();
  for (let i = 0; i < 10_000; i += 1) await mcp.getConfig(config.id);
  emulator.clearRequests();
  gc();
  const end = process.memoryUsage();
  const heapGrowth = end.heapUsed - base.heapUsed;
  const bufferGrowth = end.arrayBuffers - base.arrayBuffers;
  assert.ok(heapGrowth < 8 * 1024 * 1024, `heap grew ${heapGrowth} bytes`);
  assert.ok(bufferGrowth < 8 * 1024 * 1024, `array buffers (wasm memory) grew ${bufferGrowth} bytes`);
});
