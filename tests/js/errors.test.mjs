// One test per error class, each provoked for real against the emulator, and a check that no
// error carries the client secret or a token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import * as api from 'scalekit-mcp';
import { clientFor, uniqueName, createMailCalendarConfig, sharedEmulator } from './helpers.mjs';

let emulator;
sharedEmulator((e) => {
  emulator = e;
});

/** Runs `fn`, expects a rejection of class `Cls`, checks the common fields and returns the error. */
async function expectError(Cls, fn, check = () => {}) {
  let caught = null;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught, `expected ${Cls.name}, got a result`);
  assert.ok(caught instanceof Cls, `expected ${Cls.name}, got ${caught?.name}: ${caught?.message}`);
  assert.ok(caught instanceof api.ScalekitError);
  assert.ok(caught instanceof Error);
  assert.equal(caught.name, Cls.name);
  assert.equal(typeof caught.message, 'string');
  assert.ok(caught.message.length > 0);
  assert.ok(Array.isArray(caught.details));
  const text = `${caught.message}\n${caught.stack}\n${inspect(caught, { depth: 5 })}\n${JSON.stringify(caught)}`;
  assert.ok(!text.includes(emulator.clientSecret), 'the client secret must not appear in an error');
  check(caught);
  return caught;
}

test('ValidationError: before any request, naming the field', async () => {
  const mcp = clientFor(api, emulator);
  const err = await expectError(api.ValidationError, () => mcp.createConfig({ name: 'Not Valid!' }));
  assert.equal(err.field, 'name');
  assert.equal(err.code, 'INVALID_ARGUMENT');
  assert.equal(err.status, null);
  assert.deepEqual(emulator.requests(), [], 'nothing was sent');
});

test('BadRequestError: a mapping to a connection that does not exist', async () => {
  const mcp = clientFor(api, emulator);
  const err = await expectError(api.BadRequestError, () =>
    mcp.createConfig({ name: uniqueName(), connectionToolMappings: [{ connectionName: 'no_such_connection' }] }));
  assert.equal(err.status, 400);
  assert.equal(err.code, 'INVALID_ARGUMENT');
  assert.ok(err.traceId);
});

test('AuthenticationError: wrong client secret', async () => {
  const mcp = clientFor(api, emulator, { clientSecret: 'wrong-secret-value' });
  const err = await expectError(api.AuthenticationError, () => mcp.listConfigs());
  assert.equal(err.status, 401);
  assert.ok(!err.message.includes('wrong-secret-value'));
});

test('PermissionDeniedError: 403', async () => {
  const mcp = clientFor(api, emulator);
  emulator.injectFault({ pathPrefix: '/api/v1/mcp/configs', count: 1, status: 403 });
  const err = await expectError(api.PermissionDeniedError, () => mcp.listConfigs());
  assert.equal(err.status, 403);
  assert.equal(err.code, 'PERMISSION_DENIED');
});

test('NotFoundError: unknown config id', async () => {
  const mcp = clientFor(api, emulator);
  const err = await expectError(api.NotFoundError, () => mcp.getConfig('cfg_000000000000000000'));
  assert.equal(err.status, 404);
  assert.equal(err.code, 'NOT_FOUND');
  assert.ok(err.traceId);
});

test('ConflictError: duplicate config name', async () => {
  const mcp = clientFor(api, emulator);
  const name = uniqueName();
  await createMailCalendarConfig(mcp, name);
  const err = await expectError(api.ConflictError, () => createMailCalendarConfig(mcp, name));
  assert.equal(err.status, 409);
  assert.equal(err.code, 'ALREADY_EXISTS');
});

test('RateLimitError: 429 after the retries, with retryAfterMs', async () => {
  const mcp = clientFor(api, emulator, { maxRetries: 0 });
  emulator.injectFault({ pathPrefix: '/api/v1/mcp/configs', count: 1, status: 429, retryAfter: '7' });
  const err = await expectError(api.RateLimitError, () => mcp.listConfigs());
  assert.equal(err.status, 429);
  assert.equal(err.retryAfterMs, 7000);
});

test('InternalServerError: 500 after the retries', async () => {
  const mcp = clientFor(api, emulator, { maxRetries: 0 });
  emulator.injectFault({ pathPrefix: '/api/v1/mcp/configs', count: 1, status: 500 });
  const err = await expectError(api.InternalServerError, () => mcp.listConfigs());
  assert.equal(err.status, 500);
});

test('ApiError: any other status', async () => {
  const mcp = clientFor(api, emulator);
  emulator.injectFault({ pathPrefix: '/api/v1/mcp/configs', count: 1, status: 418 });
  const err = await expectError(api.ApiError, () => mcp.listConfigs());
  assert.equal(err.status, 418);
});

test('InvalidResponseError: a 200 that is not JSON', async () => {
  const mcp = clientFor(api, emulator);
  emulator.injectFault({ pathPrefix: '/api/v1/mcp/configs', count: 1, status: 200, body: '<html>oops</html>', contentType: 'text/html' });
  const err = await expectError(api.InvalidResponseError, () => mcp.listConfigs());
  assert.equal(err.code, 'INVALID_RESPONSE');
});

test('ConnectionError: nothing listens on the port', async () => {
  const port = await new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = srv.address();
      srv.close(() => resolve(p));
    });
  });
  const mcp = new api.ScalekitMcp({ envUrl: `http://127.0.0.1:${port}`, clientId: 'id', clientSecret: 'connection-secret', maxRetries: 0 });
  const err = await expectError(api.ConnectionError, () => mcp.listConfigs());
  assert.equal(err.status, null);
  assert.equal(err.code, 'CONNECTION_ERROR');
});

test('TimeoutError: the server does not answer in time', async () => {
  const mcp = clientFor(api, emulator, { maxRetries: 0 });
  emulator.injectFault({ pathPrefix: '/api/v1/mcp/configs', count: 1, delayMs: 3000 });
  const started = Date.now();
  const err = await expectError(api.TimeoutError, () => mcp.listConfigs({}, { timeoutMs: 300 }));
  assert.equal(err.code, 'TIMEOUT');
  assert.ok(Date.now() - started < 2500, 'rejects near the time limit, not when the server answers');
});

test('AbortError: the caller aborts', async () => {
  const mcp = clientFor(api, emulator);
  await mcp.listConfigs(); // token in hand
  emulator.injectFault({ pathPrefix: '/api/v1/mcp/configs', count: 1, delayMs: 3000 });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const started = Date.now();
  const err = await expectError(api.AbortError, () => mcp.listConfigs({}, { signal: controller.signal }));
  assert.equal(err.code, 'ABORTED');
  assert.ok(Date.now() - started < 1500, 'rejects at once');
});

test('AuthTimeoutError: waitForAuth gives up with the pending connections', async () => {
  const mcp = clientFor(api, emulator);
  const config = await createMailCalendarConfig(mcp);
  const instance = await mcp.ensureInstance({ configName: config.name, userIdentifier: 'slow-user' });
  const err = await expectError(api.AuthTimeoutError, () =>
    mcp.waitForAuth({ instanceId: instance.id }, { timeoutMs: 1200, pollIntervalMs: 500 }));
  assert.equal(err.code, 'AUTH_TIMEOUT');
  assert.match(err.message, /MY_GMAIL|MY_CALENDAR/);
});

test('BrowserEnvironmentError: a secret-holding client in a browser page', async () => {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'process');
  globalThis.window = globalThis;
  globalThis.document = { nodeType: 9 };
  Object.defineProperty(globalThis, 'process', { value: undefined, configurable: true, writable: true });
  let thrown;
  try {
    new api.ScalekitMcp({ envUrl: emulator.url, clientId: emulator.clientId, clientSecret: emulator.clientSecret });
  } catch (err) {
    thrown = err;
  } finally {
    Object.defineProperty(globalThis, 'process', saved);
    delete globalThis.window;
    delete globalThis.document;
  }
  await expectError(api.BrowserEnvironmentError, () => { throw thrown; });
  assert.match(thrown.message, /secret/i);
  assert.match(thrown.message, /server/i);
  assert.deepEqual(emulator.requests(), []);
});
