// Shared helpers for the emulator tests: a tiny fetch-based client and JWT verification against
// the emulator's JWKS with node:crypto only.

import { createPublicKey, verify } from 'node:crypto';
import { after, before, beforeEach } from 'node:test';
import { startEmulator } from '../../js/emulator/index.mjs';

export const ERROR_INFO = 'type.googleapis.com/scalekit.v1.errdetails.ErrorInfo';

/** Starts an emulator (never keeping the test process alive) and returns {emulator, client}. */
export async function start(options = {}) {
  const emulator = await startEmulator({ unref: true, ...options });
  return { emulator, client: new Client(emulator) };
}

/**
 * One emulator for the test file, started before its first test (`{emulator, client}` handed to
 * `ready`) and closed after its last; before each test it is reset and the client logs in again.
 */
export function servedEmulator(ready) {
  let started;
  before(async () => ready((started = await start())));
  after(() => started?.emulator.close());
  beforeEach(async () => {
    started.emulator.reset();
    await started.client.login();
  });
}

export class Client {
  constructor(emulator) {
    this.emulator = emulator;
    this.url = emulator.url;
    this.token = null;
  }

  /** Gets an access token with the client credentials grant. */
  async login() {
    const res = await fetch(`${this.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.emulator.clientId,
        client_secret: this.emulator.clientSecret,
      }),
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    this.token = (await res.json()).access_token;
    return this.token;
  }

  /**
   * Calls the emulator. `body` objects are sent as JSON, strings/Buffers as they are.
   * Resolves {status, headers, text, json} (json is undefined when the body is not JSON).
   */
  async call(method, path, { body, query, token = this.token, headers = {} } = {}) {
    const qs = query ? `?${new URLSearchParams(query)}` : '';
    const init = { method, headers: { ...headers } };
    if (token) init.headers.authorization = `Bearer ${token}`;
    if (body !== undefined) {
      init.body = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      init.headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${this.url}${path}${qs}`, init);
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  /** Creates a config and returns its JSON; throws unless 200. */
  async createConfig(config) {
    const r = await this.call('POST', '/api/v1/mcp/configs', { body: config });
    if (r.status !== 200) throw new Error(`createConfig: ${r.status} ${r.text}`);
    return r.json.config;
  }
}

/** Asserts nothing; returns the ErrorInfo detail of a Status body. */
export function errorInfo(json) {
  return json.details.find((d) => d['@type'] === ERROR_INFO);
}

/** Verifies an RS256 JWT against a JWKS; returns {valid, header, payload}. */
export function verifyJwt(token, jwks) {
  const [h, p, s] = token.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString());
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (!jwk) return { valid: false, header, payload };
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const valid = verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'));
  return { valid, header, payload };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
