// Shared pieces of the package tests: the emulator, a client on it, JWT checks.
import { createPublicKey, verify } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, beforeEach } from 'node:test';
import * as api from 'scalekit-mcp';
import { startEmulator } from '../../js/emulator/index.mjs';

export { startEmulator };

/**
 * One emulator for the test file: started before its first test (then handed to `ready`), closed
 * after its last, and its faults and request log cleared before each test.
 */
export function sharedEmulator(ready) {
  let emulator;
  before(async () => {
    emulator = await startEmulator({ port: 0 });
    await ready(emulator);
  });
  after(() => emulator?.close());
  beforeEach(() => {
    emulator.clearFaults();
    emulator.clearRequests();
  });
}

export function clientFor(api, emulator, options = {}) {
  return new api.ScalekitMcp({
    envUrl: emulator.url,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    ...options,
  });
}

function b64urlJson(part) {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

/** The claims of a JWT, unverified. */
export const jwtClaims = (token) => b64urlJson(token.split('.')[1]);

/** Verifies an RS256 JWT against the emulator's JWKS and returns its header and claims. */
export async function verifyJwt(token, baseUrl) {
  const [h, p, s] = token.split('.');
  const header = b64urlJson(h);
  const claims = b64urlJson(p);
  const { keys } = await (await fetch(`${baseUrl}/keys`)).json();
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new Error(`no key ${header.kid} in /keys`);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const ok = verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'));
  return { header, claims, ok };
}

let counter = 0;
/** A config name unique within the test run. */
export function uniqueName(prefix = 'cfg') {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** Makes a config with Gmail and Calendar mappings and returns it. */
export function createMailCalendarConfig(mcp, name = uniqueName()) {
  return mcp.createConfig({
    name,
    description: 'Reads email and creates calendar reminders',
    connectionToolMappings: [
      { connectionName: 'MY_GMAIL', tools: ['gmail_fetch_mails'] },
      { connectionName: 'MY_CALENDAR', tools: ['googlecalendar_create_event'] },
    ],
  });
}

/**
 * A server on 127.0.0.1 of the test's own: `/oauth/token` grants `token` (or runs `onToken`), and
 * every other request goes to `handler(req, res, body)`. Every request is recorded with its
 * method, URL, headers and body. Resolves {url, client(options), hits(path), requests, close()}.
 */
export async function rawServer(handler, { token = 'tok', onToken } = {}) {
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.url === '/oauth/token') {
        if (onToken) return onToken(req, res, body);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600 }));
        return;
      }
      handler(req, res, body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    requests,
    client: (options) => new api.ScalekitMcp({ envUrl: url, clientId: 'skc_raw', clientSecret: 'raw-secret', ...options }),
    hits: (path) => requests.filter((r) => `${r.method} ${r.url}`.endsWith(path)).length,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}

/** What `promise` rejects with; a test failure when it resolves. */
export async function failure(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('the call succeeded');
}
