// Routing and malformed input: unknown routes, wrong methods, bad JSON, wrong JSON types,
// unknown and duplicate fields, huge bodies, bad path encoding — each answered with a 4xx while
// the server keeps serving.

import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test } from 'node:test';
import { servedEmulator } from './helpers.mjs';

let emulator;
let client;
servedEmulator((started) => ({ emulator, client } = started));

/** The server still answers a normal request. */
async function assertStillServing() {
  const res = await client.call('GET', '/api/v1/mcp/configs');
  assert.equal(res.status, 200);
  assert.equal(res.json.total_size, 0);
}

describe('routing', () => {
  test('unknown routes are 404 {"code":5,"message":"Not Found","details":[]}', async () => {
    for (const path of ['/', '/api/v1/mcp', '/api/v1/mcp/abc', '/api/v2/mcp/configs', '/api/v1/mcp/configs/x/y/z', '/mcp/v3/servers/x']) {
      const res = await client.call('GET', path);
      assert.equal(res.status, 404, path);
      assert.deepEqual(res.json, { code: 5, message: 'Not Found', details: [] }, path);
      assert.equal(res.headers.get('content-type'), 'application/json');
    }
  });

  test('the legacy /api/v1/mcp routes are not served', async () => {
    assert.equal((await client.call('POST', '/api/v1/mcp', { body: { mcp: {} } })).status, 404);
    assert.equal((await client.call('DELETE', '/api/v1/mcp/res_1')).status, 404);
  });

  test('a known path with another method is 405 code 12 with Allow', async () => {
    const cases = [
      ['DELETE', '/api/v1/mcp/configs', 'POST, GET'],
      ['POST', '/api/v1/mcp/configs/cfg_1', 'GET, PUT, DELETE'],
      ['GET', '/api/v1/mcp/configs/cfg_1/tokens', 'POST'],
      ['PUT', '/api/v1/mcp/instances', 'POST, GET'],
      ['PATCH', '/api/v1/mcp/connections/gmail/tokens', 'POST'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await client.call(method, path, { body: method === 'GET' ? undefined : {} });
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.deepEqual(res.json, { code: 12, message: 'Method Not Allowed', details: [] });
      assert.equal(res.headers.get('allow'), allow);
    }
  });

  test('dot segments are unknown routes, not path traversal', async () => {
    // fetch would normalize "..", so send the raw request line.
    const raw = await rawRequest('GET /api/v1/mcp/configs/../instances HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(raw, /^HTTP\/1\.1 404 /);
    assert.match(raw, /"message":"Not Found"/);
    const dot = await rawRequest('GET /api/v1/mcp/./configs HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(dot, /^HTTP\/1\.1 404 /);
    await assertStillServing();
  });

  test('bad percent-encoding in a path parameter is 400', async () => {
    const res = await client.call('GET', '/api/v1/mcp/configs/%zz');
    assert.equal(res.status, 400);
    assert.equal(res.json.code, 3);
    await assertStillServing();
  });
});

describe('request bodies', () => {
  const create = (body, headers) => client.call('POST', '/api/v1/mcp/configs', { body, headers });

  test('bad JSON is 400 code 3', async () => {
    for (const body of ['{', '{"name":', 'not json', '{"name":"a",}']) {
      const res = await create(body);
      assert.equal(res.status, 400, body);
      assert.equal(res.json.code, 3);
      assert.deepEqual(res.json.details, []);
      assert.match(res.json.message, /syntax/);
    }
    await assertStillServing();
  });

  test('a body that is not an object is 400', async () => {
    for (const body of ['[]', '"name"', '42', 'null', 'true']) {
      const res = await create(body);
      assert.equal(res.status, 400, body);
      assert.equal(res.json.code, 3);
    }
  });

  test('an empty body is an empty message (then fails validation)', async () => {
    const res = await create('');
    assert.equal(res.status, 400);
    assert.equal(res.json.message, 'Validation error');
  });

  test('wrong JSON types are 400 naming the field', async () => {
    const cases = [
      [{ name: 5 }, /name/],
      [{ name: 'a', description: ['x'] }, /description/],
      [{ name: 'a', connection_tool_mappings: {} }, /connection_tool_mappings/],
      [{ name: 'a', connection_tool_mappings: ['gmail'] }, /connection_tool_mappings\[0\]/],
      [{ name: 'a', connection_tool_mappings: [{ connection_name: 'gmail', tools: 'all' }] }, /tools/],
      [{ name: 'a', connection_tool_mappings: [{ connection_name: 'gmail', tools: [1] }] }, /tools\[0\]/],
      [{ name: 'a', connection_tool_mappings: [null] }, /null/],
    ];
    for (const [body, pattern] of cases) {
      const res = await create(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.json.code, 3);
      assert.match(res.json.message, pattern);
    }
    await assertStillServing();
  });

  test('unknown fields are rejected, at any depth', async () => {
    const top = await create({ name: 'a', colour: 'red' });
    assert.equal(top.status, 400);
    assert.match(top.json.message, /unknown field "colour"/);
    const nested = await create({ name: 'a', connection_tool_mappings: [{ connection_name: 'gmail', tool: [] }] });
    assert.equal(nested.status, 400);
    assert.match(nested.json.message, /unknown field "tool"/);
  });

  test('a field given under both its names is a duplicate', async () => {
    const res = await create({ name: 'a', connection_tool_mappings: [], connectionToolMappings: [] });
    assert.equal(res.status, 400);
    assert.match(res.json.message, /duplicate field/);
  });

  test('null means "not set"', async () => {
    const res = await create({ name: 'nulls', description: null, connection_tool_mappings: null });
    assert.equal(res.status, 200);
    assert.equal(res.json.config.description, '');
    assert.deepEqual(res.json.config.connection_tool_mappings, []);
  });

  test('the content type is not required to be JSON', async () => {
    const res = await create(JSON.stringify({ name: 'texty' }), { 'content-type': 'text/plain' });
    assert.equal(res.status, 200);
  });

  test('a body over 1 MiB is 413 and the server keeps serving', async () => {
    const huge = JSON.stringify({ name: 'big', description: 'x'.repeat(1024 * 1024) });
    const res = await create(huge);
    assert.equal(res.status, 413);
    assert.equal(res.json.code, 8);
    assert.match(res.json.message, /1048576/);
    assert.ok(res.headers.get('x-trace-id'));
    await assertStillServing();
    // The log keeps the request but not the body.
    const entry = emulator.requests().find((r) => r.status === 413);
    assert.equal(entry.body, null);
  });

  test('a body of exactly 1 MiB is accepted', async () => {
    const prefix = '{"name":"edge","description":"';
    const suffix = '"}';
    const body = prefix + 'y'.repeat(1024 * 1024 - prefix.length - suffix.length) + suffix;
    assert.equal(Buffer.byteLength(body), 1024 * 1024);
    const res = await create(body);
    assert.equal(res.status, 200);
    assert.equal(res.json.config.description.length, body.length - prefix.length - suffix.length);
  });

  test('a very large body (20 MiB) is also answered 413 without breaking the server', async () => {
    const res = await create(Buffer.alloc(20 * 1024 * 1024, 0x20));
    assert.equal(res.status, 413);
    await assertStillServing();
  });

  test('a client that disconnects mid-body does not break the server', async () => {
    await new Promise((resolve) => {
      const socket = net.connect(emulator.port, '127.0.0.1', () => {
        socket.write('POST /api/v1/mcp/configs HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"name":');
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
    });
    await assertStillServing();
  });
});

function rawRequest(text) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(emulator.port, '127.0.0.1', () => socket.end(text));
    let out = '';
    socket.on('data', (d) => (out += d));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}
