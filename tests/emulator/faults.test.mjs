// Injected faults: status with Retry-After, custom bodies, delays, dropped connections, big
// bodies, method filters, counts and ordering, through the handle and over HTTP.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { servedEmulator } from './helpers.mjs';

let emulator;
let client;
servedEmulator((started) => ({ emulator, client } = started));

const listConfigs = () => client.call('GET', '/api/v1/mcp/configs');

describe('status faults', () => {
  test('status with Retry-After and a Status body, for `count` requests, then normal service', async () => {
    emulator.injectFault({ pathPrefix: '/api/v1/mcp/configs', count: 2, status: 503, retryAfter: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await listConfigs();
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '2');
      assert.ok(res.headers.get('x-trace-id'));
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      assert.equal(res.json.code, 14);
      assert.equal(res.json.message, 'Service Unavailable');
      assert.equal(res.json.details[0].error_code, 'UNAVAILABLE');
    }
    assert.equal((await listConfigs()).status, 200);
    assert.deepEqual(emulator.faults(), []);
  });

  test('default Status bodies follow the HTTP status', async () => {
    const expected = { 400: 3, 401: 16, 403: 7, 404: 5, 429: 8, 500: 13, 504: 4 };
    for (const [status, code] of Object.entries(expected)) {
      emulator.injectFault({ pathPrefix: '/api/', status: Number(status) });
      const res = await listConfigs();
      assert.equal(res.status, Number(status));
      assert.equal(res.json.code, code, status);
    }
  });

  test('a 429 with an HTTP-date Retry-After', async () => {
    const date = new Date(Date.now() + 5000).toUTCString();
    emulator.injectFault({ pathPrefix: '/api/', status: 429, retryAfter: date });
    const res = await listConfigs();
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), date);
  });

  test('a custom raw body and content type', async () => {
    emulator.injectFault({ pathPrefix: '/api/', status: 502, body: '<html>bad gateway</html>', contentType: 'text/html' });
    const res = await listConfigs();
    assert.equal(res.status, 502);
    assert.equal(res.headers.get('content-type'), 'text/html');
    assert.equal(res.text, '<html>bad gateway</html>');
  });

  test('a body without a status is a 200 with that body (e.g. a malformed success)', async () => {
    emulator.injectFault({ pathPrefix: '/api/', body: '{"configs": "not a list"' });
    const res = await listConfigs();
    assert.equal(res.status, 200);
    assert.equal(res.text, '{"configs": "not a list"');
    assert.match(res.headers.get('content-type'), /^text\/plain/);
  });

  test('faults also apply to the token endpoint', async () => {
    emulator.injectFault({ pathPrefix: '/oauth/token', status: 500 });
    await assert.rejects(client.login(), /login failed: 500/);
    assert.ok(await client.login());
    assert.equal(emulator.counters().tokenRequests, 3);
  });

  test('a faulted request does not reach the service', async () => {
    emulator.injectFault({ pathPrefix: '/api/v1/mcp/configs', method: 'POST', status: 500 });
    const res = await client.call('POST', '/api/v1/mcp/configs', { body: { name: 'never' } });
    assert.equal(res.status, 500);
    assert.equal((await listConfigs()).json.total_size, 0);
  });
});

describe('matching', () => {
  test('method restricts a fault to that method', async () => {
    emulator.injectFault({ pathPrefix: '/api/v1/mcp/configs', method: 'post', status: 500 });
    assert.equal((await listConfigs()).status, 200);
    assert.equal((await client.call('POST', '/api/v1/mcp/configs', { body: { name: 'x' } })).status, 500);
    assert.equal((await client.call('POST', '/api/v1/mcp/configs', { body: { name: 'x' } })).status, 200);
  });

  test('the prefix must match the raw path', async () => {
    emulator.injectFault({ pathPrefix: '/api/v1/mcp/instances', status: 500 });
    assert.equal((await listConfigs()).status, 200);
    assert.equal((await client.call('GET', '/api/v1/mcp/instances')).status, 500);
  });

  test('faults are used in injection order', async () => {
    emulator.injectFault({ pathPrefix: '/api/', status: 500 });
    emulator.injectFault({ pathPrefix: '/api/v1/mcp/configs', status: 503 });
    emulator.injectFault({ pathPrefix: '/api/', status: 429 });
    assert.deepEqual([(await listConfigs()).status, (await listConfigs()).status, (await listConfigs()).status, (await listConfigs()).status], [500, 503, 429, 200]);
  });

  test('control routes and preflights are never faulted', async () => {
    emulator.injectFault({ pathPrefix: '/', status: 500 });
    assert.equal((await client.call('GET', '/_emulator/counters')).status, 200);
    assert.equal((await fetch(`${emulator.url}/api/v1/mcp/configs`, { method: 'OPTIONS' })).status, 204);
    assert.equal(emulator.faults().length, 1, 'still pending');
    assert.equal((await listConfigs()).status, 500);
  });

  test('clearFaults() drops pending faults', async () => {
    emulator.injectFault({ pathPrefix: '/api/', status: 500, count: 5 });
    emulator.clearFaults();
    assert.equal((await listConfigs()).status, 200);
  });

  test('invalid fault descriptions are refused', () => {
    assert.throws(() => emulator.injectFault({ status: 500 }), /path_prefix/);
    assert.throws(() => emulator.injectFault({ pathPrefix: 'api', status: 500 }), /path_prefix/);
    assert.throws(() => emulator.injectFault({ pathPrefix: '/', count: 0, status: 500 }), /count/);
    assert.throws(() => emulator.injectFault({ pathPrefix: '/', status: 99 }), /status/);
    assert.throws(() => emulator.injectFault({ pathPrefix: '/' }), /at least one/);
    assert.throws(() => emulator.injectFault({ pathPrefix: '/', stauts: 500 }), /unknown fault field "stauts"/);
  });
});

describe('delays, drops and big bodies', () => {
  test('delay_ms alone delays the request, then it is handled normally', async () => {
    emulator.injectFault({ pathPrefix: '/api/', delayMs: 300 });
    const t0 = Date.now();
    const res = await listConfigs();
    assert.ok(Date.now() - t0 >= 280, `took ${Date.now() - t0} ms`);
    assert.equal(res.status, 200);
    assert.equal(res.json.total_size, 0);
  });

  test('a delay lets a client timeout fire', async () => {
    emulator.injectFault({ pathPrefix: '/api/', delayMs: 2000 });
    await assert.rejects(
      fetch(`${emulator.url}/api/v1/mcp/configs`, { headers: { authorization: `Bearer ${client.token}` }, signal: AbortSignal.timeout(100) }),
      { name: 'TimeoutError' },
    );
    assert.equal((await listConfigs()).status, 200, 'later requests are served');
  });

  test('delay then status', async () => {
    emulator.injectFault({ pathPrefix: '/api/', delayMs: 200, status: 504 });
    const t0 = Date.now();
    const res = await listConfigs();
    assert.ok(Date.now() - t0 >= 180);
    assert.equal(res.status, 504);
    assert.equal(res.json.code, 4);
  });

  test('destroy drops the connection without an answer', async () => {
    emulator.injectFault({ pathPrefix: '/api/', destroy: true });
    await assert.rejects(listConfigs(), (err) => err instanceof TypeError && /fetch failed/.test(err.message));
    assert.equal((await listConfigs()).status, 200);
    const dropped = emulator.requests().filter((r) => r.path === '/api/v1/mcp/configs');
    assert.deepEqual(dropped.map((r) => r.status), [null, 200]);
  });

  test('body_bytes streams a body of exactly that size (11 MiB)', async () => {
    const size = 11 * 1024 * 1024;
    emulator.injectFault({ pathPrefix: '/api/', bodyBytes: size });
    const res = await fetch(`${emulator.url}/api/v1/mcp/configs`, { headers: { authorization: `Bearer ${client.token}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(size));
    assert.equal(res.headers.get('content-type'), 'application/json');
    let total = 0;
    let first = '';
    for await (const chunk of res.body) {
      if (!first) first = Buffer.from(chunk).toString('utf8', 0, 11);
      total += chunk.length;
    }
    assert.equal(total, size);
    assert.equal(first, '{"filler":"');
    assert.equal((await listConfigs()).status, 200);
  });

  test('body_bytes with a status, and a client that stops reading early', async () => {
    emulator.injectFault({ pathPrefix: '/api/', bodyBytes: 32 * 1024 * 1024, status: 500 });
    const controller = new AbortController();
    const res = await fetch(`${emulator.url}/api/v1/mcp/configs`, { signal: controller.signal });
    assert.equal(res.status, 500);
    const reader = res.body.getReader();
    await reader.read();
    controller.abort();
    await assert.rejects(reader.read());
    assert.equal((await listConfigs()).status, 200);
  });

  test('a small body_bytes is valid JSON-looking filler', async () => {
    emulator.injectFault({ pathPrefix: '/api/', bodyBytes: 20 });
    const res = await listConfigs();
    assert.equal(res.text, '{"filler":"xxxxxxx"}');
  });
});

describe('over HTTP', () => {
  test('POST/GET/DELETE /_emulator/faults with snake_case fields', async () => {
    const added = await client.call('POST', '/_emulator/faults', {
      token: null,
      body: { path_prefix: '/api/v1/mcp/configs', count: 2, status: 429, retry_after: '1', method: 'GET' },
    });
    assert.equal(added.status, 200);
    assert.deepEqual(added.json.fault, { path_prefix: '/api/v1/mcp/configs', count: 2, status: 429, retry_after: '1', method: 'GET' });
    const pending = await client.call('GET', '/_emulator/faults');
    assert.equal(pending.json.faults.length, 1);
    const hit = await listConfigs();
    assert.equal(hit.status, 429);
    assert.equal(hit.headers.get('retry-after'), '1');
    assert.equal((await client.call('GET', '/_emulator/faults')).json.faults[0].count, 1);
    assert.deepEqual((await client.call('DELETE', '/_emulator/faults')).json, {});
    assert.equal((await listConfigs()).status, 200);
  });

  test('delay, destroy, custom body and body_bytes over HTTP', async () => {
    await client.call('POST', '/_emulator/faults', { body: { path_prefix: '/api/', delay_ms: 100, status: 500, body: 'oops', content_type: 'text/plain' } });
    await client.call('POST', '/_emulator/faults', { body: { path_prefix: '/api/', destroy: true } });
    await client.call('POST', '/_emulator/faults', { body: { path_prefix: '/api/', body_bytes: 100 } });
    const first = await listConfigs();
    assert.equal(first.status, 500);
    assert.equal(first.text, 'oops');
    await assert.rejects(listConfigs());
    assert.equal((await listConfigs()).text.length, 100);
  });

  test('a JSON body value is sent as JSON', async () => {
    await client.call('POST', '/_emulator/faults', { body: { path_prefix: '/api/', status: 409, body: { code: 10, message: 'aborted', details: [] } } });
    const res = await listConfigs();
    assert.equal(res.status, 409);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.deepEqual(res.json, { code: 10, message: 'aborted', details: [] });
  });

  test('a bad fault is a 400 Status', async () => {
    const res = await client.call('POST', '/_emulator/faults', { body: { status: 500 } });
    assert.equal(res.status, 400);
    assert.equal(res.json.code, 3);
    assert.match(res.json.message, /path_prefix/);
    const badJson = await client.call('POST', '/_emulator/faults', { body: '{' });
    assert.equal(badJson.status, 400);
  });
});
