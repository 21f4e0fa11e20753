// Hostile sizes: oversized inputs are refused before the core allocates for them; oversized,
// inflated and endless answers are decoded (or cut off) in memory proportional to what the
// client keeps, and memory returns to its plateau. Each case runs against a server of its own on
// 127.0.0.1.
// Before the package loads: keeps its wasm memory where memory() can read it.
import '../../bench/lib/wasm-memory.cjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as api from 'scalekit-mcp';
import { rawServer, failure } from './helpers.mjs';

const { ValidationError, InvalidResponseError } = api;
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const MiB = 1024 * 1024;

const wasmBytes = globalThis[Symbol.for('scalekit-mcp.bench.wasmMemoryBytes')];

/**
 * Memory after a full collection: the package's wasm memory (which only grows, so any growth is
 * what it kept or needed at once), the JS heap and all array buffers (what fetch still holds is
 * among them, and is freed when the collector gets to it).
 */
function memory() {
  gc();
  const m = process.memoryUsage();
  return { wasm: wasmBytes(), heap: m.heapUsed, buffers: m.arrayBuffers, rss: m.rss };
}

test('oversized inputs are a ValidationError naming the field, before anything is sent', async () => {
  const server = await rawServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ config: { id: 'cfg_1', name: 'ok' } }));
  });
  try {
    const mcp = server.client();
    await mcp.createConfig({ name: 'warm' });
    const before = memory();
    const started = Date.now();
    const cases = [
      [{ name: 'big', description: 'é'.repeat(40_000) }, 'description'],
      [{ name: 'big', description: 'x'.repeat(65 * 1024) }, 'description'],
      [{ name: 'big', connectionToolMappings: [{ connectionName: 'gmail', tools: ['t'.repeat(70_000)] }] }, 'connectionToolMappings[0].tools[0]'],
      [{ name: 'big', connectionToolMappings: [{ connectionName: 'gmail', tools: Array.from({ length: 40_000 }, (_, i) => `tool_${i}_${'x'.repeat(20)}`) }] }, 'input'],
      // 1.2 MB of UTF-8 in 0.6 M UTF-16 units: counted in UTF-8 bytes, as the limit says.
      [{ name: 'big', connectionToolMappings: [{ connectionName: 'gmail', tools: Array.from({ length: 30 }, (_, i) => `${i}${'é'.repeat(20_000)}`) }] }, 'input'],
    ];
    for (let round = 0; round < 20; round += 1) {
      for (const [input, field] of cases) {
        const err = await failure(mcp.createConfig(input));
        assert.ok(err instanceof ValidationError, `${err.name}: ${err.message}`);
        assert.equal(err.field, field);
        assert.match(err.message, /longer than 64 KiB|larger than 1 MiB/);
      }
    }
    assert.ok(Date.now() - started < 5000, 'refused quickly');
    const after = memory();
    assert.ok(after.wasm - before.wasm < 4 * MiB, `wasm memory grew ${after.wasm - before.wasm} bytes`);
    assert.equal(server.hits('POST /api/v1/mcp/configs'), 1, 'only the warm-up was sent');
    // The client, and a new one, still work.
    assert.equal((await mcp.createConfig({ name: 'after' })).id, 'cfg_1');
    assert.equal((await server.client().createConfig({ name: 'fresh' })).id, 'cfg_1');
  } finally {
    await server.close();
  }
});

test('a 10 MB answer of [{},{},...] is decoded without building it, and memory returns to its plateau', async () => {
  const junk = `[${'{},'.repeat(3_300_000)}{}]`;
  const body = Buffer.from(`{"config":{"id":"cfg_inflated","name":"n"},"junk":${junk}}`);
  assert.ok(body.length > 9.9e6 && body.length < 10 * MiB);
  const server = await rawServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
    res.end(body);
  });
  try {
    const mcp = server.client();
    const first = await mcp.getConfig('cfg_1');
    assert.equal(first.id, 'cfg_inflated');
    const plateau = memory();
    let longestBlock = 0;
    for (let i = 0; i < 20; i += 1) {
      const tick = Date.now();
      let last = tick;
      const timer = setInterval(() => {
        const now = Date.now();
        longestBlock = Math.max(longestBlock, now - last);
        last = now;
      }, 5);
      const config = await mcp.getConfig('cfg_1');
      clearInterval(timer);
      assert.deepEqual(Object.keys(config).sort(), ['connectionToolMappings', 'description', 'id', 'mcpServerUrl', 'name']);
    }
    const after = memory();
    // The body passes through wasm memory once: no more than a few times its size, and no growth
    // from one answer to the next.
    assert.ok(plateau.wasm < 4 * body.length + 8 * MiB, `wasm memory after one answer: ${plateau.wasm} bytes`);
    assert.ok(after.wasm - plateau.wasm < 2 * MiB, `wasm memory grew ${after.wasm - plateau.wasm} bytes over 20 answers`);
    // What fetch holds of the last few bodies moves from run to run (up to 3 bodies were seen);
    // keeping every body would be 200 MB.
    assert.ok(after.buffers - plateau.buffers < 5 * body.length, `array buffers grew ${after.buffers - plateau.buffers} bytes over 20 answers`);
    assert.ok(after.heap - plateau.heap < 16 * MiB, `JS heap grew ${after.heap - plateau.heap} bytes`);
    assert.ok(longestBlock < 1000, `the event loop was blocked for ${longestBlock} ms`);
  } finally {
    await server.close();
  }
});

test('a chunked answer without a length is cut off at 10 MiB, at once, and not retried', async () => {
  let served = 0;
  const server = await rawServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    let sent = 0;
    const more = () => {
      while (sent < 200) {
        sent += 1;
        served += chunk.length;
        if (!res.write(chunk)) return res.once('drain', more);
      }
      res.end();
    };
    res.on('close', () => {
      sent = Infinity;
    });
    more();
  });
  try {
    const mcp = server.client({ maxRetries: 2 });
    const before = memory();
    const started = Date.now();
    const err = await failure(mcp.listConfigs());
    const took = Date.now() - started;
    assert.ok(err instanceof InvalidResponseError, `${err.name}: ${err.message}`);
    assert.match(err.message, /larger than 10 MiB/);
    assert.equal(server.hits('/api/v1/mcp/configs'), 1, 'not retried');
    assert.ok(served < 50 * MiB, `the download was cancelled (${served} bytes written)`);
    assert.ok(took < 5000, `took ${took} ms`);
    const after = memory();
    assert.ok(after.wasm - before.wasm < 24 * MiB, `wasm memory grew ${after.wasm - before.wasm} bytes`);
  } finally {
    await server.close();
  }
});

test('an endless answer is an InvalidResponseError at 10 MiB, not a timeout', async () => {
  const server = await rawServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let open = true;
    res.on('close', () => {
      open = false;
    });
    const more = () => {
      while (open) {
        if (!res.write(chunk)) return res.once('drain', more);
      }
    };
    more();
  });
  try {
    const err = await failure(server.client({ maxRetries: 0, timeoutMs: 20_000 }).listConfigs());
    assert.ok(err instanceof InvalidResponseError, `${err.name}: ${err.message}`);
  } finally {
    await server.close();
  }
});
