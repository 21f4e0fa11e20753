// Hostile callers and a hostile call path: inputs and signals whose reads throw, Proxies,
// prototypes with toJSON, a wrapped fetch that reads its init late, a token endpoint that drops
// a socket, long calls waiting for the token, one signal shared by many calls. Nothing breaks the
// client, nothing is shared between calls, and the errors are the package's own.
// Before the package loads: keeps its wasm memory where the memory test can read it.
import '../../bench/lib/wasm-memory.cjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from 'scalekit-mcp';
import { clientFor, createMailCalendarConfig, uniqueName, failure, rawServer, sharedEmulator, jwtClaims } from './helpers.mjs';

const { ValidationError, AbortError } = api;
let emulator;

sharedEmulator((e) => {
  emulator = e;
});

const tokenRequests = () => emulator.requests().filter((r) => r.path === '/oauth/token').length;

function throwing(key, extra = {}) {
  return Object.defineProperty({ ...extra }, key, {
    enumerable: true,
    get() {
      throw new Error('getter threw');
    },
  });
}

const hostileProxy = new Proxy({}, {
  ownKeys() {
    throw new Error('ownKeys threw');
  },
});
const revoked = Proxy.revocable({}, {});
revoked.revoke();

class ReturnsUndefined {
  toJSON() {
    return undefined;
  }
}
class ReturnsNaN {
  toJSON() {
    return NaN;
  }
}

test('throwing getters, Proxies and odd toJSON are ValidationErrors from every method and the constructor', async () => {
  const mcp = clientFor(api, emulator);
  const inputs = [
    [throwing('name'), 'name'],
    [hostileProxy, 'input'],
    [revoked.proxy, 'input'],
    [new ReturnsUndefined(), 'input'],
    [{ name: 'ok', description: new ReturnsNaN() }, 'description'],
    [{ name: 'ok', connectionToolMappings: [throwing('connectionName')] }, 'connectionToolMappings[0].connectionName'],
  ];
  const methods = ['createConfig', 'listConfigs', 'updateConfig', 'listConnectedAccounts', 'createSessionToken',
    'createConnectionSessionToken', 'ensureInstance', 'listInstances', 'updateInstance', 'getInstanceAuthState', 'waitForAuth'];
  for (const method of methods) {
    for (const [input, field] of inputs) {
      const err = await failure(mcp[method](input));
      assert.ok(err instanceof ValidationError, `${method}: ${err.name}: ${err.message}`);
      if (method === 'createConfig') assert.equal(err.field, field, `${method}: ${err.message}`);
    }
  }
  for (const method of ['configs', 'instances']) {
    const err = await failure((async () => {
      for await (const _ of mcp[method](throwing('search'))) void _;
    })());
    assert.ok(err instanceof ValidationError, `${method}: ${err.name}: ${err.message}`);
  }
  const options = { envUrl: emulator.url, clientId: emulator.clientId, clientSecret: emulator.clientSecret };
  for (const bad of [throwing('clientSecret', options), hostileProxy, revoked.proxy, { ...options, timeoutMs: new ReturnsNaN() }]) {
    let err;
    try {
      new api.ScalekitMcp(bad);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ValidationError, `constructor: ${err}`);
  }
  for (const overrides of [throwing('timeoutMs'), hostileProxy]) {
    let err;
    try {
      api.ScalekitMcp.fromEnv(overrides);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ValidationError, `fromEnv: ${err}`);
  }
  for (const opts of [throwing('signal'), throwing('timeoutMs'), hostileProxy, { signal: throwing('aborted') }, { signal: {} }]) {
    const err = await failure(mcp.listConfigs({}, opts));
    assert.ok(err instanceof ValidationError, `options: ${err.name}: ${err.message}`);
  }
  assert.equal(emulator.requests().filter((r) => r.path.startsWith('/api/')).length, 0, 'nothing was sent');
});

test('a Proxy of a signal whose traps start throwing later never breaks the client', async () => {
  const mcp = clientFor(api, emulator);
  await mcp.listConfigs({ pageSize: 1 });
  let aborted = 0;
  for (let round = 0; round < 200; round += 1) {
    let reads = 0;
    const signal = new Proxy(new AbortController().signal, {
      get(target, key) {
        if (key === 'aborted' && reads++ > round % 3) throw new Error('trap threw');
        const v = Reflect.get(target, key);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    try {
      await mcp.listConfigs({ pageSize: 1 }, { signal });
    } catch (err) {
      // A signal that cannot be read counts as aborted.
      assert.ok(err instanceof AbortError, `${err?.name}: ${err?.message}`);
      aborted += 1;
    }
  }
  assert.ok(aborted > 0, 'the traps threw while calls were running');
  assert.ok(Array.isArray((await mcp.listConfigs()).configs), 'the client still works');
});

test('100,000 hostile calls leave the client, a new client and wasm memory as they were', async () => {
  const mcp = clientFor(api, emulator);
  const config = await createMailCalendarConfig(mcp);
  const wasmBytes = globalThis[Symbol.for('scalekit-mcp.bench.wasmMemoryBytes')];
  const before = wasmBytes();
  const aborted = AbortSignal.abort();
  const fakeSignal = { aborted: false, addEventListener() {}, removeEventListener() {} };
  const kinds = [
    () => mcp.createConfig(throwing('name')),
    () => mcp.getConfig(config.id, { signal: aborted }),
    () => mcp.getConfig(config.id, { signal: fakeSignal }),
    () => mcp.createSessionToken({ configId: config.id, identifier: 'u', expirySeconds: 1 }),
    () => mcp.listConfigs(hostileProxy),
    () => mcp.listConfigs({ pageSize: 31 }),
    () => mcp.waitForAuth({ instanceId: 'inst_1' }, { signal: aborted }),
  ];
  let failures = 0;
  for (let i = 0; i < 100_000; i += 1) {
    try {
      await kinds[i % kinds.length]();
    } catch (err) {
      if (err instanceof ValidationError || err instanceof AbortError) failures += 1;
      else throw err;
    }
  }
  assert.equal(failures, 100_000);
  assert.equal((await mcp.getConfig(config.id)).id, config.id, 'the same client still works');
  assert.equal((await clientFor(api, emulator).getConfig(config.id)).id, config.id, 'a new client works');
  const grown = wasmBytes() - before;
  assert.ok(grown < 4 * 1024 * 1024, `wasm memory grew ${grown} bytes`);
});

test('a wrapped fetch that reads its init after an await sees each call\'s own body and signal', async () => {
  const mcp = clientFor(api, emulator);
  const config = await createMailCalendarConfig(mcp);
  const realFetch = globalThis.fetch;
  const seen = [];
  globalThis.fetch = async (url, init) => {
    await null;
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
    seen.push({ url: String(url), body: init?.body, signal: init?.signal, init });
    return realFetch(url, init);
  };
  try {
    const users = Array.from({ length: 10 }, (_, i) => `user_${i}`);
    for (const identifier of users) {
      for (const connectionName of ['MY_GMAIL', 'MY_CALENDAR']) emulator.setAccountStatus({ connectionName, identifier, status: 'ACTIVE' });
    }
    const tokens = await Promise.all(users.map((identifier) => mcp.createSessionToken({ configId: config.id, identifier })));
    tokens.forEach((t, i) => {
      const claims = jwtClaims(t.token);
      assert.equal(claims.sub, users[i], `user ${i} got their own token`);
    });
    const calls = seen.filter((s) => s.url.includes('/tokens'));
    assert.equal(calls.length, 10);
    assert.equal(new Set(calls.map((c) => c.init)).size, 10, 'one init object per attempt');
    assert.equal(new Set(calls.map((c) => c.signal)).size, 10, 'one signal per attempt');
    assert.deepEqual(new Set(calls.map((c) => JSON.parse(c.body).identifier)), new Set(users));
  } finally {
    globalThis.fetch = realFetch;
  }
});

test('the token request is retried after a dropped connection, for every call waiting on it', async () => {
  const mcp = clientFor(api, emulator, { maxRetries: 2 });
  emulator.injectFault({ pathPrefix: '/oauth/token', destroy: true, count: 1 });
  const results = await Promise.all(Array.from({ length: 8 }, () => mcp.listConfigs({ pageSize: 1 })));
  for (const page of results) assert.ok(Array.isArray(page.configs));
  assert.equal(tokenRequests(), 2, 'the dropped one and its retry');
});

test('a call\'s own timeoutMs governs while it waits for the token, however short the client\'s', async () => {
  const mcp = clientFor(api, emulator, { timeoutMs: 500 });
  emulator.injectFault({ pathPrefix: '/oauth/token', delayMs: 1000, count: 1 });
  const started = Date.now();
  const page = await mcp.listConfigs({ pageSize: 1 }, { timeoutMs: 3000 });
  assert.ok(Array.isArray(page.configs));
  assert.ok(Date.now() - started >= 900, 'it waited for the slow token');
  // A call with the client's timeout, alongside, still times out on time.
  emulator.injectFault({ pathPrefix: '/oauth/token', delayMs: 1000, count: 1 });
  const fresh = clientFor(api, emulator, { timeoutMs: 500 });
  const t0 = Date.now();
  const [short, long] = await Promise.allSettled([fresh.listConfigs(), fresh.listConfigs({}, { timeoutMs: 3000 })]);
  assert.ok(short.reason instanceof api.TimeoutError, String(short.reason));
  assert.ok(Date.now() - t0 >= 900);
  assert.equal(long.status, 'fulfilled', String(long.reason));
});

test('one AbortSignal shared by many concurrent calls prints no warning and aborts them all', async () => {
  const mcp = clientFor(api, emulator);
  await mcp.listConfigs({ pageSize: 1 });
  const warnings = [];
  const onWarning = (w) => warnings.push(w);
  process.on('warning', onWarning);
  try {
    const shared = new AbortController();
    const done = await Promise.all(Array.from({ length: 50 }, () => mcp.listConfigs({ pageSize: 1 }, { signal: shared.signal })));
    for (const page of done) assert.ok(Array.isArray(page.configs));
    emulator.injectFault({ pathPrefix: '/api/', delayMs: 2000, count: 50 });
    const pending = Array.from({ length: 50 }, () => mcp.listConfigs({ pageSize: 1 }, { signal: shared.signal }).catch((e) => e));
    await new Promise((resolve) => setTimeout(resolve, 50));
    shared.abort();
    const errors = await Promise.all(pending);
    assert.ok(errors.every((e) => e instanceof AbortError), errors.map((e) => e?.name).join(','));
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings.map((w) => w.name), [], warnings.map((w) => w.message).join('\n'));
});

test('a fetch that throws on a retry fails the call with a ConnectionError, and the process goes on', async () => {
  const mcp = clientFor(api, emulator, { maxRetries: 2 });
  await mcp.listConfigs({ pageSize: 1 });
  emulator.injectFault({ pathPrefix: '/api/', status: 503, count: 1 });
  const realFetch = globalThis.fetch;
  let n = 0;
  globalThis.fetch = (url, init) => {
    n += 1;
    if (n > 1) throw new TypeError('fetch broke');
    return realFetch(url, init);
  };
  try {
    const err = await failure(mcp.getConfig(uniqueName('missing')));
    assert.ok(err instanceof api.ConnectionError, `${err.name}: ${err.message}`);
    assert.match(err.message, /fetch broke/);
  } finally {
    globalThis.fetch = realFetch;
  }
  assert.ok(Array.isArray((await mcp.listConfigs()).configs));
});

test('a timeout fires when it is due: one timer per call, no rounding', async () => {
  const server = await rawServer(() => {
    // never answers: the call's own deadline ends it
  });
  try {
    const mcp = server.client({ maxRetries: 0 });
    await assert.rejects(mcp.listConfigs({}, { timeoutMs: 200 }), api.TimeoutError);
    const late = [];
    for (let i = 0; i < 12; i += 1) {
      const timeoutMs = 60 + i * 7;
      const started = performance.now();
      const err = await failure(mcp.listConfigs({}, { timeoutMs }));
      assert.ok(err instanceof api.TimeoutError, `${err.name}: ${err.message}`);
      late.push(performance.now() - started - timeoutMs);
    }
    late.sort((a, b) => a - b);
    assert.ok(late[0] > -2, `fired ${-late[0]} ms early`);
    assert.ok(late[6] < 6, `a timeout fires a median ${late[6].toFixed(1)} ms late (${late.map((l) => l.toFixed(1)).join(', ')})`);
  } finally {
    await server.close();
  }
});
