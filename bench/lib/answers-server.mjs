// The bench's own HTTP server for large and hostile answers, on 127.0.0.1, in its own process (so
// that writing tens of megabytes does not run on the measured client's event loop or CPU).
// It speaks just enough of the API for `getConfig`:
//
//   POST /oauth/token                      an access token (any credentials)
//   GET  /api/v1/mcp/configs/<kind>-<bytes>
//        kind `inflated`: `{"config":{"id":"x"},"junk":[{},{},...]}` of exactly <bytes> bytes,
//                          with Content-Length
//        kind `array`:     `[{},{},...]` of exactly <bytes> bytes, with Content-Length
//        kind `chunked`:   the `inflated` body of <bytes> bytes without Content-Length (chunked
//                          transfer encoding), written 64 KiB at a time as fast as the client
//                          takes it, until done or the client goes away
//   GET  /_stats    {streams: [{bytes, total, finished, closedEarly}]}: what each chunked answer
//                   wrote before it finished or its connection closed; DELETE /_stats forgets them
//
// Run as `node bench/lib/answers-server.mjs`: prints `{"url": ...}` on its first line. Or use
// spawnAnswersServer() from the bench.

import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CHUNK = 64 * 1024;

/** `head` + `{},{},...,{}` + spaces + `tail`, exactly `bytes` long (valid JSON). */
export function junkBody(kind, bytes) {
  const [head, tail] = kind === 'array' ? ['[', ']'] : ['{"config":{"id":"x"},"junk":[', ']}'];
  const room = bytes - head.length - tail.length - 2;
  if (room < 0) throw new Error(`a ${kind} body needs at least ${head.length + tail.length + 2} bytes`);
  const more = Math.floor(room / 3);
  const pad = room - more * 3;
  const buf = Buffer.allocUnsafe(bytes);
  let at = buf.write(head, 0, 'latin1');
  at += buf.write('{}', at, 'latin1');
  // ',{}' repeated, written by doubling what is already there.
  const start = at;
  at += buf.write(',{}', at, 'latin1');
  const end = start + more * 3;
  while (at < end) at += buf.copy(buf, at, start, Math.min(at, start + (end - at)));
  buf.fill(' ', at, at + pad);
  at += pad;
  buf.write(tail, at, 'latin1');
  return buf;
}

function serve() {
  const bodies = new Map();
  const body = (kind, bytes) => {
    const key = `${kind}-${bytes}`;
    if (!bodies.has(key)) bodies.set(key, junkBody(kind === 'array' ? 'array' : 'inflated', bytes));
    return bodies.get(key);
  };
  let streams = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const json = (status, value) => {
      const text = JSON.stringify(value);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    req.resume();
    if (url.pathname === '/oauth/token' && req.method === 'POST') {
      return json(200, { access_token: 'bench-access-token', token_type: 'Bearer', expires_in: 86_400 });
    }
    if (url.pathname === '/_stats') {
      if (req.method === 'DELETE') streams = [];
      return json(200, { streams });
    }
    const m = /^\/api\/v1\/mcp\/configs\/(inflated|array|chunked)-(\d+)$/.exec(url.pathname);
    if (!m || req.method !== 'GET') return json(404, { code: 5, message: 'not found' });
    const [, kind, n] = m;
    const buf = body(kind, Number(n));
    if (kind !== 'chunked') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': buf.length });
      return res.end(buf);
    }
    const stat = { bytes: 0, total: buf.length, finished: false, closedEarly: false };
    streams.push(stat);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.on('close', () => {
      if (!stat.finished) stat.closedEarly = true;
    });
    const pump = () => {
      while (stat.bytes < buf.length && !res.destroyed) {
        const piece = buf.subarray(stat.bytes, Math.min(stat.bytes + CHUNK, buf.length));
        stat.bytes += piece.length;
        if (!res.write(piece)) return void res.once('drain', pump);
      }
      if (!res.destroyed && stat.bytes >= buf.length) {
        stat.finished = true;
        res.end();
      }
    };
    pump();
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

/** Starts this server in a child process; resolves {url, stats(), clearStats(), close()}. */
export async function spawnAnswersServer() {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the answers server printed nothing in 15 s\n${stderr}`)), 15_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the answers server exited (${code})\n${stderr}`));
    });
  });
  lines.on('line', () => {});
  const { url } = JSON.parse(first);
  return {
    url,
    pid: child.pid,
    stats: async () => (await (await fetch(`${url}/_stats`)).json()).streams,
    clearStats: async () => void (await (await fetch(`${url}/_stats`, { method: 'DELETE' })).arrayBuffer()),
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) serve();
