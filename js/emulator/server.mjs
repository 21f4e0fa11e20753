// The HTTP server: one pipeline every request goes through.
//
//   1. every response gets `x-trace-id` (random hex) and CORS headers; OPTIONS is a preflight (204)
//   2. the body is read, up to 1 MiB (more is drained and discarded, then answered 413)
//   3. the request is logged and counted (except control requests under /_emulator/)
//   4. the first pending fault matching the request, if any, is played
//   5. the route table decides: unknown path -> 404, known path but other method -> 405
//   6. API routes check the bearer token -> 401 (MCP routes check session tokens themselves)
//   7. the handler answers; ApiErrors become Status JSON
//
// Routing errors follow grpc-gateway: 404 {"code":5,"message":"Not Found","details":[]} and
// 405 {"code":12,"message":"Method Not Allowed","details":[]} with an `Allow` header; so is an MCP
// URL that serves nothing (never created, or deleted). Other MCP failures are JSON-RPC errors.

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { ApiError, errors } from './errors.mjs';
import { applyFault } from './faults.mjs';
import { requireBearer } from './oauth.mjs';
import { findRoute, PathEncodingError } from './router.mjs';

export const MAX_BODY_BYTES = 1024 * 1024;
// Bodies past the limit are drained so the client can read the 413; past this much, the
// emulator stops reading, answers at once and closes the connection.
const DRAIN_LIMIT = 64 * 1024 * 1024;

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'x-trace-id, retry-after',
};
const PREFLIGHT_HEADERS = {
  'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
  'access-control-max-age': '600',
};
const DEFAULT_ALLOWED_HEADERS = ['authorization', 'content-type'];

/** Creates the HTTP server for an Emulator with a route table. Call `cancelTimers()` when closing. */
export function createServer(emu, routes) {
  const timers = new Set();
  const sleep = (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const server = http.createServer((req, res) => {
    const headers = { 'x-trace-id': randomBytes(16).toString('hex'), ...CORS_HEADERS };
    handle(emu, routes, req, res, sleep, headers).catch((err) => {
      // A bug, not a client error: answer 500 and keep serving.
      console.error('scalekit emulator: internal error:', err);
      if (!res.headersSent) sendJson(res, 500, errors.internal(`internal error: ${err.message}`).toBody(), headers);
      else res.destroy();
    });
  });
  server.cancelTimers = () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
  return server;
}

async function handle(emu, routes, req, res, sleep, headers) {
  const queryAt = req.url.indexOf('?');
  const path = queryAt < 0 ? req.url : req.url.slice(0, queryAt);
  const query = new URLSearchParams(queryAt < 0 ? '' : req.url.slice(queryAt + 1));

  if (req.method === 'OPTIONS') return preflight(req, res, headers);

  const body = await readBody(req);
  if (body.aborted) return;
  const isControl = path === '/_emulator' || path.startsWith('/_emulator/');
  const entry = isControl ? null : emu.recorder.record(req, path, query, body.buffer);
  try {
    if (!isControl) {
      const fault = emu.faults.take(req.method, path);
      if (fault && (await applyFault(fault, req, res, { sleep, headers }))) return;
    }
    if (body.tooLarge) {
      if (body.abandoned) headers.connection = 'close';
      throw errors.payloadTooLarge(MAX_BODY_BYTES);
    }
    const found = findRoute(routes, req.method, path);
    if (!found) throw errors.routeNotFound();
    if (!found.route) {
      headers.allow = found.allowed.join(', ');
      throw errors.methodNotAllowed();
    }
    if (found.route.auth) requireBearer(emu, req);
    const result = await found.route.handler({ emu, req, res, params: found.params, query, body: body.buffer, path });
    if (result) send(res, result, headers);
  } catch (err) {
    if (err instanceof PathEncodingError) return sendJson(res, 400, errors.badBody(err.message).toBody(), headers);
    if (!(err instanceof ApiError)) throw err;
    sendJson(res, err.httpStatus, err.toBody(), headers);
  } finally {
    if (entry) entry.status = res.headersSent ? res.statusCode : null;
  }
}

function preflight(req, res, headers) {
  const requested = (req.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const allowHeaders = [...new Set([...DEFAULT_ALLOWED_HEADERS, ...requested])].join(', ');
  res.writeHead(204, { ...headers, ...PREFLIGHT_HEADERS, 'access-control-allow-headers': allowHeaders });
  res.end();
}

/**
 * Reads the request body. Resolves {buffer, size, tooLarge, abandoned, aborted}: `buffer` is null
 * past MAX_BODY_BYTES (the rest is read and discarded, never held); `abandoned` when reading
 * stopped at DRAIN_LIMIT; `aborted` when the client went away.
 */
function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    let size = 0;
    let settled = false;
    const finish = (extra = {}) => {
      if (settled) return;
      settled = true;
      const tooLarge = size > MAX_BODY_BYTES;
      resolve({ buffer: tooLarge ? null : Buffer.concat(chunks), size, tooLarge, ...extra });
    };
    if (Number(req.headers['content-length']) > DRAIN_LIMIT) {
      size = Number(req.headers['content-length']);
      req.pause();
      return finish({ abandoned: true });
    }
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      chunks.length = 0;
      if (size > DRAIN_LIMIT) {
        req.pause();
        finish({ abandoned: true });
      }
    });
    req.on('end', () => finish());
    req.on('error', () => finish({ aborted: true }));
    req.on('close', () => finish({ aborted: !req.complete }));
  });
}

function send(res, result, headers) {
  const all = { ...headers, ...result.headers };
  if (result.empty) {
    if (res.destroyed || res.headersSent) return;
    res.writeHead(result.status, { ...all, 'content-length': 0 });
    return void res.end();
  }
  if (result.html !== undefined) {
    return sendBody(res, result.status, result.html, { ...all, 'content-type': 'text/html; charset=utf-8' });
  }
  if (result.text !== undefined) {
    return sendBody(res, result.status, result.text, { 'content-type': 'text/plain; charset=utf-8', ...all });
  }
  return sendJson(res, result.status, result.json, all);
}

function sendJson(res, status, json, headers) {
  sendBody(res, status, JSON.stringify(json), {
    'content-type': 'application/json',
    'cache-control': 'no-cache, no-store, must-revalidate',
    ...headers,
  });
}

function sendBody(res, status, text, headers) {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
