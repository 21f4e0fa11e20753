// Injected faults: scripted misbehaviour for the next requests matching a path prefix.
//
// A fault applies to the next `count` requests whose raw path starts with `pathPrefix` (and, when
// `method` is set, only to that method). When several faults match a request, the one injected
// first is used. What it does, in order:
//   delayMs    wait that long first
//   destroy    then drop the connection without answering
//   bodyBytes  then answer `status` (default 200) with a body of exactly that many bytes,
//              JSON-looking filler streamed in chunks (for response-size limits)
//   status / body / contentType / retryAfter
//              then answer `status` (default 200 when only `body` is given) with `body` (a raw
//              string, or any other JSON value sent as JSON; default: the Status JSON for that
//              status) and a `Retry-After` header when `retryAfter` is set
// A fault with only `delayMs` delays the request and then lets it through.
// Control requests (`/_emulator/...`) and CORS preflights are never faulted.

import { STATUS_CODES } from 'node:http';
import { statusBodyForHttp } from './errors.mjs';

const KEYS = {
  path_prefix: 'pathPrefix', count: 'count', status: 'status', retry_after: 'retryAfter', body: 'body',
  content_type: 'contentType', delay_ms: 'delayMs', destroy: 'destroy', method: 'method', body_bytes: 'bodyBytes',
};
const CAMEL_KEYS = new Set(Object.values(KEYS));
const CHUNK = 64 * 1024;

/** Thrown for a fault description that does not make sense. */
export class FaultError extends Error {}

/** Turns a fault description (snake_case or camelCase keys) into a normalized fault. */
export function normalizeFault(spec) {
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) throw new FaultError('a fault must be an object');
  const f = {};
  for (const [key, value] of Object.entries(spec)) {
    const name = KEYS[key] ?? (CAMEL_KEYS.has(key) ? key : null);
    if (!name) throw new FaultError(`unknown fault field "${key}"`);
    if (value !== null && value !== undefined) f[name] = value;
  }
  const isInt = (v, min, max) => Number.isInteger(v) && v >= min && v <= max;
  if (typeof f.pathPrefix !== 'string' || !f.pathPrefix.startsWith('/')) {
    throw new FaultError('path_prefix must be a path starting with "/"');
  }
  if (f.count !== undefined && !isInt(f.count, 1, 1e9)) throw new FaultError('count must be a positive integer');
  if (f.status !== undefined && !isInt(f.status, 100, 599)) throw new FaultError('status must be an HTTP status (100-599)');
  if (f.delayMs !== undefined && !isInt(f.delayMs, 0, 600000)) throw new FaultError('delay_ms must be 0..600000');
  if (f.bodyBytes !== undefined && !isInt(f.bodyBytes, 0, 1024 ** 3)) throw new FaultError('body_bytes must be 0..1 GiB');
  if (f.body !== undefined && typeof f.body !== 'string') {
    // A JSON value is sent as its JSON text.
    f.body = JSON.stringify(f.body);
    f.contentType ??= 'application/json';
  }
  if (f.destroy !== undefined && typeof f.destroy !== 'boolean') throw new FaultError('destroy must be a boolean');
  if (f.retryAfter !== undefined && !['string', 'number'].includes(typeof f.retryAfter)) {
    throw new FaultError('retry_after must be a string or a number');
  }
  if (f.contentType !== undefined && typeof f.contentType !== 'string') throw new FaultError('content_type must be a string');
  if (f.method !== undefined && typeof f.method !== 'string') throw new FaultError('method must be a string');
  if (!f.destroy && f.status === undefined && f.body === undefined && f.bodyBytes === undefined && f.delayMs === undefined) {
    throw new FaultError('a fault needs at least one of status, body, body_bytes, destroy or delay_ms');
  }
  f.count ??= 1;
  if (f.method) f.method = f.method.toUpperCase();
  return f;
}

/** Faults waiting to be used, in injection order. */
export class FaultQueue {
  constructor() {
    this.faults = [];
  }

  add(spec) {
    const fault = normalizeFault(spec);
    this.faults.push(fault);
    return { ...fault };
  }

  clear() {
    this.faults = [];
  }

  /** The pending faults with their remaining counts. */
  list() {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Consumes one use of the first fault matching the request, if any. */
  take(method, path) {
    const index = this.faults.findIndex((f) => path.startsWith(f.pathPrefix) && (!f.method || f.method === method));
    if (index < 0) return null;
    const fault = this.faults[index];
    fault.count -= 1;
    if (fault.count <= 0) this.faults.splice(index, 1);
    return fault;
  }
}

/** Snake_case view of a fault, as the HTTP control endpoints show it. */
export function faultJson(fault) {
  const out = {};
  for (const [snake, camel] of Object.entries(KEYS)) if (fault[camel] !== undefined) out[snake] = fault[camel];
  return out;
}

/**
 * Plays a fault on a request. Resolves true when the fault answered (or dropped) the request,
 * false when the request should now be handled normally. `sleep` is the server's cancellable timer.
 */
export async function applyFault(fault, req, res, { sleep, headers }) {
  if (fault.delayMs) await sleep(fault.delayMs);
  if (res.destroyed) return true;
  if (fault.destroy) {
    req.socket.destroy();
    return true;
  }
  if (fault.bodyBytes !== undefined) {
    await streamFiller(res, fault, headers);
    return true;
  }
  if (fault.status === undefined && fault.body === undefined) return false;

  const status = fault.status ?? 200;
  let body = fault.body;
  let contentType = fault.contentType;
  if (body === undefined) {
    body = status === 204 || status === 304 ? '' : JSON.stringify(statusBodyForHttp(status));
    contentType ??= 'application/json';
  }
  contentType ??= looksLikeJson(body) ? 'application/json' : 'text/plain; charset=utf-8';
  const out = { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(body) };
  if (fault.retryAfter !== undefined) out['retry-after'] = String(fault.retryAfter);
  res.writeHead(status, STATUS_CODES[status] ?? 'Fault', out);
  res.end(body);
  return true;
}

function looksLikeJson(text) {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

// `{"filler":"xxxx..."}` of exactly `bodyBytes` bytes, written chunk by chunk with backpressure.
async function streamFiller(res, fault, headers) {
  const total = fault.bodyBytes;
  const head = total >= 13 ? '{"filler":"' : '';
  const tail = total >= 13 ? '"}' : '';
  const out = { ...headers, 'content-type': fault.contentType ?? 'application/json', 'content-length': total };
  if (fault.retryAfter !== undefined) out['retry-after'] = String(fault.retryAfter);
  res.writeHead(fault.status ?? 200, out);
  const chunk = Buffer.alloc(CHUNK, 'x');
  let left = total - head.length - tail.length;
  if (head) res.write(head);
  while (left > 0 && !res.destroyed) {
    const piece = left >= CHUNK ? chunk : chunk.subarray(0, left);
    left -= piece.length;
    if (!res.write(piece)) {
      await new Promise((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
  if (!res.destroyed) res.end(tail);
}
